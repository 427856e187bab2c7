"""The same axe-core check in JupyterLab, where learners do the work: an executed lesson and an
assignment, as a learner opens them.

Each violation is put on one of two lists by where it is on the page: **the course** (what the
lessons and assignments write: rendered Markdown, HTML and text outputs) or **JupyterLab** (its
menus, toolbars, cell editors, and its renderers: an output picture gets no alt attribute from
JupyterLab, so the caption cell under each chart is the text alternative there). The course's
list must have no serious or critical violation; JupyterLab's is reported, in the test's output
and in ``test-artifacts/site/axe-jupyterlab-*.json``, not hidden and not failed on: it is
JupyterLab's to fix.

axe's colour-contrast rule finds no element to check inside JupyterLab's notebook area (it
checks the menu bar only; the count is in the report): the contrast of what the lessons write
is checked on the website, where the same outputs are rendered (tests/browser/test_site.py).
"""

from __future__ import annotations

import json

import nbformat
import pytest
from site_tools import ARTIFACTS, AXE, AXE_TAGS, BLOCKING, skip_or_fail

pytestmark = pytest.mark.browser

LESSON = "curriculum/00-foundations/03-first-chart.ipynb"
EXERCISE = "exercises/00-foundations/311-first-look.ipynb"

#: Where the course's own content is rendered (Markdown cells and outputs), except pictures,
#: whose <img> element JupyterLab's image renderer writes without alt text.
_CLASSIFY_JS = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    const where = node => {
        const element = document.querySelector(node.target[0]);
        if (!element) return 'jupyterlab';
        if (element.closest('.jp-RenderedImage')) return 'jupyterlab';
        return element.closest('.jp-OutputArea-output, .jp-MarkdownOutput') ? 'course' : 'jupyterlab';
    };
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({where: where(n), target: n.target.join(' '),
                                  html: n.html.slice(0, 160)})),
    }));
}"""


def _audit(lab, label: str) -> dict:
    """Run axe on the page; return the violations split into the course's and JupyterLab's."""
    if not AXE.is_file():
        skip_or_fail(f"axe-core is not installed ({AXE} missing): run `npm ci --prefix book`")
    lab.page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = lab.page.evaluate(_CLASSIFY_JS, AXE_TAGS)
    split = {"course": {}, "jupyterlab": {}}
    for violation in violations:
        for side in split:
            nodes = [n for n in violation["nodes"] if n["where"] == side]
            if nodes:
                split[side][violation["id"]] = {
                    "impact": violation["impact"],
                    "help": violation["help"],
                    "elements": len(nodes),
                    "examples": nodes[:3],
                }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lab.screenshot(f"axe-{label}")
    # axe's colour-contrast rule finds nothing to check inside JupyterLab's notebook area (its
    # windowed cell list): how many elements it did check is reported with the rest.
    contrast = lab.page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['color-contrast']}))"
        ".passes.reduce((n, v) => n + v.nodes.length, 0)"
    )
    split["color_contrast_elements_checked"] = contrast
    (ARTIFACTS / f"axe-jupyterlab-{label}.json").write_text(json.dumps(split, indent=1))
    print(f"\naxe in JupyterLab, {label} (colour contrast checked on {contrast} elements):")
    for side in ("course", "jupyterlab"):
        found = split[side]
        counts = {rule: f"{v['impact']} x{v['elements']}" for rule, v in found.items()}
        print(f"  {side}: {counts or 'none'}")
    return split


def _serious(found: dict) -> dict:
    return {rule: v for rule, v in found.items() if v["impact"] in BLOCKING}


def test_an_executed_lesson_in_jupyterlab(lab):
    lab.open(LESSON)
    lab.run_all()
    assert lab.page.locator(".jp-OutputArea-output img").count() >= 3, "the charts are drawn"
    found = _audit(lab, "lesson")
    assert _serious(found["course"]) == {}, json.dumps(found["course"], indent=1)[:3000]


def test_an_assignment_in_jupyterlab(lab):
    lab.open(EXERCISE)
    found = _audit(lab, "exercise")
    assert _serious(found["course"]) == {}, json.dumps(found["course"], indent=1)[:3000]


def test_the_split_puts_a_faulty_output_on_the_course_list(lab, lab_server):
    """What the course writes is judged: a Markdown link without words and an HTML output with a
    button without a name land on the course's list (JupyterLab's own unnamed button stays on
    JupyterLab's)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A faulty page\n\nRead [](https://example.org) first."),
        nbformat.v4.new_code_cell(
            "explorer",
            outputs=[
                nbformat.v4.new_output(
                    "execute_result",
                    data={"text/html": "<button type='button'></button>", "text/plain": "x"},
                    execution_count=1,
                )
            ],
            execution_count=1,
        ),
    ]
    nbformat.write(nb, lab_server.root / "faulty.ipynb")
    lab.open("faulty.ipynb")
    found = _audit(lab, "faulty-sample")
    assert {"link-name", "button-name"} <= set(_serious(found["course"]))
    assert "button-name" in found["jupyterlab"], "JupyterLab's own unnamed button stays its own"
