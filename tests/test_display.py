"""Every result shows itself in a notebook the same way, with text from the data escaped."""

from __future__ import annotations

import pandas as pd
from citykit import evaluation, performance
from citykit._display import escape, html_result


def test_text_from_the_data_is_escaped_everywhere():
    assert escape("<b>Parks</b> & Rec") == "&lt;b&gt;Parks&lt;/b&gt; &amp; Rec"
    shown = html_result("a < b", title="<script>", tables=[("x & y", pd.DataFrame({"<c>": [1]}))])
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "&lt;c&gt;" in shown and "x &amp; y" in shown and "a &lt; b" in shown


def test_results_of_three_packages_use_the_one_display():
    profile = performance.profile_table(pd.DataFrame({"id": [1, 2]}), name="<permits>")
    assert profile._repr_html_().startswith("<p><b>&lt;permits&gt;</b> — ")
    chart = performance.xmr_chart(pd.DataFrame({"value": [1.0, 2.0, 1.5, 1.7]}))
    assert chart._repr_html_().startswith("<p><b>XmR chart</b> — ")
    trial = pd.DataFrame(
        {"arm": ["control"] * 4 + ["letter"] * 4, "paid": [0, 1, 0, 0, 1, 1, 0, 1]}
    )
    shown = evaluation.estimate_effects(trial, outcome="paid")._repr_html_()
    assert shown.startswith("<p>") and "<table" in shown


def test_an_empty_list_of_tables_shows_the_sentence_only():
    assert html_result("No signals.") == "<p>No signals.</p>"
    assert html_result("x", tables=[("none", None)]) == "<p>x</p>"


def test_contracting_tables_and_the_risk_explorer_table_escape_through_the_one_display():
    from citykit.contracting._common import html_table
    from citykit.widgets.contracting import _table_html

    frame = pd.DataFrame(
        {
            "provider": ["<b>A</b> & B"],
            "clients": [12],
            "crude_rate": [0.25],
            "oe_ratio": [float("nan")],
        }
    )
    shown = html_table(frame)
    assert "&lt;b&gt;A&lt;/b&gt; &amp; B" in shown and "<b>A</b>" not in shown
    assert "<td>0.250</td>" in shown and "<td></td>" in shown  # decimals written, NaN empty
    widget = _table_html(frame, provider="provider", level=0.95)
    assert "&lt;b&gt;A&lt;/b&gt; &amp; B" in widget and "<b>A</b>" not in widget
