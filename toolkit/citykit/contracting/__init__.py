"""Results-driven contracting: provider outcomes, risk adjustment, funnel plots, reports.

Much of what a city does is delivered by contractors. This package gives an analyst the tools of
a results-driven contracting team, one job per sub-module:

``hmis``
    HMIS destinations (FY2024 codes and the legacy crosswalk) and provider outcomes with HUD
    definitions: exits to permanent housing, returns to homelessness, prevention, length of stay.
``risk``
    Risk adjustment: expected outcomes from a case-mix model (logistic for yes/no outcomes,
    Poisson for counts), observed/expected ratios with exact intervals, risk-standardized rates.
``poisson_binomial``
    The chance variation of a count of yes/no outcomes: exact distribution, funnel limits, test.
``model_checks``
    Calibration (by decile of predicted risk, Hosmer-Lemeshow) and discrimination (c-statistic)
    of a case-mix model.
``funnel``
    Funnel-plot limits (exact Poisson-binomial/binomial/Poisson, normal approximation,
    overdispersion).
``report``
    The monthly provider progress report (the agenda of an active contract management check-in).
``incentives``
    Pay-for-performance simulation showing cream-skimming with and without risk adjustment.
``procurement``
    Transparent vendor scoring with weight sensitivity, and a contract portfolio view.
``spm``
    Reading HUD System Performance Measures workbooks by Continuum of Care.

The statistics libraries these use (statsmodels, scipy) are imported with the package, about a
second, so a lesson pays for them in its setup cell (``from citykit import contracting``) and not
in the middle of a later cell.

Examples
--------
>>> from citykit import contracting
>>> contracting.classify_destination(435)
'permanent'
"""

from __future__ import annotations

import scipy.optimize  # loaded once, here: see the module docstring
import scipy.signal  # noqa: F401
import statsmodels.api  # noqa: F401

from citykit.contracting import (
    funnel,
    hmis,
    incentives,
    model_checks,
    poisson_binomial,
    procurement,
    report,
    risk,
    spm,
)
from citykit.contracting.funnel import *  # noqa: F403
from citykit.contracting.hmis import *  # noqa: F403
from citykit.contracting.incentives import *  # noqa: F403
from citykit.contracting.model_checks import *  # noqa: F403
from citykit.contracting.poisson_binomial import *  # noqa: F403
from citykit.contracting.procurement import *  # noqa: F403
from citykit.contracting.report import *  # noqa: F403
from citykit.contracting.risk import *  # noqa: F403
from citykit.contracting.spm import *  # noqa: F403

__all__ = [
    *hmis.__all__,
    *risk.__all__,
    *poisson_binomial.__all__,
    *model_checks.__all__,
    *funnel.__all__,
    *spm.__all__,
    *report.__all__,
    *incentives.__all__,
    *procurement.__all__,
]
