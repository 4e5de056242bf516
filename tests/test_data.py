"""The data layer: typed loads, validation with file/row/column, sources for every row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from karabakh import data, paths

BAD = Path(__file__).parent / "fixtures" / "bad"

# fixture file, dataset, expected (row, column, fragment of the message)
CASES = [
    ("latitude-out-of-range.csv", "places", [(3, "lat", "out of range [-90, 90]")]),
    ("longitude-out-of-range.csv", "places", [(2, "lon", "out of range [-180, 180]")]),
    ("missing-column.csv", "places", [(1, "kind", "missing column")]),
    ("wrong-type.csv", "places", [(2, "lat", "'north' is not a number")]),
    ("coordinate-flag-mismatch.csv", "places", [(2, "lat", "use 'missing'")]),
    ("bad-date.csv", "timeline", [(3, "date", "not a real calendar date")]),
    ("duplicate-id.csv", "timeline", [(3, "id", "duplicate id 'T001' (already used in row 2)")]),
    ("unknown-source-id.csv", "timeline", [(2, "source_ids", "unknown sources id: S999")]),
    ("unknown-place-id.csv", "timeline", [(2, "place_ids", "unknown places id: atlantis")]),
    ("empty-required-field.csv", "timeline", [(2, "event", "required field is empty")]),
    ("missing-source.csv", "timeline", [(2, "source_ids", "required field is empty")]),
    ("unknown-phase.csv", "timeline", [(2, "phase", "'peace-2020' is not allowed")]),
    ("extra-field.csv", "timeline", [(2, None, "more fields than the header")]),
    ("route-latitude-out-of-range.geojson", "routes", [(1, "geometry", "latitude 139.5547 is out of range")]),
    (
        "route-vertex-off-place.geojson",
        "routes",
        [(1, "approximate", "'yes' is not true or false"), (1, "geometry", "point 2 does not match")],
    ),
    ("not-json.geojson", "routes", [(None, None, "not valid JSON")]),
    ("quote-too-long.csv", "claims", [(3, "quote", "has 26 words; at most 25 are allowed")]),
]


@pytest.mark.parametrize(("name", "dataset", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_fixture_names_file_row_and_column(name, dataset, expected):
    """Does each defect give a DataError that names the file, the row and the column?"""
    with pytest.raises(data.DataError) as info:
        data.read(BAD / name, dataset)
    error = info.value
    text = str(error)
    assert name in text
    for row, column, fragment in expected:
        matching = [
            p for p in error.problems if p.row == row and p.column == column and fragment in p.message
        ]
        assert matching, f"no problem at row {row}, column {column} with {fragment!r} in:\n{text}"
        line = str(matching[0])
        if row is not None:
            assert f"row {row}" in line
        if column is not None:
            assert f"column '{column}'" in line


def test_many_problems_are_reported_together():
    """Is every problem of a file listed in one error, not just the first?"""
    with pytest.raises(data.DataError) as info:
        data.read(BAD / "many-problems.csv", "timeline")
    found = {(p.row, p.column) for p in info.value.problems}
    assert {(2, "date"), (3, "id"), (3, "phase"), (3, "event"), (3, "status"), (3, "source_ids")} <= found
    assert str(info.value).startswith(f"{len(info.value.problems)} problems found")


def test_data_error_is_a_value_error():
    assert issubclass(data.DataError, ValueError)


@pytest.mark.parametrize("name", data.names())
def test_every_dataset_loads_with_typed_columns(name):
    frame = data.load(name)
    assert len(frame) > 0
    for column, spec in data.schema(name)["columns"].items():
        assert column in frame.columns
        if spec["type"] == "date":
            assert pd.api.types.is_datetime64_any_dtype(frame[column]), column
            assert set(frame[f"{column}_precision"].dropna()) <= {"day", "month", "year"}
        if spec["type"] == "float":
            assert pd.api.types.is_float_dtype(frame[column]), column


@pytest.mark.parametrize("name", [n for n in data.names() if n != "sources"])
def test_every_row_cites_a_source_that_resolves(name):
    """Does every data row cite at least one source id found in data/sources.csv?"""
    known = set(data.load("sources")["id"])
    frame = data.load(name)
    for index, ids in frame["source_ids"].items():
        parts = [i for i in ids.split(";") if i]
        assert parts, f"{name} row {index + 2} cites no source"
        assert set(parts) <= known, f"{name} row {index + 2}: {set(parts) - known}"


@pytest.mark.parametrize("name", data.names())
def test_a_corrupted_copy_lists_every_problem(name, tmp_path):
    """A copy of a dataset with two broken rows gives one DataError naming both rows."""
    folder = tmp_path / "data"
    shutil.copytree(paths.data_dir(), folder, ignore=shutil.ignore_patterns("quizzes"))
    target = folder / data.schema(name)["file"]
    if target.suffix == ".geojson":
        text = target.read_text(encoding="utf-8")
        text = text.replace('"valid_from": "2020-11-10"', '"valid_from": "10 Nov 2020"', 1)
        text = text.replace('"approximate": true', '"approximate": "often"')
        target.write_text(text, encoding="utf-8")
        rows = {1, 2}
    else:
        frame = pd.read_csv(target, dtype=str, keep_default_na=False)
        frame.loc[0, "id"] = "not a valid id!"
        frame.loc[len(frame) - 1, "source_ids" if "source_ids" in frame else "kind"] = "S999"
        frame.to_csv(target, index=False)
        rows = {2, len(frame) + 1}
    with pytest.raises(data.DataError) as info:
        data.load(name, data_dir=folder)
    assert {p.row for p in info.value.problems} >= rows
    assert all(p.file.endswith(target.name) for p in info.value.problems)


def test_load_works_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert data.load("timeline").shape[0] >= 60


def test_load_returns_a_fresh_copy():
    first = data.load("places")
    first.loc[0, "name_en"] = "changed"
    assert data.load("places").loc[0, "name_en"] != "changed"


def test_timeline_covers_the_course():
    timeline = data.load("timeline")
    in_range = timeline[(timeline["date"].dt.year >= 1994) & (timeline["date"].dt.year <= 2024)]
    assert len(in_range) >= 60
    assert set(timeline["phase"]) == set(data.schema("timeline")["columns"]["phase"]["values"])
    assert {"year", "month"} <= set(timeline["date_precision"])


def test_unknown_dataset_is_a_clear_error():
    with pytest.raises(ValueError, match="No dataset called 'bases'"):
        data.load("bases")


def test_places_without_a_coordinate_are_flagged_not_guessed():
    places = data.load("places")
    missing = places[places["coordinate"] == "missing"]
    assert len(missing) > 0
    assert missing["lat"].isna().all() and missing["lon"].isna().all()


def test_describe_lists_every_column():
    table = data.describe("figures")
    assert list(table.index) == list(data.schema("figures")["columns"])


def test_timeline_phases_follow_each_other_in_time():
    """Phases run in the declared order: no event of an earlier phase after a later phase began."""
    timeline = data.load("timeline").sort_values(["date", "id"], kind="stable")
    order = data.schema("timeline")["columns"]["phase"]["values"]
    ranks = timeline["phase"].map(order.index)
    assert ranks.is_monotonic_increasing, timeline.loc[ranks.diff() < 0, ["id", "date", "phase"]]


def test_multi_day_events_end_after_they_start():
    timeline = data.load("timeline").dropna(subset=["end_date"])
    assert len(timeline) > 0
    assert (timeline["end_date"] > timeline["date"]).all()


def test_a_typo_in_the_declarations_is_caught(tmp_path, monkeypatch):
    """A misspelt key in datasets.yaml (e.g. an unquoted comma in a flow mapping) is an error, not ignored."""
    text = (paths.SCHEMA_DIR / "datasets.yaml").read_text(encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text(
        text.replace("description: Who published it.}", "descripton: Who published it.}"), encoding="utf-8"
    )
    monkeypatch.setattr(paths, "SCHEMA_DIR", tmp_path)
    data._declarations.cache_clear()
    try:
        with pytest.raises(ValueError, match="column 'publisher' has unknown key"):
            data.names()
    finally:
        monkeypatch.undo()
        data._declarations.cache_clear()
