"""Keep a student's quiz attempts in a local JSON file, safely.

The file is ``~/.karabakh/progress.json``, or the path in the environment variable
``KARABAKH_PROGRESS``. Every save writes a temporary file in the same folder, flushes
it to disk and renames it over the old file, so a kernel killed mid-write leaves either
the old or the new file, never half a file. A file that cannot be read is moved aside
(``progress.json.corrupt-<timestamp>``) with a warning naming both paths, and a new one
is started; nothing is dropped silently.

Examples
--------
>>> import os, tempfile
>>> file = os.path.join(tempfile.mkdtemp(), "progress.json")
>>> saved = record("01-war-and-statement", "statement-date", "2020-11-10", True, 1.0, 1.0, path=file)
>>> progress(file)[["notebook", "question_id", "correct", "attempt"]].values.tolist()
[['01-war-and-statement', 'statement-date', True, 1]]
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import os
import tempfile
import threading
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

try:  # POSIX: serialise writers from several kernels
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["ENV_VAR", "COLUMNS", "progress_path", "record", "attempts", "progress"]

ENV_VAR = "KARABAKH_PROGRESS"
FORMAT_VERSION = 1
#: Columns of :func:`progress`, in order.
COLUMNS = ["timestamp", "notebook", "question_id", "attempt", "answer", "correct", "score", "max_score"]
_FIELDS = {
    "notebook": str,
    "question_id": str,
    "attempt": int,
    "correct": bool,
    "score": (int, float),
    "max_score": (int, float),
    "timestamp": str,
}
_LOCK = threading.Lock()
_MAX_TEXT = 200
_MAX_ITEMS = 20


def progress_path() -> Path:
    """Return the progress file: ``$KARABAKH_PROGRESS`` or ``~/.karabakh/progress.json``.

    Examples
    --------
    >>> isinstance(progress_path(), Path)
    True
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".karabakh" / "progress.json"


def jsonable(value: Any, depth: int = 0) -> Any:
    """Return ``value`` as something JSON can hold, with long texts and lists truncated.

    Examples
    --------
    >>> jsonable(("a", float("nan"), {"k": 2}))
    ['a', 'nan', {'k': 2}]
    >>> len(jsonable("x" * 10_000))
    201
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**15 else str(value)[:_MAX_TEXT]
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "…"
    if depth >= 3:
        return _short_repr(value)
    if isinstance(value, Mapping):
        items = list(value.items())[:_MAX_ITEMS]
        return {str(jsonable(k, depth + 1)): jsonable(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, depth + 1) for v in list(value)[:_MAX_ITEMS]]
    return _short_repr(value)


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def _valid(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    for name, kind in _FIELDS.items():
        value = entry.get(name)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return False
    return "answer" in entry


def _move_aside(path: Path, reason: str, kept: int = 0) -> None:
    stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    kept_note = f" {kept} readable attempt(s) were kept in the new file." if kept else ""
    warnings.warn(
        f"The quiz progress file {path} could not be read ({reason}). It was moved to {target} "
        f"and a new progress file was started.{kept_note}",
        RuntimeWarning,
        stacklevel=3,
    )


def _read(path: Path) -> list[dict[str, Any]]:
    """Return the attempts in ``path``; move an unreadable file aside (keeping what is readable)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _move_aside(path, f"not valid JSON: {exc}")
        return []
    entries = document.get("attempts") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        _move_aside(path, "no list of attempts in it")
        return []
    good = [e for e in entries if _valid(e)]
    if len(good) != len(entries):
        _move_aside(path, f"{len(entries) - len(good)} attempt(s) are malformed", kept=len(good))
        _write(path, good)
    return good


def _write(path: Path, entries: list[dict[str, Any]]) -> None:
    """Write ``entries`` atomically: temporary file in the same folder, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(
        {"format_version": FORMAT_VERSION, "attempts": entries}, ensure_ascii=False, indent=1, allow_nan=False
    )
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError, AttributeError):  # make the rename itself durable (POSIX)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold a lock on ``path`` for this thread and, on POSIX, against other processes."""
    with _LOCK:
        if fcntl is None:  # pragma: no cover - Windows
            yield
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def record(
    notebook: str,
    question_id: str,
    answer: Any,
    correct: bool,
    score: float,
    max_score: float,
    attempt: int | None = None,
    *,
    path: str | Path | None = None,
) -> dict[str, Any]:
    """Append one attempt to the progress file and return the saved entry.

    Parameters
    ----------
    notebook, question_id : str
        Where the question is.
    answer : Any
        The student's answer (stored JSON-safe, long texts and lists truncated).
    correct : bool
        Whether the answer was right.
    score, max_score : float
        Points earned and available.
    attempt : int, optional
        Attempt number; by default one more than the attempts already saved for
        this question.
    path : str or Path, optional
        Another progress file (default: :func:`progress_path`).
    """
    target = Path(path) if path is not None else progress_path()
    with _locked(target):
        entries = _read(target)
        if attempt is None:
            attempt = 1 + sum(e["notebook"] == notebook and e["question_id"] == question_id for e in entries)
        entry = {
            "timestamp": _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds"),
            "notebook": str(notebook),
            "question_id": str(question_id),
            "attempt": int(attempt),
            "answer": jsonable(answer),
            "correct": bool(correct),
            "score": float(score),
            "max_score": float(max_score),
        }
        entries.append(entry)
        _write(target, entries)
    return entry


def attempts(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Return the saved attempts as a list of dicts (oldest first)."""
    target = Path(path) if path is not None else progress_path()
    with _locked(target):
        return _read(target)


def progress(path: str | Path | None = None) -> pd.DataFrame:
    """Return every saved quiz attempt as a DataFrame, oldest first.

    Columns: ``timestamp`` (UTC), ``notebook``, ``question_id``, ``attempt``,
    ``answer``, ``correct``, ``score``, ``max_score``.

    Examples
    --------
    >>> import os, tempfile
    >>> empty = os.path.join(tempfile.mkdtemp(), "progress.json")
    >>> progress(empty).columns.tolist()[:3], len(progress(empty))
    (['timestamp', 'notebook', 'question_id'], 0)
    """
    import pandas as pd  # imported here so that saving an attempt stays light

    entries = attempts(path)
    frame = pd.DataFrame(entries, columns=COLUMNS)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    frame = frame.astype({"attempt": "int64", "correct": "bool", "score": "float64", "max_score": "float64"})
    return frame
