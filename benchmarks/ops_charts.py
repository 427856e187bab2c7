"""Control charts of daily 311 measures: citykit.performance against the formulas in numpy.

The daily series (one point per day of the two years) is built before the clock starts; the
toolkit draws the whole chart (limits, every Western Electric rule, the tidy table), the
reference computes the limits from the textbook formulas and the points beyond them (rule 1).
Compared: centre, limits of every point and the points beyond the limits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.harness import Op, register


def _load(data_dir: Path) -> dict:
    import pandas as pd
    from citykit import datasets, performance  # noqa: F401

    requests = datasets.load("service_requests", data_dir=data_dir)
    closed = requests.dropna(subset=["closed_at"])
    days = (closed["closed_at"] - closed["opened_at"]).dt.total_seconds() / 86400
    daily = (
        pd.DataFrame(
            {
                "day": closed["opened_at"].dt.floor("D"),
                "on_time": (days <= closed["sla_days"]).astype("int64"),
            }
        )
        .groupby("day")["on_time"]
        .agg(["sum", "count"])
        .reset_index()
        .rename(columns={"sum": "numerator", "count": "denominator"})
    )
    daily["value"] = daily["denominator"].astype(float)
    return {"daily": daily}


def _p_toolkit(inputs: dict):
    from citykit import performance

    chart = performance.p_chart(inputs["daily"], period="day")
    table = chart.table
    return chart.centre, table["lcl"].to_numpy(float), table["ucl"].to_numpy(float), _beyond(table)


def _p_reference(inputs: dict):
    daily = inputs["daily"].sort_values("day")
    num = daily["numerator"].to_numpy(float)
    den = daily["denominator"].to_numpy(float)
    p = num / den
    p_bar = num.sum() / den.sum()
    sigma = np.sqrt(p_bar * (1 - p_bar) / den)
    lcl, ucl = np.clip(p_bar - 3 * sigma, 0, 1), np.clip(p_bar + 3 * sigma, 0, 1)
    return p_bar, lcl, ucl, np.flatnonzero((p > ucl) | (p < lcl))


def _xmr_toolkit(inputs: dict):
    from citykit import performance

    chart = performance.xmr_chart(inputs["daily"], value="value", period="day")
    table = chart.table
    return chart.centre, table["lcl"].to_numpy(float), table["ucl"].to_numpy(float), _beyond(table)


def _xmr_reference(inputs: dict):
    x = inputs["daily"].sort_values("day")["value"].to_numpy(float)
    centre = x.mean()
    mr_bar = np.abs(np.diff(x)).mean()
    half = 3 * mr_bar / 1.128
    lcl, ucl = np.full(len(x), centre - half), np.full(len(x), centre + half)
    return centre, lcl, ucl, np.flatnonzero((x > ucl) | (x < lcl))


def _beyond(table) -> np.ndarray:
    values = table["value"].to_numpy(float)
    return np.flatnonzero((values > table["ucl"].to_numpy(float)) | (values < table["lcl"]))


def _compare(ours, ref) -> None:
    assert np.isclose(ours[0], ref[0], rtol=1e-12), f"centre {ours[0]} vs {ref[0]}"
    assert np.allclose(ours[1], ref[1], rtol=1e-9) and np.allclose(ours[2], ref[2], rtol=1e-9)
    assert list(ours[3]) == list(ref[3]), "points beyond the limits differ"


for _name, _tk, _ref in (
    ("p chart, daily on-time share", _p_toolkit, _p_reference),
    ("XmR chart, daily requests", _xmr_toolkit, _xmr_reference),
):
    register(
        Op(
            name=_name,
            load=_load,
            toolkit=_tk,
            reference=_ref,
            compare=_compare,
            reference_kind="numpy formulas (limits, rule 1)",
        )
    )
