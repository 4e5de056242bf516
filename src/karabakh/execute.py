"""Execute notebooks on a fresh kernel (used by the tests, the benchmark and the site).

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
>>> run(nb).cells[0].outputs[0]["data"]["text/plain"]
'2'
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = ["run", "errors", "has_outputs"]


def run(
    notebook: str | Path | nbformat.NotebookNode,
    *,
    cwd: str | Path | None = None,
    timeout: int = 120,
    allow_errors: bool = False,
) -> nbformat.NotebookNode:
    """Run every cell of a notebook top to bottom on a new ``python3`` kernel.

    Parameters
    ----------
    notebook : path or NotebookNode
        The notebook; a path is read without changing the file.
    cwd : path, optional
        Working directory of the kernel; the notebook's own folder by default.
    timeout : int
        Seconds allowed for each cell.
    allow_errors : bool
        Keep going after a cell raises (errors stay in the outputs).

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook, with outputs and widget state.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        When a cell raises and ``allow_errors`` is False.
    """
    if isinstance(notebook, (str, Path)):
        path = Path(notebook)
        nb = nbformat.read(path, as_version=4)
        cwd = cwd if cwd is not None else path.parent
    else:
        nb = notebook
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        allow_errors=allow_errors,
        store_widget_state=True,
        resources={"metadata": {"path": str(cwd or Path.cwd())}},
    )
    client.execute()
    return nb


def errors(nb: nbformat.NotebookNode) -> list[str]:
    """Return a line for every error output in an executed notebook."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
    return found


def has_outputs(nb: nbformat.NotebookNode) -> list[int]:
    """Return the indices of code cells that carry outputs or an execution count."""
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
