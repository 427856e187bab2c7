"""Checks of a case-mix model: calibration and discrimination.

"Total observed = total expected" holds for every logistic model with an intercept, however poor,
so it checks the arithmetic, not the model. The real checks of a risk model are:

* **Calibration** (:func:`calibration`): are the predicted chances right? Clients are grouped by
  deciles of predicted risk; in each group the observed count is compared with the expected count.
  The Hosmer-Lemeshow statistic ``C = sum_g (O_g - E_g)^2 / (E_g (1 - E_g / n_g))`` follows about
  a chi-square with ``groups - 2`` degrees of freedom when the model is right (Hosmer & Lemeshow
  1980). Groups are formed as Stata's ``estat gof, group(10)`` forms them: cut points at the
  quantiles of the predicted probabilities, clients with the same probability kept together.
* **Discrimination** (:func:`discrimination`): does the model rank clients correctly? The
  c-statistic is the probability that a client who had the outcome was given a higher predicted
  chance than one who did not (ties count one half): 0.5 is a coin toss, 1 a perfect ranking. It
  equals the area under the ROC curve and the Mann-Whitney U statistic divided by the number of
  pairs; its standard error follows Hanley & McNeil (1982, Radiology 143:29).

A model can discriminate well and still be miscalibrated, or the reverse; report both
(docs/methods.md, "Risk adjustment").

Examples
--------
>>> import pandas as pd
>>> from citykit.contracting import risk_adjust
>>> clients = pd.DataFrame({"provider_id": list("AB") * 10, "prior": [0, 1, 2, 3, 4] * 4,
...     "housed": [1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0]})
>>> risk = risk_adjust(clients, outcome="housed", risk_factors=["prior"])
>>> round(discrimination(risk).c_statistic, 3)
0.9
>>> check = calibration(risk, groups=5)
>>> round(check.statistic, 3), check.df
(0.7, 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit._renamed import renamed_options
from citykit.contracting._common import html_table
from citykit.errors import ArgumentRangeError, CityKitError

__all__ = [
    "Calibration",
    "calibration",
    "Discrimination",
    "discrimination",
    "c_statistic_from_scores",
]


def _binary_model(risk) -> tuple[np.ndarray, np.ndarray]:
    from citykit.contracting.risk import RiskAdjustment

    if not isinstance(risk, RiskAdjustment):
        raise CityKitError(
            f"pass the result of contracting.risk_adjust(...), not a {type(risk).__name__}."
        )
    if risk.family != "binomial":
        raise CityKitError(
            "calibration by risk decile and the c-statistic are checks of a yes/no outcome model; "
            "this risk adjustment is of a count (family='poisson')."
        )
    y = risk.clients[risk.outcome].to_numpy(dtype=float)
    p = risk.clients["expected"].to_numpy(dtype=float)
    return y, p


def _stata_cut_points(p: np.ndarray, groups: int) -> np.ndarray:
    """Quantile cut points as Stata's xtile computes them (``_pctile``'s default definition)."""
    ordered = np.sort(p)
    n = ordered.size
    cuts = []
    for k in range(1, groups):
        position = n * k / groups
        whole = int(np.floor(position + 1e-9))
        if abs(position - whole) < 1e-9 and 0 < whole < n:
            cuts.append((ordered[whole - 1] + ordered[whole]) / 2)
        else:
            cuts.append(ordered[min(int(np.ceil(position)) - 1, n - 1)])
    return np.asarray(cuts)


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibration`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per risk group: ``group`` (1 = lowest predicted risk), ``clients``,
        ``highest_probability`` (the group's cut point), ``observed``, ``expected``,
        ``observed_rate``, ``expected_rate`` and ``contribution`` to the statistic.
    statistic : float
        Hosmer-Lemeshow C.
    df : int
        Degrees of freedom: number of groups - 2.
    p_value : float
        Chi-square upper tail; a small value says the predicted chances are off somewhere.
    groups_asked : int
        The number of groups asked for (ties can leave fewer).
    """

    table: pd.DataFrame = field(repr=False)
    statistic: float
    df: int
    p_value: float
    groups_asked: int

    def summary(self) -> str:
        """Plain-language verdict and the largest gap between observed and expected."""
        worst = self.table.loc[self.table["contribution"].idxmax()]
        verdict = (
            "the predicted chances are off somewhere (p < 0.05)"
            if self.p_value < 0.05
            else "no evidence that the predicted chances are off"
        )
        fewer = (
            f" (ties left {len(self.table)} of the {self.groups_asked} groups asked for)"
            if len(self.table) < self.groups_asked
            else ""
        )
        return (
            f"Hosmer-Lemeshow C = {self.statistic:.2f} on {self.df} df, p = {self.p_value:.3f}: "
            f"{verdict}{fewer}. Largest gap in risk group {int(worst['group'])}: "
            f"{worst['observed']:.0f} observed against {worst['expected']:.1f} expected."
        )

    def __repr__(self) -> str:
        return f"Calibration\n{self.summary()}\n{self.table.round(3).to_string(index=False)}"

    def _repr_html_(self) -> str:
        return f"<div><p><b>Calibration</b><br>{self.summary()}</p>{html_table(self.table)}</div>"


def calibration(risk, *, groups: int = 10) -> Calibration:
    """Calibration of a case-mix model by groups of predicted risk, with Hosmer-Lemeshow's test.

    Parameters
    ----------
    risk : RiskAdjustment
        The result of :func:`~citykit.contracting.risk.risk_adjust` (a yes/no outcome).
    groups : int, keyword-only
        Number of risk groups (10: deciles). Clients with the same predicted probability stay in
        one group, so ties can leave fewer groups; ``df`` follows the groups actually formed.

    Returns
    -------
    Calibration

    Notes
    -----
    Reference values (Hosmer & Lemeshow's low-birth-weight data) and sources: docs/methods.md,
    "Risk adjustment".

    Examples
    --------
    >>> import pandas as pd
    >>> from citykit.contracting import risk_adjust
    >>> clients = pd.DataFrame({"provider_id": list("AB") * 10, "prior": [0, 1, 2, 3, 4] * 4,
    ...     "housed": [1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0]})
    >>> risk = risk_adjust(clients, outcome="housed", risk_factors=["prior"])
    >>> calibration(risk, groups=5).table[["group", "clients", "observed", "expected"]].round(2)
       group  clients  observed  expected
    0      1        4         0      0.16
    1      2        4         1      0.68
    2      3        4         2      2.00
    3      4        4         3      3.32
    4      5        4         4      3.84
    """
    from scipy import stats

    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 3:
        raise ArgumentRangeError(
            f"groups must be a whole number of at least 3 (10 is usual), but {groups!r} was given."
        )
    y, p = _binary_model(risk)
    if p.size < groups:
        raise ArgumentRangeError(
            f"there are only {p.size} clients for {groups} risk groups; use fewer groups."
        )
    cuts = _stata_cut_points(p, int(groups))
    group = np.searchsorted(np.unique(cuts), p, side="left")
    frame = pd.DataFrame({"g": group, "y": y, "p": p})
    table = frame.groupby("g", sort=True).agg(
        clients=("y", "size"),
        highest_probability=("p", "max"),
        observed=("y", "sum"),
        expected=("p", "sum"),
    )
    table = table.reset_index(drop=True)
    table.insert(0, "group", np.arange(1, len(table) + 1))
    table["observed"] = table["observed"].astype(int)
    table["observed_rate"] = table["observed"] / table["clients"]
    table["expected_rate"] = table["expected"] / table["clients"]
    denominator = table["expected"] * (1 - table["expected"] / table["clients"])
    table["contribution"] = (table["observed"] - table["expected"]) ** 2 / denominator
    statistic = float(table["contribution"].sum())
    df = int(len(table) - 2)
    if df < 1:
        raise CityKitError(
            "the predicted probabilities take too few distinct values to form at least 3 risk "
            "groups (the model has too few risk factors); calibration cannot be tested this way."
        )
    return Calibration(
        table=table,
        statistic=statistic,
        df=df,
        p_value=float(stats.chi2.sf(statistic, df)),
        groups_asked=int(groups),
    )


@dataclass(frozen=True)
class Discrimination:
    """Result of :func:`discrimination`.

    Attributes
    ----------
    c_statistic : float
        Probability that a client with the outcome got a higher predicted chance than one without
        (ties one half); the area under the ROC curve.
    std_error : float
        Hanley & McNeil (1982) standard error.
    low, high : float
        Normal-approximation confidence interval at ``level``, clipped to [0, 1].
    positives, negatives : int
        Clients with and without the outcome.
    level : float
        Confidence level.
    """

    c_statistic: float
    std_error: float
    low: float
    high: float
    positives: int
    negatives: int
    level: float = 0.95

    def summary(self) -> str:
        """One sentence: the c-statistic, its interval and what it means."""
        if self.c_statistic >= 0.8:
            words = "strong"
        elif self.c_statistic >= 0.7:
            words = "acceptable"
        elif self.c_statistic >= 0.6:
            words = "modest"
        else:
            words = "weak"
        return (
            f"c-statistic {self.c_statistic:.3f} ({self.level:.0%} interval {self.low:.3f} to "
            f"{self.high:.3f}; {self.positives:,} with the outcome, {self.negatives:,} without): "
            f"{words} discrimination (0.5 = a coin toss, 1 = a perfect ranking)."
        )

    def __repr__(self) -> str:
        return f"Discrimination: {self.summary()}"

    def _repr_html_(self) -> str:
        return f"<p><b>Discrimination</b><br>{self.summary()}</p>"


def c_statistic_from_scores(outcome, score) -> tuple[float, float]:
    """c-statistic (Mann-Whitney, ties one half) and Hanley-McNeil standard error of any scores.

    Parameters
    ----------
    outcome : array-like of 0/1
        Who had the outcome.
    score : array-like of float
        A score or predicted probability per client (higher = more likely to have the outcome).

    Returns
    -------
    tuple of float
        The c-statistic and its standard error.

    Examples
    --------
    Hanley & McNeil's (1982) 109 CT images rated 1-5 by a radiologist:

    >>> import numpy as np
    >>> ratings = np.repeat([1, 2, 3, 4, 5], [33, 6, 6, 11, 2])
    >>> ratings = np.concatenate([ratings, np.repeat([1, 2, 3, 4, 5], [3, 2, 2, 11, 33])])
    >>> abnormal = np.repeat([0, 1], [58, 51])
    >>> area, error = c_statistic_from_scores(abnormal, ratings)
    >>> round(area, 3), round(error, 3)
    (0.893, 0.032)
    """
    from scipy import stats

    y = np.asarray(outcome, dtype=float)
    s = np.asarray(score, dtype=float)
    positives, negatives = s[y == 1], s[y == 0]
    if positives.size == 0 or negatives.size == 0:
        raise CityKitError(
            "the c-statistic needs clients with and without the outcome; all have the same one."
        )
    u = stats.mannwhitneyu(positives, negatives, alternative="two-sided").statistic
    area = float(u / (positives.size * negatives.size))
    q1 = area / (2 - area)
    q2 = 2 * area**2 / (1 + area)
    variance = (
        area * (1 - area)
        + (positives.size - 1) * (q1 - area**2)
        + (negatives.size - 1) * (q2 - area**2)
    ) / (positives.size * negatives.size)
    return area, float(np.sqrt(max(variance, 0.0)))


@renamed_options({"level": lambda v: 1 - v}, level="alpha")
def discrimination(risk, *, alpha: float = 0.05) -> Discrimination:
    """The c-statistic (area under the ROC curve) of a case-mix model.

    Parameters
    ----------
    risk : RiskAdjustment
        The result of :func:`~citykit.contracting.risk.risk_adjust` (a yes/no outcome).
    alpha : float, keyword-only
        1 - the confidence level of the interval (0.05, the default, gives 95% intervals).

    Returns
    -------
    Discrimination

    Notes
    -----
    Reference values (Hanley & McNeil's 1982 example: 0.893, standard error 0.032) and sources:
    docs/methods.md, "Risk adjustment".

    Examples
    --------
    >>> import pandas as pd
    >>> from citykit.contracting import risk_adjust
    >>> clients = pd.DataFrame({"provider_id": list("AB") * 10, "prior": [0, 1, 2, 3, 4] * 4,
    ...     "housed": [1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0]})
    >>> check = discrimination(risk_adjust(clients, outcome="housed", risk_factors=["prior"]))
    >>> check.positives, check.negatives, round(check.c_statistic, 3)
    (10, 10, 0.9)
    """
    from scipy import stats

    from citykit.errors import require_probability

    require_probability(alpha, argument="alpha")
    level = round(1 - alpha, 12)  # the confidence level, as results show it
    y, p = _binary_model(risk)
    area, error = c_statistic_from_scores(y, p)
    z = stats.norm.ppf(1 - (1 - level) / 2)
    return Discrimination(
        c_statistic=area,
        std_error=error,
        low=max(0.0, area - z * error),
        high=min(1.0, area + z * error),
        positives=int((y == 1).sum()),
        negatives=int((y == 0).sum()),
        level=level,
    )
