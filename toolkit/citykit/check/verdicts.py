"""What a check says: the verdict, the learner's progress, and how both are shown.

Examples
--------
>>> print(Verdict("correct", "q1", "Well done."))
✓ Correct [q1]: Well done.
"""

from __future__ import annotations

import html
import os
import sys
from dataclasses import dataclass, field

__all__ = ["NotYet", "Verdict", "Progress"]


class NotYet(AssertionError):
    """Raised while grading by a check that did not pass, so that nbgrader scores the cell as failed.

    IPython shows only the one-line summary (``_render_traceback_``), which carries the verdict.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"NotYet: {self}"]


def _grading() -> bool:
    return os.environ.get("NBGRADER_EXECUTION", "") in ("autograde", "validate")


_STYLE = {
    "correct": ("#1a7f37", "#e6f4ea", "Correct"),
    "not yet": ("#b35900", "#fff4e5", "Not yet"),
    "not attempted": ("#5a5a5a", "#f2f2f2", "Not attempted"),
    "hint": ("#0b5cad", "#e8f1fb", "Hint"),
    "worked": ("#0b5cad", "#e8f1fb", "Worked answer"),
    "info": ("#0b5cad", "#e8f1fb", "Progress"),
}


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: its status, the question, and what to say to the learner."""

    status: str
    question: str
    message: str
    details: tuple[str, ...] = field(default=())
    code: str = ""

    @property
    def passed(self) -> bool:
        """Whether the answer was correct."""
        return self.status == "correct"

    def __str__(self) -> str:
        mark = {"correct": "✓", "not yet": "✗", "not attempted": "…"}.get(self.status, "•")
        label = _STYLE[self.status][2]
        lines = [f"{mark} {label} [{self.question}]: {self.message}"]
        lines += [f"  {d}" for d in self.details]
        if self.code:
            lines += ["", *("    " + line for line in self.code.splitlines())]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, background, label = _STYLE[self.status]
        details = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        details = f"<ul style='margin:4px 0 0 0'>{details}</ul>" if details else ""
        code = (
            f"<pre style='margin:6px 0 0 0;background:#fff;padding:6px'>{html.escape(self.code)}"
            "</pre>"
            if self.code
            else ""
        )
        return (
            f"<div style='border-left:5px solid {colour};background:{background};"
            f"padding:8px 12px;margin:4px 0;font-family:sans-serif;color:#1f1f1f'>"
            f"<strong style='color:{colour}'>{label}</strong> "
            f"<code>{html.escape(self.question)}</code>: {html.escape(self.message)}{details}"
            f"{code}</div>"
        )

    def _repr_markdown_(self) -> str:
        return str(self)


_LABELS = {
    "correct": "Correct",
    "not yet": "Not yet",
    "not attempted": "Not attempted",
    "not checked": "Not checked",
}


@dataclass(frozen=True)
class Progress:
    """Where a learner stands: one row per question, and how many are Correct.

    ``table`` has the questions as its index and the columns ``objective``, ``checks run`` and
    ``last verdict`` (``correct``, ``not yet``, ``not attempted`` or ``not checked``).
    """

    assignment: str
    table: object

    @property
    def counts(self) -> dict[str, int]:
        """How many questions have each last verdict."""
        verdicts = list(self.table["last verdict"])
        return {status: verdicts.count(status) for status in _LABELS}

    @property
    def summary(self) -> str:
        """One line: how many questions are Correct, Not yet, Not attempted, not checked."""
        counts = self.counts
        parts = [f"{counts['correct']} of {len(self.table)} questions Correct"]
        parts += [
            f"{counts[s]} {_LABELS[s].lower()}"
            for s in ("not yet", "not attempted", "not checked")
            if counts[s]
        ]
        return f"{self.assignment}: " + ", ".join(parts) + "."

    def __str__(self) -> str:
        return f"{self.summary}\n{self.table.to_string()}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, background, _ = _STYLE["info"]
        return (
            f"<div style='border-left:5px solid {colour};background:{background};"
            f"padding:8px 12px;margin:4px 0;font-family:sans-serif;color:#1f1f1f'>"
            f"<strong style='color:{colour}'>Progress</strong> {html.escape(self.summary)}</div>"
            + self.table.to_html()
        )


def _show(obj) -> None:
    """Display in Jupyter, print elsewhere; never to stderr."""
    if "IPython" in sys.modules:
        from IPython import get_ipython

        if get_ipython() is not None:
            from IPython.display import display

            display(obj)
            return
    print(str(obj))
