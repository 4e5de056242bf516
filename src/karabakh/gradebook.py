"""The gradebook CSV and the feedback files, written as each submission finishes.

The gradebook has one row per submission (student and notebook) and the columns
``student``, ``notebook``, one column per task (points scored; empty for tasks of other
notebooks), ``total``, ``max``, ``status`` and ``reason``. It is rewritten atomically
(a temporary file renamed over the old one) after every result, so an interrupted run
loses nothing it finished, and a new run can skip what is already there.

Feedback for each submission goes to ``feedback/<student>/<notebook>.txt`` next to
the gradebook.

Examples
--------
>>> import tempfile, pathlib
>>> from karabakh.submissions import Outcome
>>> book = Gradebook(pathlib.Path(tempfile.mkdtemp()) / "gradebook.csv", ["03-a", "03-b"])
>>> book.record(Outcome("ana", "03-blockade", "ok", [], {"03-a": 1, "03-b": 0}, {"03-a": 1, "03-b": 1}, {}))
>>> print(book.path.read_text().splitlines()[1])
ana,03-blockade,1,0,1,2,ok,
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from karabakh.submissions import Outcome

__all__ = ["Gradebook", "FIXED_COLUMNS", "feedback_text"]

FIXED_COLUMNS = ("student", "notebook")
SUMMARY_COLUMNS = ("total", "max", "status", "reason")


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _points(value: float | str) -> str:
    if value == "" or value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


class Gradebook:
    """Rows of the gradebook, kept in memory and on disk.

    Parameters
    ----------
    path : path
        The CSV file. Rows already in it are kept (and can be skipped).
    task_order : list of str
        Every task id, in the course's order (the answer key's); sets the column order.
    """

    def __init__(self, path: str | Path, task_order: list[str]):
        self.path = Path(path)
        self.task_order = list(task_order)
        self.rows: dict[tuple[str, str], dict[str, str]] = {}
        if self.path.is_file() and self.path.stat().st_size:
            with open(self.path, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    if row.get("student") and row.get("notebook"):
                        self.rows[(row["student"], row["notebook"])] = {
                            k: v or "" for k, v in row.items() if k
                        }

    def has(self, student: str, notebook: str) -> bool:
        """Whether the gradebook already has a row for this submission."""
        return (student, notebook) in self.rows

    def columns(self) -> list[str]:
        """Column names: student, notebook, the tasks present in the rows, total, max, status, reason."""
        present = (
            {key for row in self.rows.values() for key in row} - set(FIXED_COLUMNS) - set(SUMMARY_COLUMNS)
        )
        tasks = [t for t in self.task_order if t in present]
        tasks += sorted(present - set(tasks))  # tasks no longer in the key stay, at the end
        return [*FIXED_COLUMNS, *tasks, *SUMMARY_COLUMNS]

    def record(self, outcome: Outcome) -> None:
        """Add or replace the row of ``outcome`` and rewrite the file atomically."""
        row = {"student": outcome.student, "notebook": outcome.notebook}
        row.update({task: _points(score) for task, score in outcome.scores.items()})
        row.update(
            total=_points(outcome.total),
            max=_points(outcome.max),
            status=outcome.status,
            reason=outcome.reason,
        )
        self.rows[(outcome.student, outcome.notebook)] = row
        self.write()

    def write(self) -> None:
        """Write every row, sorted by student and notebook."""
        columns = self.columns()
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for key in sorted(self.rows):
            writer.writerow({column: self.rows[key].get(column, "") for column in columns})
        _atomic_write(self.path, buffer.getvalue())

    def feedback_path(self, student: str, notebook: str) -> Path:
        """Where the feedback file of one submission goes."""
        return self.path.parent / "feedback" / student / f"{notebook}.txt"

    def write_feedback(self, outcome: Outcome) -> Path:
        """Write the feedback file of ``outcome``; return its path."""
        path = self.feedback_path(outcome.student, outcome.notebook)
        _atomic_write(path, feedback_text(outcome))
        return path


def feedback_text(outcome: Outcome) -> str:
    """Return the feedback for one submission, as plain text for the student.

    Examples
    --------
    >>> o = Outcome("ana", "03-blockade", "errors", ["cell 4 raised KeyError: 'x'"],
    ...             {"03-a": 1}, {"03-a": 1}, {"03-a": "Correct: `a` matches the answer key."})
    >>> print(feedback_text(o))  # doctest: +NORMALIZE_WHITESPACE
    Feedback on 03-blockade.ipynb for ana
    Score: 1 / 1
    <BLANKLINE>
    Task 03-a: 1 / 1
      Correct: `a` matches the answer key.
    <BLANKLINE>
    Problems found while running the notebook:
      - cell 4 raised KeyError: 'x'
    """
    lines = [
        f"Feedback on {outcome.notebook}.ipynb for {outcome.student}",
        f"Score: {_points(outcome.total)} / {_points(outcome.max)}",
        "",
    ]
    for task, score in outcome.scores.items():
        lines.append(f"Task {task}: {_points(score)} / {_points(outcome.max_scores.get(task, 0))}")
        lines.append(f"  {outcome.messages.get(task, '')}")
    if outcome.reasons:
        lines += ["", "Problems found while running the notebook:"]
        lines += [f"  - {part}" for part in outcome.reasons]
    return "\n".join(lines) + "\n"
