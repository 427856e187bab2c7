"""Engagement: monthly usage, unused datasets, trends, top datasets, catalog coverage."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit import opendata as od
from citykit.errors import ArgumentRangeError, ColumnTypeError, EmptyDataError, MissingColumnError
from citykit.synth import DEFAULT_SEED
from citykit.synth import opendata as fam
from citykit.synth._core import RIVERTON


@pytest.fixture(scope="module")
def tables():
    return fam.generate(seed=DEFAULT_SEED, city=RIVERTON)


def test_monthly_usage_fills_missing_months_and_floors_dates():
    usage = pd.DataFrame(
        {
            "identifier": ["a", "a", "a", "b"],
            "month": ["2024-01-03", "2024-01-20", "2024-03-01", "2024-02-11"],
            "views": [1, 2, 5, 7],
            "downloads": [0, 1, 1, 2],
        }
    )
    grid = od.monthly_usage(usage)
    assert len(grid) == 2 * 3  # two datasets x Jan-Mar
    a = grid[grid["identifier"] == "a"]
    assert a["views"].tolist() == [3, 0, 5]
    assert a["month"].dt.day.eq(1).all()
    assert grid["views"].sum() == usage["views"].sum()


def test_riverton_usage_ground_truths(tables):
    usage = tables["portal_usage"]
    unused = od.unused_datasets(usage, catalog=tables["catalog"])
    assert sorted(unused["title"]) == sorted(fam.NEVER_USED)
    top = od.top_datasets(usage, n=3)
    assert tuple(top["title"]) == fam.TOP_DOWNLOADED
    # independent computation of the top share
    totals = usage.groupby("identifier")["downloads"].sum()
    assert top.loc[0, "share"] == pytest.approx(totals.max() / totals.sum())
    # a few datasets get most use: the top 4 of 40 take over 80% of downloads
    assert od.top_datasets(usage, n=4)["cumulative_share"].iloc[-1] > 0.8


def test_trends_recover_growth_and_decline(tables):
    usage = tables["portal_usage"]
    trends = od.usage_trends(usage).merge(
        usage.drop_duplicates("identifier")[["identifier", "title"]], on="identifier"
    )
    by_title = trends.set_index("title")
    growing = by_title.loc[fam.GROWING_DATASET]
    assert growing["trend"] == "growing"
    assert growing["growth_per_month"] == pytest.approx(fam.GROWTH_PER_MONTH, abs=0.01)
    # month-of-year terms remove the bias of the spring peak: closer to the true 4% a month
    seasonal = od.usage_trends(usage, seasonal=True).set_index("identifier")
    ident = usage.loc[usage["title"] == fam.GROWING_DATASET, "identifier"].iloc[0]
    adjusted = seasonal.loc[ident, "growth_per_month"]
    assert adjusted == pytest.approx(fam.GROWTH_PER_MONTH, abs=0.004)
    assert abs(adjusted - fam.GROWTH_PER_MONTH) < abs(
        growing["growth_per_month"] - fam.GROWTH_PER_MONTH
    )
    assert by_title.loc[fam.DECLINING_DATASET, "trend"] == "declining"
    assert (by_title.loc[list(fam.NEVER_USED), "trend"] == "never used").all()
    assert by_title.loc[list(fam.NEVER_USED), "growth_per_month"].isna().all()
    assert trends.loc[0, "title"] == fam.GROWING_DATASET  # sorted by growth


def test_trend_hand_computed():
    months = pd.date_range("2023-01-01", periods=6, freq="MS")
    usage = pd.DataFrame(
        {"identifier": "x", "month": months, "downloads": [10, 12, 14, 16, 18, 20]}
    )
    row = od.usage_trends(usage).iloc[0]
    assert row["slope_per_month"] == pytest.approx(2.0)
    assert row["total"] == 90
    flat = usage.assign(downloads=[5, 5, 5, 5, 5, 5])
    assert od.usage_trends(flat).loc[0, "trend"] == "flat"


def test_no_warnings_on_sparse_counts():
    months = pd.date_range("2023-01-01", periods=12, freq="MS")
    usage = pd.DataFrame({"identifier": "x", "month": months, "downloads": [0] * 11 + [1]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        od.usage_trends(usage)


def test_bad_inputs(tables):
    usage = tables["portal_usage"]
    with pytest.raises(MissingColumnError, match="downloads"):
        od.monthly_usage(usage.drop(columns="downloads"))
    with pytest.raises(ColumnTypeError, match="could not be read as dates .e.g. .last spring"):
        od.monthly_usage(usage.assign(month="last spring"))
    with pytest.raises(ColumnTypeError, match="numbers"):
        od.monthly_usage(usage.assign(views="many"))
    with pytest.raises(ArgumentRangeError, match="negative"):
        od.monthly_usage(usage.assign(views=-1))
    with pytest.raises(EmptyDataError):
        od.usage_trends(usage.iloc[0:0])
    with pytest.raises(ArgumentRangeError, match="at least 1"):
        od.top_datasets(usage, n=0)
    with pytest.raises(ArgumentRangeError, match="alpha"):
        od.usage_trends(usage, alpha=5)
    with pytest.raises(ArgumentRangeError, match="24 months"):
        od.usage_trends(usage[usage["month"] < "2024-01-01"], seasonal=True)
    with pytest.raises(ColumnTypeError, match="True or False"):
        od.usage_trends(usage, seasonal="yes")
    with pytest.raises(MissingColumnError):
        od.unused_datasets(usage, catalog=pd.DataFrame({"id": ["x"]}))
    with pytest.raises(MissingColumnError, match="TableType"):
        od.coverage_summary(pd.DataFrame({"agency": ["a"]}), publisher="agency", kind="TableType")
    with pytest.raises(EmptyDataError):
        od.coverage_summary(
            pd.DataFrame({"agency": [], "kind": []}), publisher="agency", kind="kind"
        )


@pytest.mark.realdata
def test_police_open_data_coverage_and_removals(realdata):
    folder = realdata / "police-open-data-catalog"
    sources = pd.read_csv(folder / "opd_source_table.csv")
    removed = pd.read_csv(folder / "datasets_deleted_by_publisher.csv")
    offline = pd.read_csv(folder / "outages.csv")
    summary = od.coverage_summary(
        sources, publisher="SourceName", kind="TableType", removed=removed, offline=offline
    )
    by_kind = summary.by_kind.set_index("kind")
    # independent pandas computations
    assert by_kind["datasets"].sum() == len(sources) == 1_745  # SOURCE.txt: ~1,745 datasets
    assert len(summary.by_publisher) == sources["SourceName"].nunique()
    direct_publishers = sources.groupby("TableType")["SourceName"].nunique()
    for kind in ("STOPS", "CALLS FOR SERVICE", "USE OF FORCE", "ARRESTS"):
        assert by_kind.loc[kind, "publishers"] == direct_publishers[kind]
    assert by_kind.loc["STOPS", "datasets"] == (sources["TableType"] == "STOPS").sum() == 289
    assert by_kind["removed"].sum() == len(removed) == 68
    assert by_kind.loc["USE OF FORCE", "removed"] == (removed["TableType"] == "USE OF FORCE").sum()
    assert by_kind.loc["USE OF FORCE", "removed"] == 14
    assert by_kind["offline"].sum() == len(offline) == 3
    # the kind most publishers publish
    assert summary.by_kind.iloc[0]["kind"] == direct_publishers.idxmax()
    matrix = summary.matrix
    assert matrix.to_numpy().sum() == len(sources)
    assert (matrix > 0).sum(axis=1).max() == summary.by_publisher["kinds"].max()

    collapsed = od.coverage_summary(
        sources, publisher="SourceName", kind="TableType", removed=removed, collapse=" - "
    ).by_kind.set_index("kind")
    family = sources["TableType"].str.split(" - ").str[0].str.strip()
    assert collapsed.loc["USE OF FORCE", "datasets"] == (family == "USE OF FORCE").sum()
    assert collapsed.loc["USE OF FORCE", "removed"] == 22  # 14 + 4 incidents + 4 subjects
    assert "removed by publishers: 68" in repr(summary)

    # upkeep: datasets whose newest data is over a year older than the latest check
    kept = od.coverage_summary(
        sources, publisher="SourceName", kind="TableType", last_updated="coverage_end",
        as_of="2026-04-11",
    ).by_kind.set_index("kind")  # fmt: skip
    end = pd.to_datetime(sources["coverage_end"], format="%m/%d/%Y", errors="coerce")
    newest = sources.assign(end=end).groupby(["SourceName", "TableType"])["end"].max()
    stale = newest < pd.Timestamp("2026-04-11") - pd.Timedelta(days=365)
    per_kind = stale.groupby(level="TableType").sum()
    assert kept.loc["CALLS FOR SERVICE", "stale_publishers"] == per_kind["CALLS FOR SERVICE"]
    assert kept.loc["STOPS", "stale_publishers"] == per_kind["STOPS"]
    assert kept["stale_publishers"].sum() == stale.sum()
    undated = newest.isna().groupby(level="TableType").sum()
    assert kept["undated_publishers"].sum() == undated.sum()


def test_coverage_summary_hand_computed():
    sources = pd.DataFrame(
        {
            "agency": ["A", "A", "B", "C", "C", "C"],
            "kind": ["STOPS", "ARRESTS", "STOPS", "STOPS", "CRASHES", "CRASHES"],
        }
    )
    summary = od.coverage_summary(sources, publisher="agency", kind="kind")
    table = summary.by_kind.set_index("kind")
    assert table.loc["STOPS", "publishers"] == 3
    assert table.loc["STOPS", "share_of_publishers"] == 1.0
    assert table.loc["CRASHES", "datasets"] == 2
    assert table.loc["CRASHES", "publishers"] == 1
    assert summary.by_publisher.set_index("agency")["kinds"].to_dict() == {"A": 2, "C": 2, "B": 1}
    assert np.array_equal(summary.matrix.loc["C"].to_numpy(), [0, 2, 1])


def test_coverage_summary_counts_datasets_without_a_kind_under_missing():
    src = pd.DataFrame({"agency": ["A", "A", "B", "B"], "type": ["STOPS", None, " ", "STOPS"]})
    by_kind = od.coverage_summary(src, publisher="agency", kind="type").by_kind
    counts = dict(zip(by_kind["kind"], by_kind["datasets"], strict=True))
    # not a kind called "None" or "nan" (the old answer), nor a blank one
    assert counts == {"STOPS": 2, "(missing)": 2}
