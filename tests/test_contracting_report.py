"""Monthly provider progress report (GPL active contract management, methods.md §3.4)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from citykit import contracting as ct
from citykit.errors import ArgumentRangeError, CityKitError, MissingColumnError
from citykit.synth import homeless
from citykit.synth._core import RIVERTON

RISK = list(homeless.RISK_FACTORS)


def _rows(rows):
    return pd.DataFrame(
        rows,
        columns=[
            "enrollment_id",
            "client_id",
            "provider_id",
            "project_type",
            "entry_date",
            "exit_date",
            "destination",
        ],
    )


@pytest.fixture
def small():
    raw = _rows(
        [
            ["e1", "a", "P1", "ES", "2024-08-01", "2024-09-10", 410],  # in 3-month window, PH
            ["e2", "b", "P1", "ES", "2024-09-01", "2024-10-10", 101],  # in window, not PH
            [
                "e3",
                "c",
                "P1",
                "ES",
                "2024-11-03",
                "2024-11-20",
                435,
            ],  # in window, PH; entry in month
            ["e4", "d", "P1", "ES", "2024-06-01", "2024-07-01", 410],  # exit before window
            ["e5", "e", "P2", "ES", "2024-11-10", "2024-11-01", 410],  # exit before entry
            ["e6", "f", "P2", "ES", "2024-01-02", None, None],  # open 333 days at month end
            ["e7", "g", "P2", "ES", "2023-10-01", "2023-10-20", 410],  # PH a year earlier ...
            ["e8", "g", "P2", "ES", "2024-02-01", "2024-03-01", 30],  # ... returned in 104 days
        ]
    )
    contracts = pd.DataFrame(
        {
            "provider_id": ["P1", "P2", "P3"],
            "fiscal_year": [2024] * 3,
            "project_type": ["ES", "ES", "RRH"],
            "target_clients": [120, 60, 24],
            "target_exits_to_ph_rate": [0.5, 0.5, 0.75],
            "target_returns_12m_rate": [0.15] * 3,
        }
    )
    names = pd.DataFrame(
        {"provider_id": ["P1", "P2", "P3"], "provider_name": ["One", "Two", "Three"]}
    )
    return raw, contracts, names


def test_hand_computed_month(small):
    raw, contracts, names = small
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = ct.provider_progress_report(
            raw, month="2024-11", contracts=contracts, providers=names
        )
    s = rep.providers.set_index("provider_id")
    assert list(s.index) == ["P1", "P2", "P3"]
    p1 = s.loc["P1"]
    assert p1["entries"] == 1 and p1["entries_target"] == pytest.approx(10.0)
    assert (p1["exits"], p1["ph_exits"]) == (3, 2)
    assert p1["ph_rate"] == pytest.approx(2 / 3) and p1["ph_status"] == "on target"
    p2 = s.loc["P2"]
    assert p2["dq_flags"] == 1 and p2["open_stays_over_180d"] == 1
    assert p2["exits"] == 0 and p2["ph_status"] == "no exits"
    # permanent exit 2023-10-20 falls in the look-back window shifted 365 days; it returned
    assert (p2["returns_base"], p2["returns_12m"]) == (1, 1)
    assert p2["returns_status"] == "above limit"
    p3 = s.loc["P3"]
    assert p3["entries"] == 0 and p3["note"].startswith("no clients enrolled yet")
    assert p3["provider_name"] == "Three" and p3["project_type"] == "RRH"
    assert rep.windows["exits"] == "2024-09-01 to 2024-11-30"
    agenda = rep.agenda("P2")
    assert any("open over 180 days" in line for line in agenda)
    assert agenda[-1].startswith("Ask:") and "follow-up support" in agenda[-1]
    md = rep.to_markdown()
    assert md.startswith("# Provider progress report, 2024-11") and "## P3 Three" in md
    page = rep._repr_html_()
    assert "<table" in page and "Three" in page and "<li>" in page
    assert "ProgressReport(2024-11)" in repr(rep)
    assert len(rep.trends) == 3 * 6


def test_trend_words():
    rows = []
    k = 0
    for month, share in [
        ("2024-03", 0.2),
        ("2024-04", 0.2),
        ("2024-05", 0.2),
        ("2024-06", 0.8),
        ("2024-07", 0.8),
        ("2024-08", 0.8),
    ]:
        for i in range(40):
            k += 1
            code = 410 if i < share * 40 else 101
            rows.append([f"e{k}", f"c{k}", "P1", "ES", f"{month}-01", f"{month}-15", code])
    raw = _rows(rows)
    assert (
        ct.provider_progress_report(raw, month="2024-08").providers.loc[0, "trend"] == "improving"
    )
    flat = raw.assign(destination=101)
    flat.loc[flat.index % 3 == 0, "destination"] = 410
    assert ct.provider_progress_report(flat, month="2024-08").providers.loc[0, "trend"] == "steady"


def test_bad_inputs(small):
    raw, contracts, _ = small
    with pytest.raises(CityKitError, match="YYYY-MM"):
        ct.provider_progress_report(raw, month="November")
    with pytest.raises(ArgumentRangeError, match="window_months"):
        ct.provider_progress_report(raw, month="2024-11", window_months=0)
    with pytest.raises(MissingColumnError):
        ct.provider_progress_report(
            raw, month="2024-11", contracts=contracts.drop(columns="fiscal_year")
        )
    with pytest.raises(CityKitError, match="before the first enrollment"):
        ct.provider_progress_report(raw, month="2019-01")
    with pytest.raises(CityKitError, match="not in this report"):
        ct.provider_progress_report(raw, month="2024-11").agenda("P9")


def test_sample_city_report_puts_risk_next_to_raw_rates():
    t = homeless.generate(seed=20240501, scale=1.0, city=RIVERTON)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = ct.provider_progress_report(
            t["hmis_enrollments"],
            month="2024-11",
            contracts=t["provider_contracts"],
            providers=t["providers"],
            clients=t["hmis_clients"],
            risk_factors=RISK,
        )
    s = rep.providers.set_index("provider_id")
    # P06 misses its raw target, yet is within the funnel once its clients are accounted for
    assert s.loc["P06", "ph_status"] == "below target"
    assert s.loc["P06", "oe_low"] < 1 < s.loc["P06", "oe_high"]
    assert s.loc["P06", "funnel_zone"] == "within 95% limits"
    # P08's unrecorded exits show up as long-open shelter stays
    assert s["open_stays_over_180d"].idxmax() == "P08"
    # the new contract with no clients is on the agenda
    assert s.loc["P11", "note"].startswith("no clients enrolled yet")
    # single-provider project types have no peers to be compared with
    assert s.loc["P03", "funnel_zone"] == "no peer of the same project type"
    assert np.isnan(s.loc["P03", "oe_ratio"])
    assert s.loc["P09", "prevention_success_rate"] > 0.7
    assert "Westfield Youth Housing" in rep.to_html()


def test_intake_mix_reveals_screening():
    # P04 screens for easier clients (INTAKE_RISK); its RRH peer P07 does not
    assert homeless.INTAKE_RISK["P04"] < homeless.INTAKE_RISK["P07"]
    t = homeless.generate(seed=20240501, scale=1.0, city=RIVERTON)
    clients = t["hmis_clients"].assign(high_risk=lambda d: d["acuity_score"] >= 9)
    rep = ct.provider_progress_report(
        t["hmis_enrollments"], month="2024-11", clients=clients, high_risk="high_risk"
    )
    s = rep.providers.set_index("provider_id")
    assert s.loc["P04", "high_risk_share"] < s.loc["P04", "peer_high_risk_share"] - 0.15
    # the peer share of P04 is exactly P07's share (the only other RRH provider with entries)
    assert s.loc["P04", "peer_high_risk_share"] == pytest.approx(s.loc["P07", "high_risk_share"])
    assert "far fewer high-risk clients" in rep.agenda("P04")[-1]
    with pytest.raises(MissingColumnError, match="high_risk='acuity'"):
        ct.provider_progress_report(
            t["hmis_enrollments"], month="2024-11", clients=clients, high_risk="acuity"
        )


def test_summary_is_sentences_and_the_table_is_providers(small):
    raw, contracts, names = small
    rep = ct.provider_progress_report(raw, month="2024-11", contracts=contracts, providers=names)
    text = rep.summary()
    assert isinstance(text, str) and text.startswith(
        "Provider progress report, 2024-11: 3 providers."
    )
    assert "Returns above the limit: P2." in text  # P2 is above its returns limit (see above)
    assert "Flagged data rows: 1 at P2." in text
    # code written for the old table keeps working for one release, with a warning
    with pytest.warns(FutureWarning, match=r"ProgressReport\.providers"):
        old = rep.summary.set_index("provider_id")
    pd.testing.assert_frame_equal(old, rep.providers.set_index("provider_id"))
    with pytest.warns(FutureWarning):
        assert rep.summary["provider_id"].tolist() == ["P1", "P2", "P3"]
