"""A warm worker that runs notebooks in forks of itself, with time limits.

Starting a Jupyter kernel and importing pandas and folium takes about two seconds,
far longer than running an exercise notebook. A worker pays that once: it imports
IPython, pandas, folium, ipywidgets and the course package, creates an IPython shell,
and then, for each notebook, ``fork()``\\ s a child that executes the code cells with
that shell (IPython's own ``run_cell``, so magics, display and tracebacks behave as in
Jupyter). The child reports each cell and each checked task through a pipe; the worker
enforces a per-cell limit (interrupt with SIGINT, as Jupyter's "interrupt kernel" does,
then go on with the next cell) and a per-notebook limit (kill).

The worker is a separate process (``python -m karabakh.grading_worker``) that reads
one JSON job per line on stdin and answers one JSON line on stdout;
:class:`WorkerProcess` is the client used by ``karabakh grade`` and ``karabakh assign``.
Jobs:

- ``{"op": "grade", "path", "student", "notebook", "key", "cell_timeout", "timeout",
  "engine"}`` -> ``{"outcome": {...}}`` (an :class:`~karabakh.submissions.Outcome`);
  ``engine`` is ``"fork"`` or ``"kernel"`` (a real Jupyter kernel, see
  :mod:`karabakh.kernel_grading`).
- ``{"op": "fingerprint", "path", "tasks", "cell_timeout", "timeout"}`` -> ``{"run":
  {...}}``: run a solution notebook and fingerprint each task's answer.

POSIX only (``fork``). Student code runs with the grader's rights, as with nbgrader: grade
in a container or a throw-away account if that matters.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from karabakh import answer_key, submissions

__all__ = ["WorkerProcess", "run_forked", "warm_up", "serve"]

#: Imported once by each worker so that no submission pays for them.
WARM_MODULES = (
    "numpy",
    "pandas",
    "folium",
    "folium.plugins",
    "ipywidgets",
    "matplotlib",
    "karabakh.data",
    "karabakh.citations",
    "karabakh.exercises",
    "karabakh.maps",
)
#: Seconds a cell gets to stop after SIGINT before the child is killed.
INTERRUPT_GRACE = 2.0


def warm_up(modules: tuple[str, ...] = WARM_MODULES) -> Any:
    """Import the heavy modules, load the datasets once, and return a fresh IPython shell.

    The shell never runs any cell in the worker itself: each child gets a copy of it,
    unused. Warming the traceback and display machinery here saves each child the
    cost of building them.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # optional (karabakh.maps may not exist in a trimmed copy)
    try:
        from karabakh import data

        for name in data.names():
            data.load(name)
    except Exception:  # a broken dataset shows up in the notebooks themselves
        pass
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no SQLite file, no history thread
    shell = InteractiveShell.instance(config=config)
    # Jupyter's shell accepts `%matplotlib inline` (no GUI event loop to start); the base shell
    # raises NotImplementedError, so give it the kernel's behaviour.
    shell.enable_gui = types.MethodType(lambda self, gui=None: None, shell)
    try:
        raise ValueError("warm-up")
    except ValueError:
        shell.InteractiveTB.structured_traceback(*sys.exc_info())
    try:
        import folium
        import pandas as pd

        shell.display_formatter.format(pd.DataFrame({"a": [1.5]}))
        shell.display_formatter.format(folium.Map(location=[40, 46]))
    except Exception:
        pass
    gc.collect()
    gc.freeze()  # keep the warm objects out of the children's garbage collections
    return shell


# --------------------------------------------------------------------------- the child


def _child(
    shell: Any, plan: submissions.Plan, cwd: Path, on_check: Callable, fd: int, close: list[int]
) -> None:
    """Run in the forked child: execute the plan, report on ``fd``; never returns."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    for other in close:
        try:
            os.close(other)
        except OSError:
            pass
    out = os.fdopen(fd, "w", buffering=1, encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):
        os.dup2(null, std)
    state = {"in_cell": False}

    def interrupt(signum: int, frame: Any) -> None:
        if state["in_cell"]:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    import builtins

    from IPython.core.error import StdinNotImplementedError

    def no_input(prompt: str = "") -> str:
        raise StdinNotImplementedError(
            "raw_input was called, but this frontend does not support input requests."
        )

    builtins.input = no_input
    os.chdir(cwd)
    sys.path.insert(0, str(cwd))

    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, default=str) + "\n")

    def check(task_ids: list[str]) -> None:
        for task_id in task_ids:
            send({"t": "task", "task": task_id, "result": on_check(task_id, shell.user_ns)})

    for index, source in plan.code_cells:
        send({"t": "start", "cell": index})
        error: BaseException | None = None
        state["in_cell"] = True
        try:
            result = shell.run_cell(source, store_history=True)
            error = result.error_before_exec or result.error_in_exec
            check(plan.checks_after.get(index, []))
        except KeyboardInterrupt as exc:
            error = exc
        finally:
            state["in_cell"] = False
        message: dict[str, Any] = {"t": "end", "cell": index}
        if error is not None:
            message.update(ename=type(error).__name__, evalue=str(error))
        send(message)
    state["in_cell"] = True
    try:
        check(plan.final)
    except KeyboardInterrupt:
        pass
    state["in_cell"] = False
    send({"t": "done"})
    out.flush()


# --------------------------------------------------------------------------- the supervisor


def _kill(pid: int, sig: int) -> None:
    for target in (lambda: os.killpg(pid, sig), lambda: os.kill(pid, sig)):
        try:
            target()
            return
        except (ProcessLookupError, PermissionError):
            continue


def run_forked(
    shell: Any,
    plan: submissions.Plan,
    on_check: Callable[[str, dict[str, Any]], dict[str, Any]],
    *,
    cwd: str | Path,
    cell_timeout: float,
    timeout: float,
    close: list[int] | None = None,
) -> dict[str, Any]:
    """Run ``plan`` in a fork of this process and return the record of the run.

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell
        The warm, unused shell (from :func:`warm_up`); the child runs cells with it.
    plan : Plan
        Code cells and when to check each task (:func:`karabakh.submissions.plan`).
    on_check : callable
        ``on_check(task_id, user_namespace) -> dict``, run in the child after the cells
        listed in the plan; its result is reported under ``tasks``.
    cwd : path
        Working directory of the child (the notebook's folder).
    cell_timeout, timeout : float
        Seconds allowed for each cell and for the whole notebook.
    close : list of int
        File descriptors the child must close (the worker's protocol pipes).

    Returns
    -------
    dict
        ``cells`` (failed cells), ``tasks``, ``stopped``, ``stopped_kind``, ``seconds``;
        see :func:`karabakh.submissions.summarise`.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        try:
            os.close(read_fd)
            _child(shell, plan, Path(cwd), on_check, write_fd, close or [])
        finally:
            os._exit(0)
    os.close(write_fd)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass
    try:
        return _supervise(pid, read_fd, plan, started, cell_timeout, timeout)
    finally:
        os.close(read_fd)
        _kill(pid, signal.SIGKILL)  # the child's own children too (its process group)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _supervise(
    pid: int, fd: int, plan: submissions.Plan, started: float, cell_timeout: float, timeout: float
) -> dict[str, Any]:
    record: dict[str, Any] = {"cells": [], "tasks": {}, "stopped": None}
    buffer = b""
    current: int | None = None
    cell_started = started
    interrupted_at: float | None = None
    done = False
    deadline = started + timeout

    while not done:
        limits = [deadline]
        if current is not None:
            limits.append(interrupted_at + INTERRUPT_GRACE if interrupted_at else cell_started + cell_timeout)
        wait = max(0.0, min(limits) - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                kind = message["t"]
                if kind == "start":
                    current, cell_started, interrupted_at = message["cell"], time.monotonic(), None
                elif kind == "task":
                    record["tasks"][message["task"]] = message["result"]
                elif kind == "end":
                    index = message["cell"]
                    if interrupted_at is not None:
                        record["cells"].append(
                            {"index": index, "timeout": cell_timeout, "task": plan.cell_tasks.get(index)}
                        )
                    elif "ename" in message:
                        record["cells"].append(
                            {
                                "index": index,
                                "ename": message["ename"],
                                "evalue": message["evalue"],
                                "task": plan.cell_tasks.get(index),
                            }
                        )
                    current, interrupted_at = None, None
                elif kind == "done":
                    done = True
            continue
        now = time.monotonic()
        if now >= deadline:
            _kill(pid, signal.SIGKILL)
            record["stopped"] = (
                f"time limit for the whole notebook ({timeout:g} s) reached in {plan.cell_label(current)}; "
                "later cells were not run"
            )
            record["stopped_kind"] = "timeout"
            break
        if current is None:
            continue
        if interrupted_at is None and now >= cell_started + cell_timeout:
            _kill(pid, signal.SIGINT)
            interrupted_at = now
        elif interrupted_at is not None and now >= interrupted_at + INTERRUPT_GRACE:
            _kill(pid, signal.SIGKILL)
            record["cells"].append(
                {"index": current, "timeout": cell_timeout, "task": plan.cell_tasks.get(current)}
            )
            record["stopped"] = f"{plan.cell_label(current)} could not be interrupted; later cells were not run"
            record["stopped_kind"] = "timeout"
            break
    if not done and record["stopped"] is None:
        record["stopped"] = (
            f"the notebook ended the Python process in {plan.cell_label(current)}; later cells were not run"
        )
        record["stopped_kind"] = "crashed"
    record["seconds"] = round(time.monotonic() - started, 3)
    return record


# --------------------------------------------------------------------------- jobs


def _grade_checker(key: answer_key.NotebookKey) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    tasks = dict(key.tasks)
    evaluate = answer_key.evaluate
    missing = answer_key.MISSING

    def on_check(task_id: str, namespace: dict[str, Any]) -> dict[str, Any]:
        task = tasks[task_id]
        return evaluate(task, namespace.get(task.answer, missing)).to_dict()

    return on_check


def _fingerprinter(key: answer_key.NotebookKey) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    tasks = dict(key.tasks)

    def on_check(task_id: str, namespace: dict[str, Any]) -> dict[str, Any]:
        task = tasks[task_id]
        if task.answer not in namespace:
            return {"error": f"the solution does not define `{task.answer}`"}
        try:
            return {
                "expected": answer_key.fingerprint(
                    namespace[task.answer], task.check, task_id, name=task.answer
                )
            }
        except (TypeError, ValueError) as exc:
            return {"error": str(exc)}

    return on_check


def _job_grade(job: dict[str, Any], shell: Any, close: list[int]) -> dict[str, Any]:
    key = answer_key.load_key(job["key"])
    notebook_key = key.notebooks[job["notebook"]]
    path = Path(job["path"])
    submission = submissions.Submission(job["student"], job["notebook"], path)
    nb, invalid = submissions.read(path)
    if invalid:
        run: dict[str, Any] = {"invalid": invalid}
    else:
        structure = submissions.problems(nb, notebook_key.graded_cells)
        plan = submissions.plan(nb, notebook_key)
        if job.get("engine", "fork") == "kernel":
            from karabakh import kernel_grading

            run = kernel_grading.run(
                plan,
                key_file=job["key"],
                cwd=path.parent,
                cell_timeout=job["cell_timeout"],
                timeout=job["timeout"],
            )
        else:
            run = run_forked(
                shell,
                plan,
                _grade_checker(notebook_key),
                cwd=path.parent,
                cell_timeout=job["cell_timeout"],
                timeout=job["timeout"],
                close=close,
            )
        run["structure"] = structure
    outcome = submissions.summarise(run, submission, notebook_key)
    return {"outcome": dataclasses.asdict(outcome)}


def _job_fingerprint(job: dict[str, Any], shell: Any, close: list[int]) -> dict[str, Any]:
    path = Path(job["path"])
    nb, invalid = submissions.read(path)
    if invalid:
        raise ValueError(f"{path.name}: {invalid}")
    tasks = {
        spec["id"]: answer_key.Task(
            id=spec["id"],
            notebook=path.stem,
            grade_id=spec["grade_id"],
            answer=spec["answer"],
            check=spec["check"],
            expected={},
            points=spec.get("points", 1),
            check_grade_id=spec.get("check_grade_id", ""),
        )
        for spec in job["tasks"]
    }
    notebook_key = answer_key.NotebookKey(path.stem, "", [], tasks)
    plan = submissions.plan(nb, notebook_key)
    run = run_forked(
        shell,
        plan,
        _fingerprinter(notebook_key),
        cwd=path.parent,
        cell_timeout=job["cell_timeout"],
        timeout=job["timeout"],
        close=close,
    )
    return {"run": run}


_JOBS = {"grade": _job_grade, "fingerprint": _job_fingerprint}


def serve() -> None:
    """Answer jobs from stdin until it closes (the worker's main loop)."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # stray prints (ours or from imports) must not corrupt the protocol
    jobs = sys.stdin
    shell = warm_up()
    protocol.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    close = [protocol.fileno(), jobs.fileno()]
    for line in jobs:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            reply = _JOBS[job["op"]](job, shell, close)
        except Exception as exc:
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        reply["id"] = job.get("id")
        protocol.write(json.dumps(reply, default=str) + "\n")


# --------------------------------------------------------------------------- the client


class WorkerError(RuntimeError):
    """The worker process stopped or answered with an error."""


class WorkerProcess:
    """A warm worker in its own process (and session, so Ctrl-C reaches only the caller).

    Use it as a context manager; :meth:`request` sends one job (see the module's
    docstring) and returns the worker's reply::

        with WorkerProcess() as worker:
            reply = worker.request({"op": "grade", "path": ..., ...})
    """

    def __init__(self) -> None:
        self._count = 0
        debug = os.environ.get("KARABAKH_WORKER_DEBUG") == "1"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "karabakh.grading_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if debug else subprocess.DEVNULL,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        ready = self.process.stdout.readline()
        if not ready:
            self.close()
            raise WorkerError(
                "the grading worker did not start (run with KARABAKH_WORKER_DEBUG=1 to see why)"
            )

    def request(self, job: dict[str, Any]) -> dict[str, Any]:
        """Send one job and wait for its reply.

        Raises
        ------
        WorkerError
            If the worker stops, or reports an error.
        """
        self._count += 1
        job = {**job, "id": self._count}
        try:
            self.process.stdin.write(json.dumps(job) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError, ValueError):
            line = ""
        if not line:
            raise WorkerError("the grading worker stopped unexpectedly")
        reply = json.loads(line)
        if "error" in reply:
            raise WorkerError(reply["error"])
        return reply

    def close(self) -> None:
        """Stop the worker (and anything it started)."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    serve()
