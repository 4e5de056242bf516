"""Self-contained maps: Leaflet, jQuery and plugin files inlined from ``karabakh/vendor``.

folium pages load their JavaScript and CSS from public CDNs, so without internet a map
stays blank (``L is not defined``). :func:`make_self_contained` replaces every such link
of a map (and of the plugins in it) by a ``data:`` URI holding the vendored copy, so the
page makes no network request except for the background tiles. Leaflet's CSS gets its
images inlined too, and the default marker icon is pointed at inlined images (Leaflet
otherwise guesses the icon path from the CSS URL, which fails with a ``data:`` URI).

Bootstrap, Font Awesome and Leaflet.awesome-markers are left out: the course's maps use
circle markers and vector shapes. A CDN link with no vendored copy raises ``ValueError``
rather than silently leaving a network request in a map that claims to be self-contained.

Examples
--------
>>> import folium
>>> m = make_self_contained(folium.Map())
>>> "cdn.jsdelivr" in m.get_root().render()
False
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

import folium
from branca.element import Element

VENDOR_DIR = Path(__file__).resolve().parents[1] / "vendor"

#: CDN URL -> vendored file (relative to :data:`VENDOR_DIR`).
VENDORED: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js": "jquery/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/leaflet.timeline@1.6.0/dist/leaflet.timeline.min.js": (
        "leaflet.timeline/leaflet.timeline.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/moment.min.js": "moment/moment.min.js",
}

#: CDN files folium adds by default that the course's maps do not use.
DROPPED: frozenset[str] = frozenset(
    {
        "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
        "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
        "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
        "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
        "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
        "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
    }
)

_MIME = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def data_uri(content: bytes, mime: str) -> str:
    """Return ``content`` as a base64 ``data:`` URI.

    Examples
    --------
    >>> data_uri(b"hi", "text/plain")
    'data:text/plain;base64,aGk='
    """
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def vendored_file(relpath: str) -> Path:
    """Return a vendored file's path; raise ``FileNotFoundError`` with a hint if it is missing."""
    path = VENDOR_DIR / relpath
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: self-contained maps need the vendored front-end files "
            "(see src/karabakh/vendor/README.md)."
        )
    return path


@cache
def _inline(relpath: str) -> str:
    path = vendored_file(relpath)
    content = path.read_bytes()
    if path.suffix == ".js":
        # The source map is not shipped; drop the comment so no tool goes looking for it.
        content = re.sub(rb"\n//# sourceMappingURL=\S+\s*$", b"\n", content)
    if path.suffix == ".css":
        text = content.decode("utf-8")

        def image(match: re.Match[str]) -> str:
            name = match.group(1)
            return (
                f"url({data_uri(vendored_file(f'{Path(relpath).parent}/{name}').read_bytes(), 'image/png')})"
            )

        text = re.sub(r"url\((images/[\w.-]+\.png)\)", image, text)
        content = text.encode("utf-8")
    return data_uri(content, _MIME[path.suffix])


@cache
def _icon_default_js() -> str:
    """Point Leaflet's default marker icon at inlined images."""
    images = {
        "iconUrl": "marker-icon.png",
        "iconRetinaUrl": "marker-icon-2x.png",
        "shadowUrl": "marker-shadow.png",
    }
    options = ", ".join(
        f'{key}: "{data_uri(vendored_file(f"leaflet/images/{name}").read_bytes(), "image/png")}"'
        for key, name in images.items()
    )
    script = f"L.Icon.Default.imagePath = '';\nL.Icon.Default.mergeOptions({{{options}}});\n"
    return data_uri(script.encode("utf-8"), "text/javascript")


def _replace(links: list[tuple[str, str]], owner: str) -> list[tuple[str, str]]:
    out = []
    for name, url in links:
        if url.startswith("data:") or url in DROPPED:
            if url.startswith("data:"):
                out.append((name, url))
            continue
        if url not in VENDORED:
            raise ValueError(
                f"{owner} loads {url}, which has no vendored copy, so this map cannot be made "
                "self-contained. Add the file to src/karabakh/vendor and to offline.VENDORED."
            )
        out.append((name, _inline(VENDORED[url])))
        if name == "leaflet":
            out.append(("leaflet_icon_default", _icon_default_js()))
    return out


def _walk(element: Element):
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def make_self_contained(m: folium.Map) -> folium.Map:
    """Inline the JavaScript and CSS of ``m`` and of its plugins; return ``m``.

    Call it after every layer and plugin has been added: elements added later keep their
    CDN links.

    Raises
    ------
    ValueError
        If an element loads a CDN file that has no vendored copy.
    """
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if links:
                setattr(element, attr, _replace(list(links), type(element).__name__))
    return m


def is_self_contained(html: str) -> bool:
    """Whether rendered map HTML loads no script or stylesheet over the network.

    Examples
    --------
    >>> is_self_contained('<script src="https://cdn.example/x.js"></script>')
    False
    >>> is_self_contained('<script src="data:text/javascript;base64,AA=="></script>')
    True
    """
    return not re.search(r"""<(?:script|link)\b[^>]*(?:src|href)=["']?(?:https?:)?//""", html)
