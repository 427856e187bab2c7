"""Power, sample size and minimum detectable effect (MDE) for A/B tests of city operations.

Two families of calculations are offered for proportions (on-time payment, renewal, application
rates), and every function says which one it uses:

``method="arcsine"`` (default)
    Cohen's *h* = 2·asin(√p₁) − 2·asin(√p₀) with a normal test, exactly as R ``pwr.2p.test`` /
    ``pwr.2p2n.test`` and statsmodels ``NormalIndPower``; both tails count for two-sided power
    (``docs/methods.md``, "Power and sample size for two proportions").
``method="pooled"``
    The pooled-variance normal approximation of R ``stats::power.prop.test`` (strict = FALSE: only
    the near tail counts), computed with statsmodels ``normal_power_het``.

Means use the noncentral *t* of R ``pwr.t.test`` / statsmodels ``TTestIndPower`` (§1.2). Cluster
designs use the Kish design effect and the PowerUp! ``mdes.cra2r2`` formula (§1.4).

Sizes are per arm: ``n_per_arm`` is the size of the control arm and ``ratio`` is
(treated size) / (control size), so ``ratio=1`` means equal arms.

Examples
--------
>>> from citykit.evaluation import power_two_proportions, mde_two_proportions
>>> round(power_two_proportions(control_rate=0.50, treated=0.75, n_per_arm=50, method="pooled"), 3)
0.74
>>> round(mde_two_proportions(control_rate=0.20, n_per_arm=1000), 4)  # 5.2 percentage points
0.0523

One module per kind of outcome: :mod:`.standardized` (the engine, Cohen's d and h),
:mod:`.proportions`, :mod:`.means` and :mod:`.clusters`.
"""

from __future__ import annotations

from citykit.evaluation.power.clusters import (
    ClusterMDES,
    ICCEstimate,
    design_effect,
    effective_sample_size,
    icc_anova,
    mdes_cluster,
)
from citykit.evaluation.power.means import mde_two_means, power_two_means, sample_size_two_means
from citykit.evaluation.power.proportions import (
    mde_two_proportions,
    power_curve,
    power_two_proportions,
    sample_size_two_proportions,
)
from citykit.evaluation.power.standardized import (
    cohens_h,
    mde_standardized,
    power_standardized,
    sample_size_standardized,
)

__all__ = [
    "cohens_h",
    "power_standardized",
    "sample_size_standardized",
    "mde_standardized",
    "power_two_proportions",
    "sample_size_two_proportions",
    "mde_two_proportions",
    "power_two_means",
    "sample_size_two_means",
    "mde_two_means",
    "power_curve",
    "design_effect",
    "effective_sample_size",
    "ICCEstimate",
    "icc_anova",
    "ClusterMDES",
    "mdes_cluster",
]
