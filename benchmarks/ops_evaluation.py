"""A covariate-adjusted trial estimate (Lin 2013, HC2): citykit.evaluation against references.

Two references: statsmodels OLS with HC2 called directly (the library the toolkit wraps, so the
ratio is the wrapper's overhead), and an independent implementation in numpy (least squares and
the HC2 formula, (X'X)^-1 X' diag(e_i^2 / (1 - h_ii)) X (X'X)^-1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.harness import Op, register

COVARIATES = ["balance_usd", "prior_late_payments", "account_age_years"]


def _load(data_dir: Path) -> dict:
    import statsmodels.api  # noqa: F401  (imported before timing, like the toolkit)
    from citykit import datasets, evaluation  # noqa: F401

    trial = datasets.load("bill_reminder_trial", data_dir=data_dir)
    trial = trial.dropna(subset=COVARIATES).reset_index(drop=True)
    trial = trial.assign(paid=trial["paid_on_time"].astype(float))
    return {"trial": trial}


def _toolkit(inputs: dict):
    from citykit import evaluation

    result = evaluation.estimate_effects(
        inputs["trial"], outcome="paid", arm="arm", control="control", covariates=COVARIATES
    )
    row = result.table.iloc[0]
    return float(row["estimate"]), float(row["se"])


def _reference(inputs: dict):
    import statsmodels.api as sm

    trial = inputs["trial"]
    treated = (trial["arm"] != "control").to_numpy(float)
    centred = trial[COVARIATES].astype(float) - trial[COVARIATES].astype(float).mean()
    design = np.column_stack(
        [np.ones(len(trial)), treated, centred.to_numpy(), centred.to_numpy() * treated[:, None]]
    )
    fit = sm.OLS(trial["paid"].to_numpy(float), design).fit(cov_type="HC2")
    return float(fit.params[1]), float(fit.bse[1])


def _design(trial):
    treated = (trial["arm"] != "control").to_numpy(float)
    centred = trial[COVARIATES].astype(float) - trial[COVARIATES].astype(float).mean()
    return np.column_stack(
        [np.ones(len(trial)), treated, centred.to_numpy(), centred.to_numpy() * treated[:, None]]
    )


def _numpy_reference(inputs: dict):
    trial = inputs["trial"]
    x = _design(trial)
    y = trial["paid"].to_numpy(float)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    q, r = np.linalg.qr(x)
    leverage = (q * q).sum(axis=1)
    residual = y - x @ beta
    r_inv = np.linalg.inv(r)
    bread = r_inv @ r_inv.T
    weighted = x * (residual / np.sqrt(1 - leverage))[:, None]
    meat = weighted.T @ weighted
    cov = bread @ meat @ bread
    return float(beta[1]), float(np.sqrt(cov[1, 1]))


def _compare(ours, ref) -> None:
    assert np.allclose(ours, ref, rtol=1e-8), f"toolkit {ours} vs statsmodels {ref}"


register(
    Op(
        name="Lin-adjusted trial effect, HC2 SE",
        load=_load,
        toolkit=_toolkit,
        reference=_reference,
        compare=_compare,
        reference_kind="statsmodels OLS(HC2) directly",
    )
)

register(
    Op(
        name="Lin-adjusted trial effect, HC2 SE (numpy)",
        load=_load,
        toolkit=_toolkit,
        reference=_numpy_reference,
        compare=_compare,
        reference_kind="numpy least squares + HC2 formula",
    )
)
