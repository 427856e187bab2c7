"""Explorers for the open-data lessons.

:func:`suppression_explorer` shows a count table as it would be published: move the threshold
slider and see which cells are hidden because they are small (primary), which are hidden to
protect them (complementary), and whether the audit proves none can be worked out from the
totals.

Examples
--------
>>> import pandas as pd
>>> counts = pd.DataFrame({"A": [25, 7, 40], "B": [3, 30, 12], "C": [18, 22, 0]},
...                       index=["North", "South", "East"])
>>> explorer = suppression_explorer(counts)
>>> explorer.result.published["B"].tolist()
['S', 'S', 12]
>>> explorer.threshold.value = 5
>>> explorer.result.published.loc["South", "A"]
7
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from citykit._renamed import renamed_options
from citykit.errors import ArgumentRangeError, require_between
from citykit.opendata.privacy import SUPPRESSED, SuppressionResult, suppress_small_cells

__all__ = ["suppression_explorer", "SuppressionExplorer"]

_PRIMARY = "#E69F00"  # orange: small cell
_COMPLEMENTARY = "#56B4E9"  # sky blue: hidden to protect a small cell
# counts right-aligned with room between columns ("40 12 0 52" ran together unpadded)
_CELL = "padding:2px 10px;text-align:right"


def _render(result: SuppressionResult) -> str:
    table = result.with_totals()
    head = "".join(f'<th style="{_CELL}">{html.escape(str(c))}</th>' for c in table.columns)
    rows = []
    for label in table.index:
        cells = []
        for column in table.columns:
            value = table.loc[label, column]
            style = _CELL
            if label in result.primary.index and column in result.primary.columns:
                if result.primary.loc[label, column]:
                    style += f";background:{_PRIMARY}"
                elif result.complementary.loc[label, column]:
                    style += f";background:{_COMPLEMENTARY}"
            cells.append(f'<td style="{style}">{html.escape(str(value))}</td>')
        rows.append(f"<tr><th>{html.escape(str(label))}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def _summary(result: SuppressionResult) -> str:
    audit = result.audit
    verdict = (
        f"<b>Audit passes</b>: no small count is printed, totals included, and every hidden one "
        f"keeps a range at least {audit.protection} wide."
        if audit.passes
        else "<b>Audit fails</b>: some small counts are printed or can still be narrowed down."
    )
    ranges = ""
    if len(audit.cells):
        parts = [
            f"{html.escape(str(r))}/{html.escape(str(c))}: {lo:g}-{hi:g}"
            for r, c, lo, hi in audit.cells[["row", "column", "low", "high"]].itertuples(
                index=False
            )
        ]
        ranges = "<br>What someone could infer for each hidden cell: " + "; ".join(parts)
    return (
        f"Counts from 1 to {result.threshold - 1} are hidden ({SUPPRESSED}). "
        f'<span style="background:{_PRIMARY}">{result.n_primary} small</span> + '
        f'<span style="background:{_COMPLEMENTARY}">{result.n_complementary} complementary'
        f"</span> cells hidden. {verdict}{ranges}"
    )


class SuppressionExplorer(widgets.VBox):
    """A threshold slider above the published table; ``.result`` follows the slider."""

    def __init__(self, data: pd.DataFrame, *, threshold: int, low: int, high: int) -> None:
        self._data = data
        self.result = suppress_small_cells(data, threshold=threshold)
        self.threshold = widgets.IntSlider(
            value=threshold,
            min=low,
            max=high,
            step=1,
            description="Threshold",
            tooltip="smallest count that may be published",
            continuous_update=False,
        )
        self.summary = widgets.HTML(_summary(self.result))
        self.table = widgets.HTML(_render(self.result))
        self.threshold.observe(self._update, names="value")
        super().__init__([self.threshold, self.summary, self.table])

    def _update(self, change: dict) -> None:
        self.result = suppress_small_cells(self._data, threshold=int(change["new"]))
        self.summary.value = _summary(self.result)
        self.table.value = _render(self.result)


@renamed_options(table="data")
def suppression_explorer(
    data: pd.DataFrame, *, threshold: int = 11, low: int = 1, high: int = 30
) -> SuppressionExplorer:
    """Explore small-cell suppression of a count table with a threshold slider.

    Parameters
    ----------
    data : DataFrame
        Counts (rows x columns, labels in the index), e.g. from
        :func:`citykit.opendata.count_table`.
    threshold : int
        Starting threshold (11 = CMS: counts 1-10 hidden).
    low, high : int
        Slider range.

    Returns
    -------
    SuppressionExplorer
        An ``ipywidgets.VBox``; ``.threshold`` is the slider, ``.result`` the current
        :class:`~citykit.opendata.SuppressionResult`, ``.table`` and ``.summary`` the HTML shown.

    Examples
    --------
    >>> import pandas as pd
    >>> explorer = suppression_explorer(pd.DataFrame({"A": [3, 30], "B": [40, 50]}), high=20)
    >>> explorer.result.n_primary, explorer.threshold.max
    (1, 20)
    """
    for name, value in (("threshold", threshold), ("low", low), ("high", high)):
        require_between(value, 1, 1000, argument=name)
    if not low <= threshold <= high:
        raise ArgumentRangeError(
            f"threshold ({threshold}) must lie between low ({low}) and high ({high}), the ends "
            "of the slider."
        )
    return SuppressionExplorer(data, threshold=int(threshold), low=int(low), high=int(high))
