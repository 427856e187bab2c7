"""Vendor scoring, weight sensitivity and the contract portfolio (hand-computed cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import ArgumentRangeError, CityKitError, MissingColumnError
from citykit.synth import homeless
from citykit.synth._core import RIVERTON


@pytest.fixture
def bids():
    return pd.DataFrame(
        {
            "vendor": ["A", "B", "C"],
            "approach": [80, 60, 70],
            "experience": [70, 90, 60],
            "price": [100_000, 90_000, 78_000],
        }
    )


WEIGHTS = {"approach": 0.4, "experience": 0.3, "price": 0.3}


def test_scores_by_hand(bids):
    scores = ct.score_vendors(bids, criteria=WEIGHTS, lower_is_better=["price"])
    t = scores.table.set_index("vendor")
    # A: 0.4*80 + 0.3*70 + 0.3*(100*78000/100000) = 32 + 21 + 23.4
    assert t.loc["A", "total"] == pytest.approx(76.4)
    assert t.loc["B", "total"] == pytest.approx(24 + 27 + 0.3 * 100 * 78_000 / 90_000)
    assert t.loc["C", "price_points"] == pytest.approx(100.0)
    assert list(scores.table["vendor"]) == ["B", "A", "C"]
    assert scores.table["rank"].tolist() == [1, 2, 3]
    # weights given as percentages give the same result
    same = ct.score_vendors(
        bids, criteria={"approach": 40, "experience": 30, "price": 30}, lower_is_better=["price"]
    )
    assert np.allclose(same.table["total"], scores.table["total"])
    weighted = [c for c in t.columns if c.endswith("_weighted")]
    assert np.allclose(t[weighted].sum(axis=1), t["total"])
    assert "price: 78.0 points x weight 0.30 = 23.4" in scores.explain("A")
    assert "<table" in scores._repr_html_()


def test_sensitivity_table_by_hand(bids):
    table = ct.weight_sensitivity(
        bids, criteria=WEIGHTS, lower_is_better=["price"], changes=(-0.5, 0.5)
    )
    row = table[(table.criterion == "approach") & (table.change == 0.5)].iloc[0]
    # weights 0.6/0.3/0.3 rescaled -> 0.5/0.25/0.25: A 77.0, C 75.0, B 74.17
    assert row["weight"] == pytest.approx(0.5) and row["ranking"] == "A > C > B"
    assert row["winner_changed"] and row["order_changed"]
    assert len(table) == 1 + 3 * 2
    low_price = table[(table.criterion == "price") & (table.change == -0.5)].iloc[0]
    # price weight halved: 0.4/0.3/0.15 rescaled; A 76.12 beats B 75.29
    assert low_price["winner"] == "A" and low_price["ranking"] == "A > B > C"


def test_rank_stability_seeded_and_consistent(bids):
    a = ct.rank_stability(bids, criteria=WEIGHTS, lower_is_better=["price"], draws=500, seed=3)
    b = ct.rank_stability(bids, criteria=WEIGHTS, lower_is_better=["price"], draws=500, seed=3)
    assert a.equals(b)
    assert a["win_share"].sum() == pytest.approx(1.0)
    assert a.iloc[0]["vendor"] == "B"  # the baseline winner wins most often
    assert 0.2 < a.set_index("vendor").loc["B", "win_share"] < 0.95  # but not always: close call
    tight = ct.rank_stability(
        bids, criteria=WEIGHTS, lower_is_better=["price"], draws=500, concentration=5000, seed=3
    )
    assert (
        tight.set_index("vendor").loc["B", "win_share"]
        > a.set_index("vendor").loc["B", "win_share"]
    )


def test_scoring_bad_inputs(bids):
    with pytest.raises(MissingColumnError, match="Did you mean 'price'"):
        ct.score_vendors(bids, criteria={"prices": 1})
    with pytest.raises(ArgumentRangeError, match="max_points"):
        ct.score_vendors(
            bids.assign(approach=[4, 5, 3]).assign(experience=[8, 9, 6]),
            criteria=WEIGHTS,
            lower_is_better=["price"],
            max_points=5,
        )
    with pytest.raises(CityKitError, match="more than once"):
        ct.score_vendors(
            pd.concat([bids, bids.iloc[[0]]]), criteria=WEIGHTS, lower_is_better=["price"]
        )
    with pytest.raises(CityKitError, match="add up to 0"):
        ct.score_vendors(bids, criteria={"approach": 0, "price": 0})
    with pytest.raises(CityKitError, match="not among the criteria"):
        ct.score_vendors(bids, criteria={"approach": 1}, lower_is_better=["price"])


def test_portfolio_by_hand_and_sample_city():
    contracts = pd.DataFrame(
        {
            "provider_id": ["A", "B", "C", "D"],
            "project_type": ["ES", "ES", "ES", "RRH"],
            "amount_usd": [100_000.0, 200_000.0, 90_000.0, 50_000.0],
        }
    )
    outcomes = pd.DataFrame(
        {
            "provider_id": ["A", "B", "C", "D"],
            "exits": [100, 150, 80, 20],
            "permanent_exits": [40, 50, 10, 15],
        }
    )
    out = ct.contract_portfolio(contracts, outcomes).set_index("provider_id")
    assert out.loc["A", "cost_per_outcome"] == 2500.0
    assert out.loc["B", "peer_median_cost_per_outcome"] == 4000.0
    assert out.loc["C", "position"] == "higher cost than peers"
    assert out.loc["D", "position"] == "no peers"
    assert out["share_of_spend"].sum() == pytest.approx(1.0)
    with pytest.raises(CityKitError, match="fiscal year"):
        ct.contract_portfolio(pd.concat([contracts, contracts]), outcomes)

    t = homeless.generate(seed=20240501, scale=1.0, city=RIVERTON)
    fy = t["provider_contracts"].query("fiscal_year == 2024")
    res = ct.provider_outcomes(t["hmis_enrollments"], start="2024-01-01", end="2024-12-31")
    port = ct.contract_portfolio(fy, res).set_index("provider_id")
    assert port.loc["P11", "position"] == "no outcomes"  # contracted, no clients yet
    es = port[port["project_type"] == "ES"]
    # unadjusted cost per housing exit puts both the truly weaker shelter (P08) and the one
    # serving the hardest clients (P06) above their peers: cost needs risk adjustment too
    assert set(es.index[es["position"] == "higher cost than peers"]) == {"P06", "P08"}
