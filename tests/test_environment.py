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


# Files that would change what repo2docker builds from environment.yml, and why each is refused.
REPO2DOCKER_CONFLICTS = {
    "Dockerfile": "repo2docker would build the Dockerfile and ignore environment.yml",
    "requirements.txt": "ignored next to environment.yml: list pip packages under its `pip:` key",
    "runtime.txt": "ignored when environment.yml pins python, so the two could only disagree",
    "Pipfile": "a second, competing recipe",
    "Pipfile.lock": "a second, competing recipe",
    "postBuild": "not needed (ipywidgets 8 and JupyterLab 4 need no labextension step); "
    "its errors pass silently without `set -e`",
    "start": 'not needed; a start script must end with exec "$@" or the server never starts',
}


def test_no_file_competes_with_environment_yml():
    found = {name: why for name, why in REPO2DOCKER_CONFLICTS.items() if (ROOT / name).exists()}
    assert found == {}


def test_environment_serves_jupyterlab_with_prebuilt_widgets():
    conda = [
        d
        for d in _environment()["dependencies"]
        if isinstance(d, str) and not d.startswith(("python", "pip"))
    ]
    have = _requirements(conda)
    assert "jupyterlab" in have, "Binder links open JupyterLab (urlpath=lab/...)"
    major = int(have["ipywidgets"].removeprefix(">=").split(".")[0])
    assert major >= 8, "ipywidgets 8 ships its JupyterLab extension prebuilt (no postBuild step)"


def _links(text: str, prefix: str) -> list[str]:
    return re.findall(rf"{re.escape(prefix)}[^\s)\]>`\"']+", text)


def test_binder_and_nbgitpuller_links_open_files_of_the_course():
    from urllib.parse import parse_qs, unquote, urlsplit

    owner_repo = paths.REPOSITORY_URL.removeprefix("https://github.com/")
    pages = {
        name: (ROOT / name).read_text(encoding="utf-8")
        for name in ("README.md", "docs/classroom.md", "docs/instructors.md")
    }
    assert paths.binder_url() in pages["README.md"], "README opens the first notebook on Binder"
    assert paths.binder_url() in pages["docs/classroom.md"]
    binder = [link for text in pages.values() for link in _links(text, "https://mybinder.org/v2/gh/")]
    pullers = [
        link for text in pages.values() for link in _links(text, "https://HUB/hub/user-redirect/git-pull?")
    ]
    assert binder and pullers
    for link in binder:
        parts = urlsplit(link)
        assert parts.path == f"/v2/gh/{owner_repo}/{paths.BRANCH}", link
        target = parse_qs(parts.query)["urlpath"][0].removeprefix("lab/tree/")
        assert (ROOT / target).is_file(), f"{link} opens {target}, which the course does not have"
    for link in pullers:
        query = parse_qs(urlsplit(link).query)
        assert query["repo"] == [paths.REPOSITORY_URL] and query["branch"] == [paths.BRANCH], link
        urlpath = unquote(query["urlpath"][0])
        folder, _, target = urlpath.removeprefix("lab/tree/").partition("/")
        assert folder == owner_repo.split("/")[1], (
            "nbgitpuller clones into a folder named after the repository"
        )
        assert (ROOT / target).is_file(), f"{link} opens {target}, which the course does not have"
