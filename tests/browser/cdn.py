"""Serve folium's CDN files from ``tests/browser/node_modules`` inside Playwright.

folium pages load Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers and the
plugins' scripts from public CDNs (jsdelivr, cdnjs, unpkg, code.jquery.com, netdna).
The browser tests run without internet, so :func:`install_routes` intercepts every
request of a Playwright ``BrowserContext`` (or ``Page``) and

* serves CDN URLs from the npm packages installed by ``npm ci --prefix tests/browser``;
* answers the glyphicons, awesome-rotate and highlight.js stylesheets with empty CSS
  (nothing in the course needs them);
* lets ``127.0.0.1``, ``localhost``, ``file:``, ``data:``, ``blob:`` and ``about:`` through;
* aborts everything else (map tiles, analytics...), which fails at once instead of hanging.

:func:`block_network` is the strict variant for self-contained pages: it aborts every
http(s) request, local ones included unless asked otherwise.

Both return a :class:`RouteLog` that records what was served, stubbed, passed through and
aborted, so a test can assert that no CDN file was missing (``log.missing == []``).

The handler works with Playwright's sync API and with its async API (it returns the
awaitable of ``route.fulfill``/``route.abort`` untouched).

Examples
--------
>>> resolve("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js").name
'leaflet.js'
>>> resolve("https://code.jquery.com/jquery-3.7.1.min.js").parent.name
'dist'
>>> resolve("https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css")
'empty-css'
>>> resolve("https://tile.openstreetmap.org/5/19/11.png") is None
True
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
"""Where ``npm ci --prefix tests/browser`` installs the packages."""

EMPTY_CSS = "empty-css"
"""Marker returned by :func:`resolve` for stylesheets answered with empty CSS."""

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
PASS_SCHEMES = frozenset({"file", "data", "blob", "about"})

# Exact CDN paths (host + path) that do not follow the "<package>@<version>/<file>" pattern.
_EXACT: dict[str, str] = {
    "code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js": "jquery/dist/jquery.min.js",
    "cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (
        "drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.js"
    ),
    "cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.min.js": (
        "drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.min.js"
    ),
    "cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (
        "drmonty-leaflet-awesome-markers/css/leaflet.awesome-markers.css"
    ),
    "cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/moment.min.js": "moment/min/moment.min.js",
    "cdnjs.cloudflare.com/ajax/libs/jqueryui/1.10.2/jquery-ui.min.js": "jquery-ui-dist/jquery-ui.min.js",
}

# Prefixes whose remaining path maps into a package folder (e.g. awesome-markers' images).
_PREFIXES: dict[str, str] = {
    "cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/images/": (
        "drmonty-leaflet-awesome-markers/css/images/"
    ),
}

# Stylesheets nobody in the course needs: answered with empty CSS.
_EMPTY_CSS_PATTERNS = (
    re.compile(r"^netdna\.bootstrapcdn\.com/bootstrap/[^/]+/css/bootstrap-glyphicons(\.min)?\.css$"),
    re.compile(
        r"^cdn\.jsdelivr\.net/gh/python-visualization/folium[^/]*/folium/templates/leaflet\.awesome\.rotate(\.min)?\.css$"
    ),
    re.compile(r"^cdnjs\.cloudflare\.com/ajax/libs/highlight\.js/[^/]+/styles/[^/]+\.css$"),
)

# npm-style CDNs: https://cdn.jsdelivr.net/npm/<pkg>[@<version>]/<path>, https://unpkg.com/<pkg>[@<version>]/<path>
_NPM_CDN = re.compile(
    r"^(?:cdn\.jsdelivr\.net/npm|unpkg\.com)/"
    r"(?P<pkg>(?:@[^/@]+/)?[^/@]+)(?:@(?P<version>[^/]+))?/(?P<path>.+)$"
)

CDN_HOSTS = frozenset(
    {
        "cdn.jsdelivr.net",
        "unpkg.com",
        "cdnjs.cloudflare.com",
        "code.jquery.com",
        "netdna.bootstrapcdn.com",
        "maxcdn.bootstrapcdn.com",
        "stackpath.bootstrapcdn.com",
    }
)
"""Hosts whose requests are expected to be served locally; an unserved one counts as missing."""

# CDN files known to be unavailable locally and not needed: aborted, but not counted as missing.
# (leaflet-timedimension's control CSS asks for Bootstrap 3's glyphicon fonts.)
_KNOWN_UNAVAILABLE = (
    re.compile(r"^netdna\.bootstrapcdn\.com/bootstrap/[^/]+/fonts/glyphicons-halflings-regular\.\w+$"),
)

ABORT_ERROR = "net::ERR_INTERNET_DISCONNECTED"
"""The error Chromium reports for a request these handlers abort."""


def is_abort_message(text: str) -> bool:
    """Whether a console message only reports a request the handlers aborted (e.g. a map tile).

    Aborted tiles make Chromium log ``Failed to load resource: net::ERR_INTERNET_DISCONNECTED``
    at level "error". Tests filter those out of the console errors they assert on, and check
    :attr:`RouteLog.missing` for CDN files that should have been served.

    Examples
    --------
    >>> is_abort_message("Failed to load resource: net::ERR_INTERNET_DISCONNECTED")
    True
    >>> is_abort_message("Uncaught ReferenceError: L is not defined")
    False
    """
    return text.startswith("Failed to load resource") and ABORT_ERROR in text


class RouteLog:
    """What the route handler did with each request (URLs, in order).

    Attributes ``served``, ``stubbed`` (empty CSS), ``passed`` (local), ``aborted`` and
    ``missing``: CDN requests (see :data:`CDN_HOSTS`) that had no local file, which a test
    usually wants empty. (A plain class, not a dataclass, so the module also loads through
    ``importlib.util.spec_from_file_location`` without being registered in ``sys.modules``.)
    """

    def __init__(self) -> None:
        self.served: list[str] = []
        self.stubbed: list[str] = []
        self.passed: list[str] = []
        self.aborted: list[str] = []
        self.missing: list[str] = []

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in vars(self).items())
        return f"RouteLog({counts})"


def _candidates(rel: str) -> list[str]:
    """Local paths to try for a package-relative path, most specific first."""
    out = [rel]
    # leaflet.timeline and iso8601-js-period ship only the unminified file.
    unminified = re.sub(r"\.min\.(js|css)$", r".\1", rel)
    if unminified != rel:
        out.append(unminified)
    return out


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def resolve(url: str, node_modules: Path | None = None) -> Path | str | None:
    """Map a CDN URL to a local file.

    Parameters
    ----------
    url : str
        The requested URL.
    node_modules : Path, optional
        The ``node_modules`` folder to serve from (default: next to this file).

    Returns
    -------
    Path or str or None
        The file to serve, :data:`EMPTY_CSS` for stylesheets answered with empty CSS, or
        ``None`` when the URL is not a CDN file we can serve.

    Examples
    --------
    >>> resolve("https://cdn.jsdelivr.net/npm/leaflet.timeline@1.6.0/dist/leaflet.timeline.min.js").name
    'leaflet.timeline.js'
    >>> resolve("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/../../etc/passwd") is None
    True
    """
    root = Path(node_modules) if node_modules is not None else NODE_MODULES
    parts = urlsplit(url)
    key = f"{parts.netloc}{parts.path}"
    for pattern in _EMPTY_CSS_PATTERNS:
        if pattern.match(key):
            return EMPTY_CSS
    rels: list[str] = []
    if key in _EXACT:
        rels.append(_EXACT[key])
    for prefix, target in _PREFIXES.items():
        if key.startswith(prefix):
            rels.append(target + key[len(prefix) :])
    match = _NPM_CDN.match(key)
    if match:
        rels.append(f"{match['pkg']}/{match['path']}")
    for rel in rels:
        for candidate in _candidates(rel):
            path = root / candidate
            if _inside(path, root) and path.is_file():
                return path
    return None


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    known = {
        ".js": "application/javascript",
        ".mjs": "application/javascript",
        ".css": "text/css",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".ttf": "font/ttf",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".json": "application/json",
        ".map": "application/json",
    }
    return known.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in PASS_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and (parts.hostname or "") in LOCAL_HOSTS


def make_handler(node_modules: Path | None = None, log: RouteLog | None = None):
    """Return a Playwright route handler ``handler(route, request)`` and its :class:`RouteLog`.

    Examples
    --------
    >>> handler, log = make_handler()
    >>> callable(handler), log.missing
    (True, [])
    """
    log = log if log is not None else RouteLog()
    cors = {"Access-Control-Allow-Origin": "*"}

    def handler(route: Any, request: Any = None) -> Any:
        url = (request or route.request).url
        if _is_local(url):
            log.passed.append(url)
            return route.continue_()
        target = resolve(url, node_modules)
        if target == EMPTY_CSS:
            log.stubbed.append(url)
            return route.fulfill(status=200, content_type="text/css", body="", headers=cors)
        if isinstance(target, Path):
            log.served.append(url)
            return route.fulfill(
                status=200, content_type=_content_type(target), body=target.read_bytes(), headers=cors
            )
        parts = urlsplit(url)
        known = any(p.match(f"{parts.netloc}{parts.path}") for p in _KNOWN_UNAVAILABLE)
        if (parts.hostname or "") in CDN_HOSTS and not known:
            log.missing.append(url)
        log.aborted.append(url)
        return route.abort("internetdisconnected")

    return handler, log


def install_routes(context_or_page: Any, node_modules: Path | None = None) -> RouteLog:
    """Intercept every request of a Playwright context or page (see the module docstring).

    Parameters
    ----------
    context_or_page : playwright BrowserContext or Page
        Routes on a context also cover iframes (folium's ``<iframe srcdoc>``) and popups.
    node_modules : Path, optional
        Folder to serve packages from (default ``tests/browser/node_modules``).

    Returns
    -------
    RouteLog
        Filled in as the page loads.

    Raises
    ------
    FileNotFoundError
        If ``node_modules`` does not exist (run ``npm ci --prefix tests/browser``).
    """
    root = Path(node_modules) if node_modules is not None else NODE_MODULES
    if not (root / "leaflet").is_dir():
        raise FileNotFoundError(
            f"{root} has no leaflet package: run `npm ci --prefix tests/browser` to install the "
            "front-end files the browser tests serve in place of the CDNs."
        )
    handler, log = make_handler(root)
    context_or_page.route("**/*", handler)
    return log


def block_network(context_or_page: Any, allow_local: bool = False) -> RouteLog:
    """Abort every network request (for pages that must work with no network at all).

    ``file:``, ``data:``, ``blob:`` and ``about:`` still load; ``127.0.0.1``/``localhost``
    only with ``allow_local=True``. Aborted URLs are in ``log.aborted``.
    """
    log = RouteLog()

    def handler(route: Any, request: Any = None) -> Any:
        url = (request or route.request).url
        scheme = urlsplit(url).scheme
        if scheme in PASS_SCHEMES or (allow_local and _is_local(url)):
            log.passed.append(url)
            return route.continue_()
        log.aborted.append(url)
        return route.abort("internetdisconnected")

    context_or_page.route("**/*", handler)
    return log
