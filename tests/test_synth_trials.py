"""Riverton's trials: shape, determinism, ground truths, and CI coverage of the true effects."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from citykit.evaluation import estimate_effects
from citykit.synth import DEFAULT_SEED, trials
from citykit.synth._core import RIVERTON, write_tables
from scipy import stats

NAMES = [spec.name for spec in trials.SPECS]


@pytest.fixture(scope="module")
def committed():
    """The tables as committed in datasets/ (default seed, scale 1; deterministic)."""
    return trials.generate(seed=DEFAULT_SEED, scale=1.0, city=RIVERTON)


def test_tables_match_their_specs(committed):
    assert sorted(committed) == sorted(NAMES)
    for spec in trials.SPECS:
        frame = committed[spec.name]
        assert list(frame.columns) == spec.columns
        for field in spec.fields:
            assert field.description
            column = frame[field.name]
            if field.required:
                assert column.notna().all(), field.name
            if field.categories is not None:
                assert set(column.dropna()) <= set(field.categories), field.name
            if field.minimum is not None:
                assert (column.dropna() >= field.minimum).all(), field.name
            if field.maximum is not None:
                assert (column.dropna() <= field.maximum).all(), field.name
        if spec.primary_key:
            assert not frame.duplicated(list(spec.primary_key)).any()


def test_sizes_and_scale(committed):
    assert len(committed["bill_reminder_trial"]) == 6000
    assert len(committed["registration_reminder_trial"]) == 9000
    assert 6000 < len(committed["job_posting_trial"]) < 11000
    double = trials.generate(seed=DEFAULT_SEED, scale=2.0, city=RIVERTON)
    assert len(double["bill_reminder_trial"]) == 12000
    assert len(double["registration_reminder_trial"]) == 18000


def digest(tables, tmp_path):
    paths = write_tables(tables, list(trials.SPECS), tmp_path)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_same_seed_same_bytes(committed, tmp_path):
    again = trials.generate(seed=DEFAULT_SEED, scale=1.0, city=RIVERTON)
    assert digest(committed, tmp_path / "a") == digest(again, tmp_path / "b")
    other = trials.generate(seed=DEFAULT_SEED + 1, scale=1.0, city=RIVERTON)
    assert digest(other, tmp_path / "c") != digest(committed, tmp_path / "a")
    sizes = {p.name: p.stat().st_size for p in (tmp_path / "a").iterdir()}
    assert sum(sizes.values()) < 4_000_000


def test_one_table_alone_is_the_same_table(committed):
    alone = trials.generate(
        seed=DEFAULT_SEED, scale=1.0, city=RIVERTON, tables=["job_posting_trial"]
    )
    pd.testing.assert_frame_equal(alone["job_posting_trial"], committed["job_posting_trial"])


def test_bill_blocks_have_the_stated_treatment_shares(committed):
    bills = committed["bill_reminder_trial"]
    shares = bills.groupby("account_type")["arm"].apply(lambda a: (a == "letter").mean())
    for block, (_, share, _) in trials.BILL_BLOCKS.items():
        assert shares[block] == pytest.approx(share, abs=1e-12)
        assert (bills.loc[bills["account_type"] == block, "assignment_probability"] == share).all()
    letter = bills["arm"] == "letter"
    assert bills.loc[letter, "letter_sent_date"].notna().all()
    assert bills.loc[~letter, "letter_sent_date"].isna().all()
    assert 0 < bills["account_age_years"].isna().mean() < 0.03  # documented texture
    on_time = bills["paid_date"] <= bills["due_date"]
    assert (on_time == bills["paid_on_time"]).all()


def test_true_effects_are_consistent_with_the_parameters():
    blocks = trials.BILL_BLOCKS
    total = sum(n for n, _, _ in blocks.values())
    weighted = sum(blocks[b][0] * trials.BILL_BLOCK_EFFECTS[b] for b in blocks) / total
    assert trials.TRUE_EFFECTS["bill_reminder_trial"]["letter"] == pytest.approx(weighted)
    assert trials.TRUE_EFFECTS["bill_reminder_trial"]["letter"] == pytest.approx(0.0415)
    assert trials.TRUE_EFFECTS["registration_reminder_trial"]["text_message"] == pytest.approx(
        0.07 * 0.70
    )


def covered(result, truth: dict) -> dict:
    table = result.table.set_index("arm")
    return {
        arm: bool(table.loc[arm, "ci_low"] <= effect <= table.loc[arm, "ci_high"])
        for arm, effect in truth.items()
    }


def test_committed_data_cis_cover_the_true_effects(committed):
    truth = trials.TRUE_EFFECTS
    bills = estimate_effects(
        committed["bill_reminder_trial"], outcome="paid_on_time", block="account_type"
    )
    assert all(covered(bills, truth["bill_reminder_trial"]).values())
    renewals = estimate_effects(
        committed["registration_reminder_trial"], outcome="renewed_within_30_days"
    )
    assert all(covered(renewals, truth["registration_reminder_trial"]).values())
    jobs = estimate_effects(committed["job_posting_trial"], outcome="applied", cluster="posting_id")
    assert all(covered(jobs, truth["job_posting_trial"]).values())
    assert "CR2" in jobs.method


def test_ignoring_the_blocks_misleads_on_the_bill_trial(committed):
    bills = committed["bill_reminder_trial"]
    naive = estimate_effects(bills, outcome="paid_on_time")
    blocked = estimate_effects(bills, outcome="paid_on_time", block="account_type")
    truth = trials.TRUE_EFFECTS["bill_reminder_trial"]["letter"]
    # the naive difference is pulled down because multi-family accounts (low baseline) got
    # more letters; the block-weighted one is close to the truth
    assert naive.table["estimate"][0] < truth - 0.02
    assert abs(blocked.table["estimate"][0] - truth) < abs(naive.table["estimate"][0] - truth)


# --- coverage over many seeds ---------------------------------------------------------------------

SEEDS = range(400)
# 99.9% band for a count of covered CIs out of 400 when the true coverage is 95%
LOW, HIGH = stats.binom.ppf([0.0005, 0.9995], len(SEEDS), 0.95)


def coverage(name: str, scale: float, **options) -> dict:
    hits: dict = {}
    for seed in SEEDS:
        table = trials.generate(seed=seed, scale=scale, city=RIVERTON, tables=[name])[name]
        outcome = {
            "bill_reminder_trial": "paid_on_time",
            "registration_reminder_trial": "renewed_within_30_days",
            "job_posting_trial": "applied",
        }[name]
        result = estimate_effects(table, outcome=outcome, **options)
        for arm, ok in covered(result, trials.TRUE_EFFECTS[name]).items():
            hits[arm] = hits.get(arm, 0) + ok
    return hits


def test_coverage_blocked_bill_trial():
    hits = coverage("bill_reminder_trial", 0.2, block="account_type")
    assert LOW <= hits["letter"] <= HIGH, hits


def test_coverage_three_arm_registration_trial():
    hits = coverage("registration_reminder_trial", 0.1)
    for arm, count in hits.items():
        assert LOW <= count <= HIGH, (arm, count)


def test_coverage_cluster_randomized_job_trial_with_cr2():
    hits = coverage("job_posting_trial", 0.3, cluster="posting_id")
    assert LOW <= hits["service_motivation"] <= HIGH, hits


def test_band_is_a_real_check():
    # the band rejects a 90% procedure: 360 of 400 is outside it
    assert not LOW <= 360 <= HIGH
    assert 360 < LOW < 380 < HIGH < 400


def test_written_tables_validate_against_their_table_schema(committed, tmp_path):
    from frictionless import Package

    write_tables(committed, list(trials.SPECS), tmp_path)
    report = Package(str(tmp_path / "datapackage.json"), basepath=str(tmp_path)).validate()
    problems = [(t.name, e.type) for t in report.tasks for e in t.errors][:5]
    assert report.valid, problems


def test_texture_of_real_exports(committed):
    bills = committed["bill_reminder_trial"]
    amounts = bills["balance_usd"]
    assert amounts.mean() > 1.1 * amounts.median()  # right-skewed balances
    assert (pd.to_datetime(bills["bill_date"]).dt.day_of_week < 5).all()  # bills on weekdays
    assert bills["paid_date"].isna().any()  # some bills unpaid at the data pull
    views = committed["job_posting_trial"]
    weekday = pd.to_datetime(views["view_date"]).dt.day_of_week
    assert (weekday >= 5).mean() < 0.5 * 2 / 7  # fewer views at weekends
    per_posting = views.groupby("posting_id").size()
    assert per_posting.max() > 2.5 * per_posting.median()  # a few postings with many views
    renewals = committed["registration_reminder_trial"]
    texts = renewals[renewals["arm"] == "text_message"]
    assert (texts["reminder_delivered"] == texts["mobile_on_file"]).all()
    assert renewals.loc[renewals["arm"] == "control", "reminder_delivered"].isna().all()
    assert (pd.to_datetime(renewals["expiration_date"]).dt.is_month_end).all()
