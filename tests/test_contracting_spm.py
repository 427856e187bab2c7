"""Tidying HUD SPM-by-CoC sheets (no real data needed: small inline sheets)."""

from __future__ import annotations

import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import CityKitError, MissingColumnError


def test_tableau_layout_with_blank_and_multi_year_rows():
    raw = pd.DataFrame(
        {
            "Param 2 Return Timeframe": ["8%", None, "13%", "10%"],
            "HUD CoC Number": ["WA-500", "AL-502", "WA-500", "MO-604M"],
            "2020": [0.08, None, None, 0.1],
            "2021": [None, None, 0.13, 0.1],
        }
    )
    tidy = ct.tidy_spm_table(raw)
    assert tidy.to_numpy().tolist() == [
        ["MO-604M", 2020, 0.1],
        ["WA-500", 2020, 0.08],
        ["MO-604M", 2021, 0.1],
        ["WA-500", 2021, 0.13],
    ]


def test_duplicates_kept_once_conflicts_raise():
    same = pd.DataFrame({"HUD CoC Number": ["WA-500", "WA-500"], "2021": [0.1, 0.1]})
    assert len(ct.tidy_spm_table(same)) == 1
    conflict = pd.DataFrame({"HUD CoC Number": ["WA-500", "WA-500"], "2021": [0.1, 0.2]})
    with pytest.raises(CityKitError, match="WA-500 2021"):
        ct.tidy_spm_table(conflict)


def test_rows_that_are_not_cocs_are_dropped():
    raw = pd.DataFrame({"HUD CoC Number": ["WA-500", "Total", None], 2021.0: [0.4, 0.3, 0.2]})
    assert ct.tidy_spm_table(raw)["coc_number"].tolist() == ["WA-500"]


def test_bad_sheets_and_paths(tmp_path):
    with pytest.raises(MissingColumnError, match="HUD CoC Number"):
        ct.tidy_spm_table(pd.DataFrame({"CoC": ["WA-500"], "2021": [0.4]}))
    with pytest.raises(MissingColumnError, match="fiscal-year"):
        ct.tidy_spm_table(pd.DataFrame({"HUD CoC Number": ["WA-500"], "rate": [0.4]}))
    with pytest.raises(CityKitError, match="no workbook"):
        ct.read_spm_workbook(tmp_path / "missing.xlsx")
