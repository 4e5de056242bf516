"""The static site (``python -m karabakh site``), checked on disk without a browser.

Two builds: a small generated course (two notebooks with a quiz, a map and links of
every kind), where each rule of the builder can be checked exactly; and the real course,
through the command line, when ``notebooks/`` holds lessons.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from karabakh import paths, quiz, site
from karabakh.__main__ import main

SAMPLE_BANK = paths.course_root() / "tests" / "fixtures" / "quizzes" / "sample.yaml"
NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))
BINDER_PREFIX = "https://mybinder.org/v2/gh/"


class _Page(HTMLParser):
    """Links, ids, script sources and iframes of an HTML page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.iframes: list[dict] = []
        self.lang = None
        self.title = ""
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.scripts.append(attrs["href"])  # stylesheets load like scripts
        if tag == "iframe":
            self.iframes.append(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _read(path: Path) -> _Page:
    return _Page(path.read_text(encoding="utf-8"))


def broken_links(out: Path) -> list[str]:
    """Every relative link of every page that does not lead to a file (and anchor) of the site."""
    pages = {p.name: _read(p) for p in out.glob("*.html")}
    broken = []
    for name, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target = name if not parts.path else unquote(parts.path)
            if not (out / target).is_file():
                broken.append(f"{name}: {href} (no such page)")
            elif parts.fragment and target.endswith(".html"):
                # Browsers look for the id as written in the link, then percent-decoded.
                ids = pages[Path(target).name].ids
                if parts.fragment not in ids and unquote(parts.fragment) not in ids:
                    broken.append(f"{name}: {href} (no such anchor)")
    return broken


def _nb(title: str, cells: list, lesson: dict) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {title}\n\nAbout it."), *cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["lesson"] = lesson
    return nb


def _small_course(root: Path) -> list[Path]:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    first = _nb(
        "First steps",
        [
            md(
                "## Overview\n\nLinks: [next lesson](01-second.ipynb#Key-points), "
                "[a dated section](01-second.ipynb#1920–2020-background), "
                "[its exercise](../exercises/01-second.ipynb), [the sources](../data/sources.csv), "
                "[a website](https://example.org/page) and [this section](#Overview). It cost $5 and $6."
            ),
            code(
                "import folium\nfrom karabakh import quiz\n"
                "m = folium.Map(location=[39.8, 46.7], zoom_start=8)\n"
                "folium.Marker([39.82, 46.75]).add_to(m)\nm"
            ),
            code(f"quiz.show({str(SAMPLE_BANK)!r}, ids=['statement-signatories', 'corridor-width'])"),
        ],
        {"teaching": 10, "exercises": 0, "objectives": ["By the end you can open a notebook."]},
    )
    second = _nb(
        "Second lesson",
        [
            md("## 1920–2020 background\n\nText."),
            md("## Key points\n\n- A point. Back to [the start](00-first.ipynb)."),
            code("21 * 2"),
        ],
        {
            "teaching": 25,
            "exercises": 15,
            "objectives": ["By the end you can read a map.", "By the end you can cite."],
        },
    )
    (root / "notebooks").mkdir(parents=True)
    paths_ = [root / "notebooks" / "00-first.ipynb", root / "notebooks" / "01-second.ipynb"]
    nbformat.write(first, paths_[0])
    nbformat.write(second, paths_[1])
    return paths_


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    notebooks = _small_course(root)
    out = root / "_site"
    lines = []
    written = site.build(out, notebooks, root=root, log=lines.append)
    return out, written, lines


def test_small_site_writes_index_then_pages(small_site):
    out, written, lines = small_site
    assert [p.name for p in written] == ["index.html", "00-first.html", "01-second.html"]
    assert lines[0].startswith("00-first.html: 1 quiz cells made static, 1 maps")


def test_index_lists_lessons_in_order_with_times_and_objectives(small_site):
    out, _, _ = small_site
    text = (out / "index.html").read_text(encoding="utf-8")
    page = _Page(text)
    lessons = [h for h in page.links if h.endswith(".html") and h != "index.html"]
    assert lessons == ["00-first.html", "01-second.html"]
    assert text.index("First steps") < text.index("Second lesson")
    assert "Time: teaching 10 min</p>" in text  # no exercise time when there are none
    assert "Time: teaching 25 min, exercises 15 min" in text
    assert "<li>By the end you can read a map.</li>" in text
    assert page.lang == "en" and page.title


def test_every_page_has_a_binder_link_to_its_own_notebook(small_site):
    out, _, _ = small_site
    for stem in ("00-first", "01-second"):
        page = _read(out / f"{stem}.html")
        assert paths.binder_url(f"notebooks/{stem}.ipynb") in page.links
        assert page.lang == "en"
        assert page.title.startswith("First steps" if stem == "00-first" else "Second lesson")


def test_quiz_widgets_become_static_questions(small_site):
    out, _, _ = small_site
    text = (out / "00-first.html").read_text(encoding="utf-8")
    bank = quiz.load_bank(SAMPLE_BANK)
    for qid in ("statement-signatories", "corridor-width"):
        assert f"karabakh-q-{qid}" in text
        assert bank[qid].prompt in text
    assert "karabakh-q-ceasefire-start" not in text  # only the ids the cell asks for
    for option in bank["statement-signatories"].options:
        assert f"<li>{option}</li>" in text
    assert "needs a live kernel" in text
    assert "Open this notebook on Binder</a> to answer these questions" in text
    assert "widget-view+json" not in text and "widget-state+json" not in text
    assert bank["corridor-width"].explanation not in text  # no answers on the page


def test_links_between_notebooks_are_rewritten(small_site):
    out, _, _ = small_site
    links = _read(out / "00-first.html").links
    assert "01-second.html#Key-points" in links
    assert "01-second.html#1920%E2%80%932020-background" in links  # nbconvert's id for the heading
    assert paths.binder_url("exercises/01-second.ipynb") in links
    assert f"{paths.REPOSITORY_URL}/blob/{paths.BRANCH}/data/sources.csv" in links
    assert "https://example.org/page" in links and "#Overview" in links
    assert not [h for h in links if h.endswith(".ipynb") and not h.startswith(BINDER_PREFIX)]
    # The banner links home and to the next lesson; the second page back to the first.
    assert "index.html" in links
    assert "00-first.html" in _read(out / "01-second.html").links


def test_internal_links_resolve_on_disk(small_site):
    out, _, _ = small_site
    assert broken_links(out) == []


def test_pages_load_nothing_from_the_network(small_site):
    out, _, _ = small_site
    for path in out.glob("*.html"):
        page = _read(path)
        assert page.scripts == [], f"{path.name} loads {page.scripts}"
    text = (out / "00-first.html").read_text(encoding="utf-8")
    assert "mathjax" not in text.lower() and "require.js" not in text
    assert "$5 and $6" in text  # dollar signs stay text


def test_maps_get_a_title(small_site):
    out, _, _ = small_site
    iframes = _read(out / "00-first.html").iframes
    assert [f.get("title") for f in iframes] == ["Interactive map"]


def test_broken_link_checker_sees_a_missing_page_and_anchor(tmp_path):
    (tmp_path / "a.html").write_text(
        '<a href="b.html">b</a> <a href="a.html#nope">x</a> <h2 id="yes">', "utf-8"
    )
    assert broken_links(tmp_path) == ["a.html: b.html (no such page)", "a.html: a.html#nope (no such anchor)"]


def test_a_notebook_that_raises_stops_the_build_with_its_name(tmp_path):
    (tmp_path / "notebooks").mkdir()
    bad = tmp_path / "notebooks" / "00-bad.ipynb"
    nbformat.write(_nb("Bad", [nbformat.v4.new_code_cell("1 / 0")], {}), bad)
    with pytest.raises(ValueError, match=r"notebooks/00-bad.ipynb stops with an error \(ZeroDivisionError"):
        site.build(tmp_path / "_site", [bad], root=tmp_path, log=lambda _line: None)
    assert not (tmp_path / "_site" / "00-bad.html").exists()


def test_a_notebook_without_title_is_refused(tmp_path):
    path = tmp_path / "x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("no heading")]), path)
    with pytest.raises(ValueError, match="has no title"):
        site.lesson_info(path, tmp_path)


# --------------------------------------------------------------------------- the real course


@pytest.fixture(scope="module")
def course_site(tmp_path_factory):
    if not NOTEBOOKS:
        pytest.skip("no lesson notebooks in notebooks/ yet")
    out = tmp_path_factory.mktemp("course-site")
    assert main(["site", "--out", str(out)]) == 0
    return out


def test_course_index_lists_the_sequence_in_order(course_site):
    text = (course_site / "index.html").read_text(encoding="utf-8")
    lessons = [site.lesson_info(p, paths.course_root()) for p in NOTEBOOKS]
    links = [h for h in _Page(text).links if h.endswith(".html") and h != "index.html"]
    assert links == [lesson.page for lesson in lessons]
    positions = [text.index(f'<a href="{lesson.page}">') for lesson in lessons]
    assert positions == sorted(positions)
    for lesson in lessons:
        assert html.escape(lesson.title) in text
        for objective in lesson.objectives:
            assert objective.replace("'", "&#x27;").replace('"', "&quot;") in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_course_page(path, course_site):
    page_path = course_site / site.page_name(path.name)
    text = page_path.read_text(encoding="utf-8")
    page = _Page(text)
    assert paths.binder_url(f"notebooks/{path.name}") in page.links
    assert page.scripts == [], f"{page_path.name} loads {page.scripts}"
    nb = nbformat.read(path, as_version=4)
    calls = [call for cell in nb.cells if cell.cell_type == "code" for call in site.quiz_calls(cell.source)]
    for name, ids in calls:
        for qid in ids if ids is not None else quiz.load_bank(name).ids:
            assert f"karabakh-q-{qid}" in text, f"question {qid} is missing from {page_path.name}"
    assert text.count("needs a live kernel") >= len(calls)
    assert "widget-view+json" not in text
    assert not [h for h in page.links if h.endswith(".ipynb") and not h.startswith(BINDER_PREFIX)]
    maps = re.findall(
        r"maps\.build\(\s*[\"']([^\"']+)", "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    )
    titles = [f.get("title") for f in page.iframes]
    assert titles == [f"Interactive map: {name}" for name in maps]
    for frame in page.iframes:
        assert "cdn.jsdelivr.net" not in frame["srcdoc"], "maps on the site must be self-contained"


def test_course_internal_links_resolve_on_disk(course_site):
    assert broken_links(course_site) == []
