"""Privacy before release: small-cell suppression that holds up, and k-anonymity.

**Small cells.** Health and social-services agencies do not publish counts from 1 to 10 (CMS
cell-size suppression policy: "no cell ... containing a value of 1 to 10"; zero is allowed), and
no such value may be *derivable* from other published numbers. Two things make that harder than
blanking the small cells:

* **Totals are cells too.** A row total of 3 printed beside the table is a small count; a
  neighbourhood total of 1 with two hidden cells tells a reader that one person was in one of
  the two. :func:`suppress_small_cells` hides small totals like any other small count.
* **A hidden count must stay uncertain.** With totals published, a row with one hidden cell gives
  it away by subtraction, and a range of {0, 1} gives it away almost as well. Every hidden small
  count must keep a **protection interval**: the smallest and largest values consistent with
  everything published must lie at least ``protection`` apart (by default the threshold), the
  rule tau-ARGUS and sdcTable call a protection level. :func:`suppress_small_cells` hides
  complementary cells until that holds, and :func:`audit_suppression` proves it: for each hidden
  cell it computes the feasible range from the published numbers alone (the linear programme of
  the table's sums, solved as a maximum flow with scipy).

The threshold is a parameter because policies differ: CMS suppresses 1-10 (``threshold=11``,
the default), NCHS 1-9 (``threshold=10``), many agencies 1-4 (``threshold=5``). The method and
its references are in docs/methods.md, "Privacy".

The complementary cells are chosen by a transparent rule (for each small count, the cheapest
cycle of cells that widens its range: fewest and smallest counts, totals last), so the pattern is
small but not guaranteed minimal; the audit is what guarantees protection.

**k-anonymity** (Sweeney 2002). A release is k-anonymous when every combination of
quasi-identifiers (district, owner type, year built ...) is shared by at least k records.
:func:`k_anonymity` reports the k of a table and the records in groups smaller than the k you
need, so you can generalise (coarser categories) or suppress them.

Examples
--------
>>> import pandas as pd
>>> counts = pd.DataFrame({"A": [25, 7, 40], "B": [3, 30, 12], "C": [18, 22, 0]},
...                       index=["North", "South", "East"])
>>> result = suppress_small_cells(counts)
>>> result.with_totals()
        A   B   C Total
North   S   S  18    46
South   S   S  22    59
East   40  12   0    52
Total  72  45  40   157
>>> result.audit.passes
True
"""

from __future__ import annotations

from citykit.opendata.privacy.counts import count_table
from citykit.opendata.privacy.kanonymity import KAnonymityReport, k_anonymity
from citykit.opendata.privacy.suppression import (
    SUPPRESSED,
    SuppressionAudit,
    SuppressionResult,
    audit_suppression,
    suppress_small_cells,
)

__all__ = [
    "SUPPRESSED",
    "count_table",
    "suppress_small_cells",
    "audit_suppression",
    "SuppressionResult",
    "SuppressionAudit",
    "k_anonymity",
    "KAnonymityReport",
]
