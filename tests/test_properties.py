"""Property tests of the public API on frames generated from each table's schema.

Frames are drawn from the Table Schema of a sample-city table (``citykit.datasets.schema``): each
field's type and allowed values give its values. Each frame is then changed the way city exports
change it: Arrow backing, nullable dtypes, categoricals, timezone-aware datetimes, dates written
as US text or in two formats, numbers as text, missing labels, values that are not dates,
infinity. Every call must either give what a plain reference computation (pandas/numpy, written
here without the toolkit) gives, or raise ``CityKitError`` — never a raw exception, never a
silent wrong value.

The example count is bounded by a Hypothesis profile: ``ci`` (the default, a few seconds per
test) or ``dev`` (more examples); choose with ``CITYKIT_HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from citykit import contracting, datasets, evaluation, opendata, performance
from citykit._dates import parse_dates, to_dates
from citykit.errors import CityKitError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

settings.register_profile(
    "ci",
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("CITYKIT_HYPOTHESIS_PROFILE", "ci"))
TZ = "America/New_York"

# --------------------------------------------------------------------------------------------
# frames from a table's schema
# --------------------------------------------------------------------------------------------

STAMPS = st.datetimes(
    min_value=pd.Timestamp("2022-01-01").to_pydatetime(),
    max_value=pd.Timestamp("2024-12-31").to_pydatetime(),
).map(lambda d: pd.Timestamp(d).floor("s"))


def _field_values(field: dict, n: int):
    enum = field.get("constraints", {}).get("enum")
    kind = field["type"]
    if enum:
        return st.lists(st.sampled_from(enum), min_size=n, max_size=n)
    if kind == "integer":
        return st.lists(st.integers(0, 60), min_size=n, max_size=n)
    if kind == "number":
        return st.lists(
            st.floats(0, 1000, allow_nan=False).map(lambda v: round(v, 2)), min_size=n, max_size=n
        )
    if kind in ("datetime", "date"):
        return st.lists(STAMPS, min_size=n, max_size=n)
    if kind == "boolean":
        return st.lists(st.booleans(), min_size=n, max_size=n)
    return st.lists(st.sampled_from(["a", "b", "c", "North", "South"]), min_size=n, max_size=n)


@st.composite
def schema_frames(draw, name: str, *, min_rows: int = 3, max_rows: int = 30):
    """A frame with the columns and types of ``name``'s Table Schema."""
    fields = datasets.schema(name)["schema"]["fields"]
    n = draw(st.integers(min_rows, max_rows))
    data = {}
    for field in fields:
        values = draw(_field_values(field, n))
        if field["type"] in ("datetime", "date"):
            data[field["name"]] = pd.to_datetime(pd.Series(values))
        else:
            data[field["name"]] = values
    return pd.DataFrame(data)


# --------------------------------------------------------------------------------------------
# how exports change a frame
# --------------------------------------------------------------------------------------------


def _dates(frame):
    return [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]


def _texts(frame):
    return [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)
    ]


def _as_text(series, fmt):
    return series.dt.strftime(fmt).astype(object).where(series.notna(), None)


LEGIT = {
    "arrow": lambda d: d.convert_dtypes(dtype_backend="pyarrow"),
    "nullable": lambda d: d.convert_dtypes(),
    "categorical": lambda d: d.astype({c: "category" for c in _texts(d)}),
    "tz_aware": lambda d: d.assign(**{c: d[c].dt.tz_localize(TZ) for c in _dates(d)}),
    "us_text_dates": lambda d: d.assign(
        **{c: _as_text(d[c], "%m/%d/%Y %I:%M:%S %p") for c in _dates(d)}
    ),
    "mixed_text_dates": lambda d: d.assign(
        **{
            c: _as_text(d[c], "%Y-%m-%d %H:%M:%S").where(
                np.arange(len(d)) % 2 == 0, _as_text(d[c], "%m/%d/%Y %I:%M:%S %p")
            )
            for c in _dates(d)
        }
    ),
}


def _legit(frame, names):
    out = frame
    for name in names:
        out = LEGIT[name](out)
    return out


def _mutation_names():
    # tz_aware and text dates exclude each other (text has no zone)
    return st.sampled_from(
        [
            (),
            ("arrow",),
            ("nullable",),
            ("categorical",),
            ("tz_aware",),
            ("us_text_dates",),
            ("mixed_text_dates",),
            ("categorical", "arrow"),
            ("tz_aware", "arrow"),
            ("mixed_text_dates", "nullable"),
        ]
    )


def _tz_hole(frame):
    """Wall-clock times that do not exist in New York (spring forward) cannot be tz-aware."""
    for c in _dates(frame):
        try:
            frame[c].dt.tz_localize(TZ, nonexistent="raise", ambiguous="raise")
        except Exception:
            return True
    return False


# --------------------------------------------------------------------------------------------
# service requests: add_time_to_close against a plain computation
# --------------------------------------------------------------------------------------------


def _reference_time_to_close(frame, as_of):
    opened, closed = frame["opened_at"], frame["closed_at"]
    days = (closed - opened).dt.total_seconds() / 86400.0
    days = days.where(days >= 0)
    cancelled = frame["status"].eq("Cancelled")
    is_open = closed.isna() & ~cancelled
    on_time = []
    for i in range(len(frame)):
        if cancelled.iloc[i]:
            on_time.append(None)
        elif not is_open.iloc[i]:
            on_time.append(
                None if pd.isna(days.iloc[i]) else bool(days.iloc[i] <= frame["sla_days"].iloc[i])
            )
        else:
            age = (as_of - opened.iloc[i]).total_seconds() / 86400.0
            on_time.append(False if age > frame["sla_days"].iloc[i] else None)
    return days, is_open, on_time


@PROFILE
@given(frame=schema_frames("service_requests"), changes=_mutation_names(), data=st.data())
def test_add_time_to_close_matches_a_plain_computation(frame, changes, data):
    # some requests still open: closed_at missing
    open_rows = data.draw(st.lists(st.booleans(), min_size=len(frame), max_size=len(frame)))
    frame["closed_at"] = frame["closed_at"].where(~np.array(open_rows))
    if "tz_aware" in changes and _tz_hole(frame):
        return
    as_of = pd.Timestamp("2025-01-01")
    days, is_open, on_time = _reference_time_to_close(frame, as_of)
    got = performance.add_time_to_close(_legit(frame, changes), as_of=as_of)
    np.testing.assert_allclose(
        got["days_to_close"].to_numpy(dtype=float), days.to_numpy(dtype=float), equal_nan=True
    )
    assert got["is_open"].tolist() == is_open.tolist()
    assert [None if pd.isna(v) else bool(v) for v in got["closed_on_time"]] == on_time


@PROFILE
@given(frame=schema_frames("service_requests"), where=st.integers(0, 29))
def test_add_time_to_close_refuses_text_that_is_not_a_date(frame, where):
    text = _as_text(frame["closed_at"], "%Y-%m-%d %H:%M:%S")
    text.iloc[where % len(frame)] = "see notes"
    with pytest.raises(CityKitError, match="'closed_at'.*see notes"):
        performance.add_time_to_close(frame.assign(closed_at=text), as_of="2025-01-01")


# --------------------------------------------------------------------------------------------
# dates: every format reads back to the same instant
# --------------------------------------------------------------------------------------------


@PROFILE
@given(stamps=st.lists(STAMPS, min_size=1, max_size=20))
def test_dates_written_any_way_read_back_the_same(stamps):
    truth = pd.Series(pd.to_datetime(stamps))
    for fmt in ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S"):
        assert (
            to_dates(truth.dt.strftime(fmt), format="mdy" if "%m/" in fmt else "auto").tolist()
            == truth.tolist()
        )
    days = (truth - pd.Timestamp("1899-12-30")).dt.total_seconds() / 86400.0
    back = to_dates(days, format="excel")
    assert ((back - truth).abs() < pd.Timedelta("1ms")).all()
    assert to_dates(truth.dt.tz_localize("UTC")).tolist() == truth.tolist()
    report = parse_dates(pd.concat([truth.dt.strftime("%Y-%m-%d"), pd.Series(["n/a"])]))
    assert report.unparsed == 1 and report.examples == ("n/a",)


# --------------------------------------------------------------------------------------------
# control charts: centre and sigma from the values in time order
# --------------------------------------------------------------------------------------------


@st.composite
def monthly_series(draw):
    n = draw(st.integers(4, 24))
    start = draw(st.sampled_from(pd.date_range("2019-01-01", periods=60, freq="MS").tolist()))
    values = draw(
        st.lists(
            st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 3)), min_size=n, max_size=n
        )
    )
    return pd.DataFrame({"month": pd.date_range(start, periods=n, freq="MS"), "value": values})


PERIOD_FORMS = {
    "datetime": lambda m: m,
    "us_text": lambda m: m.dt.strftime("%m/%d/%Y"),
    "iso_text": lambda m: m.dt.strftime("%Y-%m-%d"),
    "tz_aware": lambda m: m.dt.tz_localize("Europe/Paris"),
    "arrow": lambda m: m.astype("timestamp[ns][pyarrow]"),
    "period": lambda m: m.dt.to_period("M"),
}


@PROFILE
@given(series=monthly_series(), form=st.sampled_from(sorted(PERIOD_FORMS)), seed=st.integers(0, 99))
def test_xmr_chart_centre_and_sigma_in_time_order(series, form, seed):
    values = series["value"].to_numpy()
    if np.ptp(values) == 0:
        return
    centre = values.mean()
    sigma = np.abs(np.diff(values)).mean() / 1.128
    shuffled = series.assign(month=PERIOD_FORMS[form](series["month"])).sample(
        frac=1, random_state=seed
    )
    try:
        chart = performance.xmr_chart(shuffled, value="value", period="month")
    except CityKitError:
        return  # e.g. no variation in the moving ranges
    assert chart.centre == pytest.approx(centre)
    assert chart.sigma == pytest.approx(sigma, rel=1e-3)
    assert chart.table["value"].tolist() == pytest.approx(values.tolist())


@PROFILE
@given(
    series=monthly_series(),
    where=st.integers(0, 23),
    bad=st.sampled_from([np.inf, -np.inf, np.nan]),
)
def test_xmr_chart_never_charts_infinity_and_reports_gaps(series, where, bad):
    series.loc[where % len(series), "value"] = bad
    try:
        chart = performance.xmr_chart(series, value="value", period="month")
    except CityKitError:
        assert not np.isnan(bad)  # infinity must be refused
        return
    assert np.isnan(bad)
    assert np.isfinite(chart.centre)
    assert any("no value" in n for n in chart.notes)


@PROFILE
@given(
    counts=st.lists(st.tuples(st.integers(0, 50), st.integers(1, 50)), min_size=3, max_size=20),
    form=st.sampled_from(sorted(PERIOD_FORMS)),
)
def test_p_chart_centre_is_the_pooled_proportion(counts, form):
    num = [min(a, b) for a, b in counts]
    den = [b for _, b in counts]
    months = pd.Series(pd.date_range("2023-01-01", periods=len(counts), freq="MS"))
    data = pd.DataFrame({"month": PERIOD_FORMS[form](months), "num": num, "den": den})
    chart = performance.p_chart(
        data.iloc[::-1].convert_dtypes(dtype_backend="pyarrow"),
        numerator="num",
        denominator="den",
        period="month",
    )
    assert chart.centre == pytest.approx(sum(num) / sum(den))
    assert chart.table["value"].tolist() == pytest.approx(
        [a / b for a, b in zip(num, den, strict=True)]
    )


# --------------------------------------------------------------------------------------------
# open data: counts keep every record
# --------------------------------------------------------------------------------------------


@PROFILE
@given(frame=schema_frames("service_requests"), changes=_mutation_names(), data=st.data())
def test_count_table_counts_every_record(frame, changes, data):
    holes = data.draw(st.lists(st.booleans(), min_size=len(frame), max_size=len(frame)))
    frame["district"] = frame["district"].where(~np.array(holes))
    reference = frame.fillna({"district": "(missing)"}).groupby(["district", "channel"]).size()
    if "tz_aware" in changes and _tz_hole(frame):
        return
    table = opendata.count_table(_legit(frame, changes), rows="district", columns="channel")
    stacked = table.stack()
    stacked = stacked[stacked > 0]
    assert int(table.to_numpy().sum()) == len(frame)
    assert {(str(r), str(c)): int(v) for (r, c), v in stacked.items()} == {
        (str(r), str(c)): int(v) for (r, c), v in reference.items()
    }


@PROFILE
@given(frame=schema_frames("portal_usage", min_rows=2, max_rows=20), changes=_mutation_names())
def test_monthly_usage_sums_like_groupby(frame, changes):
    if "tz_aware" in changes and _tz_hole(frame):
        return
    month = frame["month"].dt.to_period("M").dt.to_timestamp()
    reference = frame.assign(month=month).groupby(["identifier", "month"])["views"].sum()
    got = opendata.monthly_usage(_legit(frame, changes)).set_index(["identifier", "month"])
    got.index = got.index.set_levels(
        [got.index.levels[0].astype(str), pd.to_datetime(got.index.levels[1])]
    )
    assert int(got["views"].sum()) == int(frame["views"].sum())
    for key, value in reference.items():
        assert int(got.loc[(str(key[0]), key[1]), "views"]) == int(value)


# --------------------------------------------------------------------------------------------
# evaluation: balance on numbers stored as text, numpy scalars as arguments
# --------------------------------------------------------------------------------------------


@PROFILE
@given(frame=schema_frames("bill_reminder_trial", min_rows=12, max_rows=40), as_text=st.booleans())
def test_balance_table_reads_numbers_written_as_text(frame, as_text):
    frame["arm"] = ["control", "letter"] * (len(frame) // 2) + ["control"] * (len(frame) % 2)
    covariates = ["balance_usd", "prior_late_payments"]
    expected = evaluation.balance_table(frame, covariates=covariates, control="control").table
    changed = frame.assign(**{c: frame[c].astype(str) for c in covariates}) if as_text else frame
    try:
        got = evaluation.balance_table(changed, covariates=covariates, control="control").table
    except CityKitError:
        return
    assert len(got) == len(expected) == 2
    np.testing.assert_allclose(
        got["smd"].to_numpy(dtype=float), expected["smd"].to_numpy(dtype=float), equal_nan=True
    )
    t = frame.loc[frame["arm"] == "letter", "balance_usd"]
    c = frame.loc[frame["arm"] == "control", "balance_usd"]
    pooled = np.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2)
    if pooled > 0:
        assert expected["smd"].iloc[0] == pytest.approx((t.mean() - c.mean()) / pooled, rel=1e-6)


@PROFILE
@given(p=st.floats(0.05, 0.9), lift=st.floats(0.01, 0.09), n=st.integers(20, 2000))
def test_power_takes_numpy_scalars_like_floats(p, lift, n):
    expected = evaluation.power_two_proportions(control_rate=p, treated=p + lift, n_per_arm=n)
    got = evaluation.power_two_proportions(
        control_rate=np.float64(p),
        treated=np.float64(p + lift),
        n_per_arm=np.int64(n),
        alpha=np.float32(0.05),
    )
    assert got == pytest.approx(expected, rel=1e-5)


# --------------------------------------------------------------------------------------------
# contracting: HMIS outcomes on changed exports of a sample of the enrollments
# --------------------------------------------------------------------------------------------

ENROLLMENTS = datasets.load("hmis_enrollments")


@st.composite
def enrollment_samples(draw):
    size = draw(st.integers(20, 200))
    seed = draw(st.integers(0, 10_000))
    return ENROLLMENTS.sample(size, random_state=seed).reset_index(drop=True)


@PROFILE
@given(frame=enrollment_samples(), changes=_mutation_names(), holes=st.integers(0, 5))
def test_hmis_outcomes_identical_on_legitimate_exports_and_count_every_exit(frame, changes, holes):
    kw = {"start": "2023-01-01", "end": "2024-12-31"}
    expected = contracting.exits_to_permanent_housing(frame, **kw)
    if "tz_aware" in changes and _tz_hole(frame):
        return
    got = contracting.exits_to_permanent_housing(_legit(frame, changes), **kw)
    pd.testing.assert_frame_equal(
        got.astype({"provider_id": str}), expected.astype({"provider_id": str}), check_dtype=False
    )
    if holes:
        no_provider = frame.assign(
            provider_id=frame["provider_id"].where(np.arange(len(frame)) % (holes + 1) != 0)
        )
        counted = contracting.exits_to_permanent_housing(no_provider, **kw)
        assert counted["exits"].sum() == expected["exits"].sum()
        assert counted["permanent_exits"].sum() == expected["permanent_exits"].sum()


# --------------------------------------------------------------------------------------------
# never a raw exception
# --------------------------------------------------------------------------------------------

BAD = {
    "missing_labels": lambda d: d.assign(
        **{c: d[c].where(np.arange(len(d)) % 3 != 0) for c in _texts(d)}
    ),
    "bad_dates": lambda d: d.assign(
        **{
            c: _as_text(d[c], "%Y-%m-%d").where(np.arange(len(d)) % 4 != 1, "unknown")
            for c in _dates(d)
        }
    ),
    "numbers_as_text": lambda d: d.assign(
        **{
            c: d[c].astype(str)
            for c in d.columns
            if pd.api.types.is_numeric_dtype(d[c]) and not pd.api.types.is_bool_dtype(d[c])
        }
    ),
    "empty": lambda d: d.iloc[:0],
}

CALLS = {
    "add_time_to_close": (
        "service_requests",
        lambda d: performance.add_time_to_close(d, as_of="2025-01-01"),
    ),
    "count_table": (
        "service_requests",
        lambda d: opendata.count_table(d, rows="district", columns="channel"),
    ),
    "completeness": ("service_requests", lambda d: performance.completeness(d)),
    "monthly_usage": ("portal_usage", lambda d: opendata.monthly_usage(d)),
    "top_datasets": ("portal_usage", lambda d: opendata.top_datasets(d)),
    "fix_metadata_table": ("catalog", lambda d: opendata.fix_metadata_table(d)),
    "exits_to_permanent_housing": (
        "hmis_enrollments",
        lambda d: contracting.exits_to_permanent_housing(d, start="2023-01-01"),
    ),
    "provider_outcomes": (
        "hmis_enrollments",
        lambda d: contracting.provider_outcomes(d, start="2023-01-01", end="2024-12-31"),
    ),
}


@PROFILE
@given(
    call=st.sampled_from(sorted(CALLS)),
    bad=st.sampled_from(sorted(BAD)),
    legit=_mutation_names(),
    data=st.data(),
)
def test_bad_exports_give_a_result_or_a_clear_error(call, bad, legit, data):
    table, function = CALLS[call]
    if table == "hmis_enrollments":
        frame = data.draw(enrollment_samples())
    else:
        frame = data.draw(schema_frames(table))
    frame = BAD[bad](frame)
    if (
        any(n in legit for n in ("tz_aware", "us_text_dates", "mixed_text_dates"))
        and bad == "bad_dates"
    ):
        legit = ()
    if "tz_aware" in legit and _tz_hole(frame):
        return
    try:
        function(_legit(frame, legit))
    except CityKitError:
        pass
