"""Quizzes: question banks, grading and widgets.

Each section of a lesson ends with a short quiz. Questions live in
``data/quizzes/<notebook-stem>.yaml`` (see ``docs/quizzes.md``); grading is plain
Python (:func:`grade`), and the widgets (:func:`show`) are a thin face on it.

In a notebook::

    from karabakh import quiz
    quiz.show("01-war-and-statement", ids=["statement-date", "contingent-size"])

Examples
--------
>>> from karabakh import quiz, paths
>>> bank = quiz.load_bank(paths.course_root() / "tests/fixtures/quizzes/sample.yaml")
>>> result = quiz.grade(bank["corridor-width"], 5)
>>> result.correct, result.score, result.max_score
(True, 1.0, 1.0)
>>> quiz.grade(bank["corridor-width"], "five").correct
False
"""

from __future__ import annotations

from karabakh.quiz.bank import BankError, BankProblem, bank_names, load_bank
from karabakh.quiz.grading import expected_form, grade
from karabakh.quiz.model import TYPES, Bank, Question, Result
from karabakh.quiz.normalize import normalize
from karabakh.quiz.progress_store import progress
from karabakh.quiz.widgets import show, static_html, summary

__all__ = [
    "TYPES",
    "Bank",
    "BankError",
    "BankProblem",
    "Question",
    "Result",
    "bank_names",
    "expected_form",
    "grade",
    "load_bank",
    "normalize",
    "progress",
    "show",
    "static_html",
    "summary",
]
