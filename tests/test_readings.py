"""The five readings, the claims matrix and the checks of what the readings state.

Lesson 06 compares the readings from ``data/readings.csv`` and ``data/claims.csv``; every
fact a reading states is in ``data/reading_checks.csv`` with the lesson that deals with it.
These tests hold the data to its rules and each lesson to what the checks promise.
"""

from __future__ import annotations

import csv
import re

import nbformat
import pytest

from karabakh import data, paths

READING_IDS = [f"R{n}" for n in range(1, 6)]
MAX_QUOTE_WORDS = 25


def _notebook_text(stem: str) -> tuple[str, str]:
    """Return (markdown, all sources) of ``notebooks/<stem>.ipynb``."""
    nb = nbformat.read(paths.notebooks_dir() / f"{stem}.ipynb", as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return markdown, "\n".join(c.source for c in nb.cells)


# --------------------------------------------------------------------------- readings


def test_the_readings_are_r1_to_r5_as_in_sources():
    readings = data.load("readings")
    sources = data.load("sources")
    in_sources = sorted(sources.loc[sources["kind"] == "course reading", "id"])
    assert sorted(readings["id"]) == READING_IDS == in_sources


# --------------------------------------------------------------------------- claims matrix


def test_each_claim_has_one_cell_per_reading():
    claims = data.load("claims")
    for claim_id, cells in claims.groupby("claim_id"):
        assert sorted(cells["reading_id"]) == READING_IDS, claim_id
        assert cells["claim"].nunique() == 1, f"{claim_id}: the claim is worded differently across rows"
    assert (claims["id"] == claims["claim_id"] + "/" + claims["reading_id"]).all()


def test_silent_cells_have_no_quote_and_the_others_have_one():
    claims = data.load("claims")
    silent = claims["stance"] == "silent"
    quoted = claims["quote"].str.strip() != ""
    assert not (silent & quoted).any(), claims.loc[silent & quoted, "id"].tolist()
    assert (quoted | silent).all(), claims.loc[~quoted & ~silent, "id"].tolist()


def test_quotes_are_at_most_25_words():
    claims = data.load("claims")
    lengths = claims["quote"].str.split().str.len()
    assert (lengths <= MAX_QUOTE_WORDS).all(), claims.loc[lengths > MAX_QUOTE_WORDS, "id"].tolist()


def test_each_cell_cites_its_reading():
    claims = data.load("claims")
    for _, row in claims.iterrows():
        assert row["reading_id"] in row["source_ids"].split(";"), row["id"]


def test_the_loader_rejects_a_quote_of_26_words_and_accepts_25(tmp_path):
    """Is the 25-word limit enforced by the declaration, with the row and column named?"""
    header = ["id", "claim_id", "claim", "reading_id", "stance", "quote", "note", "source_ids"]
    path = tmp_path / "claims.csv"

    def write(words: int) -> None:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerow(["x/R1", "x", "A claim", "R1", "supports", " ".join(["w"] * words), "", "R1"])

    write(25)
    assert data.read(path, "claims")["quote"].str.split().str.len().tolist() == [25]
    write(26)
    with pytest.raises(data.DataError) as info:
        data.read(path, "claims")
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (2, "quote")
    assert "26 words" in problem.message


def test_the_claims_matrix_is_not_typed_into_lesson_06():
    """Lesson 06 shows the matrix from data/claims.csv instead of retyping its quotes."""
    _, everything = _notebook_text("06-comparing-the-readings")
    assert 'data.load("claims")' in everything
    retyped = [q for q in data.load("claims")["quote"] if q and q in everything]
    assert retyped == []


# --------------------------------------------------------------------------- checks of the readings


def test_every_reading_has_checked_facts():
    checks = data.load("reading_checks")
    assert sorted(checks["reading_id"].unique()) == READING_IDS


@pytest.mark.parametrize("stem", sorted(set(data.load("reading_checks")["covered_in"])))
def test_each_lesson_mentions_the_readings_it_covers(stem):
    """Does every lesson named in covered_in exist and name each reading it covers?"""
    assert (paths.notebooks_dir() / f"{stem}.ipynb").is_file(), f"notebooks/{stem}.ipynb does not exist"
    markdown, _ = _notebook_text(stem)
    checks = data.load("reading_checks")
    readings = sorted(set(checks.loc[checks["covered_in"] == stem, "reading_id"]))
    missing = [r for r in readings if r not in markdown]
    assert missing == [], f"{stem} covers facts from {missing} but never names them"


@pytest.mark.parametrize("stem", sorted(set(data.load("reading_checks")["covered_in"])))
def test_each_lesson_points_out_the_problems_it_covers(stem):
    """Is every fact that is not simply verified shown, by its check id, where it is covered?"""
    if not (paths.notebooks_dir() / f"{stem}.ipynb").is_file():
        pytest.fail(f"notebooks/{stem}.ipynb does not exist")
    _, everything = _notebook_text(stem)
    checks = data.load("reading_checks")
    flagged = checks[(checks["covered_in"] == stem) & (checks["status"] != "verified")]
    missing = [cid for cid in flagged["id"] if not re.search(rf"\b{cid}\b", everything)]
    assert missing == [], f"{stem} never points out {missing}"
