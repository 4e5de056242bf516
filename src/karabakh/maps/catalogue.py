"""Which features each map has (as data), and how they are read from ``data/``.

:data:`MAPS` declares every map: its title, its layers and its notes. Each layer entry
says where its features come from (``russian_military``, ``routes``, ``places``,
``timeline``), which rows it takes, and how they are labelled. No coordinate is typed
here: points come from ``data/places.csv`` and lines from ``data/routes.geojson``. The
one derived shape, the 5 km Lachin corridor band, is computed from the 2020 road line and
the width in point 6 of the statement, and labelled approximate.

:func:`collect` turns a map's entries into :class:`Feature` objects. The map
(:mod:`karabakh.maps.drawing`) and its text alternative (:func:`karabakh.maps.features`)
are both made from that one list, so they always show the same features.

Examples
--------
>>> sorted(MAPS)[:2]
['ceasefire-2020', 'events']
>>> feats = collect("lachin-corridor", naming="armenian")
>>> [f.label for f in feats if f.id == "place:shusha"]
['Shushi']
>>> [f.plotted for f in feats if f.id.startswith("event:T036")]
[False]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from karabakh import citations, data
from karabakh.maps import geometry, style

NAMINGS = ("both", "armenian", "azerbaijani")

#: Place-name column used for each naming mode (falls back to ``name_en`` when empty).
NAME_COLUMNS = {"both": "name_en", "armenian": "name_hy", "azerbaijani": "name_az"}


@dataclass
class Feature:
    """One feature of a map: a point, a line, a band, or a feature that is not drawn."""

    id: str
    layer: str
    kind: str
    label: str
    geometry: str  # "point", "line", "band" or "none"
    style_key: str  # key of style.KIND_COLOURS or style.PHASE_COLOURS
    place: str = ""
    lat: float = math.nan
    lon: float = math.nan
    coords: list[tuple[float, float]] = field(default_factory=list)
    path: str = ""
    start: pd.Timestamp = pd.NaT
    end: pd.Timestamp = pd.NaT
    dates: str = ""
    approximate: bool = False
    approximate_note: str = ""
    plotted: bool = True
    why_not_plotted: str = ""
    description: str = ""
    source_ids: str = ""
    group: bool = False  # one marker standing for a group of sites

    @property
    def colour(self) -> str:
        """Fill or line colour of the feature."""
        if self.style_key in style.PHASE_COLOURS:
            return style.PHASE_COLOURS[self.style_key]
        return style.KIND_COLOURS[self.style_key]


# --------------------------------------------------------------------------- the catalogue

#: Every map: title, short summary, layers (entries read by :func:`collect`) and notes.
#: Entry keys: ``from`` (dataset or "band"/"unmapped"), ``ids`` (rows to take),
#: ``layer`` (layer name) or ``layer_by`` (a column naming the layer), optional ``label``
#: (a template with ``{place}``), ``kind``, ``style``, ``approximate`` (why a point is only
#: approximate), ``note`` and ``source_ids`` (added to the row's), ``contested`` (a
#: ``claim_id`` of ``data/contested.csv`` whose versions are added to the description).
MAPS: dict[str, dict[str, Any]] = {
    "regional": {
        "title": "Russia's military presence in the South Caucasus, 2020–2024",
        "summary": (
            "Russian bases in Armenia and in Georgia's breakaway regions, the peacekeeping sites in "
            "Nagorno-Karabakh, the Russian-Turkish monitoring centre and the border guards at "
            "Zvartnots airport, with their opening and closing dates."
        ),
        "layers": [
            {"from": "russian_military", "layer_by": "mission"},
        ],
        "notes": [
            (
                "Abkhazia and South Ossetia are internationally recognised as part of Georgia; the "
                "course lists the 4th and 7th bases as in Georgia.",
                "S141;S115",
            ),
        ],
    },
    "ceasefire-2020": {
        "title": "The ceasefire statement of November 2020: handovers, peacekeepers, Lachin corridor",
        "summary": (
            "The three districts handed over to Azerbaijan under the statement, where the Russian "
            "peacekeepers were based, and the 5 km Lachin corridor."
        ),
        "layers": [
            {
                "from": "timeline",
                "ids": ["T018", "T019", "T020"],
                "layer": "Districts handed over (November–December 2020)",
                "kind": "district handed over",
                "label": "District handed over: {place}",
                "approximate": (
                    "The marker stands at the district's main town; district boundaries are not drawn "
                    "(the course has no verified boundary)."
                ),
            },
            {"from": "routes", "ids": ["lachin_road_2020"], "layer": "Lachin corridor (from November 2020)"},
            {
                "from": "band",
                "id": "lachin_corridor_band",
                "route": "lachin_road_2020",
                "between": ("zabukh", "shusha"),
                "width_km": 5.0,
                "layer": "Lachin corridor (from November 2020)",
                "label": "Lachin corridor, 5 km wide (approximate band)",
                "description": (
                    "Point 6 of the statement: a corridor 5 km wide, under the peacekeepers' control, "
                    "not including Shusha / Shushi. Drawn as 2.5 km each side of the approximate 2020 "
                    "road line between {zabukh} and {shusha}: the border crossing west of {zabukh} and "
                    "the corridor's end near {shusha} have no verified coordinates, and the band does "
                    "not cut out {shusha} itself."
                ),
                "source_ids": "S1;S2;S3",
            },
            {
                "from": "russian_military",
                "ids": ["pk_hq", "pk_khojaly", "pk_dadivank", "pk_lachin_posts"],
                "layer": "Russian peacekeepers (November 2020 – June 2024)",
            },
            {
                "from": "unmapped",
                "id": "pk_deployment_area",
                "layer": "Russian peacekeepers (November 2020 – June 2024)",
                "kind": "deployment area",
                "label": "Area where the peacekeepers deployed",
                "description": (
                    "Point 3 of the statement: 1,960 servicemen deploy along the line of contact in "
                    "Nagorno-Karabakh and along the Lachin corridor."
                ),
                "why_not_plotted": (
                    "no verified boundary: the course has no sourced outline of the line of contact or of "
                    "the area, so none is drawn (the sites above show where the contingent was based)"
                ),
                "source_ids": "S1;S2;S3;S5",
                "timeline": "T014",
            },
        ],
        "notes": [],
    },
    "lachin-corridor": {
        "title": "The Lachin corridor, 2020–2023",
        "summary": (
            "The original road (November 2020 – August 2022), the 2022 bypass, the blockade from "
            "December 2022, the Hakari bridge checkpoint (April 2023) and the Kornidzor reception "
            "point (September 2023)."
        ),
        "layers": [
            {
                "from": "places",
                "ids": [
                    "goris",
                    "tegh",
                    "kornidzor",
                    "zabukh",
                    "lachin",
                    "hin_shen",
                    "mets_shen",
                    "shusha",
                    "stepanakert",
                ],
                "layer": "Towns and villages",
            },
            {"from": "routes", "ids": ["lachin_road_2020"], "layer": "Roads", "kind": "corridor road"},
            {"from": "routes", "ids": ["lachin_road_2022"], "layer": "Roads", "kind": "bypass road"},
            {
                "from": "timeline",
                "ids": ["T028"],
                "layer": "Events on the road",
                "label": "{place} taken over by Azerbaijan",
            },
            {
                "from": "timeline",
                "ids": ["T032"],
                "layer": "Events on the road",
                "label": "Blockade camp near {place}",
                "approximate": "The camp was near the town; the marker stands at the town's coordinate.",
                "contested": "blockade-framing",
            },
            {
                "from": "timeline",
                "ids": ["T036"],
                "layer": "Events on the road",
                "label": "Checkpoint at the {place}",
                "contested": "hakari-checkpoint",
            },
            {
                "from": "timeline",
                "ids": ["T046"],
                "layer": "Events on the road",
                "label": "Refugee reception point at {place}",
                "note": "Kornidzor was the reception point for people arriving from Karabakh in September 2023.",
                "source_ids": "S65;S128",
            },
            {
                "from": "russian_military",
                "ids": ["pk_lachin_posts"],
                "layer": "Russian peacekeepers",
            },
        ],
        "notes": [],
    },
    "zangezur": {
        "title": "The proposed Nakhchivan–Meghri–Horadiz link",
        "summary": (
            "The proposed transport link between mainland Azerbaijan and its Nakhchivan exclave "
            "through Armenia's Syunik province (Meghri), along the Soviet-era Aras valley railway."
        ),
        "layers": [
            {"from": "routes", "ids": ["nakhchivan_link"], "layer": "Proposed link"},
            {
                "from": "places",
                "ids": ["nakhchivan", "julfa", "ordubad", "meghri", "horadiz"],
                "layer": "Towns on the link",
            },
            {
                "from": "places",
                "ids": ["syunik"],
                "layer": "Syunik province",
                "kind": "region",
                "label": "{place}",
            },
            {
                "from": "timeline",
                "ids": ["T023"],
                "layer": "Towns on the link",
                "label": "Horadiz–Aghband railway begun ({place})",
            },
        ],
        "notes": [],
        "contested": ["zangezur-name"],
        "notes_open": True,  # the naming dispute is what this map is about
    },
    "events": {
        "title": "Located events of the course timeline",
        "summary": (
            "Every event of the course timeline that has a place, on a time slider: moving the slider "
            "shows the events up to that date, coloured by phase."
        ),
        "layers": [
            {"from": "timeline", "located": True, "layer_by": "phase"},
        ],
        "notes": [
            (
                "The slider is cumulative: an event stays on the map once it has happened. Events "
                "without a place in the timeline are not on this map (see data.load('timeline')).",
                "",
            ),
        ],
    },
}


# --------------------------------------------------------------------------- helpers


def _load(name: str) -> pd.DataFrame:
    return data.load(name)


def _text(value: Any) -> str:
    """Return a cell as text ('' for missing values)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, pd.Timestamp) and pd.isna(value):
        return ""
    return str(value)


def format_date(value: Any, precision: str | None) -> str:
    """Format a loaded date at its precision: ``2020-11-10``, ``2020-11`` or ``2009``.

    Examples
    --------
    >>> format_date(pd.Timestamp("2009-01-01"), "year")
    '2009'
    >>> format_date(pd.NaT, None)
    ''
    """
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    if precision == "year":
        return f"{ts.year:04d}"
    if precision == "month":
        return f"{ts.year:04d}-{ts.month:02d}"
    return ts.strftime("%Y-%m-%d")


def period_end(value: Any, precision: str | None) -> pd.Timestamp:
    """Last day of a date given at year, month or day precision (NaT stays NaT).

    Examples
    --------
    >>> period_end(pd.Timestamp("2020-11-01"), "month")
    Timestamp('2020-11-30 00:00:00')
    """
    if value is None or pd.isna(value):
        return pd.NaT
    ts = pd.Timestamp(value)
    if precision == "year":
        return pd.Timestamp(year=ts.year, month=12, day=31)
    if precision == "month":
        return ts + pd.offsets.MonthEnd(0)
    return ts


def date_range(start: str, end: str, open_word: str = "since") -> str:
    """Join two formatted dates: ``a – b``, ``since a`` (open end), or ``a`` (one date).

    An empty ``open_word`` gives just ``a`` when there is no end (a one-day event).

    Examples
    --------
    >>> date_range("2020-11-10", "2024-06-12"), date_range("1994", ""), date_range("2022-12-12", "", "")
    ('2020-11-10 – 2024-06-12', 'since 1994', '2022-12-12')
    """
    if start and end:
        return start if start == end else f"{start} – {end}"
    if start:
        return f"{open_word} {start}".strip()
    return f"until {end}" if end else ""


class _Places:
    """Place lookups for one naming mode."""

    def __init__(self, naming: str) -> None:
        self.table = _load("places").set_index("id")
        self.column = NAME_COLUMNS[naming]

    def label(self, place_id: str) -> str:
        row = self.table.loc[place_id]
        return _text(row[self.column]) or _text(row["name_en"])

    def row(self, place_id: str) -> pd.Series:
        return self.table.loc[place_id]

    def point(self, place_id: str) -> tuple[float, float] | None:
        row = self.table.loc[place_id]
        if row["coordinate"] == "missing" or pd.isna(row["lat"]) or pd.isna(row["lon"]):
            return None
        return float(row["lat"]), float(row["lon"])


def _contested_text(claim_id: str) -> tuple[str, str]:
    """The versions of a contested point as one sentence each, and their source ids."""
    table = _load("contested")
    rows = table[table["claim_id"] == claim_id]
    if rows.empty:
        raise ValueError(f"unknown contested claim_id {claim_id!r}: see data/contested.csv")
    parts = [f"{r.according_to}: {r.version} [{r.source_ids.replace(';', ', ')}]" for r in rows.itertuples()]
    claim = rows["claim"].iloc[0]
    ids = ";".join(dict.fromkeys(i for r in rows.itertuples() for i in citations.split_ids(r.source_ids)))
    return f"{claim}. " + " ".join(parts), ids


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _merge_ids(*groups: str) -> str:
    return ";".join(dict.fromkeys(i for g in groups if g for i in citations.split_ids(g)))


def _point_feature(feature: Feature, places: _Places, place_id: str, forced_approx: str = "") -> Feature:
    """Fill position fields of ``feature`` from a place (or mark it not plotted)."""
    point = places.point(place_id)
    feature.place = places.label(place_id)
    if point is None:
        feature.geometry = "none"
        feature.plotted = False
        feature.why_not_plotted = f"no verified coordinate for {places.label(place_id)} (data/places.csv)"
        return feature
    feature.geometry = "point"
    feature.lat, feature.lon = point
    notes = []
    if forced_approx:
        notes.append(forced_approx)
    if places.row(place_id)["coordinate"] == "approximate":
        notes.append("Coordinate approximate (general reference knowledge, not re-checked).")
    feature.approximate = bool(notes)
    feature.approximate_note = " ".join(notes)
    return feature


# --------------------------------------------------------------------------- entry readers


def _from_russian_military(entry: dict, places: _Places) -> list[Feature]:
    table = _load("russian_military")
    if "ids" in entry:
        table = table.set_index("id").loc[entry["ids"]].reset_index()
    out = []
    for row in table.itertuples(index=False):
        start = format_date(row.opened, row.opened_precision)
        end = format_date(row.closed, row.closed_precision)
        layer = entry.get("layer") or _sentence_case(_text(getattr(row, entry["layer_by"])))
        feature = Feature(
            id=f"site:{row.id}",
            layer=layer,
            kind=row.kind,
            label=row.name,
            geometry="point",
            style_key=row.kind,
            start=row.opened,
            end=period_end(row.closed, row.closed_precision),
            dates=date_range(start, end),
            description=_text(row.note),
            source_ids=row.source_ids,
            group=row.place_id == "lachin_corridor_mid",
        )
        forced = ""
        if feature.group:
            forced = (
                "One marker stands for the whole group; individual post locations are not verified. "
                "It is drawn at the course's reference point of the corridor."
            )
        out.append(_point_feature(feature, places, row.place_id, forced))
    return out


def _from_routes(entry: dict, places: _Places) -> list[Feature]:
    table = _load("routes").set_index("id").loc[entry["ids"]].reset_index()
    out = []
    for row in table.itertuples(index=False):
        via = citations.split_ids(row.via)
        start = format_date(row.valid_from, row.valid_from_precision)
        end = format_date(row.valid_to, row.valid_to_precision)
        approx = bool(row.approximate)
        out.append(
            Feature(
                id=f"route:{row.id}",
                layer=entry["layer"],
                kind=entry.get("kind", row.kind),
                label=row.name,
                geometry="line",
                style_key=entry.get("kind", row.kind),
                coords=[(float(lat), float(lon)) for lat, lon in row.coordinates],
                path=" → ".join(places.label(p) for p in via),
                start=row.valid_from,
                end=period_end(row.valid_to, row.valid_to_precision),
                dates=date_range(start, end, open_word="from"),
                approximate=approx,
                approximate_note=(
                    "Approximate line: drawn straight between the towns it passes, not surveyed road geometry."
                    if approx
                    else ""
                ),
                description=_text(row.note),
                source_ids=row.source_ids,
            )
        )
    return out


def _from_places(entry: dict, places: _Places) -> list[Feature]:
    out = []
    for place_id in entry["ids"]:
        row = places.row(place_id)
        label = entry.get("label", "{place}").format(place=places.label(place_id))
        feature = Feature(
            id=f"place:{place_id}",
            layer=entry["layer"],
            kind=entry.get("kind", row["kind"]),
            label=label,
            geometry="point",
            style_key=entry.get("kind", "place"),
            description=_text(row["note"]),
            source_ids=row["source_ids"],
        )
        out.append(_point_feature(feature, places, place_id))
    return out


def _from_timeline(entry: dict, places: _Places) -> list[Feature]:
    table = _load("timeline")
    if "ids" in entry:
        table = table.set_index("id").loc[entry["ids"]].reset_index()
    if entry.get("located"):
        table = table[table["place_ids"].fillna("").str.len() > 0]
    contested, contested_ids = ("", "")
    if entry.get("contested"):
        contested, contested_ids = _contested_text(entry["contested"])
    out = []
    for row in table.itertuples(index=False):
        place_ids = citations.split_ids(_text(row.place_ids))
        if not place_ids:
            raise ValueError(f"timeline event {row.id} has no place_ids, so no map can show it")
        start = format_date(row.date, row.date_precision)
        end = format_date(row.end_date, row.end_date_precision)
        last = row.end_date if not pd.isna(row.end_date) else row.date
        last_precision = row.end_date_precision if not pd.isna(row.end_date) else row.date_precision
        # When the label is the event itself, the description only adds to it.
        event_text = row.event if "label" in entry else ""
        status = _text(row.status_note) and f"Status: {row.status_note}."
        description = " ".join(t for t in (_text(entry.get("note")), event_text, status, contested) if t)
        for place_id in place_ids:
            place = places.label(place_id)
            if entry.get("layer_by") == "phase":
                layer, style_key = style.PHASE_LABELS[row.phase], row.phase
            else:
                layer, style_key = entry["layer"], entry.get("kind", "event")
            feature = Feature(
                id=f"event:{row.id}:{place_id}",
                layer=layer,
                kind=entry.get("kind", "event"),
                label=entry["label"].format(place=place) if "label" in entry else row.event,
                geometry="point",
                style_key=style_key,
                start=row.date,
                end=period_end(last, last_precision),
                dates=date_range(start, end, open_word=""),
                description=description,
                source_ids=_merge_ids(row.source_ids, entry.get("source_ids", ""), contested_ids),
            )
            out.append(_point_feature(feature, places, place_id, entry.get("approximate", "")))
    return out


def _event_dates(timeline_id: str | None) -> tuple[pd.Timestamp, str]:
    if not timeline_id:
        return pd.NaT, ""
    row = _load("timeline").set_index("id").loc[timeline_id]
    return row["date"], format_date(row["date"], row["date_precision"])


def _from_band(entry: dict, places: _Places) -> list[Feature]:
    route = _load("routes").set_index("id").loc[entry["route"]]
    via = citations.split_ids(route["via"])
    first, last = (via.index(p) for p in entry["between"])
    line = [(float(a), float(b)) for a, b in route["coordinates"][first : last + 1]]
    ring = geometry.buffer_line(line, half_width_km=entry["width_km"] / 2)
    start_text = format_date(route["valid_from"], route["valid_from_precision"])
    names = {p: places.label(p) for p in via}
    return [
        Feature(
            id=f"band:{entry['id']}",
            layer=entry["layer"],
            kind="corridor band",
            label=entry["label"],
            geometry="band",
            style_key="corridor band",
            coords=ring,
            path=" → ".join(names[p] for p in via[first : last + 1]),
            start=route["valid_from"],
            end=period_end(route["valid_to"], route["valid_to_precision"]),
            dates=date_range(start_text, format_date(route["valid_to"], route["valid_to_precision"])),
            approximate=True,
            approximate_note=(
                f"Approximate band derived by the course: {entry['width_km'] / 2:g} km each side of an "
                "approximate road line; not a surveyed or agreed boundary."
            ),
            description=entry["description"].format(**names),
            source_ids=_merge_ids(entry["source_ids"], route["source_ids"]),
        )
    ]


def _from_unmapped(entry: dict, places: _Places) -> list[Feature]:
    start, start_text = _event_dates(entry.get("timeline"))
    return [
        Feature(
            id=f"text:{entry['id']}",
            layer=entry["layer"],
            kind=entry["kind"],
            label=entry["label"],
            geometry="none",
            style_key="event",
            start=start,
            dates=date_range(start_text, ""),
            plotted=False,
            why_not_plotted=entry["why_not_plotted"],
            description=entry["description"],
            source_ids=entry["source_ids"],
        )
    ]


_READERS = {
    "russian_military": _from_russian_military,
    "routes": _from_routes,
    "places": _from_places,
    "timeline": _from_timeline,
    "band": _from_band,
    "unmapped": _from_unmapped,
}


# --------------------------------------------------------------------------- public helpers


def check_naming(naming: str) -> str:
    """Return ``naming`` if it is a known naming mode, else raise ``ValueError``.

    Examples
    --------
    >>> check_naming("both")
    'both'
    """
    if naming not in NAMINGS:
        raise ValueError(
            f"Unknown naming {naming!r}: choose 'both' (both usages, e.g. Stepanakert / Khankendi), "
            "'armenian' (Armenian usage) or 'azerbaijani' (Azerbaijani usage)."
        )
    return naming


def check_name(name: str) -> str:
    """Return ``name`` if it is a map of the course, else raise ``ValueError`` listing the maps."""
    if not isinstance(name, str):
        raise TypeError(f"A map name is a string such as 'regional', not {type(name).__name__}.")
    if name not in MAPS:
        raise ValueError(f"Unknown map {name!r}. The maps are: {', '.join(MAPS)}.")
    return name


def parse_period(period: Any) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Turn ``period`` into (first day, last day), or ``None`` for "no limit".

    ``period`` is ``None``, a year / month / day string (``"2023"``, ``"2023-09"``,
    ``"2023-09-19"``) or a pair ``(start, end)`` of such strings, dates or ``None``
    (open end).

    Examples
    --------
    >>> parse_period("2023")
    (Timestamp('2023-01-01 00:00:00'), Timestamp('2023-12-31 00:00:00'))
    >>> parse_period(("2020-11", None))[1]
    Timestamp('2262-04-11 00:00:00')
    """
    if period is None:
        return None

    def one(value: Any, last: bool) -> pd.Timestamp:
        if value is None:
            return pd.Timestamp.max.normalize() if last else pd.Timestamp.min.ceil("D")
        if isinstance(value, str):
            text = value.strip()
            precision = {4: "year", 7: "month", 10: "day"}.get(len(text))
            try:
                ts = pd.Timestamp(text)
            except ValueError as exc:
                raise ValueError(
                    f"Cannot read {value!r} as a date: write 2023, 2023-09 or 2023-09-19."
                ) from exc
            if precision is None:
                raise ValueError(f"Cannot read {value!r} as a date: write 2023, 2023-09 or 2023-09-19.")
            return period_end(ts, precision) if last else ts
        try:
            return pd.Timestamp(value).normalize()
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"A period limit is a date or a string such as '2023-09', not {value!r}."
            ) from exc

    if isinstance(period, str):
        return one(period, False), one(period, True)
    if isinstance(period, (tuple, list)) and len(period) == 2:
        start, end = one(period[0], False), one(period[1], True)
        if start > end:
            raise ValueError(f"The period starts after it ends: {period!r}.")
        return start, end
    raise TypeError(
        f"period is None, a date string such as '2023' or '2023-09', or a pair (start, end), not {period!r}."
    )


def _in_period(feature: Feature, period: tuple[pd.Timestamp, pd.Timestamp] | None) -> bool:
    if period is None or pd.isna(feature.start):
        return True
    end = feature.end if not pd.isna(feature.end) else pd.Timestamp.max
    return feature.start <= period[1] and end >= period[0]


def collect(name: str, naming: str = "both", period: Any = None) -> list[Feature]:
    """Return the features of a map, in drawing order.

    Parameters
    ----------
    name : str
        One of the map names (:data:`MAPS`).
    naming : {"both", "armenian", "azerbaijani"}
        Which usage of place names the labels follow.
    period : optional
        Keep only features whose dates overlap this period (see :func:`parse_period`).

    Examples
    --------
    >>> [f.label for f in collect("regional") if f.kind == "border guards"]
    ['Russian FSB border guards at Zvartnots airport']
    """
    check_name(name)
    check_naming(naming)
    limits = parse_period(period)
    places = _Places(naming)
    out: list[Feature] = []
    for entry in MAPS[name]["layers"]:
        out += _READERS[entry["from"]](entry, places)
    return [f for f in out if _in_period(f, limits)]


def notes(name: str) -> list[tuple[str, str]]:
    """The map's own notes for the legend: (text, source ids).

    Examples
    --------
    >>> text, ids = notes("regional")[0]
    >>> "part of Georgia" in text, ids
    (True, 'S141;S115')
    """
    check_name(name)
    return list(MAPS[name].get("notes", []))


def contested_points(name: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The contested points a map's legend explains: (claim, [(according to, version, ids)]).

    Examples
    --------
    >>> claim, versions = contested_points("zangezur")[0]
    >>> claim, versions[1][0]
    ('The name "Zangezur corridor"', 'Armenia')
    """
    check_name(name)
    table = _load("contested")
    out = []
    for claim_id in MAPS[name].get("contested", []):
        rows = table[table["claim_id"] == claim_id]
        if rows.empty:
            raise ValueError(f"unknown contested claim_id {claim_id!r}: see data/contested.csv")
        versions = [(r.according_to, r.version, r.source_ids) for r in rows.itertuples()]
        out.append((rows["claim"].iloc[0], versions))
    return out


def naming_note(naming: str) -> tuple[str, str]:
    """Explain the naming mode in one sentence, with an example from the data, and its sources.

    Examples
    --------
    >>> naming_note("azerbaijani")[0].startswith("Place names: Azerbaijani usage")
    True
    """
    check_naming(naming)
    places = _Places(naming)
    example = places.label("stepanakert") if "stepanakert" in places.table.index else ""
    ex = f" (e.g. {example})" if example else ""
    text = {
        "both": f"Place names: both usages where they differ{ex}.",
        "armenian": f"Place names: Armenian usage{ex}; English name where none is recorded.",
        "azerbaijani": f"Place names: Azerbaijani usage{ex}; English name where none is recorded.",
    }[naming]
    return text, "S144"


#: Why names are shown as they are (for the legend's "About this map").
NAMING_CONVENTION = (
    "Names differ with usage, and the choice of a name can signal a side. The course gives both "
    "usages by default; build(..., naming='armenian') or naming='azerbaijani' shows one usage "
    "(Armenian usage in Latin letters)."
)
