"""The fast path of compute_measures gives exactly what the groupby path gives.

Shares of a yes/no column or of a simple comparison formula are counted with numpy
(``np.bincount`` on integer codes of period and group); medians, means, sums and counts group by
those integer codes instead of the key columns. These tests pin that the answers are the same as
the general ``groupby`` path and as a plain pandas computation, on small frames with missing
values, unused categories, rows without a group and missing service levels.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from citykit.errors import CityKitError, ColumnTypeError
from citykit.performance import Measure, compute_measures
from citykit.performance import _fast_groupby as _fast
from citykit.performance import measures as measures_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _general(monkeypatch, *args, **kwargs) -> pd.DataFrame:
    """compute_measures with the fast share path switched off."""
    with monkeypatch.context() as patch:
        patch.setattr(measures_module, "_aggregate_by_codes", lambda *a, **k: None)
        return compute_measures(*args, **kwargs)


@pytest.fixture
def events():
    rng = np.random.default_rng(7)
    n = 400
    opened = pd.Timestamp("2023-11-20") + pd.to_timedelta(rng.uniform(0, 150, n), unit="D")
    days = rng.gamma(2.0, 3.0, n)
    days[rng.random(n) < 0.1] = np.nan
    sla = pd.array(rng.choice([2, 5, 10], n), dtype="Int64")
    sla[rng.random(n) < 0.1] = pd.NA
    department = pd.Categorical(
        rng.choice(["Parks", "Sanitation", "Water"], n),
        categories=["Water", "Parks", "Sanitation", "Never used"],
    )
    department[rng.random(n) < 0.05] = np.nan
    district = rng.choice(["North", "South", "East"], n).astype(object)
    district[rng.random(n) < 0.05] = None
    # a department that only appears from February on (its first months must stay missing)
    late = (opened >= pd.Timestamp("2024-02-01")) & (rng.random(n) < 0.1)
    department = pd.Categorical(department, categories=[*department.categories, "Late"])
    department[late] = "Late"
    return pd.DataFrame(
        {
            "opened_at": opened,
            "days_to_close": days,
            "sla_days": sla,
            "department": department,
            "district": district,
            "closed_on_time": pd.array(
                np.where(rng.random(n) < 0.1, None, rng.random(n) < 0.7), dtype="boolean"
            ),
            "flag": (rng.random(n) < 0.4).astype(int),
            "ward": rng.choice([1.0, 2.0, np.nan], n),
        }
    )


SHARES = [
    Measure("On time", "share", formula="days_to_close <= sla_days"),
    Measure("Quick", "share", formula="days_to_close < 3"),
    Measure("Slow", "share", formula=" 10.5 <= days_to_close "),
    Measure("Same", "share", formula="sla_days == 5"),
    Measure("On time (column)", "share", column="closed_on_time"),
    Measure("Flagged", "share", column="flag"),
    Measure("Long formula", "share", formula="(days_to_close <= sla_days) & (flag == 1)"),
]
OTHERS = [
    Measure("Median", "median", column="days_to_close"),
    Measure("Mean late", "mean", formula="days_to_close - sla_days"),
    Measure("Total", "sum", column="days_to_close"),
    Measure("Rows", "count"),
    Measure("Closed", "count", column="days_to_close"),
    Measure("Rate", "rate", denominator=1000, per=100),
]


@pytest.mark.parametrize(
    "group", [None, "department", "district", "ward", ["district", "department"]]
)
@pytest.mark.parametrize("frequency", ["daily", "weekly", "monthly", "quarterly"])
def test_fast_path_equals_groupby(events, monkeypatch, group, frequency):
    kwargs = {"by": group, "frequency": frequency}
    fast = compute_measures(events, measures=SHARES + OTHERS, **kwargs)
    general = _general(monkeypatch, events, measures=SHARES + OTHERS, **kwargs)
    pd.testing.assert_frame_equal(fast, general, check_exact=True)


def test_fast_path_with_dates(events, monkeypatch):
    measures = [*SHARES[:2], *OTHERS]
    kwargs = {"by": "department", "start": "2023-12-15", "end": "2024-03-31 12:00"}
    fast = compute_measures(events, measures=measures, **kwargs)
    pd.testing.assert_frame_equal(
        fast, _general(monkeypatch, events, measures=measures, **kwargs), check_exact=True
    )
    assert fast["period"].min() == pd.Timestamp("2023-12-01")


def test_fast_share_equals_plain_pandas(events):
    out = compute_measures(events, measures=SHARES[0], by="department")
    data = events.assign(period=events["opened_at"].dt.to_period("M").dt.start_time)
    known = data["days_to_close"].notna() & data["sla_days"].notna()
    data["v"] = (data["days_to_close"] <= data["sla_days"].astype(float)).astype(float)
    data.loc[~known, "v"] = np.nan
    # a row without a department is still an event: it is counted in a "(missing)" group
    blank = data["department"].isna()
    data["department"] = data["department"].astype(object).where(~blank, "(missing)")
    expected = data.groupby(["period", "department"], observed=True, dropna=False)["v"].agg(
        ["sum", "count"]
    )
    got = out.set_index(["period", "department"])
    for (period, department), row in expected.iterrows():
        cell = got.loc[(period, department)]
        assert cell["numerator"] == row["sum"]
        assert cell["denominator"] == row["count"]
        if row["count"]:
            assert cell["value"] == row["sum"] / row["count"]
        else:
            assert np.isnan(cell["value"])
    # every month for every department seen (unused categories never appear); the late
    # department is missing (not zero) before it starts, and so are all-missing cells
    assert set(got.index.get_level_values("department")) == {
        "Water",
        "Parks",
        "Sanitation",
        "Late",
        "(missing)",
    }
    late = got.xs("Late", level="department")
    assert late.loc[pd.Timestamp("2023-12-01"), "denominator"] == 0
    assert np.isnan(late.loc[pd.Timestamp("2023-12-01"), "value"])


def test_missing_sla_is_unknown_not_late():
    data = pd.DataFrame(
        {
            "opened_at": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-02-01"]),
            "days_to_close": [1.0, 9.0, np.nan, 2.0],
            "sla_days": pd.array([2, pd.NA, 2, 2], dtype="Int64"),
            "department": ["A", "A", "A", None],
        }
    )
    out = compute_measures(data, measures=SHARES[0], by="department")
    values = out.set_index(["period", "department"])
    assert values.loc[(pd.Timestamp("2024-01-01"), "A"), "denominator"] == 1
    assert values.loc[(pd.Timestamp("2024-01-01"), "A"), "value"] == 1.0
    assert len(out) == 4  # two months x (A, no department)


@pytest.mark.parametrize("group", [[], ["department"], ["district"], ["ward", "department"]])
def test_fast_aggregate_has_the_groupby_index(events, group):
    frame = events.assign(_when=events["opened_at"])
    codes, starts = _fast.period_codes(frame["_when"], "M")
    frame = frame.assign(period=starts[codes])
    keys = ["period", *group]
    for measure in SHARES + OTHERS[:-1]:
        fast = measures_module._aggregate(measure, frame, keys, group, periods=(codes, starts))
        general = measures_module._aggregate(measure, frame, keys, group)
        pd.testing.assert_frame_equal(fast, general, check_exact=True, check_index_type=True)


@pytest.mark.filterwarnings("ignore:Converting to PeriodArray")
def test_period_codes_match_period_start():
    when = pd.Series(
        pd.to_datetime(
            [
                "1969-12-31 23:59:59",
                "1970-01-01 00:00:00",
                "1900-02-28 13:00:00",
                "2024-02-29 23:00:00",
            ]
            + ["2024-12-30 08:00:00", "2025-01-05 00:00:00", "2023-06-30 12:34:56"]
        )
    )
    for alias in ("D", "W", "M", "Q", "Y"):
        codes, starts = _fast.period_codes(when, alias)
        expected = _fast.period_start(when, alias)
        np.testing.assert_array_equal(starts[codes], expected.to_numpy())
        assert list(starts) == sorted(set(starts))
    aware = when.dt.tz_localize("America/Chicago")
    codes, starts = _fast.period_codes(aware, "W")
    np.testing.assert_array_equal(starts[codes], _fast.period_start(aware, "W").to_numpy())


def test_fast_formula_errors_and_fallbacks_are_unchanged(events):
    with pytest.raises(CityKitError, match="could not be computed"):
        compute_measures(
            events, measures=Measure("Bad", "share", formula="days_to_close <= nowhere")
        )
    with pytest.raises(ColumnTypeError, match="must be yes/no"):
        compute_measures(events, measures=Measure("Bad", "share", column="days_to_close"))
    # labels that cannot be sorted are left to groupby
    mixed = events.assign(district=events["district"].where(events.index % 2 == 0, 3))
    out = compute_measures(mixed, measures=SHARES[0], by="district")
    assert set(out["district"].dropna()) >= {3}


# --- generated frames: the fast group-by equals the pandas path on any events table -------------

EXAMPLES = {"ci": 25, "dev": 300}[os.environ.get("CITYKIT_HYPOTHESIS_PROFILE", "ci")]
LABELS = st.sampled_from(["North", "South", "East", None])


@st.composite
def event_tables(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    day = st.integers(min_value=0, max_value=400)
    number = st.one_of(st.none(), st.floats(min_value=-50, max_value=50, allow_nan=False, width=32))
    opened = pd.Timestamp("2023-12-25") + pd.to_timedelta(
        draw(st.lists(day, min_size=n, max_size=n)), unit="D"
    )
    days = np.array(draw(st.lists(number, min_size=n, max_size=n)), dtype=float)
    sla = pd.array(draw(st.lists(st.sampled_from([2, 5, None]), min_size=n, max_size=n)),
                   dtype="Int64")  # fmt: skip
    district = np.array(draw(st.lists(LABELS, min_size=n, max_size=n)), dtype=object)
    kind = draw(st.sampled_from(["object", "category", "string", "float"]))
    if kind == "category":
        district = pd.Categorical(district, categories=["South", "North", "East", "Unused"])
    elif kind == "string":
        district = pd.array(district, dtype="string")
    elif kind == "float":  # numeric labels (ward numbers) with missing ones
        district = pd.Series(district).map({"North": 1.0, "South": 2.0, "East": 3.0}).to_numpy()
    return pd.DataFrame(
        {"opened_at": opened, "days_to_close": days, "sla_days": sla, "district": district}
    )


GENERATED = [
    Measure("On time", "share", formula="days_to_close <= sla_days"),
    Measure("Quick", "share", formula="days_to_close < 3"),
    Measure("Median", "median", column="days_to_close"),
    Measure("Mean", "mean", column="days_to_close"),
    Measure("Total", "sum", column="days_to_close"),
    Measure("Rows", "count"),
    Measure("Closed", "count", column="days_to_close"),
]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    events=event_tables(),
    by=st.sampled_from([None, "district"]),
    frequency=st.sampled_from(["daily", "weekly", "monthly", "quarterly", "yearly"]),
)
def test_generated_tables_give_the_same_answer_on_both_paths(monkeypatch, events, by, frequency):
    kwargs = {"measures": GENERATED, "by": by, "frequency": frequency}
    fast = compute_measures(events, **kwargs)
    general = _general(monkeypatch, events, **kwargs)
    pd.testing.assert_frame_equal(fast, general, check_exact=True)


def test_the_fast_path_is_taken(events, monkeypatch):
    """The equivalence tests above compare two different computations, not one with itself."""
    calls = []
    real = _fast.aggregate_by_codes

    def counting(*args, **kwargs):
        calls.append(kwargs["statistic"])
        return real(*args, **kwargs)

    monkeypatch.setattr(_fast, "aggregate_by_codes", counting)
    compute_measures(events, measures=SHARES[:1] + OTHERS[:1], by="department")
    assert calls == ["share", "median"]


def test_a_wrong_fast_statistic_would_be_caught(events, monkeypatch):
    """Were the fast path to count a missing value as known, the comparison would fail."""
    real = _fast.aggregate_by_codes

    def wrong(*args, values, **kwargs):
        return real(*args, values=lambda: np.nan_to_num(values(), nan=0.0), **kwargs)

    general = _general(monkeypatch, events, measures=SHARES[0], by="department")
    monkeypatch.setattr(_fast, "aggregate_by_codes", wrong)
    fast = compute_measures(events, measures=SHARES[0], by="department")
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(fast, general, check_exact=True)
