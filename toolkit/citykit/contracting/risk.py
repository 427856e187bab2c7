"""Risk adjustment of provider outcomes by indirect standardization (observed / expected).

Providers that serve harder-to-serve clients should not look worse for it. The method
(methods.md §3.1):

1. Fit one case-mix model on *all* providers' clients, with no provider term:
   ``logit P(outcome) = b0 + b1 * risk factor 1 + ...`` (statsmodels GLM, binomial family).
2. Each client's *expected* outcome is the model's probability for someone with that profile.
3. For each provider, O = number of clients with the outcome, E = sum of expected probabilities.
   O/E above 1 means better than expected for its own client mix (for a good outcome).
4. Risk-standardized rate = O/E x overall rate; exact Poisson (Garwood) interval for O/E;
   z = (O - E) / sqrt(E).

With an intercept in the model, total O equals total E on the fitting data (the score equation),
which is a useful check. Indirect standardization compares each provider with the pooled standard
applied to *its own* clients; it is a screening tool, not a league table (Spiegelhalter 2005).

Examples
--------
>>> import pandas as pd
>>> clients = pd.DataFrame({
...     "provider": list("AAAABBBB"), "high_risk": [0, 0, 0, 1, 0, 1, 1, 1],
...     "housed": [1, 1, 0, 0, 1, 1, 0, 0]})
>>> ra = risk_adjust(clients, outcome="housed", provider="provider", risk_factors=["high_risk"])
>>> ra.table[["provider", "observed", "expected", "oe_ratio"]].round(3)
  provider  observed  expected  oe_ratio
0        A         2       2.5     0.800
1        B         2       1.5     1.333
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit.contracting._common import as_list, check_table, html_table, markdown_table
from citykit.errors import CityKitError, ColumnTypeError, require_probability

__all__ = ["RiskAdjustment", "risk_adjust", "garwood_interval", "design_matrix"]


def garwood_interval(observed, expected, *, level: float = 0.95) -> pd.DataFrame:
    """Exact Poisson (Garwood) interval for observed / expected ratios.

    ``[chi2(a/2; 2O)/2, chi2(1-a/2; 2(O+1))/2] / E`` (lower bound 0 when O = 0), computed with
    statsmodels ``confint_poisson(method="exact-c")``.

    Parameters
    ----------
    observed : array-like of int
        Observed counts O.
    expected : array-like of float
        Expected counts E (> 0).
    level : float, keyword-only
        Confidence level, e.g. 0.95.

    Returns
    -------
    pandas.DataFrame
        Columns ``low`` and ``high`` (ratios).

    Examples
    --------
    >>> garwood_interval([27], [26.290727]).round(6)
            low      high
    0  0.676785  1.494199
    """
    require_probability(level, argument="level")
    from statsmodels.stats.rates import confint_poisson

    obs = np.asarray(observed, dtype=float)
    exp_ = np.asarray(expected, dtype=float)
    low = np.full(obs.shape, np.nan)
    high = np.full(obs.shape, np.nan)
    ok = exp_ > 0
    if ok.any():
        lo, hi = confint_poisson(obs[ok], exp_[ok], method="exact-c", alpha=1 - level)
        low[ok] = np.nan_to_num(np.asarray(lo, dtype=float), nan=0.0)
        high[ok] = np.asarray(hi, dtype=float)
    return pd.DataFrame({"low": low, "high": high})


def _p_values(observed: pd.Series, expected: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided exact Poisson p-values of O given E, and Benjamini-Hochberg q-values."""
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    obs = observed.to_numpy(dtype=float)
    exp_ = expected.to_numpy(dtype=float)
    p = np.full(obs.shape, np.nan)
    q = np.full(obs.shape, np.nan)
    ok = np.isfinite(exp_) & (exp_ > 0)
    if ok.any():
        low = stats.poisson.cdf(obs[ok], exp_[ok])
        high = stats.poisson.sf(obs[ok] - 1, exp_[ok])
        p[ok] = np.minimum(1.0, 2 * np.minimum(low, high))
        q[ok] = multipletests(p[ok], method="fdr_bh")[1]
    return p, q


def design_matrix(data: pd.DataFrame, risk_factors: list[str]) -> pd.DataFrame:
    """Return the numeric design matrix (with a constant) of the case-mix model.

    Booleans become 0/1, numbers stay as they are, text and categories become indicator columns
    (the most common value is the reference). A factor with one value, or with missing values,
    raises a :class:`~citykit.errors.CityKitError` that says what to do.

    Examples
    --------
    >>> import pandas as pd
    >>> clients = pd.DataFrame({"age": [30, 40, 50], "household": ["single", "family", "single"]})
    >>> design_matrix(clients, ["age", "household"])
       const   age  household[family]
    0    1.0  30.0                0.0
    1    1.0  40.0                1.0
    2    1.0  50.0                0.0
    """
    columns: dict[str, pd.Series] = {"const": pd.Series(1.0, index=data.index)}
    for factor in risk_factors:
        series = data[factor]
        missing = int(series.isna().sum())
        if missing:
            raise CityKitError(
                f"risk factor {factor!r} has {missing} missing value(s). The model needs a value "
                f"for every client: fill them (e.g. with an 'unknown' category) or drop those "
                f"rows before risk adjustment."
            )
        values = series.unique()
        if len(values) < 2:
            raise CityKitError(
                f"risk factor {factor!r} has only one value ({values[0]!r}) in the data, so the "
                f"model cannot learn its effect. Remove it from risk_factors."
            )
        if pd.api.types.is_bool_dtype(series):
            columns[factor] = series.astype(float)
        elif pd.api.types.is_numeric_dtype(series):
            columns[factor] = series.astype(float)
        elif pd.api.types.is_datetime64_any_dtype(series):
            raise ColumnTypeError(
                f"risk factor {factor!r} holds dates; use a number derived from it (e.g. age in "
                f"years or days since an event)."
            )
        else:
            text = series.astype(str)
            counts = text.value_counts()
            reference = sorted(counts[counts == counts.max()].index)[0]
            for level in sorted(set(counts.index) - {reference}):
                columns[f"{factor}[{level}]"] = (text == level).astype(float)
    return pd.DataFrame(columns, index=data.index)


@dataclass(frozen=True)
class RiskAdjustment:
    """Result of :func:`risk_adjust`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per provider: ``clients``, ``observed``, ``expected``, ``crude_rate``,
        ``oe_ratio``, ``oe_low``, ``oe_high``, ``ra_rate``, ``ra_low``, ``ra_high``, ``z``,
        ``p_value`` (two-sided exact Poisson test of O = E), ``q_value`` (Benjamini-Hochberg
        false discovery rate across providers, for screening many at once; Jones, Ohlssen &
        Spiegelhalter 2008), ``rank_crude``, ``rank_adjusted`` (1 = best) and ``note``.
    coefficients : pandas.DataFrame
        The case-mix model: ``term``, ``estimate`` (log-odds), ``std_error``, ``odds_ratio``.
    expected : pandas.Series
        Each client's expected probability, aligned with the input rows.
    overall_rate : float
        The outcome rate over all clients (the standard).
    outcome, provider : str
        Column names used.
    risk_factors : tuple of str
        The factors in the model.
    level : float
        Confidence level of the intervals.
    """

    table: pd.DataFrame
    coefficients: pd.DataFrame
    expected: pd.Series = field(repr=False)
    overall_rate: float
    outcome: str
    provider: str
    risk_factors: tuple[str, ...]
    level: float = 0.95

    def summary(self) -> str:
        """A few plain sentences on what the adjustment changed."""
        table = self.table.dropna(subset=["oe_ratio"])
        if table.empty:
            return "No provider has clients, so nothing was adjusted."
        worst_crude = table.sort_values("rank_crude").iloc[-1]
        moved = table[table["rank_crude"] != table["rank_adjusted"]]
        lines = [
            f"Risk adjustment of {self.outcome!r} for {len(table)} providers using "
            f"{', '.join(self.risk_factors)}; overall rate {self.overall_rate:.1%}.",
            f"Lowest-ranked on the crude rate: {worst_crude[self.provider]} "
            f"({worst_crude['crude_rate']:.1%}); after adjustment its O/E is "
            f"{worst_crude['oe_ratio']:.2f} (rank {int(worst_crude['rank_adjusted'])} of "
            f"{len(table)}).",
            f"{len(moved)} of {len(table)} providers change rank once client mix is accounted for.",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        shown = self.table[
            [self.provider, "clients", "observed", "expected", "oe_ratio", "oe_low", "oe_high"]
        ]
        return f"RiskAdjustment\n{self.summary()}\n{shown.round(3).to_string(index=False)}"

    def _repr_html_(self) -> str:
        shown = self.table.drop(columns=["note"]) if not self.table["note"].any() else self.table
        summary = self.summary().replace("\n", "<br>")
        return f"<div><p><b>Risk adjustment</b><br>{summary}</p>{html_table(shown)}</div>"

    def to_markdown(self) -> str:
        """The provider table as Markdown."""
        return markdown_table(self.table)


def _outcome_values(data: pd.DataFrame, outcome: str) -> pd.Series:
    series = data[outcome]
    if series.isna().any():
        raise CityKitError(
            f"outcome column {outcome!r} has {int(series.isna().sum())} missing value(s); keep "
            f"only clients whose outcome is known (e.g. exited enrollments) before adjusting."
        )
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    if not pd.api.types.is_numeric_dtype(series) or not series.isin([0, 1]).all():
        example = series[~series.isin([0, 1])].iloc[0] if len(series) else None
        raise ColumnTypeError(
            f"outcome column {outcome!r} must hold 0/1 or True/False (did the client have the "
            f"outcome?), but it holds e.g. {example!r}. Convert it first, e.g. "
            f"(data[{outcome!r}] == 'yes')."
        )
    return series.astype(float)


def risk_adjust(
    data: pd.DataFrame,
    *,
    outcome: str,
    risk_factors: list[str] | tuple[str, ...],
    provider: str = "provider_id",
    level: float = 0.95,
    higher_is_better: bool = True,
    all_providers: list[str] | None = None,
) -> RiskAdjustment:
    """Risk-adjust a binary outcome by provider (observed / expected, indirect standardization).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per client (or enrollment) with the outcome, the provider and the risk factors.
    outcome : str, keyword-only
        0/1 column: did the client have the outcome (e.g. exit to permanent housing)?
    risk_factors : list of str, keyword-only
        Columns describing the client at entry (not the provider!), e.g. disability, prior
        episodes, household type.
    provider : str, keyword-only
        Provider column.
    level : float, keyword-only
        Confidence level of the exact intervals.
    higher_is_better : bool, keyword-only
        Direction of the outcome, used only for the ranks (False for returns to homelessness).
    all_providers : list of str, optional, keyword-only
        Every contracted provider; those without clients get a row with ``clients = 0``, empty
        ratios and the note "no clients in this period".

    Returns
    -------
    RiskAdjustment
        Provider table, model coefficients and each client's expected probability.

    Raises
    ------
    MissingColumnError
        If a named column is missing.
    CityKitError
        If the outcome is not 0/1, a risk factor has missing values or only one value, or
        ``risk_factors`` is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> clients = pd.DataFrame({
    ...     "provider": list("AAAABBBB"), "high_risk": [0, 0, 0, 1, 0, 1, 1, 1],
    ...     "housed": [1, 1, 0, 0, 1, 1, 0, 0]})
    >>> ra = risk_adjust(clients, outcome="housed", provider="provider", risk_factors=["high_risk"])
    >>> float(ra.table["observed"].sum()), round(float(ra.table["expected"].sum()), 6)
    (4.0, 4.0)
    >>> risk_adjust(clients, outcome="housed", provider="provider", risk_factors=[])
    Traceback (most recent call last):
    ...
    citykit.errors.CityKitError: risk_factors is empty; name at least one column describing ...
    """
    factors = as_list(risk_factors)
    if not factors:
        raise CityKitError(
            "risk_factors is empty; name at least one column describing the clients "
            "(e.g. ['high_risk'])."
        )
    if provider in factors:
        raise CityKitError(
            f"{provider!r} is the provider column; it cannot also be a risk factor (the case-mix "
            f"model must not know the provider)."
        )
    require_probability(level, argument="level")
    check_table(data, [outcome, provider, *factors], argument="data")
    y = _outcome_values(data, outcome)
    if y.nunique() < 2:
        raise CityKitError(
            f"outcome {outcome!r} is {int(y.iloc[0])} for every client, so there is nothing to "
            f"adjust. Check the filter that produced the table."
        )
    X = design_matrix(data, factors)

    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y.to_numpy(), X.to_numpy(), family=sm.families.Binomial()).fit()
    if not np.all(np.isfinite(fit.params)) or not fit.converged:
        raise CityKitError(
            "the case-mix model did not converge (often a risk factor that perfectly predicts the "
            "outcome, or a category with very few clients). Merge rare categories or drop that "
            "factor."
        )
    expected = pd.Series(fit.predict(X.to_numpy()), index=data.index, name="expected")
    overall = float(y.mean())
    frame = pd.DataFrame({"p": data[provider], "y": y, "e": expected})
    grouped = frame.groupby("p", sort=True, observed=True)
    table = pd.DataFrame(
        {
            "clients": grouped.size(),
            "observed": grouped["y"].sum().astype(int),
            "expected": grouped["e"].sum(),
        }
    )
    table.index.name = provider
    table = table.reset_index()
    if all_providers is not None:
        known = pd.DataFrame({provider: list(all_providers)})
        table = known.merge(table, on=provider, how="outer")
        table["clients"] = table["clients"].fillna(0).astype(int)
        table["observed"] = table["observed"].fillna(0).astype(int)
    table["note"] = np.where(table["clients"] == 0, "no clients in this period", "")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["crude_rate"] = np.where(
            table["clients"] > 0, table["observed"] / table["clients"].clip(lower=1), np.nan
        )
        table["oe_ratio"] = table["observed"] / table["expected"]
        table["z"] = (table["observed"] - table["expected"]) / np.sqrt(table["expected"])
    interval = garwood_interval(table["observed"], table["expected"].fillna(0), level=level)
    table["oe_low"] = interval["low"].to_numpy()
    table["oe_high"] = interval["high"].to_numpy()
    table["p_value"], table["q_value"] = _p_values(table["observed"], table["expected"])
    table["ra_rate"] = table["oe_ratio"] * overall
    table["ra_low"] = table["oe_low"] * overall
    table["ra_high"] = table["oe_high"] * overall
    ascending = not higher_is_better
    table["rank_crude"] = (
        table["crude_rate"].rank(ascending=ascending, method="min").astype("Int64")
    )
    table["rank_adjusted"] = (
        table["oe_ratio"].rank(ascending=ascending, method="min").astype("Int64")
    )
    table = table[
        [
            provider,
            "clients",
            "observed",
            "expected",
            "crude_rate",
            "oe_ratio",
            "oe_low",
            "oe_high",
            "ra_rate",
            "ra_low",
            "ra_high",
            "z",
            "p_value",
            "q_value",
            "rank_crude",
            "rank_adjusted",
            "note",
        ]
    ]
    bse = np.asarray(fit.bse, dtype=float)
    coefficients = pd.DataFrame(
        {
            "term": list(X.columns),
            "estimate": np.asarray(fit.params, dtype=float),
            "std_error": bse,
            "odds_ratio": np.exp(np.asarray(fit.params, dtype=float)),
        }
    )
    return RiskAdjustment(
        table=table,
        coefficients=coefficients,
        expected=expected,
        overall_rate=overall,
        outcome=outcome,
        provider=provider,
        risk_factors=tuple(factors),
        level=level,
    )
