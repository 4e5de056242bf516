"""Grade a student's answer to one question. Pure Python, no widgets, never raises on answers.

Whatever the student gives (None, a wrong type, an empty list, NaN, a date that does
not exist, a megabyte of text), :func:`grade` returns a :class:`Result` with
``correct=False`` and feedback that says what form of answer is expected.

Partial credit (``score`` out of ``max_score`` = 1.0):

- multiple: +1 per correct choice ticked, -1 per wrong choice ticked, floored at 0,
  divided by the number of correct choices;
- ordering: the share of items in the right position;
- matching: the share of left items matched correctly;
- every other type: 1 or 0.

An answer is ``correct`` only when it is entirely right (score = max_score).

Examples
--------
>>> from karabakh.quiz.model import Question
>>> q = Question(
...     id="contingent-size", type="numeric", prompt="How many servicemen?",
...     answer=1960, tolerance=0, unit="servicemen", sources=("S1",),
...     explanation="Point 3 of the statement sets 1,960 servicemen with small arms.",
... )
>>> grade(q, "1,960").correct
True
>>> r = grade(q, None)
>>> r.correct, r.score
(False, 0.0)
>>> print(r.feedback.splitlines()[1])
Expected a number (in servicemen), such as 42 or "1,250"; you gave None.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
import reprlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from karabakh.quiz.model import Question, Result
from karabakh.quiz.normalize import normalize

__all__ = ["grade", "expected_form", "format_answer", "wrong_answer", "MAX_TEXT", "MAX_ITEMS"]

#: Longest text answer read, in characters; longer answers are rejected unread.
MAX_TEXT = 500
#: Most elements read in a list or mapping answer.
MAX_ITEMS = 50
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_PRECISIONS = {"year": 1, "month": 2, "day": 3}
_FORMATS = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}
_EXAMPLES = {"year": "1999", "month": "1999-12", "day": "1999-12-31"}
_SHORT = reprlib.Repr()
_SHORT.maxstring = 40
_SHORT.maxother = 40
_SHORT.maxlist = 6
_SHORT.maxtuple = 6
_SHORT.maxdict = 4
_SHORT.maxlevel = 2


class _FormError(Exception):
    """The answer does not have the form the question expects."""


def preview(answer: Any) -> str:
    """Return a short, safe description of an answer (never the whole of a huge answer).

    Examples
    --------
    >>> preview("x" * 1_000_000)[:22]
    'a text of 1,000,000 ch'
    >>> preview([1, 2])
    '[1, 2]'
    """
    if isinstance(answer, str) and len(answer) > 40:
        return f"a text of {len(answer):,} characters starting {answer[:25]!r}"
    try:
        return _SHORT.repr(answer)
    except Exception:  # a student's object whose repr fails
        return f"an object of type {type(answer).__name__}"


def expected_form(question: Question) -> str:
    """Describe the form of answer ``question`` expects, without giving the answer away.

    Examples
    --------
    >>> from karabakh.quiz.model import Question
    >>> q = Question(id="d", type="date", prompt="?", answer="2020-11", precision="month",
    ...              explanation="x", sources=("S1",))
    >>> expected_form(q)
    'a date written YYYY-MM, such as "1999-12"'
    """
    t = question.type
    if t == "single":
        return f"one of the {len(question.options)} options, given as its text"
    if t == "multiple":
        return 'a list of the texts of the options you choose, such as ["first option", "third option"]'
    if t == "numeric":
        unit = f" (in {question.unit})" if question.unit else ""
        return f'a number{unit}, such as 42 or "1,250"'
    if t == "date":
        precision = question.precision or "day"
        return f'a date written {_FORMATS[precision]}, such as "{_EXAMPLES[precision]}"'
    if t == "ordering":
        return f"a list of all {len(question.items)} items, each once, in the order the question asks for"
    if t == "matching":
        return (
            f"a mapping from each of the {len(question.pairs or {})} items on the left to one item "
            'on the right, such as {"left item": "right item", ...}'
        )
    return f"a short text (a string of at most {MAX_TEXT} characters)"


def format_answer(question: Question, answer: Any = None) -> str:
    """Return an answer as readable text (the question's own answer by default).

    Examples
    --------
    >>> from karabakh.quiz.model import Question
    >>> q = Question(id="o", type="ordering", prompt="?", answer=["a", "b", "c", "d"],
    ...              items=("b", "a", "d", "c"), explanation="x", sources=("S1",))
    >>> format_answer(q)
    '1. a; 2. b; 3. c; 4. d'
    """
    value = question.answer if answer is None else answer
    if question.type == "multiple":
        return "; ".join(map(str, value))
    if question.type == "ordering":
        return "; ".join(f"{i}. {item}" for i, item in enumerate(value, start=1))
    if question.type == "matching":
        return "; ".join(f"{left} → {right}" for left, right in value.items())
    if question.type == "numeric":
        unit = f" {question.unit}" if question.unit else ""
        number = f"{value:,}" if isinstance(value, int) else f"{value:,g}"
        return number + unit
    if question.type == "text" and question.accept:
        return f"{value} (also accepted: {', '.join(question.accept)})"
    return str(value)


# --------------------------------------------------------------------------- readers


def _text(answer: Any, what: str = "answer") -> str:
    if answer is None:
        raise _FormError("nothing was given")
    if not isinstance(answer, str):
        raise _FormError(f"the {what} is a {type(answer).__name__}, not a text")
    if len(answer) > MAX_TEXT:
        raise _FormError(f"the {what} is {len(answer):,} characters long (at most {MAX_TEXT} are read)")
    if not answer.strip():
        raise _FormError(f"the {what} is empty")
    return answer


def _choice(text: str, choices: tuple[str, ...] | list[str], what: str) -> str:
    """Return the choice that ``text`` names (exactly, or once normalised)."""
    if text in choices:
        return text
    key = normalize(text)
    for choice in choices:
        if key and normalize(choice) == key:
            return choice
    raise _FormError(f"{preview(text)} is not one of the {what}")


def _sequence(answer: Any) -> list[Any]:
    if answer is None:
        raise _FormError("nothing was given")
    if isinstance(answer, str | bytes | Mapping) or not isinstance(answer, list | tuple | set | frozenset):
        raise _FormError(f"the answer is a {type(answer).__name__}, not a list")
    if len(answer) > MAX_ITEMS:
        raise _FormError(f"the list has {len(answer):,} elements")
    if not answer:
        raise _FormError("the list is empty")
    return list(answer)


def _number(answer: Any) -> float:
    if answer is None:
        raise _FormError("nothing was given")
    if isinstance(answer, bool):
        raise _FormError("True and False are not numbers")
    if isinstance(answer, str):
        text = _text(answer).strip()
        for sep in (",", "_", " ", "\u00a0", "\u202f", "\u2009"):
            text = text.replace(sep, "")
        text = text.replace("\u2212", "-")
        try:
            value = float(text)
        except ValueError:
            raise _FormError(f"{preview(answer)} is not a number") from None
    elif isinstance(answer, numbers.Real | Decimal):
        try:
            value = float(answer)
        except (OverflowError, ValueError, TypeError):
            raise _FormError(f"{preview(answer)} is too large to read") from None
    else:
        raise _FormError(f"the answer is a {type(answer).__name__}, not a number")
    if not math.isfinite(value):
        raise _FormError(f"{preview(answer)} is not a finite number")
    return value


def _date_parts(answer: Any) -> tuple[int, ...]:
    if isinstance(answer, bool):
        raise _FormError("True and False are not dates")
    if isinstance(answer, _dt.datetime | _dt.date):  # also pandas.Timestamp
        return (answer.year, answer.month, answer.day)
    if isinstance(answer, int):
        text = str(answer)
    else:
        text = _text(answer).strip()
    match = _DATE_RE.match(text)
    if not match:
        raise _FormError(f"{preview(answer)} is not written YYYY, YYYY-MM or YYYY-MM-DD")
    parts = tuple(int(p) for p in match.groups() if p is not None)
    try:
        _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise _FormError(f"{preview(answer)} is not a real calendar date") from None
    return parts


# --------------------------------------------------------------------------- graders
# Each returns (correct, score out of 1, partial-credit detail).

Graded = tuple[bool, float, str]


def _grade_single(q: Question, answer: Any) -> Graded:
    chosen = _choice(_text(answer).strip(), q.options, "options")
    ok = chosen == q.answer
    return ok, float(ok), ""


def _grade_multiple(q: Question, answer: Any) -> Graded:
    chosen = set()
    for element in _sequence(answer):
        chosen.add(_choice(_text(element, "choice").strip(), q.options, "options"))
    right = set(q.answer)
    hits, misses = len(chosen & right), len(chosen - right)
    score = max(0, hits - misses) / len(right)
    ok = chosen == right
    detail = "" if ok else f"{hits} of {len(right)} correct choices ticked, {misses} wrong choice(s) ticked"
    return ok, score, detail


def _grade_numeric(q: Question, answer: Any) -> Graded:
    value = _number(answer)
    target = float(q.answer)
    slack = float(q.tolerance or 0) + 1e-9 * max(1.0, abs(target))
    ok = abs(value - target) <= slack
    return ok, float(ok), ""


def _grade_date(q: Question, answer: Any) -> Graded:
    wanted = _PRECISIONS[q.precision or "day"]
    parts = _date_parts(answer)
    if len(parts) < wanted:
        raise _FormError(f"{preview(answer)} is less precise than the question asks ({q.precision})")
    target = tuple(int(p) for p in str(q.answer).split("-"))[:wanted]
    ok = parts[:wanted] == target
    return ok, float(ok), ""


def _grade_ordering(q: Question, answer: Any) -> Graded:
    given = _sequence(answer)
    if any(element is None for element in given):
        raise _FormError("some positions have no item yet")
    order = [_choice(_text(element, "item").strip(), q.items, "items") for element in given]
    if len(order) != len(q.items) or set(order) != set(q.items):
        raise _FormError(f"the list must hold each of the {len(q.items)} items exactly once")
    right = sum(a == b for a, b in zip(order, q.answer, strict=True))
    ok = right == len(q.items)
    return ok, right / len(q.items), "" if ok else f"{right} of {len(q.items)} items in the right place"


def _grade_matching(q: Question, answer: Any) -> Graded:
    pairs = dict(q.pairs or {})
    if answer is None:
        raise _FormError("nothing was given")
    if not isinstance(answer, Mapping):
        raise _FormError(f"the answer is a {type(answer).__name__}, not a mapping")
    if len(answer) > MAX_ITEMS:
        raise _FormError(f"the mapping has {len(answer):,} entries")
    lefts, rights = list(pairs), sorted(set(pairs.values()))
    matched: dict[str, str] = {}
    for key, value in answer.items():
        left = _choice(_text(key, "left item").strip(), lefts, "items on the left")
        if value is None:
            continue
        matched[left] = _choice(_text(value, "right item").strip(), rights, "items on the right")
    if not matched:
        raise _FormError("no item has been matched yet")
    right = sum(matched.get(left) == target for left, target in pairs.items())
    ok = right == len(pairs)
    unanswered = len(pairs) - len(matched)
    detail = "" if ok else f"{right} of {len(pairs)} pairs right"
    if unanswered and not ok:
        detail += f" ({unanswered} not matched)"
    return ok, right / len(pairs), detail


def _grade_text(q: Question, answer: Any) -> Graded:
    key = normalize(_text(answer))
    if not key:
        raise _FormError(f"{preview(answer)} has no letters or digits")
    ok = key in {normalize(a) for a in (q.answer, *q.accept)}
    return ok, float(ok), ""


_GRADERS: dict[str, Callable[[Question, Any], Graded]] = {
    "single": _grade_single,
    "multiple": _grade_multiple,
    "numeric": _grade_numeric,
    "date": _grade_date,
    "ordering": _grade_ordering,
    "matching": _grade_matching,
    "text": _grade_text,
}


def _citation(question: Question) -> str:
    from karabakh.citations import cite

    try:
        return cite(list(question.sources))
    except (ValueError, TypeError, KeyError):  # an unchecked, hand-built question
        return ", ".join(question.sources)


def _resolve(question: Question | str, bank: str | None) -> Question:
    if isinstance(question, Question):
        return question
    if isinstance(question, str):
        if bank is None:
            raise TypeError(
                f"grade({question!r}, ...) needs the bank too: grade({question!r}, answer, bank='01-...')"
            )
        from karabakh.quiz.bank import load_bank

        return load_bank(bank)[question]
    raise TypeError(f"grade() needs a Question or a question id, not {type(question).__name__}")


def grade(question: Question | str, answer: Any, *, bank: str | None = None) -> Result:
    """Grade ``answer`` to ``question``; never raises because of the answer.

    Parameters
    ----------
    question : Question or str
        The question, or its id together with ``bank``.
    answer : Any
        The student's answer, in the form of the question's type (see
        :func:`expected_form`). Anything else gives ``correct=False``.
    bank : str, optional
        Name or path of the bank, when ``question`` is an id.

    Returns
    -------
    Result
        ``correct``, ``score``, ``max_score`` (1.0) and ``feedback``: "Correct." or
        "Not quite.", the expected form if the answer's form was wrong, the partial
        credit, the explanation and the source.

    Raises
    ------
    TypeError, KeyError
        Only for a bad ``question`` argument (not a Question; unknown id).

    Examples
    --------
    >>> from karabakh.quiz.model import Question
    >>> q = Question(
    ...     id="place", type="text", prompt="Azerbaijani name of Stepanakert?",
    ...     answer="Xankəndi", accept=("Khankendi",), sources=("S1",),
    ...     explanation="Azerbaijan uses Xankəndi (Khankendi); Armenians say Stepanakert.",
    ... )
    >>> grade(q, "KHANKENDI").correct
    True
    >>> grade(q, "xankendi").score
    1.0
    >>> grade(q, 42).expected_form
    'a short text (a string of at most 500 characters)'
    """
    q = _resolve(question, bank)
    form: str | None = None
    detail = ""
    try:
        correct, score, detail = _GRADERS[q.type](q, answer)
    except _FormError as problem:
        correct, score, form = False, 0.0, expected_form(q)
        detail = str(problem)
    except Exception:  # a safety net: an answer must never crash the notebook
        correct, score, form = False, 0.0, expected_form(q)
        detail = "the answer could not be read"
    citation = _citation(q)
    lines = ["Correct." if correct else "Not quite."]
    if form is not None:
        given = "nothing" if answer is None else preview(answer)
        if answer is None:
            given = "None"
        lines.append(f"Expected {form}; you gave {given}.")
        if detail and detail not in ("nothing was given",):
            lines.append(f"({detail[0].upper()}{detail[1:]}.)")
    elif detail:
        lines.append(f"Partly right: {detail} (score {score:.2f} of 1).")
    lines.append(q.explanation.strip())
    lines.append(f"Source: {citation}")
    return Result(
        correct=bool(correct),
        score=float(score),
        max_score=1.0,
        feedback="\n".join(lines),
        question_id=q.id,
        expected_form=form,
        detail=detail,
        explanation=q.explanation.strip(),
        source=citation,
    )


def wrong_answer(question: Question) -> Any:
    """Return a well-formed but wrong answer to ``question`` (used to test banks).

    Examples
    --------
    >>> from karabakh.quiz.model import Question
    >>> q = Question(id="w", type="numeric", prompt="?", answer=5, tolerance=0.5, unit="km",
    ...              explanation="x", sources=("S1",))
    >>> wrong_answer(q)
    7.0
    >>> grade(q, wrong_answer(q)).correct
    False
    """
    t, answer = question.type, question.answer
    if t == "single":
        return next(o for o in question.options if o != answer)
    if t == "multiple":
        others = [o for o in question.options if o not in answer]
        return others if others else list(answer)[:-1] or [question.options[0]]
    if t == "numeric":
        return float(answer) + 2 * float(question.tolerance or 0) + 1
    if t == "date":
        year, *rest = str(answer).split("-")
        return "-".join([str(int(year) + 1), *rest])
    if t == "ordering":
        return list(reversed(answer))
    if t == "matching":
        lefts, rights = list(answer), list(answer.values())
        shifted = dict(zip(lefts, rights[1:] + rights[:1], strict=True))
        if shifted == dict(answer):  # every left has the same right: no rotation helps
            shifted[lefts[0]] = next(
                (r for r in sorted(set(rights)) if r != rights[0]), rights[0] + " (wrong)"
            )
        return shifted
    return "zz-certainly-not-the-answer-zz"
