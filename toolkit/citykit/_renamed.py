"""Old names of renamed options and functions keep working for one release, with a warning.

The vocabulary (docs/api-words.md) gives each idea one word. When a parameter or function is
renamed to follow it, code written for the old name must not break silently: the old name still
works, a ``FutureWarning`` (shown in notebooks by default) names the new one, and passing both
is an error.

Examples
--------
>>> import warnings
>>> @renamed_options(group="by")
... def count(data, *, by=None):
...     return by
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     count([], group="department")
'department'
>>> print(caught[0].message)
count(group=...) is now count(by=...); the old name stops working in the next release
"""

from __future__ import annotations

import functools
import inspect
import warnings

from citykit.errors import CityKitError

__all__ = ["keyword_only_options", "renamed_function", "renamed_options"]

_LATER = "the old name stops working in the next release"


def renamed_options(_convert=None, **old_to_new):
    """Decorate a function so that each old keyword name still works, with a FutureWarning.

    Parameters
    ----------
    _convert : dict, optional
        Old name -> function turning an old value into the new option's value (for a rename
        that also changes the scale, e.g. a confidence level 0.95 into ``alpha=0.05``).
    **old_to_new
        Old keyword name -> new keyword name.

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> @renamed_options({"level": lambda v: 1 - v}, level="alpha")
    ... def interval(x, *, alpha=0.05):
    ...     return round(alpha, 2)
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     interval(1, level=0.9)
    0.1
    """
    convert = dict(_convert or {})

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise CityKitError(
                        f"{func.__name__}() got both {old}= and {new}=: "
                        f"pass only {new}= ({old}= is its old name)"
                    )
                value = kwargs.pop(old)
                kwargs[new] = convert[old](value) if old in convert else value
                warnings.warn(
                    f"{func.__name__}({old}=...) is now {func.__name__}({new}=...); {_LATER}",
                    FutureWarning,
                    stacklevel=2,
                )
            return func(*args, **kwargs)

        wrapper.__renamed_options__ = dict(old_to_new)
        return wrapper

    return decorate


def renamed_function(func, old_name: str):
    """Return ``func`` under its old name: calling it warns and names the new one.

    Parameters
    ----------
    func : callable
        The function under its new name.
    old_name : str
        The name it had.

    Returns
    -------
    callable
        A wrapper that warns (FutureWarning) and calls ``func``.

    Examples
    --------
    >>> def plot_control_chart():
    ...     return "drawn"
    >>> control_chart = renamed_function(plot_control_chart, "control_chart")
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     control_chart()
    'drawn'
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        warnings.warn(
            f"{old_name}() is now {func.__name__}(); {_LATER}", FutureWarning, stacklevel=2
        )
        return func(*args, **kwargs)

    wrapper.__name__ = old_name
    wrapper.__qualname__ = old_name
    wrapper.__renamed_to__ = func.__name__
    return wrapper


def keyword_only_options(*names: str):
    """Decorate a function whose options became keyword-only: passing them by position still works.

    The options come after ``*`` in the function's signature. Positional values beyond the
    function's inputs are given to ``names`` in order, with a FutureWarning naming each keyword;
    a value given both ways is an error. Put it outside :func:`renamed_options` when a
    positional option was also renamed.

    Parameters
    ----------
    *names : str
        The (new) keyword names that used to be positional, in their old order.

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> @keyword_only_options("measures")
    ... def compute(data, *, measures):
    ...     return data, measures
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     compute("table", ["on time"])
    ('table', ['on time'])
    >>> print(caught[0].message)
    compute(..., <measures>) is now compute(..., measures=...); passing it by position stops \
working in the next release
    """

    def decorate(func):
        inputs = sum(
            p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            for p in inspect.signature(func).parameters.values()
        )

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            extra = args[inputs:]
            if len(extra) > len(names):
                raise CityKitError(
                    f"{func.__name__}() takes {inputs} positional argument(s) but "
                    f"{len(args)} were given; pass the options by name: "
                    + ", ".join(f"{n}=..." for n in names)
                )
            moved = names[: len(extra)]
            for name, value in zip(moved, extra, strict=True):
                if name in kwargs:
                    raise CityKitError(
                        f"{func.__name__}() got {name}= both by position and by name: "
                        f"pass only {name}=..."
                    )
                kwargs[name] = value
            if moved:
                warnings.warn(
                    f"{func.__name__}(..., {', '.join(f'<{n}>' for n in moved)}) is now "
                    f"{func.__name__}(..., {', '.join(f'{n}=...' for n in moved)}); passing "
                    f"{'it' if len(moved) == 1 else 'them'} by position stops working in the "
                    "next release",
                    FutureWarning,
                    stacklevel=2,
                )
            return func(*args[:inputs], **kwargs)

        wrapper.__keyword_only_options__ = names
        return wrapper

    return decorate
