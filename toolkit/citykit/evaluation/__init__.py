"""Randomized A/B tests of city operations: assign, check balance, plan power, estimate, adjust.

Cities test small levers against business as usual (reminder letters for bills and vehicle
registrations, hiring messages, inspections). This package gives an analyst every step:

* :mod:`~citykit.evaluation.assign` — simple, complete, blocked and cluster randomization, logged;
* :mod:`~citykit.evaluation.balance` — standardized differences, variance ratios, a joint test;
* :mod:`~citykit.evaluation.power` — power, sample size and minimum detectable effect;
* :mod:`~citykit.evaluation.estimate` — effects with confidence intervals (HC2, Lin, blocks,
  clusters), on the least squares of :mod:`~citykit.evaluation.regression`;
* :mod:`~citykit.evaluation.randomization` — randomization inference: exact or Monte Carlo
  p-values from re-running the assignment (simple, blocked and clustered designs);
* :mod:`~citykit.evaluation.multiple` — Holm / Benjamini-Hochberg across a portfolio, and a
  simulation of the winner's curse.

Every public function is re-exported here, so ``from citykit.evaluation import estimate_effects``
works.

The statistics libraries behind these functions (statsmodels, scipy) are loaded when this package
is imported, about a second, so a lesson pays for them in its setup cell
(``from citykit import evaluation``) and not in the middle of a later cell. ``import citykit``
alone stays fast. Formulas, reference values and sources: ``docs/methods.md``, "Evaluation".

Examples
--------
>>> from citykit import evaluation
>>> round(evaluation.design_effect(cluster_size=25, icc=0.10), 2)
3.4
"""

from __future__ import annotations

import statsmodels.api  # noqa: F401  (loaded once, here: see the module docstring)

from citykit.evaluation import (
    assign,
    balance,
    estimate,
    multiple,
    power,
    randomization,
    regression,
)
from citykit.evaluation.assign import *  # noqa: F403
from citykit.evaluation.balance import *  # noqa: F403
from citykit.evaluation.estimate import *  # noqa: F403
from citykit.evaluation.multiple import *  # noqa: F403
from citykit.evaluation.power import *  # noqa: F403
from citykit.evaluation.randomization import *  # noqa: F403
from citykit.evaluation.regression import *  # noqa: F403

__all__ = [
    *assign.__all__,
    *balance.__all__,
    *power.__all__,
    *estimate.__all__,
    *regression.__all__,
    *randomization.__all__,
    *multiple.__all__,
]
