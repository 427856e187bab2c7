"""Input checks shared by the evaluation sub-modules (messages a city analyst can act on)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from citykit._design import DesignRules, design_matrix
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    UnknownNameError,
    did_you_mean,
    require_between,
    require_columns,
    require_keyword_choice,
    require_non_empty,
    require_numeric,
    require_probability,
)

__all__: list[str] = []

ALTERNATIVES = ("two-sided", "larger", "smaller")


def check_alpha(alpha: object) -> float:
    """Return ``alpha`` as a float after checking it lies strictly between 0 and 1."""
    require_probability(alpha, argument="alpha")
    return float(alpha)


def check_power(power: object) -> float:
    """Return ``power`` as a float after checking it lies strictly between 0 and 1."""
    require_probability(power, argument="power")
    return float(power)


def check_rate(rate: object, *, argument: str) -> float:
    """Return a proportion strictly between 0 and 1 (a share, not a percentage)."""
    require_probability(rate, argument=argument)
    return float(rate)


def check_n(n: object, *, argument: str, minimum: float = 2) -> float:
    """Return a sample size, checking it is a number of at least ``minimum``."""
    ok = isinstance(n, (int, float, np.integer, np.floating)) and not isinstance(n, bool)
    if not ok or not math.isfinite(float(n)) or float(n) < minimum:
        raise ArgumentRangeError(
            f"{argument} must be a number of units of at least {minimum:g}, but {n!r} was given. "
            "A comparison needs at least two units in every arm to measure variation."
        )
    return float(n)


def check_positive(value: object, *, argument: str, hint: str = "") -> float:
    """Return a strictly positive finite number."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or float(value) <= 0:
        extra = f" {hint}" if hint else ""
        raise ArgumentRangeError(
            f"{argument} must be a positive number, but {value!r} was given.{extra}"
        )
    return float(value)


def check_alternative(alternative: object) -> str:
    """Return the alternative hypothesis after checking it is a known one."""
    require_keyword_choice(alternative, ALTERNATIVES, argument="alternative")
    return str(alternative)


def check_between(value: object, low: float, high: float, *, argument: str, **kw) -> float:
    """Return ``value`` as float after :func:`citykit.errors.require_between`."""
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    require_between(value, low, high, argument=argument, **kw)
    return float(value)


def check_arm_column(data: object, arm: str, *, argument: str = "data") -> pd.Series:
    """Check ``data[arm]`` exists, has no missing labels and at least two arms; return it."""
    require_columns(data, [arm], argument=argument)
    require_non_empty(data, argument=argument)
    labels = data[arm]
    if labels.isna().any():
        raise CityKitError(
            f"{argument} column {arm!r} (the arm) has {int(labels.isna().sum())} missing labels. "
            "Every unit in a randomized test has an arm; fix or drop those rows first."
        )
    arms = pd.unique(labels)
    if len(arms) < 2:
        raise CityKitError(
            f"{argument} column {arm!r} holds only one arm ({arms[0]!r}), so there is nothing to "
            "compare. Check the filter that produced the table: the control (business as usual) "
            "and at least one treatment arm must both be present."
        )
    return labels


def resolve_control(labels: pd.Series, control: object, *, arm: str) -> object:
    """Return the control label: the given one (checked) or a guess from common names."""
    arms = list(pd.unique(labels))
    if control is None:
        for guess in (
            "control",
            "Control",
            "business_as_usual",
            "No_Letter",
            "no_letter",
            0,
            False,
        ):
            if guess in arms:
                return guess
        raise UnknownNameError(
            f"Say which arm is business as usual: pass control=... (one of "
            f"{', '.join(repr(a) for a in arms)}; column {arm!r})."
        )
    if control not in arms:
        raise UnknownNameError(
            f"control={control!r} is not an arm in column {arm!r}; the arms are "
            f"{', '.join(repr(a) for a in arms)}.{did_you_mean(control, arms)}"
        )
    return control


def check_arm_labels(labels: pd.Series, wanted, *, arm: str, argument: str) -> list:
    """Check every label in ``wanted`` is an arm in ``labels``; return them as a list."""
    arms = list(pd.unique(labels))
    out = []
    for label in wanted:
        if label not in arms:
            raise UnknownNameError(
                f"{argument}: {label!r} is not an arm in column {arm!r}; the arms are "
                f"{', '.join(repr(a) for a in arms)}.{did_you_mean(label, arms)}"
            )
        out.append(label)
    return out


def numeric_outcome(data: pd.DataFrame, outcome: str, *, argument: str = "data") -> np.ndarray:
    """Return the outcome as floats after checking type, missing values and variation."""
    require_columns(data, [outcome], argument=argument)
    require_non_empty(data, argument=argument)
    values = data[outcome]
    if not (pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values)):
        # beginner guard: yes/no outcomes often arrive as text from an export
        words = {str(v).strip().lower() for v in values.dropna().unique()}
        if words and words <= {"true", "false", "yes", "no", "y", "n", "1", "0"}:
            yes = sorted(w for w in words if w in {"true", "yes", "y", "1"})
            raise CityKitError(
                f"{argument} column {outcome!r} holds yes/no answers as text "
                f"({', '.join(repr(w) for w in sorted(words))}). Turn it into 0/1 first, e.g. "
                f"{argument}[{outcome!r}] = {argument}[{outcome!r}].str.lower().isin("
                f"{yes!r}).astype(int)."
            )
    require_numeric(data, outcome, argument=argument)
    missing = int(values.isna().sum())
    if missing:
        raise CityKitError(
            f"{argument} column {outcome!r} (the outcome) has {missing} missing value(s) out of "
            f"{len(values)}. Decide what a missing outcome means before estimating: if it is "
            f"'did not happen', fill it (data.fillna({{{outcome!r}: 0}})); if it is unknown, drop "
            f"those rows (data.dropna(subset=[{outcome!r}])) and check that the share missing is "
            "similar in every arm."
        )
    y = values.to_numpy(dtype=float)
    if not np.isfinite(y).all():
        raise CityKitError(f"{argument} column {outcome!r} holds infinite values; fix them first.")
    if np.ptp(y) == 0:
        raise CityKitError(
            f"{argument} column {outcome!r} is the same ({y[0]:g}) for every unit, so no effect "
            "can be measured. Check that you picked the outcome column and not a constant one."
        )
    return y


#: Covariates' rules for the toolkit's one design-matrix builder (citykit._design): the first
#: value in sorted order is the reference, no constant, numbers written as text are numbers.
COVARIATE_DESIGN = DesignRules(
    reference="first",
    constant=False,
    name="{column}={level}",
    numbers_as_text="convert",
    one_value=False,
    dates=False,
    subject="{argument} column {column!r} (a covariate)",
    missing_fix=(
        "Fill them before adjusting, e.g. with the overall mean plus a 0/1 column "
        "'{column}_missing' that marks them, or leave {column!r} out of covariates."
    ),
    purpose="adjusting",
    listed="covariates",
)


def covariate_matrix(data: pd.DataFrame, covariates, *, argument: str = "data") -> pd.DataFrame:
    """Return numeric covariates (categorical ones as 0/1 dummies, first level dropped)."""
    return design_matrix(data, list(covariates), rules=COVARIATE_DESIGN, argument=argument)
