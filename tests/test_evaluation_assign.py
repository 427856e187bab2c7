"""Random assignment: reproducible, exact randomizr block_ra probabilities (methods.md §1.5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from citykit.errors import CityKitError, MissingColumnError
from citykit.evaluation import (
    assign_blocked,
    assign_clusters,
    assign_complete,
    assign_simple,
    complete_counts,
)

ACCOUNTS = pd.DataFrame(
    {
        "account": [f"A{i:03d}" for i in range(40)],
        "district": ["Harbor"] * 7 + ["Old Town"] * 13 + ["Fairview"] * 20,
    }
)
SHARES = {"Harbor": 0.3, "Old Town": 0.5, "Fairview": 0.7}


def test_same_seed_same_assignment_in_any_row_order():
    one = assign_blocked(ACCOUNTS, block="district", unit="account", seed=11, probs=SHARES)
    two = assign_blocked(ACCOUNTS, block="district", unit="account", seed=11, probs=SHARES)
    pd.testing.assert_frame_equal(one.log, two.log)
    shuffled = ACCOUNTS.sample(frac=1, random_state=1)
    three = assign_blocked(shuffled, block="district", unit="account", seed=11, probs=SHARES)
    merged = one.log.set_index("unit")["arm"].sort_index()
    assert merged.equals(three.log.set_index("unit")["arm"].sort_index())
    other = assign_blocked(ACCOUNTS, block="district", unit="account", seed=12, probs=SHARES)
    assert not other.log["arm"].equals(one.log["arm"])


def test_block_ra_counts_are_floor_or_ceiling():
    # methods.md §1.5: each block treats floor(N_b p) or ceiling(N_b p)
    for seed in range(30):
        plan = assign_blocked(ACCOUNTS, block="district", unit="account", seed=seed, probs=SHARES)
        treated = plan.log[plan.log["arm"] == "treatment"].groupby("block").size()
        sizes = ACCOUNTS["district"].value_counts()
        for block, p in SHARES.items():
            target = sizes[block] * p
            assert int(treated.get(block, 0)) in {int(np.floor(target)), int(np.ceil(target))}


def test_leftover_units_make_probabilities_exact():
    # methods.md §1.5: the ceiling is chosen with probability equal to the fractional part,
    # so P(treat) = p exactly. N = 7, p = 0.3 -> 2.1: 3 treated in ~10% of draws.
    rng = np.random.default_rng(0)
    draws = np.array([complete_counts(7, probs=[0.7, 0.3], rng=rng)[1] for _ in range(20000)])
    assert set(np.unique(draws)) == {2, 3}
    share_three = (draws == 3).mean()
    assert abs(share_three - 0.1) < 4 * np.sqrt(0.1 * 0.9 / 20000)
    assert abs(draws.mean() / 7 - 0.3) < 0.002
    # three arms with fractional parts .4/.3/.3 over N = 10 units with p = (.34, .33, .33)
    counts = np.array(
        [complete_counts(10, probs=[0.34, 0.33, 0.33], rng=rng) for _ in range(20000)]
    )
    assert (counts.sum(axis=1) == 10).all()
    assert np.allclose(counts.mean(axis=0), [3.4, 3.3, 3.3], atol=0.03)


def test_log_records_unit_arm_block_seed_and_probabilities():
    plan = assign_blocked(ACCOUNTS, block="district", unit="account", seed=5, probs=SHARES)
    log = plan.log
    assert list(log.columns) == [
        "unit",
        "arm",
        "block",
        "seed",
        "method",
        "probability",
        "p_control",
        "p_treatment",
    ]
    assert (log["seed"] == 5).all() and (log["method"] == "blocked").all()
    harbor = log[log["block"] == "Harbor"]
    assert np.allclose(harbor["p_treatment"], 0.3)
    treated = log["arm"] == "treatment"
    assert np.allclose(log.loc[treated, "probability"], log.loc[treated, "p_treatment"])
    assert np.allclose(log.loc[~treated, "probability"], log.loc[~treated, "p_control"])
    assert "arm" in plan.table.columns and "arm" not in ACCOUNTS.columns
    assert "Blocked random assignment of 40 units (seed 5)" in repr(plan)
    assert plan.counts("block").loc["Harbor"].sum() == 7


def test_complete_assignment_with_three_arms():
    data = pd.DataFrame({"plate": range(301)})
    plan = assign_complete(data, unit="plate", seed=2, arms=("control", "postcard", "text"))
    counts = plan.counts()["count"]
    assert counts.sum() == 301
    assert sorted(counts.tolist()) == [100, 100, 101]


def test_simple_assignment_varies_in_size_but_is_seeded():
    data = pd.DataFrame({"id": range(1000)})
    sizes = {
        int((assign_simple(data, unit="id", seed=s, probs=0.2).log["arm"] == "treatment").sum())
        for s in range(5)
    }
    assert len(sizes) > 1
    assert all(140 < s < 260 for s in sizes)


def test_cluster_assignment_keeps_clusters_together():
    views = pd.DataFrame({"view": range(60), "posting": np.repeat([f"P{i}" for i in range(12)], 5)})
    plan = assign_clusters(views, cluster="posting", unit="view", seed=4)
    assert plan.table.groupby("posting")["arm"].nunique().max() == 1
    per_cluster = plan.table.groupby("posting")["arm"].first().value_counts()
    assert per_cluster.tolist() == [6, 6]
    assert "cluster" in plan.log.columns


def test_cluster_assignment_within_blocks():
    views = pd.DataFrame(
        {
            "view": range(40),
            "posting": np.repeat([f"P{i}" for i in range(8)], 5),
            "family": np.repeat(["police", "police", "fire", "fire"] * 2, 5),
        }
    )
    plan = assign_clusters(views, cluster="posting", block="family", unit="view", seed=1)
    firsts = plan.table.groupby("posting").first()
    assert firsts.groupby("family")["arm"].value_counts().tolist() == [2, 2, 2, 2]


# --- bad inputs -----------------------------------------------------------------------------------


def test_seed_is_required_and_whole():
    with pytest.raises(CityKitError, match="seed must be a whole number"):
        assign_complete(ACCOUNTS, unit="account", seed=None)
    with pytest.raises(CityKitError, match="seed must be a whole number"):
        assign_complete(ACCOUNTS, unit="account", seed=1.5)


def test_probabilities_must_add_up():
    with pytest.raises(CityKitError, match="add up to 1"):
        assign_complete(ACCOUNTS, unit="account", seed=1, probs=(0.5, 0.6))
    with pytest.raises(CityKitError, match="write 30% as 0.3"):
        assign_complete(ACCOUNTS, unit="account", seed=1, probs=30)
    with pytest.raises(CityKitError, match="one per arm"):
        assign_complete(ACCOUNTS, unit="account", seed=1, probs=(0.5, 0.5), arms=("a", "b", "c"))


def test_block_probabilities_for_every_block():
    with pytest.raises(CityKitError, match="but not for"):
        assign_blocked(ACCOUNTS, block="district", unit="account", seed=1, probs={"Harbor": 0.5})


def test_one_arm_or_repeated_arms():
    with pytest.raises(CityKitError, match="at least two labels"):
        assign_complete(ACCOUNTS, unit="account", seed=1, arms=("control",))
    with pytest.raises(CityKitError, match="repeated labels"):
        assign_complete(ACCOUNTS, unit="account", seed=1, arms=("a", "a"))


def test_duplicate_units_and_missing_columns():
    doubled = pd.concat([ACCOUNTS, ACCOUNTS.head(1)])
    with pytest.raises(CityKitError, match="must be unique"):
        assign_complete(doubled, unit="account", seed=1)
    with pytest.raises(MissingColumnError, match="Did you mean 'district'"):
        assign_blocked(ACCOUNTS, block="distrct", unit="account", seed=1)
    with pytest.raises(CityKitError, match="already has a column 'arm'"):
        assign_complete(ACCOUNTS.assign(arm="x"), unit="account", seed=1)
