"""Risk adjustment of provider outcomes by indirect standardization (observed / expected).

Providers that serve harder-to-serve clients should not look worse for it. The method
(docs/methods.md, "Risk adjustment"):

1. Fit one case-mix model on *all* providers' clients, with no provider term (statsmodels GLM):
   for a yes/no outcome a logistic model ``logit P(outcome) = b0 + b1 * risk factor 1 + ...``
   (``family="binomial"``, the default); for a count outcome (nights, visits, days of stay) a
   Poisson model ``log E(count) = b0 + b1 * risk factor 1 + ...`` (``family="poisson"``, as in the
   NHS Summary Hospital-level Mortality Indicator and FunnelPlotR's examples).
2. Each client's *expected* outcome is the model's prediction for someone with that profile.
3. For each provider, O = the sum of its clients' outcomes, E = the sum of their expected
   outcomes. O/E above 1 means more than expected for its own client mix.
4. The chance variation of O under the model: for a yes/no outcome O is a sum of independent
   yes/no outcomes with probabilities p_i, so ``Var O = sum p_i (1 - p_i)`` (Poisson-binomial);
   for a count outcome ``Var O = E`` (Poisson). Hence ``z = (O - E) / sqrt(Var O)``, an exact
   p-value, and an exact interval for O/E (Spiegelhalter 2005, Stat Med 24:1185). Using the
   Poisson variance for a common yes/no outcome overstates chance by ``sqrt(E / Var O)``, 1.2 to
   2.2 times for rates of 30% to 80%.
5. Risk-standardized rate = O/E x the overall rate.

With an intercept in the model, total O equals total E on the fitting data (the score equation).
That checks the arithmetic, not the model: check the model with :func:`calibration` and
:func:`discrimination` (module ``model_checks``). Indirect standardization compares each provider
with the pooled standard applied to *its own* clients; it is a screening tool, not a league table
(Spiegelhalter 2005).

Examples
--------
>>> import pandas as pd
>>> clients = pd.DataFrame({
...     "provider": list("AAAABBBB"), "high_risk": [0, 0, 0, 1, 0, 1, 1, 1],
...     "housed": [1, 1, 0, 0, 1, 1, 0, 0]})
>>> ra = risk_adjust(clients, outcome="housed", provider="provider", risk_factors=["high_risk"])
>>> ra.table[["provider", "observed", "expected", "variance", "oe_ratio"]].round(3)
  provider  observed  expected  variance  oe_ratio
0        A         2       2.5      0.75     0.800
1        B         2       1.5      0.75     1.333
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit._design import DesignRules
from citykit._design import design_matrix as build_design
from citykit._renamed import keyword_only_options, renamed_options
from citykit.contracting._common import (
    MISSING_LABEL,
    as_list,
    check_table,
    html_table,
    label_missing,
    markdown_table,
)
from citykit.contracting.poisson_binomial import poisson_binomial_test
from citykit.errors import (
    CityKitError,
    ColumnTypeError,
    require_keyword_choice,
    require_probability,
)

__all__ = [
    "FAMILIES",
    "INTERVALS",
    "RiskAdjustment",
    "risk_adjust",
    "garwood_interval",
    "design_matrix",
]

#: Case-mix model families: "binomial" (yes/no outcome, logistic model, Poisson-binomial chance)
#: and "poisson" (count outcome, Poisson model, Poisson chance).
FAMILIES = ("binomial", "poisson")
#: Interval methods for O/E: "exact" (test inversion) and "normal" (O/E +/- z sqrt(Var O) / E).
INTERVALS = ("exact", "normal")


@renamed_options({"level": lambda v: 1 - v}, level="alpha")
def garwood_interval(observed, expected, *, alpha: float = 0.05) -> pd.DataFrame:
    """Exact Poisson (Garwood) interval for observed / expected ratios.

    ``[chi2(a/2; 2O)/2, chi2(1-a/2; 2(O+1))/2] / E`` (lower bound 0 when O = 0), computed with
    statsmodels ``confint_poisson(method="exact-c")``.

    Parameters
    ----------
    observed : array-like of int
        Observed counts O.
    expected : array-like of float
        Expected counts E (> 0).
    alpha : float, keyword-only
        1 - the confidence level of the interval (0.05, the default, gives 95% intervals).

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
    require_probability(alpha, argument="alpha")
    level = round(1 - alpha, 12)  # the confidence level, as results show it
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


def _poisson_tests(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Two-sided exact Poisson p-values of O given E (min(1, 2 x the smaller tail))."""
    from scipy import stats

    p = np.full(observed.shape, np.nan)
    ok = np.isfinite(expected) & (expected > 0)
    if ok.any():
        low = stats.poisson.cdf(observed[ok], expected[ok])
        high = stats.poisson.sf(observed[ok] - 1, expected[ok])
        p[ok] = np.minimum(1.0, 2 * np.minimum(low, high))
    return p


def _q_values(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values of the finite p-values."""
    from statsmodels.stats.multitest import multipletests

    q = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = multipletests(p[ok], method="fdr_bh")[1]
    return q


#: Numbers written as text with more distinct values than this are refused as a risk factor.
MAX_TEXT_NUMBER_LEVELS = 12

#: The case-mix model's rules for the one design-matrix builder (:mod:`citykit._design`): the
#: reference value of a text factor is the most common one (the typical client), a constant is
#: added, and many numbers written as text are refused rather than made into categories.
RISK_MODEL_DESIGN = DesignRules(
    reference="most common",
    constant=True,
    name="{column}[{level}]",
    numbers_as_text="reject",
    max_text_levels=MAX_TEXT_NUMBER_LEVELS,
)


@keyword_only_options("risk_factors")
def design_matrix(data: pd.DataFrame, *, risk_factors: list[str]) -> pd.DataFrame:
    """Return the numeric design matrix (with a constant) of the case-mix model.

    Booleans become 0/1, numbers stay as they are, text and categories become indicator columns
    (the most common value is the reference). A factor with one value, or with missing values,
    raises a :class:`~citykit.errors.CityKitError` that says what to do. Built by the toolkit's
    one design-matrix builder (:func:`citykit._design.design_matrix`) with
    :data:`RISK_MODEL_DESIGN`.

    Examples
    --------
    >>> import pandas as pd
    >>> clients = pd.DataFrame({"age": [30, 40, 50], "household": ["single", "family", "single"]})
    >>> design_matrix(clients, risk_factors=["age", "household"])
       const   age  household[family]
    0    1.0  30.0                0.0
    1    1.0  40.0                1.0
    2    1.0  50.0                0.0
    """
    return build_design(data, list(risk_factors), rules=RISK_MODEL_DESIGN)


@dataclass(frozen=True)
class RiskAdjustment:
    """Result of :func:`risk_adjust`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per provider: ``clients``, ``observed`` (O), ``expected`` (E), ``variance``
        (the chance variance of O under the model: ``sum p(1-p)`` for a yes/no outcome, E for a
        count), ``crude_rate``, ``oe_ratio``, ``oe_low``, ``oe_high``, ``ra_rate``,
        ``ra_low``, ``ra_high``, ``z`` (``(O - E) / sqrt(variance)``), ``p_value`` (two-sided
        exact test of O = E: Poisson-binomial or Poisson), ``q_value`` (Benjamini-Hochberg false
        discovery rate across providers, for screening many at once; Jones, Ohlssen &
        Spiegelhalter 2008) and ``note``. There is no rank: a provider is read against its own
        interval (or the funnel's limits, :func:`~citykit.contracting.funnel.funnel_data`), not
        against the others' order.
    coefficients : pandas.DataFrame
        The case-mix model: ``term``, ``estimate`` (log-odds for "binomial", log-rate for
        "poisson"), ``std_error`` and ``odds_ratio`` (binomial) or ``rate_ratio`` (poisson),
        ``exp(estimate)``.
    expected : pandas.Series
        Each client's expected outcome (a probability, or an expected count), aligned with the
        input rows.
    clients : pandas.DataFrame
        One row per client, aligned with the input rows: the provider, the outcome and the
        expected outcome (what :func:`calibration`, :func:`discrimination` and
        :func:`~citykit.contracting.funnel.funnel_data` read).
    overall_rate : float
        The outcome's mean over all clients (the standard).
    outcome, provider : str
        Column names used.
    risk_factors : tuple of str
        The factors in the model.
    family : {"binomial", "poisson"}
        The case-mix model and its chance variation.
    interval : {"exact", "normal"}
        How ``oe_low``/``oe_high`` were computed.
    level : float
        Confidence level of the intervals.
    model_fit : pandas.Series
        ``clients``, ``deviance``, ``null_deviance``, ``aic`` and ``pearson_dispersion`` (Pearson
        chi-square / residual degrees of freedom; for counts, well above 1 means the counts vary
        more than the Poisson model allows).
    higher_is_better : bool
        Direction of the outcome, for the words of :meth:`summary` ("better" or "worse" than
        expected).
    """

    table: pd.DataFrame
    coefficients: pd.DataFrame
    expected: pd.Series = field(repr=False)
    clients: pd.DataFrame = field(repr=False)
    overall_rate: float
    outcome: str
    provider: str
    risk_factors: tuple[str, ...]
    family: str = "binomial"
    interval: str = "exact"
    level: float = 0.95
    model_fit: pd.Series = field(default=None, repr=False)
    higher_is_better: bool = True

    @property
    def variance_ratio(self) -> float:
        """Total chance variance over total expected (1 for counts; below 1 for yes/no outcomes)."""
        table = self.table.dropna(subset=["expected"])
        return float(table["variance"].sum() / table["expected"].sum())

    def summary(self) -> str:
        """A few plain sentences on what the adjustment changed, and where providers stand.

        The provider that looks worst on the crude rate is placed against its own clients, and
        every provider against its interval (below, above or including 1). No rank is given: O/E measures each provider against its own clients, so the providers'
        order says little; an interval that excludes 1 says the provider differs from expected.
        """
        table = self.table.dropna(subset=["oe_ratio"])
        if table.empty:
            return "No provider has clients, so nothing was adjusted."
        what = "rate" if self.family == "binomial" else "mean per client"
        level = f"{self.level:.0%}"
        worst = table.sort_values("crude_rate", ascending=not self.higher_is_better, kind="stable")
        worst = worst.iloc[-1]
        lines = [
            f"Risk adjustment of {self.outcome!r} for {len(table)} providers using "
            f"{', '.join(self.risk_factors)}; overall {what} {self._rate(self.overall_rate)}.",
            f"{'Lowest' if self.higher_is_better else 'Highest'} crude {what}: "
            f"{worst[self.provider]} ({self._rate(worst['crude_rate'])}); against its own clients "
            f"its O/E is {worst['oe_ratio']:.2f} ({level} interval {worst['oe_low']:.2f} to "
            f"{worst['oe_high']:.2f}): {self._position(worst)}.",
        ]
        below = table[table["oe_high"] < 1]
        above = table[table["oe_low"] > 1]
        within = table.drop(index=below.index.union(above.index))
        for name, part, better in (
            ("Below", below, not self.higher_is_better),
            ("Above", above, self.higher_is_better),
        ):
            if len(part):
                listed = ", ".join(
                    f"{row[self.provider]} (O/E {row['oe_ratio']:.2f})"
                    for _, row in part.iterrows()
                )
                words = "better" if better else "worse"
                lines.append(
                    f"{name} expected ({words}; {level} interval {name.lower()} 1): {listed}."
                )
        if len(within):
            lines.append(
                f"Not clearly different from expected ({level} interval includes 1): "
                f"{', '.join(within[self.provider].astype(str))}."
            )
        if self.family == "binomial":
            ratio = self.variance_ratio
            lines.append(
                f"Chance variation: yes/no outcome, Var(O) = sum p(1 - p) = {ratio:.2f} x E "
                f"(Poisson-binomial); the Poisson model would overstate chance "
                f"{1 / np.sqrt(ratio):.2f} times."
            )
        else:
            lines.append(
                f"Chance variation: count outcome, Var(O) = E (Poisson); Pearson dispersion "
                f"{self.model_fit['pearson_dispersion']:.2f} (well above 1: the counts vary more "
                f"than the Poisson model allows)."
            )
        return "\n".join(lines)

    def _position(self, row: pd.Series) -> str:
        """Where one provider's interval lies against 1, in words."""
        if row["oe_high"] < 1 or row["oe_low"] > 1:
            side = "below" if row["oe_high"] < 1 else "above"
            better = (side == "above") == self.higher_is_better
            return f"{side} expected ({'better' if better else 'worse'})"
        return "not clearly different from expected"

    def _rate(self, value: float) -> str:
        return f"{value:.1%}" if self.family == "binomial" else f"{value:.3g}"

    def __repr__(self) -> str:
        shown = self.table[
            [self.provider, "clients", "observed", "expected", "oe_ratio", "oe_low", "oe_high", "z"]
        ]
        return f"RiskAdjustment\n{self.summary()}\n{shown.round(3).to_string(index=False)}"

    def _repr_html_(self) -> str:
        shown = self.table.drop(columns=["note"]) if not self.table["note"].any() else self.table
        summary = self.summary().replace("\n", "<br>")
        return f"<div><p><b>Risk adjustment</b><br>{summary}</p>{html_table(shown)}</div>"

    def to_markdown(self) -> str:
        """The provider table as Markdown."""
        return markdown_table(self.table)


def _outcome_values(data: pd.DataFrame, outcome: str, family: str) -> pd.Series:
    series = data[outcome]
    if series.isna().any():
        raise CityKitError(
            f"outcome column {outcome!r} has {int(series.isna().sum())} missing value(s); keep "
            f"only clients whose outcome is known (e.g. exited enrollments) before adjusting."
        )
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    if family == "binomial":
        if not pd.api.types.is_numeric_dtype(series) or not series.isin([0, 1]).all():
            example = series[~series.isin([0, 1])].iloc[0] if len(series) else None
            count_hint = (
                " If it is a count (nights, visits), use family='poisson'."
                if pd.api.types.is_numeric_dtype(series)
                else ""
            )
            raise ColumnTypeError(
                f"outcome column {outcome!r} must hold 0/1 or True/False (did the client have the "
                f"outcome?), but it holds e.g. {example!r}. Convert it first, e.g. "
                f"(data[{outcome!r}] == 'yes').{count_hint}"
            )
        return series.astype(float)
    values = (
        pd.to_numeric(series, errors="coerce") if pd.api.types.is_numeric_dtype(series) else None
    )
    if values is None or (values < 0).any() or (values != np.round(values)).any():
        bad = series if values is None else series[(values < 0) | (values != np.round(values))]
        raise ColumnTypeError(
            f"with family='poisson' the outcome column {outcome!r} must hold whole counts of 0 or "
            f"more (nights, visits, days), but it holds e.g. {bad.iloc[0]!r}. For a yes/no outcome "
            f"use family='binomial'."
        )
    return values.astype(float)


def _fit_model(y: pd.Series, X: pd.DataFrame, family: str):
    import statsmodels.api as sm

    model_family = sm.families.Binomial() if family == "binomial" else sm.families.Poisson()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y.to_numpy(), X.to_numpy(), family=model_family).fit()
    if not np.all(np.isfinite(fit.params)) or not fit.converged:
        raise CityKitError(
            "the case-mix model did not converge (often a risk factor that perfectly predicts the "
            "outcome, or a category with very few clients). Merge rare categories or drop that "
            "factor."
        )
    return fit


def _binary_tests(
    frame: pd.DataFrame, providers: list, *, level: float, interval: str
) -> pd.DataFrame:
    """Exact Poisson-binomial test and interval of O/E for each provider."""
    rows = {}
    for label, group in frame.groupby("p", sort=True, observed=True):
        out = poisson_binomial_test(int(group["y"].sum()), group["e"].to_numpy(), alpha=1 - level)
        rows[label] = out
    result = pd.DataFrame.from_dict(rows, orient="index").reindex(providers)
    if interval == "normal":
        from scipy import stats

        z = stats.norm.ppf(1 - (1 - level) / 2)
        observed = frame.groupby("p", sort=True, observed=True)["y"].sum().reindex(providers)
        ratio = observed / result["expected"]
        half = z * np.sqrt(result["variance"]) / result["expected"]
        result["low"] = (ratio - half).clip(lower=0)
        result["high"] = ratio + half
    return result


@renamed_options({"level": lambda v: 1 - v}, level="alpha")
def risk_adjust(
    data: pd.DataFrame,
    *,
    outcome: str,
    risk_factors: list[str] | tuple[str, ...],
    provider: str = "provider_id",
    family: str = "binomial",
    interval: str = "exact",
    alpha: float = 0.05,
    higher_is_better: bool = True,
    all_providers: list[str] | None = None,
) -> RiskAdjustment:
    """Risk-adjust an outcome by provider (observed / expected, indirect standardization).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per client (or enrollment) with the outcome, the provider and the risk factors.
    outcome : str, keyword-only
        For ``family="binomial"``: a 0/1 column (did the client have the outcome, e.g. an exit to
        permanent housing?). For ``family="poisson"``: a count (nights, visits, days of stay).
    risk_factors : list of str, keyword-only
        Columns describing the client at entry (not the provider!), e.g. disability, prior
        episodes, household type.
    provider : str, keyword-only
        Provider column.
    family : {"binomial", "poisson"}, keyword-only
        ``"binomial"`` (default): logistic case-mix model; O's chance variation is
        Poisson-binomial, ``Var O = sum p(1 - p)``. ``"poisson"``: Poisson case-mix model for
        count outcomes; ``Var O = E`` with exact Poisson (Garwood) intervals, the SHMI method.
    interval : {"exact", "normal"}, keyword-only
        ``"exact"`` (default): invert the exact test (Poisson-binomial: every client's log-odds
        shifted by the same amount; Poisson: Garwood). ``"normal"``: ``O/E +/- z sqrt(Var O) / E``.
    alpha : float, keyword-only
        1 - the confidence level of the interval (0.05, the default, gives 95% intervals).
    higher_is_better : bool, keyword-only
        Direction of the outcome, used only for the words of the summary (False for returns to
        homelessness).
    all_providers : list of str, optional, keyword-only
        Every contracted provider; those without clients get a row with ``clients = 0``, empty
        ratios and the note "no clients in this period".

    Returns
    -------
    RiskAdjustment
        Provider table, model coefficients and each client's expected outcome.

    Raises
    ------
    MissingColumnError
        If a named column is missing.
    CityKitError
        If the outcome does not suit the family, a risk factor has missing values or only one
        value, or ``risk_factors`` is empty.

    Notes
    -----
    Formulas, reference values and sources: docs/methods.md, "Risk adjustment" and "Provider
    comparison".

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
    require_keyword_choice(family, FAMILIES, argument="family")
    require_keyword_choice(interval, INTERVALS, argument="interval")
    require_probability(alpha, argument="alpha")
    level = round(1 - alpha, 12)  # the confidence level, as results show it
    check_table(data, [outcome, provider, *factors], argument="data")
    y = _outcome_values(data, outcome, family)
    if y.nunique() < 2:
        raise CityKitError(
            f"outcome {outcome!r} is {y.iloc[0]:g} for every client, so there is nothing to "
            f"adjust. Check the filter that produced the table."
        )
    X = design_matrix(data, risk_factors=factors)
    fit = _fit_model(y, X, family)
    expected = pd.Series(fit.predict(X.to_numpy()), index=data.index, name="expected")
    overall = float(y.mean())
    # clients without a provider are counted in a "(missing)" row, not dropped by the grouping
    labels = label_missing(data[provider], column=provider, argument="data")
    frame = pd.DataFrame({"p": labels, "y": y, "e": expected})
    if family == "binomial":
        frame["v"] = frame["e"] * (1 - frame["e"])
    else:
        frame["v"] = frame["e"]
    grouped = frame.groupby("p", sort=True, observed=True)
    table = pd.DataFrame(
        {
            "clients": grouped.size(),
            "observed": grouped["y"].sum().astype(int),
            "expected": grouped["e"].sum(),
            "variance": grouped["v"].sum(),
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
    table.loc[table[provider] == MISSING_LABEL, "note"] = "no provider recorded for these clients"
    observed = table["observed"].to_numpy(dtype=float)
    expected_sum = table["expected"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["crude_rate"] = np.where(
            table["clients"] > 0, table["observed"] / table["clients"].clip(lower=1), np.nan
        )
        table["oe_ratio"] = table["observed"] / table["expected"]
        table["z"] = (table["observed"] - table["expected"]) / np.sqrt(table["variance"])
    if family == "binomial":
        tests = _binary_tests(frame, table[provider].tolist(), level=level, interval=interval)
        table["oe_low"] = tests["low"].to_numpy(dtype=float)
        table["oe_high"] = tests["high"].to_numpy(dtype=float)
        table["p_value"] = tests["p_value"].to_numpy(dtype=float)
    else:
        if interval == "exact":
            bounds = garwood_interval(observed, np.nan_to_num(expected_sum), alpha=alpha)
            table["oe_low"], table["oe_high"] = bounds["low"].to_numpy(), bounds["high"].to_numpy()
        else:
            from scipy import stats

            z = stats.norm.ppf(1 - (1 - level) / 2)
            with np.errstate(divide="ignore", invalid="ignore"):
                half = z / np.sqrt(expected_sum)
            table["oe_low"] = np.clip(table["oe_ratio"] - half, 0, None)
            table["oe_high"] = table["oe_ratio"] + half
        table["p_value"] = _poisson_tests(observed, expected_sum)
    table["q_value"] = _q_values(table["p_value"].to_numpy(dtype=float))
    table["ra_rate"] = table["oe_ratio"] * overall
    table["ra_low"] = table["oe_low"] * overall
    table["ra_high"] = table["oe_high"] * overall
    table = table[
        [
            provider,
            "clients",
            "observed",
            "expected",
            "variance",
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
            "note",
        ]
    ]
    params = np.asarray(fit.params, dtype=float)
    coefficients = pd.DataFrame(
        {
            "term": list(X.columns),
            "estimate": params,
            "std_error": np.asarray(fit.bse, dtype=float),
            "odds_ratio" if family == "binomial" else "rate_ratio": np.exp(params),
        }
    )
    model_fit = pd.Series(
        {
            "clients": int(len(y)),
            "deviance": float(fit.deviance),
            "null_deviance": float(fit.null_deviance),
            "aic": float(fit.aic),
            "pearson_dispersion": float(fit.pearson_chi2 / fit.df_resid)
            if fit.df_resid > 0
            else np.nan,
        }
    )
    clients = pd.DataFrame(
        {provider: data[provider], outcome: y, "expected": expected}, index=data.index
    )
    return RiskAdjustment(
        table=table,
        coefficients=coefficients,
        expected=expected,
        clients=clients,
        overall_rate=overall,
        outcome=outcome,
        provider=provider,
        risk_factors=tuple(factors),
        family=family,
        interval=interval,
        level=level,
        model_fit=model_fit,
        higher_is_better=higher_is_better,
    )
