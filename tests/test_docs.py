"""Generated documentation stays in step with its source."""

from __future__ import annotations

from karabakh import datadoc, paths


def test_data_dictionary_is_up_to_date():
    page = paths.course_root() / "docs" / "data.md"
    assert page.read_text(encoding="utf-8") == datadoc.render(), "run `python -m karabakh datadoc`"


def test_command_line_writes_the_data_dictionary(tmp_path, monkeypatch):
    from karabakh.__main__ import main

    monkeypatch.setattr(paths, "course_root", lambda: tmp_path)
    (tmp_path / "docs").mkdir()
    assert main(["datadoc"]) == 0
    assert "## places" in (tmp_path / "docs" / "data.md").read_text(encoding="utf-8")
