"""The stat brief: headline, per-measure status, signals in words, questions, HTML/Markdown."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from citykit.errors import CityKitError, MissingColumnError, UnknownNameError
from citykit.performance import StatBrief, stat_brief
from citykit.synth import measures
from citykit.synth._core import RIVERTON


@pytest.fixture(scope="module")
def scorecard():
    return measures.generate(seed=20240501, scale=1.0, city=RIVERTON)["department_measures"]


def small():
    months = pd.date_range("2024-01-01", periods=10, freq="MS")
    rows = []
    values = {
        "On-time closure": ([0.9, 0.91, 0.9, 0.89, 0.9, 0.91, 0.8, 0.8, 0.8, 0.79], 0.85, "up"),
        "Median days": ([3.0, 3.1, 2.9, 3.0, 3.1, 2.9, 3.0, 3.1, 2.9, 3.0], 3.5, "down"),
        "Calls answered": ([0.7, 0.72, 0.71, 0.69, 0.7, 0.71, 0.7, 0.69, 0.71, 0.7], 0.8, "up"),
        "Backlog": ([10, 11, 9, 10, 11, 9, 10, 11, 9, None], 12, "down"),
    }
    for name, (vals, target, direction) in values.items():
        for month, v in zip(months, vals, strict=True):
            if v is None:
                continue
            rows.append({"department": "Sanitation", "month": month, "measure": name, "value": v,
                         "target": target, "direction": direction,
                         "unit": "share" if v < 1 else "count", "owner": "Ops"})  # fmt: skip
    return pd.DataFrame(rows)


def test_brief_on_a_hand_made_scorecard():
    brief = stat_brief(small(), department="Sanitation", baseline=6, cases=None)
    assert isinstance(brief, StatBrief)
    assert brief.period == pd.Timestamp("2024-10-01")
    table = brief.table.set_index("measure")
    assert table.loc["On-time closure", "status"] == "missed"
    assert table.loc["On-time closure", "signal"]
    assert "since July 2024" in table.loc["On-time closure", "signal_text"]
    assert table.loc["Median days", "status"] == "met" and not table.loc["Median days", "signal"]
    assert table.loc["Calls answered", "status"] == "missed"
    assert not table.loc["Calls answered", "signal"]
    assert table.loc["Backlog", "status"] == "not reported"
    assert brief.headline == (
        "1 of 3 measures met target in October 2024; 1 had a signal in the last 3 months."
    )
    questions = " ".join(brief.questions)
    assert "Backlog was not reported for October 2024" in questions
    assert "routine" in questions  # calls answered: missed without a signal -> the process
    assert "What changed" in questions  # on-time closure: missed with a signal
    assert brief.markdown.startswith("## Sanitation — stat brief, October 2024")
    assert "| On-time closure | Ops | 79.0% | 85.0% |" in brief.markdown
    assert "<table>" in brief._repr_html_() and "On-time closure" in brief.html
    assert repr(brief) == brief.markdown


def test_brief_on_the_sample_city_finds_the_known_shifts(scorecard):
    sanitation = stat_brief(scorecard, department="Sanitation")
    text = sanitation.table.set_index("measure")["signal_text"]
    for (dept, name), shift in measures.SHIFTS.items():
        if dept != "Sanitation":
            continue
        month = pd.Timestamp(shift["month"] + "-01").strftime("%B %Y")
        assert f"signals since {month}" in text.loc[name]
        assert "above" in text.loc[name]
    parks = stat_brief(scorecard, department="Parks and Recreation")
    row = parks.table.set_index("measure").loc["Playground inspections on schedule"]
    assert row["status"] == "missed" and "since July 2024" in row["signal_text"]
    assert "8 in a row below the centre" in row["signal_text"]
    # as_of an earlier month reports that month
    march = stat_brief(scorecard, department="Sanitation", as_of="2024-03-01")
    assert "March 2024" in march.headline
    assert not march.table["signal"].any() or "April" not in " ".join(march.table["signal_text"])


def test_brief_bad_inputs(scorecard):
    with pytest.raises(UnknownNameError, match="Did you mean 'Sanitation'"):
        stat_brief(scorecard, department="sanitation")
    with pytest.raises(MissingColumnError, match="owner"):
        stat_brief(scorecard.drop(columns="owner"), department="Sanitation")
    with pytest.raises(CityKitError, match="no rows"):
        stat_brief(scorecard.iloc[:0], department="Sanitation")
    with pytest.raises(CityKitError, match="as_of"):
        stat_brief(scorecard, department="Sanitation", as_of="2030-01-01")
    with pytest.raises(CityKitError, match="baseline"):
        stat_brief(scorecard, department="Sanitation", baseline=1)
    with pytest.raises(UnknownNameError, match="direction"):
        stat_brief(scorecard.assign(direction="sideways"), department="Sanitation")


def test_brief_writes_no_warnings(scorecard):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for department in RIVERTON.departments:
            stat_brief(scorecard, department=department)
