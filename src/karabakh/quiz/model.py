"""Plain data classes for quizzes: a question, a bank of questions, a grading result.

Examples
--------
>>> q = Question(
...     id="corridor-width", type="numeric", prompt="How wide is the Lachin corridor?",
...     answer=5, explanation="Point 6 of the statement sets a 5 km wide corridor.",
...     sources=("S1",), tolerance=0, unit="km",
... )
>>> q.type, q.unit
('numeric', 'km')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["TYPES", "Question", "Bank", "Result"]

#: The seven question types, in the order docs/quizzes.md describes them.
TYPES = ("single", "multiple", "numeric", "date", "ordering", "matching", "text")


@dataclass(frozen=True)
class Question:
    """One quiz question, as read from a bank file.

    Parameters
    ----------
    id : str
        Identifier, unique in its bank (``"statement-date"``).
    type : str
        One of :data:`TYPES`.
    prompt : str
        The question as the student reads it.
    answer : Any
        A correct answer in the form a student gives it: option text (single), list of
        option texts (multiple), number (numeric), ``"YYYY[-MM[-DD]]"`` (date), list of
        items in order (ordering), mapping left -> right (matching), text (text).
    explanation : str
        Why the answer is right.
    sources : tuple of str
        Source ids backing the answer (``("S1", "R2")``).
    options : tuple of str
        The choices (single, multiple).
    tolerance : float or None
        Largest accepted absolute difference (numeric).
    unit : str or None
        Unit of the answer (numeric).
    precision : str or None
        ``"year"``, ``"month"`` or ``"day"`` (date).
    items : tuple of str
        The items to order (ordering).
    pairs : Mapping[str, str] or None
        The correct matches (matching).
    accept : tuple of str
        Other accepted spellings (text).
    bank : str
        Stem of the notebook whose bank holds the question (``""`` if built by hand).
    """

    id: str
    type: str
    prompt: str
    answer: Any
    explanation: str
    sources: tuple[str, ...]
    options: tuple[str, ...] = ()
    tolerance: float | None = None
    unit: str | None = None
    precision: str | None = None
    items: tuple[str, ...] = ()
    pairs: Mapping[str, str] | None = None
    accept: tuple[str, ...] = ()
    bank: str = ""

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(
                f"question {self.id!r}: unknown type {self.type!r}; choose from {', '.join(TYPES)}"
            )


@dataclass(frozen=True)
class Bank:
    """The questions of one notebook, in order. Iterate over it, or index by position or id.

    Parameters
    ----------
    notebook : str
        Stem of the notebook (``"01-war-and-statement"``).
    title : str
        Title of the bank.
    questions : tuple of Question
        The questions, in the order of the file.
    path : Path or None
        The file the bank was read from.
    schema_version : int
        Version of the bank format.

    Examples
    --------
    >>> q = Question(id="a", type="text", prompt="?", answer="x", explanation="x", sources=("S1",))
    >>> bank = Bank(notebook="demo", title="Demo", questions=(q,))
    >>> len(bank), bank["a"].id, bank.ids
    (1, 'a', ['a'])
    """

    notebook: str
    title: str
    questions: tuple[Question, ...]
    path: Path | None = None
    schema_version: int = 1
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    @property
    def ids(self) -> list[str]:
        """The question ids, in order."""
        return [q.id for q in self.questions]

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    def __getitem__(self, key: int | str) -> Question:
        if isinstance(key, str):
            try:
                return self._by_id[key]
            except KeyError:
                raise KeyError(
                    f"no question {key!r} in bank {self.notebook!r}; its ids are: {', '.join(self.ids)}"
                ) from None
        return self.questions[key]

    def __contains__(self, key: object) -> bool:
        return key in self._by_id or key in self.questions


@dataclass(frozen=True)
class Result:
    """The outcome of grading one answer.

    Parameters
    ----------
    correct : bool
        True only for a fully correct answer.
    score : float
        Points earned, from 0 to ``max_score`` (partial credit for multiple,
        ordering and matching questions).
    max_score : float
        Points available (1.0).
    feedback : str
        "Correct." or "Not quite.", what form is expected if the answer's form was
        wrong, the explanation and the source.
    question_id : str
        Id of the question graded.
    expected_form : str or None
        What form of answer is expected, set when the answer had the wrong form.
    detail : str
        Partial-credit detail ("2 of 4 pairs right"), or ``""``.
    explanation : str
        The question's explanation.
    source : str
        Citation of the question's sources.
    """

    correct: bool
    score: float
    max_score: float
    feedback: str
    question_id: str = ""
    expected_form: str | None = None
    detail: str = ""
    explanation: str = ""
    source: str = ""

    def __str__(self) -> str:
        return self.feedback
