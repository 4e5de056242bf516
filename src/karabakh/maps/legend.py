"""The legend of a map: key, naming mode, features not drawn, notes and credits.

Every text that comes from the data is escaped with :func:`karabakh.maps.style.esc`
before it is put in the legend's HTML, and the HTML reaches the page as a JSON string
(:func:`karabakh.maps.style.js_string`), so nothing in the data can become markup or
script.

Examples
--------
>>> from karabakh.maps import catalogue
>>> html = legend_html("zangezur", catalogue.collect("zangezur"), naming="both")
>>> "Zangezur corridor" in html and "dashed" in html
True
"""

from __future__ import annotations

from collections.abc import Sequence

from branca.element import MacroElement
from folium.template import Template

from karabakh.maps import catalogue, style
from karabakh.maps.catalogue import Feature
from karabakh.maps.style import esc

CSS = """
.karabakh-legend {
  background: rgba(255, 255, 255, 0.95); color: #111; padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.4); font: 12px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif;
  max-width: 320px; max-height: 55vh; overflow-y: auto;
}
.karabakh-legend h2 { font-size: 13px; margin: 0 0 4px; }
.karabakh-legend ul { list-style: none; margin: 2px 0 4px; padding: 0; }
.karabakh-legend ul ul { list-style: disc; padding-left: 16px; }
.karabakh-legend li { margin: 2px 0; }
.karabakh-legend p { margin: 4px 0; }
.karabakh-legend details { margin: 4px 0; }
.karabakh-legend summary { cursor: pointer; font-weight: 600; }
.karabakh-legend .k-src { color: #444; }
.karabakh-swatch { display: inline-block; vertical-align: middle; margin-right: 6px; }
.karabakh-swatch.k-point { width: 11px; height: 11px; border-radius: 50%; border: 2px solid #333; }
.karabakh-swatch.k-approx { border-style: dashed; }
.karabakh-swatch.k-line { width: 28px; height: 0; border-top-width: 4px; border-top-style: solid; }
.karabakh-swatch.k-band { width: 24px; height: 10px; border: 2px dashed; }
.karabakh-popup { font: 12px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 320px; }
.karabakh-popup p { margin: 4px 0; }
.leaflet-tooltip.karabakh-label {
  background: rgba(255, 255, 255, 0.85); border: 0; box-shadow: none; padding: 0 3px;
  font: 11px/1.2 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111;
}
.leaflet-tooltip.karabakh-label::before { display: none; }
"""


def _swatch(geometry: str, colour: str, approximate: bool) -> str:
    if geometry == "line":
        border = "dashed" if approximate else "solid"
        return (
            f'<span class="karabakh-swatch k-line" style="border-top-color:{colour};'
            f'border-top-style:{border}"></span>'
        )
    if geometry == "band":
        return f'<span class="karabakh-swatch k-band" style="border-color:{colour};background:{colour}33"></span>'
    return f'<span class="karabakh-swatch k-point" style="background:{colour}"></span>'


def _key_label(feature: Feature) -> str:
    if feature.style_key in style.PHASE_LABELS:
        return style.PHASE_LABELS[feature.style_key]
    if feature.geometry in {"line", "band"}:
        return feature.label
    if feature.style_key == "place":
        return "Town or village"
    if feature.style_key == "region":
        return "Region (rough centre only)"
    return feature.kind[:1].upper() + feature.kind[1:]


def _cite(ids: str) -> str:
    return f' <span class="k-src">[{esc(ids.replace(";", ", "))}]</span>' if ids else ""


def legend_html(name: str, features: Sequence[Feature], naming: str) -> str:
    """Return the legend's HTML for a map (all data text escaped)."""
    spec = catalogue.MAPS[catalogue.check_name(name)]
    plotted = [f for f in features if f.plotted]
    parts = [f"<h2>{esc(spec['title'])}</h2>"]

    key: dict[tuple[str, str, str], str] = {}
    for f in plotted:
        label = _key_label(f)
        item = (f.geometry, f.colour, label)
        if item not in key:
            key[item] = _swatch(f.geometry, f.colour, f.approximate and f.geometry != "point")
    if key:
        items = "".join(f"<li>{swatch}{esc(label)}</li>" for (_, _, label), swatch in key.items())
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append("<p>No feature of this map falls in the chosen period.</p>")

    approx_points = any(f.approximate and f.geometry == "point" for f in plotted)
    approx_lines = any(f.approximate and f.geometry in {"line", "band"} for f in plotted)
    if approx_lines or approx_points:
        bits = []
        if approx_lines:
            bits.append("dashed lines are approximate (drawn through towns, not surveyed)")
        if approx_points:
            bits.append(
                '<span class="karabakh-swatch k-point k-approx" style="background:#fff"></span>'
                "a dashed outline marks an approximate position"
            )
        parts.append(f"<p><strong>Approximate:</strong> {'; '.join(bits)}.</p>")
    if any(f.group for f in plotted):
        parts.append("<p>A larger marker stands for a group of sites whose locations are not verified.</p>")

    text, ids = catalogue.naming_note(naming)
    parts.append(f"<p>{esc(text)}{_cite(ids)}</p>")

    missing = [f for f in features if not f.plotted]
    if missing:
        items = "".join(
            f"<li><strong>{esc(f.label)}</strong>: {esc(f.why_not_plotted)}</li>" for f in missing
        )
        parts.append(
            f"<details><summary>Not drawn ({len(missing)})</summary><ul>{items}</ul>"
            "<p>The text alternative, <code>maps.features(...)</code>, lists them too.</p></details>"
        )
    items = ""
    for claim, versions in catalogue.contested_points(name):
        sub = "".join(
            f"<li><strong>{esc(who)}</strong>: {esc(version)}{_cite(ids)}</li>"
            for who, version, ids in versions
        )
        items += f"<li>{esc(claim)}, according to the sources:<ul>{sub}</ul></li>"
    about = [*catalogue.notes(name), (catalogue.NAMING_CONVENTION, "S144")]
    items += "".join(f"<li>{esc(text)}{_cite(ids)}</li>" for text, ids in about)
    is_open = " open" if spec.get("notes_open") else ""
    parts.append(f"<details{is_open}><summary>About this map</summary><ul>{items}</ul></details>")
    parts.append(
        '<p class="k-src">Background © OpenStreetMap contributors (blank when offline). '
        "Click a feature for details and sources.</p>"
    )
    return f'<div class="karabakh-legend-body">{"".join(parts)}</div>'


class Legend(MacroElement):
    """A Leaflet control holding the legend's HTML.

    Parameters
    ----------
    html : str
        The legend's HTML, already escaped (see :func:`legend_html`).
    position : str, default "bottomright"
        Corner of the map: "topleft", "topright", "bottomleft" or "bottomright".
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function (map) {
                var div = L.DomUtil.create("div", "karabakh-legend leaflet-control");
                div.setAttribute("role", "region");
                div.setAttribute("aria-label", "Map legend");
                div.innerHTML = {{ this.html_js }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "KarabakhLegend"
        if position not in {"topleft", "topright", "bottomleft", "bottomright"}:
            raise ValueError(
                f"Unknown legend position {position!r}: choose topleft, topright, bottomleft or bottomright."
            )
        self.position = position
        self.css = CSS
        self.html_js = style.js_string(html)
