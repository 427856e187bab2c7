"""Balance: Austin (2009) standardized differences and thresholds (methods.md §1.5)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit.errors import ArgumentRangeError, CityKitError
from citykit.evaluation import balance_table, balance_test, standardized_difference, wwc_band

X_T = [34, 41, 29, 50, 38, 45, 31, 40]
X_C = [36, 30, 28, 44, 33, 39, 27, 35]


def binary(share, n):
    k = round(share * n)
    return [1] * k + [0] * (n - k)


def test_continuous_smd_vector():
    # methods.md §1.5, [COMP]: means 38.5/34.0; sd 7.0710678/5.7569833; d = 0.6979351
    data = pd.DataFrame({"arm": ["letter"] * 8 + ["control"] * 8, "age": X_T + X_C})
    row = balance_table(data, covariates=["age"]).table.iloc[0]
    assert (row["mean_arm"], row["mean_control"]) == (38.5, 34.0)
    assert row["sd_arm"] == pytest.approx(7.0710678, abs=1e-7)
    assert row["sd_control"] == pytest.approx(5.7569833, abs=1e-7)
    assert row["smd"] == pytest.approx(0.6979351, abs=1e-7)
    assert row["variance_ratio"] == pytest.approx(7.0710678**2 / 5.7569833**2, rel=1e-7)
    assert standardized_difference(X_T, X_C) == pytest.approx(0.6979351, abs=1e-7)


@pytest.mark.parametrize(
    ("pt", "pc", "n", "expected", "flagged"),
    [
        # methods.md §1.5, [COMP]
        (0.55, 0.50, 20, 0.1002509, True),  # just over 0.1
        (0.30, 0.25, 20, 0.1121544, True),
        (0.12, 0.10, 50, 0.0639529, False),
    ],
)
def test_binary_smd_vectors_and_threshold(pt, pc, n, expected, flagged):
    data = pd.DataFrame(
        {"arm": ["letter"] * n + ["control"] * n, "late": binary(pt, n) + binary(pc, n)}
    )
    row = balance_table(data, covariates=["late"]).table.iloc[0]
    assert row["kind"] == "binary"
    assert row["smd"] == pytest.approx(expected, abs=1e-7)
    assert bool(row["exceeds_threshold"]) is flagged
    assert not row["exceeds_0_25"]
    assert np.isnan(row["variance_ratio"])
    loose = balance_table(data, covariates=["late"], threshold=0.25).table.iloc[0]
    assert not loose["exceeds_threshold"]


def test_wwc_bands():
    # methods.md §1.5: <= 0.05 satisfies; 0.05-0.25 needs adjustment; > 0.25 fails
    assert wwc_band(0.05) == "satisfies"
    assert wwc_band(0.0639529) == "needs statistical adjustment"
    assert wwc_band(-0.25) == "needs statistical adjustment"
    assert wwc_band(0.2501) == "does not satisfy"


def test_balance_table_checks_the_draw_without_wwc_bands():
    # a randomized draw is checked by the size of its differences; the WWC's bands judge groups
    # not kept as randomized and are applied only on request (wwc_band)
    n = 50
    data = pd.DataFrame(
        {"arm": ["letter"] * n + ["control"] * n, "late": binary(0.12, n) + binary(0.10, n)}
    )
    table = balance_table(data, covariates=["late"]).table
    assert list(table.columns) == [
        "covariate", "level", "kind", "arm", "n_control", "n_arm", "mean_control", "mean_arm",
        "sd_control", "sd_arm", "smd", "variance_ratio", "exceeds_threshold", "exceeds_0_25",
    ]  # fmt: skip
    assert table["smd"].map(wwc_band).tolist() == ["needs statistical adjustment"]


def test_text_covariates_and_missing_values_get_rows():
    data = pd.DataFrame(
        {
            "arm": ["control"] * 6 + ["letter"] * 6,
            "type": ["home", "home", "shop", "home", "shop", None] * 2,
            "age": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    table = balance_table(data, covariates=["type", "age"]).table
    assert table["level"].tolist() == ["home", "shop", "(missing)", "", "(missing)"]
    age = table[(table["covariate"] == "age") & (table["level"] == "")].iloc[0]
    assert age["n_control"] == 5 and age["n_arm"] == 6
    said = repr(balance_table(data, covariates=["age"]))
    assert "A check of the draw" in said and "the plan named before the data came in" in said
    assert "worth adjusting" not in said  # no invitation to pick covariates after the fact


def test_omnibus_test_on_identical_arms_finds_nothing():
    # identical covariate distributions in both arms: the logistic slopes are 0, LR = 0
    base = pd.DataFrame(
        {"late": [0, 1, 2, 0, 3, 1, 0, 2], "balance": [50, 80, 20, 65, 90, 30, 45, 70]}
    )
    data = pd.concat([base.assign(arm="control"), base.assign(arm="letter")], ignore_index=True)
    res = balance_test(data, covariates=["late", "balance"])
    row = res.table.iloc[0]
    assert row["statistic"] == pytest.approx(0.0, abs=1e-8)
    assert row["p_value"] == pytest.approx(1.0, abs=1e-6)
    assert row["df"] == 2


def test_omnibus_test_flags_a_broken_randomization():
    rng = np.random.default_rng(4)
    late = rng.poisson(1.5, 600)
    arm = np.where(late + rng.normal(0, 1, 600) > 2, "letter", "control")  # not random
    data = pd.DataFrame({"arm": arm, "late": late, "age": rng.uniform(0, 30, 600)})
    res = balance_test(data, covariates=["late", "age"])
    assert res.table["p_value"].iloc[0] < 1e-6
    assert "likelihood-ratio" in res.table["method"].iloc[0]


def test_omnibus_falls_back_to_f_test_on_separation():
    data = pd.DataFrame({"arm": ["control"] * 5 + ["letter"] * 5, "x": list(range(10))})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = balance_test(data, covariates=["x"])
    assert "F-test" in res.table["method"].iloc[0]


def test_bad_inputs():
    data = pd.DataFrame({"arm": ["letter"] * 4, "x": [1, 2, 3, 4]})
    with pytest.raises(CityKitError, match="only one arm"):
        balance_table(data, covariates=["x"])
    data = pd.DataFrame({"arm": ["control", "letter"] * 3, "x": range(6)})
    with pytest.raises(ArgumentRangeError, match="threshold"):
        balance_table(data, covariates=["x"], threshold=-1)
    with pytest.raises(CityKitError, match="covariates is empty"):
        balance_table(data, covariates=[])


def blocked_units():
    # block A: 2 of 10 treated; block B: 8 of 10 treated. Within each block the covariate has the
    # same distribution in both arms, but B's values are 10 higher, so raw means differ by design.
    a_t, a_c = [1, 2], [1, 1, 1, 1, 2, 2, 2, 2]
    b_t, b_c = [11] * 4 + [12] * 4, [11, 12]
    return pd.DataFrame(
        {
            "block": ["A"] * 10 + ["B"] * 10,
            "arm": ["letter"] * 2 + ["control"] * 8 + ["letter"] * 8 + ["control"] * 2,
            "x": a_t + a_c + b_t + b_c,
        }
    )


def test_block_weighted_balance_removes_differences_made_by_design():
    data = blocked_units()
    raw = balance_table(data, covariates=["x"]).table.iloc[0]
    assert raw["smd"] > 1  # treated units come mostly from block B
    within = balance_table(data, covariates=["x"], block="block")
    row = within.table.iloc[0]
    assert row["smd"] == pytest.approx(0.0, abs=1e-12)
    # each arm now stands for the whole sample: mean of x over all 20 units
    assert row["mean_arm"] == pytest.approx(data["x"].mean())
    assert row["mean_control"] == pytest.approx(data["x"].mean())
    assert "weighted within blocks of 'block'" in repr(within)


def test_block_aware_omnibus_test():
    data = blocked_units()
    naive = balance_test(data, covariates=["x"])
    within = balance_test(data, covariates=["x"], block="block")
    assert naive.table["p_value"].iloc[0] < 0.01
    # within blocks the covariate does not predict the arm at all: LR = 0
    assert within.table["statistic"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    assert "within blocks" in within.table["method"].iloc[0]


def test_balance_within_blocks_needs_both_arms_in_every_block():
    data = blocked_units()
    data.loc[data["block"] == "A", "arm"] = "control"
    with pytest.raises(CityKitError, match="have no units in arm 'letter'"):
        balance_table(data, covariates=["x"], block="block")
