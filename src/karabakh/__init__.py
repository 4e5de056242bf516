"""Helper package of the course on the Russian peacekeeping mission in Nagorno-Karabakh.

Submodules (imported on first use, so ``import karabakh`` does no work):

- :mod:`karabakh.data`: validated datasets (``data.load("timeline")``)
- :mod:`karabakh.citations`: citations and reference tables from source ids
- :mod:`karabakh.quiz`: question banks, grading and quiz widgets
- :mod:`karabakh.maps`: folium maps with text alternatives
- :mod:`karabakh.exercises`: self-checks for the exercise notebooks
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["citations", "data", "exercises", "maps", "paths", "quiz"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f"karabakh.{name}")
    raise AttributeError(f"module 'karabakh' has no attribute {name!r}")
