"""DCAT-US 1.1 records and catalogs: methods.md §4.1 vectors, real catalogs, friendly errors."""

from __future__ import annotations

import copy
import json
import warnings

import pandas as pd
import pytest
from citykit import opendata as od
from citykit.errors import CityKitError, ColumnTypeError, EmptyDataError, MissingColumnError
from citykit.synth import DEFAULT_SEED
from citykit.synth import opendata as fam
from citykit.synth._core import RIVERTON

BASE = "https://project-open-data.cio.gov/v1.1/schema/"

# methods.md §4.1 base record (valid against the official federal schema).
BASE_RECORD = {
    "@type": "dcat:Dataset",
    "title": "311 Service Requests",
    "description": "All 311 service requests.",
    "keyword": ["311", "service requests"],
    "modified": "2024-05-01",
    "publisher": {"@type": "org:Organization", "name": "City of Riverton"},
    "contactPoint": {
        "@type": "vcard:Contact",
        "fn": "Open Data Team",
        "hasEmail": "mailto:opendata@example.gov",
    },
    "identifier": "riverton-311",
    "accessLevel": "public",
    "bureauCode": ["015:11"],
    "programCode": ["015:001"],
    "accrualPeriodicity": "R/P1D",
    "temporal": "2015-01-01/2024-04-30",
    "distribution": [
        {
            "@type": "dcat:Distribution",
            "downloadURL": "https://data.example.gov/311.csv",
            "mediaType": "text/csv",
            "format": "CSV",
        }
    ],
}


def _mutate(change):
    record = copy.deepcopy(BASE_RECORD)
    change(record)
    return record


def _drop(*keys):
    def change(record):
        for key in keys:
            record.pop(key)

    return change


def _set(path, value):
    def change(record):
        target = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


# (name, mutation, expected rules) -- methods.md §4.1 table, jsonschema Draft4 [COMP]
MUTATIONS = [
    ("none", lambda r: None, []),
    ("drop bureauCode & programCode", _drop("bureauCode", "programCode"), ["required"] * 2),
    ("accessLevel open", _set(["accessLevel"], "open"), ["enum"]),
    (
        "hasEmail without mailto",
        _set(["contactPoint", "hasEmail"], "opendata@example.gov"),
        ["pattern"],
    ),
    ("modified US date", _set(["modified"], "05/01/2024"), ["anyOf"]),
    ("modified R/P1D", _set(["modified"], "R/P1D"), []),
    ("accrualPeriodicity daily", _set(["accrualPeriodicity"], "daily"), ["anyOf"]),
    ("downloadURL without mediaType", lambda r: r["distribution"][0].pop("mediaType"), ["anyOf"]),
    ("keyword empty", _set(["keyword"], []), ["minItems"]),
    ("bureauCode 15:11", _set(["bureauCode"], ["15:11"]), ["pattern"]),
    ("no description", _drop("description"), ["required"]),
]


@pytest.mark.parametrize("name, change, rules", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_methods_41_mutation_vectors_federal_profile(name, change, rules):
    # methods.md §4.1, project-open-data v1.1 schema (jsonschema Draft4Validator)
    problems = od.validate_records([_mutate(change)], profile="federal")
    assert sorted(problems["rule"]) == sorted(rules)


def test_mutation_fields_and_fixes_are_specific():
    cases = {
        "contactPoint.hasEmail": _set(["contactPoint", "hasEmail"], "opendata@example.gov"),
        "modified": _set(["modified"], "05/01/2024"),
        "accrualPeriodicity": _set(["accrualPeriodicity"], "daily"),
        "distribution[0].mediaType": lambda r: r["distribution"][0].pop("mediaType"),
        "accessLevel": _set(["accessLevel"], "open"),
    }
    fixes = {}
    for field, change in cases.items():
        problems = od.validate_records([_mutate(change)])
        assert problems["field"].tolist() == [field]
        fixes[field] = problems.loc[0, "fix"]
    assert fixes["contactPoint.hasEmail"] == "write it as 'mailto:opendata@example.gov'"
    assert "'2024-05-01'" in fixes["modified"]
    assert "'R/P1D'" in fixes["accrualPeriodicity"]
    assert "text/csv" in fixes["distribution[0].mediaType"]


def test_profiles_complete_non_federal_and_federal():
    # without the USG-only codes a full record is valid in both city profiles, not federally
    record = _mutate(_drop("bureauCode", "programCode"))
    assert od.validate_records([record], profile="non-federal").empty
    assert od.validate_records([record], profile="complete").empty
    assert len(od.validate_records([record], profile="federal")) == 2
    federal = od.load_schema("dataset")
    complete = od.load_schema("dataset-complete")
    assert set(federal["required"]) - set(complete["required"]) == {"bureauCode", "programCode"}

    # issue 16: a record that passes GSA's non-federal schema (no keyword, no modified date, a
    # contact without e-mail) has no problem in the "non-federal" profile, and exactly those
    # three in the stricter local "complete" one (the default)
    def gsa_only(record):
        _drop("bureauCode", "programCode", "keyword", "modified")(record)
        record["contactPoint"].pop("hasEmail")

    gsa_minimal = _mutate(gsa_only)
    assert od.validate_records([gsa_minimal], profile="non-federal").empty
    strict = od.validate_records([gsa_minimal])
    assert sorted(strict["field"]) == ["contactPoint.hasEmail", "keyword", "modified"]
    assert od.load_schema("dataset-non-federal")["required"] == [
        "title",
        "description",
        "publisher",
        "contactPoint",
        "identifier",
        "accessLevel",
    ]


def test_problem_rows_name_record_field_problem_fix():
    records = [copy.deepcopy(BASE_RECORD), _mutate(_drop("keyword", "description"))]
    problems = od.validate_records(records)
    assert list(problems.columns) == [
        "record", "identifier", "title", "field", "rule", "value", "problem", "fix",
    ]  # fmt: skip
    assert problems["record"].tolist() == [1, 1]
    assert problems["field"].tolist() == ["description", "keyword"]
    assert (problems["problem"] == "missing (required)").all()
    validity = od.record_validity(records)
    assert validity["valid"].tolist() == [True, False]
    assert validity["problems"].tolist() == [0, 2]


def test_dataset_record_builder_makes_valid_records():
    record = od.dataset_record(
        title="Potholes",
        description="Pothole repairs.",
        keyword="streets; 311",
        modified="2024-05-01",
        publisher="City of Riverton Public Works",
        contact_name="Data Team",
        contact_email="data@riverton.example.gov",
        identifier="potholes",
        accrualPeriodicity="R/P1W",
        downloadURL="https://data.riverton.example.gov/potholes.csv",
        mediaType="text/csv",
        format="CSV",
    )
    assert od.validate_records([record]).empty
    assert record["keyword"] == ["streets", "311"]


def test_catalog_from_synthetic_table_finds_exactly_the_planted_gaps():
    catalog_table = fam.generate(seed=DEFAULT_SEED, city=RIVERTON)["catalog"]
    catalog = od.build_catalog(
        catalog_table, catalog_id="https://data.riverton.example.gov/data.json"
    )
    assert len(catalog["dataset"]) == len(catalog_table)
    assert od.validate_catalog(catalog)["record"].min() >= 0  # envelope is fine
    problems = od.validate_records(catalog)
    counts = problems.groupby("field").size().to_dict()
    gaps = fam.METADATA_GAPS
    assert counts == {
        "contactPoint.hasEmail": gaps["missing_contact_email"],
        "modified": gaps["non_iso_modified"],
        "accrualPeriodicity": gaps["word_periodicity"],
        "keyword": gaps["missing_keyword"],
        "distribution[0].mediaType": gaps["download_without_media_type"],
        "accessLevel": gaps["bad_access_level"],
        "description": gaps["missing_description"],
    }
    # each planted gap sits on its own dataset, except the two of DOUBLE_GAP
    per_record = problems.groupby("record").size()
    assert per_record.max() == 2 and (per_record == 2).sum() == 1
    assert len(per_record) == len(problems) - 1
    double = problems[problems["record"] == per_record.idxmax()]
    assert (
        set(double["field"])
        == {"description", "keyword"}
        == {
            {"missing_description": "description", "missing_keyword": "keyword"}[g]
            for g in fam.DOUBLE_GAP
        }
    )
    json.dumps(catalog)  # serialisable as data.json


def test_url_fields_must_be_full_urls():
    record = _mutate(_set(["license"], "Public Domain"))
    record["landingPage"] = "data.riverton.example.gov/311"
    problems = od.validate_records([record])
    assert problems["field"].tolist() == ["landingPage", "license"]
    assert problems.set_index("field").loc["license", "problem"] == "'Public Domain' is not a URL"
    assert "creativecommons.org" in problems.set_index("field").loc["license", "fix"]
    assert "https://" in problems.set_index("field").loc["landingPage", "fix"]
    assert od.validate_records([record], check_urls=False).empty  # schema patterns alone pass
    with pytest.raises(ColumnTypeError, match="True or False"):
        od.validate_records([record], check_urls="yes")


def test_records_from_table_column_mapping():
    table = pd.DataFrame({"id": ["x"], "name": ["Permits"]})
    records = od.records_from_table(table, columns={"identifier": "id", "title": "name"})
    assert records == [{"@type": "dcat:Dataset", "title": "Permits", "identifier": "x"}]


def test_catalog_envelope_problems():
    problems = od.validate_catalog({"dataset": [copy.deepcopy(BASE_RECORD)]})
    assert problems[["record", "field", "rule"]].values.tolist() == [[-1, "conformsTo", "required"]]
    wrong = od.validate_catalog({"conformsTo": "v1.0", "dataset": []})
    assert wrong.loc[0, "field"] == "conformsTo" and "v1.1" in wrong.loc[0, "fix"]
    bare = od.validate_catalog([copy.deepcopy(BASE_RECORD)])
    assert bare.loc[0, "record"] == -1 and len(bare) == 1


@pytest.mark.parametrize(
    "bad, error, words",
    [
        ("data.json", ColumnTypeError, "json.load"),
        ([], EmptyDataError, "empty"),
        (42, ColumnTypeError, "int"),
    ],
)
def test_bad_record_inputs(bad, error, words):
    with pytest.raises(error, match=words):
        od.validate_records(bad)


def test_bad_profile_and_table_inputs():
    with pytest.raises(CityKitError, match="non-federal"):
        od.validate_records([BASE_RECORD], profile="city")
    with pytest.raises(MissingColumnError, match="did you mean|Did you mean"):
        od.records_from_table(pd.DataFrame({"identifier": ["a"], "titel": ["x"]}))
    with pytest.raises(EmptyDataError):
        od.records_from_table(pd.DataFrame({"identifier": [], "title": []}))
    with pytest.raises(CityKitError, match="columns key"):
        od.records_from_table(
            pd.DataFrame({"identifier": ["a"], "title": ["x"]}), columns={"name": "t"}
        )
    with pytest.raises(ColumnTypeError):
        od.records_from_table(
            pd.DataFrame({"identifier": ["a"], "title": ["x"]}), columns=["title"]
        )
    with pytest.raises(CityKitError):
        od.load_schema("datasets")


def test_no_warnings_escape():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        od.validate_records([_mutate(_set(["modified"], "05/01/2024"))])


# --- real data ---------------------------------------------------------------------------------
def _official_validator(folder, profile, check_urls=False):
    """A validator built straight from the official files in the shared folder."""
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = {}
    names = ("dataset", "dataset-non-federal", "distribution", "organization", "vcard")
    for name in (*names, "vcard-non-federal", "catalog"):
        schemas[name] = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources(
        (BASE + f"{name}.json", Resource.from_contents(s, default_specification=DRAFT4))
        for name, s in schemas.items()
    )
    if profile == "non-federal":  # GSA's non-federal schema, as published
        dataset = schemas["dataset-non-federal"]
    elif profile == "complete":  # the federal schema minus the USG-only requirements
        dataset = copy.deepcopy(schemas["dataset"])
        dataset["required"] = [
            f for f in dataset["required"] if f not in ("bureauCode", "programCode")
        ]
    else:
        dataset = schemas["dataset"]
    checker = FormatChecker(formats=["uri"]) if check_urls else None
    return Draft4Validator(dataset, registry=registry, format_checker=checker)


@pytest.mark.realdata
def test_packaged_schemas_have_the_official_rules(realdata):
    folder = realdata / "pod-schema-v1.1"

    def rules(schema):
        if isinstance(schema, dict):
            return {
                k: rules(v)
                for k, v in schema.items()
                if k not in ("title", "description", "id", "$schema")
            }
        if isinstance(schema, list):
            return [rules(v) for v in schema]
        return schema

    for name in ("dataset", "distribution", "organization", "vcard"):
        official = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        assert rules(od.load_schema(name)) == rules(official), name
    # GSA's non-federal schemas ship byte for byte
    for name in ("dataset-non-federal", "vcard-non-federal"):
        official = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        assert od.load_schema(name) == official, name


@pytest.mark.realdata
def test_official_examples_are_valid(realdata):
    folder = realdata / "pod-schema-v1.1"
    for example in ("catalog-sample.json", "catalog-sample-extended.json"):
        catalog = json.loads((folder / example).read_text(encoding="utf-8"))
        official = _official_validator(folder, "federal")
        expected = [not list(official.iter_errors(r)) for r in catalog["dataset"]]
        got = od.record_validity(catalog, profile="federal")["valid"].tolist()
        assert got == expected
    sample = json.loads((folder / "catalog-sample.json").read_text(encoding="utf-8"))
    assert od.validate_catalog(sample, profile="federal").empty  # methods.md §4.1 positive control


def _upgrade_v10(record, portal):
    """A v1.0 record with the v1.1 envelope fields a city would add (to get valid records too)."""
    out = {k: v for k, v in record.items() if k not in ("keywords", "mbox", "contactPoint")}
    words = record.get("keyword") or record.get("keywords")
    if isinstance(words, str):
        words = [w.strip() for w in words.split(",") if w.strip()]
    if words:
        out["keyword"] = words
    out["publisher"] = {"name": portal}
    out["contactPoint"] = {"fn": "Open data team", "hasEmail": f"mailto:opendata@{portal}"}
    level = str(record.get("accessLevel", "public")).lower()
    out["accessLevel"] = (
        level if level in ("public", "restricted public", "non-public") else "public"
    )
    return out


@pytest.mark.realdata
@pytest.mark.parametrize(
    "profile, check_urls",
    [
        ("non-federal", False),
        ("non-federal", True),
        ("complete", False),  # the same URL rules as non-federal: checked once
        ("federal", False),
        ("federal", True),
    ],
)
def test_2013_city_catalogs_agree_with_official_validator(realdata, profile, check_urls):
    # for every record: toolkit_valid == official_validator_valid, and the same failing rules
    folder = realdata / "city-datajson-2013"
    official = _official_validator(realdata / "pod-schema-v1.1", profile, check_urls)
    files = sorted(folder.glob("*.json"))
    assert len(files) == 21  # SOURCE.txt: 21 portals kept
    total = upgraded_valid = 0
    for path in files:
        raw = json.loads(path.read_text(encoding="utf-8"))
        portal = path.name.removesuffix(".json")
        for records in (raw, [_upgrade_v10(r, portal) for r in raw]):
            errors = [list(official.iter_errors(r)) for r in records]
            expected = [not e for e in errors]
            problems = od.validate_records(records, profile=profile, check_urls=check_urls)
            invalid = set(problems["record"])
            got = [i not in invalid for i in range(len(records))]
            assert got == expected, path.name
            mine = problems.groupby("record")["rule"].apply(sorted).to_dict()
            theirs = {i: sorted(e.validator for e in errs) for i, errs in enumerate(errors) if errs}
            assert mine == theirs, path.name
        total += len(raw)
        upgraded_valid += sum(expected)
    assert total == 3_745
    # v1.0 records are never valid v1.1 (no publisher, contactPoint; accessLevel "Public" ...)
    if profile == "federal":
        assert upgraded_valid == 0  # no city record has bureauCode/programCode
    else:
        assert upgraded_valid > 1_000  # the upgraded copies include many valid records
        if check_urls:  # licences such as "Public Domain" are not URLs
            assert upgraded_valid < 3_745


def test_mechanical_fixes_leave_only_the_gaps_that_need_a_person():
    table = fam.generate(seed=DEFAULT_SEED, city=RIVERTON)["catalog"]
    before = table.copy()
    fixes = od.fix_metadata_table(table)
    pd.testing.assert_frame_equal(table, before)  # input unchanged
    gaps = fam.METADATA_GAPS
    counts = fixes.changes.groupby("column").size().to_dict()
    assert counts == {
        "modified": gaps["non_iso_modified"],
        "accrual_periodicity": gaps["word_periodicity"],
        "media_type": gaps["download_without_media_type"],
    }
    remaining = od.validate_records(fixes.table).groupby("field").size().to_dict()
    assert remaining == {
        "contactPoint.hasEmail": gaps["missing_contact_email"],
        "keyword": gaps["missing_keyword"],
        "description": gaps["missing_description"],
        "accessLevel": gaps["bad_access_level"],
    }
    us = fixes.changes[fixes.changes["column"] == "modified"].iloc[0]
    month, day, year = us["old"].split("/")
    assert us["new"] == f"{year}-{month}-{day}"


def test_fix_bad_inputs():
    with pytest.raises(MissingColumnError):
        od.fix_metadata_table(pd.DataFrame({"title": ["x"]}))
    with pytest.raises(EmptyDataError):
        od.fix_metadata_table(pd.DataFrame({"identifier": []}))
    assert "nothing" in repr(od.fix_metadata_table(pd.DataFrame({"identifier": ["a"]})))


def test_more_bad_inputs_get_helpful_errors():
    with pytest.raises(ColumnTypeError, match="json.load"):
        od.build_catalog("data.json")
    with pytest.raises(ColumnTypeError):
        od.validate_catalog(42)
    record = od.dataset_record(
        title="x", description="y", keyword=None, modified="2024-01-01", publisher="p",
        contact_name="c", contact_email="c@example.gov", identifier="i",
    )  # fmt: skip
    assert record["keyword"] == []
    assert od.validate_records([record])["rule"].tolist() == ["minItems"]


def test_common_mistakes_get_a_hint():
    with pytest.raises(ColumnTypeError, match=r"pd.read_csv\('catalog.csv'\)"):
        od.validate_records("catalog.csv")
    table = fam.generate(seed=DEFAULT_SEED, city=RIVERTON)["catalog"]
    with pytest.raises(ColumnTypeError, match="Series"):
        od.validate_records(table["title"])
