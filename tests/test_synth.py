"""The sample city generator: deterministic, committed as generated, small, realistic."""

from __future__ import annotations

import filecmp
import json

import pandas as pd
from citykit import datasets, synth
from citykit.synth import requests311
from repo_paths import ROOT


def test_same_seed_same_bytes_and_committed_datasets_are_current(tmp_path):
    synth.build(tmp_path / "a")
    synth.build(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", names, shallow=False)
    assert not mismatch and not errors
    committed = ROOT / "datasets"
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", committed, names, shallow=False)
    assert not mismatch and not errors, "datasets/ is stale: run `citykit datasets build`"


def test_writing_in_chunks_gives_the_same_bytes(tmp_path):
    from citykit.synth import _core

    tables = synth.generate(seed=3, scale=0.05)
    for spec in synth.specs():
        frame = tables[spec.name]
        whole, chunked = tmp_path / f"{spec.name}-whole.csv", tmp_path / f"{spec.name}-7.csv"
        _core._write_csv(frame, spec, whole, chunk_rows=max(len(frame), 1))
        _core._write_csv(frame, spec, chunked, chunk_rows=7)
        assert whole.read_bytes() == chunked.read_bytes(), spec.name
    # an empty table is its header line
    spec = requests311.SPECS[0]
    empty = tables[spec.name].iloc[:0]
    _core._write_csv(empty, spec, tmp_path / "empty.csv", chunk_rows=7)
    assert (tmp_path / "empty.csv").read_text() == ",".join(spec.columns) + "\n"


def test_other_seed_other_data(tmp_path):
    a = synth.generate(seed=1, scale=0.05, families=["requests311"])["service_requests"]
    b = synth.generate(seed=2, scale=0.05, families=["requests311"])["service_requests"]
    assert not a.equals(b)


def test_committed_datasets_stay_small():
    size = sum(p.stat().st_size for p in (ROOT / "datasets").iterdir())
    assert size < 25e6


def test_every_field_is_described_with_a_type():
    package = json.loads((ROOT / "datasets" / "datapackage.json").read_text())
    for resource in package["resources"]:
        assert resource["description"]
        for field in resource["schema"]["fields"]:
            assert len(field["description"]) > 10, (resource["name"], field["name"])


def test_scale_multiplies_rows():
    small = synth.generate(scale=0.1, families=["requests311"])["service_requests"]
    big = synth.generate(scale=0.5, families=["requests311"])["service_requests"]
    assert 4.5 < len(big) / len(small) < 5.5


def test_311_has_the_texture_of_a_real_export():
    t = datasets.load("service_requests")
    assert 45_000 < len(t) < 55_000
    days = (t["closed_at"] - t["opened_at"]).dt.total_seconds() / 86400
    closed = t["status"] == "Closed"
    weekday = t["opened_at"].dt.day_of_week
    assert (weekday < 5).mean() > 0.75, "weekdays are busier"
    assert days[closed].mean() > 1.5 * days[closed].median(), "durations are right-skewed"
    assert 0.005 < t["district"].isna().mean() < 0.03, "some addresses fail to geocode"
    assert 0 < (days < 0).sum() < 0.01 * len(t), "a few impossible durations"
    assert t.loc[t["status"] == "Open", "closed_at"].isna().all()
    potholes = t[t["service_type"] == "Pothole"]["opened_at"].dt.month
    assert potholes.isin([2, 3, 4]).mean() > 3 / 12 * 1.2, "potholes peak in late winter"


def test_the_hidden_process_change_is_in_the_data():
    t = datasets.load("service_requests")
    change = requests311.PROCESS_CHANGE
    sub = t[(t["department"] == change["department"]) & (t["status"] == "Closed")]
    days = (sub["closed_at"] - sub["opened_at"]).dt.total_seconds() / 86400
    start = pd.Timestamp(change["month"] + "-01")
    before = days[
        (sub["opened_at"] < start) & (sub["opened_at"] >= start - pd.DateOffset(months=6))
    ]
    after = days[(sub["opened_at"] >= start) & (sub["opened_at"] < start + pd.DateOffset(months=6))]
    ratio = after.median() / before.median()
    assert 0.4 < ratio < 0.65
    for department in t["department"].cat.categories.drop(change["department"]):
        other = t[(t["department"] == department) & (t["status"] == "Closed")]
        d2 = (other["closed_at"] - other["opened_at"]).dt.total_seconds() / 86400
        b2 = d2[
            (other["opened_at"] < start) & (other["opened_at"] >= start - pd.DateOffset(months=6))
        ]
        a2 = d2[
            (other["opened_at"] >= start) & (other["opened_at"] < start + pd.DateOffset(months=6))
        ]
        assert 0.8 < a2.median() / b2.median() < 1.25, f"{department} did not change"
