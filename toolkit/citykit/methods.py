"""Run a question's methods — plausible mistakes and defensible alternatives — against the data.

A question bank (:mod:`citykit.check`) lists, for every question, *mistakes* (wrong methods an
analyst really uses: the wrong column, the wrong denominator, a date boundary off by one, the mean
for the median ...) and *alternatives* (other right methods, such as a calculation by hand rounded
as the lesson shows), each as the code a learner would write in the answer cell. ``citykit course
fingerprint`` and ``citykit course verify`` execute the solution notebook and, just before each
question's answer cell, call :func:`run_question` inside that kernel:

* every method runs on a copy of the learner's namespace at that point (the data and what the
  notebook's given cells built; the solution's own working variables are removed, so a method
  computes from the data as a learner would);
* the method's answer is judged twice: by the visible check, and by the question's hidden tests,
  run in a clean namespace that holds only the notebook's modules, its parameters and the answer
  variable (what a grader carries out of a learner's kernel).

This module runs inside the notebook's kernel; :mod:`citykit.course` drives it.

Examples
--------
>>> ns = {"requests": ["pothole", "graffiti", "pothole"], "n": 99}
>>> outcome = run_method(ns, "n = requests.count('pothole')", variable="n", drop=set(), keeps=())
>>> outcome.value, outcome.error
(2, None)
>>> run_method(ns, "n = n + 1", variable="n", drop=set(), keeps=()).error  # not from the data
"NameError: name 'n' is not defined"
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
import time
import types
from dataclasses import dataclass

__all__ = [
    "MethodOutcome",
    "assigned_names",
    "hidden_namespace",
    "run_method",
    "run_hidden",
    "run_question",
    "solution_entry",
    "print_result",
    "kernel_call",
    "read_result",
    "value_texts",
]

_MISSING = object()
MARKER = "CITYKIT-METHODS "


@dataclass
class MethodOutcome:
    """What one method produced: its value (or the error it raised) and how long it took."""

    value: object
    namespace: dict
    error: str | None
    seconds: float


def assigned_names(source: str) -> set[str]:
    r"""Return the names a piece of code assigns (for loops, imports and definitions included).

    Examples
    --------
    >>> sorted(assigned_names("a = 1\nb, c = 2, 3\nfor i in []: pass\nimport math as m"))
    ['a', 'b', 'c', 'i', 'm']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def run_method(namespace: dict, code: str, *, variable: str, drop: set, keeps) -> MethodOutcome:
    """Run ``code`` on a copy of ``namespace`` without ``drop``; return the value of ``variable``."""
    local = {k: v for k, v in namespace.items() if k not in drop}
    for name in (variable, *keeps):
        local.pop(name, None)
    started = time.perf_counter()
    error = None
    try:
        exec(compile(code, f"<method of {variable}>", "exec"), local)
    except Exception as exc:  # a method that fails is reported, not raised
        error = f"{type(exc).__name__}: {exc}"
    return MethodOutcome(local.get(variable, _MISSING), local, error, time.perf_counter() - started)


def hidden_namespace(namespace: dict, *, parameters, names: dict) -> dict:
    """The clean namespace of hidden tests: modules, parameters and the answer variable."""
    clean = {"__builtins__": __builtins__}
    clean.update({k: v for k, v in namespace.items() if isinstance(v, types.ModuleType)})
    clean.update({k: namespace[k] for k in parameters if k in namespace})
    clean.update(names)
    return clean


def run_hidden(source: str, clean: dict) -> tuple[bool, str | None]:
    """Run hidden tests; return whether they passed and, if not, the error's type and message."""
    try:
        exec(compile(source, "<hidden tests>", "exec"), clean)
    except AssertionError:
        return False, None
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, None


def value_texts(value) -> list[str]:
    """Ways a right answer could be written in a message (to check that feedback never shows it).

    Examples
    --------
    >>> value_texts(0.90594)[:3]
    ['0.906', '0.91', '90.6%']
    """
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return []
    if isinstance(value, (int, np.integer)):
        return [f"{int(value)}", f"{int(value):,}"] if abs(int(value)) >= 10 else []
    if isinstance(value, (float, np.floating)) and math.isfinite(float(value)):
        x = float(value)
        if x.is_integer():
            return value_texts(int(x))
        texts = [f"{x:.3f}", f"{x:.2f}"] if abs(x) >= 0.01 else [f"{x:.4f}"]
        if abs(x) < 1:
            texts += [f"{100 * x:.1f}%", f"{100 * x:.0f}%"]
        return [t for t in texts if t.strip("0.%-") not in ("", "1")]
    if isinstance(value, str) and len(value.strip()) > 1:
        return [value.strip()]
    return []


@contextlib.contextmanager
def _tables_read_once():
    """While methods run, ``datasets.load`` reads each table once and hands out copies.

    Hidden tests load their data afresh for every method judged; reading the CSV files again each
    time would cost more than the methods themselves. The copies are deep, so a method or a test
    that changes its table changes nothing for the next one.
    """
    from citykit import datasets

    read = datasets.load
    tables: dict = {}

    def load(name, *, data_dir=None):
        key = (name, str(data_dir))
        if key not in tables:
            tables[key] = read(name, data_dir=data_dir)
        return tables[key].copy(deep=True)

    datasets.load = load
    try:
        yield
    finally:
        datasets.load = read


def _answer_label(value) -> str:
    if value is _MISSING:
        return "nothing (the method does not set the variable)"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def run_question(
    namespace: dict,
    *,
    assignment: str,
    question: str,
    drop,
    hidden: str,
    parameters,
    mode: str,
) -> dict:
    """Run every method of ``question``; in ``verify`` mode judge it, in ``fingerprint`` mode hash it.

    Returns a JSON-ready dict: per method its kind (``mistake`` or ``alternative``), number,
    verdict, message, whether the hidden tests passed, and any error.
    """
    from citykit import check

    exercise = check.Exercise(assignment)
    spec = exercise.questions[question]
    context = {
        "namespace": namespace,
        "exercise": exercise,
        "question": question,
        "variable": spec["variable"],
        "keeps": tuple(spec.get("keeps", ())),
        "drop": set(drop),
        "hidden": hidden,
        "parameters": parameters,
        "mode": mode,
    }
    methods = [("mistake", i, m) for i, m in enumerate(spec["mistakes"])] + [
        ("alternative", i, m) for i, m in enumerate(spec["alternatives"])
    ]
    with _tables_read_once():
        results = [_judge_method(context, kind, index, method) for kind, index, method in methods]
    return {"question": question, "methods": results}


def _judge_method(context: dict, kind: str, index: int, method: dict) -> dict:
    """Run one method and judge (``verify``) or fingerprint (``fingerprint``) its answer."""
    exercise, question, variable = context["exercise"], context["question"], context["variable"]
    outcome = run_method(
        context["namespace"],
        method["code"],
        variable=variable,
        drop=context["drop"],
        keeps=context["keeps"],
    )
    row = {
        "kind": kind,
        "index": index,
        "code": method["code"].strip(),
        "error": outcome.error,
        "seconds": round(outcome.seconds, 3),
        "value": _answer_label(outcome.value),
    }
    if outcome.error is not None or outcome.value is _MISSING:
        return row
    if context["mode"] == "fingerprint":
        try:
            row["canonical"] = exercise.canonical_forms(question, outcome.value, near=False)[0]
            row["fingerprint"] = exercise.fingerprint_of(question, outcome.value)
        except Exception as exc:
            row["error"] = f"cannot be fingerprinted: {type(exc).__name__}: {exc}"
        return row
    verdict = exercise.evaluate(question, outcome.value)
    row["status"] = verdict.status
    row["message"] = verdict.message
    clean = hidden_namespace(
        context["namespace"], parameters=context["parameters"], names={variable: outcome.value}
    )
    started = time.perf_counter()
    row["hidden_passed"], row["hidden_error"] = run_hidden(context["hidden"], clean)
    row["seconds"] = round(row["seconds"] + time.perf_counter() - started, 3)
    return row


def solution_entry(
    namespace: dict,
    *,
    assignment: str,
    question: str,
    hidden: str,
    parameters,
    mode: str,
    solution_code: str = "",
    alternatives=(),
) -> dict:
    """Judge (``verify``) or fingerprint (``fingerprint``) the solution's own answer to ``question``.

    In ``fingerprint`` mode the entry written to ``<assignment>.answers.json`` is built here: the
    answer's fingerprint, the fingerprints of alternatives that give another value, the coarse
    roundings of a number, the shape of a table and the sealed worked answer.
    """
    from citykit import check

    exercise = check.Exercise(assignment)
    spec = exercise.questions[question]
    variable = spec["variable"]
    kind = spec.get("kind", "number")
    value = namespace.get(variable, _MISSING)
    if mode == "verify":
        names = {variable: value} if value is not _MISSING else {}
        clean = hidden_namespace(namespace, parameters=parameters, names=names)
        passed, error = run_hidden(hidden, clean)
        verdict = exercise.evaluate(question, value)
        leaks = []
        if value is not _MISSING:
            # values the question itself lists (the four bands, a threshold) may be named
            listed = {str(x) for x in spec.get("listed", [])}
            texts = [t for t in value_texts(value) if t not in listed]
            for where, text in [("feedback", m["feedback"]) for m in spec["mistakes"]] + [
                ("hint", h) for h in spec["hints"]
            ]:
                leaks += [f"a {where} shows the answer ({t!r})" for t in texts if t in text]
        return {
            "question": question,
            "status": verdict.status,
            "message": verdict.message,
            "hidden_passed": passed,
            "hidden_error": error,
            "leaks": sorted(set(leaks)),
        }
    base = f"{assignment}/{question}"
    canonical = exercise.canonical_forms(question, value, near=False)[0]
    shape = check.describe_value(value) if kind not in ("function",) else {}
    if kind in ("integer", "number", "text", "bool", "choice"):
        shape = {}
    entry = {
        "fingerprint": exercise.fingerprint_of(question, value),
        "shape": shape,
    }
    # an alternative within the answer's tolerance is accepted already: storing it would widen
    # the tolerance; only an alternative that gives another value is stored
    near = set(exercise.canonical_forms(question, value))
    accepted = []
    canonicals = [canonical]
    for alt in alternatives:
        if alt.get("canonical") and alt["canonical"] not in near:
            if alt["fingerprint"] not in accepted:
                accepted.append(alt["fingerprint"])
                canonicals.append(alt["canonical"])
    if accepted:
        entry["accepted"] = accepted
    decimals = spec.get("decimals")
    if kind == "number" and decimals:
        entry["coarse"] = {
            str(places): exercise.coarse_fingerprint_of(question, value, places=places)
            for places in range(decimals)
        }
    worked = json.dumps(
        {"code": solution_code.strip(), "explanation": spec.get("explanation", "")},
        ensure_ascii=False,
    )
    entry["worked"] = [check.seal(worked, question=base, canonical=c) for c in canonicals]
    return entry


_KERNEL_WORK = {"run_question": run_question, "solution_entry": solution_entry}


def print_result(function: str, namespace: dict, options: dict) -> None:
    """Run :func:`run_question` or :func:`solution_entry` in a kernel; print its result as JSON.

    :mod:`citykit.course` sends a one-line call of this function to the solution's kernel and
    reads the line back with :func:`read_result`: the rules themselves stay in this module.

    Examples
    --------
    >>> print_result("nothing", {}, {})
    Traceback (most recent call last):
    ...
    KeyError: 'nothing'
    """
    result = _KERNEL_WORK[function](namespace, **options)
    print(MARKER + json.dumps(result, default=str))


def kernel_call(function: str, **options) -> str:
    """Return the code of a notebook cell that calls :func:`print_result` with ``options``.

    Examples
    --------
    >>> print(kernel_call("run_question", question="q1"))
    import citykit.methods as _cm
    _cm.print_result('run_question', globals(), {'question': 'q1'})
    """
    return f"import citykit.methods as _cm\n_cm.print_result({function!r}, globals(), {options!r})"


def read_result(text: str) -> dict | None:
    """Return the result :func:`print_result` printed in ``text`` (a cell's stdout), or None.

    Examples
    --------
    >>> read_result("".join(["noise", chr(10), MARKER, '{"a": 1}', chr(10)]))
    {'a': 1}
    >>> read_result("no result") is None
    True
    """
    if MARKER not in text:
        return None
    return json.loads(text.rsplit(MARKER, 1)[1].splitlines()[0])
