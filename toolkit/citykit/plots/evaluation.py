"""Figures for randomized tests: balance (love) plot, coefficient plot, power curve, randomization.

Each function returns a matplotlib ``Axes`` drawn with the shared colourblind-safe palette and
axis labels that carry units.

Examples
--------
>>> import pandas as pd
>>> from citykit.evaluation import estimate_effects
>>> from citykit.plots.evaluation import coefficient_plot
>>> trial = pd.DataFrame({"arm": ["control"] * 4 + ["letter"] * 4,
...                       "paid": [0, 1, 0, 1, 1, 1, 0, 1]})
>>> ax = coefficient_plot(estimate_effects(trial, outcome="paid"))
>>> ax.get_xlabel()
'Effect vs control (percentage points)'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit._renamed import keyword_only_options, renamed_options
from citykit.errors import CityKitError, require_columns
from citykit.plots._style import PALETTE, finish_axes, get_axes

__all__ = ["love_plot", "coefficient_plot", "power_curve_plot", "randomization_plot"]


def love_plot(balance, *, thresholds=(0.1, 0.25), ax=None, title: str | None = None):
    """Plot standardized mean differences by covariate with threshold lines (a "love plot").

    Parameters
    ----------
    balance : BalanceTable or pandas.DataFrame
        The result of :func:`citykit.evaluation.balance_table` (or its ``.table``).
    thresholds : sequence of float, keyword-only
        Dashed lines at ± each value (0.1 usual rule, 0.25 looser rule).
    ax : matplotlib Axes, optional, keyword-only
        Where to draw; a new figure when omitted.
    title : str, optional, keyword-only
        Figure title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from citykit.evaluation import balance_table
    >>> units = pd.DataFrame({"arm": ["control"] * 4 + ["letter"] * 4,
    ...                       "late": [0, 1, 0, 0, 1, 1, 0, 0],
    ...                       "balance": [120, 80, 95, 150, 110, 70, 130, 90]})
    >>> ax = love_plot(balance_table(units, covariates=["late", "balance"]))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['balance', 'late']
    """
    table = getattr(balance, "table", balance)
    require_columns(table, ["covariate", "level", "arm", "smd"], argument="balance")
    if table.empty:
        raise CityKitError("The balance table has no rows to plot.")
    ax = get_axes(ax, figsize=(7, max(2.5, 0.4 * len(table) + 1.2)))
    frame = table.copy()
    frame["label"] = frame["covariate"] + np.where(frame["level"] != "", "=" + frame["level"], "")
    labels = list(dict.fromkeys(frame["label"]))[::-1]
    position = {name: i for i, name in enumerate(labels)}
    arms = list(dict.fromkeys(frame["arm"]))
    colours = [PALETTE["blue"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"]]
    markers = ["o", "s", "D", "^"]
    for i, a in enumerate(arms):
        part = frame[frame["arm"] == a]
        ax.scatter(
            part["smd"],
            part["label"].map(position),
            color=colours[i % 4],
            marker=markers[i % 4],
            zorder=3,
            label=f"{a} vs {getattr(balance, 'control', 'control')}",
        )
    ax.axvline(0, color=PALETTE["black"], linewidth=0.8)
    styles = ["--", ":", "-."]
    for j, value in enumerate(sorted(thresholds)):
        for sign in (-1, 1):
            ax.axvline(
                sign * value,
                color=PALETTE["grey"],
                linestyle=styles[j % 3],
                linewidth=1,
                label=f"±{value:g}" if sign == 1 else None,
            )
    ax.set_yticks(range(len(labels)), labels)
    limit = max(0.3, float(np.nanmax(np.abs(frame["smd"].to_numpy(float)))) * 1.15)
    ax.set_xlim(-limit, limit)
    return finish_axes(
        ax,
        title=title or "Baseline balance: standardized differences",
        xlabel="Standardized mean difference (SD units)",
        ylabel="Baseline covariate",
    )


def coefficient_plot(
    estimates, *, ax=None, title: str | None = None, unit: str | None = None, reference=None
):
    """Plot each arm's effect with its confidence interval.

    Parameters
    ----------
    estimates : EffectEstimates or pandas.DataFrame
        The result of :func:`citykit.evaluation.estimate_effects` (or a table with arm,
        estimate, ci_low, ci_high). Binary outcomes are drawn in percentage points.
    ax : matplotlib Axes, optional, keyword-only
        Where to draw.
    title : str, optional, keyword-only
        Figure title.
    unit : str, optional, keyword-only
        Unit of a non-binary outcome, for the axis label.
    reference : dict, optional, keyword-only
        ``{arm: value}`` marked with a cross, e.g. the generator's true effects.

    Returns
    -------
    matplotlib.axes.Axes
    """
    table = getattr(estimates, "table", estimates)
    require_columns(table, ["arm", "estimate", "ci_low", "ci_high"], argument="estimates")
    binary = bool(getattr(estimates, "binary", False))
    scale = 100.0 if binary else 1.0
    ax = get_axes(ax, figsize=(7, max(2.5, 0.7 * len(table) + 1.2)))
    arms = [str(a) for a in table["arm"]][::-1]
    y = np.arange(len(arms))
    rows = table.iloc[::-1]
    est = scale * rows["estimate"].to_numpy(float)
    low = scale * rows["ci_low"].to_numpy(float)
    high = scale * rows["ci_high"].to_numpy(float)
    level = round(100 * (1 - getattr(estimates, "alpha", 0.05)))
    ax.errorbar(
        est,
        y,
        xerr=[est - low, high - est],
        fmt="o",
        color=PALETTE["blue"],
        ecolor=PALETTE["blue"],
        capsize=4,
        label=f"estimate with {level}% CI",
    )
    if reference:
        ref = [scale * reference.get(a, np.nan) for a in rows["arm"]]
        ax.scatter(ref, y, marker="x", color=PALETTE["vermillion"], zorder=4, label="true effect")
    ax.axvline(0, color=PALETTE["black"], linewidth=0.8)
    ax.set_yticks(y, arms)
    control = getattr(estimates, "control", "control")
    units = "percentage points" if binary else (unit or "outcome units")
    return finish_axes(
        ax,
        title=title or f"Effect of each arm vs {control}",
        xlabel=f"Effect vs {control} ({units})",
        ylabel="Arm",
    )


def power_curve_plot(
    curve: pd.DataFrame, *, target_power: float = 0.8, ax=None, title: str | None = None
):
    """Plot power against the true effect, marking the target power and the MDE.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`citykit.evaluation.power_curve` (columns ``effect_pp`` and ``power``).
    target_power : float, keyword-only
        Horizontal reference line (0.8 by convention); the MDE is where the curve crosses it.
    ax : matplotlib Axes, optional, keyword-only
        Where to draw.
    title : str, optional, keyword-only
        Figure title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from citykit.evaluation import power_curve
    >>> ax = power_curve_plot(power_curve(control_rate=0.4, n_per_arm=500))
    >>> ax.get_ylabel()
    'Power (chance of a significant result, %)'
    """
    require_columns(curve, ["effect_pp", "power"], argument="curve")
    ax = get_axes(ax)
    x = curve["effect_pp"].to_numpy(float)
    power = 100 * curve["power"].to_numpy(float)
    ax.plot(x, power, color=PALETTE["blue"], linewidth=2, label="power")
    ax.axhline(
        100 * target_power,
        color=PALETTE["grey"],
        linestyle="--",
        linewidth=1,
        label=f"target {target_power:.0%}",
    )
    above = np.flatnonzero(power >= 100 * target_power)
    if len(above) and above[0] > 0:
        i = above[0]
        mde = float(np.interp(100 * target_power, power[i - 1 : i + 1], x[i - 1 : i + 1]))
        ax.axvline(
            mde, color=PALETTE["orange"], linestyle=":", linewidth=1.5, label=f"MDE ≈ {mde:.1f} pp"
        )
    ax.set_ylim(0, 100)
    ax.set_xlim(0, x.max() if len(x) else 1)
    return finish_axes(
        ax,
        title=title or "Power to detect a rise over business as usual",
        xlabel="True effect (percentage points)",
        ylabel="Power (chance of a significant result, %)",
    )


@keyword_only_options("arm_label")
@renamed_options(arm="arm_label")
def randomization_plot(
    result, *, arm_label=None, ax=None, title: str | None = None, unit: str | None = None
):
    """Histogram of the estimates under re-randomization, with the observed estimate marked.

    The bars show what the design produces when the arm makes no difference to anyone; the
    vermillion line is the estimate the trial actually produced (and, for a two-sided test, the
    dashed line its mirror image). The p-value is the share of the histogram at or beyond the
    line(s).

    Parameters
    ----------
    result : RandomizationTest
        The result of :func:`citykit.evaluation.randomization_test`.
    arm_label : object, optional, keyword-only
        The label of the arm to draw (default: the first tested).
    ax : matplotlib Axes, optional, keyword-only
        Where to draw.
    title : str, optional, keyword-only
        Figure title.
    unit : str, optional, keyword-only
        Unit of a non-binary outcome, for the axis label (binary outcomes are drawn in
        percentage points).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from citykit.evaluation import randomization_test
    >>> trial = pd.DataFrame({"arm": ["control"] * 5 + ["letter"] * 5,
    ...                       "paid": [0, 1, 0, 0, 1, 1, 1, 0, 1, 1]})
    >>> ax = randomization_plot(randomization_test(trial, outcome="paid"))
    >>> ax.get_xlabel()
    'Estimate if the letter made no difference (percentage points)'
    """
    null = getattr(result, "null_distribution", None)
    if not isinstance(null, dict) or not null:
        raise CityKitError(
            "randomization_plot() draws the result of evaluation.randomization_test(...); it "
            f"got a {type(result).__name__}."
        )
    table = result.table
    if arm_label is None:
        row = table.iloc[0]
    else:
        matches = table[table["arm"] == arm_label]
        if matches.empty:
            tested = ", ".join(repr(a) for a in table["arm"])
            raise CityKitError(
                f"arm_label={arm_label!r} was not tested; the tested arms are {tested}."
            )
        row = matches.iloc[0]
    scale = 100.0 if result.binary else 1.0
    values = scale * np.asarray(null[row["arm"]], dtype=float)
    observed = scale * float(row["estimate"])
    ax = get_axes(ax)
    distinct = np.unique(np.round(values, 12))
    bins = min(60, max(10, len(distinct)))
    weights = np.full(len(values), 100.0 / len(values))  # bar heights: % of assignments
    ax.hist(values, bins=bins, weights=weights, color=PALETTE["blue"], alpha=0.75,
            label="no effect on anyone (re-randomized)")  # fmt: skip
    ax.axvline(observed, color=PALETTE["vermillion"], linewidth=2,
               label=f"observed estimate ({observed:+.2f})")  # fmt: skip
    if result.alternative == "two-sided" and observed != 0:
        ax.axvline(-observed, color=PALETTE["vermillion"], linewidth=1.2, linestyle="--",
                   label="as far from zero, other side")  # fmt: skip
    kind = "exact" if row["method"] == "exact" else "Monte Carlo"
    label = str(row["arm"])
    units = "percentage points" if result.binary else (unit or "outcome units")
    return finish_axes(
        ax,
        title=title
        or f"Randomization test, {label} vs {result.control}: p = {row['p_value']:.3f} ({kind})",
        xlabel=f"Estimate if the {label} made no difference ({units})",
        ylabel=f"Share of {int(row['draws']):,} assignments (%)",
    )
