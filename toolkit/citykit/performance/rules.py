"""Signal (run) rules for control charts: Western Electric 1-4 and Nelson 1-8.

A control chart says "something changed" when a point or a pattern of points is unlikely under a
stable process. The rules below follow the semantics of the R package qcc 3.0 (``R/rules.R``),
so results can be compared with it:

* zones are drawn at 1, 2 and 3 standard deviations (``sigma``) of the charted statistic around
  the centre line;
* a run rule flags the point that *completes* the run and every later point of the same run
  (a run of 10 points on one side flags points 8, 9 and 10 under "8 in a row");
* "2 of 3 beyond 2 sigma" (and "4 of 5 beyond 1 sigma") flags the last point of the window only
  when that point is itself beyond the zone, on the same side as the others;
* missing values are skipped: runs are counted over the points that have a value.

One difference from qcc: when limits vary from point to point (p- and u-charts with varying
denominators) each point is compared with its *own* zones; qcc compares every point of a
2-of-3 / 4-of-5 window with the zones of the window's last point.

Rule codes
----------
Western Electric (``rule_set="western_electric"``):

* ``WE1`` one point beyond 3 sigma;
* ``WE2`` 2 of 3 consecutive points beyond 2 sigma, same side;
* ``WE3`` 4 of 5 consecutive points beyond 1 sigma, same side;
* ``WE4`` ``run_length`` (default 8) points in a row on one side of the centre.

Nelson (``rule_set="nelson"``):

* ``N1`` one point beyond 3 sigma;
* ``N2`` ``run_length`` (default 9) points in a row on one side of the centre;
* ``N3`` ``trend_length`` (default 6) points in a row steadily increasing or decreasing;
* ``N4`` ``alternating_length`` (default 14) points in a row alternating up and down;
* ``N5`` 2 of 3 beyond 2 sigma, same side; ``N6`` 4 of 5 beyond 1 sigma, same side;
* ``N7`` ``stratification_length`` (default 15) points in a row within 1 sigma (hugging the
  centre: limits too wide, often mixed sources);
* ``N8`` ``mixture_length`` (default 8) points in a row outside 1 sigma, on both sides.

Rule lengths differ between traditions (the NHS "Making Data Count" uses a run of 7, STATISTICA
9 for WE4), so every length is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from citykit._renamed import keyword_only_options
from citykit.errors import CityKitError, require_keyword_choice
from citykit.performance._checks import check_run_length, check_table, numeric_column

__all__ = ["RULE_SETS", "RULE_DESCRIPTIONS", "signal_rules", "describe_rule", "rule_flags"]

#: The rules in each rule set, in qcc's order of seriousness (lowest number = most serious).
RULE_SETS = {
    "western_electric": ("WE1", "WE2", "WE3", "WE4"),
    "nelson": ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"),
}

_ALIASES = {
    "western-electric": "western_electric",
    "western electric": "western_electric",
    "we": "western_electric",
    "weco": "western_electric",
}

#: Plain-language description of each rule ({n} is the run length in use).
RULE_DESCRIPTIONS = {
    "WE1": "a point beyond the control limits (3 sigma)",
    "WE2": "2 of 3 points beyond 2 sigma on the same side",
    "WE3": "4 of 5 points beyond 1 sigma on the same side",
    "WE4": "{n} in a row on one side of the centre",
    "N1": "a point beyond the control limits (3 sigma)",
    "N2": "{n} in a row on one side of the centre",
    "N3": "{n} in a row steadily rising or falling",
    "N4": "{n} in a row alternating up and down",
    "N5": "2 of 3 points beyond 2 sigma on the same side",
    "N6": "4 of 5 points beyond 1 sigma on the same side",
    "N7": "{n} in a row within 1 sigma of the centre",
    "N8": "{n} in a row more than 1 sigma from the centre, on both sides",
}

_DEFAULT_LENGTHS = {
    "run_length": None,  # 8 for Western Electric, 9 for Nelson
    "trend_length": 6,
    "alternating_length": 14,
    "stratification_length": 15,
    "mixture_length": 8,
}


def _run_flags(condition: np.ndarray, length: int) -> np.ndarray:
    """Flag points from the one completing a run of ``length`` Trues to the end of that run."""
    out = np.zeros(len(condition), dtype=bool)
    count = 0
    for i, ok in enumerate(condition):
        count = count + 1 if ok else 0
        if count >= length:
            out[i] = True
    return out


def _k_of_m(beyond: np.ndarray, k: int, m: int) -> np.ndarray:
    """Flag point t when it is beyond and at least ``k`` of the ``m`` points ending at t are."""
    out = np.zeros(len(beyond), dtype=bool)
    for t in range(m - 1, len(beyond)):
        if beyond[t] and beyond[t - m + 1 : t + 1].sum() >= k:
            out[t] = True
    return out


def _resolve_rule_set(rule_set: str) -> str:
    key = rule_set.strip().lower() if isinstance(rule_set, str) else rule_set
    key = _ALIASES.get(key, key)
    require_keyword_choice(key, list(RULE_SETS), argument="rule_set")
    return key


def _resolve_rules(rule_set: str, rules) -> tuple[str, ...]:
    available = RULE_SETS[rule_set]
    if rules is None:
        return available
    if isinstance(rules, (str, int)):
        rules = [rules]
    prefix = "WE" if rule_set == "western_electric" else "N"
    chosen = []
    for rule in rules:
        code = f"{prefix}{rule}" if isinstance(rule, int) and not isinstance(rule, bool) else rule
        code = code.upper() if isinstance(code, str) else code
        require_keyword_choice(code, list(available), argument="rules")
        chosen.append(code)
    return tuple(c for c in available if c in chosen)


def _lengths(rule_set: str, **given) -> dict[str, int]:
    out = {}
    for name, default in _DEFAULT_LENGTHS.items():
        value = given.get(name)
        if value is None:
            value = default
        if value is None:  # run_length default depends on the rule set
            value = 8 if rule_set == "western_electric" else 9
        out[name] = check_run_length(value, argument=name)
    return out


def describe_rule(code: str, *, run_lengths: dict | None = None, side: str | None = None) -> str:
    """Return a plain-language description of a rule code such as ``"WE4"``.

    Parameters
    ----------
    code : str
        A rule code (``"WE1"`` ... ``"WE4"``, ``"N1"`` ... ``"N8"``).
    run_lengths : dict, optional
        The lengths in use (keys as in :func:`signal_rules`); defaults otherwise.
    side : {"above", "below"}, optional
        For one-sided rules, say which side ("8 in a row below the centre").

    Returns
    -------
    str

    Examples
    --------
    >>> describe_rule("WE4", side="below")
    '8 in a row below the centre'
    >>> describe_rule("N3")
    '6 in a row steadily rising or falling'
    """
    require_keyword_choice(code, list(RULE_DESCRIPTIONS), argument="code")
    rule_set = "western_electric" if code.startswith("WE") else "nelson"
    lengths = _lengths(rule_set, **(run_lengths or {}))
    n = {
        "WE4": lengths["run_length"],
        "N2": lengths["run_length"],
        "N3": lengths["trend_length"],
        "N4": lengths["alternating_length"],
        "N7": lengths["stratification_length"],
        "N8": lengths["mixture_length"],
    }.get(code)
    text = RULE_DESCRIPTIONS[code].format(n=n)
    if side in ("above", "below"):
        if code in ("WE4", "N2"):
            text = text.replace("on one side of the centre", f"{side} the centre")
        elif code in ("WE1", "N1"):
            text = f"a point {side} the {'upper' if side == 'above' else 'lower'} control limit"
        elif code in ("WE2", "WE3", "N5", "N6"):
            text = text.replace("on the same side", f"{side} the centre")
    return text


@keyword_only_options("centre", "sigma")
def rule_flags(
    values,
    *,
    centre,
    sigma,
    rule_set: str = "western_electric",
    rules=None,
    lcl=None,
    ucl=None,
    run_length: int | None = None,
    trend_length: int = 6,
    alternating_length: int = 14,
    stratification_length: int = 15,
    mixture_length: int = 8,
) -> dict[str, np.ndarray]:
    """Return ``{rule code: boolean array}`` for arrays of values, centres and sigmas.

    This is the engine behind :func:`signal_rules`; use that function on a table. ``centre``
    and ``sigma`` may be numbers or arrays (one per point). ``lcl``/``ucl`` (optional) are the
    limits used by rule 1 when they were truncated (e.g. at 0 for a p-chart).

    Examples
    --------
    >>> flags = rule_flags([0.2, -0.4, 0.1, 3.3, 0.0, -0.2], centre=0.0, sigma=1.0)
    >>> [int(i) + 1 for i in np.flatnonzero(flags["WE1"])]
    [4]
    """
    rule_set = _resolve_rule_set(rule_set)
    chosen = _resolve_rules(rule_set, rules)
    lengths = _lengths(
        rule_set,
        run_length=run_length,
        trend_length=trend_length,
        alternating_length=alternating_length,
        stratification_length=stratification_length,
        mixture_length=mixture_length,
    )
    x_all = np.asarray(values, dtype=float)
    n_all = len(x_all)
    c_all = np.broadcast_to(np.asarray(centre, dtype=float), (n_all,))
    s_all = np.broadcast_to(np.asarray(sigma, dtype=float), (n_all,))
    keep = ~(np.isnan(x_all) | np.isnan(c_all) | np.isnan(s_all))
    x, c, s = x_all[keep], c_all[keep], s_all[keep]
    lo3 = c - 3 * s if lcl is None else np.broadcast_to(np.asarray(lcl, float), (n_all,))[keep]
    hi3 = c + 3 * s if ucl is None else np.broadcast_to(np.asarray(ucl, float), (n_all,))[keep]
    n = len(x)

    above = {k: x > c + k * s for k in (1, 2)}
    below = {k: x < c - k * s for k in (1, 2)}
    diffs = np.diff(x)
    flags: dict[str, np.ndarray] = {}
    for code in chosen:
        number = int(code.lstrip("WEN"))
        kind = {
            ("WE", 1): "beyond3",
            ("WE", 2): "2of3",
            ("WE", 3): "4of5",
            ("WE", 4): "side",
            ("N", 1): "beyond3",
            ("N", 2): "side",
            ("N", 3): "trend",
            ("N", 4): "alternate",
            ("N", 5): "2of3",
            ("N", 6): "4of5",
            ("N", 7): "hug",
            ("N", 8): "mixture",
        }[(code.rstrip("0123456789"), number)]
        if kind == "beyond3":
            flag = (x > hi3) | (x < lo3)
        elif kind == "2of3":
            flag = _k_of_m(above[2], 2, 3) | _k_of_m(below[2], 2, 3)
        elif kind == "4of5":
            flag = _k_of_m(above[1], 4, 5) | _k_of_m(below[1], 4, 5)
        elif kind == "side":
            length = lengths["run_length"]
            flag = _run_flags(x > c, length) | _run_flags(x < c, length)
        elif kind == "trend":
            length = lengths["trend_length"] - 1
            flag = np.zeros(n, dtype=bool)
            if n > 1:
                flag[1:] = _run_flags(diffs > 0, length) | _run_flags(diffs < 0, length)
        elif kind == "alternate":
            flag = np.zeros(n, dtype=bool)
            if n > 2:
                alternating = diffs[1:] * diffs[:-1] < 0
                flag[2:] = _run_flags(alternating, lengths["alternating_length"] - 2)
        elif kind == "hug":
            inside = (x >= c - s) & (x <= c + s)
            flag = _run_flags(inside, lengths["stratification_length"])
        else:  # mixture
            length = lengths["mixture_length"]
            flag = np.zeros(n, dtype=bool)
            outside = above[1] | below[1]
            for t in range(length - 1, n):
                window = slice(t - length + 1, t + 1)
                if outside[window].all() and above[1][window].any() and below[1][window].any():
                    flag[t] = True
        full = np.zeros(n_all, dtype=bool)
        full[keep] = flag
        flags[code] = full
    return flags


def signal_rules(
    data: pd.DataFrame,
    *,
    value: str = "value",
    centre: float | str = "centre",
    sigma: float | str = "sigma",
    rule_set: str = "western_electric",
    rules: Iterable | None = None,
    run_length: int | None = None,
    trend_length: int = 6,
    alternating_length: int = 14,
    stratification_length: int = 15,
    mixture_length: int = 8,
) -> pd.DataFrame:
    """Apply control-chart signal rules to a table of points; return it with signal columns.

    Parameters
    ----------
    data : DataFrame
        One row per point, in time order.
    value : str, keyword-only
        Column holding the charted statistic.
    centre, sigma : float or str, keyword-only
        The centre line and the standard deviation of the statistic: a number, or the name of a
        column (for limits that vary by point).
    rule_set : {"western_electric", "nelson"}, keyword-only
        Which family of rules to apply (see the module docstring for each rule).
    rules : iterable of int or str, optional
        A subset of the rule set, e.g. ``[1, 4]`` or ``["WE1", "WE4"]``; all rules by default.
    run_length : int, optional
        Points in a row on one side of the centre (WE4 / N2); 8 for Western Electric and 9 for
        Nelson by default. Must be 2 or more.
    trend_length, alternating_length, stratification_length, mixture_length : int
        Lengths of Nelson rules 3, 4, 7 and 8 (defaults 6, 14, 15, 8).

    Returns
    -------
    DataFrame
        A copy of ``data`` with ``signal`` (bool) and ``rules`` (comma-separated rule codes,
        empty when none fired). When some points have no value (or no centre or sigma), their
        ``rules`` say "missing value, not judged" and a ``no_value`` column (1 on those rows)
        counts them; a complete table gets no such column.

    Raises
    ------
    CityKitError
        For a missing or non-numeric column, an empty table, an unknown rule set or rule, or a
        run length below 2.

    Examples
    --------
    The Western Electric rule-2 test vector of ``docs/methods.md`` (centre 0, sigma 1):

    >>> import pandas as pd
    >>> points = pd.DataFrame({"value": [0.1, 2.4, 0.5, 2.2, 0.0]})
    >>> signal_rules(points, centre=0, sigma=1)
       value  signal rules
    0    0.1   False
    1    2.4   False
    2    0.5   False
    3    2.2    True   WE2
    4    0.0   False
    >>> signal_rules(points, centre=0, sigma=1, run_length=1)
    Traceback (most recent call last):
    ...
    citykit.errors.ArgumentRangeError: run_length must be a whole number of points, 2 or more, but 1 was given. A run needs at least two points; common choices are 7, 8 or 9.
    """
    columns = [value] + [c for c in (centre, sigma) if isinstance(c, str)]
    check_table(data, columns)
    x = numeric_column(data, value)
    c = numeric_column(data, centre) if isinstance(centre, str) else _number(centre, "centre")
    s = numeric_column(data, sigma) if isinstance(sigma, str) else _number(sigma, "sigma")
    if np.any(np.asarray(s)[~np.isnan(np.asarray(s, dtype=float))] < 0):
        raise CityKitError("sigma must not be negative; it is a standard deviation.")
    flags = rule_flags(
        x,
        centre=c,
        sigma=s,
        rule_set=rule_set,
        rules=rules,
        run_length=run_length,
        trend_length=trend_length,
        alternating_length=alternating_length,
        stratification_length=stratification_length,
        mixture_length=mixture_length,
    )
    out = data.copy()
    out["signal"], out["rules"] = _combine(flags, len(out))
    points = [np.asarray(v, dtype=float) for v in (x, c, s)]
    unread = np.isnan(np.broadcast_to(points[0] + points[1] + points[2], len(out)))
    if unread.any():  # a point without a value is not judged, and says so on its row
        out.loc[unread, "rules"] = "missing value, not judged"
        out["no_value"] = unread.astype(int)
    return out


def _number(value: object, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise CityKitError(
            f"{argument} must be a number or the name of a column, but {value!r} was given."
        )
    return float(value)


def _combine(flags: dict[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Turn per-rule flags into a signal column and a 'WE1, WE4' text column."""
    codes = [[] for _ in range(n)]
    for code, flag in flags.items():
        for i in np.flatnonzero(flag):
            codes[i].append(code)
    text = np.array([", ".join(c) for c in codes], dtype=object)
    return np.array([bool(c) for c in codes]), text
