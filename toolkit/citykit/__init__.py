"""citykit: the helper toolkit of City Analyst Academy.

The package is organised as small modules with one job each; import the one you need::

    from citykit import datasets, performance
    requests = datasets.load("service_requests")

Heavy modules (plots, widgets, statistics) are imported on first use so that
``import citykit`` stays fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "check",
    "contracting",
    "course",
    "datasets",
    "errors",
    "evaluation",
    "grading",
    "opendata",
    "performance",
    "plots",
    "synth",
    "tips",
    "widgets",
]

_SUBMODULES = set(__all__) - {"__version__"}


def __getattr__(name: str):
    """Import sub-modules lazily (``citykit.performance`` works without an explicit import)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"citykit.{name}")
    raise AttributeError(f"module 'citykit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
