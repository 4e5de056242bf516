"""Colours, line styles and text escaping shared by every map.

The palette is Okabe and Ito's, designed to stay distinguishable with the common forms
of colour blindness. It is declared once here; kinds of site and phases of the timeline
each get one of its colours. Approximate geometry is always drawn dashed.

Examples
--------
>>> PHASE_COLOURS["blockade"] == OKABE_ITO["orange"]
True
>>> esc("<b>Shusha</b> `${x}`")
'&lt;b&gt;Shusha&lt;/b&gt; &#96;&#36;{x}&#96;'
"""

from __future__ import annotations

import html
import json

#: Okabe–Ito colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008).
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: Outline of every marker (dark grey, so light fills such as yellow stay visible).
OUTLINE = "#333333"

#: Colour of each kind of feature (kinds of ``russian_military`` and the maps' own kinds).
KIND_COLOURS: dict[str, str] = {
    "military base": OKABE_ITO["blue"],
    "air base": OKABE_ITO["sky blue"],
    "peacekeeping HQ": OKABE_ITO["vermillion"],
    "peacekeeping base": OKABE_ITO["orange"],
    "observation post": OKABE_ITO["reddish purple"],
    "monitoring centre": OKABE_ITO["bluish green"],
    "border guards": OKABE_ITO["yellow"],
    "district handed over": OKABE_ITO["bluish green"],
    "corridor road": OKABE_ITO["blue"],
    "corridor band": OKABE_ITO["sky blue"],
    "bypass road": OKABE_ITO["vermillion"],
    "proposed link": OKABE_ITO["reddish purple"],
    "event": OKABE_ITO["orange"],
    "place": "#FFFFFF",
    "region": OKABE_ITO["yellow"],
}

#: One colour per phase of ``data/timeline.csv`` (all eight Okabe–Ito colours).
PHASE_COLOURS: dict[str, str] = {
    "background": OKABE_ITO["black"],
    "war-2020": OKABE_ITO["vermillion"],
    "ceasefire-and-mandate": OKABE_ITO["blue"],
    "blockade": OKABE_ITO["orange"],
    "offensive-2023": OKABE_ITO["reddish purple"],
    "exodus": OKABE_ITO["yellow"],
    "withdrawal-2024": OKABE_ITO["bluish green"],
    "aftermath": OKABE_ITO["sky blue"],
}

#: How each phase is named on the maps (neutral wording, as in the course's conventions).
PHASE_LABELS: dict[str, str] = {
    "background": "Background (before 2020)",
    "war-2020": "The 2020 war",
    "ceasefire-and-mandate": "Ceasefire and mandate (2020–2022)",
    "blockade": "Blockade of the Lachin road (2022–2023)",
    "offensive-2023": "Azerbaijan's September 2023 offensive",
    "exodus": "Exodus of Karabakh Armenians (2023)",
    "withdrawal-2024": "Withdrawal (2024)",
    "aftermath": "Later context (2025)",
}

#: Dash pattern of approximate lines and outlines (SVG ``stroke-dasharray``).
DASH_LINE = "10 8"
#: A second pattern, so two approximate lines that share a stretch stay distinguishable.
DASH_LINE_ALT = "3 9"
DASH_BAND = "6 6"
DASH_OUTLINE = "3 3"

MARKER_RADIUS = 8
GROUP_MARKER_RADIUS = 11


def esc(text: object) -> str:
    """Escape data text for HTML, and for folium's JavaScript template literals.

    ``html.escape`` turns ``<``, ``>``, ``&`` and quotes into entities. folium writes
    popups and tooltips inside JavaScript template literals (backquoted strings), so
    backquotes, ``$`` and backslashes become entities as well: they can then neither end
    the string nor start a ``${...}`` expression.

    Examples
    --------
    >>> esc("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> esc(None)
    ''
    """
    if text is None:
        return ""
    out = html.escape(str(text), quote=True)
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def js_string(text: str) -> str:
    """Return ``text`` as a JavaScript string literal that is safe inside ``<script>``.

    Examples
    --------
    >>> js_string("</script><b>")
    '"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"'
    """
    return (
        json.dumps(text)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )
