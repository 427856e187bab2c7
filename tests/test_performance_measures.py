"""Measures computed by period and group from event data (hand-computed small tables, 311 data)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    ColumnTypeError,
    MissingColumnError,
    UnknownNameError,
)
from citykit.performance import (
    Measure,
    add_time_to_close,
    compute_measures,
    measure_table,
    p_chart,
    target_status,
)


@pytest.fixture
def requests():
    return pd.DataFrame(
        {
            "opened_at": pd.to_datetime(
                ["2024-01-02", "2024-01-05", "2024-01-20", "2024-03-03", "2024-03-04", "2024-03-09"]
            ),
            "closed_at": pd.to_datetime(
                ["2024-01-03", "2024-01-15", None, "2024-03-04", "2024-03-01", "2024-03-10"]
            ),
            "status": ["Closed", "Closed", "Open", "Closed", "Closed", "Cancelled"],
            "district": ["North", "South", "North", "North", "South", "South"],
            "sla_days": [2, 5, 3, 2, 2, 2],
        }
    )


def test_add_time_to_close(requests):
    out = add_time_to_close(requests, as_of="2024-03-31")
    np.testing.assert_allclose(out["days_to_close"], [1, 10, np.nan, 1, np.nan, 1])
    # closed before opened (row 4) -> no duration; cancelled (row 5) -> no on-time value
    assert out["is_open"].tolist() == [False, False, True, False, False, False]
    assert out["closed_on_time"].tolist()[:4] == [True, False, False, True]
    assert pd.isna(out["closed_on_time"].iloc[4]) and pd.isna(out["closed_on_time"].iloc[5])
    assert "days_to_close" not in requests  # input untouched


def test_compute_by_month_and_group(requests):
    data = add_time_to_close(requests, as_of="2024-03-31")
    measures = [
        Measure("On time", "share", column="closed_on_time", target=0.8),
        Measure("Median days", "median", column="days_to_close", direction="down"),
        Measure("Requests", "count"),
        Measure("Per 1,000", "rate", denominator={"North": 2000, "South": 1000}, per=1000),
    ]
    out = compute_measures(data, measures=measures, by="district")
    # three months (Feb has no requests but still gets a row) x two districts x four measures
    assert len(out) == 3 * 2 * 4
    on_time = out[out["measure"] == "On time"].set_index(["period", "district"])
    jan_north = on_time.loc[(pd.Timestamp("2024-01-01"), "North")]
    # North in January: one closed on time, one open past its 3-day SLA -> 1 / 2
    assert (jan_north["numerator"], jan_north["denominator"], jan_north["value"]) == (1, 2, 0.5)
    assert on_time.loc[(pd.Timestamp("2024-02-01"), "North"), "denominator"] == 0
    assert np.isnan(on_time.loc[(pd.Timestamp("2024-02-01"), "North"), "value"])
    counts = out[out["measure"] == "Requests"].set_index(["period", "district"])["value"]
    assert counts.loc[(pd.Timestamp("2024-02-01"), "South")] == 0
    assert counts.sum() == 6
    rate = out[out["measure"] == "Per 1,000"].set_index(["period", "district"])["value"]
    assert rate.loc[(pd.Timestamp("2024-03-01"), "South")] == pytest.approx(2 / 1000 * 1000)
    assert rate.loc[(pd.Timestamp("2024-01-01"), "North")] == pytest.approx(2 / 2000 * 1000)
    assert set(out.columns) >= {"unit", "direction", "target", "owner"}


def test_formula_share_and_ratio_and_quarterly():
    data = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-04-01", "2024-05-01"]),
            "days": [1.0, 4.0, np.nan, 2.0],
            "sla": [2, 2, 2, 2],
            "fixed": [3, 1, 2, 2],
            "reported": [4, 2, 2, 4],
        }
    )
    measures = [
        Measure("Within SLA", "share", formula="days <= sla"),
        Measure("Fix rate", "ratio", numerator="fixed", denominator="reported", per=100),
        Measure("Mean days", "mean", column="days", direction="down"),
    ]
    out = compute_measures(data, measures=measures, date="date", frequency="quarterly")
    q = out.set_index(["measure", "period"])["value"]
    assert q.loc[("Within SLA", pd.Timestamp("2024-01-01"))] == 0.5
    # the missing duration in Q2 is not counted as late
    assert q.loc[("Within SLA", pd.Timestamp("2024-04-01"))] == 1.0
    assert q.loc[("Fix rate", pd.Timestamp("2024-01-01"))] == pytest.approx(4 / 6 * 100)
    assert q.loc[("Mean days", pd.Timestamp("2024-01-01"))] == 2.5


def test_measure_table_and_status_pipeline(requests):
    data = add_time_to_close(requests, as_of="2024-03-31")
    on_time = Measure("On time", "share", column="closed_on_time", target=0.8, owner="Ops")
    table = compute_measures(data, measures=on_time)
    status = target_status(table, period="period")
    assert status["status"].tolist() == ["missed", "no data", "met"]
    assert measure_table([on_time]).loc[0, "owner"] == "Ops"


def test_bad_measure_definitions():
    with pytest.raises(UnknownNameError, match="median"):
        Measure("x", "medain", column="a")
    with pytest.raises(UnknownNameError, match="not a desired direction"):
        Measure("x", "mean", column="a", direction="better")
    with pytest.raises(CityKitError, match="needs column="):
        Measure("x", "median")
    with pytest.raises(CityKitError, match="needs denominator="):
        Measure("x", "rate")
    with pytest.raises(ArgumentRangeError, match="zero population"):
        Measure("x", "rate", denominator=0)
    with pytest.raises(ColumnTypeError, match="0.8"):
        Measure("x", "share", column="a", target="80%")
    with pytest.raises(UnknownNameError, match="frequency"):
        Measure("x", "count", frequency="fortnightly")


def test_bad_compute_inputs(requests):
    data = add_time_to_close(requests, as_of="2024-03-31")
    with pytest.raises(MissingColumnError, match="Did you mean 'days_to_close'"):
        compute_measures(data, measures=Measure("m", "median", column="days_to_clos"))
    with pytest.raises(ColumnTypeError, match="needs numbers"):
        compute_measures(data, measures=Measure("m", "median", column="district"))
    with pytest.raises(ColumnTypeError, match="yes/no"):
        compute_measures(data, measures=Measure("m", "share", column="sla_days"))
    with pytest.raises(ColumnTypeError, match="must hold dates"):
        compute_measures(data.assign(opened_at="soon"), measures=Measure("m", "count"))
    with pytest.raises(CityKitError, match="no rows"):
        compute_measures(data.iloc[:0], measures=Measure("m", "count"))
    with pytest.raises(CityKitError, match="list of Measure"):
        compute_measures(data, measures=["count"])
    with pytest.raises(CityKitError, match="could not be computed"):
        compute_measures(data, measures=Measure("m", "share", formula="nonsense <= 3"))
    with pytest.raises(CityKitError, match="no denominator for group"):
        compute_measures(
            data, measures=Measure("r", "rate", denominator={"North": 5}), by="district"
        )
    with pytest.raises(CityKitError, match="widen the dates"):
        compute_measures(data, measures=Measure("m", "count"), start="2030-01-01")


def test_no_warnings(requests):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = add_time_to_close(requests)
        compute_measures(
            data,
            measures=[
                Measure("a", "share", column="closed_on_time"),
                Measure("b", "median", column="days_to_close"),
            ],
            by="district",
        )


def test_sample_city_process_change_is_found():
    """The p-chart of Sanitation's monthly on-time share finds the hidden process change."""
    from citykit import datasets
    from citykit.synth.requests311 import PROCESS_CHANGE

    requests = add_time_to_close(datasets.load("service_requests"))
    dept = requests[requests["department"] == PROCESS_CHANGE["department"]]
    monthly = compute_measures(dept, measures=Measure("On time", "share", column="closed_on_time"))
    change = pd.Timestamp(PROCESS_CHANGE["month"] + "-01")
    before_change = change - pd.DateOffset(months=1)
    chart = p_chart(
        monthly,
        numerator="numerator",
        denominator="denominator",
        period="period",
        baseline=("2023-01-01", before_change),
        rules=[1],
    )
    signals = chart.signals
    assert signals["period"].min() == change  # the first signal is the change month
    assert (signals["value"] > chart.centre).all()  # ... and it is an improvement
    after = chart.table[chart.table["period"] >= change]
    assert after["signal"].all()  # it persists: a real process change, not a blip
    # with every Western Electric rule, the sustained shift also completes an 8-month run
    full = p_chart(monthly, numerator="numerator", denominator="denominator", period="period",
                   baseline=("2023-01-01", before_change))  # fmt: skip
    run = full.table[full.table["rules"].str.contains("WE4")]
    assert len(run) and run["period"].min() >= change


def test_frequency_comes_from_the_measures(requests):
    weekly = Measure("Requests", "count", frequency="weekly")
    out = compute_measures(requests, measures=weekly)
    assert out["period"].iloc[0] == pd.Timestamp("2024-01-01")  # a Monday
    assert out["period"].diff().dropna().eq(pd.Timedelta(days=7)).all()
    with pytest.raises(CityKitError, match="different frequencies"):
        compute_measures(requests, measures=[weekly, Measure("All", "count")])
    assert len(
        compute_measures(requests, measures=[weekly, Measure("All", "count")], frequency="monthly")
    )


def test_requests_per_1000_residents_by_district_on_the_sample_city():
    from citykit import datasets
    from citykit.synth._core import RIVERTON

    requests = datasets.load("service_requests")
    population = dict(zip(RIVERTON.districts, RIVERTON.district_population, strict=True))
    rate = Measure("Requests per 1,000 residents", "rate", denominator=population, per=1000,
                   unit="requests per 1,000 residents", direction="down")  # fmt: skip
    located = requests[requests["district"].notna()]
    out = compute_measures(located, measures=rate, by="district")
    assert len(out) == 24 * 12
    # hand check one cell: Harbor in March 2024
    march = located[(located["district"] == "Harbor")
                    & (located["opened_at"].dt.strftime("%Y-%m") == "2024-03")]  # fmt: skip
    cell = out[(out["district"] == "Harbor") & (out["period"] == "2024-03-01")]
    assert cell["value"].item() == pytest.approx(len(march) / 16_300 * 1000)
    with pytest.raises(CityKitError, match="no denominator for group"):
        compute_measures(requests, measures=rate, by="district")  # requests with no district
    with pytest.raises(CityKitError, match="drop them first"):
        compute_measures(requests, measures=rate, by="district")


def test_more_bad_inputs(requests):
    from citykit.performance import describe_rule

    with pytest.raises(UnknownNameError, match="code"):
        describe_rule("WE9")
    with pytest.raises(MissingColumnError, match="closed_at"):
        add_time_to_close(requests.drop(columns="closed_at"))
    with pytest.raises(ColumnTypeError, match="opened_at.*must hold dates.*yesterday"):
        add_time_to_close(requests.assign(opened_at="yesterday"))
    with pytest.raises(ColumnTypeError, match="numbers of days"):
        add_time_to_close(requests.assign(sla_days="two"))
    with pytest.raises(CityKitError, match="expects Measure objects"):
        measure_table(["On time"])
    with pytest.raises(CityKitError, match="list of Measure"):
        compute_measures(requests, measures=[])


def test_a_median_shows_how_many_missing_values_it_left_out():
    """Issue 17: requests still open have no days_to_close; the result counts them per cell."""
    requests = pd.DataFrame(
        {
            "opened_at": pd.to_datetime(
                ["2024-01-03", "2024-01-09", "2024-01-20", "2024-02-01", "2024-02-02"]
            ),
            "days_to_close": [1.0, np.nan, np.nan, 2.0, 4.0],
            "sla_days": [3, 3, 3, 3, np.nan],
            "department": ["Parks", "Parks", "Roads", "Parks", "Roads"],
        }
    )
    measures = [
        Measure("Median days", "median", column="days_to_close"),
        Measure("Mean days", "mean", column="days_to_close"),
        Measure("On time", "share", formula="days_to_close <= sla_days"),
        Measure("Closed", "count", column="days_to_close"),
        Measure("Requests", "count"),
    ]
    out = compute_measures(requests, measures=measures, by="department")
    cells = out.set_index(["measure", "period", "department"])
    jan, feb = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")
    for name in ("Median days", "Mean days", "On time", "Closed"):
        assert cells.loc[(name, jan, "Parks"), "left_out"] == 1
        assert cells.loc[(name, jan, "Roads"), "left_out"] == 1
        assert cells.loc[(name, feb, "Parks"), "left_out"] == 0
    assert cells.loc[("Median days", jan, "Parks"), "denominator"] == 1  # values used
    assert cells.loc[("On time", feb, "Roads"), "left_out"] == 1  # no service level
    assert cells.loc[("Median days", feb, "Roads"), "left_out"] == 0
    assert (cells.xs("Requests")["left_out"] == 0).all()
    assert any("'Median days': 2 event(s) have no value" in n for n in out.attrs["notes"])
    # every event is either used or left out
    used_or_left = cells.xs("Median days")[["denominator", "left_out"]].sum(axis=1)
    assert used_or_left.groupby(level="period").sum().tolist() == [3.0, 2.0]


def test_left_out_counts_a_missing_numerator_or_denominator():
    data = pd.DataFrame(
        {
            "opened_at": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-01-20"]),
            "cost": [10.0, np.nan, 30.0],
            "miles": [1.0, 2.0, np.nan],
        }
    )
    ratio = Measure("Cost per mile", "ratio", numerator="cost", denominator="miles")
    out = compute_measures(data, measures=ratio)
    assert out["left_out"].tolist() == [2.0]
