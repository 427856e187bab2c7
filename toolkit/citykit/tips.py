"""Plain-language tips for the errors analysts hit most, shown above the real traceback.

Call :func:`enable` once in a notebook (the setup cells of lessons and assignments do). From then on,
when a cell fails with one of the common errors — a misspelt column (``KeyError``), a name Python does
not know yet because a cell was not run (``NameError``), a text value typed without quotes, a
combined condition without its parentheses, ``and``/``or`` on whole columns, a date pandas cannot
read, text where numbers were expected, a column read as an attribute — a short box says what
probably happened and what to try.
The real traceback still follows, unchanged: the tip adds, it hides nothing.

Under pandas 3, assigning through a chained selection (``table[mask]["col"] = 0``) silently does
nothing and warns; :func:`enable` adds a tip to that warning too.

Examples
--------
>>> import pandas as pd
>>> requests = pd.DataFrame({"closed_at": [1], "district": ["North"]})
>>> print(explain(KeyError("closed_date"), {"requests": requests}).text)
A column named 'closed_date' does not exist.
Did you mean 'closed_at' (a column of requests)? Column names must match exactly, including capitals and spaces. requests.columns lists them.
"""

from __future__ import annotations

import html
import re
import sys
import warnings
from dataclasses import dataclass

from citykit.errors import did_you_mean

__all__ = ["Tip", "explain", "enable", "disable"]


@dataclass(frozen=True)
class Tip:
    """What probably happened (``headline``) and what to try (``advice``)."""

    headline: str
    advice: str

    @property
    def text(self) -> str:
        """The tip as two lines of plain text."""
        return f"{self.headline}\n{self.advice}"

    def __str__(self) -> str:
        return f"Tip: {self.text}"

    def _repr_html_(self) -> str:
        return (
            "<div style='border-left:5px solid #0b5cad;background:#e8f1fb;padding:8px 12px;"
            "margin:4px 0;font-family:sans-serif;color:#1f1f1f'><strong style='color:#0b5cad'>"
            f"Tip</strong> {html.escape(self.headline)}<br>{html.escape(self.advice)}"
            "<br><small>The full error message follows.</small></div>"
        )


def _frames(namespace: dict) -> dict:
    import pandas as pd

    return {
        name: value
        for name, value in namespace.items()
        if isinstance(value, pd.DataFrame) and not name.startswith("_")
    }


def _key_error(error: KeyError, namespace: dict) -> Tip | None:
    key = error.args[0] if error.args else None
    if not isinstance(key, str):
        return None
    frames = _frames(namespace)
    for name, frame in frames.items():
        columns = [str(c) for c in frame.columns]
        if key in columns:
            continue
        suggestion = did_you_mean(key, columns)
        if suggestion:
            close = suggestion.split("'")[1]
            return Tip(
                f"A column named {key!r} does not exist.",
                f"Did you mean {close!r} (a column of {name})? Column names must match exactly, "
                f"including capitals and spaces. {name}.columns lists them.",
            )
    return Tip(
        f"Python looked for the key {key!r} and did not find it.",
        "If it is a column name, check the spelling and capitals against table.columns; "
        "if it is a row label, check table.index.",
    )


def _value_in_a_column(name: str, namespace: dict) -> tuple[str, str, str] | None:
    """Find ``name`` among the text values of the notebook's tables: (value, column, table)."""
    import pandas as pd

    wanted = name.casefold()
    for table_name, frame in _frames(namespace).items():
        if len(frame) > 2_000_000:
            continue
        for column in frame.columns:
            values = frame[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                candidates = values.cat.categories
            elif pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
                candidates = values.dropna().unique()
                if len(candidates) > 1000:
                    continue
            else:
                continue
            for value in candidates:
                if isinstance(value, str) and value.casefold() == wanted:
                    return value, str(column), table_name
    return None


def _name_error(error: NameError, namespace: dict) -> Tip | None:
    match = re.search(r"name '([^']+)' is not defined", str(error))
    if not match:
        return None
    name = match.group(1)
    found = _value_in_a_column(name, namespace)
    if found is not None:
        # beginner guard: a text value typed without quotes is read as a variable's name
        value, column, table = found
        return Tip(
            f"`{name}` looks like a value of the column {column!r} of {table}, written without quotes.",
            f"Text values need quotes, or Python reads them as the name of a variable: write "
            f"{value!r}, e.g. {table}[{table}[{column!r}] == {value!r}].",
        )
    known = [n for n in namespace if not n.startswith("_")]
    close = did_you_mean(name, known)
    spelling = (
        f" Or a typo:{close}" if close else f" If you meant the text {name!r}, put it in quotes."
    )
    return Tip(
        f"Python does not know `{name}` yet.",
        "Usually the cell that creates it has not been run in this session (after a restart, "
        f"run the cells above: Run > Run All Above).{spelling}",
    )


_COMBINE = (
    "Put each comparison in its own parentheses and join them with & (and), | (or), or put ~ "
    "(not) in front: (table['a'] == 'x') & (table['b'] > 3)."
)


def _value_error(error: Exception, namespace: dict) -> Tip | None:
    text = str(error)
    if "truth value of a Series is ambiguous" in text or "truth value of a DataFrame" in text:
        # beginner guard: `and`/`or`/`not` (or a chain like a > 1 & a < 5) on whole columns
        return Tip(
            "The words and, or and not work on one True or False at a time, not on a whole column.",
            _COMBINE + " A chain such as table['a'] > 1 & table['a'] < 5 needs the parentheses "
            "too.",
        )
    if re.search(r"time data|doesn't match format|Unknown datetime string|Out of bounds", text):
        return Tip(
            "pandas could not read some values as dates.",
            "Give the format, e.g. pd.to_datetime(col, format='%m/%d/%Y'), or use "
            "errors='coerce' to turn unreadable values into NaT and find them with .isna().",
        )
    if re.search(r"could not convert string to float|Unable to parse string", text):
        return Tip(
            "Some values are text where numbers were expected.",
            "pd.to_numeric(col, errors='coerce') turns them into NaN so you can find them "
            "(e.g. '1,200' or 'N/A').",
        )
    return None


def _type_error(error: TypeError, namespace: dict) -> Tip | None:
    text = str(error)
    if (
        re.search(r"unsupported operand type\(s\) for [&|]", text)
        or re.search(r"Cannot perform '(r?and_|r?or_)'", text)
        # pandas' text columns (pyarrow-backed str): "operation 'rand_' not supported for ..."
        or re.search(r"operation '(r?and_|r?or_)' not supported", text)
    ):
        # beginner guard: & and | are worked out before ==, so the comparisons need parentheses
        return Tip(
            "A combined condition is missing its parentheses: Python works out & and | before "
            "==, < and >.",
            _COMBINE,
        )
    if (
        re.search(r"not supported between instances of 'str' and '(int|float)'", text)
        or re.search(r"unsupported operand type\(s\).*'str'", text)
        # pandas' text columns (pyarrow-backed str)
        or re.search(r"Invalid comparison between dtype=str and (int|float)", text)
        or re.search(r"operation '\w+' not supported for dtype 'str' with object of type", text)
    ):
        return Tip(
            "Text and numbers were mixed in a comparison or a calculation.",
            "A column that looks numeric may be stored as text: check table.dtypes and convert "
            "with pd.to_numeric(...).",
        )
    return None


def _attribute_error(error: AttributeError, namespace: dict) -> Tip | None:
    match = re.search(r"'DataFrame' object has no attribute '([^']+)'", str(error))
    if not match:
        return None
    name = match.group(1)
    return Tip(
        f"The table has no column or method called `{name}`.",
        f"Write table[{name!r}] for a column (it also works when the name has spaces), and check "
        "the spelling against table.columns.",
    )


_EXPLAINERS = {
    KeyError: _key_error,
    NameError: _name_error,
    ValueError: _value_error,
    TypeError: _type_error,
    AttributeError: _attribute_error,
}


def explain(error: BaseException, namespace: dict | None = None) -> Tip | None:
    """Return a :class:`Tip` for ``error`` (using the notebook's ``namespace``), or ``None``.

    Examples
    --------
    >>> print(explain(NameError("name 'requets' is not defined"), {"requests": 1}).text)
    Python does not know `requets` yet.
    Usually the cell that creates it has not been run in this session (after a restart, run the cells above: Run > Run All Above). Or a typo: Did you mean 'requests'?
    """
    namespace = namespace or {}
    for kind in type(error).__mro__:
        explainer = _EXPLAINERS.get(kind)
        if explainer is not None:
            tip = explainer(error, namespace)
            if tip is not None:
                return tip
    return None


def _chained_assignment_tip() -> Tip:
    return Tip(
        "This assignment changed a temporary copy, so your table did not change.",
        "Select and assign in one step with .loc: table.loc[table['x'] > 1, 'y'] = 0 "
        "(not table[table['x'] > 1]['y'] = 0).",
    )


_STATE: dict = {}


def _display(tip: Tip) -> None:
    from IPython.display import display

    display(tip)


def enable() -> None:
    """Show tips for common errors in this IPython/Jupyter session (no-op elsewhere)."""
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return

    def handler(self, etype, value, tb, tb_offset=None):
        tip = explain(value, self.user_ns)
        if tip is not None:
            _display(tip)
        self.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None

    shell.set_custom_exc(tuple(_EXPLAINERS), handler)
    if "showwarning" not in _STATE:
        _STATE["showwarning"] = warnings.showwarning

        def showwarning(message, category, filename, lineno, file=None, line=None):
            _STATE["showwarning"](message, category, filename, lineno, file, line)
            if category.__name__ == "ChainedAssignmentError":
                _display(_chained_assignment_tip())

        warnings.showwarning = showwarning


def disable() -> None:
    """Stop showing tips."""
    if "IPython" in sys.modules:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.set_custom_exc((), None)
    if "showwarning" in _STATE:
        warnings.showwarning = _STATE.pop("showwarning")
