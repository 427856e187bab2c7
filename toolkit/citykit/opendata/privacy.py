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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit.errors import (
    ArgumentRangeError,
    ColumnTypeError,
    EmptyDataError,
    require_between,
    require_columns,
    require_non_empty,
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

#: The mark printed in place of a suppressed count.
SUPPRESSED = "S"


def _check_counts(table: object, argument: str = "table") -> pd.DataFrame:
    if isinstance(table, pd.Series):
        raise ColumnTypeError(
            f"{argument} must be a table of counts (rows x columns), but a Series was given. "
            "Make one with count_table(data, rows=..., columns=...) or series.unstack()."
        )
    if not isinstance(table, pd.DataFrame):
        raise ColumnTypeError(
            f"{argument} must be a pandas DataFrame of counts, but a {type(table).__name__} was "
            "given."
        )
    require_non_empty(table, argument=argument)
    if table.shape[1] == 0:
        raise EmptyDataError(f"{argument} has no columns of counts.")
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]) or pd.api.types.is_bool_dtype(
            table[column]
        ):
            raise ColumnTypeError(
                f"{argument} column {column!r} must hold counts, but it holds "
                f"{table[column].dtype} values. Put labels in the index (table.set_index(...)) "
                "and keep only counts in the columns."
            )
    values = table.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ColumnTypeError(
            f"{argument} has missing counts; fill them (a missing count is usually 0: "
            f"{argument}.fillna(0))."
        )
    if (values < 0).any() or (values != np.round(values)).any():
        raise ArgumentRangeError(
            f"{argument} must hold whole, non-negative counts; it has negative or fractional "
            "values. Suppress counts, not rates or percentages."
        )
    return pd.DataFrame(values.astype("int64"), index=table.index, columns=table.columns)


def count_table(data: pd.DataFrame, *, rows: str, columns: str) -> pd.DataFrame:
    """Count records by two categories: the aggregate table a release would show.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"district": ["N", "N", "S"], "type": ["a", "b", "a"]})
    >>> count_table(d, rows="district", columns="type")
    type      a  b
    district
    N         1  1
    S         1  0

    Records without a label are counted in a ``"(missing)"`` row or column:

    >>> count_table(d.assign(district=["N", None, "S"]), rows="district", columns="type")
    type       a  b
    district
    (missing)  0  1
    N          1  0
    S          1  0
    """
    require_columns(data, [rows, columns], argument="data")
    require_non_empty(data, argument="data")
    # a record without a label is still a record: it is counted under "(missing)", so the
    # published totals and the small-cell suppression see every record
    return pd.crosstab(_labelled(data[rows]), _labelled(data[columns]))


MISSING_LABEL = "(missing)"


def _labelled(values: pd.Series) -> pd.Series:
    missing = values.isna().to_numpy(dtype=bool)
    if not missing.any():
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.add_categories([MISSING_LABEL]).fillna(MISSING_LABEL)
    return values.astype(object).where(~missing, MISSING_LABEL)


# --- the table with its totals -----------------------------------------------------------------
# The published table is the "extended" grid: the body (R x C), a total column, a total row and
# the grand total in the corner. Every row of the grid says "body cells add up to the row total"
# and every column "body cells add up to the column total"; totals are cells like any other.


def _extended(values: np.ndarray) -> np.ndarray:
    rows, cols = values.shape
    grid = np.zeros((rows + 1, cols + 1), dtype=np.int64)
    grid[:rows, :cols] = values
    grid[:rows, cols] = values.sum(axis=1)
    grid[rows, :cols] = values.sum(axis=0)
    grid[rows, cols] = values.sum()
    return grid


def _signs(size: int) -> np.ndarray:
    """+1 for a body line, -1 for the total line (the last one)."""
    out = np.ones(size)
    out[-1] = -1
    return out


def _max_push(grid: np.ndarray, mask: np.ndarray, cell: tuple[int, int], source: int, sink: int):
    """Largest amount that can circulate from ``source`` to ``sink`` through the other hidden cells.

    Nodes are the grid's rows (0..R) and columns (R+1..R+C+1). A hidden cell (a, b) may change by
    ``d`` with every row and column sum kept (signs of the total lines flipped), and must stay at 0
    or above: on a cell whose row and column are both body lines (or both totals) ``d >= -x``,
    otherwise ``d <= x``. That makes arc a->b carry up to the upper bound of ``d`` and arc b->a up
    to minus its lower bound; the range of ``cell`` is a maximum flow (scipy's ``maximum_flow``),
    the network form of the linear programme.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    n_rows, n_cols = grid.shape
    big = int(grid[-1, -1]) * 4 + 10
    cells = np.argwhere(mask)
    keep = ~((cells[:, 0] == cell[0]) & (cells[:, 1] == cell[1]))
    a, b = cells[keep, 0], cells[keep, 1]
    if a.size == 0:
        return 0
    x = grid[a, b].astype(np.int64)
    same = _signs(n_rows)[a] * _signs(n_cols)[b] > 0
    forward = np.where(same, big, x)  # arc row -> column: the upper bound of d
    backward = np.where(same, x, big)  # arc column -> row: minus its lower bound
    tails = np.concatenate([a, n_rows + b])
    heads = np.concatenate([n_rows + b, a])
    caps = np.concatenate([forward, backward]).astype(np.int32)
    size = n_rows + n_cols
    graph = csr_matrix((caps, (tails, heads)), shape=(size, size))
    graph.sum_duplicates()
    flow = maximum_flow(graph, source, sink, method="dinic").flow_value
    return np.inf if flow >= big else int(flow)


def _range_of(grid: np.ndarray, mask: np.ndarray, cell: tuple[int, int]):
    """Smallest and largest value of one hidden cell given every published number."""
    n_rows = grid.shape[0]
    k, j = int(cell[0]), int(cell[1])
    row, col = k, n_rows + j
    rs, cs = _signs(grid.shape[0]), _signs(grid.shape[1])
    # raising the cell by t sends t from row to column along it (same signs) or back (mixed):
    # the rest of the hidden cells must carry it home
    if rs[k] * cs[j] > 0:
        up, down = _max_push(grid, mask, (k, j), col, row), _max_push(grid, mask, (k, j), row, col)
    else:
        up, down = _max_push(grid, mask, (k, j), row, col), _max_push(grid, mask, (k, j), col, row)
    value = int(grid[k, j])
    return float(value - min(value, down)), float(value + up)


def _rectangle_widths(grid: np.ndarray, cell: tuple[int, int]):
    """For every partner (row k2, column j2), the range a 4-cell cycle through ``cell`` opens.

    Moving ``t`` around the cycle (cell, (k, j2), (k2, j2), (k2, j)) keeps every line sum; with
    the total line's sign flipped, each cell moves by +t or -t. The cell can rise until a cell that
    falls reaches 0, and fall until it or a cell that rises in the other direction reaches 0.
    """
    k, j = cell
    rs, cs = _signs(grid.shape[0]), _signs(grid.shape[1])
    k2 = np.arange(grid.shape[0])[:, None]
    j2 = np.arange(grid.shape[1])[None, :]
    # change of each partner cell when the target rises by 1
    d_a = -cs[j2] * cs[j] * np.ones_like(k2)  # (k, j2)
    d_b = rs[k2] * cs[j2] * rs[k] * cs[j]  # (k2, j2)
    d_c = -rs[k2] * rs[k] * np.ones_like(j2)  # (k2, j)
    v_a = np.broadcast_to(grid[k, :][None, :], d_b.shape).astype(float)
    v_b = grid.astype(float)
    v_c = np.broadcast_to(grid[:, j][:, None], d_b.shape).astype(float)
    inf = np.full(d_b.shape, np.inf)
    up = np.minimum.reduce(
        [np.where(d_a < 0, v_a, inf), np.where(d_b < 0, v_b, inf), np.where(d_c < 0, v_c, inf)]
    )
    down = np.minimum.reduce(
        [
            np.full(d_b.shape, float(grid[k, j])),
            np.where(d_a > 0, v_a, inf),
            np.where(d_b > 0, v_b, inf),
            np.where(d_c > 0, v_c, inf),
        ]
    )
    width = up + down
    width[k, :] = -1  # not a rectangle
    width[:, j] = -1
    return width


def _cell_cost(grid: np.ndarray) -> np.ndarray:
    """Information lost by hiding a cell: its count, totals weighing more than body cells."""
    weight = np.ones(grid.shape)
    weight[-1, :] = 3
    weight[:, -1] = 3
    weight[-1, -1] = 20
    return weight * (grid + 1)


def _protect(grid: np.ndarray, mask: np.ndarray, sensitive: np.ndarray, protection: int):
    """Add hidden cells until every sensitive cell's feasible range is at least ``protection``."""
    mask = mask.copy()
    cost = _cell_cost(grid)
    order = sorted(map(tuple, np.argwhere(sensitive)), key=lambda rc: (-grid[rc], rc))
    for cell in order:
        tried: set[tuple[int, int]] = set()
        low, high = _range_of(grid, mask, cell)
        for _ in range(grid.size):
            if high - low >= protection:
                break
            width = _rectangle_widths(grid, cell)
            k, j = cell
            new_cost = (
                np.where(~mask[k, :], cost[k, :], 0)[None, :]
                + np.where(~mask, cost, 0)
                + np.where(~mask[:, j], cost[:, j], 0)[:, None]
            )
            usable = (width >= 0) & (new_cost > 0)
            for k2, j2 in tried:
                usable[k2, j2] = False
            if not usable.any():
                break
            enough = usable & (width >= protection)
            if enough.any():
                pick = np.unravel_index(np.argmin(np.where(enough, new_cost, np.inf)), grid.shape)
            else:
                best = np.where(usable, width, -np.inf)
                top = best == best.max()
                pick = np.unravel_index(np.argmin(np.where(top, new_cost, np.inf)), grid.shape)
            k2, j2 = int(pick[0]), int(pick[1])
            tried.add((k2, j2))
            trial = mask.copy()
            trial[k, j2] = trial[k2, j2] = trial[k2, j] = True
            new_low, new_high = _range_of(grid, trial, cell)
            if new_high - new_low > high - low:
                mask, low, high = trial, new_low, new_high
    return mask


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
    """

    passes: bool
    cells: pd.DataFrame = field(repr=False)
    exposed: pd.DataFrame = field(default=None, repr=False)
    protection: int = 11
    flagged_rows: list = field(default_factory=list)
    flagged_columns: list = field(default_factory=list)

    def __repr__(self) -> str:
        if self.passes:
            return (
                f"SuppressionAudit(passes: each of {int(self.cells['primary'].sum())} hidden small "
                f"counts has a range at least {self.protection} wide; no small count published)"
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
        return f"SuppressionAudit(FAILS: {'; '.join(problems)})"

    def _repr_html_(self) -> str:
        head = "passes" if self.passes else "<strong>fails</strong>"
        return f"<p>Suppression audit {head}.</p>{self.cells.to_html(index=False)}"


def _check_mask(table: pd.DataFrame, suppressed: object, total_label: str) -> np.ndarray:
    """The hidden cells as an extended (R+1 x C+1) mask; a body-shaped mask publishes totals."""
    rows, cols = table.shape
    if not isinstance(suppressed, pd.DataFrame):
        raise ColumnTypeError(
            "suppressed must be a DataFrame of True/False with the same rows and columns as "
            f"table ({rows} x {cols}), or with a '{total_label}' row and column for the totals."
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
        f"suppressed must have the same rows and columns as table ({rows} x {cols}; totals "
        f"published), or those plus a '{total_label}' row and column ({rows + 1} x {cols + 1}). "
        "Build it from the table, e.g. suppressed = (table > 0) & (table < 11)."
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
        passes=not bool(weak.any()) and exposed.empty,
        cells=cells,
        exposed=exposed,
        protection=protection,
        flagged_rows=flagged_rows,
        flagged_columns=flagged_columns,
    )


def audit_suppression(
    table: pd.DataFrame,
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
    table : DataFrame
        The true counts (labels in the index).
    suppressed : DataFrame of bool
        True where a cell is hidden: the shape of ``table`` (every total published), or with a
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
    values = _check_counts(table)
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


def suppress_small_cells(
    table: pd.DataFrame,
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
    table : DataFrame
        Counts (rows x columns, labels in the index). Row, column and grand totals are published
        with it.
    threshold : int
        The smallest count that may be published: 11 (the default) follows CMS (1-10 hidden), 10
        NCHS, 5 many agencies.
    protection : int, optional
        The width each hidden small count's feasible range must reach; default ``threshold``.
    total_label : str
        Label of the total row and column (must not be a row or column label of ``table``).

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
    values = _check_counts(table)
    threshold = _check_threshold(threshold)
    protection = _check_protection(protection, threshold)
    if total_label in values.index or total_label in values.columns:
        raise ArgumentRangeError(
            f"total_label {total_label!r} is already a row or column label of table; pick "
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


@dataclass(frozen=True)
class KAnonymityReport:
    """How identifiable the records are on a set of quasi-identifiers.

    Attributes
    ----------
    k : int
        Size of the smallest group of records sharing the same quasi-identifier values.
    required_k : int
        The k the release needs.
    quasi_identifiers : tuple
        The columns checked.
    classes : DataFrame
        One row per combination with its ``size``, smallest first.
    at_risk : DataFrame
        The records in groups smaller than ``required_k`` (to generalise or suppress).
    """

    k: int
    required_k: int
    quasi_identifiers: tuple
    classes: pd.DataFrame = field(repr=False)
    at_risk: pd.DataFrame = field(repr=False)

    @property
    def n_at_risk(self) -> int:
        """Number of records in groups smaller than ``required_k``."""
        return len(self.at_risk)

    @property
    def share_at_risk(self) -> float:
        """Share of all records that are at risk (0-1)."""
        return self.n_at_risk / int(self.classes["size"].sum())

    @property
    def unique_records(self) -> int:
        """Records that are alone in their group (k = 1)."""
        return int((self.classes["size"] == 1).sum())

    def __repr__(self) -> str:
        verdict = "meets" if self.k >= self.required_k else "does not meet"
        return (
            f"KAnonymityReport(k={self.k} on {', '.join(self.quasi_identifiers)}: {verdict} "
            f"k={self.required_k}; {self.n_at_risk} records ({self.share_at_risk:.1%}) in groups "
            f"smaller than {self.required_k})"
        )

    def _repr_html_(self) -> str:
        return f"<p>{self!r}</p>{self.classes.head(10).to_html(index=False)}"


def k_anonymity(
    data: pd.DataFrame, *, quasi_identifiers: list[str] | tuple[str, ...], k: int = 5
) -> KAnonymityReport:
    """Measure k-anonymity on chosen quasi-identifiers and list the records at risk.

    Parameters
    ----------
    data : DataFrame
        One row per person or property (the records to release).
    quasi_identifiers : list of str
        Columns that someone could link to outside information (ZIP code, age band, sex,
        district, year built ...). Missing values count as a value of their own.
    k : int
        The group size the release needs (at least 1; 5 and 11 are common choices).

    Returns
    -------
    KAnonymityReport

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"zip3": ["021", "021", "022"], "sex": ["F", "F", "M"]})
    >>> report = k_anonymity(people, quasi_identifiers=["zip3", "sex"], k=2)
    >>> report.k, report.n_at_risk
    (1, 1)
    """
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    if not isinstance(quasi_identifiers, (list, tuple)) or not quasi_identifiers:
        raise ColumnTypeError(
            "quasi_identifiers must be a non-empty list of column names, e.g. "
            "['district', 'owner_type', 'year_built']."
        )
    require_columns(data, list(quasi_identifiers), argument="data")
    require_non_empty(data, argument="data")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ColumnTypeError(f"k must be a whole number such as 5, but {k!r} was given.")
    if k < 1:
        raise ArgumentRangeError(
            f"k must be at least 1 (every record is in a group of at least 1), but {k} was given. "
            "Common choices are 3, 5 or 11."
        )
    qi = list(quasi_identifiers)
    sizes = data.groupby(qi, dropna=False, sort=False)[qi[0]].transform("size")
    classes = (
        data.groupby(qi, dropna=False, sort=False)
        .size()
        .rename("size")
        .reset_index()
        .sort_values("size", kind="stable", ignore_index=True)
    )
    small = sizes.to_numpy() < k
    at_risk = data[small].assign(group_size=sizes.to_numpy()[small])
    return KAnonymityReport(
        k=int(classes["size"].min()),
        required_k=int(k),
        quasi_identifiers=tuple(qi),
        classes=classes,
        at_risk=at_risk,
    )
