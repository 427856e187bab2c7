"""Risk adjustment by indirect standardization (methods.md §3.1)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import ArgumentRangeError, CityKitError, ColumnTypeError, MissingColumnError

# methods.md §3.1 test vector [COMP] (scripts/s3_provider.py): low-risk n/successes,
# high-risk n/successes per provider
SPEC = {"A": (40, 24, 10, 3), "B": (10, 6, 40, 14), "C": (25, 16, 25, 8), "D": (30, 15, 20, 4)}
EXPECTED = {  # provider: O, E, O/E, RA rate, Poisson (Garwood) CI low, high, Poisson z
    "A": (27, 26.290727, 1.026978, 0.462140, 0.676785, 1.494199, 0.138329),
    "B": (20, 18.020050, 1.109875, 0.499444, 0.677940, 1.714112, 0.466419),
    "C": (24, 22.155388, 1.083258, 0.487466, 0.694064, 1.611802, 0.391891),
    "D": (19, 23.533835, 0.807348, 0.363307, 0.486076, 1.260774, -0.934586),
}
BINARY = {  # methods.md §3.1 binary-outcome variance: Var(O), z, 95% normal CI of O/E
    "A": (11.858644, 0.205966, 0.770256, 1.283700),
    "B": (10.917570, 0.599227, 0.750494, 1.469256),
    "C": (11.388107, 0.546612, 0.784723, 1.381792),
    "D": (11.544953, -1.334349, 0.524371, 1.090325),
}


@pytest.fixture
def reference_clients():
    rows = []
    for provider, (n_low, s_low, n_high, s_high) in SPEC.items():
        rows += [(provider, 0, 1)] * s_low + [(provider, 0, 0)] * (n_low - s_low)
        rows += [(provider, 1, 1)] * s_high + [(provider, 1, 0)] * (n_high - s_high)
    return pd.DataFrame(rows, columns=["provider_id", "high_risk", "exit_ph"])


def test_reference_vector_methods_3_1(reference_clients):
    # methods.md §3.1 [COMP]: a yes/no outcome, so Var(O) = sum p(1-p) (Poisson-binomial)
    ra = ct.risk_adjust(
        reference_clients, outcome="exit_ph", risk_factors=["high_risk"], interval="normal"
    )
    coef = ra.coefficients.set_index("term")["estimate"]
    assert coef["const"] == pytest.approx(0.32668423, abs=1e-7)
    assert coef["high_risk"] == pytest.approx(-1.14904314, abs=1e-7)
    assert ra.overall_rate == pytest.approx(0.45)
    assert ra.family == "binomial"
    table = ra.table.set_index("provider_id")
    for provider, (o, e, oe, rate, _low, _high, _z) in EXPECTED.items():
        row = table.loc[provider]
        assert row["observed"] == o
        assert row["expected"] == pytest.approx(e, abs=1e-6)
        assert row["oe_ratio"] == pytest.approx(oe, abs=1e-6)
        assert row["ra_rate"] == pytest.approx(rate, abs=1e-6)
    for provider, (variance, z, low, high) in BINARY.items():
        row = table.loc[provider]
        assert row["variance"] == pytest.approx(variance, abs=1e-6)
        assert row["z"] == pytest.approx(z, abs=1e-6)
        assert row["oe_low"] == pytest.approx(low, abs=1e-6)
        assert row["oe_high"] == pytest.approx(high, abs=1e-6)
        # the Poisson forms of the same table (wrong for a yes/no outcome) differ: the test
        # would catch a return to Var(O) = E
        assert abs(row["z"] - EXPECTED[provider][6]) > 0.05
    # exact two-sided Poisson-binomial p-values, computed here with scipy's own distribution
    from scipy import stats

    for provider, group in reference_clients.groupby("provider_id"):
        p = ra.expected[group.index].to_numpy()
        o = int(group["exit_ph"].sum())
        dist = stats.poisson_binom(p)
        expected_p = min(1.0, 2 * min(dist.cdf(o), dist.sf(o - 1)))
        assert table.loc[provider, "p_value"] == pytest.approx(expected_p, rel=1e-9)
    ps = table["p_value"].sort_values()
    bh = (ps * 4 / np.arange(1, 5))[::-1].cummin()[::-1].clip(upper=1)
    assert table["q_value"].to_dict() == pytest.approx(bh.to_dict())
    # D is lowest on the crude rate (.38); against its own clients it is within chance, and so is
    # every provider: the summary says so, and ranks none of them
    summary = ra.summary().splitlines()
    assert summary[1].startswith("Lowest crude rate: D (38.0%); against its own clients its O/E")
    assert summary[1].endswith("not clearly different from expected.")
    assert (
        summary[2] == "Not clearly different from expected (95% interval includes 1): A, B, C, D."
    )
    assert "rank" not in ra.summary().lower()
    assert not [c for c in ra.table.columns if "rank" in c]


def test_exact_interval_is_clopper_pearson_with_equal_probabilities():
    # every client has the same expected probability: the exact interval of O/E inverts the
    # binomial test, so it is Clopper-Pearson's interval of the rate (statsmodels) over p
    from statsmodels.stats.proportion import proportion_confint

    for o, n, p in ((12, 20, 0.4), (3, 50, 0.1), (47, 60, 0.7), (0, 15, 0.2), (15, 15, 0.6)):
        out = ct.poisson_binomial_test(o, [p] * n)
        low, high = proportion_confint(o, n, alpha=0.05, method="beta")
        assert out["low"] == pytest.approx(low / p, abs=1e-9)
        assert out["high"] == pytest.approx(high / p, abs=1e-9)
    # and the 99% interval
    out = ct.poisson_binomial_test(12, [0.4] * 20, alpha=0.01)
    low, high = proportion_confint(12, 20, alpha=0.01, method="beta")
    assert (out["low"], out["high"]) == pytest.approx((low / 0.4, high / 0.4), abs=1e-9)


def test_poisson_binomial_distribution_agrees_with_scipy():
    from scipy import stats

    rng = np.random.default_rng(3)
    for n in (1, 7, 150, 1200):
        p = rng.uniform(0.05, 0.95, n)
        p[: n // 3] = 0.3  # a block of equal probabilities (a binomial block)
        mine = ct.poisson_binomial_pmf(p)
        assert mine.shape == (n + 1,)
        np.testing.assert_allclose(mine, stats.poisson_binom(p).pmf(np.arange(n + 1)), atol=1e-13)
    limits = ct.poisson_binomial_limits(p)
    cdf = stats.poisson_binom(p).cdf(np.arange(n + 1))
    e = p.sum()
    for level in ("95", "998"):
        tail = {"95": 0.025, "998": 0.001}[level]
        assert limits.loc[0, f"ll{level}"] == np.argmax(cdf >= tail) / e
        assert limits.loc[0, f"ul{level}"] == np.argmax(cdf >= 1 - tail) / e
    assert limits.loc[0, "variance"] == pytest.approx((p * (1 - p)).sum())


def test_binary_limits_cover_as_stated_and_poisson_limits_do_not():
    # under the case-mix model (no provider effect), at most 5% of providers fall outside the 95%
    # limits and 0.2% outside the 99.8% ones: computed exactly from the Poisson-binomial
    # distribution of O. Poisson limits for this common outcome are far too wide: about 1% outside
    # the 95% limits, so "1 provider in 20 by chance" would be false.
    rng = np.random.default_rng(2024)
    p = rng.uniform(0.15, 0.65, 400)  # a shelter's clients: exits to housing 15% to 65% likely
    e = p.sum()
    pmf = ct.poisson_binomial_pmf(p)
    ratio = np.arange(pmf.size) / e

    def outside(limits, level):
        return pmf[
            (ratio < limits.loc[0, f"ll{level}"]) | (ratio > limits.loc[0, f"ul{level}"])
        ].sum()

    exact = ct.poisson_binomial_limits(p)
    assert 0.04 < outside(exact, "95") <= 0.05
    assert 0.001 < outside(exact, "998") <= 0.002
    poisson = ct.poisson_limits([e])
    assert outside(poisson, "95") < 0.015
    assert outside(poisson, "998") < 0.0002
    # the normal approximation 1 +/- z sqrt(V)/E is close to the exact limits here
    v = (p * (1 - p)).sum()
    assert exact.loc[0, "ll95"] == pytest.approx(1 - 1.959964 * np.sqrt(v) / e, abs=2 / e)


def test_count_outcome_reproduces_funnelplotr_medpar_example(repo_root):
    # FunnelPlotR README (nhs-r-community/FunnelPlotR, commit 9020d49): glm(los ~ hmo + died +
    # age80 + factor(type), family = "poisson") on COUNT's medpar data; its printed summary and
    # funnel_plot() outlier counts at the 99.8% limits
    medpar = pd.read_csv(repo_root / "tests" / "data" / "medpar.csv", dtype={"provnum": str})
    medpar = medpar.assign(type=medpar["type"].map({1: "1", 2: "2", 3: "3"}))
    ra = ct.risk_adjust(
        medpar,
        outcome="los",
        risk_factors=["hmo", "died", "age80", "type"],
        provider="provnum",
        family="poisson",
    )
    coef = ra.coefficients.set_index("term")
    published = {  # estimate, std. error (printed to 5 decimals)
        "const": (2.26875, 0.01246),
        "hmo": (-0.07637, 0.02393),
        "died": (-0.24574, 0.01826),
        "age80": (-0.02141, 0.02050),
        "type[2]": (0.24921, 0.02099),
        "type[3]": (0.74869, 0.02627),
    }
    for term, (estimate, error) in published.items():
        assert coef.loc[term, "estimate"] == pytest.approx(estimate, abs=5e-6)
        assert coef.loc[term, "std_error"] == pytest.approx(error, abs=5e-6)
    fit = ra.model_fit
    assert fit["null_deviance"] == pytest.approx(8901.1, abs=0.05)
    assert fit["deviance"] == pytest.approx(7977.7, abs=0.05)
    assert fit["aic"] == pytest.approx(13705, abs=0.5)
    # "sum(mod$weights * mod$residuals^2)/mod$df.residual  [1] 6.240519" (R's last IRLS weights)
    assert fit["pearson_dispersion"] == pytest.approx(6.240519, abs=5e-5)
    assert "rate_ratio" in ra.coefficients.columns
    table = ra.table
    assert len(table) == 54
    assert (table["variance"] == table["expected"]).all()  # Poisson: Var(O) = E
    assert table["observed"].sum() == pytest.approx(table["expected"].sum(), rel=1e-9)
    # "A funnel plot object with 54 points of which 25 are outliers" (99.8% Poisson limits, E
    # rounded to 2 decimals as funnel_plot's SHMI_rounding does) ...
    rounded = table.assign(expected=table["expected"].round(2))
    plain = ct.funnel_data(rounded, observed="observed", denominator="expected", label="provnum")
    assert plain.variance == "poisson"
    assert plain.table["zone"].str.contains("99.8").sum() == 25
    # ... "of which 9 are outliers. Plot is adjusted for overdispersion." (SHMI method)
    od = ct.funnel_data(
        rounded,
        observed="observed",
        denominator="expected",
        label="provnum",
        adjust_overdispersion=True,
    )
    assert od.table["zone"].str.contains("99.8").sum() == 9
    # the same through the RiskAdjustment itself (no rounding): still 25
    assert ct.funnel_data(ra).table["zone"].str.contains("99.8").sum() == 25
    # a count outcome cannot be fitted as a yes/no outcome
    with pytest.raises(ColumnTypeError, match="family='poisson'"):
        ct.risk_adjust(medpar, outcome="los", risk_factors=["hmo"], provider="provnum")


def test_total_observed_equals_total_expected(reference_clients):
    # invariant of the MLE score equation with an intercept (methods.md §3.1)
    rng = np.random.default_rng(5)
    data = reference_clients.assign(
        age=rng.integers(18, 80, len(reference_clients)),
        household=rng.choice(["single", "family", "youth"], len(reference_clients)),
    )
    ra = ct.risk_adjust(data, outcome="exit_ph", risk_factors=["high_risk", "age", "household"])
    assert ra.table["observed"].sum() == pytest.approx(ra.table["expected"].sum(), rel=1e-9)
    assert ra.expected.index.equals(data.index)
    terms = ra.coefficients["term"].tolist()
    reference = data["household"].value_counts().idxmax()  # most common level is the reference
    assert terms[:3] == ["const", "high_risk", "age"]
    assert sorted(terms[3:]) == sorted(
        f"household[{level}]" for level in {"single", "family", "youth"} - {reference}
    )


def test_poisson_forms_still_available_for_counts(reference_clients):
    # the Garwood interval and Poisson z of methods.md §3.1 (right for count outcomes)
    table = reference_clients.groupby("provider_id")["exit_ph"].sum()
    ra = ct.risk_adjust(reference_clients, outcome="exit_ph", risk_factors=["high_risk"])
    e = ra.table.set_index("provider_id")["expected"]
    garwood = ct.garwood_interval(table.to_numpy(), e.to_numpy())
    for i, provider in enumerate(table.index):
        assert garwood.loc[i, "low"] == pytest.approx(EXPECTED[provider][4], abs=1e-6)
        assert garwood.loc[i, "high"] == pytest.approx(EXPECTED[provider][5], abs=1e-6)
    # a count model of the same 0/1 data gives the Poisson z (Var O = E)
    counts = ct.risk_adjust(
        reference_clients, outcome="exit_ph", risk_factors=["high_risk"], family="poisson"
    )
    z = counts.table.set_index("provider_id")["z"]
    assert z.to_dict() == pytest.approx({k: v[6] for k, v in EXPECTED.items()}, abs=1e-4)
    assert "count outcome" in counts.summary()


def test_garwood_zero_observed_and_statsmodels_agreement():
    out = ct.garwood_interval([0, 5], [4.0, 5.0])
    assert out.loc[0, "low"] == 0.0
    # chi2(0.975; 2)/2 = -ln(0.025) = 3.688879 -> / E = 4
    assert out.loc[0, "high"] == pytest.approx(-np.log(0.025) / 4, rel=1e-9)


def test_bad_inputs(reference_clients):
    data = reference_clients
    with pytest.raises(CityKitError, match="only one value"):
        ct.risk_adjust(
            data.assign(veteran=False), outcome="exit_ph", risk_factors=["high_risk", "veteran"]
        )
    with pytest.raises(MissingColumnError, match="Did you mean 'high_risk'"):
        ct.risk_adjust(data, outcome="exit_ph", risk_factors=["high_risks"])
    with pytest.raises(ColumnTypeError, match="0/1"):
        ct.risk_adjust(
            data.assign(exit_ph=data["exit_ph"].map({1: "yes", 0: "no"})),
            outcome="exit_ph",
            risk_factors=["high_risk"],
        )
    with pytest.raises(CityKitError, match="missing value"):
        ct.risk_adjust(
            data.assign(high_risk=data["high_risk"].where(data.index > 3)),
            outcome="exit_ph",
            risk_factors=["high_risk"],
        )
    with pytest.raises(CityKitError, match="provider column"):
        ct.risk_adjust(data, outcome="exit_ph", risk_factors=["provider_id"])
    with pytest.raises(CityKitError, match="family"):
        ct.risk_adjust(data, outcome="exit_ph", risk_factors=["high_risk"], family="logit")
    with pytest.raises(CityKitError, match="interval"):
        ct.risk_adjust(data, outcome="exit_ph", risk_factors=["high_risk"], interval="wald")
    with pytest.raises(ColumnTypeError, match="whole counts"):
        ct.risk_adjust(
            data.assign(exit_ph=data["exit_ph"] - 0.5),
            outcome="exit_ph",
            risk_factors=["high_risk"],
            family="poisson",
        )
    with pytest.raises(ArgumentRangeError, match="between 0 and 1"):
        ct.poisson_binomial_pmf([0.2, 1.3])
    with pytest.raises(ArgumentRangeError, match="whole count"):
        ct.poisson_binomial_test(5, [0.5, 0.5])


def test_provider_without_clients_gets_a_documented_row(reference_clients):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ra = ct.risk_adjust(
            reference_clients,
            outcome="exit_ph",
            risk_factors=["high_risk"],
            all_providers=["A", "B", "C", "D", "E"],
        )
    row = ra.table.set_index("provider_id").loc["E"]
    assert row["clients"] == 0 and np.isnan(row["oe_ratio"])
    assert row["note"] == "no clients in this period"
    assert "E" not in ra.table.dropna(subset=["oe_ratio"])["provider_id"].tolist()
    assert "<table" in ra._repr_html_() and "RiskAdjustment" in repr(ra)


def _clear_differences() -> pd.DataFrame:
    """Four providers with the same client mix: E houses 150 of 200, F 50 of 200, G and H 100."""
    rows = []
    for provider, housed in (("E", 150), ("F", 50), ("G", 100), ("H", 100)):
        for i in range(200):
            rows.append((provider, i % 2, int(i < housed)))
    return pd.DataFrame(rows, columns=["provider_id", "high_risk", "exit_ph"])


def test_summary_places_each_provider_against_its_interval_not_in_a_ranking():
    ra = ct.risk_adjust(_clear_differences(), outcome="exit_ph", risk_factors=["high_risk"])
    table = ra.table.set_index("provider_id")
    assert table.loc["F", "oe_high"] < 1 < table.loc["E", "oe_low"]  # the data are as meant
    lines = ra.summary().splitlines()
    assert lines[1] == (
        "Lowest crude rate: F (25.0%); against its own clients its O/E is 0.50 "
        f"(95% interval {table.loc['F', 'oe_low']:.2f} to {table.loc['F', 'oe_high']:.2f}): "
        "below expected (worse)."
    )
    assert lines[2] == "Below expected (worse; 95% interval below 1): F (O/E 0.50)."
    assert lines[3] == "Above expected (better; 95% interval above 1): E (O/E 1.50)."
    assert lines[4] == "Not clearly different from expected (95% interval includes 1): G, H."
    assert "rank" not in ra.summary().lower()


def test_lower_is_better_turns_the_words_not_the_numbers():
    # returns to homelessness: fewer than expected is better
    higher = ct.risk_adjust(_clear_differences(), outcome="exit_ph", risk_factors=["high_risk"])
    lower = ct.risk_adjust(
        _clear_differences(), outcome="exit_ph", risk_factors=["high_risk"], higher_is_better=False
    )
    pd.testing.assert_frame_equal(higher.table, lower.table)
    lines = lower.summary().splitlines()
    assert lines[1].startswith("Highest crude rate: E (75.0%)")
    assert lines[1].endswith("above expected (worse).")
    assert lines[2] == "Below expected (better; 95% interval below 1): F (O/E 0.50)."
    assert lines[3] == "Above expected (worse; 95% interval above 1): E (O/E 1.50)."
