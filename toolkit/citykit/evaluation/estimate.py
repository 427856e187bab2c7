"""Effect estimates for randomized tests: differences with confidence intervals and p-values.

:func:`estimate_effects` compares every arm with business as usual (the control) and returns a
tidy table (estimate, se, ci_low, ci_high, p_value, n per arm, method) plus a plain-language
sentence. The conventions are those of R ``estimatr`` (DeclareDesign) and US federal evaluation
teams (GSA OES); formulas and reference values: ``docs/methods.md``, "Effect estimates":

* no covariates: difference in means (or proportions) with the **HC2** standard error, which
  equals the Neyman/Welch SE √(s₁²/n₁ + s₀²/n₀); *t* with N − k degrees of freedom;
* covariates: **Lin (2013)** adjustment, ``y ~ arm * (x − x̄)`` with full-sample centering, HC2;
* blocks: centered block dummies interacted with the arm (Lin), which gives the **block-weighted
  ATE** Σ (N_b/N)(ȳ₁_b − ȳ₀_b) even when the treated share differs by block (plain block fixed
  effects do not: ``adjustment="additive"`` shows the difference);
* clusters: **CR2** (Bell-McCaffrey) cluster-robust SE with Satterthwaite degrees of freedom,
  as ``estimatr::lm_robust`` (``se_type="CR1"`` gives the Stata-style statsmodels SE);
* counts: ``weight=`` takes frequency weights (a table of counts per arm, block and outcome)
  and gives exactly the results of the expanded one-row-per-unit table;
* several arms: every arm stays in the model; ``arms=`` chooses what is reported and
  ``other_arms="drop"`` fits on the listed arms alone, explicitly.

``relative_effect`` divides by the control mean the estimate is measured from
(``adjusted_control_mean``: block-weighted, at the covariate means).

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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit._renamed import keyword_only_options, renamed_options
from citykit.errors import CityKitError, require_columns, require_keyword_choice
from citykit.evaluation._checks import (
    check_alpha,
    check_arm_column,
    check_arm_labels,
    covariate_matrix,
    numeric_outcome,
    resolve_control,
)
from citykit.evaluation._results import ResultMixin
from citykit.evaluation.regression import SE_TYPES, _cluster_labels, _fit, _tidy

__all__ = ["EffectEstimates", "estimate_effects", "effect_sentence"]

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
    "adjusted_control_mean",
    "relative_effect",
    "method",
]


# ----------------------------------------------------------------------------------------------
# effects of arms


@dataclass(frozen=True, repr=False)
class EffectEstimates(ResultMixin):
    """Effects of each arm against the control, from :func:`estimate_effects`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per arm: arm, estimate, se, ci_low, ci_high, p_value, df, n_control, n_arm,
        control_mean, arm_mean (the raw means of the two arms), adjusted_control_mean (the
        control mean the estimate is measured from: block-weighted and covariate-adjusted like
        the estimate; equal to control_mean without blocks or covariates), relative_effect
        (estimate / adjusted_control_mean), method.
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
    n : int
        Units in the model (with ``weight``, the sum of the weights).
    dropped : int
        Units of unlisted arms left out before fitting (``other_arms="drop"``); 0 otherwise.
    weight : str or None
        The frequency-weight column, when rows stand for several units.
    n_rows : int
        Rows of ``data`` in the model (equal to ``n`` without weights).
    """

    table: pd.DataFrame
    outcome: str
    arm: str
    control: object
    alpha: float
    binary: bool
    method: str
    n: int
    dropped: int = 0
    weight: str | None = None
    n_rows: int = 0

    _tables = ("table",)
    _hidden_columns = ("method",)

    def _summary(self) -> str:
        size = f"N = {self.n:,}"
        if self.weight is not None:
            size += f" units in {self.n_rows:,} rows weighted by {self.weight!r}"
        text = f"Effects on {self.outcome!r} vs {self.control!r} ({size}): {self.method}."
        if self.dropped:
            text += f" {self.dropped:,} units of the other arms were left out before fitting."
        return text

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the tidy table."""
        return self.table.copy()

    @keyword_only_options("arm_label")
    @renamed_options(arm="arm_label")
    def sentence(
        self,
        *,
        arm_label: object = None,
        treatment_label: str | None = None,
        outcome_label: str | None = None,
        unit: str | None = None,
        decimals: int = 1,
    ) -> str:
        """Return a plain-language sentence about one arm (see :func:`effect_sentence`)."""
        return effect_sentence(
            self,
            arm_label=arm_label,
            treatment_label=treatment_label,
            outcome_label=outcome_label,
            unit=unit,
            decimals=decimals,
        )


OTHER_ARMS = ("keep", "drop")


def estimate_effects(
    data: pd.DataFrame,
    *,
    outcome: str,
    arm: str = "arm",
    control: object = None,
    arms=None,
    other_arms: str = "keep",
    covariates=(),
    block: str | None = None,
    cluster: str | None = None,
    weight: str | None = None,
    adjustment: str = "lin",
    se_type: str | None = None,
    alpha: float = 0.05,
) -> EffectEstimates:
    """Estimate the effect of each arm against business as usual, with CIs and p-values.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per randomized unit (or per unit within randomized clusters), or, with
        ``weight``, one row per group of identical units (counts per arm, block and outcome).
    outcome : str
        Numeric or 0/1 (True/False) outcome column; must have no missing values.
    arm : str, keyword-only
        Column holding the arm labels.
    control : object, keyword-only
        The business-as-usual label; guessed when it is "control" (or 0/False).
    arms : list, optional, keyword-only
        The arms to report (default: every arm other than the control). Listing arms changes
        only what is reported: every arm stays in the model, so block weights and covariate
        centering use all the units that were randomized, and the estimates are the same as
        without ``arms``.
    other_arms : {"keep", "drop"}, keyword-only
        What happens to the units of arms not listed in ``arms``. ``"keep"`` (default) keeps
        them in the model. ``"drop"`` leaves them out before fitting, which is a different
        analysis: with blocks or covariates it changes the block weights and the centering, so
        the estimate changes too. The number left out is shown in the result
        (``.dropped``) and its summary.
    covariates : list of str, keyword-only
        Pre-treatment columns for Lin (2013) adjustment (text columns become dummies).
    block : str, optional, keyword-only
        The randomization block (stratum) column; gives the block-weighted effect.
    cluster : str, optional, keyword-only
        The unit of randomization when whole clusters were assigned; uses CR2 SEs.
    weight : str, optional, keyword-only
        Frequency weights: the column saying how many identical units each row stands for,
        e.g. a table of counts per arm, block and outcome (``n`` rows with outcome 1 and
        ``n`` rows with outcome 0 per cell). Estimates, standard errors, degrees of freedom
        and counts are exactly those of the expanded one-row-per-unit table. Weights must be
        whole numbers of 0 or more (rows of 0 stand for no unit); sampling or inverse-
        probability weights are something else and are not accepted.
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
        ``.table`` is tidy; ``.sentence()`` says it in plain language. ``relative_effect`` is the
        estimate divided by ``adjusted_control_mean``, the control mean the estimate is measured
        from (block-weighted with blocks, at the covariate means with covariates).

    Raises
    ------
    CityKitError
        One arm only, an unknown control or arm label, a constant outcome, missing outcomes or
        covariates, an arm with fewer than two units, weights that are not whole numbers of 0 or
        more, alpha outside (0, 1).

    Notes
    -----
    Formulas, reference values and sources: ``docs/methods.md``, "Evaluation".

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

    The same trial as counts (one row per block, arm and outcome value) gives the same numbers:

    >>> counts = blocks.value_counts(["block", "arm", "y"]).rename("n").reset_index()
    >>> len(counts)
    18
    >>> res = estimate_effects(counts, outcome="y", block="block", weight="n")
    >>> round(float(res.table["estimate"][0]), 7), round(float(res.table["se"][0]), 7), res.n
    (2.3285714, 0.5689231, 20)
    """
    alpha = check_alpha(alpha)
    require_keyword_choice(adjustment, ADJUSTMENTS, argument="adjustment")
    require_keyword_choice(other_arms, OTHER_ARMS, argument="other_arms")
    if se_type is None:
        se_type = "CR2" if cluster is not None else "HC2"
    require_keyword_choice(se_type, SE_TYPES, argument="se_type")
    if cluster is None and se_type in ("CR2", "CR1"):
        _cluster_labels(data, None, se_type)
    labels = check_arm_column(data, arm)
    control = resolve_control(labels, control, arm=arm)
    if isinstance(labels.dtype, pd.CategoricalDtype):
        order = [c for c in labels.cat.categories if c in set(labels)]
    else:
        order = sorted(pd.unique(labels), key=str)
    every_arm = [a for a in order if a != control]
    if arms is None:
        arms = every_arm
    else:
        if isinstance(arms, str):
            arms = [arms]
        arms = check_arm_labels(labels, arms, arm=arm, argument="arms")
        if control in arms:
            raise CityKitError(f"arms includes the control {control!r}; list only the others.")
    weights_all = _frequency_weights(data, weight)
    modelled = every_arm if other_arms == "keep" else arms
    keep = labels.isin([control, *modelled]).to_numpy().copy()
    dropped = int(weights_all[~keep].sum()) if weights_all is not None else int((~keep).sum())
    if weights_all is not None:
        keep &= weights_all > 0  # rows that stand for no unit
    frame = data.loc[keep].reset_index(drop=True)  # duplicate index labels cannot misalign
    labels = labels[keep].reset_index(drop=True)
    w = None if weights_all is None else weights_all[keep]
    units = np.ones(len(frame)) if w is None else w
    y = numeric_outcome(frame, outcome)
    counts = pd.Series(units).groupby(labels.to_numpy()).sum()
    for label in [control, *modelled]:
        if counts.get(label, 0) < 2:
            raise CityKitError(
                f"Arm {label!r} has {counts.get(label, 0):g} unit(s) with an outcome; every arm "
                "needs at least 2 to estimate a variance. Check the arm labels and filters."
            )
    groups = _cluster_labels(frame, cluster, se_type)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    z = covariate_matrix(frame, covariates)
    if block is not None:
        require_columns(frame, [block], argument="data")
        _check_blocks(frame, labels, block, [control, *modelled], units)
        dummies = pd.get_dummies(
            frame[block].astype(str), prefix=block, prefix_sep="=", dtype=float
        ).iloc[:, 1:]
        z = pd.concat([z, dummies], axis=1)
    z = z.loc[:, z.std(ddof=0) > 0] if z.shape[1] else z
    d = pd.DataFrame(
        {f"arm={a}": (labels == a).to_numpy(dtype=float) for a in modelled}, index=frame.index
    )
    x = pd.concat([pd.Series(1.0, index=frame.index, name="const"), d], axis=1)
    if z.shape[1]:
        if adjustment == "lin":
            zc = z - _weighted_mean(z, units)
            inter = {f"{dc}:{zn}": d[dc] * zc[zn] for dc in d.columns for zn in zc.columns}
            x = pd.concat([x, zc, pd.DataFrame(inter, index=frame.index)], axis=1)
        else:
            x = pd.concat([x, z], axis=1)
    params, se, df = _fit(y, x, se_type=se_type, clusters=groups, weights=w)
    tidy = _tidy(params, se, df, alpha).set_index("term")
    # the control mean the estimates are measured from: the model's prediction for every unit
    # in the model had it been in the control arm (block-weighted; at the covariate means)
    at_control = _weighted_mean(x, units)
    at_control[[c for c in x.columns if c.startswith("arm=")]] = 0.0
    adjusted_control = float(at_control @ params)
    method = _describe(
        covariates, block, cluster, adjustment, se_type, z.shape[1] > 0, modelled, arms, weight
    )
    rows = []
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
                "n_control": int(units[control_mask].sum()),
                "n_arm": int(units[arm_mask].sum()),
                "control_mean": _mean(y[control_mask], units[control_mask]),
                "arm_mean": _mean(y[arm_mask], units[arm_mask]),
                "adjusted_control_mean": adjusted_control,
                "relative_effect": _relative(row["estimate"], adjusted_control),
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
        n=int(units.sum()),
        dropped=dropped,
        weight=weight,
        n_rows=len(frame),
    )


def _mean(values: np.ndarray, units: np.ndarray) -> float:
    return float((values * units).sum() / units.sum())


def _weighted_mean(frame: pd.DataFrame, units: np.ndarray) -> pd.Series:
    return frame.mul(units, axis=0).sum() / units.sum()


def _frequency_weights(data: pd.DataFrame, weight: str | None) -> np.ndarray | None:
    """Return the frequency weights as floats after checking they are whole numbers >= 0."""
    if weight is None:
        return None
    require_columns(data, [weight], argument="data")
    column = data[weight]
    if not (pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)):
        raise CityKitError(
            f"data column {weight!r} (the weight) holds {column.dtype} values; frequency "
            "weights are counts of units (whole numbers). Convert it with "
            f"pd.to_numeric(data[{weight!r}])."
        )
    missing = int(column.isna().sum())
    if missing:
        raise CityKitError(
            f"data column {weight!r} (the weight) has {missing} missing value(s); every row must "
            "say how many units it stands for (0 if none)."
        )
    values = column.to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        found = values[bad][:3].tolist()
        raise CityKitError(
            f"data column {weight!r} (the weight) must hold whole numbers of 0 or more (how many "
            f"identical units each row stands for), but it has {int(bad.sum())} other value(s), "
            f"e.g. {found}. Sampling or inverse-probability weights are not frequency weights: "
            "estimate_effects does not take them."
        )
    if values.sum() < 1:
        raise CityKitError(f"data column {weight!r} (the weight) adds up to 0 units.")
    return values


def _relative(estimate: float, control_mean: float) -> float:
    """Effect as a share of the control mean (0.14 = a 14% rise); NaN when the mean is 0."""
    return float(estimate / control_mean) if control_mean != 0 else float("nan")


def _check_blocks(frame, labels, block, wanted, units) -> None:
    if frame[block].isna().any():
        raise CityKitError(
            f"data column {block!r} (the block) has {int(frame[block].isna().sum())} missing "
            "labels; every unit was randomized within a block."
        )
    cells = pd.crosstab(frame[block].astype(str), labels, values=units, aggfunc="sum").fillna(0)
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


def _describe(
    covariates, block, cluster, adjustment, se_type, adjusted, modelled, reported, weight
) -> str:
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
    extra = ""
    unreported = [a for a in modelled if a not in reported]
    if unreported:
        extra += f"; arm(s) {', '.join(repr(a) for a in unreported)} kept in the model, not shown"
    if weight is not None:
        extra += f"; rows weighted by {weight!r} (frequency weights)"
    return f"{what}; {se}{df}{extra}"


# ----------------------------------------------------------------------------------------------
# plain language


def _p_text(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


@keyword_only_options("arm_label")
@renamed_options(arm="arm_label")
def effect_sentence(
    result: EffectEstimates,
    *,
    arm_label: object = None,
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
    arm_label : object, optional, keyword-only
        The label of the arm to describe (default: the first arm of ``result.table``).
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
    if arm_label is None:
        row = table.iloc[0]
    else:
        matches = table[table["arm"] == arm_label]
        if matches.empty:
            check_arm_labels(table["arm"], [arm_label], arm="arm", argument="arm_label")
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
