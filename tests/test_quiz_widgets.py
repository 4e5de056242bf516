"""Quiz widgets without a browser: set .value, click Check, read the feedback."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w
import pytest

from karabakh import quiz
from karabakh.quiz import widgets as quiz_widgets
from karabakh.quiz.grading import wrong_answer

SAMPLE = Path(__file__).parent / "fixtures" / "quizzes" / "sample.yaml"


@pytest.fixture(autouse=True)
def _fresh_registry(monkeypatch):
    """Each test starts with no scores and no summary widgets."""
    monkeypatch.setattr(quiz_widgets, "_SCORES", {})
    monkeypatch.setattr(quiz_widgets, "_SUMMARIES", {})
    monkeypatch.setattr(quiz_widgets, "_TOTALS", {})


def boxes(ids=None) -> dict[str, quiz_widgets.QuestionBox]:
    shown = quiz.show(SAMPLE, ids=ids)
    return {box.question.id: box for box in shown.children}


def enter(box: quiz_widgets.QuestionBox, answer) -> None:
    """Put ``answer`` into the box's inputs, as a student would."""
    t = box.question.type
    if t == "single":
        box.inputs[0].value = answer
    elif t == "multiple":
        for checkbox in box.inputs[1].children:
            checkbox.value = checkbox.description in answer
    elif t in ("numeric", "date", "text"):
        box.inputs[0].value = str(answer)
    elif t == "ordering":
        for dropdown, item in zip(box.inputs[1:], answer, strict=True):
            dropdown.value = item
    else:
        for dropdown, left in zip(box.inputs[1:], box.question.pairs, strict=True):
            dropdown.value = answer[left]


def feedback_text(box) -> str:
    return box.feedback.value


def test_show_returns_a_vbox_of_questions_with_css_classes():
    shown = quiz.show(SAMPLE)
    assert isinstance(shown, w.VBox) and "karabakh-quiz" in shown._dom_classes
    assert [b.question.id for b in shown.children] == quiz.load_bank(SAMPLE).ids
    for box in shown.children:
        assert "karabakh-question" in box._dom_classes
        assert box.check_button.description == "Check" and "karabakh-check" in box.check_button._dom_classes
        assert isinstance(box.feedback, w.HTML) and "karabakh-feedback" in box.feedback._dom_classes
        assert box.show_answer_button.description == "Show answer"
        assert box.reset_button.description == "Reset"
        assert box.show_answer_button.layout.display == "none"


def test_show_selects_ids_in_the_given_order():
    assert list(boxes(["hq-city-az", "corridor-width"])) == ["hq-city-az", "corridor-width"]


def test_show_unknown_ids_lists_valid_ones():
    with pytest.raises(ValueError, match="Unknown question id.*'nope'.*Valid ids: statement-signatories"):
        quiz.show(SAMPLE, ids=["corridor-width", "nope"])
    with pytest.raises(TypeError, match="list of question ids"):
        quiz.show(SAMPLE, ids="corridor-width")


@pytest.mark.parametrize("qid", quiz.load_bank(SAMPLE).ids)
def test_right_then_wrong_answer_through_the_widgets(qid):
    box = boxes([qid])[qid]
    enter(box, wrong_answer(box.question))
    box.check_button.click()
    assert "Not quite." in feedback_text(box)
    explanation = html.escape(box.question.explanation)
    assert explanation not in feedback_text(box)  # kept back until right or shown
    assert box.tries_label.value == "Tries: 1"
    enter(box, box.question.answer)
    assert box.answer is not None
    box.check_button.click()
    assert "Correct." in feedback_text(box)
    assert explanation in feedback_text(box)
    assert "Source: [" in feedback_text(box)
    assert box.tries_label.value == "Tries: 2"


def test_empty_inputs_say_what_form_is_expected():
    for box in boxes().values():
        box.check_button.click()
        assert "Not quite." in box.feedback.value
        assert "Expected " in box.feedback.value, box.question.id


def test_two_wrong_tries_reveal_show_answer():
    box = boxes(["corridor-width"])["corridor-width"]
    box.inputs[0].value = "7"
    box.check_button.click()
    assert box.show_answer_button.layout.display == "none"
    box.check_button.click()
    assert box.show_answer_button.layout.display != "none"
    box.show_answer_button.click()
    assert "Answer:</strong> 5 km" in box.feedback.value
    assert "Point 6 sets a corridor 5 km wide" in box.feedback.value


def test_reset_clears_inputs_feedback_and_tries():
    for box in boxes().values():
        enter(box, wrong_answer(box.question))
        box.check_button.click()
        box.check_button.click()
        box.reset_button.click()
        assert box.feedback.value == ""
        assert box.tries_label.value == "Tries: 0" and box.tries == 0
        assert box.show_answer_button.layout.display == "none"
        t = box.question.type
        if t in ("single",):
            assert box.inputs[0].value is None
        elif t == "multiple":
            assert box.answer == []
        elif t in ("numeric", "date", "text"):
            assert box.inputs[0].value == ""
        elif t == "ordering":
            assert box.answer == [None] * len(box.question.items)
        else:
            assert set(box.answer.values()) == {None}


def test_summary_updates_on_check_and_reset():
    score = quiz.summary(SAMPLE)
    assert "Score: 0 of 7 points" in score.value and "0 of 7 questions checked" in score.value
    shown = boxes(["corridor-width", "hq-city-az", "contingent-equipment"])
    enter(shown["corridor-width"], 5)
    shown["corridor-width"].check_button.click()
    assert "Score: 1 of 7 points" in score.value and "1 correct" in score.value
    enter(shown["contingent-equipment"], list(shown["contingent-equipment"].question.answer)[:1])
    shown["contingent-equipment"].check_button.click()
    assert "Score: 1.33333 of 7 points" in score.value and "2 of 7 questions checked" in score.value
    shown["corridor-width"].reset_button.click()
    assert "Score: 0.333333 of 7 points" in score.value and "0 correct" in score.value


def test_checks_are_saved_to_progress():
    box = boxes(["hq-city-az"])["hq-city-az"]
    box.inputs[0].value = "Stepanakert"
    box.check_button.click()
    box.inputs[0].value = "Xankəndi"
    box.check_button.click()
    table = quiz.progress()
    assert table[["notebook", "question_id", "attempt", "answer", "correct"]].values.tolist() == [
        ["sample", "hq-city-az", 1, "Stepanakert", False],
        ["sample", "hq-city-az", 2, "Xankəndi", True],
    ]


def test_unwritable_progress_file_does_not_break_the_quiz(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("KARABAKH_PROGRESS", str(blocker / "progress.json"))
    box = boxes(["corridor-width"])["corridor-width"]
    box.inputs[0].value = "5"
    box.check_button.click()
    assert "Correct." in box.feedback.value and "could not be saved" in box.feedback.value


def _leaves(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _leaves(child)


def test_every_input_is_labelled_and_every_button_has_a_tooltip():
    inputs = (w.RadioButtons, w.Checkbox, w.Text, w.Dropdown, w.FloatText)
    for leaf in _leaves(quiz.show(SAMPLE)):
        if isinstance(leaf, inputs):
            assert leaf.description.strip(), f"{type(leaf).__name__} without a description"
        if isinstance(leaf, w.Button):
            assert leaf.tooltip and leaf.description


def test_ordering_items_are_shuffled_the_same_way_each_time():
    first = boxes(["withdrawal-steps"])["withdrawal-steps"]
    second = boxes(["withdrawal-steps"])["withdrawal-steps"]
    shown = list(first.inputs[1].options)
    assert shown == list(second.inputs[1].options)
    assert sorted(shown) == sorted(first.question.items)
    assert shown != list(first.question.answer)
    assert [d.description for d in first.inputs[1:]] == ["1st:", "2nd:", "3rd:", "4th:"]


def test_text_is_escaped_in_widgets_and_static_html(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "How wide, in kilometres,", "How wide <script>alert(1)</script> & how long,"
    )
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")
    box = quiz.show(path, ids=["corridor-width"]).children[0]
    prompt_html = box.children[0].value
    assert "<script>" not in prompt_html and "&lt;script&gt;" in prompt_html
    page = quiz.static_html(path)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; how long" in page


def test_static_html_lists_questions_without_answers():
    page = quiz.static_html(SAMPLE, ids=["statement-signatories", "place-names", "ceasefire-start"])
    assert "needs a live kernel" in page
    assert page.count('class="karabakh-question') == 3
    assert "Aliyev, Sargsyan and Putin" in page  # options are shown
    assert "Khankendi" in page and "Stepanakert" in page  # both sides of the matching
    assert "YYYY-MM-DD" in page and "2020-11-10" not in page
    with pytest.raises(ValueError, match="Valid ids"):
        quiz.static_html(SAMPLE, ids=["nope"])
