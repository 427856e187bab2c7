"""Instant, friendly feedback on exercise answers, that nbgrader can also score.

In an exercise notebook the locked setup cell creates a checker for the assignment, and each
graded cell asks it about one question::

    check = Exercise("00-foundations")
    ...
    check("q1_requests")            # reads the answer variable named in the question bank
    check.hint("q1_requests")       # hints, one step at a time
    check.solution("q1_requests")   # a worked answer, once the check says Correct
    check.progress()                # every question and where you stand

A check shows one of three verdicts — **Correct**, **Not yet** (with a pointer) or **Not
attempted** — and never shows the expected answer. For a learner, "Not yet" and "Not attempted"
are shown and the notebook goes on, so *Restart Kernel and Run All Cells* always reaches the end
and the closing ``check.progress()``. While nbgrader grades or validates the notebook (it sets
``NBGRADER_EXECUTION`` to ``autograde`` or ``validate``) a check that is not Correct raises
:class:`NotYet`, an ``AssertionError``, so that the cell earns no points; its one-line message is
the verdict. Nothing is ever written to stderr (nbgrader scores a cell that writes to stderr as 0).

How questions are declared
--------------------------
Each assignment has a *question bank*, ``citykit/questions/<assignment>.toml``::

    title = "From spreadsheets to pandas"

    [questions.q1_requests]
    variable = "n_requests"
    kind = "integer"          # integer | number | text | bool | choice | set | list | series | frame | function
    objective = "Load a table and count its rows"
    hints = ["The concept", "The missing step", "The answer, as code"]

    [[questions.q1_requests.mistakes]]
    code = '''
    n_requests = len(requests[requests["status"] == "Closed"])
    '''
    feedback = "You counted only closed requests; the question asks for all of them."

    [[questions.q1_requests.alternatives]]
    code = "n_requests = requests.shape[0]"

A *mistake* is a plausible wrong method and an *alternative* a defensible right one, each written
as the code a learner would put in the answer cell: ``citykit course verify`` runs every one
against the data and fails when the check or the hidden tests accept a mistake or reject an
alternative. Other keys of a question:

``decimals = 3``
    on a number (or a list of numbers): accept any answer within half a unit of the third decimal,
    what rounding to three decimals gives; the question's text says so.
``keeps = ["sanitation_chart"]``
    other variables the question asks the learner to keep (the methods of later questions may
    use them; hidden tests see only the answer variable, the modules and the parameters).
``listed = ["Bad", "Good"]``
    values the question itself lists, which hints and feedback may name too (verify otherwise
    fails a hint or feedback that shows the answer).
``explanation = "..."``
    words shown with the worked answer (choice questions have no code to show).
``options``, ``digits``, ``ordered``
    the letters of a choice question; significant digits and row order for tables.

``citykit course fingerprint <assignment>`` writes ``<assignment>.answers.json``: salted hashes
of a canonical form of the right answer, of every alternative and of every mistake (numbers
rounded, text case-folded, tables sorted), so a learner can be told "correct" or "that is the
mistake of counting only closed requests" without the answer being in the exercise. A
determined learner could still find a small number by trial; graded cohorts rely on the hidden
tests for the final score.

Worked answers
--------------
After a check says Correct, ``check.solution(question)`` shows a worked answer. It is stored
encrypted with a key made from the right answer, so it opens only for a learner who has that
answer (self-learners need nothing else). In a cohort the instructor sets the environment
variable ``CITYKIT_COHORT`` to a folder; worked answers of an assignment then appear only once the
instructor has released them by creating the file ``<assignment>.released`` in that folder.

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

import base64
import hashlib
import html
import itertools
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
    "Progress",
    "fingerprint",
    "describe_value",
    "bank_path",
    "load_bank",
]

QUESTIONS_DIR = Path(__file__).with_name("questions")
#: Environment variable naming an extra folder of question banks (an instructor's own assignments).
QUESTIONS_ENV = "CITYKIT_QUESTIONS_DIR"
#: Environment variable naming a cohort's folder: worked answers wait for the instructor's release.
COHORT_ENV = "CITYKIT_COHORT"
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
#: Environment variable set by ``citykit course fingerprint`` in the solution's kernel: the checks
#: ignore the fingerprints about to be replaced.
REFINGERPRINT_ENV = "CITYKIT_REFINGERPRINT"
# answers within _STEPS quantisation steps of the stored one are accepted (see _candidates)
_STEPS = 2
# tolerance on a list of numbers tries every combination of neighbours: keep lists short
_MAX_TOLERANT_ITEMS = 5


class NotYet(AssertionError):
    """Raised while grading by a check that did not pass, so that nbgrader scores the cell as failed.

    IPython shows only the one-line summary (``_render_traceback_``), which carries the verdict.
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


def _canonical_choice(value) -> str:
    return "text:" + str(value).strip().strip(".)(").strip().casefold()


def _step(decimals: int) -> float:
    # half a unit of the last decimal is the tolerance; the quantisation step is half of that
    return 0.25 * 10.0 ** (-decimals)


def _quantised(value, *, decimals: int) -> int:
    import numpy as np

    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError("a number is expected")
    if math.isnan(float(value)) or math.isinf(float(value)):
        raise ValueError("a finite number is expected")
    return round(float(value) / _step(decimals))


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


def _items(value) -> list:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError("a collection is expected")
    if isinstance(value, dict):
        value = list(value)
    return list(value)


def _candidates(
    value,
    *,
    kind: str,
    digits: int = 6,
    ordered: bool = False,
    columns=None,
    decimals: int | None = None,
    near: bool = True,
) -> list[str]:
    """Canonical forms of ``value``: its own first, then (with ``decimals``) its near neighbours.

    A number is compared by its quantised value ``round(x / step)``, with ``step`` a quarter of a
    unit of the last decimal; an answer is accepted when its quantised value is within two steps
    of the stored one, i.e. within at least half a unit and at most three quarters of a unit of
    the last decimal. Lists of numbers are compared item by item the same way.
    """
    import numpy as np
    import pandas as pd

    if kind in ("integer", "number", "bool"):
        if isinstance(value, (pd.Series, pd.DataFrame, np.ndarray, list, tuple, dict, set)):
            raise TypeError("a single value is expected")
        if kind == "integer" and isinstance(value, (int, float, np.integer, np.floating)):
            if isinstance(value, (bool, np.bool_)):
                raise TypeError("a whole number is expected")
            if float(value).is_integer():
                return [f"int:{int(value)}"]
        if kind == "number" and decimals is not None:
            k = _quantised(value, decimals=decimals)
            shifts = range(-_STEPS, _STEPS + 1) if near else (0,)
            return [f"q{decimals}:{k + d}" for d in sorted(shifts, key=abs)]
        return [_canonical_scalar(value, digits=digits)]
    if kind == "text":
        return [_canonical_scalar(value, digits=digits)]
    if kind == "choice":
        return [_canonical_choice(value)]
    if kind in ("set", "list"):
        items = _items(value)
        if decimals is not None and kind == "list":
            ks = [_quantised(v, decimals=decimals) for v in items]
            if len(ks) > _MAX_TOLERANT_ITEMS:
                raise CityKitError(
                    f"decimals= on a list works for lists of at most {_MAX_TOLERANT_ITEMS} "
                    f"numbers; this one has {len(ks)}. Use digits= instead."
                )
            shifts = range(-_STEPS, _STEPS + 1) if near else (0,)
            combos = itertools.product(*[[k + d for d in sorted(shifts, key=abs)] for k in ks])
            return [f"list-q{decimals}:" + "|".join(map(str, combo)) for combo in combos]
        canon = [_canonical_scalar(v, digits=digits) for v in items]
        if kind == "set":
            canon = sorted(set(canon))
        return [f"{kind}:" + "|".join(canon)]
    if kind in ("series", "frame"):
        if not isinstance(value, (pd.Series, pd.DataFrame)):
            raise TypeError("a table is expected")
        return [_canonical_table(value, digits=digits, ordered=ordered, columns=columns)]
    raise UnknownNameError(f"kind={kind!r} is not one of {', '.join(KINDS)}.")


def _hash(question: str, canonical: str) -> str:
    return hashlib.sha256(f"{question}\n{canonical}".encode()).hexdigest()[:20]


def fingerprint(
    value,
    *,
    question: str,
    kind: str,
    digits: int = 6,
    ordered: bool = False,
    columns=None,
    decimals: int | None = None,
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
        Significant digits kept for numbers (when ``decimals`` is not given).
    ordered : bool, keyword-only
        Whether the order of rows (tables) matters.
    columns : list of str, optional, keyword-only
        For frames: the columns compared (extra columns of the answer are ignored).
    decimals : int, optional, keyword-only
        For numbers and lists of numbers: compare to this many decimals (a checker accepts
        answers within half a unit of the last decimal).

    Examples
    --------
    >>> fingerprint(12, question="demo/q", kind="integer") == fingerprint(
    ...     12.0, question="demo/q", kind="integer")
    True
    >>> fingerprint(0.9059, question="demo/q", kind="number", decimals=3) == fingerprint(
    ...     0.90594, question="demo/q", kind="number", decimals=3)
    True
    """
    canonical = _candidates(
        value,
        kind=kind,
        digits=digits,
        ordered=ordered,
        columns=columns,
        decimals=decimals,
        near=False,
    )[0]
    return _hash(question, canonical)


def describe_value(value) -> dict:
    """Return the shape of a value that a check may use: its type, columns and length.

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
# Worked answers, opened by the right answer


def _keystream(key: bytes, n: int) -> bytes:
    blocks = (hashlib.sha256(key + i.to_bytes(8, "big")).digest() for i in range(n // 32 + 1))
    return b"".join(blocks)[:n]


def _worked_key(question: str, canonical: str) -> bytes:
    # not the fingerprint (that is stored next to the worked answer): another salt
    return hashlib.sha256(f"citykit worked answer\n{question}\n{canonical}".encode()).digest()


def seal(text: str, *, question: str, canonical: str) -> str:
    """Return ``text`` encrypted so that only the answer with ``canonical`` form opens it."""
    key = _worked_key(question, canonical)
    data = text.encode()
    body = bytes(a ^ b for a, b in zip(data, _keystream(key, len(data)), strict=True))
    tag = hashlib.sha256(b"tag" + key + body).digest()[:16]
    return base64.b64encode(tag + body).decode("ascii")


def _unseal(sealed: str, *, question: str, canonical: str) -> str | None:
    key = _worked_key(question, canonical)
    raw = base64.b64decode(sealed)
    tag, body = raw[:16], raw[16:]
    if hashlib.sha256(b"tag" + key + body).digest()[:16] != tag:
        return None
    return bytes(a ^ b for a, b in zip(body, _keystream(key, len(body)), strict=True)).decode()


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
    if os.environ.get(REFINGERPRINT_ENV):
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
        if "decimals" in spec and kind not in ("number", "list"):
            raise CityKitError(
                f"{path.name}: question {qid!r} has decimals= but kind={kind!r}; decimals= "
                "applies to numbers and lists of numbers."
            )
        spec.setdefault("hints", [])
        spec.setdefault("mistakes", [])
        spec.setdefault("alternatives", [])
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
        problem = self._shape_problem(spec, value, answer.get("shape", {}))
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
            empty = value is pd.NA or (
                isinstance(value, (float, np.floating)) and math.isnan(float(value))
            )
            if empty:
                return [
                    f"`{variable}` is missing (NaN or <NA>): the calculation found no rows to work "
                    "on. Check that your filters keep some rows: a value compared with the wrong "
                    "type matches nothing, e.g. .dt.year == '2024' (text) instead of == 2024."
                ]
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
                return [
                    f"`{variable}` has {len(frame)} rows, not as many as the question asks for: "
                    "check which rows your filters keep or drop."
                ]
        elif kind == "series":
            if isinstance(value, pd.DataFrame):
                return [
                    f"`{variable}` is a DataFrame; a Series (one column) is expected. Tip: pick "
                    "the column, e.g. table['column']."
                ]
            if not isinstance(value, pd.Series):
                return [f"`{variable}` should be a pandas Series, but it is a {actual}."]
            if "length" in shape and len(value) != shape["length"]:
                return [
                    f"`{variable}` has {len(value)} values, not as many as the question asks "
                    "for: check which groups or rows it includes (missing values, filters)."
                ]
        elif kind in ("set", "list"):
            if isinstance(value, str) or not hasattr(value, "__len__"):
                return [f"`{variable}` should be a list of values, but it is a {actual}."]
            if "length" in shape and len(value) != shape["length"]:
                return [
                    f"`{variable}` has {len(value)} items, not as many as the question asks for."
                ]
        elif kind == "choice":
            options = [_canonical_choice(o) for o in spec.get("options", [])]
            if options and _canonical_choice(value) not in options:
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
