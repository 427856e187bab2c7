"""Privacy before release: small-cell suppression that holds up, and k-anonymity.

**Small cells.** Health and social-services agencies do not publish counts from 1 to 10 (CMS
cell-size suppression policy: "no cell ... containing a value of 1 to 10"; zero is allowed), and
no such value may be *derivable* from other published numbers. Hiding the small cells alone is
not enough when row and column totals are published: a row with one hidden cell gives it away by
subtraction. :func:`suppress_small_cells` therefore adds *complementary* suppressions until every
row and column has either none or at least two hidden cells, and :func:`audit_suppression`
proves the result: for every hidden cell it computes the smallest and largest value consistent
with everything published (a linear programme solved with ``scipy.optimize.linprog``). A cell is
safe when that range is not a single number.

The threshold is a parameter because policies differ: CMS suppresses 1-10 (``threshold=11``,
the default), NCHS 1-9 (``threshold=10``), many agencies 1-4 (``threshold=5``).

The complementary cells are chosen by a simple, transparent rule (in a line with one hidden cell,
hide the cell in a column or row that also needs a partner, else the smallest non-zero cell), so
the pattern is small but not guaranteed minimal; the audit is what guarantees protection.

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
>>> result.published
        A   B   C
North   S   S  18
South   S   S  22
East   40  12   0
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
    """
    require_columns(data, [rows, columns], argument="data")
    require_non_empty(data, argument="data")
    return pd.crosstab(data[rows], data[columns])


def _complementary(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Add hidden cells until no row or column has exactly one (transparent heuristic)."""
    mask = mask.copy()
    n_rows, n_cols = values.shape
    for _ in range(n_rows * n_cols):
        changed = False
        for axis in (0, 1):  # rows, then columns
            lines = n_rows if axis == 0 else n_cols
            for i in range(lines):
                line = mask[i, :] if axis == 0 else mask[:, i]
                if line.sum() != 1:
                    continue
                other_counts = mask.sum(axis=0) if axis == 0 else mask.sum(axis=1)
                best, best_key = None, None
                for j in range(len(line)):
                    if line[j]:
                        continue
                    value = values[i, j] if axis == 0 else values[j, i]
                    key = (
                        0 if other_counts[j] == 1 else (1 if other_counts[j] > 1 else 2),
                        value == 0,
                        value,
                        j,
                    )
                    if best_key is None or key < best_key:
                        best, best_key = j, key
                if best is None:
                    continue  # a line of one cell: nothing else to hide (the audit will say)
                if axis == 0:
                    mask[i, best] = True
                else:
                    mask[best, i] = True
                changed = True
        if not changed:
            break
    return mask


def _ranges(values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest value of each hidden cell given published cells and margins."""
    from scipy.optimize import linprog

    cells = np.argwhere(mask)
    n = len(cells)
    if n == 0:
        return np.array([]), np.array([])
    a_eq, b_eq = [], []
    for axis in (0, 1):
        for i in range(values.shape[axis]):
            members = [k for k, (r, c) in enumerate(cells) if (r if axis == 0 else c) == i]
            if not members:
                continue
            row = np.zeros(n)
            row[members] = 1
            line_values = values[i, :] if axis == 0 else values[:, i]
            line_mask = mask[i, :] if axis == 0 else mask[:, i]
            a_eq.append(row)
            b_eq.append(line_values[line_mask].sum())
    a_eq, b_eq = np.asarray(a_eq), np.asarray(b_eq, dtype=float)
    low, high = np.zeros(n), np.zeros(n)
    for k in range(n):
        objective = np.zeros(n)
        objective[k] = 1
        lo = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        low[k] = lo.fun
        high[k] = -hi.fun
    return np.round(low, 6), np.round(high, 6)


@dataclass(frozen=True)
class SuppressionAudit:
    """Whether any hidden cell can be worked out from the published table and its totals.

    Attributes
    ----------
    passes : bool
        True when no hidden cell's value is pinned down exactly.
    cells : DataFrame
        One row per hidden cell: ``row, column, value, primary, low, high, exact``; ``low`` and
        ``high`` are the feasible range given every published number.
    flagged_rows, flagged_columns : list
        Rows and columns with exactly one hidden cell (recoverable by subtraction).
    """

    passes: bool
    cells: pd.DataFrame = field(repr=False)
    flagged_rows: list = field(default_factory=list)
    flagged_columns: list = field(default_factory=list)

    def __repr__(self) -> str:
        if self.passes:
            return (
                f"SuppressionAudit(passes: none of {len(self.cells)} hidden cells can be derived)"
            )
        exact = self.cells[self.cells["exact"]]
        names = ", ".join(f"{r}/{c}" for r, c in zip(exact["row"], exact["column"], strict=True))
        return f"SuppressionAudit(FAILS: {len(exact)} hidden cells can be derived: {names})"

    def _repr_html_(self) -> str:
        head = "passes" if self.passes else "<strong>fails</strong>"
        return f"<p>Suppression audit {head}.</p>{self.cells.to_html(index=False)}"


def audit_suppression(
    table: pd.DataFrame, *, suppressed: pd.DataFrame, threshold: int = 11
) -> SuppressionAudit:
    """Prove (or disprove) that hidden cells cannot be recovered from what is published.

    The row totals, column totals and every cell not in ``suppressed`` are taken as published.

    Parameters
    ----------
    table : DataFrame
        The true counts.
    suppressed : DataFrame of bool
        Same shape as ``table``; True where a cell is hidden.
    threshold : int
        Only used to mark which hidden cells are small (``primary``: 1 to threshold - 1).

    Returns
    -------
    SuppressionAudit

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"A": [25, 7], "B": [3, 30]}, index=["North", "South"])
    >>> primary_only = counts.isin([3, 7])
    >>> audit_suppression(counts, suppressed=primary_only)
    SuppressionAudit(FAILS: 2 hidden cells can be derived: North/B, South/A)
    """
    values = _check_counts(table)
    if not isinstance(suppressed, pd.DataFrame) or suppressed.shape != table.shape:
        raise ColumnTypeError(
            "suppressed must be a DataFrame of True/False with the same rows and columns as "
            f"table ({table.shape[0]} x {table.shape[1]})."
        )
    if not (suppressed.index.equals(table.index) and suppressed.columns.equals(table.columns)):
        raise ColumnTypeError(
            "suppressed must have the same row labels and column names as table; build it from "
            "the table, e.g. suppressed = (table > 0) & (table < 11)."
        )
    mask = suppressed.fillna(False).astype(bool).to_numpy()
    grid = values.to_numpy()
    low, high = _ranges(grid, mask)
    cells = np.argwhere(mask)
    require_between(threshold, 1, 1000, argument="threshold")
    threshold_hint = (grid > 0) & (grid < threshold)
    frame = pd.DataFrame(
        {
            "row": [table.index[r] for r, _ in cells],
            "column": [table.columns[c] for _, c in cells],
            "value": [int(grid[r, c]) for r, c in cells],
            "primary": [bool(threshold_hint[r, c]) for r, c in cells],
            "low": low,
            "high": high,
            "exact": low == high,
        }
    )
    flagged_rows = [table.index[i] for i in range(grid.shape[0]) if mask[i, :].sum() == 1]
    flagged_columns = [table.columns[j] for j in range(grid.shape[1]) if mask[:, j].sum() == 1]
    return SuppressionAudit(
        passes=not bool(frame["exact"].any()),
        cells=frame,
        flagged_rows=flagged_rows,
        flagged_columns=flagged_columns,
    )


@dataclass(frozen=True)
class SuppressionResult:
    """A table ready to publish with small cells hidden, and the proof that they stay hidden.

    Attributes
    ----------
    published : DataFrame
        The counts with ``"S"`` in every hidden cell.
    row_totals, column_totals : Series
        The published totals (of the true counts).
    primary, complementary : DataFrame of bool
        Which cells were hidden because they are small, and which to protect them.
    threshold : int
        Counts from 1 to ``threshold - 1`` were hidden.
    audit : SuppressionAudit
        The feasible range of every hidden cell.
    """

    published: pd.DataFrame
    row_totals: pd.Series = field(repr=False)
    column_totals: pd.Series = field(repr=False)
    primary: pd.DataFrame = field(repr=False)
    complementary: pd.DataFrame = field(repr=False)
    threshold: int = 11
    audit: SuppressionAudit = field(default=None, repr=False)

    @property
    def n_primary(self) -> int:
        """Number of small cells hidden."""
        return int(self.primary.to_numpy().sum())

    @property
    def n_complementary(self) -> int:
        """Number of extra cells hidden to protect them."""
        return int(self.complementary.to_numpy().sum())

    def with_totals(self, *, label: str = "Total") -> pd.DataFrame:
        """Return the published table with a total column and a total row."""
        out = self.published.copy()
        out[label] = self.row_totals
        totals = [*self.column_totals.tolist(), int(self.row_totals.sum())]
        out.loc[label] = totals
        return out

    def __repr__(self) -> str:
        status = "passes" if self.audit.passes else "FAILS"
        return (
            f"SuppressionResult(threshold {self.threshold}: counts 1-{self.threshold - 1} hidden; "
            f"{self.n_primary} small cells + {self.n_complementary} complementary; audit {status})"
        )

    def _repr_html_(self) -> str:
        return (
            f"<p>Counts from 1 to {self.threshold - 1} hidden: {self.n_primary} small cells and "
            f"{self.n_complementary} complementary cells. Audit: "
            f"{'passes' if self.audit.passes else '<strong>fails</strong>'}.</p>"
            f"{self.with_totals().to_html()}"
        )


def suppress_small_cells(table: pd.DataFrame, *, threshold: int = 11) -> SuppressionResult:
    """Hide counts from 1 to ``threshold - 1`` and enough other cells that none can be derived.

    Parameters
    ----------
    table : DataFrame
        Counts (rows x columns, labels in the index); row and column totals are published.
    threshold : int
        The smallest count that may be published; counts 1 .. threshold-1 are hidden, zero is
        published. 11 (the default) follows CMS (1-10 hidden); 10 follows NCHS; 5 is common.

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
    hint = (
        "It is the smallest count you may publish: 11 hides 1-10 (CMS), 10 hides 1-9 (NCHS), "
        "5 hides 1-4."
    )
    require_between(threshold, 1, 1000, argument="threshold", hint=hint)
    if float(threshold) != int(threshold):
        raise ArgumentRangeError(f"threshold must be a whole number, but {threshold!r} was given.")
    threshold = int(threshold)
    grid = values.to_numpy()
    primary = (grid > 0) & (grid < threshold)
    mask = _complementary(grid, primary)
    for _ in range(grid.size):  # rare: a pattern the line rule leaves derivable
        low, high = _ranges(grid, mask)
        cells = np.argwhere(mask)
        exact = [tuple(cells[k]) for k in range(len(cells)) if low[k] == high[k]]
        if not exact:
            break
        r, _ = exact[0]
        free = [(grid[r, j] == 0, grid[r, j], j) for j in range(grid.shape[1]) if not mask[r, j]]
        if not free:
            free_cells = np.argwhere(~mask)
            if len(free_cells) == 0:
                break
            mask[tuple(free_cells[0])] = True
        else:
            mask[r, min(free)[2]] = True
        mask = _complementary(grid, mask)
    published = values.astype(object).where(~mask, SUPPRESSED)
    primary_frame = pd.DataFrame(primary, index=table.index, columns=table.columns)
    complementary_frame = pd.DataFrame(mask & ~primary, index=table.index, columns=table.columns)
    audit = audit_suppression(
        values,
        suppressed=pd.DataFrame(mask, index=table.index, columns=table.columns),
        threshold=threshold,
    )
    return SuppressionResult(
        published=published,
        row_totals=values.sum(axis=1),
        column_totals=values.sum(axis=0),
        primary=primary_frame,
        complementary=complementary_frame,
        threshold=threshold,
        audit=audit,
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
