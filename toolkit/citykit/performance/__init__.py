"""Performance management: measures, targets, control charts, signal rules, stat briefs, data quality.

Managing from data works only when leaders use it. This package gives an analyst the pieces of a
monthly stat meeting:

* :mod:`~citykit.performance.measures` — declarative measures computed by period and group;
* :mod:`~citykit.performance.time_to_close` — days to close, open, closed on time, from a 311 export;
* :mod:`~citykit.performance.targets` — met / missed / improving, and a Mayor's-Management-Report
  style summary by agency;
* :mod:`~citykit.performance.charts` and :mod:`~citykit.performance.rules` — XmR, X-bar/R,
  X-bar/S, p, u, c and Laney charts with Western Electric and Nelson rules;
* :mod:`~citykit.performance.brief` — a one-page stat brief per department;
* :mod:`~citykit.performance.quality` — completeness, timeliness, validity and duplicates of the
  tables behind the measures, and an inventory across datasets.

Examples
--------
>>> import pandas as pd
>>> from citykit import performance
>>> days = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=6, freq="MS"),
...                      "median_days": [3.1, 2.9, 3.0, 3.2, 2.8, 6.5]})
>>> chart = performance.xmr_chart(days, value="median_days", period="month", baseline=5)
>>> chart.signal_descriptions()
['2024-06: a point above the upper control limit']

frictionless (the schema checks of :func:`~citykit.performance.quality.validate_schema`) is
imported with the package, so a lesson pays for it in its setup cell and not in a later one.
"""

from __future__ import annotations

import frictionless  # noqa: F401  (loaded once, here: see the module docstring)

from citykit.performance.brief import StatBrief, stat_brief
from citykit.performance.charts import (
    CHART_TYPES,
    D2,
    D2_TABLE,
    D3_TABLE,
    D4,
    ControlChart,
    c4,
    c_chart,
    control_chart,
    p_chart,
    r_chart,
    s_chart,
    u_chart,
    xbar_chart,
    xmr_chart,
)
from citykit.performance.measures import (
    AGGREGATIONS,
    FREQUENCIES,
    Measure,
    compute_measures,
    measure_table,
)
from citykit.performance.quality import (
    EXPECTED_DAYS,
    DataProfile,
    clean_numbers,
    completeness,
    find_duplicates,
    inventory,
    profile_table,
    timeliness,
    validate_schema,
)
from citykit.performance.rules import (
    RULE_DESCRIPTIONS,
    RULE_SETS,
    describe_rule,
    rule_flags,
    signal_rules,
)
from citykit.performance.targets import STATUSES, target_status, target_summary
from citykit.performance.time_to_close import add_time_to_close

__all__ = [
    "StatBrief",
    "stat_brief",
    "CHART_TYPES",
    "D2",
    "D2_TABLE",
    "D3_TABLE",
    "D4",
    "ControlChart",
    "c4",
    "c_chart",
    "control_chart",
    "p_chart",
    "r_chart",
    "s_chart",
    "u_chart",
    "xbar_chart",
    "xmr_chart",
    "AGGREGATIONS",
    "FREQUENCIES",
    "Measure",
    "add_time_to_close",
    "compute_measures",
    "measure_table",
    "clean_numbers",
    "EXPECTED_DAYS",
    "DataProfile",
    "completeness",
    "find_duplicates",
    "inventory",
    "profile_table",
    "timeliness",
    "validate_schema",
    "STATUSES",
    "target_status",
    "target_summary",
    "RULE_DESCRIPTIONS",
    "RULE_SETS",
    "describe_rule",
    "rule_flags",
    "signal_rules",
]
