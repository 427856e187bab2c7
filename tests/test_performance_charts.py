"""Control charts against published reference values (methods.md §2.1, §2.2, §2.3)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    ColumnTypeError,
    EmptyDataError,
    MissingColumnError,
    UnknownNameError,
)
from citykit.performance import (
    D2,
    D2_TABLE,
    D3_TABLE,
    D4,
    c4,
    c_chart,
    control_chart,
    p_chart,
    r_chart,
    s_chart,
    signal_rules,
    u_chart,
    xbar_chart,
    xmr_chart,
)

FLOWRATE = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]
MONTGOMERY = [102.0, 94.8, 98.3, 98.4, 102.0, 98.5, 99.0, 97.7, 100.0, 98.1,
              101.3, 98.7, 101.1, 98.4, 97.0, 96.7, 100.3, 101.4, 97.2, 101.0]  # fmt: skip
# qcc data/viscosity.txt, trial batches 1-20 then 15 new batches
VISCOSITY = [34.05, 34.40, 33.59, 35.96, 34.70, 33.51, 33.79, 34.04, 34.52, 33.75,
             33.27, 33.71, 34.03, 34.58, 34.02, 33.97, 34.05, 34.04, 33.73, 34.05,
             34.39, 33.75, 33.40, 33.27, 34.65, 34.80, 34.55, 35.40, 34.75, 34.50,
             34.70, 34.29, 34.61, 34.49, 35.03]  # fmt: skip
# qcc data/antifreeze.txt (Wetherill & Brown 1991, p. 120), 34 observations
ANTIFREEZE = [2.23, 2.53, 2.62, 2.63, 2.58, 2.44, 2.49, 2.34, 2.95, 2.54, 2.60, 2.45, 2.17,
              2.58, 2.57, 2.44, 2.38, 2.23, 2.23, 2.54, 2.66, 2.84, 2.81, 2.39, 2.56, 2.70,
              3.00, 2.81, 2.77, 2.89, 2.54, 2.98, 2.35, 2.53]  # fmt: skip
# qcc data/orangejuice.txt, trial samples 1-30 of 50 cans
ORANGEJUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11,
               20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip
# qcc data/circuit.txt, trial samples 1-26 of 100 boards
CIRCUIT = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39,
           30, 24, 16, 19, 17, 15]  # fmt: skip
# qcc data/pcmanufact.txt, 20 samples of 5 computers
PCMANUFACT = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]


def frame(values, name="value"):
    return pd.DataFrame({name: values})


def flagged(chart_or_table, rule=None):
    table = getattr(chart_or_table, "table", chart_or_table)
    mask = table["signal"]
    if rule is not None:
        mask = table["rules"].str.split(", ").apply(lambda codes: rule in codes)
    return [i + 1 for i in np.flatnonzero(mask.to_numpy())]


# ---- §2.1 XmR ---------------------------------------------------------------------------------


def test_constants_state_the_convention():
    assert D2 == 1.128 and D4 == 3.267
    assert "1.128" in xmr_chart.__doc__


def test_xmr_nist_flowrate():
    # methods.md §2.1, NIST/SEMATECH e-Handbook §6.3.2.2 [PUB] + [COMP]
    chart = xmr_chart(frame(FLOWRATE))
    assert chart.centre == pytest.approx(50.81, abs=1e-9)
    assert chart.details["mr_bar"] == pytest.approx(1.877778, abs=1e-6)
    assert chart.table["ucl"].iloc[0] == pytest.approx(55.804090, abs=1e-6)
    assert chart.table["lcl"].iloc[0] == pytest.approx(45.815910, abs=1e-6)
    assert chart.details["mr_ucl"] == pytest.approx(6.134700, abs=1e-6)
    assert chart.table["mr_ucl"].iloc[0] == pytest.approx(6.134700, abs=1e-6)
    # every point within both charts: no rule fires [PUB]
    assert flagged(chart) == []
    assert (chart.table["moving_range"].dropna() <= chart.details["mr_ucl"]).all()
    assert flagged(xmr_chart(frame(FLOWRATE), rule_set="nelson")) == []


def test_xmr_montgomery_table_16_3():
    # methods.md §2.1, Montgomery & Runger §16-6 [PUB] + [COMP]
    chart = xmr_chart(frame(MONTGOMERY))
    assert chart.centre == pytest.approx(99.095, abs=1e-9)
    assert chart.details["mr_bar"] == pytest.approx(2.589474, abs=1e-6)
    assert chart.table["ucl"].iloc[0] == pytest.approx(105.981898, abs=1e-6)
    assert chart.table["lcl"].iloc[0] == pytest.approx(92.208102, abs=1e-6)
    assert chart.details["mr_ucl"] == pytest.approx(8.459811, abs=1e-6)


def test_xmr_qcc_viscosity_trial_phase_and_new_data():
    # methods.md §2.1, qcc viscosity (Montgomery 2005 pp. 232-235) [COMP]
    data = pd.DataFrame({"batch": range(1, 36), "viscosity": VISCOSITY})
    chart = xmr_chart(data, value="viscosity", period="batch", baseline=20)
    assert chart.centre == pytest.approx(34.088, abs=1e-9)
    assert chart.details["mr_bar"] == pytest.approx(0.5726316, abs=1e-7)
    assert chart.sigma == pytest.approx(0.5076521, abs=1e-7)
    assert chart.table["ucl"].iloc[0] == pytest.approx(35.610956, abs=1e-6)
    assert chart.table["lcl"].iloc[0] == pytest.approx(32.565044, abs=1e-6)
    assert chart.details["mr_ucl"] == pytest.approx(1.870787, abs=1e-6)
    # the limits from the trial phase apply to the new batches too
    assert (chart.table["phase"].iloc[:20] == "baseline").all()
    assert (chart.table["phase"].iloc[20:] == "monitoring").all()
    assert chart.table["ucl"].nunique() == 1
    # the same baseline given as a range of periods
    by_range = xmr_chart(data, value="viscosity", period="batch", baseline=(1, 20))
    assert by_range.centre == pytest.approx(chart.centre)


def test_xmr_qcc_antifreeze():
    # methods.md §2.1, qcc antifreeze (Wetherill & Brown 1991) [COMP]
    chart = xmr_chart(frame(ANTIFREEZE))
    assert chart.centre == pytest.approx(2.5697059, abs=1e-7)
    assert chart.details["mr_bar"] == pytest.approx(0.2024242, abs=1e-7)
    assert chart.sigma == pytest.approx(0.1794541, abs=1e-7)
    assert chart.table["ucl"].iloc[0] == pytest.approx(3.108068, abs=1e-6)
    assert chart.table["lcl"].iloc[0] == pytest.approx(2.031344, abs=1e-6)
    assert chart.details["mr_ucl"] == pytest.approx(0.661320, abs=1e-6)


# ---- §2.2 attribute charts ---------------------------------------------------------------------


def test_p_chart_orangejuice_trial():
    # methods.md §2.2, qcc orangejuice (Montgomery 1991 pp. 152-155) [PUB] + [COMP]
    data = pd.DataFrame({"sample": range(1, 31), "D": ORANGEJUICE, "size": 50})
    chart = p_chart(data, numerator="D", denominator="size", period="sample")
    assert chart.centre == pytest.approx(0.2313333, abs=1e-7)
    assert chart.table["lcl"].iloc[0] == pytest.approx(0.0524275, abs=1e-7)
    assert chart.table["ucl"].iloc[0] == pytest.approx(0.4102391, abs=1e-7)
    assert flagged(chart, "WE1") == [15, 23]


def test_p_chart_orangejuice_revised_after_dropping_special_causes():
    # methods.md §2.2: revised limits after dropping samples 15 and 23 [PUB] + [COMP]
    data = pd.DataFrame({"sample": range(1, 31), "D": ORANGEJUICE, "size": 50})
    chart = p_chart(data, numerator="D", denominator="size", period="sample", exclude=[15, 23])
    assert chart.centre == pytest.approx(0.2150, abs=1e-9)
    assert chart.table["lcl"].iloc[0] == pytest.approx(0.0407028, abs=1e-7)
    assert chart.table["ucl"].iloc[0] == pytest.approx(0.3892972, abs=1e-7)
    assert list(chart.table.loc[chart.table["phase"] == "excluded", "period"]) == [15, 23]


def test_laney_p_orangejuice():
    # methods.md §2.2, Laney p' on orangejuice trial [COMP]
    data = pd.DataFrame({"D": ORANGEJUICE, "size": 50})
    chart = p_chart(data, numerator="D", denominator="size", laney=True)
    assert chart.details["sigma_z"] == pytest.approx(1.6608667, abs=1e-7)
    assert chart.table["lcl"].iloc[0] == 0.0  # -0.0658 truncated at 0
    assert chart.table["ucl"].iloc[0] == pytest.approx(0.5285, abs=5e-5)
    assert chart.chart.startswith("p'")
    assert control_chart(data, chart="laney_p", numerator="D", denominator="size").chart == (
        chart.chart
    )


def test_c_chart_circuit():
    # methods.md §2.2, qcc circuit (Montgomery pp. 173-175) [PUB] + [COMP]
    chart = c_chart(frame(CIRCUIT, "x"), count="x")
    assert chart.centre == pytest.approx(19.846154, abs=1e-6)
    assert chart.table["lcl"].iloc[0] == pytest.approx(6.481447, abs=1e-6)
    assert chart.table["ucl"].iloc[0] == pytest.approx(33.210861, abs=1e-6)
    assert flagged(chart, "WE1") == [6, 20]


def test_u_chart_pcmanufact():
    # methods.md §2.2, qcc pcmanufact (Montgomery pp. 181-182) [PUB] + [COMP]
    data = pd.DataFrame({"x": PCMANUFACT, "size": 5})
    chart = u_chart(data, count="x", exposure="size")
    assert chart.centre == pytest.approx(1.93, abs=1e-9)
    assert chart.table["lcl"].iloc[0] == pytest.approx(0.066133, abs=1e-6)
    assert chart.table["ucl"].iloc[0] == pytest.approx(3.793867, abs=1e-6)
    assert flagged(chart) == []


def test_u_chart_variable_exposure():
    # methods.md §2.2, u-chart with variable exposure [COMP]
    data = pd.DataFrame({"c": [12, 30, 7, 22, 15], "n": [10, 25, 4, 20, 8]})
    chart = u_chart(data, count="c", exposure="n")
    assert chart.centre == pytest.approx(1.2835821, abs=1e-7)
    np.testing.assert_allclose(
        chart.table["ucl"], [2.358396, 1.963354, 2.983011, 2.043590, 2.485260], atol=1e-6
    )
    np.testing.assert_allclose(
        chart.table["lcl"], [0.208769, 0.603810, 0.0, 0.523574, 0.081904], atol=1e-6
    )
    np.testing.assert_allclose(chart.table["value"], [1.2, 1.2, 1.75, 1.1, 1.875])
    assert flagged(chart) == []


def test_p_chart_limits_vary_with_denominator():
    # hand-computed: p-bar = 30/300 = 0.1; n = 50 -> sigma 0.0424264, n = 200 -> 0.0212132
    data = pd.DataFrame({"on_time": [5, 5, 20], "closed": [50, 50, 200]})
    chart = p_chart(data, numerator="on_time", denominator="closed")
    assert chart.centre == pytest.approx(0.1)
    assert chart.table["ucl"].iloc[0] == pytest.approx(0.1 + 3 * np.sqrt(0.09 / 50))
    assert chart.table["ucl"].iloc[2] == pytest.approx(0.1 + 3 * np.sqrt(0.09 / 200))
    assert chart.table["lcl"].iloc[0] == 0.0


# ---- §2.3 rules --------------------------------------------------------------------------------

RULE_VECTORS = [
    # (x, rule_set, {rule: flagged 1-based indices}) — methods.md §2.3 [COMP], qcc semantics
    ([0.2, -0.4, 0.1, 3.3, 0.0, -0.2], "western_electric", {"WE1": [4]}),
    ([0.1, 2.4, 0.5, 2.2, 0.0], "western_electric", {"WE2": [4]}),
    ([0.2, 1.4, 1.2, 0.3, 1.6, 1.1, 0.0], "western_electric", {"WE3": [6]}),
    ([0.5, 0.3, 0.8, 0.2, 0.9, 0.4, 0.6, 0.1, 0.7, -0.5], "western_electric", {"WE4": [8, 9]}),
    ([0.5, 0.3, 0.8, 0.2, 0.9, 0.4, 0.6, 0.1, 0.7, -0.5], "nelson", {"N2": [9]}),
    ([-1.0, -0.6, -0.2, 0.1, 0.4, 0.8, 0.5], "nelson", {"N3": [6]}),
    ([-0.1] * 9 + [0.3], "western_electric", {"WE4": [8, 9]}),
    ([-0.1] * 9 + [0.3], "nelson", {"N2": [9]}),
    (
        [0.3, 0.5, -0.2, -0.4, 0.1, 0.2, -0.3, -0.1, 0.4, 0.6, -0.5, -0.2, 0.0, 0.3, 0.1, 2.0],
        "nelson",
        {"N7": [15]},
    ),
    ([1.5, -1.4, 1.6, -1.2, 1.3, -1.8, 1.1, -1.5, 0.0], "nelson", {"N8": [8]}),
    ([0.5, -0.5] * 7 + [0.6], "nelson", {"N4": [14, 15], "N7": [15]}),
]


@pytest.mark.parametrize(("x", "rule_set", "expected"), RULE_VECTORS)
def test_rule_vectors(x, rule_set, expected):
    # methods.md §2.3 test vectors, centre 0, sigma 1, 1-based indices [COMP]
    table = signal_rules(frame(x), centre=0, sigma=1, rule_set=rule_set)
    fired = {}
    for i, codes in enumerate(table["rules"], start=1):
        for code in filter(None, codes.split(", ")):
            fired.setdefault(code, []).append(i)
    assert fired == expected


def test_rules_use_run_length_parameter():
    x = [0.5] * 7 + [-0.5]
    assert flagged(signal_rules(frame(x), centre=0, sigma=1)) == []
    assert flagged(signal_rules(frame(x), centre=0, sigma=1, run_length=7)) == [7]
    nelson = signal_rules(frame(x), centre=0, sigma=1, rule_set="nelson", rules=[2], run_length=6)
    assert flagged(nelson) == [6, 7]


def test_rules_subset_and_sigma_column():
    table = pd.DataFrame({"v": [0.0, 5.0, 0.0], "c": 0.0, "s": [1.0, 2.0, 1.0]})
    assert flagged(signal_rules(table, value="v", centre="c", sigma="s")) == []  # 5 < 3 * 2
    table["s"] = 1.0
    assert flagged(signal_rules(table, value="v", centre="c", sigma="s", rules=[1])) == [2]
    assert flagged(signal_rules(table, value="v", centre="c", sigma="s", rules=["WE4"])) == []


def test_missing_values_are_skipped_in_runs():
    x = [0.5, 0.5, np.nan, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    table = signal_rules(frame(x), centre=0, sigma=1)
    assert flagged(table) == [9]
    assert not table["signal"].iloc[2]


def test_signal_descriptions_in_words():
    x = [1.0] * 5 + [-0.2] * 8
    chart = xmr_chart(pd.DataFrame({"m": pd.date_range("2024-01-01", periods=13, freq="MS"),
                                    "v": x}), value="v", period="m", baseline=5)  # fmt: skip
    # baseline mean 1, moving range 0 -> every later point is beyond the limits
    assert "2024-06: a point below the lower control limit" in chart.signal_descriptions()[0]
    assert "8 in a row below the centre" in chart.summary()


def _monthly(values, start="2024-01-01"):
    months = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame({"m": months, "v": values})


def test_summary_groups_consecutive_signals_into_stretches():
    chart = xmr_chart(_monthly([1.0] * 5 + [-0.2] * 8), value="v", period="m", baseline=5)
    assert chart.summary().endswith(
        "8 points signal: 2024-06 to 2025-01: every point below the lower control limit; "
        "2 of 3 points beyond 2 sigma below the centre (7 of 8, from 2024-07); "
        "4 of 5 points beyond 1 sigma below the centre (5 of 8, from 2024-09); "
        "8 in a row below the centre (1 of 8, from 2025-01)."
    )
    assert len(chart.signal_descriptions()) == 8  # one line per point is still there


def test_summary_splits_stretches_at_gaps_and_sides():
    values = [0.0, 1.0] * 6 + [9.0, 9.0, 0.5, -9.0, 0.5, 9.0]
    chart = xmr_chart(_monthly(values), value="v", period="m", baseline=12)
    assert chart.signal_stretches() == [
        "2025-01 to 2025-02: every point above the upper control limit; "
        "2 of 3 points beyond 2 sigma above the centre (1 of 2, from 2025-02)",
        "2025-04: a point below the lower control limit",
        "2025-06: a point above the upper control limit",
    ]
    assert "4 points signal: " in chart.summary()


def test_summary_numbers_share_a_precision_set_by_sigma():
    # mean 42, moving range 4: limits 42 +/- 2.659574 x 4 = 31.36 and 52.64, sigma 3.55
    chart = xmr_chart(_monthly([40.0, 44.0] * 6), value="v", period="m")
    assert "centre 42.00, limits 31.36 to 52.64;" in chart.summary()
    small = xmr_chart(_monthly([0.040, 0.044] * 6), value="v", period="m")
    assert "centre 0.04200, limits 0.03136 to 0.05264;" in small.summary()
    big = xmr_chart(_monthly([40_000.0, 44_000.0] * 6), value="v", period="m")
    assert "centre 42,000, limits 31,362 to 52,638;" in big.summary()


def test_baseline_by_dates_and_phase_column():
    months = pd.date_range("2023-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(3)
    values = np.r_[rng.normal(10, 1, 12), rng.normal(16, 1, 12)]
    data = pd.DataFrame({"month": months, "days": values})
    chart = xmr_chart(data, value="days", period="month", baseline=("2023-01-01", "2023-12-01"))
    assert chart.centre == pytest.approx(values[:12].mean())
    assert (chart.table["phase"] == "baseline").sum() == 12
    later = chart.table[chart.table["period"] >= "2024-01-01"]
    assert later["signal"].all()  # the shift of 6 sigma-ish is seen every month


def test_input_is_not_modified_and_order_by_period():
    data = pd.DataFrame({"p": [3, 1, 2], "v": [3.0, 1.0, 2.0]})
    before = data.copy()
    chart = xmr_chart(data, value="v", period="p")
    pd.testing.assert_frame_equal(data, before)
    assert list(chart.table["period"]) == [1, 2, 3]


def test_no_warnings_escape():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xmr_chart(frame([1.0, 1.0, 1.0]))  # zero moving range
        p_chart(pd.DataFrame({"a": [0, 0], "b": [5, 5]}), numerator="a", denominator="b")
        u_chart(pd.DataFrame({"a": [0, 0], "b": [5, 5]}), count="a", exposure="b")
        repr(xmr_chart(frame(FLOWRATE)))
        xmr_chart(frame(FLOWRATE))._repr_html_()


# ---- bad inputs ---------------------------------------------------------------------------------


def test_bad_inputs_give_actionable_errors():
    with pytest.raises(MissingColumnError, match="Did you mean 'value'"):
        xmr_chart(frame(FLOWRATE), value="valu")
    with pytest.raises(ColumnTypeError, match="must hold numbers"):
        xmr_chart(pd.DataFrame({"value": ["1", "2"]}))
    with pytest.raises(EmptyDataError, match="no rows"):
        xmr_chart(pd.DataFrame({"value": []}, dtype=float))
    with pytest.raises(ArgumentRangeError, match="2 or more"):
        xmr_chart(frame(FLOWRATE), run_length=1)
    with pytest.raises(ArgumentRangeError, match="2 or more"):
        signal_rules(frame(FLOWRATE), centre=0, sigma=1, trend_length=0)
    with pytest.raises(UnknownNameError, match="rule_set"):
        xmr_chart(frame(FLOWRATE), rule_set="westerns")
    with pytest.raises(UnknownNameError, match="rules"):
        xmr_chart(frame(FLOWRATE), rules=[9])
    with pytest.raises(CityKitError, match="greater than 0"):
        p_chart(pd.DataFrame({"a": [1, 1], "b": [5, 0]}), numerator="a", denominator="b")
    with pytest.raises(CityKitError, match="greater than 0"):
        u_chart(pd.DataFrame({"a": [1, 1], "b": [5, 0]}), count="a", exposure="b")
    with pytest.raises(CityKitError, match="swapped"):
        p_chart(pd.DataFrame({"a": [6, 1], "b": [5, 5]}), numerator="a", denominator="b")
    with pytest.raises(ColumnTypeError, match="negative"):
        c_chart(pd.DataFrame({"count": [1, -1]}))
    with pytest.raises(CityKitError, match="one row per period"):
        xmr_chart(pd.DataFrame({"p": [1, 1], "value": [1.0, 2.0]}), period="p")
    with pytest.raises(CityKitError, match="baseline"):
        xmr_chart(frame(FLOWRATE), baseline=1)
    with pytest.raises(CityKitError, match="baseline"):
        xmr_chart(frame(FLOWRATE), baseline="2023")
    with pytest.raises(CityKitError, match="not one of the chart's periods"):
        xmr_chart(frame(FLOWRATE), exclude=[99])
    with pytest.raises(CityKitError, match="DataFrame"):
        xmr_chart(FLOWRATE)
    with pytest.raises(CityKitError, match="no values"):
        xmr_chart(pd.DataFrame({"value": [np.nan, np.nan]}))


def test_label_names_the_values():
    chart = xmr_chart(frame(FLOWRATE), label="Flow rate (litres per minute)")
    assert chart.value_label == "Flow rate (litres per minute)"
    assert "chart of Flow rate" in chart.summary()


def test_signal_rules_bad_inputs():
    with pytest.raises(MissingColumnError, match="Did you mean 'value'"):
        signal_rules(frame([1.0]), value="values", centre=0, sigma=1)
    with pytest.raises(ColumnTypeError, match="must hold numbers"):
        signal_rules(frame(["a", "b"]), centre=0, sigma=1)
    with pytest.raises(CityKitError, match="number or the name of a column"):
        signal_rules(frame([1.0]), centre=None, sigma=1)
    with pytest.raises(CityKitError, match="negative"):
        signal_rules(frame([1.0]), centre=0, sigma=-1)
    with pytest.raises(EmptyDataError):
        signal_rules(frame([]), centre=0, sigma=1)


def test_baseline_of_the_wrong_kind():
    data = pd.DataFrame({"week": [1, 2, 3], "value": [1.0, 2.0, 3.0]})
    with pytest.raises(CityKitError, match="same form"):
        xmr_chart(data, period="week", baseline=("a", "b"))
    dated = data.assign(week=pd.date_range("2024-01-01", periods=3, freq="W-MON"))
    with pytest.raises(CityKitError, match="is not a date"):
        xmr_chart(dated, period="week", baseline=("soon", None))
    with pytest.raises(CityKitError, match="missing value"):
        xmr_chart(data.assign(week=[1, None, 3]), period="week")


# --- X-bar/R and X-bar/S: qcc's pistonrings vignette ------------------------------------------
# Montgomery's piston rings (qcc data/pistonrings.txt; tests/data/pistonrings.csv): 40 samples of
# 5 inside diameters, samples 1-25 the phase-I baseline. qcc 3.0 vignette (docs/articles/qcc.html)
# prints: xbar centre 74.00118, sd 0.009785039, limits 73.98805 / 74.0143; R centre 0.02276,
# limits 0 / 0.04812533; S centre 0.009240037, sd 0.009829977, limits 0 / 0.01930242.

PISTONRINGS = Path(__file__).parent / "data" / "pistonrings.csv"


@pytest.fixture(scope="module")
def rings() -> pd.DataFrame:
    data = pd.read_csv(PISTONRINGS)
    assert len(data) == 200 and data["sample"].nunique() == 40
    assert int(data["trial"].sum()) == 125  # 25 trial samples of 5
    return data


def printed(value: float, expected: float, digits: int = 7) -> bool:
    """True when ``value`` prints as ``expected`` with R's default 7 significant digits."""
    return float(f"{value:.{digits}g}") == pytest.approx(expected, rel=1e-12)


def test_xbar_r_chart_reproduces_qcc_pistonrings(rings):
    chart = xbar_chart(rings, value="diameter", period="sample", baseline=25)
    assert printed(chart.centre, 74.00118)
    assert printed(chart.sigma, 0.009785039)
    assert printed(chart.table["lcl"].iloc[0], 73.98805)
    assert printed(chart.table["ucl"].iloc[0], 74.0143, digits=6)
    assert chart.chart == "X-bar (R)"
    assert (chart.table["phase"] == "baseline").sum() == 25


def test_r_chart_reproduces_qcc_pistonrings(rings):
    chart = r_chart(rings, value="diameter", period="sample", baseline=25)
    assert printed(chart.centre, 0.02276)
    assert printed(chart.sigma, 0.009785039)
    assert chart.table["lcl"].iloc[0] == 0.0
    # qcc's d3 table (0.8640855 for n = 5) differs from the exact integral (0.8640819) in the
    # 6th decimal; the upper limit agrees to 2.3e-6 relative (0.0481252 against 0.04812533)
    assert chart.table["ucl"].iloc[0] == pytest.approx(0.04812533, rel=3e-6)
    assert round(chart.table["ucl"].iloc[0], 6) == 0.048125


def test_s_chart_and_xbar_s_reproduce_qcc_pistonrings(rings):
    chart = s_chart(rings, value="diameter", period="sample", baseline=25)
    assert printed(chart.centre, 0.009240037)
    assert printed(chart.sigma, 0.009829977)
    assert chart.table["lcl"].iloc[0] == 0.0
    assert printed(chart.table["ucl"].iloc[0], 0.01930242)
    xbar_s = xbar_chart(rings, value="diameter", period="sample", baseline=25, spread="sd")
    assert xbar_s.chart == "X-bar (S)"
    assert xbar_s.sigma == pytest.approx(chart.sigma, rel=1e-12)
    assert xbar_s.centre == pytest.approx(74.00118, abs=5e-6)


def test_pistonrings_limits_with_the_textbook_constants(rings):
    # Montgomery (Introduction to SQC, Example 6.1 / Appendix VI) writes the same limits with
    # A2 = 3 / (d2 sqrt(n)) = 0.577 and D4 = 1 + 3 d3 / d2 = 2.114 for n = 5 (3 decimals)
    xbar = xbar_chart(rings, value="diameter", period="sample", baseline=25)
    r = r_chart(rings, value="diameter", period="sample", baseline=25)
    r_bar = rings[rings["trial"]].groupby("sample")["diameter"].agg(np.ptp).mean()
    assert r.centre == pytest.approx(r_bar, rel=1e-12)
    # Montgomery's printed limits: x-double-bar 74.001, 73.988 to 74.014
    assert (round(xbar.centre, 3), round(xbar.table["lcl"].iloc[0], 3)) == (74.001, 73.988)
    assert round(xbar.table["ucl"].iloc[0], 3) == 74.014
    a2 = (xbar.table["ucl"].iloc[0] - xbar.centre) / r_bar
    assert round(a2, 3) == 0.577
    assert round(r.table["ucl"].iloc[0] / r_bar, 3) == 2.114


def test_xbar_signals_match_an_independent_computation(rings):
    # numpy, by hand: subgroup means against centre ± 3 sigma / sqrt(5) from samples 1-25
    means = rings.groupby("sample")["diameter"].mean().to_numpy()
    ranges = rings.groupby("sample")["diameter"].agg(np.ptp).to_numpy()
    sigma = ranges[:25].mean() / 2.326
    centre = means[:25].mean()
    beyond = np.flatnonzero(np.abs(means - centre) > 3 * sigma / np.sqrt(5)) + 1
    chart = xbar_chart(rings, value="diameter", period="sample", baseline=25, rules=[1])
    assert chart.signals["period"].tolist() == beyond.tolist()
    assert len(beyond) >= 3 and beyond.min() > 25  # the phase-II shift, not the baseline


def test_constants_against_their_definitions():
    # d2 = E[range] and d3 = sd[range] of n standard normal values, by numerical integration;
    # c4 = E[s]/sigma (Montgomery Appendix VI: c4(5) = 0.9400, c4(25) = 0.9896)
    from scipy import integrate, stats

    def expected_range(x, n):
        return 1 - stats.norm.cdf(x) ** n - stats.norm.sf(x) ** n

    for n in (2, 5, 10, 25):
        d2 = integrate.quad(expected_range, -np.inf, np.inf, args=(n,))[0]
        assert round(d2, 3) == D2_TABLE[n]
    # n = 2: the range is sqrt(2)|Z|, so d3 = sqrt(2 - 4/pi) exactly
    assert D3_TABLE[2] == pytest.approx(np.sqrt(2 - 4 / np.pi), abs=5e-8)
    rng = np.random.default_rng(0)
    sample = rng.standard_normal((400_000, 7))
    assert np.ptp(sample, axis=1).std() == pytest.approx(D3_TABLE[7], abs=3e-3)
    assert round(c4(5), 4) == 0.9400 and round(c4(25), 4) == 0.9896
    assert c4(np.array([2, 5])).tolist() == pytest.approx([np.sqrt(2 / np.pi), 0.9399856], 1e-7)


def test_unequal_subgroups_use_each_subgroup_size(rings):
    # qcc vignette "Variable control limits": 12 measurements removed, so sizes vary
    out = [9, 10, 30, 35, 45, 64, 65, 74, 75, 85, 99, 100]  # 1-based rows, as in the vignette
    data = rings.drop(index=[i - 1 for i in out])
    chart = xbar_chart(data, value="diameter", period="sample", baseline=25)
    base = data[data["sample"] <= 25].groupby("sample")["diameter"]
    n, ranges = base.size(), base.agg(np.ptp)
    sigma = float(np.mean(ranges / n.map(D2_TABLE)))  # UWAVE-R: the mean of R_i / d2(n_i)
    centre = float(base.sum().sum() / n.sum())
    table = chart.table.set_index("period")
    sizes = data.groupby("sample").size()
    assert chart.sigma == pytest.approx(sigma, rel=1e-12)
    assert chart.centre == pytest.approx(centre, rel=1e-12)
    np.testing.assert_allclose(table["ucl"], centre + 3 * sigma / np.sqrt(sizes), rtol=1e-12)
    assert table["ucl"].nunique() > 1
    assert "limits vary with the subgroup size" in chart.summary()
    r = r_chart(data, value="diameter", period="sample", baseline=25).table.set_index("period")
    np.testing.assert_allclose(r["centre"], sizes.map(D2_TABLE) * sigma, rtol=1e-12)


def test_missing_measurements_are_counted_not_hidden(rings):
    data = rings.copy()
    data.loc[[0, 1, 7], "diameter"] = np.nan
    chart = xbar_chart(data, value="diameter", period="sample", baseline=25)
    assert chart.table["n"].iloc[:2].tolist() == [3, 4]
    assert "3 missing measurement(s) of 'diameter' were left out" in chart.summary()


def test_subgroup_chart_errors():
    one = pd.DataFrame({"day": [1, 1, 2], "minutes": [3.0, 4.0, 5.0]})
    with pytest.raises(CityKitError, match="single measurement"):
        xbar_chart(one, value="minutes", period="day")
    big = pd.DataFrame({"day": np.repeat([1, 2], 30), "minutes": np.arange(60.0)})
    with pytest.raises(CityKitError, match="spread='sd'"):
        r_chart(big, value="minutes", period="day")
    assert s_chart(big, value="minutes", period="day").chart == "S"
    with pytest.raises(UnknownNameError, match="spread"):
        xbar_chart(big, value="minutes", period="day", spread="iqr")
    flat = pd.DataFrame({"day": [1, 1, 2, 2], "minutes": [3.0, 3.0, 5.0, 5.0]})
    with pytest.raises(CityKitError, match="no variation within subgroups"):
        xbar_chart(flat, value="minutes", period="day")
    with pytest.raises(MissingColumnError):
        xbar_chart(one, value="minutes", period="shift")
    with pytest.raises(TypeError):
        xbar_chart(one, value="minutes")  # the subgroup column must be named


def test_control_chart_dispatches_subgroup_charts(rings):
    for name, kind in (("xbar", "X-bar (R)"), ("r", "R"), ("s", "S")):
        chart = control_chart(rings, chart=name, value="diameter", period="sample")
        assert chart.chart == kind
