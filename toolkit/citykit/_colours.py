"""The colours of every citykit figure and coloured table, by meaning.

Kept apart from :mod:`citykit.plots` so that a table (a stat brief's status words) can use them
without importing matplotlib.
"""

from __future__ import annotations

__all__ = ["PALETTE", "TEXT_COLOURS"]

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

#: The palette's colours darkened for *text* (a status word in a table, a coloured label): each
#: keeps its hue and reaches the 4.5:1 contrast that WCAG 2.x AA asks of normal text, on white
#: and on the light grey of a table's striped rows (#F0F0F0). The pure palette is for lines,
#: bars and markers; orange text in #E69F00 on white has a contrast of 2.2:1.
TEXT_COLOURS = {
    "blue": "#0072B2",
    "orange": "#8F6000",
    "green": "#00755A",
    "vermillion": "#B04E00",
    "sky": "#1F6F9E",
    "purple": "#9C4A7D",
    "grey": "#666666",
    "black": "#000000",
}
