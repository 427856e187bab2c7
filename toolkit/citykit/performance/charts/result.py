"""What a control chart returns (:class:`ControlChart`) and the chart constants (d2, d3, c4).

Examples
--------
>>> round(c4(2), 4)
0.7979
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit._display import html_result
from citykit.performance.rules import describe_rule

__all__ = ["D2", "D4", "D2_TABLE", "D3_TABLE", "c4", "ControlChart", "CHART_TYPES"]


#: d2 for moving ranges of two points (NIST/SEMATECH §6.3.2.2, qcc): sigma-hat = MR-bar / 1.128.
D2 = 1.128
#: D4 for moving ranges of two points (NIST, Montgomery): UCL of the moving-range chart.
D4 = 3.267

#: d2(n): the mean range of n normal values in standard deviations, n = 2..25, to the three
#: decimals of the published tables (ASTM; Montgomery, Appendix VI; NIST; qcc). The exact
#: integral is 1.128379 for n = 2; the tables' 1.128 is the convention behind every published
#: X-bar/R limit, and the one :data:`D2` uses for XmR charts.
D2_TABLE = {
    2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326, 6: 2.534, 7: 2.704, 8: 2.847, 9: 2.970,
    10: 3.078, 11: 3.173, 12: 3.258, 13: 3.336, 14: 3.407, 15: 3.472, 16: 3.532, 17: 3.588,
    18: 3.640, 19: 3.689, 20: 3.735, 21: 3.778, 22: 3.819, 23: 3.858, 24: 3.895, 25: 3.931,
}  # fmt: skip
#: d3(n): the standard deviation of that range, n = 2..25, the exact integral to 7 decimals
#: (n = 2: sqrt(2 - 4/pi) = 0.8525025). Published tables print 3 decimals (0.853).
D3_TABLE = {
    2: 0.8525025, 3: 0.8883680, 4: 0.8798082, 5: 0.8640819, 6: 0.8480397, 7: 0.8332053,
    8: 0.8198315, 9: 0.8078343, 10: 0.7970507, 11: 0.7873146, 12: 0.7784783, 13: 0.7704162,
    14: 0.7630231, 15: 0.7562114, 16: 0.7499081, 17: 0.7440518, 18: 0.7385909, 19: 0.7334815,
    20: 0.7286863, 21: 0.7241733, 22: 0.7199148, 23: 0.7158867, 24: 0.7120682, 25: 0.7084408,
}  # fmt: skip

#: Chart names accepted by :func:`control_chart`.
CHART_TYPES = ("xmr", "xbar", "r", "s", "p", "laney_p", "u", "laney_u", "c")


def c4(n) -> float | np.ndarray:
    """Return c4(n) = E[s]/sigma for n normal values: sqrt(2/(n-1)) Γ(n/2)/Γ((n-1)/2).

    Examples
    --------
    >>> round(c4(5), 7)
    0.9399856
    """
    n = np.asarray(n, dtype=float)
    lgamma = np.vectorize(math.lgamma)
    value = np.sqrt(2 / (n - 1)) * np.exp(lgamma(n / 2) - lgamma((n - 1) / 2))
    return float(value) if value.ndim == 0 else value


@dataclass(frozen=True, eq=False)
class ControlChart:
    """The result of a control chart: a tidy table plus the numbers behind the limits.

    Attributes
    ----------
    chart : str
        "XmR", "p", "p' (Laney)", "u", "u' (Laney)" or "c".
    table : DataFrame
        One row per period: ``period, value, centre, lcl, ucl, sigma, phase, signal, rules``
        and the chart's inputs.
    centre : float
        The centre line.
    sigma : float
        For XmR and c charts, the standard deviation of one point; for p and u charts, the
        standard deviation of a point with the average denominator; for X-bar, R and S charts,
        the within-subgroup standard deviation of one measurement (R-bar/d2 or s-bar/c4).
    baseline : str
        Which points the limits come from, in words.
    rule_set : str
        "western_electric" or "nelson".
    run_lengths : dict
        The rule lengths in use.
    details : dict
        Chart-specific numbers (``mr_bar``, ``mr_ucl``, ``d2``; ``sigma_z`` for Laney charts).
    value_label : str
        What the values are (for plots and summaries).
    notes : tuple of str
        What the chart left out or assumed (e.g. missing measurements), shown in the summary.
    """

    chart: str
    table: pd.DataFrame = field(repr=False)
    centre: float
    sigma: float
    baseline: str
    rule_set: str
    run_lengths: dict = field(repr=False)
    details: dict = field(default_factory=dict, repr=False)
    value_label: str = "value"
    notes: tuple = ()

    @property
    def signals(self) -> pd.DataFrame:
        """The rows of :attr:`table` with a signal."""
        return self.table[self.table["signal"]]

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the tidy table."""
        return self.table.copy()

    def signal_descriptions(self) -> list[str]:
        """Return one sentence per signalling period, e.g. ``"2024-03: 8 in a row below ..."``."""
        out = []
        for _, row in self.signals.iterrows():
            side = "above" if row["value"] > row["centre"] else "below"
            reasons = [
                describe_rule(code, run_lengths=self.run_lengths, side=side)
                for code in str(row["rules"]).split(", ")
            ]
            out.append(f"{_label(row['period'])}: " + "; ".join(reasons))
        return out

    def signal_stretches(self) -> list[str]:
        """Return one sentence per stretch of consecutive signalling points on the same side.

        Each rule is named once per stretch; a rule that fires on only some of the stretch's
        points says on how many and from when, e.g.
        ``"2024-04 to 2024-12: every point above the upper control limit; 8 in a row above the
        centre (2 of 9, from 2024-11)"``. :meth:`signal_descriptions` has one line per point.
        """
        table = self.table
        flags = table["signal"].to_numpy(dtype=bool)
        sides = np.where(table["value"].to_numpy(dtype=float) > table["centre"], "above", "below")
        stretches: list[list[int]] = []
        for position in np.flatnonzero(flags):
            last = stretches[-1][-1] if stretches else None
            if last is not None and last == position - 1 and sides[last] == sides[position]:
                stretches[-1].append(position)
            else:
                stretches.append([position])
        out = []
        for positions in stretches:
            side = sides[positions[0]]
            fired: dict[str, list[int]] = {}
            for position in positions:
                for code in str(table["rules"].iloc[position]).split(", "):
                    fired.setdefault(code, []).append(position)
            n = len(positions)
            reasons = []
            for code, where in fired.items():
                text = describe_rule(code, run_lengths=self.run_lengths, side=side)
                if n > 1 and code in ("WE1", "N1") and len(where) == n:
                    text = text.replace("a point", "every point", 1)
                elif n > 1 and len(where) < n:
                    text += f" ({len(where)} of {n}, from {_label(table['period'].iloc[where[0]])})"
                reasons.append(text)
            first = _label(table["period"].iloc[positions[0]])
            when = first if n == 1 else f"{first} to {_label(table['period'].iloc[positions[-1]])}"
            out.append(f"{when}: " + "; ".join(reasons))
        return out

    def summary(self) -> str:
        """Return a few plain sentences about the chart.

        Numbers share one precision, set by the size of sigma; signals are grouped into
        stretches of consecutive points (see :meth:`signal_stretches`).
        """
        n_signal = int(self.table["signal"].sum())
        lcl = self.table["lcl"]
        ucl = self.table["ucl"]
        number = _number_format(self.sigma)
        varies = "subgroup size" if "n" in self.table.columns else "denominator"
        limits = (
            f"limits {number(lcl.iloc[0])} to {number(ucl.iloc[0])}"
            if lcl.nunique() <= 1 and ucl.nunique() <= 1
            else f"limits vary with the {varies} (UCL {number(ucl.min())} to {number(ucl.max())})"
        )
        text = (
            f"{self.chart} chart of {self.value_label}: {len(self.table)} points, centre "
            f"{number(self.centre)}, {limits}; limits from {self.baseline}. "
        )
        notes = "".join(f" {note}" for note in self.notes)
        if n_signal == 0:
            return text + "No signals: the variation looks routine." + notes
        points = "1 point signals" if n_signal == 1 else f"{n_signal} points signal"
        return text + f"{points}: " + " | ".join(self.signal_stretches()) + "." + notes

    def __repr__(self) -> str:
        return f"<ControlChart {self.summary()}>"

    def _repr_html_(self) -> str:
        return html_result(
            self.summary(),
            title=f"{self.chart} chart",
            tables=[(None, self.table)],
            index=False,
            max_rows=40,
        )


def _number_format(sigma: float):
    """Return a formatter with enough decimals to show a tenth of ``sigma`` (at most 6)."""
    if np.isfinite(sigma) and sigma > 0:
        decimals = int(min(6, max(0, 2 - np.floor(np.log10(sigma)))))
    else:
        decimals = 4
    return lambda value: f"{value:,.{decimals}f}"


def _label(period: object) -> str:
    if isinstance(period, pd.Timestamp):
        if period == period.normalize() and period.day == 1:
            return period.strftime("%Y-%m")
        return period.strftime("%Y-%m-%d")
    return str(period)
