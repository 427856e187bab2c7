"""Answer values carried out of a student's kernel as data only (no pickle, nothing runs).

The kernel that ran student code is a source of answer *values*, nothing more. This module turns
plain values -- ``None``, booleans, numbers, text, lists, tuples, sets, dicts, dates, NumPy
arrays and scalars and pandas ``Series``/``DataFrame``/``Index`` of plain dtypes -- into JSON
text and back. Decoding only ever builds those types (exact types: a subclass of ``float``
whose ``__eq__`` always says True is refused), so reading an answer cannot run student code.

The module needs only the standard library (NumPy and pandas when the value uses them): its
source is also sent to the kernel, where :func:`kernel_probe` and :func:`kernel_call` run.

Examples
--------
>>> from citykit.grading.values import dumps, loads
>>> loads(dumps({"min": 1, "max": (2.5, None), "tags": {"a"}}))
{'min': 1, 'max': (2.5, None), 'tags': {'a'}}
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
import re
import types

__all__ = ["NotPlain", "dumps", "kernel_call", "kernel_probe", "loads"]

MAX_DEPTH = 60
_PLAIN_DTYPE = re.compile(
    r"^(bool|u?int(8|16|32|64)|float(16|32|64)|complex(64|128)|<U\d{1,6}|object|"
    r"datetime64\[(ns|us|ms|s|D)\]|timedelta64\[(ns|us|ms|s|D)\])$"
)
_EXT_DTYPE = re.compile(
    r"^(Int8|Int16|Int32|Int64|UInt8|UInt16|UInt32|UInt64|Float32|Float64|boolean|"
    r"string|str|string\[python\]|string\[pyarrow\])$"
)


class NotPlain(TypeError):
    """A value that is not plain data (its type name is the message)."""


def _np():
    import sys

    return sys.modules.get("numpy")


def _pd():
    import sys

    return sys.modules.get("pandas")


def _float(x: float):
    if math.isfinite(x):
        return x
    return {"$": "float", "v": repr(x)}


def _encode(x, depth: int = 0):
    if depth > MAX_DEPTH:
        raise NotPlain("a value nested too deeply")
    t = type(x)
    if x is None or t is bool or t is int or t is str:
        return x
    if t is float:
        return _float(x)
    d = depth + 1
    if t is list:
        return [_encode(v, d) for v in x]
    if t is tuple:
        return {"$": "tuple", "v": [_encode(v, d) for v in x]}
    if t is set or t is frozenset:
        return {"$": "set" if t is set else "frozenset", "v": [_encode(v, d) for v in x]}
    if t is dict:
        return {"$": "dict", "v": [[_encode(k, d), _encode(v, d)] for k, v in x.items()]}
    if t is complex:
        return {"$": "complex", "v": [_float(x.real), _float(x.imag)]}
    if t is bytes:
        return {"$": "bytes", "v": base64.b64encode(x).decode()}
    if t is range:
        return {"$": "range", "v": [x.start, x.stop, x.step]}
    if t is _dt.datetime:
        return {"$": "datetime", "v": x.isoformat()}
    if t is _dt.date:
        return {"$": "date", "v": x.isoformat()}
    if t is _dt.time:
        return {"$": "time", "v": x.isoformat()}
    if t is _dt.timedelta:
        return {"$": "timedelta", "v": [x.days, x.seconds, x.microseconds]}
    np, pd = _np(), _pd()
    if pd is not None:
        if t is pd.DataFrame:
            return {
                "$": "frame",
                "columns": _encode(x.columns, d),
                "index": _encode(x.index, d),
                "data": [_encode_array(x.iloc[:, i].array, d) for i in range(x.shape[1])],
            }
        if t is pd.Series:
            return {
                "$": "series",
                "name": _encode(x.name, d),
                "index": _encode(x.index, d),
                "values": _encode_array(x.array, d),
            }
        if t is pd.MultiIndex:
            return {
                "$": "multiindex",
                "names": [_encode(n, d) for n in x.names],
                "levels": [_encode(x.get_level_values(i), d) for i in range(x.nlevels)],
            }
        if t is pd.RangeIndex:
            return {"$": "rangeindex", "v": [x.start, x.stop, x.step], "name": _encode(x.name, d)}
        if isinstance(x, pd.Index) and t.__module__.split(".")[0] == "pandas":
            return {"$": "index", "values": _encode_array(x.array, d), "name": _encode(x.name, d)}
        if t is pd.Timestamp:
            return {"$": "timestamp", "v": x.isoformat()}
        if t is pd.Timedelta:
            return {"$": "pdtimedelta", "v": int(x.value)}
        if x is pd.NaT:
            return {"$": "NaT"}
        if x is pd.NA:
            return {"$": "NA"}
        if t is pd.Categorical:
            return _encode_array(x, d)
    if np is not None:
        if t is np.ndarray:
            return _encode_ndarray(x, d)
        if isinstance(x, np.generic) and t.__module__ == "numpy":
            arr = np.asarray(x).reshape(1)
            return {"$": "npscalar", "v": _encode_ndarray(arr, d)}
    if _is_toolkit_record(t):
        import dataclasses

        return {
            "$": "record",
            "module": t.__module__,
            "name": t.__qualname__,
            "fields": [[f.name, _encode(getattr(x, f.name), d)] for f in dataclasses.fields(x)],
        }
    raise NotPlain(f"{t.__module__}.{t.__qualname__}")


def _is_toolkit_record(t) -> bool:
    """A dataclass of the course toolkit (results such as a control chart): plain fields."""
    return (
        str(getattr(t, "__module__", "")).startswith("citykit.")
        and "__dataclass_fields__" in getattr(t, "__dict__", {})
        and "." not in t.__qualname__
    )


def _encode_ndarray(x, depth: int):
    np = _np()
    dtype = x.dtype.str if x.dtype.kind == "U" else str(x.dtype)
    if not _PLAIN_DTYPE.match(dtype):
        raise NotPlain(f"numpy array of dtype {x.dtype}")
    flat = x.reshape(-1)
    if x.dtype.kind in "biufc":
        data = base64.b64encode(
            np.ascontiguousarray(flat).astype(x.dtype.newbyteorder("<")).tobytes()
        )
        return {"$": "ndarray", "dtype": dtype, "shape": list(x.shape), "b64": data.decode()}
    if x.dtype.kind in "mM":
        data = base64.b64encode(np.ascontiguousarray(flat.view("<i8")).tobytes())
        return {"$": "ndarray", "dtype": dtype, "shape": list(x.shape), "b64": data.decode()}
    return {
        "$": "ndarray",
        "dtype": dtype,
        "shape": list(x.shape),
        "v": [_encode(v, depth + 1) for v in flat.tolist()],
    }


def _encode_array(arr, depth: int):
    """A pandas ExtensionArray (column, index or categorical values)."""
    np, pd = _np(), _pd()
    t = type(arr)
    if t is pd.Categorical:
        return {
            "$": "categorical",
            "categories": _encode(arr.categories, depth),
            "codes": _encode_ndarray(np.asarray(arr.codes), depth),
            "ordered": bool(arr.ordered),
        }
    if t.__name__ == "NumpyExtensionArray":
        return _encode_ndarray(arr.to_numpy(), depth)
    if t.__name__ in ("DatetimeArray", "TimedeltaArray"):
        tz = getattr(arr.dtype, "tz", None)
        naive = arr.tz_convert("UTC").tz_localize(None) if tz is not None else arr
        return {
            "$": "dtarray",
            "tz": None if tz is None else str(tz),
            "v": _encode_ndarray(np.asarray(naive.to_numpy()), depth),
        }
    dtype = str(arr.dtype)
    if _EXT_DTYPE.match(dtype):
        values = [None if v is pd.NA or v is None else v for v in arr.tolist()]
        return {"$": "extarray", "dtype": dtype, "v": [_encode(v, depth + 1) for v in values]}
    raise NotPlain(f"pandas column of dtype {dtype}")


def dumps(value) -> str:
    """Encode a plain value as JSON text; raise :class:`NotPlain` for anything else.

    Examples
    --------
    >>> dumps([1, 2.5, "x"])
    '[1, 2.5, "x"]'
    """
    return json.dumps(_encode(value), allow_nan=False, separators=(", ", ": "))


# -- decoding: builds only the types above ----------------------------------------------------


def _dec_float(v):
    if type(v) is dict:
        return float({"nan": "nan", "inf": "inf", "-inf": "-inf"}[v["v"]])
    return float(v)


def _dtype(text: str):
    np = _np()
    if type(text) is not str or not _PLAIN_DTYPE.match(text):
        raise ValueError(f"not a plain dtype: {text!r}")
    return np.dtype(text)


def _dec_ndarray(o, depth):
    import numpy as np

    dtype = _dtype(o["dtype"])
    shape = tuple(int(s) for s in o["shape"])
    if "b64" in o:
        raw = base64.b64decode(o["b64"])
        if dtype.kind in "mM":
            arr = np.frombuffer(raw, dtype="<i8").view(dtype)
        else:
            arr = np.frombuffer(raw, dtype=dtype.newbyteorder("<")).astype(dtype)
        return arr.reshape(shape).copy()
    items = [_decode(v, depth + 1) for v in o["v"]]
    arr = np.empty(len(items), dtype=dtype)
    for i, v in enumerate(items):
        arr[i] = v
    return arr.reshape(shape)


def _dec_array(o, depth):
    """Decode to something ``pd.Series``/``pd.Index`` accept, keeping the dtype."""
    import pandas as pd

    kind = o.get("$")
    if kind == "ndarray":
        return _dec_ndarray(o, depth)
    if kind == "categorical":
        cats = _decode(o["categories"], depth + 1)
        codes = _dec_ndarray(o["codes"], depth + 1)
        return pd.Categorical.from_codes(codes, categories=cats, ordered=bool(o["ordered"]))
    if kind == "dtarray":
        values = _dec_ndarray(o["v"], depth + 1)
        if o["tz"] is None:
            return pd.array(values)
        return pd.DatetimeIndex(values).tz_localize("UTC").tz_convert(str(o["tz"])).array
    if kind == "extarray":
        dtype = o["dtype"]
        if type(dtype) is not str or not _EXT_DTYPE.match(dtype):
            raise ValueError(f"not a plain dtype: {dtype!r}")
        return pd.array([_decode(v, depth + 1) for v in o["v"]], dtype=dtype)
    raise ValueError(f"not an array: {kind!r}")


def _decode(o, depth: int = 0):
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    t = type(o)
    if o is None or t is bool or t is int or t is str or t is float:
        return o
    d = depth + 1
    if t is list:
        return [_decode(v, d) for v in o]
    if t is not dict:
        raise ValueError(f"unexpected JSON {t.__name__}")
    kind = o.get("$")
    if kind == "float":
        return _dec_float(o)
    if kind == "tuple":
        return tuple(_decode(v, d) for v in o["v"])
    if kind == "set":
        return {_decode(v, d) for v in o["v"]}
    if kind == "frozenset":
        return frozenset(_decode(v, d) for v in o["v"])
    if kind == "dict":
        return {_decode(k, d): _decode(v, d) for k, v in o["v"]}
    if kind == "complex":
        return complex(_dec_float(o["v"][0]), _dec_float(o["v"][1]))
    if kind == "bytes":
        return base64.b64decode(o["v"])
    if kind == "range":
        return range(*(int(v) for v in o["v"]))
    if kind == "datetime":
        return _dt.datetime.fromisoformat(o["v"])
    if kind == "date":
        return _dt.date.fromisoformat(o["v"])
    if kind == "time":
        return _dt.time.fromisoformat(o["v"])
    if kind == "timedelta":
        return _dt.timedelta(*(int(v) for v in o["v"]))
    if kind == "ndarray":
        return _dec_ndarray(o, d)
    if kind == "npscalar":
        return _dec_ndarray(o["v"], d)[0]
    import pandas as pd

    if kind == "timestamp":
        return pd.Timestamp(str(o["v"]))
    if kind == "pdtimedelta":
        return pd.Timedelta(int(o["v"]))
    if kind == "NaT":
        return pd.NaT
    if kind == "NA":
        return pd.NA
    if kind == "rangeindex":
        return pd.RangeIndex(*(int(v) for v in o["v"]), name=_decode(o["name"], d))
    if kind == "index":
        return pd.Index(_dec_array(o["values"], d), name=_decode(o["name"], d))
    if kind == "multiindex":
        levels = [_decode(v, d) for v in o["levels"]]
        return pd.MultiIndex.from_arrays(levels, names=[_decode(n, d) for n in o["names"]])
    if kind == "series":
        return pd.Series(
            _dec_array(o["values"], d), index=_decode(o["index"], d), name=_decode(o["name"], d)
        )
    if kind == "frame":
        columns = _decode(o["columns"], d)
        index = _decode(o["index"], d)
        data = [_dec_array(c, d) for c in o["data"]]
        frame = pd.DataFrame(
            {i: pd.Series(col, index=index) for i, col in enumerate(data)}, index=index
        )
        frame.columns = columns
        return frame
    if kind in ("categorical", "dtarray", "extarray"):
        return _dec_array(o, d)
    if kind == "record":
        return _dec_record(o, d)
    raise ValueError(f"unknown value kind {kind!r}")


def _dec_record(o, depth):
    """Rebuild a toolkit dataclass: the class comes from the grader's own citykit."""
    import dataclasses
    import importlib

    module, name = str(o["module"]), str(o["name"])
    if not module.startswith("citykit.") or not name.isidentifier():
        raise ValueError(f"not a toolkit record: {module}.{name}")
    cls = getattr(importlib.import_module(module), name, None)
    if cls is None or not isinstance(cls, type) or not _is_toolkit_record(cls):
        raise ValueError(f"not a toolkit record: {module}.{name}")
    known = {f.name for f in dataclasses.fields(cls)}
    record = object.__new__(cls)
    for field_name, value in o["fields"]:
        if field_name not in known:
            raise ValueError(f"{name} has no field {field_name!r}")
        object.__setattr__(record, field_name, _decode(value, depth + 1))
    return record


def loads(text: str, *, max_chars: int = 200_000_000):
    """Decode JSON text made by :func:`dumps` (only plain types are ever built).

    Raises ``ValueError`` on anything else (too long, malformed, unknown kinds).

    Examples
    --------
    >>> loads('{"$": "tuple", "v": [1, {"$": "float", "v": "inf"}]}')
    (1, inf)
    """
    if type(text) is not str or len(text) > max_chars:
        raise ValueError("not an answer text, or too long")
    try:
        return _decode(json.loads(text))
    except RecursionError:
        raise ValueError("value nested too deeply") from None
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"malformed value: {exc}") from None


# -- run in the student's kernel --------------------------------------------------------------


def _callable_kind(x) -> bool:
    return type(x) in (types.FunctionType, types.BuiltinFunctionType, types.MethodType) or (
        type(x).__name__ == "partial" and type(x).__module__ == "functools"
    )


def kernel_probe(namespace: dict, names) -> str:
    """Describe ``names`` of ``namespace``: each a value, a function, a module or missing.

    Returns JSON text: ``{name: {"kind": "value", "v": ...} | {"kind": "function"} |
    {"kind": "module", "module": "pandas"} | {"kind": "missing"} |
    {"kind": "unsupported", "type": "..."}}``.
    """
    out = {}
    for name in names:
        if name not in namespace:
            out[name] = {"kind": "missing"}
            continue
        x = namespace[name]
        if type(x) is types.ModuleType:
            out[name] = {"kind": "module", "module": str(x.__name__)}
        elif _callable_kind(x):
            out[name] = {"kind": "function"}
        else:
            try:
                out[name] = {"kind": "value", "v": _encode(x)}
            except NotPlain as exc:
                out[name] = {"kind": "unsupported", "type": str(exc)}
            except Exception as exc:  # a hostile value's methods may raise anything
                out[name] = {"kind": "unsupported", "type": f"unreadable ({type(exc).__name__})"}
    return json.dumps(out, allow_nan=False)


def kernel_call(namespace: dict, request: str) -> str:
    """Call ``namespace[name](*args, **kwargs)`` from a JSON request; return a JSON reply."""
    req = json.loads(request)
    func = namespace.get(req["name"])
    if func is None or not callable(func):
        return json.dumps(
            {"ok": False, "ename": "NameError", "evalue": f"{req['name']} is not defined"}
        )
    args = _decode(req["args"])
    kwargs = _decode(req["kwargs"])
    try:
        result = func(*args, **kwargs)
    except Exception as exc:
        return json.dumps({"ok": False, "ename": type(exc).__name__, "evalue": str(exc)[:500]})
    try:
        return json.dumps({"ok": True, "v": _encode(result)}, allow_nan=False)
    except NotPlain as exc:
        return json.dumps({"ok": False, "ename": "NotPlain", "evalue": str(exc)})
