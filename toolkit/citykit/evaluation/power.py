"""Power, sample size and minimum detectable effect (MDE) for A/B tests of city operations.

Two families of calculations are offered for proportions (on-time payment, renewal, application
rates), and every function says which one it uses:

``method="arcsine"`` (default)
    Cohen's *h* = 2·asin(√p₁) − 2·asin(√p₀) with a normal test, exactly as R ``pwr.2p.test`` /
    ``pwr.2p2n.test`` and statsmodels ``NormalIndPower``; both tails count for two-sided power
    (``docs/methods.md``, "Power and sample size for two proportions").
``method="pooled"``
    The pooled-variance normal approximation of R ``stats::power.prop.test`` (strict = FALSE: only
    the near tail counts), computed with statsmodels ``normal_power_het``.

Means use the noncentral *t* of R ``pwr.t.test`` / statsmodels ``TTestIndPower`` (§1.2). Cluster
designs use the Kish design effect and the PowerUp! ``mdes.cra2r2`` formula (§1.4).

Sizes are per arm: ``n_per_arm`` is the size of the control arm and ``ratio`` is
(treated size) / (control size), so ``ratio=1`` means equal arms.

Examples
--------
>>> from citykit.evaluation import power_two_proportions, mde_two_proportions
>>> round(power_two_proportions(control_rate=0.50, treated=0.75, n_per_arm=50, method="pooled"), 3)
0.74
>>> round(mde_two_proportions(control_rate=0.20, n_per_arm=1000), 4)  # 5.2 percentage points
0.0523
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit._renamed import renamed_options
from citykit.errors import CityKitError, require_keyword_choice
from citykit.evaluation._checks import (
    check_alpha,
    check_alternative,
    check_between,
    check_n,
    check_positive,
    check_power,
    check_rate,
)
from citykit.evaluation._results import ResultMixin

__all__ = [
    "cohens_h",
    "power_standardized",
    "sample_size_standardized",
    "mde_standardized",
    "power_two_proportions",
    "sample_size_two_proportions",
    "mde_two_proportions",
    "power_two_means",
    "sample_size_two_means",
    "mde_two_means",
    "power_curve",
    "design_effect",
    "effective_sample_size",
    "ICCEstimate",
    "icc_anova",
    "ClusterMDES",
    "mdes_cluster",
]

_DESIGNS = ("two-sample", "one-sample", "paired")
_DISTRIBUTIONS = ("t", "normal")
_METHODS = ("arcsine", "pooled")


def _engine(design: str, distribution: str):
    from statsmodels.stats.power import NormalIndPower, TTestIndPower, TTestPower

    require_keyword_choice(design, _DESIGNS, argument="design")
    require_keyword_choice(distribution, _DISTRIBUTIONS, argument="distribution")
    if distribution == "normal":
        return NormalIndPower(), (0.0 if design != "two-sample" else None)
    if design == "two-sample":
        return TTestIndPower(), None
    return TTestPower(), None


def _check_ratio(ratio: object) -> float:
    return check_positive(
        ratio,
        argument="ratio",
        hint="ratio is (treated arm size) / (control arm size); use 1 for equal arms.",
    )


def _kwargs(design: str, distribution: str, ratio: float) -> tuple[object, dict]:
    engine, fixed_ratio = _engine(design, distribution)
    extra: dict = {}
    if design != "two-sample" and distribution == "t":
        extra["_nobs"] = "nobs"  # TTestPower names it nobs, the others nobs1
    if design == "two-sample":
        extra["ratio"] = ratio
    elif fixed_ratio is not None:
        extra["ratio"] = fixed_ratio
    return engine, extra


@renamed_options(baseline="control_rate")
def cohens_h(treated: float, control_rate: float) -> float:
    """Return Cohen's *h*, the arcsine distance between two proportions.

    h = 2·asin(√treated) − 2·asin(√control_rate) (``pwr::ES.h``, statsmodels
    ``proportion_effectsize``). About 0.2 is "small", 0.5 "medium" (Cohen 1988).

    Parameters
    ----------
    treated, control_rate : float
        Proportions (shares from 0 to 1, not percentages): the treated arm's rate and the
        control arm's rate.

    Returns
    -------
    float

    Examples
    --------
    >>> round(cohens_h(0.5, 0.4), 7)
    0.2013579
    """
    treated = check_between(treated, 0, 1, argument="treated", hint="Write 45% as 0.45.")
    control_rate = check_between(
        control_rate, 0, 1, argument="control_rate", hint="Write 40% as 0.40."
    )
    # the formula itself: importing statsmodels for it would cost a lesson cell about a second
    return 2 * math.asin(math.sqrt(treated)) - 2 * math.asin(math.sqrt(control_rate))


def power_standardized(
    *,
    effect_size: float,
    n_per_arm: float,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    design: str = "two-sample",
    distribution: str = "t",
) -> float:
    """Return the power of a test for a standardized effect (Cohen's *d* or *h*).

    Parameters
    ----------
    effect_size : float
        Standardized effect: Cohen's *d* (difference / standard deviation) or *h*.
    n_per_arm : float
        Units in the control arm (or in the single sample / number of pairs).
    ratio : float, keyword-only
        Treated arm size divided by control arm size (two-sample designs only).
    alpha : float, keyword-only
        Significance level, strictly between 0 and 1.
    alternative : {"two-sided", "larger", "smaller"}, keyword-only
        Two-sided counts both tails (as pwr and statsmodels do).
    design : {"two-sample", "one-sample", "paired"}, keyword-only
        ``paired`` is a one-sample test on the differences (n = number of pairs).
    distribution : {"t", "normal"}, keyword-only
        ``t`` is ``pwr.t.test`` (TTestIndPower/TTestPower); ``normal`` is ``pwr.norm.test``,
        ``pwr.2p.test`` and ``pwr.p.test`` (NormalIndPower).

    Returns
    -------
    float
        The probability of a significant result if the effect is real.

    Examples
    --------
    >>> round(power_standardized(effect_size=1, n_per_arm=30), 6)  # pwr.t.test(d=1, n=30)
    0.967708
    """
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    n = check_n(n_per_arm, argument="n_per_arm")
    ratio = _check_ratio(ratio)
    engine, extra = _kwargs(design, distribution, ratio)
    key = extra.pop("_nobs", "nobs1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = engine.power(
            effect_size=float(effect_size),
            alpha=alpha,
            alternative=alternative,
            **{key: n},
            **extra,
        )
    return float(value)


def _root(gap, low: float, high: float, *, what: str) -> float:
    """Solve ``gap(x) = 0`` on [low, high] (growing ``high`` if needed) with tight tolerances."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g_low = gap(low)
        g_high = gap(high)
        grow = 0
        while g_low * g_high > 0 and grow < 60:
            high *= 2
            g_high = gap(high)
            grow += 1
        if g_low * g_high > 0:
            raise CityKitError(
                f"No {what} reaches the power asked for with these inputs; check that the effect "
                "points in the direction of the alternative and that the power is reachable."
            )
        from scipy import optimize

        return float(optimize.brentq(gap, low, high, xtol=1e-12, rtol=1e-13, maxiter=500))


def sample_size_standardized(
    *,
    effect_size: float,
    power: float = 0.8,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    design: str = "two-sample",
    distribution: str = "t",
    n_control: float | None = None,
) -> float:
    """Return the units needed to reach ``power`` for a standardized effect.

    Parameters
    ----------
    effect_size : float
        Cohen's *d* or *h*.
    power : float, keyword-only
        Wanted power (0.8 is the usual choice).
    ratio, alpha, alternative, design, distribution
        As in :func:`power_standardized`.
    n_control : float, optional, keyword-only
        When the business-as-usual arm has a fixed size, give it here and the function returns
        the size the *treated* arm needs (``pwr.2p2n.test`` with ``n1`` fixed).

    Returns
    -------
    float
        Units in the control arm (round up), or in the treated arm when ``n_control`` is given.

    Examples
    --------
    >>> round(sample_size_standardized(effect_size=2 / 3, power=0.9), 4)  # pwr.t.test
    48.2643
    """
    alpha = check_alpha(alpha)
    power = check_power(power)
    alternative = check_alternative(alternative)
    ratio = _check_ratio(ratio)
    if effect_size == 0:
        raise CityKitError("effect_size is 0: no sample is large enough to detect no effect.")
    _check_direction(effect_size, alternative)
    _kwargs(design, distribution, ratio)  # checks design and distribution
    if n_control is not None:
        if design != "two-sample":
            raise CityKitError("n_control only applies to two-sample designs.")
        n1 = check_n(n_control, argument="n_control")
        reachable = power_standardized(
            effect_size=effect_size,
            n_per_arm=n1,
            ratio=1e9,
            alpha=alpha,
            alternative=alternative,
            distribution=distribution,
        )
        if reachable < power:
            raise CityKitError(
                f"With n_control={n1:g} the power cannot reach {power:g} however large the "
                f"treated arm is (at most {reachable:.3f}); enlarge the control arm."
            )

        def gap_ratio(r):
            return (
                power_standardized(
                    effect_size=effect_size,
                    n_per_arm=n1,
                    ratio=r,
                    alpha=alpha,
                    alternative=alternative,
                    distribution=distribution,
                )
                - power
            )

        return _root(gap_ratio, 1e-6, 1.0, what="treated-arm size") * n1

    def gap(n):
        return (
            power_standardized(
                effect_size=effect_size,
                n_per_arm=n,
                ratio=ratio,
                alpha=alpha,
                alternative=alternative,
                design=design,
                distribution=distribution,
            )
            - power
        )

    if gap(2.0) >= 0:
        raise CityKitError(
            f"An effect of {effect_size:g} standard deviations is so large that 2 units per arm "
            f"already give {power:g} power. Check the effect size: city levers usually move "
            "outcomes by 0.05-0.3 standard deviations."
        )
    return _root(gap, 2.0, 100.0, what="sample size")


def _check_direction(effect: float, alternative: str) -> None:
    if (alternative == "larger" and effect < 0) or (alternative == "smaller" and effect > 0):
        raise CityKitError(
            f"The effect ({effect:g}) points the other way from alternative={alternative!r}; "
            "a one-sided test cannot detect it. Flip the sign or use alternative='two-sided'."
        )


def mde_standardized(
    *,
    n_per_arm: float,
    ratio: float = 1.0,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    design: str = "two-sample",
    distribution: str = "normal",
    r_squared: float = 0.0,
) -> float:
    """Return the minimum detectable effect in standard-deviation units (MDES).

    Solved exactly with statsmodels (both tails for two-sided tests). With the normal
    distribution this is Bloom's (1995) M·√(1/n₀ + 1/n₁) with M = z₁₋α/₂ + z_power
    (≈ 2.8016 for 5% and 80%). ``r_squared`` shrinks it by √(1 − R²) for covariate adjustment.

    Parameters
    ----------
    n_per_arm : float
        Units in the control arm.
    ratio, power, alpha, alternative, design
        As in :func:`power_standardized`.
    distribution : {"normal", "t"}, keyword-only
        ``normal`` (default) matches the usual MDE tables; ``t`` is slightly larger in small
        samples.
    r_squared : float, keyword-only
        Share of outcome variance explained by the covariates used for adjustment (0 to <1).

    Returns
    -------
    float
        Positive MDES.

    Examples
    --------
    >>> round(mde_standardized(n_per_arm=500), 4)
    0.1772
    """
    power = check_power(power)
    r2 = check_between(r_squared, 0, 1, argument="r_squared", inclusive="left")
    n = check_n(n_per_arm, argument="n_per_arm")
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    ratio = _check_ratio(ratio)
    _kwargs(design, distribution, ratio)  # checks design and distribution
    sign = -1.0 if alternative == "smaller" else 1.0

    def gap(d):
        return (
            power_standardized(
                effect_size=sign * d,
                n_per_arm=n,
                ratio=ratio,
                alpha=alpha,
                alternative=alternative,
                design=design,
                distribution=distribution,
            )
            - power
        )

    return _root(gap, 1e-9, 1.0, what="effect size") * math.sqrt(1 - r2)


# ----------------------------------------------------------------------------------------------
# proportions


def _pooled_power(control_rate, treated, n, ratio, alpha, alternative) -> float:
    from statsmodels.stats.power import normal_power_het
    from statsmodels.stats.proportion import power_proportions_2indep

    effect = treated - control_rate
    # statsmodels: prop1 = prop2 + diff has nobs1 units; prop2 has ratio * nobs1 units.
    parts = power_proportions_2indep(
        diff=control_rate - treated, prop2=treated, nobs1=n, ratio=ratio, return_results=True
    )
    if alternative == "two-sided":
        effect, tail_alpha = abs(effect), alpha / 2  # R power.prop.test, strict = FALSE
    else:
        effect = effect if alternative == "larger" else -effect
        tail_alpha = alpha
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = normal_power_het(
            effect,
            n,
            tail_alpha,
            std_null=parts.std_null,
            std_alternative=parts.std_alt,
            alternative="larger",
        )
    return float(np.asarray(value).ravel()[0])


@renamed_options(baseline="control_rate")
def power_two_proportions(
    *,
    control_rate: float,
    treated: float,
    n_per_arm: float,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    method: str = "arcsine",
) -> float:
    """Return the power to detect a change from ``control_rate`` to ``treated`` rate.

    Parameters
    ----------
    control_rate : float
        Rate under business as usual (control), e.g. 0.40 for 40% paid on time.
    treated : float
        Rate you expect with the new approach.
    n_per_arm : float
        Units in the control arm.
    ratio : float, keyword-only
        Treated arm size / control arm size.
    alpha : float, keyword-only
        Significance level.
    alternative : {"two-sided", "larger", "smaller"}, keyword-only
        "larger" tests treated > control_rate only.
    method : {"arcsine", "pooled"}, keyword-only
        ``arcsine``: Cohen's h, ``pwr.2p.test`` / NormalIndPower. ``pooled``: R
        ``power.prop.test`` (pooled variance under no effect, near tail only).

    Returns
    -------
    float

    Examples
    --------
    >>> round(power_two_proportions(control_rate=0.4, treated=0.5, n_per_arm=400), 3)
    0.813
    """
    p0 = check_rate(control_rate, argument="control_rate")
    p1 = check_rate(treated, argument="treated")
    require_keyword_choice(method, _METHODS, argument="method")
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    n = check_n(n_per_arm, argument="n_per_arm")
    ratio = _check_ratio(ratio)
    if method == "pooled":
        return _pooled_power(p0, p1, n, ratio, alpha, alternative)
    return power_standardized(
        effect_size=cohens_h(p1, p0),
        n_per_arm=n,
        ratio=ratio,
        alpha=alpha,
        alternative=alternative,
        distribution="normal",
    )


@renamed_options(baseline="control_rate")
def sample_size_two_proportions(
    *,
    control_rate: float,
    treated: float,
    power: float = 0.8,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    method: str = "arcsine",
) -> float:
    """Return the control-arm size needed to detect ``control_rate`` → ``treated`` with ``power``.

    Round the answer up; the treated arm needs ``ratio`` times as many.

    Examples
    --------
    >>> round(sample_size_two_proportions(control_rate=0.5, treated=0.75, power=0.9,
    ...                                   method="pooled"), 1)  # R power.prop.test: 76.7
    76.7
    """
    p0 = check_rate(control_rate, argument="control_rate")
    p1 = check_rate(treated, argument="treated")
    require_keyword_choice(method, _METHODS, argument="method")
    power = check_power(power)
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    ratio = _check_ratio(ratio)
    if p0 == p1:
        raise CityKitError("control_rate equals treated: there is no effect to detect.")
    _check_direction(p1 - p0, alternative)
    if method == "arcsine":
        return sample_size_standardized(
            effect_size=cohens_h(p1, p0),
            power=power,
            ratio=ratio,
            alpha=alpha,
            alternative=alternative,
            distribution="normal",
        )

    def gap(n):
        return _pooled_power(p0, p1, n, ratio, alpha, alternative) - power

    high = 4.0
    while gap(high) < 0:
        high *= 2
        if high > 1e12:
            raise CityKitError("The power asked for cannot be reached.")
    from scipy import optimize

    return float(optimize.brentq(gap, 1.0 + 1e-9, high, xtol=1e-10, rtol=1e-14))


@renamed_options(baseline="control_rate")
def mde_two_proportions(
    *,
    control_rate: float,
    n_per_arm: float,
    ratio: float = 1.0,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    method: str = "arcsine",
) -> float:
    """Return the smallest rise over ``control_rate`` the test can reliably detect (as a share).

    ``arcsine`` inverts Cohen's h exactly: p₁ = sin²(asin√p₀ + h/2) with h the normal MDES;
    ``pooled`` solves R ``power.prop.test`` for p₁. Both allow for the larger variance in the
    treated arm; the shortcut M·√(2p₀q₀/n) uses the control variance twice and understates the
    MDE (5.01 vs 5.23 percentage points for p₀ = 0.20, n = 1,000 per arm; ``docs/methods.md``).

    Returns
    -------
    float
        MDE as a difference in proportions (multiply by 100 for percentage points).

    Examples
    --------
    >>> round(100 * mde_two_proportions(control_rate=0.20, n_per_arm=1000, method="pooled"), 2)
    5.24
    """
    p0 = check_rate(control_rate, argument="control_rate")
    require_keyword_choice(method, _METHODS, argument="method")
    power = check_power(power)
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    if alternative == "smaller":
        raise CityKitError(
            "mde_two_proportions reports the smallest detectable rise; for a fall use "
            "alternative='two-sided' (symmetric) or 'larger' on 1 − rate."
        )
    n = check_n(n_per_arm, argument="n_per_arm")
    ratio = _check_ratio(ratio)
    if method == "arcsine":
        h = mde_standardized(
            n_per_arm=n,
            ratio=ratio,
            power=power,
            alpha=alpha,
            alternative=alternative,
            distribution="normal",
        )
        angle = math.asin(math.sqrt(p0)) + h / 2
        if angle >= math.pi / 2:
            raise CityKitError("The test is too small to detect any rise from this control rate.")
        return math.sin(angle) ** 2 - p0

    def gap(p1):
        return _pooled_power(p0, p1, n, ratio, alpha, alternative) - power

    top = 1 - 1e-12
    if gap(top) < 0:
        raise CityKitError("The test is too small to detect any rise from this control rate.")
    from scipy import optimize

    return float(optimize.brentq(gap, p0 + 1e-12, top, xtol=1e-13)) - p0


# ----------------------------------------------------------------------------------------------
# means


def power_two_means(
    *,
    difference: float,
    sd: float,
    n_per_arm: float,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> float:
    """Return the power of a two-sample t-test for a difference in means.

    Cohen's d = ``difference`` / ``sd``, then ``pwr.t.test`` / ``TTestIndPower``.

    Examples
    --------
    >>> round(power_two_means(difference=1, sd=1, n_per_arm=20), 4)  # R power.t.test: 0.8690
    0.869
    """
    sd = check_positive(sd, argument="sd", hint="sd is the outcome's standard deviation.")
    return power_standardized(
        effect_size=difference / sd,
        n_per_arm=n_per_arm,
        ratio=ratio,
        alpha=alpha,
        alternative=alternative,
    )


def sample_size_two_means(
    *,
    difference: float,
    sd: float,
    power: float = 0.8,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> float:
    """Return the control-arm size a two-sample t-test needs for ``difference``.

    Examples
    --------
    >>> round(sample_size_two_means(difference=1, sd=1, power=0.9), 4)  # R power.t.test: 22.02110
    22.0211
    """
    sd = check_positive(sd, argument="sd", hint="sd is the outcome's standard deviation.")
    return sample_size_standardized(
        effect_size=difference / sd,
        power=power,
        ratio=ratio,
        alpha=alpha,
        alternative=alternative,
    )


def mde_two_means(
    *,
    sd: float,
    n_per_arm: float,
    ratio: float = 1.0,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    r_squared: float = 0.0,
) -> float:
    """Return the minimum detectable difference in means, in the outcome's units (t-test).

    Examples
    --------
    >>> round(mde_two_means(sd=10, n_per_arm=100), 3)  # 0.398 standard deviations
    3.981
    """
    sd = check_positive(sd, argument="sd", hint="sd is the outcome's standard deviation.")
    return sd * mde_standardized(
        n_per_arm=n_per_arm,
        ratio=ratio,
        power=power,
        alpha=alpha,
        alternative=alternative,
        distribution="t",
        r_squared=r_squared,
    )


@renamed_options(baseline="control_rate")
def power_curve(
    *,
    control_rate: float,
    n_per_arm: float,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    method: str = "arcsine",
    max_effect: float | None = None,
    points: int = 41,
) -> pd.DataFrame:
    """Return power against true effect (rise over ``control_rate``) for plotting.

    Parameters
    ----------
    control_rate, n_per_arm, ratio, alpha, alternative, method
        As in :func:`power_two_proportions`.
    max_effect : float, optional, keyword-only
        Largest rise shown (as a share); default twice the MDE at 80% power.
    points : int, keyword-only
        Number of effects on the grid.

    Returns
    -------
    pandas.DataFrame
        Columns ``effect`` (share), ``effect_pp`` (percentage points), ``treated_rate``, ``power``.

    Examples
    --------
    >>> curve = power_curve(control_rate=0.4, n_per_arm=500, points=5)
    >>> list(curve.columns)
    ['effect', 'effect_pp', 'treated_rate', 'power']
    """
    p0 = check_rate(control_rate, argument="control_rate")
    if max_effect is None:
        try:
            mde = mde_two_proportions(
                control_rate=p0,
                n_per_arm=n_per_arm,
                ratio=ratio,
                alpha=alpha,
                alternative="larger" if alternative == "larger" else "two-sided",
                method=method,
            )
        except CityKitError:
            mde = 1.0  # the test cannot reach 80% power: show every possible rise
        max_effect = min(2 * mde, (1 - p0) * 0.999)
    max_effect = check_between(max_effect, 0, 1 - p0, argument="max_effect", inclusive="right")
    effects = np.linspace(0, max_effect, int(points))
    rows = []
    for effect in effects:
        p1 = min(p0 + effect, 1 - 1e-9)
        value = power_two_proportions(
            control_rate=p0,
            treated=p1,
            n_per_arm=n_per_arm,
            ratio=ratio,
            alpha=alpha,
            alternative=alternative,
            method=method,
        )
        rows.append((float(effect), 100 * float(effect), p1, value))
    return pd.DataFrame(rows, columns=["effect", "effect_pp", "treated_rate", "power"])


# ----------------------------------------------------------------------------------------------
# clusters


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
