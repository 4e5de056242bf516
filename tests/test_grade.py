"""Batch grading: fabricated submissions get the right scores, statuses and reasons."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from karabakh import answer_key, grade, paths, sample_submissions, submissions
from karabakh.sample_submissions import KINDS, student_notebook

STEM = "03-blockade"
CELL_TIMEOUT = 2.0


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def _quiet(_message: str) -> None:
    pass


@pytest.fixture(scope="module")
def fabricated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    return folder, sample_submissions.fabricate(folder, STEM)


@pytest.fixture(scope="module")
def graded(fabricated, tmp_path_factory):
    folder, made = fabricated
    out = tmp_path_factory.mktemp("fork") / "gradebook.csv"
    summary = grade.grade(folder, out, workers=2, cell_timeout=CELL_TIMEOUT, timeout=60, log=_quiet)
    return summary, out


def _write_submission(folder: Path, student: str, nb: dict) -> Path:
    path = folder / student / f"{STEM}.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb))
    return path


def _code(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def _with_extra_cell(source: str, answers="right") -> dict:
    key = answer_key.load_key()
    tasks = list(key.notebooks[STEM].tasks)
    nb = student_notebook(STEM, dict.fromkeys(tasks, answers))
    position = next(
        i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == "setup"
    )
    nb["cells"].insert(position + 1, _code(source))
    return nb


# --------------------------------------------------------------------------- fabricated submissions


def test_every_kind_of_submission_is_fabricated(fabricated):
    _, made = fabricated
    assert [m.kind for m in made] == list(KINDS)


def test_fabricated_submissions_get_the_expected_grades(fabricated, graded):
    _, made = fabricated
    summary, out = graded
    rows = _rows(out)
    assert len(rows) == len(made)
    for item in made:
        row = rows[item.student]
        assert row["status"] == item.status, (item.kind, row["reason"])
        assert item.reason in row["reason"], (item.kind, row["reason"])
        for task, score in item.scores.items():
            assert float(row[task]) == score, (item.kind, task, row)
        assert float(row["total"]) == sum(item.scores.values())
        assert float(row["max"]) == len(item.scores)


def test_gradebook_has_the_documented_columns(graded):
    _, out = graded
    header = out.read_text().splitlines()[0].split(",")
    tasks = list(answer_key.load_key().notebooks[STEM].tasks)
    assert header == ["student", "notebook", *tasks, "total", "max", "status", "reason"]


def test_a_feedback_file_per_submission(fabricated, graded):
    _, made = fabricated
    _, out = graded
    for item in made:
        text = (out.parent / "feedback" / item.student / f"{STEM}.txt").read_text()
        assert f"Score: {sum(item.scores.values()):g} / {len(item.scores)}" in text
        assert text.count("\nTask ") == len(item.scores)
    raising = next(m for m in made if m.kind == "raising")
    text = (out.parent / "feedback" / raising.student / f"{STEM}.txt").read_text()
    assert "raised NameError" in text and "Correct:" in text and "Not answered yet" in text


@pytest.mark.notebooks
def test_fast_path_grades_equal_a_real_kernel(fabricated, tmp_path):
    folder, made = fabricated
    # A real kernel imports pandas inside the first cell: give it a limit it can meet on a busy machine.
    limits = {"workers": 2, "cell_timeout": 10.0, "timeout": 120, "log": _quiet}
    grade.grade(folder, tmp_path / "fork.csv", engine="fork", **limits)
    kernel = grade.grade(folder, tmp_path / "kernel.csv", engine="kernel", **limits)
    fork_out = tmp_path / "fork.csv"
    fork_rows, kernel_rows = _rows(fork_out), _rows(tmp_path / "kernel.csv")
    assert len(kernel.graded) == len(made)
    tasks = list(answer_key.load_key().notebooks[STEM].tasks)
    for student, row in kernel_rows.items():
        fast = fork_rows[student]
        assert [fast[t] for t in [*tasks, "total", "status"]] == [
            row[t] for t in [*tasks, "total", "status"]
        ], student
        # the same cells fail, for the same reasons (messages may name different files)
        assert [part.split(":")[0] for part in fast["reason"].split("; ")] == [
            part.split(":")[0] for part in row["reason"].split("; ")
        ], student


JUPYTER_CELLS = [
    "import ipywidgets as widgets\nwidgets.IntSlider(3)",
    "from IPython.display import HTML, Markdown, display\ndisplay(HTML('<b>x</b>'))\nMarkdown('*y*')",
    "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
    "%time total = sum(range(10))",
    "!echo hello",
    "from karabakh import maps\nmaps.build('lachin-corridor')",
    "await __import__('asyncio').sleep(0)",
    "1 / 0",
    "def broken(:\n    pass",
    "import sys\nsys.exit(3)",
    "total",
]


@pytest.mark.notebooks
def test_magics_display_and_errors_behave_as_in_a_kernel(tmp_path):
    nb = student_notebook(STEM, dict.fromkeys(answer_key.load_key().notebooks[STEM].tasks, "right"))
    first = len(nb["cells"])
    nb["cells"] += [_code(source) for source in JUPYTER_CELLS]
    _write_submission(tmp_path / "in", "features", nb)
    reasons = {}
    for engine in ("fork", "kernel"):
        out = tmp_path / f"{engine}.csv"
        grade.grade(tmp_path / "in", out, workers=1, cell_timeout=60, timeout=300, engine=engine, log=_quiet)
        row = _rows(out)["features"]
        assert row["total"] == row["max"] and row["status"] == "errors"
        reasons[engine] = [part.split(":")[0] for part in row["reason"].split("; ")]
    failing = [first + 8, first + 9, first + 10]  # 1 / 0, the syntax error, sys.exit (1-based)
    assert reasons["fork"] == [
        f"cell {n} raised {e}"
        for n, e in zip(failing, ["ZeroDivisionError", "SyntaxError", "SystemExit"], strict=True)
    ]
    assert reasons["kernel"] == reasons["fork"]


@pytest.mark.parametrize("stem", [p.stem for p in sorted(paths.exercises_dir().glob("*.ipynb"))])
def test_every_notebook_grades_right_and_partly_right_answers(stem, tmp_path):
    made = sample_submissions.fabricate(tmp_path / "in", stem, ("right", "partly-right"))
    grade.grade(tmp_path / "in", tmp_path / "gb.csv", workers=2, log=_quiet)
    rows = _rows(tmp_path / "gb.csv")
    for item in made:
        row = rows[item.student]
        assert row["status"] == "ok", row["reason"]
        assert {t: float(row[t]) for t in item.scores} == item.scores, item.kind


def test_fresh_exercises_and_solutions_grade_zero_and_full(tmp_path):
    for student, source in (("exercises", paths.exercises_dir()), ("solutions", paths.solutions_dir())):
        shutil.copytree(source, tmp_path / "in" / student)
    grade.grade(tmp_path / "in", tmp_path / "gb.csv", workers=2, log=_quiet)
    rows = list(csv.DictReader(open(tmp_path / "gb.csv", encoding="utf-8")))
    assert len(rows) == 2 * len(list(paths.exercises_dir().glob("*.ipynb")))
    for row in rows:
        assert row["status"] == "ok", row
        expected = "0" if row["student"] == "exercises" else row["max"]
        assert row["total"] == expected, row


# --------------------------------------------------------------------------- robustness


def test_cells_that_crash_loop_stubbornly_or_ask_for_input(tmp_path):
    folder = tmp_path / "in"
    _write_submission(folder, "asks", _with_extra_cell("name = input('Your name? ')"))
    _write_submission(folder, "exits", _with_extra_cell("import os\nos._exit(3)"))
    _write_submission(
        folder,
        "stubborn",
        _with_extra_cell(
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
        ),
    )
    slow = _with_extra_cell("import time")  # cell 3
    slow["cells"][3:3] = [_code("time.sleep(0.8)") for _ in range(6)]  # each within the limit, 4.8 s in all
    _write_submission(folder, "slow", slow)
    grade.grade(folder, tmp_path / "gb.csv", workers=2, cell_timeout=1, timeout=4, log=_quiet)
    rows = _rows(tmp_path / "gb.csv")
    assert rows["asks"]["status"] == "errors" and "StdinNotImplementedError" in rows["asks"]["reason"]
    assert rows["asks"]["total"] == rows["asks"]["max"]  # later tasks still graded
    assert (
        rows["exits"]["status"] == "crashed"
        and "ended the Python process in cell 3" in rows["exits"]["reason"]
    )
    assert rows["exits"]["total"] == "0"
    assert (
        rows["stubborn"]["status"] == "timeout" and "could not be interrupted" in rows["stubborn"]["reason"]
    )
    assert (
        rows["slow"]["status"] == "timeout" and "time limit for the whole notebook" in rows["slow"]["reason"]
    )


def test_grades_come_from_the_key_not_from_the_students_check_cells(tmp_path):
    key = answer_key.load_key()
    tasks = list(key.notebooks[STEM].tasks)
    nb = student_notebook(STEM, dict.fromkeys(tasks, "wrong"))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["source"] = 'print("Correct: trust me")\nCORRECT = True'
    _write_submission(tmp_path / "in", "cheat", nb)
    fake_key = tmp_path / "in" / "cheat" / "data" / answer_key.KEY_FILE
    fake_key.parent.mkdir()
    fake_key.write_text("schema_version: 1\nnotebooks: {}\n")
    grade.grade(tmp_path / "in", tmp_path / "gb.csv", workers=1, log=_quiet)
    assert _rows(tmp_path / "gb.csv")["cheat"]["total"] == "0"


def test_interrupted_batches_resume_and_force_grades_again(tmp_path):
    folder = tmp_path / "in"
    sample_submissions.fabricate(folder, STEM, ("right", "partly-right", "empty"))
    out = tmp_path / "gb.csv"
    first = grade.grade(folder, out, workers=2, log=_quiet)
    assert len(first.graded) == 3
    rows = out.read_text().splitlines()
    out.write_text("\n".join(rows[:2]) + "\n")  # as if stopped after the first submission
    again = grade.grade(folder, out, workers=2, log=_quiet)
    assert sorted(o.student for o in again.graded) == ["002-partly-right", "003-empty"]
    assert again.skipped == 1
    assert out.read_text().splitlines() == rows
    assert grade.grade(folder, out, workers=2, log=_quiet).graded == []
    assert len(grade.grade(folder, out, workers=2, force=True, log=_quiet).graded) == 3


def test_a_stale_or_missing_key_stops_grading(tmp_path):
    solutions = tmp_path / "solutions"
    shutil.copytree(paths.solutions_dir(), solutions)
    path = solutions / f"{STEM}.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = "# A changed introduction\n"
    path.write_text(json.dumps(nb))
    (tmp_path / "in").mkdir()
    with pytest.raises(grade.GradeError, match="karabakh assign"):
        grade.grade(tmp_path / "in", tmp_path / "gb.csv", solutions_dir=solutions, log=_quiet)
    with pytest.raises(grade.GradeError, match="No answer key"):
        grade.grade(tmp_path / "in", tmp_path / "gb.csv", key_file=tmp_path / "nothing.yaml", log=_quiet)


def test_submissions_are_found_at_any_depth_by_file_name(tmp_path):
    nested = tmp_path / "ana" / "karabakh-peacekeeping" / "exercises"
    nested.mkdir(parents=True)
    (nested / f"{STEM}.ipynb").write_text("{}")
    (nested / ".ipynb_checkpoints").mkdir()
    (nested / ".ipynb_checkpoints" / f"{STEM}.ipynb").write_text("{}")
    (nested / "scratch.ipynb").write_text("{}")
    (tmp_path / "ben").mkdir()
    (tmp_path / "ben" / f"{STEM}.ipynb").write_text("{}")
    found = submissions.find(tmp_path, [STEM, "05-withdrawal"])
    assert [(s.student, s.notebook, s.path) for s in found] == [
        ("ana", STEM, nested / f"{STEM}.ipynb"),
        ("ben", STEM, tmp_path / "ben" / f"{STEM}.ipynb"),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe", "not a text file"),
        (b'{"cells": [', "not valid JSON"),
        (b"[1, 2]", "not a Jupyter notebook"),
        (b'{"cells": [], "nbformat": 4, "metadata": {}}', "no cells"),
        (b'{"cells": [{"cell_type": "code", "source": 3}], "nbformat": 4}', "a cell has no text"),
    ],
)
def test_unreadable_notebooks_are_explained(tmp_path, content, reason):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    nb, problem = submissions.read(path)
    assert nb is None and reason in problem


def test_command_line_writes_the_gradebook(tmp_path):
    sample_submissions.fabricate(tmp_path / "in", STEM, ("right", "empty"))
    command = Path(sys.executable).parent / "karabakh"
    done = subprocess.run(
        [str(command), "grade", str(tmp_path / "in"), "--out", str(tmp_path / "gb.csv"), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Graded 2 submission(s)" in done.stdout
    rows = _rows(tmp_path / "gb.csv")
    assert rows["001-right"]["status"] == "ok" and rows["002-empty"]["status"] == "invalid"
    assert (tmp_path / "feedback" / "002-empty" / f"{STEM}.txt").is_file()
