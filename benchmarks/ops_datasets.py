"""Loading a large 311 export: citykit.datasets.load against DuckDB's CSV reader."""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import Op, register


def _load(data_dir: Path) -> dict:
    import duckdb  # noqa: F401  (imported before timing, like the toolkit)
    from citykit import datasets  # noqa: F401

    return {"data_dir": data_dir}


def _toolkit(inputs: dict):
    from citykit import datasets

    table = datasets.load("service_requests", data_dir=inputs["data_dir"])
    return len(table), int(table["request_id"].sum()), int(table["closed_at"].notna().sum())


def _reference(inputs: dict):
    import duckdb

    path = str(Path(inputs["data_dir"]) / "service_requests.csv")
    table = duckdb.sql(
        f"SELECT * FROM read_csv('{path}', timestampformat='%Y-%m-%dT%H:%M:%S')"
    ).df()
    return len(table), int(table["request_id"].sum()), int(table["closed_at"].notna().sum())


def _compare(ours, ref) -> None:
    assert ours == ref, f"toolkit {ours} != reference {ref}"


register(
    Op(
        name="load 311 requests (typed)",
        load=_load,
        toolkit=_toolkit,
        reference=_reference,
        compare=_compare,
        reference_kind="DuckDB read_csv -> pandas",
    )
)
