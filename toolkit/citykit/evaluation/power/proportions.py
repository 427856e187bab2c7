"""Power, sample size and minimum detectable effect for two proportions (rates), and the power curve."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from citykit._renamed import renamed_options
from citykit.errors import CityKitError, require_keyword_choice
from citykit.evaluation._checks import (
    check_alpha,
    check_alternative,
    check_between,
    check_n,
    check_power,
    check_rate,
)
from citykit.evaluation.power.standardized import (
    _METHODS,
    _check_direction,
    _check_ratio,
    cohens_h,
    mde_standardized,
    power_standardized,
    sample_size_standardized,
)

__all__ = [
    "power_two_proportions",
    "sample_size_two_proportions",
    "mde_two_proportions",
    "power_curve",
]


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
