r"""Hidden tests run in the grader's own process, on answer values carried out of the kernel.

Student code can change anything in its own kernel: the builtins, ``check``, IPython's input
transformers, the cells that run after its own. So the kernel is asked only for *values*
(see :mod:`citykit.grading.values`); a grade cell's full source -- visible checks and hidden
tests, taken from the instructor's source notebook -- is executed here, in a fresh namespace
with the real builtins:

* names the source notebook's given cells bind before the first answer (parameters, imports,
  ``check = Exercise(...)``, data loading) come from running those cells here, never from the
  kernel;
* the answer names (bound by the source's answer cells) and the other names the test reads
  come from the kernel as plain values; a student function becomes a :class:`RemoteFunction`
  whose calls run in the kernel and return plain values;
* a value that is not plain data gets its own verdict ("... is a <type>, not a plain value").

Examples
--------
>>> from citykit.grading.trusted import free_names
>>> sorted(free_names("summary = summarize([3, 1])\nassert summary == {'min': 1}"))
['summarize']
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.util
import sys
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from citykit.grading.hidden import hidden_line_range

__all__ = [
    "AnswerError",
    "AnswerNotPlain",
    "NotAPlainValue",
    "RemoteFunction",
    "TestVerdict",
    "TrustedNotebook",
    "bound_names",
    "free_names",
    "python_source",
]

#: Modules a student's answer may name (``import pandas as pd`` in an answer cell).
_ALLOWED_MODULES = {
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "pyarrow",
    "math",
    "statistics",
    "re",
    "json",
    "datetime",
    "collections",
    "itertools",
    "functools",
    "csv",
    "citykit",
    "matplotlib",
    "seaborn",
}


class AnswerError(Exception):
    """A student's function failed (or returned something that is not plain data)."""


def python_source(source: str) -> str:
    r"""A cell's source as plain Python (IPython magics turned into calls).

    Examples
    --------
    >>> python_source("%matplotlib inline\nx = 1").splitlines()[1]
    'x = 1'
    """
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _parse(source: str):
    try:
        return ast.parse(python_source(source))
    except SyntaxError:
        return None


def bound_names(source: str) -> set[str]:
    r"""Names a cell binds at its top level (not inside functions, classes or comprehensions).

    Examples
    --------
    >>> sorted(bound_names("import pandas as pd\nx, y = 1, 2\ndef f(a):\n    z = a"))
    ['f', 'pd', 'x', 'y']
    """
    tree = _parse(source)
    found: set[str] = set()
    if tree is None:
        return found

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
            return
        if isinstance(
            node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
        ):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                found.add((alias.asname or alias.name).split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def free_names(source: str) -> set[str]:
    """Names a cell reads that it does not bind itself before (builtins excluded).

    Examples
    --------
    >>> sorted(free_names("assert abs(x - y) < 1"))
    ['x', 'y']
    """
    tree = _parse(source)
    if tree is None:
        return set()
    loaded = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    return {n for n in loaded - bound_names(source) if not hasattr(builtins, n)}


class AnswerNotPlain(Exception):
    """Raised when a test uses an answer that is not plain data."""


def _refuse(self, *args, **kwargs):
    raise AnswerNotPlain(object.__getattribute__(self, "message")())


class NotAPlainValue:
    """Stands for an answer the kernel could not hand over as plain data; using it raises."""

    __slots__ = ("name", "type_name")

    def __init__(self, name: str, type_name: str):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "type_name", type_name)

    def __repr__(self) -> str:
        return f"<{self.name}: a {self.type_name}, not a plain value>"

    def message(self) -> str:
        """The per-question verdict for this answer."""
        return (
            f"`{self.name}` is a {self.type_name}, not a plain value the grader can read "
            "(a number, text, list, dict, Series or DataFrame)"
        )

    __getattr__ = __call__ = __getitem__ = __iter__ = __len__ = __bool__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __float__ = __int__ = _refuse
    __add__ = __sub__ = __mul__ = __truediv__ = __radd__ = __rsub__ = __rmul__ = _refuse
    __str__ = __format__ = __contains__ = __index__ = __abs__ = __neg__ = _refuse
    __hash__ = None


class RemoteFunction:
    """A student's function: each call runs in the student's kernel, on plain values."""

    def __init__(self, name: str, caller):
        self.__name__ = name
        self._caller = caller

    def __call__(self, *args, **kwargs):
        """Call the function in the kernel; arguments and result are plain values."""
        return self._caller(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


@dataclass
class TestVerdict:
    """The outcome of one grade cell evaluated here."""

    passed: bool
    ename: str = ""
    evalue: str = ""
    line: int | None = None
    in_hidden: bool = False
    result: float | None = None
    notes: list = field(default_factory=list)


def _module(name: str):
    top = name.split(".")[0]
    if top not in _ALLOWED_MODULES and name not in sys.modules:
        return None
    try:
        return importlib.import_module(name)
    except Exception:
        return None


def _grade_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


class TrustedNotebook:
    """The instructor's source notebook of one assignment notebook, prepared for grading.

    Parameters
    ----------
    nb : dict
        The source notebook (with solutions and hidden tests), as read by nbformat.
    """

    def __init__(self, nb):
        cells = nb["cells"]
        self.tests: dict[str, str] = {}
        self.answer_names: set[str] = set()
        self.question_names: dict[str, set] = {}
        setup_sources, later_imports = [], []
        seen_answer = False
        last_answer: set = set()
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            meta = _grade_meta(cell)
            source = _source(cell)
            if meta.get("solution"):
                seen_answer = True
                last_answer = bound_names(source)
                self.answer_names |= last_answer
            elif meta.get("grade"):
                gid = meta.get("grade_id", "")
                self.tests[gid] = source
                self.question_names[gid] = set(last_answer) | free_names(source)
            elif not seen_answer:
                setup_sources.append(source)
            else:
                later_imports.append(source)
        self.setup_errors: list[str] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.setup = self._run_setup(setup_sources, later_imports)
        self.trusted_names = set(self.setup) - {"__builtins__", "__name__"}

    def _run_setup(self, sources, later) -> dict:
        """Run the given cells here, statement by statement.

        A statement that fails (an IPython magic, a plot, a use of the learner's answers) is
        skipped and noted; the others bind the trusted names (parameters, imports, ``check``,
        data the notebook gives).
        """
        ns = {"__builtins__": builtins, "__name__": "__main__"}
        for source in [*sources, *later]:
            tree = _parse(source)
            if tree is None:
                self.setup_errors.append("a given cell could not be parsed")
                continue
            for statement in tree.body:
                module = ast.Module([statement], [])
                try:
                    exec(compile(module, "<given cell>", "exec"), ns)
                except Exception as exc:
                    self.setup_errors.append(
                        f"line {statement.lineno}: {type(exc).__name__}: {str(exc)[:200]}"
                    )
        return ns

    def names_to_fetch(self, grade_id: str) -> list[str]:
        """Names whose values must come from the kernel for this test."""
        wanted = self.question_names.get(grade_id, set()) | free_names(self.tests.get(grade_id, ""))
        return sorted(wanted - self.trusted_names)

    def evaluate(self, grade_id: str, probe: dict, caller) -> TestVerdict:
        """Run the full grade cell ``grade_id`` on ``probe`` (name -> kernel description).

        Parameters
        ----------
        grade_id : str
            The grade cell.
        probe : dict
            What :func:`citykit.grading.values.kernel_probe` said, decoded values under ``"v"``.
        caller : callable
            ``caller(name, args, kwargs)`` runs a student function in the kernel.
        """
        source = self.tests[grade_id]
        ns = dict(self.setup)
        for name, info in probe.items():
            kind = info.get("kind")
            if kind == "value":
                ns[name] = info["value"]
            elif kind == "function":
                ns[name] = RemoteFunction(name, caller)
            elif kind == "module":
                module = _module(str(info.get("module", "")))
                if module is not None:
                    ns[name] = module
                else:
                    ns[name] = NotAPlainValue(name, f"module {info.get('module')!r}")
            elif kind == "unsupported":
                ns[name] = NotAPlainValue(name, str(info.get("type", "object")))
        span = hidden_line_range(source)
        filename = f"<test {grade_id}>"
        result = None
        try:
            tree = ast.parse(python_source(source), filename)
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, filename, "exec"), ns)
            if last is not None:
                result = eval(compile(last, filename, "eval"), ns)
        except (Exception, SystemExit) as exc:
            line = None
            for frame, lineno in traceback.walk_tb(exc.__traceback__):
                if frame.f_code.co_filename == filename:
                    line = lineno
            in_hidden = span is not None and (line is None or span[0] <= line <= span[1])
            message, ename = str(exc), type(exc).__name__
            cause = exc
            while cause is not None:  # an answer that is not plain data: say so, plainly
                if isinstance(cause, AnswerNotPlain):
                    message, ename, in_hidden = str(cause), "TypeError", False
                    break
                cause = cause.__cause__ or cause.__context__
            else:
                unread = [
                    ns[n]
                    for n in sorted(free_names(source))
                    if isinstance(ns.get(n), NotAPlainValue)
                ]
                if unread:  # the test read it directly (e.g. isinstance)
                    message, ename, in_hidden = unread[0].message(), "TypeError", False
            return TestVerdict(False, ename, message, line, in_hidden)
        partial = None
        if type(result) in (int, float) and not isinstance(result, bool):
            partial = float(result)  # nbgrader's partial credit: a number as the last value
        return TestVerdict(True, result=partial)


_CACHE: dict = {}


def trusted_notebook(path: str | Path) -> TrustedNotebook:
    """The :class:`TrustedNotebook` of a source notebook file (cached per process)."""
    import os

    import nbformat

    path = Path(path)
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _CACHE:
        cwd = os.getcwd()
        try:
            os.chdir(path.parent)  # the given cells read the assignment's files
            _CACHE[key] = TrustedNotebook(nbformat.read(path, as_version=4))
        finally:
            os.chdir(cwd)
    return _CACHE[key]


def module_available(name: str) -> bool:
    """True when ``name`` is importable by the grader."""
    return importlib.util.find_spec(name) is not None
