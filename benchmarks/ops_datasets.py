"""Loading a large 311 export: citykit.datasets.load against plain pandas and against DuckDB.

The plain-pandas baseline is the read an analyst would write for the same types:
``pd.read_csv(path, parse_dates=[...], dtype={...: "category"})``. Both sides import the same
modules before the clock starts, so the peak memory compared is the read's own. Answers are
compared column by column, as values (a hash of each column after giving both the same dtypes:
nanosecond timestamps, nullable integers, categoricals compared by value).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import Op, register

NAME = "service_requests"


def _fields(data_dir: Path) -> list[dict]:
    from citykit import datasets

    return datasets.schema(NAME)["schema"]["fields"]


def _load(data_dir: Path) -> dict:
    import pandas  # noqa: F401
    import pyarrow.csv  # noqa: F401
    from citykit import datasets  # noqa: F401

    return {"data_dir": data_dir}


def _toolkit(inputs: dict):
    from citykit import datasets

    return datasets.load(NAME, data_dir=inputs["data_dir"])


def _pandas(inputs: dict):
    import pandas as pd

    fields = _fields(inputs["data_dir"])
    dates = [f["name"] for f in fields if f["type"] in ("date", "datetime")]
    categories = {f["name"]: "category" for f in fields if f.get("constraints", {}).get("enum")}
    return pd.read_csv(
        Path(inputs["data_dir"]) / f"{NAME}.csv", parse_dates=dates, dtype=categories
    )


def _duckdb(inputs: dict):
    import duckdb

    path = str(Path(inputs["data_dir"]) / f"{NAME}.csv")
    return duckdb.sql(f"SELECT * FROM read_csv('{path}', timestampformat='%Y-%m-%dT%H:%M:%S')").df()


def digest(table) -> dict:
    """Column name -> (row count, value hash), after giving every column a common dtype."""
    import pandas as pd

    out = {}
    for name in table.columns:
        column = table[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            column = column.astype("datetime64[ns]")
        elif pd.api.types.is_integer_dtype(column):
            column = column.astype("Int64")
        elif not (pd.api.types.is_float_dtype(column) or pd.api.types.is_bool_dtype(column)):
            column = column.astype("string")
        hashed = pd.util.hash_pandas_object(column, index=False)
        out[name] = (len(column), int(hashed.sum()), int(column.isna().sum()))
    return out


def _compare(ours, ref) -> None:
    assert list(ours) == list(ref), f"columns {list(ours)} vs {list(ref)}"
    different = [name for name in ours if ours[name] != ref[name]]
    assert not different, f"values differ in {different}"


register(
    Op(
        name="load 311 requests (typed) vs pandas",
        load=_load,
        toolkit=_toolkit,
        reference=_pandas,
        compare=_compare,
        digest=digest,
        reference_kind="pandas read_csv(parse_dates, dtype=category)",
        goal=1.3,
        memory_goal=1.2,
    )
)

register(
    Op(
        name="load 311 requests (typed) vs DuckDB",
        load=_load,
        toolkit=_toolkit,
        reference=_duckdb,
        compare=_compare,
        digest=digest,
        reference_kind="DuckDB read_csv -> pandas",
    )
)
