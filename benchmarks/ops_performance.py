"""Monthly 311 measures by department: citykit.performance against the same SQL in DuckDB.

The reference queries a native DuckDB table, built from the same pandas table before the clock
starts (the pandas-to-DuckDB conversion is not part of the timing).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.harness import Op, register


def _load(data_dir: Path) -> dict:
    import duckdb  # noqa: F401  (imported before timing, like the toolkit)
    from citykit import datasets, performance  # noqa: F401

    table = datasets.load("service_requests", data_dir=data_dir)
    days = (table["closed_at"] - table["opened_at"]).dt.total_seconds() / 86400
    table["days_to_close"] = days.where(days >= 0)
    return {"requests": table}


def _duckdb_load(data_dir: Path) -> dict:
    import duckdb

    requests = _load(data_dir)["requests"]
    con = duckdb.connect()
    con.execute("CREATE TABLE requests AS SELECT * FROM requests")
    del requests
    return {"con": con}


def _toolkit(measure_kind: str):
    def run(inputs: dict):
        from citykit import performance

        if measure_kind == "median":
            measure = performance.Measure(
                "Median days to close", "median", column="days_to_close", direction="down"
            )
        else:
            measure = performance.Measure(
                "On-time closure", "share", formula="days_to_close <= sla_days"
            )
        out = performance.compute_measures(inputs["requests"], measures=measure, by="department")
        out = out.dropna(subset=["value"])
        return (
            out.assign(department=out["department"].astype(str))
            .sort_values(["department", "period"])[["department", "period", "value"]]
            .reset_index(drop=True)
        )

    return run


def _reference(measure_kind: str):
    def run(inputs: dict):
        value = (
            "median(days_to_close)"
            if measure_kind == "median"
            else "avg(CASE WHEN days_to_close <= sla_days THEN 1.0 ELSE 0.0 END) "
            "FILTER (WHERE days_to_close IS NOT NULL AND sla_days IS NOT NULL)"
        )
        sql = f"""
            SELECT CAST(department AS VARCHAR) AS department,
                   date_trunc('month', opened_at) AS period,
                   {value} AS value
            FROM requests
            GROUP BY ALL
            HAVING value IS NOT NULL
            ORDER BY department, period
        """
        return inputs["con"].sql(sql).df()

    return run


def _compare(ours, ref) -> None:
    assert len(ours) == len(ref), f"{len(ours)} rows vs {len(ref)}"
    assert list(ours["department"]) == list(ref["department"])
    assert (
        ours["period"].to_numpy() == ref["period"].to_numpy().astype(ours["period"].dtype)
    ).all()
    assert np.allclose(ours["value"].to_numpy(float), ref["value"].to_numpy(float), rtol=1e-9)


for _kind, _label in (("median", "median days to close"), ("share", "on-time share")):
    register(
        Op(
            name=f"monthly {_label} by department",
            load=_load,
            toolkit=_toolkit(_kind),
            reference=_reference(_kind),
            compare=_compare,
            reference_load=_duckdb_load,
        )
    )
