"""Time ``karabakh grade`` on fabricated submissions against nbclient and, if available, nbgrader.

For each class size (20 and 100 by default) the script fabricates that many
submissions of one exercise notebook (one of them an endless loop, the rest right,
partly right or raising; see :mod:`karabakh.sample_submissions`) and times:

- the floor: the same notebooks executed one after another with nbclient (a fresh
  kernel each, interrupted after the cell limit, errors allowed: what nbgrader does);
- ``karabakh grade`` (the command line, start-up included) with ``--workers 1`` and
  ``--workers 2``;
- ``nbgrader autograde`` on the same submissions, when ``--nbgrader-venv`` points at a
  virtual environment that has nbgrader and the course installed (nbgrader is never
  installed into the course's own environment). Its scores are compared with ours.

A benchmark, not a test: it prints figures and never fails. Run it with
``make bench`` or ``.venv/bin/python bench/bench_grading.py [--sizes 20 100]``.

To time nbgrader too::

    python3 -m venv /tmp/nbgrader-venv
    /tmp/nbgrader-venv/bin/pip install nbgrader -e .
    .venv/bin/python bench/bench_grading.py --nbgrader-venv /tmp/nbgrader-venv
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from karabakh import paths, sample_submissions

STEM = "03-blockade"
ASSIGNMENT = "ps1"


@contextlib.contextmanager
def _quiet_stderr():
    """Hide the kernels' start-up warnings (they write to the inherited stderr)."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def nbclient_loop(notebooks: list[Path], cell_timeout: float) -> float:
    """Seconds to execute every notebook with nbclient, one after another."""
    with _quiet_stderr():
        return _nbclient_loop(notebooks, cell_timeout)


def _nbclient_loop(notebooks: list[Path], cell_timeout: float) -> float:
    start = time.perf_counter()
    for path in notebooks:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # noqa: S112 - corrupt files are skipped, as a grader would
            continue
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=int(cell_timeout),
            interrupt_on_timeout=True,
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
    return time.perf_counter() - start


def karabakh_grade(folder: Path, out: Path, workers: int, cell_timeout: float) -> tuple[float, Path]:
    """Seconds for ``karabakh grade`` (a fresh process, as an instructor runs it)."""
    command = [
        sys.executable,
        "-m",
        "karabakh",
        "grade",
        str(folder),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--cell-timeout",
        str(cell_timeout),
        "--force",
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, out


def _totals(gradebook: Path) -> dict[str, float]:
    with open(gradebook, newline="", encoding="utf-8") as handle:
        return {row["student"]: float(row["total"]) for row in csv.DictReader(handle)}


def nbgrader_autograde(
    folder: Path, venv: Path, cell_timeout: float, work: Path
) -> tuple[float, dict] | None:
    """Seconds for ``nbgrader autograde`` on the same submissions, and its scores; None if unavailable."""
    nbgrader = venv / "bin" / "nbgrader"
    if not nbgrader.is_file():
        print(f"  (no nbgrader in {venv}: skipped)")
        return None
    course = work / "nbgrader-course"
    shutil.rmtree(course, ignore_errors=True)
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(paths.solutions_dir() / f"{STEM}.ipynb", course / "source" / ASSIGNMENT)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'karabakh'\n"
        f"c.ExecutePreprocessor.timeout = {int(cell_timeout)}\n"
        "c.ExecutePreprocessor.interrupt_on_timeout = True\n"
    )
    env = {**os.environ, "KARABAKH_CHECK_RAISES": "1", "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)

    def run(*args: str) -> None:
        subprocess.run([str(nbgrader), *args], cwd=course, env=env, check=True, capture_output=True)

    run("generate_assignment", ASSIGNMENT, "--force")
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        target = course / "submitted" / student_dir.name / ASSIGNMENT
        target.mkdir(parents=True)
        shutil.copy(student_dir / f"{STEM}.ipynb", target)
    start = time.perf_counter()
    run("autograde", ASSIGNMENT, "--force", "--create")
    seconds = time.perf_counter() - start
    run("export", "--to", str(work / "nbgrader-grades.csv"))
    with open(work / "nbgrader-grades.csv", newline="", encoding="utf-8") as handle:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    return seconds, scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100], help="class sizes to fabricate")
    parser.add_argument(
        "--cell-timeout", type=float, default=10, help="per-cell limit (the endless loop hits it)"
    )
    parser.add_argument(
        "--nbgrader-venv", type=Path, default=None, help="a venv with nbgrader and the course"
    )
    parser.add_argument("--skip-floor", action="store_true", help="do not time the nbclient loop")
    args = parser.parse_args(argv)
    os.environ.setdefault("KARABAKH_PROGRESS", str(Path(tempfile.mkdtemp()) / "progress.json"))

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"notebook: exercises/{STEM}.ipynb; cell limit {args.cell_timeout:g} s; one endless loop per class")
    rows = []
    with tempfile.TemporaryDirectory(prefix="karabakh-bench-") as tmp:
        work = Path(tmp)
        for size in args.sizes:
            folder = work / f"class-{size}"
            sample_submissions.fabricate_class(folder, STEM, size)
            notebooks = sorted(folder.glob(f"*/{STEM}.ipynb"))
            print(f"\n{size} submissions")
            result = {"size": size}
            for workers in (1, 2):
                seconds, gradebook = karabakh_grade(
                    folder, work / f"gb-{size}-{workers}.csv", workers, args.cell_timeout
                )
                result[f"grade_w{workers}"] = seconds
                print(f"  karabakh grade --workers {workers}: {seconds:6.1f} s")
            if _totals(work / f"gb-{size}-1.csv") != _totals(work / f"gb-{size}-2.csv"):
                print("  WARNING: --workers 1 and --workers 2 disagree")
            if not args.skip_floor:
                result["floor"] = nbclient_loop(notebooks, args.cell_timeout)
                print(f"  nbclient, one after another: {result['floor']:6.1f} s")
            if args.nbgrader_venv:
                graded = nbgrader_autograde(folder, args.nbgrader_venv, args.cell_timeout, work)
                if graded:
                    result["nbgrader"], scores = graded
                    print(f"  nbgrader autograde:           {result['nbgrader']:6.1f} s")
                    ours = _totals(work / f"gb-{size}-2.csv")
                    differ = sorted(s for s in ours if abs(ours[s] - scores.get(s, -1)) > 1e-9)
                    print(
                        "  nbgrader's scores equal ours"
                        if not differ
                        else f"  nbgrader's scores differ for: {', '.join(differ)}"
                    )
            rows.append(result)

    print("\n| submissions | nbclient loop | nbgrader autograde | grade --workers 1 | grade --workers 2 |")
    print("|---|---|---|---|---|")
    for r in rows:

        def cell(name: str, r: dict = r) -> str:
            if name not in r:
                return "n/a"
            text = f"{r[name]:.1f} s"
            base = r.get("nbgrader") or r.get("floor")
            if name.startswith("grade") and base:
                text += f" ({base / r[name]:.1f}x faster)"
            return text

        print(
            f"| {r['size']} | {cell('floor')} | {cell('nbgrader')} | {cell('grade_w1')} | {cell('grade_w2')} |"
        )
    print("\nSpeed-ups are against nbgrader where it was timed, else against the nbclient loop.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
