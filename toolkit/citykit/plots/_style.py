"""The look shared by every citykit figure: palette, axes, titles and labels."""

from __future__ import annotations

import textwrap

import matplotlib

if matplotlib.get_backend().lower() in ("", "agg"):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt

from citykit._colours import PALETTE, TEXT_COLOURS

__all__ = ["PALETTE", "TEXT_COLOURS", "palette", "get_axes", "finish_axes", "outside_legend"]


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


def finish_axes(ax, *, title: str, xlabel: str, ylabel: str, legend: bool | str | None = None):
    """Give ``ax`` its title and axis labels (with units) and tidy the frame; return ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
        The axes to finish.
    title, xlabel, ylabel : str
        The texts (give units in the axis labels).
    legend : bool, "outside" or None
        Draw a legend (None: when something is labelled). ``"outside"`` puts it to the right
        of the axes, where it can never cover data.

    Returns
    -------
    matplotlib Axes

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
    if legend == "outside":
        outside_legend(ax)
    elif legend or (legend is None and handles):
        ax.legend(frameon=False)
    return ax


def outside_legend(ax, *, width: int = 24):
    """Put the legend of ``ax`` to the right of the axes, outside the data area.

    A legend inside the axes covers points whenever the data fill the panel (a control chart's
    series crosses its whole width); outside, it never does. Long labels are wrapped at
    ``width`` characters so the legend does not squeeze the axes. With a constrained layout
    (``get_axes``) the figure makes room for it.

    Parameters
    ----------
    ax : matplotlib Axes
        Axes with labelled artists.
    width : int, keyword-only
        Characters per line of a legend label.

    Returns
    -------
    matplotlib.legend.Legend

    Examples
    --------
    >>> ax = get_axes()
    >>> _ = ax.plot([0, 1], [0, 1], label="a long label, wrapped onto two lines")
    >>> print(outside_legend(ax).get_texts()[0].get_text())
    a long label, wrapped
    onto two lines
    """
    handles, labels = ax.get_legend_handles_labels()
    labels = [textwrap.fill(label, width) for label in labels]
    return ax.legend(
        handles,
        labels,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
    )
