"""Every lesson and solution notebook runs top to bottom on a fresh kernel; none is committed with outputs."""

from __future__ import annotations

import subprocess

import nbformat
import pytest

from karabakh import execute, paths

ROOT = paths.course_root()
RUNNABLE = sorted(paths.notebooks_dir().glob("*.ipynb")) + sorted(paths.solutions_dir().glob("*.ipynb"))


def _tracked_notebooks():
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.ipynb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:  # not a git checkout: every notebook in the course
        return sorted(
            p for p in ROOT.rglob("*.ipynb") if ".venv" not in p.parts and "node_modules" not in p.parts
        )
    return [ROOT / line for line in listed.stdout.splitlines() if line]


def test_there_are_notebooks_to_run():
    assert RUNNABLE, "no notebooks found in notebooks/ or solutions/"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", RUNNABLE, ids=[f"{p.parent.name}/{p.name}" for p in RUNNABLE])
def test_notebook_runs_top_to_bottom(path):
    executed = execute.run(path)
    assert execute.errors(executed) == []
    warnings = [
        f"cell {i}: {out.get('text', '').strip()[:200]}"
        for i, cell in enumerate(executed.cells)
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr" and "Warning" in out.get("text", "")
    ]
    assert warnings == [], "a student would see these warnings"


@pytest.mark.parametrize("path", _tracked_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert execute.has_outputs(nb) == [], f"{path.name}: clear outputs before committing"
