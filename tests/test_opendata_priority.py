"""Prioritizing datasets: request topics, demand, and transparent weighted scores."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit import opendata as od
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    ColumnTypeError,
    EmptyDataError,
    MissingColumnError,
)
from citykit.synth import DEFAULT_SEED
from citykit.synth import opendata as fam
from citykit.synth._core import RIVERTON


@pytest.fixture(scope="module")
def tables():
    return fam.generate(seed=DEFAULT_SEED, city=RIVERTON)


def test_hand_written_requests_get_the_right_topics():
    texts = {
        "Copy of the police report for case 23-0412": "police incidents",
        "RESTRAUNT inspection results for Joe's Diner": "restaurant inspections",
        "accident report, Main and 5th, March 3": "traffic crashes",
        "Bldg permits pulled for 44 Oak": "building permits",
        "open code enforcment cases on my street": "code violations",
        "All contracts with Acme Paving since 2020": "contracts",
        "my 311 complaint about a streetlight": "311",
        "Mayor's calendar for May": "other",
        "social media policy of the city": "other",  # 'policy' is not 'police'
        "please contact me about my records": "other",  # 'contact' is not 'contract'
    }
    log = pd.DataFrame({"request_text": list(texts)})
    got = od.classify_requests(log)
    assert got["topic"].tolist() == list(texts.values())
    assert got.loc[0, "matched"].lower() == "police"
    assert list(got.columns) == ["request_text", "topic", "matched"]


def test_classifier_recovers_the_generator_topics(tables):
    classified = od.classify_requests(tables["records_requests"])
    truth = fam.request_topics(seed=DEFAULT_SEED)
    accuracy = (classified["topic"].to_numpy() == truth).mean()
    assert accuracy >= 0.97
    demand = od.demand_by_topic(tables["records_requests"]).set_index("topic")
    true_counts = pd.Series(truth).value_counts()
    for topic, count in true_counts.items():
        assert demand.loc[topic, "requests"] == pytest.approx(count, rel=0.05)
    assert demand["share"].sum() == pytest.approx(1)
    assert demand.index[0] == "police incidents"  # largest true share (22%)


def test_high_demand_topics_without_a_published_dataset(tables):
    catalog = tables["catalog"]
    demand = od.demand_by_topic(tables["records_requests"]).set_index("topic")["requests"]
    published = set(catalog.loc[catalog["status"] == "published", "topic"])
    unmet = [t for t in demand.index if t not in published and t != "other"]
    assert sorted(unmet) == sorted(fam.HIGH_DEMAND_UNPUBLISHED)


def test_topic_rules_table_is_the_rules_in_order():
    table = od.topic_rules()
    assert table["topic"].tolist() == list(od.DEFAULT_TOPIC_RULES)
    assert table["order"].tolist() == list(range(1, len(od.DEFAULT_TOPIC_RULES) + 1))
    with pytest.raises(ColumnTypeError):
        od.topic_rules({"x": ["("]})


def test_custom_rules_and_order():
    log = pd.DataFrame({"request_text": ["permit for a food truck", "food truck permit"]})
    default = od.classify_requests(log)["topic"].tolist()
    assert default == ["restaurant inspections"] * 2  # restaurant rules come before permits
    rules = {"food trucks": [r"food truck"], "building permits": [r"permit"]}
    assert od.classify_requests(log, rules=rules)["topic"].tolist() == ["food trucks"] * 2


def test_priority_scores_hand_computed():
    candidates = pd.DataFrame(
        {
            "title": ["Inspections", "Crashes", "Budget"],
            "policy_priority": [5, 4, 1],
            "requests": [100, 60, 0],
            "downloads": [0, 0, 1000],
            "effort_days": [20, 10, 0],
        }
    )
    weights = {"policy": 0.4, "demand": 0.3, "usage": 0.1, "effort": 0.2}
    ranked = od.priority_scores(candidates, weights=weights).set_index("title")
    # minmax: policy (5,4,1) -> (1, .75, 0); demand -> (1, .6, 0); usage -> (0, 0, 1);
    # effort (20,10,0) -> reversed (0, .5, 1)
    expected = {
        "Inspections": 40 + 30 + 0 + 0,
        "Crashes": 30 + 18 + 0 + 10,
        "Budget": 0 + 0 + 10 + 20,
    }
    for title, total in expected.items():
        assert ranked.loc[title, "total"] == pytest.approx(total)
    assert ranked.loc["Crashes", "demand_points"] == pytest.approx(18)
    assert ranked.loc["Crashes", "effort_score"] == pytest.approx(0.5)
    assert ranked["rank"].to_dict() == {"Inspections": 1, "Crashes": 2, "Budget": 3}
    # every component is shown: raw value, 0-1 score, weighted points
    for key, column in [("policy", "policy_priority"), ("demand", "requests")]:
        assert {column, f"{key}_score", f"{key}_points"} <= set(ranked.columns)
    points = ranked[[f"{k}_points" for k in ("policy", "demand", "usage", "effort")]].sum(axis=1)
    np.testing.assert_allclose(points, ranked["total"])


def test_rank_scaling_and_ties():
    candidates = pd.DataFrame(
        {"title": list("abcd"), "policy_priority": [1, 2, 2, 9], "requests": [0, 0, 0, 0]}
    )
    ranked = od.priority_scores(candidates, weights={"policy": 1.0}, scaling="rank").set_index(
        "title"
    )
    assert ranked.loc["d", "policy_score"] == 1.0
    assert ranked.loc["b", "policy_score"] == pytest.approx(0.5)  # average of ranks 2 and 3
    assert ranked.loc["b", "rank"] == ranked.loc["c", "rank"] == 2
    constant = od.priority_scores(candidates, weights={"demand": 1.0})
    assert (constant["demand_score"] == 0.5).all()


def test_assemble_candidates_from_riverton(tables):
    candidates = od.assemble_candidates(
        tables["catalog"], requests=tables["records_requests"], usage=tables["portal_usage"]
    )
    planned = candidates[candidates["status"] == "planned"]
    assert (planned["downloads"] == 0).all()
    inspections = candidates.set_index("title").loc["Restaurant Inspections"]
    truth = fam.request_topics(seed=DEFAULT_SEED)
    assert inspections["requests"] == (truth == "restaurant inspections").sum()
    top = candidates.set_index("title").loc[fam.TOP_DOWNLOADED[0], "downloads"]
    usage = tables["portal_usage"]
    assert top == usage.loc[usage["title"] == fam.TOP_DOWNLOADED[0], "downloads"].sum()
    ranked = od.priority_scores(planned)
    assert len(ranked) == 8 and ranked["rank"].min() == 1
    assert ranked["total"].is_monotonic_decreasing


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"policy": 40, "demand": 30, "usage": 15, "effort": 15}, "percentages"),
        ({"policy": 0.5, "demand": 0.2}, "add up to 0.7"),
        ({"policy": -0.5, "demand": 1.5}, "zero or positive"),
        ({"policy": 0, "demand": 0}, "all zero"),
        ({"polcy": 1.0}, "Did you mean 'policy'"),
        ([0.4, 0.3, 0.15, 0.15], "dict"),
        ({"policy": "high"}, "number"),
    ],
)
def test_weights_that_do_not_sum_sensibly(weights, message):
    candidates = pd.DataFrame(
        {
            "title": ["a"],
            "policy_priority": [1],
            "requests": [1],
            "downloads": [1],
            "effort_days": [1],
        }
    )
    with pytest.raises(CityKitError, match=message):
        od.priority_scores(candidates, weights=weights)


def test_bad_inputs():
    good = pd.DataFrame(
        {
            "title": ["a"],
            "policy_priority": [1],
            "requests": [1],
            "downloads": [1],
            "effort_days": [1],
        }
    )
    with pytest.raises(MissingColumnError, match="effort_days"):
        od.priority_scores(good.drop(columns="effort_days"))
    with pytest.raises(ColumnTypeError, match="numbers"):
        od.priority_scores(good.assign(requests=["many"]))
    with pytest.raises(ColumnTypeError, match="fillna"):
        od.priority_scores(good.assign(requests=[np.nan]))
    with pytest.raises(EmptyDataError):
        od.priority_scores(good.iloc[0:0])
    with pytest.raises(ArgumentRangeError, match="negative"):
        od.priority_scores(good.assign(effort_days=[-3]))
    with pytest.raises(CityKitError, match="minmax"):
        od.priority_scores(good, scaling="zscore")
    with pytest.raises(MissingColumnError, match="request_text"):
        od.classify_requests(pd.DataFrame({"text": ["x"]}))
    with pytest.raises(ColumnTypeError, match="numbers"):
        od.classify_requests(pd.DataFrame({"request_text": [1, 2]}))
    with pytest.raises(ColumnTypeError, match="regular expression"):
        od.classify_requests(pd.DataFrame({"request_text": ["x"]}), rules={"a": ["(unclosed"]})
    with pytest.raises(EmptyDataError):
        od.demand_by_topic(pd.DataFrame({"request_text": []}))


def test_inputs_unchanged_and_no_warnings(tables):
    requests = tables["records_requests"].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        od.demand_by_topic(requests)
    pd.testing.assert_frame_equal(requests, tables["records_requests"])


def test_assemble_candidates_bad_inputs(tables):
    with pytest.raises(MissingColumnError, match="downloads"):
        od.assemble_candidates(
            tables["catalog"], usage=tables["portal_usage"].drop(columns="downloads")
        )
    with pytest.raises(MissingColumnError, match="topic"):
        od.assemble_candidates(tables["catalog"].drop(columns="topic"))
    with pytest.raises(EmptyDataError):
        od.assemble_candidates(tables["catalog"].iloc[0:0])


def test_a_dataset_without_an_id_or_topic_has_unknown_counts_not_zero():
    cat = pd.DataFrame({"identifier": ["a", None, "c"], "topic": ["contracts", "other", None]})
    use = pd.DataFrame({"identifier": ["a", "c", "b"], "downloads": [5, 7, 9]})
    log = pd.DataFrame({"request_text": ["the vendor contract"]})
    table = od.assemble_candidates(cat, requests=log, usage=use)
    # the old answer was 0 downloads and 0 requests: a certain-looking "no demand"
    assert table["downloads"].isna().tolist() == [False, True, False]
    assert table["requests"].isna().tolist() == [False, False, True]
    assert table["downloads"].iloc[[0, 2]].tolist() == [5, 7]
    with pytest.raises(CityKitError, match=r"'requests' has missing values"):
        od.priority_scores(
            table.assign(title=list("ABC"), policy_priority=[1, 2, 3], effort_days=[1, 2, 3])
        )


def test_a_catalog_whose_ids_match_no_usage_is_an_error_not_zero_downloads():
    cat = pd.DataFrame({"identifier": ["X-a", "X-b"], "topic": ["contracts", "other"]})
    use = pd.DataFrame({"identifier": ["a", "b"], "downloads": [5, 7]})
    with pytest.raises(CityKitError, match=r"none of the catalog's 2 'identifier'.*'X-a'.*'a'"):
        od.assemble_candidates(cat, usage=use)
