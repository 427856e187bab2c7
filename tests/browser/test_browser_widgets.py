"""An explorer in JupyterLab, as a learner uses it: move a slider, watch the output change.

Each case is a small notebook this test writes into the server's folder: a setup cell (imports,
data) and a cell whose last line displays the explorer. Cases naming a ``citykit.widgets``
explorer skip while that explorer is not in the toolkit; the plain ipywidgets case always runs,
so the widget machinery of the course environment (the ipywidgets lab extension, the comm
between page and kernel, charts redrawn in an output widget) is tested in any case.

After the move, the explorer must look right: no description or dropdown text cut off, no
chart stretched or scaled up past its pixels.

To add an explorer: append a ``case(...)`` below.
"""

from __future__ import annotations

import importlib
import os

import nbformat
import pytest

pytestmark = pytest.mark.browser


def case(name, setup, call, *, needs=None, slider=0, key="ArrowRight", presses=3):
    """One explorer: ``setup`` code, the ``call`` that displays it, and how to move a slider.

    ``needs`` names the ``citykit.widgets`` function the case requires (skipped without it);
    ``slider`` is the index of the slider to move (page order), ``key`` the key pressed
    ``presses`` times on it (sliders move by one step per arrow key).
    """
    marks = ()
    if needs is not None:
        try:
            available = hasattr(importlib.import_module("citykit.widgets"), needs)
        except ImportError:
            available = False
        if not available:
            marks = (pytest.mark.skip(reason=f"citykit.widgets.{needs} does not exist yet"),)
    return pytest.param(setup, call, slider, key, presses, id=name, marks=marks)


SUPPRESSION_COUNTS = (
    'pd.DataFrame({"A": [25, 7, 40], "B": [3, 30, 12], "C": [18, 22, 0]}, '
    'index=["North", "South", "East"])'
)

CASES = [
    case(
        "ipywidgets-interactive-chart",
        "import ipywidgets as widgets\n"
        "import matplotlib.pyplot as plt\n\n\n"
        "def bars(n=3):\n"
        "    fig, ax = plt.subplots(figsize=(4, 3))\n"
        "    ax.bar(range(n), range(1, n + 1))\n"
        '    ax.set_title(f"{n} bars")\n'
        "    plt.show()",
        'widgets.interactive(bars, n=widgets.IntSlider(value=3, min=1, max=10, description="Bars"))',
    ),
    case(
        "power-explorer",
        "from citykit.widgets import power_explorer",
        "power_explorer()",
        needs="power_explorer",
    ),
    case(
        "suppression-explorer",
        "import pandas as pd\nfrom citykit.widgets import suppression_explorer",
        f"suppression_explorer({SUPPRESSION_COUNTS})",  # threshold 11 -> 14 hides the 12
        needs="suppression_explorer",
    ),
    case(
        "control-chart-explorer",
        "from citykit import datasets\nfrom citykit.widgets import control_chart_explorer",
        'control_chart_explorer(datasets.load("department_measures"))',
        needs="control_chart_explorer",
        slider=1,  # the end of the baseline period: the limits are recomputed
        key="ArrowLeft",
    ),
    case(
        "risk-adjustment-explorer",
        "from citykit import contracting, datasets\n"
        "from citykit.widgets import risk_adjustment_explorer\n\n"
        'enrollments = contracting.prepare_enrollments(datasets.load("hmis_enrollments"))\n'
        "shelter = enrollments[\n"
        '    (enrollments["dq_issue"] == "") & enrollments["exited"]\n'
        '    & (enrollments["project_type"] == "ES")\n'
        "]\n"
        'exits = shelter.merge(datasets.load("hmis_clients"), on="client_id")\n'
        'exits = exits.assign(exit_ph=exits["permanent_exit"].astype(int),\n'
        '                     high_risk=exits["acuity_score"] >= 9)',
        'risk_adjustment_explorer(exits, outcome="exit_ph", high_risk="high_risk",\n'
        '                         risk_factors=["disabling_condition", "prior_episodes", "veteran"])',
        needs="risk_adjustment_explorer",
        presses=5,
    ),
]

# What the kernel shows, without the sliders themselves: the texts and the pictures.
_SIGNATURE_JS = """area => {
    const copy = area.cloneNode(true);
    copy.querySelectorAll('.widget-slider, .widget-readout, .noUi-target, input, textarea')
        .forEach(e => e.remove());
    const images = [...area.querySelectorAll('img')].map(i => i.src);
    return copy.innerText + '\\n' + images.join('\\n');
}"""


# What a learner would see as broken: a description cut to "High-risk ...", a dropdown whose
# chosen text runs under its arrow, a chart stretched out of shape or blown up past its pixels.
_LAYOUT_PROBLEMS_JS = """area => {
    const problems = [];
    for (const label of area.querySelectorAll('.widget-label')) {
        if (label.offsetParent && label.scrollWidth > label.clientWidth + 1) {
            problems.push(`description cut off: "${label.textContent}"`);
        }
    }
    const context = document.createElement('canvas').getContext('2d');
    for (const select of area.querySelectorAll('select:not([multiple])')) {
        const style = getComputedStyle(select);
        context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : '';
        const room = select.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
        if (context.measureText(text).width > room + 1) {
            problems.push(`dropdown text cut off: "${text}"`);
        }
    }
    for (const image of area.querySelectorAll('img')) {
        if (!image.naturalWidth || !image.clientHeight) continue;
        const natural = image.naturalWidth / image.naturalHeight;
        const shown = image.clientWidth / image.clientHeight;
        const size = `${image.naturalWidth}x${image.naturalHeight} px picture shown at `
            + `${image.clientWidth}x${image.clientHeight}`;
        if (Math.abs(shown / natural - 1) > 0.02) problems.push(`image stretched: ${size}`);
        if (image.clientWidth > 1.05 * image.naturalWidth) problems.push(`image blown up: ${size}`);
    }
    return problems;
}"""


def _write_notebook(path, setup: str, call: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(call)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


@pytest.mark.parametrize(("setup", "call", "slider", "key", "presses"), CASES)
def test_moving_a_slider_changes_the_output(lab, request, setup, call, slider, key, presses):
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    name = request.node.callspec.id
    _write_notebook(lab.server.root / "widgets" / f"{name}.ipynb", setup, call)
    lab.open(f"widgets/{name}.ipynb")
    lab.run_all()
    assert lab.error_outputs() == [], lab.error_outputs()

    cell = lab.code_cells.last
    area = cell.locator(".jp-Cell-outputArea")
    handle = area.get_by_role("slider").nth(slider)
    handle.wait_for(state="visible")
    readout = handle.locator("xpath=ancestor::*[contains(@class, 'widget-slider')][1]").locator(
        ".widget-readout"
    )
    before_value = readout.inner_text()
    before = area.evaluate(_SIGNATURE_JS)
    assert before.strip(), "the explorer shows nothing but its sliders"
    lab.screenshot("1-before", area)

    handle.focus()
    for _ in range(presses):
        lab.page.keyboard.press(key)
        lab.page.wait_for_timeout(150)

    after_value = readout.inner_text()
    assert after_value != before_value, f"the slider did not move from {before_value}"
    try:
        lab.page.wait_for_function(
            f"([area, before]) => ({_SIGNATURE_JS})(area) !== before",
            arg=[area.element_handle(), before],
            timeout=20_000,
        )
    except PlaywrightTimeoutError:
        hint = ""
        if os.environ.get("MPLBACKEND"):
            hint = (
                f" (MPLBACKEND={os.environ['MPLBACKEND']} is set: a non-interactive matplotlib "
                "backend draws no chart in JupyterLab)"
            )
        raise AssertionError(
            f"moving the slider from {before_value} to {after_value} did not change the "
            f"explorer's output within 20 s{hint}"
        ) from None
    lab.wait_for_kernel_idle()
    lab.page.wait_for_timeout(500)  # the last redraw arrives after the first change
    assert lab.error_outputs(cell) == [], lab.error_outputs(cell)
    assert area.evaluate(_SIGNATURE_JS) != before
    lab.screenshot("2-after", area)
    assert area.evaluate(_LAYOUT_PROBLEMS_JS) == []
