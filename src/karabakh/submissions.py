"""Student submissions: find them, read them safely, compare them with the template.

Shared by both ways of running a submission (the warm forked worker in
:mod:`karabakh.grading_worker` and a real kernel in :mod:`karabakh.kernel_grading`),
so both report the same status and reasons.

A submissions folder holds one folder per student, each with that student's notebooks
under their ``exercises/`` file names, at any depth (``alice/03-blockade.ipynb`` or
``alice/karabakh-peacekeeping/exercises/03-blockade.ipynb``).

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
>>> problems(nb, ["x", "x-check"])
['cells deleted: x, x-check']
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from karabakh.answer_key import NotebookKey

__all__ = [
    "Plan",
    "Submission",
    "Outcome",
    "find",
    "read",
    "problems",
    "plan",
    "summarise",
    "STATUSES",
]

#: Statuses, most serious first; a submission gets the most serious that applies.
STATUSES = ("invalid", "crashed", "timeout", "changed", "errors", "ok")


@dataclass(frozen=True)
class Submission:
    """One student's copy of one exercise notebook."""

    student: str
    notebook: str  # exercise stem, e.g. "03-blockade"
    path: Path


def find(folder: str | Path, stems: list[str]) -> list[Submission]:
    """Return the submissions in ``folder``: one per student folder and exercise notebook.

    Files are matched by name (``03-blockade.ipynb``) anywhere under a student's
    folder; checkpoints are ignored; if a name occurs twice, the shallowest wins.

    Raises
    ------
    FileNotFoundError
        If ``folder`` does not exist.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"No submissions folder at {root}")
    wanted = {f"{stem}.ipynb": stem for stem in stems}
    found = []
    for student_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        best: dict[str, Path] = {}
        for path in student_dir.rglob("*.ipynb"):
            if path.name not in wanted or ".ipynb_checkpoints" in path.parts:
                continue
            current = best.get(path.name)
            if current is None or (len(path.parts), str(path)) < (len(current.parts), str(current)):
                best[path.name] = path
        for name in sorted(best):
            found.append(Submission(student_dir.name, wanted[name], best[name]))
    return found


def read(path: str | Path) -> tuple[dict[str, Any] | None, str | None]:
    """Read a notebook; return ``(notebook, None)`` or ``(None, reason it is unusable)``.

    The notebook is its JSON data (nbformat 4), each cell's ``source`` joined into one
    string. Reading JSON directly keeps the workers free of nbformat's slow import.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "bad.ipynb"
    >>> _ = bad.write_text('{"cells": [')
    >>> read(bad)[1]
    'not valid JSON (line 1, column 12): the file is damaged or was not saved completely'
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, f"cannot read the file ({exc.strerror or exc})"
    if not raw.strip():
        return None, "the file is empty"
    try:
        text = raw.decode("utf-8")
        document = json.loads(text)
    except UnicodeDecodeError:
        return None, "not a text file (not UTF-8)"
    except json.JSONDecodeError as exc:
        return None, (
            f"not valid JSON (line {exc.lineno}, column {exc.colno}): "
            "the file is damaged or was not saved completely"
        )
    if not isinstance(document, dict) or "cells" not in document and "worksheets" not in document:
        return None, "not a Jupyter notebook (no cells)"
    if document.get("nbformat") != 4:  # old formats: let nbformat convert them (slow to import)
        import nbformat

        try:
            document = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception as exc:  # nbformat raises many kinds of errors on odd files
            return None, f"not a readable Jupyter notebook ({type(exc).__name__}: {exc})"
    cells = document.get("cells")
    if not isinstance(cells, list):
        return None, "not a Jupyter notebook (no list of cells)"
    if not cells:
        return None, "the notebook has no cells"
    for cell in cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            return None, "not a readable Jupyter notebook (a cell is damaged)"
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            cell["source"] = "".join(source)
        elif not isinstance(source, str):
            return None, "not a readable Jupyter notebook (a cell has no text)"
        if not isinstance(cell.get("metadata", {}), dict):
            cell["metadata"] = {}
    return document, None


def grade_ids(nb: Any) -> list[str | None]:
    """Return each cell's nbgrader ``grade_id`` (None for cells without one)."""
    ids = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader")
        ids.append(meta.get("grade_id") if isinstance(meta, dict) else None)
    return ids


def problems(nb: Any, template: list[str]) -> list[str]:
    """Compare the graded cells of ``nb`` with the template's; describe what changed.

    Added cells are fine. Deleted, duplicated or reordered graded cells (task and
    check cells, recognised by their nbgrader ``grade_id``) are reported.

    Examples
    --------
    >>> import nbformat
    >>> def cell(gid):
    ...     return nbformat.v4.new_code_cell("", metadata={"nbgrader": {"grade_id": gid}})
    >>> nb = nbformat.v4.new_notebook(cells=[cell("b"), cell("a"), cell("a")])
    >>> problems(nb, ["a", "b", "c"])
    ['cells deleted: c', 'cells duplicated: a', 'cells reordered: b now comes before a']
    """
    present = [gid for gid in grade_ids(nb) if gid in template]
    found = []
    deleted = [gid for gid in template if gid not in present]
    if deleted:
        found.append("cells deleted: " + ", ".join(deleted))
    duplicated = sorted({gid for gid in present if present.count(gid) > 1}, key=template.index)
    if duplicated:
        found.append("cells duplicated: " + ", ".join(duplicated))
    first = list(dict.fromkeys(present))
    for earlier, later in zip(first, first[1:], strict=False):
        if template.index(earlier) > template.index(later):
            found.append(f"cells reordered: {earlier} now comes before {later}")
            break
    return found


@dataclass
class Plan:
    """What to run: code cells in notebook order, and when to check each task.

    ``checks_after[i]`` lists the tasks whose answer is checked right after cell ``i``
    (the last cell, in the submission's order, that belongs to the task); tasks
    without any cell are checked after the last cell (``final``).
    """

    code_cells: list[tuple[int, str]]
    checks_after: dict[int, list[str]] = field(default_factory=dict)
    final: list[str] = field(default_factory=list)
    cell_tasks: dict[int, str] = field(default_factory=dict)

    def cell_label(self, index: int | None) -> str:
        """Name a cell for a student's feedback: "cell 4 (task 03-blockade-days)"."""
        if index is None:
            return "after the last cell"
        label = f"cell {index + 1}"
        if index in self.cell_tasks:
            label += f" (task {self.cell_tasks[index]})"
        return label


def plan(nb: Any, notebook_key: NotebookKey) -> Plan:
    """Return the :class:`Plan` for running ``nb`` and checking the tasks of ``notebook_key``."""
    owner = {}
    for task in notebook_key.tasks.values():
        owner[task.grade_id] = task.id
        if task.check_grade_id:
            owner[task.check_grade_id] = task.id
    code_cells = []
    last_cell: dict[str, int] = {}
    cell_tasks: dict[int, str] = {}
    for index, (cell, gid) in enumerate(zip(nb["cells"], grade_ids(nb), strict=True)):
        if cell.get("cell_type") == "code":
            code_cells.append((index, cell.get("source", "")))
        if gid in owner and cell.get("cell_type") == "code":
            last_cell[owner[gid]] = index
            cell_tasks.setdefault(index, owner[gid])
    checks_after: dict[int, list[str]] = {}
    final = []
    for task_id in notebook_key.tasks:
        if task_id in last_cell:
            checks_after.setdefault(last_cell[task_id], []).append(task_id)
        else:
            final.append(task_id)
    return Plan(code_cells, checks_after, final, cell_tasks)


@dataclass
class Outcome:
    """The graded result of one submission (one row of the gradebook)."""

    student: str
    notebook: str
    status: str
    reasons: list[str]
    scores: dict[str, float]
    max_scores: dict[str, float]
    messages: dict[str, str]
    seconds: float = 0.0

    @property
    def reason(self) -> str:
        """The reasons, joined with "; " (the gradebook's ``reason`` column)."""
        return "; ".join(self.reasons)

    @property
    def total(self) -> float:
        """Points scored."""
        return sum(self.scores.values())

    @property
    def max(self) -> float:
        """Points available."""
        return sum(self.max_scores.values())


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarise(run: dict[str, Any], submission: Submission, notebook_key: NotebookKey) -> Outcome:
    """Turn the record of a run into an :class:`Outcome` (status, reason, scores).

    ``run`` is plain data, the same from both ways of running a submission:
    ``invalid`` (reason or None), ``structure`` (list of problems), ``cells`` (list of
    ``{"index", "ename", "evalue", "timeout", "task"}`` for cells that failed),
    ``stopped`` (why the run ended early, or None), ``stopped_kind`` (``"timeout"`` or
    ``"crashed"``), ``tasks`` (task id -> result dict) and ``seconds``.
    """
    tasks = notebook_key.tasks
    max_scores = {tid: task.points for tid, task in tasks.items()}
    scores = dict.fromkeys(tasks, 0)
    messages = {}
    reasons: list[str] = []
    flags: set[str] = set()
    if run.get("invalid"):
        flags.add("invalid")
        reasons.append(run["invalid"])
        messages = dict.fromkeys(tasks, "Not graded: the notebook could not be read.")
    else:
        for problem in run.get("structure", []):
            flags.add("changed")
            reasons.append(problem)
        for cell in run.get("cells", []):
            where = f"cell {cell['index'] + 1}"
            if cell.get("task"):
                where += f" (task {cell['task']})"
            if cell.get("timeout"):
                flags.add("timeout")
                reasons.append(f"timeout in {where}: stopped after {cell['timeout']:g} s")
            else:
                flags.add("errors")
                reasons.append(
                    f"{where} raised {cell['ename']}: {_short(cell.get('evalue', ''))}".rstrip(": ")
                )
        if run.get("stopped"):
            flags.add(run.get("stopped_kind", "crashed"))
            reasons.append(run["stopped"])
        results = run.get("tasks", {})
        for tid in tasks:
            if tid in results:
                scores[tid] = results[tid]["score"]
                messages[tid] = results[tid]["message"]
            else:
                messages[tid] = "Not graded: the notebook stopped before this task was reached."
    status = next((s for s in STATUSES if s in flags), "ok")
    return Outcome(
        student=submission.student,
        notebook=submission.notebook,
        status=status,
        reasons=reasons,
        scores=scores,
        max_scores=max_scores,
        messages=messages,
        seconds=float(run.get("seconds", 0.0)),
    )
