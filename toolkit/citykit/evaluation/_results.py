"""Readable ``repr`` and HTML display shared by the evaluation result objects."""

from __future__ import annotations

import pandas as pd

from citykit._display import html_result

__all__ = ["ResultMixin"]


class ResultMixin:
    """Give a frozen dataclass a one-paragraph ``repr`` and a notebook HTML view.

    Subclasses implement ``_summary()`` (plain sentences) and may list DataFrame attributes to
    show in ``_tables``.
    """

    _tables: tuple[str, ...] = ()
    _hidden_columns: tuple[str, ...] = ()  # shown in the summary already

    def _summary(self) -> str:  # pragma: no cover - every subclass overrides
        return type(self).__name__

    def __repr__(self) -> str:
        parts = [self._summary()]
        for name in self._tables:
            frame = getattr(self, name)
            if isinstance(frame, pd.DataFrame):
                frame = frame.drop(columns=list(self._hidden_columns), errors="ignore")
                with pd.option_context("display.width", 120, "display.max_columns", 20):
                    parts.append(frame.to_string())
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        tables = []
        for name in self._tables:
            frame = getattr(self, name)
            if isinstance(frame, pd.DataFrame):
                tables.append(
                    (None, frame.drop(columns=list(self._hidden_columns), errors="ignore"))
                )
        return html_result(self._summary(), tables=tables, float_format=lambda v: f"{v:.4g}")
