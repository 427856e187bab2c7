"""Power, sample size and minimum detectable effect for two means."""

from __future__ import annotations

from citykit.evaluation._checks import (
    check_positive,
)
from citykit.evaluation.power.standardized import (
    mde_standardized,
    power_standardized,
    sample_size_standardized,
)

__all__ = ["power_two_means", "sample_size_two_means", "mde_two_means"]


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
