"""Target status and the MMR-style summary: hand-computed cases and the published NYC MMR tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from citykit.errors import CityKitError, ColumnTypeError, MissingColumnError, UnknownNameError
from citykit.performance import clean_numbers, target_status, target_summary


def kpis():
    return pd.DataFrame(
        {
            "agency": ["Parks", "Parks", "Sanitation", "Sanitation", "Water"],
            "measure": ["a", "b", "c", "d", "e"],
            "value": [0.9, 12.0, 4.0, 4.0, np.nan],
            "previous": [0.8, 10.0, 5.0, 3.0, 1.0],
            "target": [0.85, 10.0, 4.0, 3.5, 2.0],
            "direction": ["up", "down", "Down", "DOWN", "up"],
        }
    )


def test_direction_is_honoured_and_ties_meet():
    out = target_status(kpis(), compare="previous")
    # up 0.9 >= 0.85 met; down 12 > 10 missed; down 4 <= 4 met (tie); down 4 > 3.5 missed
    assert out["met_target"].tolist()[:4] == [True, False, True, False]
    assert pd.isna(out["met_target"].iloc[4])
    # improving: up 0.9 >= 0.8; down 12 > 10 worse; down 4 < 5 better; down 4 > 3 worse
    assert out["improving"].tolist()[:4] == [True, False, True, False]
    assert out["status"].tolist() == ["met", "missed", "met", "missed", "no data"]


def test_improving_status_when_missed_but_better():
    data = pd.DataFrame({"value": [0.78], "previous": [0.70], "target": [0.8], "direction": "up"})
    assert target_status(data, compare="previous")["status"].iloc[0] == "improving"


def test_previous_period_comparison_by_measure():
    data = pd.DataFrame(
        {
            "measure": ["x", "x", "y", "y"],
            "period": pd.to_datetime(["2024-02-01", "2024-01-01", "2024-01-01", "2024-02-01"]),
            "value": [5.0, 6.0, 1.0, 2.0],
            "target": [4.0, 4.0, 3.0, 3.0],
            "direction": ["down", "down", "up", "up"],
        }
    )
    out = target_status(data, period="period")
    # x: Feb 5 vs Jan 6 (down) -> improving; y: Feb 2 vs Jan 1 (up) -> improving; Januaries n/a
    assert out["improving"].tolist()[0] is True
    assert pd.isna(out["improving"].iloc[1]) and pd.isna(out["improving"].iloc[2])
    assert out["status"].tolist() == ["improving", "missed", "missed", "improving"]


def test_single_direction_for_all_rows():
    data = pd.DataFrame({"value": [3.0], "target": [4.0]})
    assert bool(target_status(data, direction="down")["met_target"].iloc[0]) is True
    assert bool(target_status(data, direction="up")["met_target"].iloc[0]) is False


def test_summary_counts_and_shares():
    out = target_summary(target_status(kpis(), compare="previous"), total=True)
    parks = out.set_index("agency").loc["Parks"]
    assert (parks["met"], parks["not_met"], parks["share_met"]) == (1, 1, 0.5)
    water = out.set_index("agency").loc["Water"]
    assert water["with_target"] == 0 and pd.isna(water["share_met"])
    assert water["no_target"] == 1  # no value this period -> no met/missed
    everything = out.set_index("agency").loc["All"]
    assert everything["indicators"] == 5 and everything["met"] == 2


def test_bad_inputs():
    with pytest.raises(UnknownNameError, match="not a desired direction"):
        target_status(kpis().assign(direction="sideways"))
    with pytest.raises(UnknownNameError, match="not a desired direction either"):
        target_status(kpis().drop(columns="direction"), direction="bigger")
    with pytest.raises(UnknownNameError, match="Did you mean 'direction'"):
        target_status(kpis(), direction="Direction")
    with pytest.raises(ColumnTypeError, match="clean_numbers"):
        target_status(kpis().assign(target=["85%", "10", "4", "3.5", "2"]))
    with pytest.raises(MissingColumnError, match="Did you mean 'target'"):
        target_status(kpis(), target="targets")
    with pytest.raises(CityKitError, match="no rows"):
        target_status(kpis().iloc[:0])
    with pytest.raises(CityKitError, match="empty"):
        target_status(kpis().assign(direction=["up", None, "up", "up", "up"]))
    with pytest.raises(ColumnTypeError, match="True/False"):
        target_summary(pd.DataFrame({"agency": ["a"], "met_target": ["yes"], "improving": [1]}))


def test_clean_numbers_formats():
    raw = pd.Series(["33%", "0.333333333", "1,611", "NA", "", "100%", "-0.04", "(3)"])
    np.testing.assert_allclose(
        clean_numbers(raw), [0.33, 0.333333333, 1611, np.nan, np.nan, 1.0, -0.04, -3]
    )
    assert clean_numbers(["33%"], percent="points").iloc[0] == 33
    assert clean_numbers(["see note"], errors="coerce").isna().all()
    with pytest.raises(ColumnTypeError, match="errors='coerce'"):
        clean_numbers(["see note"])


# ---- real data: NYC Mayor's Management Report ---------------------------------------------------

MMR_COUNTS = {  # published column -> our column
    "Met_Goal": "met",
    "Did_Not_Meet": "not_met",
    "NA.s": "no_target",
    "Total.s": "with_target",
    "Improving": "improving",
    "Not_Improving": "not_improving",
    "NA.one": "no_comparison",
    "Total.one": "indicators",
}


def _published(path):
    """Read a published MMR agency summary and clean its mixed number formats.

    The Comptroller's CSVs were saved from a spreadsheet, so one column can hold "33%" next to
    0.333333333, counts can carry thousands separators ("1,611"), missing values are written
    "NA", and one header is empty. We read every cell as text and pass the numeric columns
    through clean_numbers (percent -> share, commas dropped, "NA" -> missing).
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = pd.DataFrame({"agency_name": raw["Agency.Name"]})
    numeric = [
        "Agency.Number",
        *MMR_COUNTS,
        "SuccessPct",
        "ImprovePct",
        "Improving.five",
        "Not_Improving.five",
        "ImprovePct.five",
    ]
    for column in numeric:
        out[column] = clean_numbers(raw[column])
    out["Agency.Number"] = out["Agency.Number"].fillna(-1).astype(int)
    return out.set_index("Agency.Number").sort_index()


def _ours(indicators, compare):
    status = target_status(
        indicators,
        value="YTDScaled",
        target="Target.MMR",
        direction="Desired.Direction",
        compare=compare,
    )
    status["Agency.Number"] = status["Agency.Number"].fillna(-1).astype(int)
    return target_summary(status, by="Agency.Number").set_index("Agency.Number").sort_index()


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("table", "critical_only"),
    [
        ("All Indicators Agency Outcomes.csv", False),
        ("Critical Indicators Agency Outcomes.csv", True),
    ],
)
def test_mmr_agency_outcomes_match_published(realdata, table, critical_only):
    folder = realdata / "nyc-mmr-indicators"
    indicators = pd.read_csv(folder / "Tidy Indicator Level Data.csv")
    assert len(indicators) == 1139
    if critical_only:
        indicators = indicators[indicators["Critical"] == "Yes"]
    published = _published(folder / table)
    ours = _ours(indicators, compare="2022")  # one-year improvement: FY23 vs FY22
    assert list(ours.index) == list(published.index)
    for theirs, mine in MMR_COUNTS.items():
        assert ours[mine].tolist() == published[theirs].astype(int).tolist(), theirs
    # SuccessPct = met / (met + not met); "NA" where no indicator has a target
    np.testing.assert_allclose(ours["share_met"], published["SuccessPct"], atol=0.005)
    assert ours["share_met"].isna().tolist() == published["SuccessPct"].isna().tolist()
    # the MMR's ImprovePct divides by every indicator (including those with no comparison)
    np.testing.assert_allclose(
        ours["improving"] / ours["indicators"], published["ImprovePct"], atol=0.005
    )
    five = _ours(indicators, compare="Avg5yr")  # five-year improvement vs the 5-year average
    assert five["improving"].tolist() == published["Improving.five"].astype(int).tolist()
    assert five["not_improving"].tolist() == published["Not_Improving.five"].astype(int).tolist()


@pytest.mark.realdata
def test_mmr_indicator_level_success_flags(realdata):
    # the Comptroller's own per-indicator flag agrees with ours for every one of the 1,139 rows
    indicators = pd.read_csv(realdata / "nyc-mmr-indicators" / "Tidy Indicator Level Data.csv")
    status = target_status(
        indicators, value="YTDScaled", target="Target.MMR", direction="Desired.Direction"
    )
    theirs = indicators["Success"].map({"Met_Goal": True, "Did_Not_Meet": False})
    assert status["met_target"].astype("boolean").equals(theirs.astype("boolean"))
    assert int(status["met_target"].sum()) == 183
    assert int((status["met_target"] == False).sum()) == 168  # noqa: E712
