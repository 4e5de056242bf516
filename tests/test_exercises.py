"""Self-checks: the answer key's fingerprints and the feedback students see."""

from __future__ import annotations

import datetime as dt
import shutil

import folium
import numpy as np
import pandas as pd
import pytest

from karabakh import answer_key, exercises, paths
from karabakh.answer_key import MISSING, Key, NotebookKey, Task, evaluate

PREFIXES = ("Correct", "Not yet", "Not answered yet")


def make(check, value, answer="answer"):
    return Task.from_answer("99-demo", "99-demo", answer, check, value)


def status(task, value):
    result = evaluate(task, value)
    assert result.message.startswith(PREFIXES), result.message
    return result.status


# --------------------------------------------------------------------------- kinds


def test_integer_accepts_equal_whole_numbers_of_any_type():
    task = make({"kind": "integer"}, 281)
    assert [status(task, v) for v in (281, np.int64(281), 281.0)] == ["correct"] * 3
    assert status(task, 282) == "incorrect"


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("281", "without quotes"),
        (pd.Timedelta(days=281), ".days"),
        (True, "yes/no"),
        (280.5, "not a whole number"),
        ([281], "should be a whole number"),
    ],
)
def test_integer_explains_a_value_of_the_wrong_type(value, phrase):
    result = evaluate(make({"kind": "integer"}, 281), value)
    assert result.status == "incorrect"
    assert phrase in result.message


def test_number_tolerance_is_about_one_unit_of_the_last_decimal():
    task = make({"kind": "number", "decimals": 1}, 9.2320)
    assert status(task, 9.23) == "correct"
    assert status(task, 9.27) == "correct"  # within half a unit of the key
    assert status(task, 9.4) == "incorrect"  # more than one and a half units away
    assert status(task, 10) == "incorrect"


def test_number_rejects_nan_and_text():
    task = make({"kind": "number", "decimals": 1}, 1.5)
    assert "NaN" in evaluate(task, float("nan")).message
    assert "without quotes" in evaluate(task, "1.5").message


def test_date_accepts_timestamps_dates_and_iso_text():
    task = make({"kind": "date"}, pd.Timestamp("2025-11-10"))
    for value in (
        pd.Timestamp("2025-11-10"),
        dt.date(2025, 11, 10),
        "2025-11-10",
        np.datetime64("2025-11-10"),
    ):
        assert status(task, value) == "correct", value
    assert status(task, "2025-11-11") == "incorrect"
    assert "YYYY-MM-DD" in evaluate(task, "10 November").message


def test_text_ignores_case_accents_and_spacing():
    task = make({"kind": "text"}, "Xankəndi")
    assert status(task, "  xankəndi ") == "correct"
    assert status(task, "Khankendi") == "incorrect"


def test_set_ignores_order_and_counts_what_is_missing_or_extra():
    task = make({"kind": "set"}, ["S1", "S2", "R1"])
    assert status(task, ("R1", "S2", "S1")) == "correct"
    message = evaluate(task, ["S1", "S2", "S9"]).message
    assert "2 of the 3 expected" in message and "1 should not be there" in message
    assert "single text" in evaluate(task, "S1;S2;R1").message


def test_list_needs_the_order():
    task = make({"kind": "list"}, ["T032", "T033", "T034"])
    assert status(task, pd.Series(["T032", "T033", "T034"])) == "correct"
    assert "order" in evaluate(task, ["T034", "T033", "T032"]).message


def test_mapping_names_the_keys_to_look_at():
    expected = pd.Series({"blockade": 8, "exodus": 8, "war-2020": 3})
    task = make({"kind": "mapping", "values": "integer"}, expected)
    assert status(task, {"war-2020": 3, "exodus": 8, "blockade": 8}) == "correct"
    assert status(task, expected.to_frame("count")) == "correct"  # one column is a mapping
    message = evaluate(task, {"blockade": 8, "exodus": 7, "war": 3}).message
    assert "'exodus'" in message and "missing key(s): 'war-2020'" in message and "'war'" in message


def test_mapping_with_date_keys_and_rounded_numbers():
    index = pd.to_datetime(["2023-09-30", "2023-10-09"])
    task = make(
        {"kind": "mapping", "values": "number", "decimals": 0}, pd.Series([2682.0, 23.11], index=index)
    )
    assert status(task, {"2023-09-30": 2682.2, "2023-10-09": 23}) == "correct"
    assert status(task, {"2023-09-30": 2682, "2023-10-09": 25}) == "incorrect"


def test_matrix_counts_right_cells():
    frame = pd.DataFrame({"R1": ["supports", "silent"], "R2": ["contradicts", "supports"]}, index=["a", "b"])
    task = make({"kind": "matrix", "values": "text"}, frame)
    assert status(task, frame.copy()) == "correct"
    changed = frame.copy()
    changed.loc["b", "R2"] = "silent"
    assert "3 of the 4 expected cells" in evaluate(task, changed).message
    assert "missing row(s): 'b'" in evaluate(task, frame.loc[["a"]]).message


def _map(points, line=None):
    m = folium.Map(location=[40, 46])
    group = folium.FeatureGroup().add_to(m)
    for lat, lon in points:
        folium.Marker([lat, lon]).add_to(group)
    if line:
        folium.PolyLine(line).add_to(m)
    return m


def test_map_compares_marker_and_line_positions():
    points = [(40.7894, 43.8475), (40.1283, 44.4728)]
    task = make({"kind": "map"}, _map(points, line=points))
    assert status(task, _map(list(reversed(points)), line=points)) == "correct"
    message = evaluate(task, _map(points[:1], line=points)).message
    assert "it has 1 marker, 1 of them where expected; the answer has 2 markers" in message
    assert status(task, _map(points)) == "incorrect"  # the line is missing
    assert "folium map" in evaluate(task, "a map").message


@pytest.mark.parametrize("value", [..., None, NotImplemented, MISSING])
def test_placeholders_are_not_answered_yet(value):
    result = evaluate(make({"kind": "integer"}, 1), value)
    assert result.status == "unanswered"
    assert result.message.startswith("Not answered yet")


class Hostile:
    """An answer that fails whatever is done with it."""

    def __iter__(self):
        raise RuntimeError("boom")

    def items(self):
        raise RuntimeError("boom")


@pytest.mark.parametrize("kind", answer_key.KINDS)
def test_odd_answers_never_make_the_check_raise(kind):
    value = {
        "integer": 1,
        "number": 1.0,
        "text": "a",
        "date": "2020-01-01",
        "set": ["a"],
        "list": ["a"],
        "mapping": {"a": 1},
        "matrix": pd.DataFrame({"x": [1]}),
        "map": _map([(40, 46)]),
    }[kind]
    task = make({"kind": kind}, value)
    for answer in (Hostile(), object(), "text", 3, pd.DataFrame({"x": [1, 2]}), [None]):
        result = evaluate(task, answer)
        assert result.message.startswith(PREFIXES)


def test_fingerprints_do_not_show_the_answers():
    key = Key({"99-demo": NotebookKey("99-demo", "x", [], {})})
    for task in (
        make({"kind": "integer"}, 28147),
        make({"kind": "text"}, "Hakari bridge"),
        make({"kind": "mapping", "values": "integer"}, {"aghdam": 31415}),
    ):
        key.notebooks["99-demo"].tasks[task.id] = task
        text = answer_key.dump_key(key)
        assert "28147" not in text and "hakari" not in text.lower() and "31415" not in text


def test_bad_check_specifications_are_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        make({"kind": "float"}, 1)
    with pytest.raises(ValueError, match="decimals"):
        make({"kind": "number", "decimals": -1}, 1)
    with pytest.raises(ValueError, match="cannot fingerprint"):
        make({"kind": "integer"}, "not a number")


def test_key_round_trips_and_rejects_damaged_files(tmp_path):
    task = make({"kind": "set", "hint": "split it"}, ["a", "b"])
    key = Key({"99-demo": NotebookKey("99-demo", "abc", ["setup", "demo"], {task.id: task})})
    path = tmp_path / "key.yaml"
    path.write_text(answer_key.dump_key(key))
    loaded = answer_key.load_key(path)
    assert loaded.task("99-demo") == task
    assert loaded.notebooks["99-demo"].graded_cells == ["setup", "demo"]
    path.write_text("schema_version: 99\n")
    with pytest.raises(ValueError, match="schema_version"):
        answer_key.load_key(path)
    with pytest.raises(ValueError, match="no task called"):
        loaded.task("99-other")


# --------------------------------------------------------------------------- check()


def test_check_reads_the_answer_variable_from_the_notebook(capsys):
    key = answer_key.load_key()
    task = key.task("03-blockade-days")
    namespace = {"check": exercises.check}
    exec('check("03-blockade-days")', namespace)
    assert capsys.readouterr().out.startswith(f"Not answered yet: `{task.answer}` is not defined")
    namespace[task.answer] = ...
    exec('check("03-blockade-days")', namespace)
    assert capsys.readouterr().out.startswith("Not answered yet")
    namespace[task.answer] = -1
    exec('check("03-blockade-days")', namespace)
    assert capsys.readouterr().out.startswith("Not yet")


def test_check_on_a_solution_value_says_correct(capsys):
    from karabakh import data

    timeline = data.load("timeline")
    start = timeline.loc[timeline["phase"] == "blockade", "date"].min()
    end = timeline.loc[timeline["phase"] == "offensive-2023", "date"].min()
    exercises.check("03-blockade-days", (end - start).days)
    assert capsys.readouterr().out.startswith("Correct")


def test_check_never_shows_a_traceback(capsys):
    exercises.check("no-such-task", 1)
    exercises.check("03-blockade-days", Hostile())
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert all(line.startswith(PREFIXES) for line in out.splitlines())


def test_check_can_raise_for_nbgrader(monkeypatch):
    monkeypatch.setenv("KARABAKH_CHECK_RAISES", "1")
    with pytest.raises(AssertionError, match="Not yet"):
        exercises.check("03-blockade-days", 1)


def test_self_check_works_in_a_copy_without_solutions(tmp_path, monkeypatch, capsys):
    shutil.copytree(paths.data_dir(), tmp_path / "data")
    monkeypatch.setenv("KARABAKH_HOME", str(tmp_path))
    assert not paths.solutions_dir().exists()
    exercises.check("03-blockade-days", 0)
    assert capsys.readouterr().out.startswith("Not yet: `blockade_days` is 0")


def test_check_explains_a_missing_key(tmp_path, monkeypatch, capsys):
    shutil.copytree(paths.data_dir(), tmp_path / "data")
    (tmp_path / "data" / answer_key.KEY_FILE).unlink()
    monkeypatch.setenv("KARABAKH_HOME", str(tmp_path))
    exercises.check("03-blockade-days", 0)
    assert capsys.readouterr().out.startswith("Not yet checked: the course's answer key")
