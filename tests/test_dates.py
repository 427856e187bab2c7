"""The toolkit's one reader of dates and periods (citykit._dates)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from citykit._dates import order_periods, parse_dates, period_sort_key, to_dates
from citykit.errors import CityKitError, UnknownNameError


def test_mixed_iso_and_us_am_pm_are_both_read():
    values = pd.Series(["2024-01-31 08:00:00", "04/18/2019 09:55:45 PM", "04/18/2019 12:05:00 AM"])
    got = to_dates(values).tolist()
    assert got == [
        pd.Timestamp("2024-01-31 08:00"),
        pd.Timestamp("2019-04-18 21:55:45"),
        pd.Timestamp("2019-04-18 00:05"),
    ]


def test_excel_serial_days_text_and_numbers():
    assert to_dates(pd.Series(["45322"])).tolist() == [pd.Timestamp("2024-01-31")]
    assert to_dates(pd.Series([45322.5])).tolist() == [pd.Timestamp("2024-01-31 12:00")]


def test_format_is_chosen_per_column():
    values = pd.Series(["03/04/2024"])
    assert to_dates(values, format="dmy").tolist() == [pd.Timestamp("2024-04-03")]
    assert to_dates(values, format="mdy").tolist() == [pd.Timestamp("2024-03-04")]
    # an ISO-only column refuses US dates instead of guessing
    with pytest.raises(CityKitError):
        to_dates(values, format="iso")
    with pytest.raises(UnknownNameError, match="format='US'"):
        to_dates(values, format="US")


def test_ambiguity_is_reported_not_hidden():
    report = parse_dates(pd.Series(["03/04/2024", "12/25/2024", "2024-01-01"]), column="opened")
    assert report.ambiguous == 1
    assert report.values.dt.month.tolist() == [3, 12, 1]
    assert any("format='dmy'" in note for note in report.notes())
    assert parse_dates(pd.Series(["12/25/2024"])).ambiguous == 0


def test_unreadable_values_are_counted_with_examples_never_silent():
    values = pd.Series(["2024-01-31", "02/30/2024", "2024-13-01", "soon", "", None])
    report = parse_dates(values, column="closed_at")
    assert (report.unparsed, report.missing) == (3, 2)
    assert report.examples == ("02/30/2024", "2024-13-01", "soon")
    with pytest.raises(CityKitError, match=r"'closed_at'.*3 of 6.*'02/30/2024'"):
        to_dates(values, column="closed_at", argument="requests")


def test_legitimate_datetime_inputs_give_identical_values():
    naive = pd.Series(pd.date_range("2024-03-09 22:00", periods=4, freq="h"))
    aware = naive.dt.tz_localize("America/New_York")
    expected = naive.tolist()
    assert to_dates(aware).tolist() == expected  # the city's wall-clock time
    assert (
        to_dates(
            aware.astype(
                pd.ArrowDtype(__import__("pyarrow").timestamp("ns", tz="America/New_York"))
            )
        ).tolist()
        == expected
    )
    assert to_dates(naive.astype("timestamp[us][pyarrow]")).tolist() == expected
    text = naive.dt.strftime("%Y-%m-%d %H:%M:%S")
    assert to_dates(text.astype("string[pyarrow]")).tolist() == expected
    assert to_dates(text.astype("category")).tolist() == expected
    assert to_dates(pd.Series([dt.date(2024, 3, 9)], dtype=object)).tolist() == [
        pd.Timestamp("2024-03-09")
    ]
    assert to_dates(pd.Series(["2024-03-09T22:00:00-05:00"])).tolist() == expected[:1]


def test_periods_sort_in_time_not_alphabetically():
    labels = pd.Series(["01/01/2024", "11/01/2023", "02/01/2024", "12/01/2023"])
    ordered = labels.iloc[order_periods(labels)].tolist()
    assert ordered == ["11/01/2023", "12/01/2023", "01/01/2024", "02/01/2024"]
    assert sorted(labels) != ordered  # the alphabetical order is wrong, so this discriminates
    weeks = pd.Series(["Week 10", "Week 2", "Week 1"])
    assert weeks.iloc[order_periods(weeks)].tolist() == ["Week 1", "Week 2", "Week 10"]
    months = pd.Series(pd.period_range("2024-01", periods=3, freq="M")[::-1])
    assert order_periods(months).tolist() == [2, 1, 0]
    assert order_periods(pd.Series([3, 1, 2], dtype="Int64")).tolist() == [1, 2, 0]
    key = period_sort_key(pd.Series(pd.date_range("2024-01-01", periods=2, tz="UTC")))
    assert key.dtype == np.dtype("datetime64[ns]")


def test_docstring_examples():
    import doctest

    from citykit import _dates

    result = doctest.testmod(_dates, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 5
