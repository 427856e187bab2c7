"""Pay-for-performance with and without risk adjustment, and why cream-skimming pays without it.

Paying providers per successful outcome sounds fair, but a provider can raise its success count
without serving anyone better: by turning away clients who are hard to house ("cream-skimming";
Koning & Heinrich 2013; GPL on perverse incentives; docs/methods.md, "Provider comparison").
Two payment rules:

``"raw"``
    ``price x successes``: every success is worth the same.
``"risk_adjusted"``
    ``price x clients x risk-standardized rate = price x clients x overall rate x O/E``: a
    provider is paid for doing better *than expected for its own clients*. A provider with an
    average client mix is paid the same as under ``"raw"``; screening out hard clients raises E
    as much as O, so it no longer pays.

:func:`pay_for_performance` applies both rules to a table of clients;
:func:`simulate_cream_skimming` runs a seeded experiment in which one provider turns away
high-risk referrals while all providers are equally good.

Examples
--------
>>> import pandas as pd
>>> clients = pd.DataFrame({
...     "provider": list("AAAABBBB"), "high_risk": [0, 0, 0, 1, 0, 1, 1, 1],
...     "housed": [1, 1, 0, 0, 1, 1, 0, 0]})
>>> pay = pay_for_performance(clients, outcome="housed", provider="provider",
...                           risk_factors=["high_risk"], price=1000)
>>> pay[["provider", "successes", "pay_raw", "pay_risk_adjusted"]]
  provider  successes  pay_raw  pay_risk_adjusted
0        A          2   2000.0             1600.0
1        B          2   2000.0             2666.7
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit.contracting._common import html_table
from citykit.contracting.risk import risk_adjust
from citykit.errors import ArgumentRangeError, CityKitError, require_probability

__all__ = ["pay_for_performance", "CreamSkimmingResult", "simulate_cream_skimming"]


def pay_for_performance(
    data: pd.DataFrame,
    *,
    outcome: str,
    risk_factors: list[str] | tuple[str, ...],
    provider: str = "provider_id",
    price: float = 1000.0,
) -> pd.DataFrame:
    """Payments per provider under the raw and the risk-adjusted pay-per-success rule.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per client served, with a 0/1 outcome, the provider and the risk factors.
    outcome : str, keyword-only
        The paid-for outcome (e.g. exit to permanent housing).
    risk_factors : list of str, keyword-only
        Columns of the case-mix model (see :func:`~citykit.contracting.risk.risk_adjust`).
    provider : str, keyword-only
        Provider column.
    price : float, keyword-only
        Dollars paid per success (raw rule).

    Returns
    -------
    pandas.DataFrame
        ``provider``, ``clients``, ``successes``, ``expected``, ``oe_ratio``, ``pay_raw``,
        ``pay_risk_adjusted`` and ``difference`` (risk-adjusted minus raw), in US dollars rounded
        to 0.1.
    """
    if not isinstance(price, (int, float)) or price <= 0:
        raise ArgumentRangeError(f"price must be a positive number of dollars; got {price!r}.")
    ra = risk_adjust(data, outcome=outcome, risk_factors=risk_factors, provider=provider)
    table = ra.table[[provider, "clients", "observed", "expected", "oe_ratio"]].rename(
        columns={"observed": "successes"}
    )
    table = table.assign(
        pay_raw=(price * table["successes"]).astype(float).round(1),
        pay_risk_adjusted=(price * table["clients"] * ra.overall_rate * table["oe_ratio"]).round(1),
    )
    table["difference"] = (table["pay_risk_adjusted"] - table["pay_raw"]).round(1)
    return table.reset_index(drop=True)


@dataclass(frozen=True)
class CreamSkimmingResult:
    """Result of :func:`simulate_cream_skimming`.

    Attributes
    ----------
    table : pandas.DataFrame
        Mean over runs, per scenario ("no screening", "screening") and provider: clients,
        ``high_risk_share``, ``successes``, ``crude_rate``, ``oe_ratio``, ``pay_raw``,
        ``pay_risk_adjusted``.
    skimmer : str
        The provider that screens out high-risk referrals.
    gain_raw, gain_risk_adjusted : float
        The skimmer's mean change in payment (US dollars) from screening, under each rule.
    gain_raw_share, gain_risk_adjusted_share : float
        The same as a share of its payment without screening.
    runs : int
        Number of simulated periods averaged.
    """

    table: pd.DataFrame
    skimmer: str
    gain_raw: float
    gain_risk_adjusted: float
    gain_raw_share: float
    gain_risk_adjusted_share: float
    runs: int

    def summary(self) -> str:
        """One paragraph in plain words."""
        return (
            f"All providers are equally good. When {self.skimmer} turns away high-risk "
            f"referrals, its pay under the raw pay-per-success rule changes by "
            f"{self.gain_raw:+,.0f} dollars ({self.gain_raw_share:+.1%}); under the "
            f"risk-adjusted rule by {self.gain_risk_adjusted:+,.0f} dollars "
            f"({self.gain_risk_adjusted_share:+.1%}). Averaged over {self.runs} simulated periods."
        )

    def __repr__(self) -> str:
        return (
            f"CreamSkimmingResult\n{self.summary()}\n{self.table.round(3).to_string(index=False)}"
        )

    def _repr_html_(self) -> str:
        return f"<div><p>{self.summary()}</p>{html_table(self.table, float_format='{:,.2f}')}</div>"


def simulate_cream_skimming(
    *,
    seed: int,
    providers: int = 5,
    clients_per_provider: int = 300,
    high_risk_share: float = 0.4,
    turn_away: float = 0.6,
    success_low_risk: float = 0.6,
    success_high_risk: float = 0.25,
    price: float = 1000.0,
    runs: int = 40,
) -> CreamSkimmingResult:
    """Simulate pay-for-performance when one provider screens out high-risk referrals.

    Each period a pool of ``providers x clients_per_provider`` referrals arrives, a share
    ``high_risk_share`` of them high-risk. Every provider is equally good: a client's chance of
    success depends only on risk (``success_low_risk`` / ``success_high_risk``). In the
    "screening" scenario provider ``P1`` declines each high-risk referral with probability
    ``turn_away`` and fills its caseload with the next referral; the declined clients are served
    by the other providers. Payments follow :func:`pay_for_performance` (risk model refitted each
    period on all clients).

    Parameters
    ----------
    seed : int, keyword-only
        Random seed (same seed, same result).
    providers : int, keyword-only
        Number of providers (at least 2).
    clients_per_provider : int, keyword-only
        Caseload of each provider per period.
    high_risk_share : float, keyword-only
        Share of referrals that are high-risk.
    turn_away : float, keyword-only
        Probability the screening provider declines a high-risk referral (0-1).
    success_low_risk, success_high_risk : float, keyword-only
        Probability of success by risk group, the same at every provider.
    price : float, keyword-only
        Dollars per success under the raw rule.
    runs : int, keyword-only
        Periods simulated and averaged.

    Returns
    -------
    CreamSkimmingResult

    Examples
    --------
    >>> result = simulate_cream_skimming(seed=1, runs=10)
    >>> bool(result.gain_raw_share > 0.05), bool(abs(result.gain_risk_adjusted_share) < 0.05)
    (True, True)
    """
    if not isinstance(providers, (int, np.integer)) or providers < 2:
        raise ArgumentRangeError(f"providers must be a whole number >= 2; got {providers!r}.")
    if not isinstance(clients_per_provider, (int, np.integer)) or clients_per_provider < 20:
        raise ArgumentRangeError(
            f"clients_per_provider must be a whole number >= 20; got {clients_per_provider!r}."
        )
    if not isinstance(runs, (int, np.integer)) or runs < 1:
        raise ArgumentRangeError(f"runs must be a whole number >= 1; got {runs!r}.")
    for name, value in (
        ("high_risk_share", high_risk_share),
        ("success_low_risk", success_low_risk),
        ("success_high_risk", success_high_risk),
    ):
        require_probability(value, argument=name)
    if not isinstance(turn_away, (int, float)) or not 0 <= turn_away <= 1:
        raise ArgumentRangeError(f"turn_away must be a share from 0 to 1; got {turn_away!r}.")
    if success_high_risk >= success_low_risk:
        raise CityKitError(
            "success_high_risk must be below success_low_risk (high-risk clients are harder to "
            "house); otherwise there is nothing to skim."
        )
    rng = np.random.default_rng(seed)
    names = [f"P{i + 1}" for i in range(providers)]
    total = providers * clients_per_provider
    records = []
    for run in range(runs):
        risk = rng.random(total) < high_risk_share
        success_p = np.where(risk, success_high_risk, success_low_risk)
        success = rng.random(total) < success_p
        for scenario in ("no screening", "screening"):
            order = rng.permutation(total)
            if scenario == "screening":
                # P1 takes referrals in arrival order, declining high-risk ones with prob.
                # turn_away, until its caseload is full; the rest go to the others
                declined = risk[order] & (rng.random(total) < turn_away)
                accepted = order[~declined][:clients_per_provider]
                rest = np.setdiff1d(order, accepted, assume_unique=True)
                rest = rest[rng.permutation(len(rest))]
                assignment = np.concatenate([accepted, rest])
            else:
                assignment = order
            provider = np.empty(total, dtype=object)
            provider[assignment] = np.repeat(names, clients_per_provider)
            data = pd.DataFrame(
                {"provider_id": provider, "high_risk": risk.astype(int), "success": success}
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pay = pay_for_performance(
                    data, outcome="success", risk_factors=["high_risk"], price=price
                )
            share = data.groupby("provider_id")["high_risk"].mean()
            pay["high_risk_share"] = pay["provider_id"].map(share)
            pay["crude_rate"] = pay["successes"] / pay["clients"]
            pay["scenario"] = scenario
            pay["run"] = run
            records.append(pay)
    allruns = pd.concat(records, ignore_index=True)
    table = (
        allruns.groupby(["scenario", "provider_id"], sort=False)[
            [
                "clients",
                "high_risk_share",
                "successes",
                "crude_rate",
                "oe_ratio",
                "pay_raw",
                "pay_risk_adjusted",
            ]
        ]
        .mean()
        .reset_index()
    )
    p1 = table[table["provider_id"] == "P1"].set_index("scenario")
    gain_raw = float(p1.loc["screening", "pay_raw"] - p1.loc["no screening", "pay_raw"])
    gain_ra = float(
        p1.loc["screening", "pay_risk_adjusted"] - p1.loc["no screening", "pay_risk_adjusted"]
    )
    return CreamSkimmingResult(
        table=table,
        skimmer="P1",
        gain_raw=gain_raw,
        gain_risk_adjusted=gain_ra,
        gain_raw_share=gain_raw / float(p1.loc["no screening", "pay_raw"]),
        gain_risk_adjusted_share=gain_ra / float(p1.loc["no screening", "pay_risk_adjusted"]),
        runs=int(runs),
    )
