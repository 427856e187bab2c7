"""What a course check or run found: :class:`Report` and its :class:`Problem` entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Problem", "Report"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one notebook."""

    check: str
    notebook: str
    message: str


@dataclass
class Report:
    """The result of :func:`verify` or :func:`run`: what was checked and what failed."""

    checked: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing failed."""
        return not self.problems

    def count(self, check: str, n: int = 1) -> None:
        """Record that ``n`` items passed through ``check``."""
        self.checked[check] = self.checked.get(check, 0) + n

    def fail(self, check: str, notebook: str | Path, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(check, str(notebook), message))

    def __str__(self) -> str:
        lines = ["Course verification" if self.checked else "Course run", ""]
        for check, n in self.checked.items():
            failed = sum(p.check == check for p in self.problems)
            mark = "FAIL" if failed else " ok "
            lines.append(f"  [{mark}] {check}: {n} checked, {failed} failed")
        if self.notes:
            lines += ["", *(f"  {note}" for note in self.notes)]
        if self.problems:
            lines += ["", "Problems:"]
            for p in self.problems:
                lines.append(f"  - {p.check} — {p.notebook}\n      {p.message}")
        verdict = "PASSED" if self.ok else f"FAILED ({len(self.problems)} problems)"
        lines += ["", f"{verdict} in {self.seconds:.0f} s"]
        return "\n".join(lines)
