"""Build the course's static HTML site: every lesson, executed, readable without a kernel.

``python -m karabakh site --out _site`` (or ``make site``) runs every notebook of
``notebooks/`` on a fresh kernel, with self-contained maps (Leaflet inlined, so maps work
with no network), and writes:

- ``index.html``: the sequence of lessons, with their objectives and times;
- one page per lesson (``00-start-here.html``...), converted with nbconvert's ``lab``
  template, with a banner linking home, to the previous and next lessons and to Binder.

What changes on the way from notebook to page:

- **Quizzes** need a kernel to check answers, so the widgets of every
  ``quiz.show(...)`` cell are replaced by the questions as static HTML
  (:func:`karabakh.quiz.static_html`), followed by a Binder link.
- **Links between notebooks** point at the site's pages (``01-war-and-statement.ipynb``
  becomes ``01-war-and-statement.html``); links to notebooks that are not on the site
  (the exercises) open them on Binder; links to other files of the repository (data,
  docs) open them on GitHub.
- **Maps** get a ``title`` (for screen readers) naming the map.
- **No script from a CDN**: the pages leave out require.js, MathJax and mermaid (the
  course has no formulas or diagrams), so they load offline.

Examples
--------
>>> page_name("notebooks/01-war-and-statement.ipynb")
'01-war-and-statement.html'
>>> rewrite_href("../exercises/01-war-and-statement.ipynb", "notebooks", {"notebooks/01-a.ipynb": "01-a.html"})
'https://mybinder.org/v2/gh/open-history-notebooks/karabakh-peacekeeping/main?urlpath=lab/tree/exercises/01-war-and-statement.ipynb'
>>> rewrite_href("01-a.ipynb#Key-points", "notebooks", {"notebooks/01-a.ipynb": "01-a.html"})
'01-a.html#Key-points'
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import html
import os
import posixpath
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import nbformat

from karabakh import paths

__all__ = [
    "Lesson",
    "build",
    "configure_parser",
    "lesson_info",
    "page_name",
    "quiz_calls",
    "rewrite_href",
    "static_quizzes",
]

COURSE_TITLE = "Russian peacekeepers in Nagorno-Karabakh, 2020–2024"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# Site styles: banner, index, static quizzes; links underlined; and darker prompt and syntax
# colours than JupyterLab's light theme, whose defaults fall below the 4.5:1 contrast ratio
# of WCAG AA on the code cells' grey background (axe-core reports them as serious).
SITE_CSS = """
:root {
  --jp-cell-inprompt-font-color: #1d5a91; --jp-cell-outprompt-font-color: #9a3a1f;
  --jp-cell-prompt-not-active-opacity: 1; --jp-cell-prompt-not-active-font-color: #424242;
  --jp-mirror-editor-atom-color: #4040c0; --jp-mirror-editor-bracket-color: #6b6b3a;
  --jp-mirror-editor-comment-color: #306b6b; --jp-mirror-editor-error-color: #d00000;
  --jp-mirror-editor-meta-color: #8a1fd6; --jp-mirror-editor-operator-color: #8a1fd6;
  --jp-mirror-editor-number-color: #007000; --jp-mirror-editor-variable-3-color: #006b47;
  --jp-mirror-editor-quote-color: #007a00;
}
.jp-RenderedHTMLCommon a, .jp-RenderedMarkdown a, .karabakh-banner a, .karabakh-footer a, .karabakh-index a
  { text-decoration: underline !important; }
.karabakh-banner { font-family: system-ui, sans-serif; background: #f3f6f9; color: #1a1a1a;
  border-bottom: 1px solid #c5ced8; padding: 0.6rem 1.2rem; }
.karabakh-banner nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: 0.4rem 1.4rem; }
.karabakh-banner p { margin: 0.4rem 0 0 0; }
.karabakh-banner a, .karabakh-footer a, .karabakh-index a, .karabakh-static-quiz a { color: #0b4a8b; }
.karabakh-binder { font-weight: 600; }
.karabakh-static-quiz { border-left: 4px solid #0b4a8b; background: #f8f9fb; color: #1a1a1a;
  padding: 0.5rem 1rem; margin: 0.5rem 0; }
.karabakh-footer { font-family: system-ui, sans-serif; color: #333; border-top: 1px solid #c5ced8;
  padding: 0.8rem 1.2rem; font-size: 0.9rem; }
.karabakh-index { font-family: system-ui, sans-serif; color: #1a1a1a; max-width: 52rem; margin: 0 auto;
  padding: 1rem 1.2rem 2rem; line-height: 1.5; }
.karabakh-index ol.lessons > li { margin-bottom: 1.4rem; }
.karabakh-index h2 { font-size: 1.2rem; margin: 0 0 0.2rem 0; }
.karabakh-index .meta { color: #333; margin: 0; }
"""

# nbconvert template: the "lab" template without CDN scripts (require.js only when widget
# state is kept), plus the banner and footer.
PAGE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js %}{% if "widgets" in nb.metadata %}{{ super() }}{% endif %}{% endblock html_head_js %}
{% block html_head_js_mathjax %}{% endblock html_head_js_mathjax %}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
{% block html_head_css %}<style type="text/css">{{ resources.karabakh.css }}</style>{% endblock html_head_css %}
{% block body_header %}
<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<!--karabakh:banner-->
<main>
{% endblock body_header %}
{% block body_footer %}
</main>
<!--karabakh:footer-->
</body>
{% endblock body_footer %}
"""


@dataclass
class Lesson:
    """What the index says about one lesson notebook."""

    path: Path  # the notebook
    relpath: str  # its path inside the course, with forward slashes
    page: str  # the site page, e.g. "01-war-and-statement.html"
    title: str
    teaching: int | None = None
    exercises: int | None = None
    objectives: list[str] = field(default_factory=list)

    @property
    def binder(self) -> str:
        """Binder link opening the notebook in JupyterLab."""
        return paths.binder_url(self.relpath)


def page_name(relpath: str | Path) -> str:
    """Name of the site page for a notebook path.

    Examples
    --------
    >>> page_name("notebooks/00-start-here.ipynb")
    '00-start-here.html'
    """
    return Path(relpath).with_suffix(".html").name


def lesson_info(path: Path, root: Path) -> Lesson:
    """Read a lesson's title (its ``# heading``) and its ``lesson`` metadata.

    Raises
    ------
    ValueError
        If the notebook has no level-1 heading.
    """
    nb = nbformat.read(path, as_version=4)
    title = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# +(.+?)\s*$", cell.source, flags=re.MULTILINE)
            if match:
                title = match.group(1)
                break
    if title is None:
        raise ValueError(f"{path.name} has no title: its first markdown cell should start with '# Title'")
    meta = nb.metadata.get("lesson", {})
    relpath = path.resolve().relative_to(root.resolve()).as_posix()
    return Lesson(
        path=path,
        relpath=relpath,
        page=page_name(relpath),
        title=title,
        teaching=meta.get("teaching"),
        exercises=meta.get("exercises"),
        objectives=list(meta.get("objectives", [])),
    )


def quiz_calls(source: str) -> list[tuple[str, list[str] | None]]:
    """``(bank, ids)`` for each ``quiz.show("bank", ids=[...])`` call in a code cell.

    Examples
    --------
    >>> quiz_calls('quiz.show("01-war-and-statement", ids=["statement-date"])')
    [('01-war-and-statement', ['statement-date'])]
    >>> quiz_calls("print('quiz.show')")
    []
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "show" or getattr(node.func.value, "id", None) != "quiz":
            continue
        args = {kw.arg: kw.value for kw in node.keywords}
        name_node = node.args[0] if node.args else args.get("name")
        ids_node = node.args[1] if len(node.args) > 1 else args.get("ids")
        try:
            name = ast.literal_eval(name_node) if name_node is not None else None
            ids = ast.literal_eval(ids_node) if ids_node is not None else None
        except ValueError:
            continue  # not literals: leave the cell's outputs as they are
        if isinstance(name, str):
            found.append((name, list(ids) if ids is not None else None))
    return found


def static_quizzes(nb: nbformat.NotebookNode, binder: str) -> int:
    """Replace the outputs of every quiz cell by the questions as static HTML; return how many.

    Widget state is dropped when no widget is left to show, so the page needs no widget
    JavaScript.
    """
    from karabakh import quiz

    replaced = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        calls = quiz_calls(cell.source)
        if not calls:
            continue
        parts = [quiz.static_html(name, ids) for name, ids in calls]
        parts.append(
            f'<p class="karabakh-binder-note"><a class="karabakh-binder" href="{html.escape(binder)}">'
            "Open this notebook on Binder</a> to answer these questions and check your answers.</p>"
        )
        body = '<div class="karabakh-static-quiz">' + "\n".join(parts) + "</div>"
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": body})]
        replaced += 1
    still_widgets = any(
        WIDGET_MIME in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    if not still_widgets:
        nb.metadata.pop("widgets", None)
    return replaced


_MAP_CALL = re.compile(r"maps\.build\(\s*[\"']([^\"']+)[\"']")


def title_maps(nb: nbformat.NotebookNode) -> int:
    """Give every map ``<iframe>`` without a title one ("Interactive map: lachin-corridor")."""
    titled = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        match = _MAP_CALL.search(cell.source)
        label = f"Interactive map: {match.group(1)}" if match else "Interactive map"
        for out in cell.outputs:
            text = out.get("data", {}).get("text/html")
            if not text:
                continue
            if isinstance(text, list):
                text = "".join(text)
            new, count = re.subn(r"<iframe(?![^>]*\stitle=)", f'<iframe title="{label}"', text)
            if count:
                out["data"]["text/html"] = new
                titled += count
    return titled


def rewrite_href(href: str, page_dir: str, pages: dict[str, str]) -> str:
    """Where a link of a notebook should point on the site.

    Parameters
    ----------
    href : str
        The link as written in the notebook.
    page_dir : str
        Folder of the notebook inside the course (``"notebooks"``).
    pages : dict
        Course path of each notebook on the site -> its page name.

    Returns
    -------
    str
        A site page for notebooks on the site, a Binder link for other notebooks, a GitHub
        link for other files of the course; external links unchanged; anchors in the form
        of nbconvert's heading ids (see :func:`heading_id`).

    Examples
    --------
    >>> rewrite_href("../data/sources.csv", "notebooks", {})
    'https://github.com/open-history-notebooks/karabakh-peacekeeping/blob/main/data/sources.csv'
    >>> rewrite_href("https://example.org/a.ipynb", "notebooks", {})
    'https://example.org/a.ipynb'
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("//"):
        return href
    anchor = f"#{heading_id(unquote(parts.fragment))}" if parts.fragment else ""
    if not parts.path:
        return anchor or href
    target = posixpath.normpath(posixpath.join(page_dir, unquote(parts.path)))
    if target.startswith("../") or target == "..":
        return href  # outside the course: leave it (the link check reports it)
    if target in pages:
        return pages[target] + anchor
    if target.endswith(".ipynb"):
        return paths.binder_url(quote(target))
    return f"{paths.REPOSITORY_URL}/blob/{paths.BRANCH}/{quote(target)}{anchor}"


def heading_id(text: str) -> str:
    """The ``id`` nbconvert gives a heading (spaces to dashes, other characters percent-encoded).

    JupyterLab links to ``#19–20-September``; the same heading on a page has the id
    ``19%E2%80%9320-September``, so anchors are rewritten to it.

    Examples
    --------
    >>> heading_id("19–20-September-2023:-the-offensive")
    '19%E2%80%9320-September-2023:-the-offensive'
    >>> heading_id("Key-points")
    'Key-points'
    """
    return quote(text.replace(" ", "-"), safe="?/:@!$&'()*+,;=")


_HREF = re.compile(r'(<a\s[^>]*?href=")([^"]*)(")')


def rewrite_links(page_html: str, page_dir: str, pages: dict[str, str]) -> str:
    """Apply :func:`rewrite_href` to every ``<a href="...">`` of a page (not inside map frames)."""

    def swap(match: re.Match) -> str:
        old = html.unescape(match.group(2))
        new = rewrite_href(old, page_dir, pages)
        return match.group(1) + (match.group(2) if new == old else html.escape(new)) + match.group(3)

    return _HREF.sub(swap, page_html)


def _banner(lesson: Lesson, index: int, lessons: list[Lesson]) -> str:
    items = ['<li><a href="index.html">Course home</a></li>']
    items.append(f"<li>Lesson {index + 1} of {len(lessons)}</li>")
    if index > 0:
        prev = lessons[index - 1]
        items.append(f'<li><a href="{prev.page}" rel="prev">Previous: {html.escape(prev.title)}</a></li>')
    if index + 1 < len(lessons):
        nxt = lessons[index + 1]
        items.append(f'<li><a href="{nxt.page}" rel="next">Next: {html.escape(nxt.title)}</a></li>')
    return (
        '<header class="karabakh-banner">\n'
        f'<nav aria-label="Course">\n<ul>{"".join(items)}</ul>\n</nav>\n'
        "<p>This page is a read-only copy of the notebook, run once when the site was built. "
        f'<a class="karabakh-binder" href="{html.escape(lesson.binder)}">Open this notebook on Binder</a> '
        "to run the code yourself and check your quiz answers (it needs a live kernel).</p>\n"
        "</header>"
    )


def _footer() -> str:
    repo = paths.REPOSITORY_URL
    return (
        '<footer class="karabakh-footer"><p>'
        f'{html.escape(COURSE_TITLE)}: an open course. Source and exercises: <a href="{repo}">{repo}</a>. '
        "Lesson text and data CC BY 4.0; code MIT.</p></footer>"
    )


def _index_html(lessons: list[Lesson]) -> str:
    items = []
    for lesson in lessons:
        times = []
        if lesson.teaching is not None:
            times.append(f"teaching {lesson.teaching} min")
        if lesson.exercises:
            times.append(f"exercises {lesson.exercises} min")
        meta = f'<p class="meta">Time: {", ".join(times)}</p>' if times else ""
        objectives = "".join(f"<li>{html.escape(o)}</li>" for o in lesson.objectives)
        objectives = f"<ul>{objectives}</ul>" if objectives else ""
        items.append(
            "<li>\n"
            f'<h2><a href="{lesson.page}">{html.escape(lesson.title)}</a></h2>\n'
            f"{meta}\n{objectives}\n"
            f'<p><a href="{html.escape(lesson.binder)}">Run it on Binder</a></p>\n'
            "</li>"
        )
    first_binder = html.escape(lessons[0].binder if lessons else paths.binder_url())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(COURSE_TITLE)}</title>
<style type="text/css">{SITE_CSS}</style>
</head>
<body>
<header class="karabakh-banner">
<nav aria-label="Course"><ul><li><a href="index.html" aria-current="page">Course home</a></li>
<li><a class="karabakh-binder" href="{first_binder}">Open the course on Binder</a></li></ul></nav>
</header>
<main class="karabakh-index">
<h1>{html.escape(COURSE_TITLE)}</h1>
<p>Jupyter notebooks on the Russian peacekeeping mission in Nagorno-Karabakh, from the November 2020
statement to the withdrawal in 2024. These pages are read-only copies of the lessons, run once when
the site was built: you can read the text, the tables and the maps without installing anything, even
offline. The quizzes are shown as plain questions: checking answers, and the exercises, need a live
kernel, on <a href="{first_binder}">Binder</a> or on your own computer.</p>
<h2 id="lessons">The lessons, in order</h2>
<ol class="lessons">
{chr(10).join(items)}
</ol>
</main>
{_footer()}
</body>
</html>
"""


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables (inherited by kernels) for the duration of a block."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file="karabakh_site.html.j2",
        extra_loaders=[DictLoader({"karabakh_site.html.j2": PAGE_TEMPLATE})],
        embed_images=True,
    )


def build(
    out: str | Path,
    notebooks: list[Path] | None = None,
    *,
    root: str | Path | None = None,
    timeout: int = 300,
    log: Callable[[str], object] = print,
) -> list[Path]:
    """Execute the lessons and write the static site.

    Parameters
    ----------
    out : path
        Output folder; created if needed. Pages already in it are replaced.
    notebooks : list of Path, optional
        Lesson notebooks in order (default: ``notebooks/*.ipynb`` of the course, by name).
    root : path, optional
        The course folder that notebook links are relative to (default: the course root).
    timeout : int
        Seconds allowed for each cell.
    log : callable
        Receives one progress line per notebook.

    Returns
    -------
    list of Path
        The pages written, ``index.html`` first.

    Raises
    ------
    ValueError
        If there is no notebook, a notebook has no title, or a cell raises.
    """
    from nbclient.exceptions import CellExecutionError

    from karabakh import execute

    root = Path(root) if root is not None else paths.course_root()
    if notebooks is None:
        notebooks = sorted(paths.notebooks_dir().glob("*.ipynb"))
    if not notebooks:
        raise ValueError("No notebook to put on the site: notebooks/ holds no .ipynb file.")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lessons = [lesson_info(Path(p), root) for p in notebooks]
    pages = {lesson.relpath: lesson.page for lesson in lessons}
    exporter = _exporter()
    written = [out / "index.html"]
    written[0].write_text(_index_html(lessons), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="karabakh-site-") as tmp:
        env = {"KARABAKH_MAPS_SELF_CONTAINED": "1", "KARABAKH_PROGRESS": str(Path(tmp) / "progress.json")}
        with _environment(**env):
            for index, lesson in enumerate(lessons):
                start = time.monotonic()
                try:
                    nb = execute.run(lesson.path, timeout=timeout)
                except CellExecutionError as exc:
                    raise ValueError(
                        f"{lesson.relpath} stops with an error ({exc.ename}: {exc.evalue}); "
                        "fix the notebook (it must run top to bottom) and build the site again."
                    ) from exc
                quizzes = static_quizzes(nb, lesson.binder)
                maps = title_maps(nb)
                nb.metadata["title"] = f"{lesson.title} · {COURSE_TITLE}"
                resources = {
                    "metadata": {"name": lesson.title, "path": str(lesson.path.parent)},
                    "karabakh": {"css": SITE_CSS},
                }
                body, _ = exporter.from_notebook_node(nb, resources=resources)
                # Rewrite the notebook's own links, then add the banner and footer (site links).
                body = rewrite_links(body, posixpath.dirname(lesson.relpath), pages)
                body = body.replace("<!--karabakh:banner-->", _banner(lesson, index, lessons), 1)
                body = body.replace("<!--karabakh:footer-->", _footer(), 1)
                target = out / lesson.page
                target.write_text(body, encoding="utf-8")
                written.append(target)
                log(
                    f"{lesson.page}: {quizzes} quiz cells made static, {maps} maps, "
                    f"{time.monotonic() - start:.1f} s"
                )
    return written


def _run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if args.clean and out.exists():
        shutil.rmtree(out)
    try:
        written = build(out, timeout=args.timeout)
    except ValueError as exc:
        print(f"karabakh site: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {len(written)} pages to {out}/ (open {out / 'index.html'})")
    return 0


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``site`` command's options: ``--out DIR``, ``--timeout S``, ``--clean``."""
    parser.add_argument("--out", default="_site", help="output folder (default: _site)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default: 300)")
    parser.add_argument("--clean", action="store_true", help="empty the output folder first")
    parser.set_defaults(func=_run)
