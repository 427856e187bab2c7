"""Every foreseeable mistake gets a CityKitError that names the problem and the fix.

One place that lists the bad inputs of the brief (one arm only, constant outcome, missing
outcomes, unknown arm labels, alpha or power outside (0, 1), n < 2) across the evaluation API.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit.errors import CityKitError
from citykit.evaluation import (
    adjust_pvalues,
    assign_complete,
    balance_table,
    estimate_effects,
    mde_two_proportions,
    power_two_means,
    sample_size_two_proportions,
)
from citykit.widgets.evaluation import power_explorer

TRIAL = pd.DataFrame(
    {"arm": ["control"] * 4 + ["letter"] * 4, "paid": [0, 1, 0, 1, 1, 1, 0, 1], "late": range(8)}
)

CASES = {
    "one arm only": (
        lambda: estimate_effects(TRIAL[TRIAL["arm"] == "letter"], outcome="paid"),
        [r"column 'arm' holds only one arm \('letter'\)", "control .* must both be present"],
    ),
    "one arm only (balance)": (
        lambda: balance_table(TRIAL[TRIAL["arm"] == "control"], covariates=["late"]),
        ["holds only one arm"],
    ),
    "constant outcome": (
        lambda: estimate_effects(TRIAL.assign(paid=1), outcome="paid"),
        [r"column 'paid' is the same \(1\) for every unit", "not a constant one"],
    ),
    "missing outcome": (
        lambda: estimate_effects(TRIAL.assign(paid=[0, 1, np.nan, 1, 1, 1, 0, 1]), outcome="paid"),
        ["'paid' .* has 1 missing value", r"dropna\(subset=\['paid'\]\)", "fillna"],
    ),
    "unknown control label": (
        lambda: estimate_effects(TRIAL, outcome="paid", control="Control"),
        ["control='Control' is not an arm", "Did you mean 'control'"],
    ),
    "unknown arm label": (
        lambda: estimate_effects(TRIAL, outcome="paid", arms=["leter"]),
        ["'leter' is not an arm in column 'arm'", "Did you mean 'letter'"],
    ),
    "alpha outside (0, 1)": (
        lambda: estimate_effects(TRIAL, outcome="paid", alpha=1.2),
        ["alpha must be a number strictly between 0 and 1, but 1.2 was given"],
    ),
    "alpha as a percentage": (
        lambda: adjust_pvalues([0.01, 0.2], alpha=5),
        ["write 5% as 0.05"],
    ),
    "power outside (0, 1)": (
        lambda: sample_size_two_proportions(control_rate=0.4, treated=0.5, power=80),
        ["power must be a number strictly between 0 and 1", "write 80% as 0.8"],
    ),
    "power outside (0, 1) in the explorer": (
        lambda: power_explorer(power=0, draw=False),
        ["power must be a number strictly between 0 and 1"],
    ),
    "n < 2 (planning)": (
        lambda: mde_two_proportions(control_rate=0.4, n_per_arm=1),
        ["n_per_arm must be a number of units of at least 2, but 1 was given"],
    ),
    "n < 2 (means)": (
        lambda: power_two_means(difference=1, sd=2, n_per_arm=0),
        ["n_per_arm must be"],
    ),
    "n < 2 (an arm in the data)": (
        lambda: estimate_effects(TRIAL.iloc[3:], outcome="paid"),
        ["Arm 'control' has 1 unit", "needs at least 2"],
    ),
    "a block x arm cell with one unit": (
        lambda: estimate_effects(
            pd.DataFrame(
                {
                    "block": list("AAAAAABBBB"),
                    "arm": ["letter"] * 3 + ["control"] * 3 + ["letter"] + ["control"] * 3,
                    "y": [10, 12, 11, 8, 9, 7, 20, 15, 17, 16],
                }
            ),
            outcome="y",
            block="block",
        ),
        ["has a single unit", "Merge small blocks"],
    ),
    "no seed": (
        lambda: assign_complete(TRIAL.drop(columns="arm"), seed=None),
        ["seed must be a whole number", "reproduce the assignment"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gets_an_actionable_message(case):
    call, patterns = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning instead of (or before) the error
        with pytest.raises(CityKitError) as info:
            call()
    message = str(info.value)
    for pattern in patterns:
        assert pd.Series([message]).str.contains(pattern, regex=True).iloc[0], (pattern, message)
    assert "Traceback" not in message


@pytest.mark.parametrize("se_type", ["HC2", "classical", "CR1", "CR2"])
def test_a_covariate_that_repeats_another_is_named_as_collinear(se_type):
    """A copy of a covariate in another unit (dollars and cents) is caught, even with many rows."""
    rng = np.random.default_rng(3)
    n = 200_000
    trial = pd.DataFrame(
        {
            "arm": np.where(rng.random(n) < 0.5, "control", "letter"),
            "paid": (rng.random(n) < 0.6).astype(float),
            "balance_usd": rng.gamma(2.0, 150.0, n),
            "site": rng.integers(0, 40, n),
        }
    )
    trial["balance_cents"] = trial["balance_usd"] * 100
    cluster = "site" if se_type.startswith("CR") else None
    with pytest.raises(CityKitError, match="collinear"):
        estimate_effects(
            trial,
            outcome="paid",
            covariates=["balance_usd", "balance_cents"],
            se_type=se_type,
            cluster=cluster,
        )
