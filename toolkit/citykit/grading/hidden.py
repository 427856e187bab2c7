r"""Hidden-test markers of a grade cell, parsed in one place.

A grade cell of a source notebook holds the learner's visible checks and, between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, the tests only the grader runs. Course
build, checks and grading all split a cell with these functions.

Examples
--------
>>> from citykit.grading.hidden import split_hidden
>>> split_hidden('check("q1")\n### BEGIN HIDDEN TESTS\nassert x == 5\n### END HIDDEN TESTS')
('check("q1")', 'assert x == 5')
"""

from __future__ import annotations

__all__ = [
    "BEGIN",
    "END",
    "REDACTED",
    "has_hidden",
    "hidden_line_range",
    "hidden_part",
    "redact_hidden",
    "split_hidden",
    "visible_part",
]

BEGIN = "### BEGIN HIDDEN TESTS"
END = "### END HIDDEN TESTS"
#: What feedback shows in place of the hidden region.
REDACTED = "# (hidden tests are not shown)"


def hidden_line_range(
    source: str, begin: str = "BEGIN HIDDEN TESTS", end: str = "END HIDDEN TESTS"
):
    r"""Return the first and last line numbers (1-based) of the hidden region, or None.

    Parameters
    ----------
    source : str
        Cell source.
    begin, end : str
        The delimiters (nbgrader's by default).

    Returns
    -------
    tuple of int or None
        ``(first, last)``, both inclusive and counting the delimiter lines; an unterminated
        region runs to the end of the cell.

    Examples
    --------
    >>> hidden_line_range("assert a\n### BEGIN HIDDEN TESTS\nassert b\n### END HIDDEN TESTS")
    (2, 4)
    """
    first = last = None
    lines = source.split("\n")
    for number, line in enumerate(lines, start=1):
        if begin in line and first is None:
            first = number
        elif end in line and first is not None:
            last = number
    if first is None:
        return None
    return first, last or len(lines)


def has_hidden(source: str) -> bool:
    """Return True when ``source`` holds a hidden-test region.

    Examples
    --------
    >>> has_hidden("check('q1')")
    False
    """
    return hidden_line_range(source) is not None


def split_hidden(source: str) -> tuple[str, str]:
    r"""Return ``(visible, hidden)``: the cell without its hidden region, and the region's body.

    Examples
    --------
    >>> split_hidden("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc")
    ('a\nc', 'b')
    """
    span = hidden_line_range(source)
    if span is None:
        return source, ""
    lines = source.split("\n")
    first, last = span
    body = lines[first:last]
    if body and END in body[-1]:
        body = body[:-1]
    visible = lines[: first - 1] + lines[last:]
    return "\n".join(visible).rstrip("\n"), "\n".join(body)


def visible_part(source: str) -> str:
    r"""The learner-visible part of a grade cell (hidden region removed).

    Examples
    --------
    >>> visible_part("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS")
    'a'
    """
    return split_hidden(source)[0]


def hidden_part(source: str) -> str:
    r"""The body of the hidden region ('' when there is none).

    Examples
    --------
    >>> hidden_part("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS")
    'b'
    """
    return split_hidden(source)[1]


def redact_hidden(source: str) -> str:
    r"""Replace the hidden region (markers included) by one comment line.

    Examples
    --------
    >>> redact_hidden("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS")
    'a\n# (hidden tests are not shown)'
    """
    span = hidden_line_range(source)
    if span is None:
        return source
    lines = source.split("\n")
    first, last = span
    return "\n".join(lines[: first - 1] + [REDACTED] + lines[last:]).rstrip("\n")
