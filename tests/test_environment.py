"""Binder (repo2docker) recipe and pyproject.toml agree."""

from __future__ import annotations

import re
import tomllib

import yaml

from karabakh import paths

ROOT = paths.course_root()
# conda-forge names that differ from PyPI names
CONDA_NAMES = {"pyyaml": "pyyaml"}


def _requirements(specs):
    out = {}
    for spec in specs:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(>=\s*[0-9.]+)?", spec.strip())
        assert match, f"cannot read requirement {spec!r}"
        out[match.group(1).lower()] = (match.group(2) or "").replace(" ", "")
    return out


def _environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def test_environment_follows_repo2docker_conventions():
    env = _environment()
    assert not (ROOT / "binder").exists(), "a binder/ folder would make repo2docker ignore the root files"
    assert not (ROOT / ".binder").exists()
    assert env["channels"] == ["conda-forge"]
    assert "python=3.11" in env["dependencies"]
    pip_section = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert "-e ." in pip_section, "the course itself must be installed through the pip section"


def test_environment_and_pyproject_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _requirements(project["dependencies"])
    conda = [
        d
        for d in _environment()["dependencies"]
        if isinstance(d, str) and not d.startswith(("python", "pip"))
    ]
    have = _requirements(conda)
    assert have == {CONDA_NAMES.get(k, k): v for k, v in wanted.items()}
    assert project["requires-python"] == ">=3.11"
