"""Randomization inference: p-values from re-running the assignment the way the design ran it.

A randomized test answers its own question without a model of the outcome. If the letter made
no difference to anyone (Fisher's *sharp null hypothesis*), every account would have paid (or
not) whatever arm it drew, so the outcomes are fixed and only the assignment is random. Re-run
the assignment the way the design ran it (within blocks; whole clusters at a time), recompute
the effect each time, and see how often a difference at least as large as the observed one turns
up. That share is the p-value: exact when every possible assignment is enumerated, a Monte Carlo
estimate (with its margin) when there are too many to list.

:func:`randomization_test` does this for simple, blocked and clustered designs, with the same
estimate as :func:`~citykit.evaluation.estimate_effects` (the difference in means, block-weighted
by block size N_b/N), so the two can be read side by side: with many units and arms of similar
size the randomization p-value and the t-based one agree; with few units, skewed outcomes or
few clusters the randomization p-value is the one that needs no large-sample approximation.

Formulas, reference values and sources: ``docs/methods.md``, "Evaluation".

Examples
--------
Fisher's lady tasting tea (*The Design of Experiments*, 1935, §2): eight cups, four with the
milk poured first; she names all four. Of the 70 ways to choose four cups, one is all correct:

>>> import pandas as pd
>>> from citykit.evaluation import randomization_test
>>> cups = pd.DataFrame({"poured": ["milk first"] * 4 + ["tea first"] * 4,
...                      "says_milk_first": [1, 1, 1, 1, 0, 0, 0, 0]})
>>> tea = randomization_test(cups, outcome="says_milk_first", arm="poured",
...                          control="tea first", alternative="larger")
>>> row = tea.table.iloc[0]
>>> int(row["extreme"]), int(row["assignments"]), round(float(row["p_value"]), 7)
(1, 70, 0.0142857)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit.errors import ArgumentRangeError, CityKitError, require_columns, require_keyword_choice
from citykit.evaluation._checks import (
    check_alternative,
    check_arm_column,
    check_arm_labels,
    numeric_outcome,
    resolve_control,
)
from citykit.evaluation._results import ResultMixin

__all__ = ["RANDOMIZATION_METHODS", "RandomizationTest", "randomization_test"]

#: How the p-value is computed: every assignment, random ones, or whichever fits ``draws``.
RANDOMIZATION_METHODS = ("auto", "exact", "monte_carlo")

#: Largest number of assignments :func:`randomization_test` enumerates (``method="exact"``).
EXACT_LIMIT = 2_000_000
#: ``method="auto"`` enumerates designs with at most this many assignments (or ``draws``).
AUTO_EXACT = 100_000

TABLE_COLUMNS = [
    "arm",
    "estimate",
    "p_value",
    "p_value_t",
    "method",
    "assignments",
    "draws",
    "extreme",
    "mc_se",
    "n_control",
    "n_arm",
]

_CHUNK = 2_000_000  # cells of the draws x units matrix held at once (about 16 MB)
_SMALL_BLOCK = 256  # up to this many assignment units, a block's draws are shuffled together


@dataclass(frozen=True, repr=False)
class RandomizationTest(ResultMixin):
    """The result of :func:`randomization_test`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per arm compared with the control: arm; estimate (the same as
        :func:`~citykit.evaluation.estimate_effects`); p_value (randomization); p_value_t (the
        t-based p-value of ``estimate_effects`` for the same design, NaN when it cannot be
        computed, see ``notes``); method ("exact" or "Monte Carlo"); assignments (how many the
        design allows, as a float; inf beyond 10^300); draws (how many were used: all of them when exact); extreme (how many
        of those gave an estimate at least as extreme as the observed one); mc_se (the Monte
        Carlo standard error of the p-value, 0 when exact); n_control and n_arm (units).
    outcome, arm : str
        The columns analysed.
    control : object
        The business-as-usual arm.
    alternative : str
        "two-sided" (|estimate| at least as large), "larger" or "smaller".
    design : str
        The re-randomization used, in words.
    seed : int or None
        The seed of the Monte Carlo draws (None when every p-value is exact).
    binary : bool
        Whether the outcome is 0/1 (estimates are then differences in proportions).
    null_distribution : dict
        For each arm, the estimates under the re-randomizations (for a histogram; see
        :func:`citykit.plots.randomization_plot`).
    notes : tuple of str
        Anything the reader should know (e.g. why a t-based p-value is missing).
    """

    table: pd.DataFrame
    outcome: str
    arm: str
    control: object
    alternative: str
    design: str
    seed: int | None
    binary: bool
    null_distribution: dict = field(default_factory=dict)
    notes: tuple = ()

    _tables = ("table",)

    def summary(self) -> str:
        """Return plain sentences: what was re-randomized, and each arm's p-value in words."""
        side = {
            "two-sided": "an estimate at least as far from zero",
            "larger": "an estimate at least as high",
            "smaller": "an estimate at least as low",
        }[self.alternative]
        lines = [
            f"Randomization test of {self.outcome!r}, each arm against {self.control!r}: "
            f"{self.design}."
        ]
        scale, unit = (100.0, " percentage points") if self.binary else (1.0, "")
        for _, row in self.table.iterrows():
            estimate = f"{scale * row['estimate']:+.2f}{unit}"
            if row["method"] == "exact":
                how = (
                    f"{int(row['extreme']):,} of all {int(row['assignments']):,} possible "
                    f"assignments give {side}, so p = {row['p_value']:.4f} (exact)"
                )
            else:
                how = (
                    f"{int(row['extreme']):,} of {int(row['draws']):,} random re-assignments "
                    f"give {side}, so p = {row['p_value']:.4f} (Monte Carlo, give or take "
                    f"{2 * row['mc_se']:.4f})"
                )
            t_part = (
                f"; the t-based p-value is {row['p_value_t']:.4f}"
                if np.isfinite(row["p_value_t"])
                else ""
            )
            lines.append(f"{row['arm']!r}: estimate {estimate}; {how}{t_part}.")
        lines.append(
            "The p-value is the share of the assignments the design could have produced that "
            "give an estimate this extreme if the arm made no difference to any unit."
        )
        lines.extend(self.notes)
        return " ".join(lines)

    def _summary(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the tidy table."""
        return self.table.copy()


def randomization_test(
    data: pd.DataFrame,
    *,
    outcome: str,
    arm: str = "arm",
    control: object = None,
    arms=None,
    block: str | None = None,
    cluster: str | None = None,
    alternative: str = "two-sided",
    method: str = "auto",
    draws: int = 10_000,
    seed: int | None = None,
) -> RandomizationTest:
    """Test each arm against business as usual by re-running the randomization.

    Under the sharp null hypothesis (the arm made no difference to any unit) the outcomes are
    fixed and only the assignment varies. Each re-assignment keeps the design: the same number
    of units (or, with ``cluster``, whole clusters) in each arm within each block, drawn among
    the units of the two arms being compared. The estimate is recomputed every time; the
    p-value is the share of re-assignments whose estimate is at least as extreme as the
    observed one.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (per person, account or application, also within clusters).
    outcome : str
        Numeric or 0/1 outcome column; must have no missing values.
    arm : str, keyword-only
        Column holding the arm labels.
    control : object, keyword-only
        The business-as-usual label; guessed when it is "control" (or 0/False).
    arms : list, optional, keyword-only
        The arms to test (default: every arm other than the control). Each is compared with
        the control; units of other arms keep their arm, and count in the block weights as in
        :func:`~citykit.evaluation.estimate_effects`.
    block : str, optional, keyword-only
        The randomization block: assignments are re-drawn within each block, and the estimate
        is the block-weighted difference Σ (N_b/N)(ȳ_arm,b − ȳ_control,b).
    cluster : str, optional, keyword-only
        The unit that was randomized when whole clusters (postings, offices, routes) were
        assigned: clusters move between arms as wholes. Each cluster must sit in one arm (and
        one block).
    alternative : {"two-sided", "larger", "smaller"}, keyword-only
        "two-sided" counts estimates at least as large as the observed one in absolute value;
        "larger" those at least as high; "smaller" those at least as low.
    method : {"auto", "exact", "monte_carlo"}, keyword-only
        ``"exact"`` enumerates every possible assignment (up to 2,000,000); ``"monte_carlo"``
        draws ``draws`` random ones and reports p = (extreme + 1)/(draws + 1), which counts
        the observed assignment as one of the draws and is never 0 (Phipson & Smyth 2010);
        ``"auto"`` is exact when the design allows at most 100,000 assignments (or ``draws``,
        if larger), Monte Carlo otherwise.
    draws : int, keyword-only
        Random re-assignments for Monte Carlo (at least 100; 10,000 gives a p-value near 0.05
        to about ±0.004).
    seed : int, optional, keyword-only
        Seed of the Monte Carlo draws: required when any p-value is Monte Carlo, so the result
        can be reproduced (write it in the analysis plan). Each arm gets its own stream, so an
        arm's p-value does not depend on which other arms are tested.

    Returns
    -------
    RandomizationTest
        ``.table`` (one row per arm), ``.summary()`` in plain sentences, and
        ``.null_distribution`` for :func:`citykit.plots.randomization_plot`.

    Raises
    ------
    CityKitError
        The checks of :func:`~citykit.evaluation.estimate_effects` (arms, control, outcome);
        a block without units of both arms; a cluster in two arms or two blocks; Monte Carlo
        without a seed; ``method="exact"`` beyond 2,000,000 assignments.

    Notes
    -----
    The statistic is the unadjusted (block-weighted) difference in means; covariate adjustment
    (Lin 2013) belongs to :func:`~citykit.evaluation.estimate_effects`. The test answers "did
    the arm make any difference?", not "how large is the effect?": read the size and its
    confidence interval from ``estimate_effects``.

    With many units, the re-randomization distribution of the difference in means is close to
    normal with variance S²(1/n₁ + 1/n₀), S² the pooled variance: with arms of equal size this
    is the Neyman (HC2) variance, so the two p-values agree; with unequal arms *and* unequal
    spreads they test different things (no effect on anyone, against no effect on average) and
    can differ. Formulas and reference values: ``docs/methods.md``, "Evaluation".

    Examples
    --------
    Darwin's 15 pairs of maize plants, as Fisher (1935, §21) analysed them: each pair is a block
    of two, one plant cross-fertilized. Fisher counted 1,726 of the 2^15 = 32,768 sign patterns
    at least as extreme as the observed total of 314 eighths of an inch:

    >>> import pandas as pd
    >>> diffs = [49, -67, 8, 16, 6, 23, 28, 41, 14, 29, 56, 24, 75, 60, -48]
    >>> plants = pd.DataFrame({
    ...     "pair": [p for p in range(15) for _ in (0, 1)],
    ...     "arm": ["crossed", "control"] * 15,
    ...     "height": [v for d in diffs for v in (d, 0)]})
    >>> darwin = randomization_test(plants, outcome="height", block="pair", control="control")
    >>> row = darwin.table.iloc[0]
    >>> int(row["extreme"]), int(row["assignments"]), round(float(row["p_value"]), 4)
    (1726, 32768, 0.0527)

    Too many assignments to list: a Monte Carlo p-value needs a seed.

    >>> trial = pd.DataFrame({"arm": ["control", "letter"] * 30, "paid": [0, 1, 1, 1, 0, 0] * 10})
    >>> res = randomization_test(trial, outcome="paid", seed=20240501)
    >>> res.table.loc[0, "method"], int(res.table.loc[0, "draws"])
    ('Monte Carlo', 10000)
    """
    alternative = check_alternative(alternative)
    require_keyword_choice(method, RANDOMIZATION_METHODS, argument="method")
    draws = _check_draws(draws)
    labels = check_arm_column(data, arm)
    control = resolve_control(labels, control, arm=arm)
    order = _arm_order(labels)
    every_arm = [a for a in order if a != control]
    if arms is None:
        arms = every_arm
    else:
        if isinstance(arms, str):
            arms = [arms]
        arms = check_arm_labels(labels, arms, arm=arm, argument="arms")
        if control in arms:
            raise CityKitError(f"arms includes the control {control!r}; list only the others.")
    y = numeric_outcome(data, outcome)
    label_values = labels.to_numpy()
    blocks = _codes(data, block, what="block")
    clusters = _codes(data, cluster, what="cluster") if cluster is not None else None
    if clusters is not None:
        _check_clusters(clusters, label_values, blocks, data[cluster], block)
    n_blocks = int(blocks.max()) + 1
    sizes = np.bincount(blocks, minlength=n_blocks).astype(float)
    weights = sizes / sizes.sum()  # N_b / N over every unit, as estimate_effects
    rows, nulls, seeds_used = [], {}, False
    for a in arms:
        design = _Design.build(y, label_values, a, control, blocks, clusters, weights, n_blocks)
        if not design.ok:
            raise CityKitError(
                f"Block(s) {design.empty_blocks} of {block!r} have no units of arm {a!r} or of "
                f"the control {control!r}, so the effect inside them cannot be estimated. Drop "
                "those blocks or merge them with a similar block."
            )
        count = design.assignments()
        exact = method == "exact" or (method == "auto" and count <= max(draws, AUTO_EXACT))
        if exact and count > EXACT_LIMIT:
            raise ArgumentRangeError(
                f"The design allows {count:,} assignments for arm {a!r}, more than the "
                f"{EXACT_LIMIT:,} that method='exact' enumerates. Use method='monte_carlo' "
                "(or 'auto') with a seed."
            )
        if exact:
            null = design.enumerate()
        else:
            if seed is None:
                raise CityKitError(
                    f"The design allows {_count_text(count)} assignments for arm {a!r}, too "
                    f"many to list, so the p-value is a Monte Carlo estimate from {draws:,} "
                    "random re-assignments: pass seed=<a whole number> (e.g. seed=20240501) so "
                    "that anyone can reproduce it, and write the seed in the analysis plan."
                )
            seeds_used = True
            null = design.sample(draws, _rng(seed, order.index(a)))
        observed = design.observed()
        extreme = _extreme(null, observed, alternative)
        if exact:
            p_value, mc_se = extreme / len(null), 0.0
        else:
            p_value = (extreme + 1) / (len(null) + 1)
            mc_se = math.sqrt(p_value * (1 - p_value) / len(null))
        nulls[a] = null
        rows.append(
            {
                "arm": a,
                "estimate": observed,
                "p_value": p_value,
                "p_value_t": np.nan,
                "method": "exact" if exact else "Monte Carlo",
                "assignments": float(count) if count < 10**300 else math.inf,
                "draws": len(null),
                "extreme": extreme,
                "mc_se": mc_se,
                "n_control": int((label_values == control).sum()),
                "n_arm": int((label_values == a).sum()),
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    notes = _t_based(table, data, outcome, arm, control, arms, block, cluster, alternative)
    return RandomizationTest(
        table=table,
        outcome=outcome,
        arm=arm,
        control=control,
        alternative=alternative,
        design=_describe(block, cluster, table),
        seed=int(seed) if seeds_used else None,
        binary=bool(np.isin(y, (0.0, 1.0)).all()),
        null_distribution=nulls,
        notes=tuple(notes),
    )


# ----------------------------------------------------------------------------------------------
# the design: assignment units (units or clusters) within blocks


@dataclass
class _Block:
    weight: float
    totals: np.ndarray  # outcome total of each assignment unit (one unit, or a cluster)
    sizes: np.ndarray  # units in each assignment unit
    treated: np.ndarray  # 0/1: in the arm (not the control)

    @property
    def n_treated(self) -> int:
        return int(self.treated.sum())

    def contribution(self, total_treated, size_treated):
        """w_b (ȳ_arm − ȳ_control) for the given sums over the treated assignment units."""
        rest_total = self.totals.sum() - total_treated
        rest_size = self.sizes.sum() - size_treated
        return self.weight * (total_treated / size_treated - rest_total / rest_size)


@dataclass
class _Design:
    blocks: list
    empty_blocks: list
    ok: bool

    @classmethod
    def build(cls, y, labels, arm, control, blocks, clusters, weights, n_blocks):
        pair = (labels == arm) | (labels == control)
        parts, empty = [], []
        for b in range(n_blocks):
            inside = pair & (blocks == b)
            treated_units = inside & (labels == arm)
            if not treated_units.any() or not (inside & (labels == control)).any():
                empty.append(b)
                continue
            if clusters is None:
                totals = y[inside]
                sizes = np.ones(int(inside.sum()))
                treated = (labels[inside] == arm).astype(float)
            else:
                codes, first = np.unique(clusters[inside], return_index=True)
                index = np.searchsorted(codes, clusters[inside])
                totals = np.bincount(index, weights=y[inside], minlength=len(codes))
                sizes = np.bincount(index, minlength=len(codes)).astype(float)
                treated = (labels[inside][first] == arm).astype(float)
            parts.append(_Block(float(weights[b]), totals, sizes, treated))
        return cls(parts, empty, not empty)

    def assignments(self) -> int:
        return math.prod(math.comb(len(b.totals), b.n_treated) for b in self.blocks)

    def observed(self) -> float:
        return float(
            sum(b.contribution(b.totals @ b.treated, b.sizes @ b.treated) for b in self.blocks)
        )

    def enumerate(self) -> np.ndarray:
        """The estimate under every possible assignment (blocks independent: a sum of grids)."""
        null = np.zeros(1)
        for b in self.blocks:
            picks = np.array(list(itertools.combinations(range(len(b.totals)), b.n_treated)))
            values = b.contribution(b.totals[picks].sum(axis=1), b.sizes[picks].sum(axis=1))
            null = (null[:, None] + values[None, :]).ravel()
        return null

    def sample(self, draws: int, rng: np.random.Generator) -> np.ndarray:
        """The estimate under ``draws`` random assignments (each block shuffled independently)."""
        null = np.zeros(draws)
        for b in self.blocks:
            k, n = len(b.totals), b.n_treated
            if k <= _SMALL_BLOCK:  # many small blocks: shuffle all draws of a block at once
                chunk = max(1, _CHUNK // k)
                for start in range(0, draws, chunk):
                    stop = min(draws, start + chunk)
                    shuffled = rng.permuted(np.tile(b.treated, (stop - start, 1)), axis=1)
                    null[start:stop] += b.contribution(shuffled @ b.totals, shuffled @ b.sizes)
            else:  # a large block: one permutation per draw is faster than a draws x k matrix
                total, size = np.empty(draws), np.empty(draws)
                for i in range(draws):
                    picked = rng.permutation(k)[:n]
                    total[i] = b.totals[picked].sum()
                    size[i] = b.sizes[picked].sum()
                null += b.contribution(total, size)
        return null


def _extreme(null: np.ndarray, observed: float, alternative: str) -> int:
    """How many null estimates are at least as extreme (ties within rounding error count)."""
    tolerance = 1e-9 * max(1.0, float(np.max(np.abs(null))), abs(observed))
    if alternative == "larger":
        return int(np.sum(null >= observed - tolerance))
    if alternative == "smaller":
        return int(np.sum(null <= observed + tolerance))
    return int(np.sum(np.abs(null) >= abs(observed) - tolerance))


# ----------------------------------------------------------------------------------------------
# checks and words


def _check_draws(draws) -> int:
    ok = isinstance(draws, (int, np.integer)) and not isinstance(draws, bool)
    if not ok or draws < 100:
        raise ArgumentRangeError(
            f"draws must be a whole number of random re-assignments of at least 100, but "
            f"{draws!r} was given; 10,000 is usual (a p-value near 0.05 to about ±0.004)."
        )
    return int(draws)


def _rng(seed, position: int) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CityKitError(
            f"seed must be a whole number of 0 or more (e.g. seed=20240501), but {seed!r} was "
            "given."
        )
    return np.random.default_rng([int(seed), position])


def _arm_order(labels: pd.Series) -> list:
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return [c for c in labels.cat.categories if c in set(labels)]
    return sorted(pd.unique(labels), key=str)


def _codes(data: pd.DataFrame, column: str | None, *, what: str) -> np.ndarray:
    if column is None:
        return np.zeros(len(data), dtype=int)
    require_columns(data, [column], argument="data")
    values = data[column]
    missing = int(values.isna().sum())
    if missing:
        raise CityKitError(
            f"data column {column!r} (the {what}) has {missing} missing label(s); every unit "
            f"belongs to a {what} in the design."
        )
    codes, _ = pd.factorize(values, sort=True)
    return codes


def _check_clusters(clusters, labels, blocks, names: pd.Series, block) -> None:
    frame = pd.DataFrame({"cluster": clusters, "arm": labels, "block": blocks})
    arms_per = frame.groupby("cluster")["arm"].nunique()
    if (arms_per > 1).any():
        example = names.iloc[int(np.flatnonzero(clusters == arms_per.index[arms_per > 1][0])[0])]
        raise CityKitError(
            f"cluster {example!r} has units in {int(arms_per.max())} arms, but whole clusters "
            "are re-assigned in a cluster-randomized test. Check the cluster column: it should "
            "name the unit that was randomized (posting, office, route)."
        )
    blocks_per = frame.groupby("cluster")["block"].nunique()
    if (blocks_per > 1).any():
        example = names.iloc[
            int(np.flatnonzero(clusters == blocks_per.index[blocks_per > 1][0])[0])
        ]
        raise CityKitError(
            f"cluster {example!r} lies in more than one block of {block!r}; clusters are "
            "randomized within blocks, so each must sit in one block."
        )


def _count_text(count: int) -> str:
    if count < 10**15:
        return f"{count:,}"
    return f"about 10^{len(str(count)) - 1}"


def _describe(block, cluster, table) -> str:
    what = "whole clusters" if cluster is not None else "units"
    where = f"within each block of {block!r}" if block is not None else "across the trial"
    moved = f"{what} re-assigned {where}"
    if cluster is not None:
        moved += f" (clusters: {cluster!r})"
    methods = set(table["method"])
    if methods == {"exact"}:
        how = "every possible assignment enumerated"
    else:
        how = f"{int(table['draws'].max()):,} random re-assignments"
        if "exact" in methods:
            how += " (exact enumeration where the design allows few enough)"
    return f"{moved}, keeping the number in each arm; {how}"


def _t_based(table, data, outcome, arm, control, arms, block, cluster, alternative) -> list[str]:
    """Fill p_value_t from estimate_effects for the same design; say why when it cannot."""
    from citykit.evaluation.estimate import estimate_effects

    try:
        effects = estimate_effects(
            data, outcome=outcome, arm=arm, control=control, arms=arms, block=block,
            cluster=cluster,
        )  # fmt: skip
    except CityKitError as exc:
        return [f"No t-based p-value to compare: {exc}"]
    from scipy import stats

    by_arm = effects.table.set_index("arm")
    for i, a in enumerate(table["arm"]):
        row = by_arm.loc[a]
        t = row["estimate"] / row["se"]
        if alternative == "two-sided":
            p = row["p_value"]
        elif alternative == "larger":
            p = float(stats.t.sf(t, row["df"]))
        else:
            p = float(stats.t.cdf(t, row["df"]))
        table.loc[i, "p_value_t"] = p
    return []
