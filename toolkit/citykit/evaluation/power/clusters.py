"""Cluster designs: design effect, effective sample size, the ICC and the cluster MDES."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from citykit.errors import CityKitError
from citykit.evaluation._checks import (
    check_alpha,
    check_alternative,
    check_between,
    check_n,
    check_power,
    check_rate,
)
from citykit.evaluation._results import ResultMixin

__all__ = [
    "design_effect",
    "effective_sample_size",
    "ICCEstimate",
    "icc_anova",
    "ClusterMDES",
    "mdes_cluster",
]


def design_effect(*, cluster_size: float, icc: float, cv: float = 0.0) -> float:
    """Return the Kish design effect of cluster randomization.

    DEFF = 1 + ((cv² + 1)·m − 1)·ICC, which is 1 + (m − 1)·ICC for equal clusters of size m
    (Donner & Klar). Divide the number of units by DEFF to get the effective sample size.

    Parameters
    ----------
    cluster_size : float
        Mean units per cluster (m), at least 1.
    icc : float
        Intra-cluster correlation, from 0 to 1.
    cv : float, keyword-only
        Coefficient of variation of cluster sizes (0 for equal clusters).

    Examples
    --------
    >>> round(design_effect(cluster_size=20, icc=0.05), 4)
    1.95
    """
    m = check_between(cluster_size, 1, math.inf, argument="cluster_size")
    rho = check_between(icc, 0, 1, argument="icc")
    cv = check_between(cv, 0, math.inf, argument="cv")
    return float(1 + ((cv**2 + 1) * m - 1) * rho)


def effective_sample_size(*, n: float, cluster_size: float, icc: float, cv: float = 0.0) -> float:
    """Return the number of independent units a clustered sample of ``n`` is worth.

    Examples
    --------
    >>> round(effective_sample_size(n=1000, cluster_size=25, icc=0.10), 2)
    294.12
    """
    n = check_n(n, argument="n", minimum=1)
    return n / design_effect(cluster_size=cluster_size, icc=icc, cv=cv)


@dataclass(frozen=True, repr=False)
class ICCEstimate(ResultMixin):
    """Intra-cluster correlation from a one-way ANOVA (ICC(1))."""

    icc: float
    msb: float
    msw: float
    n_clusters: int
    cluster_size: float
    design_effect: float

    def _summary(self) -> str:
        return (
            f"ICC = {self.icc:.4f} from {self.n_clusters} clusters of about "
            f"{self.cluster_size:.1f} units (MSB {self.msb:.4g}, MSW {self.msw:.4g}); "
            f"design effect {self.design_effect:.3f}."
        )


def icc_anova(data: pd.DataFrame, *, outcome: str, cluster: str) -> ICCEstimate:
    """Estimate the intra-cluster correlation with a one-way ANOVA.

    ICC = (MSB − MSW) / (MSB + (n₀ − 1)·MSW), with n₀ the mean cluster size for equal clusters
    and (N − Σnⱼ²/N)/(J − 1) otherwise (Donner & Klar 2000). MSB = Σ nⱼ(ȳⱼ − ȳ)²/(J − 1) and
    MSW = Σ (y − ȳⱼ)²/(N − J) are the mean squares of a one-way ANOVA (the same numbers as
    statsmodels ``anova_lm``). Negative estimates are reported as they are (they mean "no
    clustering"). Formula and reference values: ``docs/methods.md``, "Evaluation".

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    outcome : str
        Numeric outcome column.
    cluster : str
        Cluster column (posting, school, office ...).

    Returns
    -------
    ICCEstimate

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"y": [10, 12, 11, 14, 15, 16, 9, 8, 10, 13, 12, 14],
    ...                     "office": list("aaabbbcccddd")})
    >>> est = icc_anova(toy, outcome="y", cluster="office")
    >>> round(est.icc, 7), round(est.msb, 6), round(est.msw, 6)
    (0.8636364, 20.0, 1.0)
    """
    from citykit.errors import require_columns
    from citykit.evaluation._checks import numeric_outcome

    require_columns(data, [outcome, cluster], argument="data")
    y = numeric_outcome(data, outcome)
    groups = data[cluster]
    if groups.isna().any():
        raise CityKitError(f"data column {cluster!r} (the cluster) has missing labels.")
    frame = pd.DataFrame({"y": y, "g": groups.astype(str).to_numpy()})
    sizes = frame.groupby("g").size()
    j, total = len(sizes), len(frame)
    if j < 2 or total <= j:
        raise CityKitError(
            f"icc_anova needs at least 2 clusters with more than one unit in some; found {j} "
            f"clusters and {total} units."
        )
    # one-way ANOVA mean squares, computed directly (the formula API costs a second to import)
    means = frame.groupby("g")["y"].transform("mean").to_numpy()
    grand = float(y.mean())
    msb = float(((means - grand) ** 2).sum()) / (j - 1)
    msw = float(((y - means) ** 2).sum()) / (total - j)
    n0 = (total - float((sizes**2).sum()) / total) / (j - 1)
    icc = (msb - msw) / (msb + (n0 - 1) * msw)
    deff = 1 + (n0 - 1) * icc
    return ICCEstimate(
        icc=float(icc),
        msb=msb,
        msw=msw,
        n_clusters=int(j),
        cluster_size=float(n0),
        design_effect=float(deff),
    )


@dataclass(frozen=True, repr=False)
class ClusterMDES(ResultMixin):
    """Minimum detectable effect size of a two-level cluster-randomized trial (PowerUp! cra2r2)."""

    mdes: float
    multiplier: float
    standard_error: float
    df: int

    def _summary(self) -> str:
        return (
            f"MDES = {self.mdes:.4f} standard deviations (multiplier {self.multiplier:.4f} x "
            f"standard error {self.standard_error:.4f}, {self.df} degrees of freedom)."
        )


def mdes_cluster(
    *,
    icc: float,
    cluster_size: float,
    n_clusters: int,
    treated_share: float = 0.5,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: str = "two-sided",
    r2_individual: float = 0.0,
    r2_cluster: float = 0.0,
    cluster_covariates: int = 0,
) -> ClusterMDES:
    """Return the MDES of a trial that randomizes whole clusters (PowerUp! ``mdes.cra2r2``).

    df = J − g − 2; SE = √(ρ(1 − R²₂)/(P(1 − P)J) + (1 − ρ)(1 − R²₁)/(P(1 − P)Jn));
    M = t₁₋α/₂,df + t_power,df (one-sided: t₁₋α); MDES = M·SE (Dong & Maynard 2013).
    The quantile t_power,df is negative when power is below one half, so M is then *smaller*
    than t₁₋α/₂,df, as in PowerUpR (``.mdes.fun`` subtracts |t_power| when power < 0.5).
    Formula, reference values and sources: ``docs/methods.md``, "Evaluation".

    Parameters
    ----------
    icc : float
        Intra-cluster correlation ρ.
    cluster_size : float
        Units per cluster (n).
    n_clusters : int
        Clusters randomized (J).
    treated_share : float, keyword-only
        Share of clusters treated (P).
    alpha, power, alternative
        Test settings ("larger" or "smaller" for a one-sided test).
    r2_individual, r2_cluster : float, keyword-only
        Variance explained by unit-level and cluster-level covariates.
    cluster_covariates : int, keyword-only
        Number of cluster-level covariates (g), which costs degrees of freedom.

    Returns
    -------
    ClusterMDES

    Examples
    --------
    >>> res = mdes_cluster(icc=0.20, cluster_size=4, n_clusters=20)
    >>> round(res.mdes, 7), res.df
    (0.8380547, 18)
    >>> round(mdes_cluster(icc=0.05, cluster_size=30, n_clusters=30, power=0.4).mdes, 4)
    0.1871
    """
    rho = check_between(icc, 0, 1, argument="icc")
    n = check_between(cluster_size, 1, math.inf, argument="cluster_size")
    p = check_rate(treated_share, argument="treated_share")
    alpha = check_alpha(alpha)
    power = check_power(power)
    alternative = check_alternative(alternative)
    r2_1 = check_between(r2_individual, 0, 1, argument="r2_individual", inclusive="left")
    r2_2 = check_between(r2_cluster, 0, 1, argument="r2_cluster", inclusive="left")
    g = int(check_between(cluster_covariates, 0, math.inf, argument="cluster_covariates"))
    j = n_clusters
    df = int(j) - g - 2
    if df < 1:
        raise CityKitError(
            f"n_clusters={j!r} leaves {df} degrees of freedom after {g} cluster covariates; "
            "randomize more clusters (at least g + 3)."
        )
    se = math.sqrt(
        rho * (1 - r2_2) / (p * (1 - p) * j) + (1 - rho) * (1 - r2_1) / (p * (1 - p) * j * n)
    )
    tail = alpha / 2 if alternative == "two-sided" else alpha
    from scipy import stats

    # t_power is signed: below power 0.5 it is negative and shrinks the multiplier
    multiplier = stats.t.ppf(1 - tail, df) + stats.t.ppf(power, df)
    return ClusterMDES(
        mdes=float(multiplier * se),
        multiplier=float(multiplier),
        standard_error=float(se),
        df=df,
    )
