"""The static site in Chromium with the network cut off: the way an offline classroom reads it.

The site is built once for this module (``karabakh.site.build``, the same code as
``make site``) from the notebooks present in ``notebooks/``. Each page is opened from
disk (``file://``) in a context where every http(s) request is aborted, then:

- no uncaught JavaScript error, no request other than map tiles;
- every map (self-contained) draws its markers and paths;
- every internal link leads to an existing page, and to an existing anchor on it;
- axe-core (``tests/browser/node_modules/axe-core``) finds no critical or serious
  accessibility violation, on the page and inside its map frames.

Screenshots go to ``test-artifacts/site-<page>.png``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from karabakh import paths, site

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))
PAGES = ["index.html", *(site.page_name(p) for p in NOTEBOOKS)]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# Map tiles stay remote even in self-contained maps; offline they fail and the map shows no background.
TILE = re.compile(r"/\d+/\d+/\d+(@2x)?\.png(\?.*)?$")

if not NOTEBOOKS:
    pytest.skip("no lesson notebooks in notebooks/ yet", allow_module_level=True)


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    site.build(out, NOTEBOOKS, log=lambda _line: None)
    return out


def _open(page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_load_state("load")


def _internal_links(page) -> list[str]:
    """Absolute URLs of the page's links that stay on disk (file:) — the site's own links."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    return sorted({h for h in hrefs if h.startswith("file:")})


def _axe_violations(page) -> list[str]:
    """Critical and serious axe-core violations of the page and its frames, one line each."""
    for frame in page.frames:
        frame.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'], iframes: true})"
    )
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in ("critical", "serious"):
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        lines.append(
            f"{violation['impact']}: {violation['id']} ({violation['help']}) "
            f"x{len(violation['nodes'])}: {'; '.join(targets)}"
        )
    return lines


@pytest.mark.parametrize("name", PAGES)
def test_page_works_offline(name, site_dir, offline_page, page_errors, maps_check, artifacts_dir):
    page = offline_page
    _open(page, site_dir / name)
    frames = [f for f in page.frames if f != page.main_frame]
    reports = [maps_check.wait_for_map(f) for f in frames]
    if frames:
        page.locator("iframe").first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / f"site-{Path(name).stem}.png", full_page=False)

    assert page_errors == []
    not_tiles = [u for u in page.context.blocked.aborted if not TILE.search(u)]
    assert not_tiles == [], "the page asked the network for more than map tiles"
    assert maps_check.map_problems(reports) == []
    if name != "index.html":
        source = (paths.notebooks_dir() / Path(name).with_suffix(".ipynb").name).read_text(encoding="utf-8")
        assert len(frames) >= source.count("maps.build("), "a map of the notebook is missing from the page"


@pytest.mark.parametrize("name", PAGES)
def test_internal_links_resolve(name, site_dir, offline_page):
    page = offline_page
    _open(page, site_dir / name)
    links = _internal_links(page)
    if name == "index.html":
        assert len(links) >= len(NOTEBOOKS), "the index links to every lesson"
    broken = []
    fragments: dict[Path, set[str]] = {}
    for url in links:
        parts = urlsplit(url)
        target = Path(unquote(parts.path))
        if not target.is_file():
            broken.append(f"{url}: no such file")
        elif parts.fragment:
            fragments.setdefault(target, set()).add(parts.fragment)
    for target, wanted in sorted(fragments.items()):
        _open(page, target)
        # As browsers do (HTML spec, "find a potential indicated element"): the fragment
        # as written, then percent-decoded.
        missing = page.evaluate(
            "pairs => pairs.filter(p => !p.some(id => document.getElementById(id))).map(p => p[0])",
            [[f, unquote(f)] for f in sorted(wanted)],
        )
        broken += [f"{target.name}#{f}: no element with that id" for f in missing]
    assert broken == []


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(name, site_dir, offline_page):
    page = offline_page
    _open(page, site_dir / name)
    for frame in page.frames[1:]:
        frame.wait_for_load_state("load")
    violations = _axe_violations(page)
    assert violations == [], "axe-core found:\n" + "\n".join(violations)
