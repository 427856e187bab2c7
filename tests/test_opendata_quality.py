"""Metadata quality scores on the data.europa.eu MQA scale (methods.md §4.2)."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from citykit import opendata as od
from citykit.errors import ArgumentRangeError, ColumnTypeError, EmptyDataError
from citykit.synth import DEFAULT_SEED
from citykit.synth import opendata as fam
from citykit.synth._core import RIVERTON

# methods.md §4.2 test vector: keyword, temporal, downloadURL (not checked), format, mediaType,
# license (not in vocabulary), contactPoint, publisher and modified -> 155, "Sufficient".
VECTOR = {
    "keyword": ["inspections"],
    "temporal": "2023-01-01/2024-12-31",
    "license": "https://riverton.example.gov/terms-of-use",
    "contactPoint": {"fn": "Data Team", "hasEmail": "mailto:data@riverton.example.gov"},
    "publisher": {"name": "City of Riverton"},
    "modified": "2024-05-01",
    "distribution": [
        {
            "downloadURL": "https://data.riverton.example.gov/inspections.dat",
            "format": "Inspection export",
            "mediaType": "application/x-inspection-export",
        }
    ],
}


def test_methods_42_vector_scores_155_sufficient():
    # methods.md §4.2 [COMP], weights from YourOpenDAta/mqa-scoring-api mqaMetrics.py
    scores = od.score_records([VECTOR])
    assert scores.loc[0, "score"] == 30 + 20 + 20 + 20 + 10 + 20 + 20 + 10 + 5 == 155
    assert scores.loc[0, "rating"] == "Sufficient"
    details = od.quality_details([VECTOR]).set_index("criterion")
    assert details.loc["downloadURL resolves", "status"] == "not checked"
    assert details.loc["accessURL resolves", "status"] == "not checked"
    assert details.loc["byteSize", "status"] == "not in DCAT-US"
    assert scores.loc[0, "not_checked"] == 80
    met = sorted(details.index[details["status"] == "met"])
    assert met == sorted(
        ["keyword", "temporal", "downloadURL", "format", "mediaType", "license",
         "contactPoint", "publisher", "modified"]
    )  # fmt: skip


@pytest.mark.parametrize(
    "score, band",
    [(0, "Bad"), (120, "Bad"), (121, "Sufficient"), (220, "Sufficient"), (221, "Good"),
     (350, "Good"), (351, "Excellent"), (405, "Excellent"), (120.5, "Sufficient")],
)  # fmt: skip
def test_methods_42_rating_boundaries(score, band):
    # methods.md §4.2: Bad 0-120, Sufficient 121-220, Good 221-350, Excellent 351-405 (app.py)
    assert od.mqa_rating(score) == band


def test_weights_are_the_published_mqa_weights():
    weights = od.MQA_CRITERIA.groupby("dimension", sort=False)["weight"].sum().to_dict()
    assert weights == {
        "Findability": 100,
        "Accessibility": 100,
        "Interoperability": 110,
        "Reusability": 75,
        "Contextuality": 20,
    }
    assert od.MQA_MAX == 405
    assert od.MQA_MAX_OFFLINE == 405 - 50 - 30 - 5  # URL checks offline, no byteSize


def test_a_complete_city_record_scores_the_offline_maximum():
    record = od.dataset_record(
        title="Restaurant Inspections",
        description="Every inspection since 2015.",
        keyword=["food safety"],
        modified="2024-05-01",
        publisher="City of Riverton Public Health",
        contact_name="Data Team",
        contact_email="data@riverton.example.gov",
        identifier="riverton-inspections",
        theme=["Health"],
        spatial="Riverton",
        temporal="2015-01-01/2024-04-30",
        license="https://creativecommons.org/publicdomain/zero/1.0/",
        rights="Public",
        issued="2015-02-01",
        downloadURL="https://data.riverton.example.gov/inspections.csv",
        mediaType="text/csv",
        format="CSV",
    )
    scores = od.score_records([record])
    assert scores.loc[0, "score"] == od.MQA_MAX_OFFLINE == 320
    assert scores.loc[0, "rating"] == "Good"
    # a proprietary format loses non-proprietary (20); a PDF loses machine-readable (20)
    xlsx = json.loads(json.dumps(record))
    xlsx["distribution"][0].update(
        format="XLSX", mediaType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert od.score_records([xlsx]).loc[0, "score"] == 300
    pdf = json.loads(json.dumps(record))
    pdf["distribution"][0].update(format="PDF", mediaType="application/pdf")
    assert od.score_records([pdf]).loc[0, "score"] == 300


def test_catalog_score_is_the_mean_and_criteria_shares():
    records = [VECTOR, {"keyword": ["x"], "theme": ["y"]}]
    quality = od.score_catalog(records, name="demo")
    assert quality.score == pytest.approx((155 + 60) / 2)
    assert quality.rating == "Bad"
    criteria = quality.criteria.set_index("criterion")
    assert criteria.loc["keyword", "share_met"] == 1.0
    assert criteria.loc["theme", "share_met"] == 0.5
    assert criteria.loc["downloadURL resolves", "note"] == "not checked offline"
    assert "not checked" in repr(quality) or "not run offline" in repr(quality)
    assert "<table>" in quality._repr_html_()


def test_riverton_catalog_quality():
    table = fam.generate(seed=DEFAULT_SEED, city=RIVERTON)["catalog"]
    quality = od.score_catalog(table, name="Riverton")
    valid = od.record_validity(table)["valid"]
    assert quality.share_valid == pytest.approx(valid.mean())
    criteria = quality.criteria.set_index("criterion")
    missing_keyword = fam.METADATA_GAPS["missing_keyword"] / len(table)
    assert criteria.loc["keyword", "share_met"] == pytest.approx(1 - missing_keyword)
    assert 121 <= quality.score <= od.MQA_MAX_OFFLINE


def test_bad_inputs():
    with pytest.raises(ArgumentRangeError, match="405"):
        od.mqa_rating(500)
    with pytest.raises(ColumnTypeError):
        od.mqa_rating("high")
    with pytest.raises(EmptyDataError):
        od.score_records([])
    with pytest.raises(ColumnTypeError, match="dict"):
        od.quality_summary([VECTOR])
    with pytest.raises(EmptyDataError):
        od.quality_summary({})


def test_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        od.score_catalog([VECTOR, {}])


@pytest.mark.realdata
def test_every_2013_city_catalog_is_scored(realdata):
    folder = realdata / "city-datajson-2013"
    catalogs = {
        p.name.removesuffix(".json"): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*.json"))
    }
    summary = od.quality_summary(catalogs)
    assert len(summary) == 21
    assert summary["records"].sum() == sum(len(r) for r in catalogs.values()) == 3_745
    assert summary["score"].between(0, od.MQA_MAX_OFFLINE).all()
    # no 2013 (v1.0) record is valid DCAT-US 1.1: no publisher and no contactPoint objects
    assert (summary["share_valid"] == 0).all()
    # independent check of one criterion: share of NYC records with a non-empty keyword
    nyc = catalogs["data.cityofnewyork.us"]
    has_kw = pd.Series([bool(r.get("keyword") or r.get("keywords")) for r in nyc]).mean()
    quality = od.score_catalog(nyc)
    assert quality.criteria.set_index("criterion").loc["keyword", "share_met"] == pytest.approx(
        has_kw
    )
    assert quality.records == 1_001  # SOURCE.txt: NYC truncated at 1,000 + 1


def test_catalog_name_must_be_text():
    with pytest.raises(ColumnTypeError, match="name"):
        od.score_catalog([VECTOR], name=3)
