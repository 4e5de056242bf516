"""The course's maps in headless Chromium: what they draw, with and without network.

Each map is saved as HTML and opened from ``file:``:

* normally, with folium's CDN files served from ``tests/browser/node_modules``
  (``page`` fixture, ``cdn.install_routes``) and the tiles aborted;
* self-contained, with every network request aborted (``offline_page``).

Either way the map must draw one SVG path per plotted feature (circle markers, lines,
the corridor band), its controls and legend, and raise no page or console error.
Fixtures (``browser``, ``page``, ``offline_page``, ``page_errors``, ``console_errors``,
``route_log``, ``artifacts_dir``) come from ``tests/browser/conftest.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from karabakh import maps

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = "<img src=x onerror=alert(1)>"
TEMPLATE_PAYLOAD = "`+alert(3)+` ${alert(4)}"

# Open every popup and tooltip of the map, one after the other, and collect their text:
# if any data text were not escaped, this is when its markup would run.
_OPEN_ALL = """
() => {
  const map = window[document.querySelector('.folium-map').id];
  const layers = [];
  map.eachLayer(l => layers.push(l));
  const texts = [];
  for (const layer of layers) {
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      const el = document.querySelector('.leaflet-popup-content');
      if (el) texts.push(el.innerText);
      layer.closePopup();
    }
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip();
      const tip = layer.getTooltip().getElement();
      if (tip) texts.push(tip.innerText);
    }
  }
  return texts;
}
"""


def _save(m, folder: Path, stem: str) -> str:
    path = folder / f"{stem}.html"
    m.save(str(path))
    return path.as_uri()


def _expected(name: str, **kwargs) -> pd.DataFrame:
    table = maps.features(name, **kwargs)
    return table[table["plotted"]]


def _open(page, url: str, paths: int) -> None:
    page.goto(url)
    page.wait_for_selector(".leaflet-container")
    page.wait_for_function(
        "n => document.querySelectorAll('path.leaflet-interactive').length >= n", arg=paths, timeout=15_000
    )
    page.wait_for_timeout(200)  # let anything late (errors included) arrive


def _check_drawn(page, name: str, shown: pd.DataFrame) -> None:
    assert page.locator("path.leaflet-interactive").count() == len(shown)
    assert page.locator(".leaflet-marker-icon").count() == 0  # all points are vector circle markers
    assert page.locator(".leaflet-control-layers-overlays label").count() == shown["layer"].nunique()
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".karabakh-legend").is_visible()
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    dashed = page.locator("path.leaflet-interactive[stroke-dasharray]").count()
    assert dashed == int(shown["approximate"].sum())
    if name == "events":
        assert page.locator(".leaflet-timeline-control input.time-slider").count() == 1


@pytest.mark.parametrize("name", maps.names())
def test_map_draws_with_cdn_files_served_locally(
    page, route_log, page_errors, console_errors, tmp_path, name
):
    shown = _expected(name)
    _open(page, _save(maps.build(name, self_contained=False), tmp_path, name), len(shown))
    _check_drawn(page, name, shown)
    assert page_errors == [] and console_errors == []
    assert route_log.missing == [], "a CDN file folium asked for was not served"
    assert route_log.served, "the page should have loaded Leaflet through the routes"


@pytest.mark.parametrize("name", maps.names())
def test_self_contained_map_works_with_no_network(
    offline_page, page_errors, console_errors, tmp_path, artifacts_dir, name
):
    shown = _expected(name)
    _open(offline_page, _save(maps.build(name, self_contained=True), tmp_path, name), len(shown))
    _check_drawn(offline_page, name, shown)
    assert page_errors == [] and console_errors == []
    aborted = offline_page.context.blocked.aborted
    assert all("tile.openstreetmap.org" in url for url in aborted), aborted  # only the background tiles
    offline_page.screenshot(path=str(artifacts_dir / f"map-{name}-self-contained.png"))


@pytest.mark.parametrize("naming", ["both", "armenian", "azerbaijani"])
def test_town_labels_follow_naming(offline_page, page_errors, tmp_path, naming):
    shown = _expected("lachin-corridor", naming=naming)
    m = maps.build("lachin-corridor", naming=naming, self_contained=True)
    _open(offline_page, _save(m, tmp_path, naming), len(shown))
    labels = offline_page.locator(".leaflet-tooltip.karabakh-label").all_inner_texts()
    towns = shown[shown["id"].str.startswith("place:")]
    assert sorted(t.strip() for t in labels) == sorted(towns["label"])
    assert page_errors == []


def test_events_slider_shows_events_up_to_the_chosen_date(offline_page, page_errors, tmp_path):
    shown = _expected("events")
    _open(offline_page, _save(maps.build("events", self_contained=True), tmp_path, "events"), len(shown))
    # The slider opens at the last date: every located event is on the map.
    assert offline_page.locator("path.leaflet-interactive").count() == len(shown)
    for day in ["2020-12-31", "2023-09-30", "2009-12-31"]:
        ms = int(pd.Timestamp(f"{day}T23:59:00Z").timestamp() * 1000)
        offline_page.evaluate(
            """ms => { const s = document.querySelector('input.time-slider');
                      s.value = String(ms); s.dispatchEvent(new Event('input')); }""",
            ms,
        )
        offline_page.wait_for_timeout(100)
        expected = int((shown["start"] <= pd.Timestamp(day)).sum())
        assert 0 < expected < len(shown)
        assert offline_page.locator("path.leaflet-interactive").count() == expected, day
        assert offline_page.locator("output.time-text").inner_text() == day
    assert page_errors == []


@pytest.fixture
def poisoned_home(tmp_path, monkeypatch):
    """A copy of the course data with markup in place names, site names, an event and a route."""
    home = tmp_path / "course"
    shutil.copytree(ROOT / "data", home / "data")
    edits = {
        "places.csv": [
            ("stepanakert,Stepanakert / Khankendi,Stepanakert,", f"stepanakert,{PAYLOAD},{PAYLOAD},"),
            ("Xankəndi (Khankendi)", TEMPLATE_PAYLOAD),
            ("shusha,Shusha / Shushi,", f"shusha,{PAYLOAD},"),
        ],
        "russian_military.csv": [
            ("bilateral base in Armenia", PAYLOAD),
            ("Peacekeeping contingent headquarters", PAYLOAD),
        ],
        "timeline.csv": [("Aghdam district returned to Azerbaijani control.", PAYLOAD)],
        "routes.geojson": [("Lachin corridor: original road (Goris–Stepanakert)", PAYLOAD)],
    }
    for filename, pairs in edits.items():
        path = home / "data" / filename
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, f"fixture out of date: {old!r} not in {filename}"
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("KARABAKH_HOME", str(home))
    return home


@pytest.mark.parametrize("naming", ["both", "azerbaijani"])
def test_markup_in_the_data_is_shown_as_text_and_runs_nothing(
    offline_page, page_errors, poisoned_home, tmp_path, naming
):
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    offline_page.on("dialog", on_dialog)
    seen: list[str] = []
    for name in maps.names():
        shown = _expected(name, naming=naming)
        m = maps.build(name, naming=naming, self_contained=True)
        _open(offline_page, _save(m, tmp_path, f"{name}-{naming}"), len(shown))
        seen += offline_page.evaluate(_OPEN_ALL)
        seen.append(
            offline_page.locator(".leaflet-control-layers:not(.leaflet-timeline-control)").inner_text()
        )
        seen.append(offline_page.locator(".karabakh-legend").inner_text())
        offline_page.wait_for_timeout(200)  # an injected onerror would fire by now
        assert offline_page.locator('img[src="x"]').count() == 0, name
        assert offline_page.locator("[onerror]").count() == 0, name
    assert dialogs == []
    assert page_errors == []
    text = "\n".join(seen)
    assert PAYLOAD in text  # the markup is there, as visible text
    if naming == "azerbaijani":
        assert TEMPLATE_PAYLOAD in text
