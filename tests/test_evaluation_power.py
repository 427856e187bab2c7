"""Power, sample size and MDE against the reference vectors of methods.md §1.1-§1.4.

Tolerances follow methods.md: 1e-10 relative for closed-form [PKG-TEST] values, 1e-6 for
root-solved sample sizes, and the printed decimals for [PUB]/[COMP] values.
"""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest
from citykit.errors import ArgumentRangeError, CityKitError, UnknownNameError
from citykit.evaluation import (
    cohens_h,
    design_effect,
    effective_sample_size,
    icc_anova,
    mde_standardized,
    mde_two_means,
    mde_two_proportions,
    mdes_cluster,
    power_curve,
    power_standardized,
    power_two_means,
    power_two_proportions,
    sample_size_standardized,
    sample_size_two_means,
    sample_size_two_proportions,
)
from scipy import stats

REL = 1e-10


def normal(**kw):
    return power_standardized(distribution="normal", **kw)


# --- §1.1 two proportions, Cohen's h (pwr.2p.test / NormalIndPower) ------------------------------


def test_cohens_h_matches_statsmodels_test_suite():
    # methods.md §1.1, [PKG-TEST] statsmodels test_proportion.py::test_proportion_effect_size
    assert cohens_h(0.5, 0.4) == pytest.approx(0.2013579207903309, rel=REL)


def test_pwr_p_test_cohen_example_6_5():
    # methods.md §1.1, [PUB] pwr ES.h example output 0.3447014; [COMP] 0.34470140912721514
    h = cohens_h(0.5, 0.4)
    value = normal(effect_size=h, n_per_arm=60, design="one-sample")
    assert round(value, 7) == 0.3447014
    assert value == pytest.approx(0.34470140912721514, rel=REL)


@pytest.mark.parametrize(
    ("h", "n", "alternative", "expected"),
    [
        # methods.md §1.1, [PKG-TEST] statsmodels test_power.py::test_normal_power_explicit (R)
        (0.3, 80, "two-sided", 0.475100870572638),
        (0.01, 80, "two-sided", 0.05045832927039234),
        (0.01, 80, "larger", 0.056869534873146124),
        (0.01, 80, "smaller", 0.0438089705093578),
    ],
)
def test_pwr_2p_test_reference_values(h, n, alternative, expected):
    assert normal(effect_size=h, n_per_arm=n, alternative=alternative) == pytest.approx(
        expected, rel=REL
    )


def test_pwr_norm_test_one_sample_less():
    # methods.md §1.1, [PKG-TEST] TestNormalIndPower_onesamp2
    value = normal(effect_size=0.01, n_per_arm=40, design="one-sample", alternative="smaller")
    assert value == pytest.approx(0.0438089705093578, rel=REL)


def test_cohen_examples_computed_with_pwr_formulas():
    # methods.md §1.1, [COMP] values (pwr man page examples, Cohen 1988 ch. 6)
    assert normal(effect_size=0.3, n_per_arm=80, alternative="larger") == pytest.approx(
        0.5996777045, abs=1e-10
    )
    assert normal(
        effect_size=0.30, n_per_arm=80, ratio=245 / 80, alternative="larger"
    ) == pytest.approx(0.7532924472, abs=1e-10)
    n = sample_size_standardized(effect_size=0.3, power=0.8, distribution="normal")
    assert n == pytest.approx(174.41912, rel=1e-6)
    n2 = sample_size_standardized(
        effect_size=0.20, power=0.9, alpha=0.01, distribution="normal", n_control=1600
    )
    # The [COMP] value 484.66273 came from a looser root solve (its power is 0.899999); ours solves
    # to 1e-12, so it agrees to 5e-6 relative and its power is 0.9 to 1e-9.
    assert n2 == pytest.approx(484.66273, rel=5e-6)
    assert normal(effect_size=0.20, n_per_arm=1600, ratio=n2 / 1600, alpha=0.01) == pytest.approx(
        0.9, abs=1e-9
    )
    n_one = sample_size_standardized(
        effect_size=0.2, power=0.95, design="one-sample", distribution="normal"
    )
    assert n_one == pytest.approx(324.86773, rel=1e-6)


def test_pwr_vignette_examples():
    # methods.md §1.1, [COMP] pwr vignette
    h = cohens_h(0.75, 0.5)
    assert h == pytest.approx(0.5235987756, abs=1e-10)
    n = sample_size_standardized(
        effect_size=h, power=0.80, alternative="larger", design="one-sample", distribution="normal"
    )
    assert n == pytest.approx(22.551266, rel=1e-6)
    assert normal(
        effect_size=h, n_per_arm=40, alpha=0.01, alternative="larger", design="one-sample"
    ) == pytest.approx(0.8377325487, abs=1e-10)
    h2 = cohens_h(0.65, 0.5)
    assert h2 == pytest.approx(0.3046926540, abs=1e-10)
    n2 = sample_size_standardized(
        effect_size=h2, power=0.80, design="one-sample", distribution="normal"
    )
    assert n2 == pytest.approx(84.543971, rel=1e-6)


def test_two_proportions_arcsine_uses_cohens_h():
    # methods.md §1.1: pwr.2p.test(h = ES.h(p1, p2), n) is the arcsine family
    h = cohens_h(0.5, 0.4)
    assert power_two_proportions(control_rate=0.4, treated=0.5, n_per_arm=80) == pytest.approx(
        normal(effect_size=h, n_per_arm=80), rel=REL
    )


def test_pooled_method_matches_r_power_prop_test():
    # methods.md §1.1, [PUB] R help "=> power = 0.740", "=> n = 76.7";
    # [COMP] 0.7401659013, 76.706928
    value = power_two_proportions(control_rate=0.50, treated=0.75, n_per_arm=50, method="pooled")
    assert round(value, 3) == 0.740
    assert value == pytest.approx(0.7401659013, abs=1e-10)
    n = sample_size_two_proportions(control_rate=0.50, treated=0.75, power=0.90, method="pooled")
    assert round(n, 1) == 76.7
    assert n == pytest.approx(76.706928, rel=1e-6)


def test_pooled_method_drops_the_far_tail_unlike_statsmodels_default():
    # methods.md §1.1: power_proportions_2indep counts the far tail, 0.7401671935 (differs ~1e-6)
    value = power_two_proportions(control_rate=0.50, treated=0.75, n_per_arm=50, method="pooled")
    assert 0 < 0.7401671935 - value < 2e-6


def test_arcsine_and_pooled_differ_by_a_little():
    # methods.md §1.1 "spec decision": the two families differ by about 1-2% for h = 0.3
    a = power_two_proportions(control_rate=0.4, treated=0.55, n_per_arm=150)
    p = power_two_proportions(control_rate=0.4, treated=0.55, n_per_arm=150, method="pooled")
    assert a != p
    assert abs(a - p) < 0.03


# --- §1.2 two means (pwr.t.test / TTestIndPower / TTestPower) ------------------------------------


@pytest.mark.parametrize(
    ("d", "n", "alternative", "expected"),
    [
        # methods.md §1.2, [PKG-TEST] statsmodels test_power.py TestTTPowerOneS1..5 (R values)
        (1, 30, "two-sided", 0.9995636009612725),
        (0.2, 20, "two-sided", 0.1359562887679666),
        (1, 30, "larger", 0.999892010204909),
        (0.05, 20, "larger", 0.0764888785042198),
        (0.2, 20, "smaller", 0.006063932667926375),
    ],
)
def test_one_sample_t_power(d, n, alternative, expected):
    value = power_standardized(
        effect_size=d, n_per_arm=n, alternative=alternative, design="one-sample"
    )
    assert value == pytest.approx(expected, rel=REL)


@pytest.mark.parametrize(
    ("d", "n", "ratio", "alternative", "expected"),
    [
        # methods.md §1.2, [PKG-TEST] TestTTPowerTwoS1..6 (R values)
        (1, 30, 1, "two-sided", 0.967708258242517),
        (0.1, 20, 1, "two-sided", 0.06095912465411235),
        (1, 30, 1, "larger", 0.985459690251624),
        (0.01, 30, 1, "larger", 0.0540740302835667),
        (0.1, 20, 1.5, "two-sided", 0.0633081832564667),
        (0.1, 20, 1.5, "larger", 0.09623589080917805),
    ],
)
def test_two_sample_t_power(d, n, ratio, alternative, expected):
    value = power_standardized(effect_size=d, n_per_arm=n, ratio=ratio, alternative=alternative)
    assert value == pytest.approx(expected, rel=REL)


def test_r_power_t_test_examples():
    # methods.md §1.2, [PUB] R help power.t.test(n=20, delta=1) = 0.8689528 (R drops the far
    # tail, which is below 1e-6 here); [COMP] n = 22.021095570 and one-sided 17.847120627
    assert power_two_means(difference=1, sd=1, n_per_arm=20) == pytest.approx(0.8689528, abs=1e-6)
    n = sample_size_two_means(difference=1, sd=1, power=0.90)
    assert n == pytest.approx(22.021095570, rel=1e-6)
    n1 = sample_size_two_means(difference=1, sd=1, power=0.90, alternative="larger")
    assert n1 == pytest.approx(17.847120627, rel=1e-6)


def test_cohen_chapter_2_examples():
    # methods.md §1.2, [COMP] Cohen (1988) ch. 2 examples through pwr's formulas
    assert power_standardized(
        effect_size=0.2, n_per_arm=60, alpha=0.10, design="one-sample"
    ) == pytest.approx(0.4555817641, abs=1e-10)
    d_paired = 8 / (16 * math.sqrt(2 * (1 - 0.6)))
    assert d_paired == pytest.approx(0.5590169944, abs=1e-10)
    assert power_standardized(effect_size=d_paired, n_per_arm=40, design="paired") == (
        pytest.approx(0.9315248253, abs=1e-9)
    )
    assert power_standardized(effect_size=2 / 2.8, n_per_arm=30) == pytest.approx(
        0.7764888766, abs=1e-10
    )
    n = sample_size_standardized(effect_size=0.3, power=0.75, alternative="larger")
    assert n == pytest.approx(120.22320, rel=1e-6)
    assert power_standardized(
        effect_size=0.6, n_per_arm=90, ratio=60 / 90, alternative="larger"
    ) == pytest.approx(0.9737261546, abs=1e-10)


def test_cross_validated_example():
    # methods.md §1.2, [PUB] Cross-Validated output n = 48.26427; [COMP] 48.264275816
    n = sample_size_standardized(effect_size=2 / 3, power=0.9)
    assert round(n, 5) == 48.26428 or round(n, 5) == 48.26427
    assert n == pytest.approx(48.264275816, rel=1e-6)


# --- §1.3 minimum detectable effect ---------------------------------------------------------------


def bloom(n1, n2, r2=0.0):
    m = stats.norm.ppf(0.975) + stats.norm.ppf(0.80)
    return m * math.sqrt(1 / n1 + 1 / n2) * math.sqrt(1 - r2)


def test_bloom_multiplier():
    # methods.md §1.3: M = z.975 + z.80 = 2.8015852181
    assert stats.norm.ppf(0.975) + stats.norm.ppf(0.80) == pytest.approx(2.8015852181, abs=1e-10)


@pytest.mark.parametrize(
    ("n", "normal_value", "t_value"),
    [
        # methods.md §1.3, [COMP]
        (100, 0.3962036, 0.3981391),
        (500, 0.1771878, 0.1773584),
        (1000, 0.1252903, None),
    ],
)
def test_mdes_equal_arms(n, normal_value, t_value):
    mdes = mde_standardized(n_per_arm=n)
    assert mdes == pytest.approx(normal_value, abs=1e-6)
    assert mdes == pytest.approx(bloom(n, n), abs=1e-6)  # closed form 0.396204 / 0.1252907
    if t_value is not None:
        assert mde_standardized(n_per_arm=n, distribution="t") == pytest.approx(t_value, abs=1e-6)


def test_mdes_unequal_arms_and_covariates():
    # methods.md §1.3, [COMP]: N = 1000 with P = 0.3 treated -> 0.1933277; n = 500/arm, R2 = 0.5
    assert mde_standardized(n_per_arm=700, ratio=300 / 700) == pytest.approx(0.1933277, abs=1e-6)
    assert mde_standardized(n_per_arm=500, r_squared=0.5) == pytest.approx(0.1252907, abs=1e-6)


def test_mde_two_proportions_arcsine_and_pooled():
    # methods.md §1.3, [COMP]: p0 = 0.20, n = 1000/arm: arcsine h 0.1252903 -> p1 0.2523367
    # (5.23 pp); R power.prop.test root 0.0523864 (5.24 pp)
    arcsine = mde_two_proportions(control_rate=0.20, n_per_arm=1000)
    assert 0.20 + arcsine == pytest.approx(0.2523367, abs=1e-6)
    assert cohens_h(0.20 + arcsine, 0.20) == pytest.approx(0.1252903, abs=1e-6)
    assert round(100 * arcsine, 2) == 5.23
    pooled = mde_two_proportions(control_rate=0.20, n_per_arm=1000, method="pooled")
    assert pooled == pytest.approx(0.0523864, abs=1e-6)
    assert round(100 * pooled, 2) == 5.24


def test_simple_normal_shortcut_understates_the_mde():
    # methods.md §1.3: M * sqrt(2 p0 q0 / n) = 0.0501163 uses the control variance twice
    shortcut = 2.8015852181 * math.sqrt(2 * 0.2 * 0.8 / 1000)
    assert shortcut == pytest.approx(0.0501163, abs=1e-6)
    assert mde_two_proportions(control_rate=0.20, n_per_arm=1000) > shortcut + 0.002


def test_mde_then_power_round_trip():
    # an independent check: power at baseline + MDE is the requested power
    for method in ("arcsine", "pooled"):
        mde = mde_two_proportions(control_rate=0.35, n_per_arm=800, power=0.9, method=method)
        got = power_two_proportions(
            control_rate=0.35, treated=0.35 + mde, n_per_arm=800, method=method
        )
        assert got == pytest.approx(0.9, abs=1e-8)


def test_mde_two_means_in_outcome_units():
    # methods.md §1.3: TTestIndPower MDES for 100 per arm is 0.3981391 (to ~1e-6)
    assert mde_two_means(sd=12.0, n_per_arm=100) == pytest.approx(12 * 0.3981391, rel=5e-6)


def test_power_curve_rises_from_alpha_to_near_one():
    curve = power_curve(control_rate=0.4, n_per_arm=500, points=21)
    assert curve["power"].iloc[0] == pytest.approx(0.05, abs=1e-12)
    assert curve["power"].is_monotonic_increasing
    mde = mde_two_proportions(control_rate=0.4, n_per_arm=500)
    # the default grid runs to twice the MDE, where power is well above 0.8
    assert curve["effect"].iloc[-1] == pytest.approx(2 * mde)
    assert curve["power"].iloc[-1] > 0.99


# --- §1.4 cluster designs ------------------------------------------------------------------


def test_design_effects():
    # methods.md §1.4, [COMP]
    assert design_effect(cluster_size=20, icc=0.05) == pytest.approx(1.95, abs=1e-12)
    assert design_effect(cluster_size=25, icc=0.10) == pytest.approx(3.40, abs=1e-12)
    assert effective_sample_size(n=1000, cluster_size=25, icc=0.10) == pytest.approx(
        294.12, abs=0.005
    )
    assert design_effect(cluster_size=50, icc=0.01) == pytest.approx(1.49, abs=1e-12)
    # unequal sizes: 1 + ((CV^2 + 1) m - 1) ICC
    assert design_effect(cluster_size=20, icc=0.05, cv=0.5) == pytest.approx(
        1 + (1.25 * 20 - 1) * 0.05
    )


@pytest.mark.parametrize(
    ("kwargs", "mdes", "m", "se", "df"),
    [
        # methods.md §1.4, [COMP] per the PowerUpR formula (mdes.cra2r2 help example and comments)
        ({"icc": 0.20, "cluster_size": 4, "n_clusters": 20}, 0.8380547, 2.9629707, 0.2828427, 18),
        (
            {"icc": 0.20, "cluster_size": 4, "n_clusters": 20, "alpha": 0.01},
            1.0579701,
            3.7404891,
            0.2828427,
            18,
        ),
        ({"icc": 0.10, "cluster_size": 25, "n_clusters": 40}, 0.3353470, 2.8755769, 0.1166190, 38),
        (
            {
                "icc": 0.10,
                "cluster_size": 25,
                "n_clusters": 40,
                "cluster_covariates": 1,
                "r2_cluster": 0.5,
                "r2_individual": 0.3,
            },
            0.2495427,
            None,
            None,
            37,
        ),
    ],
)
def test_powerup_cra2r2(kwargs, mdes, m, se, df):
    res = mdes_cluster(**kwargs)
    assert res.mdes == pytest.approx(mdes, abs=1e-7)
    assert res.df == df
    if m is not None:
        assert res.multiplier == pytest.approx(m, abs=1e-7)
        assert res.standard_error == pytest.approx(se, abs=1e-7)


def test_powerup_cra2r2_below_half_power():
    # methods.md §1.4 (corrected 2026-12), PowerUpR R/utils.R ``.mdes.fun``: when power < 0.5
    # the multiplier is |t(alpha/2)| - |t(power)|; icc .05, n 30, J 30, power .4 gives 0.1871.
    res = mdes_cluster(icc=0.05, cluster_size=30, n_clusters=30, power=0.4)
    assert round(res.mdes, 4) == 0.1871
    t1, t2 = stats.t.ppf(0.975, 28), stats.t.ppf(0.6, 28)  # |t(power = .4)| = t(.6)
    assert res.multiplier == pytest.approx(t1 - t2, rel=1e-12)
    # the adding formula (the old bug) gives 0.2404, where power is about 0.60, not 0.40
    lam = res.mdes / res.standard_error
    power_at_mdes = stats.nct.sf(t1, 28, lam) + stats.nct.cdf(-t1, 28, lam)
    assert power_at_mdes == pytest.approx(0.4, abs=0.015)
    wrong = (t1 + t2) * res.standard_error
    assert round(wrong, 4) == 0.2404
    assert stats.nct.sf(t1, 28, wrong / res.standard_error) == pytest.approx(0.60, abs=0.01)
    # continuity at power 0.5 (t quantile 0) and monotone in power
    half = mdes_cluster(icc=0.05, cluster_size=30, n_clusters=30, power=0.5)
    assert half.multiplier == pytest.approx(t1, rel=1e-12)
    values = [
        mdes_cluster(icc=0.05, cluster_size=30, n_clusters=30, power=p).mdes
        for p in (0.2, 0.4, 0.5, 0.6, 0.8)
    ]
    assert values == sorted(values)


def test_normal_shortcut_for_cluster_mdes():
    # methods.md §1.4, [COMP]: individual MDES(N=1000) * sqrt(DEFF(25, .1)) = 0.3267182
    value = mde_standardized(n_per_arm=500) * math.sqrt(design_effect(cluster_size=25, icc=0.1))
    assert value == pytest.approx(0.3267182, abs=1e-6)
    assert value < mdes_cluster(icc=0.10, cluster_size=25, n_clusters=40).mdes


def test_icc_from_one_way_anova_toy():
    # methods.md §1.4, [COMP]: MSB = 20, MSW = 1, ICC = 0.8636364, DEFF = 2.7272727
    toy = pd.DataFrame(
        {
            "y": [10, 12, 11, 14, 15, 16, 9, 8, 10, 13, 12, 14],
            "office": ["a"] * 3 + ["b"] * 3 + ["c"] * 3 + ["d"] * 3,
        }
    )
    est = icc_anova(toy, outcome="y", cluster="office")
    assert est.msb == pytest.approx(20.0, rel=1e-10)
    assert est.msw == pytest.approx(1.0, rel=1e-10)
    assert est.icc == pytest.approx(0.8636364, abs=1e-7)
    assert est.design_effect == pytest.approx(2.7272727, abs=1e-7)
    assert est.n_clusters == 4
    assert "ICC = 0.8636" in repr(est)


def test_icc_unequal_clusters_matches_statsmodels_anova():
    # independent implementation: statsmodels' one-way ANOVA table (formula API) on unequal
    # clusters; n0 = (N - sum n_j^2 / N) / (J - 1) (Donner & Klar 2000)
    import numpy as np
    import statsmodels.api as sm
    from statsmodels.formula.api import ols

    rng = np.random.default_rng(7)
    sizes = [3, 8, 5, 12, 2, 9]
    office = np.repeat([f"o{i}" for i in range(len(sizes))], sizes)
    effect = dict(zip(np.unique(office), rng.normal(0, 1.0, len(sizes)), strict=True))
    y = np.array([effect[o] for o in office]) + rng.normal(0, 2.0, len(office))
    data = pd.DataFrame({"y": y, "office": office})
    table = sm.stats.anova_lm(ols("y ~ C(office)", data=data).fit())
    msb, msw = table["mean_sq"].iloc[0], table["mean_sq"].iloc[1]
    n = len(y)
    n0 = (n - sum(k * k for k in sizes) / n) / (len(sizes) - 1)
    est = icc_anova(data, outcome="y", cluster="office")
    assert est.msb == pytest.approx(msb, rel=1e-12)
    assert est.msw == pytest.approx(msw, rel=1e-12)
    assert est.icc == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw), rel=1e-12)
    assert est.cluster_size == pytest.approx(n0, rel=1e-12)


def test_cohens_h_matches_statsmodels_everywhere():
    # independent implementation: statsmodels proportion_effectsize (= pwr::ES.h)
    from statsmodels.stats.proportion import proportion_effectsize

    for treated in (0.0, 0.01, 0.3, 0.5, 0.77, 1.0):
        for baseline in (0.0, 0.2, 0.5, 0.99, 1.0):
            expected = float(proportion_effectsize(treated, baseline))
            assert cohens_h(treated, baseline) == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_no_evaluation_call_pays_a_first_use_import():
    # issue 20: heavy imports happen where the learner expects a wait, the lesson's setup cell
    # (``from citykit import evaluation``); later cells load nothing more. Fresh interpreter.
    import subprocess
    import sys

    code = """
import sys
import pandas as pd
from citykit import evaluation
before = set(sys.modules)
trial = pd.DataFrame({"arm": ["control"] * 6 + ["letter"] * 6, "y": [1.0, 2, 3, 2, 4, 3] * 2,
                      "office": list("aabbccddeeff")})
evaluation.cohens_h(0.5, 0.4)
evaluation.icc_anova(trial, outcome="y", cluster="office")
evaluation.power_two_proportions(control_rate=0.4, treated=0.5, n_per_arm=100)
evaluation.mde_two_proportions(control_rate=0.4, n_per_arm=100, method="pooled")
evaluation.sample_size_two_means(difference=1.0, sd=2.0)
evaluation.mdes_cluster(icc=0.05, cluster_size=30, n_clusters=30)
evaluation.estimate_effects(trial, outcome="y")
evaluation.estimate_effects(trial, outcome="y", cluster="office")
evaluation.balance_table(trial, covariates=["y"])
evaluation.adjust_pvalues(pd.DataFrame({"p_value": [0.01, 0.2]}), method="holm")
new = sorted({m.split(".")[0] for m in set(sys.modules) - before})
print([m for m in new if m in {"statsmodels", "scipy", "patsy", "formulaic"}])
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


# --- bad inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 5])
def test_alpha_outside_zero_one(alpha):
    with pytest.raises(ArgumentRangeError, match="alpha must be a number strictly between 0 and 1"):
        power_two_proportions(control_rate=0.4, treated=0.5, n_per_arm=100, alpha=alpha)


def test_alpha_as_percentage_gets_a_hint():
    with pytest.raises(ArgumentRangeError, match=r"write 5% as 0.05"):
        mde_two_proportions(control_rate=0.4, n_per_arm=100, alpha=5)


@pytest.mark.parametrize("power", [0, 1, 80, -1])
def test_power_outside_zero_one(power):
    with pytest.raises(ArgumentRangeError, match="power must be"):
        sample_size_two_proportions(control_rate=0.4, treated=0.5, power=power)


@pytest.mark.parametrize("n", [1, 0, -5, float("nan")])
def test_n_below_two(n):
    with pytest.raises(
        ArgumentRangeError, match="n_per_arm must be a number of units of at least 2"
    ):
        power_two_proportions(control_rate=0.4, treated=0.5, n_per_arm=n)


def test_rate_given_as_percentage():
    with pytest.raises(ArgumentRangeError, match="write 40% as 0.4"):
        mde_two_proportions(control_rate=40, n_per_arm=100)


def test_unknown_method_suggests_the_right_one():
    with pytest.raises(UnknownNameError, match="Did you mean 'arcsine'"):
        power_two_proportions(control_rate=0.4, treated=0.5, n_per_arm=100, method="arcsin")


def test_effect_against_one_sided_alternative():
    with pytest.raises(CityKitError, match="points the other way"):
        sample_size_two_proportions(control_rate=0.5, treated=0.4, alternative="larger")


def test_unreachable_power_with_fixed_control_arm():
    with pytest.raises(CityKitError, match="enlarge the control arm"):
        sample_size_standardized(effect_size=0.1, n_control=50, power=0.9, distribution="normal")


def test_too_few_clusters():
    with pytest.raises(CityKitError, match="randomize more clusters"):
        mdes_cluster(icc=0.1, cluster_size=20, n_clusters=2)


def test_no_warning_escapes_from_power_functions():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sample_size_standardized(effect_size=0.01, power=0.99)
        mde_two_proportions(control_rate=0.01, n_per_arm=50, method="pooled")
        power_curve(control_rate=0.9, n_per_arm=30)


def test_implausibly_large_effect_is_questioned():
    with pytest.raises(CityKitError, match="so large that 2 units per arm"):
        sample_size_standardized(effect_size=8, power=0.8)
