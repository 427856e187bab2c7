"""Control charts on real city data flag the obvious signals and leave calm stretches alone."""

from __future__ import annotations

import pandas as pd
import pytest
from citykit.performance import Measure, add_time_to_close, compute_measures, p_chart, xmr_chart

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def sandy(realdata):
    # FiveThirtyEight / NYC Open Data: daily 311 calls about Hurricane Sandy (landfall 2012-10-29)
    data = pd.read_csv(realdata / "nyc-311-sandy" / "sandy_311.csv", parse_dates=["date"])
    return data[["date", "total"]]


def test_sandy_daily_surge_is_flagged(sandy):
    chart = xmr_chart(sandy, value="total", period="date", baseline=("2016-01-01", "2016-12-31"))
    table = chart.table.set_index("period")
    surge = table.loc["2012-10-28":"2012-11-01"]
    assert surge["signal"].all()
    assert surge["rules"].str.contains("WE1").all()
    assert (surge["value"] > surge["ucl"]).all()


def test_sandy_weekly_surge_flagged_and_calm_stretch_not(sandy):
    weekly = sandy.set_index("date")["total"].resample("W-SUN").sum().reset_index()
    weekly = weekly.iloc[1:-1]  # drop the partial first and last weeks
    chart = xmr_chart(weekly, value="total", period="date", baseline=("2016-01-01", "2016-12-31"))
    table = chart.table.set_index("period")
    # the landfall week and the months of recovery calls that followed are far above the limit
    assert table.loc["2012-11-04", "value"] == 26889
    assert table.loc["2012-11-04":"2013-02-24", "signal"].all()
    # a calm stretch of the baseline year has no signal of any Western Electric rule
    calm = table.loc["2016-01-01":"2016-09-30"]
    assert len(calm) == 39 and not calm["signal"].any()
    # ... while the week of the storm's fourth anniversary stands out again
    assert table.loc["2016-10-30", "rules"] == "WE1"


@pytest.fixture(scope="module")
def council_monthly(realdata):
    # NYC Council constituent-services cases ("CouncilStat"), 2015-2025
    path = realdata / "nyc-council-constituent-complaints" / "nycomplaints.csv.gz"
    cases = pd.read_csv(
        path, usecols=["opendate", "closedate"], parse_dates=["opendate", "closedate"]
    )
    cases = add_time_to_close(cases, opened="opendate", closed="closedate", sla=None, status=None)
    # cases opened at the end of the export have not had time to close: stop at Nov 2023
    cases = cases[(cases["opendate"] >= "2016-01-01") & (cases["opendate"] < "2023-12-01")]
    measures = [
        Measure("Closed within 30 days", "share", formula="days_to_close <= 30"),
        Measure("Median days to close", "median", column="days_to_close", direction="down"),
    ]
    return compute_measures(cases, measures=measures, date="opendate")


def test_council_time_to_close_new_term_signal(council_monthly):
    median = council_monthly[council_monthly["measure"] == "Median days to close"]
    chart = xmr_chart(median, period="period", baseline=("2018-01-01", "2019-10-01"))
    table = chart.table.set_index("period")
    # January 2022, when a new Council term began with many new offices, cases took far longer
    assert table.loc["2022-01-01", "value"] == 39
    assert "WE1" in table.loc["2022-01-01", "rules"]
    assert table.loc["2022-01-01", "value"] > table.loc["2022-01-01", "ucl"]
    # the calm baseline years have no signal
    assert not table.loc["2018-01-01":"2019-10-01", "signal"].any()


def test_council_big_denominators_need_laney(council_monthly):
    share = council_monthly[council_monthly["measure"] == "Closed within 30 days"]
    base = ("2018-01-01", "2019-10-01")
    plain = p_chart(share, numerator="numerator", denominator="denominator", period="period",
                    baseline=base)  # fmt: skip
    laney = p_chart(share, numerator="numerator", denominator="denominator", period="period",
                    baseline=base, laney=True)  # fmt: skip
    in_base = plain.table["phase"] == "baseline"
    # thousands of cases a month make binomial limits so tight that most calm months "signal"
    assert plain.table.loc[in_base, "signal"].mean() > 0.5
    assert laney.details["sigma_z"] > 3
    assert laney.table.loc[in_base, "signal"].sum() <= 1
