"""The look shared by every citykit figure: palette, axes, titles and labels."""

from __future__ import annotations

import matplotlib

if matplotlib.get_backend().lower() in ("", "agg"):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt

__all__ = ["PALETTE", "palette", "get_axes", "finish_axes"]

#: Okabe & Ito (2008) colour-universal-design palette: distinguishable with every common
#: colour-vision deficiency. Named so that charts use colours by meaning.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#999999",
}


def palette(n: int | None = None) -> list[str]:
    """Return ``n`` colours of the palette, in an order that keeps neighbours distinct.

    Examples
    --------
    >>> palette(2)
    ['#0072B2', '#E69F00']
    """
    order = ["blue", "orange", "green", "vermillion", "sky", "purple", "yellow", "black"]
    colours = [PALETTE[c] for c in order]
    if n is None:
        return colours
    return [colours[i % len(colours)] for i in range(n)]


def get_axes(ax=None, *, figsize: tuple[float, float] = (8, 4.5)):
    """Return ``ax`` or a new Axes on a new figure of ``figsize`` inches."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def finish_axes(ax, *, title: str, xlabel: str, ylabel: str, legend: bool | None = None):
    """Give ``ax`` its title and axis labels (with units) and tidy the frame; return ``ax``.

    Examples
    --------
    >>> ax = finish_axes(get_axes(), title="Calls per day", xlabel="Date", ylabel="Calls (count)")
    >>> ax.get_ylabel()
    'Calls (count)'
    """
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles, _ = ax.get_legend_handles_labels()
    if legend or (legend is None and handles):
        ax.legend(frameon=False)
    return ax
