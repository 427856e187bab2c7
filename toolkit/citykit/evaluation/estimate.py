"""Effect estimates for randomized tests: differences with confidence intervals and p-values.

:func:`estimate_effects` compares every arm with business as usual (the control) and returns a
tidy table (estimate, se, ci_low, ci_high, p_value, n per arm, method) plus a plain-language
sentence. The conventions are those of R ``estimatr`` (DeclareDesign) and US federal evaluation
teams (GSA OES), methods.md §1.4-§1.6:

* no covariates: difference in means (or proportions) with the **HC2** standard error, which
  equals the Neyman/Welch SE √(s₁²/n₁ + s₀²/n₀); *t* with N − k degrees of freedom;
* covariates: **Lin (2013)** adjustment, ``y ~ arm * (x − x̄)`` with full-sample centering, HC2;
* blocks: centered block dummies interacted with the arm (Lin), which gives the **block-weighted
  ATE** Σ (N_b/N)(ȳ₁_b − ȳ₀_b) even when the treated share differs by block (plain block fixed
  effects do not: ``adjustment="additive"`` shows the difference);
* clusters: **CR2** (Bell-McCaffrey) cluster-robust SE with Satterthwaite degrees of freedom,
  as ``estimatr::lm_robust`` (``se_type="CR1"`` gives the Stata-style statsmodels SE).

Examples
--------
>>> import pandas as pd
>>> from citykit.evaluation import estimate_effects
>>> trial = pd.DataFrame({"arm": ["control"] * 3 + ["letter"] * 4,
...                       "paid": [3, 5, 4, 8, 9, 7, 10]})
>>> res = estimate_effects(trial, outcome="paid", arm="arm")
>>> res.table[["arm", "estimate", "se"]].round(4)
      arm  estimate     se
0  letter       4.5  0.866
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, require_columns, require_keyword_choice, require_non_empty
from citykit.evaluation._checks import (
    check_alpha,
    check_arm_column,
    check_arm_labels,
    covariate_matrix,
    numeric_outcome,
    resolve_control,
)
from citykit.evaluation._results import ResultMixin

__all__ = ["EffectEstimates", "estimate_effects", "robust_regression", "effect_sentence"]

SE_TYPES = ("HC2", "HC0", "HC1", "HC3", "classical", "CR2", "CR1")
ADJUSTMENTS = ("lin", "additive")
TABLE_COLUMNS = [
    "arm",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "df",
    "n_control",
    "n_arm",
    "control_mean",
    "arm_mean",
    "relative_effect",
    "method",
]


# ----------------------------------------------------------------------------------------------
# least squares with robust standard errors


def _cr2(x: np.ndarray, resid: np.ndarray, groups: np.ndarray, bread: np.ndarray):
    """CR2 (Bell-McCaffrey) covariance and Satterthwaite df per coefficient.

    Follows the clubSandwich / estimatr construction (methods.md §1.4): the residuals of cluster
    s are scaled by (I − H_ss)^(-1/2); the df of coefficient j is tr(P)²/tr(P²) with
    P = diag(v_s'v_s) − W' (X'X)⁻¹ W, v_s = A_s X_s (X'X)⁻¹ e_j and w_s = X_s' v_s.
    """
    k = x.shape[1]
    codes, _ = pd.factorize(groups)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    half_meat = []
    ax_list = []
    for index in np.split(order, bounds):
        xs = x[index]
        # H_ss = X_s B X_s' has rank <= k: with X_s = QR and R B R' = V diag(lam) V',
        # (I - H_ss)^(-1/2) = I + U diag((1 - lam)^(-1/2) - 1) U' with U = QV (no n_s x n_s work);
        # directions with 1 - lam <= 1e-12 get weight 0, as in clubSandwich/estimatr.
        q, r = np.linalg.qr(xs)
        lam, v = np.linalg.eigh(r @ bread @ r.T)
        u = q @ v
        room = 1 - lam
        scale = np.where(room > 1e-12, 1 / np.sqrt(np.clip(room, 1e-12, None)) - 1, -1.0)
        ax = xs + (u * scale) @ (u.T @ xs)  # A_s X_s
        half_meat.append(resid[index] @ ax)
        ax_list.append((ax, xs))
    half = np.vstack(half_meat)
    cov = bread @ (half.T @ half) @ bread
    dfs = np.empty(k)
    for j in range(k):
        column = bread[:, j]
        vs = [ax @ column for ax, _ in ax_list]
        w = np.column_stack([xs.T @ v for v, (_, xs) in zip(vs, ax_list, strict=True)])
        # P = diag(d) - W'BW without forming the S x S matrix (S = number of clusters):
        # tr P = sum d - sum g;  tr P^2 = sum d^2 - 2 sum d g + tr(BCBC), C = W W', g_s = w_s'Bw_s
        d = np.array([float(v @ v) for v in vs])
        g = np.einsum("is,ij,js->s", w, bread, w)
        bc = bread @ (w @ w.T)
        trace_p = d.sum() - g.sum()
        trace_p2 = float((d**2).sum() - 2 * (d * g).sum() + np.trace(bc @ bc))
        dfs[j] = trace_p**2 / trace_p2
    return cov, dfs


def _fit(y: np.ndarray, x: pd.DataFrame, *, se_type: str, clusters=None):
    """Return (params, se, df) as Series indexed by the columns of ``x``."""
    import statsmodels.api as sm

    names = list(x.columns)
    xm = x.to_numpy(dtype=float)
    n, k = xm.shape
    if n - k < 1:
        raise CityKitError(
            f"There are {n} units but the model has {k} terms; use fewer covariates or blocks."
        )
    model = sm.OLS(y, xm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if se_type in ("CR2", "classical"):
            fit = model.fit()
        elif se_type == "CR1":
            codes, _ = pd.factorize(clusters)
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
            se = np.asarray(fit.bse)
            dfs = np.full(k, float(len(np.unique(codes)) - 1))
        else:
            fit = model.fit(cov_type=se_type, use_t=True)
    # the fit's pseudo-inverse already has the design's singular values: its rank, with
    # numpy.linalg.matrix_rank's tolerance, needs no second decomposition
    sv = np.asarray(model.wexog_singular_values)
    if int(np.sum(sv > sv.max() * max(n, k) * np.finfo(float).eps)) < k:
        raise CityKitError(
            "The arms, covariates and blocks are collinear (some column is a combination of "
            "others), so the effect cannot be separated out. Drop a covariate that repeats "
            "another, or a block/covariate that is the same for every unit of an arm."
        )
    if se_type == "CR2":
        bread = np.linalg.inv(xm.T @ xm)
        cov, dfs = _cr2(xm, fit.resid, clusters, bread)
        se = np.sqrt(np.diag(cov))
    elif se_type != "CR1":
        se = np.asarray(fit.bse)
        dfs = np.full(k, float(n - k))
    if not np.all(np.isfinite(se)):
        raise CityKitError(
            "A standard error could not be computed: some arm (or block × arm cell, or cluster) "
            "has a single unit, which leaves no room to measure variation. Merge small blocks "
            "or collect more units."
        )
    return (
        pd.Series(np.asarray(fit.params), index=names),
        pd.Series(se, index=names),
        pd.Series(dfs, index=names),
    )


def _tidy(params, se, df, alpha) -> pd.DataFrame:
    t = params / se
    from scipy import stats

    p = 2 * stats.t.sf(np.abs(t), df)
    q = stats.t.ppf(1 - alpha / 2, df)
    return pd.DataFrame(
        {
            "term": params.index,
            "estimate": params.to_numpy(),
            "se": se.to_numpy(),
            "t": t.to_numpy(),
            "p_value": p,
            "ci_low": (params - q * se).to_numpy(),
            "ci_high": (params + q * se).to_numpy(),
            "df": df.to_numpy(),
        }
    )


def robust_regression(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors,
    se_type: str = "HC2",
    cluster: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Fit OLS of ``outcome`` on ``predictors`` (plus a constant) with robust standard errors.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    outcome : str
        Numeric outcome column.
    predictors : list of str
        Predictor columns; text columns become 0/1 dummies (first level dropped).
    se_type : {"HC2", "HC0", "HC1", "HC3", "classical", "CR2", "CR1"}, keyword-only
        HC1 is Stata's ``robust``; HC2 is estimatr's default; CR2/CR1 need ``cluster``.
    cluster : str, optional, keyword-only
        Cluster column for CR2/CR1.
    alpha : float, keyword-only
        1 − confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per term: term, estimate, se, t, p_value, ci_low, ci_high, df.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"y": [3, 5, 4, 8, 9, 7, 10], "t": [0, 0, 0, 1, 1, 1, 1]})
    >>> robust_regression(toy, outcome="y", predictors=["t"], se_type="HC3")["se"].round(7).tolist()
    [0.7071068, 1.0274023]
    """
    alpha = check_alpha(alpha)
    require_keyword_choice(se_type, SE_TYPES, argument="se_type")
    predictors = list(predictors)
    require_columns(data, [outcome, *predictors], argument="data")
    require_non_empty(data, argument="data")
    y = numeric_outcome(data, outcome)
    x = covariate_matrix(data, predictors)
    x.insert(0, "const", 1.0)
    groups = _cluster_labels(data, cluster, se_type)
    params, se, df = _fit(y, x, se_type=se_type, clusters=groups)
    return _tidy(params, se, df, alpha)


def _cluster_labels(data, cluster, se_type):
    if se_type in ("CR2", "CR1"):
        if cluster is None:
            raise CityKitError(
                f"se_type={se_type!r} is cluster-robust: pass cluster='<column>' naming the unit "
                "that was randomized (posting, office, route ...)."
            )
    if cluster is None:
        return None
    require_columns(data, [cluster], argument="data")
    labels = data[cluster]
    if labels.isna().any():
        raise CityKitError(
            f"data column {cluster!r} (the cluster) has {int(labels.isna().sum())} missing "
            "labels; every unit must belong to a cluster."
        )
    return labels.astype(str).to_numpy()


# ----------------------------------------------------------------------------------------------
# effects of arms


@dataclass(frozen=True, repr=False)
class EffectEstimates(ResultMixin):
    """Effects of each arm against the control, from :func:`estimate_effects`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per arm: arm, estimate, se, ci_low, ci_high, p_value, df, n_control, n_arm,
        control_mean, arm_mean, relative_effect (estimate / control mean), method.
    outcome, arm : str
        The columns analysed.
    control : object
        The business-as-usual arm.
    alpha : float
        1 − confidence level of the intervals.
    binary : bool
        Whether the outcome is 0/1, so effects are differences in proportions.
    method : str
        How the estimates and standard errors were computed.
    """

    table: pd.DataFrame
    outcome: str
    arm: str
    control: object
    alpha: float
    binary: bool
    method: str
    n: int

    _tables = ("table",)
    _hidden_columns = ("method",)

    def _summary(self) -> str:
        return f"Effects on {self.outcome!r} vs {self.control!r} (N = {self.n}): {self.method}."

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the tidy table."""
        return self.table.copy()

    def sentence(
        self,
        arm: object = None,
        *,
        treatment_label: str | None = None,
        outcome_label: str | None = None,
        unit: str | None = None,
        decimals: int = 1,
    ) -> str:
        """Return a plain-language sentence about one arm (see :func:`effect_sentence`)."""
        return effect_sentence(
            self,
            arm,
            treatment_label=treatment_label,
            outcome_label=outcome_label,
            unit=unit,
            decimals=decimals,
        )


def estimate_effects(
    data: pd.DataFrame,
    *,
    outcome: str,
    arm: str = "arm",
    control: object = None,
    arms=None,
    covariates=(),
    block: str | None = None,
    cluster: str | None = None,
    adjustment: str = "lin",
    se_type: str | None = None,
    alpha: float = 0.05,
) -> EffectEstimates:
    """Estimate the effect of each arm against business as usual, with CIs and p-values.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per randomized unit (or per unit within randomized clusters).
    outcome : str
        Numeric or 0/1 (True/False) outcome column; must have no missing values.
    arm : str, keyword-only
        Column holding the arm labels.
    control : object, keyword-only
        The business-as-usual label; guessed when it is "control" (or 0/False).
    arms : list, optional, keyword-only
        The arms to report (default: every arm other than the control).
    covariates : list of str, keyword-only
        Pre-treatment columns for Lin (2013) adjustment (text columns become dummies).
    block : str, optional, keyword-only
        The randomization block (stratum) column; gives the block-weighted effect.
    cluster : str, optional, keyword-only
        The unit of randomization when whole clusters were assigned; uses CR2 SEs.
    adjustment : {"lin", "additive"}, keyword-only
        ``lin``: covariates and block dummies centered and interacted with the arm (Lin 2013;
        estimatr ``lm_lin``). ``additive``: ``y ~ arm + covariates + block`` (ANCOVA / block fixed
        effects), which weights blocks by N_b·p_b(1 − p_b) and is *not* the average effect when
        treated shares differ by block; offered to show the difference.
    se_type : {"HC2", "HC0", "HC1", "HC3", "classical", "CR2", "CR1"}, optional, keyword-only
        Default HC2 (CR2 with ``cluster``).
    alpha : float, keyword-only
        1 − confidence level (0.05 gives 95% intervals).

    Returns
    -------
    EffectEstimates
        ``.table`` is tidy; ``.sentence()`` says it in plain language.

    Raises
    ------
    CityKitError
        One arm only, an unknown control or arm label, a constant outcome, missing outcomes or
        covariates, an arm with fewer than two units, alpha outside (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> blocks = pd.DataFrame({
    ...     "block": list("AAAAAA") + list("BBBB") + list("CCCCCCCCCC"),
    ...     "arm": ["letter"] * 3 + ["control"] * 3 + ["letter"] * 2 + ["control"] * 2
    ...            + ["letter"] * 3 + ["control"] * 7,
    ...     "y": [10, 12, 11, 8, 9, 7, 20, 22, 15, 17, 5, 6, 7, 6, 8, 4, 5, 3, 4, 6]})
    >>> res = estimate_effects(blocks, outcome="y", block="block")
    >>> round(float(res.table["estimate"][0]), 7), round(float(res.table["se"][0]), 7)
    (2.3285714, 0.5689231)
    """
    alpha = check_alpha(alpha)
    require_keyword_choice(adjustment, ADJUSTMENTS, argument="adjustment")
    if se_type is None:
        se_type = "CR2" if cluster is not None else "HC2"
    require_keyword_choice(se_type, SE_TYPES, argument="se_type")
    if cluster is None and se_type in ("CR2", "CR1"):
        _cluster_labels(data, None, se_type)
    labels = check_arm_column(data, arm)
    control = resolve_control(labels, control, arm=arm)
    if arms is None:
        if isinstance(labels.dtype, pd.CategoricalDtype):
            order = [c for c in labels.cat.categories if c in set(labels)]
        else:
            order = sorted(pd.unique(labels), key=str)
        arms = [a for a in order if a != control]
    else:
        if isinstance(arms, str):
            arms = [arms]
        arms = check_arm_labels(labels, arms, arm=arm, argument="arms")
        if control in arms:
            raise CityKitError(f"arms includes the control {control!r}; list only the others.")
    keep = labels.isin([control, *arms]).to_numpy()
    frame = data.loc[keep].reset_index(drop=True)  # duplicate index labels cannot misalign
    labels = labels[keep].reset_index(drop=True)
    y = numeric_outcome(frame, outcome)
    counts = labels.value_counts()
    for label in [control, *arms]:
        if counts.get(label, 0) < 2:
            raise CityKitError(
                f"Arm {label!r} has {counts.get(label, 0)} unit(s) with an outcome; every arm "
                "needs at least 2 to estimate a variance. Check the arm labels and filters."
            )
    groups = _cluster_labels(frame, cluster, se_type)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    z = covariate_matrix(frame, covariates)
    if block is not None:
        require_columns(frame, [block], argument="data")
        _check_blocks(frame, labels, block, [control, *arms])
        dummies = pd.get_dummies(
            frame[block].astype(str), prefix=block, prefix_sep="=", dtype=float
        ).iloc[:, 1:]
        z = pd.concat([z, dummies], axis=1)
    z = z.loc[:, z.std(ddof=0) > 0] if z.shape[1] else z
    d = pd.DataFrame(
        {f"arm={a}": (labels == a).to_numpy(dtype=float) for a in arms}, index=frame.index
    )
    x = pd.concat([pd.Series(1.0, index=frame.index, name="const"), d], axis=1)
    if z.shape[1]:
        if adjustment == "lin":
            zc = z - z.mean()
            inter = {f"{dc}:{zn}": d[dc] * zc[zn] for dc in d.columns for zn in zc.columns}
            x = pd.concat([x, zc, pd.DataFrame(inter, index=frame.index)], axis=1)
        else:
            x = pd.concat([x, z], axis=1)
    params, se, df = _fit(y, x, se_type=se_type, clusters=groups)
    tidy = _tidy(params, se, df, alpha).set_index("term")
    method = _describe(covariates, block, cluster, adjustment, se_type, z.shape[1] > 0)
    rows = []
    y_series = pd.Series(y, index=frame.index)
    control_mask = (labels == control).to_numpy()
    for a in arms:
        row = tidy.loc[f"arm={a}"]
        arm_mask = (labels == a).to_numpy()
        rows.append(
            {
                "arm": a,
                "estimate": row["estimate"],
                "se": row["se"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "p_value": row["p_value"],
                "df": row["df"],
                "n_control": int(control_mask.sum()),
                "n_arm": int(arm_mask.sum()),
                "control_mean": float(y_series[control_mask].mean()),
                "arm_mean": float(y_series[arm_mask].mean()),
                "relative_effect": _relative(row["estimate"], y_series[control_mask].mean()),
                "method": method,
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    return EffectEstimates(
        table=table,
        outcome=outcome,
        arm=arm,
        control=control,
        alpha=alpha,
        binary=binary,
        method=method,
        n=len(y),
    )


def _relative(estimate: float, control_mean: float) -> float:
    """Effect as a share of the control mean (0.14 = a 14% rise); NaN when the mean is 0."""
    return float(estimate / control_mean) if control_mean != 0 else float("nan")


def _check_blocks(frame, labels, block, wanted) -> None:
    if frame[block].isna().any():
        raise CityKitError(
            f"data column {block!r} (the block) has {int(frame[block].isna().sum())} missing "
            "labels; every unit was randomized within a block."
        )
    cells = pd.crosstab(frame[block].astype(str), labels)
    for label in wanted:
        if label not in cells.columns:
            continue
        empty = cells.index[cells[label] == 0].tolist()
        if empty:
            raise CityKitError(
                f"Block(s) {', '.join(repr(b) for b in empty[:5])} of {block!r} have no units in "
                f"arm {label!r}, so the effect inside them cannot be estimated. Drop those "
                "blocks or merge them with a similar block."
            )


def _describe(covariates, block, cluster, adjustment, se_type, adjusted) -> str:
    if block is not None and adjustment == "lin":
        what = f"block-weighted difference (blocks {block!r}, centered and interacted)"
    elif block is not None:
        what = f"block fixed effects OLS (blocks {block!r}; weights N·p(1−p), not the ATE)"
    else:
        what = "difference in means"
    if covariates and adjusted:
        kind = "Lin (2013) interacted" if adjustment == "lin" else "additive (ANCOVA)"
        what += f", {kind} adjustment for {', '.join(covariates)}"
    se = {
        "HC2": "HC2 robust SE" + ("" if adjusted else " (= Neyman)"),
        "HC0": "HC0 robust SE",
        "HC1": "HC1 robust SE (Stata)",
        "HC3": "HC3 robust SE",
        "classical": "classical OLS SE",
        "CR2": f"CR2 cluster-robust SE by {cluster!r} (Bell-McCaffrey df)",
        "CR1": f"CR1 cluster-robust SE by {cluster!r} (Stata; df = clusters − 1)",
    }[se_type]
    df = "" if se_type.startswith("CR") else ", t with N − k df"
    return f"{what}; {se}{df}"


# ----------------------------------------------------------------------------------------------
# plain language


def _p_text(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def effect_sentence(
    result: EffectEstimates,
    arm: object = None,
    *,
    treatment_label: str | None = None,
    outcome_label: str | None = None,
    unit: str | None = None,
    decimals: int = 1,
) -> str:
    """Say one arm's effect in a sentence a city manager can read.

    Parameters
    ----------
    result : EffectEstimates
        From :func:`estimate_effects`.
    arm : object, optional
        Which arm (default: the first).
    treatment_label : str, optional, keyword-only
        How to name the arm ("The reminder letter"); default ``The '<arm>' arm``.
    outcome_label : str, optional, keyword-only
        How to name the outcome ("on-time payment"); default the column name.
    unit : str, optional, keyword-only
        Unit of the outcome for non-binary outcomes ("applications", "US dollars"). Binary
        outcomes are reported in percentage points.
    decimals : int, keyword-only
        Decimals shown.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> trial = pd.DataFrame({"arm": ["control"] * 100 + ["letter"] * 100,
    ...                       "paid": [1] * 60 + [0] * 40 + [1] * 75 + [0] * 25})
    >>> res = estimate_effects(trial, outcome="paid")
    >>> print(effect_sentence(res, treatment_label="The reminder letter",
    ...                       outcome_label="on-time payment"))  # doctest: +NORMALIZE_WHITESPACE
    The reminder letter raised on-time payment by 15.0 percentage points (95% CI 2.0 to 28.0),
    from 60.0% under business as usual to 75.0% (p = 0.02).
    """
    if not isinstance(result, EffectEstimates):
        raise CityKitError(
            "effect_sentence needs the result of estimate_effects(...), but a "
            f"{type(result).__name__} was given."
        )
    table = result.table
    if arm is None:
        row = table.iloc[0]
    else:
        matches = table[table["arm"] == arm]
        if matches.empty:
            check_arm_labels(table["arm"], [arm], arm="arm", argument="arm")
        row = matches.iloc[0]
    who = treatment_label or f"The {row['arm']!r} arm"
    what = outcome_label or result.outcome
    level = round(100 * (1 - result.alpha))
    scale = 100.0 if result.binary else 1.0
    est, low, high = (scale * row[c] for c in ("estimate", "ci_low", "ci_high"))
    units = "percentage points" if result.binary else (unit or "")
    units = f" {units}" if units else ""
    fmt = f"{{:.{decimals}f}}"
    ci = f"{level}% CI {fmt.format(low)} to {fmt.format(high)}"
    # An adjusted estimate is not the difference of the raw arm means: "from 69.2% to 69.9%"
    # beside "+5.0 points" would contradict itself. A block-weighted estimate quotes no raw rate
    # at all (both arms mix blocks with different shares treated); a covariate-adjusted one
    # gives the control group's rate as the baseline.
    raw_difference = float(row["arm_mean"]) - float(row["control_mean"])
    adjusted = abs(raw_difference - float(row["estimate"])) > 1e-9
    blocked = "block-weighted" in result.method
    if blocked:
        base = ", compared within randomization blocks"
    elif result.binary and adjusted:
        base = (
            f"; an adjusted estimate, so not the raw gap between the arms "
            f"(the control group's rate was {fmt.format(100 * row['control_mean'])}%)"
        )
    elif result.binary:
        base = (
            f", from {fmt.format(100 * row['control_mean'])}% under business as usual to "
            f"{fmt.format(100 * row['arm_mean'])}%"
        )
    else:
        base = (
            f", from an average of {fmt.format(row['control_mean'])}{units} under business as usual"
        )
    p = _p_text(float(row["p_value"]))
    if low > 0 or high < 0:
        verb = "raised" if est > 0 else "lowered"
        if result.binary and adjusted and not blocked:
            return f"{who} {verb} {what} by {fmt.format(abs(est))}{units} ({ci}, {p}){base}."
        return f"{who} {verb} {what} by {fmt.format(abs(est))}{units} ({ci}){base} ({p})."
    direction = "a rise" if est >= 0 else "a fall"
    return (
        f"{who} made no clear difference to {what}: the estimate is {direction} of "
        f"{fmt.format(abs(est))}{units} ({ci}, which includes no effect; {p}){base}."
    )
