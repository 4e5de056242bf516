"""Fixtures for the browser tests: Debian's Chromium through Playwright, and a JupyterLab server.

* ``browser``: one headless Chromium per test session, launched from Debian's package
  (``/usr/bin/chromium``, or ``KARABAKH_CHROMIUM``); never Playwright's own download.
* ``page``: a fresh context and page with service workers blocked and folium's CDN files
  served from ``tests/browser/node_modules`` (``cdn.install_routes``); everything else
  that is not local is aborted. ``route_log`` tells what the routes did, ``page_errors``
  collects uncaught JavaScript errors of the page and its frames.
* ``offline_page``: the same with *every* request aborted (for the static site, whose
  pages must work with no network at all).
* ``artifacts_dir``: ``test-artifacts/`` at the repository root (git-ignored), for screenshots.
* ``lab_server``: JupyterLab on 127.0.0.1 on a free port with a token, serving copies of
  ``notebooks/`` and ``exercises/`` from a temporary folder, with its own workspace and
  settings folders; stopped by its process id at the end of the session.
* ``lab``: helpers that drive a notebook in that server (open with ``?reset``, Run All,
  wait for the kernel, read outputs, errors and map frames).

Without Chromium the browser tests fail with a message saying how to install it, unless
the environment variable ``KARABAKH_SKIP_BROWSER=1`` is set, in which case they are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NODE_MODULES = HERE / "node_modules"
CHROMIUM = os.environ.get("KARABAKH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 900}


def _load_cdn():
    """Load ``cdn.py`` (next to this file) without putting tests/ on ``sys.path``."""
    spec = importlib.util.spec_from_file_location("karabakh_browser_cdn", HERE / "cdn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cdn = _load_cdn()


def _unavailable(reason: str) -> None:
    """Skip when the user asked to (KARABAKH_SKIP_BROWSER=1), otherwise fail with ``reason``."""
    if os.environ.get("KARABAKH_SKIP_BROWSER") == "1":
        pytest.skip(f"browser test skipped (KARABAKH_SKIP_BROWSER=1): {reason}")
    pytest.fail(f"{reason} (set KARABAKH_SKIP_BROWSER=1 to skip the browser tests)", pytrace=False)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from Debian, shared by the whole session."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(
            f"Chromium is not installed at {CHROMIUM}: run `make test` (it installs Debian's "
            "chromium package) or `sudo apt-get install chromium`"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is missing: run `make test` (pip install -e '.[test]')")
    if not (NODE_MODULES / "leaflet").is_dir() or not (NODE_MODULES / "axe-core").is_dir():
        _unavailable(f"{NODE_MODULES} is incomplete: run `npm ci --prefix tests/browser` (make test does)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageState:
    """What a page reported while a test ran."""

    errors: list[str] = field(default_factory=list)  # uncaught exceptions (pageerror)
    console_errors: list[str] = field(default_factory=list)  # console.error, minus aborted requests


def _new_page(context, state: PageState):
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("pageerror", lambda exc: state.errors.append(f"{page.url[:80]}: {exc}"))

    def on_console(msg):
        if msg.type == "error" and not cdn.is_abort_message(msg.text):
            state.console_errors.append(msg.text)

    page.on("console", on_console)
    return page


@pytest.fixture
def _page_state():
    return PageState()


@pytest.fixture
def _context(browser):
    context = browser.new_context(service_workers="block", viewport=VIEWPORT)
    log = cdn.install_routes(context, NODE_MODULES)
    yield context, log
    context.close()


@pytest.fixture
def route_log(_context):
    """The :class:`cdn.RouteLog` of the ``page`` fixture's context."""
    return _context[1]


@pytest.fixture
def page(_context, _page_state):
    """A new page whose CDN requests are served locally and other remote requests aborted."""
    return _new_page(_context[0], _page_state)


@pytest.fixture
def page_errors(_page_state):
    """Uncaught JavaScript errors (``pageerror``) of ``page`` or ``offline_page``, as strings."""
    return _page_state.errors


@pytest.fixture
def console_errors(_page_state):
    """``console.error`` messages of the page, without the ones for requests the routes aborted."""
    return _page_state.console_errors


@pytest.fixture
def offline_page(browser, _page_state):
    """A page in a context where every http(s) request is aborted (``file:`` and ``data:`` load).

    The aborted URLs are in ``offline_page.context.blocked.aborted``.
    """
    context = browser.new_context(service_workers="block", viewport=VIEWPORT)
    context.blocked = cdn.block_network(context)
    yield _new_page(context, _page_state)
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``test-artifacts/`` at the repository root (git-ignored): screenshots of the browser tests."""
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


# --------------------------------------------------------------------------- JupyterLab

# User settings for the test server: render every cell (no windowing, so off-screen
# cells and their maps exist in the DOM), and no news or update pop-ups.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
}
# Plugins turned off in the test server's page config.
LAB_DISABLED = {"@jupyterlab/apputils-extension:announcements": True}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    """A running JupyterLab server (see the ``lab_server`` fixture)."""

    process: subprocess.Popen
    port: int
    token: str
    root: Path  # the server's root folder: copies of notebooks/ and exercises/
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, relpath: str) -> str:
        """URL opening ``relpath`` (relative to the root) in Lab, with a reset workspace."""
        return f"{self.base_url}/lab/tree/{relpath}?reset&token={self.token}"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self) -> None:
        """Shut down every kernel session, so the next notebook starts on a fresh kernel."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop one process we started: SIGTERM, wait, then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, browser):
    """JupyterLab serving copies of the course notebooks; one server per test session."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "course"
    root.mkdir()
    for folder in ("notebooks", "exercises"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = base / "settings"
    for name, values in LAB_SETTINGS.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    config = base / "config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": LAB_DISABLED}), encoding="utf-8"
    )
    for folder in ("workspaces", "runtime", "ipython"):
        (base / folder).mkdir()
    env = dict(os.environ)
    env.update(
        KARABAKH_PROGRESS=str(base / "progress.json"),
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        IPYTHONDIR=str(base / "ipython"),
    )
    env.pop("KARABAKH_MAPS_SELF_CONTAINED", None)  # maps load "from the CDN", as on Binder
    port = _free_port()
    token = secrets.token_hex(16)
    log_path = base / "server.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
    ]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LabServer(process=process, port=port, token=token, root=root, log_path=log_path)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {process.returncode}:\n{server.log_tail()}")
            try:
                server.api("status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within 90 s:\n{server.log_tail()}")
                time.sleep(0.3)
        yield server
    finally:
        try:
            server.shutdown_sessions()
        except Exception:  # noqa: BLE001 - the server may already be gone; stopping it matters
            pass
        _stop(process)


# JavaScript run in Lab's page (the app is exposed by --LabApp.expose_app_in_browser).
_JS_NOTEBOOK_STATE = """
() => {
  const app = window.jupyterapp;
  const widget = app && app.shell.currentWidget;
  if (!widget || !widget.content || !widget.content.model) return null;
  const cells = [];
  for (const cell of widget.content.widgets) {
    const model = cell.model;
    const outputs = [];
    if (model.type === 'code') {
      for (let i = 0; i < model.outputs.length; i++) {
        const out = model.outputs.get(i).toJSON();
        outputs.push({
          type: out.output_type,
          name: out.name || null,
          text: out.output_type === 'error'
            ? `${out.ename}: ${out.evalue}`
            : (Array.isArray(out.text) ? out.text.join('') : (out.text || '')),
          mimes: out.data ? Object.keys(out.data) : [],
        });
      }
    }
    cells.push({
      type: model.type,
      source: model.sharedModel.getSource(),
      execution_count: model.type === 'code' ? model.executionCount : null,
      outputs,
    });
  }
  const kernel = widget.sessionContext.session && widget.sessionContext.session.kernel;
  return {
    path: widget.context.path,
    kernel_status: kernel ? kernel.status : 'none',
    busy_cells: [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]
      .filter(e => e.textContent.includes('*')).length,
    cells,
  };
}
"""


class Lab:
    """Drive one notebook of the ``lab_server`` in a Playwright ``page``."""

    def __init__(self, page, server: LabServer):
        self.page = page
        self.server = server

    def copy(self, source: Path, relpath: str) -> str:
        """Copy a notebook into the server's root (so the test never touches the original)."""
        target = self.server.root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return relpath

    def open(self, relpath: str) -> None:
        """Open a notebook (fresh workspace) and wait until its kernel is idle."""
        self.server.shutdown_sessions()
        self.page.goto(self.server.url(relpath))
        self.page.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for(timeout=60_000)
        self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # room for the notebook
        self.wait_idle(timeout=60_000)

    def state(self) -> dict:
        """The open notebook's cells (sources, execution counts, outputs) and kernel status."""
        return self.page.evaluate(_JS_NOTEBOOK_STATE)

    def wait_idle(self, timeout: float = 120_000) -> dict:
        """Wait until the kernel is idle with no cell queued or running; return the state."""
        deadline = time.monotonic() + timeout / 1000
        quiet_since = None
        while True:
            state = self.state()
            idle = state is not None and state["kernel_status"] == "idle" and state["busy_cells"] == 0
            now = time.monotonic()
            if idle:
                quiet_since = quiet_since or now
                if now - quiet_since >= 1.0:  # stay idle a moment: Run All queues cells one by one
                    return state
            else:
                quiet_since = None
            if now > deadline:
                raise AssertionError(
                    f"kernel not idle after {timeout / 1000:.0f} s: "
                    f"{state and state['kernel_status']}, {state and state['busy_cells']} cells busy"
                )
            self.page.wait_for_timeout(250)

    def run_all(self, timeout: float = 240_000) -> dict:
        """Run → Run All Cells through the menu bar, wait for the kernel; return the state."""
        self.page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        self.page.locator(".lm-Menu-item:visible", has_text="Run All Cells").first.click()
        # Wait until the first code cell got an execution count: the run has started.
        self.page.wait_for_function(
            """() => { const w = window.jupyterapp.shell.currentWidget;
                       return w.content.widgets.some(c => c.model.type === 'code'
                                                        && c.model.executionCount !== null); }""",
            timeout=60_000,
        )
        return self.wait_idle(timeout=timeout)

    def run_cell(self, index: int) -> dict:
        """Select cell ``index`` and run it with Shift+Enter; wait for the kernel."""
        cell = self.page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(index)
        cell.locator(".jp-InputPrompt").first.click()
        self.page.keyboard.press("Shift+Enter")
        self.page.wait_for_timeout(300)
        return self.wait_idle()

    @staticmethod
    def problems(state: dict) -> list[str]:
        """Error outputs and stderr text, one line per output ("cell 4: NameError: x")."""
        found = []
        for index, cell in enumerate(state["cells"]):
            for out in cell["outputs"]:
                if out["type"] == "error" or (out["type"] == "stream" and out["name"] == "stderr"):
                    found.append(f"cell {index} ({out['type']}): {out['text'].strip()[:300]}")
        return found

    def map_frames(self) -> list:
        """Frames (folium's ``<iframe srcdoc>``) of the page that hold a Leaflet map."""
        return [f for f in self.page.frames if f != self.page.main_frame and _has_map(f)]


def _has_map(frame) -> bool:
    try:
        return frame.evaluate("() => !!document.querySelector('.folium-map, .leaflet-container')")
    except Exception:  # noqa: BLE001 - a frame that went away holds no map
        return False


@pytest.fixture
def lab(page, lab_server):
    """A :class:`Lab` helper on a fresh page of the ``lab_server``."""
    return Lab(page, lab_server)


# --------------------------------------------------------------------------- maps

# Leaflet calls in folium's map script, and what each draws on the page.
MARKER_CALLS = ("L.marker(",)
PATH_CALLS = ("L.polyline(", "L.polygon(", "L.circleMarker(", "L.circle(", "L.rectangle(", "L.geoJson(")


def map_report(frame) -> dict:
    """Count what a map frame declared and what it drew.

    Returns a dict with ``containers`` (``.leaflet-container``), ``markers``
    (``.leaflet-marker-icon``), ``paths`` (``path.leaflet-interactive``), and
    ``declared_markers`` / ``declared_paths``: how many Leaflet calls of each kind the
    frame's scripts make (so a map that declares markers must show some).
    """
    return frame.evaluate(
        """([markerCalls, pathCalls]) => {
             const script = [...document.scripts].map(s => s.textContent).join('\\n');
             const count = calls => calls.reduce((n, c) => n + script.split(c).length - 1, 0);
             return {
               containers: document.querySelectorAll('.leaflet-container').length,
               markers: document.querySelectorAll('.leaflet-marker-icon').length,
               paths: document.querySelectorAll('path.leaflet-interactive').length,
               declared_markers: count(markerCalls),
               declared_paths: count(pathCalls),
               title: document.title,
             };
           }""",
        [list(MARKER_CALLS), list(PATH_CALLS)],
    )


def wait_for_map(frame, timeout: float = 20_000) -> dict:
    """Wait until a map frame drew what it declared (or ``timeout``); return :func:`map_report`."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        report = map_report(frame)
        drawn = report["containers"] >= 1 and (
            (report["declared_markers"] == 0 or report["markers"] > 0)
            and (report["declared_paths"] == 0 or report["paths"] > 0)
        )
        if drawn or time.monotonic() > deadline:
            return report
        frame.wait_for_timeout(250)


def map_problems(reports: list[dict]) -> list[str]:
    """Lines describing maps that did not draw what they declared."""
    out = []
    for i, r in enumerate(reports):
        if r["containers"] < 1:
            out.append(f"map {i}: no .leaflet-container (Leaflet did not load?)")
        if r["declared_markers"] and not r["markers"]:
            out.append(f"map {i}: declares {r['declared_markers']} markers but shows none")
        if r["declared_paths"] and not r["paths"]:
            out.append(f"map {i}: declares {r['declared_paths']} paths but shows none")
    return out


@pytest.fixture
def maps_check():
    """The map helpers for test modules: ``wait_for_map``, ``map_report``, ``map_problems``."""
    return SimpleNamespace(wait_for_map=wait_for_map, map_report=map_report, map_problems=map_problems)
