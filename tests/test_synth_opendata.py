"""The open-data and permits families of the sample city: deterministic, as specified, truthful."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from citykit.synth import DEFAULT_SEED
from citykit.synth import opendata as fam
from citykit.synth import permits as pfam
from citykit.synth._core import RIVERTON


@pytest.fixture(scope="module")
def tables():
    return fam.generate(seed=DEFAULT_SEED, scale=1, city=RIVERTON)


@pytest.fixture(scope="module")
def permits():
    return pfam.generate(seed=DEFAULT_SEED, scale=1, city=RIVERTON)["building_permits"]


@pytest.mark.parametrize("family", [fam, pfam])
def test_generate_twice_gives_identical_frames(family):
    first = family.generate(seed=7, scale=1, city=RIVERTON)
    second = family.generate(seed=7, scale=1, city=RIVERTON)
    assert sorted(first) == sorted(spec.name for spec in family.SPECS)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, second[name])


@pytest.mark.parametrize("family", [fam, pfam])
def test_another_seed_gives_other_data(family):
    first = family.generate(seed=1, scale=1, city=RIVERTON)
    second = family.generate(seed=2, scale=1, city=RIVERTON)
    assert any(not first[name].equals(second[name]) for name in first)


@pytest.mark.parametrize("family", [fam, pfam])
def test_columns_equal_specs(family):
    made = family.generate(seed=3, scale=1, city=RIVERTON)
    for spec in family.SPECS:
        assert list(made[spec.name].columns) == spec.columns
        for field in spec.fields:
            assert field.description
            if field.required:
                assert made[spec.name][field.name].notna().all(), field.name


def test_written_csv_round_trips_through_frictionless(tmp_path, tables, permits):
    from citykit.synth._core import write_tables
    from frictionless import Package

    frames = dict(tables, building_permits=permits)
    write_tables(frames, [*fam.SPECS, *pfam.SPECS], tmp_path)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_catalog_size_and_status(tables):
    catalog = tables["catalog"]
    assert 40 <= len(catalog) <= 60
    assert catalog["identifier"].is_unique
    assert set(catalog["status"]) == {"published", "planned"}
    assert catalog["policy_priority"].between(1, 5).all()


def test_planted_metadata_gaps_have_the_documented_counts(tables):
    catalog = tables["catalog"]
    assert (catalog["contact_email"] == "").sum() == fam.METADATA_GAPS["missing_contact_email"]
    us_dates = catalog["modified"].str.match(r"^\d{2}/\d{2}/\d{4}$")
    assert us_dates.sum() == fam.METADATA_GAPS["non_iso_modified"]
    words = (
        catalog["accrual_periodicity"]
        .str.lower()
        .isin(["daily", "monthly", "weekly", "annually", "quarterly"])
    )
    assert words.sum() == fam.METADATA_GAPS["word_periodicity"]
    assert (catalog["keyword"] == "").sum() == fam.METADATA_GAPS["missing_keyword"]
    no_media = (catalog["download_url"] != "") & (catalog["media_type"] == "")
    assert no_media.sum() == fam.METADATA_GAPS["download_without_media_type"]
    assert (catalog["access_level"] == "open").sum() == fam.METADATA_GAPS["bad_access_level"]
    assert (catalog["description"] == "").sum() == fam.METADATA_GAPS["missing_description"]


def test_catalog_scales_up():
    big = fam.generate(seed=1, scale=2, city=RIVERTON)
    assert len(big["catalog"]) == 2 * len(fam.BASE_DATASETS)
    assert (big["catalog"]["keyword"] == "").sum() == 2 * fam.METADATA_GAPS["missing_keyword"]
    assert len(big["records_requests"]) == 2 * 1_850


def test_usage_ground_truths(tables):
    usage = tables["portal_usage"]
    catalog = tables["catalog"]
    published = catalog.loc[catalog["status"] == "published", "identifier"]
    assert set(usage["identifier"]) == set(published)
    assert usage.groupby("identifier").size().eq(24).all()
    totals = usage.groupby("title")[["views", "downloads"]].sum()
    never = totals.index[(totals["views"] == 0) & (totals["downloads"] == 0)]
    assert sorted(never) == sorted(fam.NEVER_USED)
    top = totals["downloads"].sort_values(ascending=False).index[:3]
    assert tuple(top) == fam.TOP_DOWNLOADED
    # most datasets are rarely used: the median dataset has under 2% of the top one's downloads
    assert totals["downloads"].median() < 0.02 * totals["downloads"].max()
    growing = usage[usage["title"] == fam.GROWING_DATASET]
    slope = np.polyfit(np.arange(24), np.log(growing["downloads"].to_numpy()), 1)[0]
    assert np.exp(slope) - 1 == pytest.approx(fam.GROWTH_PER_MONTH, abs=0.01)
    falling = usage[usage["title"] == fam.DECLINING_DATASET]["downloads"].to_numpy()
    assert falling[12:].mean() < 0.5 * falling[:12].mean()


def test_requests_texture_and_truth(tables):
    requests = tables["records_requests"]
    assert requests["request_id"].is_unique
    assert requests["received_date"].between("2023-01-01", "2024-12-31").all()
    text = requests["request_text"]
    assert (text == text.str.upper()).any() and (text == text.str.lower()).any()
    assert text.str.contains("polcie|bulding|restaraunt|enforcment", case=False).any()
    truth = fam.request_topics(seed=DEFAULT_SEED, scale=1)
    assert len(truth) == len(requests)
    shares = pd.Series(truth).value_counts(normalize=True)
    for topic, share in fam.REQUEST_TOPIC_SHARES.items():
        assert shares[topic] == pytest.approx(share, abs=0.03)
    # weekday effect: far fewer requests on weekends
    weekend = requests["received_date"].dt.day_of_week >= 5
    assert weekend.mean() < 0.1


def test_permits_ground_truths(permits):
    assert len(permits) == 9_000
    assert permits["permit_id"].is_unique
    demolitions = (
        permits[permits["permit_type"] == "demolition"]
        .groupby("district")
        .size()
        .reindex(list(RIVERTON.districts), fill_value=0)
    )
    assert tuple(demolitions) == pfam.DEMOLITIONS_BY_DISTRICT
    riverton_zips = {z for pair in pfam.DISTRICT_ZIPS for z in pair}
    away = ~permits["applicant_zip"].isin(riverton_zips)
    assert away.sum() == pfam.OUT_OF_TOWN_APPLICANTS
    assert permits.loc[away, "applicant_zip"].is_unique
    assert permits["applicant_zip"].str.fullmatch(r"\d{5}").all()
    median = permits.groupby("permit_type")["valuation"].median()
    assert median["new construction"] == pytest.approx(
        pfam.MEDIAN_VALUATION["new construction"], rel=0.15
    )
    assert permits.loc[permits["permit_type"] == "new construction", "year_built"].isna().all()
    assert set(permits["owner_type"]) == set(pfam.OWNER_TYPES)


def test_permits_scale():
    small = pfam.generate(seed=1, scale=0.5, city=RIVERTON)["building_permits"]
    assert len(small) == 4_500


def test_families_plug_into_the_synth_package():
    from citykit import synth

    assert {"opendata", "permits"} <= set(synth.FAMILIES)
    made = synth.generate(seed=DEFAULT_SEED, families=["opendata", "permits"])
    assert sorted(made) == ["building_permits", "catalog", "portal_usage", "records_requests"]
    names = [spec.name for spec in synth.specs()]
    assert {"catalog", "portal_usage", "records_requests", "building_permits"} <= set(names)
