"""Metadata quality scores for DCAT-US records and catalogs, on the data.europa.eu MQA scale.

The scheme is the published Metadata Quality Assessment (MQA) of data.europa.eu: 405 points in
five dimensions (Findability 100, Accessibility 100, Interoperability 110, Reusability 75,
Contextuality 20), weights as implemented in the open-source MQA scoring service, with the
ratings Bad (0-120), Sufficient (121-220), Good (221-350) and Excellent (351-405).

MQA is defined on DCAT-AP (the European profile); :data:`MQA_CRITERIA` documents how each
criterion is read from a DCAT-US 1.1 record:

* ``theme``, ``keyword``, ``spatial``, ``temporal``, ``license``, ``contactPoint``,
  ``publisher``, ``rights``, ``issued``, ``modified``: the DCAT-US field of the same name.
* ``accessURL`` / ``downloadURL``: the distributions' ``accessURL`` or ``downloadURL`` (DCAT-AP
  requires an access URL; a DCAT-US download URL is also an access URL).
* ``accessRights``: DCAT-US ``accessLevel``; its vocabulary is the three DCAT-US values.
* ``format``/``mediaType`` vocabulary, machine-readable, non-proprietary: a built-in table of
  common formats (:data:`FORMATS`) in place of the EU file-type vocabularies.
* DCAT-AP compliance: the record is valid DCAT-US 1.1 (:func:`~citykit.opendata.validate_records`)
  -- the EU SHACL validator is an online service.
* ``byteSize``: DCAT-US 1.1 has no such field, so it always scores 0 ("not in DCAT-US").

**Offline limits.** Three criteria need the network: does the access URL answer (50 points),
does the download URL answer (30). citykit never goes online, so they are reported as
``"not checked"`` and score 0. With ``byteSize`` missing from DCAT-US, the best score a
DCAT-US record can reach offline is therefore 405 - 80 - 5 = 320 (Good). The status column says
which points were not checked, so nobody mistakes them for failures.

Records of Project Open Data v1.0 (2013-era catalogs) put ``accessURL``, ``format`` and
``mediaType`` at the top level (read as one distribution when there is no ``distribution``) and
describe a distribution's format as ``formats: [{"label": "csv", "value": "text/csv"}]`` (read
as format ``csv`` and media type ``text/csv``).

Examples
--------
>>> record = {"keyword": ["311"], "temporal": "2023-01-01/2024-12-31",
...     "license": "https://example.org/licence", "contactPoint": {"fn": "Team"},
...     "publisher": {"name": "City"}, "modified": "2024-05-01",
...     "distribution": [{"downloadURL": "https://x.example/a.dat", "format": "DAT",
...                       "mediaType": "application/x-dat"}]}
>>> scores = score_records([record])
>>> int(scores.loc[0, "score"]), scores.loc[0, "rating"]
(155, 'Sufficient')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit.errors import ArgumentRangeError, ColumnTypeError, EmptyDataError
from citykit.opendata.metadata.records import _is_blank, as_records
from citykit.opendata.metadata.validation import record_validity

__all__ = [
    "MQA_CRITERIA",
    "MQA_BANDS",
    "MQA_MAX",
    "MQA_MAX_OFFLINE",
    "FORMATS",
    "OPEN_LICENSES",
    "mqa_rating",
    "quality_details",
    "score_records",
    "score_catalog",
    "quality_summary",
    "CatalogQuality",
]

#: (dimension, criterion, weight, how it is read from DCAT-US, checkable offline)
_CRITERIA = (
    ("Findability", "keyword", 30, "keyword has at least one entry", True),
    ("Findability", "theme", 30, "theme has at least one entry", True),
    ("Findability", "spatial", 20, "spatial is given", True),
    ("Findability", "temporal", 20, "temporal is given", True),
    ("Accessibility", "accessURL resolves", 50, "a distribution URL answers HTTP 2xx/3xx", False),
    ("Accessibility", "downloadURL", 20, "a distribution has a downloadURL", True),
    ("Accessibility", "downloadURL resolves", 30, "every downloadURL answers HTTP 2xx/3xx", False),
    ("Interoperability", "format", 20, "a distribution has a format", True),
    ("Interoperability", "mediaType", 10, "a distribution has a mediaType", True),
    (
        "Interoperability",
        "format/mediaType from vocabulary",
        10,
        "every format and mediaType is a known pair in FORMATS",
        True,
    ),
    ("Interoperability", "non-proprietary", 20, "every format is non-proprietary", True),
    ("Interoperability", "machine-readable", 20, "every format is machine-readable", True),
    ("Interoperability", "DCAT-AP compliance", 30, "the record is valid DCAT-US 1.1", True),
    ("Reusability", "license", 20, "license is given", True),
    ("Reusability", "license vocabulary", 10, "license is a known open licence URL", True),
    ("Reusability", "accessRights", 10, "accessLevel is given", True),
    (
        "Reusability",
        "accessRights vocabulary",
        5,
        "accessLevel is public, restricted public or non-public",
        True,
    ),
    ("Reusability", "contactPoint", 20, "contactPoint is given", True),
    ("Reusability", "publisher", 10, "publisher is given", True),
    ("Contextuality", "rights", 5, "rights is given", True),
    ("Contextuality", "byteSize", 5, "no DCAT-US 1.1 field (always 0)", True),
    ("Contextuality", "issued", 5, "issued is given", True),
    ("Contextuality", "modified", 5, "modified is given", True),
)

#: The MQA criteria, their weights (points) and how each is read from a DCAT-US record.
MQA_CRITERIA = pd.DataFrame(
    _CRITERIA, columns=["dimension", "criterion", "weight", "dcat_us_rule", "offline"]
)
#: Rating bands (inclusive upper bounds): Bad <= 120 < Sufficient <= 220 < Good <= 350 < Excellent.
MQA_BANDS = (("Bad", 120), ("Sufficient", 220), ("Good", 350), ("Excellent", 405))
#: Maximum MQA score, and the maximum a DCAT-US record reaches without checking URLs online.
MQA_MAX = int(MQA_CRITERIA["weight"].sum())
MQA_MAX_OFFLINE = int(
    MQA_CRITERIA.loc[
        MQA_CRITERIA["offline"] & (MQA_CRITERIA["criterion"] != "byteSize"), "weight"
    ].sum()
)
_DIMENSIONS = tuple(dict.fromkeys(MQA_CRITERIA["dimension"]))

#: Known formats: media types, machine-readable, non-proprietary. Our reading of the
#: data.europa.eu file-type, machine-readable and non-proprietary vocabularies.
FORMATS: dict[str, tuple[tuple[str, ...], bool, bool]] = {
    "csv": (("text/csv",), True, True),
    "tsv": (("text/tab-separated-values",), True, True),
    "json": (("application/json",), True, True),
    "geojson": (("application/geo+json", "application/vnd.geo+json"), True, True),
    "jsonld": (("application/ld+json",), True, True),
    "xml": (("application/xml", "text/xml"), True, True),
    "rdf": (("application/rdf+xml",), True, True),
    "kml": (("application/vnd.google-earth.kml+xml",), True, True),
    "kmz": (("application/vnd.google-earth.kmz",), True, True),
    "gml": (("application/gml+xml",), True, True),
    "ods": (("application/vnd.oasis.opendocument.spreadsheet",), True, True),
    "xlsx": (("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",), True, False),
    "xls": (("application/vnd.ms-excel",), True, False),
    "shapefile": (("application/zip", "application/x-shapefile"), True, False),
    "pdf": (("application/pdf",), False, True),
    "html": (("text/html",), False, True),
    "txt": (("text/plain",), False, True),
    "zip": (("application/zip",), False, True),
    "docx": (
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
        False,
        False,
    ),
    "doc": (("application/msword",), False, False),
}  # fmt: skip
_FORMAT_ALIASES = {"shp": "shapefile", "esri shapefile": "shapefile", "text": "txt", "excel": "xls"}
_BY_MEDIA = {media: name for name, (types, _, _) in FORMATS.items() for media in types}

#: Open licences recognised as "from vocabulary" (compared without scheme, www. and trailing /).
OPEN_LICENSES = (
    "creativecommons.org/publicdomain/zero/1.0",
    "creativecommons.org/publicdomain/mark/1.0",
    "creativecommons.org/licenses/by/4.0",
    "creativecommons.org/licenses/by/3.0",
    "creativecommons.org/licenses/by-sa/4.0",
    "opendatacommons.org/licenses/odbl/1.0",
    "opendatacommons.org/licenses/by/1.0",
    "opendatacommons.org/licenses/pddl/1.0",
    "usa.gov/government-works",
    "usa.gov/publicdomain/label/1.0",
)
_ACCESS_LEVELS = ("public", "restricted public", "non-public")


def mqa_rating(score: float) -> str:
    """Return the MQA rating band of a score: Bad, Sufficient, Good or Excellent.

    Parameters
    ----------
    score : float
        Points from 0 to 405 (a catalog's mean may be fractional; 120.5 is Sufficient).

    Examples
    --------
    >>> [mqa_rating(s) for s in (120, 121, 220, 221, 350, 351)]
    ['Bad', 'Sufficient', 'Sufficient', 'Good', 'Good', 'Excellent']
    """
    if isinstance(score, bool) or not isinstance(score, (int, float, np.integer, np.floating)):
        raise ColumnTypeError(f"score must be a number of points, but {score!r} was given.")
    if not 0 <= score <= MQA_MAX:
        raise ArgumentRangeError(
            f"score must be between 0 and {MQA_MAX} (the MQA maximum), but {score!r} was given."
        )
    for name, upper in MQA_BANDS:
        if score <= upper:
            return name
    return MQA_BANDS[-1][0]  # pragma: no cover


def _distributions(record: dict) -> list[dict]:
    dist = record.get("distribution")
    items = [d for d in dist if isinstance(d, dict)] if isinstance(dist, list) else []
    out = []
    for item in items:
        formats = item.get("formats")  # Project Open Data v1.0: [{"label": "csv", "value": ...}]
        if isinstance(formats, list) and formats and isinstance(formats[0], dict):
            item = dict(item)
            item.setdefault("format", formats[0].get("label"))
            item.setdefault("mediaType", formats[0].get("value"))
        out.append(item)
    if not out:  # Project Open Data v1.0 keeps them at the top level
        top = {
            k: record[k] for k in ("accessURL", "downloadURL", "format", "mediaType") if k in record
        }
        if any(not _is_blank(v) for v in top.values()):
            out = [top]
    return out


def _given(value: object) -> bool:
    if isinstance(value, (list, tuple)):
        return any(not _is_blank(v) for v in value)
    if isinstance(value, dict):
        return any(not _is_blank(v) for v in value.values())
    return not _is_blank(value)


def _format_key(value: object) -> str | None:
    if _is_blank(value) or not isinstance(value, str):
        return None
    key = value.strip().lower().lstrip(".")
    key = _FORMAT_ALIASES.get(key, key)
    if key in FORMATS:
        return key
    return _BY_MEDIA.get(key)


def _license_key(value: str) -> str:
    text = value.strip().lower()
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    return text.removeprefix("www.").rstrip("/")


def _statuses(record: dict, valid: bool) -> dict[str, str]:
    dists = _distributions(record)
    urls = [d.get(k) for d in dists for k in ("accessURL", "downloadURL")]
    downloads = [d.get("downloadURL") for d in dists if _given(d.get("downloadURL"))]
    formats = [d.get("format") for d in dists if _given(d.get("format"))]
    medias = [d.get("mediaType") for d in dists if _given(d.get("mediaType"))]
    keys = [_format_key(f) for f in formats]
    known = bool(keys) and all(k is not None for k in keys)
    pairs_ok = bool(formats) and bool(medias)
    for d in dists:
        key = _format_key(d.get("format"))
        media = d.get("mediaType")
        if _given(d.get("format")) or _given(media):
            if (
                key is None
                or not isinstance(media, str)
                or media.strip().lower() not in FORMATS[key][0]
            ):
                pairs_ok = False
    license_value = record.get("license")
    access = record.get("accessLevel")

    def met(condition: bool) -> str:
        return "met" if condition else "not met"

    return {
        "keyword": met(_given(record.get("keyword")) or _given(record.get("keywords"))),
        "theme": met(_given(record.get("theme"))),
        "spatial": met(_given(record.get("spatial"))),
        "temporal": met(_given(record.get("temporal"))),
        "accessURL resolves": "not checked" if any(_given(u) for u in urls) else "not met",
        "downloadURL": met(bool(downloads)),
        "downloadURL resolves": "not checked" if downloads else "not met",
        "format": met(bool(formats)),
        "mediaType": met(bool(medias)),
        "format/mediaType from vocabulary": met(pairs_ok),
        "non-proprietary": met(known and all(FORMATS[k][2] for k in keys)),
        "machine-readable": met(known and all(FORMATS[k][1] for k in keys)),
        "DCAT-AP compliance": met(valid),
        "license": met(_given(license_value)),
        "license vocabulary": met(
            isinstance(license_value, str) and _license_key(license_value) in OPEN_LICENSES
        ),
        "accessRights": met(_given(access)),
        "accessRights vocabulary": met(access in _ACCESS_LEVELS),
        "contactPoint": met(_given(record.get("contactPoint"))),
        "publisher": met(_given(record.get("publisher"))),
        "rights": met(_given(record.get("rights"))),
        "byteSize": "not in DCAT-US",
        "issued": met(_given(record.get("issued"))),
        "modified": met(_given(record.get("modified"))),
    }


def quality_details(
    records: object, *, profile: str = "complete", check_urls: bool = True
) -> pd.DataFrame:
    """Score every criterion of every record: one row per record and criterion.

    Parameters
    ----------
    records : list of dict, dict or DataFrame
        Dataset records, a data.json catalog (v1.1 dict or v1.0 list) or a flattened table.
    profile : {"complete", "non-federal", "federal"}
        Profile for the DCAT-AP compliance criterion (validity against DCAT-US 1.1; see
        :data:`~citykit.opendata.metadata.PROFILES`).
    check_urls : bool
        Whether that validity includes the URL-format check (see
        :func:`~citykit.opendata.validate_records`; nothing is fetched).

    Returns
    -------
    DataFrame
        ``record, identifier, title, dimension, criterion, weight, status, points``, where
        status is ``met``, ``not met``, ``not checked`` (needs the network) or
        ``not in DCAT-US``; only ``met`` earns the weight.

    Examples
    --------
    >>> d = quality_details([{"keyword": ["a"], "distribution": [{"downloadURL": "https://x"}]}])
    >>> d.set_index("criterion").loc[["keyword", "downloadURL", "downloadURL resolves"], "status"]
    criterion
    keyword                         met
    downloadURL                     met
    downloadURL resolves    not checked
    Name: status, dtype: str
    """
    items = as_records(records)
    valid = record_validity(items, profile=profile, check_urls=check_urls)["valid"].tolist()
    rows = []
    for position, (record, ok) in enumerate(zip(items, valid, strict=True)):
        record = record if isinstance(record, dict) else {}
        statuses = _statuses(record, ok)
        ident, title = record.get("identifier"), record.get("title")
        for dimension, criterion, weight, _, _ in _CRITERIA:
            status = statuses[criterion]
            rows.append(
                (
                    position,
                    None if ident is None else str(ident),
                    None if title is None else str(title),
                    dimension,
                    criterion,
                    weight,
                    status,
                    weight if status == "met" else 0,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "record", "identifier", "title", "dimension", "criterion", "weight", "status", "points",
        ],
    )  # fmt: skip


def score_records(
    records: object, *, profile: str = "complete", check_urls: bool = True
) -> pd.DataFrame:
    """Return the MQA score of each record, by dimension, with its rating.

    Returns
    -------
    DataFrame
        ``record, identifier, title``, one column of points per dimension (``findability`` ...),
        ``score`` (0-405), ``rating`` and ``not_checked`` (points that need an online URL check).

    Examples
    --------
    >>> s = score_records([{"keyword": ["a"], "theme": ["b"], "modified": "2024-01-01"}])
    >>> s[["findability", "contextuality", "score", "rating"]].to_dict("records")
    [{'findability': 60, 'contextuality': 5, 'score': 65, 'rating': 'Bad'}]
    """
    details = quality_details(records, profile=profile, check_urls=check_urls)
    return _wide(details)


def _wide(details: pd.DataFrame) -> pd.DataFrame:
    keys = ["record", "identifier", "title"]
    ids = details.drop_duplicates("record").set_index("record")[["identifier", "title"]]
    by_dim = details.pivot_table(
        index="record", columns="dimension", values="points", aggfunc="sum"
    ).reindex(columns=list(_DIMENSIONS))
    by_dim.columns = [c.lower() for c in by_dim.columns]
    frame = ids.join(by_dim).reset_index()
    frame["score"] = frame[[c.lower() for c in _DIMENSIONS]].sum(axis=1).astype("int64")
    frame["rating"] = frame["score"].map(mqa_rating)
    unchecked = details[details["status"] == "not checked"].groupby("record")["weight"].sum()
    frame["not_checked"] = frame["record"].map(unchecked).fillna(0).astype("int64")
    return frame[[*keys, *[c.lower() for c in _DIMENSIONS], "score", "rating", "not_checked"]]


@dataclass(frozen=True)
class CatalogQuality:
    """The MQA metadata quality of a whole catalog.

    Attributes
    ----------
    name : str
        The catalog's name.
    records : int
        Number of dataset records scored.
    score : float
        Mean record score (0-405); equals MQA's catalogue score, the weighted share of records
        meeting each criterion.
    rating : str
        Band of ``score``.
    share_valid : float
        Share of records valid against DCAT-US 1.1 (0-1).
    by_dimension : Series
        Mean points per dimension.
    criteria : DataFrame
        Per criterion: weight, share of records meeting it, mean points, status note.
    per_record : DataFrame
        :func:`score_records` output.
    """

    name: str
    records: int
    score: float
    rating: str
    share_valid: float
    by_dimension: pd.Series = field(repr=False)
    criteria: pd.DataFrame = field(repr=False)
    per_record: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"CatalogQuality({self.name!r}: {self.records} records, mean MQA score "
            f"{self.score:.1f} of {MQA_MAX} ({self.rating}); {self.share_valid:.0%} valid "
            f"DCAT-US; URL checks not run offline: best reachable {MQA_MAX_OFFLINE})"
        )

    def _repr_html_(self) -> str:
        dims = "".join(
            f"<tr><td>{d}</td><td>{v:.1f}</td></tr>" for d, v in self.by_dimension.items()
        )
        return (
            f"<div><strong>{self.name}</strong>: {self.records} records, mean MQA score "
            f"<strong>{self.score:.1f}</strong> of {MQA_MAX} (<strong>{self.rating}</strong>), "
            f"{self.share_valid:.0%} valid DCAT-US 1.1. URL checks are not run offline, so the "
            f"best reachable score is {MQA_MAX_OFFLINE}.<table><tr><th>dimension</th>"
            f"<th>mean points</th></tr>{dims}</table></div>"
        )


def score_catalog(
    records: object, *, name: str = "catalog", profile: str = "complete"
) -> CatalogQuality:
    """Score a whole catalog: mean score, rating, and which criteria records miss most.

    Examples
    --------
    >>> q = score_catalog([{"keyword": ["a"]}, {"keyword": ["b"], "theme": ["c"]}], name="demo")
    >>> q.score, q.rating, float(q.criteria.set_index("criterion").loc["theme", "share_met"])
    (45.0, 'Bad', 0.5)
    """
    if not isinstance(name, str):
        raise ColumnTypeError(f"name must be text, but a {type(name).__name__} was given.")
    details = quality_details(records, profile=profile)
    per_record = _wide(details)
    met = details.assign(is_met=details["status"].eq("met"))
    criteria = (
        met.groupby(["dimension", "criterion"], sort=False)
        .agg(
            weight=("weight", "first"), share_met=("is_met", "mean"), mean_points=("points", "mean")
        )
        .reset_index()
    )
    notes = details.groupby("criterion", sort=False)["status"].agg(
        lambda s: (
            "not checked offline"
            if (s == "not checked").any()
            else ("not in DCAT-US" if (s == "not in DCAT-US").all() else "")
        )
    )
    criteria["note"] = criteria["criterion"].map(notes)
    score = float(per_record["score"].mean())
    dims = per_record[[d.lower() for d in _DIMENSIONS]].mean()
    dims.index = list(_DIMENSIONS)
    valid = float(
        (details.loc[details["criterion"] == "DCAT-AP compliance", "status"] == "met").mean()
    )
    return CatalogQuality(
        name=name,
        records=len(per_record),
        score=score,
        rating=mqa_rating(score),
        share_valid=valid,
        by_dimension=dims,
        criteria=criteria,
        per_record=per_record,
    )


def quality_summary(catalogs: dict, *, profile: str = "complete") -> pd.DataFrame:
    """Compare catalogs: one row per catalog with its mean score, rating and dimension means.

    Parameters
    ----------
    catalogs : dict
        ``{name: records}`` where records is anything :func:`score_catalog` accepts.

    Returns
    -------
    DataFrame
        ``catalog, records, score, rating, share_valid`` and one column per dimension, sorted
        from best to worst score.

    Examples
    --------
    >>> catalogs = {"a": [{"keyword": ["x"]}], "b": [{"theme": ["y"], "spatial": "z"}]}
    >>> summary = quality_summary(catalogs)
    >>> summary[["catalog", "score", "rating"]].values.tolist()
    [['b', 50.0, 'Bad'], ['a', 30.0, 'Bad']]
    """
    if not isinstance(catalogs, dict):
        raise ColumnTypeError(
            "catalogs must be a dict {name: records}, e.g. {'Austin': json.load(open(path))}, "
            f"but a {type(catalogs).__name__} was given."
        )
    if not catalogs:
        raise EmptyDataError("catalogs is empty: give at least one {name: records} pair.")
    rows = []
    for name, records in catalogs.items():
        quality = score_catalog(records, name=str(name), profile=profile)
        row = {
            "catalog": quality.name,
            "records": quality.records,
            "score": quality.score,
            "rating": quality.rating,
            "share_valid": quality.share_valid,
        }
        row.update({d.lower(): v for d, v in quality.by_dimension.items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values("score", ascending=False, kind="stable", ignore_index=True)
