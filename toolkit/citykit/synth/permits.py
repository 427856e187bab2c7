"""Riverton's building permits: a dataset the city wants to publish, with privacy traps.

One table, ``building_permits``: every permit application received 2023-01-01 to 2024-12-31,
with the fields a permit system exports (type, district, address block, owner type, year the
building was built, valuation in US dollars, the applicant's ZIP code). Several of them are
*quasi-identifiers*: together they can single out a property owner. Some combinations are rare on
purpose (demolitions in a few districts, government-owned buildings, applicants from out of town),
so small-cell suppression and k-anonymity lessons have something to find.

Ground truths are module constants: the planted number of demolition permits per district (several
between 1 and 10, the cells a release must suppress), the number of out-of-town applicants, and
the ZIP codes of each district.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.synth._core import City, Field, TableSpec, family_rng

__all__ = [
    "SPECS",
    "generate",
    "PERMIT_TYPES",
    "PERMIT_TYPE_SHARES",
    "OWNER_TYPES",
    "DEMOLITIONS_BY_DISTRICT",
    "OUT_OF_TOWN_APPLICANTS",
    "DISTRICT_ZIPS",
    "MEDIAN_VALUATION",
]

#: Permit types other than demolition and their shares of those permits.
PERMIT_TYPE_SHARES: dict[str, float] = {
    "alteration": 0.27,
    "electrical": 0.17,
    "plumbing": 0.13,
    "mechanical": 0.10,
    "roofing": 0.10,
    "addition": 0.07,
    "solar": 0.07,
    "new construction": 0.06,
    "sign": 0.03,
}
PERMIT_TYPES: tuple[str, ...] = (*PERMIT_TYPE_SHARES, "demolition")

#: Demolition permits per district at scale 1 (districts in the order of ``City.districts``).
#: Seven of the twelve are small cells (1 to 10) and two are zero (zero may be published).
DEMOLITIONS_BY_DISTRICT: tuple[int, ...] = (4, 9, 14, 2, 0, 7, 1, 23, 3, 0, 12, 6)

OWNER_TYPES: tuple[str, ...] = (
    "individual",
    "LLC",
    "corporation",
    "trust",
    "nonprofit",
    "government",
)
_OWNER_P = (0.62, 0.17, 0.09, 0.07, 0.035, 0.015)

#: Applicants whose ZIP code is outside Riverton at scale 1 (each from a different ZIP code).
OUT_OF_TOWN_APPLICANTS = 24

#: Two ZIP codes per district (the first is the larger).
DISTRICT_ZIPS: tuple[tuple[str, str], ...] = tuple(
    (f"{47101 + 2 * i}", f"{47102 + 2 * i}") for i in range(12)
)

#: Median valuation by permit type (US dollars) used by the generator (lognormal medians).
MEDIAN_VALUATION: dict[str, float] = {
    "alteration": 24_000,
    "electrical": 3_200,
    "plumbing": 2_600,
    "mechanical": 6_500,
    "roofing": 12_500,
    "addition": 68_000,
    "solar": 23_000,
    "new construction": 365_000,
    "sign": 4_200,
    "demolition": 16_000,
}

_N_PERMITS = 9_000
_STREETS = (
    "Oak St", "Main St", "Elm Ave", "River Rd", "Cedar Ln", "Maple Ave", "Pine St", "Lake St",
    "Harbor Blvd", "College Ave", "Mill Rd", "Park Pl", "Hill St", "Church St", "Union Ave",
    "Market St", "Spring St", "Washington Ave", "Lincoln Ave", "Franklin St",
)  # fmt: skip
_OLD_DISTRICTS = {"Old Town": 1905, "Harbor": 1920, "Riverside": 1935, "Mill Creek": 1948}

SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        name="building_permits",
        title="Riverton building permits 2023-2024",
        description=(
            "Every building permit application received 2023-01-01 to 2024-12-31, as exported "
            "from the permit system before publication. District, address block, owner type, "
            "year built, permit type, valuation and applicant ZIP code are quasi-identifiers: "
            "check small cells and k-anonymity before release."
        ),
        primary_key=("permit_id",),
        fields=(
            Field("permit_id", "string", "Permit number.", required=True),
            Field("application_date", "date", "Date the application was received.", required=True),
            Field("issue_date", "date", "Date the permit was issued; empty if not issued."),
            Field(
                "status",
                "string",
                "issued, in review or withdrawn.",
                categories=("issued", "in review", "withdrawn"),
            ),
            Field("permit_type", "string", "Kind of work permitted.", categories=PERMIT_TYPES),
            Field("district", "string", "City council district of the property."),
            Field(
                "address_block",
                "string",
                "Address generalised to the block (e.g. '1200 block of Oak St').",
            ),
            Field(
                "owner_type",
                "string",
                "Kind of property owner (from the assessor's file).",
                categories=OWNER_TYPES,
            ),
            Field(
                "year_built",
                "integer",
                "Year the building was built (assessor); empty for new construction and where "
                "the assessor has no record.",
                unit="calendar year",
                minimum=1850,
                maximum=2024,
            ),
            Field(
                "valuation",
                "number",
                "Declared value of the work; empty when not declared, and a few are 0.",
                unit="US dollars",
                minimum=0,
            ),
            Field(
                "applicant_zip",
                "string",
                "5-digit ZIP code of the applicant's mailing address (mostly Riverton ZIP codes; "
                "a few applicants live elsewhere).",
            ),
        ),
    ),
)


def generate(*, seed: int, scale: float = 1.0, city: City) -> dict[str, pd.DataFrame]:
    """Generate the ``building_permits`` table.

    Parameters
    ----------
    seed : int
        Seed; the same seed gives the same table.
    scale : float
        Multiplies the number of permits (and the planted demolitions and out-of-town applicants).
    city : City
        The sample city (its districts and dates).

    Returns
    -------
    dict
        ``{"building_permits": DataFrame}``.

    Examples
    --------
    >>> from citykit.synth._core import RIVERTON
    >>> permits = generate(seed=1, city=RIVERTON)["building_permits"]
    >>> int((permits["permit_type"] == "demolition").sum()) == sum(DEMOLITIONS_BY_DISTRICT)
    True
    """
    rng = family_rng(seed, "permits")
    districts = np.asarray(city.districts, dtype=object)
    demolitions = np.round(np.asarray(DEMOLITIONS_BY_DISTRICT) * scale).astype(int)
    n_other = max(1, int(round(_N_PERMITS * scale)) - int(demolitions.sum()))
    n = n_other + int(demolitions.sum())

    pop = np.asarray(city.district_population, dtype=float)
    district = np.concatenate(
        [rng.choice(districts, size=n_other, p=pop / pop.sum()), np.repeat(districts, demolitions)]
    )
    types = np.asarray(list(PERMIT_TYPE_SHARES), dtype=object)
    shares = np.asarray(list(PERMIT_TYPE_SHARES.values()))
    permit_type = np.concatenate(
        [
            rng.choice(types, size=n_other, p=shares / shares.sum()),
            np.repeat("demolition", demolitions.sum()),
        ]
    ).astype(object)

    days = city.days
    weight = np.where(days.day_of_week < 5, 1.0, 0.05) * (
        1 + 0.35 * np.sin(2 * np.pi * (days.day_of_year.to_numpy() - 80) / 365.25)
    )
    applied = days[rng.choice(len(days), size=n, p=weight / weight.sum())]

    mean_days = (
        pd.Series(permit_type)
        .map({"new construction": 45.0, "addition": 30.0, "demolition": 20.0, "alteration": 18.0})
        .fillna(4.0)
    )
    wait = np.ceil(rng.gamma(1.5, mean_days.to_numpy() / 1.5)).astype(int)
    issued_on = applied + pd.to_timedelta(wait, unit="D")
    u = rng.random(n)
    status = np.where(u < 0.04, "withdrawn", "issued").astype(object)
    status[(issued_on > pd.Timestamp(city.end)) & (status == "issued")] = "in review"
    issue_date = pd.Series(issued_on).where(status == "issued")

    owner = rng.choice(np.asarray(OWNER_TYPES, dtype=object), size=n, p=_OWNER_P)
    oldest = pd.Series(district).map(_OLD_DISTRICTS).fillna(1958).to_numpy()
    year_built = np.minimum(oldest + rng.gamma(2.0, 14.0, n).round(), 2022).astype(float)
    year_built[permit_type == "new construction"] = np.nan
    year_built[rng.random(n) < 0.03] = np.nan

    median = pd.Series(permit_type).map(MEDIAN_VALUATION).to_numpy(dtype=float)
    valuation = np.round(median * np.exp(rng.normal(0, 0.8, n)), -1)
    missing_value = rng.random(n)
    valuation[missing_value < 0.02] = np.nan
    valuation[(missing_value >= 0.02) & (missing_value < 0.03)] = 0.0

    index = pd.Series(district).map({d: i for i, d in enumerate(city.districts)}).to_numpy()
    zips = np.asarray(DISTRICT_ZIPS, dtype=object)
    applicant_zip = zips[index, (rng.random(n) < 0.35).astype(int)]
    # a few applicants (owners, contractors) mail from elsewhere: each a different ZIP code
    n_away = min(n, int(round(OUT_OF_TOWN_APPLICANTS * scale)))
    away_rows = rng.choice(n, size=n_away, replace=False)
    away_zips = rng.choice(np.arange(10_000, 99_999), size=n_away, replace=False)
    away_zips = np.where((away_zips >= 47101) & (away_zips <= 47124), away_zips + 1_000, away_zips)
    applicant_zip[away_rows] = np.char.zfill(away_zips.astype(str), 5).astype(object)

    block = (rng.integers(1, 60, n) * 100).astype(str)
    street = np.asarray(_STREETS, dtype=object)[rng.integers(0, len(_STREETS), n)]
    address_block = pd.Series(block, dtype=object) + " block of " + pd.Series(street)

    order = np.argsort(applied.to_numpy(), kind="stable")
    frame = pd.DataFrame(
        {
            "permit_id": "",
            "application_date": applied.to_numpy()[order],
            "issue_date": issue_date.to_numpy()[order],
            "status": status[order],
            "permit_type": permit_type[order],
            "district": district[order],
            "address_block": address_block.to_numpy()[order],
            "owner_type": owner[order],
            "year_built": pd.array(year_built[order], dtype="Int64"),
            "valuation": valuation[order],
            "applicant_zip": applicant_zip[order],
        }
    )
    year = frame["application_date"].dt.year.astype(str)
    frame["permit_id"] = (
        "BP-" + year + "-" + (frame.groupby(year).cumcount() + 1).astype(str).str.zfill(6)
    )
    columns = SPECS[0].columns
    return {"building_permits": frame[columns].reset_index(drop=True)}
