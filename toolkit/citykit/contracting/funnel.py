"""Funnel-plot limits for comparing providers (Spiegelhalter 2005, Stat Med 24:1185-1202).

A funnel plot puts each provider's indicator against its precision (the number of clients, or the
expected count E for an observed/expected ratio) with control limits around the target that
narrow as precision grows. Points outside the 95% limits deserve a question; outside 99.8%, a
closer look. Unlike a league table it does not invite ranking providers whose differences are
noise.

Limits (docs/methods.md, "Provider comparison"):

* ratios O/E of a **yes/no outcome** (the default for a
  :class:`~citykit.contracting.risk.RiskAdjustment`): O is Poisson-binomial under the case-mix
  model, ``Var O = V = sum p(1 - p)``; exact limits are its quantiles divided by E at each
  provider (:func:`~citykit.contracting.poisson_binomial.poisson_binomial_limits`), the normal
  approximation ``1 +/- z sqrt(V) / E``;
* ratios O/E of a **count outcome**, exact Poisson (as FunnelPlotR ``calculate_limits``):
  ``LL = target * chi2(p; 2E) / 2E``, ``UL = target * chi2(1-p; 2(E+1)) / 2E``;
* proportions, exact binomial: ``qbinom(p, n, target) / n`` (scipy ``binom.ppf``), step-shaped,
  no interpolation;
* normal approximation: ``target +/- z * sqrt(target (1 - target) / n)`` (ratios:
  ``target * (1 +/- z / sqrt(E))``);
* overdispersion (DerSimonian-Laird additive random effect, as FunnelPlotR
  ``od_adjustment.R``): ratios on the log scale ``target * exp(+/- z sqrt(1/E + tau2))``
  (``V/E^2`` in place of ``1/E`` for a yes/no outcome), proportions on the arcsine scale
  ``sin^2(asin(sqrt(target)) +/- z sqrt(1/(4n) + tau2))``.

Examples
--------
>>> poisson_limits([20]).round(6)
   expected      ll95      ul95     ll998     ul998
0      20.0  0.610826  1.544419  0.447911  1.902094
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit.contracting._common import check_table, html_table
from citykit.contracting.poisson_binomial import poisson_binomial_limits
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    require_keyword_choice,
    require_numeric,
    require_probability,
)

__all__ = [
    "level_label",
    "poisson_limits",
    "binomial_limits",
    "Overdispersion",
    "overdispersion",
    "FunnelResult",
    "ZONES",
    "VARIANCES",
    "funnel_data",
]


def level_label(level: float) -> str:
    """Column suffix for a limit level: 0.95 -> '95', 0.998 -> '998'.

    Examples
    --------
    >>> level_label(0.95), level_label(0.998)
    ('95', '998')
    """
    return f"{level * 100:g}".replace(".", "")


def _check_levels(levels) -> tuple[float, ...]:
    levels = tuple(levels)
    if not levels:
        raise CityKitError("levels is empty; use e.g. (0.95, 0.998).")
    for level in levels:
        require_probability(level, argument="levels")
    return levels


def _positive(values, name: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    bad = ~(np.isfinite(array) & (array > 0))
    if bad.any():
        raise ArgumentRangeError(
            f"{name} must be positive numbers; got {array[bad][:3]}."
            " A provider with no clients (or no expected events) cannot be placed on a funnel: "
            "leave it out and report it separately."
        )
    return array


def poisson_limits(
    expected,
    *,
    target: float = 1.0,
    levels=(0.95, 0.998),
    method: str = "exact",
    tau2: float = 0.0,
) -> pd.DataFrame:
    """Funnel limits for observed/expected ratios at each expected count.

    Parameters
    ----------
    expected : array-like of float
        Expected counts E (> 0) where limits are wanted.
    target : float, keyword-only
        The ratio the providers are compared with (1 for O/E).
    levels : tuple of float, keyword-only
        Two-sided coverage of each pair of limits (0.95 and 0.998 by convention).
    method : {"exact", "normal", "log"}, keyword-only
        Exact Poisson (chi-square); normal approximation ``1 +/- z/sqrt(E)``; or the log-scale
        limits ``exp(+/- z sqrt(1/E + tau2))`` used for overdispersion (SHMI method).
    tau2 : float, keyword-only
        Between-provider variance on the log scale (only with ``method="log"``).

    Returns
    -------
    pandas.DataFrame
        ``expected`` and ``ll<level>``, ``ul<level>`` for each level (e.g. ``ll95``, ``ul998``).

    Examples
    --------
    >>> poisson_limits([15, 30], levels=(0.95,)).round(6)
       expected      ll95      ul95
    0      15.0  0.559692  1.649348
    1      30.0  0.674696  1.427562
    >>> poisson_limits([15], method="log", tau2=0.02, levels=(0.95,)).round(6)
       expected      ll95      ul95
    0      15.0  0.561582  1.780684
    """
    from scipy import stats

    require_keyword_choice(method, ["exact", "normal", "log"], argument="method")
    levels = _check_levels(levels)
    e = _positive(expected, "expected")
    if tau2 < 0:
        raise ArgumentRangeError(f"tau2 must be >= 0; got {tau2!r}.")
    out = pd.DataFrame({"expected": e})
    for level in levels:
        p = (1 - level) / 2
        z = stats.norm.ppf(1 - p)
        if method == "exact":
            low = stats.chi2.ppf(p, 2 * e) / 2 / e
            high = stats.chi2.ppf(1 - p, 2 * (e + 1)) / 2 / e
        elif method == "normal":
            low = np.clip(1 - z / np.sqrt(e), 0, None)
            high = 1 + z / np.sqrt(e)
        else:
            spread = z * np.sqrt(1 / e + tau2)
            low, high = np.exp(-spread), np.exp(spread)
        out[f"ll{level_label(level)}"] = target * low
        out[f"ul{level_label(level)}"] = target * high
    return out


def binomial_limits(
    n,
    *,
    target: float,
    levels=(0.95, 0.998),
    method: str = "exact",
    tau2: float = 0.0,
) -> pd.DataFrame:
    """Funnel limits for proportions at each denominator ``n``.

    Parameters
    ----------
    n : array-like of int
        Denominators (number of clients) where limits are wanted.
    target : float, keyword-only
        The proportion compared with (usually the pooled rate), strictly between 0 and 1.
    levels : tuple of float, keyword-only
        Two-sided coverage of each pair of limits.
    method : {"exact", "normal", "arcsine"}, keyword-only
        ``"exact"``: binomial quantiles ``qbinom(p, n, target) / n`` (scipy ``binom.ppf``, the
        same definition as R's ``qbinom``: the smallest count whose cumulative probability
        reaches p), step-shaped; ``"normal"``: ``target +/- z sqrt(target (1-target) / n)``
        clipped to [0, 1]; ``"arcsine"``: ``sin^2(asin(sqrt(target)) +/- z sqrt(1/(4n) + tau2))``,
        the scale FunnelPlotR uses for proportions and for its overdispersion adjustment.
    tau2 : float, keyword-only
        Between-provider variance on the arcsine scale (only with ``method="arcsine"``).

    Returns
    -------
    pandas.DataFrame
        ``n`` and ``ll<level>``, ``ul<level>`` for each level.

    Examples
    --------
    >>> binomial_limits([20], target=0.5)
          n  ll95  ul95  ll998  ul998
    0  20.0   0.3   0.7   0.15   0.85
    >>> binomial_limits([20], target=0.5, method="normal", levels=(0.95,)).round(4)
          n    ll95    ul95
    0  20.0  0.2809  0.7191
    """
    from scipy import stats

    require_keyword_choice(method, ["exact", "normal", "arcsine"], argument="method")
    require_probability(target, argument="target")
    levels = _check_levels(levels)
    size = _positive(n, "n")
    if tau2 < 0:
        raise ArgumentRangeError(f"tau2 must be >= 0; got {tau2!r}.")
    out = pd.DataFrame({"n": size})
    for level in levels:
        p = (1 - level) / 2
        z = stats.norm.ppf(1 - p)
        if method == "exact":
            whole = np.round(size)
            low = stats.binom.ppf(p, whole, target) / whole
            high = stats.binom.ppf(1 - p, whole, target) / whole
        elif method == "normal":
            half = z * np.sqrt(target * (1 - target) / size)
            low, high = np.clip(target - half, 0, 1), np.clip(target + half, 0, 1)
        else:
            centre = np.arcsin(np.sqrt(target))
            spread = z * np.sqrt(1 / (4 * size) + tau2)
            low = np.sin(np.clip(centre - spread, 0, np.pi / 2)) ** 2
            high = np.sin(np.clip(centre + spread, 0, np.pi / 2)) ** 2
        out[f"ll{level_label(level)}"] = low
        out[f"ul{level_label(level)}"] = high
    return out


@dataclass(frozen=True)
class Overdispersion:
    """Result of :func:`overdispersion`.

    Attributes
    ----------
    phi : float
        Dispersion ratio: mean squared (trimmed) z-score; about 1 when providers differ only by
        chance, above 1 when they differ more than the funnel limits allow.
    tau2 : float
        DerSimonian-Laird between-provider variance on the transformed scale (0 if phi small).
    n : int
        Number of providers used.
    z : pandas.Series
        Unadjusted z-scores on the transformed scale.
    kind : str
        "SR" (ratio, log scale, truncation) or "PR" (proportion, arcsine scale, Winsorization).
    """

    phi: float
    tau2: float
    n: int
    z: pd.Series
    kind: str

    def __repr__(self) -> str:
        verdict = (
            "providers vary more than chance alone explains"
            if self.phi > 1
            else "no more variation than chance"
        )
        return (
            f"Overdispersion(kind={self.kind!r}, phi={self.phi:.4f}, tau2={self.tau2:.6f}, "
            f"n={self.n}): {verdict}"
        )

    def _repr_html_(self) -> str:
        return f"<p><b>Overdispersion</b> {html.escape(repr(self).split(' ', 1)[1])}</p>"


def overdispersion(
    observed,
    denominator,
    *,
    kind: str = "SR",
    target: float | None = None,
    trim: float = 0.1,
    variance=None,
) -> Overdispersion:
    """Estimate overdispersion (phi) and the between-provider variance tau2 (DerSimonian-Laird).

    Follows FunnelPlotR ``od_adjustment.R``:

    * ``kind="SR"`` (O/E ratios, SHMI method): ``z = log(O/E) / s`` with ``s = 1 / sqrt(E)``
      for counts (``z = sqrt(E) log(O/E)``), or ``s = sqrt(V) / E`` when the chance variance V of
      each O is given (yes/no outcomes: ``V = sum p(1 - p)``, the delta method on the log scale);
      the ``trim`` share at each end is *truncated* (ranked into ``1/trim`` groups; first and last
      dropped);
    * ``kind="PR"`` (proportions): ``z = (asin sqrt(p) - asin sqrt(target)) / (1 / (2 sqrt(n)))``,
      *Winsorized* at the ``trim`` and ``1 - trim`` quantiles (type 7, as R's default);
    * ``phi = mean(z^2)``; ``tau2 = max(0, (n phi - (n - 1)) / (sum w - sum w^2 / sum w))`` with
      ``w = 1/s^2`` (E, or E^2/V, for SR; 4n for PR), and ``tau2 = 0`` when ``n phi < n - 1``.

    Parameters
    ----------
    observed : array-like
        Observed counts per provider.
    denominator : array-like
        Expected counts (SR) or numbers of clients (PR).
    kind : {"SR", "PR"}, keyword-only
        Ratio or proportion.
    target : float, optional, keyword-only
        PR only: the target proportion; default pooled ``sum(observed) / sum(denominator)``.
    trim : float, keyword-only
        Share trimmed at each end (0.1).
    variance : array-like, optional, keyword-only
        SR only: the chance variance of each observed count (the ``variance`` column of
        :func:`~citykit.contracting.risk.risk_adjust`). Default: E (Poisson counts).

    Returns
    -------
    Overdispersion

    Examples
    --------
    >>> od = overdispersion([100, 150, 180, 80, 120, 225], [108, 112, 165, 95, 100, 220])
    >>> round(od.phi, 6), round(od.tau2, 7)
    (2.948033, 0.0194775)
    """
    require_keyword_choice(kind, ["SR", "PR"], argument="kind")
    require_probability(trim, argument="trim")
    obs = np.asarray(observed, dtype=float)
    den = _positive(denominator, "denominator")
    if obs.shape != den.shape:
        raise CityKitError(
            f"observed has {obs.size} values but denominator has {den.size}; give one of each "
            f"per provider."
        )
    if obs.size < 3:
        raise CityKitError(
            f"overdispersion needs at least 3 providers; got {obs.size}. With so few, use the "
            f"unadjusted limits."
        )
    if variance is not None and kind != "SR":
        raise CityKitError("variance is only used with kind='SR' (observed / expected ratios).")
    if kind == "SR":
        spread = (
            1 / np.sqrt(den) if variance is None else np.sqrt(_positive(variance, "variance")) / den
        )
        if spread.shape != den.shape:
            raise CityKitError(
                f"variance has {spread.size} values but denominator has {den.size}; give one of "
                "each per provider."
            )
        with np.errstate(divide="ignore"):
            z = np.log(obs / den) / spread
        if np.any(~np.isfinite(z)):
            raise CityKitError(
                "a provider has 0 observed events, so log(O/E) is undefined for the SHMI "
                "overdispersion method; leave it out of the estimate or use kind='PR'."
            )
        k = 1 / trim
        ranks = pd.Series(z).rank(method="average").to_numpy()
        group = np.floor(ranks * k / (len(z) + 1))
        keep = (group > 0) & (group < k - 1)
        used_z, weights = z[keep], 1 / spread[keep] ** 2
    else:
        theta = obs.sum() / den.sum() if target is None else float(target)
        require_probability(theta, argument="target")
        s = 1 / (2 * np.sqrt(den))
        z = (np.arcsin(np.sqrt(obs / den)) - np.arcsin(np.sqrt(theta))) / s
        low, high = np.quantile(z, trim), np.quantile(z, 1 - trim)
        used_z = np.clip(z, low, high)
        weights = 1 / s**2
    n = int(used_z.size)
    phi = float(np.mean(used_z**2))
    if n * phi < n - 1:
        tau2 = 0.0
    else:
        tau2 = max(0.0, (n * phi - (n - 1)) / (weights.sum() - (weights**2).sum() / weights.sum()))
    return Overdispersion(phi=phi, tau2=float(tau2), n=n, z=pd.Series(z), kind=kind)


#: The zones a provider can fall in, from best-behaved to most extreme.
ZONES = (
    "within 95% limits",
    "above 95% limit",
    "below 95% limit",
    "above 99.8% limit",
    "below 99.8% limit",
)

#: The chance variation a funnel assumes: "poisson" (counts, SHMI), "poisson-binomial" (O/E of a
#: yes/no outcome), "binomial" (proportions).
VARIANCES = ("poisson", "poisson-binomial", "binomial")

_VARIANCE_WORDS = {
    "poisson": "Poisson: a count outcome, Var(O) = E",
    "poisson-binomial": "Poisson-binomial: a yes/no outcome, Var(O) = sum p(1 - p)",
    "binomial": "binomial: a proportion",
}


@dataclass(frozen=True)
class FunnelResult:
    """Result of :func:`funnel_data`: the providers, the limit curves and how they were made.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per provider: label, ``observed``, ``denominator``, ``variance`` (ratios of a
        yes/no outcome only), ``value`` (O/E or proportion), its limits at that provider
        (``ll95``, ``ul95``, ``ll998``, ``ul998``), ``z`` and ``zone`` (one of :data:`ZONES`).
    limits : pandas.DataFrame
        Limit curves on a grid of denominators, for drawing. For a yes/no outcome they use the
        normal approximation with the system's average ``Var(O) / E`` (``variance_ratio``); each
        provider's own limits are in ``table``.
    target : float
        Centre line.
    kind, method : str
        "SR"/"PR" and the limit method used ("exact", "normal", "log" or "arcsine").
    variance : str
        The chance variation assumed, one of :data:`VARIANCES`.
    variance_ratio : float
        Total ``Var(O)`` over total E (1 for Poisson counts).
    levels : tuple of float
        The limit levels (inner, outer).
    od : Overdispersion or None
        The overdispersion estimate (always computed when there are at least 3 providers).
    adjusted : bool
        Whether the limits include the overdispersion adjustment.
    label : str
        The column naming the providers.
    left_out : tuple
        Providers without clients (no ratio to place), left off the funnel.
    """

    table: pd.DataFrame
    limits: pd.DataFrame
    target: float
    kind: str
    method: str
    variance: str
    variance_ratio: float
    levels: tuple[float, ...]
    od: Overdispersion | None
    adjusted: bool
    label: str
    left_out: tuple = ()

    def summary(self) -> str:
        """Plain-language count of providers in each zone, and how the limits were made."""
        counts = self.table["zone"].value_counts()
        parts = [f"{int(v)} {k}" for k, v in counts.items()]
        od = ""
        if self.od is not None:
            od = f" Overdispersion phi = {self.od.phi:.2f}" + (
                f", tau2 = {self.od.tau2:.4g} (limits widened)." if self.adjusted else "."
            )
        lines = [
            f"Funnel of {len(self.table)} points (one per {self.label}) around {self.target:.3g} "
            f"({self.method} limits): " + ", ".join(parts) + "." + od,
            f"Chance variation: {_VARIANCE_WORDS[self.variance]}.",
        ]
        if self.variance == "poisson-binomial":
            lines.append(
                f"The drawn curves use the system's average Var(O)/E = {self.variance_ratio:.2f}; "
                "each provider's zone uses its own limits."
            )
        if self.left_out:
            lines.append(f"Left off (no clients): {', '.join(map(str, self.left_out))}.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"FunnelResult\n{self.summary()}\n{self.table.round(3).to_string(index=False)}"

    def _repr_html_(self) -> str:
        table = html_table(self.table)
        summary = html.escape(self.summary()).replace("\n", "<br>")
        return f"<div><p><b>Funnel plot data</b><br>{summary}</p>{table}</div>"


def _zone(value, inner_low, inner_high, outer_low, outer_high) -> np.ndarray:
    return np.select(
        [value > outer_high, value < outer_low, value > inner_high, value < inner_low],
        ["above 99.8% limit", "below 99.8% limit", "above 95% limit", "below 95% limit"],
        default="within 95% limits",
    )


def _ratio_limits(expected, variance, *, target, levels, method, tau2) -> pd.DataFrame:
    """Normal (``1 +/- z sqrt(V)/E``) or log-scale (``exp(+/- z sqrt(V/E^2 + tau2))``) limits."""
    from scipy import stats

    e = np.asarray(expected, dtype=float)
    v = np.asarray(variance, dtype=float)
    out = pd.DataFrame({"expected": e})
    for level in levels:
        z = stats.norm.ppf(1 - (1 - level) / 2)
        if method == "normal":
            half = z * np.sqrt(v) / e
            low, high = np.clip(1 - half, 0, None), 1 + half
        else:
            spread = z * np.sqrt(v / e**2 + tau2)
            low, high = np.exp(-spread), np.exp(spread)
        out[f"ll{level_label(level)}"] = target * low
        out[f"ul{level_label(level)}"] = target * high
    return out


def _from_risk(risk, kind: str):
    """Columns, table and per-provider client probabilities of a RiskAdjustment."""
    provider = risk.provider
    table = risk.table
    empty = table["clients"] == 0
    left_out = tuple(table.loc[empty, provider].tolist())
    table = table[~empty].reset_index(drop=True)
    probabilities = None
    if kind == "SR":
        observed, denominator = "observed", "expected"
        variance = "variance" if risk.family == "binomial" else None
        if risk.family == "binomial":
            grouped = risk.clients.groupby(provider, sort=False, observed=True)["expected"]
            probabilities = {key: group.to_numpy() for key, group in grouped}
    else:
        if risk.family != "binomial":
            raise CityKitError(
                "kind='PR' (proportions) needs a yes/no outcome; this risk adjustment is of a "
                "count (family='poisson'). Use kind='SR'."
            )
        observed, denominator, variance = "observed", "clients", None
    return table, provider, observed, denominator, variance, probabilities, left_out


def funnel_data(
    data,
    *,
    observed: str | None = None,
    denominator: str | None = None,
    variance: str | None = None,
    label: str | None = None,
    kind: str = "SR",
    method: str | None = None,
    levels=(0.95, 0.998),
    target: float | None = None,
    adjust_overdispersion: bool = False,
    grid_points: int = 200,
) -> FunnelResult:
    """Place providers on a funnel: value, limits at their precision, z and zone.

    Parameters
    ----------
    data : RiskAdjustment or pandas.DataFrame
        The result of :func:`~citykit.contracting.risk.risk_adjust` (its observed and expected
        counts, their chance variance and each client's expected probability are used), or one
        row per provider with the columns named below.
    observed : str, keyword-only
        DataFrame only: column of observed counts (O).
    denominator : str, keyword-only
        DataFrame only: column of expected counts E (``kind="SR"``) or numbers of clients n
        (``kind="PR"``).
    variance : str, optional, keyword-only
        DataFrame, ``kind="SR"`` only: column of the chance variance of O (``variance`` in a
        risk-adjustment table). Give it for a yes/no outcome: the limits become
        ``1 +/- z sqrt(V) / E``. Without it O is treated as a Poisson count (``V = E``), right
        for counts such as nights or deaths (the SHMI method) but too wide for common yes/no
        outcomes.
    label : str, keyword-only
        Column naming the provider (default ``"provider_id"``, or the risk adjustment's).
    kind : {"SR", "PR"}, keyword-only
        Ratio (O/E, target 1) or proportion (O/n, target the pooled rate).
    method : {"exact", "normal"}, optional, keyword-only
        Default: exact where it can be computed (Poisson and binomial quantiles, and
        Poisson-binomial quantiles from each client's probability when ``data`` is a
        RiskAdjustment), else the normal approximation. With ``adjust_overdispersion=True`` the
        limits are on the log (SR) or arcsine (PR) scale widened by tau2, as FunnelPlotR draws
        them.
    levels : tuple of two floats, keyword-only
        Inner and outer limits (0.95, 0.998).
    target : float, optional, keyword-only
        Centre line; default 1 for SR and the pooled rate for PR.
    adjust_overdispersion : bool, keyword-only
        Widen the limits by the DerSimonian-Laird tau2 (use when phi is well above 1 and the
        case-mix model cannot explain the extra variation).
    grid_points : int, keyword-only
        Points on each limit curve.

    Returns
    -------
    FunnelResult

    Raises
    ------
    CityKitError
        If a denominator is 0 or missing (a provider with no clients: leave it out), the columns
        are missing or not numeric, or exact limits are asked for a yes/no outcome without the
        clients' probabilities.

    Notes
    -----
    Formulas, reference values and sources: docs/methods.md, "Provider comparison".

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"provider_id": ["A", "B", "C"], "housed": [30, 45, 12],
    ...                       "clients": [100, 120, 50]})
    >>> f = funnel_data(table, observed="housed", denominator="clients", kind="PR")
    >>> f.table[["provider_id", "value", "zone"]]
      provider_id  value               zone
    0           A  0.300  within 95% limits
    1           B  0.375  within 95% limits
    2           C  0.240  within 95% limits
    """
    from citykit.contracting.risk import RiskAdjustment

    require_keyword_choice(kind, ["SR", "PR"], argument="kind")
    if method is not None:
        require_keyword_choice(method, ["exact", "normal"], argument="method")
    levels = _check_levels(levels)
    if len(levels) != 2:
        raise CityKitError(f"levels must be two numbers (inner, outer); got {levels!r}.")
    probabilities = None
    left_out: tuple = ()
    if isinstance(data, RiskAdjustment):
        if observed is not None or denominator is not None or variance is not None:
            raise CityKitError(
                "pass a RiskAdjustment alone (funnel_data(risk)): its observed, expected and "
                "variance columns are used. To choose columns yourself, pass its table "
                "(funnel_data(risk.table, observed=..., denominator=...))."
            )
        data, label, observed, denominator, variance, probabilities, left_out = _from_risk(
            data, kind
        )
    else:
        label = "provider_id" if label is None else label
        if observed is None or denominator is None:
            raise CityKitError(
                "name the observed and denominator columns, e.g. funnel_data(table, "
                "observed='observed', denominator='expected'), or pass a RiskAdjustment."
            )
    if variance is not None and kind != "SR":
        raise CityKitError(
            "variance is for observed / expected ratios (kind='SR'); a proportion's variance "
            "follows from its rate and denominator."
        )
    columns = [label, observed, denominator] + ([variance] if variance is not None else [])
    check_table(data, columns, argument="data")
    for column in columns[1:]:
        require_numeric(data, column, argument="data")
    frame = data[columns].copy()
    bad = frame[denominator].isna() | (frame[denominator] <= 0)
    if bad.any():
        names = ", ".join(map(str, frame.loc[bad, label].tolist()[:5]))
        raise CityKitError(
            f"{int(bad.sum())} provider(s) have no {denominator!r} (0 or missing): {names}. A "
            f"provider with no clients cannot be placed on a funnel; drop those rows (e.g. "
            f"data[data[{denominator!r}] > 0]) and report them separately."
        )
    obs = frame[observed].to_numpy(dtype=float)
    den = frame[denominator].to_numpy(dtype=float)
    if np.any(np.isnan(obs)) or np.any(obs < 0):
        raise CityKitError(
            f"column {observed!r} must hold counts >= 0 for every provider; found missing or "
            f"negative values."
        )
    var = None
    if variance is not None:
        var = frame[variance].to_numpy(dtype=float)
        if np.any(~np.isfinite(var)) or np.any(var <= 0):
            raise CityKitError(
                f"column {variance!r} must hold the positive chance variance of each observed "
                f"count (the 'variance' column of risk_adjust); found missing, 0 or negative "
                f"values."
            )
    if kind == "PR" and np.any(obs > den):
        raise CityKitError(
            f"for proportions, {observed!r} cannot exceed {denominator!r} (a share above 100%); "
            f"did you swap the two columns, or mean kind='SR' (observed / expected)?"
        )
    if kind == "SR":
        centre = 1.0 if target is None else float(target)
        model = "poisson" if var is None else "poisson-binomial"
    else:
        centre = obs.sum() / den.sum() if target is None else float(target)
        require_probability(centre, argument="target")
        model = "binomial"
    value = obs / den
    ratio = float(var.sum() / den.sum()) if var is not None else 1.0
    od = None
    if len(frame) >= 3 and not (kind == "SR" and np.any(obs == 0)):
        od = overdispersion(
            obs, den, kind=kind, target=centre if kind == "PR" else None, variance=var
        )
    tau2 = od.tau2 if (adjust_overdispersion and od is not None) else 0.0
    if adjust_overdispersion and od is None:
        raise CityKitError(
            "overdispersion cannot be estimated here (fewer than 3 providers, or a provider with "
            "0 events on a ratio funnel); use adjust_overdispersion=False."
        )
    if adjust_overdispersion:
        used = "log" if kind == "SR" else "arcsine"
    elif method is not None:
        used = method
    else:
        used = "normal" if (model == "poisson-binomial" and probabilities is None) else "exact"
    if used == "exact" and model == "poisson-binomial" and probabilities is None:
        raise CityKitError(
            "exact limits for a yes/no outcome need each client's probability: pass the "
            "RiskAdjustment itself (funnel_data(risk)), or use method='normal' with the "
            "variance column."
        )

    def limits_at(x, v=None, labels=None):
        if kind == "PR":
            return binomial_limits(x, target=centre, levels=levels, method=used, tau2=tau2)
        if model == "poisson":
            return poisson_limits(x, target=centre, levels=levels, method=used, tau2=tau2)
        if used == "exact":
            rows = [
                poisson_binomial_limits(probabilities[key], levels=levels).drop(columns="variance")
                for key in labels
            ]
            out = pd.concat(rows, ignore_index=True)
            return out.assign(**{c: out[c] * centre for c in out.columns if c != "expected"})
        return _ratio_limits(x, v, target=centre, levels=levels, method=used, tau2=tau2)

    at_points = limits_at(den, var, frame[label].tolist())
    inner, outer = (level_label(v) for v in levels)
    frame = frame.rename(columns={observed: "observed", denominator: "denominator"})
    if variance is not None:
        frame = frame.rename(columns={variance: "variance"})
    frame["value"] = value
    for column in at_points.columns[1:]:
        frame[column] = at_points[column].to_numpy()
    if kind == "SR":
        frame["z"] = (obs - den) / np.sqrt(den if var is None else var)
    else:
        frame["z"] = (value - centre) / np.sqrt(centre * (1 - centre) / den)
    frame["zone"] = _zone(
        value,
        frame[f"ll{inner}"].to_numpy(),
        frame[f"ul{inner}"].to_numpy(),
        frame[f"ll{outer}"].to_numpy(),
        frame[f"ul{outer}"].to_numpy(),
    )
    low_end = max(min(den.min() * 0.8, den.min() - 1), 1.0)
    grid = np.unique(np.geomspace(low_end, den.max() * 1.2, int(grid_points)))
    if kind == "PR" and used == "exact":
        grid = np.unique(np.round(grid))
    if model == "poisson-binomial":
        curve_method = "log" if used == "log" else "normal"
        curves = _ratio_limits(
            grid, ratio * grid, target=centre, levels=levels, method=curve_method, tau2=tau2
        )
    else:
        curves = limits_at(grid)
    curves = curves.rename(columns={"expected": "denominator", "n": "denominator"})
    return FunnelResult(
        table=frame.reset_index(drop=True),
        limits=curves,
        target=float(centre),
        kind=kind,
        method=used,
        variance=model,
        variance_ratio=ratio,
        levels=levels,
        od=od,
        adjusted=bool(adjust_overdispersion),
        label=label,
        left_out=left_out,
    )
