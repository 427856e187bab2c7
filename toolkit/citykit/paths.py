"""Find the course repository: the one rule every command and module uses.

A folder is a course root when it holds ``nbgrader_config.py``. :func:`course_root` looks in the
folder it starts from (by default the current folder) and then in each folder above it, and
returns the first course root it meets. It never guesses: when no folder qualifies it raises
:class:`CourseNotFoundError` (or returns the ``default`` the caller names), and it never falls
back to the folder the package is installed in. A caller that does want the course holding the
package (the sample city of a source checkout) says so with ``start=``.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as tmp:
...     _ = Path(tmp, "nbgrader_config.py").write_text("")
...     Path(tmp, "curriculum", "00-foundations").mkdir(parents=True)
...     course_root(Path(tmp, "curriculum", "00-foundations")) == Path(tmp).resolve()
True
>>> with tempfile.TemporaryDirectory() as tmp:
...     course_root(tmp, default=None) is None
True
"""

from __future__ import annotations

import os
from pathlib import Path

from citykit.errors import CityKitError

__all__ = ["CONFIG_FILE", "CourseNotFoundError", "course_root", "is_course_root"]

#: The file that marks a course root (nbgrader's configuration).
CONFIG_FILE = "nbgrader_config.py"

_RAISE = object()


class CourseNotFoundError(CityKitError):
    """No course repository in the folder a command was started from, nor above it."""


def is_course_root(folder: str | os.PathLike) -> bool:
    """Return whether ``folder`` is a course root (it holds ``nbgrader_config.py``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     is_course_root(tmp)
    False
    """
    return Path(folder, CONFIG_FILE).is_file()


def course_root(start: str | os.PathLike | None = None, *, default=_RAISE) -> Path:
    """Return the course root at or above ``start``.

    Parameters
    ----------
    start : str or path-like, optional
        The folder (or a file in it) to look from; default: the current folder.
    default : object, optional, keyword-only
        What to return when no course root is found; without it
        :class:`CourseNotFoundError` is raised.

    Returns
    -------
    Path
        The absolute path of the nearest folder, ``start`` included, that holds
        ``nbgrader_config.py``.

    Raises
    ------
    CourseNotFoundError
        When no folder at or above ``start`` is a course root and no ``default`` was given.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     try:
    ...         course_root(tmp)
    ...     except CourseNotFoundError as exc:
    ...         "nbgrader_config.py" in str(exc)
    True
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in [here, *here.parents]:
        if is_course_root(folder):
            return folder
    if default is not _RAISE:
        return default
    raise CourseNotFoundError(
        f"No course repository found: neither {str(here)!r} nor any folder above it holds "
        f"{CONFIG_FILE}. Run the command inside a clone of the course (the folder with "
        f"{CONFIG_FILE}, solutions/ and curriculum/) or name it with --root."
    )
