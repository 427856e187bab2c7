"""Power, sample size and MDE for a standardized effect (Cohen's d or h): the engine of the others.

Examples
--------
>>> round(cohens_h(0.5, 0.4), 4)
0.2014
"""

from __future__ import annotations

import math
import warnings

from citykit._renamed import renamed_options
from citykit.errors import CityKitError, require_keyword_choice
from citykit.evaluation._checks import (
    check_alpha,
    check_alternative,
    check_between,
    check_n,
    check_positive,
    check_power,
)

__all__ = ["cohens_h", "power_standardized", "sample_size_standardized", "mde_standardized"]


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
