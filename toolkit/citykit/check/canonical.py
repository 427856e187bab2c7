"""Canonical forms of an answer and its salted fingerprint: the one rule checks and course share.

Examples
--------
>>> fingerprint(3, question="demo/q", kind="integer") == fingerprint(
...     3.0, question="demo/q", kind="integer")
True
"""

from __future__ import annotations

import hashlib
import itertools
import math

from citykit.errors import CityKitError, UnknownNameError

__all__ = ["KINDS", "fingerprint", "describe_value"]

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
# answers within _STEPS quantisation steps of the stored one are accepted (see _candidates)
_STEPS = 2
# tolerance on a list of numbers tries every combination of neighbours: keep lists short
_MAX_TOLERANT_ITEMS = 5


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
