"""Pay-for-performance with and without risk adjustment; cream-skimming simulation."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import ArgumentRangeError, CityKitError


@pytest.fixture
def reference_clients():
    # methods.md §3.1 vector
    spec = {"A": (40, 24, 10, 3), "B": (10, 6, 40, 14), "C": (25, 16, 25, 8), "D": (30, 15, 20, 4)}
    rows = []
    for provider, (n_low, s_low, n_high, s_high) in spec.items():
        rows += [(provider, 0, 1)] * s_low + [(provider, 0, 0)] * (n_low - s_low)
        rows += [(provider, 1, 1)] * s_high + [(provider, 1, 0)] * (n_high - s_high)
    return pd.DataFrame(rows, columns=["provider_id", "high_risk", "exit_ph"])


def test_payments_on_reference_vector(reference_clients):
    pay = ct.pay_for_performance(
        reference_clients, outcome="exit_ph", risk_factors=["high_risk"], price=1000
    ).set_index("provider_id")
    assert pay["pay_raw"].to_dict() == {"A": 27000.0, "B": 20000.0, "C": 24000.0, "D": 19000.0}
    # risk-adjusted: price x n x overall rate x O/E = 1000 x 50 x 0.45 x O/E (methods.md §3.1)
    expected = {"A": 1.026978, "B": 1.109875, "C": 1.083258, "D": 0.807348}
    for provider, oe in expected.items():
        assert pay.loc[provider, "pay_risk_adjusted"] == pytest.approx(
            1000 * 50 * 0.45 * oe, abs=0.1
        )
    # B serves mostly high-risk clients: it gains most from risk adjustment
    assert pay["difference"].idxmax() == "B"


def test_cream_skimming_pays_only_without_risk_adjustment():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ct.simulate_cream_skimming(seed=2024, runs=20)
    table = result.table.set_index(["scenario", "provider_id"])
    # the skimmer's high-risk share falls well below the pool's 40%
    assert table.loc[("screening", "P1"), "high_risk_share"] < 0.3
    assert table.loc[("no screening", "P1"), "high_risk_share"] == pytest.approx(0.4, abs=0.03)
    # expected raw gain: 300 x 0.35 x (0.4 - share after screening) x 1000 dollars
    assert result.gain_raw_share > 0.08
    assert abs(result.gain_risk_adjusted_share) < 0.02
    # the others absorb the high-risk clients and lose raw pay, but not risk-adjusted pay
    others = [f"P{i}" for i in range(2, 6)]
    raw_change = (
        table.loc["screening"].loc[others, "pay_raw"]
        - table.loc["no screening"].loc[others, "pay_raw"]
    )
    assert (raw_change < 0).all()
    assert "turns away" in result.summary() and "<table" in result._repr_html_()


def test_seeded_and_no_skimming_means_no_gain():
    a = ct.simulate_cream_skimming(seed=5, runs=5)
    b = ct.simulate_cream_skimming(seed=5, runs=5)
    assert a.table.equals(b.table)
    none = ct.simulate_cream_skimming(seed=5, runs=20, turn_away=0.0)
    assert abs(none.gain_raw_share) < 0.03


def test_bad_inputs(reference_clients):
    with pytest.raises(ArgumentRangeError, match="price"):
        ct.pay_for_performance(
            reference_clients, outcome="exit_ph", risk_factors=["high_risk"], price=-5
        )
    with pytest.raises(ArgumentRangeError, match="turn_away"):
        ct.simulate_cream_skimming(seed=1, turn_away=1.5)
    with pytest.raises(CityKitError, match="harder"):
        ct.simulate_cream_skimming(seed=1, success_low_risk=0.2, success_high_risk=0.5)
    with pytest.raises(ArgumentRangeError, match="providers"):
        ct.simulate_cream_skimming(seed=1, providers=1)
