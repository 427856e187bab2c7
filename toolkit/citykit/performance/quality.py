"""Data inventory and quality: completeness, timeliness, validity, duplicates, number cleaning.

Mid-size cities starting performance management begin with an inventory: which systems hold
which data, how complete and how fresh it is, and whether it matches its documented schema.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, ColumnTypeError

__all__ = ["clean_numbers"]

_MISSING_TEXT = {"", "na", "n/a", "nan", "null", "none", "-", "--", "—", "missing", "."}


def clean_numbers(values, *, percent: str = "share", errors: str = "raise") -> pd.Series:
    """Read numbers written the way spreadsheets and reports write them.

    Handles the mixed formats of published tables (e.g. the NYC MMR agency summaries):

    * thousands separators: ``"1,611"`` -> 1611;
    * percent signs: ``"33%"`` -> 0.33 (``percent="share"``) or 33 (``percent="points"``);
    * currency signs and spaces: ``"$ 1,200"`` -> 1200; accounting negatives ``"(5)"`` -> -5;
    * missing markers: ``""``, ``"NA"``, ``"N/A"``, ``"null"``, ``"-"`` -> missing;
    * numbers already numeric are kept as they are.

    Parameters
    ----------
    values : Series or list
        The raw values.
    percent : {"share", "points"}, keyword-only
        Whether ``"33%"`` becomes 0.33 or 33.
    errors : {"raise", "coerce"}, keyword-only
        What to do with text that is not a number after cleaning ("see attached", "TBD"):
        raise an error that lists examples, or make it missing.

    Returns
    -------
    Series of float

    Examples
    --------
    >>> clean_numbers(["33%", "0.5", "1,611", "NA", None, "(2)"]).tolist()
    [0.33, 0.5, 1611.0, nan, nan, -2.0]
    >>> clean_numbers(["12", "TBD"])
    Traceback (most recent call last):
    ...
    citykit.errors.ColumnTypeError: 1 value(s) are not numbers even after removing %, commas and currency signs, e.g. 'TBD'. Fix them at the source, or pass errors='coerce' to treat them as missing.
    """
    if percent not in ("share", "points"):
        raise CityKitError(f"percent={percent!r} must be 'share' (33% -> 0.33) or 'points' (33).")
    if errors not in ("raise", "coerce"):
        raise CityKitError(f"errors={errors!r} must be 'raise' or 'coerce'.")
    series = values.copy() if isinstance(values, pd.Series) else pd.Series(list(values))
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    out = np.full(len(series), np.nan)
    bad = []
    for i, raw in enumerate(series.tolist()):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)):
            continue
        if isinstance(raw, (int, float, np.number)) and not isinstance(raw, bool):
            out[i] = float(raw)
            continue
        text = str(raw).strip()
        if text.lower() in _MISSING_TEXT:
            continue
        negative = text.startswith("(") and text.endswith(")")
        text = text.strip("()")
        is_percent = text.endswith("%")
        text = re.sub(r"[,$€£\s%]", "", text)
        try:
            number = float(text)
        except ValueError:
            bad.append(raw)
            continue
        if is_percent and percent == "share":
            number /= 100.0
        out[i] = -number if negative else number
    if bad and errors == "raise":
        raise ColumnTypeError(
            f"{len(bad)} value(s) are not numbers even after removing %, commas and currency "
            f"signs, e.g. {bad[0]!r}. Fix them at the source, or pass errors='coerce' to treat "
            "them as missing."
        )
    return pd.Series(out, index=series.index, name=series.name)
