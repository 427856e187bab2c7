"""A lesson in JupyterLab, as a learner runs it: Run > Run All Cells, then read the page.

By default the first lesson of the course runs, and the first lesson that draws a chart;
``CITYKIT_BROWSER_LESSONS=all`` runs every lesson (slow), and a glob (``00-foundations/0*``)
runs the lessons it matches.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CURRICULUM = ROOT / "curriculum"
# A code cell that draws: matplotlib/seaborn, pandas' .plot, or the course's plots module.
DRAWS = re.compile(r"\bplt\.|\bsns\.|\.plot\(|\bplots\.\w+\(|\bplot_\w+\(")


def _draws_charts(path: Path) -> bool:
    notebook = nbformat.read(path, as_version=4)
    return any(c.cell_type == "code" and DRAWS.search(c.source) for c in notebook.cells)


def _lessons() -> list:
    lessons = sorted(CURRICULUM.glob("*/[0-9][0-9]-*.ipynb"))
    choice = os.environ.get("CITYKIT_BROWSER_LESSONS", "").strip()
    if choice == "all":
        chosen = lessons
    elif choice:
        chosen = sorted(CURRICULUM.glob(choice if choice.endswith(".ipynb") else choice + "*"))
    else:
        chosen = lessons[:1] + [p for p in lessons[1:] if _draws_charts(p)][:1]
    if not chosen:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no lesson in curriculum/ yet"))]
    return [pytest.param(p.relative_to(ROOT).as_posix(), id=p.stem) for p in chosen]


@pytest.mark.parametrize("lesson", _lessons())
def test_lesson_runs_clean_and_shows_its_output(lab, lesson):
    expects_charts = _draws_charts(ROOT / lesson)
    lab.open(lesson)
    n_code = lab.code_cells.count()
    assert n_code > 0

    lab.run_all()

    errors = lab.error_outputs()
    assert errors == [], (
        f"{lesson} shows error or warning output to the learner:\n" + "\n---\n".join(errors)
    )
    prompts = lab.prompts()
    not_run = [i for i, p in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", p)]
    assert not_run == [], f"code cells {not_run} of {lesson} did not run (prompts {prompts})"

    outputs = lab.cells.locator(".jp-OutputArea-output")
    assert outputs.count() > 0, f"{lesson} rendered no output at all"
    images = lab.cells.locator(".jp-OutputArea-output img")
    tables = lab.cells.locator(".jp-OutputArea-output table")
    if expects_charts:
        assert images.count() > 0, f"{lesson} draws charts but none was rendered" + (
            f" (MPLBACKEND={os.environ['MPLBACKEND']} is set: a non-interactive backend "
            "hides charts in JupyterLab)"
            if os.environ.get("MPLBACKEND")
            else ""
        )
        # Charts are real pictures, not broken images.
        sizes = images.evaluate_all("els => els.map(e => [e.naturalWidth, e.naturalHeight])")
        assert all(w > 100 and h > 100 for w, h in sizes), sizes
        lab.screenshot("chart", images.first)
        lab.screenshot("last-chart", images.last)
    else:
        assert tables.count() + images.count() > 0, f"{lesson} rendered no table and no chart"
        lab.screenshot("output", (tables if tables.count() else images).first)
    lab.screenshot("end", outputs.last)
