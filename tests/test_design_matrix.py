"""One design-matrix builder for both analytics domains, each with its own rules.

The builder in ``citykit._design`` replaced two: ``contracting.risk.design_matrix`` and
``evaluation._checks.covariate_matrix``. The previous two are kept here, verbatim, as the
references: on tables with every kind of column, each domain's rules give exactly what its own
builder gave.
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from citykit import _design
from citykit.contracting import design_matrix
from citykit.errors import CityKitError, ColumnTypeError, require_columns
from citykit.evaluation._checks import covariate_matrix

MAX_TEXT_NUMBER_LEVELS = 12


def _previous_risk_design(data: pd.DataFrame, risk_factors: list[str]) -> pd.DataFrame:
    """The case-mix builder as it was written in contracting.risk."""
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
        text_like = series.dtype == object or pd.api.types.is_string_dtype(series.dtype)
        if text_like and not isinstance(series.dtype, pd.CategoricalDtype):
            # text is a category (R's factor); but numbers written as text with many distinct
            # values (an age, an income) would silently become dozens of categories
            as_numbers = pd.to_numeric(series.astype(str).str.strip(), errors="coerce")
            if as_numbers.notna().all() and len(values) > MAX_TEXT_NUMBER_LEVELS:
                raise ColumnTypeError(
                    f"risk factor {factor!r} holds numbers written as text ({len(values)} "
                    f"distinct values, e.g. {values[0]!r}); as text each value would be a "
                    "category of its own. Convert it: pd.to_numeric(data["
                    f"{factor!r}]) for a number, or data[{factor!r}].astype('category') if the "
                    "values really are codes."
                )
        if pd.api.types.is_bool_dtype(series):
            columns[factor] = series.astype(float)
        elif pd.api.types.is_numeric_dtype(series):
            columns[factor] = series.astype(float)
            if np.isinf(columns[factor].to_numpy(dtype=float)).any():
                raise CityKitError(
                    f"risk factor {factor!r} holds infinite values; fix them before risk "
                    "adjustment (they usually come from a division by zero)."
                )
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


def _previous_covariate_matrix(
    data: pd.DataFrame, covariates, *, argument: str = "data"
) -> pd.DataFrame:
    """Return numeric covariates (categorical ones as 0/1 dummies, first level dropped)."""
    covariates = list(covariates)
    require_columns(data, covariates, argument=argument)
    parts = []
    for name in covariates:
        column = data[name]
        missing = int(column.isna().sum())
        if missing:
            raise CityKitError(
                f"{argument} column {name!r} (a covariate) has {missing} missing value(s). "
                f"Fill them before adjusting, e.g. with the overall mean plus a 0/1 column "
                f"'{name}_missing' that marks them, or leave {name!r} out of covariates."
            )
        numeric = pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column)
        if not numeric and not isinstance(column.dtype, pd.CategoricalDtype):
            # numbers stored as text are numbers, not one dummy per distinct value
            as_numbers = pd.to_numeric(column.astype(str).str.strip(), errors="coerce")
            if len(column) and as_numbers.notna().all():
                column, numeric = as_numbers, True
        if numeric:
            values = column.astype(float)
            if np.isinf(values.to_numpy(dtype=float)).any():
                raise CityKitError(
                    f"{argument} column {name!r} (a covariate) holds infinite values; they "
                    "usually come from a division by zero. Fix them before adjusting."
                )
            parts.append(values.rename(name))
        else:
            dummies = pd.get_dummies(column.astype(str), prefix=name, prefix_sep="=", dtype=float)
            parts.append(dummies.iloc[:, 1:])
    if not parts:
        return pd.DataFrame(index=data.index)
    return pd.concat(parts, axis=1)


def _table(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 60
    return pd.DataFrame(
        {
            "veteran": rng.random(n) < 0.3,
            "age": rng.integers(18, 80, n),
            "income": rng.normal(900, 300, n),
            "household": rng.choice(["single", "family", "youth"], n, p=[0.5, 0.3, 0.2]),
            "tier": pd.Categorical(rng.choice(["low", "mid", "high"], n)),
            "code": rng.choice(["1", "2", "3"], n),  # numbers as text, few values: codes
            "arrow": pd.array(rng.choice(["a", "b"], n), dtype="string[pyarrow]"),
        },
        index=pd.RangeIndex(100, 100 + n),
    )


@pytest.mark.parametrize("seed", range(5))
def test_each_domain_gets_what_its_own_builder_gave(seed):
    data = _table(seed)
    factors = list(data.columns)
    pd.testing.assert_frame_equal(
        design_matrix(data, risk_factors=factors), _previous_risk_design(data, factors)
    )
    pd.testing.assert_frame_equal(
        covariate_matrix(data, factors), _previous_covariate_matrix(data, factors)
    )


def test_the_reference_value_is_the_domains_rule():
    data = pd.DataFrame({"household": ["single", "single", "family", "youth"]})
    # the case-mix model compares with the most common value; covariates drop the first one
    assert list(design_matrix(data, risk_factors=["household"]).columns) == [
        "const",
        "household[family]",
        "household[youth]",
    ]
    assert list(covariate_matrix(data, ["household"]).columns) == [
        "household=single",
        "household=youth",
    ]


def test_numbers_written_as_text_follow_the_domains_rule():
    ages = pd.DataFrame({"age": [str(v) for v in range(20, 40)]})
    with pytest.raises(ColumnTypeError, match="'age' holds numbers written as text"):
        design_matrix(ages, risk_factors=["age"])
    assert covariate_matrix(ages, ["age"])["age"].tolist() == list(map(float, range(20, 40)))


def test_refusals_name_the_column_in_each_domains_words():
    gaps = pd.DataFrame({"age": [30.0, None, 50.0]})
    with pytest.raises(
        CityKitError, match=r"risk factor 'age' has 1 missing value.*risk adjustment"
    ):
        design_matrix(gaps, risk_factors=["age"])
    with pytest.raises(CityKitError, match=r"clients column 'age' \(a covariate\) has 1 missing"):
        covariate_matrix(gaps, ["age"], argument="clients")
    same = pd.DataFrame({"x": [1, 1, 1]})
    with pytest.raises(CityKitError, match="only one value.*risk_factors"):
        design_matrix(same, risk_factors=["x"])


def test_the_builders_examples_run():
    result = doctest.testmod(_design, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_risk_factors_by_position_still_work_for_one_release():
    data = pd.DataFrame({"household": ["single", "single", "family", "youth"]})
    with pytest.warns(FutureWarning, match="risk_factors="):
        old = design_matrix(data, ["household"])
    pd.testing.assert_frame_equal(old, design_matrix(data, risk_factors=["household"]))
