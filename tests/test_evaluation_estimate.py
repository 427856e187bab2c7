"""Effect estimates against methods.md §1.4-§1.6 and hand computations."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from citykit.errors import ArgumentRangeError, CityKitError, MissingColumnError, UnknownNameError
from citykit.evaluation import EffectEstimates, estimate_effects, robust_regression
from scipy import stats
from statsmodels.datasets import longley

# methods.md §1.6 tiny hand-checkable vector: control 3,5,4; treated 8,9,7,10
TINY = pd.DataFrame({"arm": ["control"] * 3 + ["letter"] * 4, "y": [3, 5, 4, 8, 9, 7, 10]})

# methods.md §1.5 blocked design (scripts/s1_blocks.py)
BLOCKS = pd.DataFrame(
    {
        "block": ["A"] * 6 + ["B"] * 4 + ["C"] * 10,
        "arm": ["letter"] * 3
        + ["control"] * 3
        + ["letter"] * 2
        + ["control"] * 2
        + ["letter"] * 3
        + ["control"] * 7,
        "y": [10, 12, 11, 8, 9, 7, 20, 22, 15, 17, 5, 6, 7, 6, 8, 4, 5, 3, 4, 6],
    }
)

# methods.md §1.4 cluster toy: 4 clusters x 3, clusters 2 and 4 treated
CLUSTERS = pd.DataFrame(
    {
        "y": [10, 12, 11, 14, 15, 16, 9, 8, 10, 13, 12, 14],
        "office": ["o1"] * 3 + ["o2"] * 3 + ["o3"] * 3 + ["o4"] * 3,
        "arm": ["control"] * 3 + ["letter"] * 3 + ["control"] * 3 + ["letter"] * 3,
    }
)


def first(res: EffectEstimates, column: str) -> float:
    return float(res.table[column].iloc[0])


# --- §1.6 HC standard errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("se_type", "expected"),
    [
        # methods.md §1.6, [COMP] tiny vector
        ("HC2", 0.8660254),
        ("HC0", 0.7312470),
        ("HC1", 0.8652232),
        ("HC3", 1.0274023),
        ("classical", 0.9036961),
    ],
)
def test_tiny_vector_standard_errors(se_type, expected):
    res = estimate_effects(TINY, outcome="y", se_type=se_type)
    assert first(res, "estimate") == pytest.approx(4.5, abs=1e-12)
    assert first(res, "se") == pytest.approx(expected, abs=1e-7)
    assert first(res, "df") == 5  # N - k = 7 - 2


def test_hc2_equals_neyman_standard_error():
    # methods.md §1.6 key identity: HC2 SE = sqrt(s1^2/n1 + s0^2/n0) with no covariates
    rng = np.random.default_rng(7)
    data = pd.DataFrame(
        {"arm": ["control"] * 40 + ["text"] * 25, "y": rng.gamma(2.0, 3.0, size=65)}
    )
    res = estimate_effects(data, outcome="y")
    c = data.loc[data["arm"] == "control", "y"]
    t = data.loc[data["arm"] == "text", "y"]
    neyman = np.sqrt(t.var() / len(t) + c.var() / len(c))
    assert first(res, "estimate") == pytest.approx(t.mean() - c.mean(), rel=1e-12)
    assert first(res, "se") == pytest.approx(neyman, rel=1e-12)
    q = stats.t.ppf(0.975, 63)
    assert first(res, "ci_low") == pytest.approx(t.mean() - c.mean() - q * neyman, rel=1e-12)
    assert first(res, "control_mean") == pytest.approx(c.mean())
    assert (int(res.table["n_control"][0]), int(res.table["n_arm"][0])) == (40, 25)


LONGLEY_SAS = {
    # methods.md §1.6, [PKG-TEST] statsmodels results_regression.py class Longley (SAS values)
    "HC0": {
        "GNPDEFL": "51.22035",
        "GNP": "0.02458",
        "UNEMP": "0.38324",
        "ARMED": "0.14625",
        "POP": "0.15821",
        "YEAR": "428.38438",
        "const": "832212",
    },
    "HC1": {
        "GNPDEFL": "68.29380",
        "GNP": "0.03277",
        "UNEMP": "0.51099",
        "ARMED": "0.19499",
        "POP": "0.21094",
        "YEAR": "571.17917",
        "const": "1109615",
    },
    "HC2": {
        "GNPDEFL": "67.49208",
        "GNP": "0.03653",
        "UNEMP": "0.55334",
        "ARMED": "0.20522",
        "POP": "0.22324",
        "YEAR": "617.59295",
        "const": "1202370",
    },
    "HC3": {
        "GNPDEFL": "91.11939",
        "GNP": "0.05562",
        "UNEMP": "0.82213",
        "ARMED": "0.29879",
        "POP": "0.32491",
        "YEAR": "922.80784",
        "const": "1799477",
    },
}


@pytest.mark.parametrize("se_type", sorted(LONGLEY_SAS))
def test_longley_robust_standard_errors_match_sas(se_type):
    data = longley.load_pandas().data
    table = robust_regression(
        data,
        outcome="TOTEMP",
        predictors=["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"],
        se_type=se_type,
    ).set_index("term")
    for term, printed in LONGLEY_SAS[se_type].items():
        decimals = len(printed.split(".")[1]) if "." in printed else 0
        # to the printed precision (half a unit in the last printed digit), plus 1e-8 relative:
        # Longley's design has condition number ~1e8, so the last digits depend on the BLAS
        # (YEAR's HC2 SE is 617.592955..., exactly on a rounding boundary of the printed value)
        slack = 0.5 * 10.0**-decimals + 1e-8 * abs(float(printed))
        assert abs(table.loc[term, "se"] - float(printed)) <= slack


# --- §1.6 Lin (2013) ------------------------------------------------------------------------------

ALO_STAR_MEN = Path(__file__).parent / "data" / "alo_star_men.csv"


@pytest.fixture(scope="module")
def star_men() -> pd.DataFrame:
    data = pd.read_csv(ALO_STAR_MEN)
    return data.assign(group=np.where(data["sfsp"] == 1, "sfsp", "ssp"))


def _star(data, *, model, se_type):
    covariates = [] if model == "unadjusted" else ["gpa0"]
    adjustment = "additive" if model == "additive" else "lin"
    return estimate_effects(
        data,
        outcome="GPA_year1",
        arm="group",
        control="ssp",
        covariates=covariates,
        adjustment=adjustment,
        se_type=se_type,
    )


# Lin (2013) Table 2 [PUB], HC0 ("classic sandwich"), to 3 decimals; methods.md §1.6
LIN_TABLE_2 = {
    "unadjusted": (-0.036, 0.158),
    "additive": (-0.083, 0.146),
    "lin": (-0.081, 0.146),
}
# methods.md §1.6 [COMP] unrounded estimate and SEs (statsmodels) for every SE type
LIN_TABLE_2_SE = {
    "unadjusted": (-0.036132, {"HC0": 0.157538, "HC1": 0.158551, "HC2": 0.158698,
                               "HC3": 0.159867, "classical": 0.159241}),
    "additive": (-0.083304, {"HC0": 0.146490, "HC1": 0.147910, "HC2": 0.148064,
                             "HC3": 0.149659, "classical": 0.147199}),
    "lin": (-0.081220, {"HC0": 0.145700, "HC1": 0.147593, "HC2": 0.147868,
                        "HC3": 0.150090, "classical": 0.147702}),
}  # fmt: skip


def test_star_men_data_is_lins_sample(star_men):
    assert len(star_men) == 157
    assert (star_men["group"] == "sfsp").sum() == 58 and (star_men["group"] == "ssp").sum() == 99


@pytest.mark.parametrize("model", sorted(LIN_TABLE_2))
def test_lin_2013_table_2_replicates_to_the_published_digits(star_men, model):
    res = _star(star_men, model=model, se_type="HC0")
    estimate, se = LIN_TABLE_2[model]
    assert round(first(res, "estimate"), 3) == estimate
    assert round(first(res, "se"), 3) == se


@pytest.mark.parametrize("model", sorted(LIN_TABLE_2_SE))
@pytest.mark.parametrize("se_type", ["HC0", "HC1", "HC2", "HC3", "classical"])
def test_lin_2013_data_every_se_type_to_six_decimals(star_men, model, se_type):
    res = _star(star_men, model=model, se_type=se_type)
    estimate, ses = LIN_TABLE_2_SE[model]
    assert first(res, "estimate") == pytest.approx(estimate, abs=5e-7)
    assert first(res, "se") == pytest.approx(ses[se_type], abs=5e-7)


def test_lin_2013_hc2_interval_uses_n_minus_4_degrees_of_freedom(star_men):
    # methods.md §1.6: Lin + HC2 with t(153): CI [-0.373346, 0.210907] (estimatr's default)
    res = _star(star_men, model="lin", se_type="HC2")
    assert first(res, "df") == 153
    assert first(res, "ci_low") == pytest.approx(-0.373346, abs=5e-7)
    assert first(res, "ci_high") == pytest.approx(0.210907, abs=5e-7)


def test_lin_2013_unadjusted_hc2_is_the_neyman_standard_error(star_men):
    # methods.md §1.6: Neyman SE = 0.15869781807812625 = HC2 SE of the unadjusted model
    res = _star(star_men, model="unadjusted", se_type="HC2")
    assert first(res, "se") == pytest.approx(0.15869781807812625, rel=1e-12)
    arms = star_men.groupby("group")["GPA_year1"]
    neyman = np.sqrt((arms.var(ddof=1) / arms.size()).sum())
    assert first(res, "se") == pytest.approx(neyman, rel=1e-12)


def lin_by_hand(data: pd.DataFrame, x: str) -> float:
    """Lin's estimator = difference of arm-wise regression lines at the full-sample mean of x."""
    xbar = data[x].mean()
    fits = {}
    for label, part in data.groupby("arm"):
        slope, intercept = np.polyfit(part[x], part["y"], 1)
        fits[label] = intercept + slope * xbar
    return fits["letter"] - fits["control"]


def covariate_trial(seed=3, n=80):
    rng = np.random.default_rng(seed)
    prior = rng.poisson(2.0, n)
    arm = np.where(rng.permutation(n) < n // 2, "letter", "control")
    y = 5 + 1.5 * prior + np.where(arm == "letter", 2 + 0.8 * prior, 0) + rng.normal(0, 2, n)
    return pd.DataFrame({"arm": arm, "prior_late": prior, "y": y})


def test_lin_estimate_equals_armwise_regressions_at_the_mean():
    data = covariate_trial()
    res = estimate_effects(data, outcome="y", covariates=["prior_late"])
    assert first(res, "estimate") == pytest.approx(lin_by_hand(data, "prior_late"), rel=1e-10)
    assert first(res, "df") == len(data) - 4  # t with N - k df (estimatr convention, §1.6)
    assert "Lin (2013)" in res.method


def test_lin_adjustment_shrinks_the_standard_error_when_the_covariate_predicts():
    data = covariate_trial(seed=11, n=400)
    plain = estimate_effects(data, outcome="y")
    lin = estimate_effects(data, outcome="y", covariates=["prior_late"])
    assert first(lin, "se") < 0.8 * first(plain, "se")


def test_lin_with_text_covariate_uses_dummies():
    data = covariate_trial(seed=5, n=120)
    data["kind"] = np.where(data["prior_late"] > 2, "frequent", "rare")
    res = estimate_effects(data, outcome="y", covariates=["kind", "prior_late"])
    assert np.isfinite(first(res, "se"))


# --- §1.5 blocks -------------------------------------------------------------------------------


def test_block_weighted_ate_vector():
    # methods.md §1.5, [COMP]: block ATE 2.3285714, SE 0.5689231 (interacted Lin, HC2)
    res = estimate_effects(BLOCKS, outcome="y", block="block")
    assert first(res, "estimate") == pytest.approx(2.3285714, abs=1e-7)
    assert first(res, "se") == pytest.approx(0.5689231, abs=1e-7)


def test_block_ate_equals_the_weighted_formula_by_hand():
    # tau = sum (N_b/N) diff_b; V = sum (N_b/N)^2 (s1^2/n1 + s0^2/n0)  (methods.md §1.5)
    tau, var, total = 0.0, 0.0, len(BLOCKS)
    for _, part in BLOCKS.groupby("block"):
        t = part.loc[part["arm"] == "letter", "y"]
        c = part.loc[part["arm"] == "control", "y"]
        w = len(part) / total
        tau += w * (t.mean() - c.mean())
        var += w**2 * (t.var() / len(t) + c.var() / len(c))
    res = estimate_effects(BLOCKS, outcome="y", block="block")
    assert first(res, "estimate") == pytest.approx(tau, rel=1e-12)
    assert first(res, "se") == pytest.approx(np.sqrt(var), rel=1e-10)


def test_block_fixed_effects_and_naive_are_not_the_ate():
    # methods.md §1.5, [COMP]: FE-OLS 2.4565217 (HC2 0.7088886); naive pooled 3.9583333
    fe = estimate_effects(BLOCKS, outcome="y", block="block", adjustment="additive")
    assert first(fe, "estimate") == pytest.approx(2.4565217, abs=1e-7)
    assert first(fe, "se") == pytest.approx(0.7088886, abs=1e-7)
    assert "not the ATE" in fe.method
    naive = estimate_effects(BLOCKS, outcome="y")
    assert first(naive, "estimate") == pytest.approx(3.9583333, abs=1e-7)


# --- several arms -------------------------------------------------------------------------------


def test_each_arm_against_control():
    rng = np.random.default_rng(2)
    arm = np.repeat(["control", "postcard", "text"], [50, 45, 55])
    y = rng.binomial(1, np.select([arm == "postcard", arm == "text"], [0.5, 0.6], 0.4))
    data = pd.DataFrame({"arm": arm, "renewed": y})
    res = estimate_effects(data, outcome="renewed")
    assert res.table["arm"].tolist() == ["postcard", "text"]
    assert res.binary
    for label in ("postcard", "text"):
        pair = data[data["arm"].isin(["control", label])]
        alone = estimate_effects(pair, outcome="renewed")
        row = res.table.set_index("arm").loc[label]
        assert row["estimate"] == pytest.approx(first(alone, "estimate"), rel=1e-12)
        assert row["se"] == pytest.approx(first(alone, "se"), rel=1e-10)
    only_text = estimate_effects(data, outcome="renewed", arms=["text"])
    assert only_text.table["arm"].tolist() == ["text"]
    assert int(only_text.table["n_control"][0]) == 50


# --- §1.4 clusters ------------------------------------------------------------------------------


def test_cluster_robust_cr2_and_cr1_on_toy():
    # methods.md §1.4, [COMP]: diff 4.0; naive 0.8164966; CR1 1.2110601; CR2 1.4142136
    cr2 = estimate_effects(CLUSTERS, outcome="y", cluster="office")
    assert first(cr2, "estimate") == pytest.approx(4.0, abs=1e-12)
    assert first(cr2, "se") == pytest.approx(1.4142136, abs=1e-7)
    # balanced design: the Bell-McCaffrey df equals that of a t-test on the 4 cluster means (2)
    assert first(cr2, "df") == pytest.approx(2.0, abs=1e-9)
    cr1 = estimate_effects(CLUSTERS, outcome="y", cluster="office", se_type="CR1")
    assert first(cr1, "se") == pytest.approx(1.2110601, abs=1e-7)
    naive = estimate_effects(CLUSTERS, outcome="y", se_type="classical")
    assert first(naive, "se") == pytest.approx(0.8164966, abs=1e-7)


def test_cr2_equals_neyman_se_of_cluster_means():
    # methods.md §1.4: CR2 = Neyman SE of the cluster means in the balanced case
    means = CLUSTERS.groupby("office").agg(y=("y", "mean"), arm=("arm", "first"))
    t, c = means.loc[means["arm"] == "letter", "y"], means.loc[means["arm"] == "control", "y"]
    cr2 = estimate_effects(CLUSTERS, outcome="y", cluster="office")
    assert first(cr2, "se") == pytest.approx(np.sqrt(t.var() / 2 + c.var() / 2), rel=1e-10)


def test_cr2_with_one_unit_per_cluster_is_hc2():
    data = covariate_trial(seed=9, n=60)
    data["unit"] = np.arange(len(data))
    hc2 = estimate_effects(data, outcome="y", covariates=["prior_late"])
    cr2 = estimate_effects(data, outcome="y", covariates=["prior_late"], cluster="unit")
    assert first(cr2, "se") == pytest.approx(first(hc2, "se"), rel=1e-10)


# --- plain language -----------------------------------------------------------------------------


def test_sentence_for_a_clear_rise_in_a_rate():
    data = pd.DataFrame(
        {
            "arm": ["control"] * 4000 + ["letter"] * 4000,
            "paid": [1] * 2440 + [0] * 1560 + [1] * 2604 + [0] * 1396,
        }
    )
    res = estimate_effects(data, outcome="paid")
    text = res.sentence(treatment_label="The reminder letter", outcome_label="on-time payment")
    assert text.startswith("The reminder letter raised on-time payment by 4.1 percentage points")
    low, high = 100 * first(res, "ci_low"), 100 * first(res, "ci_high")
    assert f"(95% CI {low:.1f} to {high:.1f})" in text
    assert "from 61.0% under business as usual to 65.1%" in text


def test_sentence_for_a_covariate_adjusted_rate_gives_the_baseline_only():
    # Hand-built: payment depends on prior lateness, and the letter arm happens to hold more
    # late payers, so the covariate-adjusted effect differs from the raw gap between the arms.
    rng = np.random.default_rng(7)
    n = 2000
    arm = np.where(np.arange(n) < n // 2, "control", "letter")
    late_before = rng.random(n) < np.where(arm == "letter", 0.6, 0.4)
    paid = (rng.random(n) < 0.8 - 0.3 * late_before + 0.1 * (arm == "letter")).astype(int)
    data = pd.DataFrame({"arm": arm, "paid": paid, "late_before": late_before.astype(int)})
    res = estimate_effects(data, outcome="paid", covariates=["late_before"])
    raw = data.groupby("arm")["paid"].mean()
    assert abs(first(res, "estimate") - (raw["letter"] - raw["control"])) > 0.01
    text = res.sentence(treatment_label="The letter", outcome_label="on-time payment")
    assert "an adjusted estimate, so not the raw gap between the arms" in text
    assert f"(the control group's rate was {100 * raw['control']:.1f}%)" in text
    assert "under business as usual to" not in text
    assert text.count("(") == text.count(")") == 2


def test_sentence_for_a_blocked_test_does_not_quote_the_mixed_raw_rates():
    # hand-made: block A (baseline 80%) 20 of 100 treated, block B (baseline 40%) 80 of 100
    # treated; the effect is +10 points in both blocks, but the raw rates are 72% vs 58%
    y = [1] * 64 + [0] * 16 + [1] * 18 + [0] * 2 + [1] * 8 + [0] * 12 + [1] * 40 + [0] * 40
    data = pd.DataFrame(
        {
            "block": ["A"] * 100 + ["B"] * 100,
            "arm": ["control"] * 80 + ["letter"] * 20 + ["control"] * 20 + ["letter"] * 80,
            "paid": y,
        }
    )
    res = estimate_effects(data, outcome="paid", block="block")
    assert first(res, "estimate") == pytest.approx(0.10)
    text = res.sentence(treatment_label="The letter", outcome_label="on-time payment")
    assert "rise of 10.0 percentage points" in text or "by 10.0 percentage points" in text
    assert ", compared within randomization blocks" in text
    assert "72.0%" not in text and "58.0%" not in text


def test_sentence_when_the_ci_includes_zero():
    res = estimate_effects(
        pd.DataFrame({"arm": ["control"] * 4 + ["text"] * 4, "y": [1, 2, 3, 4, 2, 3, 1, 5]}),
        outcome="y",
    )
    text = res.sentence(arm_label="text", unit="applications")
    assert "made no clear difference" in text
    assert "which includes no effect" in text
    assert "from an average of 2.5 applications under business as usual" in text
    with pytest.raises(UnknownNameError, match="'txt' is not an arm"):
        res.sentence(arm_label="txt")


def test_result_displays_as_text_and_html():
    res = estimate_effects(TINY, outcome="y")
    assert "Effects on 'y' vs 'control'" in repr(res)
    assert "<table" in res._repr_html_()
    assert list(res.to_frame().columns)[:6] == [
        "arm",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "p_value",
    ]


def test_inputs_are_not_modified():
    before = BLOCKS.copy()
    estimate_effects(BLOCKS, outcome="y", block="block")
    pd.testing.assert_frame_equal(BLOCKS, before)


# --- bad inputs -----------------------------------------------------------------------------------


def test_one_arm_only():
    with pytest.raises(CityKitError, match="holds only one arm"):
        estimate_effects(TINY[TINY["arm"] == "letter"], outcome="y")


def test_constant_outcome():
    with pytest.raises(CityKitError, match="is the same .* for every unit"):
        estimate_effects(TINY.assign(y=1), outcome="y")


def test_missing_outcome_values():
    data = TINY.astype({"y": float})
    data.loc[2, "y"] = np.nan
    with pytest.raises(CityKitError, match="has 1 missing value"):
        estimate_effects(data, outcome="y")


def test_unknown_control_and_arm_labels():
    with pytest.raises(UnknownNameError, match="Did you mean 'control'"):
        estimate_effects(TINY, outcome="y", control="Control ")
    with pytest.raises(UnknownNameError, match="'leter' is not an arm"):
        estimate_effects(TINY, outcome="y", arms=["leter"])
    no_control = TINY.assign(arm=TINY["arm"].replace({"control": "usual"}))
    with pytest.raises(UnknownNameError, match="pass control="):
        estimate_effects(no_control, outcome="y")


def test_missing_column_suggests_the_right_name():
    with pytest.raises(MissingColumnError, match="Did you mean 'paid_on_time'"):
        estimate_effects(TINY.rename(columns={"y": "paid_on_time"}), outcome="paid_ontime")
    with pytest.raises(MissingColumnError, match="no column 'group'"):
        estimate_effects(TINY, outcome="y", arm="group")


@pytest.mark.parametrize("alpha", [0, 1.5, 95])
def test_alpha_outside_zero_one(alpha):
    with pytest.raises(ArgumentRangeError, match="alpha"):
        estimate_effects(TINY, outcome="y", alpha=alpha)


def test_arm_with_a_single_unit():
    with pytest.raises(CityKitError, match="needs at least 2"):
        estimate_effects(TINY.iloc[2:], outcome="y")


def test_text_outcome():
    with pytest.raises(CityKitError, match="must hold numbers"):
        estimate_effects(TINY.assign(y=TINY["y"].astype(str)), outcome="y")


def test_block_without_control_units():
    data = BLOCKS.copy()
    data.loc[data["block"] == "B", "arm"] = "letter"
    with pytest.raises(CityKitError, match="have no units in arm 'control'"):
        estimate_effects(data, outcome="y", block="block")


def test_missing_covariate_values_get_a_fix():
    data = covariate_trial().astype({"prior_late": float})
    data.loc[0, "prior_late"] = np.nan
    with pytest.raises(CityKitError, match="prior_late_missing"):
        estimate_effects(data, outcome="y", covariates=["prior_late"])


def test_cluster_se_without_cluster_column():
    with pytest.raises(CityKitError, match="pass cluster="):
        estimate_effects(TINY, outcome="y", se_type="CR2")


def test_no_warning_escapes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate_effects(CLUSTERS, outcome="y", cluster="office")
        estimate_effects(BLOCKS, outcome="y", block="block", adjustment="additive")
        estimate_effects(covariate_trial(), outcome="y", covariates=["prior_late"])


def test_lin_table_2_confidence_interval_convention():
    # methods.md §1.6, [COMP]: Lin + HC2 on alo_star_men (N = 157) gives -0.081220 with SE
    # 0.147868; with t(df = N - 4 = 153) the CI is [-0.373346, 0.210907] (estimatr's convention).
    # The data are not shipped, so this checks the interval arithmetic the toolkit applies.
    from citykit.evaluation.estimate import _tidy

    tidy = _tidy(
        pd.Series([-0.081220], index=["arm=sfsp"]),
        pd.Series([0.147868], index=["arm=sfsp"]),
        pd.Series([153.0], index=["arm=sfsp"]),
        0.05,
    )
    assert tidy["ci_low"][0] == pytest.approx(-0.373346, abs=2e-6)
    assert tidy["ci_high"][0] == pytest.approx(0.210907, abs=2e-6)


def test_yes_no_text_outcome_gets_a_conversion_hint():
    data = TINY.assign(y=["yes", "no", "no", "yes", "yes", "no", "yes"])
    with pytest.raises(CityKitError, match=r"holds yes/no answers as text.*isin\(\['yes'\]\)"):
        estimate_effects(data, outcome="y")


def test_duplicate_index_labels_do_not_misalign():
    data = BLOCKS.copy()
    data.index = [0] * len(data)
    res = estimate_effects(data, outcome="y", block="block")
    assert first(res, "estimate") == pytest.approx(2.3285714, abs=1e-7)


def test_boolean_and_categorical_columns_from_a_loader():
    data = covariate_trial(seed=8, n=100)
    data["paid"] = (data["y"] > data["y"].median()).astype("boolean")
    data["arm"] = data["arm"].astype("category")
    data["band"] = pd.Categorical(np.where(data["prior_late"] > 2, "high", "low"))
    res = estimate_effects(data, outcome="paid", covariates=["band"])
    assert res.binary
    assert res.table["arm"].tolist() == ["letter"]


def test_cr2_se_and_df_against_the_textbook_construction():
    # Bell & McCaffrey (2002) / Pustejovsky & Tipton (2018), built literally with N x N matrices:
    # V = B sum_s X_s' A_s e_s e_s' A_s X_s B, A_s = (I - H_ss)^(-1/2);
    # df = tr(G'G)^2 / tr((G'G)^2), G = [(I - H)[:, s] A_s X_s B c]_s
    rng = np.random.default_rng(0)
    n = 120
    office = rng.integers(0, 15, n)
    treated = np.isin(office, rng.choice(15, 7, replace=False)).astype(float)
    x = rng.normal(size=n)
    y = 1 + 0.5 * treated + 0.3 * x + rng.normal(size=n) + rng.normal(size=15)[office]
    data = pd.DataFrame(
        {"y": y, "arm": np.where(treated == 1, "letter", "control"), "x": x, "office": office}
    )
    res = estimate_effects(
        data, outcome="y", covariates=["x"], adjustment="additive", cluster="office"
    )
    design = np.column_stack([np.ones(n), treated, x])
    bread = np.linalg.inv(design.T @ design)
    resid = y - design @ (bread @ design.T @ y)
    hat = design @ bread @ design.T
    meat = np.zeros((3, 3))
    columns = []
    for s in np.unique(office):
        idx = np.flatnonzero(office == s)
        vals, vecs = np.linalg.eigh(np.eye(len(idx)) - hat[np.ix_(idx, idx)])
        a = (vecs / np.sqrt(vals)) @ vecs.T
        u = design[idx].T @ a @ resid[idx]
        meat += np.outer(u, u)
        columns.append((np.eye(n) - hat)[:, idx] @ (a @ design[idx] @ bread[:, 1]))
    se = np.sqrt((bread @ meat @ bread)[1, 1])
    gram = np.column_stack(columns).T @ np.column_stack(columns)
    df = np.trace(gram) ** 2 / np.trace(gram @ gram)
    assert first(res, "se") == pytest.approx(se, rel=1e-10)
    assert first(res, "df") == pytest.approx(df, rel=1e-10)


# --- several arms in a blocked design: reporting is not subsetting (issue 16, item 5) -----------


def three_arm_blocks(seed=12):
    """Blocks whose arm shares differ, so the block weights depend on which arms count."""
    rng = np.random.default_rng(seed)
    rows = []
    for block, (size, shares, base, scale) in {
        "small": (60, (0.5, 0.25, 0.25), 2.0, 0.3),
        "large": (240, (0.4, 0.1, 0.5), 6.0, 2.0),
        "mid": (120, (0.3, 0.5, 0.2), 4.0, 1.0),
    }.items():
        counts = rng.multinomial(size, shares)
        for arm, n, effect in zip(
            ("control", "postcard", "text"), counts, (0, 1.0, 2.0), strict=True
        ):
            y = base + scale * effect + rng.normal(0, 1.5, n)  # effects differ by block
            rows += [(block, arm, v) for v in y]
    return pd.DataFrame(rows, columns=["block", "arm", "y"])


def block_weighted(data, arm, *, weights_from):
    """methods.md §1.5: sum_b (N_b / N)(mean_ab - mean_cb), N_b counted over ``weights_from``."""
    sizes = data[data["arm"].isin(weights_from)].groupby("block").size()
    means = data.groupby(["block", "arm"])["y"].mean().unstack()
    weights = sizes / sizes.sum()
    return float((weights * (means[arm] - means["control"])).sum())


def test_listing_arms_reports_them_without_changing_the_model():
    data = three_arm_blocks()
    every = estimate_effects(data, outcome="y", block="block").table.set_index("arm")
    listed = estimate_effects(data, outcome="y", block="block", arms=["text"])
    row = listed.table.iloc[0]
    assert listed.table["arm"].tolist() == ["text"]
    # every arm stays in the model: the same estimate, SE and df as without arms=
    for column in ("estimate", "se", "df", "adjusted_control_mean"):
        assert row[column] == pytest.approx(every.loc["text", column], rel=1e-12)
    # ... and the block weights count every randomized unit (independent formula)
    all_arms = ["control", "postcard", "text"]
    assert row["estimate"] == pytest.approx(
        block_weighted(data, "text", weights_from=all_arms), rel=1e-12
    )
    assert listed.dropped == 0
    assert "'postcard' kept in the model" in listed.method


def test_dropping_other_arms_is_explicit_and_counted():
    data = three_arm_blocks()
    dropped = estimate_effects(data, outcome="y", block="block", arms=["text"], other_arms="drop")
    pair = data[data["arm"].isin(["control", "text"])]
    subset = estimate_effects(pair, outcome="y", block="block")
    for column in ("estimate", "se", "df"):
        assert first(dropped, column) == pytest.approx(first(subset, column), rel=1e-12)
    assert first(dropped, "estimate") == pytest.approx(
        block_weighted(data, "text", weights_from=["control", "text"]), rel=1e-12
    )
    # a different analysis: the weights change, so the estimate does (the bug of issue 16)
    kept = estimate_effects(data, outcome="y", block="block", arms=["text"])
    assert abs(first(dropped, "estimate") - first(kept, "estimate")) > 0.05
    n_postcard = int((data["arm"] == "postcard").sum())
    assert dropped.dropped == n_postcard
    assert f"{n_postcard:,} units of the other arms were left out" in repr(dropped)
    with pytest.raises(UnknownNameError, match="other_arms"):
        estimate_effects(data, outcome="y", arms=["text"], other_arms="subset")


# --- the control mean an estimate is relative to (issue 16, item 6) ---------------------------


def test_relative_effect_of_a_blocked_design_uses_the_block_weighted_control_mean():
    res = estimate_effects(BLOCKS, outcome="y", block="block")
    sizes = BLOCKS.groupby("block").size()
    control = BLOCKS[BLOCKS["arm"] == "control"].groupby("block")["y"].mean()
    weighted = float((sizes / sizes.sum() * control).sum())  # methods.md §1.5 weights N_b / N
    assert first(res, "adjusted_control_mean") == pytest.approx(weighted, rel=1e-12)
    assert first(res, "relative_effect") == pytest.approx(2.3285714 / weighted, abs=1e-7)
    # the raw control mean (what the old code divided by) is a different number
    raw = float(BLOCKS.loc[BLOCKS["arm"] == "control", "y"].mean())
    assert first(res, "control_mean") == pytest.approx(raw)
    assert abs(first(res, "relative_effect") - 2.3285714 / raw) > 0.01  # 0.2850 against 0.3037


def test_relative_effect_on_the_sample_city_bill_trial():
    # issue 16, item 6: 7.2% against the raw control mean, 7.4% against the block-weighted one
    from citykit import datasets

    bills = datasets.load("bill_reminder_trial")
    res = estimate_effects(bills, outcome="paid_on_time", control="control", block="account_type")
    row = res.table.iloc[0]
    control = bills[bills["arm"] == "control"].groupby("account_type")["paid_on_time"].mean()
    shares = bills["account_type"].value_counts(normalize=True)
    assert row["adjusted_control_mean"] == pytest.approx(float((shares * control).sum()), rel=1e-12)
    assert round(100 * row["relative_effect"], 1) == 7.4
    assert round(100 * row["estimate"] / row["control_mean"], 1) == 7.2


def test_relative_effect_with_covariates_uses_the_control_line_at_the_mean():
    # Lin (2013): the control arm's own regression line, evaluated at the full-sample mean
    data = covariate_trial(seed=4, n=90)
    res = estimate_effects(data, outcome="y", covariates=["prior_late"])
    part = data[data["arm"] == "control"]
    slope, intercept = np.polyfit(part["prior_late"], part["y"], 1)
    at_mean = intercept + slope * data["prior_late"].mean()
    assert first(res, "adjusted_control_mean") == pytest.approx(at_mean, rel=1e-10)
    assert first(res, "relative_effect") == pytest.approx(first(res, "estimate") / at_mean)
    # additive (ANCOVA): the control prediction at the covariate mean, same idea
    additive = estimate_effects(data, outcome="y", covariates=["prior_late"], adjustment="additive")
    design = np.column_stack(
        [np.ones(len(data)), (data["arm"] == "letter").to_numpy(float), data["prior_late"]]
    )
    beta = np.linalg.lstsq(design, data["y"].to_numpy(), rcond=None)[0]
    expected = beta[0] + beta[2] * data["prior_late"].mean()
    assert first(additive, "adjusted_control_mean") == pytest.approx(expected, rel=1e-10)


def test_unadjusted_relative_effect_is_unchanged():
    res = estimate_effects(TINY, outcome="y")
    assert first(res, "adjusted_control_mean") == pytest.approx(4.0)
    assert first(res, "relative_effect") == pytest.approx(4.5 / 4.0)


# --- frequency weights: counts per arm and block ---------------------------------------------------


def expand(counts: pd.DataFrame, weight: str = "n") -> pd.DataFrame:
    return counts.loc[counts.index.repeat(counts[weight])].drop(columns=weight)


def counts_table(seed=16, *, blocks=41, units=142_428):
    """One row per block, arm and outcome value (41 x 3 x 4 = 492 rows), with a count."""
    rng = np.random.default_rng(seed)
    names = [f"b{i:02d}" for i in range(blocks)]
    block_share = rng.dirichlet(np.full(blocks, 20.0))
    cells, probs = [], []
    for b, share in zip(names, block_share, strict=True):
        arm_share = rng.dirichlet([6.0, 3.0, 3.0])
        base = rng.uniform(0.5, 2.0)
        for arm, a_share, effect in zip(
            ("control", "letter", "text"), arm_share, (0, 0.15, 0.3), strict=True
        ):
            lam = base + effect
            p_y = np.exp(-lam) * lam ** np.arange(4) / np.array([1, 1, 2, 6])
            for y, p in enumerate(p_y / p_y.sum()):
                cells.append((b, arm, y))
                probs.append(share * a_share * p)
    frame = pd.DataFrame(cells, columns=["block", "arm", "payments"])
    frame["n"] = rng.multinomial(units, np.array(probs) / np.sum(probs))
    return frame


def test_counts_file_gives_the_expanded_estimates_at_full_size():
    # issue 16: a 492-row counts file must give the estimates and SEs of its 142,428 units.
    # Reference, computed on the expanded rows with pandas: the block-weighted difference and
    # its Neyman variance sum_b (N_b/N)^2 (s2_ab/n_ab + s2_cb/n_cb) (methods.md §1.5), which the
    # interacted regression's HC2 SE equals.
    counts = counts_table()
    assert len(counts) == 492 and int(counts["n"].sum()) == 142_428
    res = estimate_effects(counts, outcome="payments", block="block", weight="n")
    units = expand(counts)
    assert len(units) == 142_428
    cells = units.groupby(["block", "arm"])["payments"].agg(["mean", "var", "size"]).unstack()
    share = units.groupby("block").size() / len(units)
    table = res.table.set_index("arm")
    for arm in ("letter", "text"):
        diff = cells["mean"][arm] - cells["mean"]["control"]
        var = (
            cells["var"][arm] / cells["size"][arm]
            + cells["var"]["control"] / cells["size"]["control"]
        )
        assert table.loc[arm, "estimate"] == pytest.approx(float((share * diff).sum()), rel=1e-10)
        assert table.loc[arm, "se"] == pytest.approx(float(np.sqrt((share**2 * var).sum())), 1e-9)
        assert table.loc[arm, "n_arm"] == int((units["arm"] == arm).sum())
        assert table.loc[arm, "df"] == 142_428 - 3 * 41
    control_mean = float((share * cells["mean"]["control"]).sum())
    assert table["adjusted_control_mean"].iloc[0] == pytest.approx(control_mean, rel=1e-10)
    assert res.n == 142_428 and res.n_rows == 492
    assert "142,428 units in 492 rows weighted by 'n'" in repr(res)


@pytest.mark.parametrize("se_type", ["HC2", "HC0", "HC1", "HC3", "classical"])
@pytest.mark.parametrize("adjustment", ["lin", "additive"])
def test_weighted_rows_equal_expanded_rows_for_every_se_type(se_type, adjustment):
    rng = np.random.default_rng(3)
    counts = counts_table(seed=3, blocks=5, units=3_000)
    older = rng.binomial(counts["n"], 0.3 + 0.1 * counts["payments"])  # a covariate within cells
    counts = pd.concat(
        [counts.assign(age=1, n=older), counts.assign(age=0, n=counts["n"] - older)],
        ignore_index=True,
    )
    kw = {"outcome": "payments", "block": "block", "covariates": ["age"], "se_type": se_type}
    weighted = estimate_effects(counts, weight="n", adjustment=adjustment, **kw)
    expanded = estimate_effects(expand(counts), adjustment=adjustment, **kw)
    columns = ["estimate", "se", "df", "p_value", "n_control", "n_arm", "control_mean"]
    columns += ["arm_mean", "adjusted_control_mean", "relative_effect"]
    pd.testing.assert_frame_equal(
        weighted.table[columns], expanded.table[columns], rtol=1e-9, check_dtype=False
    )


@pytest.mark.parametrize("se_type", ["CR2", "CR1"])
def test_weighted_rows_equal_expanded_rows_with_clusters(se_type):
    rng = np.random.default_rng(21)
    rows = []
    for office in range(14):
        arm = "letter" if office % 2 else "control"
        p = 0.3 + 0.1 * (arm == "letter") + rng.normal(0, 0.08)
        for age_band in ("young", "old"):
            n = int(rng.integers(5, 30))
            k = int(rng.binomial(n, min(max(p + 0.1 * (age_band == "old"), 0), 1)))
            rows += [(office, arm, age_band, 1, k), (office, arm, age_band, 0, n - k)]
    counts = pd.DataFrame(rows, columns=["office", "arm", "age_band", "applied", "n"])
    kw = {"outcome": "applied", "cluster": "office", "covariates": ["age_band"]}
    weighted = estimate_effects(counts, weight="n", se_type=se_type, **kw)
    expanded = estimate_effects(expand(counts), se_type=se_type, **kw)
    for column in ("estimate", "se", "df", "p_value"):
        assert first(weighted, column) == pytest.approx(first(expanded, column), rel=1e-9)


def test_weighted_fit_agrees_with_statsmodels_freq_weights():
    # independent implementation: statsmodels GLM (Gaussian) with freq_weights gives the same
    # coefficients and classical standard errors (its df counts units: sum of weights - k)
    import statsmodels.api as sm

    counts = counts_table(seed=8, blocks=3, units=900)
    res = estimate_effects(
        counts, outcome="payments", weight="n", se_type="classical", adjustment="additive"
    )
    design = pd.get_dummies(counts["arm"], dtype=float).drop(columns="control")
    design.insert(0, "const", 1.0)
    glm = sm.GLM(counts["payments"], design, freq_weights=counts["n"]).fit()
    table = res.table.set_index("arm")
    for arm in ("letter", "text"):
        assert table.loc[arm, "estimate"] == pytest.approx(glm.params[arm], rel=1e-10)
        assert table.loc[arm, "se"] == pytest.approx(glm.bse[arm], rel=1e-10)


def test_zero_count_rows_stand_for_no_unit():
    counts = counts_table(seed=5, blocks=3, units=600)
    padded = pd.concat([counts, counts.head(4).assign(n=0, payments=99)], ignore_index=True)
    a = estimate_effects(counts, outcome="payments", block="block", weight="n")
    b = estimate_effects(padded, outcome="payments", block="block", weight="n")
    pd.testing.assert_frame_equal(a.table, b.table)
    assert b.n == a.n


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        ([1.5, 2, 3, 4, 2, 3, 4], "whole numbers of 0 or more"),
        ([-1, 2, 3, 4, 2, 3, 4], "whole numbers of 0 or more"),
        ([np.nan, 2, 3, 4, 2, 3, 4], "missing value"),
        (list("1234234"), "counts of units"),
        ([0] * 7, "adds up to 0 units"),
    ],
)
def test_bad_weights_are_refused(values, pattern):
    with pytest.raises(CityKitError, match=pattern):
        estimate_effects(TINY.assign(n=values), outcome="y", weight="n")
    with pytest.raises(MissingColumnError):
        estimate_effects(TINY, outcome="y", weight="count")


def test_weighted_single_unit_cell_is_refused():
    counts = BLOCKS.value_counts(["block", "arm", "y"]).rename("n").reset_index()
    lonely = counts[~((counts["block"] == "B") & (counts["arm"] == "letter") & (counts["y"] == 22))]
    with pytest.raises(CityKitError, match="single unit"):
        estimate_effects(lonely, outcome="y", block="block", weight="n")
