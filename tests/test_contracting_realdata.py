"""HUD System Performance Measures by CoC (shared realdata/hud-spm-coc; see its SOURCE.txt).

Values checked here were read directly from the workbooks with openpyxl (cell by cell), not
through citykit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from citykit import contracting as ct
from scipy import stats

pytestmark = pytest.mark.realdata

PH_FILE = "Successful Exits from ES, SH, TH, RRH to PH.xlsx"
FIRST_TIME_FILE = "First Time Homeless.xlsx"
RETURNS_FILE = "Precent Returns to Homelessness in {} Months.xlsx"


def _openpyxl_rows(path):
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        book.close()
    return rows


@pytest.fixture(scope="module")
def spm(realdata):
    folder = realdata / "hud-spm-coc"
    if not folder.is_dir():
        pytest.skip("hud-spm-coc is not in the shared realdata folder")
    return folder


def test_plain_workbook_values(spm):
    tidy = ct.read_spm_workbook(spm / PH_FILE)
    wide = ct.spm_wide(tidy)
    # WA-500 (Seattle/King County) row read directly with openpyxl:
    # 0.3047321332327261 (FY2015) ... 0.4147282291057861 (FY2021)
    assert wide.loc["WA-500", 2015] == pytest.approx(0.3047321332327261, abs=1e-15)
    assert wide.loc["WA-500", 2021] == pytest.approx(0.4147282291057861, abs=1e-15)
    rows = _openpyxl_rows(spm / PH_FILE)
    header, body = rows[0], rows[1:]
    assert header[0] == "HUD CoC Number"
    # every non-empty cell of the sheet is in the tidy table, and nothing else
    cells = {
        (r[0], int(float(header[j]))): r[j]
        for r in body
        for j in range(1, len(header))
        if r[j] is not None
    }
    assert len(tidy) == len(cells)
    got = dict(
        zip(zip(tidy["coc_number"], tidy["fiscal_year"], strict=True), tidy["value"], strict=True)
    )
    assert got == pytest.approx(cells)


def test_tableau_returns_workbooks_cleaned(spm):
    tables = {k: ct.read_spm_workbook(spm / RETURNS_FILE.format(k)) for k in (6, 12, 24)}
    r12 = ct.spm_wide(tables[12])
    # values read directly from the messy Tableau-style sheet (one year per row, label column)
    assert r12.loc["WA-500", 2021] == pytest.approx(0.13321230001134687, abs=1e-15)
    assert r12.loc["WA-500", 2016] == pytest.approx(0.07638402242466713, abs=1e-15)
    assert r12.loc["AK-500", 2015] == pytest.approx(0.22058823529411764, abs=1e-12)
    assert ct.spm_wide(tables[6]).loc["WA-500", 2021] == pytest.approx(0.08748439804833769)
    assert ct.spm_wide(tables[24]).loc["WA-500", 2021] == pytest.approx(0.17315329626687848)
    # the raw sheet has 2,708 data rows, some blank, some with several years; the tidy table has
    # one row per CoC-year with a value (counted independently from the cells)
    rows = _openpyxl_rows(spm / RETURNS_FILE.format(12))
    header = rows[0]
    assert header[:2] == ("Param 2 Return Timeframe", "HUD CoC Number")
    cells = {
        (r[1], int(header[j])) for r in rows[1:] for j in range(2, len(header)) if r[j] is not None
    }
    assert len(tables[12]) == len(cells) == 2716
    assert (tables[12]["fiscal_year"] == 2021).sum() == 383
    # split CoCs keep their letter suffix (MO-604M, FY2021: 0.0623... read from the sheet)
    assert r12.loc["MO-604M", 2021] == pytest.approx(0.062375580623755804, abs=1e-15)
    # the percent label, where present, is the value rounded to a whole percent
    labelled = [(r[0], v) for r in rows[1:] if r[0] for v in r[2:] if v is not None]
    agree = np.mean([abs(float(lab.rstrip("%")) - 100 * v) <= 0.5 + 1e-9 for lab, v in labelled])
    assert agree > 0.99
    # returns are cumulative: within 6 <= within 12 <= within 24 months for every CoC-year
    merged = (
        tables[6]
        .merge(tables[12], on=["coc_number", "fiscal_year"])
        .merge(tables[24], on=["coc_number", "fiscal_year"])
    )
    assert len(merged) > 2700
    assert (merged["value_x"] <= merged["value_y"] + 1e-12).all()
    assert (merged["value_y"] <= merged["value"] + 1e-12).all()


def test_funnel_of_exits_to_ph_with_wa500(spm):
    year = 2021
    rate = ct.read_spm_workbook(spm / PH_FILE)
    size = ct.read_spm_workbook(spm / FIRST_TIME_FILE)
    # The SPM workbooks publish rates only. As the funnel's precision we use the number of
    # first-time homeless persons (Measure 5) in the same year: an approximate denominator.
    data = ct.spm_rate_table(rate, size, fiscal_year=year)
    result = ct.funnel_data(
        data, observed="observed", denominator="size", label="coc_number", kind="PR"
    )
    wa = result.table.set_index("coc_number").loc["WA-500"]

    # independent computation from the cells (openpyxl + scipy)
    ph_rows = _openpyxl_rows(spm / PH_FILE)
    ft_rows = _openpyxl_rows(spm / FIRST_TIME_FILE)
    col_ph = [str(h) for h in ph_rows[0]].index(str(year))  # headers are text: '2015' ...
    col_ft = [str(h) for h in ft_rows[0]].index(str(year))
    ph = {r[0]: r[col_ph] for r in ph_rows[1:] if r[col_ph] is not None}
    ft = {r[0]: r[col_ft] for r in ft_rows[1:] if r[col_ft] is not None and r[col_ft] > 0}
    common = sorted(set(ph) & set(ft))
    assert len(result.table) == len(common)
    p = np.array([ph[c] for c in common])
    n = np.array([ft[c] for c in common], dtype=float)
    target = (p * n).sum() / n.sum()
    assert result.target == pytest.approx(target, rel=1e-12)
    assert wa["value"] == pytest.approx(0.4147282291057861, abs=1e-15)
    assert wa["denominator"] == 8167
    upper_998 = stats.binom.ppf(0.999, 8167, target) / 8167
    assert wa["ul998"] == pytest.approx(upper_998)
    assert wa["value"] > upper_998 and wa["zone"] == "above 99.8% limit"
    # the CoCs vary far more than binomial noise allows (phi >> 1): with the DerSimonian-Laird
    # allowance, Seattle/King County is within the 95% funnel
    z = (np.arcsin(np.sqrt(p)) - np.arcsin(np.sqrt(target))) * 2 * np.sqrt(n)
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    w = 4 * n
    tau2 = (len(z) * phi - (len(z) - 1)) / (w.sum() - (w**2).sum() / w.sum())
    adjusted = ct.funnel_data(
        data,
        observed="observed",
        denominator="size",
        label="coc_number",
        kind="PR",
        adjust_overdispersion=True,
    )
    assert adjusted.od.phi == pytest.approx(phi, rel=1e-10) and phi > 10
    assert adjusted.od.tau2 == pytest.approx(tau2, rel=1e-10)
    spread = stats.norm.ppf(0.975) * np.sqrt(1 / (4 * 8167) + tau2)
    centre = np.arcsin(np.sqrt(target))
    wa_adj = adjusted.table.set_index("coc_number").loc["WA-500"]
    assert wa_adj["ul95"] == pytest.approx(np.sin(centre + spread) ** 2)
    assert wa_adj["zone"] == "within 95% limits"


def test_funnel_plot_of_cocs_places_wa500(spm):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from citykit.plots import contracting as cplots

    rate = ct.read_spm_workbook(spm / PH_FILE)
    size = ct.read_spm_workbook(spm / FIRST_TIME_FILE)
    data = ct.spm_rate_table(rate, size, fiscal_year=2021)
    result = ct.funnel_data(
        data,
        observed="observed",
        denominator="size",
        label="coc_number",
        kind="PR",
        adjust_overdispersion=True,
    )
    ax = cplots.provider_funnel_plot(
        result,
        highlight=["WA-500"],
        max_labels=5,
        xlabel="First-time homeless persons (count, approximate)",
    )
    labels = {t.get_text(): t.xy for t in ax.texts}
    assert labels["WA-500"] == pytest.approx((8167, 0.4147282291057861))
    assert len(labels) <= 6
    plt.close("all")
