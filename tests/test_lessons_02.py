"""Module 02 lessons: the module's own content and charts, and every lesson runs cleanly."""

from __future__ import annotations

import pytest
from lesson_tools import (
    OTHER_DEPARTMENTS,
    charts,
    images,
    other_city_requests,
    run_lesson,
    sample_city_run,
)
from lesson_tools import cells as _cells
from repo_paths import ROOT

MODULE = ROOT / "curriculum" / "02-performance-management"
LESSONS = sorted(MODULE.glob("*.ipynb"))
NAMES = [p.stem for p in LESSONS]


def test_the_module_has_its_four_lessons():
    assert NAMES == [
        "01-from-goal-to-measure",
        "02-signal-vs-noise",
        "03-the-stat-meeting",
        "04-inventory-and-data-quality",
    ]


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_every_chart_comes_from_citykit_plots(path):
    # captions under charts and explorers: test_lesson_anatomy.py
    for i, (kind, src, _) in enumerate(_cells(path)):
        if kind == "code" and "plt.show()" in src:
            assert "plots." in src, (
                f"cell {i}: charts come from citykit.plots (palette, titles, units)"
            )


def test_the_signal_lesson_finds_the_real_change_and_uses_the_explorer():
    text = "\n".join(src for _, src, _ in _cells(MODULE / "02-signal-vs-noise.ipynb"))
    assert "performance.xmr_chart(" in text and "performance.p_chart(" in text
    assert "widgets.control_chart_explorer(" in text
    assert "April 2024" in text and "Sanitation" in text


@pytest.fixture(scope="module")
def other_city(tmp_path_factory):
    """Another city's exports: a seventh of Riverton's requests, with its own names for places."""
    import pandas as pd

    requests = other_city_requests(ROOT)
    read = {"dtype": str, "keep_default_na": False}
    scorecard = pd.read_csv(ROOT / "datasets" / "department_measures.csv", **read)
    scorecard = scorecard.assign(department=scorecard["department"].replace(OTHER_DEPARTMENTS))
    folder = tmp_path_factory.mktemp("other_city")
    requests.to_csv(folder / "service_requests.csv", index=False)
    scorecard.to_csv(folder / "department_measures.csv", index=False)
    return folder


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
@pytest.mark.parametrize("city", ["Riverton", "Othertown"])
def test_lesson_runs_without_errors_or_warnings(path, city, other_city, tmp_path):
    """Papermill runs the lesson (sample city, and another city's exports); no stderr; charts drawn."""
    parameters = {} if city == "Riverton" else {"data_dir": str(other_city), "city": city}
    if city == "Riverton":  # the run the figures test checks too, once per session
        outputs = sample_city_run(path)[0]
    else:
        outputs = run_lesson(path, tmp_path / path.name, parameters)
    assert len(images(outputs)) == charts(path), "every chart is drawn inside the notebook"
