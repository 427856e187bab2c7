"""Power / minimum-detectable-effect explorer for planning an A/B test of a rate.

Move the sliders (control-arm rate, units per arm, alpha, power) and see the smallest rise the test
can reliably detect and the whole power curve. Headless use: change a control's ``.value`` and
read ``.result``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from citykit._display import html_result
from citykit._renamed import renamed_options
from citykit.errors import CityKitError
from citykit.evaluation import mde_two_proportions, power_curve

__all__ = ["PowerExplorerResult", "power_explorer"]


@dataclass(frozen=True, repr=False)
class PowerExplorerResult:
    """What the explorer shows for the current settings.

    Attributes
    ----------
    control_rate, alpha, power : float
        The settings (shares).
    n_per_arm : int
        Units in each arm.
    method : str
        "arcsine" (Cohen's h, pwr / statsmodels NormalIndPower) or "pooled" (R power.prop.test).
    mde : float
        Minimum detectable rise as a share (NaN when the test is too small for any rise).
    treated_rate : float
        control_rate + mde.
    curve : pandas.DataFrame
        Power against true effect (see :func:`citykit.evaluation.power_curve`).
    message : str
        The plain-language summary shown above the chart.
    """

    control_rate: float
    n_per_arm: int
    alpha: float
    power: float
    method: str
    mde: float
    treated_rate: float
    curve: pd.DataFrame
    message: str

    @property
    def mde_pp(self) -> float:
        """The MDE in percentage points."""
        return 100 * self.mde

    def __repr__(self) -> str:
        return f"PowerExplorerResult({self.method}): {self.message}"

    def _repr_html_(self) -> str:
        return html_result(self.message)


def _message(control_rate, n, alpha, power, mde) -> str:
    if math.isnan(mde):
        return (
            f"With {n:,} units per arm and a control-arm rate of {control_rate:.0%}, no rise can be detected "
            f"with {power:.0%} power at a {alpha:.0%} significance level. Add units or accept "
            "lower power."
        )
    return (
        f"With {n:,} units per arm and a control-arm rate of {control_rate:.0%}, the smallest rise this test "
        f"can reliably detect ({power:.0%} power, {alpha:.0%} two-sided) is "
        f"{100 * mde:.1f} percentage points ({control_rate:.1%} → {control_rate + mde:.1%}). Smaller "
        "real effects will often be missed, so a 'no significant difference' result is not "
        "evidence of no effect."
    )


def _build_class():
    import ipywidgets as w

    class PowerExplorer(w.VBox):
        """A VBox with the sliders, a summary, the power curve, and ``result``.

        Attributes
        ----------
        control_rate, alpha, power : ipywidgets.FloatSlider
            Control-arm rate, significance level, wanted power.
        n_per_arm : ipywidgets.IntSlider
            Units in each arm.
        method : ipywidgets.Dropdown
            "arcsine" or "pooled".
        summary : ipywidgets.HTML
            The sentence describing the MDE.
        output : ipywidgets.Output
            Where the power curve is drawn.
        result : PowerExplorerResult
            The latest numbers.
        axes : matplotlib Axes or None
            The latest figure's axes (when drawing).
        """

        def __init__(self, *, control_rate, n_per_arm, alpha, power, method, max_n, draw):
            style = {"description_width": "110px"}
            layout = w.Layout(width="420px")
            self.control_rate = w.FloatSlider(
                value=control_rate,
                min=0.01,
                max=0.99,
                step=0.01,
                description="Control rate",
                readout_format=".0%",
                style=style,
                layout=layout,
                continuous_update=False,
            )
            self.n_per_arm = w.IntSlider(
                value=n_per_arm,
                min=20,
                max=max_n,
                step=10,
                description="Units per arm",
                readout_format=",d",  # 20,000 as in the summary, not 20000
                style=style,
                layout=layout,
                continuous_update=False,
            )
            self.alpha = w.FloatSlider(
                value=alpha,
                min=0.01,
                max=0.20,
                step=0.01,
                description="Alpha",
                readout_format=".0%",
                style=style,
                layout=layout,
                continuous_update=False,
            )
            self.power = w.FloatSlider(
                value=power,
                min=0.50,
                max=0.95,
                step=0.05,
                description="Power",
                readout_format=".0%",
                style=style,
                layout=layout,
                continuous_update=False,
            )
            self.method = w.Dropdown(
                options=[
                    ("Cohen's h (arcsine)", "arcsine"),
                    ("pooled (R power.prop.test)", "pooled"),
                ],
                value=method,
                description="Method",
                style=style,
                layout=layout,
            )
            self.summary = w.HTML()
            self.output = w.Output()
            self.result = None
            self.axes = None
            self._draw = draw
            super().__init__(
                [
                    self.control_rate,
                    self.n_per_arm,
                    self.alpha,
                    self.power,
                    self.method,
                    self.summary,
                    self.output,
                ]
            )
            for control in (self.control_rate, self.n_per_arm, self.alpha, self.power, self.method):
                control.observe(self._on_change, names="value")
            self.update()

        def _on_change(self, change) -> None:
            self.update()

        def update(self) -> None:
            """Recompute the MDE and the power curve from the controls (and redraw)."""
            p0, n = float(self.control_rate.value), int(self.n_per_arm.value)
            alpha, power, method = (
                float(self.alpha.value),
                float(self.power.value),
                self.method.value,
            )
            try:
                mde = mde_two_proportions(
                    control_rate=p0, n_per_arm=n, alpha=alpha, power=power, method=method
                )
            except CityKitError:
                mde = math.nan
            reach = 2 * mde if not math.isnan(mde) else 1.0
            curve = power_curve(
                control_rate=p0,
                n_per_arm=n,
                alpha=alpha,
                method=method,
                max_effect=min(reach, (1 - p0) * 0.999),
            )
            message = _message(p0, n, alpha, power, mde)
            self.result = PowerExplorerResult(
                control_rate=p0,
                n_per_arm=n,
                alpha=alpha,
                power=power,
                method=method,
                mde=mde,
                treated_rate=p0 + mde,
                curve=curve,
                message=message,
            )
            self.summary.value = html_result(message)
            if self._draw:
                self._redraw()

        def _redraw(self) -> None:
            import matplotlib.pyplot as plt
            from IPython.display import clear_output, display

            from citykit.plots.evaluation import power_curve_plot

            with self.output:
                clear_output(wait=True)
                ax = power_curve_plot(self.result.curve, target_power=self.result.power)
                self.axes = ax
                display(ax.figure)
                plt.close(ax.figure)

    return PowerExplorer


@renamed_options(baseline="control_rate")
def power_explorer(
    *,
    control_rate: float = 0.40,
    n_per_arm: int = 1000,
    alpha: float = 0.05,
    power: float = 0.80,
    method: str = "arcsine",
    max_n: int = 20000,
    draw: bool = True,
):
    """Return an interactive power / MDE explorer for a test of a rate (an ipywidgets VBox).

    Parameters
    ----------
    control_rate : float, keyword-only
        Starting control-arm rate (share, e.g. 0.40 for 40% paid on time).
    n_per_arm : int, keyword-only
        Starting units per arm.
    alpha, power : float, keyword-only
        Starting significance level and wanted power.
    method : {"arcsine", "pooled"}, keyword-only
        How power is computed (see :mod:`citykit.evaluation.power`).
    max_n : int, keyword-only
        Largest value of the units-per-arm slider.
    draw : bool, keyword-only
        Draw the power curve (turn off for fast headless tests).

    Returns
    -------
    ipywidgets.VBox
        With attributes ``control_rate``, ``n_per_arm``, ``alpha``, ``power``, ``method`` (the
        controls), ``summary``, ``output`` and ``result`` (a :class:`PowerExplorerResult`).

    Examples
    --------
    >>> explorer = power_explorer(control_rate=0.20, n_per_arm=1000, draw=False)
    >>> round(explorer.result.mde_pp, 2)
    5.23
    >>> explorer.n_per_arm.value = 4000
    >>> round(explorer.result.mde_pp, 2)
    2.56
    """
    from citykit.errors import require_keyword_choice
    from citykit.evaluation._checks import check_alpha, check_n, check_power, check_rate

    check_rate(control_rate, argument="control_rate")
    check_n(n_per_arm, argument="n_per_arm")
    check_alpha(alpha)
    check_power(power)
    require_keyword_choice(method, ("arcsine", "pooled"), argument="method")
    check_n(max_n, argument="max_n", minimum=max(20, int(n_per_arm)))
    cls = _build_class()
    return cls(
        control_rate=float(control_rate),
        n_per_arm=int(n_per_arm),
        alpha=float(alpha),
        power=float(power),
        method=method,
        max_n=int(max_n),
        draw=draw,
    )
