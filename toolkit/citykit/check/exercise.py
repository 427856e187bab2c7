"""The checker of one assignment: verdicts, hints, progress and worked answers for a learner.

Examples
--------
>>> Exercise("00-foundations").objective("q1_requests") != ""
True
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from citykit.check.banks import load_bank
from citykit.check.canonical import _candidates, _hash
from citykit.check.sealed import COHORT_ENV, _unseal
from citykit.check.shapes import _TYPE_WORDS, shape_problem
from citykit.check.verdicts import NotYet, Progress, Verdict, _grading, _show
from citykit.errors import CityKitError, UnknownNameError, did_you_mean

__all__ = ["Exercise"]

_MISSING = object()


class Exercise:
    """The checker of one assignment: ``check(question)``, ``check.hint(...)``, ``check.progress()``.

    Parameters
    ----------
    assignment : str
        The assignment id, e.g. ``"00-foundations"`` (the name of its question bank).

    Examples
    --------
    >>> check = Exercise("00-foundations")
    >>> len(check.questions) >= 6
    True
    """

    def __init__(self, assignment: str) -> None:
        self.assignment = assignment
        self.bank = load_bank(assignment)
        self.questions: dict = self.bank["questions"]
        self._attempts: dict[str, list[str]] = {}
        self._hint_level: dict[str, int] = {}
        self._opened: dict[str, str] = {}  # question -> canonical form of the Correct answer

    def __repr__(self) -> str:
        return f"Exercise({self.assignment!r}: {len(self.questions)} questions)"

    # -- looking things up -------------------------------------------------------------------
    def _spec(self, question: str) -> dict:
        if question not in self.questions:
            raise UnknownNameError(
                f"{question!r} is not a question of {self.assignment}."
                f"{did_you_mean(question, self.questions)} The questions are: "
                f"{', '.join(self.questions)}."
            )
        return self.questions[question]

    def _value(self, spec: dict, namespace: dict):
        return namespace.get(spec["variable"], _MISSING)

    # -- evaluating --------------------------------------------------------------------------
    def canonical_forms(self, question: str, value, *, near: bool = True) -> list[str]:
        """Return the canonical forms the check compares for ``value`` (its own first)."""
        spec = self._spec(question)
        answer = spec.get("answer", {})
        shape = answer.get("shape", {})
        kind = spec.get("kind", "number")
        if kind == "function":
            value = self._call_cases(spec, value)
            kind = "list"
        return _candidates(
            value,
            kind=kind,
            digits=int(spec.get("digits", 6)),
            ordered=bool(spec.get("ordered", False)),
            columns=shape.get("columns") if kind == "frame" else None,
            decimals=spec.get("decimals"),
            near=near,
        )

    def fingerprint_of(self, question: str, value) -> str:
        """Return the fingerprint that ``citykit course fingerprint`` stores for ``value``."""
        canonical = self.canonical_forms(question, value, near=False)[0]
        return _hash(f"{self.assignment}/{question}", canonical)

    def coarse_fingerprint_of(self, question: str, number: float, *, places: int) -> str:
        """Return the fingerprint of ``number`` rounded to ``places`` decimals (a rounding slip).

        ``citykit course fingerprint`` stores these for the right answer to a ``number`` question
        with ``decimals``, so a check can say "rounded too far" without knowing the answer.
        """
        canonical = f"coarse{places}:{round(float(number), places)!r}"
        return _hash(f"{self.assignment}/{question}", canonical)

    def _match(self, question: str, spec: dict, value, wanted: list[str]) -> str | None:
        """Return the canonical form of ``value`` whose hash is in ``wanted``, if any."""
        if not wanted:
            return None
        base = f"{self.assignment}/{question}"
        for canonical in self.canonical_forms(question, value):
            if _hash(base, canonical) in wanted:
                return canonical
        return None

    @staticmethod
    def _call_cases(spec: dict, function) -> list:
        if not callable(function):
            raise TypeError("a function is expected")
        results = []
        for case in spec.get("cases", []):
            try:
                results.append(function(*case))
            except Exception as exc:  # the learner's function failed on a case
                results.append(f"error:{type(exc).__name__}")
        return results

    def evaluate(self, question: str, value=_MISSING) -> Verdict:
        """Return the verdict for ``value`` as the answer to ``question`` (no display, no raise)."""
        spec = self._spec(question)
        variable = spec["variable"]
        kind = spec.get("kind", "number")
        if value is _MISSING or value is Ellipsis or value is None:
            return Verdict(
                "not attempted",
                question,
                f"`{variable}` has no answer yet. Write your code in the answer cell above so "
                f"that it sets `{variable}`, run that cell, then run this one.",
            )
        answer = spec.get("answer", {})
        if "fingerprint" not in answer:
            raise CityKitError(
                f"Question {question!r} of {self.assignment} has no answer fingerprint yet. "
                f"Instructors: run `citykit course fingerprint {self.assignment}`."
            )
        problem = shape_problem(spec, value, answer.get("shape", {}))
        if problem:
            # a listed mistake (e.g. a list with the wrong items) says more than its shape
            known = self._known_mistake(question, spec, value, answer)
            if known is not None:
                return Verdict("not yet", question, known)
            return Verdict("not yet", question, problem[0], tuple(problem[1:]))
        try:
            accepted = [answer["fingerprint"], *answer.get("accepted", [])]
            matched = self._match(question, spec, value, accepted)
        except CityKitError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            return Verdict(
                "not yet",
                question,
                f"`{variable}` should be {_TYPE_WORDS[kind]}, but it is a {type(value).__name__}.",
            )
        if matched is not None:
            self._opened[question] = matched
            details = ()
            if not _grading() and answer.get("worked"):
                details = (f"To compare with a worked answer, run check.solution({question!r}).",)
            return Verdict("correct", question, spec.get("praise", "Well done."), details)
        known = self._known_mistake(question, spec, value, answer)
        if known is not None:
            return Verdict("not yet", question, known)
        details = self._near_misses(question, spec, value, answer)
        message = spec.get("not_yet", f"`{variable}` is not right yet.")
        if not _grading() and spec["hints"]:
            details = (*details, f"For a hint, run check.hint({question!r}).")
        return Verdict("not yet", question, message, details)

    def _known_mistake(self, question: str, spec: dict, value, answer: dict) -> str | None:
        """Return the feedback of the listed mistake ``value`` matches, if any."""
        for mistake, fp in zip(spec["mistakes"], answer.get("mistakes", []), strict=False):
            try:
                if fp and self._match(question, spec, value, [fp]) is not None:
                    return mistake["feedback"]
            except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
                return None
        return None

    def _near_misses(self, question: str, spec: dict, value, answer: dict) -> tuple[str, ...]:
        """Recognisable slips of a number: a percentage for a share (or back), rounded too far."""
        if spec.get("kind", "number") != "number":
            return ()
        try:
            number = float(value)
        except (TypeError, ValueError):
            return ()
        accepted = [answer["fingerprint"], *answer.get("accepted", [])]
        for factor, text in (
            (0.01, "a percentage; give it as a share between 0 and 1 (e.g. 0.25, not 25)"),
            (100, "a share; this question asks for a percentage (e.g. 25, not 0.25)"),
        ):
            if self._match(question, spec, number * factor, accepted) is not None:
                return (f"Your number looks like {text}.",)
        decimals = spec.get("decimals")
        coarse = answer.get("coarse", {})
        for places in range(0, decimals or 0):
            if round(number, places) != number or str(places) not in coarse:
                continue
            if self.coarse_fingerprint_of(question, number, places=places) == coarse[str(places)]:
                return (
                    f"Your number is rounded to {places} decimals; the question asks for "
                    f"{decimals}. Keep more decimals (or don't round).",
                )
        return ()

    # -- what learners call -----------------------------------------------------------------
    def __call__(self, question: str, value=_MISSING) -> None:
        """Check the answer to ``question`` and show the verdict.

        ``value`` defaults to the variable the question bank names, read from the notebook. For a
        learner the notebook goes on whatever the verdict; while nbgrader grades or validates, a
        verdict other than Correct raises :class:`NotYet` so that the cell earns no points.
        """
        if value is _MISSING:
            namespace = sys._getframe(1).f_globals
            value = self._value(self._spec(question), namespace)
        verdict = self.evaluate(question, value)
        self._attempts.setdefault(question, []).append(verdict.status)
        _show(verdict)
        if not verdict.passed and _grading():
            # nbgrader's Validate dialog shows the failure, not the verdict box: carry the message
            raise NotYet(f"{question}: {verdict.status} ({verdict.message})")

    def next_hint(self, question: str, level: int | None = None) -> Verdict:
        """Return the next hint for ``question`` (or hint number ``level``) without showing it."""
        spec = self._spec(question)
        hints = spec["hints"]
        if not hints:
            return Verdict("hint", question, "There is no hint for this question.")
        shown = self._hint_level.get(question, 0)
        number = shown + 1 if level is None else int(level)
        number = max(1, min(number, len(hints)))
        self._hint_level[question] = number
        more = ()
        if number < len(hints):
            more = (f"For the next hint, run check.hint({question!r}) again.",)
        return Verdict("hint", question, f"({number}/{len(hints)}) {hints[number - 1]}", more)

    def hint(self, question: str, level: int | None = None) -> None:
        """Show the next hint for ``question`` (or hint number ``level``), wherever it is called."""
        _show(self.next_hint(question, level))

    def objective(self, question: str) -> str:
        """Return the learning objective a question assesses."""
        return self._spec(question).get("objective", "")

    def progress(self) -> Progress:
        """Return where you stand: every question, its objective and the verdict of your last check."""
        import pandas as pd

        rows = []
        for qid, spec in self.questions.items():
            attempts = self._attempts.get(qid, [])
            rows.append(
                {
                    "question": qid,
                    "objective": spec.get("objective", ""),
                    "checks run": len(attempts),
                    "last verdict": attempts[-1] if attempts else "not checked",
                }
            )
        return Progress(self.assignment, pd.DataFrame(rows).set_index("question"))

    def worked_answer(self, question: str) -> Verdict:
        """Return the worked answer of ``question`` (or why it is not available), without showing it."""
        spec = self._spec(question)
        if _grading():
            return Verdict("hint", question, "Worked answers are not available while grading.")
        cohort = os.environ.get(COHORT_ENV)
        if cohort and not Path(cohort, f"{self.assignment}.released").is_file():
            return Verdict(
                "hint",
                question,
                "Your instructor releases the worked answers of this assignment after the "
                f"deadline. Until then, check.hint({question!r}) helps you along.",
            )
        sealed = spec.get("answer", {}).get("worked", [])
        canonical = self._opened.get(question)
        if canonical is None:
            return Verdict(
                "hint",
                question,
                "A worked answer opens once your check says Correct: it is locked with the right "
                f"answer. Until then, check.hint({question!r}) gives a hint.",
            )
        base = f"{self.assignment}/{question}"
        for item in sealed:
            text = _unseal(item, question=base, canonical=canonical)
            if text is not None:
                worked = json.loads(text)
                return Verdict(
                    "worked",
                    question,
                    worked.get("explanation") or "One way to compute it:",
                    code=worked.get("code", ""),
                )
        return Verdict("hint", question, "This question has no worked answer yet.")

    def solution(self, question: str) -> None:
        """Show a worked answer of ``question``, once your check has said Correct."""
        _show(self.worked_answer(question))
