"""Tests of karabakh.maps: render each map's HTML and check the fragments it must contain.

The HTML is normalised as folium's own tests do (``folium.utilities.normalize``: lines
stripped and joined, ``", "`` -> ``","``). Expected values are computed from ``data/``,
never typed in, so a test fails when a map stops showing what the data holds.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import folium
import pandas as pd
import pytest
from folium.plugins import Timeline, TimelineSlider
from folium.utilities import normalize

from karabakh import data, maps
from karabakh.maps import catalogue, geometry, offline, style

ROOT = Path(__file__).resolve().parents[1]
NAMINGS = ["both", "armenian", "azerbaijani"]
STATIC_MAPS = ["regional", "ceasefire-2020", "lachin-corridor", "zangezur"]
NAME_COLUMN = {"both": "name_en", "armenian": "name_hy", "azerbaijani": "name_az"}

PAYLOAD = "<img src=x onerror=alert(1)>"
SCRIPT_PAYLOAD = "</script><script>alert(2)</script>"
TEMPLATE_PAYLOAD = "`+alert(3)+` ${alert(4)}"


# --------------------------------------------------------------------------- helpers


def render(m: folium.Map) -> str:
    return normalize(m.get_root().render())


def overlays(html: str) -> dict[str, str]:
    """Layer-control overlays: JavaScript variable -> layer name (as written in the page)."""
    block = re.search(r"overlays :\s*\{(.*?)\},\}", html).group(1)
    return {var: json.loads(name) for name, var in re.findall(r'("(?:[^"\\]|\\.)*") : (\w+),', block)}


def calls(html: str, function: str) -> list[tuple[list, dict, str]]:
    """Every ``L.<function>(coords, options).addTo(parent)`` call: (coords, options, parent)."""
    pattern = rf"L\.{function}\((\[[^{{]*?\]),(\{{[^{{}}]*\}})\)\.addTo\((\w+)\)"
    return [(json.loads(c), json.loads(o.replace(",}", "}")), p) for c, o, p in re.findall(pattern, html)]


def tooltips(html: str) -> list[str]:
    return re.findall(r"bindTooltip\(`<div>(.*?)</div>`", html)


def plotted(table: pd.DataFrame, geometry_kind: str | None = None) -> pd.DataFrame:
    rows = table[table["plotted"]]
    return rows if geometry_kind is None else rows[rows["geometry"] == geometry_kind]


def place_coordinates() -> set[tuple[float, float]]:
    places = data.load("places")
    places = places[places["coordinate"] != "missing"]
    return {(float(a), float(b)) for a, b in zip(places["lat"], places["lon"], strict=True)}


def timelines(m: folium.Map) -> list[Timeline]:
    return [c for c in m._children.values() if isinstance(c, Timeline)]


def legend_of(raw_html: str) -> str:
    """The legend's HTML, read from the JSON string the page assigns to the legend's div."""
    return json.loads(re.search(r"div\.innerHTML = (\".*?\");", raw_html).group(1))


@pytest.fixture(scope="module")
def raw() -> dict[tuple[str, str], str]:
    """Rendered HTML of every map in every naming mode (built once for the module)."""
    return {
        (n, k): maps.build(n, naming=k, self_contained=False).get_root().render()
        for n in maps.names()
        for k in NAMINGS
    }


@pytest.fixture(scope="module")
def rendered(raw) -> dict[tuple[str, str], str]:
    """The same, normalised."""
    return {key: normalize(html) for key, html in raw.items()}


# --------------------------------------------------------------------------- API


def test_names_are_the_shared_contract():
    assert maps.names() == ["regional", "ceasefire-2020", "lachin-corridor", "zangezur", "events"]


@pytest.mark.parametrize("name", ["karabakh", "Regional", ""])
def test_unknown_map_name_lists_the_maps(name):
    with pytest.raises(ValueError, match="The maps are: regional, ceasefire-2020"):
        maps.build(name)
    with pytest.raises(ValueError, match="Unknown map"):
        maps.features(name)


def test_map_name_must_be_a_string():
    with pytest.raises(TypeError, match="string"):
        maps.build(3)


@pytest.mark.parametrize("naming", ["russian", "Both", "hy"])
def test_unknown_naming_names_the_options(naming):
    with pytest.raises(ValueError, match="'both'.*'armenian'.*'azerbaijani'"):
        maps.build("regional", naming=naming)


@pytest.mark.parametrize("period", ["20233", "yesterday", ("2024", "2020"), ("2020",), 2023])
def test_bad_period_is_refused(period):
    with pytest.raises((ValueError, TypeError)):
        maps.features("regional", period=period)


def test_build_returns_a_map_without_displaying_it(monkeypatch):
    import IPython.display

    def no_display(*args, **kwargs):
        raise AssertionError("maps.build must not display anything")

    monkeypatch.setattr(IPython.display, "display", no_display)
    for name in maps.names():
        assert isinstance(maps.build(name), folium.Map)


def test_text_alternative_columns_and_types():
    for name in maps.names():
        table = maps.features(name)
        assert list(table.columns) == maps.COLUMNS
        assert table["plotted"].dtype == bool and table["approximate"].dtype == bool
        assert table["id"].is_unique
        lines = table[table["geometry"].isin(["line", "band"])]
        assert lines["lat"].isna().all() and (lines["path"].str.contains("→")).all()
        points = plotted(table, "point")
        assert points["lat"].notna().all() and points["lon"].notna().all()


def test_every_feature_cites_known_sources():
    known = set(data.load("sources")["id"])
    for name in maps.names():
        for ids in maps.features(name)["source_ids"]:
            cited = set(ids.split(";"))
            assert cited and cited <= known, (name, ids)


# --------------------------------------------------------------------------- what each map shows


def test_regional_map_has_every_russian_site_with_dates():
    table = maps.features("regional").set_index("id")
    sites = data.load("russian_military")
    assert set(table.index) == {f"site:{i}" for i in sites["id"]}
    for site in sites.itertuples():
        row = table.loc[f"site:{site.id}"]
        assert row["label"] == site.name and row["kind"] == site.kind
        assert (
            row["dates"].endswith(str(site.closed.date()))
            if not pd.isna(site.closed)
            else "since" in row["dates"]
        )
    # The Lachin posts are one group marker, labelled as such, at the corridor's reference point.
    posts = table.loc["site:pk_lachin_posts"]
    assert posts["plotted"] and posts["approximate"]
    assert posts["approximate_note"].startswith("One marker stands for the whole group")
    html = normalize(maps.build("regional").get_root().render())
    radii = [o["radius"] for c, o, _ in calls(html, "circleMarker") if c == [posts["lat"], posts["lon"]]]
    assert radii == [style.GROUP_MARKER_RADIUS]


def test_features_without_a_verified_coordinate_are_listed_not_plotted(rendered, raw):
    missing = set(data.load("places").query("coordinate == 'missing'")["id"])
    expect = {
        "regional": {"site:base4_java", "site:jmc_aghdam"},
        "lachin-corridor": {"event:T036:hakari_bridge"},
        "ceasefire-2020": {"text:pk_deployment_area"},
    }
    for name, ids in expect.items():
        table = maps.features(name).set_index("id")
        assert set(table.index[~table["plotted"]]) == ids
        for fid in ids:
            row = table.loc[fid]
            assert math.isnan(row["lat"]) and math.isnan(row["lon"])
            assert row["why_not_plotted"].startswith(("no verified coordinate", "no verified boundary"))
            assert row["label"] not in tooltips(rendered[(name, "both")])
            assert style.esc(row["label"]) in legend_of(raw[(name, "both")]).split("Not drawn")[1]
    events = maps.features("events")
    unplotted_places = {i.split(":")[2] for i in events.loc[~events["plotted"], "id"]}
    assert unplotted_places and unplotted_places <= missing


def test_ceasefire_map_shows_handovers_from_the_timeline():
    table = maps.features("ceasefire-2020")
    timeline = data.load("timeline").set_index("id")
    handovers = table[table["kind"] == "district handed over"].set_index("id")
    assert len(handovers) == 3
    for event_id, place in [("T018", "aghdam"), ("T019", "kalbajar"), ("T020", "lachin")]:
        row = handovers.loc[f"event:{event_id}:{place}"]
        assert row["dates"] == str(timeline.loc[event_id, "date"].date())
        assert row["approximate"]  # the marker stands for a district, not a town
    area = table.set_index("id").loc["text:pk_deployment_area"]
    assert not area["plotted"] and "no verified boundary" in area["why_not_plotted"]


def test_corridor_band_is_five_km_around_the_2020_road():
    band = maps.features("ceasefire-2020").set_index("id").loc["band:lachin_corridor_band"]
    assert band["approximate"] and band["geometry"] == "band"
    ring = next(f for f in catalogue.collect("ceasefire-2020") if f.id == "band:lachin_corridor_band").coords
    places = data.load("places").set_index("id")
    zabukh = tuple(places.loc["zabukh", ["lat", "lon"]])
    shusha = tuple(places.loc["shusha", ["lat", "lon"]])
    # The band's ends are cut square through the end points of the road, 2.5 km each side.
    assert geometry.distance_km(ring[0], zabukh) == pytest.approx(2.5, abs=0.02)
    assert geometry.distance_km(ring[-1], zabukh) == pytest.approx(2.5, abs=0.02)
    n = len(ring) // 2
    assert geometry.distance_km(ring[n - 1], shusha) == pytest.approx(2.5, abs=0.02)
    assert geometry.distance_km(ring[0], ring[-1]) == pytest.approx(5.0, abs=0.03)


def test_buffer_line_refuses_degenerate_input():
    with pytest.raises(ValueError):
        geometry.buffer_line([(39.0, 46.0), (39.0, 46.0)], 1.0)
    with pytest.raises(ValueError):
        geometry.buffer_line([(39.0, 46.0), (39.1, 46.0)], 0)


def test_lachin_corridor_map_has_routes_and_the_four_events():
    table = maps.features("lachin-corridor").set_index("id")
    assert {"route:lachin_road_2020", "route:lachin_road_2022"} <= set(table.index)
    timeline = data.load("timeline").set_index("id")
    for event_id in ["T028", "T032", "T036", "T046"]:
        (fid,) = [i for i in table.index if i.startswith(f"event:{event_id}:")]
        assert table.loc[fid, "dates"] == str(timeline.loc[event_id, "date"].date())
    blockade = table.loc["event:T032:shusha"]
    assert blockade["approximate"] and "near" in blockade["label"]
    assert "environmental protest" in blockade["description"]  # the contested framing is shown


def test_zangezur_legend_gives_every_usage_of_the_name(raw):
    versions = data.load("contested").query("claim_id == 'zangezur-name'")
    legend = legend_of(raw[("zangezur", "both")])
    for row in versions.itertuples():
        assert style.esc(row.version) in legend and style.esc(row.according_to) in legend
    assert "<details open><summary>About this map" in legend


# --------------------------------------------------------------------------- rendered HTML


@pytest.mark.parametrize("name", STATIC_MAPS)
def test_markers_and_paths_per_layer(rendered, name):
    html = rendered[(name, "both")]
    table = maps.features(name)
    layer_of = overlays(html)
    assert sorted(layer_of.values()) == sorted(style.esc(x) for x in plotted(table)["layer"].unique())
    for function, kind in [("circleMarker", "point"), ("polyline", "line"), ("polygon", "band")]:
        drawn = pd.Series([layer_of[parent] for _, _, parent in calls(html, function)], dtype=object)
        expected = plotted(table, kind)["layer"].map(style.esc)
        assert drawn.value_counts().to_dict() == expected.value_counts().to_dict(), (function, name)


@pytest.mark.parametrize("name", STATIC_MAPS)
def test_markers_sit_on_place_coordinates(rendered, name):
    allowed = place_coordinates()
    drawn = {tuple(c) for c, _, _ in calls(rendered[(name, "both")], "circleMarker")}
    assert drawn and drawn <= allowed


def test_each_route_is_drawn_with_its_coordinates(rendered):
    routes = data.load("routes").set_index("id")
    where = {
        "lachin_road_2020": ["ceasefire-2020", "lachin-corridor"],
        "lachin_road_2022": ["lachin-corridor"],
    }
    where["nakhchivan_link"] = ["zangezur"]
    assert set(where) == set(routes.index)
    for route_id, names in where.items():
        coords = [list(p) for p in routes.loc[route_id, "coordinates"]]
        fragment = "L.polyline(" + json.dumps(coords).replace(", ", ",") + ","
        for name in names:
            html = rendered[(name, "both")]
            assert fragment in html, (route_id, name)
            options = next(o for c, o, _ in calls(html, "polyline") if c == coords)
            assert options["dashArray"], "approximate routes are dashed"


@pytest.mark.parametrize("name", STATIC_MAPS)
def test_approximate_geometry_is_dashed_and_said_so(rendered, name):
    html = rendered[(name, "both")]
    table = maps.features(name)
    approx = plotted(table)
    for function, kind in [("circleMarker", "point"), ("polyline", "line"), ("polygon", "band")]:
        found = calls(html, function)
        dashed = sum(1 for _, o, _ in found if o["dashArray"])
        assert dashed == int(approx[approx["geometry"] == kind]["approximate"].sum()), (function, name)
    if approx["approximate"].any():
        assert html.count("<strong>Approximate.</strong>") >= int(approx["approximate"].sum())


@pytest.mark.parametrize("naming", NAMINGS)
def test_place_labels_follow_naming(rendered, naming):
    places = data.load("places").set_index("id")
    html = rendered[("lachin-corridor", naming)]
    shown = tooltips(html)
    towns = next(e for e in catalogue.MAPS["lachin-corridor"]["layers"] if e["from"] == "places")["ids"]
    for place_id in towns:
        value = places.loc[place_id, NAME_COLUMN[naming]]
        expected = value if isinstance(value, str) and value else places.loc[place_id, "name_en"]
        assert style.esc(expected) in shown, (place_id, naming)
    others = {k for k in NAMINGS if k != naming}
    for other in others:
        label = places.loc["shusha", NAME_COLUMN[other]]
        assert label not in shown, (label, naming)


def test_labels_fall_back_to_the_english_name():
    places = data.load("places").set_index("id")
    assert not isinstance(places.loc["kornidzor", "name_az"], str) or not places.loc["kornidzor", "name_az"]
    table = maps.features("lachin-corridor", naming="azerbaijani").set_index("id")
    assert table.loc["place:kornidzor", "label"] == places.loc["kornidzor", "name_en"]


@pytest.mark.parametrize("naming", NAMINGS)
def test_legend_explains_the_naming_mode(raw, naming):
    sentence = {
        "both": "both usages where they differ",
        "armenian": "Armenian usage",
        "azerbaijani": "Azerbaijani usage",
    }
    example = data.load("places").set_index("id").loc["stepanakert", NAME_COLUMN[naming]]
    for name in maps.names():
        legend = legend_of(raw[(name, naming)])
        assert f"Place names: {sentence[naming]}" in legend
        assert style.esc(example) in legend


@pytest.mark.parametrize("name", maps.names())
def test_every_map_has_controls_attribution_and_fits_its_features(rendered, name):
    html = rendered[(name, "both")]
    assert "L.control.scale().addTo(" in html
    assert "L.control.layers(" in html
    assert "karabakh-legend" in html
    assert "openstreetmap.org/copyright" in html  # tile attribution
    box = re.search(r"\.fitBounds\((\[\[.*?\]\]),", html).group(1)
    features = [f for f in catalogue.collect(name) if f.plotted]
    points = [(f.lat, f.lon) for f in features if f.geometry == "point"] + [
        p for f in features if f.geometry != "point" for p in f.coords
    ]
    assert json.loads(box) == geometry.bounds(points)


@pytest.mark.parametrize("name", maps.names())
def test_colours_are_colour_blind_safe_and_distinct(name):
    allowed = set(style.OKABE_ITO.values()) | {"#FFFFFF"}
    features = [f for f in catalogue.collect(name) if f.plotted]
    keys = {}
    for f in features:
        assert f.colour in allowed
        keys.setdefault(f.style_key, f.colour)
    assert len(set(keys.values())) == len(keys), f"two kinds share a colour on {name}: {keys}"


def test_each_phase_has_its_own_colour():
    phases = set(data.schema("timeline")["columns"]["phase"]["values"])
    assert set(style.PHASE_COLOURS) == phases == set(style.PHASE_LABELS)
    assert len(set(style.PHASE_COLOURS.values())) == len(phases)


# --------------------------------------------------------------------------- events map


def test_events_map_has_one_timeline_per_phase_and_a_slider():
    m = maps.build("events")
    table = maps.features("events")
    shown = plotted(table)
    layers = timelines(m)
    assert sorted(t.layer_name for t in layers) == sorted(style.esc(x) for x in shown["layer"].unique())
    feats = [f for t in layers for f in t.data["features"]]
    assert sorted(f["properties"]["id"] for f in feats) == sorted(shown["id"])
    by_id = shown.set_index("id")
    phases = data.load("timeline").set_index("id")["phase"]
    for f in feats:
        fid = f["properties"]["id"]
        row = by_id.loc[fid]
        assert [f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]] == [row["lat"], row["lon"]]
        expected_phase = phases.loc[fid.split(":")[1]]
        assert f["properties"]["colour"] == style.PHASE_COLOURS[expected_phase]
        assert f["properties"]["start"].startswith(str(row["start"].date()))
    assert sum(isinstance(c, TimelineSlider) for c in m._children.values()) == 1
    html = render(m)
    assert ".setTime(" in html and "L.timelineSliderControl(" in html


def test_events_map_lists_every_located_event():
    timeline = data.load("timeline")
    located = timeline[timeline["place_ids"].fillna("") != ""]
    expected = {f"event:{r.id}:{p}" for r in located.itertuples() for p in r.place_ids.split(";")}
    assert set(maps.features("events")["id"]) == expected


def test_period_limits_map_and_text_alternative():
    sept = maps.features("events", period="2023-09")
    assert len(sept) and (sept["start"].dt.strftime("%Y-%m") == "2023-09").all()
    m = maps.build("events", period="2023-09")
    assert sum(len(t.data["features"]) for t in timelines(m)) == int(sept["plotted"].sum())
    later = set(maps.features("regional", period=("2025", None))["id"])
    assert "site:base102_gyumri" in later and "site:pk_hq" not in later
    assert set(maps.features("regional", period=("2020-11-10", "2024-06-12"))["id"]) == set(
        maps.features("regional")["id"]
    )


def test_empty_period_gives_an_empty_map_with_a_legend():
    table = maps.features("ceasefire-2020", period="1990")
    assert table.empty and list(table.columns) == maps.COLUMNS
    html = render(maps.build("ceasefire-2020", period="1990"))
    assert "No feature of this map falls in the chosen period" in html


# --------------------------------------------------------------------------- self-contained


@pytest.mark.parametrize("name", maps.names())
def test_self_contained_maps_load_nothing_from_the_network(name):
    html = maps.build(name, self_contained=True).get_root().render()
    assert offline.is_self_contained(html)
    assert html.count('src="data:text/javascript;base64,') >= 3  # leaflet, icon defaults, jquery
    assert "data:text/css;base64," in html
    if name == "events":
        assert html.count('src="data:text/javascript;base64,') >= 5  # + leaflet.timeline, moment
    normal = maps.build(name, self_contained=False).get_root().render()
    assert not offline.is_self_contained(normal)


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("0", False), ("", False), ("true", True)])
def test_self_contained_default_comes_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(maps.SELF_CONTAINED_ENV, value)
    html = maps.build("zangezur").get_root().render()
    assert offline.is_self_contained(html) is expected
    assert not offline.is_self_contained(maps.build("zangezur", self_contained=False).get_root().render())


def test_unreadable_environment_value_is_an_error(monkeypatch):
    monkeypatch.setenv(maps.SELF_CONTAINED_ENV, "maybe")
    with pytest.raises(ValueError, match="KARABAKH_MAPS_SELF_CONTAINED"):
        maps.build("zangezur")


def test_unknown_cdn_file_is_refused_in_self_contained_mode():
    m = folium.Map()
    folium.plugins.MiniMap().add_to(m)
    with pytest.raises(ValueError, match="no vendored copy"):
        offline.make_self_contained(m)


def test_vendored_files_have_licences_and_a_readme():
    vendor = offline.VENDOR_DIR
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    for relpath in set(offline.VENDORED.values()):
        folder = (vendor / relpath).parent
        assert (vendor / relpath).is_file()
        assert any(p.name.upper().startswith("LICENSE") for p in folder.iterdir()), folder
        assert f"`{folder.name}/`" in readme


# --------------------------------------------------------------------------- escaping


def _poison(text: str, old: str, new: str) -> str:
    assert old in text, f"fixture out of date: {old!r} not found"
    return text.replace(old, new)


@pytest.fixture
def poisoned_home(tmp_path, monkeypatch):
    """A copy of the course data whose texts carry HTML and JavaScript payloads."""
    home = tmp_path / "course"
    shutil.copytree(ROOT / "data", home / "data")
    d = home / "data"
    places = (d / "places.csv").read_text(encoding="utf-8")
    places = _poison(
        places, "stepanakert,Stepanakert / Khankendi,Stepanakert,", f"stepanakert,{PAYLOAD},{PAYLOAD},"
    )
    places = _poison(places, "Xankəndi (Khankendi)", TEMPLATE_PAYLOAD.replace(",", ""))
    places = _poison(places, "goris,Goris,Goris,,Gorus,", f"goris,Goris,{SCRIPT_PAYLOAD},,Gorus,")
    (d / "places.csv").write_text(places, encoding="utf-8")
    sites = (d / "russian_military.csv").read_text(encoding="utf-8")
    sites = _poison(sites, "Peacekeeping contingent headquarters", PAYLOAD)
    sites = _poison(sites, "bilateral base in Armenia", SCRIPT_PAYLOAD)
    (d / "russian_military.csv").write_text(sites, encoding="utf-8")
    timeline = (d / "timeline.csv").read_text(encoding="utf-8")
    timeline = _poison(timeline, "Aghdam district returned to Azerbaijani control.", PAYLOAD)
    (d / "timeline.csv").write_text(timeline, encoding="utf-8")
    routes = (d / "routes.geojson").read_text(encoding="utf-8")
    routes = _poison(routes, "Lachin corridor: original road (Goris–Stepanakert)", PAYLOAD)
    (d / "routes.geojson").write_text(routes, encoding="utf-8")
    contested = (d / "contested.csv").read_text(encoding="utf-8")
    contested = _poison(contested, "Azerbaijan (Ilham Aliyev)", PAYLOAD)
    (d / "contested.csv").write_text(contested, encoding="utf-8")
    monkeypatch.setenv("KARABAKH_HOME", str(home))
    return home


@pytest.mark.parametrize("naming", NAMINGS)
def test_data_text_is_escaped_everywhere(poisoned_home, naming):
    for name in maps.names():
        html = maps.build(name, naming=naming).get_root().render()
        low = html.lower()
        assert "<img src=x" not in low and "alert(2)</script>" not in low, name
        assert "${alert(4)}" not in html and "`+alert(3)+`" not in html, name
    # The payloads did reach the maps, as text.
    html = maps.build("regional", naming=naming).get_root().render()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Bilateral base" not in html  # the poisoned layer name replaced it...
    assert "\\u0026lt;/script\\u0026gt;" in html  # ...escaped, inside the layer control's JSON
    lachin = maps.build("lachin-corridor", naming=naming).get_root().render()
    assert "&lt;img src=x onerror=alert(1)&gt;" in lachin  # route name in its tooltip
    table = maps.features("regional", naming=naming).set_index("id")
    assert table.loc["site:pk_hq", "label"] == PAYLOAD  # the text alternative keeps the raw text
