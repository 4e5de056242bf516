"""Generating exercises/ and the answer key from solutions/."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest

from karabakh import __main__ as cli
from karabakh import answer_key, assign, execute, paths

SOLUTIONS = sorted(paths.solutions_dir().glob("*.ipynb"))
STEMS = [p.stem for p in SOLUTIONS]


@pytest.fixture(scope="module")
def built():
    """One full build (runs every solution notebook); nothing is written."""
    return assign.build()


def _check_outputs(nb) -> dict[str, str]:
    """Task id -> the text printed by its check cell (nbgrader grade cells)."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            task = re.search(r'check\("([^"]+)"\)', cell.source).group(1)
            found[task] = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    return found


# --------------------------------------------------------------------------- one cell


def test_strip_solution_keeps_scaffolding_and_indentation():
    source = 'rows = data.load("timeline")\nif True:\n    ### BEGIN SOLUTION\n    days = 281\n    ### END SOLUTION\nprint(days)\n'
    stripped = assign.strip_solution(source, "days")
    assert stripped == (
        'rows = data.load("timeline")\nif True:\n'
        "    # YOUR CODE HERE: replace the ... with your answer\n    days = ...\nprint(days)\n"
    )
    assert "raise NotImplementedError" in assign.strip_solution(
        "### BEGIN SOLUTION\nx\n### END SOLUTION\n", None
    )
    assert assign.strip_solution(
        "### BEGIN SOLUTION\nIt was 1995.\n### END SOLUTION", None, markdown=True
    ) == ("YOUR ANSWER HERE\n")


@pytest.mark.parametrize(
    "source",
    ["### BEGIN SOLUTION\nx = 1\n", "x = 1\n### END SOLUTION\n", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n"],
)
def test_unbalanced_markers_are_refused(source):
    with pytest.raises(ValueError, match="SOLUTION"):
        assign.strip_solution(source, "x")


def _nb(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def _task_cell(task="99-x", answer="x", source="### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", **meta):
    metadata = {
        "nbgrader": {"solution": True, "grade": False, "grade_id": task[3:], "locked": False},
        "karabakh": {"task": task, "answer": answer, "check": {"kind": "integer"}, **meta},
    }
    return nbformat.v4.new_code_cell(source, metadata=metadata)


def _check_cell(task="99-x", points=1):
    metadata = {
        "nbgrader": {"grade": True, "solution": False, "grade_id": f"{task[3:]}-check", "points": points},
        "karabakh": {"checks": task},
    }
    return nbformat.v4.new_code_cell(f'check("{task}")', metadata=metadata)


def test_read_tasks_reads_ids_answers_and_points():
    (task,) = assign.read_tasks(_nb(_task_cell(), _check_cell(points=2)), "99-demo")
    assert (task.id, task.answer, task.grade_id, task.check_grade_id, task.points) == (
        "99-x",
        "x",
        "x",
        "x-check",
        2,
    )


def test_read_tasks_lists_every_problem():
    nb = _nb(
        _task_cell(),  # no check cell
        _task_cell(task="98-y", answer="y"),  # wrong prefix
        _task_cell(task="99-z", answer="z", source="z = 2\n"),  # no solution region
        _task_cell(task="99-v", answer="v", source="v = 1\n### BEGIN SOLUTION\nv = 2\n### END SOLUTION\n"),
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\n### END SOLUTION\n"),  # markers without metadata
        _check_cell(task="99-w"),  # checks an unknown task
    )
    with pytest.raises(assign.AssignError) as info:
        assign.read_tasks(nb, "99-demo")
    text = str(info.value)
    for phrase in (
        "task 99-x has no check cell",
        "'99-short-name'",
        "task 99-z has no '### BEGIN SOLUTION'",
        "solution markers in a cell without nbgrader metadata",
        "check cell for '99-w'",
        "assigns `v` before '### BEGIN SOLUTION'",
    ):
        assert phrase in text


# --------------------------------------------------------------------------- the course's notebooks


def test_there_is_an_exercise_notebook_for_each_lesson_01_to_06():
    assert STEMS[:6] == list(paths.EXERCISE_STEMS)


@pytest.mark.parametrize("path", SOLUTIONS, ids=STEMS)
def test_each_solution_has_four_to_six_tasks(path):
    tasks = assign.read_tasks(nbformat.read(path, as_version=4), path.stem)
    assert 4 <= len(tasks) <= 6


def test_generation_is_deterministic(built):
    again = assign.build()
    assert again.files == built.files


def test_committed_exercises_and_key_are_up_to_date(built):
    stale = [str(p.relative_to(paths.course_root())) for p in assign.out_of_date(built)]
    assert stale == [], "run `karabakh assign` (or `make assign`) and commit the result"


@pytest.mark.parametrize("stem", STEMS)
def test_exercises_hold_no_solutions_outputs_or_stray_metadata(built, stem):
    text = built.files[paths.exercises_dir() / f"{stem}.ipynb"]
    nb = nbformat.reads(text, as_version=4)
    assert assign.BEGIN not in text and assign.END not in text
    assert execute.has_outputs(nb) == []
    assert set(nb.metadata) <= {"kernelspec", "language_info", "karabakh"}
    solution = nbformat.read(paths.solutions_dir() / f"{stem}.ipynb", as_version=4)
    assert len(nb.cells) == len(solution.cells)
    for cell, source in zip(nb.cells, solution.cells, strict=True):
        assert set(cell.metadata) <= {"nbgrader", "deletable", "editable", "tags"}
        grader = cell.metadata.get("nbgrader", {})
        if grader.get("solution"):
            answer = source.metadata["karabakh"]["answer"]
            assert f"{answer} = ...\n" in cell.source
            assert cell.metadata["deletable"] is False
        elif grader.get("grade"):
            assert cell.source == source.source
            assert cell.metadata["editable"] is False and cell.metadata["deletable"] is False
        else:
            assert cell.source == source.source


def test_key_lists_every_task_with_its_cells(built):
    key = answer_key.load_key(text=built.files[answer_key.key_path()])
    assert list(key.notebooks) == STEMS
    for stem, nb_key in key.notebooks.items():
        exercise = nbformat.reads(built.files[paths.exercises_dir() / f"{stem}.ipynb"], as_version=4)
        ids = [c.metadata["nbgrader"]["grade_id"] for c in exercise.cells if "nbgrader" in c.metadata]
        assert nb_key.graded_cells == ids
        for task in nb_key.tasks.values():
            assert task.id.startswith(stem[:3])
            assert {task.grade_id, task.check_grade_id} <= set(ids)


@pytest.mark.notebooks
@pytest.mark.parametrize("stem", STEMS)
def test_every_solution_passes_its_checks_in_a_kernel(stem):
    executed = execute.run(paths.solutions_dir() / f"{stem}.ipynb")
    assert execute.errors(executed) == []
    outputs = _check_outputs(executed)
    assert outputs, "no check cells ran"
    for task, text in outputs.items():
        assert text.startswith("Correct"), f"{task}: {text}"


@pytest.mark.notebooks
@pytest.mark.parametrize("stem", STEMS)
def test_fresh_exercises_run_without_error_and_answer_nothing(stem):
    executed = execute.run(paths.exercises_dir() / f"{stem}.ipynb")
    assert execute.errors(executed) == []
    outputs = _check_outputs(executed)
    assert outputs
    for task, text in outputs.items():
        assert text.startswith("Not answered yet"), f"{task}: {text}"
        assert "Traceback" not in text


# --------------------------------------------------------------------------- command line


@pytest.fixture()
def small_course(tmp_path):
    """A solutions folder with one notebook, and empty output places."""
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    shutil.copy(paths.solutions_dir() / "03-blockade.ipynb", solutions)
    return tmp_path


def _cli(capsys, *args):
    code = cli.main(["assign", *map(str, args)])
    return code, capsys.readouterr().out


def test_cli_writes_then_checks_then_detects_hand_edits(small_course, capsys):
    where = [
        "--solutions",
        small_course / "solutions",
        "--exercises",
        small_course / "exercises",
        "--key",
        small_course / "key.yaml",
    ]
    code, out = _cli(capsys, *where)
    assert code == 0, out
    exercise = small_course / "exercises" / "03-blockade.ipynb"
    assert exercise.is_file() and (small_course / "key.yaml").is_file()
    assert "wrote" in out
    nb = json.loads(exercise.read_text())
    nb["cells"][0]["source"] = "edited by hand"
    exercise.write_text(json.dumps(nb))
    code, out = _cli(capsys, "--check", *where)
    assert code == 1 and "Out of date" in out and "03-blockade.ipynb" in out
    assert (
        json.loads(exercise.read_text())["cells"][0]["source"] == "edited by hand"
    )  # --check changes nothing


def test_a_solution_that_fails_is_reported(small_course):
    path = small_course / "solutions" / "03-blockade.ipynb"
    nb = nbformat.read(path, as_version=4)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    setup.source += "\nraise RuntimeError('broken setup')\n"
    nbformat.write(nb, path)
    with pytest.raises(assign.AssignError, match="raised RuntimeError: broken setup"):
        assign.build(small_course / "solutions", small_course / "exercises", small_course / "key.yaml")
