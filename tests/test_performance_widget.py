"""The control-chart explorer works headless: change a control, the result changes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from citykit.errors import CityKitError, MissingColumnError
from citykit.synth import measures
from citykit.synth._core import RIVERTON
from citykit.widgets.performance import control_chart_explorer


@pytest.fixture(scope="module")
def scorecard():
    return measures.generate(seed=20240501, city=RIVERTON)["department_measures"]


def test_controls_drive_the_chart(scorecard):
    explorer = control_chart_explorer(scorecard, draw=False)
    assert explorer.department.options[0] == "Code Enforcement"
    explorer.department.value = "Sanitation"
    assert explorer.measure.value == "Missed pickups resolved next day"
    assert explorer.chart.chart.startswith("p'")  # shares with cases -> Laney p'
    result = explorer.result
    assert list(result.columns[:1]) == ["period"] and "signal" in result
    change = pd.Timestamp(measures.SHIFTS[("Sanitation", "Missed pickups resolved next day")]
                          ["month"] + "-01")  # fmt: skip
    # baseline 2023: the April 2024 process change is a signal
    explorer.baseline_end.value = pd.Timestamp("2023-12-01")
    assert explorer.result.loc[explorer.result["period"] == change, "signal"].item()
    baseline_rows = (explorer.result["phase"] == "baseline").sum()
    assert baseline_rows == 12
    # shorter runs make more signals; Nelson's rule set changes the rule codes
    before = int(explorer.result["signal"].sum())
    explorer.run_length.value = 3
    assert int(explorer.result["signal"].sum()) >= before
    explorer.rule_set.value = "nelson"
    codes = ",".join(explorer.result["rules"])
    assert "N" in codes and "WE" not in codes
    # a measure without cases is charted as XmR
    explorer.department.value = "Water Utility"
    explorer.measure.value = "Main breaks per 100 miles of pipe"
    assert explorer.chart.chart == "XmR"
    assert len(explorer.result) == 24 - 2  # two months were not reported


def test_explorer_draws_into_its_output(scorecard):
    explorer = control_chart_explorer(scorecard)
    assert explorer.widget is explorer and explorer.children[-1] is explorer.output
    import ipywidgets

    assert isinstance(explorer, ipywidgets.VBox)
    assert "chart of" in explorer.summary.value


def test_measure_dropdown_fits_its_longest_name(scorecard):
    # the default 300-pixel dropdown cut "Complaints inspected within 7 days" after "7 d"
    explorer = control_chart_explorer(scorecard, draw=False)
    assert max(len(name) for name in scorecard["measure"].unique()) > 40
    assert explorer.measure.layout.width == "max-content"


def test_explorer_bad_inputs(scorecard):
    with pytest.raises(MissingColumnError, match="department"):
        control_chart_explorer(scorecard.drop(columns="department"))
    with pytest.raises(CityKitError, match="no rows"):
        control_chart_explorer(scorecard.iloc[:0])
    with pytest.raises(CityKitError, match="no numbers"):
        control_chart_explorer(scorecard.assign(value="n/a"))
