"""The answer key of the exercise notebooks: fingerprints of expected answers, and checking.

``karabakh assign`` runs every notebook in ``solutions/`` and stores, for each task, a
*fingerprint* of the solution's answer in ``data/exercise_checks.yaml``. Students'
self-checks (:func:`karabakh.exercises.check`) and the batch grader
(``karabakh grade``) compare an answer with that fingerprint, so neither needs
``solutions/`` at run time.

A fingerprint is a salted SHA-256 digest of a canonical text form of the answer
(numbers rounded to a declared number of decimals, text folded to lower case without
accents, dates as ``YYYY-MM-DD``...). Collections keep one digest per item, so
feedback can say "5 of 8 values are right" without showing the answers. Digests keep
answers out of plain sight; they are not security: a small number can be found by
trying every candidate.

Kinds of check (the ``kind`` of a task's ``check``):

- ``integer``: a whole number (``281``).
- ``number``: a decimal number compared after rounding to ``decimals`` places.
- ``text``: a string, compared ignoring case, accents and spacing.
- ``date``: a date (Timestamp, ``datetime.date`` or ``"YYYY-MM-DD"``).
- ``set`` / ``list``: a collection of items (text), without or with order.
- ``mapping``: a dict or Series; keys are shown, values are fingerprinted
  (``values`` gives their kind, ``decimals`` their rounding).
- ``matrix``: a DataFrame compared cell by cell (row and column labels are shown).
- ``map``: a ``folium.Map``; its markers and lines are compared by position.

Examples
--------
>>> task = Task.from_answer("99-demo", "demo", "answer", {"kind": "integer"}, 281)
>>> evaluate(task, 281).status
'correct'
>>> print(evaluate(task, 280).message)
Not yet: `answer` is 280, which is not the expected number.
>>> print(evaluate(task, ...).message)
Not answered yet: `answer` still holds the placeholder `...`. Replace it with your answer and run the cell again.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import numbers
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from karabakh import paths

__all__ = [
    "KEY_FILE",
    "KINDS",
    "MISSING",
    "Key",
    "Result",
    "Task",
    "dump_key",
    "evaluate",
    "fingerprint",
    "key_path",
    "load_key",
    "source_sha256",
    "stale",
]

#: Name of the committed answer key inside ``data/``.
KEY_FILE = "exercise_checks.yaml"
SCHEMA_VERSION = 1
KINDS = ("integer", "number", "text", "date", "set", "list", "mapping", "matrix", "map")
_SCALAR_KINDS = ("integer", "number", "text", "date")
_CHECK_KEYS = {"kind", "hint", "decimals", "values"}
#: Decimals used to compare map coordinates (about 100 m).
_COORD_DECIMALS = 3


class _Missing:
    """Stands for an answer variable that is not defined at all."""

    def __repr__(self) -> str:
        return "<not defined>"


#: The value :func:`evaluate` receives when the answer variable does not exist.
MISSING = _Missing()


class _Unusable(Exception):
    """An answer that cannot be compared; the message is for the student."""


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Task:
    """One exercise task as the answer key knows it.

    Parameters
    ----------
    id : str
        Stable task id, ``NN-short-name`` (``"03-blockade-days"``).
    notebook : str
        Stem of the exercise notebook (``"03-blockade"``).
    grade_id : str
        nbgrader ``grade_id`` of the task's solution cell.
    answer : str
        Name of the variable that holds the student's answer.
    check : dict
        ``kind`` and options (``decimals``, ``values``, ``hint``).
    expected : dict
        Fingerprint of the solution's answer (see :func:`fingerprint`).
    points : float
        Points for a correct answer.
    check_grade_id : str
        nbgrader ``grade_id`` of the task's self-check cell.
    """

    id: str
    notebook: str
    grade_id: str
    answer: str
    check: dict[str, Any]
    expected: dict[str, Any]
    points: float = 1
    check_grade_id: str = ""

    @classmethod
    def from_answer(
        cls,
        task_id: str,
        notebook: str,
        answer: str,
        check: dict[str, Any],
        value: Any,
        *,
        points: float = 1,
        grade_id: str = "",
        check_grade_id: str = "",
    ) -> Task:
        """Build a task whose expected fingerprint is that of ``value``.

        Raises
        ------
        ValueError
            If ``check`` is not a valid check or ``value`` does not fit its kind.
        """
        validate_check(check, where=f"task {task_id}")
        return cls(
            id=task_id,
            notebook=notebook,
            grade_id=grade_id or task_id,
            answer=answer,
            check=dict(check),
            expected=fingerprint(value, check, task_id, name=answer),
            points=points,
            check_grade_id=check_grade_id,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the task as stored in the key file."""
        return {
            "grade_id": self.grade_id,
            "check_grade_id": self.check_grade_id,
            "answer": self.answer,
            "points": self.points,
            "check": dict(self.check),
            "expected": self.expected,
        }


@dataclass(frozen=True)
class Result:
    """The outcome of checking one answer.

    ``status`` is ``"correct"``, ``"incorrect"`` or ``"unanswered"``; ``message``
    starts with "Correct", "Not yet" or "Not answered yet".
    """

    task: str
    status: str
    score: float
    max_score: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain data (for JSON)."""
        return {
            "task": self.task,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
        }


@dataclass
class NotebookKey:
    """The part of the key that belongs to one exercise notebook."""

    stem: str
    source_sha256: str
    graded_cells: list[str]
    tasks: dict[str, Task] = field(default_factory=dict)


@dataclass
class Key:
    """The whole answer key: one :class:`NotebookKey` per exercise notebook."""

    notebooks: dict[str, NotebookKey] = field(default_factory=dict)

    @property
    def tasks(self) -> dict[str, Task]:
        """Every task of every notebook, by task id, in notebook order."""
        return {tid: task for nb in self.notebooks.values() for tid, task in nb.tasks.items()}

    def task(self, task_id: str) -> Task:
        """Return one task.

        Raises
        ------
        ValueError
            If there is no task with that id.
        """
        tasks = self.tasks
        if task_id not in tasks:
            raise ValueError(f"There is no task called {task_id!r}. Check the spelling in the check cell.")
        return tasks[task_id]


# --------------------------------------------------------------------------- canonical forms


def _digest(salt: str, text: str) -> str:
    return hashlib.sha256(f"{salt}\x1f{text}".encode()).hexdigest()[:16]


def _fold(text: str) -> str:
    """Lower case, no accents, single spaces (``" Xankəndi "`` -> ``"xankəndi"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def _type_name(value: Any) -> str:
    return type(value).__name__


def _is_timedelta(value: Any) -> bool:
    return isinstance(value, _dt.timedelta) or _type_name(value) in {"Timedelta", "timedelta64"}


def _is_nan(value: Any) -> bool:
    try:
        return bool(value != value)  # NaN, NaT and pd.NA are not equal to themselves
    except (TypeError, ValueError):
        return False


def _as_integer(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise _Unusable(f"`{name}` is {value}, a yes/no value; the answer is a whole number.")
    if _is_timedelta(value):
        raise _Unusable(f"`{name}` is a time span ({value}); take its `.days` to get a whole number.")
    if isinstance(value, str):
        raise _Unusable(f"`{name}` is the text {value!r}; give a number, without quotes.")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        if _is_nan(value):
            raise _Unusable(f"`{name}` is NaN (not a number); check the rows you selected.")
        if float(value).is_integer():
            return int(value)
        raise _Unusable(f"`{name}` is {value}, which is not a whole number.")
    raise _Unusable(f"`{name}` should be a whole number; it is a {_type_name(value)}.")


def _as_number(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise _Unusable(f"`{name}` is {value}, a yes/no value; the answer is a number.")
    if _is_timedelta(value):
        raise _Unusable(f"`{name}` is a time span ({value}); convert it to a number first (`.days`).")
    if isinstance(value, str):
        raise _Unusable(f"`{name}` is the text {value!r}; give a number, without quotes.")
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            raise _Unusable(f"`{name}` is NaN (not a number); check the rows you selected.")
        return number
    raise _Unusable(f"`{name}` should be a number; it is a {_type_name(value)}.")


def _number_text(number: float, decimals: int) -> str:
    text = f"{number:.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text


def _number_candidates(number: float, decimals: int) -> set[str]:
    """Roundings of ``number`` and of its neighbours half a unit away (the tolerance)."""
    half = 0.5 * 10.0**-decimals
    return {_number_text(number + delta, decimals) for delta in (-half, 0.0, half)}


def _as_date(value: Any, name: str) -> str:
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = _dt.date.fromisoformat(text[:10])
        except ValueError:
            raise _Unusable(f"`{name}` is the text {value!r}; write a date as 'YYYY-MM-DD'.") from None
        return parsed.isoformat()
    if _type_name(value) == "datetime64":  # numpy.datetime64
        value = value.astype("datetime64[D]").item()
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if _is_timedelta(value):
        raise _Unusable(f"`{name}` is a time span ({value}), not a date; add it to a start date.")
    if _is_nan(value):
        raise _Unusable(f"`{name}` is NaT (no date); check the rows you selected.")
    raise _Unusable(f"`{name}` should be a date; it is a {_type_name(value)}.")


def _as_text(value: Any, name: str) -> str:
    if isinstance(value, str):
        return _fold(value)
    raise _Unusable(f"`{name}` should be text (a string); it is a {_type_name(value)}.")


def _scalar(value: Any, kind: str, decimals: int, name: str) -> str:
    if kind == "integer":
        return str(_as_integer(value, name))
    if kind == "number":
        return _number_text(_as_number(value, name), decimals)
    if kind == "date":
        return _as_date(value, name)
    return _as_text(value, name)


def _label(value: Any) -> str:
    """Canonical form of a key, a row or column label, or a set item."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date)) or _type_name(value) == "datetime64":
        try:
            return _as_date(value, "label")
        except _Unusable:
            pass
    if isinstance(value, tuple):
        return " / ".join(_label(part) for part in value)
    return _fold(str(value))


def _as_items(value: Any, name: str) -> list[str]:
    if isinstance(value, (str, bytes)):
        raise _Unusable(f"`{name}` is a single text; the answer is a list of items, e.g. ['a', 'b'].")
    if isinstance(value, Mapping):
        raise _Unusable(f"`{name}` is a dict; the answer is a list of items.")
    if _type_name(value) == "DataFrame":
        raise _Unusable(f"`{name}` is a table (DataFrame); select one column to get a list of items.")
    if not isinstance(value, Iterable):
        raise _Unusable(f"`{name}` should be a list of items; it is a {_type_name(value)}.")
    return [_label(item) for item in value]


def _as_mapping(value: Any, name: str) -> dict[str, Any]:
    if _type_name(value) == "DataFrame":
        if value.shape[1] != 1:
            raise _Unusable(
                f"`{name}` is a table with {value.shape[1]} columns; the answer is one value per "
                "key: a Series (select one column) or a dict."
            )
        value = value.iloc[:, 0]
    if hasattr(value, "items") and callable(value.items):
        pairs = list(value.items())
    else:
        raise _Unusable(
            f"`{name}` should be a Series or a dict (one value per key); it is a {_type_name(value)}."
        )
    result: dict[str, Any] = {}
    for key, item in pairs:
        label = _label(key)
        if label in result:
            raise _Unusable(f"`{name}` has the key {label!r} twice; each key should appear once.")
        result[label] = item
    return result


def _cell_text(value: Any, kind: str, decimals: int, name: str) -> str:
    if value is None or _is_nan(value):
        return ""
    return _scalar(value, kind, decimals, name)


def _walk(element: Any) -> Iterable[Any]:
    for child in getattr(element, "_children", {}).values():
        yield child
        yield from _walk(child)


def _as_map(value: Any, name: str) -> tuple[list[str], list[str]]:
    try:
        import folium
        from folium.map import Marker
        from folium.vector_layers import PolyLine
    except ImportError:  # pragma: no cover - folium is a dependency
        raise _Unusable("folium is not installed, so maps cannot be checked.") from None
    if not isinstance(value, folium.Map):
        raise _Unusable(f"`{name}` should be a folium map (folium.Map); it is a {_type_name(value)}.")

    def point(location: Any) -> str:
        lat, lon = (float(x) for x in location)
        return f"{_number_text(lat, _COORD_DECIMALS)},{_number_text(lon, _COORD_DECIMALS)}"

    markers, lines = [], []
    for element in _walk(value):
        if isinstance(element, Marker) and element.location is not None:
            markers.append(point(element.location))
        elif isinstance(element, PolyLine):
            lines.append(";".join(point(loc) for loc in element.locations))
    return markers, lines


# --------------------------------------------------------------------------- checks


def validate_check(check: Any, *, where: str = "check") -> None:
    """Raise ValueError unless ``check`` is a valid check specification.

    Examples
    --------
    >>> validate_check({"kind": "number", "decimals": 1})
    >>> validate_check({"kind": "numbr"})
    Traceback (most recent call last):
    ...
    ValueError: check: unknown kind 'numbr'; choose from integer, number, text, date, set, list, mapping, matrix, map
    """
    if not isinstance(check, Mapping):
        raise TypeError(f"{where}: a check is a mapping such as {{'kind': 'integer'}}")
    unknown = set(check) - _CHECK_KEYS
    if unknown:
        raise ValueError(
            f"{where}: unknown check option(s) {sorted(unknown)}; allowed: {sorted(_CHECK_KEYS)}"
        )
    kind = check.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: unknown kind {kind!r}; choose from {', '.join(KINDS)}")
    values = check.get("values", "number" if kind in {"mapping", "matrix"} else None)
    if "values" in check and kind not in {"mapping", "matrix"}:
        raise ValueError(f"{where}: 'values' applies to mapping and matrix checks only")
    if values is not None and values not in _SCALAR_KINDS:
        raise ValueError(f"{where}: values must be one of {', '.join(_SCALAR_KINDS)}, not {values!r}")
    decimals = check.get("decimals", 0)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 10:
        raise ValueError(f"{where}: decimals must be a whole number from 0 to 10")
    if "hint" in check and not isinstance(check["hint"], str):
        raise ValueError(f"{where}: hint must be text")


def _value_kind(check: Mapping[str, Any]) -> str:
    return check.get("values", "number")


def fingerprint(value: Any, check: Mapping[str, Any], salt: str, *, name: str = "answer") -> dict[str, Any]:
    """Return the fingerprint of ``value`` under ``check`` (what the key stores).

    Parameters
    ----------
    value : object
        The answer (from a solution notebook).
    check : mapping
        The task's check: ``kind`` and options.
    salt : str
        Mixed into every digest; the task id.
    name : str
        Variable name, used in error messages.

    Raises
    ------
    ValueError
        If ``value`` does not fit the kind of check.

    Examples
    --------
    >>> sorted(fingerprint({"a": 1, "b": 2}, {"kind": "mapping", "values": "integer"}, "x"))
    ['keys', 'values']
    """
    validate_check(check)
    kind = check["kind"]
    decimals = check.get("decimals", 0)
    try:
        if kind in _SCALAR_KINDS:
            return {"digest": _digest(salt, _scalar(value, kind, decimals, name))}
        if kind in {"set", "list"}:
            items = [_digest(salt, item) for item in _as_items(value, name)]
            return {"count": len(items), "items": sorted(items) if kind == "set" else items}
        if kind == "mapping":
            pairs = _as_mapping(value, name)
            vkind = _value_kind(check)
            return {
                "keys": list(pairs),
                "values": {
                    key: _digest(salt, f"{key}\x1f{_cell_text(item, vkind, decimals, name)}")
                    for key, item in pairs.items()
                },
            }
        if kind == "matrix":
            if _type_name(value) != "DataFrame":
                raise _Unusable(f"`{name}` should be a table (DataFrame); it is a {_type_name(value)}.")
            rows = [_label(r) for r in value.index]
            cols = [_label(c) for c in value.columns]
            vkind = _value_kind(check)
            cells = {
                row: {
                    col: _digest(
                        salt, f"{row}\x1f{col}\x1f{_cell_text(value.iat[i, j], vkind, decimals, name)}"
                    )
                    for j, col in enumerate(cols)
                }
                for i, row in enumerate(rows)
            }
            return {"rows": rows, "columns": cols, "cells": cells}
        markers, lines = _as_map(value, name)
        return {
            "markers": sorted(_digest(salt, m) for m in markers),
            "lines": sorted(_digest(salt, line) for line in lines),
        }
    except _Unusable as exc:
        raise ValueError(f"cannot fingerprint the answer: {exc}") from None


def _unanswered(value: Any) -> bool:
    return value is MISSING or value is None or value is Ellipsis or value is NotImplemented


def _compare(task: Task, value: Any) -> str | None:
    """Return None when ``value`` matches the key, else what is wrong (for the student)."""
    check, expected, salt, name = task.check, task.expected, task.id, task.answer
    kind = check["kind"]
    decimals = check.get("decimals", 0)
    if kind == "number":
        number = _as_number(value, name)
        texts = _number_candidates(number, decimals)
        if any(_digest(salt, t) == expected["digest"] for t in texts):
            return None
        return f"`{name}` is {_number_text(number, decimals)} (rounded), which is not the expected number."
    if kind in _SCALAR_KINDS:
        text = _scalar(value, kind, decimals, name)
        if _digest(salt, text) == expected["digest"]:
            return None
        what = {"integer": "number", "text": "answer", "date": "date"}[kind]
        shown = value if kind == "integer" else repr(text)
        return f"`{name}` is {shown}, which is not the expected {what}."
    if kind in {"set", "list"}:
        items = [_digest(salt, item) for item in _as_items(value, name)]
        want = expected["items"]
        if kind == "list" and items == want:
            return None
        found = Counter(items)
        right = sum((found & Counter(want)).values())
        extra = len(items) - right
        if kind == "set" and right == len(want) and extra == 0:
            return None
        parts = [f"`{name}` has {len(items)} item{'s' if len(items) != 1 else ''}"]
        parts.append(f"{right} of the {len(want)} expected are there")
        if extra:
            parts.append(f"{extra} should not be there")
        if kind == "list" and right == len(want) and extra == 0:
            parts.append("but the order is not the expected one")
        return "; ".join(parts) + "."
    if kind == "mapping":
        pairs = _as_mapping(value, name)
        keys = expected["keys"]
        vkind = _value_kind(check)
        missing = [k for k in keys if k not in pairs]
        unexpected = [k for k in pairs if k not in expected["values"]]
        wrong = []
        for key in keys:
            if key not in pairs:
                continue
            item = pairs[key]
            if vkind == "number" and not (item is None or _is_nan(item)):
                texts = _number_candidates(_as_number(item, f"{name}[{key!r}]"), decimals)
            else:
                texts = {_cell_text(item, vkind, decimals, f"{name}[{key!r}]")}
            if not any(_digest(salt, f"{key}\x1f{t}") == expected["values"][key] for t in texts):
                wrong.append(key)
        if not (missing or unexpected or wrong):
            return None
        parts = [f"{len(keys) - len(missing) - len(wrong)} of the {len(keys)} expected values are right"]
        if wrong:
            parts.append("check the value(s) for " + ", ".join(map(repr, wrong)))
        if missing:
            parts.append("missing key(s): " + ", ".join(map(repr, missing)))
        if unexpected:
            parts.append("unexpected key(s): " + ", ".join(map(repr, unexpected[:10])))
        return f"`{name}`: " + "; ".join(parts) + "."
    if kind == "matrix":
        if _type_name(value) != "DataFrame":
            raise _Unusable(f"`{name}` should be a table (DataFrame); it is a {_type_name(value)}.")
        rows = [_label(r) for r in value.index]
        cols = [_label(c) for c in value.columns]
        missing_rows = [r for r in expected["rows"] if r not in rows]
        missing_cols = [c for c in expected["columns"] if c not in cols]
        extra_rows = [r for r in rows if r not in expected["rows"]]
        extra_cols = [c for c in cols if c not in expected["columns"]]
        vkind = _value_kind(check)
        total = len(expected["rows"]) * len(expected["columns"])
        right = 0
        for i, row in enumerate(rows):
            for j, col in enumerate(cols):
                want = expected["cells"].get(row, {}).get(col)
                if want is None:
                    continue
                cell = _cell_text(value.iat[i, j], vkind, decimals, f"{name} cell ({row}, {col})")
                right += _digest(salt, f"{row}\x1f{col}\x1f{cell}") == want
        if right == total and not (missing_rows or missing_cols or extra_rows or extra_cols):
            return None
        parts = [f"{right} of the {total} expected cells are right"]
        if missing_rows:
            parts.append("missing row(s): " + ", ".join(map(repr, missing_rows[:10])))
        if missing_cols:
            parts.append("missing column(s): " + ", ".join(map(repr, missing_cols[:10])))
        if extra_rows:
            parts.append("unexpected row(s): " + ", ".join(map(repr, extra_rows[:10])))
        if extra_cols:
            parts.append("unexpected column(s): " + ", ".join(map(repr, extra_cols[:10])))
        return f"`{name}`: " + "; ".join(parts) + "."
    markers, lines = _as_map(value, name)
    problems = []
    for what, got, want in (
        ("marker", [_digest(salt, m) for m in markers], expected["markers"]),
        ("line", [_digest(salt, line) for line in lines], expected["lines"]),
    ):
        right = sum((Counter(got) & Counter(want)).values())
        if right == len(want) and len(got) == len(want):
            continue
        problems.append(
            f"it has {len(got)} {what}{'s' if len(got) != 1 else ''}, "
            f"{right} of them where expected; the answer has {len(want)} {what}{'s' if len(want) != 1 else ''}"
        )
    if not problems:
        return None
    return f"`{name}`: " + "; ".join(problems) + "."


def evaluate(task: Task, value: Any) -> Result:
    """Check ``value`` against ``task``'s key; never raises on a student's answer.

    Parameters
    ----------
    task : Task
        The task (from :func:`load_key`).
    value : object
        The student's answer; :data:`MISSING` when the variable is not defined.

    Returns
    -------
    Result
        ``status`` ``"correct"`` (full points), ``"incorrect"`` or ``"unanswered"``
        (no points) and a message for the student.

    Examples
    --------
    >>> task = Task.from_answer("99-demo", "demo", "route_km", {"kind": "number", "decimals": 1}, 32.04)
    >>> evaluate(task, 32.0).status, evaluate(task, 32.2).status
    ('correct', 'incorrect')
    """
    name = task.answer
    hint = task.check.get("hint")
    if _unanswered(value):
        if value is MISSING:
            message = (
                f"Not answered yet: `{name}` is not defined. Run the task's cell first (it assigns `{name}`)."
            )
        else:
            shown = "..." if value is Ellipsis else repr(value)
            message = (
                f"Not answered yet: `{name}` still holds the placeholder `{shown}`. "
                "Replace it with your answer and run the cell again."
            )
        return Result(task.id, "unanswered", 0, task.points, message)
    try:
        problem = _compare(task, value)
    except _Unusable as exc:
        problem = str(exc)
    except Exception as exc:  # a student's object can fail in any way: report, never raise
        problem = f"`{name}` could not be checked ({type(exc).__name__}: {exc})."
    if problem is None:
        return Result(
            task.id, "correct", task.points, task.points, f"Correct: `{name}` matches the answer key."
        )
    message = f"Not yet: {problem}"
    if hint:
        message += f" Hint: {hint}"
    return Result(task.id, "incorrect", 0, task.points, message)


# --------------------------------------------------------------------------- key file


def key_path() -> Path:
    """Return the path of the committed answer key, ``data/exercise_checks.yaml``."""
    return paths.data_dir() / KEY_FILE


_HEADER = """\
# Answer key of the exercise notebooks, generated by `karabakh assign` from solutions/.
# Do not edit by hand: change solutions/ and run `karabakh assign` (or `make assign`).
# Expected answers are stored as salted SHA-256 digests. That keeps them out of plain
# sight; it is not security (docs/instructors.md explains).
"""


def dump_key(key: Key) -> str:
    """Return the key file's text (deterministic: same key, same text).

    Examples
    --------
    >>> task = Task.from_answer("99-demo", "99-demo", "n", {"kind": "integer"}, 3)
    >>> key = Key({"99-demo": NotebookKey("99-demo", "abc", ["n"], {task.id: task})})
    >>> load_key(text=dump_key(key)).task("99-demo") == task
    True
    """
    document = {
        "schema_version": SCHEMA_VERSION,
        "notebooks": {
            stem: {
                "source_sha256": nb.source_sha256,
                "graded_cells": list(nb.graded_cells),
                "tasks": {tid: task.to_dict() for tid, task in nb.tasks.items()},
            }
            for stem, nb in key.notebooks.items()
        },
    }
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return _HEADER + body


_CACHE: dict[tuple[str, int, int], Key] = {}


def load_key(path: str | Path | None = None, *, text: str | None = None) -> Key:
    """Read the answer key (``data/exercise_checks.yaml`` by default).

    Raises
    ------
    FileNotFoundError
        If the file does not exist (run ``karabakh assign``).
    ValueError
        If the file is not a valid key.
    """
    if text is None:
        file = Path(path) if path is not None else key_path()
        stat = file.stat()
        cache_key = (str(file.resolve()), stat.st_mtime_ns, stat.st_size)
        if cache_key in _CACHE:
            return _CACHE[cache_key]
        text = file.read_text(encoding="utf-8")
        where = str(file)
    else:
        cache_key = None
        where = "answer key"
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{where}: not valid YAML ({exc})") from None
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(
            f"{where}: not an answer key with schema_version {SCHEMA_VERSION}; run `karabakh assign`"
        )
    key = Key()
    for stem, nb in (document.get("notebooks") or {}).items():
        try:
            tasks = {}
            for tid, spec in (nb.get("tasks") or {}).items():
                validate_check(spec["check"], where=f"{where}: task {tid}")
                tasks[tid] = Task(
                    id=tid,
                    notebook=stem,
                    grade_id=spec["grade_id"],
                    answer=spec["answer"],
                    check=dict(spec["check"]),
                    expected=spec["expected"],
                    points=spec.get("points", 1),
                    check_grade_id=spec.get("check_grade_id", ""),
                )
            key.notebooks[stem] = NotebookKey(stem, nb["source_sha256"], list(nb["graded_cells"]), tasks)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(
                f"{where}: notebook {stem!r} is incomplete ({exc}); run `karabakh assign`"
            ) from None
    if cache_key is not None:
        _CACHE[cache_key] = key
    return key


# --------------------------------------------------------------------------- freshness


def _cell_source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def source_sha256(cells: Iterable[Mapping[str, Any]]) -> str:
    """Digest of what matters in a solution notebook: cell types, sources, task metadata.

    Saving the notebook in JupyterLab (outputs, execution counts, kernel version) does
    not change it.

    Examples
    --------
    >>> a = [{"cell_type": "code", "source": "x = 1\\n", "outputs": []}]
    >>> b = [{"cell_type": "code", "source": ["x = 1\\n"], "execution_count": 3}]
    >>> source_sha256(a) == source_sha256(b)
    True
    """
    parts = []
    for cell in cells:
        metadata = cell.get("metadata") or {}
        parts.append(
            [
                cell.get("cell_type"),
                _cell_source(cell),
                metadata.get("nbgrader") or {},
                metadata.get("karabakh") or {},
            ]
        )
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def stale(key: Key, solutions_dir: str | Path | None = None) -> list[str]:
    """Say how ``key`` differs from the notebooks in ``solutions/`` (empty when it is current).

    Compares digests of the solution notebooks' sources only, so it is fast; the full
    comparison (which runs the solutions) is ``karabakh assign --check``.
    """
    solutions = Path(solutions_dir) if solutions_dir else paths.solutions_dir()
    found = []
    current = {p.stem: p for p in sorted(solutions.glob("*.ipynb"))}
    for stem, path in current.items():
        if stem not in key.notebooks:
            found.append(f"solutions/{stem}.ipynb is not in the answer key")
            continue
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError, TypeError):
            found.append(f"solutions/{stem}.ipynb cannot be read")
            continue
        if key.notebooks[stem].source_sha256 != source_sha256(cells):
            found.append(f"solutions/{stem}.ipynb changed since the answer key was made")
    for stem in key.notebooks:
        if stem not in current:
            found.append(f"the answer key has {stem}, which is not in solutions/")
    return found
