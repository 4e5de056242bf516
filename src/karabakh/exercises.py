"""Self-checks for the exercise notebooks.

Each task in ``exercises/NN-*.ipynb`` stores its answer in a variable, and the cell
after it calls :func:`check` with the task's id. ``check`` looks the variable up in the
notebook, compares it with the course's answer key (``data/exercise_checks.yaml``,
which holds fingerprints, not answers) and prints one line of feedback that starts with
"Correct", "Not yet" or "Not answered yet". It never shows a traceback.

For nbgrader users: with the environment variable ``KARABAKH_CHECK_RAISES=1`` a check
that is not correct raises ``AssertionError``, so ``nbgrader autograde`` can score the
check cells (they are nbgrader grade cells).

Examples
--------
>>> from karabakh.exercises import check
>>> blockade_days = ...
>>> check("03-blockade-days")  # doctest: +ELLIPSIS
Not answered yet: `blockade_days` still holds the placeholder `...`. Replace it...
"""

from __future__ import annotations

import os
import sys
from typing import Any

from karabakh import answer_key

__all__ = ["check", "evaluate"]

_LOOK_UP = object()


def evaluate(task_id: str, value: Any = answer_key.MISSING) -> answer_key.Result:
    """Check ``value`` as the answer to ``task_id`` and return the result (prints nothing).

    Never raises: an unknown task or a missing key gives a result whose message says so.

    Examples
    --------
    >>> evaluate("03-blockade-days", None).status
    'unanswered'
    >>> evaluate("no-such-task", 1).message
    "Not yet: there is no task called 'no-such-task'. Check the spelling in the check cell."
    """
    try:
        tasks = answer_key.load_key().tasks
    except FileNotFoundError:
        return answer_key.Result(
            task_id,
            "incorrect",
            0,
            0,
            "Not yet checked: the course's answer key (data/exercise_checks.yaml) is missing. "
            "Open this notebook from a full copy of the course.",
        )
    except ValueError as exc:
        return answer_key.Result(
            task_id, "incorrect", 0, 0, f"Not yet: the answer key could not be read ({exc})"
        )
    if task_id not in tasks:
        return answer_key.Result(
            str(task_id),
            "incorrect",
            0,
            0,
            f"Not yet: there is no task called {task_id!r}. Check the spelling in the check cell.",
        )
    task = tasks[task_id]
    return answer_key.evaluate(task, value)


def check(task_id: str, value: Any = _LOOK_UP) -> None:
    """Print feedback on the answer to one task.

    Parameters
    ----------
    task_id : str
        The task's id, as written in the check cell (``"03-blockade-days"``).
    value : object, optional
        The answer. By default ``check`` reads the task's answer variable from the
        notebook (``blockade_days`` for ``"03-blockade-days"``), so a variable that
        was never assigned gives "Not answered yet" instead of a ``NameError``.

    Examples
    --------
    >>> check("03-blockade-days", "two hundred")  # doctest: +ELLIPSIS
    Not yet: `blockade_days` is the text 'two hundred'; give a number, without quotes...
    """
    if value is _LOOK_UP:
        value = answer_key.MISSING
        try:
            name = answer_key.load_key().task(task_id).answer
            caller = sys._getframe(1).f_globals
            value = caller.get(name, answer_key.MISSING)
        except (FileNotFoundError, ValueError):
            pass  # evaluate() explains what is wrong
    result = evaluate(task_id, value)
    print(result.message)
    if os.environ.get("KARABAKH_CHECK_RAISES") == "1" and result.status != "correct":
        raise AssertionError(result.message)
