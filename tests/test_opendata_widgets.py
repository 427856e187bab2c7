"""The small-cell suppression explorer, driven headless: change the slider, read the result."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest
from citykit import widgets
from citykit.errors import ArgumentRangeError, ColumnTypeError
from citykit.synth import DEFAULT_SEED
from citykit.synth import permits as pfam
from citykit.synth._core import RIVERTON


@pytest.fixture
def counts():
    # methods.md §4.4 suppression test vector
    return pd.DataFrame(
        {"A": [25, 7, 40], "B": [3, 30, 12], "C": [18, 22, 0]}, index=["North", "South", "East"]
    )


def test_slider_updates_the_published_table(counts):
    explorer = widgets.suppression_explorer(counts)
    assert explorer.threshold.value == 11
    assert explorer.result.published["A"].tolist() == ["S", "S", 40]  # methods.md §4.4
    assert "Audit passes" in explorer.summary.value
    before = explorer.table.value
    explorer.threshold.value = 5  # only the 3 is small now
    assert explorer.result.threshold == 5
    assert explorer.result.n_primary == 1
    assert explorer.result.published.loc["South", "A"] == 7
    assert explorer.table.value != before
    assert "1 small" in explorer.summary.value
    explorer.threshold.value = 1  # nothing hidden
    assert explorer.result.n_primary == explorer.result.n_complementary == 0
    assert ">S<" not in explorer.table.value
    explorer.threshold.value = 13  # 12 becomes small too
    assert explorer.result.primary.loc["East", "B"]
    assert explorer.result.audit.passes


def test_widget_shows_totals_and_ranges(counts):
    explorer = widgets.suppression_explorer(counts)
    assert "Total" in explorer.table.value and ">157<" in explorer.table.value
    assert "North/B: 0-28" in explorer.summary.value  # methods.md §4.4 feasible range


def test_table_counts_are_right_aligned_and_spaced(counts):
    explorer = widgets.suppression_explorer(counts)
    cells = re.findall(r"<td([^>]*)>([^<]*)</td>", explorer.table.value)
    assert len(cells) == 4 * 4  # 3 rows and the totals, 3 columns and the totals
    for attributes, _ in cells:  # numbers line up; neighbours do not run together
        assert "text-align:right" in attributes and "padding:2px 10px" in attributes
    hidden = [attributes for attributes, text in cells if text == "S"]
    assert len(hidden) == 4 and all("background:" in a for a in hidden)


def test_on_permits():
    permits = pfam.generate(seed=DEFAULT_SEED, city=RIVERTON)["building_permits"]
    from citykit.opendata import count_table

    explorer = widgets.suppression_explorer(
        count_table(permits, rows="district", columns="permit_type")
    )
    assert explorer.result.audit.passes
    explorer.threshold.value = 20
    assert explorer.result.audit.passes
    assert explorer.result.n_primary > 7


def test_bad_inputs(counts):
    with pytest.raises(ArgumentRangeError, match="between low"):
        widgets.suppression_explorer(counts, threshold=40, high=30)
    with pytest.raises(ArgumentRangeError):
        widgets.suppression_explorer(counts, low=0)
    with pytest.raises(ColumnTypeError):
        widgets.suppression_explorer(counts.reset_index())


def test_no_warnings(counts):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer = widgets.suppression_explorer(counts)
        explorer.threshold.value = 8
