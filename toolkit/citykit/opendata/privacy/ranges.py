"""What a reader can deduce about hidden cells: feasible ranges and complementary cells.

The published table is the "extended" grid: the body (R x C), a total column, a total row and the
grand total in the corner. The feasible range of a hidden cell is the linear programme of the
grid's sums, solved as a maximum flow with scipy; :func:`_protect` adds hidden cells until each
small count's range is wide enough. Private helpers of
:mod:`~citykit.opendata.privacy.suppression`.

Examples
--------
>>> import numpy as np
>>> grid = _extended(np.array([[25, 3], [7, 30]]))
>>> _range_of(grid, (grid > 0) & (grid < 11), (0, 1))
(3.0, 3.0)
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []


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
