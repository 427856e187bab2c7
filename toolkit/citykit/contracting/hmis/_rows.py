"""Which rows of a prepared HMIS table a measure counts, and the count of those it leaves out.

Every measure takes clean rows (no data-quality issue) in a window of dates and a set of project
types, groups them by the month, quarter or year when asked, and reports per group how many rows
it left out for a data-quality issue. Those rules live here, once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit._dates import to_timestamp
from citykit.contracting.hmis.destinations import PROJECT_TYPES
from citykit.contracting.hmis.enrollments import prepare_enrollments
from citykit.errors import require_keyword_choice

__all__: list[str] = []


def _clean_rows(prepared: pd.DataFrame) -> np.ndarray:
    """Which rows of a prepared table have no data-quality issue (``dq_issue == ""``)."""
    issue = prepared["dq_issue"]
    if issue.dtype == object:
        return issue.to_numpy(dtype=object) == ""
    return (issue == "").to_numpy(dtype=bool, na_value=False)


def _prepared(data: pd.DataFrame, as_of: object = None) -> pd.DataFrame:
    """Prepare unless the table already went through :func:`prepare_enrollments`."""
    if "dq_issue" in data.columns and "permanent_exit" in data.columns:
        return data
    return prepare_enrollments(data, as_of=as_of)


def _period_column(dates: pd.Series, frequency: str | None) -> pd.Series | None:
    """The month, quarter or year of each date as text ("2024-01", "2024Q1", "2024"); None: none."""
    if frequency is None:
        return None
    require_keyword_choice(frequency, ["month", "quarter", "year"], argument="frequency")
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[frequency]
    return dates.dt.to_period(freq).astype(str)


def _window_mask(dates: pd.Series, start: object, end: object) -> np.ndarray:
    """Which ``dates`` fall in ``[start, end]`` (either end may be None: open)."""
    mask = np.ones(len(dates), dtype=bool)
    if start is not None:
        mask &= (dates >= to_timestamp(start, argument="start")).to_numpy(dtype=bool)
    if end is not None:
        mask &= (dates <= to_timestamp(end, argument="end")).to_numpy(dtype=bool)
    return mask


def _of_types(prepared: pd.DataFrame, project_types: tuple[str, ...] | None) -> np.ndarray:
    """Rows in ``project_types`` (None: all), and rows whose project type is missing or unknown.

    A row without a known project type is flagged ("unknown project type" or an earlier issue);
    it may belong to the universe, so it is kept to be counted with the exits left out rather
    than dropped without a word.
    """
    types = prepared["project_type"]
    if project_types is None:
        return np.ones(len(prepared), dtype=bool)
    known = types.isin(list(PROJECT_TYPES)).to_numpy(dtype=bool)
    return types.isin(list(project_types)).to_numpy(dtype=bool) | ~known


def _window(frame: pd.DataFrame, column: str, start: object, end: object) -> pd.DataFrame:
    return frame[_window_mask(frame[column], start, end)]


def _with_excluded(
    out: pd.DataFrame,
    set_aside: pd.DataFrame,
    keys: list[str],
    counts: tuple[str, ...] = ("exits",),
) -> pd.DataFrame:
    """``out`` with an ``excluded`` count per group (groups with only excluded exits added).

    In an added group the ``counts`` columns are 0 (and rates, which divide by 0, missing).
    """
    if not keys:
        return out.assign(excluded=len(set_aside))
    if set_aside.empty:
        return out.assign(excluded=0)
    sizes = set_aside.groupby(keys, sort=True, observed=True).size().rename("excluded")
    merged = out.merge(sizes.reset_index(), on=keys, how="outer", sort=True)
    for column in (*counts, "excluded"):
        merged[column] = merged[column].fillna(0).astype("int64")
    return merged.reset_index(drop=True)
