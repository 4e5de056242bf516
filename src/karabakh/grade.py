"""Grade a folder of submissions into a gradebook: ``karabakh grade SUBMISSIONS --out gradebook.csv``.

Every submitted exercise notebook is executed (with a per-cell and a per-notebook time
limit), every task is checked against the answer key made from ``solutions/`` (never
against anything in the student's copy), and the result goes to the gradebook and to a
feedback file as soon as the submission is done. Running the command again grades only
the submissions missing from the gradebook (``--force`` grades everything again).

By default submissions run in forks of warm worker processes
(:mod:`karabakh.grading_worker`): no kernel start and no pandas import per
submission. ``--engine kernel`` runs each in a fresh Jupyter kernel instead (slower;
the same grades).
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from karabakh import answer_key, paths, submissions
from karabakh.gradebook import Gradebook
from karabakh.grading_worker import WorkerError, WorkerProcess
from karabakh.submissions import Outcome, Submission

__all__ = ["configure_parser", "grade", "GradeError", "Summary"]

DEFAULT_CELL_TIMEOUT = 30.0
DEFAULT_TIMEOUT = 300.0


class GradeError(ValueError):
    """Grading cannot start (no key, a stale key, no submissions folder)."""


@dataclass
class Summary:
    """What a grading run did."""

    graded: list[Outcome] = field(default_factory=list)
    skipped: int = 0
    seconds: float = 0.0
    gradebook: Path | None = None

    def counts(self) -> Counter:
        """How many graded submissions have each status."""
        return Counter(o.status for o in self.graded)


def _job(sub: Submission, key_file: Path, cell_timeout: float, timeout: float, engine: str) -> dict:
    return {
        "op": "grade",
        "path": str(sub.path.resolve()),
        "student": sub.student,
        "notebook": sub.notebook,
        "key": str(key_file),
        "cell_timeout": cell_timeout,
        "timeout": timeout,
        "engine": engine,
    }


def _crashed(sub: Submission, notebook_key: answer_key.NotebookKey, why: str) -> Outcome:
    run = {
        "stopped": f"the grading worker stopped while running this notebook ({why})",
        "stopped_kind": "crashed",
    }
    return submissions.summarise(run, sub, notebook_key)


def _work(
    jobs: queue.Queue,
    results: queue.Queue,
    workers: list[WorkerProcess],
    lock: threading.Lock,
    stop: threading.Event,
    key: answer_key.Key,
    make_job: Callable[[Submission], dict],
) -> None:
    worker = None
    try:
        while not stop.is_set():
            try:
                sub = jobs.get_nowait()
            except queue.Empty:
                return
            if worker is None:
                worker = WorkerProcess()
                with lock:
                    workers.append(worker)
            try:
                reply = worker.request(make_job(sub))
                outcome = Outcome(**reply["outcome"])
            except WorkerError as exc:
                if stop.is_set():
                    return
                outcome = _crashed(sub, key.notebooks[sub.notebook], str(exc))
                worker.close()
                worker = None
            results.put(outcome)
    except Exception as exc:  # report, so the main thread never waits forever
        results.put(exc)
    finally:
        results.put(None)


def grade(
    submissions_dir: str | Path,
    out: str | Path = "gradebook.csv",
    *,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    force: bool = False,
    engine: str = "fork",
    key_file: str | Path | None = None,
    solutions_dir: str | Path | None = None,
    log: Callable[[str], None] = print,
) -> Summary:
    """Grade every submission in ``submissions_dir`` into the gradebook ``out``.

    Parameters
    ----------
    submissions_dir : path
        One folder per student, each holding notebooks named as in ``exercises/``.
    out : path
        The gradebook CSV; feedback files go to ``feedback/`` next to it.
    workers : int, optional
        Submissions graded at the same time (default: the number of CPUs).
    timeout, cell_timeout : float
        Seconds allowed for a whole notebook and for one cell.
    force : bool
        Grade again submissions that are already in the gradebook.
    engine : {"fork", "kernel"}
        Warm forked workers (fast) or a fresh Jupyter kernel per submission.
    key_file : path, optional
        The answer key (default ``data/exercise_checks.yaml``).
    solutions_dir : path, optional
        Where the solutions are, to check that the key is current (default
        ``solutions/``; a copy of the course without it skips the check).

    Raises
    ------
    GradeError
        If the key is missing or older than ``solutions/``, or nothing can be graded.
    """
    if engine not in {"fork", "kernel"}:
        raise GradeError(f"engine must be 'fork' or 'kernel', not {engine!r}")
    if engine == "fork" and not hasattr(os, "fork"):
        log("This system cannot fork processes; using --engine kernel.")
        engine = "kernel"
    if timeout <= 0 or cell_timeout <= 0:
        raise GradeError("time limits must be positive numbers of seconds")
    if workers is not None and workers < 1:
        raise GradeError("--workers must be at least 1")
    key_path = Path(key_file) if key_file else answer_key.key_path()
    try:
        key = answer_key.load_key(key_path)
    except FileNotFoundError:
        raise GradeError(f"No answer key at {key_path}: run `karabakh assign` first.") from None
    solutions = Path(solutions_dir) if solutions_dir else paths.solutions_dir()
    if solutions.is_dir() and any(solutions.glob("*.ipynb")):
        stale = answer_key.stale(key, solutions)
        if stale:
            raise GradeError(
                "The answer key does not match solutions/ (run `karabakh assign`):\n"
                + "\n".join(f"  - {p}" for p in stale)
            )
    try:
        found = submissions.find(submissions_dir, list(key.notebooks))
    except FileNotFoundError as exc:
        raise GradeError(str(exc)) from None
    book = Gradebook(out, list(key.tasks))
    todo = [s for s in found if force or not book.has(s.student, s.notebook)]
    summary = Summary(skipped=len(found) - len(todo), gradebook=book.path)
    count = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    log(
        f"Grading {len(todo)} submission(s) with {count} worker(s)"
        + (
            f"; {summary.skipped} already in {book.path.name} (use --force to grade them again)"
            if summary.skipped
            else ""
        )
    )
    if not todo:
        book.write()
        return summary
    started = time.monotonic()
    jobs: queue.Queue = queue.Queue()
    for sub in todo:
        jobs.put(sub)
    results: queue.Queue = queue.Queue()
    running: list[WorkerProcess] = []
    lock = threading.Lock()
    stop = threading.Event()

    def make_job(sub: Submission) -> dict:
        return _job(sub, key_path.resolve(), cell_timeout, timeout, engine)

    threads = [
        threading.Thread(target=_work, args=(jobs, results, running, lock, stop, key, make_job), daemon=True)
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    finished = 0
    try:
        while finished < count:
            item = results.get()
            if item is None:
                finished += 1
                continue
            if isinstance(item, WorkerError):
                raise GradeError(f"Grading stopped: {item}")
            if isinstance(item, Exception):
                raise item
            book.record(item)
            book.write_feedback(item)
            summary.graded.append(item)
            note = f" ({item.reason})" if item.reason else ""
            log(
                f"  {item.student}/{item.notebook}: {item.total:g}/{item.max:g} {item.status}{note}"
                if len(note) < 200
                else f"  {item.student}/{item.notebook}: {item.total:g}/{item.max:g} {item.status}"
            )
    finally:
        stop.set()
        with lock:
            for worker in running:
                worker.close()
        for thread in threads:
            thread.join(timeout=5)
    summary.seconds = time.monotonic() - started
    return summary


def main(args: argparse.Namespace) -> int:
    """Run ``karabakh grade``; return the exit code."""
    try:
        summary = grade(
            args.submissions,
            args.out,
            workers=args.workers,
            timeout=args.timeout,
            cell_timeout=args.cell_timeout,
            force=args.force,
            engine=args.engine,
            key_file=args.key,
        )
    except GradeError as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "\nInterrupted. Finished submissions are in the gradebook; run the same command again to grade the rest.",
            file=sys.stderr,
        )
        return 130
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.counts().items()))
    if summary.graded:
        print(f"Graded {len(summary.graded)} submission(s) in {summary.seconds:.1f} s: {counts}.")
    print(f"Gradebook: {summary.gradebook}; feedback: {summary.gradebook.parent / 'feedback'}")
    return 0


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``karabakh grade``."""
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR", help="one folder per student")
    parser.add_argument(
        "--out", type=Path, default=Path("gradebook.csv"), help="gradebook CSV (default: gradebook.csv)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="submissions graded at the same time (default: number of CPUs)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds allowed for a whole notebook (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--cell-timeout",
        type=float,
        default=DEFAULT_CELL_TIMEOUT,
        help=f"seconds allowed for one cell before it is interrupted (default: {DEFAULT_CELL_TIMEOUT:g})",
    )
    parser.add_argument(
        "--force", action="store_true", help="grade again submissions already in the gradebook"
    )
    parser.add_argument(
        "--engine",
        choices=["fork", "kernel"],
        default="fork",
        help="fork: warm forked workers (fast, default); kernel: a fresh Jupyter kernel per submission",
    )
    parser.add_argument(
        "--key", type=Path, default=None, help="answer key (default: data/exercise_checks.yaml)"
    )
    parser.set_defaults(func=main)
