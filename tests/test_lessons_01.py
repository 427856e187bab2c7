"""Module 01 lessons: the module's own content, and every lesson runs cleanly on another city's export."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from lesson_tools import charts, images, printed, run_lesson, sample_city_run
from repo_paths import ROOT

LESSONS = sorted((ROOT / "curriculum" / "01-open-data").glob("*.ipynb"))
NAMES = [p.stem for p in LESSONS]

TABLES = ("catalog", "records_requests", "portal_usage", "building_permits")


def test_the_module_has_its_four_lessons():
    assert NAMES == [
        "01-decide-what-to-publish",
        "02-describe-and-validate",
        "03-protect-privacy",
        "04-read-engagement-and-act",
    ]


@pytest.fixture(scope="module")
def other_city(tmp_path_factory):
    """Another city's exports: half of Riverton's permits and requests, with its own ward names."""
    folder = tmp_path_factory.mktemp("other_city")
    source = ROOT / "datasets"
    for name in ("catalog", "portal_usage"):
        shutil.copy(source / f"{name}.csv", folder / f"{name}.csv")
    requests = pd.read_csv(source / "records_requests.csv", dtype=str, keep_default_na=False)
    requests.iloc[::2].to_csv(folder / "records_requests.csv", index=False)
    permits = pd.read_csv(source / "building_permits.csv", dtype=str, keep_default_na=False)
    wards = {name: f"Ward {i + 1}" for i, name in enumerate(sorted(set(permits["district"])))}
    permits = permits.iloc[::2].assign(district=lambda t: t["district"].map(wards))
    permits.to_csv(folder / "building_permits.csv", index=False)
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
    assert printed(outputs).startswith(f"{city}:")
    assert len(images(outputs)) == charts(path), "every chart is drawn inside the notebook"
