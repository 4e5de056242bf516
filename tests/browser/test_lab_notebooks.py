"""Every lesson notebook, run in JupyterLab in Chromium, the way a student uses it.

For each notebook in ``notebooks/`` (whatever is there when the tests run): open a copy
in JupyterLab with ``?reset``, Run All, check that no cell shows an error, answer the
first single-choice quiz question wrongly and then rightly and read both feedback
texts from the page, check that every map drew its markers and paths (Leaflet and its
plugins are served from ``tests/browser/node_modules`` in place of the CDNs), and save a
screenshot to ``test-artifacts/lab-<notebook>.png``.

A first test runs a small generated notebook, so the harness itself is checked: it must
see a map draw, and it must see an error when a cell raises.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from karabakh import paths, site

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))


def _harness_notebook() -> nbformat.NotebookNode:
    cells = [
        "print('hello from the kernel')",
        "import folium\n"
        "m = folium.Map(location=[39.8, 46.7], zoom_start=8)\n"
        "folium.Marker([39.82, 46.75], tooltip='Stepanakert / Khankendi').add_to(m)\n"
        "folium.Marker([39.76, 46.75], tooltip='Shusha / Shushi').add_to(m)\n"
        "folium.PolyLine([[39.82, 46.75], [39.6, 46.5]]).add_to(m)\n"
        "m",
        "import ipywidgets as w\nw.Button(description='A widget')",
        "1 / 0",
        "print('never printed')",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_harness_runs_a_notebook_and_sees_maps_widgets_and_errors(
    lab, maps_check, page_errors, artifacts_dir
):
    nbformat.write(_harness_notebook(), lab.server.root / "harness.ipynb")
    lab.open("harness.ipynb")
    state = lab.run_all()

    cells = state["cells"]
    assert cells[0]["outputs"][0]["text"] == "hello from the kernel\n"
    assert lab.page.locator(".jp-OutputArea-output:visible", has_text="hello from the kernel").count() == 1
    # The error is seen, and Run All stopped there.
    assert lab.problems(state) == ["cell 3 (error): ZeroDivisionError: division by zero"]
    assert cells[4]["execution_count"] is None
    # The widget rendered.
    assert lab.page.locator("button.jupyter-button:visible", has_text="A widget").count() == 1
    # The map drew both markers and the line, with Leaflet served locally.
    frames = lab.map_frames()
    assert len(frames) == 1
    report = maps_check.wait_for_map(frames[0])
    assert (report["markers"], report["paths"]) == (2, 1), report
    assert maps_check.map_problems([report]) == []
    assert page_errors == []
    lab.page.screenshot(path=artifacts_dir / "lab-harness.png")


def first_single_question(nb: nbformat.NotebookNode):
    """The first single-choice question shown by the notebook's quiz cells, or None."""
    from karabakh import quiz

    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for name, ids in site.quiz_calls(cell.source):
            bank = quiz.load_bank(name)
            for q in bank if ids is None else [bank[i] for i in ids]:
                if q.type == "single":
                    return q
    return None


def has_quiz(nb: nbformat.NotebookNode) -> bool:
    return any(site.quiz_calls(c.source) for c in nb.cells if c.cell_type == "code")


def _exact(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def answer_quiz(page, question) -> tuple[str, str]:
    """Answer ``question`` wrongly, Check, read the feedback; then rightly. Return both texts."""
    box = page.locator(f".karabakh-question.karabakh-q-{question.id}:visible").first
    box.scroll_into_view_if_needed()
    feedback = box.locator(".karabakh-feedback")
    wrong = next(o for o in question.options if o != question.answer)
    texts = []
    for option in (wrong, question.answer):
        box.locator(".widget-radio-box label").filter(has_text=_exact(option)).first.click()
        before = feedback.inner_text()
        box.locator(".karabakh-check").first.click()
        page.wait_for_function(
            "([el, before]) => el.innerText.trim() && el.innerText !== before",
            arg=[feedback.element_handle(), before],
            timeout=15_000,
        )
        texts.append(feedback.inner_text().strip())
    return texts[0], texts[1]


@pytest.mark.skipif(not NOTEBOOKS, reason="no lesson notebooks in notebooks/ yet")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_notebook_in_jupyterlab(path: Path, lab, maps_check, page_errors, artifacts_dir):
    nb = nbformat.read(path, as_version=4)
    relpath = lab.copy(path, f"notebooks/{path.name}")
    lab.open(relpath)
    state = lab.run_all()

    code_cells = [c for c in state["cells"] if c["type"] == "code"]
    assert code_cells, "the notebook has no code cell"
    assert lab.problems(state) == [], f"{path.name} shows errors or stderr output in JupyterLab"
    not_run = [
        i for i, c in enumerate(state["cells"]) if c["type"] == "code" and c["execution_count"] is None
    ]
    assert not_run == [], f"Run All left cells {not_run} unexecuted"

    frames = lab.map_frames()
    map_cells = sum("maps.build(" in c.source for c in nb.cells if c.cell_type == "code")
    assert len(frames) >= map_cells, (
        f"{map_cells} cells build maps but only {len(frames)} maps are on the page"
    )
    reports = [maps_check.wait_for_map(f) for f in frames]
    assert maps_check.map_problems(reports) == []

    question = first_single_question(nb)
    if has_quiz(nb):
        assert question is not None, "the quiz cells show no single-choice question to answer"
    if question is not None:
        wrong_text, right_text = answer_quiz(lab.page, question)
        assert wrong_text != right_text
        assert wrong_text.lstrip("✗ ").startswith("Not quite"), wrong_text
        assert right_text.lstrip("✓ ").startswith("Correct"), right_text

    assert page_errors == []
    if frames:
        lab.page.locator(".jp-NotebookPanel:visible iframe").first.scroll_into_view_if_needed()
    lab.page.screenshot(path=artifacts_dir / f"lab-{path.stem}.png")
