"""The department_measures family: contract, determinism and recoverable ground truths."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from citykit.performance import p_chart, target_status, target_summary, xmr_chart
from citykit.synth import measures
from citykit.synth._core import RIVERTON, write_tables


@pytest.fixture(scope="module")
def table():
    return measures.generate(seed=20240501, scale=1.0, city=RIVERTON)["department_measures"]


def test_matches_its_spec(table):
    (spec,) = measures.SPECS
    assert list(table.columns) == spec.columns
    assert len(table) == 24 * len(measures.MEASURES) - len(measures.MISSING_MONTHS)
    assert set(table["department"]) == set(RIVERTON.departments)
    assert table["month"].min() == pd.Timestamp("2023-01-01")
    assert table["month"].max() == pd.Timestamp("2024-12-01")
    assert not table.duplicated(list(spec.primary_key)).any()
    assert set(table["direction"]) == {"up", "down"}
    shares = table[table["cases"].notna()]
    assert shares["value"].between(0, 1).all() and (shares["cases"] > 0).all()
    assert table["value"].notna().all()


def test_deterministic_and_small(table, tmp_path):
    again = measures.generate(seed=20240501, scale=1.0, city=RIVERTON)["department_measures"]
    pd.testing.assert_frame_equal(table, again)
    other = measures.generate(seed=7, scale=1.0, city=RIVERTON)["department_measures"]
    assert not table["value"].equals(other["value"])
    paths = write_tables({"department_measures": table}, list(measures.SPECS), tmp_path / "a")
    paths2 = write_tables({"department_measures": again}, list(measures.SPECS), tmp_path / "b")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (paths[0], paths2[0])]
    assert digest[0] == digest[1]
    assert paths[0].stat().st_size < 200_000


def test_missing_months_are_absent(table):
    months = table.assign(m=table["month"].dt.strftime("%Y-%m"))
    present = set(zip(months["department"], months["measure"], months["m"], strict=True))
    for row in measures.MISSING_MONTHS:
        assert row not in present


def test_missed_targets_are_recoverable(table):
    status = target_status(table, period="month", by=["department", "measure"])
    share_met = status.groupby(["department", "measure"])["met_target"].mean()
    for key in measures.MISSED_TARGETS:
        assert share_met.loc[key] < 0.25, key
    others = [k for k in measures.MEASURES if k not in measures.MISSED_TARGETS and
              k not in measures.SHIFTS]  # fmt: skip
    assert (share_met.loc[others] > 0.5).all()
    latest = status[status["month"] == "2024-12-01"]
    summary = target_summary(latest, by="department").set_index("department")
    assert summary["indicators"].sum() == len(measures.MEASURES)


@pytest.mark.parametrize("key", list(measures.SHIFTS))
def test_shifts_are_found_by_a_control_chart(table, key):
    series = table[(table["department"] == key[0]) & (table["measure"] == key[1])].copy()
    change = pd.Timestamp(measures.SHIFTS[key]["month"] + "-01")
    series["hits"] = (series["value"] * series["cases"]).round().astype(int)
    chart = p_chart(series, numerator="hits", denominator="cases", period="month",
                    baseline=("2023-01-01", change - pd.DateOffset(months=1)), laney=True,
                    rules=[1])  # fmt: skip
    signals = chart.signals
    assert signals["period"].min() == change
    assert len(signals) >= 4
    # an XmR chart of the same values (ignoring the denominators) sees it too, at most a
    # season later and never before the change
    before = change - pd.DateOffset(months=1)
    xmr = xmr_chart(series, period="month", baseline=("2023-01-01", before), rules=[1])
    first = xmr.signals["period"].min()
    assert change <= first <= change + pd.DateOffset(months=3)


def test_committed_table_loads_with_its_types(table):
    from citykit import datasets

    loaded = datasets.load("department_measures")
    assert len(loaded) == len(table)
    assert loaded["month"].dtype.kind == "M"
    assert loaded["cases"].dtype == "Int64"
    pd.testing.assert_series_equal(
        loaded["value"].reset_index(drop=True), table["value"].reset_index(drop=True)
    )
