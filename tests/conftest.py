"""Shared fixtures. Tests never write to the user's home: progress goes to a temp file."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_progress_file(tmp_path, monkeypatch):
    """Keep quiz progress of every test in its own temporary file."""
    monkeypatch.setenv("KARABAKH_PROGRESS", str(tmp_path / "progress.json"))
