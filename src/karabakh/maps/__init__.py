"""Maps of the course, built from ``data/``, each with a text alternative.

Every map is a ``folium.Map`` (returned, never displayed: make it the last expression of
a cell to show it). Each one has a text alternative, a DataFrame of the same features,
for readers who cannot use a map and for static views: show it in the next cell.

- :func:`names` lists the maps.
- :func:`build` returns a map.
- :func:`features` returns its text alternative.

Place labels follow ``naming``: both usages by default (Stepanakert / Khankendi), or the
Armenian or the Azerbaijani usage on request; the legend says which. Coordinates come
only from ``data/places.csv`` and ``data/routes.geojson``; a feature without a verified
coordinate is listed in the text alternative and the legend, never guessed.

Examples
--------
>>> from karabakh import maps
>>> maps.names()
['regional', 'ceasefire-2020', 'lachin-corridor', 'zangezur', 'events']
>>> m = maps.build("lachin-corridor")
>>> table = maps.features("lachin-corridor")
>>> table.loc[~table["plotted"], "label"].tolist()
['Checkpoint at the Hakari bridge (Lachin road checkpoint)']
"""

from __future__ import annotations

import os
from typing import Any

import folium
import pandas as pd

from karabakh.maps import catalogue, drawing
from karabakh.maps.catalogue import NAMINGS

__all__ = ["NAMINGS", "SELF_CONTAINED_ENV", "names", "build", "features"]

#: Environment variable read when ``build(..., self_contained=None)``: "1" inlines everything.
SELF_CONTAINED_ENV = "KARABAKH_MAPS_SELF_CONTAINED"

#: Columns of the text alternative, in order.
COLUMNS = [
    "layer",
    "label",
    "kind",
    "place",
    "dates",
    "lat",
    "lon",
    "path",
    "approximate",
    "approximate_note",
    "plotted",
    "why_not_plotted",
    "description",
    "source_ids",
    "start",
    "end",
    "geometry",
    "id",
]


def names() -> list[str]:
    """Return the names of the course's maps.

    Examples
    --------
    >>> "events" in names()
    True
    """
    return list(catalogue.MAPS)


def _self_contained_default() -> bool:
    value = os.environ.get(SELF_CONTAINED_ENV, "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return False
    if value in {"1", "true", "yes", "on"}:
        return True
    raise ValueError(
        f"{SELF_CONTAINED_ENV}={os.environ[SELF_CONTAINED_ENV]!r} is not understood: set it to 1 "
        "(inline Leaflet and friends, for offline use) or 0."
    )


def build(
    name: str,
    naming: str = "both",
    self_contained: bool | None = None,
    period: Any = None,
) -> folium.Map:
    """Return the map ``name`` as a ``folium.Map`` (it is not displayed).

    Parameters
    ----------
    name : str
        One of :func:`names`: ``"regional"``, ``"ceasefire-2020"``, ``"lachin-corridor"``,
        ``"zangezur"`` or ``"events"``.
    naming : {"both", "armenian", "azerbaijani"}, default "both"
        Place labels: both usages where they differ (Stepanakert / Khankendi), the
        Armenian usage (Stepanakert) or the Azerbaijani usage (Xankəndi). The legend
        explains the choice.
    self_contained : bool or None, default None
        True inlines Leaflet, jQuery and any plugin's files (from ``karabakh/vendor``), so
        the map works with no network (the background tiles stay blank offline). None
        reads the environment variable ``KARABAKH_MAPS_SELF_CONTAINED`` ("1" means True).
    period : str or (start, end), optional
        Show only features whose dates overlap this period, e.g. ``"2023"`` or
        ``("2020-11-10", "2024-06-12")``; ``None`` in a pair leaves that end open.

    Returns
    -------
    folium.Map
        With its layers in a layer control, a legend, a scale and the tile attribution.

    Raises
    ------
    ValueError
        For an unknown map name or naming mode (the message lists the choices), or a
        period that cannot be read.

    Examples
    --------
    >>> m = build("regional", naming="azerbaijani")
    >>> "Xankəndi" in m.get_root().render()
    True
    >>> build("karabakh")
    Traceback (most recent call last):
    ...
    ValueError: Unknown map 'karabakh'. The maps are: regional, ceasefire-2020, lachin-corridor, zangezur, events.
    """
    catalogue.check_name(name)
    catalogue.check_naming(naming)
    if self_contained is None:
        self_contained = _self_contained_default()
    return drawing.draw(name, naming=naming, self_contained=bool(self_contained), period=period)


def features(name: str, naming: str = "both", period: Any = None) -> pd.DataFrame:
    """Return the text alternative of a map: one row per feature, drawn or not.

    Columns: ``layer``, ``label``, ``kind``, ``place``, ``dates``, ``lat``, ``lon`` (NaN
    for lines and for features without a verified coordinate), ``path`` (the places a
    line passes), ``approximate`` and ``approximate_note`` (why), ``plotted``, ``why_not_plotted``, ``description``,
    ``source_ids``, then ``start``, ``end``, ``geometry`` and ``id``.

    Parameters
    ----------
    name, naming, period
        As for :func:`build`.

    Examples
    --------
    >>> table = features("regional", naming="armenian")
    >>> table.set_index("id").loc["site:pk_hq", "place"]
    'Stepanakert'
    >>> bool(table.loc[~table["plotted"], "why_not_plotted"].str.startswith("no verified coordinate").all())
    True
    """
    rows = []
    for f in catalogue.collect(name, naming=naming, period=period):
        rows.append(
            {
                "layer": f.layer,
                "label": f.label,
                "kind": f.kind,
                "place": f.place,
                "dates": f.dates,
                "lat": f.lat if f.geometry == "point" else float("nan"),
                "lon": f.lon if f.geometry == "point" else float("nan"),
                "path": f.path,
                "approximate": bool(f.approximate),
                "approximate_note": f.approximate_note,
                "plotted": bool(f.plotted),
                "why_not_plotted": f.why_not_plotted,
                "description": f.description,
                "source_ids": f.source_ids,
                "start": f.start,
                "end": f.end,
                "geometry": f.geometry,
                "id": f.id,
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["start"] = pd.to_datetime(table["start"])
    table["end"] = pd.to_datetime(table["end"])
    return table
