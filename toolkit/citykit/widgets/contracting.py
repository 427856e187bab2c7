"""Risk-adjustment explorer: pick risk factors, change a provider's mix, watch where providers stand.

The explorer is an ``ipywidgets`` box. Its controls and its latest result are attributes, so a
test (or a curious learner) can drive it without a browser::

    explorer = risk_adjustment_explorer(exits, outcome="exit_ph", risk_factors=[...],
                                        high_risk="high_risk")
    explorer.factors.value = ("disabling_condition",)
    explorer.share.value = 0.8
    explorer.result.table          # each provider against its own clients, after the change

The table has no ranks: each provider is read against its own interval and the funnel's limits
(``funnel_zone``), the comparison the course teaches instead of a league table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykit._display import escape
from citykit.errors import CityKitError, require_columns

__all__ = ["RiskExplorerResult", "risk_adjustment_explorer"]


@dataclass(frozen=True)
class RiskExplorerResult:
    """What the explorer shows: the risk adjustment, the funnel and the providers' table."""

    risk: object
    funnel: object
    table: pd.DataFrame
    provider: str
    high_risk_share: float | None

    def __repr__(self) -> str:
        return f"RiskExplorerResult\n{self.table.round(3).to_string(index=False)}"

    def _repr_html_(self) -> str:
        return _table_html(self.table, provider=self.risk.provider, level=self.risk.level)


# Readable headers and formats for the explorer's table; ``result.table`` keeps the column names.
def _cell_style(column: str, provider: str) -> str:
    side = "left" if column in (provider, "funnel_zone") else "right"  # text left, numbers right
    return f"padding:2px 10px;text-align:{side}"


def _table_html(table: pd.DataFrame, *, provider: str, level: float) -> str:
    """The providers' table as HTML: plain-language headers, rates as percentages."""
    interval = f"{level:.0%}"
    shown = {
        provider: ("Provider", str),
        "clients": ("Clients", lambda v: f"{v:,}"),
        "high_risk_share": ("High-risk share", lambda v: f"{v:.0%}"),
        "crude_rate": ("Crude rate", lambda v: f"{v:.1%}"),
        "oe_ratio": ("O/E", lambda v: f"{v:.2f}"),
        "oe_low": (f"O/E {interval} low", lambda v: f"{v:.2f}"),
        "oe_high": (f"O/E {interval} high", lambda v: f"{v:.2f}"),
        "funnel_zone": ("Funnel zone", str),
    }
    columns = [c for c in table.columns if c in shown]
    head = "".join(
        f'<th style="{_cell_style(c, provider)}">{escape(shown[c][0])}</th>' for c in columns
    )
    rows = []
    for record in table[columns].itertuples(index=False):
        cells = []
        for column, value in zip(columns, record, strict=True):
            text = "" if pd.isna(value) else shown[column][1](value)
            cells.append(f'<td style="{_cell_style(column, provider)}">{escape(text)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _reshaped(
    data: pd.DataFrame,
    *,
    provider_col: str,
    provider: str,
    high_risk: str | None,
    share: float,
    seed: int,
) -> pd.DataFrame:
    """Give one provider a different share of high-risk clients (resampling its own clients)."""
    if high_risk is None:
        return data
    mine = data[data[provider_col] == provider]
    flag = mine[high_risk].astype(bool)
    if abs(share - float(flag.mean())) < 1e-9:
        return data
    n = len(mine)
    k = int(round(share * n))
    high, low = mine[flag], mine[~flag]
    if (k > 0 and high.empty) or (k < n and low.empty):
        raise CityKitError(
            f"provider {provider!r} has no {'high' if high.empty else 'low'}-risk clients to "
            f"resample; pick another provider."
        )
    rng = np.random.default_rng(seed)
    parts = []
    if k:
        parts.append(high.iloc[rng.integers(0, len(high), k)])
    if n - k:
        parts.append(low.iloc[rng.integers(0, len(low), n - k)])
    others = data[data[provider_col] != provider]
    return pd.concat([others, *parts], ignore_index=True)


def risk_adjustment_explorer(
    data: pd.DataFrame,
    *,
    outcome: str,
    risk_factors: list[str] | tuple[str, ...],
    provider: str = "provider_id",
    high_risk: str | None = None,
    seed: int = 0,
):
    """Build the explorer for a client-level table.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per client (or exit) with the 0/1 outcome, the provider and the risk factors.
    outcome : str, keyword-only
        The outcome column (e.g. exit to permanent housing).
    risk_factors : list of str, keyword-only
        Candidate risk factors; all are selected at first.
    provider : str, keyword-only
        Provider column.
    high_risk : str, optional, keyword-only
        A boolean column marking high-risk clients. When given, a slider sets the chosen
        provider's share of high-risk clients (its clients are resampled, seeded).
    seed : int, keyword-only
        Seed of the resampling.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``factors`` (SelectMultiple), ``provider`` (Dropdown), ``share``
        (FloatSlider), ``message``, ``table`` (HTML), ``figure`` (Image) and ``result``
        (:class:`RiskExplorerResult`, or None while the choice cannot be fitted; ``message`` says
        why).

    Examples
    --------
    >>> import pandas as pd
    >>> clients = pd.DataFrame({"provider_id": list("AAAABBBBCCCC"),
    ...     "high_risk": [0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1],
    ...     "housed": [1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0]})
    >>> explorer = risk_adjustment_explorer(clients, outcome="housed", risk_factors=["high_risk"])
    >>> explorer.result.table[["provider_id", "funnel_zone"]].values.tolist()
    [['A', 'within 95% limits'], ['B', 'within 95% limits'], ['C', 'within 95% limits']]
    >>> explorer.factors.value = ()
    >>> explorer.result is None
    True
    """
    import ipywidgets as widgets

    factors = list(risk_factors)
    if not factors:
        raise CityKitError("risk_factors is empty; give the explorer at least one candidate.")
    needed = [outcome, provider, *factors] + ([high_risk] if high_risk else [])
    require_columns(data, needed, argument="data")
    providers = sorted(data[provider].astype(str).unique())
    if not providers:
        raise CityKitError("data has no providers (no rows?).")

    def actual_share(name: str) -> float:
        if high_risk is None:
            return 0.0
        return float(data.loc[data[provider].astype(str) == name, high_risk].astype(bool).mean())

    factor_box = widgets.SelectMultiple(
        options=factors, value=tuple(factors), description="Risk factors", rows=min(8, len(factors))
    )
    provider_box = widgets.Dropdown(options=providers, value=providers[0], description="Provider")
    share_box = widgets.FloatSlider(
        value=round(actual_share(providers[0]), 2),
        min=0.0,
        max=1.0,
        step=0.05,
        description="High-risk share",
        disabled=high_risk is None,
        readout_format=".0%",
        style={"description_width": "initial"},  # the whole label, not "High-risk ..."
    )
    message = widgets.HTML()
    table_box = widgets.HTML()
    # Shown at the PNG's own size (shrunk, never stretched, on a narrow page): a flex column
    # would otherwise stretch the image to the full width of the output area.
    figure = widgets.Image(
        format="png",
        layout=widgets.Layout(
            align_self="flex-start",
            width="auto",
            height="auto",
            max_width="100%",
            object_fit="contain",
        ),
    )
    box = widgets.VBox(
        [
            widgets.HBox([factor_box, widgets.VBox([provider_box, share_box])]),
            message,
            table_box,
            figure,
        ]
    )
    box.factors, box.provider, box.share = factor_box, provider_box, share_box
    box.message, box.table, box.figure = message, table_box, figure
    box.result = None

    def redraw(*_args) -> None:
        from citykit.contracting import funnel_data, risk_adjust

        chosen = list(factor_box.value)
        if not chosen:
            message.value = "<b>Pick at least one risk factor.</b>"
            box.result = None
            return
        try:
            sample = _reshaped(
                data,
                provider_col=provider,
                provider=provider_box.value,
                high_risk=high_risk,
                share=float(share_box.value),
                seed=seed,
            )
            ra = risk_adjust(sample, outcome=outcome, risk_factors=chosen, provider=provider)
            fun = funnel_data(ra)
        except CityKitError as exc:
            message.value = f"<b>Cannot show this choice:</b> {escape(str(exc))}"
            box.result = None
            return
        zones = dict(zip(fun.table[provider], fun.table["zone"], strict=True))
        table = ra.table[
            [
                provider,
                "clients",
                "crude_rate",
                "oe_ratio",
                "oe_low",
                "oe_high",
            ]
        ].copy()
        if high_risk is not None:
            shares = sample.groupby(provider)[high_risk].mean()
            table.insert(2, "high_risk_share", table[provider].map(shares).astype(float))
        table["funnel_zone"] = table[provider].map(zones)
        # in the providers' own order, not sorted by a rate: a sorted table reads as a league table
        table = table.sort_values(provider, kind="mergesort").reset_index(drop=True)
        share = float(share_box.value) if high_risk is not None else None
        box.result = RiskExplorerResult(ra, fun, table, provider_box.value, share)
        message.value = escape(ra.summary()).replace("\n", "<br>")
        table_box.value = _table_html(table, provider=provider, level=ra.level)
        figure.value = _png(fun, highlight=[provider_box.value])

    def provider_changed(change) -> None:
        new = round(actual_share(change["new"]), 2)
        if share_box.value != new:
            share_box.value = new  # triggers redraw
        else:
            redraw()

    factor_box.observe(redraw, names="value")
    share_box.observe(redraw, names="value")
    provider_box.observe(provider_changed, names="value")
    redraw()
    return box


_DPI = 100  # as the charts drawn by JupyterLab's inline backend


def _png(result, *, highlight) -> bytes:
    import matplotlib.pyplot as plt

    from citykit.plots.contracting import provider_funnel_plot

    ax = provider_funnel_plot(result, highlight=highlight)
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=_DPI)
    plt.close(ax.figure)
    return buffer.getvalue()
