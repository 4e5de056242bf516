"""Every lesson notebook follows the template in docs/lesson-template.md.

The checker, :func:`lesson_problems`, returns every rule a notebook breaks as a line of
plain text. The first tests run it on a small notebook that follows the template and on
copies broken one rule at a time (so the checker itself is tested); the last tests run it
on every notebook in ``notebooks/``.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from karabakh import data, paths

LESSONS = sorted(paths.notebooks_dir().glob("*.ipynb"))
#: Lessons that have an exercise notebook (docs/lesson-template.md, "File names").
PLANNED_EXERCISES = set(paths.EXERCISE_STEMS)
ALL_LESSON_STEMS = set(paths.LESSON_STEMS)
QUESTION_TYPES = {"single", "multiple", "numeric", "date", "ordering", "matching", "text"}

BEFORE = ["Overview", "Prerequisites"]
AFTER = ["Exercises", "Key points", "What's next?", "Further reading and sources"]

STEM_RE = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
NUMBERED_RE = re.compile(r"^\s*\d+\.\s+(.+?)\s*$")
BULLET_RE = re.compile(r"^\s*[-*]\s+\S")
TIME_RE = re.compile(r"Time:\s*teaching\s+(\d+)\s*min,\s*exercises\s+(\d+)\s*min")
TABLE_RE = re.compile(r"\|\s*Concept\s*\|\s*Importance\s*\|\s*Notes\s*\|")
CITATION_RE = re.compile(r"\[\s*([SR]\d+(?:\s*[,;]\s*[SR]\d+)*)\s*\]")
EXERCISE_LINK_RE = re.compile(r"\]\(\.\./exercises/([^)\s]+)\)")
LEAD_IN = "by the end of this lesson you can"
ITEM_START = "by the end you can"


# --------------------------------------------------------------------------- parsing


def _lines_outside_fences(text: str) -> list[str]:
    """Return the lines of markdown that are not inside ``` or ~~~ code fences."""
    kept, fence = [], None
    for line in text.splitlines():
        stripped = line.lstrip()
        marker = stripped[:3]
        if marker in ("```", "~~~"):
            if fence is None:
                fence = marker
            elif marker == fence:
                fence = None
            continue
        if fence is None:
            kept.append(line)
    return kept


def _code(cell) -> str:
    """Return a code cell's source with IPython magics and shell lines removed."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines()
    )


def _calls(cell, owner: str, name: str) -> list[ast.Call]:
    """Return the calls ``owner.name(...)`` in a code cell (none if it does not parse)."""
    try:
        tree = ast.parse(_code(cell))
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == name
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == owner
        ):
            found.append(node)
    return found


def _sections(nb) -> tuple[list[tuple[str, list[int]]], list[str]]:
    """Split the notebook into ``##`` sections: (title, cell indices), plus problems found."""
    problems: list[str] = []
    sections: list[tuple[str, list[int]]] = []
    for index, cell in enumerate(nb.cells):
        opens = None
        if cell.cell_type == "markdown":
            for number, line in enumerate(_lines_outside_fences(cell.source)):
                match = HEADING_RE.match(line)
                if not (match and len(match.group(1)) == 2):
                    continue
                if number == 0:
                    opens = match.group(2)
                else:
                    problems.append(
                        f"cell {index}: the heading '## {match.group(2)}' must be the first line "
                        "of its own markdown cell"
                    )
        if opens is not None:
            sections.append((opens, [index]))
        elif sections:
            sections[-1][1].append(index)
    return sections, problems


def _text(nb, indices: list[int]) -> str:
    return "\n".join(nb.cells[i].source for i in indices if nb.cells[i].cell_type == "markdown")


def _cited_ids(text: str) -> list[str]:
    ids = []
    for group in CITATION_RE.findall(text):
        ids += [part.strip() for part in re.split(r"[,;]", group) if part.strip()]
    return ids


def _literal_ids(call: ast.Call) -> list[str] | None:
    """Return the literal id list of ``reference_table([...])``, or None if it is not literal."""
    if not call.args:
        return None
    try:
        value = ast.literal_eval(call.args[0])
    except ValueError:
        return None
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


# --------------------------------------------------------------------------- the checker


def lesson_problems(
    nb,
    stem: str,
    *,
    source_ids: set[str],
    bank: dict | None,
    exercises_dir: Path,
    solutions_dir: Path,
) -> list[str]:
    """Return every rule of docs/lesson-template.md that the notebook ``nb`` breaks.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The lesson.
    stem : str
        Its file name without ``.ipynb`` (``01-war-and-statement``).
    source_ids : set of str
        The ids in ``data/sources.csv``.
    bank : dict or None
        The lesson's question bank as read from YAML, or None if it does not exist.
    exercises_dir, solutions_dir : Path
        Where exercise notebooks and their sources live.
    """
    problems: list[str] = []

    if not STEM_RE.match(stem):
        problems.append(
            f"file name '{stem}.ipynb' is not NN-stem.ipynb (two digits, a dash, a lowercase stem)"
        )

    # metadata
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"metadata: kernelspec name is {kernel!r}, expected 'python3'")
    lesson = nb.metadata.get("lesson")
    teaching = exercises = None
    objectives_meta: list[str] = []
    if not isinstance(lesson, dict):
        problems.append("metadata: no 'lesson' entry with teaching, exercises and objectives")
    else:
        teaching, exercises = lesson.get("teaching"), lesson.get("exercises")
        if not (isinstance(teaching, int) and teaching > 0):
            problems.append(
                f"metadata: lesson.teaching must be a whole number of minutes > 0, not {teaching!r}"
            )
        if not (isinstance(exercises, int) and exercises >= 0):
            problems.append(
                f"metadata: lesson.exercises must be a whole number of minutes >= 0, not {exercises!r}"
            )
        objectives_meta = lesson.get("objectives") or []
        if not (isinstance(objectives_meta, list) and 3 <= len(objectives_meta) <= 5):
            problems.append("metadata: lesson.objectives must list 3 to 5 objectives")

    # title: the first cell, the only H1
    if not nb.cells or nb.cells[0].cell_type != "markdown" or not nb.cells[0].source.startswith("# "):
        problems.append("cell 0 must be a markdown cell whose first line is '# Title'")
    h1_cells = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown"
        for line in _lines_outside_fences(c.source)
        if (m := HEADING_RE.match(line)) and len(m.group(1)) == 1
    ]
    if len(h1_cells) != 1:
        problems.append(f"there must be exactly one '# ' heading (the title); found {len(h1_cells)}")

    # section order
    sections, heading_problems = _sections(nb)
    problems += heading_problems
    titles = [t for t, _ in sections]
    if titles[:2] != BEFORE or titles[-4:] != AFTER or len(titles) < len(BEFORE) + len(AFTER) + 2:
        problems.append(
            "sections must be: "
            + ", ".join(BEFORE)
            + ", two or more content sections, "
            + ", ".join(AFTER)
            + f"; found: {titles}"
        )
        return problems  # the rest relies on the order
    by_title = dict(sections)
    content = sections[2:-4]

    # overview: 3-5 numbered objectives, matching the metadata
    overview = _text(nb, by_title["Overview"])
    items = [m.group(1) for line in _lines_outside_fences(overview) if (m := NUMBERED_RE.match(line))]
    if not 3 <= len(items) <= 5:
        problems.append(f"Overview: {len(items)} numbered objectives; expected 3 to 5")
    lead_in = LEAD_IN in overview.lower()
    for item in items:
        if not lead_in and not item.lower().startswith(ITEM_START):
            problems.append(
                f"Overview: objective '{item[:40]}...' does not start 'By the end you can' "
                "(and there is no lead-in 'By the end of this lesson you can:')"
            )
    if isinstance(objectives_meta, list) and [o.strip() for o in objectives_meta] != items:
        problems.append("Overview: the numbered objectives differ from metadata lesson.objectives")

    # prerequisites: table and time line
    prereq = _text(nb, by_title["Prerequisites"])
    if not TABLE_RE.search(prereq):
        problems.append("Prerequisites: no table with the header | Concept | Importance | Notes |")
    time = TIME_RE.search(prereq)
    if not time:
        problems.append("Prerequisites: no line 'Time: teaching N min, exercises N min'")
    elif (int(time.group(1)), int(time.group(2))) != (teaching, exercises):
        problems.append(
            f"Prerequisites: the time line says {time.group(1)} + {time.group(2)} min but the metadata "
            f"says teaching {teaching}, exercises {exercises}"
        )

    # imports: first code cell, inside Prerequisites
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if not code_cells or code_cells[0] not in by_title["Prerequisites"]:
        problems.append("the first code cell (the imports) must come in the Prerequisites section")
    elif "from karabakh import" not in nb.cells[code_cells[0]].source:
        problems.append("the first code cell must import from the course package: 'from karabakh import ...'")

    # content sections end with a quiz from this lesson's bank; they cite sources
    bank_ids = {q.get("id") for q in (bank or {}).get("questions", [])}
    shown: set[str] = set()
    for title, indices in content:
        last = nb.cells[indices[-1]]
        calls = _calls(last, "quiz", "show") if last.cell_type == "code" else []
        if not calls:
            problems.append(f"section '{title}': the last cell must be a code cell calling quiz.show(...)")
        for call in calls:
            first = call.args[0] if call.args else None
            if not (isinstance(first, ast.Constant) and first.value == stem):
                problems.append(f"section '{title}': quiz.show must name this lesson's bank, '{stem}'")
                continue
            ids_arg = next((k.value for k in call.keywords if k.arg == "ids"), None)
            if ids_arg is None or (isinstance(ids_arg, ast.Constant) and ids_arg.value is None):
                shown |= bank_ids
                continue
            try:
                ids = ast.literal_eval(ids_arg)
            except ValueError:
                problems.append(f"section '{title}': quiz.show ids must be a literal list of question ids")
                continue
            for qid in ids:
                if bank is not None and qid not in bank_ids:
                    problems.append(f"section '{title}': question '{qid}' is not in data/quizzes/{stem}.yaml")
            shown |= set(ids)
        if not _cited_ids(_text(nb, indices)):
            problems.append(f"section '{title}': cites no source (bracketed ids such as [S1])")
    if bank is None:
        problems.append(f"no question bank data/quizzes/{stem}.yaml")
    else:
        if bank.get("notebook") != stem:
            problems.append(
                f"data/quizzes/{stem}.yaml: 'notebook' is {bank.get('notebook')!r}, expected {stem!r}"
            )
        unshown = sorted(bank_ids - shown)
        if unshown:
            problems.append(f"questions never shown in the notebook: {', '.join(unshown)}")
        questions = bank.get("questions", [])
        kinds = {q.get("type") for q in questions}
        if len(questions) < 8 or len(kinds) < 3:
            problems.append(
                f"data/quizzes/{stem}.yaml: {len(questions)} questions of {len(kinds)} types; "
                "a lesson needs at least 8 questions of at least 3 types"
            )

    # exercises
    exercise_text = _text(nb, by_title["Exercises"])
    links = EXERCISE_LINK_RE.findall(exercise_text)
    planned = stem in PLANNED_EXERCISES or (solutions_dir / f"{stem}.ipynb").is_file()
    if links:
        for target in links:
            if target != f"{stem}.ipynb":
                problems.append(f"Exercises: links ../exercises/{target}; expected ../exercises/{stem}.ipynb")
        if not planned:
            problems.append(f"Exercises: links an exercise notebook, but none is planned for {stem}")
        generated = list(exercises_dir.glob("*.ipynb"))
        if generated and not (exercises_dir / f"{stem}.ipynb").is_file():
            problems.append(f"Exercises: exercises/{stem}.ipynb does not exist (run `make assign`)")
    elif planned:
        problems.append(f"Exercises: no link to ../exercises/{stem}.ipynb")
    elif "no exercise notebook" not in exercise_text.lower():
        problems.append("Exercises: neither a link to ../exercises/ nor the words 'no exercise notebook'")

    # key points mirror the objectives
    key_points = [
        line for line in _lines_outside_fences(_text(nb, by_title["Key points"])) if BULLET_RE.match(line)
    ]
    if len(key_points) != len(items):
        problems.append(f"Key points: {len(key_points)} bullets for {len(items)} objectives")

    # further reading: last cell lists every cited id
    cited = _cited_ids("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    for sid in sorted(set(cited) - source_ids):
        problems.append(f"cites [{sid}], which is not in data/sources.csv")
    last = nb.cells[-1]
    calls = _calls(last, "citations", "reference_table") if last.cell_type == "code" else []
    if not calls or len(nb.cells) - 1 not in by_title["Further reading and sources"]:
        problems.append(
            "the last cell must be citations.reference_table([...]) under 'Further reading and sources'"
        )
    else:
        listed = _literal_ids(calls[0])
        if listed is None:
            problems.append("citations.reference_table must get a literal list of ids")
        else:
            for sid in sorted(set(listed) - source_ids):
                problems.append(f"reference table lists {sid}, which is not in data/sources.csv")
            missing = sorted(set(cited) - set(listed), key=lambda s: (s[0], int(s[1:])))
            if missing:
                problems.append(f"reference table misses cited ids: {', '.join(missing)}")

    # thin notebooks: no functions or classes
    for index in code_cells:
        try:
            tree = ast.parse(_code(nb.cells[index]))
        except SyntaxError:
            problems.append(f"cell {index}: code does not parse")
            continue
        if any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.walk(tree)):
            problems.append(f"cell {index}: defines a function or class; logic belongs in the package")

    return problems


# --------------------------------------------------------------------------- helpers for the tests


def _source_ids() -> set[str]:
    return set(data.load("sources")["id"])


def _bank(stem: str) -> dict | None:
    path = paths.quizzes_dir() / f"{stem}.yaml"
    if not path.is_file():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _md(text: str):
    return nbformat.v4.new_markdown_cell(text)


def _code_cell(text: str):
    return nbformat.v4.new_code_cell(text)


OBJECTIVES = [
    "Name the three signatories of the statement.",
    "Give the size of the contingent.",
    "Explain why the date is quoted two ways.",
]


def _good_notebook():
    cells = [
        _md("# A lesson\n\nWhat it is about."),
        _md(
            "## Overview\n\nIntro.\n\nBy the end of this lesson you can:\n\n"
            + "\n".join(f"{i}. {o}" for i, o in enumerate(OBJECTIVES, 1))
        ),
        _md(
            "## Prerequisites\n\n| Concept | Importance | Notes |\n|---|---|---|\n| Maps | Helpful | |\n\n"
            "Time: teaching 20 min, exercises 10 min"
        ),
        _code_cell("from karabakh import citations, data, quiz"),
        _md("## The statement\n\nThree leaders signed it [S1, S2].\n\n```\n# not a heading\n```"),
        _code_cell('quiz.show("01-demo", ids=["a", "b", "d", "e"])'),
        _md("## The contingent\n\n1,960 servicemen [S3]."),
        _code_cell("data.load('figures').head()"),
        _code_cell('quiz.show("01-demo", ids=["c", "f", "g", "h"])'),
        _md("## Exercises\n\nSee [exercises/01-demo.ipynb](../exercises/01-demo.ipynb)."),
        _md("## Key points\n\n- one\n- two\n- three"),
        _md("## What's next?\n\nLesson 02."),
        _md("## Further reading and sources\n\nRead R1 [R1]."),
        _code_cell('citations.reference_table(["S1", "S2", "S3", "R1"])'),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["lesson"] = {"teaching": 20, "exercises": 10, "objectives": list(OBJECTIVES)}
    return nb


GOOD_BANK = {
    "schema_version": 1,
    "notebook": "01-demo",
    "questions": [
        {"id": i, "type": t} for i, t in zip("abcdefgh", ["single", "numeric", "date"] * 3, strict=False)
    ],
}


def _check(nb, stem="01-demo", bank=GOOD_BANK, tmp_path=None, solutions=("01-demo",)):
    exercises = tmp_path / "exercises"
    solutions_dir = tmp_path / "solutions"
    exercises.mkdir(exist_ok=True)
    solutions_dir.mkdir(exist_ok=True)
    for name in solutions:
        (solutions_dir / f"{name}.ipynb").write_text("{}")
    return lesson_problems(
        nb,
        stem,
        source_ids={"S1", "S2", "S3", "R1"},
        bank=bank,
        exercises_dir=exercises,
        solutions_dir=solutions_dir,
    )


# --------------------------------------------------------------------------- the checker finds defects


def test_a_notebook_that_follows_the_template_passes(tmp_path):
    """Does a notebook built by the template pass every rule?"""
    assert _check(_good_notebook(), tmp_path=tmp_path) == []


def _cell_with(nb, text):
    return next(c for c in nb.cells if text in c.source)


def _break_section_order(nb):
    nb.cells[9], nb.cells[10] = nb.cells[10], nb.cells[9]


def _break_objective_count(nb):
    cell = nb.cells[1]
    cell.source = cell.source.replace("3. Explain why the date is quoted two ways.", "")
    nb.metadata["lesson"]["objectives"] = OBJECTIVES[:2]


def _break_time(nb):
    nb.metadata["lesson"]["teaching"] = 25


def _break_quiz_at_end(nb):
    nb.cells.insert(9, _md("Some closing words [S1]."))


def _break_quiz_bank_name(nb):
    _cell_with(nb, '"c"').source = 'quiz.show("02-other", ids=["c"])'


def _break_unknown_question(nb):
    _cell_with(nb, '"c"').source = 'quiz.show("01-demo", ids=["c", "f", "g", "h", "zz"])'


def _break_unknown_source(nb):
    _cell_with(nb, "1,960").source = "## The contingent\n\n1,960 servicemen [S999]."


def _break_reference_table(nb):
    nb.cells[-1].source = 'citations.reference_table(["S1", "S2", "R1"])'


def _break_key_points(nb):
    _cell_with(nb, "## Key points").source = "## Key points\n\n- one\n- two"


def _break_exercise_link(nb):
    _cell_with(nb, "## Exercises").source = "## Exercises\n\nSee [it](../exercises/02-other.ipynb)."


def _break_kernelspec(nb):
    nb.metadata["kernelspec"]["name"] = "ir"


def _break_second_title(nb):
    _cell_with(nb, "Lesson 02").source = "## What's next?\n\n# Another title"


def _break_function(nb):
    _cell_with(nb, "figures").source = "def helper():\n    return 1\nhelper()"


def _break_heading_inside_cell(nb):
    _cell_with(nb, "1,960").source = "Intro text.\n\n## The contingent\n\n1,960 servicemen [S3]."


def _break_imports(nb):
    nb.cells[3].source = "import pandas as pd"


def _break_uncited_section(nb):
    _cell_with(nb, "1,960").source = "## The contingent\n\n1,960 servicemen."


def _break_objective_wording(nb):
    nb.cells[1].source = nb.cells[1].source.replace("By the end of this lesson you can:", "You will:")


DEFECTS = [
    (_break_section_order, "sections must be"),
    (_break_objective_count, "numbered objectives; expected 3 to 5"),
    (_break_time, "the time line says 20 + 10 min"),
    (_break_quiz_at_end, "the last cell must be a code cell calling quiz.show"),
    (_break_quiz_bank_name, "quiz.show must name this lesson's bank"),
    (_break_unknown_question, "question 'zz' is not in"),
    (_break_unknown_source, "cites [S999], which is not in data/sources.csv"),
    (_break_reference_table, "reference table misses cited ids: S3"),
    (_break_key_points, "Key points: 2 bullets for 3 objectives"),
    (_break_exercise_link, "links ../exercises/02-other.ipynb"),
    (_break_kernelspec, "kernelspec name is 'ir'"),
    (_break_second_title, "exactly one '# ' heading"),
    (_break_function, "defines a function or class"),
    (_break_heading_inside_cell, "must be the first line of its own markdown cell"),
    (_break_imports, "must import from the course package"),
    (_break_uncited_section, "section 'The contingent': cites no source"),
    (_break_objective_wording, "does not start 'By the end you can'"),
]


@pytest.mark.parametrize(("breaker", "expected"), DEFECTS, ids=[d[0].__name__[7:] for d in DEFECTS])
def test_the_checker_names_each_broken_rule(breaker, expected, tmp_path):
    """Does breaking one rule give a problem that names that rule?"""
    nb = copy.deepcopy(_good_notebook())
    breaker(nb)
    problems = _check(nb, tmp_path=tmp_path)
    assert any(expected in p for p in problems), problems


def test_a_small_bank_is_reported(tmp_path):
    """Is a bank with fewer than 8 questions or 3 types reported?"""
    bank = {"notebook": "01-demo", "questions": [{"id": i, "type": "single"} for i in "abc"]}
    problems = _check(_good_notebook(), bank=bank, tmp_path=tmp_path)
    assert any("3 questions of 1 types" in p for p in problems), problems


def test_an_unshown_question_is_reported(tmp_path):
    """Is a bank question that no quiz cell shows reported?"""
    extra = [{"id": f"extra{i}", "type": "text"} for i in range(5)]
    bank = {**GOOD_BANK, "questions": GOOD_BANK["questions"][:3] + extra}
    problems = _check(_good_notebook(), bank=bank, tmp_path=tmp_path)
    assert any("never shown in the notebook: extra0, extra1" in p for p in problems), problems


def test_a_missing_exercise_file_is_reported_once_exercises_exist(tmp_path):
    """Once exercises/ holds notebooks, must the linked one exist?"""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "03-else.ipynb").write_text("{}")
    problems = _check(_good_notebook(), tmp_path=tmp_path)
    assert any("exercises/01-demo.ipynb does not exist" in p for p in problems), problems


def test_a_lesson_without_exercises_must_say_so(tmp_path):
    """Does a lesson with no planned exercise need the words 'no exercise notebook'?"""
    nb = _good_notebook()
    _cell_with(nb, "## Exercises").source = "## Exercises\n\nNothing here."
    problems = _check(nb, tmp_path=tmp_path, solutions=())
    assert any("no exercise notebook" in p for p in problems), problems
    _cell_with(nb, "## Exercises").source = "## Exercises\n\nThis lesson has no exercise notebook."
    assert _check(nb, tmp_path=tmp_path, solutions=()) == []


# --------------------------------------------------------------------------- the course's lessons


def test_there_are_lessons():
    assert LESSONS, "no notebooks in notebooks/"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_follows_the_template(path):
    nb = nbformat.read(path, as_version=4)
    problems = lesson_problems(
        nb,
        path.stem,
        source_ids=_source_ids(),
        bank=_bank(path.stem),
        exercises_dir=paths.exercises_dir(),
        solutions_dir=paths.solutions_dir(),
    )
    assert problems == [], f"{path.name} breaks docs/lesson-template.md:\n" + "\n".join(problems)


def test_lesson_numbers_are_unique():
    numbers = [p.stem[:2] for p in LESSONS]
    assert len(numbers) == len(set(numbers)), f"two lessons share a number: {numbers}"


def test_lesson_banks_together_use_every_question_type():
    banks = [_bank(stem) for stem in sorted(ALL_LESSON_STEMS)]
    if any(b is None for b in banks):
        pytest.skip("not all seven lesson banks exist yet")
    used = {q.get("type") for b in banks for q in b.get("questions", [])}
    assert used == QUESTION_TYPES, f"types never used: {sorted(QUESTION_TYPES - used)}"
