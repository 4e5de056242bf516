"""Load the course's datasets, validated and typed.

This module is the only reader of ``data/*.csv`` and ``data/*.geojson``. Each dataset
is declared once, in ``schemas/datasets.yaml``: its columns, their types, units and
descriptions, and which may not be empty. Every load checks the file against that
declaration and collects *all* problems before raising one :class:`DataError`.

Examples
--------
>>> from karabakh import data
>>> timeline = data.load("timeline")
>>> timeline["date"].dtype.kind   # dates are dates
'M'
>>> "sources" in data.names()
True
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from karabakh import paths

__all__ = ["DataError", "Problem", "load", "read", "names", "schema", "describe"]

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TYPES = {"string", "integer", "float", "boolean", "date", "id", "id_list"}
_COLUMN_KEYS = {
    "type",
    "required",
    "unique",
    "pattern",
    "values",
    "min",
    "max",
    "max_words",
    "unit",
    "description",
    "references",
}


@dataclass(frozen=True)
class Problem:
    """One problem found in a data file.

    Parameters
    ----------
    file : str
        The file, relative to the course root where possible.
    row : int or None
        Row as a spreadsheet shows it (the header is row 1), or the feature number
        (from 1) in a GeoJSON file; None for a problem with the whole file.
    column : str or None
        The column (or GeoJSON property) concerned.
    message : str
        What is wrong, in plain words.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class DataError(ValueError):
    """Raised when a data file does not match its declaration.

    The message lists every problem found, each with its file, row and column;
    :attr:`problems` holds them as :class:`Problem` objects.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found in the course data"
        lines = [head + " (rows are numbered as in a spreadsheet: the header is row 1):"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------- schemas


@lru_cache(maxsize=1)
def _declarations() -> dict[str, Any]:
    with open(paths.SCHEMA_DIR / "datasets.yaml", encoding="utf-8") as handle:
        declared = yaml.safe_load(handle)
    if declared.get("schema_version") != 1:
        raise ValueError("schemas/datasets.yaml: unsupported schema_version (expected 1)")
    for name, spec in declared["datasets"].items():
        for column, col in spec["columns"].items():
            unknown = set(col) - _COLUMN_KEYS
            if unknown:
                raise ValueError(
                    f"schemas/datasets.yaml: dataset '{name}', column '{column}' has unknown "
                    f"key(s) {sorted(map(str, unknown))}; allowed: {sorted(_COLUMN_KEYS)}"
                )
            if col.get("type") not in _TYPES:
                raise ValueError(
                    f"schemas/datasets.yaml: dataset '{name}', column '{column}' has "
                    f"unknown type {col.get('type')!r}; choose from {sorted(_TYPES)}"
                )
    return declared["datasets"]


def names() -> list[str]:
    """Return the names of the datasets, in the order they are declared.

    Examples
    --------
    >>> names()[:3]
    ['sources', 'timeline', 'places']
    """
    return list(_declarations())


def schema(name: str) -> dict[str, Any]:
    """Return the declaration of one dataset (file, description, columns).

    Raises
    ------
    ValueError
        If there is no dataset of that name.
    """
    declared = _declarations()
    if not isinstance(name, str):
        raise TypeError(f"a dataset name is a string, not {type(name).__name__}")
    if name not in declared:
        raise ValueError(f"No dataset called {name!r}. Choose from: {', '.join(declared)}.")
    return declared[name]


def describe(name: str) -> pd.DataFrame:
    """Return a table of a dataset's columns: type, unit, required, description.

    Examples
    --------
    >>> describe("places").loc["lat", "unit"]
    'degrees north (WGS84)'
    """
    rows = []
    for column, col in schema(name)["columns"].items():
        rows.append(
            {
                "column": column,
                "type": col["type"],
                "unit": col.get("unit", ""),
                "required": bool(col.get("required", False)),
                "description": col.get("description", ""),
            }
        )
    return pd.DataFrame(rows).set_index("column")


# --------------------------------------------------------------------------- reading


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.course_root()))
    except (ValueError, FileNotFoundError):
        return str(path)


def _read_records(path: Path, spec: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Any], str]:
    """Return (records, geometries, row_label_offset_kind) or raise DataError."""
    shown = _display_path(path)
    if not path.is_file():
        raise DataError([Problem(shown, None, None, "file not found")])
    if spec.get("format") == "geojson":
        try:
            collection = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError([Problem(shown, None, None, f"not valid JSON ({exc})")]) from None
        features = collection.get("features") if isinstance(collection, dict) else None
        if not isinstance(features, list):
            raise DataError([Problem(shown, None, None, "not a GeoJSON FeatureCollection")])
        records = [f.get("properties") or {} if isinstance(f, dict) else {} for f in features]
        geometries = [f.get("geometry") if isinstance(f, dict) else None for f in features]
        return records, geometries, "feature"
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            records = []
            for record in reader:
                if None in record:  # more fields than the header
                    record["__extra__"] = record.pop(None)
                records.append(record)
            header = reader.fieldnames or []
    except UnicodeDecodeError as exc:
        raise DataError([Problem(shown, None, None, f"not UTF-8 text ({exc})")]) from None
    except csv.Error as exc:
        raise DataError([Problem(shown, None, None, f"not a readable CSV file ({exc})")]) from None
    return records, [tuple(header)], "row"


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _parse_date(text: str) -> tuple[pd.Timestamp, str]:
    match = _DATE_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = match.groups()
    precision = "day" if day else "month" if month else "year"
    try:
        stamp = pd.Timestamp(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date") from None
    return stamp, precision


def _convert(value: Any, col: dict[str, Any]) -> Any:
    """Convert one non-empty raw value; raise ValueError with a plain message."""
    kind = col["type"]
    text = value.strip() if isinstance(value, str) else value
    if kind in ("string", "id"):
        if not isinstance(text, str):
            raise ValueError(f"expected text, found {text!r}")
        if "values" in col and text not in col["values"]:
            raise ValueError(f"{text!r} is not allowed; choose from: {', '.join(col['values'])}")
        if "pattern" in col and not re.fullmatch(col["pattern"], text):
            raise ValueError(f"{text!r} does not have the expected form ({col['pattern']})")
        if "max_words" in col and len(text.split()) > col["max_words"]:
            raise ValueError(f"has {len(text.split())} words; at most {col['max_words']} are allowed")
        return text
    if kind == "id_list":
        if not isinstance(text, str):
            raise ValueError(f"expected ids separated by ';', found {text!r}")
        parts = [p.strip() for p in text.split(";")]
        if any(p == "" for p in parts):
            raise ValueError(f"{text!r} has an empty id (check the ';' separators)")
        return ";".join(parts)
    if kind == "integer":
        if isinstance(text, bool) or not re.fullmatch(r"-?\d+", str(text)):
            raise ValueError(f"{text!r} is not a whole number")
        number = int(text)
    elif kind == "float":
        if isinstance(text, bool):
            raise ValueError(f"{text!r} is not a number")
        try:
            number = float(text)
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not a number") from None
        if math.isnan(number) or math.isinf(number):
            raise ValueError(f"{text!r} is not a finite number")
    elif kind == "boolean":
        if isinstance(text, bool):
            return text
        lowered = str(text).lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return lowered == "true"
    elif kind == "date":
        return _parse_date(str(text))
    else:  # pragma: no cover - guarded in _declarations
        raise ValueError(f"unknown type {kind}")
    low, high = col.get("min"), col.get("max")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{text} is out of range [{low}, {high}]")
    return number


def _validate(
    path: Path, spec: dict[str, Any], known_ids: dict[str, set[str]]
) -> tuple[pd.DataFrame, list[Problem]]:
    shown = _display_path(path)
    records, extra, unit = _read_records(path, spec)
    columns: dict[str, dict[str, Any]] = spec["columns"]
    problems: list[Problem] = []
    geojson = spec.get("format") == "geojson"
    first = 1 if geojson else 2  # spreadsheet rows: header is row 1

    if not geojson:
        header = extra[0]
        missing = [c for c in columns if c not in header]
        unknown = [c for c in header if c not in columns]
        for column in missing:
            problems.append(Problem(shown, 1, column, "missing column"))
        for column in unknown:
            problems.append(Problem(shown, 1, column, "unknown column (not in the schema)"))
        if not records:
            problems.append(Problem(shown, None, None, "the file has no data rows"))

    out: dict[str, list[Any]] = {c: [] for c in columns}
    precisions: dict[str, list[Any]] = {c: [] for c, col in columns.items() if col["type"] == "date"}
    seen: dict[str, dict[Any, int]] = {c: {} for c, col in columns.items() if col.get("unique")}

    for index, record in enumerate(records):
        row = index + first
        label = row
        if "__extra__" in record:
            problems.append(Problem(shown, label, None, "more fields than the header has columns"))
        if geojson:
            for prop in record:
                if prop not in columns:
                    problems.append(Problem(shown, label, prop, "unknown property (not in the schema)"))
        for column, col in columns.items():
            raw = record.get(column)
            value: Any = None
            precision: Any = None
            if _is_empty(raw):
                column_present = geojson or column in extra[0]
                if col.get("required") and column_present:
                    problems.append(Problem(shown, label, column, "required field is empty"))
            else:
                try:
                    value = _convert(raw, col)
                except ValueError as exc:
                    problems.append(Problem(shown, label, column, str(exc)))
                    value = None
                if value is not None and col["type"] == "date":
                    value, precision = value
                if value is not None and col["type"] in ("id", "id_list"):
                    target = col["references"]
                    ids = value.split(";")
                    unknown_ids = [i for i in ids if i not in known_ids.get(target, set())]
                    if unknown_ids:
                        problems.append(
                            Problem(
                                shown,
                                label,
                                column,
                                f"unknown {target} id{'s' if len(unknown_ids) > 1 else ''}: "
                                f"{', '.join(unknown_ids)} (not in data/{_declarations()[target]['file']})",
                            )
                        )
                if value is not None and column in seen:
                    if value in seen[column]:
                        problems.append(
                            Problem(
                                shown,
                                label,
                                column,
                                f"duplicate id {value!r} (already used in row {seen[column][value]})",
                            )
                        )
                    else:
                        seen[column][value] = label
            out[column].append(value)
            if column in precisions:
                precisions[column].append(precision)

    frame = _to_frame(out, precisions, columns)
    if geojson:
        problems += _check_geometries(shown, spec, extra, frame)
    for check in spec.get("checks", []):
        problems += _CHECKS[check](shown, frame, first)
    return frame, problems


def _to_frame(
    out: dict[str, list[Any]], precisions: dict[str, list[Any]], columns: dict[str, Any]
) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for column, col in columns.items():
        values = out[column]
        kind = col["type"]
        if kind == "date":
            data[column] = pd.to_datetime(pd.Series(values, dtype="object"))
            data[f"{column}_precision"] = pd.Series(precisions[column], dtype="object")
        elif kind == "float":
            data[column] = pd.Series([math.nan if v is None else v for v in values], dtype="float64")
        elif kind == "integer":
            data[column] = pd.Series(values, dtype="Int64")
        elif kind == "boolean":
            data[column] = pd.Series(values, dtype="boolean")
        else:
            data[column] = pd.Series(["" if v is None else v for v in values], dtype="object")
    return pd.DataFrame(data)


def _check_geometries(
    shown: str, spec: dict[str, Any], geometries: list[Any], frame: pd.DataFrame
) -> list[Problem]:
    problems: list[Problem] = []
    wanted = spec.get("geometry", "LineString")
    coords_col: list[Any] = []
    for index, geometry in enumerate(geometries):
        label = index + 1
        points: list[tuple[float, float]] = []
        if not isinstance(geometry, dict) or geometry.get("type") != wanted:
            problems.append(Problem(shown, label, "geometry", f"expected a {wanted} geometry"))
        else:
            raw = geometry.get("coordinates")
            if not isinstance(raw, list) or len(raw) < 2:
                problems.append(Problem(shown, label, "geometry", "a line needs at least two points"))
                raw = []
            for number, point in enumerate(raw, start=1):
                ok = (
                    isinstance(point, list)
                    and len(point) >= 2
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point[:2])
                )
                if not ok:
                    problems.append(
                        Problem(shown, label, "geometry", f"point {number} is not [longitude, latitude]")
                    )
                    continue
                lon, lat = float(point[0]), float(point[1])
                if not -90 <= lat <= 90:
                    problems.append(
                        Problem(
                            shown,
                            label,
                            "geometry",
                            f"point {number}: latitude {lat} is out of range [-90, 90]",
                        )
                    )
                if not -180 <= lon <= 180:
                    problems.append(
                        Problem(
                            shown,
                            label,
                            "geometry",
                            f"point {number}: longitude {lon} is out of range [-180, 180]",
                        )
                    )
                points.append((lat, lon))
        coords_col.append(points)
    frame["coordinates"] = pd.Series(coords_col, dtype="object")
    return problems


def _check_coordinates_match_flag(shown: str, frame: pd.DataFrame, first: int) -> list[Problem]:
    problems = []
    for index, row in frame.iterrows():
        has_lat, has_lon = not pd.isna(row["lat"]), not pd.isna(row["lon"])
        label = int(index) + first
        if has_lat != has_lon:
            problems.append(
                Problem(shown, label, "lon" if has_lat else "lat", "give both lat and lon, or neither")
            )
        elif row["coordinate"] == "missing" and has_lat:
            problems.append(Problem(shown, label, "coordinate", "says 'missing' but lat/lon are given"))
        elif row["coordinate"] in ("sourced", "approximate") and not has_lat:
            problems.append(
                Problem(
                    shown,
                    label,
                    "lat",
                    f"coordinate is '{row['coordinate']}' but lat/lon are empty (use 'missing')",
                )
            )
    return problems


def _check_vertices_match_via(shown: str, frame: pd.DataFrame, first: int) -> list[Problem]:
    places = load("places").set_index("id")
    problems = []
    for index, row in frame.iterrows():
        label = int(index) + first
        via = [v for v in str(row["via"]).split(";") if v]
        points = row["coordinates"]
        if not via or not points:
            continue
        if len(via) != len(points):
            problems.append(
                Problem(shown, label, "via", f"names {len(via)} places but the line has {len(points)} points")
            )
            continue
        for number, (place, (lat, lon)) in enumerate(zip(via, points, strict=True), start=1):
            if place not in places.index or pd.isna(places.at[place, "lat"]):
                problems.append(
                    Problem(
                        shown,
                        label,
                        "via",
                        f"point {number}: place {place!r} has no coordinate in data/places.csv",
                    )
                )
            elif abs(places.at[place, "lat"] - lat) > 1e-6 or abs(places.at[place, "lon"] - lon) > 1e-6:
                problems.append(
                    Problem(
                        shown,
                        label,
                        "geometry",
                        f"point {number} does not match the coordinate of {place!r} in data/places.csv",
                    )
                )
    return problems


_CHECKS = {
    "coordinates_match_flag": _check_coordinates_match_flag,
    "vertices_match_via": _check_vertices_match_via,
}


# --------------------------------------------------------------------------- public


def _references(spec: dict[str, Any]) -> set[str]:
    return {c["references"] for c in spec["columns"].values() if "references" in c}


def _known_ids(targets: set[str], data_dir: Path | None) -> dict[str, set[str]]:
    return {target: set(load(target, data_dir=data_dir)["id"]) for target in targets}


_CACHE: dict[tuple[str, Path], tuple[tuple[tuple[int, int], ...], pd.DataFrame]] = {}


def read(path: str | Path, dataset: str, *, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read and validate any file against the declaration of ``dataset``.

    Use it to check a copy of a dataset, or a file of your own in the same format.
    Ids in reference columns (``source_ids``, ``place_ids``...) are checked against the
    course's datasets (or those in ``data_dir``).

    Parameters
    ----------
    path : str or Path
        The CSV or GeoJSON file to read.
    dataset : str
        The declaration to check it against, for example ``"places"``.
    data_dir : str or Path, optional
        Folder with the datasets that ids refer to; the course's ``data/`` by default.

    Returns
    -------
    pandas.DataFrame
        Typed columns: dates as Timestamps (with ``<column>_precision``), numbers as
        floats, booleans as booleans.

    Raises
    ------
    DataError
        Listing every problem with its file, row and column.

    Examples
    --------
    >>> from karabakh import paths
    >>> read(paths.data_dir() / "places.csv", "places").shape[0] > 30
    True
    """
    spec = schema(dataset)
    folder = Path(data_dir) if data_dir is not None else None
    known = _known_ids(_references(spec) - {dataset}, folder)
    if dataset in _references(spec):  # pragma: no cover - no self-references today
        known[dataset] = set()
    frame, problems = _validate(Path(path), spec, known)
    if problems:
        raise DataError(problems)
    return frame


def load(name: str, *, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load a course dataset as a validated, typed DataFrame.

    Works from any working directory. The result is a fresh copy each time: changing
    it does not change what the next ``load`` returns.

    Parameters
    ----------
    name : str
        One of :func:`names`: ``"sources"``, ``"timeline"``, ``"places"``,
        ``"russian_military"``, ``"figures"``, ``"contested"``, ``"routes"``...
    data_dir : str or Path, optional
        Read from another folder with the same file names (used by tests).

    Raises
    ------
    DataError
        If the file does not match its declaration; the message lists every problem
        with file, row and column.

    Examples
    --------
    >>> places = load("places")
    >>> places.set_index("id").loc["stepanakert", "name_en"]
    'Stepanakert / Khankendi'
    >>> load("timeline")["phase"].iloc[0]
    'background'
    """
    spec = schema(name)
    folder = Path(data_dir) if data_dir is not None else paths.data_dir()
    path = folder / spec["file"]
    if not path.is_file():
        raise DataError([Problem(_display_path(path), None, None, "file not found")])
    # A dataset's validity depends on the datasets it refers to: watch them all.
    stamp = tuple(
        (s.st_mtime_ns, s.st_size)
        for s in (
            (folder / d["file"]).stat() for d in _declarations().values() if (folder / d["file"]).is_file()
        )
    )
    key = (name, folder.resolve())
    cached = _CACHE.get(key)
    if cached is None or cached[0] != stamp:
        frame = read(path, name, data_dir=data_dir)
        _CACHE[key] = (stamp, frame)
        cached = _CACHE[key]
    return cached[1].copy(deep=True)
