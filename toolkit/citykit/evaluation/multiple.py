"""Many tests at once: adjusted p-values and the winner's curse.

A city that runs dozens of small A/B tests will see some "wins" by chance. Two remedies are
standard (statsmodels ``multipletests``; ``docs/methods.md``, "Multiple testing"):

* **Holm** controls the family-wise error rate (the chance of even one false win) and is always
  at least as powerful as Bonferroni;
* **Benjamini-Hochberg** (``"bh"``) controls the false discovery rate (the expected share of
  false wins among all wins), which suits a portfolio of many incremental changes.

Even true wins are overstated: among tests selected *because* they were significant, the
estimates are on average larger than the true effects (the winner's curse). Plan a confirmation
rollout, or shrink, before promising the winning number. :func:`simulate_winners_curse` shows it.

Examples
--------
>>> import pandas as pd
>>> from citykit.evaluation import adjust_pvalues
>>> tests = pd.DataFrame({"lever": list("ABCDE"), "p_value": [0.01, 0.04, 0.03, 0.005, 0.20]})
>>> adjust_pvalues(tests, method="holm")[["lever", "p_adjusted", "reject"]]
  lever  p_adjusted  reject
0     A       0.040    True
1     B       0.090   False
2     C       0.090   False
3     D       0.025    True
4     E       0.200   False
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, require_columns, require_keyword_choice, require_numeric
from citykit.evaluation._checks import check_alpha, check_n, check_positive
from citykit.evaluation._results import ResultMixin

__all__ = [
    "METHODS",
    "adjust_pvalues",
    "portfolio_table",
    "WinnersCurse",
    "simulate_winners_curse",
]

#: Friendly method names and the statsmodels ``multipletests`` names they stand for.
METHODS = {
    "bonferroni": "bonferroni",
    "holm": "holm",
    "hochberg": "simes-hochberg",
    "bh": "fdr_bh",
    "by": "fdr_by",
    "sidak": "sidak",
    "holm-sidak": "holm-sidak",
    "fdr_bh": "fdr_bh",
    "fdr_by": "fdr_by",
    "simes-hochberg": "simes-hochberg",
}


def adjust_pvalues(
    data,
    *,
    p_value: str = "p_value",
    method: str = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Adjust a portfolio of p-values for multiple testing.

    Parameters
    ----------
    data : pandas.DataFrame, Series or list
        One row per test (e.g. the ``.table`` of :func:`estimate_effects`, or several stacked).
        A Series or list of p-values is accepted too.
    p_value : str, keyword-only
        The column holding the raw p-values.
    method : {"holm", "bh", "bonferroni", "hochberg", "by", "sidak", "holm-sidak"}, keyword-only
        ``holm`` controls the chance of any false win; ``bh`` the share of false wins.
    alpha : float, keyword-only
        Family-wise error rate (Holm, Bonferroni ...) or false discovery rate (BH, BY).

    Returns
    -------
    pandas.DataFrame
        A copy with ``p_adjusted`` and ``reject`` (True where the adjusted p ≤ alpha) added.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03, 0.005, 0.20], method="bh")["p_adjusted"].round(4).tolist()
    [0.025, 0.05, 0.05, 0.025, 0.2]
    """
    from statsmodels.stats.multitest import multipletests

    alpha = check_alpha(alpha)
    require_keyword_choice(method, list(METHODS), argument="method")
    if isinstance(data, pd.Series):
        frame = data.to_frame(p_value)
    elif isinstance(data, pd.DataFrame):
        require_columns(data, [p_value], argument="data")
        frame = data.copy()
    elif isinstance(data, (list, tuple, np.ndarray)):
        frame = pd.DataFrame({p_value: list(data)})
    else:
        raise CityKitError(
            f"data must be a DataFrame with a {p_value!r} column (or a list of p-values), but a "
            f"{type(data).__name__} was given."
        )
    if frame.empty:
        raise CityKitError("There are no p-values to adjust.")
    require_numeric(frame, p_value, argument="data")
    values = frame[p_value].astype(float)
    if values.isna().any():
        raise CityKitError(
            f"data column {p_value!r} has {int(values.isna().sum())} missing p-value(s); every "
            "test in the portfolio counts, so find those results rather than dropping them."
        )
    if ((values < 0) | (values > 1)).any():
        bad = values[(values < 0) | (values > 1)].iloc[0]
        raise CityKitError(
            f"p-values must lie between 0 and 1, but {bad!r} was found in {p_value!r}. "
            "Did the column hold percentages or test statistics?"
        )
    reject, adjusted, _, _ = multipletests(values.to_numpy(), alpha=alpha, method=METHODS[method])
    frame["p_adjusted"] = adjusted
    frame["reject"] = reject
    return frame


def portfolio_table(results: dict) -> pd.DataFrame:
    """Stack several tests' effect tables into one portfolio table (one row per arm per test).

    Parameters
    ----------
    results : dict
        ``{test name: EffectEstimates}`` (the results of :func:`estimate_effects`).

    Returns
    -------
    pandas.DataFrame
        The tidy tables with a leading ``test`` column, ready for :func:`adjust_pvalues`.

    Examples
    --------
    >>> import pandas as pd
    >>> from citykit.evaluation import estimate_effects
    >>> a = pd.DataFrame({"arm": ["control"] * 3 + ["letter"] * 3, "y": [1, 2, 3, 3, 4, 5]})
    >>> b = pd.DataFrame({"arm": ["control"] * 3 + ["text"] * 3, "y": [2, 2, 3, 2, 3, 3]})
    >>> table = portfolio_table({"bills": estimate_effects(a, outcome="y"),
    ...                          "renewals": estimate_effects(b, outcome="y")})
    >>> table[["test", "arm", "estimate"]].round(3)
           test     arm  estimate
    0     bills  letter     2.000
    1  renewals    text     0.333
    """
    if not isinstance(results, dict) or not results:
        raise CityKitError(
            "results must be a non-empty dict {test name: estimate_effects(...) result}."
        )
    parts = []
    for name, result in results.items():
        table = getattr(result, "table", None)
        if not isinstance(table, pd.DataFrame):
            raise CityKitError(
                f"results[{name!r}] is a {type(result).__name__}, not the result of "
                "estimate_effects(...)."
            )
        frame = table.copy()
        frame.insert(0, "test", name)
        frame.insert(2, "outcome", getattr(result, "outcome", ""))
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True, repr=False)
class WinnersCurse(ResultMixin):
    """A simulated portfolio of A/B tests, from :func:`simulate_winners_curse`.

    Attributes
    ----------
    tests : pandas.DataFrame
        One row per test: true_effect, estimate, se, p_value, winner (significant and positive).
    share_truly_better : float
        Share of tested changes that really beat business as usual.
    share_winners : float
        Share of tests declared winners.
    mean_true_among_winners, mean_estimate_among_winners : float
        The winners' average true effect and average estimated effect.
    exaggeration : float
        mean_estimate_among_winners / mean_true_among_winners (> 1: winners overstate).
    share_false_wins : float
        Share of winners whose true effect is zero or negative.
    """

    tests: pd.DataFrame
    share_truly_better: float
    share_winners: float
    mean_true_among_winners: float
    mean_estimate_among_winners: float
    exaggeration: float
    share_false_wins: float
    seed: int

    @property
    def claimed_gain(self) -> float:
        """Sum of the winners' estimated effects: what adopting them all seems to promise."""
        return float(self.tests.loc[self.tests["winner"], "estimate"].sum())

    @property
    def true_gain(self) -> float:
        """Sum of the winners' true effects: what adopting them all really delivers."""
        return float(self.tests.loc[self.tests["winner"], "true_effect"].sum())

    def _summary(self) -> str:
        n = len(self.tests)
        winners = int(self.tests["winner"].sum())
        return (
            f"{n} simulated tests (seed {self.seed}): {self.share_truly_better:.0%} of the "
            f"changes truly beat business as usual; {winners} were declared winners. Among the "
            f"winners the average estimate is {100 * self.mean_estimate_among_winners:.2f} "
            f"percentage points but the average true effect is "
            f"{100 * self.mean_true_among_winners:.2f} ({self.exaggeration:.2f} times "
            f"overstated); {self.share_false_wins:.0%} of the winners did not really work. "
            f"Added up over the winners, the true effects total {100 * self.true_gain:.1f} "
            f"percentage points against {100 * self.claimed_gain:.1f} estimated: real "
            f"improvement from many small changes, but {self._shortfall():.0%} less than promised."
        )

    def _shortfall(self) -> float:
        claimed = self.claimed_gain
        return (1 - self.true_gain / claimed) if claimed > 0 else float("nan")


def simulate_winners_curse(
    *,
    seed: int,
    n_tests: int = 200,
    mean_effect: float = 0.01,
    sd_effect: float = 0.015,
    se: float = 0.01,
    alpha: float = 0.05,
    adjust: str | None = None,
) -> WinnersCurse:
    """Simulate a portfolio of small A/B tests and compare winners' estimates with the truth.

    Each test's true effect (in proportion units, e.g. 0.01 = 1 percentage point) is drawn from
    Normal(``mean_effect``, ``sd_effect``). The defaults are assumptions of the simulation, not
    measurements: an average true effect of 1 point, near the 1.4 points DellaVigna and Linos
    (2022, *Econometrica* 90(1): 81-116) found across 126 trials by US government nudge units,
    and a spread of 1.5 points, which makes about 75% of the changes truly better than business as
    usual (P(Normal(0.01, 0.015) > 0) = Φ(2/3) ≈ 0.75). Change them to match your own program.
    Each estimate is the true effect plus Normal(0, ``se``) noise. A *winner* is a test with a
    positive estimate that is significant at ``alpha`` (two-sided), after ``adjust`` if given.

    Parameters
    ----------
    seed : int, keyword-only
        Random seed (the same seed gives the same portfolio).
    n_tests : int, keyword-only
        Number of tests in the portfolio.
    mean_effect, sd_effect : float, keyword-only
        Mean and spread of the true effects.
    se : float, keyword-only
        Standard error of each test's estimate (about 0.01 for 2,500 units per arm at 50%).
    alpha : float, keyword-only
        Significance level.
    adjust : str, optional, keyword-only
        A multiple-testing method of :func:`adjust_pvalues` ("holm", "bh" ...).

    Returns
    -------
    WinnersCurse

    Examples
    --------
    >>> sim = simulate_winners_curse(seed=1, n_tests=2000)
    >>> sim.exaggeration > 1.2
    True
    >>> round(simulate_winners_curse(seed=1, n_tests=20000).share_truly_better, 2)  # the defaults
    0.75
    """
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise CityKitError(f"seed must be a whole number, but {seed!r} was given.")
    n = int(check_n(n_tests, argument="n_tests"))
    sd_effect = check_positive(sd_effect, argument="sd_effect")
    se = check_positive(se, argument="se")
    alpha = check_alpha(alpha)
    if not math.isfinite(float(mean_effect)):
        raise CityKitError("mean_effect must be a finite number.")
    rng = np.random.default_rng(int(seed))
    truth = rng.normal(mean_effect, sd_effect, n)
    estimate = truth + rng.normal(0.0, se, n)
    from scipy import stats

    p = 2 * stats.norm.sf(np.abs(estimate) / se)
    tests = pd.DataFrame(
        {
            "test": np.arange(1, n + 1),
            "true_effect": truth,
            "estimate": estimate,
            "se": se,
            "p_value": p,
        }
    )
    if adjust is not None:
        tests = adjust_pvalues(tests, method=adjust, alpha=alpha)
        significant = tests["reject"].to_numpy()
    else:
        significant = p <= alpha
    tests["winner"] = significant & (estimate > 0)
    won = tests[tests["winner"]]
    if won.empty:
        mean_true = mean_est = ratio = share_false = math.nan
    else:
        mean_true = float(won["true_effect"].mean())
        mean_est = float(won["estimate"].mean())
        ratio = mean_est / mean_true if mean_true > 0 else math.inf
        share_false = float((won["true_effect"] <= 0).mean())
    return WinnersCurse(
        tests=tests,
        share_truly_better=float((truth > 0).mean()),
        share_winners=float(tests["winner"].mean()),
        mean_true_among_winners=mean_true,
        mean_estimate_among_winners=mean_est,
        exaggeration=ratio,
        share_false_wins=share_false,
        seed=int(seed),
    )
