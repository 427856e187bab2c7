"""citykit._read: the typed CSV reader behind datasets.load, and the per-process load cache."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
from citykit import _read, datasets
from citykit.errors import SchemaMismatchError

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "at", "type": "datetime"},
    {"name": "day", "type": "date"},
    {"name": "amount", "type": "number"},
    {"name": "done", "type": "boolean"},
    {"name": "status", "type": "string", "constraints": {"enum": ["Open", "Closed"]}},
    {"name": "note", "type": "string"},
]
GOOD = (
    "id,at,day,amount,done,status,note\n"
    "1,2024-01-02T03:04:05,2024-01-02,1.5,true,Closed,a\n"
    ",,,,,,\n"
    '3,2024-02-01T00:00:00,2024-02-01,-2,false,Open,"b, c"\n'
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    _read.clear_cache()
    yield
    _read.clear_cache()


def _write(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_typed_reader_parses_every_type_and_keeps_gaps(tmp_path):
    table = _read.read_typed(_write(tmp_path, GOOD), FIELDS, use_enum=True)
    assert str(table["id"].dtype) == "Int64" and table["id"].isna().tolist() == [
        False,
        True,
        False,
    ]
    assert table["at"].dtype == "datetime64[ns]"
    assert table.loc[0, "at"] == pd.Timestamp("2024-01-02 03:04:05")
    assert table["day"].dtype == "datetime64[ns]" and pd.isna(table.loc[1, "day"])
    assert table["amount"].tolist()[::2] == [1.5, -2.0]
    assert str(table["done"].dtype) == "boolean" and table["done"].tolist()[::2] == [True, False]
    assert list(table["status"].cat.categories) == ["Open", "Closed"]
    assert table["status"].tolist()[::2] == ["Closed", "Open"] and pd.isna(table.loc[1, "status"])
    assert table.loc[2, "note"] == "b, c" and pd.isna(table.loc[1, "note"])


@pytest.mark.parametrize(
    ("column", "bad"),
    [
        ("id", "1.5"),
        ("at", "yesterday"),
        ("day", "2024-01-02T05:00:00"),
        ("amount", "1,234"),
        ("done", "yes"),
        ("status", "Pending"),
    ],
)
def test_a_value_the_reader_cannot_read_exactly_returns_none(tmp_path, column, bad):
    header = GOOD.splitlines()[0]
    row = dict(zip(header.split(","), GOOD.splitlines()[1].split(","), strict=True))
    row[column] = f'"{bad}"' if "," in bad else bad
    text = header + "\n" + ",".join(row.values()) + "\n"
    assert _read.read_typed(_write(tmp_path, GOOD), FIELDS, use_enum=True) is not None
    assert _read.read_typed(_write(tmp_path, text, "bad.csv"), FIELDS, use_enum=True) is None


def test_a_different_header_returns_none(tmp_path):
    text = GOOD.replace("amount", "amount_usd", 1)
    assert _read.read_typed(_write(tmp_path, text), FIELDS, use_enum=True) is None


def test_without_enum_the_categories_are_the_values_found_sorted(tmp_path):
    text = GOOD.replace("Closed", "Pending")
    table = _read.read_typed(_write(tmp_path, text), FIELDS, use_enum=False)
    assert list(table["status"].cat.categories) == ["Open", "Pending"]


def test_a_bad_timestamp_in_own_data_is_still_explained(tmp_path):
    source = datasets.data_dir() / "service_requests.csv"
    lines = source.read_text().splitlines()[:21]
    lines[5] = lines[5].replace("T", " at ", 1)
    (tmp_path / "service_requests.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(SchemaMismatchError, match="'opened_at' \\(1 values are not datetime"):
        datasets.load("service_requests", data_dir=tmp_path)


def _counting(monkeypatch):
    calls = []
    real = datasets._load_fast

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(datasets, "_load_fast", counted)
    return calls


def test_repeated_loads_read_the_file_once(monkeypatch):
    calls = _counting(monkeypatch)
    tables = [datasets.load("service_requests") for _ in range(5)]
    assert len(calls) == 1
    for table in tables[1:]:
        pd.testing.assert_frame_equal(table, tables[0])


def test_a_change_to_a_loaded_table_does_not_reach_the_next_load():
    first = datasets.load("service_requests")
    expected = first.copy(deep=True)
    first.loc[first.index[0], "sla_days"] = 999
    first["status"] = "Open"
    # in-place writes through the arrays themselves (not only through pandas)
    first["request_id"].array[0] = -1
    first["department"].array[1] = first["department"].cat.categories[0]
    del first["channel"]
    pd.testing.assert_frame_equal(datasets.load("service_requests"), expected)
    assert datasets.load("service_requests") is not datasets.load("service_requests")


def test_a_changed_file_is_read_again(tmp_path, monkeypatch):
    source = datasets.data_dir() / "service_requests.csv"
    lines = source.read_text().splitlines()
    target = tmp_path / "service_requests.csv"
    target.write_text("\n".join(lines[:11]) + "\n")
    calls = _counting(monkeypatch)
    assert len(datasets.load("service_requests", data_dir=tmp_path)) == 10
    assert len(datasets.load("service_requests", data_dir=tmp_path)) == 10
    stat = target.stat()
    target.write_text("\n".join(lines[:21]) + "\n")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time, other size
    assert len(datasets.load("service_requests", data_dir=tmp_path)) == 20
    edited = "\n".join(lines[:21]).replace("Closed", "Open") + "\n"
    target.write_text(edited)  # same size, later time
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert not (datasets.load("service_requests", data_dir=tmp_path)["status"] == "Closed").any()
    assert len(calls) == 3


def test_another_folder_is_another_table(tmp_path):
    shutil.copy(datasets.data_dir() / "providers.csv", tmp_path / "providers.csv")
    ours = datasets.load("providers")
    theirs = datasets.load("providers", data_dir=tmp_path)
    pd.testing.assert_frame_equal(ours, theirs)
    (tmp_path / "providers.csv").write_text(
        (tmp_path / "providers.csv").read_text().replace("Riverton", "Elsewhere")
    )
    assert not datasets.load("providers", data_dir=tmp_path).equals(ours)


def test_tables_over_the_limit_are_not_kept(monkeypatch):
    monkeypatch.setattr(_read, "CACHE_LIMIT_BYTES", 0)
    calls = _counting(monkeypatch)
    datasets.load("providers")
    datasets.load("providers")
    assert len(calls) == 2
    assert not _read._CACHE


def test_the_cache_stays_within_its_limit(monkeypatch):
    size = int(datasets.load("providers").memory_usage(index=True).sum())
    _read.clear_cache()
    monkeypatch.setattr(_read, "CACHE_LIMIT_BYTES", size * 5 // 2)
    for name in ("providers", "provider_contracts", "providers", "department_measures"):
        datasets.load(name)
    kept = sum(int(t.memory_usage(index=True).sum()) for t in _read._CACHE.values())
    assert 0 < kept <= size * 5 // 2
    assert len(_read._CACHE) >= 1
