"""Risk adjustment by indirect standardization (methods.md §3.1)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import CityKitError, ColumnTypeError, MissingColumnError

# methods.md §3.1 test vector [COMP] (scripts/s3_provider.py): low-risk n/successes,
# high-risk n/successes per provider
SPEC = {"A": (40, 24, 10, 3), "B": (10, 6, 40, 14), "C": (25, 16, 25, 8), "D": (30, 15, 20, 4)}
EXPECTED = {  # provider: O, E, O/E, RA rate, CI low, CI high, z
    "A": (27, 26.290727, 1.026978, 0.462140, 0.676785, 1.494199, 0.138329),
    "B": (20, 18.020050, 1.109875, 0.499444, 0.677940, 1.714112, 0.466419),
    "C": (24, 22.155388, 1.083258, 0.487466, 0.694064, 1.611802, 0.391891),
    "D": (19, 23.533835, 0.807348, 0.363307, 0.486076, 1.260774, -0.934586),
}


@pytest.fixture
def reference_clients():
    rows = []
    for provider, (n_low, s_low, n_high, s_high) in SPEC.items():
        rows += [(provider, 0, 1)] * s_low + [(provider, 0, 0)] * (n_low - s_low)
        rows += [(provider, 1, 1)] * s_high + [(provider, 1, 0)] * (n_high - s_high)
    return pd.DataFrame(rows, columns=["provider_id", "high_risk", "exit_ph"])


def test_reference_vector_methods_3_1(reference_clients):
    ra = ct.risk_adjust(reference_clients, outcome="exit_ph", risk_factors=["high_risk"])
    coef = ra.coefficients.set_index("term")["estimate"]
    assert coef["const"] == pytest.approx(0.32668423, abs=1e-7)
    assert coef["high_risk"] == pytest.approx(-1.14904314, abs=1e-7)
    assert ra.overall_rate == pytest.approx(0.45)
    table = ra.table.set_index("provider_id")
    for provider, (o, e, oe, rate, low, high, z) in EXPECTED.items():
        row = table.loc[provider]
        assert row["observed"] == o
        assert row["expected"] == pytest.approx(e, abs=1e-6)
        assert row["oe_ratio"] == pytest.approx(oe, abs=1e-6)
        assert row["ra_rate"] == pytest.approx(rate, abs=1e-6)
        assert row["oe_low"] == pytest.approx(low, abs=1e-6)
        assert row["oe_high"] == pytest.approx(high, abs=1e-6)
        assert row["z"] == pytest.approx(z, abs=1e-6)
    # exact two-sided Poisson p-values (scipy, computed here independently) and BH q-values
    from scipy import stats

    p_d = 2 * stats.poisson.cdf(19, table.loc["D", "expected"])
    assert table.loc["D", "p_value"] == pytest.approx(p_d, rel=1e-12)
    p_a = 2 * stats.poisson.sf(26, table.loc["A", "expected"])
    assert table.loc["A", "p_value"] == pytest.approx(min(1.0, p_a), rel=1e-12)
    ps = table["p_value"].sort_values()
    bh = (ps * 4 / np.arange(1, 5))[::-1].cummin()[::-1].clip(upper=1)
    assert table["q_value"].to_dict() == pytest.approx(bh.to_dict())
    # D is lowest on the crude rate (.38) and stays lowest; B (.40 crude, mostly high-risk
    # clients) becomes the best once client mix is accounted for
    assert table.loc["B", "rank_crude"] == 3 and table.loc["B", "rank_adjusted"] == 1


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


def test_lower_is_better_ranks(reference_clients):
    ra = ct.risk_adjust(
        reference_clients, outcome="exit_ph", risk_factors=["high_risk"], higher_is_better=False
    )
    assert ra.table.set_index("provider_id").loc["D", "rank_adjusted"] == 1
