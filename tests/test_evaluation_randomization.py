"""Randomization inference against published values, independent implementations and theory.

References reproduced:

* Fisher (1935), *The Design of Experiments*, §2: the lady tasting tea, p = 1/70 [PUB].
* Fisher (1935), §21: Darwin's 15 pairs of Zea mays (differences in eighths of an inch,
  49, -67, 8, 16, 6, 23, 28, 41, 14, 29, 56, 24, 75, 60, -48; total 314): 1,726 of the
  2^15 = 32,768 sign patterns are at least as extreme in either direction, 863 in one [PUB].
* scipy ``fisher_exact`` (the exact test of a 2x2 table is the randomization test of a
  difference in proportions under complete randomization) and ``permutation_test``.
* Brute-force enumeration written here with itertools and pandas for blocked and clustered
  designs.
* Large-sample theory: with arms of equal size the randomization p-value approaches the
  t-based (HC2 / Neyman) one.
"""

from __future__ import annotations

import itertools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from citykit import datasets
from citykit.errors import ArgumentRangeError, CityKitError, UnknownNameError
from citykit.evaluation import RandomizationTest, estimate_effects, randomization_test
from citykit.plots import randomization_plot
from scipy import stats

DARWIN = [49, -67, 8, 16, 6, 23, 28, 41, 14, 29, 56, 24, 75, 60, -48]


def darwin_plants() -> pd.DataFrame:
    """Each pair is a block of two plants, one cross-fertilized; only the difference matters."""
    return pd.DataFrame(
        {
            "pair": [p for p in range(15) for _ in (0, 1)],
            "arm": ["crossed", "control"] * 15,
            "height": [v for d in DARWIN for v in (160 + d, 160)],
        }
    )


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- published values -------------------------------------------------------------------------


def test_lady_tasting_tea_is_one_in_seventy():
    # Fisher (1935) §2 [PUB]: 8 cups, 4 milk-first, all four named: p = 1/70
    cups = pd.DataFrame(
        {"poured": ["milk"] * 4 + ["tea"] * 4, "says_milk": [1, 1, 1, 1, 0, 0, 0, 0]}
    )
    res = randomization_test(
        cups, outcome="says_milk", arm="poured", control="tea", alternative="larger"
    )
    row = res.table.iloc[0]
    assert row["method"] == "exact"
    assert (row["extreme"], row["assignments"]) == (1, 70)
    assert row["p_value"] == pytest.approx(1 / 70, rel=1e-12)
    # three of four right: 1 + 16 of the 70 assignments are at least as good (Fisher's 17/70)
    three = cups.assign(says_milk=[1, 1, 1, 0, 1, 0, 0, 0])
    res = randomization_test(
        three, outcome="says_milk", arm="poured", control="tea", alternative="larger"
    )
    assert res.table.loc[0, "p_value"] == pytest.approx(17 / 70, rel=1e-12)


def test_darwin_zea_mays_exact_counts():
    # Fisher (1935) §21 [PUB]: 1,726 of 32,768 two-sided; 863 one-sided
    plants = darwin_plants()
    two = randomization_test(plants, outcome="height", block="pair", control="control")
    row = two.table.iloc[0]
    assert row["estimate"] == pytest.approx(314 / 15, rel=1e-12)
    assert (row["extreme"], row["assignments"], row["method"]) == (1726, 32768, "exact")
    assert row["p_value"] == pytest.approx(1726 / 32768, rel=1e-12)
    one = randomization_test(
        plants, outcome="height", block="pair", control="control", alternative="larger"
    )
    assert one.table.loc[0, "extreme"] == 863
    lower = randomization_test(
        plants, outcome="height", block="pair", control="control", alternative="smaller"
    )
    # brute force over the 2^15 sign patterns: totals at most 314 (ties count on both sides)
    totals = [sum(s * abs(d) for s, d in zip(signs, DARWIN, strict=True))
              for signs in itertools.product((1, -1), repeat=15)]  # fmt: skip
    assert sum(t >= 314 for t in totals) == 863
    assert lower.table.loc[0, "extreme"] == sum(t <= 314 for t in totals)
    # a block x arm cell holds one plant: no HC2 t-test, and the result says so
    assert np.isnan(row["p_value_t"])
    assert "No t-based p-value" in two.summary()


def test_darwin_against_scipy_paired_permutation_test():
    # independent implementation: scipy.stats.permutation_test, sign flips within pairs
    plants = darwin_plants()
    crossed = plants.loc[plants["arm"] == "crossed", "height"].to_numpy()
    selfed = plants.loc[plants["arm"] == "control", "height"].to_numpy()
    for alternative, scipy_name in (("larger", "greater"), ("smaller", "less")):
        ours = randomization_test(
            plants, outcome="height", block="pair", control="control", alternative=alternative
        )
        theirs = stats.permutation_test(
            (crossed, selfed),
            lambda x, y, axis: np.mean(x - y, axis=axis),
            permutation_type="samples",
            n_resamples=np.inf,
            alternative=scipy_name,
        )
        assert ours.table.loc[0, "p_value"] == pytest.approx(theirs.pvalue, rel=1e-12)


# --- independent implementations ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("treated", "control", "alternative"),
    [((8, 10), (3, 10), "larger"), ((2, 9), (7, 12), "smaller"), ((7, 9), (2, 9), "two-sided")],
)
def test_binary_outcome_equals_fishers_exact_test(treated, control, alternative):
    # complete randomization of a yes/no outcome: the randomization test is Fisher's exact test
    # (two-sided only with equal arms, where |difference| and table probability order alike)
    (a, n1), (c, n0) = treated, control
    data = pd.DataFrame(
        {
            "arm": ["letter"] * n1 + ["control"] * n0,
            "paid": [1] * a + [0] * (n1 - a) + [1] * c + [0] * (n0 - c),
        }
    )
    res = randomization_test(data, outcome="paid", alternative=alternative, method="exact")
    table = [[a, n1 - a], [c, n0 - c]]
    scipy_name = {"larger": "greater", "smaller": "less", "two-sided": "two-sided"}[alternative]
    expected = stats.fisher_exact(table, alternative=scipy_name).pvalue
    assert res.table.loc[0, "assignments"] == math.comb(n1 + n0, n1)
    assert res.table.loc[0, "p_value"] == pytest.approx(expected, rel=1e-9)


def test_continuous_outcome_against_scipy_exact_and_monte_carlo():
    rng = np.random.default_rng(5)
    treated, control = rng.gamma(2.0, 3.0, 9) + 2.0, rng.gamma(2.0, 3.0, 8)
    data = pd.DataFrame({"arm": ["letter"] * 9 + ["control"] * 8, "y": [*treated, *control]})

    def diff(x, y, axis):
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    exact = stats.permutation_test((treated, control), diff, n_resamples=np.inf,
                                   alternative="greater")  # fmt: skip
    ours = randomization_test(data, outcome="y", alternative="larger")
    assert ours.table.loc[0, "method"] == "exact"  # C(17, 9) = 24,310 assignments
    assert ours.table.loc[0, "p_value"] == pytest.approx(exact.pvalue, rel=1e-12)
    # Monte Carlo agrees with the exact value within its own margin
    mc = randomization_test(data, outcome="y", alternative="larger", method="monte_carlo",
                            draws=20_000, seed=3)  # fmt: skip
    row = mc.table.iloc[0]
    assert row["method"] == "Monte Carlo"
    assert abs(row["p_value"] - exact.pvalue) < 4 * row["mc_se"] + 1e-4
    assert row["p_value"] == pytest.approx((row["extreme"] + 1) / (row["draws"] + 1))


def brute_force(data, *, outcome, arm, control, block, cluster):
    """Every assignment of whole clusters within blocks, estimated with pandas groupby."""
    frame = data.copy()
    units = frame.groupby(cluster).agg(block=(block, "first"), arm=("arm", "first"))
    shares = frame.groupby(block).size() / len(frame)
    per_block = []
    for _, part in units.groupby("block"):
        k = int((part["arm"] == arm).sum())
        per_block.append([set(c) for c in itertools.combinations(part.index, k)])
    values = []
    for choice in itertools.product(*per_block):
        treated = set().union(*choice)
        labels = np.where(frame[cluster].isin(treated), arm, control)
        means = frame.assign(a=labels).groupby([block, "a"])[outcome].mean().unstack()
        values.append(float((shares * (means[arm] - means[control])).sum()))
    return np.sort(values)


def test_blocked_cluster_design_against_brute_force_enumeration():
    rng = np.random.default_rng(9)
    rows = []
    design = {"north": (5, 2), "south": (4, 2), "east": (4, 1)}  # clusters, treated clusters
    for b, (k, treated) in design.items():
        arms = ["letter"] * treated + ["control"] * (k - treated)
        for j, a in enumerate(arms):
            size = int(rng.integers(2, 7))  # unequal cluster sizes
            level = rng.normal(10, 2)
            for _ in range(size):
                rows.append((b, f"{b}{j}", a, level + (1.5 if a == "letter" else 0) + rng.normal()))
    data = pd.DataFrame(rows, columns=["area", "office", "arm", "y"])
    res = randomization_test(data, outcome="y", block="area", cluster="office", method="exact")
    expected = brute_force(data, outcome="y", arm="letter", control="control", block="area",
                           cluster="office")  # fmt: skip
    np.testing.assert_allclose(np.sort(res.null_distribution["letter"]), expected, rtol=1e-12)
    assert res.table.loc[0, "assignments"] == 10 * 6 * 4
    observed = estimate_effects(data, outcome="y", block="area", cluster="office")
    assert res.table.loc[0, "estimate"] == pytest.approx(observed.table.loc[0, "estimate"])
    p = np.mean(np.abs(expected) >= abs(res.table.loc[0, "estimate"]) - 1e-12)
    assert res.table.loc[0, "p_value"] == pytest.approx(p, rel=1e-12)


def test_clusters_move_as_wholes():
    # a wrong method, re-assigning units one by one, ignores the clustering and is too sure
    rng = np.random.default_rng(4)
    offices = np.repeat(np.arange(12), 15)
    effect = rng.normal(0, 1.0, 12)[offices]  # strong office effects
    arm = np.where(offices % 2 == 0, "letter", "control")
    data = pd.DataFrame({"office": offices, "arm": arm, "y": effect + rng.normal(0, 1, 180)})
    data.loc[data["arm"] == "letter", "y"] += 0.6
    clustered = randomization_test(data, outcome="y", cluster="office", method="exact")
    units = randomization_test(data, outcome="y", seed=1)
    assert clustered.table.loc[0, "assignments"] == math.comb(12, 6)
    assert clustered.table.loc[0, "p_value"] > 3 * units.table.loc[0, "p_value"]


# --- the estimate is estimate_effects' estimate; theory: agreement with t ------------------------


@pytest.mark.parametrize(
    ("table", "kwargs"),
    [
        ("registration_reminder_trial", {"outcome": "renewed_within_30_days"}),
        ("bill_reminder_trial", {"outcome": "paid_on_time", "block": "account_type"}),
        ("job_posting_trial", {"outcome": "applied", "cluster": "posting_id"}),
        (
            "job_posting_trial",
            {"outcome": "applied", "cluster": "posting_id", "block": "job_family"},
        ),
    ],
)
def test_estimates_match_estimate_effects_on_the_sample_city(table, kwargs):
    data = datasets.load(table)
    res = randomization_test(data, draws=200, seed=1, **kwargs)
    effects = estimate_effects(data, **kwargs).table.set_index("arm")
    for _, row in res.table.iterrows():
        assert row["estimate"] == pytest.approx(effects.loc[row["arm"], "estimate"], rel=1e-10)
        assert row["p_value_t"] == pytest.approx(effects.loc[row["arm"], "p_value"], rel=1e-10)


def normal_trial(seed, n=400, effect=0.12):
    rng = np.random.default_rng(seed)
    arm = np.repeat(["control", "letter"], n)
    y = rng.normal(0, 1, 2 * n) + np.where(arm == "letter", effect, 0)
    return pd.DataFrame({"arm": arm, "y": y, "block": np.tile(["a", "b", "c", "d"], n // 2)})


@pytest.mark.parametrize("block", [None, "block"])
def test_large_equal_arms_agree_with_the_t_based_p_value(block):
    # theory: with equal arms the re-randomization variance S2 (1/n1 + 1/n0) equals the Neyman
    # (HC2) variance, so the p-values agree up to Monte Carlo error and O(1/n) terms
    data = normal_trial(seed=12)
    res = randomization_test(data, outcome="y", block=block, seed=2024, draws=20_000)
    row = res.table.iloc[0]
    assert 0.02 < row["p_value_t"] < 0.5  # a p-value where disagreement would show
    assert abs(row["p_value"] - row["p_value_t"]) < 4 * row["mc_se"] + 0.005


def test_few_clusters_randomization_is_exact_where_t_is_approximate():
    # 8 clusters: the exact randomization p-value is one of the 70 possible multiples of 1/70
    views = datasets.load("job_posting_trial")
    postings = views.groupby("posting_id")["arm"].first()
    keep = list(postings[postings == "control"].index[:4]) + list(
        postings[postings != "control"].index[:4]
    )
    small = views[views["posting_id"].isin(keep)]
    res = randomization_test(small, outcome="applied", cluster="posting_id")
    row = res.table.iloc[0]
    assert (row["method"], row["assignments"]) == ("exact", 70)
    assert row["p_value"] * 70 == pytest.approx(round(row["p_value"] * 70), abs=1e-9)
    assert np.isfinite(row["p_value_t"])


# --- Monte Carlo bookkeeping ------------------------------------------------------------------------


def test_monte_carlo_is_reproducible_and_per_arm():
    data = datasets.load("registration_reminder_trial")
    both = randomization_test(data, outcome="renewed_within_30_days", draws=500, seed=7)
    again = randomization_test(data, outcome="renewed_within_30_days", draws=500, seed=7)
    pd.testing.assert_frame_equal(both.table, again.table)
    alone = randomization_test(
        data, outcome="renewed_within_30_days", arms=["text_message"], draws=500, seed=7
    )
    # an arm's draws do not depend on which other arms are tested
    np.testing.assert_array_equal(
        alone.null_distribution["text_message"], both.null_distribution["text_message"]
    )
    # ... and each arm has its own stream: two arms with identical data get different draws
    twins = pd.DataFrame({"arm": np.repeat(["control", "a", "b"], 100),
                          "y": np.tile(np.arange(100.0), 3)})  # fmt: skip
    res = randomization_test(twins, outcome="y", draws=200, seed=7)
    assert not np.array_equal(res.null_distribution["a"], res.null_distribution["b"])
    other = randomization_test(data, outcome="renewed_within_30_days", draws=500, seed=8)
    assert not np.array_equal(
        other.null_distribution["text_message"], both.null_distribution["text_message"]
    )
    assert both.seed == 7
    assert "500 random re-assignments" in both.summary()


def test_result_object_reads_like_a_report():
    data = darwin_plants()
    res = randomization_test(data, outcome="height", block="pair", control="control")
    assert isinstance(res, RandomizationTest)
    text = res.summary()
    assert "1,726 of all 32,768 possible assignments" in text
    assert "p = 0.0527 (exact)" in text
    assert "units re-assigned within each block of 'pair'" in text
    assert res.seed is None  # nothing random was drawn
    assert repr(res).startswith("Randomization test of 'height'")
    assert "<table" in res._repr_html_()
    assert list(res.to_frame().columns)[:3] == ["arm", "estimate", "p_value"]


def test_randomization_plot_shows_the_null_and_the_observed_estimate():
    cups = pd.DataFrame({"arm": ["control"] * 6 + ["letter"] * 6,
                         "paid": [0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1]})  # fmt: skip
    res = randomization_test(cups, outcome="paid")
    ax = randomization_plot(res)
    assert ax.get_xlabel() == "Estimate if the letter made no difference (percentage points)"
    lines = [line.get_xdata()[0] for line in ax.get_lines()]
    observed = 100 * res.table.loc[0, "estimate"]
    assert lines == pytest.approx([observed, -observed])  # two-sided: both tails marked
    heights = sum(patch.get_height() for patch in ax.patches)
    assert heights == pytest.approx(100.0)  # bars are % of all 924 assignments
    assert "p = " in ax.get_title(loc="left")
    with pytest.raises(CityKitError, match="was not tested"):
        randomization_plot(res, arm_label="text")
    with pytest.raises(CityKitError, match="randomization_test"):
        randomization_plot(res.table)


# --- bad inputs ------------------------------------------------------------------------------------


def test_monte_carlo_needs_a_seed():
    data = normal_trial(seed=1, n=40)
    with pytest.raises(CityKitError, match="pass seed=") as info:
        randomization_test(data, outcome="y")
    assert "too many to list" in str(info.value)


def test_exact_has_a_limit_and_draws_a_minimum():
    data = normal_trial(seed=1, n=40)
    with pytest.raises(ArgumentRangeError, match="method='monte_carlo'"):
        randomization_test(data, outcome="y", method="exact")
    with pytest.raises(ArgumentRangeError, match="at least 100"):
        randomization_test(data, outcome="y", draws=10, seed=1)
    with pytest.raises(UnknownNameError, match="method"):
        randomization_test(data, outcome="y", method="permutation")


def test_a_cluster_in_two_arms_is_refused():
    data = pd.DataFrame({"office": [1, 1, 2, 2, 3, 3], "arm": ["control", "letter"] * 3,
                         "y": [1.0, 2, 3, 4, 5, 6]})  # fmt: skip
    with pytest.raises(CityKitError, match="whole clusters are re-assigned"):
        randomization_test(data, outcome="y", cluster="office")


def test_a_block_without_one_arm_is_refused():
    data = pd.DataFrame({"block": list("aaaabb"), "arm": ["control", "letter"] * 2 + ["control"] * 2,
                         "y": [1.0, 2, 3, 4, 5, 6]})  # fmt: skip
    with pytest.raises(CityKitError, match="have no units of arm 'letter'"):
        randomization_test(data, outcome="y", block="block")


def test_inputs_are_checked_like_estimate_effects():
    data = normal_trial(seed=1, n=10)
    with pytest.raises(UnknownNameError, match="Did you mean 'letter'"):
        randomization_test(data, outcome="y", arms=["leter"])
    with pytest.raises(CityKitError, match="missing value"):
        randomization_test(data.assign(y=np.nan), outcome="y")
    with pytest.raises(CityKitError, match="alternative"):
        randomization_test(data, outcome="y", alternative="greater")
