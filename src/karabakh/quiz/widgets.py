"""Quiz widgets: a thin face on :mod:`karabakh.quiz.grading` (ipywidgets 8).

Each question shows its prompt, a standard input (radio buttons, check boxes, text
fields, dropdowns), a **Check** button, a feedback area, a try count, a **Show answer**
button (after a second wrong try) and a **Reset** button. Everything is a standard,
focusable ipywidget, so Tab, Enter and Space work. Feedback is written to an
``ipywidgets.HTML`` value, which is readable outside a kernel too (tests do so).

Examples
--------
>>> from karabakh import paths
>>> box = show(paths.course_root() / "tests/fixtures/quizzes/sample.yaml", ids=["corridor-width"])
>>> question = box.children[0]
>>> question.check_button.description, "karabakh-check" in question.check_button._dom_classes
('Check', True)
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w

from karabakh.quiz.bank import load_bank, precision_format
from karabakh.quiz.grading import format_answer, grade
from karabakh.quiz.model import Bank, Question, Result
from karabakh.quiz.progress_store import record

__all__ = ["show", "summary", "static_html", "QuestionBox", "shuffled"]

_WIDE = {"description_width": "initial"}
#: Latest result per question, per notebook: {notebook: {question id: Result}}.
_SCORES: dict[str, dict[str, Result]] = {}
#: Live score widgets per notebook, refreshed on every Check and Reset.
_SUMMARIES: dict[str, list[w.HTML]] = {}
#: Question count per notebook (from its bank).
_TOTALS: dict[str, int] = {}


def shuffled(question: Question) -> list[str]:
    """Return a question's items in a display order seeded by its id (never the answer order).

    Examples
    --------
    >>> from karabakh.quiz.model import Question
    >>> q = Question(id="o", type="ordering", prompt="?", answer=["a", "b", "c", "d"],
    ...              items=("a", "b", "c", "d"), explanation="x", sources=("S1",))
    >>> shuffled(q) == shuffled(q), shuffled(q) != q.answer, sorted(shuffled(q))
    (True, True, ['a', 'b', 'c', 'd'])
    """
    items = list(question.items)
    random.Random(f"{question.bank}:{question.id}").shuffle(items)  # noqa: S311 - display order only
    if question.answer and items == list(question.answer):
        items = items[1:] + items[:1]
    return items


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --------------------------------------------------------------------------- inputs


def _build_input(q: Question) -> tuple[list[w.Widget], Callable[[], Any], Callable[[], None]]:
    """Return (widgets, read the answer, clear) for a question's type."""
    if q.type == "single":
        radio = w.RadioButtons(
            options=list(q.options),
            value=None,
            description="Your answer:",
            style=_WIDE,
            layout=w.Layout(width="auto"),
        )
        return [radio], lambda: radio.value, lambda: setattr(radio, "value", None)
    if q.type == "multiple":
        boxes = [
            w.Checkbox(value=False, description=option, indent=False, layout=w.Layout(width="auto"))
            for option in q.options
        ]
        hint = w.Label("Tick every option that applies:")

        def clear() -> None:
            for box in boxes:
                box.value = False

        return [hint, w.VBox(boxes)], lambda: [b.description for b in boxes if b.value], clear
    if q.type in ("numeric", "date", "text"):
        if q.type == "numeric":
            label = f"Your answer ({q.unit}):" if q.unit else "Your answer:"
            placeholder = "a number, e.g. 1250"
        elif q.type == "date":
            label = "Your answer (date):"
            placeholder = precision_format(q.precision or "day")
        else:
            label, placeholder = "Your answer:", "type your answer"
        field = w.Text(value="", description=label, placeholder=placeholder, style=_WIDE)
        return [field], lambda: field.value, lambda: setattr(field, "value", "")
    if q.type == "ordering":
        order = shuffled(q)
        hint = w.Label("Choose which item goes in each position:")
        dropdowns = [
            w.Dropdown(
                options=order,
                value=None,
                description=f"{_ordinal(i)}:",
                style=_WIDE,
                layout=w.Layout(width="auto"),
            )
            for i in range(1, len(order) + 1)
        ]

        def clear_order() -> None:
            for dropdown in dropdowns:
                dropdown.value = None

        return [hint, *dropdowns], lambda: [d.value for d in dropdowns], clear_order
    # matching
    rights = sorted(set((q.pairs or {}).values()))
    hint = w.Label("Match each item on the left with one on the right:")
    pickers = {
        left: w.Dropdown(
            options=rights, value=None, description=f"{left}:", style=_WIDE, layout=w.Layout(width="auto")
        )
        for left in (q.pairs or {})
    }

    def clear_pairs() -> None:
        for picker in pickers.values():
            picker.value = None

    return [hint, *pickers.values()], lambda: {left: p.value for left, p in pickers.items()}, clear_pairs


# --------------------------------------------------------------------------- question box


class QuestionBox(w.VBox):
    """The widgets of one question; its parts are attributes, for tests and notebooks.

    Attributes
    ----------
    question : Question
    inputs : list of ipywidgets.Widget
        The input widgets (radio buttons; check boxes; text field; dropdowns).
    check_button, show_answer_button, reset_button : ipywidgets.Button
    feedback : ipywidgets.HTML
        The feedback area (class ``karabakh-feedback``).
    tries_label : ipywidgets.Label
    tries : int
        Checks since the last reset.
    wrong_tries : int
        Wrong checks since the last reset.
    """

    def __init__(self, question: Question, number: int | None = None):
        self.question = question
        self.tries = 0
        self.wrong_tries = 0
        self.last_result: Result | None = None
        self.progress_error: str | None = None
        self.inputs, self._read, self._clear = _build_input(question)
        lead = f"<strong>{number}.</strong> " if number is not None else ""
        prompt = w.HTML(value=f"<p>{lead}{html.escape(question.prompt)}</p>")
        self.check_button = w.Button(
            description="Check", tooltip="Check your answer", button_style="primary", icon="check"
        )
        self.check_button.add_class("karabakh-check")
        self.show_answer_button = w.Button(
            description="Show answer",
            tooltip="Reveal the answer, its explanation and source",
            layout=w.Layout(display="none"),
        )
        self.show_answer_button.add_class("karabakh-show-answer")
        self.reset_button = w.Button(description="Reset", tooltip="Clear your answer and the try count")
        self.reset_button.add_class("karabakh-reset")
        self.tries_label = w.Label(value="Tries: 0")
        self.feedback = w.HTML(value="")
        self.feedback.add_class("karabakh-feedback")
        self.check_button.on_click(lambda _button: self.check())
        self.show_answer_button.on_click(lambda _button: self.reveal())
        self.reset_button.on_click(lambda _button: self.reset())
        buttons = w.HBox([self.check_button, self.show_answer_button, self.reset_button, self.tries_label])
        super().__init__(children=[prompt, *self.inputs, buttons, self.feedback])
        self.add_class("karabakh-question")
        self.add_class(f"karabakh-q-{question.id}")

    @property
    def answer(self) -> Any:
        """The answer the inputs currently hold, in the form :func:`grade` expects."""
        return self._read()

    def check(self) -> Result:
        """Grade the current answer, show feedback, save the attempt; return the result."""
        answer = self._read()
        result = grade(self.question, answer)
        self.tries += 1
        self.last_result = result
        if not result.correct:
            self.wrong_tries += 1
        self.tries_label.value = f"Tries: {self.tries}"
        self.progress_error = None
        try:
            record(
                self.question.bank,
                self.question.id,
                answer,
                result.correct,
                result.score,
                result.max_score,
                self.tries,
            )
        except (OSError, ValueError, TypeError) as exc:  # a read-only home must not break the quiz
            self.progress_error = f"Your progress could not be saved ({exc})."
        self.feedback.value = _feedback_html(self.question, result, self.progress_error)
        if self.wrong_tries >= 2 and not result.correct:
            self.show_answer_button.layout.display = None
        _SCORES.setdefault(self.question.bank, {})[self.question.id] = result
        _refresh(self.question.bank)
        return result

    def reveal(self) -> None:
        """Show the answer with its explanation and source."""
        q = self.question
        result = self.last_result or grade(q, q.answer)
        self.feedback.value = (
            f'<div role="status"><p><strong>Answer:</strong> {html.escape(format_answer(q))}</p>'
            f"<p>{html.escape(q.explanation)}</p>"
            f"<p><em>Source: {html.escape(result.source)}</em></p></div>"
        )

    def reset(self) -> None:
        """Clear the inputs, feedback and try count (the saved progress file keeps its history)."""
        self._clear()
        self.tries = 0
        self.wrong_tries = 0
        self.last_result = None
        self.tries_label.value = "Tries: 0"
        self.feedback.value = ""
        self.show_answer_button.layout.display = "none"
        _SCORES.get(self.question.bank, {}).pop(self.question.id, None)
        _refresh(self.question.bank)


def _feedback_html(q: Question, result: Result, note: str | None) -> str:
    """Feedback for the widget: the explanation is kept back until the answer is right or shown."""
    parts = []
    if result.correct:
        parts.append("<p><strong>✓ Correct.</strong></p>")
        parts.append(f"<p>{html.escape(result.explanation)}</p>")
    else:
        parts.append("<p><strong>✗ Not quite.</strong> Try again.</p>")
        if result.expected_form:
            parts.append(f"<p>Expected {html.escape(result.expected_form)}.</p>")
        elif result.detail:
            parts.append(
                f"<p>Partly right: {html.escape(result.detail)} (score {result.score:.2f} of 1).</p>"
            )
    parts.append(f"<p><em>Source: {html.escape(result.source)}</em></p>")
    if note:
        parts.append(f"<p>{html.escape(note)}</p>")
    return '<div role="status">' + "".join(parts) + "</div>"


# --------------------------------------------------------------------------- public


def _select(bank: Bank, ids: Sequence[str] | None) -> list[Question]:
    if ids is None:
        return list(bank)
    if isinstance(ids, str) or not isinstance(ids, Sequence):
        raise TypeError(f'ids is a list of question ids, such as ["{bank.ids[0]}"], not {type(ids).__name__}')
    unknown = [i for i in ids if i not in bank.ids]
    if unknown:
        raise ValueError(
            f"Unknown question id(s) {', '.join(map(repr, unknown))} in bank {bank.notebook!r}. "
            f"Valid ids: {', '.join(bank.ids)}"
        )
    return [bank[i] for i in ids]


def show(name: str | Path, ids: Sequence[str] | None = None) -> w.VBox:
    """Return the questions of a bank as widgets (a cell's last expression displays them).

    Parameters
    ----------
    name : str or Path
        Notebook stem (``"01-war-and-statement"``) or path of a bank file.
    ids : list of str, optional
        Only these questions, in this order (one section's quiz). Default: all.

    Returns
    -------
    ipywidgets.VBox
        One :class:`QuestionBox` per question (class ``karabakh-quiz``).

    Raises
    ------
    ValueError
        If an id is not in the bank (the message lists the valid ids), or the bank
        is invalid.

    Examples
    --------
    >>> from karabakh import paths
    >>> quiz = show(paths.course_root() / "tests/fixtures/quizzes/sample.yaml")
    >>> [box.question.type for box in quiz.children][:3]
    ['single', 'multiple', 'numeric']
    """
    bank = load_bank(name)
    chosen = _select(bank, ids)
    _TOTALS[bank.notebook] = len(bank)
    position = {q.id: i for i, q in enumerate(bank, start=1)}
    box = w.VBox([QuestionBox(q, position[q.id]) for q in chosen])
    box.add_class("karabakh-quiz")
    return box


def _summary_text(notebook: str) -> str:
    results = _SCORES.get(notebook, {})
    total = _TOTALS.get(notebook, len(results))
    score = sum(r.score for r in results.values())
    right = sum(r.correct for r in results.values())
    return (
        f"<p><strong>Score: {score:g} of {total} points</strong> · "
        f"{len(results)} of {total} questions checked · {right} correct</p>"
    )


def _refresh(notebook: str) -> None:
    for widget in _SUMMARIES.get(notebook, []):
        widget.value = _summary_text(notebook)


def summary(name: str | Path) -> w.HTML:
    """Return a live score for a notebook's quizzes, updated on every Check and Reset.

    Examples
    --------
    >>> from karabakh import paths
    >>> score = summary(paths.course_root() / "tests/fixtures/quizzes/sample.yaml")
    >>> "karabakh-summary" in score._dom_classes
    True
    """
    bank = load_bank(name)
    _TOTALS[bank.notebook] = len(bank)
    widget = w.HTML(value="")
    widget.add_class("karabakh-summary")
    _SUMMARIES.setdefault(bank.notebook, []).append(widget)
    widget.value = _summary_text(bank.notebook)
    return widget


def static_html(name: str | Path, ids: Sequence[str] | None = None) -> str:
    """Return the questions as static HTML (no answers), for pages without a kernel.

    Examples
    --------
    >>> from karabakh import paths
    >>> page = static_html(paths.course_root() / "tests/fixtures/quizzes/sample.yaml", ids=["corridor-width"])
    >>> "needs a live" in page, "<script" in page
    (True, False)
    """
    bank = load_bank(name)
    parts = ['<div class="karabakh-quiz karabakh-quiz-static">']
    parts.append(
        '<p class="karabakh-quiz-note"><em>Checking answers needs a live kernel: open this notebook '
        "in JupyterLab or on Binder and run it.</em></p>"
    )
    position = {q.id: i for i, q in enumerate(bank, start=1)}
    for q in _select(bank, ids):
        e = html.escape
        parts.append(f'<div class="karabakh-question karabakh-q-{e(q.id)}">')
        parts.append(f"<p><strong>{position[q.id]}.</strong> {e(q.prompt)}</p>")
        if q.type in ("single", "multiple"):
            lead = "Choose one:" if q.type == "single" else "Tick every option that applies:"
            parts.append(f"<p>{lead}</p><ul>" + "".join(f"<li>{e(o)}</li>" for o in q.options) + "</ul>")
        elif q.type == "numeric":
            parts.append(f"<p>Answer with a number{' in ' + e(q.unit) if q.unit else ''}.</p>")
        elif q.type == "date":
            parts.append(f"<p>Answer with a date written {precision_format(q.precision or 'day')}.</p>")
        elif q.type == "ordering":
            parts.append(
                "<p>Put these in order:</p><ul>" + "".join(f"<li>{e(i)}</li>" for i in shuffled(q)) + "</ul>"
            )
        elif q.type == "matching":
            rights = sorted(set((q.pairs or {}).values()))
            parts.append(
                "<p>Match each of:</p><ul>" + "".join(f"<li>{e(k)}</li>" for k in q.pairs or {}) + "</ul>"
            )
            parts.append("<p>with one of:</p><ul>" + "".join(f"<li>{e(r)}</li>" for r in rights) + "</ul>")
        else:
            parts.append("<p>Answer with a short text.</p>")
        parts.append("</div>")
    parts.append("</div>")
    return "\n".join(parts)
