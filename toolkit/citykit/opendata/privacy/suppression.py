"""Small-cell suppression with complementary suppression, and the audit that proves it holds.

See :mod:`citykit.opendata.privacy` for the rule (totals are cells too; every hidden small count
keeps a protection interval) and docs/methods.md, "Privacy", for the references.

Examples
--------
>>> import pandas as pd
>>> counts = pd.DataFrame({"A": [25, 7], "B": [3, 30]}, index=["North", "South"])
>>> suppress_small_cells(counts).audit.passes
True
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit._renamed import renamed_options
from citykit.errors import ArgumentRangeError, ColumnTypeError, require_between
from citykit.opendata.privacy.counts import MISSING_LABEL, _check_counts
from citykit.opendata.privacy.ranges import _extended, _protect, _range_of

__all__ = [
    "SUPPRESSED",
    "suppress_small_cells",
    "audit_suppression",
    "SuppressionResult",
    "SuppressionAudit",
]

#: The mark printed in place of a suppressed count.
SUPPRESSED = "S"


@dataclass(frozen=True)
class SuppressionAudit:
    """What a reader can work out about each hidden cell from everything published.

    Attributes
    ----------
    passes : bool
        True when no small count (body cell or total) is published and every hidden small count's
        feasible range is at least ``protection`` wide.
    cells : DataFrame
        One row per hidden cell, totals included (their row or column label is the total label):
        ``row, column, value, primary, low, high, width, exact, protected``. ``low`` and ``high``
        are the smallest and largest values consistent with every published number; ``width`` is
        ``high - low``; a small cell is ``protected`` when its width is at least ``protection``.
    exposed : DataFrame
        Small counts that are published as they are (``row, column, value``), e.g. a row total
        of 3 printed next to hidden cells.
    protection : int
        The smallest acceptable width of a hidden small count's range.
    flagged_rows, flagged_columns : list
        Body rows and columns with exactly one hidden cell and a published total (recoverable by
        subtraction).
    notes : tuple of str
        What the reader of the audit should know about the table itself: a ``"(missing)"`` (or
        blank) row or column label counts records without a label, and is published like any
        other line.
    """

    passes: bool
    cells: pd.DataFrame = field(repr=False)
    exposed: pd.DataFrame = field(default=None, repr=False)
    protection: int = 11
    flagged_rows: list = field(default_factory=list)
    flagged_columns: list = field(default_factory=list)
    notes: tuple = ()

    def __repr__(self) -> str:
        noted = "".join(f"; {note}" for note in self.notes)
        if self.passes:
            return (
                f"SuppressionAudit(passes: each of {int(self.cells['primary'].sum())} hidden small "
                f"counts has a range at least {self.protection} wide; no small count published"
                f"{noted})"
            )
        problems = []
        weak = self.cells[self.cells["primary"] & ~self.cells["protected"]]
        if len(weak):
            names = ", ".join(
                f"{r}/{c} ({lo:g}-{hi:g})"
                for r, c, lo, hi in weak[["row", "column", "low", "high"]].itertuples(index=False)
            )
            problems.append(
                f"{len(weak)} hidden small counts narrowed below {self.protection}: {names}"
            )
        if self.exposed is not None and len(self.exposed):
            names = ", ".join(
                f"{r}/{c}" for r, c in zip(self.exposed["row"], self.exposed["column"], strict=True)
            )
            problems.append(f"{len(self.exposed)} small counts published: {names}")
        return f"SuppressionAudit(FAILS: {'; '.join(problems)}{noted})"

    def _repr_html_(self) -> str:
        head = "passes" if self.passes else "<strong>fails</strong>"
        noted = "".join(f" {html.escape(note[0].upper() + note[1:])}." for note in self.notes)
        return f"<p>Suppression audit {head}.{noted}</p>{self.cells.to_html(index=False)}"


def _check_mask(table: pd.DataFrame, suppressed: object, total_label: str) -> np.ndarray:
    """The hidden cells as an extended (R+1 x C+1) mask; a body-shaped mask publishes totals."""
    rows, cols = table.shape
    if not isinstance(suppressed, pd.DataFrame):
        raise ColumnTypeError(
            "suppressed must be a DataFrame of True/False with the same rows and columns as "
            f"data ({rows} x {cols}), or with a '{total_label}' row and column for the totals."
        )
    body_shape = suppressed.shape == table.shape
    extended_shape = suppressed.shape == (rows + 1, cols + 1)
    if (
        body_shape
        and suppressed.index.equals(table.index)
        and suppressed.columns.equals(table.columns)
    ):
        mask = np.zeros((rows + 1, cols + 1), dtype=bool)
        mask[:rows, :cols] = suppressed.fillna(False).astype(bool).to_numpy()
        return mask
    if extended_shape:
        index = list(table.index) + [total_label]
        columns = list(table.columns) + [total_label]
        if list(suppressed.index) == index and list(suppressed.columns) == columns:
            return suppressed.fillna(False).astype(bool).to_numpy()
    raise ColumnTypeError(
        f"suppressed must have the same rows and columns as data ({rows} x {cols}; totals "
        f"published), or those plus a '{total_label}' row and column ({rows + 1} x {cols + 1}). "
        "Build it from the counts, e.g. suppressed = (data > 0) & (data < 11)."
    )


def _check_threshold(threshold: object) -> int:
    hint = (
        "It is the smallest count you may publish: 11 hides 1-10 (CMS), 10 hides 1-9 (NCHS), "
        "5 hides 1-4."
    )
    require_between(threshold, 1, 1000, argument="threshold", hint=hint)
    if float(threshold) != int(threshold):
        raise ArgumentRangeError(f"threshold must be a whole number, but {threshold!r} was given.")
    return int(threshold)


def _check_protection(protection: object, threshold: int) -> int:
    value = threshold if protection is None else protection
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ArgumentRangeError(
            f"protection must be a whole number of at least 1 (the width a hidden small count's "
            f"range must reach; by default the threshold, {threshold}), but {protection!r} was "
            "given."
        )
    return int(value)


def _unlabelled_lines(table: pd.DataFrame) -> tuple[str, ...]:
    """Notes on rows and columns that count records without a label ("(missing)" or blank)."""
    notes = []
    for axis, labels, sums in (
        ("row", table.index, table.sum(axis=1)),
        ("column", table.columns, table.sum(axis=0)),
    ):
        for position, label in enumerate(labels):
            if pd.isna(label) or str(label).strip() in ("", MISSING_LABEL):
                shown = MISSING_LABEL if pd.isna(label) else repr(label)
                notes.append(
                    f"{axis} {shown} counts {int(sums.iloc[position])} records without a {axis} "
                    f"label (published like any other {axis})"
                )
    return tuple(notes)


def _audit(
    table: pd.DataFrame,
    grid: np.ndarray,
    mask: np.ndarray,
    threshold: int,
    protection: int,
    total_label: str,
) -> SuppressionAudit:
    rows, cols = table.shape
    row_names = list(table.index) + [total_label]
    col_names = list(table.columns) + [total_label]
    sensitive = (grid > 0) & (grid < threshold)
    records = []
    for r, c in np.argwhere(mask):
        low, high = _range_of(grid, mask, (int(r), int(c)))
        width = high - low
        records.append(
            {
                "row": row_names[r],
                "column": col_names[c],
                "value": int(grid[r, c]),
                "primary": bool(sensitive[r, c]),
                "low": low,
                "high": high,
                "width": width,
                "exact": low == high,
                "protected": bool(width >= protection),
            }
        )
    columns = ["row", "column", "value", "primary", "low", "high", "width", "exact", "protected"]
    cells = pd.DataFrame(records, columns=columns)
    exposed_cells = np.argwhere(sensitive & ~mask)
    exposed = pd.DataFrame(
        {
            "row": [row_names[r] for r, _ in exposed_cells],
            "column": [col_names[c] for _, c in exposed_cells],
            "value": [int(grid[r, c]) for r, c in exposed_cells],
        }
    )
    weak = cells["primary"] & ~cells["protected"]
    flagged_rows = [
        table.index[i] for i in range(rows) if mask[i, :cols].sum() == 1 and not mask[i, cols]
    ]
    flagged_columns = [
        table.columns[j] for j in range(cols) if mask[:rows, j].sum() == 1 and not mask[rows, j]
    ]
    return SuppressionAudit(
        notes=_unlabelled_lines(table),
        passes=not bool(weak.any()) and exposed.empty,
        cells=cells,
        exposed=exposed,
        protection=protection,
        flagged_rows=flagged_rows,
        flagged_columns=flagged_columns,
    )


@renamed_options(table="data")
def audit_suppression(
    data: pd.DataFrame,
    *,
    suppressed: pd.DataFrame,
    threshold: int = 11,
    protection: int | None = None,
    total_label: str = "Total",
) -> SuppressionAudit:
    """Prove (or disprove) that the hidden counts stay hidden once the table is published.

    Totals are cells too: a row total of 3 is a small count. The audit checks that

    * no count from 1 to ``threshold - 1`` is published, body cell or total, and
    * every hidden small count keeps a **protection interval**: the smallest and largest values
      consistent with everything published (a linear programme solved with
      ``scipy.optimize.linprog``) lie at least ``protection`` apart. A range of {0, 1} is not
      protection: a reader knows the count is at most 1. This is the protection level of
      tau-ARGUS and sdcTable.

    Parameters
    ----------
    data : DataFrame
        The true counts (labels in the index).
    suppressed : DataFrame of bool
        True where a cell is hidden: the shape of ``data`` (every total published), or with a
        ``total_label`` row and column added (to hide totals too).
    threshold : int
        Counts from 1 to ``threshold - 1`` are small (11: CMS).
    protection : int, optional
        The smallest acceptable width of a hidden small count's range; default ``threshold``.
    total_label : str
        Label of the total row and column.

    Returns
    -------
    SuppressionAudit

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"A": [25, 7], "B": [3, 30]}, index=["North", "South"])
    >>> primary_only = counts.isin([3, 7])
    >>> audit_suppression(counts, suppressed=primary_only)
    SuppressionAudit(FAILS: 2 hidden small counts narrowed below 11: North/B (3-3), South/A (7-7))
    """
    values = _check_counts(data)
    threshold = _check_threshold(threshold)
    protection = _check_protection(protection, threshold)
    mask = _check_mask(values, suppressed, total_label)
    grid = _extended(values.to_numpy())
    return _audit(values, grid, mask, threshold, protection, total_label)


@dataclass(frozen=True)
class SuppressionResult:
    """A table ready to publish with small counts hidden, and the proof that they stay hidden.

    Attributes
    ----------
    published : DataFrame
        The body with ``"S"`` in every hidden cell.
    row_totals, column_totals : Series
        The published totals, ``"S"`` where a total is hidden.
    grand_total : int or str
        The published grand total (``"S"`` if hidden).
    primary, complementary : DataFrame of bool
        Which cells were hidden because they are small, and which to protect them. Both include
        the total row and column (labelled ``total_label``).
    threshold : int
        Counts from 1 to ``threshold - 1`` were hidden.
    protection : int
        The width every hidden small count's feasible range reaches (when the audit passes).
    audit : SuppressionAudit
        The feasible range of every hidden cell.
    total_label : str
        Label of the total row and column.
    """

    published: pd.DataFrame
    row_totals: pd.Series = field(repr=False)
    column_totals: pd.Series = field(repr=False)
    grand_total: object = field(repr=False)
    primary: pd.DataFrame = field(repr=False)
    complementary: pd.DataFrame = field(repr=False)
    threshold: int = 11
    protection: int = 11
    audit: SuppressionAudit = field(default=None, repr=False)
    total_label: str = "Total"

    @property
    def n_primary(self) -> int:
        """Number of small counts hidden (totals included)."""
        return int(self.primary.to_numpy().sum())

    @property
    def n_complementary(self) -> int:
        """Number of extra cells hidden to protect them (totals included)."""
        return int(self.complementary.to_numpy().sum())

    def with_totals(self, *, label: str | None = None) -> pd.DataFrame:
        """Return the published table with its total column and total row (``"S"`` if hidden)."""
        label = self.total_label if label is None else label
        body = self.published.to_numpy(dtype=object)
        grid = np.empty((body.shape[0] + 1, body.shape[1] + 1), dtype=object)
        grid[:-1, :-1] = body
        grid[:-1, -1] = self.row_totals.to_numpy(dtype=object)
        grid[-1, :-1] = self.column_totals.to_numpy(dtype=object)
        grid[-1, -1] = self.grand_total
        index = pd.Index([*self.published.index, label], dtype=object)
        columns = pd.Index([*self.published.columns, label], dtype=object)
        return pd.DataFrame(grid, index=index, columns=columns)

    def __repr__(self) -> str:
        status = "passes" if self.audit.passes else "FAILS"
        return (
            f"SuppressionResult(threshold {self.threshold}: counts 1-{self.threshold - 1} hidden, "
            f"totals included; {self.n_primary} small cells + {self.n_complementary} "
            f"complementary; protection {self.protection}; audit {status})"
        )

    def _repr_html_(self) -> str:
        return (
            f"<p>Counts from 1 to {self.threshold - 1} hidden, totals included: {self.n_primary} "
            f"small cells and {self.n_complementary} complementary cells. Audit: "
            f"{'passes' if self.audit.passes else '<strong>fails</strong>'}.</p>"
            f"{self.with_totals().to_html()}"
        )


@renamed_options(table="data")
def suppress_small_cells(
    data: pd.DataFrame,
    *,
    threshold: int = 11,
    protection: int | None = None,
    total_label: str = "Total",
) -> SuppressionResult:
    """Hide counts from 1 to ``threshold - 1``, totals included, and enough others to protect them.

    1. **Primary suppression**: every count from 1 to ``threshold - 1`` is hidden, body cells and
       row, column and grand totals alike (a total is a published count). Zero is published.
    2. **Complementary suppression**: for each hidden small count, in turn, other cells are hidden
       until the smallest and largest values a reader could deduce for it lie at least
       ``protection`` apart (its protection interval, as tau-ARGUS and sdcTable require). Each step
       hides the cheapest cycle of cells (fewest and smallest counts, totals last) that widens the
       range.
    3. :func:`audit_suppression` proves the result from the published numbers alone.

    The pattern is small but not guaranteed minimal; the audit is what guarantees protection.

    Parameters
    ----------
    data : DataFrame
        Counts (rows x columns, labels in the index). Row, column and grand totals are published
        with it.
    threshold : int
        The smallest count that may be published: 11 (the default) follows CMS (1-10 hidden), 10
        NCHS, 5 many agencies.
    protection : int, optional
        The width each hidden small count's feasible range must reach; default ``threshold``.
    total_label : str
        Label of the total row and column (must not be a row or column label of ``data``).

    Returns
    -------
    SuppressionResult

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"A": [25, 7, 40], "B": [3, 30, 12], "C": [18, 22, 0]},
    ...                       index=["North", "South", "East"])
    >>> result = suppress_small_cells(counts)
    >>> result.n_primary, result.n_complementary, result.audit.passes
    (2, 2, True)
    >>> suppress_small_cells(counts, threshold=0)
    Traceback (most recent call last):
    ...
    citykit.errors.ArgumentRangeError: threshold must be a number from 1 to 1000, but 0 was ...
    """
    values = _check_counts(data)
    threshold = _check_threshold(threshold)
    protection = _check_protection(protection, threshold)
    if total_label in values.index or total_label in values.columns:
        raise ArgumentRangeError(
            f"total_label {total_label!r} is already a row or column label of data; pick "
            "another, e.g. total_label='All'."
        )
    grid = _extended(values.to_numpy())
    primary = (grid > 0) & (grid < threshold)
    mask = _protect(grid, primary, primary, protection)
    audit = _audit(values, grid, mask, threshold, protection, total_label)
    index = list(values.index) + [total_label]
    columns = list(values.columns) + [total_label]
    rows, cols = values.shape
    shown = pd.DataFrame(grid.astype(object), index=index, columns=columns).where(~mask, SUPPRESSED)
    return SuppressionResult(
        published=shown.iloc[:rows, :cols].copy(),
        row_totals=shown.iloc[:rows, cols].rename(total_label),
        column_totals=shown.iloc[rows, :cols].rename(total_label),
        grand_total=shown.iloc[rows, cols],
        primary=pd.DataFrame(primary, index=index, columns=columns),
        complementary=pd.DataFrame(mask & ~primary, index=index, columns=columns),
        threshold=threshold,
        protection=protection,
        audit=audit,
        total_label=total_label,
    )
