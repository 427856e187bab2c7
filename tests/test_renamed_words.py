"""The old words of performance, evaluation, plots and widgets still work for one release.

Each old call gives the same answer as the new one and a FutureWarning naming the new word; the
new call gives no warning.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from citykit import evaluation, performance, plots, widgets
from citykit.errors import CityKitError


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def requests():
    return pd.DataFrame(
        {
            "opened_at": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-02-01", "2024-02-02"]),
            "days_to_close": [1.0, 5.0, 2.0, 4.0],
            "department": ["Parks", "Roads", "Parks", "Roads"],
        }
    )


@pytest.fixture
def trial():
    return pd.DataFrame(
        {"arm": ["control"] * 6 + ["letter"] * 6, "paid": [0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1]}
    )


MEDIAN = performance.Measure("Median days", "median", column="days_to_close")


def _new(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call()


def _old(call, word):
    with pytest.warns(FutureWarning, match=word):
        return call()


def test_compute_measures_group_and_positional_measures(requests):
    new = _new(lambda: performance.compute_measures(requests, measures=MEDIAN, by="department"))
    old = _old(lambda: performance.compute_measures(requests, MEDIAN, by="department"), "measures=")
    pd.testing.assert_frame_equal(new, old)
    old = _old(
        lambda: performance.compute_measures(requests, measures=MEDIAN, group="department"), "by="
    )
    pd.testing.assert_frame_equal(new, old)
    with pytest.raises(CityKitError, match="got both group= and by="):
        performance.compute_measures(requests, measures=MEDIAN, group="department", by="department")


def test_assign_arm_column(trial):
    units = trial[["paid"]].rename(columns={"paid": "x"}).reset_index()
    new = _new(lambda: evaluation.assign_complete(units, seed=1, arm="group", unit="index"))
    old = _old(
        lambda: evaluation.assign_complete(units, seed=1, arm_column="group", unit="index"), "arm="
    )
    pd.testing.assert_frame_equal(new.table, old.table)
    assert "group" in new.table.columns


def test_effect_sentence_and_randomization_plot_arm_label(trial):
    result = evaluation.estimate_effects(trial, outcome="paid")
    new = _new(lambda: evaluation.effect_sentence(result, arm_label="letter"))
    assert _old(lambda: evaluation.effect_sentence(result, arm="letter"), "arm_label=") == new
    assert _old(lambda: evaluation.effect_sentence(result, "letter"), "arm_label=") == new
    assert _old(lambda: result.sentence("letter"), "arm_label=") == new
    test = evaluation.randomization_test(trial, outcome="paid", draws=200, seed=1)
    ax = _new(lambda: plots.randomization_plot(test, arm_label="letter"))
    old = _old(lambda: plots.randomization_plot(test, arm="letter"), "arm_label=")
    assert ax.get_title() == old.get_title()


def test_control_rate_in_power_functions():
    new = _new(lambda: evaluation.mde_two_proportions(control_rate=0.2, n_per_arm=1000))
    assert (
        _old(lambda: evaluation.mde_two_proportions(baseline=0.2, n_per_arm=1000), "control_rate=")
        == new
    )
    h = _new(lambda: evaluation.cohens_h(0.5, control_rate=0.4))
    assert _old(lambda: evaluation.cohens_h(0.5, baseline=0.4), "control_rate=") == h
    p = _new(lambda: evaluation.power_two_proportions(control_rate=0.4, treated=0.5, n_per_arm=400))
    assert (
        _old(
            lambda: evaluation.power_two_proportions(baseline=0.4, treated=0.5, n_per_arm=400),
            "control_rate=",
        )
        == p
    )
    explorer = _old(lambda: widgets.power_explorer(baseline=0.2, draw=False), "control_rate=")
    assert explorer.control_rate.value == pytest.approx(0.2)


def test_rule_flags_validate_schema_complete_counts_by_position():
    values = [0.2, -0.4, 0.1, 3.3, 0.0, -0.2]
    new = _new(lambda: performance.rule_flags(values, centre=0.0, sigma=1.0))
    old = _old(lambda: performance.rule_flags(values, 0.0, 1.0), "centre=")
    assert {k: v.tolist() for k, v in new.items()} == {k: v.tolist() for k, v in old.items()}
    counts = _new(
        lambda: evaluation.complete_counts(10, probs=[0.7, 0.3], rng=np.random.default_rng(1))
    )
    old = _old(
        lambda: evaluation.complete_counts(10, [0.7, 0.3], np.random.default_rng(1)), "probs="
    )
    assert counts.tolist() == old.tolist()
    schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"unique": True}}]}
    table = pd.DataFrame({"id": [1, 1]})
    new = _new(lambda: performance.validate_schema(table, schema=schema))
    pd.testing.assert_frame_equal(
        new, _old(lambda: performance.validate_schema(table, schema), "schema=")
    )
    assert len(new) == 1


def test_old_plot_names_draw_the_same_figure():
    chart = performance.xmr_chart(
        pd.DataFrame({"value": [5.0, 5.5, 4.8, 5.2, 9.0, 5.1]}), baseline=4
    )
    new = _new(lambda: plots.control_chart_plot(chart))
    old = _old(lambda: plots.control_chart(chart), r"control_chart_plot\(\)")
    assert new.get_title() == old.get_title()
    for old_name, new_name in [
        ("measures_vs_target", "measures_vs_target_plot"),
        ("target_summary_bars", "target_summary_plot"),
        ("quality_scores_chart", "quality_scores_plot"),
        ("quality_criteria_chart", "quality_criteria_plot"),
        ("usage_trends_chart", "usage_trends_plot"),
        ("priority_chart", "priority_plot"),
    ]:
        assert getattr(plots, old_name).__renamed_to__ == new_name
        assert old_name not in plots.__all__ and new_name in plots.__all__


def test_data_profile_summary_is_a_sentence_and_reads_as_the_old_dict_with_a_warning():
    profile = performance.profile_table(pd.DataFrame({"id": [1, 2, 2]}), name="permits")
    text = _new(profile.summary)
    assert isinstance(text, str) and text.startswith("permits: 3 rows")
    assert _new(profile.inventory_row)["duplicate_rows"] == 1
    assert _old(lambda: text["duplicate_rows"], "inventory_row") == 1
    assert _old(lambda: dict(text.items()), "inventory_row") == profile.inventory_row()
    assert text[0] == "p"  # still a string


def test_stat_brief_and_explorer_department_column():
    from citykit.synth import measures
    from citykit.synth._core import RIVERTON

    scorecard = measures.generate(seed=20240501, city=RIVERTON)["department_measures"]
    department = scorecard["department"].iloc[0]
    new = _new(lambda: performance.stat_brief(scorecard, department=department, by="department"))
    old = _old(
        lambda: performance.stat_brief(
            scorecard, department=department, department_column="department"
        ),
        "by=",
    )
    assert new.headline == old.headline
    explorer = _old(
        lambda: widgets.control_chart_explorer(
            scorecard, department_column="department", draw=False
        ),
        "by=",
    )
    assert explorer.department.value


def test_priority_plot_label_names_the_bars_and_name_still_works():
    ranked = pd.DataFrame(
        {
            "dataset": ["Permits", "Crashes"],
            "total": [60.0, 40.0],
            "demand_points": [40.0, 10.0],
            "policy_points": [20.0, 30.0],
        }
    )

    def bar_names(ax):
        ax.figure.canvas.draw()
        return [t.get_text() for t in ax.get_yticklabels()]

    new = _new(lambda: plots.priority_plot(ranked, label="dataset"))
    old = _old(lambda: plots.priority_plot(ranked, name="dataset"), "label=")
    assert bar_names(new) == bar_names(old) == ["Crashes", "Permits"]
    with pytest.raises(CityKitError, match="title"):  # the default column is not in this table
        plots.priority_plot(ranked)
