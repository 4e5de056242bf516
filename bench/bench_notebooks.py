"""Time each lesson and solution notebook against the floor of starting a kernel.

The floor is the time to start a fresh ``python3`` kernel and run one cell (``1 + 1``).
For each notebook the script prints its run time and the ratio to that floor, so a slow
notebook stands out whatever the machine. A benchmark, not a test: it never fails.

Run it with ``make bench`` or ``.venv/bin/python bench/bench_notebooks.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from karabakh import execute, paths


def _timed(notebook) -> float:
    start = time.perf_counter()
    execute.run(notebook)
    return time.perf_counter() - start


def floor(repeat: int) -> float:
    """Median seconds to start a kernel and run one cell."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    return statistics.median(_timed(nbformat.from_dict(nb)) for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per notebook (median is shown)")
    args = parser.parse_args(argv)
    os.environ.setdefault("KARABAKH_PROGRESS", str(Path(tempfile.mkdtemp()) / "progress.json"))

    notebooks = sorted(paths.notebooks_dir().glob("*.ipynb")) + sorted(paths.solutions_dir().glob("*.ipynb"))
    base = floor(args.repeat)
    print(f"floor (start a kernel, run one cell): {base:.2f} s (median of {args.repeat})")
    print(f"{'notebook':45} {'seconds':>8} {'x floor':>8}")
    for path in notebooks:
        seconds = statistics.median(_timed(path) for _ in range(args.repeat))
        name = f"{path.parent.name}/{path.name}"
        print(f"{name:45} {seconds:8.2f} {seconds / base:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
