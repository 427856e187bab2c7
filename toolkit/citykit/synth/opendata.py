"""Riverton's open-data programme: its catalog, who uses the portal, and what people ask for.

Three tables:

``catalog``
    Riverton's open-data catalog as flattened DCAT-US 1.1 (Project Open Data) records, one row
    per dataset, the way a spreadsheet kept by the open-data coordinator looks. It carries the
    realistic gaps of real catalogs (missing contact e-mails, US-style ``05/01/2024`` dates,
    ``"daily"`` instead of ``R/P1D``, missing keywords ...), plus a few planning columns
    (``status``, ``topic``, ``policy_priority``, ``effort_days``) used to choose what to publish
    next. :func:`citykit.opendata.records_from_table` turns the rows into DCAT-US JSON records.
``portal_usage``
    Page views and downloads of every published dataset, month by month, over 24 months. Most
    datasets are rarely used, a few are popular and some are never used at all.
``records_requests``
    The public records request log: free request text (typed by the requester, with typos and
    mixed case), date received, requester type and the department that answered.

The ground truths (which gaps were planted how often, which datasets nobody uses, which are the
most downloaded, which grows) are module constants, so tests can check the toolkit finds them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.synth._core import City, Field, TableSpec, family_rng

__all__ = [
    "SPECS",
    "generate",
    "BASE_DATASETS",
    "METADATA_GAPS",
    "DOUBLE_GAP",
    "NEVER_USED",
    "TOP_DOWNLOADED",
    "GROWING_DATASET",
    "GROWTH_PER_MONTH",
    "DECLINING_DATASET",
    "REQUEST_TOPIC_SHARES",
    "HIGH_DEMAND_UNPUBLISHED",
    "request_topics",
]

# --- the datasets ------------------------------------------------------------------------------
# One line per dataset: title | department | request topic | high-value category | theme | format |
# status | popularity ("top" = the few popular ones, "mid", "low" = rarely used, "never" = never
# used, "-" = not published). Codes are expanded with the dictionaries below.
_DEPARTMENTS = {
    "311": "311 Customer Service",
    "POL": "Police",
    "PLN": "Planning and Development",
    "FIN": "Finance and Procurement",
    "COD": "Code Enforcement",
    "TRN": "Transportation",
    "PW": "Public Works",
    "PRK": "Parks and Recreation",
    "SAN": "Sanitation",
    "WAT": "Water Utility",
    "FIRE": "Fire Department",
    "CLK": "City Clerk",
    "HLT": "Public Health",
}
_HIGH_VALUE = {
    "PS": "public safety",
    "LU": "land use and development",
    "BF": "brownfields",
    "TR": "transportation",
    "-": "",
}
_THEMES = {
    "SAFE": "Public Safety",
    "HOUS": "Housing and Development",
    "TRAN": "Transportation",
    "SVC": "City Services",
    "ENV": "Environment",
    "REC": "Recreation",
    "UTIL": "Utilities",
    "FIN": "Finance",
    "GOV": "Government",
    "ECON": "Economy",
    "HLTH": "Health",
}
_DATASET_LINES = """
311 Service Requests | 311 | 311 | - | SVC | CSV | published | top
Police Incidents | POL | police incidents | PS | SAFE | CSV | published | top
Building Permits | PLN | building permits | LU | HOUS | CSV | published | top
Employee Salaries | FIN | other | - | FIN | CSV | published | top
Code Violations | COD | code violations | LU | HOUS | CSV | published | mid
Police Calls for Service | POL | police incidents | PS | SAFE | CSV | published | mid
Zoning Districts | PLN | other | LU | HOUS | GeoJSON | published | mid
Land Use Parcels | PLN | other | LU | HOUS | Shapefile | published | mid
Brownfield Sites | PLN | other | BF | ENV | CSV | published | low
Street Centerlines | TRN | other | TR | TRAN | Shapefile | published | low
Bus Stops | TRN | other | TR | TRAN | CSV | published | mid
Parking Citations | TRN | other | TR | TRAN | CSV | published | mid
Bike Lanes | TRN | other | TR | TRAN | GeoJSON | published | low
Traffic Counts | TRN | other | TR | TRAN | CSV | published | low
Pavement Condition Index | PW | other | TR | TRAN | CSV | published | low
Pothole Repairs | PW | 311 | - | SVC | CSV | published | low
Street Tree Inventory | PRK | other | - | ENV | CSV | published | low
Park Facilities | PRK | other | - | REC | GeoJSON | published | low
Recreation Program Enrollment | PRK | other | - | REC | XLSX | published | low
Trash and Recycling Routes | SAN | other | - | SVC | GeoJSON | published | low
Bulk Item Pickups | SAN | 311 | - | SVC | CSV | published | low
Water Main Breaks | WAT | other | - | UTIL | CSV | published | low
Water Quality Reports | WAT | other | - | UTIL | PDF | published | low
Fire Incidents | FIRE | other | PS | SAFE | CSV | published | mid
Vacant Properties | COD | code violations | LU | HOUS | CSV | published | low
City Budget | FIN | other | - | FIN | XLSX | published | mid
Vendor Payments | FIN | contracts | - | FIN | CSV | published | low
Council Meeting Minutes | CLK | other | - | GOV | PDF | published | never
Business Licenses | FIN | other | - | ECON | CSV | published | low
Graffiti Removal | PW | 311 | - | SVC | CSV | published | low
Snow Plow Routes | PW | other | TR | TRAN | GeoJSON | published | never
Street Closures | TRN | other | TR | TRAN | CSV | published | low
Capital Projects | PW | contracts | - | FIN | CSV | published | low
Public Records Request Log | CLK | other | - | GOV | CSV | published | low
Election Precincts | CLK | other | - | GOV | Shapefile | published | never
Historic Districts | PLN | other | LU | HOUS | Shapefile | published | never
Stormwater Outfalls | WAT | other | - | UTIL | CSV | published | never
Tree Planting Requests | PRK | 311 | - | ENV | CSV | published | low
Dog Licenses | CLK | other | - | GOV | CSV | published | never
Sidewalk Repairs | PW | 311 | - | SVC | CSV | published | low
Restaurant Inspections | HLT | restaurant inspections | - | HLTH | CSV | planned | -
City Contracts | FIN | contracts | - | FIN | CSV | planned | -
Traffic Crashes | TRN | traffic crashes | TR | TRAN | CSV | planned | -
Development Applications | PLN | building permits | LU | HOUS | CSV | planned | -
Environmental Site Assessments | PLN | other | BF | ENV | PDF | planned | -
Use of Force Incidents | POL | police incidents | PS | SAFE | CSV | planned | -
Arrests | POL | police incidents | PS | SAFE | CSV | planned | -
Rental Registry | COD | code violations | LU | HOUS | CSV | planned | -
"""


def _parse_datasets() -> tuple[tuple[str, ...], ...]:
    rows = []
    for line in _DATASET_LINES.strip().splitlines():
        title, dept, topic, high_value, theme, fmt, status, popularity = (
            part.strip() for part in line.split("|")
        )
        rows.append(
            (
                title,
                _DEPARTMENTS[dept],
                topic,
                _HIGH_VALUE[high_value],
                _THEMES[theme],
                fmt,
                status,
                "" if popularity == "-" else popularity,
            )
        )
    return tuple(rows)


#: The 48 datasets of the catalog: (title, department, request topic, high-value category,
#: theme, format, status, popularity).
BASE_DATASETS: tuple[tuple[str, ...], ...] = _parse_datasets()

_N_BASE = len(BASE_DATASETS)

#: Planted metadata gaps in the catalog at scale 1 (number of datasets with each gap).
#: They scale with the number of datasets; each dataset has at most one planted gap, except the
#: first dataset planted without a description, which has no keywords either (DOUBLE_GAP), so that
#: a validator finds more problems than records with problems, as in real catalogs.
METADATA_GAPS: dict[str, int] = {
    "missing_contact_email": 8,  # contact_email empty -> contactPoint.hasEmail missing
    "non_iso_modified": 6,  # modified written like 05/01/2024 -> not ISO 8601
    "word_periodicity": 5,  # accrual_periodicity "daily"/"Monthly" instead of R/P1D ...
    "missing_keyword": 5,  # keyword empty -> keyword missing
    "download_without_media_type": 3,  # download_url given, media_type empty
    "bad_access_level": 1,  # access_level "open" (not a DCAT-US value)
    "missing_description": 2,  # description empty
}

#: The two gaps planted on the same dataset (the last keyword gap joins a description gap).
DOUBLE_GAP: tuple[str, str] = ("missing_description", "missing_keyword")

#: Published datasets nobody viewed or downloaded in 24 months.
NEVER_USED: tuple[str, ...] = tuple(d[0] for d in BASE_DATASETS if d[7] == "never")
#: The three most downloaded datasets over the 24 months, most downloaded first.
TOP_DOWNLOADED: tuple[str, ...] = ("311 Service Requests", "Police Incidents", "Building Permits")
#: A dataset whose use grows steadily, and its true growth of downloads per month (multiplicative).
GROWING_DATASET = "Building Permits"
GROWTH_PER_MONTH = 0.04
#: A dataset whose use declines after a portal redesign broke its links (Jan 2024).
DECLINING_DATASET = "Parking Citations"

#: True shares of the topics of public records requests (the generator samples from them).
REQUEST_TOPIC_SHARES: dict[str, float] = {
    "police incidents": 0.22,
    "building permits": 0.16,
    "code violations": 0.11,
    "restaurant inspections": 0.09,
    "contracts": 0.09,
    "traffic crashes": 0.08,
    "311": 0.07,
    "other": 0.18,
}
#: Topics much requested through records requests with no published dataset (as of 2024-12).
HIGH_DEMAND_UNPUBLISHED: tuple[str, ...] = ("restaurant inspections", "traffic crashes")

_TOPIC_DEPARTMENT = {
    "police incidents": "Police",
    "building permits": "Planning and Development",
    "code violations": "Code Enforcement",
    "restaurant inspections": "Public Health",
    "contracts": "Finance and Procurement",
    "traffic crashes": "Police",
    "311": "311 Customer Service",
    "other": "City Clerk",
}

# What requesters write, per topic: openings, subjects (with common misspellings) and endings.
_OPENINGS = (
    "Requesting ",
    "I would like copies of ",
    "pls send ",
    "Under the Public Records Act, please provide ",
    "Request for ",
    "Can I get ",
    "Please email me ",
    "",
    "Hello, I am looking for ",
    "FOIA request: ",
)
_SUBJECTS = {
    "police incidents": (
        "the police report for an incident on Oak St",
        "incident report #{n}",
        "police incident reports for my block",
        "the polcie report from last weekend",
        "crime reports in {d}",
        "all calls for service to my address",
        "the offense report for a burglary at my home",
        "body camera footage and the incident report",
        "POLICE REPORT case {n}",
        "a copy of the polce report for my car break-in",
    ),
    "building permits": (
        "all building permits issued for {n} Main St",
        "permit history for my property",
        "bldg permit records for {n} Elm Ave",
        "the bulding permit and inspection records for my house",
        "plans submitted with permit {n}",
        "a list of new construction permits in {d}",
        "certificate of occupancy and permits for {n} River Rd",
        "permitt records for a deck at {n} Cedar Ln",
    ),
    "code violations": (
        "code violation records for {n} Pine St",
        "code enforcement complaints about my neighbor",
        "open code violations in {d}",
        "notices of violation for a rental property",
        "code enforcment case file {n}",
        "housing code inspections for {n} Lake St",
    ),
    "restaurant inspections": (
        "restaurant inspection reports for a cafe on Main St",
        "health inspection results for all restaurants in {d}",
        "the latest food inspection for a diner",
        "restaraunt inspection scores",
        "resturant health inspections near the university",
        "food safety inspection reports from {y}",
        "health code violations at a restaurant",
    ),
    "contracts": (
        "the contract between the city and a paving vendor",
        "all contracts over $50,000 awarded in {y}",
        "RFP responses and the signed contract for IT services",
        "bids received for the bridge project",
        "purchase orders and invoices from a consulting firm",
        "procurement records for the new fleet",
        "the vendor contract for waste hauling",
        "copies of the contarct with the parking operator",
    ),
    "traffic crashes": (
        "the accident report for a crash on Route 9",
        "traffic crash reports at the Main/Elm intersection",
        "collision report #{n}",
        "all car accidents on Harbor Blvd in {y}",
        "the crash report from my accident on {m}",
    ),
    "311": (
        "311 service requests for my street",
        "all 311 calls about potholes in {d}",
        "status of my 311 request {n}",
        "three-one-one complaints about noise",
        "311 requests about missed trash pickup",
    ),
    "other": (
        "emails between the mayor and the council about the budget",
        "the personnel file of a former employee",
        "minutes of the planning commission meeting",
        "payroll records for the parks department",
        "records about the new stadium proposal",
        "the city's social media policy",
        "job descriptions for city positions",
        "travel expenses of city officials in {y}",
    ),
}
_ENDINGS = (
    "",
    ". Thank you",
    " thanks",
    ". Electronic copies preferred.",
    " asap",
    ". Please contact me with any questions.",
    "",
    ".",
)

_REQUESTER_TYPES = (
    "resident",
    "journalist",
    "business",
    "attorney",
    "researcher",
    "advocacy group",
)
_REQUESTER_P = (0.46, 0.12, 0.16, 0.14, 0.05, 0.07)

_KEYWORDS = {
    "Public Safety": "public safety;police;crime",
    "Housing and Development": "housing;development;land use",
    "Transportation": "transportation;streets;mobility",
    "City Services": "311;city services",
    "Environment": "environment;trees",
    "Recreation": "parks;recreation",
    "Utilities": "water;utilities",
    "Finance": "finance;budget;spending",
    "Government": "government;transparency",
    "Economy": "business;economy",
    "Health": "health;food safety",
}
_MEDIA = {
    "CSV": "text/csv",
    "GeoJSON": "application/geo+json",
    "Shapefile": "application/zip",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "PDF": "application/pdf",
}
_PERIODICITY = {
    "CSV": "R/P1D",
    "GeoJSON": "R/P1M",
    "Shapefile": "R/P1Y",
    "XLSX": "R/P1Y",
    "PDF": "irregular",
}
_PERIOD_WORDS = ("daily", "Monthly", "weekly", "Annually", "quarterly")
_BASE_USE = {"top": 900.0, "mid": 120.0, "low": 12.0, "never": 0.0}

_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
_PORTAL = "https://data.riverton.example.gov"

SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        name="catalog",
        title="Riverton open-data catalog (flattened DCAT-US 1.1 records)",
        description=(
            "One row per dataset in Riverton's open-data catalog: the DCAT-US 1.1 (Project Open "
            "Data) metadata kept in a spreadsheet, with the gaps real catalogs have, plus planning "
            "columns (status, topic, policy priority, effort) used to choose what to publish next."
        ),
        primary_key=("identifier",),
        fields=(
            Field("identifier", "string", "DCAT-US identifier of the dataset.", required=True),
            Field("title", "string", "DCAT-US title.", required=True),
            Field(
                "description",
                "string",
                "DCAT-US description. Empty for a few datasets (a planted gap).",
            ),
            Field(
                "keyword",
                "string",
                "DCAT-US keywords separated by semicolons. Empty for some datasets (a gap).",
            ),
            Field("theme", "string", "DCAT-US theme (category) of the dataset."),
            Field(
                "modified",
                "string",
                "DCAT-US modified: date of the last change as typed. Mostly ISO 8601 "
                "(2024-05-01); some are US style (05/01/2024), which DCAT-US rejects.",
            ),
            Field(
                "issued",
                "string",
                "DCAT-US issued: first publication date (ISO 8601); empty for planned datasets.",
            ),
            Field("publisher", "string", "DCAT-US publisher name (the department)."),
            Field("contact_name", "string", "DCAT-US contactPoint.fn: who answers questions."),
            Field(
                "contact_email",
                "string",
                "Contact e-mail address (written without 'mailto:'); empty for some datasets.",
            ),
            Field(
                "access_level",
                "string",
                "DCAT-US accessLevel: public, restricted public or non-public. One row has the "
                "invalid value 'open' (a planted gap).",
            ),
            Field("rights", "string", "DCAT-US rights: why access is restricted (if it is)."),
            Field("license", "string", "DCAT-US license URL; empty for some datasets."),
            Field("spatial", "string", "DCAT-US spatial coverage (a place name)."),
            Field(
                "temporal",
                "string",
                "DCAT-US temporal coverage as an ISO 8601 interval start/end; empty when unknown.",
            ),
            Field(
                "accrual_periodicity",
                "string",
                "DCAT-US accrualPeriodicity: ISO 8601 repeating duration (R/P1D daily, R/P1M "
                "monthly, R/P1Y yearly) or 'irregular'; some rows say 'daily' or 'Monthly' "
                "instead, which DCAT-US rejects.",
            ),
            Field("landing_page", "string", "DCAT-US landingPage URL."),
            Field(
                "download_url", "string", "Distribution downloadURL; empty for planned datasets."
            ),
            Field(
                "media_type",
                "string",
                "Distribution mediaType (IANA type such as text/csv); empty for a few datasets "
                "that have a download URL (a planted gap).",
            ),
            Field("format", "string", "Distribution format as people say it (CSV, GeoJSON ...)."),
            Field("department", "string", "Department that owns the data."),
            Field(
                "high_value_category",
                "string",
                "High-value category the dataset belongs to, if any: land use and development, "
                "brownfields, transportation or public safety; empty otherwise.",
            ),
            Field(
                "status",
                "string",
                "published (on the portal) or planned (a candidate not yet published).",
                categories=("published", "planned"),
                required=True,
            ),
            Field(
                "topic",
                "string",
                "Topic of public records requests the dataset answers (same words as the "
                "request topics); 'other' when none.",
            ),
            Field(
                "policy_priority",
                "integer",
                "Priority the mayor's office and council gave the dataset in the annual survey.",
                unit="score 1 (low) to 5 (highest)",
                minimum=1,
                maximum=5,
            ),
            Field(
                "effort_days",
                "number",
                "Estimated staff time to publish the dataset (or to keep it current).",
                unit="staff days",
                minimum=0,
            ),
        ),
    ),
    TableSpec(
        name="portal_usage",
        title="Riverton open-data portal usage by dataset and month",
        description=(
            "Page views and downloads of every published dataset per calendar month, 2023-01 to "
            "2024-12. Most datasets are rarely used, a few are popular and some never used."
        ),
        primary_key=("identifier", "month"),
        fields=(
            Field("identifier", "string", "Dataset identifier (see catalog).", required=True),
            Field("title", "string", "Dataset title (see catalog)."),
            Field("month", "date", "First day of the calendar month.", required=True),
            Field("views", "integer", "Dataset page views in the month.", unit="views", minimum=0),
            Field(
                "downloads",
                "integer",
                "File downloads and API calls in the month.",
                unit="downloads",
                minimum=0,
            ),
        ),
    ),
    TableSpec(
        name="records_requests",
        title="Riverton public records request log",
        description=(
            "Public records requests received 2023-01-01 to 2024-12-31 with the request text as "
            "typed by the requester (free text: typos, mixed case, abbreviations)."
        ),
        primary_key=("request_id",),
        fields=(
            Field("request_id", "string", "Request number.", required=True),
            Field("received_date", "date", "Date the request was received.", required=True),
            Field(
                "requester_type",
                "string",
                "Who asked: resident, journalist, business, attorney, researcher or advocacy "
                "group.",
                categories=_REQUESTER_TYPES,
            ),
            Field("department", "string", "Department that answered the request."),
            Field(
                "request_text",
                "string",
                "What was asked for, as typed (typos and mixed case left as they are).",
            ),
            Field(
                "days_to_fulfill",
                "integer",
                "Days from receipt to the final response; empty while still open.",
                unit="days",
                minimum=0,
            ),
        ),
    ),
)


def _n_datasets(scale: float) -> int:
    return max(_N_BASE, int(round(_N_BASE * scale)))


def _catalog(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    n = _n_datasets(scale)
    base = np.arange(n) % _N_BASE
    edition = np.arange(n) // _N_BASE
    cols = list(zip(*BASE_DATASETS, strict=True))
    pick = {
        name: np.asarray(values, dtype=object)[base]
        for name, values in zip(
            ("title", "department", "topic", "hv", "theme", "format", "status", "popularity"),
            cols,
            strict=True,
        )
    }
    title = pd.Series(pick["title"]).where(
        edition == 0, pd.Series(pick["title"]) + " (archive " + pd.Series(edition).astype(str) + ")"
    )
    identifier = pd.Series([f"riverton-{i:04d}" for i in range(1, n + 1)])
    published = pick["status"] == "published"
    fmt = pd.Series(pick["format"])
    theme = pd.Series(pick["theme"])
    dept = pd.Series(pick["department"])
    slug = title.str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-")

    issued_days = rng.integers(0, 1800, n)
    issued = (pd.Timestamp("2019-01-01") + pd.to_timedelta(issued_days, unit="D")).strftime(
        "%Y-%m-%d"
    )
    mod_days = rng.integers(0, 700, n)
    modified_ts = pd.Timestamp("2023-02-01") + pd.to_timedelta(mod_days, unit="D")
    modified = pd.Series(modified_ts.strftime("%Y-%m-%d"))
    # some systems export a full timestamp
    stamp = rng.random(n) < 0.15
    clock = pd.to_timedelta(rng.integers(6 * 3600, 20 * 3600, n), unit="s")
    stamped = pd.Series((modified_ts + clock).strftime("%Y-%m-%dT%H:%M:%S"))
    modified = modified.where(~stamp, stamped)

    description = (
        title
        + " published by the City of Riverton "
        + dept
        + ". Updated "
        + fmt.map({"CSV": "daily", "GeoJSON": "monthly"}).fillna("yearly")
        + "; see the data dictionary for column definitions."
    )
    table = pd.DataFrame(
        {
            "identifier": identifier,
            "title": title,
            "description": description,
            "keyword": (theme.map(_KEYWORDS) + ";" + slug.str.split("-").str[0]).map(
                lambda words: ";".join(dict.fromkeys(words.split(";")))
            ),
            "theme": theme,
            "modified": modified,
            "issued": pd.Series(issued).where(published, ""),
            "publisher": "City of Riverton " + dept,
            "contact_name": dept + " Data Coordinator",
            "contact_email": slug.str.split("-").str[0] + "-data@riverton.example.gov",
            "access_level": "public",
            "rights": "",
            "license": _LICENSE,
            "spatial": "Riverton",
            "temporal": "2023-01-01/2024-12-31",
            "accrual_periodicity": fmt.map(_PERIODICITY),
            "landing_page": _PORTAL + "/datasets/" + slug,
            "download_url": (_PORTAL + "/download/" + slug + "." + fmt.str.lower()).where(
                published, ""
            ),
            "media_type": fmt.map(_MEDIA),
            "format": fmt,
            "department": dept,
            "high_value_category": pick["hv"],
            "status": pick["status"],
            "topic": pick["topic"],
        }
    )
    # Restricted records: use of force details are published in summary only.
    restricted = table["title"].str.startswith(("Use of Force", "Employee Salaries"))
    table.loc[restricted, "access_level"] = "restricted public"
    table.loc[restricted, "rights"] = (
        "Names and badge numbers are withheld under state personnel privacy law."
    )
    # Ordinary texture (not counted as planted gaps: still valid DCAT-US).
    no_license = rng.random(n) < 0.2
    table.loc[no_license, "license"] = ""
    no_temporal = rng.random(n) < 0.3
    table.loc[no_temporal, "temporal"] = ""
    no_theme = rng.random(n) < 0.15
    table.loc[no_theme, "theme"] = ""
    no_spatial = rng.random(n) < 0.25
    table.loc[no_spatial, "spatial"] = ""

    # Planted gaps: each on its own rows, counts scale with the number of datasets.
    counts = {gap: int(round(k * n / _N_BASE)) for gap, k in METADATA_GAPS.items()}
    candidates = np.flatnonzero(published)  # gaps live on published rows (they have downloads)
    rows = rng.choice(candidates, size=sum(counts.values()), replace=False)
    planted, start = {}, 0
    for gap, k in counts.items():
        planted[gap] = rows[start : start + k]
        start += k
    first, second = DOUBLE_GAP
    if len(planted[first]) and len(planted[second]):
        planted[second] = np.append(planted[second][:-1], planted[first][0])
    for gap, idx in planted.items():
        k = len(idx)
        if gap == "missing_contact_email":
            table.loc[idx, "contact_email"] = ""
        elif gap == "non_iso_modified":
            table.loc[idx, "modified"] = modified_ts[idx].strftime("%m/%d/%Y")
        elif gap == "word_periodicity":
            table.loc[idx, "accrual_periodicity"] = np.asarray(_PERIOD_WORDS, dtype=object)[
                np.arange(k) % len(_PERIOD_WORDS)
            ]
        elif gap == "missing_keyword":
            table.loc[idx, "keyword"] = ""
        elif gap == "download_without_media_type":
            table.loc[idx, "media_type"] = ""
        elif gap == "bad_access_level":
            table.loc[idx, "access_level"] = "open"
            table.loc[idx, "rights"] = ""
        elif gap == "missing_description":
            table.loc[idx, "description"] = ""

    priority = {"public safety": 5, "land use and development": 4, "transportation": 4}
    base_priority = pd.Series(pick["hv"]).map(priority).fillna(2).to_numpy()
    jitter = rng.integers(-1, 2, n)
    table["policy_priority"] = np.clip(base_priority + jitter, 1, 5).astype("int64")
    effort = rng.gamma(2.0, 4.0, n) + np.where(published, 0.5, 6.0)
    table["effort_days"] = np.round(effort, 1)
    return table


def _usage(rng: np.random.Generator, catalog: pd.DataFrame) -> pd.DataFrame:
    published = catalog[catalog["status"] == "published"].reset_index(drop=True)
    base_titles = published["title"].str.replace(r" \(archive \d+\)$", "", regex=True)
    popularity = base_titles.map({d[0]: d[7] for d in BASE_DATASETS})
    archive = published["title"].str.contains(r"\(archive", regex=True)
    level = popularity.map(_BASE_USE).to_numpy(dtype=float)
    level = np.where(archive, np.minimum(level, 3.0), level)
    # order the top datasets so the published ground truth holds
    # (Building Permits starts lower but grows 4% a month: 1.63 times its start on average)
    top_boost = base_titles.map(dict(zip(TOP_DOWNLOADED, (3.0, 2.4, 1.0), strict=True)))
    level = level * np.where(archive, 1.0, top_boost.fillna(1.0).to_numpy())
    # the rarely used vary by a factor of a few
    level = level * np.where(popularity.to_numpy() == "low", rng.uniform(0.4, 1.6, len(level)), 1)

    months = pd.date_range("2023-01-01", "2024-12-01", freq="MS")
    t = np.arange(len(months))
    season = 1 + 0.12 * np.cos(2 * np.pi * (months.month.to_numpy() - 3) / 12)
    growth = np.ones((len(published), len(months)))
    is_growing = (base_titles == GROWING_DATASET).to_numpy() & ~archive.to_numpy()
    growth[is_growing] = (1 + GROWTH_PER_MONTH) ** t
    is_declining = (base_titles == DECLINING_DATASET).to_numpy() & ~archive.to_numpy()
    growth[is_declining] = np.where(t >= 12, 0.35, 1.0)
    mean_downloads = level[:, None] * season[None, :] * growth
    downloads = rng.poisson(mean_downloads)
    views = rng.poisson(mean_downloads * 3.2) + downloads
    frame = pd.DataFrame(
        {
            "identifier": np.repeat(published["identifier"].to_numpy(), len(months)),
            "title": np.repeat(published["title"].to_numpy(), len(months)),
            "month": np.tile(months.to_numpy(), len(published)),
            "views": views.ravel().astype("int64"),
            "downloads": downloads.ravel().astype("int64"),
        }
    )
    return frame


def _requests(
    rng: np.random.Generator, scale: float, city: City
) -> tuple[pd.DataFrame, np.ndarray]:
    n = max(1, int(round(1_850 * scale)))
    topics = np.asarray(list(REQUEST_TOPIC_SHARES), dtype=object)
    topic = rng.choice(topics, size=n, p=np.asarray(list(REQUEST_TOPIC_SHARES.values())))
    days = city.days
    # more requests on weekdays, fewer in December
    weight = np.where(days.day_of_week < 5, 1.0, 0.15) * np.where(days.month == 12, 0.7, 1.0)
    received = days[rng.choice(len(days), size=n, p=weight / weight.sum())]
    opening = np.asarray(_OPENINGS, dtype=object)[rng.integers(0, len(_OPENINGS), n)]
    ending = np.asarray(_ENDINGS, dtype=object)[rng.integers(0, len(_ENDINGS), n)]
    subject = np.empty(n, dtype=object)
    for name, options in _SUBJECTS.items():
        mask = topic == name
        subject[mask] = np.asarray(options, dtype=object)[rng.integers(0, len(options), mask.sum())]
    fill = {
        "{n}": pd.Series(rng.integers(100, 9999, n).astype(str)),
        "{d}": pd.Series(np.asarray(city.districts, dtype=object)[rng.integers(0, 12, n)]),
        "{y}": pd.Series(rng.choice(["2021", "2022", "2023", "2024"], n)),
        "{m}": pd.Series(rng.choice(["March 3", "6/14", "last Friday", "July 4th"], n)),
    }
    text = pd.Series(opening + subject + ending, dtype=object)
    for placeholder, values in fill.items():
        parts = text.str.split(placeholder, n=1, regex=False, expand=True)
        if parts.shape[1] == 2:
            has = parts[1].notna()
            text = text.where(~has, parts[0] + values + parts[1].fillna(""))
    case = rng.random(n)
    text = text.where(case >= 0.08, text.str.upper())
    text = text.where((case < 0.08) | (case >= 0.25), text.str.lower())
    text = text.str.strip()
    department = pd.Series(topic).map(_TOPIC_DEPARTMENT)
    requester = rng.choice(_REQUESTER_TYPES, size=n, p=_REQUESTER_P)
    days_to = rng.negative_binomial(2, 0.12, n).astype(float)
    received_ts = pd.Series(received)
    still_open = (received_ts + pd.to_timedelta(days_to, unit="D")) > pd.Timestamp(city.end)
    fulfilled = pd.array(np.where(still_open, np.nan, days_to), dtype="Int64")
    order = np.argsort(received.to_numpy(), kind="stable")
    frame = pd.DataFrame(
        {
            "request_id": "",
            "received_date": received.to_numpy()[order],
            "requester_type": requester[order],
            "department": department.to_numpy()[order],
            "request_text": text.to_numpy()[order],
            "days_to_fulfill": fulfilled[order],
        }
    )
    year_of = frame["received_date"].dt.year.astype(str)
    seq = frame.groupby(year_of).cumcount() + 1
    frame["request_id"] = "PRR-" + year_of + "-" + seq.astype(str).str.zfill(5)
    return frame, topic[order]


def request_topics(*, seed: int, scale: float = 1.0, city: City | None = None) -> np.ndarray:
    """Return the true topic of every row of ``records_requests`` (ground truth for tests).

    Examples
    --------
    >>> from citykit.synth import DEFAULT_SEED
    >>> len(request_topics(seed=DEFAULT_SEED, scale=0.1))
    185
    """
    from citykit.synth._core import RIVERTON

    rng = family_rng(seed, "opendata")
    catalog = _catalog(rng, scale)
    _usage(rng, catalog)
    return _requests(rng, scale, city or RIVERTON)[1]


def generate(*, seed: int, scale: float = 1.0, city: City) -> dict[str, pd.DataFrame]:
    """Generate the open-data tables of Riverton.

    Parameters
    ----------
    seed : int
        Seed; the same seed gives the same tables.
    scale : float
        Multiplies the number of records requests and (above 1) of datasets; the catalog
        never shrinks below its 48 base datasets.
    city : City
        The sample city (districts, dates).

    Returns
    -------
    dict
        ``{"catalog": ..., "portal_usage": ..., "records_requests": ...}``.

    Examples
    --------
    >>> from citykit.synth._core import RIVERTON
    >>> tables = generate(seed=1, scale=1, city=RIVERTON)
    >>> len(tables["catalog"]), len(tables["portal_usage"])
    (48, 960)
    """
    rng = family_rng(seed, "opendata")
    catalog = _catalog(rng, scale)
    usage = _usage(rng, catalog)
    requests, _ = _requests(rng, scale, city)
    out = {"catalog": catalog, "portal_usage": usage, "records_requests": requests}
    for spec in SPECS:
        out[spec.name] = out[spec.name][spec.columns].reset_index(drop=True)
    return out
