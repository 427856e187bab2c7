"""Control-chart explorer: pick a department and measure, a rule set, a run length, a baseline."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from citykit._display import escape
from citykit._renamed import renamed_options
from citykit.errors import CityKitError
from citykit.performance import p_chart, xmr_chart
from citykit.performance._checks import check_table, to_datetime

__all__ = ["control_chart_explorer", "ControlChartExplorer"]


class ControlChartExplorer(w.VBox):
    """The explorer: a container of controls and a chart, with its state as attributes.

    Attributes
    ----------
    department, measure : ipywidgets.Dropdown
        Which series to chart (the measure list follows the department).
    rule_set : ipywidgets.Dropdown
        "western_electric" or "nelson".
    run_length : ipywidgets.IntSlider
        Points in a row on one side of the centre that make a signal (2-15).
    baseline_end : ipywidgets.SelectionSlider
        The last period whose variation sets the limits.
    output : ipywidgets.Output
        Where the chart is drawn.
    chart : ControlChart
        The latest chart.
    result : DataFrame
        The latest chart's tidy table (period, value, centre, lcl, ucl, signal, rules ...).
    summary : ipywidgets.HTML
        The chart's summary in words.
    """

    def __init__(self, data, *, by, measure, period, value, cases, draw):
        super().__init__()
        self._data = data
        self._columns = {"department": by, "measure": measure,
                         "period": period, "value": value, "cases": cases}  # fmt: skip
        self._draw = draw
        departments = sorted(data[by].dropna().astype(str).unique())
        self.department = w.Dropdown(options=departments, value=departments[0],
                                     description="Department")  # fmt: skip
        # as wide as its longest option: measure names run to 50 characters
        self.measure = w.Dropdown(options=self._measures(departments[0]), description="Measure",
                                  layout=w.Layout(width="max-content"))  # fmt: skip
        self.rule_set = w.Dropdown(
            options=[("Western Electric", "western_electric"), ("Nelson", "nelson")],
            value="western_electric",
            description="Rules",
        )
        self.run_length = w.IntSlider(value=8, min=2, max=15, description="Run length")
        periods = self._periods()
        self.baseline_end = w.SelectionSlider(
            options=self._period_options(periods),
            value=periods[min(11, len(periods) - 1)],
            description="Baseline to",
        )
        self.output = w.Output()
        self.summary = w.HTML()
        self.chart = None
        self.result = None
        self.department.observe(self._on_department, names="value")
        self._busy = False
        for control in (self.measure, self.rule_set, self.run_length, self.baseline_end):
            control.observe(self._on_control, names="value")
        controls = w.VBox([w.HBox([self.department, self.measure]),
                           w.HBox([self.rule_set, self.run_length]), self.baseline_end])  # fmt: skip
        self.children = [controls, self.summary, self.output]
        self.update()

    @property
    def widget(self):
        """The container to display (the explorer itself)."""
        return self

    def _on_control(self, change) -> None:
        if not self._busy:
            self.update()

    # -- helpers -----------------------------------------------------------------------------
    def _measures(self, department: str) -> list[str]:
        c = self._columns
        rows = self._data[self._data[c["department"]].astype(str) == department]
        return list(dict.fromkeys(rows[c["measure"]].astype(str)))

    def _series(self) -> pd.DataFrame:
        c = self._columns
        d = self._data
        rows = d[(d[c["department"]].astype(str) == self.department.value)
                 & (d[c["measure"]].astype(str) == self.measure.value)]  # fmt: skip
        return rows.sort_values(c["period"])

    def _periods(self) -> list:
        series = self._series()
        return list(series[self._columns["period"]])

    @staticmethod
    def _period_options(periods):
        return [
            (p.strftime("%Y-%m") if isinstance(p, pd.Timestamp) else str(p), p) for p in periods
        ]

    def _on_department(self, change) -> None:
        self._busy = True
        try:
            self.measure.options = self._measures(change["new"])
            self.measure.value = self.measure.options[0]
            self._reset_baseline()
        finally:
            self._busy = False
        self.update()

    def _reset_baseline(self) -> None:
        periods = self._periods()
        current = self.baseline_end.value
        self.baseline_end.options = self._period_options(periods)
        self.baseline_end.value = (
            current if current in periods else periods[min(11, len(periods) - 1)]
        )

    # -- drawing -----------------------------------------------------------------------------
    def update(self) -> None:
        """Recompute the chart from the controls and redraw it."""
        c = self._columns
        series = self._series()
        if series.empty:
            return
        periods = list(series[c["period"]])
        if self.baseline_end.value not in periods:
            self._busy = True
            try:
                self._reset_baseline()
            finally:
                self._busy = False
        start = periods[0]
        end = self.baseline_end.value
        options = {"rule_set": self.rule_set.value, "run_length": self.run_length.value,
                   "baseline": (start, end), "period": "period"}  # fmt: skip
        use_p = (
            c["cases"] is not None
            and c["cases"] in series
            and series[c["cases"]].notna().all()
            and series[c["value"]].between(0, 1).all()
        )
        if use_p:
            frame = pd.DataFrame({
                "period": series[c["period"]].to_numpy(),
                "hits": (series[c["value"]] * series[c["cases"]].astype(float)).round().to_numpy(),
                "cases": series[c["cases"]].astype(float).to_numpy(),
            })  # fmt: skip
            chart = p_chart(frame, numerator="hits", denominator="cases", laney=True,
                            label=self.measure.value, **options)  # fmt: skip
        else:
            frame = pd.DataFrame({"period": series[c["period"]].to_numpy(),
                                  "value": series[c["value"]].to_numpy()})  # fmt: skip
            chart = xmr_chart(frame, value="value", label=self.measure.value, **options)
        self.chart = chart
        self.result = chart.table
        self.summary.value = f"<p>{escape(chart.summary())}</p>"
        if self._draw:
            self._redraw()

    def _redraw(self) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import clear_output, display

        from citykit.plots.performance import control_chart_plot

        with self.output:
            clear_output(wait=True)
            ax = control_chart_plot(self.chart, title=f"{self.department.value}: {self.measure.value}",
                               ylabel=f"{self.measure.value}")  # fmt: skip
            display(ax.figure)
            plt.close(ax.figure)


@renamed_options(department_column="by")
def control_chart_explorer(
    data: pd.DataFrame,
    *,
    by: str = "department",
    measure: str = "measure",
    period: str = "month",
    value: str = "value",
    cases: str | None = "cases",
    draw: bool = True,
) -> ControlChartExplorer:
    """An interactive control chart of one department's measure, redrawn as controls change.

    Shares with a ``cases`` column are charted on a Laney p' chart; everything else on an XmR
    chart. The returned container displays itself in Jupyter; a test can change a control
    (``explorer.run_length.value = 6``) and read ``explorer.result``.

    Parameters
    ----------
    data : DataFrame
        Measures in long form (the sample city's ``department_measures`` table).
    by : str, keyword-only
        The column naming each row's department (one choice in the explorer per department).
    measure, period, value : str, keyword-only
        Column names.
    cases : str or None, keyword-only
        Column with the number of cases behind a share (None to always use XmR).
    draw : bool, keyword-only
        Draw the figure (turn off for fast headless tests).

    Returns
    -------
    ControlChartExplorer

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"department": "Parks", "measure": "Days to trim",
    ...                      "month": pd.date_range("2024-01-01", periods=6, freq="MS"),
    ...                      "value": [5.0, 5.2, 4.9, 5.1, 8.0, 8.2]})
    >>> explorer = control_chart_explorer(data, cases=None, draw=False)
    >>> explorer.baseline_end.value = pd.Timestamp("2024-04-01")
    >>> explorer.result["signal"].tolist()
    [False, False, False, False, True, True]
    """
    check_table(data, [by, measure, period, value])
    frame = data.copy()
    frame[period] = to_datetime(frame[period])
    if frame[period].isna().all():
        raise CityKitError(f"column {period!r} holds no dates; it must give each row's period.")
    frame[value] = pd.to_numeric(frame[value], errors="coerce")
    frame = frame.dropna(subset=[value, period])
    if frame.empty:
        raise CityKitError(f"column {value!r} has no numbers to chart.")
    return ControlChartExplorer(frame, by=by, measure=measure,
                                period=period, value=value, cases=cases, draw=draw)  # fmt: skip
