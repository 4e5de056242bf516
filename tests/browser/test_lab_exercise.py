"""An exercise notebook in JupyterLab: the self-checks speak to the student on the page."""

from __future__ import annotations

import nbformat
import pytest

from karabakh import paths

pytestmark = pytest.mark.browser

EXERCISE = paths.exercises_dir() / "01-war-and-statement.ipynb"


def _cell_index(nb: nbformat.NotebookNode, text: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and text in c.source)


def _solution_code(task_text: str) -> str:
    """The instructor's code for a task: what a student who solved it would type."""
    solutions = nbformat.read(paths.solutions_dir() / EXERCISE.name, as_version=4)
    source = solutions.cells[_cell_index(solutions, task_text)].source
    return "\n".join(line for line in source.splitlines() if "### " not in line)


def test_self_check_messages_in_jupyterlab(lab, page_errors, artifacts_dir):
    nb = nbformat.read(EXERCISE, as_version=4)
    checks = sum('check("' in c.source for c in nb.cells if c.cell_type == "code")
    lab.open(lab.copy(EXERCISE, f"exercises/{EXERCISE.name}"))
    state = lab.run_all()

    # Unanswered tasks run without error, and every self-check says so on the page.
    assert lab.problems(state) == []
    unanswered = lab.page.locator(".jp-OutputArea-output:visible", has_text="Not answered yet")
    assert unanswered.count() == checks

    # The student answers task 2 (the statement's contingent, from the figures table) and checks it.
    task = _cell_index(nb, "contingent = ...")
    answer = _solution_code("contingent =")
    lab.page.evaluate(
        """([index, source]) => {
               const cell = window.jupyterapp.shell.currentWidget.content.widgets[index];
               cell.model.sharedModel.setSource(source);
           }""",
        [task, answer],
    )
    lab.run_cell(task)
    state = lab.run_cell(task + 1)
    message = " ".join(o["text"] for o in state["cells"][task + 1]["outputs"] if o.get("text"))
    assert message.strip().startswith("Correct"), message
    assert (
        lab.page.locator(".jp-OutputArea-output:visible", has_text="Not answered yet").count() == checks - 1
    )
    assert page_errors == []
    lab.page.screenshot(path=artifacts_dir / "lab-exercise-01.png")
