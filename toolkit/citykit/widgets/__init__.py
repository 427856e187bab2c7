"""ipywidgets explorers used in the lessons (one sub-module per practice).

Each explorer is a function returning an ``ipywidgets`` container whose output area redraws when
a control changes; each also exposes its controls and its current result for headless tests.
"""

from __future__ import annotations

import importlib

__all__: list[str] = []

for _name in ("opendata", "performance", "evaluation", "contracting"):
    try:
        _module = importlib.import_module(f"citykit.widgets.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"citykit.widgets.{_name}":
            raise
        continue
    for _public in getattr(_module, "__all__", []):
        globals()[_public] = getattr(_module, _public)
        __all__.append(_public)
