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


def test_rate_table_pairs_years_and_drops_empty_sizes():
    rates = pd.DataFrame(
        {"coc_number": ["A-1", "WA-500"], "fiscal_year": [2021, 2021], "value": [0.5, 0.4]}
    )
    sizes = pd.DataFrame({"coc_number": ["WA-500"], "fiscal_year": [2021], "value": [10]})
    out = ct.spm_rate_table(rates, sizes, fiscal_year=2021)
    assert out.to_numpy().tolist() == [["WA-500", 0.4, 10, 4.0]]
    with pytest.raises(CityKitError, match="years in both"):
        ct.spm_rate_table(rates, sizes, fiscal_year=2020)
    with pytest.raises(MissingColumnError, match="read_spm_workbook"):
        ct.spm_rate_table(rates.drop(columns="value"), sizes, fiscal_year=2021)
