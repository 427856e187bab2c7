"""Figures for every part of the toolkit; each function returns a matplotlib ``Axes``.

One sub-module per practice (``opendata``, ``performance``, ``evaluation``, ``contracting``);
their public functions are re-exported here, so ``citykit.plots.control_chart_plot(...)`` works.
A function that draws is named ``<what>_plot``; the names they had before still work for one
release (with a FutureWarning naming the new one).
All figures share one colourblind-safe palette (:data:`PALETTE`, Okabe & Ito) and always carry a
title and axis labels with units.
"""

from __future__ import annotations

import importlib

from citykit.plots._style import PALETTE, finish_axes, get_axes, palette

__all__ = ["PALETTE", "palette", "get_axes", "finish_axes"]

_PRACTICES = ("opendata", "performance", "evaluation", "contracting")

for _name in _PRACTICES:
    try:
        _module = importlib.import_module(f"citykit.plots.{_name}")
    except ModuleNotFoundError as _exc:  # a practice without figures yet
        if _exc.name != f"citykit.plots.{_name}":
            raise
        continue
    for _public in getattr(_module, "__all__", []):
        globals()[_public] = getattr(_module, _public)
        __all__.append(_public)
    globals().update(getattr(_module, "_OLD_NAMES", {}))  # not in __all__
