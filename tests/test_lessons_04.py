"""Module 04 lessons: the module's own content, and every lesson runs cleanly on another city's export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lesson_tools import cells as _cells
from lesson_tools import charts, images, printed, run_lesson, sample_city_run
from repo_paths import ROOT

MODULE = ROOT / "curriculum" / "04-results-driven-contracting"
LESSONS = sorted(MODULE.glob("*.ipynb"))
NAMES = [p.stem for p in LESSONS]


def test_the_module_has_its_four_lessons():
    assert NAMES == [
        "01-outputs-vs-outcomes",
        "02-fair-comparison",
        "03-the-monthly-check-in",
        "04-paying-for-results",
    ]


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_the_enrollments_table_is_a_parameter(path):
    """Another city names its own HMIS export in the parameters cell."""
    lesson = _cells(path)
    parameters = next(src for _, src, c in lesson if "parameters" in c["metadata"].get("tags", []))
    assert 'enrollments_table = "hmis_enrollments"' in parameters
    setup = next(src for kind, src, _ in lesson if src.startswith("# Run this cell first"))
    assert "from citykit import contracting, datasets" in setup
    assert "datasets.load(enrollments_table, data_dir=data_dir)" in setup


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_every_chart_uses_the_course_style(path):
    # captions under charts: test_lesson_anatomy.py
    cells = _cells(path)
    charts = [i for i, (kind, src, _) in enumerate(cells) if kind == "code" and "plt.show()" in src]
    assert charts, "every lesson of the module has at least one chart"
    for i in charts:
        source = cells[i][1]
        assert "plots.provider_" in source or (
            "plots.finish_axes" in source and "plots.palette(" in source
        ), "charts come from citykit.plots or use its style and colourblind-safe palette"


def test_lessons_teach_with_the_module_toolkit():
    text = "\n".join(src for p in LESSONS for _, src, _ in _cells(p))
    for name in (
        "exits_to_permanent_housing",
        "returns_to_homelessness",
        "prevention_outcomes",
        "destination_codes",
        "risk_adjust",
        "calibration",
        "discrimination",
        "funnel_data",
        "provider_funnel_plot",
        "risk_adjustment_explorer",
        "provider_progress_report",
        "data_quality_flags",
        "pay_for_performance",
        "simulate_cream_skimming",
        "score_vendors",
        "weight_sensitivity",
        "contract_portfolio",
    ):
        assert f"{name}(" in text, name


def test_fair_comparison_quotes_the_binary_outcome_numbers():
    # lesson 04.2 and issue 16: exits to housing are yes/no, so Var(O) = sum p(1-p), 0.59 x E in
    # Riverton's shelters; P08's z is -3.595 (Poisson: -2.76), beyond its 99.8% limit, and P01's
    # +2.10 (Poisson: +1.62), above its 95% limit
    from citykit import contracting, datasets

    exits = contracting.client_exits(
        datasets.load("hmis_enrollments"),
        clients=datasets.load("hmis_clients"),
        project_types=("ES",),
    )
    factors = [
        "disabling_condition",
        "prior_episodes",
        "chronically_homeless",
        "household_type",
        "veteran",
        "has_income",
    ]
    risk = contracting.risk_adjust(exits, outcome="exit_ph", risk_factors=factors)
    assert risk.variance_ratio == pytest.approx(0.59, abs=0.005)
    table = risk.table.set_index("provider_id")
    assert table.loc["P08", "z"] == pytest.approx(-3.595, abs=0.0005)
    assert table.loc["P01", "z"] == pytest.approx(2.10, abs=0.005)
    poisson_z = (table["observed"] - table["expected"]) / np.sqrt(table["expected"])
    assert poisson_z["P08"] == pytest.approx(-2.76, abs=0.005)
    assert poisson_z["P01"] == pytest.approx(1.62, abs=0.005)
    # "O/E is 1.01, with a 95% interval from about 0.92 to 1.10"; P08 "about 0.77 to 0.93"
    assert table.loc["P06", ["oe_low", "oe_high"]].round(2).tolist() == [0.92, 1.10]
    assert table.loc["P08", ["oe_low", "oe_high"]].round(2).tolist() == [0.77, 0.93]
    zones = contracting.funnel_data(risk).table.set_index("provider_id")["zone"].to_dict()
    assert zones == {
        "P01": "above 95% limit",
        "P02": "within 95% limits",
        "P06": "within 95% limits",
        "P08": "below 99.8% limit",
    }
    old = contracting.funnel_data(risk.table, observed="observed", denominator="expected")
    assert set(old.table.loc[old.table["zone"] != "within 95% limits", "provider_id"]) == {"P08"}


def test_fair_comparison_by_hand_and_by_the_toolkit_agree():
    # lesson 04.2 cuts the deciles with pd.qcut and reads the c-statistic as a Mann-Whitney
    # statistic; contracting.calibration / discrimination must give the same groups and number
    from citykit import contracting, datasets
    from scipy import stats

    exits = contracting.client_exits(
        datasets.load("hmis_enrollments"),
        clients=datasets.load("hmis_clients"),
        project_types=("ES",),
    )
    factors = [
        "disabling_condition",
        "prior_episodes",
        "chronically_homeless",
        "household_type",
        "veteran",
        "has_income",
    ]
    risk = contracting.risk_adjust(exits, outcome="exit_ph", risk_factors=factors)
    scored = exits.assign(expected=risk.expected)
    scored = scored.assign(decile=pd.qcut(scored["expected"], 10, labels=False) + 1)
    by_hand = scored.groupby("decile").agg(
        clients=("exit_ph", "size"), expected=("expected", "sum"), observed=("exit_ph", "sum")
    )
    table = contracting.calibration(risk).table.set_index("group")
    assert table["clients"].tolist() == by_hand["clients"].tolist()
    assert table["observed"].tolist() == by_hand["observed"].tolist()
    assert np.allclose(table["expected"], by_hand["expected"], rtol=1e-12)
    housed = scored.loc[scored["exit_ph"] == 1, "expected"]
    others = scored.loc[scored["exit_ph"] == 0, "expected"]
    c = stats.mannwhitneyu(housed, others).statistic / (len(housed) * len(others))
    assert contracting.discrimination(risk).c_statistic == pytest.approx(c, abs=1e-12)


@pytest.fixture(scope="module")
def other_city(tmp_path_factory):
    """Another city's HMIS export: half of Riverton's clients, with its own provider ids."""
    source = ROOT / "datasets"
    read = {"dtype": str, "keep_default_na": False}
    clients = pd.read_csv(source / "hmis_clients.csv", **read).iloc[::2]
    enrollments = pd.read_csv(source / "hmis_enrollments.csv", **read)
    enrollments = enrollments[enrollments["client_id"].isin(clients["client_id"])]
    ids = {f"P{i:02d}": f"OT-{100 + i}" for i in range(1, 12)}
    folder = tmp_path_factory.mktemp("other_city")
    clients.to_csv(folder / "hmis_clients.csv", index=False)
    enrollments.assign(provider_id=enrollments["provider_id"].map(ids)).to_csv(
        folder / "hmis_enrollments.csv", index=False
    )
    for name in ("providers", "provider_contracts"):
        table = pd.read_csv(source / f"{name}.csv", **read)
        table.assign(provider_id=table["provider_id"].map(ids)).to_csv(
            folder / f"{name}.csv", index=False
        )
    return folder


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
@pytest.mark.parametrize("city", ["Riverton", "Othertown"])
def test_lesson_runs_without_errors_or_warnings(path, city, other_city, tmp_path):
    """Papermill runs the lesson (sample city, and another city's export via the parameters cell)."""
    parameters = {}
    if city != "Riverton":
        parameters = {"data_dir": str(other_city), "city": city}
        if path.stem == "03-the-monthly-check-in":
            parameters["provider"] = "OT-108"
    if city == "Riverton":  # the run the figures test checks too, once per session
        outputs = sample_city_run(path)[0]
    else:
        outputs = run_lesson(path, tmp_path / path.name, parameters)
    assert f"for {city}" in printed(outputs)
    assert len(images(outputs)) == charts(path), "every chart is drawn inside the notebook"
