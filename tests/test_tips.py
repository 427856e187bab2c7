"""citykit.tips: a plain-language tip above the real traceback, for the errors analysts hit most."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from citykit.tips import explain
from nbclient import NotebookClient

TABLE = pd.DataFrame({"closed_at": [1], "District Name": ["North"], "days": ["3"]})


def test_key_error_suggests_the_closest_column():
    tip = explain(KeyError("closed_date"), {"requests": TABLE})
    assert "'closed_at'" in tip.advice and "requests" in tip.advice


def test_name_error_says_run_the_cells_above_and_catches_typos():
    tip = explain(NameError("name 'requets' is not defined"), {"requests": TABLE})
    assert "Run All Above" in tip.advice and "'requests'" in tip.advice
    assert "typo" not in explain(NameError("name 'zzz' is not defined"), {}).advice


def test_date_number_and_mixed_type_errors():
    with pytest.raises(ValueError) as bad_date:
        pd.to_datetime(pd.Series(["2024-01-05", "05/13/2024"]), format="%Y-%m-%d")
    assert "format" in explain(bad_date.value).advice
    with pytest.raises(TypeError) as mixed:
        _ = TABLE["days"] > 2
    assert "pd.to_numeric" in explain(mixed.value).advice
    with pytest.raises(ValueError) as number:
        float("1,200")
    assert "errors='coerce'" in explain(number.value).advice


REQUESTS = pd.DataFrame(
    {
        "channel": pd.Categorical(["Phone", "Web", "Phone"]),
        "status": ["Open", "Closed", "Open"],
        "sla_days": [3, 7, 14],
    }
)


def test_a_combined_condition_without_parentheses_gets_the_parentheses_tip():
    """Lesson 00.1: `&` is worked out before `==`; the tip is not about text and numbers."""
    r = REQUESTS
    for attempt in (
        lambda: r[r["channel"] == "Phone" & r["status"] == "Open"],
        lambda: r[r["status"] == "Open" | r["channel"] == "Web"],
        lambda: r[r["sla_days"] > 5 & r["status"] == "Open"],
    ):
        with pytest.raises((TypeError, ValueError)) as info:
            attempt()
        tip = explain(info.value, {"requests": r})
        assert tip is not None and "parentheses" in tip.text, tip
        assert "to_numeric" not in tip.text


def test_and_or_not_on_columns_get_a_tip():
    """Lesson 00.1 calls it the most common beginner error in pandas."""
    r = REQUESTS
    for attempt in (
        lambda: r[(r["channel"] == "Phone") and (r["status"] == "Open")],
        lambda: r[(r["channel"] == "Phone") or (r["status"] == "Open")],
        lambda: r[not (r["channel"] == "Phone")],
    ):
        with pytest.raises(ValueError) as info:
            attempt()
        tip = explain(info.value, {"requests": r})
        assert tip is not None and "&" in tip.advice and "|" in tip.advice, tip


def test_a_value_without_quotes_is_told_to_use_quotes():
    with pytest.raises(NameError) as info:
        eval('requests[requests["status"] == Open]', {"requests": REQUESTS})
    tip = explain(info.value, {"requests": REQUESTS})
    assert "'status' of requests" in tip.headline and "'Open'" in tip.advice
    assert "not been run" not in tip.text
    categorical = explain(NameError("name 'phone' is not defined"), {"requests": REQUESTS})
    assert "'Phone'" in categorical.advice, "found in a categorical column, capitals fixed"
    unknown = explain(NameError("name 'Pending' is not defined"), {"requests": REQUESTS})
    assert "not been run" in unknown.advice and "'Pending', put it in quotes" in unknown.advice


def test_attribute_error_for_a_column_with_a_space():
    with pytest.raises(AttributeError) as info:
        _ = TABLE.District
    assert "table['District']" in explain(info.value).advice


def test_other_errors_get_no_tip():
    assert explain(AssertionError("q1: not yet")) is None
    assert explain(ZeroDivisionError("division by zero")) is None


def _run(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return nb


def test_in_a_notebook_the_tip_precedes_the_unchanged_traceback():
    nb = _run(
        [
            "import pandas as pd\nfrom citykit import tips\ntips.enable()\n"
            "requests = pd.DataFrame({'closed_at': [1]})",
            "requests['closed_date']",
            "print(undefined_name)",
            "t = pd.DataFrame({'x': [1, 2], 'y': [0, 0]})\nt[t['x'] > 1]['y'] = 5\nprint(t['y'].tolist())",
            "assert 1 == 2, 'not yet'",
        ]
    )
    key, name, chained, check = (c.outputs for c in nb.cells[1:])
    assert [o.output_type for o in key] == ["display_data", "error"]
    assert "closed_at" in key[0].data["text/plain"] and key[1].ename == "KeyError"
    assert [o.output_type for o in name] == ["display_data", "error"]
    assert name[1].ename == "NameError"
    texts = " ".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in chained)
    assert "temporary copy" in texts and "[0, 0]" in texts
    assert [o.output_type for o in check] == ["error"], "checks' failures are left alone"
