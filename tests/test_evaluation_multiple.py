"""Multiple testing (methods.md §1.7 vectors A, B, C) and the winner's curse simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from citykit.errors import ArgumentRangeError, CityKitError, UnknownNameError
from citykit.evaluation import (
    adjust_pvalues,
    estimate_effects,
    portfolio_table,
    simulate_winners_curse,
)
from scipy import stats

# methods.md §1.7 vector A: statsmodels test_multi.py res_multtest3 [PKG-TEST] (R multtest)
P_A = [0.001, 0.002, 0.003, 0.004, 0.005, 0.05, 0.06, 0.07, 0.08, 0.09]
EXPECTED_A = {
    "bonferroni": [0.01, 0.02, 0.03, 0.04, 0.05, 0.5, 0.6, 0.7, 0.8, 0.9],
    "holm": [0.01, 0.018, 0.024, 0.028, 0.03] + [0.25] * 5,
    "hochberg": [0.01, 0.018, 0.024, 0.028, 0.03] + [0.09] * 5,
    "bh": [0.01] * 5 + [0.0833333333, 0.0857142857, 0.0875, 0.0888888889, 0.09],
    "by": [0.02928968254] * 5
    + [0.2440806878, 0.2510544218, 0.2562847222, 0.2603527337, 0.2636071429],
    "sidak": [
        0.00995511979,
        0.01982095665,
        0.02959822305,
        0.03928762650,
        0.04888986953,
        0.40126306,
        0.46138489,
        0.51601769,
        0.56561155,
        0.61058388,
    ],
    "holm-sidak": [0.00995511979, 0.01785666999, 0.02374950634, 0.02766623106, 0.02962749064]
    + [0.2262190625] * 5,
}


@pytest.mark.parametrize("method", sorted(EXPECTED_A))
def test_vector_a(method):
    out = adjust_pvalues(pd.DataFrame({"p_value": P_A}), method=method)
    # printed to 8-11 significant digits
    assert np.allclose(out["p_adjusted"], EXPECTED_A[method], rtol=0, atol=5e-9)
    # "At alpha = 0.05, every method rejects the first five and only those."
    assert out["reject"].tolist() == [True] * 5 + [False] * 5


# methods.md §1.7 vector B: pval0 of test_multi.py, alpha = 0.1 [COMP] (agrees with res_multtest1)
P_B = [
    0.838541367553,
    0.642193923795,
    0.680845947633,
    0.967833824309,
    0.71626938238,
    0.177096952723,
    5.23656777208e-5,
    0.0202732688798,
    0.00028140506198,
    0.0149877310796,
]


def test_vector_b_holm():
    out = adjust_pvalues(P_B, method="holm", alpha=0.1)
    expected = [1, 1, 1, 1, 1, 1, 0.000523656777, 0.141912882159, 0.002532645558, 0.119901848637]
    assert np.allclose(out["p_adjusted"], expected, rtol=0, atol=1e-12)
    assert (np.flatnonzero(out["reject"]) + 1).tolist() == [7, 9]


def test_vector_b_bh():
    out = adjust_pvalues(P_B, method="bh", alpha=0.1)
    expected = [
        0.931712630614,
        0.895336727975,
        0.895336727975,
        0.967833824309,
        0.895336727975,
        0.354193905446,
        0.000523656777,
        0.0506831722,
        0.00140702531,
        0.049959103599,
    ]
    assert np.allclose(out["p_adjusted"], expected, rtol=0, atol=1e-10)
    assert (np.flatnonzero(out["reject"]) + 1).tolist() == [7, 8, 9, 10]


@pytest.mark.parametrize(
    ("method", "expected", "rejected"),
    [
        # methods.md §1.7 vector C (didactic), alpha = .05 [COMP]
        ("bonferroni", [0.05, 0.20, 0.15, 0.025, 1.0], [1, 4]),
        ("holm", [0.04, 0.09, 0.09, 0.025, 0.20], [1, 4]),
        ("bh", [0.025, 0.05, 0.05, 0.025, 0.20], [1, 2, 3, 4]),
    ],
)
def test_vector_c(method, expected, rejected):
    tests = pd.DataFrame({"lever": list("ABCDE"), "p_value": [0.01, 0.04, 0.03, 0.005, 0.20]})
    out = adjust_pvalues(tests, method=method)
    assert np.allclose(out["p_adjusted"], expected, atol=1e-12)
    assert (np.flatnonzero(out["reject"]) + 1).tolist() == rejected
    assert out["lever"].tolist() == list("ABCDE")
    assert "p_adjusted" not in tests.columns  # input untouched


def test_adjusts_an_effects_table():
    data = pd.DataFrame(
        {
            "arm": np.repeat(["control", "postcard", "text"], 30),
            "y": np.tile(np.arange(30.0), 3) + np.repeat([0, 3, 8], 30),
        }
    )
    out = adjust_pvalues(estimate_effects(data, outcome="y").table, method="holm")
    assert out["arm"].tolist() == ["postcard", "text"]
    assert (out["p_adjusted"] >= out["p_value"]).all()


def winners_analytic(mu, tau, se, alpha):
    """E[estimate | winner] and E[true | winner] for a normal-normal portfolio (closed form)."""
    cut = stats.norm.ppf(1 - alpha / 2) * se
    s = np.sqrt(tau**2 + se**2)
    a = (cut - mu) / s
    mean_est = mu + s * stats.norm.pdf(a) / stats.norm.sf(a)
    shrink = tau**2 / s**2
    return mean_est, mu + shrink * (mean_est - mu), stats.norm.sf(a)


def test_winners_curse_matches_the_closed_form():
    sim = simulate_winners_curse(seed=2024, n_tests=40000)
    mean_est, mean_true, share = winners_analytic(0.01, 0.015, 0.01, 0.05)
    won = sim.tests[sim.tests["winner"]]
    n = len(won)
    # within 4 Monte Carlo standard errors
    assert abs(sim.mean_estimate_among_winners - mean_est) < 4 * won["estimate"].std() / np.sqrt(n)
    assert abs(sim.mean_true_among_winners - mean_true) < 4 * won["true_effect"].std() / np.sqrt(n)
    assert abs(sim.share_winners - share) < 4 * np.sqrt(share * (1 - share) / 40000)
    # the defaults: about 75% of changes truly help (as the docstring states), and the winners
    # overstate them
    assert abs(sim.share_truly_better - stats.norm.cdf(0.01 / 0.015)) < 0.01
    assert abs(sim.share_truly_better - 0.75) < 0.01
    assert sim.exaggeration == pytest.approx(mean_est / mean_true, rel=0.03)
    assert sim.exaggeration > 1.2


def test_winners_curse_is_seeded_and_adjustment_changes_winners():
    one = simulate_winners_curse(seed=7)
    two = simulate_winners_curse(seed=7)
    pd.testing.assert_frame_equal(one.tests, two.tests)
    holm = simulate_winners_curse(seed=7, adjust="holm")
    assert holm.tests["winner"].sum() < one.tests["winner"].sum()
    # stricter selection keeps only bigger estimates: the curse grows in proportion units
    assert holm.mean_estimate_among_winners > one.mean_estimate_among_winners
    assert "truly beat business as usual" in repr(one)


def test_bad_inputs():
    with pytest.raises(UnknownNameError, match="Did you mean 'holm'"):
        adjust_pvalues(P_A, method="hom")
    with pytest.raises(CityKitError, match="missing p-value"):
        adjust_pvalues([0.1, np.nan])
    with pytest.raises(CityKitError, match="between 0 and 1"):
        adjust_pvalues([5.0, 0.1])
    with pytest.raises(ArgumentRangeError, match="alpha"):
        adjust_pvalues(P_A, alpha=0)
    with pytest.raises(CityKitError, match="seed must be a whole number"):
        simulate_winners_curse(seed=None)


def test_portfolio_table_stacks_tests_for_adjustment():
    a = pd.DataFrame({"arm": ["control"] * 3 + ["letter"] * 3, "y": [1, 2, 3, 3, 4, 5]})
    b = pd.DataFrame(
        {"arm": ["control"] * 3 + ["postcard"] * 3 + ["text"] * 3, "y": [2, 2, 3, 2, 3, 3, 4, 5, 4]}
    )
    table = portfolio_table(
        {"bills": estimate_effects(a, outcome="y"), "renewals": estimate_effects(b, outcome="y")}
    )
    assert table["test"].tolist() == ["bills", "renewals", "renewals"]
    assert table["arm"].tolist() == ["letter", "postcard", "text"]
    adjusted = adjust_pvalues(table, method="bh")
    assert len(adjusted) == 3
    with pytest.raises(CityKitError, match="not the result of"):
        portfolio_table({"bills": a})


def test_adopting_winners_delivers_less_than_promised():
    sim = simulate_winners_curse(seed=3, n_tests=500)
    won = sim.tests[sim.tests["winner"]]
    assert sim.true_gain == pytest.approx(won["true_effect"].sum())
    assert 0 < sim.true_gain < sim.claimed_gain
    assert "less than promised" in repr(sim)


def test_winners_curse_defaults_are_stated_as_assumptions_with_their_source():
    doc = simulate_winners_curse.__doc__
    assert "described in the lesson" not in doc  # no program stands behind the 75%
    assert "assumptions of the simulation" in doc and "DellaVigna and Linos" in doc
