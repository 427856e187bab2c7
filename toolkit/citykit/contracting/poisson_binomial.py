"""The chance variation of a count of yes/no outcomes: the Poisson-binomial distribution.

When each client ``i`` of a provider has, under the case-mix model, a probability ``p_i`` of the
outcome (an exit to permanent housing), the provider's observed count O is a sum of independent
yes/no outcomes with different probabilities. Its distribution is the **Poisson-binomial**:

* mean ``E = sum p_i`` (the expected count of risk adjustment),
* variance ``V = sum p_i (1 - p_i)``, smaller than E; the Poisson model (``Var O = E``) is right
  only for counts and rare events, and overstates chance by ``sqrt(E / V)`` for common outcomes
  (Spiegelhalter 2005, Stat Med 24:1185; docs/methods.md, "Provider comparison").

This module computes the exact distribution (:func:`poisson_binomial_pmf`), the funnel limits of an
observed / expected ratio at 95% and 99.8% (:func:`poisson_binomial_limits`), the exact two-sided
p-value of O = E and an exact interval for the ratio (:func:`poisson_binomial_test`).

The interval inverts the exact test in the family where a provider shifts every client's log-odds by
the same amount ``d`` (``logit p_i(d) = logit p_i + d``); its O/E bounds are the expected counts at
the two ends divided by E. With equal probabilities it is the Clopper-Pearson interval of a
proportion divided by that probability.

Examples
--------
>>> pmf = poisson_binomial_pmf([0.2, 0.5, 0.9])
>>> pmf.round(3).tolist()
[0.04, 0.41, 0.46, 0.09]
>>> poisson_binomial_limits([0.4] * 100, levels=(0.95,)).round(4)
   expected  variance   ll95  ul95
0      40.0      24.0  0.775  1.25
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit._renamed import renamed_options
from citykit.errors import ArgumentRangeError, CityKitError, require_probability

__all__ = ["poisson_binomial_pmf", "poisson_binomial_limits", "poisson_binomial_test"]

_BATCH_DEGREE = 64


def _probabilities(probabilities, name: str = "probabilities") -> np.ndarray:
    p = np.asarray(probabilities, dtype=float).ravel()
    if p.size == 0:
        raise CityKitError(f"{name} is empty; give one probability per client.")
    bad = ~np.isfinite(p) | (p < 0) | (p > 1)
    if bad.any():
        raise ArgumentRangeError(
            f"{name} must be probabilities between 0 and 1 (one per client); found "
            f"{p[bad][:3].tolist()}. Pass the case-mix model's predicted probabilities, e.g. "
            "RiskAdjustment.expected."
        )
    return p


def _bernoulli_products(p: np.ndarray) -> list[np.ndarray]:
    """Multiply the polynomials (1 - p_i) + p_i x in batches (exact products, no FFT)."""
    polys = np.stack([1.0 - p, p], axis=1)
    while len(polys) > 1 and polys.shape[1] <= _BATCH_DEGREE:
        if len(polys) % 2:
            one = np.zeros((1, polys.shape[1]))
            one[0, 0] = 1.0
            polys = np.vstack([polys, one])
        left, right = polys[0::2], polys[1::2]
        width = left.shape[1]
        out = np.zeros((len(left), 2 * width - 1))
        for j in range(width):
            out[:, j : j + width] += left[:, j : j + 1] * right
        polys = out
    return list(polys)


def poisson_binomial_pmf(probabilities) -> np.ndarray:
    """Exact distribution of the number of yes outcomes among independent clients.

    Clients with the same probability are grouped into binomial blocks; the blocks are multiplied
    together as polynomials (exact batched products, then ``scipy.signal.convolve``). The result
    agrees with ``scipy.stats.poisson_binom`` to about 1e-15 and is fast for tens of thousands of
    clients.

    Parameters
    ----------
    probabilities : array-like of float
        Each client's probability of the outcome (0 to 1).

    Returns
    -------
    numpy.ndarray
        ``pmf[k]`` = P(O = k) for k = 0 .. number of clients; sums to 1.

    Examples
    --------
    >>> poisson_binomial_pmf([0.5, 0.5]).round(12).tolist()
    [0.25, 0.5, 0.25]
    """
    from scipy import signal, stats

    p = _probabilities(probabilities)
    values, counts = np.unique(p, return_counts=True)
    blocks = [
        stats.binom.pmf(np.arange(count + 1), count, value)
        for value, count in zip(values, counts, strict=True)
        if count > 1
    ]
    singles = values[counts == 1]
    if singles.size:
        blocks += _bernoulli_products(singles)
    while len(blocks) > 1:
        paired = [signal.convolve(blocks[i], blocks[i + 1]) for i in range(0, len(blocks) - 1, 2)]
        if len(blocks) % 2:
            paired.append(blocks[-1])
        blocks = paired
    pmf = np.clip(blocks[0][: p.size + 1], 0.0, None)
    if pmf.size < p.size + 1:
        pmf = np.concatenate([pmf, np.zeros(p.size + 1 - pmf.size)])
    return pmf / pmf.sum()


def _quantile(cdf: np.ndarray, q: float) -> int:
    """Smallest count r with P(O <= r) >= q (the definition of R's qbinom)."""
    return int(np.searchsorted(cdf, q - 1e-12, side="left"))


def _level_label(level: float) -> str:
    return f"{level * 100:g}".replace(".", "")


def poisson_binomial_limits(probabilities, *, levels=(0.95, 0.998)) -> pd.DataFrame:
    """Funnel limits of the observed / expected ratio for one provider's clients.

    The limits are the exact quantiles of O under the case-mix model, divided by E:
    ``r_p / E`` with ``r_p`` the smallest count whose cumulative probability reaches ``p``
    (``p = (1 - level) / 2`` and ``1 - p``), as ``qbinom`` defines binomial limits. A ratio below
    the lower limit has ``P(O <= o) < p``; above the upper limit, ``P(O >= o) <= p``.

    Parameters
    ----------
    probabilities : array-like of float
        The provider's clients' expected probabilities.
    levels : tuple of float, keyword-only
        Two-sided coverage of each pair of limits.

    Returns
    -------
    pandas.DataFrame
        One row: ``expected``, ``variance`` and ``ll<level>``, ``ul<level>`` for each level.

    Examples
    --------
    >>> poisson_binomial_limits([0.5] * 20).round(3)
       expected  variance  ll95  ul95  ll998  ul998
    0      10.0       5.0   0.6   1.4    0.3    1.7
    """
    p = _probabilities(probabilities)
    levels = tuple(levels)
    for level in levels:
        require_probability(level, argument="levels")
    cdf = np.cumsum(poisson_binomial_pmf(p))
    expected = float(p.sum())
    if expected <= 0:
        raise ArgumentRangeError(
            "every probability is 0, so the expected count is 0 and no ratio can be formed."
        )
    row = {"expected": expected, "variance": float((p * (1 - p)).sum())}
    for level in levels:
        tail = (1 - level) / 2
        row[f"ll{_level_label(level)}"] = _quantile(cdf, tail) / expected
        row[f"ul{_level_label(level)}"] = _quantile(cdf, 1 - tail) / expected
    return pd.DataFrame([row])


def _tilted_tail(log_pmf: np.ndarray, shift: float, observed: int, upper: bool) -> float:
    """P(O >= observed) (upper) or P(O <= observed) after shifting every log-odds by ``shift``."""
    k = np.arange(log_pmf.size)
    logw = log_pmf + shift * k
    top = np.max(logw)
    w = np.exp(logw - top)
    total = w.sum()
    return float(w[observed:].sum() / total) if upper else float(w[: observed + 1].sum() / total)


def _tilted_mean(log_pmf: np.ndarray, shift: float) -> float:
    k = np.arange(log_pmf.size)
    logw = log_pmf + shift * k
    w = np.exp(logw - np.max(logw))
    return float((w * k).sum() / w.sum())


def _solve_shift(log_pmf: np.ndarray, observed: int, target: float, upper: bool) -> float:
    """The log-odds shift at which the tail probability equals ``target`` (monotone in shift)."""
    from scipy.optimize import brentq

    sign = 1.0 if upper else -1.0  # the upper tail grows with the shift, the lower one shrinks

    def gap(shift: float) -> float:
        return sign * (_tilted_tail(log_pmf, shift, observed, upper) - target)

    low, high = -1.0, 1.0
    while gap(low) > 0:
        low *= 2
        if low < -200:
            break
    while gap(high) < 0:
        high *= 2
        if high > 200:
            break
    return float(brentq(gap, low, high, xtol=1e-12, rtol=1e-12, maxiter=200))


@renamed_options({"level": lambda v: 1 - v}, level="alpha")
def poisson_binomial_test(observed: int, probabilities, *, alpha: float = 0.05) -> dict:
    """Exact test of O = E and exact interval of O/E for one provider with a yes/no outcome.

    Parameters
    ----------
    observed : int
        The provider's observed count O.
    probabilities : array-like of float
        Its clients' expected probabilities under the case-mix model.
    alpha : float, keyword-only
        1 - the confidence level of the interval (0.05, the default, gives 95% intervals).

    Returns
    -------
    dict
        ``expected``, ``variance``, ``z`` (``(O - E) / sqrt(V)``), ``p_value`` (two-sided:
        ``min(1, 2 min(P(O <= o), P(O >= o)))``), ``low`` and ``high`` (exact interval of O/E).

    Examples
    --------
    With equal probabilities the interval is Clopper-Pearson's divided by the probability:

    >>> out = poisson_binomial_test(12, [0.4] * 20)
    >>> round(out["z"], 4), round(out["p_value"], 4)
    (1.8257, 0.1131)
    >>> round(out["low"], 4), round(out["high"], 4)
    (0.9014, 2.022)
    """
    p = _probabilities(probabilities)
    require_probability(alpha, argument="alpha")
    level = round(1 - alpha, 12)  # the confidence level, as results show it
    o = int(observed)
    if o != observed or o < 0 or o > p.size:
        raise ArgumentRangeError(
            f"observed must be a whole count from 0 to the number of clients ({p.size}); "
            f"got {observed!r}."
        )
    pmf = poisson_binomial_pmf(p)
    expected = float(p.sum())
    variance = float((p * (1 - p)).sum())
    below = float(pmf[: o + 1].sum())
    above = float(pmf[o:].sum())
    p_value = min(1.0, 2 * min(below, above))
    z = (o - expected) / np.sqrt(variance) if variance > 0 else np.nan
    tail = (1 - level) / 2
    with np.errstate(divide="ignore"):
        log_pmf = np.log(pmf)
    feasible = np.flatnonzero(pmf > 0)
    lowest, highest = int(feasible[0]), int(feasible[-1])
    if o <= lowest:
        low = lowest / expected if expected > 0 else np.nan
    else:
        low = _tilted_mean(log_pmf, _solve_shift(log_pmf, o, tail, upper=True)) / expected
    if o >= highest:
        high = highest / expected if expected > 0 else np.nan
    else:
        high = _tilted_mean(log_pmf, _solve_shift(log_pmf, o, tail, upper=False)) / expected
    return {
        "expected": expected,
        "variance": variance,
        "z": float(z),
        "p_value": p_value,
        "low": float(low),
        "high": float(high),
    }
