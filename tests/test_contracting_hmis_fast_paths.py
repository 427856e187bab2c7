"""The HMIS code's fast paths give what the plain pandas computation they replace gives.

Each helper has a fast path for Arrow-backed text (compared and looked up inside Arrow) and the
plain one for everything else; both are checked against a straightforward reference on random
tables with the cases that matter: ties, missing values, unsorted and sorted ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.contracting.hmis.enrollments import _repeated
from citykit.contracting.hmis.returns import _first_returns, _stable_order

pytest.importorskip("pyarrow")

DTYPES = ["object", "str", "string[pyarrow]"]


def _text(values, dtype: str) -> pd.Series:
    series = pd.Series(values, dtype=object)
    return series if dtype == "object" else series.astype(dtype)


def _reference_first_returns(index, later, *, lookback_days, transfer_days):
    """The rule written the plain way: merge, filter, sort by (days, id), first per exit."""
    pairs = (
        later.reset_index(drop=True)
        .reset_index(names="row")
        .merge(
            index.reset_index(drop=True).reset_index(names="owner"),
            on="client_id",
            suffixes=("", "_exit"),
        )
    )
    pairs["days"] = (pairs["entry_date"] - pairs["exit_date"]).dt.days
    transfer = pairs["project_type"].isin(["TH", "RRH", "PSH"])
    same = (pairs["enrollment_id"] == pairs["enrollment_id_exit"]).fillna(False)
    ok = (
        ~same.astype(bool)
        & (pairs["days"] >= 0)
        & (pairs["days"] <= lookback_days)
        & (~transfer | (pairs["days"] > transfer_days))
    )
    found = pairs[ok].astype({"enrollment_id": object})
    found = found.sort_values(["owner", "days", "enrollment_id"], kind="mergesort")
    found = found.drop_duplicates("owner")
    row = np.full(len(index), -1)
    row[found["owner"].to_numpy()] = found["row"].to_numpy()
    days = np.zeros(len(index), dtype="int64")
    days[found["owner"].to_numpy()] = found["days"].to_numpy()
    return row, days


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(6))
def test_first_returns_agree_with_the_plain_computation(dtype, seed):
    rng = np.random.default_rng(seed)
    n_clients, n_later = 40, 400
    clients = [f"c{i:03d}" for i in range(n_clients)]
    index = pd.DataFrame(
        {
            "client_id": _text(clients, dtype),
            "enrollment_id": _text([f"x{i}" for i in range(n_clients)], dtype),
            "exit_date": pd.Timestamp("2023-01-01")
            + pd.to_timedelta(rng.integers(0, 60, n_clients), unit="D"),
        }
    )
    # few distinct days, so that many clients have two returns on the same day (ties by id)
    later_ids = [f"e{i}" for i in rng.permutation(n_later)]
    later_ids[:5] = ["x0", "x1", "x2", "x3", "x4"]  # an index exit's own enrollment is no return
    later = pd.DataFrame(
        {
            "client_id": _text(rng.choice(clients + ["stranger"], n_later), dtype),
            "enrollment_id": _text(later_ids, dtype),
            "project_type": rng.choice(["ES", "SH", "SO", "TH", "RRH", "PSH"], n_later),
            "entry_date": pd.Timestamp("2023-01-01")
            + pd.to_timedelta(rng.integers(-10, 120, n_later), unit="D"),
        }
    )
    got = _first_returns(index, later, lookback_days=90, transfer_days=14)
    want = _reference_first_returns(index, later, lookback_days=90, transfer_days=14)
    assert (got[0] == want[0]).all() and (got[1] == want[1]).all()
    assert (got[0] >= 0).sum() > 10  # the case has returns to find


def test_first_returns_break_a_same_day_tie_by_the_smaller_enrollment_id():
    index = pd.DataFrame(
        {"client_id": ["a"], "enrollment_id": ["x"], "exit_date": [pd.Timestamp("2023-01-01")]}
    )
    later = pd.DataFrame(
        {
            "client_id": ["a", "a", "a"],
            "enrollment_id": ["e9", "e2", "e5"],
            "project_type": ["ES", "ES", "ES"],
            "entry_date": pd.to_datetime(["2023-02-01", "2023-02-01", "2023-01-20"]),
        }
    )
    assert _first_returns(index, later, lookback_days=365, transfer_days=14)[0].tolist() == [2]
    tied = later.assign(entry_date=pd.Timestamp("2023-02-01"))
    for dtype in DTYPES:
        ids = tied.assign(enrollment_id=_text(tied["enrollment_id"], dtype))
        assert _first_returns(index, ids, lookback_days=365, transfer_days=14)[0].tolist() == [1]


@pytest.mark.parametrize("dtype", DTYPES)
def test_repeated_and_stable_order_agree_with_pandas(dtype):
    rng = np.random.default_rng(3)
    raw = [f"id{v:03d}" for v in rng.integers(0, 50, 300)]
    for values in (raw, sorted(raw), [*sorted(raw)[:-1], None], ["b", "a", None, "a"]):
        series = _text(values, dtype)
        assert (_repeated(series) == series.duplicated(keep="first").to_numpy()).all()
        want = series.reset_index(drop=True).sort_values(kind="stable").index.to_numpy()
        assert _stable_order(series).tolist() == want.tolist()


def test_prepared_text_columns_keep_their_values_and_dtype():
    raw = pd.DataFrame(
        {
            "enrollment_id": ["e1", "e2", "e2", "e4"],
            "client_id": ["c1", "c2", "c3", "c4"],
            "provider_id": ["P1"] * 4,
            "project_type": ["ES"] * 4,
            "entry_date": ["2024-01-01", "2024-02-01", "2024-03-01", "2024-03-05"],
            "exit_date": ["2024-01-20", "2024-01-15", "2024-03-09", None],
            "destination": [410, 435, 777, None],
        }
    )
    out = ct.prepare_enrollments(raw)
    assert out["dq_issue"].tolist() == ["", "exit before entry", "duplicate enrollment id", ""]
    assert out["destination_class"].tolist() == [
        "permanent",
        "permanent",
        "unknown code",
        "missing",
    ]
    text = pd.Series(["a"]).astype(str).dtype
    assert out["dq_issue"].dtype == text and out["destination_class"].dtype == text
