"""Random assignment: simple, complete, blocked (stratified) and cluster, with a log.

Every function takes the table of units, a ``seed`` (required: write it down, it makes the
assignment reproducible) and the arms with their probabilities, and returns an
:class:`Assignment` holding the table with an ``arm`` column and a **log** (unit, arm, block,
cluster, seed, method, probability of the arm received, and the probability of every arm), which
analysis needs when probabilities differ by block.

Complete assignment follows R ``randomizr`` (``complete_ra`` / ``block_ra``; ``docs/methods.md``):
each arm gets floor(N·p) units and the leftover units go to arms with probability equal to the
fractional part of N·p, so every unit's probability is exactly p. (The leftovers are drawn by
systematic sampling, which keeps those marginal probabilities exact for any number of arms.)

Examples
--------
>>> import pandas as pd
>>> from citykit.evaluation import assign_blocked
>>> accounts = pd.DataFrame({"account": range(10), "type": ["home"] * 6 + ["business"] * 4})
>>> plan = assign_blocked(accounts, block="type", unit="account", seed=42,
...                       probs={"home": 0.5, "business": 0.25})
>>> plan.table.groupby("type")["arm"].value_counts().sort_index().tolist()
[3, 1, 3, 3]
>>> plan.log.columns.tolist()
['unit', 'arm', 'block', 'seed', 'method', 'probability', 'p_control', 'p_treatment']
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit._renamed import keyword_only_options, renamed_options
from citykit.errors import CityKitError, require_columns, require_non_empty
from citykit.evaluation._results import ResultMixin

__all__ = [
    "Assignment",
    "assign_simple",
    "assign_complete",
    "assign_blocked",
    "assign_clusters",
    "complete_counts",
]


@dataclass(frozen=True, repr=False)
class Assignment(ResultMixin):
    """The result of a random assignment.

    Attributes
    ----------
    table : pandas.DataFrame
        A copy of the input with each unit's arm in the column named by ``arm``.
    log : pandas.DataFrame
        One row per unit: unit, arm, block, cluster (when used), seed, method, probability (of
        the arm received) and ``p_<arm>`` for every arm.
    method : str
        "simple", "complete", "blocked" or "cluster".
    seed : int
        The seed that reproduces the assignment.
    arms : tuple
        The arm labels, control first.
    """

    table: pd.DataFrame
    log: pd.DataFrame
    method: str
    seed: int
    arms: tuple

    _tables = ()

    def _summary(self) -> str:
        counts = self.log["arm"].value_counts()
        parts = ", ".join(f"{a!r}: {int(counts.get(a, 0))}" for a in self.arms)
        return (
            f"{self.method.capitalize()} random assignment of {len(self.log)} units "
            f"(seed {self.seed}): {parts}."
        )

    def counts(self, by: str | None = None) -> pd.DataFrame:
        """Return units per arm (and per block or cluster when ``by`` is "block"/"cluster")."""
        if by is None:
            return self.log["arm"].value_counts().reindex(list(self.arms), fill_value=0).to_frame()
        require_columns(self.log, [by], argument="log")
        return pd.crosstab(self.log[by], self.log["arm"]).reindex(columns=list(self.arms))


# ----------------------------------------------------------------------------------------------
# checks


def _check_seed(seed) -> int:
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise CityKitError(
            f"seed must be a whole number (e.g. seed=20240501), but {seed!r} was given. Write "
            "the seed in your analysis plan: it lets anyone reproduce the assignment."
        )
    if seed < 0:
        raise CityKitError(f"seed must be zero or positive, but {seed!r} was given.")
    return int(seed)


def _check_arms(arms) -> tuple:
    if isinstance(arms, str):
        raise CityKitError(
            f"arms must list at least two labels, e.g. arms=('control', 'letter'), but the text "
            f"{arms!r} was given."
        )
    arms = tuple(arms)
    if len(arms) < 2:
        raise CityKitError(
            "arms must list at least two labels, business as usual first, e.g. "
            "arms=('control', 'letter')."
        )
    if len(set(arms)) != len(arms):
        raise CityKitError(f"arms has repeated labels: {arms!r}; each arm must be named once.")
    return arms


def _check_probs(probs, arms: tuple, *, where: str = "probs") -> np.ndarray:
    k = len(arms)
    if probs is None:
        return np.full(k, 1.0 / k)
    if isinstance(probs, (int, float, np.floating)) and not isinstance(probs, bool):
        if k != 2:
            raise CityKitError(
                f"A single number for {where} means 'share treated' and needs two arms; with "
                f"{k} arms give one probability per arm, e.g. {where}=(0.5, 0.25, 0.25)."
            )
        p = float(probs)
        if not 0 < p < 1:
            hint = (
                f" It looks like a percentage: write {p:g}% as {p / 100:g}." if 1 < p < 100 else ""
            )
            raise CityKitError(
                f"{where} must be a share strictly between 0 and 1, but {probs!r} was given.{hint}"
            )
        return np.array([1 - p, p])
    values = np.asarray(list(probs), dtype=float)
    if len(values) != k:
        raise CityKitError(
            f"{where} has {len(values)} probabilities but there are {k} arms {arms!r}; give one "
            "per arm, in the same order."
        )
    if (values <= 0).any() or not math.isclose(values.sum(), 1.0, abs_tol=1e-9):
        raise CityKitError(
            f"{where}={tuple(values.tolist())!r} must be positive and add up to 1 "
            f"(they add up to {values.sum():g})."
        )
    return values


def _units(data: pd.DataFrame, unit: str | None) -> pd.Series:
    require_non_empty(data, argument="data")
    if unit is None:
        ids = pd.Series(data.index, index=data.index)
    else:
        require_columns(data, [unit], argument="data")
        ids = data[unit]
    if ids.isna().any():
        raise CityKitError(f"The unit ids ({unit or 'the index'}) have missing values.")
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise CityKitError(
            f"The unit ids ({unit or 'the index'}) must be unique, but {dup!r} appears more than "
            "once. Assign units, not rows: drop duplicate rows or pass unit='<id column>'."
        )
    return ids


def _order(ids: pd.Series) -> np.ndarray:
    """Positions sorted by unit id, so the same units get the same arms in any row order."""
    try:
        return np.argsort(ids.to_numpy(), kind="stable")
    except TypeError:
        return np.argsort(ids.astype(str).to_numpy(), kind="stable")


# ----------------------------------------------------------------------------------------------
# the draws


@keyword_only_options("probs", "rng")
def complete_counts(n: int, *, probs, rng: np.random.Generator) -> np.ndarray:
    """Return how many of ``n`` units each arm gets, with exact expected shares ``n·probs``.

    Each arm gets floor(n·p) and the leftover units go to arms with probability equal to the
    fractional parts (systematic sampling), as randomizr ``complete_ra`` intends.

    Examples
    --------
    >>> complete_counts(10, probs=[0.7, 0.3], rng=np.random.default_rng(1)).tolist()
    [7, 3]
    """
    probs = np.asarray(probs, dtype=float)
    target = n * probs
    base = np.floor(target + 1e-9)
    frac = np.clip(target - base, 0, None)
    left = int(round(n - base.sum()))
    extra = np.zeros(len(probs), dtype=int)
    if left > 0:
        cum = np.cumsum(frac)
        cum *= left / cum[-1]  # guard against rounding: the parts add up to `left`
        start = rng.uniform()
        upper = np.floor(cum - start + 1)  # number of points start + j <= cum
        lower = np.concatenate([[0.0], upper[:-1]])
        extra = (upper - lower).astype(int)
    return (base.astype(int) + extra).astype(int)


def _complete(n: int, probs: np.ndarray, arms: tuple, rng) -> np.ndarray:
    counts = complete_counts(n, probs=probs, rng=rng)
    labels = np.repeat(np.arange(len(arms)), counts)
    return rng.permutation(labels)


def _build(data, ids, codes, probs_per_unit, arms, seed, method, arm, extra_log) -> Assignment:
    if arm in data.columns:
        raise CityKitError(
            f"data already has a column {arm!r}; pass arm='<new name>' or drop it "
            "(re-assigning an existing test is rarely intended)."
        )
    labels = np.asarray(arms, dtype=object)[codes]
    table = data.copy()
    table[arm] = labels
    log = pd.DataFrame({"unit": ids.to_numpy(), "arm": labels}, index=data.index)
    for name, values in extra_log.items():
        log[name] = values
    log["seed"] = seed
    log["method"] = method
    log["probability"] = probs_per_unit[np.arange(len(codes)), codes]
    for j, a in enumerate(arms):
        log[f"p_{a}"] = probs_per_unit[:, j]
    return Assignment(
        table=table, log=log.reset_index(drop=True), method=method, seed=seed, arms=arms
    )


@renamed_options(arm_column="arm")
def assign_simple(
    data: pd.DataFrame,
    *,
    seed: int,
    arms=("control", "treatment"),
    probs=None,
    unit: str | None = None,
    arm: str = "arm",
) -> Assignment:
    """Assign each unit independently (a weighted coin flip); arm sizes vary by chance.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    seed : int, keyword-only
        Random seed (record it).
    arms : sequence, keyword-only
        Arm labels, business as usual first.
    probs : float or sequence, optional, keyword-only
        Probability of each arm (default equal); with two arms a single number is the share
        treated.
    unit : str, optional, keyword-only
        Column of unique unit ids (default: the index).
    arm : str, keyword-only
        The name of the new column that holds each unit's arm.

    Returns
    -------
    Assignment

    Examples
    --------
    >>> import pandas as pd
    >>> plan = assign_simple(pd.DataFrame({"id": range(6)}), seed=3, unit="id")
    >>> plan.log["probability"].tolist()
    [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    """
    seed = _check_seed(seed)
    arms = _check_arms(arms)
    probs = _check_probs(probs, arms)
    ids = _units(data, unit)
    rng = np.random.default_rng(seed)
    order = _order(ids)
    codes = np.empty(len(ids), dtype=int)
    codes[order] = rng.choice(len(arms), size=len(ids), p=probs)
    per_unit = np.tile(probs, (len(ids), 1))
    return _build(data, ids, codes, per_unit, arms, seed, "simple", arm, {})


@renamed_options(arm_column="arm")
def assign_complete(
    data: pd.DataFrame,
    *,
    seed: int,
    arms=("control", "treatment"),
    probs=None,
    unit: str | None = None,
    arm: str = "arm",
) -> Assignment:
    """Assign exactly N·p units to each arm (randomizr ``complete_ra``).

    Parameters are as in :func:`assign_simple`.

    Examples
    --------
    >>> import pandas as pd
    >>> plan = assign_complete(pd.DataFrame({"id": range(9)}), seed=1, unit="id",
    ...                        arms=("control", "postcard", "text"))
    >>> plan.counts()["count"].tolist()
    [3, 3, 3]
    """
    seed = _check_seed(seed)
    arms = _check_arms(arms)
    probs = _check_probs(probs, arms)
    ids = _units(data, unit)
    rng = np.random.default_rng(seed)
    order = _order(ids)
    codes = np.empty(len(ids), dtype=int)
    codes[order] = _complete(len(ids), probs, arms, rng)
    per_unit = np.tile(probs, (len(ids), 1))
    return _build(data, ids, codes, per_unit, arms, seed, "complete", arm, {})


def _block_probs(probs, arms, blocks: list) -> dict:
    if isinstance(probs, dict):
        missing = [b for b in blocks if b not in probs and str(b) not in probs]
        if missing:
            raise CityKitError(
                f"probs gives probabilities for blocks {list(probs)!r} but not for "
                f"{missing[:5]!r}; give every block its probabilities."
            )
        out = {}
        for b in blocks:
            value = probs[b] if b in probs else probs[str(b)]
            out[b] = _check_probs(value, arms, where=f"probs[{b!r}]")
        return out
    common = _check_probs(probs, arms)
    return {b: common for b in blocks}


@renamed_options(arm_column="arm")
def assign_blocked(
    data: pd.DataFrame,
    *,
    block: str,
    seed: int,
    arms=("control", "treatment"),
    probs=None,
    unit: str | None = None,
    arm: str = "arm",
) -> Assignment:
    """Assign completely within each block (stratum), as randomizr ``block_ra``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    block : str, keyword-only
        The block column (district, account type ...).
    seed : int, keyword-only
        Random seed (record it).
    arms : sequence, keyword-only
        Arm labels, business as usual first.
    probs : float, sequence or dict, optional, keyword-only
        The same probabilities in every block, or ``{block: probs}`` when they differ (then the
        analysis must weight blocks: use ``estimate_effects(..., block=...)``).
    unit, arm
        As in :func:`assign_simple`.

    Returns
    -------
    Assignment
    """
    seed = _check_seed(seed)
    arms = _check_arms(arms)
    ids = _units(data, unit)
    require_columns(data, [block], argument="data")
    if data[block].isna().any():
        raise CityKitError(
            f"data column {block!r} (the block) has {int(data[block].isna().sum())} missing "
            "values; give those units a block (e.g. 'unknown') before assigning."
        )
    blocks = sorted(pd.unique(data[block]), key=str)
    per_block = _block_probs(probs, arms, blocks)
    rng = np.random.default_rng(seed)
    codes = np.empty(len(ids), dtype=int)
    per_unit = np.empty((len(ids), len(arms)))
    values = data[block].to_numpy()
    for b in blocks:
        where = np.flatnonzero(values == b)
        order = where[_order(ids.iloc[where])]
        codes[order] = _complete(len(where), per_block[b], arms, rng)
        per_unit[where] = per_block[b]
    return _build(data, ids, codes, per_unit, arms, seed, "blocked", arm, {"block": values})


@renamed_options(arm_column="arm")
def assign_clusters(
    data: pd.DataFrame,
    *,
    cluster: str,
    seed: int,
    block: str | None = None,
    arms=("control", "treatment"),
    probs=None,
    unit: str | None = None,
    arm: str = "arm",
) -> Assignment:
    """Assign whole clusters (postings, offices, routes): every unit of a cluster shares an arm.

    Clusters are assigned completely (within blocks of clusters when ``block`` is given, as
    randomizr ``block_and_cluster_ra``). Analyse with ``estimate_effects(..., cluster=...)``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    cluster : str, keyword-only
        The cluster column.
    seed : int, keyword-only
        Random seed.
    block : str, optional, keyword-only
        A block column constant within each cluster.
    arms, probs, unit, arm
        As in :func:`assign_blocked`.

    Returns
    -------
    Assignment

    Examples
    --------
    >>> import pandas as pd
    >>> views = pd.DataFrame({"view": range(8), "posting": list("aabbccdd")})
    >>> plan = assign_clusters(views, cluster="posting", unit="view", seed=5)
    >>> int(plan.table.groupby("posting")["arm"].nunique().max())
    1
    """
    seed = _check_seed(seed)
    arms = _check_arms(arms)
    ids = _units(data, unit)
    require_columns(data, [cluster] + ([block] if block else []), argument="data")
    if data[cluster].isna().any():
        raise CityKitError(
            f"data column {cluster!r} (the cluster) has missing values; every unit needs one."
        )
    clusters = pd.DataFrame({"cluster": data[cluster].to_numpy()})
    if block is not None:
        clusters["block"] = data[block].to_numpy()
        spread = clusters.groupby("cluster")["block"].nunique()
        if (spread > 1).any():
            bad = spread.index[spread > 1][0]
            raise CityKitError(
                f"Cluster {bad!r} spans several blocks of {block!r}; a cluster must sit in one "
                "block."
            )
    else:
        clusters["block"] = "all"
    first = clusters.drop_duplicates("cluster").set_index("cluster")["block"]
    names = sorted(first.index, key=str)
    blocks = sorted(pd.unique(first), key=str)
    per_block = _block_probs(probs, arms, blocks)
    rng = np.random.default_rng(seed)
    cluster_code, cluster_prob = {}, {}
    for b in blocks:
        members = [c for c in names if first[c] == b]
        drawn = _complete(len(members), per_block[b], arms, rng)
        for c, code in zip(members, drawn, strict=True):
            cluster_code[c] = code
            cluster_prob[c] = per_block[b]
    values = data[cluster].to_numpy()
    codes = np.array([cluster_code[c] for c in values], dtype=int)
    per_unit = np.array([cluster_prob[c] for c in values], dtype=float).reshape(len(values), -1)
    extra = {"cluster": values}
    if block is not None:
        extra = {"block": data[block].to_numpy(), "cluster": values}
    return _build(data, ids, codes, per_unit, arms, seed, "cluster", arm, extra)
