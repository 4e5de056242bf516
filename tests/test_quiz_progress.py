"""The progress file: atomic saves, a kernel killed mid-write, corrupt files, the DataFrame."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from karabakh import quiz
from karabakh.quiz import progress_store as prog


@pytest.fixture
def path() -> Path:
    return Path(os.environ["KARABAKH_PROGRESS"])  # set per test by tests/conftest.py


def test_path_comes_from_the_environment_or_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KARABAKH_PROGRESS", str(tmp_path / "mine.json"))
    assert prog.progress_path() == tmp_path / "mine.json"
    monkeypatch.delenv("KARABAKH_PROGRESS")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert prog.progress_path() == tmp_path / ".karabakh" / "progress.json"


def test_record_appends_and_numbers_attempts(path):
    prog.record("01-war-and-statement", "statement-date", "2020-11-09", False, 0.0, 1.0)
    prog.record("01-war-and-statement", "statement-date", "2020-11-10", True, 1.0, 1.0)
    prog.record("01-war-and-statement", "contingent-size", 1960, True, 1.0, 1.0)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["format_version"] == 1
    assert [(a["question_id"], a["attempt"], a["answer"]) for a in saved["attempts"]] == [
        ("statement-date", 1, "2020-11-09"),
        ("statement-date", 2, "2020-11-10"),
        ("contingent-size", 1, 1960),
    ]


def test_progress_dataframe_columns_and_types(path):
    empty = quiz.progress()
    assert list(empty.columns) == prog.COLUMNS and len(empty) == 0
    prog.record("05-withdrawal", "khojaly-ceremony", ["a", "b"], False, 0.5, 1.0)
    table = quiz.progress()
    assert list(table.columns) == [
        "timestamp", "notebook", "question_id", "attempt", "answer", "correct", "score", "max_score",
    ]  # fmt: skip
    row = table.iloc[0]
    assert isinstance(row["timestamp"], pd.Timestamp) and str(row["timestamp"].tz) == "UTC"
    assert row["answer"] == ["a", "b"]
    assert table["correct"].dtype == bool and table["attempt"].dtype == "int64"
    assert row["score"] == 0.5 and row["max_score"] == 1.0


def test_awkward_answers_are_stored_as_valid_json(path):
    for answer in (
        "x" * 1_000_000,
        float("nan"),
        float("inf"),
        object(),
        {"k": {1, 2}},
        list(range(1000)),
        10**100,
    ):
        prog.record("nb", "q", answer, False, 0.0, 1.0)
    text = path.read_text(encoding="utf-8")
    assert len(text) < 50_000
    saved = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    answers = [a["answer"] for a in saved["attempts"]]
    assert len(answers[0]) == 201 and answers[1] == "nan" and answers[2] == "inf"
    assert answers[3].startswith("<object object")
    assert len(answers[5]) == 20


def test_no_temporary_files_are_left_behind(path):
    for i in range(5):
        prog.record("nb", "q", i, True, 1.0, 1.0)
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(".lock")) == [path.name]


def test_corrupt_file_is_moved_aside_with_a_warning(path):
    path.write_bytes(b'{"attempts": [{"notebook": "nb", "quest')  # cut short
    with pytest.warns(RuntimeWarning) as caught:
        prog.record("nb", "q", "after", True, 1.0, 1.0)
    aside = sorted(path.parent.glob("progress.json.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == b'{"attempts": [{"notebook": "nb", "quest'  # nothing lost
    message = str(caught[0].message)
    assert str(path) in message and str(aside[0]) in message
    assert [a["answer"] for a in prog.attempts()] == ["after"]


def test_not_utf8_and_wrong_shape_are_corrupt_too(path):
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.warns(RuntimeWarning, match="not valid JSON"):
        assert prog.attempts() == []
    path.write_text('["a list, not the expected object"]', encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="no list of attempts"):
        assert len(quiz.progress()) == 0
    assert len(list(path.parent.glob("progress.json.corrupt-*"))) == 2


def test_malformed_entries_are_set_aside_and_good_ones_kept(path):
    good = prog.record("nb", "q", "ok", True, 1.0, 1.0)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["attempts"].append({"notebook": "nb", "question_id": 7})
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="1 attempt\\(s\\) are malformed.*1 readable attempt"):
        assert prog.attempts() == [good]
    aside = list(path.parent.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and '"question_id": 7' in aside[0].read_text(encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert prog.attempts() == [good]  # the new file is clean


# The writer loads progress_store.py on its own (it needs only the standard library), so
# that it starts in milliseconds rather than importing pandas and ipywidgets first.
WRITER = textwrap.dedent(
    """
    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("progress_store", sys.argv[3])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    record = module.record
    tag, stop = sys.argv[1], int(sys.argv[2])
    i = 0
    while True:
        i += 1
        record("nb", f"q{i % 7}", tag * 150, i % 2 == 0, 1.0, 1.0, attempt=i)
        print(i, flush=True)
        if stop and i >= stop:
            break
    """
)


def _writer(path: Path, tag: str, stop: int | None = None) -> subprocess.Popen:
    env = {**os.environ, "KARABAKH_PROGRESS": str(path)}
    args = [sys.executable, "-c", WRITER, tag, str(stop or 0), prog.__file__]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_mid_write_loses_nothing_saved(path, seed):
    """Does a process killed with SIGKILL at a random moment keep every attempt it reported saved?"""
    rng = random.Random(seed)
    child = _writer(path, "k")
    reported = []
    target = rng.randint(15, 60)
    while len(reported) < target:
        line = child.stdout.readline()
        assert line, "the writer stopped before being killed"
        reported.append(int(line))
    time.sleep(rng.uniform(0, 0.01))
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate(timeout=30)
    reported += [int(n) for n in rest.split()]
    assert child.returncode == -signal.SIGKILL
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the file must not be corrupt
        saved = {a["attempt"] for a in prog.attempts()}
    assert set(reported) <= saved
    assert saved == set(range(1, max(saved) + 1))  # no hole: every save kept the ones before it


def test_two_processes_writing_at_once_lose_nothing(path):
    writers = [_writer(path, tag, stop=25) for tag in "ab"]
    for writer in writers:
        writer.communicate(timeout=120)
        assert writer.returncode == 0
    saved = prog.attempts()
    assert len(saved) == 50
    assert sorted(a["answer"][0] for a in saved) == ["a"] * 25 + ["b"] * 25
