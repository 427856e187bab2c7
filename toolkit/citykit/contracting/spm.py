"""Read HUD System Performance Measures (SPM) workbooks published by Continuum of Care (CoC).

HUD publishes each SPM metric for every CoC (e.g. ``WA-500`` Seattle/King County) and federal
fiscal year as an Excel workbook. Two layouts occur:

* a plain wide table: first column ``HUD CoC Number``, one column per fiscal year;
* a Tableau-style export (the "Returns to Homelessness in N Months" workbooks): an extra first
  column ``Param 2 Return Timeframe`` holding the value rounded to a percent label, one row per
  CoC *and* year with the value in that year's column and blanks elsewhere, rows with no value
  at all, and a few rows without the label.

:func:`read_spm_workbook` reads either into one tidy table (one row per CoC and year), checks it,
and says what it dropped. Reading ``.xlsx`` needs the ``openpyxl`` package (a project
dependency).

Examples
--------
>>> import pandas as pd
>>> wide = pd.DataFrame({"HUD CoC Number": ["WA-500", "AK-500"], 2020: [0.32, 0.11],
...                      2021: [0.41, None]})
>>> tidy_spm_table(wide)
  coc_number  fiscal_year  value
0     AK-500         2020   0.11
1     WA-500         2020   0.32
2     WA-500         2021   0.41
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, MissingColumnError

__all__ = ["COC_PATTERN", "read_spm_workbook", "tidy_spm_table", "spm_wide", "spm_rate_table"]

#: HUD CoC numbers look like ``WA-500``: state or territory code, hyphen, three digits, and in
#: a few published files a letter for a split CoC (``MO-604K``, ``MO-604M``).
COC_PATTERN = re.compile(r"^[A-Z]{2}-\d{3}[A-Z]?$")
_COC_HEADER = "HUD CoC Number"


def _year(label: object) -> int | None:
    text = str(label).strip()
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and 1990 <= number <= 2100 else None


def tidy_spm_table(raw: pd.DataFrame) -> pd.DataFrame:
    """Turn one SPM sheet (either layout) into ``coc_number, fiscal_year, value`` rows.

    Rows without a value are dropped; a CoC and year reported twice with the same value is kept
    once; with *different* values it is an error (the export would be ambiguous).

    Parameters
    ----------
    raw : pandas.DataFrame
        The sheet as read with its header row (``HUD CoC Number`` and year columns; a
        ``Param ...`` label column is ignored).

    Returns
    -------
    pandas.DataFrame
        ``coc_number`` (str), ``fiscal_year`` (int), ``value`` (float), sorted by year and CoC.

    Raises
    ------
    MissingColumnError
        If there is no ``HUD CoC Number`` column or no year column.

    Examples
    --------
    >>> import pandas as pd
    >>> tableau = pd.DataFrame({"Param 2 Return Timeframe": ["13%", None, "8%"],
    ...     "HUD CoC Number": ["WA-500", "AL-502", "WA-500"],
    ...     "2020": [None, None, 0.0764], "2021": [0.1332, None, None]})
    >>> tidy_spm_table(tableau)
      coc_number  fiscal_year   value
    0     WA-500         2020  0.0764
    1     WA-500         2021  0.1332
    """
    if _COC_HEADER not in raw.columns:
        columns = ", ".join(repr(str(c)) for c in raw.columns[:10])
        raise MissingColumnError(
            f"the SPM sheet has no column {_COC_HEADER!r} (its columns are: {columns}). Is this a "
            f"HUD System Performance Measures workbook by CoC?"
        )
    years = {c: _year(c) for c in raw.columns if _year(c) is not None}
    if not years:
        raise MissingColumnError(
            "the SPM sheet has no fiscal-year columns (headers like 2015 ... 2021)."
        )
    frame = raw[[_COC_HEADER, *years]].rename(columns={_COC_HEADER: "coc_number", **years})
    frame["coc_number"] = frame["coc_number"].astype("string").str.strip()
    frame = frame[frame["coc_number"].str.match(COC_PATTERN.pattern).fillna(False)]
    long = frame.melt(id_vars="coc_number", var_name="fiscal_year", value_name="value")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    long = long.dropna(subset=["value"])
    long["fiscal_year"] = long["fiscal_year"].astype(int)
    long["coc_number"] = long["coc_number"].astype(str)
    spread = long.groupby(["coc_number", "fiscal_year"])["value"].agg(["min", "max"])
    conflict = spread[~np.isclose(spread["min"], spread["max"], rtol=0, atol=1e-12)]
    if len(conflict):
        coc, year = conflict.index[0]
        raise CityKitError(
            f"the SPM sheet reports {len(conflict)} CoC-year(s) twice with different values "
            f"(e.g. {coc} {year}: {conflict.iloc[0]['min']} vs {conflict.iloc[0]['max']}); "
            f"check the export before using it."
        )
    long = long.drop_duplicates(["coc_number", "fiscal_year"])
    long = long.sort_values(["fiscal_year", "coc_number"], kind="mergesort")
    return long.reset_index(drop=True)[["coc_number", "fiscal_year", "value"]]


def read_spm_workbook(path: str | Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """Read one HUD SPM-by-CoC workbook into a tidy table.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file (e.g. "Successful Exits from ES, SH, TH, RRH to PH.xlsx").
    sheet : str or int, keyword-only
        Sheet name or position (the SPM workbooks have one sheet).

    Returns
    -------
    pandas.DataFrame
        ``coc_number``, ``fiscal_year``, ``value`` (see :func:`tidy_spm_table`).

    Raises
    ------
    CityKitError
        If the file does not exist or ``openpyxl`` is not installed (with the install command).
    """
    path = Path(path)
    if not path.is_file():
        nearby = (
            sorted(p.name for p in path.parent.glob("*.xlsx"))[:10] if path.parent.is_dir() else []
        )
        hint = f" Workbooks in that folder: {', '.join(nearby)}." if nearby else ""
        raise CityKitError(f"no workbook at {str(path)!r}.{hint}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Workbook contains no default style"
        try:
            raw = pd.read_excel(path, sheet_name=sheet, engine="openpyxl")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise CityKitError(
                "reading .xlsx workbooks needs the openpyxl package: pip install openpyxl"
            ) from exc
    return tidy_spm_table(raw)


def spm_wide(tidy: pd.DataFrame) -> pd.DataFrame:
    """Pivot a tidy SPM table to one row per CoC and one column per fiscal year.

    Examples
    --------
    >>> import pandas as pd
    >>> tidy = pd.DataFrame({"coc_number": ["WA-500", "WA-500"], "fiscal_year": [2020, 2021],
    ...                      "value": [0.32, 0.41]})
    >>> spm_wide(tidy)
    fiscal_year  2020  2021
    coc_number
    WA-500       0.32  0.41
    """
    return tidy.pivot(index="coc_number", columns="fiscal_year", values="value")


def spm_rate_table(
    rates: pd.DataFrame,
    sizes: pd.DataFrame,
    *,
    fiscal_year: int,
) -> pd.DataFrame:
    """Pair an SPM rate with a size measure per CoC, ready for a proportion funnel plot.

    The SPM workbooks publish *rates* only; a funnel plot also needs each CoC's denominator.
    This pairs the rate with a count from another workbook (for example the number of
    first-time homeless persons, Measure 5) used as an **approximate** denominator, and derives
    ``observed = rate x size``. Say so whenever the funnel is shown: the limits are only as good
    as that approximation, and CoCs differ in more ways than chance (check overdispersion).

    Parameters
    ----------
    rates : pandas.DataFrame
        Tidy SPM table of the rate (from :func:`read_spm_workbook`).
    sizes : pandas.DataFrame
        Tidy SPM table of the count used as denominator.
    fiscal_year : int, keyword-only
        The federal fiscal year to keep.

    Returns
    -------
    pandas.DataFrame
        ``coc_number``, ``rate``, ``size`` and ``observed`` for CoCs with both values and a
        size above 0.

    Examples
    --------
    >>> import pandas as pd
    >>> rates = pd.DataFrame({"coc_number": ["WA-500", "AK-500"], "fiscal_year": [2021, 2021],
    ...                       "value": [0.4, 0.2]})
    >>> sizes = pd.DataFrame({"coc_number": ["WA-500", "AK-500"], "fiscal_year": [2021, 2021],
    ...                       "value": [1000, 0]})
    >>> spm_rate_table(rates, sizes, fiscal_year=2021)
      coc_number  rate  size  observed
    0     WA-500   0.4  1000     400.0
    """
    for name, table in (("rates", rates), ("sizes", sizes)):
        missing = [c for c in ("coc_number", "fiscal_year", "value") if c not in table.columns]
        if missing:
            raise MissingColumnError(
                f"{name} has no column {missing[0]!r}; pass a table from read_spm_workbook()."
            )
    years = sorted(set(rates["fiscal_year"]) & set(sizes["fiscal_year"]))
    if fiscal_year not in years:
        raise CityKitError(
            f"fiscal_year={fiscal_year!r} is not in both tables; years in both: {years}."
        )
    left = rates[rates["fiscal_year"] == fiscal_year][["coc_number", "value"]]
    right = sizes[sizes["fiscal_year"] == fiscal_year][["coc_number", "value"]]
    out = left.merge(right, on="coc_number", suffixes=("_rate", "_size"))
    out = out.rename(columns={"value_rate": "rate", "value_size": "size"})
    out = out[out["size"] > 0].reset_index(drop=True)
    out["observed"] = out["rate"] * out["size"]
    return out
