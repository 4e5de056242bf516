"""Generate the student notebooks (``exercises/``) and the answer key from ``solutions/``.

``solutions/NN-stem.ipynb`` is the one source of each exercise notebook. A task is two
code cells:

- the **task cell** (nbgrader metadata ``solution: true``), whose solution code sits
  between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, with the course metadata
  ``karabakh: {task: "03-blockade-days", answer: "blockade_days", check: {kind: ...}}``;
- the **check cell** (nbgrader ``grade: true``, ``locked: true``, ``points``) with the
  metadata ``karabakh: {checks: "03-blockade-days"}`` and the code
  ``check("03-blockade-days")``.

``karabakh assign`` (``python -m karabakh assign``) then

1. writes ``exercises/NN-stem.ipynb``: each solution region replaced by a placeholder
   (``blockade_days = ...``, so the notebook still runs top to bottom), outputs and
   execution counts cleared, metadata reduced to what Jupyter and nbgrader need, check
   cells made undeletable and read-only;
2. runs every solution notebook (in a warm worker, see :mod:`karabakh.grading_worker`)
   and writes the fingerprints of the answers to ``data/exercise_checks.yaml``.

The output is deterministic: running it twice gives the same bytes.
``karabakh assign --check`` changes nothing and exits with 1 if anything is out of date.

Examples
--------
>>> print(strip_solution("x = 1\\n### BEGIN SOLUTION\\ny = x + 1\\n### END SOLUTION\\n", "y"))
x = 1
# YOUR CODE HERE: replace the ... with your answer
y = ...
<BLANKLINE>
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from karabakh import answer_key, paths

if TYPE_CHECKING:
    import nbformat

__all__ = ["configure_parser", "strip_solution", "make_exercise", "read_tasks", "build", "AssignError"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
PLACEHOLDER_COMMENT = "# YOUR CODE HERE: replace the ... with your answer"
MARKDOWN_PLACEHOLDER = "YOUR ANSWER HERE"
_TASK_ID = re.compile(r"^(\d{2})-[a-z0-9]+(-[a-z0-9]+)*$")
_GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]+$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEEP_NB_METADATA = ("kernelspec",)


class AssignError(ValueError):
    """A solution notebook that cannot be turned into an exercise; lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(["Cannot generate the exercises:", *(f"  - {p}" for p in self.problems)]))


# --------------------------------------------------------------------------- one cell


def strip_solution(source: str, answer: str | None, *, markdown: bool = False) -> str:
    """Replace each BEGIN/END SOLUTION region of a cell's source with a placeholder.

    Parameters
    ----------
    source : str
        The cell's source.
    answer : str or None
        The answer variable: the placeholder is ``answer = ...``. Without one the
        placeholder raises ``NotImplementedError`` (as nbgrader's does).
    markdown : bool
        A markdown cell: the placeholder is "YOUR ANSWER HERE".

    Raises
    ------
    ValueError
        If the markers are unbalanced.
    """
    out: list[str] = []
    inside = False
    for line in source.splitlines(keepends=True):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"'{BEGIN}' inside a solution region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            if markdown:
                out.append(f"{indent}{MARKDOWN_PLACEHOLDER}\n")
            elif answer:
                out += [f"{indent}{PLACEHOLDER_COMMENT}\n", f"{indent}{answer} = ...\n"]
            else:
                out += [f'{indent}raise NotImplementedError("Write your answer here")\n']
        elif marker == END:
            if not inside:
                raise ValueError(f"'{END}' without '{BEGIN}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"'{BEGIN}' without '{END}'")
    return "".join(out)


def _has_markers(source: str) -> bool:
    return any(line.strip() in (BEGIN, END) for line in source.splitlines())


def _meta(cell: nbformat.NotebookNode, name: str) -> dict[str, Any]:
    value = cell.get("metadata", {}).get(name)
    return value if isinstance(value, dict) else {}


# --------------------------------------------------------------------------- tasks


@dataclass
class TaskSpec:
    """A task as declared in a solution notebook's metadata."""

    id: str
    grade_id: str
    check_grade_id: str
    answer: str
    check: dict[str, Any]
    points: float

    def to_job(self) -> dict[str, Any]:
        """The task as sent to a grading worker."""
        return dict(self.__dict__)


def read_tasks(nb: nbformat.NotebookNode, stem: str) -> list[TaskSpec]:
    """Return the tasks declared in solution notebook ``stem``, checking the metadata.

    Raises
    ------
    AssignError
        Listing every problem (missing metadata, duplicate ids, a task without its
        check cell, markers outside task cells...).
    """
    problems: list[str] = []
    tasks: dict[str, TaskSpec] = {}
    grade_ids: dict[str, int] = {}
    prefix = stem[:2]
    for index, cell in enumerate(nb.cells, start=1):
        where = f"solutions/{stem}.ipynb, cell {index}"
        grader = _meta(cell, "nbgrader")
        ours = _meta(cell, "karabakh")
        gid = grader.get("grade_id")
        if gid is not None:
            if not isinstance(gid, str) or not _GRADE_ID.match(gid):
                problems.append(f"{where}: grade_id {gid!r} must match {_GRADE_ID.pattern}")
            elif gid in grade_ids:
                problems.append(f"{where}: grade_id {gid!r} is also used by cell {grade_ids[gid]}")
            else:
                grade_ids[gid] = index
        if _has_markers(cell.get("source", "")) and not grader.get("solution"):
            problems.append(f"{where}: solution markers in a cell without nbgrader metadata solution: true")
        if (grader.get("solution") or grader.get("grade")) and gid is None:
            problems.append(f"{where}: nbgrader metadata needs a grade_id")
            continue
        if cell.get("cell_type") != "code":
            continue
        if grader.get("solution"):
            task_id, answer, check = ours.get("task"), ours.get("answer"), ours.get("check")
            if not (
                isinstance(task_id, str) and _TASK_ID.match(task_id) and task_id.startswith(prefix + "-")
            ):
                problems.append(
                    f"{where}: karabakh.task must be an id like '{prefix}-short-name', not {task_id!r}"
                )
                continue
            if task_id in tasks:
                problems.append(f"{where}: task {task_id!r} is declared twice")
                continue
            if not (isinstance(answer, str) and _NAME.match(answer)):
                problems.append(f"{where}: karabakh.answer must be a variable name, not {answer!r}")
                continue
            try:
                answer_key.validate_check(check, where=where)
            except (TypeError, ValueError) as exc:
                problems.append(str(exc))
                continue
            if not _has_markers(cell.source):
                problems.append(f"{where}: task {task_id} has no '{BEGIN}' region")
            assigns = re.compile(rf"^\s*{re.escape(answer)}\s*=(?!=)", flags=re.M)
            before = cell.source.split(BEGIN)[0]
            if not assigns.search(cell.source):
                problems.append(f"{where}: task {task_id} never assigns its answer variable `{answer}`")
            elif assigns.search(before):
                problems.append(
                    f"{where}: task {task_id} assigns `{answer}` before '{BEGIN}'; the placeholder "
                    f"`{answer} = ...` would overwrite it: move that line into the solution"
                )
            tasks[task_id] = TaskSpec(task_id, gid or task_id, "", answer, dict(check), 0)
        elif grader.get("grade"):
            task_id = ours.get("checks")
            if task_id not in tasks:
                problems.append(f"{where}: check cell for {task_id!r}, which no earlier task cell declares")
                continue
            if f'check("{task_id}")' not in cell.source:
                problems.append(f'{where}: a check cell should call check("{task_id}")')
            points = grader.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
                problems.append(f"{where}: check cell for {task_id} needs nbgrader points > 0")
                continue
            tasks[task_id].check_grade_id = gid or ""
            tasks[task_id].points = points
    for task in tasks.values():
        if not task.check_grade_id:
            problems.append(f"solutions/{stem}.ipynb: task {task.id} has no check cell")
    if not tasks and not problems:
        problems.append(f"solutions/{stem}.ipynb: no task cells (nbgrader solution: true)")
    if problems:
        raise AssignError(problems)
    return list(tasks.values())


# --------------------------------------------------------------------------- notebooks


def make_exercise(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """Return the student version of solution notebook ``nb`` (a new notebook)."""
    import nbformat  # slow to import: only when generating

    cells = []
    for cell in nb.cells:
        grader = _meta(cell, "nbgrader")
        ours = _meta(cell, "karabakh")
        source = cell.get("source", "")
        if grader.get("solution"):
            source = strip_solution(source, ours.get("answer"), markdown=cell.cell_type == "markdown")
        metadata: dict[str, Any] = {}
        if grader:
            metadata["nbgrader"] = dict(grader)
            if grader.get("locked") or grader.get("grade"):
                metadata.update(deletable=False, editable=False)
            elif grader.get("solution"):
                metadata["deletable"] = False
        if cell.get("metadata", {}).get("tags"):
            metadata["tags"] = list(cell.metadata.tags)
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(source, metadata=metadata)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(source, metadata=metadata)
        else:
            new = nbformat.v4.new_raw_cell(source, metadata=metadata)
        new["id"] = cell.get("id") or f"cell-{len(cells) + 1}"
        cells.append(new)
    exercise = nbformat.v4.new_notebook(cells=cells)
    exercise.metadata = {key: nb.metadata[key] for key in _KEEP_NB_METADATA if key in nb.metadata}
    exercise.metadata.setdefault(
        "kernelspec", {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    )
    exercise.metadata["language_info"] = {"name": "python"}
    exercise.metadata["karabakh"] = {"generated_from": f"solutions/{stem}.ipynb"}
    exercise.nbformat, exercise.nbformat_minor = 4, 5
    return exercise


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """The notebook as saved (nbformat's JSON layout, final newline)."""
    import nbformat

    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


# --------------------------------------------------------------------------- the build


@dataclass
class Build:
    """Everything ``assign`` would write: file path -> text."""

    files: dict[Path, str] = field(default_factory=dict)
    stale_exercises: list[Path] = field(default_factory=list)


def _fingerprints(
    jobs: list[tuple[str, Path, list[TaskSpec]]], timeout: float
) -> dict[str, dict[str, dict[str, Any]]]:
    from karabakh.grading_worker import WorkerProcess

    problems = []
    expected: dict[str, dict[str, dict[str, Any]]] = {}
    with WorkerProcess() as worker:
        for stem, path, tasks in jobs:
            reply = worker.request(
                {
                    "op": "fingerprint",
                    "path": str(path),
                    "tasks": [t.to_job() for t in tasks],
                    "cell_timeout": timeout,
                    "timeout": timeout * 4,
                }
            )
            run = reply["run"]
            for cell in run["cells"]:
                what = "ran too long" if cell.get("timeout") else f"raised {cell['ename']}: {cell['evalue']}"
                problems.append(f"solutions/{stem}.ipynb, cell {cell['index'] + 1} {what}")
            if run.get("stopped"):
                problems.append(f"solutions/{stem}.ipynb: {run['stopped']}")
            expected[stem] = {}
            for task in tasks:
                result = run["tasks"].get(task.id)
                if result is None:
                    problems.append(f"solutions/{stem}.ipynb: task {task.id} was never checked")
                elif "error" in result:
                    problems.append(f"solutions/{stem}.ipynb: task {task.id}: {result['error']}")
                else:
                    expected[stem][task.id] = result["expected"]
    if problems:
        raise AssignError(problems)
    return expected


def build(
    solutions_dir: str | Path | None = None,
    exercises_dir: str | Path | None = None,
    key_file: str | Path | None = None,
    *,
    timeout: float = 60,
) -> Build:
    """Compute the exercise notebooks and the key file from ``solutions/`` (writes nothing).

    Raises
    ------
    AssignError
        If a solution notebook is malformed or does not run, or an answer cannot be
        fingerprinted.
    """
    solutions = Path(solutions_dir) if solutions_dir else paths.solutions_dir()
    exercises = Path(exercises_dir) if exercises_dir else paths.exercises_dir()
    key_out = Path(key_file) if key_file else answer_key.key_path()
    sources = sorted(solutions.glob("*.ipynb"))
    if not sources:
        raise AssignError([f"no notebooks in {solutions}"])
    import nbformat

    result = Build()
    problems: list[str] = []
    jobs = []
    notebooks = {}
    for path in sources:
        stem = path.stem
        nb = nbformat.read(path, as_version=4)
        try:
            tasks = read_tasks(nb, stem)
            exercise = make_exercise(nb, stem)
        except AssignError as exc:
            problems += exc.problems
            continue
        except ValueError as exc:
            problems.append(f"solutions/{stem}.ipynb: {exc}")
            continue
        result.files[exercises / path.name] = notebook_text(exercise)
        graded = [
            cell.metadata["nbgrader"]["grade_id"]
            for cell in exercise.cells
            if "nbgrader" in cell.metadata and "grade_id" in cell.metadata["nbgrader"]
        ]
        notebooks[stem] = (answer_key.source_sha256(nb.cells), graded, tasks)
        jobs.append((stem, path, tasks))
    if problems:
        raise AssignError(problems)
    all_ids = [t.id for _, _, tasks in jobs for t in tasks]
    duplicates = sorted({t for t in all_ids if all_ids.count(t) > 1})
    if duplicates:
        raise AssignError([f"task id used in two notebooks: {t}" for t in duplicates])
    expected = _fingerprints(jobs, timeout)
    key = answer_key.Key()
    for stem, (digest, graded, tasks) in notebooks.items():
        key.notebooks[stem] = answer_key.NotebookKey(
            stem,
            digest,
            graded,
            {
                t.id: answer_key.Task(
                    id=t.id,
                    notebook=stem,
                    grade_id=t.grade_id,
                    answer=t.answer,
                    check=t.check,
                    expected=expected[stem][t.id],
                    points=t.points,
                    check_grade_id=t.check_grade_id,
                )
                for t in tasks
            },
        )
    result.files[key_out] = answer_key.dump_key(key)
    wanted = {exercises / p.name for p in sources}
    for existing in sorted(exercises.glob("*.ipynb")):
        if existing not in wanted and _is_generated(existing):
            result.stale_exercises.append(existing)
    return result


def _is_generated(path: Path) -> bool:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(nb, dict) and "generated_from" in nb.get("metadata", {}).get("karabakh", {})


def out_of_date(result: Build) -> list[Path]:
    """Files whose content on disk differs from ``result`` (or should be deleted)."""
    stale = [
        p for p, text in result.files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text
    ]
    return stale + list(result.stale_exercises)


def write(result: Build) -> list[Path]:
    """Write the files that changed and delete stale generated notebooks; return them."""
    changed = out_of_date(result)
    for path in changed:
        if path in result.files:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(result.files[path], encoding="utf-8")
        else:
            path.unlink()
    return changed


# --------------------------------------------------------------------------- command line


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.course_root()))
    except ValueError:
        return str(path)


def main(args: argparse.Namespace) -> int:
    """Run ``karabakh assign``; return the exit code."""
    try:
        result = build(args.solutions, args.exercises, args.key, timeout=args.timeout)
    except AssignError as exc:
        print(exc)
        return 1
    if args.check:
        stale = out_of_date(result)
        if stale:
            print("Out of date (run `karabakh assign`):")
            for path in stale:
                print(f"  {_display(path)}")
            return 1
        print(f"Up to date: {len(result.files) - 1} exercise notebooks and the answer key.")
        return 0
    changed = write(result)
    for path in changed:
        print(f"{'deleted' if path in result.stale_exercises else 'wrote'} {_display(path)}")
    print(
        f"{len(result.files) - 1} exercise notebooks and the answer key are up to date ({len(changed)} changed)."
    )
    return 0


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``karabakh assign``."""
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit with 1 if exercises/ or the key is out of date",
    )
    parser.add_argument("--solutions", type=Path, default=None, help="source folder (default: solutions/)")
    parser.add_argument("--exercises", type=Path, default=None, help="output folder (default: exercises/)")
    parser.add_argument(
        "--key", type=Path, default=None, help="answer key file (default: data/exercise_checks.yaml)"
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds allowed for each solution cell")
    parser.set_defaults(func=main)
