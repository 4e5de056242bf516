"""Grading: every type's rules, partial credit, feedback, and answers that must never crash it."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from karabakh import quiz
from karabakh.quiz import Question
from karabakh.quiz.normalize import normalize, same_text

SAMPLE = Path(__file__).parent / "fixtures" / "quizzes" / "sample.yaml"
BANK = quiz.load_bank(SAMPLE)


def q(qid: str) -> Question:
    return BANK[qid]


class Hostile:
    """An answer whose comparisons, hash, length and repr all fail."""

    def __eq__(self, other):
        raise RuntimeError("no comparing")

    __hash__ = None  # type: ignore[assignment]

    def __len__(self):
        raise RuntimeError("no len")

    def __repr__(self):
        raise RuntimeError("no repr")


HUGE = "x" * 1_000_000
# Answers that have the wrong form for every question type.
ADVERSARIAL = {
    "none": None,
    "empty-text": "",
    "blank-text": "   \t ",
    "empty-list": [],
    "empty-dict": {},
    "nan": float("nan"),
    "infinity": float("inf"),
    "bool": True,
    "bytes": b"\xff\xfe",
    "object": object(),
    "hostile": Hostile(),
    "huge-text": HUGE,
    "huge-list": list(range(100_000)),
}


@pytest.mark.parametrize("qid", BANK.ids)
@pytest.mark.parametrize("label", sorted(ADVERSARIAL))
def test_adversarial_answers_never_raise_and_say_what_is_expected(qid, label):
    question = q(qid)
    result = quiz.grade(question, ADVERSARIAL[label])
    assert result.correct is False
    assert result.score == 0.0 and result.max_score == 1.0
    assert result.expected_form == quiz.expected_form(question)
    assert f"Expected {result.expected_form}" in result.feedback
    assert result.feedback.startswith("Not quite.")
    assert len(result.feedback) < 2_000  # a huge answer is never echoed back
    assert "Source: [" in result.feedback


def test_expected_form_does_not_give_the_answer_away():
    for question in BANK:
        form = quiz.expected_form(question)
        if isinstance(question.answer, str) and len(question.answer) > 3:
            assert question.answer not in form


def test_feedback_explains_and_cites():
    right = quiz.grade(q("corridor-width"), 5)
    lines = right.feedback.splitlines()
    assert lines[0] == "Correct."
    assert lines[1] == q("corridor-width").explanation
    assert lines[-1] == "Source: [S1] Government of Armenia (primeminister.am), 2020-11-10"
    wrong = quiz.grade(q("corridor-width"), 6)
    assert wrong.feedback.splitlines()[0] == "Not quite."
    assert wrong.expected_form is None  # right form, wrong value: no form hint
    assert str(wrong) == wrong.feedback


# --------------------------------------------------------------------------- single


def test_single_accepts_the_option_text_loosely():
    question = q("statement-signatories")
    assert quiz.grade(question, "Aliyev, Pashinyan and Putin").correct
    assert quiz.grade(question, "  aliyev pashinyan and putin ").correct
    assert not quiz.grade(question, "Aliyev, Pashinyan and Erdoğan").correct
    not_an_option = quiz.grade(question, "Putin alone")
    assert not not_an_option.correct and "one of the 3 options" in not_an_option.feedback
    assert not quiz.grade(question, 0).correct  # an index is not an option


# --------------------------------------------------------------------------- multiple

RIGHT = [
    "1,960 servicemen with small arms",
    "90 armoured personnel carriers",
    "380 motor vehicles and special equipment",
]
WRONG = "8 helicopters"


@pytest.mark.parametrize(
    ("ticked", "score", "correct"),
    [
        (RIGHT, 1.0, True),
        (tuple(reversed(RIGHT)), 1.0, True),  # order does not matter; tuples are fine
        (RIGHT[:2], 2 / 3, False),
        (RIGHT[:1], 1 / 3, False),
        ([*RIGHT, WRONG], 2 / 3, False),  # +3 -1
        ([RIGHT[0], WRONG], 0.0, False),  # +1 -1
        ([WRONG], 0.0, False),  # floored at 0, never negative
        ([RIGHT[0], RIGHT[0]], 1 / 3, False),  # ticking twice counts once
    ],
)
def test_multiple_partial_credit_rule(ticked, score, correct):
    result = quiz.grade(q("contingent-equipment"), ticked)
    assert result.correct is correct
    assert result.score == pytest.approx(score)
    if not correct:
        assert "correct choices ticked" in result.feedback


def test_multiple_rejects_a_lone_string_and_unknown_options():
    assert quiz.grade(q("contingent-equipment"), RIGHT[0]).expected_form is not None
    assert quiz.grade(q("contingent-equipment"), [*RIGHT, "tanks"]).expected_form is not None


# --------------------------------------------------------------------------- numeric


def make_numeric(answer=1960, tolerance=0, unit="servicemen") -> Question:
    return Question(
        id="n", type="numeric", prompt="?", answer=answer, tolerance=tolerance, unit=unit,
        explanation="e", sources=("S1",),
    )  # fmt: skip


@pytest.mark.parametrize("given", [1960, 1960.0, "1960", "1,960", " 1 960 ", "1_960", "1960.0"])
def test_numeric_accepts_numbers_and_numeric_strings(given):
    assert quiz.grade(make_numeric(), given).correct


@pytest.mark.parametrize("given", [1959, 1961, "1,961", -1960, 1e308, -1e308])
def test_numeric_wrong_values(given):
    result = quiz.grade(make_numeric(), given)
    assert not result.correct and result.expected_form is None


@pytest.mark.parametrize("given", [True, False, "1960 or so", "1.9.6.0", 10**400, dt.date(2020, 1, 1)])
def test_numeric_wrong_form(given):
    result = quiz.grade(make_numeric(), given)
    assert not result.correct and result.expected_form == 'a number (in servicemen), such as 42 or "1,250"'


def test_numeric_tolerance_is_absolute_and_inclusive():
    question = make_numeric(answer=92.05, tolerance=0.5, unit="%")
    assert quiz.grade(question, 92.55).correct
    assert quiz.grade(question, 91.55).correct
    assert not quiz.grade(question, 92.56).correct
    assert not quiz.grade(question, 91.5).correct


def test_numeric_numpy_and_decimal_numbers():
    np = pytest.importorskip("numpy")
    from decimal import Decimal

    assert quiz.grade(make_numeric(), np.int64(1960)).correct
    assert quiz.grade(make_numeric(), Decimal("1960")).correct
    assert quiz.grade(make_numeric(), np.float32("nan")).expected_form is not None


# --------------------------------------------------------------------------- date


def make_date(answer: str, precision: str) -> Question:
    return Question(
        id="d", type="date", prompt="?", answer=answer, precision=precision, explanation="e", sources=("S1",)
    )


@pytest.mark.parametrize(
    ("answer", "precision", "given", "correct"),
    [
        ("2020-11-10", "day", "2020-11-10", True),
        ("2020-11-10", "day", "2020-11-9", False),
        ("2020-11-10", "day", dt.date(2020, 11, 10), True),
        ("2020-11-10", "day", dt.datetime(2020, 11, 10, 23, 59), True),
        ("2020-11", "month", "2020-11", True),
        ("2020-11", "month", "2020-11-25", True),  # finer, inside the month
        ("2020-11", "month", "2020-12-01", False),
        ("2020", "year", 2020, True),
        ("2020", "year", "2020-09-27", True),
        ("2020", "year", "2021", False),
    ],
)
def test_date_precision(answer, precision, given, correct):
    result = quiz.grade(make_date(answer, precision), given)
    assert result.correct is correct and result.expected_form is None


@pytest.mark.parametrize(
    ("precision", "given"),
    [
        ("day", "2020-11"),  # coarser than the question asks
        ("month", "2020"),
        ("day", "2020-02-30"),  # not a date
        ("day", "2020-13-01"),  # month out of range
        ("day", "10/11/2020"),
        ("day", "10 November 2020"),
        ("year", 20201),
        ("year", True),
    ],
)
def test_date_wrong_form(precision, given):
    answer = {"day": "2020-11-10", "month": "2020-11", "year": "2020"}[precision]
    result = quiz.grade(make_date(answer, precision), given)
    assert not result.correct
    assert result.expected_form.startswith("a date written")


# --------------------------------------------------------------------------- ordering


def test_ordering_partial_credit_and_form():
    question = q("withdrawal-steps")
    right = list(question.answer)
    assert quiz.grade(question, right).correct
    assert quiz.grade(question, tuple(right)).correct
    swapped = [right[1], right[0], *right[2:]]
    result = quiz.grade(question, swapped)
    assert not result.correct and result.score == 0.5 and "2 of 4 items in the right place" in result.feedback
    for bad in (
        right[:3],
        [*right, right[0]],
        [right[0]] * 4,
        [None, *right[1:]],
        [*right[:3], "Something else"],
    ):
        assert quiz.grade(question, bad).expected_form is not None


# --------------------------------------------------------------------------- matching


def test_matching_partial_credit_and_form():
    question = q("place-names")
    right = dict(question.answer)
    assert quiz.grade(question, right).correct
    assert quiz.grade(question, {k.lower(): v.upper() for k, v in right.items()}).correct
    half = {**right, "Stepanakert": "Shusha", "Shushi": "Khankendi"}
    result = quiz.grade(question, half)
    assert not result.correct and result.score == 0.5
    partial = quiz.grade(question, {"Stepanakert": "Khankendi", "Shushi": None})
    assert partial.score == 0.25 and "3 not matched" in partial.feedback
    assert quiz.grade(question, {"Atlantis": "Khankendi"}).expected_form is not None
    assert quiz.grade(question, {"Stepanakert": "Paris"}).expected_form is not None
    assert quiz.grade(question, {"Stepanakert": None}).expected_form is not None
    assert quiz.grade(question, list(right.items())).expected_form is not None


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "given", ["Xankəndi", "XANKƏNDI", "xankendi", " Xan-kendi ", "Khankendi", "khan kendi", "Hankendi"]
)
def test_text_ignores_case_accents_punctuation_and_spacing(given):
    assert quiz.grade(q("hq-city-az"), given).correct


@pytest.mark.parametrize("given", ["Stepanakert", "Xankənd", "Khankend1"])
def test_text_wrong(given):
    result = quiz.grade(q("hq-city-az"), given)
    assert not result.correct and result.expected_form is None


def test_text_without_letters_is_a_form_problem():
    assert quiz.grade(q("hq-city-az"), "?!").expected_form is not None


@pytest.mark.parametrize(
    ("a", "b"),
    [("Şuşa", "susa"), ("Ağdam", "AGDAM"), ("Qaragöl", "qaragol"), ("İsmayıllı", "ismayilli"), ("Æ", "ae")],
)
def test_normalize_pairs(a, b):
    assert normalize(a) == normalize(b) and same_text(a, b)


def test_normalize_rejects_non_text():
    with pytest.raises(TypeError):
        normalize(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- calling grade


def test_grade_by_id_and_bank():
    assert quiz.grade("corridor-width", 5, bank=str(SAMPLE)).correct
    with pytest.raises(TypeError, match="needs the bank"):
        quiz.grade("corridor-width", 5)
    with pytest.raises(KeyError):
        quiz.grade("no-such-id", 5, bank=str(SAMPLE))
    with pytest.raises(TypeError, match="needs a Question"):
        quiz.grade(42, 5)  # type: ignore[arg-type]


def test_grade_never_mutates_the_question():
    question = q("withdrawal-steps")
    before = list(question.answer)
    quiz.grade(question, list(reversed(before)))
    assert list(question.answer) == before


def test_scores_are_plain_floats():
    for question in BANK:
        result = quiz.grade(question, question.answer)
        assert type(result.score) is float and type(result.max_score) is float
        assert not math.isnan(result.score)
