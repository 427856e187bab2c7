"""Procurement: transparent vendor scoring, how rankings move with the weights, and the portfolio.

Common contracting problems are basic: choosing vendors, reviewing procurements, and managing the
portfolio of contracts (Government Performance Lab; docs/methods.md, "Provider comparison").
This module keeps each step inspectable:

* :func:`score_vendors`: weighted criteria with every normalization written down (points out of
  ``max_points``; for a lower-is-better criterion such as price, the usual "lowest offer gets
  full marks" rule ``min / value``);
* :func:`weight_sensitivity`: raise and lower each weight in turn and see whether the winner or
  the order changes;
* :func:`rank_stability`: draw many plausible weight sets around the chosen ones and count how
  often each vendor wins (a simple stochastic-acceptability analysis);
* :func:`contract_portfolio`: spend beside outcomes per contract, with cost per outcome compared
  with peers of the same project type.

Examples
--------
>>> import pandas as pd
>>> bids = pd.DataFrame({"vendor": ["A", "B", "C"], "approach": [80, 60, 70],
...                      "experience": [70, 90, 60], "price": [100_000, 90_000, 80_000]})
>>> weights = {"approach": 0.4, "experience": 0.3, "price": 0.3}
>>> scores = score_vendors(bids, criteria=weights, lower_is_better=["price"])
>>> scores.table[["vendor", "total", "rank"]].round(1)
  vendor  total  rank
0      B   77.7     1
1      A   77.0     2
2      C   76.0     3
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit.contracting._common import as_list, check_table, html_table, safe_rate
from citykit.errors import ArgumentRangeError, CityKitError, require_columns, require_numeric

__all__ = [
    "VendorScores",
    "score_vendors",
    "weight_sensitivity",
    "rank_stability",
    "contract_portfolio",
]


def _weights(criteria: dict[str, float]) -> dict[str, float]:
    if not isinstance(criteria, dict) or not criteria:
        raise CityKitError(
            "criteria must be a dict of column -> weight, e.g. {'approach': 0.4, 'price': 0.6}."
        )
    for name, weight in criteria.items():
        if not isinstance(weight, numbers.Real) or weight < 0 or weight != weight:
            raise ArgumentRangeError(
                f"the weight of {name!r} must be a number >= 0; got {weight!r}."
            )
    total = float(sum(criteria.values()))
    if total <= 0:
        raise CityKitError(
            "the weights add up to 0; give at least one criterion a positive weight."
        )
    return {k: float(v) / total for k, v in criteria.items()}


@dataclass(frozen=True)
class VendorScores:
    """Result of :func:`score_vendors`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per vendor, best first: ``<criterion>_points`` (0-100 after normalization),
        ``<criterion>_weighted`` (its contribution to the total), ``total`` (0-100) and ``rank``.
    weights : dict
        The weights used, scaled to add up to 1.
    lower_is_better : tuple of str
        Criteria scored with ``min / value``.
    vendor : str
        The vendor column.
    """

    table: pd.DataFrame
    weights: dict
    lower_is_better: tuple[str, ...]
    vendor: str

    def explain(self, vendor: str) -> str:
        """Say where one vendor's total comes from, criterion by criterion."""
        rows = self.table[self.table[self.vendor] == vendor]
        if rows.empty:
            known = ", ".join(map(str, self.table[self.vendor]))
            raise CityKitError(f"vendor {vendor!r} is not in the table; vendors: {known}.")
        row = rows.iloc[0]
        parts = [
            f"{c}: {row[f'{c}_points']:.1f} points x weight {w:.2f} = {row[f'{c}_weighted']:.1f}"
            for c, w in self.weights.items()
        ]
        return f"{vendor} (rank {int(row['rank'])}, total {row['total']:.1f}): " + ";\n".join(parts)

    def __repr__(self) -> str:
        weights = ", ".join(f"{k} {v:.0%}" for k, v in self.weights.items())
        return f"VendorScores (weights: {weights})\n{self.table.round(1).to_string(index=False)}"

    def _repr_html_(self) -> str:
        weights = ", ".join(f"{k} {v:.0%}" for k, v in self.weights.items())
        table = html_table(self.table, float_format="{:.1f}")
        return f"<div><p><b>Vendor scores</b> (weights: {weights})</p>{table}</div>"


def score_vendors(
    data: pd.DataFrame,
    *,
    criteria: dict[str, float],
    vendor: str = "vendor",
    lower_is_better: list[str] | tuple[str, ...] = (),
    max_points: float = 100.0,
) -> VendorScores:
    """Score vendors on weighted criteria, with every step visible.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per vendor (e.g. the panel's consensus scores and the price offered).
    criteria : dict, keyword-only
        Column -> weight. Weights are scaled to add up to 1 (so 40/30/30 works as well).
    vendor : str, keyword-only
        Vendor name column.
    lower_is_better : list of str, keyword-only
        Criteria where less is better (price, cost per unit): scored ``100 x min / value``.
    max_points : float, keyword-only
        The most points a criterion can get on the panel's scale (100, or 5 for a 1-5 scale);
        other criteria are scored ``100 x value / max_points``.

    Returns
    -------
    VendorScores

    Raises
    ------
    CityKitError
        If a criterion is missing, not numeric, negative or above ``max_points``, if the weights
        are not positive, or vendors are duplicated.

    Examples
    --------
    >>> import pandas as pd
    >>> bids = pd.DataFrame({"vendor": ["A", "B"], "approach": [4, 5], "price": [120, 100]})
    >>> scores = score_vendors(bids, criteria={"approach": 50, "price": 50},
    ...                        lower_is_better=["price"], max_points=5)
    >>> print(scores.explain("A"))
    A (rank 2, total 81.7): approach: 80.0 points x weight 0.50 = 40.0;
    price: 83.3 points x weight 0.50 = 41.7
    """
    weights = _weights(criteria)
    lower = tuple(as_list(lower_is_better))
    unknown = [c for c in lower if c not in weights]
    if unknown:
        raise CityKitError(
            f"lower_is_better names {unknown}, which are not among the criteria {list(weights)}."
        )
    if not isinstance(max_points, numbers.Real) or max_points <= 0:
        raise ArgumentRangeError(f"max_points must be a positive number; got {max_points!r}.")
    check_table(data, [vendor, *weights], argument="data")
    if data[vendor].isna().any():
        raise CityKitError(
            f"data column {vendor!r} has {int(data[vendor].isna().sum())} row(s) without a vendor "
            "name; every scored row must say whose proposal it is. Fill or drop those rows."
        )
    if data[vendor].duplicated().any():
        dup = data.loc[data[vendor].duplicated(), vendor].iloc[0]
        raise CityKitError(
            f"vendor {dup!r} appears more than once; give one row per vendor (average the "
            f"panel's scores first, e.g. data.groupby({vendor!r}).mean())."
        )
    table = pd.DataFrame({vendor: data[vendor].to_numpy()})
    total = np.zeros(len(data))
    for criterion, weight in weights.items():
        require_numeric(data, criterion, argument="data")
        values = data[criterion].to_numpy(dtype=float)
        if np.isnan(values).any():
            raise CityKitError(
                f"criterion {criterion!r} has missing scores; every vendor needs a score (use 0 "
                f"for 'not addressed')."
            )
        if criterion in lower:
            if (values <= 0).any():
                raise CityKitError(
                    f"criterion {criterion!r} is lower-is-better but has values <= 0; a price or "
                    f"cost must be positive."
                )
            points = 100 * values.min() / values
        else:
            if (values < 0).any() or (values > max_points).any():
                raise ArgumentRangeError(
                    f"criterion {criterion!r} has scores outside 0-{max_points:g}; set "
                    f"max_points to the panel's scale (e.g. max_points=5 for 1-5 scores)."
                )
            points = 100 * values / max_points
        table[f"{criterion}_points"] = points
        table[f"{criterion}_weighted"] = points * weight
        total += points * weight
    table["total"] = total
    table["rank"] = table["total"].rank(ascending=False, method="min").astype(int)
    table = table.sort_values(["rank", vendor], kind="mergesort").reset_index(drop=True)
    return VendorScores(table=table, weights=weights, lower_is_better=lower, vendor=vendor)


def weight_sensitivity(
    data: pd.DataFrame,
    *,
    criteria: dict[str, float],
    vendor: str = "vendor",
    lower_is_better: list[str] | tuple[str, ...] = (),
    max_points: float = 100.0,
    changes: tuple[float, ...] = (-0.5, -0.25, 0.25, 0.5),
) -> pd.DataFrame:
    """Change one weight at a time and record the winner and the order of vendors.

    Each criterion's weight is multiplied by ``1 + change`` and the weights are re-scaled to add
    up to 1. The baseline is the first row.

    Parameters
    ----------
    data, criteria, vendor, lower_is_better, max_points
        As in :func:`score_vendors`.
    changes : tuple of float, keyword-only
        Relative changes of one weight (-0.5 halves it, 0.5 raises it by half).

    Returns
    -------
    pandas.DataFrame
        ``criterion``, ``change``, ``weight`` (after re-scaling), ``winner``, ``ranking``
        (vendors best first), ``winner_changed``, ``order_changed``.

    Examples
    --------
    >>> import pandas as pd
    >>> bids = pd.DataFrame({"vendor": ["A", "B", "C"], "approach": [80, 60, 70],
    ...                      "experience": [70, 90, 60], "price": [100_000, 90_000, 78_000]})
    >>> table = weight_sensitivity(bids, criteria={"approach": 0.4, "experience": 0.3,
    ...                            "price": 0.3}, lower_is_better=["price"], changes=(0.5,))
    >>> table[["criterion", "winner", "ranking", "winner_changed"]]
        criterion winner    ranking  winner_changed
    0  (baseline)      B  B > A > C           False
    1    approach      A  A > C > B            True
    2  experience      B  B > A > C           False
    3       price      C  C > B > A            True
    """
    base = _weights(criteria)
    for change in changes:
        if not isinstance(change, (int, float)) or change <= -1:
            raise ArgumentRangeError(
                f"each change must be a number above -1 (-0.5 halves a weight); got {change!r}."
            )

    def ranking(weights):
        scores = score_vendors(
            data,
            criteria=weights,
            vendor=vendor,
            lower_is_better=lower_is_better,
            max_points=max_points,
        )
        return list(scores.table[vendor].astype(str))

    baseline = ranking(base)
    rows = [
        {
            "criterion": "(baseline)",
            "change": 0.0,
            "weight": np.nan,
            "winner": baseline[0],
            "ranking": " > ".join(baseline),
            "winner_changed": False,
            "order_changed": False,
        }
    ]
    for criterion in base:
        for change in changes:
            weights = dict(base)
            weights[criterion] = base[criterion] * (1 + change)
            scaled = _weights(weights)
            order = ranking(scaled)
            rows.append(
                {
                    "criterion": criterion,
                    "change": float(change),
                    "weight": scaled[criterion],
                    "winner": order[0],
                    "ranking": " > ".join(order),
                    "winner_changed": order[0] != baseline[0],
                    "order_changed": order != baseline,
                }
            )
    return pd.DataFrame(rows)


def rank_stability(
    data: pd.DataFrame,
    *,
    criteria: dict[str, float],
    vendor: str = "vendor",
    lower_is_better: list[str] | tuple[str, ...] = (),
    max_points: float = 100.0,
    draws: int = 2000,
    concentration: float = 50.0,
    seed: int = 0,
) -> pd.DataFrame:
    """How often each vendor wins when the weights vary plausibly around the chosen ones.

    Weight sets are drawn from a Dirichlet distribution centred on the chosen weights
    (``alpha = concentration x weights``; larger ``concentration`` = closer to them).

    Parameters
    ----------
    data, criteria, vendor, lower_is_better, max_points
        As in :func:`score_vendors`.
    draws : int, keyword-only
        Number of weight sets.
    concentration : float, keyword-only
        How tightly the draws stay around the chosen weights (50: a typical weight of 0.3 varies
        by about +/- 0.06).
    seed : int, keyword-only
        Random seed.

    Returns
    -------
    pandas.DataFrame
        ``vendor``, ``win_share`` (share of draws in which it ranks first), ``mean_rank``,
        sorted by ``win_share``.

    Examples
    --------
    >>> import pandas as pd
    >>> bids = pd.DataFrame({"vendor": ["A", "B"], "quality": [90, 50], "price": [100, 95]})
    >>> rank_stability(bids, criteria={"quality": 0.5, "price": 0.5}, lower_is_better=["price"],
    ...                draws=200)[["vendor", "win_share"]]
      vendor  win_share
    0      A        1.0
    1      B        0.0
    """
    base = _weights(criteria)
    if not isinstance(draws, (int, np.integer)) or draws < 10:
        raise ArgumentRangeError(f"draws must be a whole number >= 10; got {draws!r}.")
    if not isinstance(concentration, (int, float)) or concentration <= 0:
        raise ArgumentRangeError(f"concentration must be positive; got {concentration!r}.")
    scores = score_vendors(
        data, criteria=base, vendor=vendor, lower_is_better=lower_is_better, max_points=max_points
    )
    points = np.column_stack([scores.table[f"{c}_points"].to_numpy() for c in base])
    names = scores.table[vendor].astype(str).to_numpy()
    keys = list(base)
    alpha = np.array([max(base[k], 1e-6) * concentration for k in keys])
    weights = np.random.default_rng(seed).dirichlet(alpha, size=int(draws))
    totals = weights @ points.T  # draws x vendors
    ranks = (-totals).argsort(axis=1).argsort(axis=1) + 1
    out = pd.DataFrame(
        {
            vendor: names,
            "win_share": (ranks == 1).mean(axis=0),
            "mean_rank": ranks.mean(axis=0),
        }
    )
    return out.sort_values(["win_share", "mean_rank"], ascending=[False, True]).reset_index(
        drop=True
    )


def contract_portfolio(
    contracts: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    on: str = "provider_id",
    amount: str = "amount_usd",
    outcome_count: str = "permanent_exits",
    served: str = "exits",
    peer_group: str | None = "project_type",
) -> pd.DataFrame:
    """Spend beside outcomes for each contract, with cost per outcome against peers.

    Parameters
    ----------
    contracts : pandas.DataFrame
        One row per contract (for one fiscal year) with the key, the amount and the peer group.
    outcomes : pandas.DataFrame
        Outcomes per key for the same period (e.g. from
        :func:`~citykit.contracting.hmis.provider_outcomes`).
    on : str, keyword-only
        Key joining the two tables.
    amount : str, keyword-only
        Contract amount column (US dollars).
    outcome_count : str, keyword-only
        Column of outcomes achieved (e.g. exits to permanent housing).
    served : str, keyword-only
        Column of people served or exited (the denominator of the outcome rate).
    peer_group : str or None, keyword-only
        Contracts are compared within this group (cost per housing exit differs by project
        type); None compares all.

    Returns
    -------
    pandas.DataFrame
        Contract columns plus ``served``, ``outcomes``, ``unmatched`` (1 for a contract whose
        key has no row in ``outcomes``, shown with 0 served and 0 outcomes), ``outcome_rate``,
        ``share_of_spend``,
        ``share_of_outcomes``, ``cost_per_served``, ``cost_per_outcome``,
        ``peer_median_cost_per_outcome``, ``cost_vs_peers`` (ratio) and ``position``
        ("lower cost than peers", "higher cost than peers", "no peers", "no outcomes").

    Examples
    --------
    >>> import pandas as pd
    >>> contracts = pd.DataFrame({"provider_id": ["A", "B", "C"], "project_type": ["ES"] * 3,
    ...                           "amount_usd": [100_000, 200_000, 90_000]})
    >>> outcomes = pd.DataFrame({"provider_id": ["A", "B", "C"], "exits": [100, 150, 80],
    ...                          "permanent_exits": [40, 50, 10]})
    >>> contract_portfolio(contracts, outcomes)[["provider_id", "cost_per_outcome", "position"]]
      provider_id  cost_per_outcome                 position
    0           A            2500.0   lower cost than peers
    1           B            4000.0  same cost as peers
    2           C            9000.0  higher cost than peers
    """
    check_table(contracts, [on, amount], argument="contracts")
    require_numeric(contracts, amount, argument="contracts")
    check_table(outcomes, [on, outcome_count, served], argument="outcomes")
    if peer_group is not None:
        require_columns(contracts, [peer_group], argument="contracts")
    if contracts[on].duplicated().any():
        raise CityKitError(
            f"contracts has several rows for the same {on!r}; filter to one fiscal year (or sum "
            f"the amounts per {on!r}) first."
        )
    for frame, column, argument in (
        (contracts, amount, "contracts"),
        (outcomes, served, "outcomes"),
        (outcomes, outcome_count, "outcomes"),
    ):
        values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        if values.isna().any() or np.isinf(values.to_numpy()).any():
            raise CityKitError(
                f"{argument} column {column!r} has {int((~np.isfinite(values)).sum())} missing, "
                "infinite or non-numeric value(s); a portfolio cannot share out spending or "
                f"outcomes it does not know. Fill or fix them first."
            )
    found = contracts[on].isin(outcomes[on]).to_numpy(dtype=bool)
    if not found.any():
        raise CityKitError(
            f"none of the {len(contracts):,} contracts' {on!r} values is in outcomes (e.g. "
            f"{contracts[on].iloc[0]!r} in contracts, {outcomes[on].iloc[0]!r} in outcomes), so "
            "every contract would show 0 outcomes. Check that both tables write the ids the same "
            "way (prefixes, leading zeros, text or numbers)."
        )
    table = contracts.merge(
        outcomes[[on, served, outcome_count]], on=on, how="left", validate="one_to_one"
    )
    if not found.all():
        shown = ", ".join(map(repr, contracts.loc[~found, on].iloc[:3]))
        table.attrs["notes"] = [
            f"{int((~found).sum()):,} of {len(contracts):,} contracts have no row in outcomes "
            f"(e.g. {shown}); they are shown with 0 served and 0 outcomes."
        ]
    table = table.rename(columns={served: "served", outcome_count: "outcomes"})
    table["served"] = table["served"].fillna(0).astype(int)
    table["outcomes"] = table["outcomes"].fillna(0).astype(int)
    # a contract without a row in outcomes (or without a key) shows 0: say so on its row
    table.insert(table.columns.get_loc("outcomes") + 1, "unmatched", (~found).astype(int))
    table["outcome_rate"] = safe_rate(table["outcomes"], table["served"])
    table["share_of_spend"] = table[amount] / table[amount].sum()
    table["share_of_outcomes"] = safe_rate(
        table["outcomes"], np.full(len(table), table["outcomes"].sum())
    )
    table["cost_per_served"] = safe_rate(table[amount], table["served"])
    table["cost_per_outcome"] = safe_rate(table[amount], table["outcomes"])
    groups = table[peer_group] if peer_group is not None else pd.Series("all", index=table.index)
    table["peer_median_cost_per_outcome"] = table.groupby(groups)["cost_per_outcome"].transform(
        "median"
    )
    peers = table.groupby(groups)["cost_per_outcome"].transform(lambda s: s.notna().sum())
    table["cost_vs_peers"] = table["cost_per_outcome"] / table["peer_median_cost_per_outcome"]
    table["position"] = np.select(
        [
            table["outcomes"] == 0,
            peers < 2,
            table["cost_vs_peers"] < 0.999,
            table["cost_vs_peers"] > 1.001,
        ],
        ["no outcomes", "no peers", "lower cost than peers", "higher cost than peers"],
        default="same cost as peers",
    )
    return table
