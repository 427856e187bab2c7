"""Module 05 (capstone): the case's answers are the sample city's truths.

The graded case asks the learner to find things the generator planted in Riverton; these tests check
that the toolkit calls the solution uses recover them (generator ground truths in
``citykit.synth.requests311``, ``citykit.synth.trials`` and ``citykit.synth.homeless``).
"""

from __future__ import annotations

import re
import tomllib

from citykit import contracting, datasets, evaluation, opendata, performance
from citykit.synth.homeless import RISK_FACTORS as CASE_MIX
from citykit.synth.homeless import TRUE_PROVIDER_EFFECTS
from citykit.synth.requests311 import PROCESS_CHANGE
from citykit.synth.trials import BILL_BLOCKS, TRUE_EFFECTS
from lesson_tools import cells as _cells
from repo_paths import ROOT

LESSON = ROOT / "curriculum" / "05-capstone" / "01-case-brief.ipynb"
SOLUTION = ROOT / "solutions" / "05-capstone" / "results-briefing.ipynb"
BANK = ROOT / "toolkit" / "citykit" / "questions" / "05-capstone.toml"
RISK_FACTORS = ["project_type", *CASE_MIX]


def test_bank_covers_the_four_parts_with_hints_and_mistakes():
    bank = tomllib.loads(BANK.read_text(encoding="utf-8"))["questions"]
    assert len(bank) >= 8
    for qid, spec in bank.items():
        assert 2 <= len(spec["hints"]) <= 3, qid
        assert spec.get("mistakes"), qid
    source = "\n".join(src for _, src, _ in _cells(SOLUTION))
    for toolkit in ("opendata.", "performance.", "evaluation.", "contracting."):
        assert toolkit in source
    memo = [
        c
        for _, _, c in _cells(SOLUTION)
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "q14_memo"
    ]
    assert len(memo) == 1 and memo[0]["metadata"]["nbgrader"]["points"] == 6
    rubric = "".join(memo[0]["source"]).split("**Rubric")[1]
    assert len(re.findall(r"^- \*\*1 — ", rubric, flags=re.M)) == 6


def test_the_sanitation_change_is_found_in_the_generators_month():
    timed = performance.add_time_to_close(datasets.load("service_requests"))
    measure = performance.Measure("On-time closure", "share", column="closed_on_time")
    monthly = performance.compute_measures(
        timed, measures=measure, date="opened_at", by="department"
    )
    sanitation = monthly[monthly["department"] == PROCESS_CHANGE["department"]]
    chart = performance.p_chart(
        sanitation, numerator="numerator", denominator="denominator", period="period", baseline=12
    )
    beyond = chart.table[chart.table["rules"].str.contains("WE1")]
    assert beyond["period"].iloc[0].strftime("%Y-%m") == PROCESS_CHANGE["month"]
    # every month after the change stays above the baseline's upper limit (a new level)
    after = chart.table[chart.table["period"] >= PROCESS_CHANGE["month"] + "-01"]
    assert (after["value"] > after["ucl"]).all()


def test_the_block_weighted_letter_effect_recovers_the_true_effect():
    trial = datasets.load("bill_reminder_trial")
    blocked = evaluation.estimate_effects(
        trial, outcome="paid_on_time", control="control", block="account_type"
    ).table.iloc[0]
    truth = TRUE_EFFECTS["bill_reminder_trial"]["letter"]
    assert blocked["ci_low"] < truth < blocked["ci_high"]
    pooled = evaluation.estimate_effects(trial, outcome="paid_on_time", control="control").table
    # unequal letter shares across blocks (BILL_BLOCKS) bias the pooled comparison downwards
    assert len({share for _, share, _ in BILL_BLOCKS.values()}) == 3
    assert pooled["estimate"].iloc[0] < truth - 0.02


def test_the_weakest_provider_is_the_only_one_outside_the_funnel():
    enrollments = datasets.load("hmis_enrollments")
    exits = contracting.client_exits(
        enrollments, clients=datasets.load("hmis_clients"), project_types=("ES", "RRH")
    )
    scorecard = contracting.risk_adjust(exits, outcome="exit_ph", risk_factors=RISK_FACTORS)
    funnel = contracting.funnel_data(scorecard)  # yes/no outcome: Poisson-binomial limits
    outside = set(funnel.table.loc[funnel.table["zone"] != "within 95% limits", "provider_id"])
    served = set(exits["provider_id"])
    weakest = min(served, key=TRUE_PROVIDER_EFFECTS.get)
    assert outside == {weakest} == {"P08"}
    table = scorecard.table.set_index("provider_id")
    assert table.loc["P06", "oe_low"] <= 1 <= table.loc["P06", "oe_high"]


def test_the_release_record_is_valid_and_scores_higher_than_the_catalog_row():
    catalog = datasets.load("catalog")
    row = catalog[catalog["title"] == "311 Service Requests"]
    before = opendata.records_from_table(row)
    assert len(opendata.validate_records(before)) == 1
    r = row.iloc[0]
    fixed = opendata.dataset_record(
        title=r["title"],
        description=r["description"],
        keyword=r["keyword"],
        publisher=r["publisher"],
        contact_name=r["contact_name"],
        identifier=r["identifier"],
        contact_email="311data@riverton.example.gov",
        modified="2024-12-31",
        theme=["City Services"],
        license=r["license"],
        temporal=r["temporal"],
        spatial=r["spatial"],
        accrualPeriodicity=r["accrual_periodicity"],
        landingPage=r["landing_page"],
        downloadURL=r["download_url"],
        mediaType=r["media_type"],
        format=r["format"],
        issued=r["issued"],
    )
    assert opendata.validate_records([fixed]).empty
    after_score = int(opendata.score_records([fixed])["score"].iloc[0])
    before_score = int(opendata.score_records(before)["score"].iloc[0])
    assert after_score > before_score


def test_the_quarter_table_needs_complementary_suppression():
    threshold = 11
    requests = datasets.load("service_requests")
    quarter = requests[requests["opened_at"] >= "2024-10-01"]
    counts = opendata.count_table(quarter, rows="district", columns="service_type")
    result = opendata.suppress_small_cells(counts, threshold=threshold)
    assert result.n_primary == int(((counts >= 1) & (counts < threshold)).to_numpy().sum()) > 0
    assert result.n_complementary > 0 and result.audit.passes
