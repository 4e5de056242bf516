"""Run a submission in a real Jupyter kernel (nbclient): the reference for the fast path.

``karabakh grade --engine kernel`` uses it, and a test checks that the warm forked
worker (:mod:`karabakh.grading_worker`) gives the same grades. The submission's code
cells run in order on a fresh ``python3`` kernel; after the cells listed in the plan a
small cell (not part of the student's notebook) checks those tasks inside the kernel
and prints the results. As in nbgrader, a cell that runs too long is interrupted and
the next cells still run; errors do not stop the run.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from pathlib import Path
from typing import Any

import nbformat

from karabakh import answer_key, submissions

__all__ = ["run", "report"]

_MARK = "KARABAKH-RESULT "


def report(key_file: str, task_ids: list[str], namespace: dict[str, Any]) -> None:
    """Check ``task_ids`` against the key, in the kernel; print one marked line per task."""
    key = answer_key.load_key(key_file)
    for task_id in task_ids:
        task = key.task(task_id)
        result = answer_key.evaluate(task, namespace.get(task.answer, answer_key.MISSING))
        print(_MARK + json.dumps(result.to_dict()), flush=True)


def _report_cell(key_file: str, task_ids: list[str]) -> nbformat.NotebookNode:
    source = f'__import__("karabakh.kernel_grading", fromlist=["report"]).report({key_file!r}, {task_ids!r}, globals())'
    return nbformat.v4.new_code_cell(source)


def _error(cell: nbformat.NotebookNode) -> dict[str, str] | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return {"ename": output.get("ename", ""), "evalue": output.get("evalue", "")}
    return None


def _results(cell: nbformat.NotebookNode) -> dict[str, Any]:
    found = {}
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            for line in output.get("text", "").splitlines():
                if line.startswith(_MARK):
                    result = json.loads(line[len(_MARK) :])
                    found[result["task"]] = result
    return found


async def _run(
    plan: submissions.Plan, key_file: str, cwd: Path, cell_timeout: float, timeout: float
) -> dict[str, Any]:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    cells: list[tuple[int | None, nbformat.NotebookNode]] = []
    for index, source in plan.code_cells:
        cells.append((index, nbformat.v4.new_code_cell(source)))
        if plan.checks_after.get(index):
            cells.append((None, _report_cell(key_file, plan.checks_after[index])))
    if plan.final:
        cells.append((None, _report_cell(key_file, plan.final)))
    nb = nbformat.v4.new_notebook(cells=[cell for _, cell in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=math.ceil(cell_timeout),
        interrupt_on_timeout=True,
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    record: dict[str, Any] = {"cells": [], "tasks": {}, "stopped": None}
    started = time.monotonic()
    deadline = started + timeout
    last_index: int | None = None

    async with client.async_setup_kernel():
        for position, (index, cell) in enumerate(cells):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                record["stopped"] = (
                    f"time limit for the whole notebook ({timeout:g} s) reached in {plan.cell_label(last_index)}; "
                    "later cells were not run"
                )
                record["stopped_kind"] = "timeout"
                break
            limit = max(1, math.ceil(min(cell_timeout, remaining)))
            client.timeout = limit
            begun = time.monotonic()
            try:
                await client.async_execute_cell(cell, position)
            except DeadKernelError:
                record["stopped"] = (
                    f"the notebook ended the Python process in {plan.cell_label(index if index is not None else last_index)}; "
                    "later cells were not run"
                )
                record["stopped_kind"] = "crashed"
                break
            except CellTimeoutError:
                record["stopped"] = f"{plan.cell_label(index)} could not be interrupted; later cells were not run"
                record["stopped_kind"] = "timeout"
                break
            elapsed = time.monotonic() - begun
            if index is None:
                record["tasks"].update(_results(cell))
                continue
            last_index = index
            error = _error(cell)
            if error is None:
                continue
            if error["ename"] == "KeyboardInterrupt" and elapsed >= limit:
                if limit < cell_timeout:  # the whole-notebook limit struck first
                    record["stopped"] = (
                        f"time limit for the whole notebook ({timeout:g} s) reached in {plan.cell_label(index)}; "
                        "later cells were not run"
                    )
                    record["stopped_kind"] = "timeout"
                    break
                record["cells"].append(
                    {"index": index, "timeout": cell_timeout, "task": plan.cell_tasks.get(index)}
                )
            else:
                record["cells"].append({"index": index, **error, "task": plan.cell_tasks.get(index)})
    record["seconds"] = round(time.monotonic() - started, 3)
    return record


def run(
    plan: submissions.Plan,
    *,
    key_file: str | Path,
    cwd: str | Path,
    cell_timeout: float,
    timeout: float,
) -> dict[str, Any]:
    """Run ``plan`` on a fresh kernel and return the record of the run.

    The record has the same form as :func:`karabakh.grading_worker.run_forked`'s,
    for :func:`karabakh.submissions.summarise`.
    """
    return asyncio.run(_run(plan, str(key_file), Path(cwd), cell_timeout, timeout))
