"""One way to show a result in a notebook: a sentence, then its tables, safely escaped.

Every result object of the toolkit shows itself the same way in Jupyter (``_repr_html_``): a
bold title, the result's plain-language summary, then the tables behind it. Text that comes from
the data (department names, column names, a city's labels) is always escaped, so a label such as
``"<b>Parks</b> & Rec"`` shows as written and cannot break the page.

Examples
--------
>>> import pandas as pd
>>> print(html_result("2 of 3 measures met target.", title="Parks & Rec",
...                   tables=[(None, pd.DataFrame({"met": [True]}))], index=False))
<p><b>Parks &amp; Rec</b> — 2 of 3 measures met target.</p>
<table border="1" class="dataframe">
  <thead>
    <tr style="text-align: right;">
      <th>met</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <td>True</td>
    </tr>
  </tbody>
</table>
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

import pandas as pd

__all__ = ["escape", "html_result", "html_table"]


def escape(text: object) -> str:
    """Text (from the data or a message) made safe to put inside HTML.

    Examples
    --------
    >>> escape("<Parks> & Rec")
    '&lt;Parks&gt; &amp; Rec'
    """
    return html.escape(str(text), quote=False)


def html_result(
    sentence: str,
    *,
    title: str | None = None,
    tables: Iterable[tuple[str | None, pd.DataFrame | None]] = (),
    index: bool = True,
    max_rows: int | None = None,
    float_format: Callable[[float], str] | None = None,
) -> str:
    """The notebook display of a result: a title and sentence, then each table.

    Parameters
    ----------
    sentence : str
        The result's summary in plain words (escaped here).
    title : str, optional, keyword-only
        Shown in bold before the sentence (escaped here).
    tables : iterable of (caption or None, DataFrame or None), keyword-only
        The tables to show under the sentence; a None table is left out.
    index : bool, keyword-only
        Show the tables' index.
    max_rows : int, optional, keyword-only
        Longest table shown in full (pandas shows the first and last rows of a longer one).
    float_format : callable, optional, keyword-only
        How to write numbers with decimals.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> html_result("No signals.", title="XmR chart")
    '<p><b>XmR chart</b> — No signals.</p>'
    """
    head = f"<b>{escape(title)}</b> — " if title else ""
    parts = [f"<p>{head}{escape(sentence)}</p>"]
    for caption, frame in tables:
        if frame is None or not isinstance(frame, pd.DataFrame):
            continue
        if caption:
            parts.append(f"<p>{escape(caption)}</p>")
        parts.append(
            frame.to_html(index=index, max_rows=max_rows, float_format=float_format, escape=True)
        )
    return "\n".join(parts)


def html_table(frame: pd.DataFrame, *, float_format: str | None = None, index: bool = False) -> str:
    """One table as HTML, its text escaped and its decimals written with ``float_format``.

    Parameters
    ----------
    frame : DataFrame
        The table.
    float_format : str, optional, keyword-only
        A format such as ``"{:.2f}"`` for the columns of decimals; a missing value shows empty.
    index : bool, keyword-only
        Show the index.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> shown = html_table(pd.DataFrame({"<provider>": ["A & B"], "rate": [0.1234]}),
    ...                    float_format="{:.2f}")
    >>> "&lt;provider&gt;" in shown, "A &amp; B" in shown, "<td>0.12</td>" in shown
    (True, True, True)
    """
    shown = frame
    if float_format is not None:
        shown = frame.copy()
        for column in shown.columns:
            if pd.api.types.is_float_dtype(shown[column]):
                shown[column] = shown[column].map(
                    lambda v: "" if pd.isna(v) else float_format.format(v)
                )
    return shown.to_html(index=index, border=0, escape=True)
