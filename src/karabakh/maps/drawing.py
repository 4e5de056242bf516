"""Draw a map's features (from :mod:`karabakh.maps.catalogue`) on a ``folium.Map``.

Points are circle markers (no icon images, so self-contained maps stay small), lines
are polylines and the corridor band a polygon; approximate geometry is dashed. Each
layer is a ``FeatureGroup`` in a ``LayerControl``; the events map uses one
``folium.plugins.Timeline`` per phase, driven by a ``TimelineSlider``. Every map gets a
legend, a scale, the OpenStreetMap attribution and is fitted to its features.

Examples
--------
>>> m = draw("zangezur", naming="both")
>>> type(m).__name__
'Map'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
from branca.element import MacroElement
from folium.plugins import Timeline, TimelineSlider
from folium.template import Template
from folium.utilities import JsCode

from karabakh import citations
from karabakh.maps import catalogue, geometry, legend, offline, style
from karabakh.maps.catalogue import Feature
from karabakh.maps.style import esc

#: Kinds of feature whose label is always shown (not only on hover).
LABELLED = frozenset({"place", "region"})

#: Room kept free for the legend when the map is fitted to its features (pixels).
LEGEND_WIDTH_PX = 350

#: Where the map opens when it has nothing to fit (the South Caucasus).
DEFAULT_CENTRE = (40.6, 44.8)


def _sources_html(ids: str) -> str:
    if not ids:
        return ""
    return esc(citations.cite(ids))


def popup_html(f: Feature) -> str:
    """The popup of a feature: label, kind, dates, description, approximation and sources."""
    parts = [f"<strong>{esc(f.label)}</strong>"]
    meta = [esc(f.kind)]
    if f.place and f.place not in f.label:
        meta.append(esc(f.place))
    if f.dates:
        meta.append(esc(f.dates))
    parts.append(f"<p><em>{' · '.join(meta)}</em></p>")
    if f.description:
        parts.append(f"<p>{esc(f.description)}</p>")
    if f.path:
        parts.append(f"<p>Via: {esc(f.path)}</p>")
    if f.approximate:
        parts.append(f"<p><strong>Approximate.</strong> {esc(f.approximate_note)}</p>")
    if f.source_ids:
        parts.append(f"<p>Sources: {_sources_html(f.source_ids)}</p>")
    return f'<div class="karabakh-popup">{"".join(parts)}</div>'


#: Longest label shown in a tooltip (the popup and the text alternative keep it whole).
TOOLTIP_CHARS = 90


def tooltip_text(f: Feature) -> str:
    """The tooltip of a feature (escaped): its label (shortened), the place and the dates."""
    label = f.label if len(f.label) <= TOOLTIP_CHARS else f.label[: TOOLTIP_CHARS - 1].rstrip() + "…"
    bits = [esc(label)]
    if f.place and f.place not in f.label:
        bits.append(esc(f.place))
    if f.dates:
        bits.append(esc(f.dates))
    return " · ".join(bits)


def _add_vector(group: folium.FeatureGroup, f: Feature, line_dash: str | None = None) -> None:
    popup = folium.Popup(popup_html(f), max_width=340)
    if f.style_key in LABELLED:
        # Towns carry a permanent label, so the map stays readable on a blank background.
        tooltip = folium.Tooltip(
            tooltip_text(f), sticky=False, permanent=True, direction="right", class_name="karabakh-label"
        )
    else:
        tooltip = folium.Tooltip(tooltip_text(f))
    if f.geometry == "point":
        folium.CircleMarker(
            location=(f.lat, f.lon),
            radius=style.GROUP_MARKER_RADIUS if f.group else style.MARKER_RADIUS,
            color=style.OUTLINE,
            weight=3 if f.group else 2,
            dash_array=style.DASH_OUTLINE if f.approximate else None,
            fill=True,
            fill_color=f.colour,
            fill_opacity=0.9,
            popup=popup,
            tooltip=tooltip,
        ).add_to(group)
    elif f.geometry == "line":
        folium.PolyLine(
            locations=f.coords,
            color=f.colour,
            weight=5,
            opacity=0.9,
            dash_array=(line_dash or style.DASH_LINE) if f.approximate else None,
            popup=popup,
            tooltip=tooltip,
        ).add_to(group)
    elif f.geometry == "band":
        folium.Polygon(
            locations=f.coords,
            color=f.colour,
            weight=2,
            dash_array=style.DASH_BAND,
            fill=True,
            fill_color=f.colour,
            fill_opacity=0.2,
            popup=popup,
            tooltip=tooltip,
        ).add_to(group)
    else:
        raise ValueError(f"feature {f.id} has geometry {f.geometry!r}, which cannot be drawn")


def _add_layers(m: folium.Map, features: Sequence[Feature]) -> None:
    groups: dict[str, folium.FeatureGroup] = {}
    lines = 0
    for f in features:
        if f.layer not in groups:
            groups[f.layer] = folium.FeatureGroup(name=esc(f.layer), show=True).add_to(m)
        dash = None
        if f.geometry == "line" and f.approximate:
            dash = style.DASH_LINE if lines % 2 == 0 else style.DASH_LINE_ALT
            lines += 1
        _add_vector(groups[f.layer], f, line_dash=dash)


# Timeline layers draw GeoJSON points: these two functions style them and bind the
# popup and tooltip (both already escaped in Python).
_POINT_TO_LAYER = JsCode(
    """
    function (feature, latlng) {
        var p = feature.properties;
        return L.circleMarker(latlng, {
            radius: p.radius, color: p.outline, weight: 2, dashArray: p.dash,
            fill: true, fillColor: p.colour, fillOpacity: 0.9
        });
    }
    """
)
_ON_EACH_FEATURE = JsCode(
    """
    function (feature, layer) {
        layer.bindPopup(feature.properties.popup, {maxWidth: 340});
        layer.bindTooltip(feature.properties.tooltip, {sticky: true});
    }
    """
)


class _SliderAtEnd(MacroElement):
    """Move a timeline slider to its last date once the page has loaded."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this.slider.get_name() }}.setTime({{ this.slider.get_name() }}.end);
        {% endmacro %}
        """
    )

    def __init__(self, slider: TimelineSlider) -> None:
        super().__init__()
        self._name = "SliderAtEnd"
        self.slider = slider


def _iso_noon(ts: Any) -> str:
    # Noon UTC: the slider shows the same calendar day in every time zone within ±12 h.
    return f"{ts.strftime('%Y-%m-%d')}T12:00:00Z"


def _add_timeline(m: folium.Map, features: Sequence[Feature]) -> None:
    last = max(f.end if f.end == f.end else f.start for f in features)  # NaT != NaT
    layers: dict[str, list[dict]] = {}
    for f in features:
        layers.setdefault(f.layer, []).append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [f.lon, f.lat]},
                "properties": {
                    "id": f.id,
                    "start": _iso_noon(f.start),
                    "end": _iso_noon(last),
                    "colour": f.colour,
                    "outline": style.OUTLINE,
                    "dash": style.DASH_OUTLINE if f.approximate else None,
                    "radius": style.MARKER_RADIUS,
                    "popup": popup_html(f),
                    "tooltip": tooltip_text(f),
                },
            }
        )
    timelines = []
    for layer, feats in layers.items():
        timeline = Timeline(
            {"type": "FeatureCollection", "features": feats},
            point_to_layer=_POINT_TO_LAYER,
            on_each_feature=_ON_EACH_FEATURE,
        )
        timeline.layer_name = esc(layer)
        timeline.add_to(m)
        timelines.append(timeline)
    slider = TimelineSlider(
        auto_play=False,
        date_options="YYYY-MM-DD",
        enable_keyboard_controls=True,
        show_ticks=True,
        playback_duration=30000,
    )
    slider.add_timelines(*timelines).add_to(m)
    _SliderAtEnd(slider).add_to(m)


def _points_of(features: Sequence[Feature]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for f in features:
        if f.geometry == "point":
            pts.append((f.lat, f.lon))
        else:
            pts += f.coords
    return pts


def draw(name: str, naming: str = "both", self_contained: bool = False, period: Any = None) -> folium.Map:
    """Build the folium map ``name`` (see :func:`karabakh.maps.build`, which reads the defaults)."""
    features = catalogue.collect(name, naming=naming, period=period)
    plotted = [f for f in features if f.plotted]
    box = geometry.bounds(_points_of(plotted))
    centre = DEFAULT_CENTRE if box is None else tuple((a + b) / 2 for a, b in zip(*box, strict=True))
    m = folium.Map(location=centre, zoom_start=7, tiles=None, control_scale=True)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    m.get_root().title = esc(catalogue.MAPS[name]["title"])
    if name == "events" and plotted:
        _add_timeline(m, plotted)
        position = "topleft"
        # Keep the features clear of the legend (top left) and the slider (bottom).
        padding = {"padding_top_left": (LEGEND_WIDTH_PX, 30), "padding_bottom_right": (30, 120)}
    else:
        _add_layers(m, plotted)
        position = "bottomright"
        padding = {"padding_top_left": (30, 30), "padding_bottom_right": (LEGEND_WIDTH_PX, 30)}
    legend.Legend(legend.legend_html(name, features, naming), position=position).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    if box is not None:
        m.fit_bounds(box, max_zoom=11, **padding)
    if self_contained:
        offline.make_self_contained(m)
    return m
