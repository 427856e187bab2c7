"""What is wrong with the shape of an answer (its type, columns, length), in the learner's words.

Examples
--------
>>> shape_problem({"kind": "integer", "variable": "n"}, "12", {})
["`n` is text ('12'); the answer is a whole number (int)."]
"""

from __future__ import annotations

import math

from citykit.check.canonical import _canonical_choice

__all__ = ["shape_problem"]

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


def shape_problem(spec: dict, value, shape: dict) -> list[str]:
    """Return what is wrong with the shape of ``value`` as the answer ``spec`` asks for (or [])."""
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
            return [f"`{variable}` has {len(value)} items, not as many as the question asks for."]
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
