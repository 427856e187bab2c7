"""Risk-adjustment explorer, driven headless through its controls."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import CityKitError, MissingColumnError
from citykit.synth import homeless
from citykit.synth._core import RIVERTON
from citykit.widgets import contracting as cw

FACTORS = [
    "disabling_condition",
    "prior_episodes",
    "chronically_homeless",
    "household_type",
    "veteran",
    "has_income",
]


@pytest.fixture(scope="module")
def exits():
    t = homeless.generate(seed=20240501, scale=0.5, city=RIVERTON)
    prepared = ct.prepare_enrollments(t["hmis_enrollments"])
    es = prepared[
        (prepared["dq_issue"] == "") & prepared["exited"] & (prepared["project_type"] == "ES")
    ]
    data = es.merge(t["hmis_clients"], on="client_id")
    return data.assign(
        exit_ph=data["permanent_exit"].astype(int),
        has_income=data["monthly_income_usd"] > 0,
        high_risk=data["acuity_score"] >= 9,
    )


def test_explorer_starts_with_all_factors_and_a_ranking(exits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = cw.risk_adjustment_explorer(
            exits, outcome="exit_ph", risk_factors=FACTORS, high_risk="high_risk"
        )
    assert w.factors.value == tuple(FACTORS)
    assert w.result is not None and set(w.result.table["provider_id"]) == {
        "P01",
        "P02",
        "P06",
        "P08",
    }
    assert "<table" in w.table.value and w.figure.value[:4] == b"\x89PNG"
    assert "<table" in w.result._repr_html_() and "RiskExplorerResult" in repr(w.result)
    first = w.provider.value
    assert w.share.value == pytest.approx(
        exits.loc[exits.provider_id == first, "high_risk"].mean(), abs=0.01
    )


def test_changing_factors_changes_the_result(exits):
    w = cw.risk_adjustment_explorer(exits, outcome="exit_ph", risk_factors=FACTORS)
    full = w.result.table.set_index("provider_id")["oe_ratio"]
    w.factors.value = ("veteran",)
    weak = w.result.table.set_index("provider_id")["oe_ratio"]
    # with a weak model P06 (hardest clients) looks worse than with the full model
    assert weak["P06"] < full["P06"]
    w.factors.value = ()
    assert w.result is None and "at least one" in w.message.value


def test_high_risk_slider_moves_crude_rate_not_oe(exits):
    w = cw.risk_adjustment_explorer(
        exits, outcome="exit_ph", risk_factors=FACTORS, high_risk="high_risk", seed=3
    )
    w.provider.value = "P02"
    before = w.result.table.set_index("provider_id").loc["P02"]
    w.share.value = 0.9
    after = w.result.table.set_index("provider_id").loc["P02"]
    assert after["high_risk_share"] == pytest.approx(0.9, abs=0.01)
    assert after["crude_rate"] < before["crude_rate"] - 0.05  # raw rate falls a lot
    assert abs(after["oe_ratio"] - before["oe_ratio"]) < 0.15  # adjusted position holds
    assert w.result.provider == "P02" and w.result.high_risk_share == 0.9


def test_bad_choice_is_a_message_not_a_crash(exits):
    data = exits.assign(constant=1)
    w = cw.risk_adjustment_explorer(data, outcome="exit_ph", risk_factors=["constant", "veteran"])
    assert w.result is None and "only one value" in w.message.value
    w.factors.value = ("veteran",)
    assert w.result is not None


def test_bad_inputs(exits):
    with pytest.raises(MissingColumnError):
        cw.risk_adjustment_explorer(exits, outcome="exit_ph", risk_factors=["nope"])
    with pytest.raises(CityKitError, match="empty"):
        cw.risk_adjustment_explorer(exits, outcome="exit_ph", risk_factors=[])
    assert isinstance(exits, pd.DataFrame)
