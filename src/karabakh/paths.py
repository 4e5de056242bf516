"""Where the course's folders are, whatever the working directory.

The course is installed in development mode (``pip install -e .``), so the package
lives in ``src/karabakh`` inside the repository and the folders ``data/``,
``notebooks/``, ``solutions/`` and ``exercises/`` sit two levels above it. Set the
environment variable ``KARABAKH_HOME`` to point at another copy of the course.

Examples
--------
>>> from karabakh import paths
>>> (paths.data_dir() / "sources.csv").is_file()
True
"""

from __future__ import annotations

import os
from pathlib import Path

#: The lessons in order: notebooks/<stem>.ipynb, data/quizzes/<stem>.yaml and, from 01 on,
#: solutions/<stem>.ipynb and exercises/<stem>.ipynb.
LESSON_STEMS = (
    "00-start-here",
    "01-war-and-statement",
    "02-mandate-and-corridor",
    "03-blockade",
    "04-offensive-and-exodus",
    "05-withdrawal",
    "06-comparing-the-readings",
)
#: The lessons that have an exercise notebook.
EXERCISE_STEMS = LESSON_STEMS[1:]

PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = PACKAGE_DIR / "schemas"


def course_root() -> Path:
    """Return the root folder of the course (the one holding ``data/``).

    Raises
    ------
    FileNotFoundError
        If neither ``KARABAKH_HOME`` nor the repository layout leads to ``data/``.
    """
    env = os.environ.get("KARABAKH_HOME")
    candidates = [Path(env).expanduser()] if env else []
    candidates += [PACKAGE_DIR.parents[1], Path.cwd(), *Path.cwd().parents]
    for candidate in candidates:
        if (candidate / "data" / "sources.csv").is_file():
            return candidate.resolve()
    raise FileNotFoundError(
        "Cannot find the course's data/ folder. Install the course with "
        "`pip install -e .` from a clone of the repository, or set KARABAKH_HOME "
        "to the folder that contains data/."
    )


def data_dir() -> Path:
    """Return the ``data/`` folder."""
    return course_root() / "data"


def quizzes_dir() -> Path:
    """Return the folder of question banks, ``data/quizzes/``."""
    return data_dir() / "quizzes"


def notebooks_dir() -> Path:
    """Return the lesson folder, ``notebooks/``."""
    return course_root() / "notebooks"


def solutions_dir() -> Path:
    """Return the instructor's source folder, ``solutions/``."""
    return course_root() / "solutions"


def exercises_dir() -> Path:
    """Return the generated student folder, ``exercises/``."""
    return course_root() / "exercises"


#: Public home of the course (used for Binder and nbgitpuller links). Change it in a fork.
REPOSITORY_URL = "https://github.com/open-history-notebooks/karabakh-peacekeeping"
#: Branch that Binder and class hubs check out.
BRANCH = "main"


def binder_url(notebook: str = "notebooks/00-start-here.ipynb") -> str:
    """Return the Binder link that opens ``notebook`` in JupyterLab.

    Examples
    --------
    >>> binder_url().endswith("?urlpath=lab/tree/notebooks/00-start-here.ipynb")
    True
    """
    owner_repo = REPOSITORY_URL.removeprefix("https://github.com/")
    return f"https://mybinder.org/v2/gh/{owner_repo}/{BRANCH}?urlpath=lab/tree/{notebook}"
