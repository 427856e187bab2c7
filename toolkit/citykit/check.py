"""Instant, friendly feedback on exercise answers, that nbgrader can also score.

In an exercise notebook the locked setup cell creates a checker for the assignment, and each
graded cell asks it about one question::

    check = Exercise("00-foundations")
    ...
    check("q1_requests")            # reads the answer variable named in the question bank
    check.hint("q1_requests")       # hints, one step at a time
    check.progress()                # what you have done so far

A check shows one of three verdicts — **Correct**, **Not yet** (with a pointer) or **Not
attempted** — and never shows the expected answer. "Not yet" and "Not attempted" also raise
:class:`NotYet`, an ``AssertionError``, so that nbgrader gives the cell no points; the traceback
is replaced by one line so the learner sees the message, not a wall of code. Nothing is ever
written to stderr (nbgrader scores a cell that writes to stderr as 0).

How questions are declared
--------------------------
Each assignment has a *question bank*, ``citykit/questions/<assignment>.toml``::

    title = "From spreadsheets to pandas"

    [questions.q1_requests]
    variable = "n_requests"
    kind = "integer"          # integer | number | text | bool | choice | set | list | series | frame | function
    objective = "Load a table and count its rows"
    hints = ["A table's length is its number of rows.", "Try len(requests)."]

    [[questions.q1_requests.mistakes]]
    code = "len(requests[requests['status'] == 'Closed'])"
    feedback = "You counted only closed requests; the question asks for all of them."

and a generated ``<assignment>.answers.json`` with salted fingerprints of the right answer and of
each listed mistake (``citykit course fingerprint <assignment>`` writes it by executing the
solution notebook). Fingerprints are hashes of a canonical form of the value (numbers rounded to
``digits`` significant digits, text case-folded, tables sorted), so a learner can be told
"correct" or "that is the mistake of counting only closed requests" without the answer itself
being in the exercise. A determined learner could still guess a small integer by trial; graded
cohorts rely on the hidden tests for the final score.

Examples
--------
>>> from citykit.check import fingerprint
>>> fingerprint(0.25, question="demo/q1", kind="number") == fingerprint(
...     0.2500000001, question="demo/q1", kind="number")
True
>>> fingerprint("Sanitation ", question="demo/q2", kind="text") == fingerprint(
...     "sanitation", question="demo/q2", kind="text")
True
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from citykit.errors import CityKitError, UnknownNameError, did_you_mean

__all__ = [
    "Exercise",
    "NotYet",
    "Verdict",
    "fingerprint",
    "describe_value",
    "bank_path",
    "load_bank",
]

QUESTIONS_DIR = Path(__file__).with_name("questions")
#: Environment variable naming an extra folder of question banks (an instructor's own assignments).
QUESTIONS_ENV = "CITYKIT_QUESTIONS_DIR"
KINDS = (
    "integer",
    "number",
    "text",
    "bool",
    "choice",
    "set",
    "list",
    "series",
    "frame",
    "function",
)
_MISSING = object()
# set by `citykit course fingerprint` in the solution's kernel: checks ignore old fingerprints
_REFINGERPRINT = "CITYKIT_REFINGERPRINT"


class NotYet(AssertionError):
    """Raised by a check that did not pass, so that nbgrader scores the cell as failed.

    IPython shows only the one-line summary (``_render_traceback_``): the verdict above it says
    what to do.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"NotYet: {self}"]


# --------------------------------------------------------------------------------------------
# Canonical forms and fingerprints


def _canonical_scalar(value, *, digits: int) -> str:
    import numpy as np
    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nan"
    if value is pd.NA or value is pd.NaT:
        return "nan"
    if isinstance(value, (bool, np.bool_)):
        return f"bool:{bool(value)}"
    if isinstance(value, (int, np.integer)):
        return f"num:{float(value):.{digits}g}"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "nan"
        return f"num:{float(value):.{digits}g}"
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return f"time:{pd.Timestamp(value).isoformat()}"
    if isinstance(value, (pd.Timedelta, np.timedelta64)):
        return f"num:{pd.Timedelta(value).total_seconds() / 86400:.{digits}g}"
    if isinstance(value, pd.Period):
        return f"text:{str(value).casefold()}"
    return "text:" + " ".join(str(value).split()).casefold()


def _canonical_table(value, *, digits: int, ordered: bool, columns=None) -> str:
    import pandas as pd

    if isinstance(value, pd.Series):
        frame = value.to_frame(name="value" if value.name is None else str(value.name))
        frame = frame.reset_index()
        frame.columns = [f"c{i}" for i in range(frame.shape[1])]
    else:
        frame = value.copy()
        if not isinstance(frame.index, pd.RangeIndex):
            frame = frame.reset_index()
        frame.columns = [str(c) for c in frame.columns]
        if columns is not None:
            frame = frame[[c for c in columns if c in frame.columns]]
    rows = [
        "|".join(_canonical_scalar(v, digits=digits) for v in row)
        for row in frame.itertuples(index=False, name=None)
    ]
    if not ordered:
        rows = sorted(rows)
    return "table:" + ",".join(map(str, frame.columns)) + "\n" + "\n".join(rows)


def _canonical(value, *, kind: str, digits: int = 6, ordered: bool = False, columns=None) -> str:
    import numpy as np
    import pandas as pd

    if kind in ("integer", "number", "bool"):
        if isinstance(value, (pd.Series, pd.DataFrame, np.ndarray, list, tuple, dict, set)):
            raise TypeError("a single value is expected")
        return _canonical_scalar(value, digits=digits)
    if kind in ("text", "choice"):
        return _canonical_scalar(value, digits=digits)
    if kind in ("set", "list"):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise TypeError("a collection is expected")
        if isinstance(value, dict):
            value = list(value)
        items = [_canonical_scalar(v, digits=digits) for v in list(value)]
        if kind == "set":
            items = sorted(set(items))
        return f"{kind}:" + "|".join(items)
    if kind in ("series", "frame"):
        if not isinstance(value, (pd.Series, pd.DataFrame)):
            raise TypeError("a table is expected")
        return _canonical_table(value, digits=digits, ordered=ordered, columns=columns)
    raise UnknownNameError(f"kind={kind!r} is not one of {', '.join(KINDS)}.")


def fingerprint(
    value, *, question: str, kind: str, digits: int = 6, ordered: bool = False, columns=None
) -> str:
    """Return the salted fingerprint of ``value`` as the answer to ``question``.

    Parameters
    ----------
    value : object
        The answer.
    question : str
        ``"<assignment>/<question id>"``; it salts the hash so equal answers to different
        questions have different fingerprints.
    kind : str, keyword-only
        One of ``integer, number, text, bool, choice, set, list, series, frame``.
    digits : int, keyword-only
        Significant digits kept for numbers.
    ordered : bool, keyword-only
        Whether the order of rows (tables) matters.
    columns : list of str, optional, keyword-only
        For frames: the columns compared (extra columns of the answer are ignored).

    Examples
    --------
    >>> fingerprint(12, question="demo/q", kind="integer") == fingerprint(
    ...     12.0, question="demo/q", kind="integer")
    True
    """
    canonical = _canonical(value, kind=kind, digits=digits, ordered=ordered, columns=columns)
    return hashlib.sha256(f"{question}\n{canonical}".encode()).hexdigest()[:20]


def describe_value(value) -> dict:
    """Return the shape of a value that a check may reveal: its type, columns and length.

    Examples
    --------
    >>> describe_value(3)
    {'type': 'int'}
    """
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        frame = value if isinstance(value.index, pd.RangeIndex) else value.reset_index()
        return {
            "type": "DataFrame",
            "columns": [str(c) for c in frame.columns],
            "length": len(frame),
        }
    if isinstance(value, pd.Series):
        return {"type": "Series", "length": len(value)}
    if isinstance(value, (bool, np.bool_)):
        return {"type": "bool"}
    if isinstance(value, (int, np.integer)):
        return {"type": "int"}
    if isinstance(value, (float, np.floating)):
        return {"type": "float"}
    if isinstance(value, str):
        return {"type": "str"}
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return {"type": type(value).__name__, "length": len(value)}
    return {"type": type(value).__name__}


# --------------------------------------------------------------------------------------------
# Question banks


def _bank_dirs() -> list[Path]:
    extra = os.environ.get(QUESTIONS_ENV)
    return ([Path(extra)] if extra else []) + [QUESTIONS_DIR]


def bank_path(assignment: str) -> Path:
    """Return the path of an assignment's question bank.

    Banks are looked up first in the folder named by ``$CITYKIT_QUESTIONS_DIR`` (so an instructor
    can add assignments without editing the package), then in ``citykit/questions/``.
    """
    for folder in _bank_dirs():
        if (folder / f"{assignment}.toml").is_file():
            return folder / f"{assignment}.toml"
    return _bank_dirs()[0] / f"{assignment}.toml"


def load_bank(assignment: str) -> dict:
    """Return an assignment's question bank merged with its answer fingerprints.

    Examples
    --------
    >>> bank = load_bank("00-foundations")
    >>> sorted(bank["questions"])[0].startswith("q")
    True
    """
    path = bank_path(assignment)
    if not path.is_file():
        known = sorted({p.stem for d in _bank_dirs() for p in d.glob("*.toml")})
        raise UnknownNameError(
            f"No question bank for assignment {assignment!r}.{did_you_mean(assignment, known)} "
            f"Known assignments: {', '.join(known) or '(none)'}."
        )
    bank = tomllib.loads(path.read_text(encoding="utf-8"))
    answers_file = path.with_name(f"{assignment}.answers.json")
    answers = json.loads(answers_file.read_text()) if answers_file.is_file() else {}
    if os.environ.get(_REFINGERPRINT):
        # `citykit course fingerprint` re-runs the solution to write new fingerprints: the old
        # ones may describe answers that have since changed, so the checks must not use them
        answers = {}
    for qid, spec in bank.get("questions", {}).items():
        kind = spec.get("kind", "number")
        if kind not in KINDS:
            raise CityKitError(
                f"{path.name}: question {qid!r} has kind={kind!r}; use one of {', '.join(KINDS)}."
            )
        if "variable" not in spec:
            raise CityKitError(f'{path.name}: question {qid!r} needs a `variable = "..."` line.')
        spec.setdefault("hints", [])
        spec.setdefault("mistakes", [])
        spec["answer"] = answers.get(qid, {})
    bank["id"] = assignment
    return bank


# --------------------------------------------------------------------------------------------
# Verdicts


def _grading() -> bool:
    return os.environ.get("NBGRADER_EXECUTION", "") in ("autograde", "validate")


_STYLE = {
    "correct": ("#1a7f37", "#e6f4ea", "Correct"),
    "not yet": ("#b35900", "#fff4e5", "Not yet"),
    "not attempted": ("#5a5a5a", "#f2f2f2", "Not attempted"),
    "hint": ("#0b5cad", "#e8f1fb", "Hint"),
    "info": ("#0b5cad", "#e8f1fb", "Progress"),
}


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: its status, the question, and what to say to the learner."""

    status: str
    question: str
    message: str
    details: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """Whether the answer was correct."""
        return self.status == "correct"

    def __str__(self) -> str:
        mark = {"correct": "✓", "not yet": "✗", "not attempted": "…"}.get(self.status, "•")
        label = _STYLE[self.status][2]
        lines = [f"{mark} {label} [{self.question}]: {self.message}"]
        lines += [f"  {d}" for d in self.details]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, background, label = _STYLE[self.status]
        details = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        details = f"<ul style='margin:4px 0 0 0'>{details}</ul>" if details else ""
        return (
            f"<div style='border-left:5px solid {colour};background:{background};"
            f"padding:8px 12px;margin:4px 0;font-family:sans-serif;color:#1f1f1f'>"
            f"<strong style='color:{colour}'>{label}</strong> "
            f"<code>{html.escape(self.question)}</code>: {html.escape(self.message)}{details}</div>"
        )

    def _repr_markdown_(self) -> str:
        return str(self)


def _show(obj) -> None:
    """Display in Jupyter, print elsewhere; never to stderr."""
    if "IPython" in sys.modules:
        from IPython import get_ipython

        if get_ipython() is not None:
            from IPython.display import display

            display(obj)
            return
    print(str(obj))


_TYPE_WORDS = {
    "integer": "a whole number (int)",
    "number": "a number",
    "text": "text (a str)",
    "bool": "True or False",
    "choice": "one of the letters of the choices, as text (e.g. 'b')",
    "set": "a list or set of values",
    "list": "a list of values, in order",
    "series": "a pandas Series",
    "frame": "a pandas DataFrame",
    "function": "a function (def ...)",
}


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
    def _fp(self, question: str, spec: dict, value) -> str:
        answer = spec.get("answer", {})
        shape = answer.get("shape", {})
        kind = spec.get("kind", "number")
        if kind == "function":
            value = self._call_cases(spec, value)
            kind = "list"
        return fingerprint(
            value,
            question=f"{self.assignment}/{question}",
            kind=kind,
            digits=int(spec.get("digits", 6)),
            ordered=bool(spec.get("ordered", False)),
            columns=shape.get("columns") if kind == "frame" else None,
        )

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
        if value is _MISSING or value is Ellipsis or (value is None and kind != "text"):
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
        shape = answer.get("shape", {})
        problem = self._shape_problem(spec, value, shape)
        if problem:
            # a listed mistake (e.g. a list with the wrong items) says more than its length
            known = self._known_mistake(question, spec, value, answer)
            if known is not None:
                return Verdict("not yet", question, known)
            return Verdict("not yet", question, problem[0], tuple(problem[1:]))
        try:
            got = self._fp(question, spec, value)
        except (TypeError, ValueError, KeyError, AttributeError):
            return Verdict(
                "not yet",
                question,
                f"`{variable}` should be {_TYPE_WORDS[kind]}, but it is a {type(value).__name__}.",
            )
        if got == answer["fingerprint"]:
            return Verdict("correct", question, spec.get("praise", "Well done."))
        for mistake, fp in zip(spec["mistakes"], answer.get("mistakes", []), strict=False):
            if got == fp:
                return Verdict("not yet", question, mistake["feedback"])
        details = self._near_misses(question, spec, value, answer)
        message = spec.get("not_yet", f"`{variable}` is not right yet.")
        if not _grading() and spec["hints"]:
            details = (*details, f"For a hint, run check.hint({question!r}).")
        return Verdict("not yet", question, message, details)

    def _known_mistake(self, question: str, spec: dict, value, answer: dict) -> str | None:
        """Return the feedback of the listed mistake ``value`` matches, if any."""
        try:
            got = self._fp(question, spec, value)
        except (TypeError, ValueError, KeyError, AttributeError):
            return None
        for mistake, fp in zip(spec["mistakes"], answer.get("mistakes", []), strict=False):
            if got == fp:
                return mistake["feedback"]
        return None

    def _shape_problem(self, spec: dict, value, shape: dict) -> list[str]:
        import numpy as np
        import pandas as pd

        kind = spec.get("kind", "number")
        variable = spec["variable"]
        actual = type(value).__name__
        if kind == "integer" or kind == "number":
            if isinstance(value, (pd.Series, pd.DataFrame)) and value.size == 1:
                return [
                    f"`{variable}` is a one-cell {actual}, not a number. Take the value out, "
                    "e.g. with .item() or .iloc[0]."
                ]
            if isinstance(value, str):
                return [f"`{variable}` is text ({value!r}); the answer is {_TYPE_WORDS[kind]}."]
            if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(
                value, (bool, np.bool_)
            ):
                return [f"`{variable}` should be {_TYPE_WORDS[kind]}, but it is a {actual}."]
            if kind == "integer" and float(value) != int(value):
                return [f"`{variable}` is {value!r}; the answer is a whole number (a count)."]
        elif kind == "frame":
            if isinstance(value, pd.Series):
                return [
                    f"`{variable}` is a Series; a DataFrame is expected. Tip: series.to_frame() "
                    "or series.reset_index() turns it into a table."
                ]
            if not isinstance(value, pd.DataFrame):
                return [f"`{variable}` should be a pandas DataFrame, but it is a {actual}."]
            frame = value if isinstance(value.index, pd.RangeIndex) else value.reset_index()
            wanted = shape.get("columns", [])
            missing = [c for c in wanted if c not in map(str, frame.columns)]
            if missing:
                return [
                    f"`{variable}` has no column {', '.join(map(repr, missing))}. Its columns "
                    f"(including the index) are: {', '.join(map(repr, map(str, frame.columns)))}."
                ]
            if "length" in shape and len(frame) != shape["length"]:
                return [f"`{variable}` has {len(frame)} rows; {shape['length']} are expected."]
        elif kind == "series":
            if isinstance(value, pd.DataFrame):
                return [
                    f"`{variable}` is a DataFrame; a Series (one column) is expected. Tip: pick "
                    "the column, e.g. table['column']."
                ]
            if not isinstance(value, pd.Series):
                return [f"`{variable}` should be a pandas Series, but it is a {actual}."]
            if "length" in shape and len(value) != shape["length"]:
                return [f"`{variable}` has {len(value)} values; {shape['length']} are expected."]
        elif kind in ("set", "list"):
            if isinstance(value, str) or not hasattr(value, "__len__"):
                return [f"`{variable}` should be a list of values, but it is a {actual}."]
            if "length" in shape and len(value) != shape["length"]:
                return [f"`{variable}` has {len(value)} items; {shape['length']} are expected."]
        elif kind == "choice":
            options = [str(o).casefold() for o in spec.get("options", [])]
            if options and str(value).strip().casefold() not in options:
                return [
                    f"`{variable}` is {value!r}; answer with one of "
                    f"{', '.join(map(repr, spec.get('options', [])))}."
                ]
        elif kind == "function" and not callable(value):
            return [
                f"`{variable}` should be a function (def {variable}(...): ...), but it is a {actual}."
            ]
        elif kind == "bool" and not isinstance(value, (bool, np.bool_)):
            return [f"`{variable}` should be True or False, but it is a {actual}."]
        return []

    def _near_misses(self, question: str, spec: dict, value, answer: dict) -> tuple[str, ...]:
        kind = spec.get("kind", "number")
        if kind != "number":
            return ()
        base = f"{self.assignment}/{question}"
        for factor, text in (
            (0.01, "a percentage; give it as a share between 0 and 1 (e.g. 0.25, not 25)"),
            (100, "a share; this question asks for a percentage (e.g. 25, not 0.25)"),
        ):
            try:
                scaled = float(value) * factor
            except (TypeError, ValueError):
                return ()
            if (
                fingerprint(scaled, question=base, kind="number", digits=int(spec.get("digits", 6)))
                == answer["fingerprint"]
            ):
                return (f"Your number looks like {text}.",)
        coarse = answer.get("coarse")
        if coarse and fingerprint(value, question=base, kind="number", digits=2) == coarse:
            return (
                "You are close: check for rounding, or a small detail such as which rows "
                "are included.",
            )
        return ()

    # -- what learners call -----------------------------------------------------------------
    def __call__(self, question: str, value=_MISSING) -> Verdict:
        """Check the answer to ``question``; display the verdict; raise :class:`NotYet` unless correct.

        ``value`` defaults to the variable the question bank names, read from the notebook.
        """
        if value is _MISSING:
            namespace = sys._getframe(1).f_globals
            value = self._value(self._spec(question), namespace)
        verdict = self.evaluate(question, value)
        self._attempts.setdefault(question, []).append(verdict.status)
        _show(verdict)
        if not verdict.passed:
            # while grading (nbgrader's Validate button, autograde) the message above is not
            # shown beside the failure, so the failure itself carries it
            where = verdict.message if _grading() else "see the message above"
            raise NotYet(f"{question}: {verdict.status} ({where})")
        return None

    def hint(self, question: str, level: int | None = None) -> Verdict:
        """Show the next hint for ``question`` (or hint number ``level``)."""
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

    def objective(self, question: str) -> str:
        """Return the learning objective a question assesses."""
        return self._spec(question).get("objective", "")

    def progress(self):
        """Return a table of the questions: objective and the verdict of your last check."""
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
        return pd.DataFrame(rows).set_index("question")

    def solution(self, question: str) -> Verdict:
        """Say where the worked solution of ``question`` is (self-learners working from the repo)."""
        self._spec(question)
        if _grading():
            return Verdict("hint", question, "Solutions are not available while grading.")
        path = (
            Path.cwd().parents[1] / "solutions" / self.assignment
            if len(Path.cwd().parents) > 1
            else None
        )
        if path is not None and path.is_dir():
            return Verdict(
                "hint",
                question,
                f"The worked solution is in solutions/{self.assignment}/ (search for {question!r}). "
                "Try the hints first: you learn more from a near miss than from a read answer.",
            )
        return Verdict(
            "hint", question, "Your instructor releases the worked solutions after the deadline."
        )
