"""Balance checks after randomization: standardized differences, variance ratios, one joint test.

In a randomized test any difference between arms at baseline is chance by construction, so a
balance table is a **check of the draw**: it shows whether the arms look alike and catches broken
randomization or data errors. Check the covariates the analysis plan named before the data came
in, and adjust for those, whatever the table shows: choosing covariates after seeing an imbalance
lets the analyst shop for a result. Do not use a p-value per covariate as a pass/fail rule (Austin
2009; Senn 1994); look at the size of the differences (``docs/methods.md``, "Random assignment and
balance"):

* standardized mean difference (Austin 2009): continuous d = (x̄_T − x̄_C)/√((s²_T + s²_C)/2);
  binary d = (p_T − p_C)/√((p_T(1 − p_T) + p_C(1 − p_C))/2);
* flags: |d| above 0.1 (Normand et al. 2001; Austin 2009) or 0.25 (Rubin 2001; Stuart 2010),
  conventions from comparisons of groups not drawn by lot. In a randomized test chance alone
  gives d a standard error of about √(2/n) with n units per arm, so a flag is a question about
  the draw when n is large, and never a reason to add the covariate afterwards;
* variance ratio s²_T/s²_C between 0.5 and 2 for continuous covariates;
* one omnibus likelihood-ratio test from a logistic regression of arm on all covariates.

The What Works Clearinghouse's baseline-equivalence bands (:func:`wwc_band`) are not in the
table: they judge groups that were *not* kept as randomized (a comparison-group design, or a
trial with high attrition), and in a randomized test they invite choosing covariates after seeing
an imbalance. Apply them yourself where the WWC's standard applies.

Examples
--------
>>> import pandas as pd
>>> from citykit.evaluation import standardized_difference
>>> round(standardized_difference([34, 41, 29, 50, 38, 45, 31, 40],
...                               [36, 30, 28, 44, 33, 39, 27, 35]), 7)
0.6979351
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, require_columns, require_keyword_choice
from citykit.evaluation._checks import check_arm_column, check_between, resolve_control
from citykit.evaluation._results import ResultMixin

__all__ = [
    "standardized_difference",
    "wwc_band",
    "BalanceTable",
    "balance_table",
    "BalanceTest",
    "balance_test",
]

KINDS = ("auto", "continuous", "binary")


def _is_binary(values: np.ndarray) -> bool:
    return bool(np.isin(values, (0.0, 1.0)).all())


def standardized_difference(treated, control, *, kind: str = "auto") -> float:
    """Return Austin's (2009) standardized mean difference between two groups.

    Parameters
    ----------
    treated, control : array-like
        Covariate values (numbers, or 0/1 and True/False for binary covariates).
    kind : {"auto", "continuous", "binary"}, keyword-only
        ``auto`` treats 0/1 values as binary.

    Returns
    -------
    float
        Positive when the treated group is higher; NaN when both groups are constant and equal.

    Examples
    --------
    >>> round(standardized_difference([1] * 11 + [0] * 9, [1] * 10 + [0] * 10), 7)
    0.1002509
    """
    require_keyword_choice(kind, KINDS, argument="kind")
    t = pd.to_numeric(pd.Series(list(treated)), errors="coerce").dropna().to_numpy(float)
    c = pd.to_numeric(pd.Series(list(control)), errors="coerce").dropna().to_numpy(float)
    if len(t) < 2 or len(c) < 2:
        raise CityKitError(
            "standardized_difference needs at least two numeric values in each group."
        )
    binary = kind == "binary" or (kind == "auto" and _is_binary(t) and _is_binary(c))
    if binary:
        pt, pc = t.mean(), c.mean()
        scale = math.sqrt((pt * (1 - pt) + pc * (1 - pc)) / 2)
        diff = pt - pc
    else:
        scale = math.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2)
        diff = t.mean() - c.mean()
    if scale == 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return float(diff / scale)


def wwc_band(smd: float) -> str:
    """Return the What Works Clearinghouse band of a baseline difference (in SD units).

    The WWC's baseline-equivalence standard (≤ 0.05 satisfies, 0.05-0.25 needs statistical
    adjustment, > 0.25 does not satisfy) is for groups that were not kept as randomized: a
    comparison-group design, or a trial with high attrition, measured on the units analysed. It is
    not a check of a randomized draw, so :func:`balance_table` does not apply it; apply it to a
    table's ``smd`` column where the standard applies.

    Examples
    --------
    >>> [wwc_band(x) for x in (0.03, -0.12, 0.3)]
    ['satisfies', 'needs statistical adjustment', 'does not satisfy']
    >>> import pandas as pd
    >>> analysed = pd.DataFrame({"arm": ["control"] * 4 + ["letter"] * 4,
    ...                          "late": [0, 1, 0, 0, 1, 1, 0, 0]})
    >>> tab = balance_table(analysed, covariates=["late"]).table
    >>> tab.assign(wwc=tab["smd"].map(wwc_band))[["covariate", "wwc"]]
      covariate               wwc
    0      late  does not satisfy
    """
    size = abs(smd)
    if math.isnan(size):
        return "not defined"
    if size <= 0.05:
        return "satisfies"
    if size <= 0.25:
        return "needs statistical adjustment"
    return "does not satisfy"


def _columns(data: pd.DataFrame, covariates) -> list[tuple[str, str, pd.Series]]:
    """Return (covariate, level, numeric series with NaN kept) for every row of the table."""
    out = []
    for name in covariates:
        column = data[name]
        numeric = pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column)
        if not numeric and not isinstance(column.dtype, pd.CategoricalDtype):
            # numbers stored as text ("250.10") are numbers, not hundreds of yes/no levels
            present = column.dropna()
            as_numbers = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
            if len(present) and as_numbers.notna().all():
                column = pd.to_numeric(column.astype(object).where(column.notna(), None))
                numeric = True
        if numeric:
            values = column.astype("float64")
            infinite = int(np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).sum())
            if infinite:
                raise CityKitError(
                    f"data column {name!r} (a covariate) holds {infinite} infinite value(s); "
                    "they usually come from a division by zero. Fix them or set them to missing "
                    f"(data[{name!r}].replace([np.inf, -np.inf], np.nan))."
                )
            out.append((name, "", values))
        else:
            present = column.dropna().astype(str)
            for level in sorted(pd.unique(present)):
                values = (column.astype(str) == level).astype(float).where(column.notna())
                out.append((name, level, values))
        if column.isna().any():
            out.append((name, "(missing)", column.isna().astype(float)))
    return out


@dataclass(frozen=True, repr=False)
class BalanceTable(ResultMixin):
    """Baseline means by arm with standardized differences, from :func:`balance_table`."""

    table: pd.DataFrame
    threshold: float
    control: object
    block: str | None = None

    _tables = ("table",)

    def _summary(self) -> str:
        over = self.table[self.table["exceeds_threshold"]]
        if over.empty:
            verdict = f"every |standardized difference| is within {self.threshold:g}"
        else:
            names = ", ".join(
                f"{r.covariate}{'=' + r.level if r.level else ''} ({r.arm})"
                for r in over.itertuples()
            )
            verdict = f"{len(over)} above {self.threshold:g}: {names}"
        within = f" (weighted within blocks of {self.block!r})" if self.block else ""
        return (
            f"Balance against {self.control!r}{within}: {verdict}. A check of the draw: in a "
            "randomized test differences are chance, and a large one points to a problem with the "
            "randomization or the data. Adjust for the covariates the plan named before the data "
            "came in, not for those that look unbalanced."
        )


def balance_table(
    data: pd.DataFrame,
    *,
    covariates,
    arm: str = "arm",
    control: object = None,
    block: str | None = None,
    threshold: float = 0.1,
) -> BalanceTable:
    """Compare baseline covariates between each arm and the control.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, with its arm and baseline covariates.
    covariates : list of str, keyword-only
        Baseline (pre-treatment) columns. Text columns give one 0/1 row per level; missing
        values are left out of the means and get a "(missing)" row of their own.
    arm : str, keyword-only
        The arm column.
    control : object, keyword-only
        The business-as-usual arm (guessed when it is called "control").
    block : str, optional, keyword-only
        The randomization block. When treated shares differ by block, raw arm means differ by
        design; with ``block`` each unit is weighted by 1 / (share of its arm in its block), so
        both arms stand for the whole sample and only chance differences remain.
    threshold : float, keyword-only
        |SMD| above which a row is flagged: 0.1 (default; Austin 2009) or 0.25 (Rubin 2001).

    Returns
    -------
    BalanceTable
        ``.table`` has covariate, level, kind, arm, n_control, n_arm, mean_control, mean_arm,
        sd_control, sd_arm, smd, variance_ratio (continuous only), exceeds_threshold and
        exceeds_0_25. No What Works Clearinghouse band: see :func:`wwc_band` for where it applies.

    Examples
    --------
    >>> import pandas as pd
    >>> units = pd.DataFrame({"arm": ["control"] * 4 + ["letter"] * 4,
    ...                       "late": [0, 1, 0, 0, 1, 1, 0, 0],
    ...                       "balance": [120, 80, 95, 150, 110, 70, 130, 90]})
    >>> tab = balance_table(units, covariates=["late", "balance"]).table
    >>> tab[["covariate", "kind", "smd"]].round(3)
      covariate        kind    smd
    0      late      binary  0.535
    1   balance  continuous -0.397
    """
    threshold = check_between(threshold, 0, math.inf, argument="threshold", inclusive="right")
    labels = check_arm_column(data, arm)
    control = resolve_control(labels, control, arm=arm)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise CityKitError("covariates is empty; list the baseline columns to compare.")
    require_columns(data, covariates, argument="data")
    others = [a for a in sorted(pd.unique(labels), key=str) if a != control]
    weights = {a: _block_weights(data, labels, block, a, control) for a in others}
    rows = []
    for name, level, values in _columns(data, covariates):
        for a in others:
            keep_t = ((labels == a) & values.notna()).to_numpy()
            keep_c = ((labels == control) & values.notna()).to_numpy()
            t, wt = values.to_numpy()[keep_t], weights[a][keep_t]
            c, wc = values.to_numpy()[keep_c], weights[a][keep_c]
            mean_t, var_t = _weighted(t, wt)
            mean_c, var_c = _weighted(c, wc)
            kind = "binary" if _is_binary(t) and _is_binary(c) else "continuous"
            if len(t) < 2 or len(c) < 2:
                smd = math.nan
            elif kind == "binary":
                smd = _ratio(mean_t - mean_c, (mean_t * (1 - mean_t) + mean_c * (1 - mean_c)) / 2)
            else:
                smd = _ratio(mean_t - mean_c, (var_t + var_c) / 2)
            ratio = (var_t / var_c) if kind == "continuous" and var_c > 0 else math.nan
            rows.append(
                {
                    "covariate": name,
                    "level": level,
                    "kind": kind,
                    "arm": a,
                    "n_control": len(c),
                    "n_arm": len(t),
                    "mean_control": mean_c,
                    "mean_arm": mean_t,
                    "sd_control": math.sqrt(var_c),
                    "sd_arm": math.sqrt(var_t),
                    "smd": smd,
                    "variance_ratio": ratio,
                    "exceeds_threshold": bool(abs(smd) > threshold),
                    "exceeds_0_25": bool(abs(smd) > 0.25),
                }
            )
    return BalanceTable(table=pd.DataFrame(rows), threshold=threshold, control=control, block=block)


def _weighted(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted mean and variance (reliability weights; equal weights give ddof=1)."""
    if len(x) == 0:
        return math.nan, math.nan
    total = w.sum()
    mean = float((w * x).sum() / total)
    if len(x) < 2:
        return mean, math.nan
    denom = total - (w**2).sum() / total
    return mean, float((w * (x - mean) ** 2).sum() / denom)


def _ratio(diff: float, variance: float) -> float:
    if not variance > 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return float(diff / math.sqrt(variance))


def _block_weights(data, labels, block, arm, control) -> np.ndarray:
    """1 / (share of the unit's arm in its block): each arm then stands for every block."""
    if block is None:
        return np.ones(len(data))
    require_columns(data, [block], argument="data")
    blocks = data[block].astype(str).to_numpy()
    pair = labels.isin([arm, control]).to_numpy()
    frame = pd.DataFrame({"block": blocks[pair], "arm": labels.to_numpy()[pair]})
    counts = pd.crosstab(frame["block"], frame["arm"])
    for label in (arm, control):
        if label not in counts.columns or (counts[label] == 0).any():
            empty = counts.index[counts.get(label, 0) == 0].tolist()
            raise CityKitError(
                f"Block(s) {', '.join(repr(b) for b in empty[:5])} of {block!r} have no units in "
                f"arm {label!r}; balance within blocks cannot be measured there."
            )
    share = counts.div(counts.sum(axis=1), axis=0)
    weights = np.ones(len(data))
    lookup = share.stack()
    index = pd.MultiIndex.from_arrays([frame["block"], frame["arm"]])
    weights[pair] = 1 / lookup.reindex(index).to_numpy()
    return weights


@dataclass(frozen=True, repr=False)
class BalanceTest(ResultMixin):
    """Omnibus test that the covariates jointly predict the arm, from :func:`balance_test`."""

    table: pd.DataFrame
    control: object

    _tables = ("table",)

    def _summary(self) -> str:
        worst = self.table["p_value"].min()
        text = (
            f"Joint test that the covariates predict the arm (vs {self.control!r}): smallest "
            f"p = {worst:.3g}. With true randomization this p-value is uniform; a very small one "
            "(e.g. < 0.01) is a reason to check how the assignment was made and recorded, not to "
            "drop covariates."
        )
        left_out = int(self.table.get("missing_left_out", pd.Series(dtype=int)).max() or 0)
        if left_out:
            text += (
                f" Units with a missing covariate were left out of the test (up to {left_out:,} "
                "per comparison; see missing_left_out)."
            )
        return text


def balance_test(
    data: pd.DataFrame,
    *,
    covariates,
    arm: str = "arm",
    control: object = None,
    block: str | None = None,
) -> BalanceTest:
    """Test jointly whether the baseline covariates predict the arm (one test per arm).

    Fits a logistic regression of (arm == a) on the covariates among units in arm ``a`` or the
    control, and reports the likelihood-ratio test against the intercept-only model
    (statsmodels ``Logit``: ``llr``, ``llr_pvalue``). If the logistic fit fails (perfect
    separation), it falls back to the F-test of a linear probability model with HC2 errors.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    covariates : list of str, keyword-only
        Baseline columns; text columns become dummies; rows with missing covariates are left out.
    arm, control
        As in :func:`balance_table`.
    block : str, optional, keyword-only
        The randomization block: block dummies enter both models, so only imbalance *within*
        blocks is tested (needed when treated shares differ by block).

    Returns
    -------
    BalanceTest
        ``.table``: arm, n, statistic, df, p_value, method.
    """
    import statsmodels.api as sm
    from scipy.stats import chi2

    from citykit.evaluation._checks import covariate_matrix

    labels = check_arm_column(data, arm)
    control = resolve_control(labels, control, arm=arm)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise CityKitError("covariates is empty; list the baseline columns to test.")
    require_columns(data, covariates, argument="data")
    complete = data.dropna(subset=covariates)
    # rows with a missing covariate are left out of the test: counted per comparison
    left_out = labels[~data.index.isin(complete.index)]
    labels = labels.loc[complete.index]
    rows = []
    if block is not None:
        require_columns(data, [block], argument="data")
    for a in [x for x in sorted(pd.unique(labels), key=str) if x != control]:
        part = complete[labels.isin([a, control]).to_numpy()]
        target = (labels[part.index] == a).to_numpy(dtype=float)
        x = covariate_matrix(part, covariates)
        x = x.loc[:, x.std(ddof=0) > 0]
        base = pd.DataFrame({"const": 1.0}, index=part.index)
        if block is not None:
            dummies = pd.get_dummies(part[block].astype(str), prefix="block", dtype=float)
            base = pd.concat([base, dummies.iloc[:, 1:]], axis=1)
        full = pd.concat([base, x], axis=1)
        tested = x.shape[1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fit = sm.Logit(target, full.to_numpy(float)).fit(disp=0, maxiter=200)
                null = sm.Logit(target, base.to_numpy(float)).fit(disp=0, maxiter=200)
                stat = 2 * float(fit.llf - null.llf)
                converged = fit.mle_retvals.get("converged", True)
                if not (np.isfinite(stat) and converged and null.mle_retvals.get("converged")):
                    raise ValueError("no convergence")
                df, p = float(tested), float(chi2.sf(stat, tested))
                method = "likelihood-ratio test, logistic regression of arm on covariates"
            except Exception:
                ols = sm.OLS(target, full.to_numpy(float)).fit(cov_type="HC2")
                k = full.shape[1]
                test = ols.f_test(np.eye(k)[k - tested :])
                stat, df, p = float(test.fvalue), float(tested), float(test.pvalue)
                method = "F-test, linear probability model with HC2 (logistic fit failed)"
            if block is not None:
                method += f", within blocks of {block!r}"
        rows.append(
            {
                "arm": a,
                "n": len(part),
                "statistic": stat,
                "df": df,
                "p_value": p,
                "method": method,
                "missing_left_out": int(left_out.isin([a, control]).sum()),
            }
        )
    return BalanceTest(table=pd.DataFrame(rows), control=control)
