"""Module 00 lessons: the module's own content, and every lesson runs cleanly on another city's export."""

from __future__ import annotations

import pytest
from lesson_tools import cells as _cells
from lesson_tools import charts, images, other_city_requests, printed, run_lesson, sample_city_run
from repo_paths import ROOT

LESSONS = sorted((ROOT / "curriculum" / "00-foundations").glob("*.ipynb"))
NAMES = [p.stem for p in LESSONS]


def test_the_module_has_its_three_lessons():
    assert NAMES == ["01-tables-and-filters", "02-group-pivot-dates", "03-first-chart"]


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_setup_loads_the_311_requests_with_pandas(path):
    """The first module stays close to the spreadsheet: pandas and one table, the 311 requests."""
    setup = next(src for kind, src, _ in _cells(path) if src.startswith("# Run this cell first"))
    assert "import pandas as pd" in setup and "from citykit import datasets" in setup
    assert 'requests = datasets.load("service_requests", data_dir=data_dir)' in setup


def test_every_chart_is_labelled_and_uses_the_palette():
    # captions under charts: test_lesson_anatomy.py
    cells = _cells(ROOT / "curriculum" / "00-foundations" / "03-first-chart.ipynb")
    charts = [i for i, (kind, src, _) in enumerate(cells) if kind == "code" and "plt.show()" in src]
    assert len(charts) >= 3
    for i in charts:
        assert (
            "set_title" in cells[i][1]
            and "set_xlabel" in cells[i][1]
            and "set_ylabel" in cells[i][1]
        )
        assert "palette(" in cells[i][1], "charts use the colourblind-safe palette"


@pytest.fixture(scope="module")
def other_city(tmp_path_factory):
    """Another city's export: a seventh of Riverton's rows, with its own names for places and units."""
    table = other_city_requests(ROOT)
    table = table.assign(service_type=table["service_type"].replace({"Pothole": "Pothole Repair"}))
    folder = tmp_path_factory.mktemp("other_city")
    table.to_csv(folder / "service_requests.csv", index=False)
    return folder


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
@pytest.mark.parametrize("city", ["Riverton", "Othertown"])
def test_lesson_runs_without_errors_or_warnings(path, city, other_city, tmp_path):
    """Papermill runs the lesson (sample city, and another city's export via the parameters cell)."""
    parameters = {} if city == "Riverton" else {"data_dir": str(other_city), "city": city}
    if city == "Riverton":  # the run the figures test checks too, once per session
        outputs = sample_city_run(path)[0]
    else:
        outputs = run_lesson(path, tmp_path / path.name, parameters)
    assert f"service requests for {city}." in printed(outputs)
    assert len(images(outputs)) == charts(path), "every chart is drawn inside the notebook"
