"""Riverton's homeless-services system: an HMIS export plus the city's provider contracts.

Four tables shaped like a real HMIS (Homeless Management Information System) export and a city
contracts list: ``hmis_clients`` (one row per person), ``hmis_enrollments`` (one row per stay in
a project), ``providers`` and ``provider_contracts``. The export covers entries from 1 January
2022 to 31 December 2024 (a year before the other Riverton tables, so that returns to
homelessness within 12 and 24 months can be followed) and was made on 31 December 2024.

Texture of a real export: more shelter entries in winter and on weekdays; right-skewed stays;
people still enrolled at export time (no exit date); exits before 1 October 2023 coded under the
FY2022 data standards (two-digit destinations, ``data_standards_version`` "FY2022") and later
ones under FY2024 (three-digit); a few rows with the exit before the entry, a few unknown
destination codes (e.g. 433, a rental-subsidy code typed into the destination field), shelter
stays whose exit was never recorded (one provider much worse than the others), and "no exit
interview" destinations.

Ground truth hidden in the data
-------------------------------
* :data:`TRUE_PROVIDER_EFFECTS`: each provider's true effect on the log-odds of exiting to
  permanent housing, *given* the client's risk factors and project type.
* :data:`TRUE_RISK_COEFFICIENTS` and :data:`BASE_LOGIT_PH`: the client-level model.
* Provider differences are partly client mix: :data:`INTAKE_RISK` shifts each provider's
  clients towards higher or lower risk. Among emergency shelters, ``P06`` (a low-barrier
  shelter) has the lowest crude exit rate only because it takes the hardest-to-serve clients (its
  true effect is 0: about average once risk-adjusted), while ``P08`` is truly weaker.
* :data:`TRUE_RETURN_EFFECTS`: provider effects on returning to homelessness after a permanent
  exit. :data:`MISSING_EXIT_SHARE`: the share of shelter exits never recorded, by provider.
* ``P11`` holds a contract from fiscal year 2024 but has served no clients yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.synth._core import City, Field, TableSpec, family_rng

__all__ = [
    "SPECS",
    "PROVIDERS",
    "TRUE_PROVIDER_EFFECTS",
    "TRUE_RISK_COEFFICIENTS",
    "RISK_FACTORS",
    "BASE_LOGIT_PH",
    "INTAKE_RISK",
    "TRUE_RETURN_EFFECTS",
    "MISSING_EXIT_SHARE",
    "EXPORT_DATE",
    "generate",
]

#: provider id -> (name, project types, district, share of first enrollments)
PROVIDERS = {
    "P01": ("Harborview Shelter Network", ("ES",), "Harbor", 0.20),
    "P02": ("Riverton Family Shelter", ("ES",), "Mill Creek", 0.09),
    "P03": ("Cedar Hills Transitional Housing", ("TH",), "Cedar Hills", 0.06),
    "P04": ("New Horizons Rapid Rehousing", ("RRH",), "Northgate", 0.09),
    "P05": ("Lakeshore Supportive Housing", ("PSH",), "Lakeshore", 0.04),
    "P06": ("Old Town Open Door Shelter", ("ES",), "Old Town", 0.17),
    "P07": ("Northgate Housing Partners", ("RRH",), "Northgate", 0.07),
    "P08": ("Southpark Community Shelter", ("ES",), "Southpark", 0.14),
    "P09": ("Eastview Eviction Prevention", ("PREV",), "Eastview", 0.10),
    "P10": ("Street Reach Outreach Team", ("SO",), "Riverside", 0.04),
    "P11": ("Westfield Youth Housing", ("RRH",), "Westfield", 0.0),
}

#: True provider effects on the log-odds of an exit to permanent housing (given client risk
#: factors and project type). 0 = average.
TRUE_PROVIDER_EFFECTS = {
    "P01": 0.0,
    "P02": 0.15,
    "P03": 0.2,
    "P04": 0.3,
    "P05": 0.0,
    "P06": 0.0,
    "P07": -0.1,
    "P08": -0.35,
    "P09": 0.0,
    "P10": 0.0,
    "P11": 0.0,
}

#: Mean shift of the latent risk of each provider's clients (standard-deviation units): the
#: client mix. P06 and P10 serve the hardest-to-serve; P04 screens for easier clients.
INTAKE_RISK = {
    "P01": 0.0,
    "P02": -0.3,
    "P03": -0.1,
    "P04": -0.6,
    "P05": 0.8,
    "P06": 1.6,
    "P07": 0.3,
    "P08": 0.0,
    "P09": -0.5,
    "P10": 1.1,
    "P11": 0.0,
}

#: Client-level log-odds effects on exiting to permanent housing (the case-mix model).
TRUE_RISK_COEFFICIENTS = {
    "disabling_condition": -0.5,
    "prior_episodes": -0.2,  # per prior episode
    "chronically_homeless": -0.45,
    "household_type[family with children]": 0.4,
    "household_type[youth 18-24]": -0.2,
    "veteran": 0.3,
    "has_income": 0.4,  # monthly_income_usd > 0
}

#: The client columns of the case-mix model, in order (``household_type`` is one text factor).
RISK_FACTORS = tuple(dict.fromkeys(term.split("[")[0] for term in TRUE_RISK_COEFFICIENTS))

#: Baseline log-odds of a permanent exit by project type (client with no risk factor).
BASE_LOGIT_PH = {"ES": -0.3, "TH": 0.6, "RRH": 1.4, "PSH": 1.2, "SO": -1.4, "PREV": 2.2}

#: Provider effects on the log-odds of returning to homelessness within two years of a
#: permanent exit (baseline about 15%). P04's quick placements hold less well.
TRUE_RETURN_EFFECTS = {"P04": 0.8, "P08": 0.2}

#: Share of emergency-shelter exits never recorded (the stay looks open), by provider.
MISSING_EXIT_SHARE = {"P08": 0.10}
_DEFAULT_MISSING_EXIT = 0.015

EXPORT_DATE = "2024-12-31"
_START = "2022-01-01"
_FY2024_START = pd.Timestamp("2023-10-01")

#: Median length of stay in days and log-sd, by project type.
_STAY = {
    "ES": (40, 1.0),
    "TH": (210, 0.5),
    "RRH": (150, 0.5),
    "PSH": (720, 0.6),
    "PREV": (60, 0.4),
    "SO": (80, 0.8),
}
#: FY2024 permanent destination codes and their weights, by project type.
_PH_CODES = {
    "ES": ((410, 422, 423, 435), (0.35, 0.2, 0.1, 0.35)),
    "TH": ((410, 422, 435), (0.45, 0.15, 0.4)),
    "RRH": ((435, 410), (0.85, 0.15)),
    "PSH": ((435, 421, 422), (0.8, 0.05, 0.15)),
    "PREV": ((410, 435, 411), (0.6, 0.35, 0.05)),
    "SO": ((422, 423, 435), (0.4, 0.2, 0.4)),
}
#: Non-permanent destinations (FY2024) and weights.
_OTHER_CODES = (
    (101, 116, 118, 204, 205, 206, 207, 302, 312, 313, 314, 8, 9, 17, 24, 30, 99),
    (
        0.16,
        0.14,
        0.02,
        0.02,
        0.04,
        0.04,
        0.04,
        0.05,
        0.12,
        0.08,
        0.05,
        0.02,
        0.02,
        0.04,
        0.01,
        0.12,
        0.03,
    ),
)
_UNKNOWN_CODES = (433, 999, 0, 45)


def _fields_clients() -> tuple[Field, ...]:
    return (
        Field("client_id", "string", "Unique HMIS personal id (one per person).", required=True),
        Field(
            "age",
            "integer",
            "Age at the first enrollment in the export.",
            unit="years",
            minimum=18,
            maximum=90,
            required=True,
        ),
        Field(
            "household_type",
            "string",
            "Household at first enrollment: an adult alone, a family with children (the head of "
            "household is listed), or a young adult aged 18-24 alone.",
            categories=("individual", "family with children", "youth 18-24"),
            required=True,
        ),
        Field(
            "disabling_condition",
            "boolean",
            "HMIS 3.08: a disabling condition (physical, developmental, mental health, substance "
            "use, HIV/AIDS, chronic health) recorded at entry.",
            required=True,
        ),
        Field(
            "prior_episodes",
            "integer",
            "Episodes of homelessness in the three years before the first enrollment, as "
            "reported at entry (HMIS 3.917, capped at 6).",
            unit="episodes",
            minimum=0,
            maximum=6,
            required=True,
        ),
        Field(
            "chronically_homeless",
            "boolean",
            "Meets HUD's chronic homelessness definition at first entry (a disability and 12+ "
            "months homeless).",
            required=True,
        ),
        Field("veteran", "boolean", "HMIS 3.07 veteran status.", required=True),
        Field(
            "monthly_income_usd",
            "number",
            "Total monthly income from all sources at entry (HMIS 4.02); 0 for no income.",
            unit="US dollars per month",
            minimum=0,
            required=True,
        ),
        Field(
            "acuity_score",
            "integer",
            "Coordinated-entry assessment score at first entry (VI-SPDAT-like, higher = more "
            "vulnerable).",
            unit="points 0-17",
            minimum=0,
            maximum=17,
            required=True,
        ),
    )


def _fields_enrollments() -> tuple[Field, ...]:
    return (
        Field("enrollment_id", "string", "Unique id of the enrollment.", required=True),
        Field(
            "client_id", "string", "The person enrolled (hmis_clients.client_id).", required=True
        ),
        Field(
            "provider_id",
            "string",
            "Provider running the project (providers.provider_id).",
            required=True,
        ),
        Field(
            "project_type",
            "string",
            "Project type: ES emergency shelter, TH transitional housing, RRH rapid re-housing, "
            "PSH permanent supportive housing, PREV homelessness prevention, SO street outreach.",
            categories=("ES", "TH", "RRH", "PSH", "PREV", "SO"),
            required=True,
        ),
        Field(
            "hud_project_type",
            "integer",
            "HUD project type code (HMIS 2.02.6): 0 ES, 2 TH, 3 PSH, 4 SO, 12 PREV, 13 RRH.",
            required=True,
        ),
        Field("entry_date", "date", "Project start date.", required=True),
        Field(
            "exit_date",
            "date",
            "Project exit date; empty while the client is still enrolled at export time (and for "
            "some shelter stays whose exit was never recorded). A few rows have an exit date "
            "before the entry date: a data-entry error to flag.",
        ),
        Field(
            "destination",
            "integer",
            "Where the client went at exit (HMIS 3.12): three-digit FY2024 code (4xx permanent, "
            "3xx temporary, 2xx institutional, 1xx homeless; 8, 9, 17, 24, 30, 37, 99 other) or, "
            "for rows with data_standards_version FY2022, the legacy two-digit code. Empty when "
            "there is no exit. A few values are not valid codes (e.g. 433, 999, 0).",
        ),
        Field(
            "data_standards_version",
            "string",
            "HMIS data standards under which the exit was recorded: FY2022 (exits before "
            "1 October 2023) or FY2024.",
            categories=("FY2022", "FY2024"),
            required=True,
        ),
    )


SPECS = (
    TableSpec(
        name="hmis_clients",
        title="HMIS clients",
        description=(
            "People served by Riverton's homeless-services providers, 2022-2024, one row per "
            "person, with risk factors recorded at their first enrollment."
        ),
        primary_key=("client_id",),
        fields=_fields_clients(),
    ),
    TableSpec(
        name="hmis_enrollments",
        title="HMIS enrollments",
        description=(
            "Every enrollment (a stay in one project) with entry 1 January 2022 - 31 December "
            "2024, exported from Riverton's HMIS on 31 December 2024."
        ),
        primary_key=("enrollment_id",),
        fields=_fields_enrollments(),
    ),
    TableSpec(
        name="providers",
        title="Homeless-services providers",
        description="Organizations under contract with the city for homeless services.",
        primary_key=("provider_id",),
        fields=(
            Field("provider_id", "string", "Provider id used in HMIS.", required=True),
            Field("provider_name", "string", "Name of the organization.", required=True),
            Field(
                "project_types",
                "string",
                "Project types the provider runs (ES, TH, RRH, PSH, PREV, SO; ';'-separated).",
                required=True,
            ),
            Field("district", "string", "Council district of the main site.", required=True),
        ),
    ),
    TableSpec(
        name="provider_contracts",
        title="Provider contracts",
        description=(
            "The city's homeless-services contracts by fiscal year (Riverton's fiscal year is "
            "the calendar year), with the performance targets written into each contract."
        ),
        primary_key=("contract_id",),
        fields=(
            Field("contract_id", "string", "Contract number.", required=True),
            Field("provider_id", "string", "Contracted provider.", required=True),
            Field("fiscal_year", "integer", "Fiscal year (January-December).", required=True),
            Field("project_type", "string", "Project type funded.", required=True),
            Field(
                "amount_usd",
                "number",
                "Contract amount for the year.",
                unit="US dollars",
                minimum=0,
                required=True,
            ),
            Field(
                "target_clients",
                "integer",
                "Clients to be served (enrolled) in the year.",
                unit="people",
                minimum=0,
            ),
            Field(
                "target_exits_to_ph_rate",
                "number",
                "Target share of exits that go to permanent housing (empty for prevention).",
                unit="share 0-1",
                minimum=0,
                maximum=1,
            ),
            Field(
                "target_returns_12m_rate",
                "number",
                "Maximum share of permanent exits returning to homelessness within 12 months.",
                unit="share 0-1",
                minimum=0,
                maximum=1,
            ),
            Field(
                "target_prevention_success_rate",
                "number",
                "Prevention contracts only: target share with no shelter entry within 12 months "
                "of exit.",
                unit="share 0-1",
                minimum=0,
                maximum=1,
            ),
        ),
    ),
)

_HUD_CODES = {"ES": 0, "TH": 2, "PSH": 3, "SO": 4, "PREV": 12, "RRH": 13}


def _expit(x):
    return 1 / (1 + np.exp(-x))


def _lookup(keys: np.ndarray, table: dict, default: float | None = None) -> np.ndarray:
    """Vectorized dict lookup (keys -> float values)."""
    mapped = pd.Series(keys).map(table)
    if default is not None:
        mapped = mapped.fillna(default)
    return mapped.to_numpy(dtype=float)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """Vectorized ids: prefix + zero-padded 1..n."""
    numbers = np.char.zfill(np.arange(1, n + 1).astype(str), width)
    return np.char.add(prefix, numbers).astype(object)


def _seasonal_days(rng: np.random.Generator, n: int, start: str, end: str) -> np.ndarray:
    """Draw n dates with a winter peak and fewer weekend entries."""
    days = pd.date_range(start, end, freq="D")
    doy = days.day_of_year.to_numpy()
    weight = 1 + 0.3 * np.cos(2 * np.pi * (doy - 15) / 365.25)
    weight *= np.where(days.day_of_week.to_numpy() >= 5, 0.6, 1.1)
    idx = rng.choice(len(days), size=n, p=weight / weight.sum())
    return days.to_numpy()[idx]


def _clients(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    ids = [p for p, v in PROVIDERS.items() if v[3] > 0]
    shares = np.array([PROVIDERS[p][3] for p in ids])
    first = rng.choice(ids, size=n, p=shares / shares.sum())
    latent = rng.normal(0, 1, n) + _lookup(first, INTAKE_RISK)
    family_bias = np.where(first == "P02", 2.5, 0.0) + np.where(first == "P09", 1.0, 0.0)
    u = rng.random(n)
    p_family = _expit(-1.8 + family_bias - 0.3 * latent)
    p_youth = 0.10
    household = np.where(
        u < p_family,
        "family with children",
        np.where(u < p_family + p_youth, "youth 18-24", "individual"),
    )
    age = np.where(
        household == "youth 18-24",
        rng.integers(18, 25, n),
        np.clip(np.round(rng.normal(42, 13, n) + 3 * latent), 25, 90),
    ).astype(int)
    disability = rng.random(n) < _expit(-0.5 + 1.1 * latent)
    prior = np.minimum(rng.poisson(np.exp(-0.2 + 0.55 * latent)), 6)
    chronic = disability & (rng.random(n) < _expit(-1.0 + 1.0 * latent))
    veteran = rng.random(n) < np.where(household == "individual", 0.11, 0.02)
    has_income = rng.random(n) < _expit(0.3 - 0.7 * latent)
    income = np.where(has_income, np.round(rng.lognormal(6.9, 0.6, n), 0), 0.0)
    acuity = np.clip(
        np.round(6 + 2.2 * latent + 2 * disability + rng.normal(0, 1.5, n)), 0, 17
    ).astype(int)
    width = max(5, len(str(n)))
    frame = pd.DataFrame(
        {
            "client_id": _ids("C", n, width),
            "age": age,
            "household_type": household,
            "disabling_condition": disability,
            "prior_episodes": prior.astype(int),
            "chronically_homeless": chronic,
            "veteran": veteran,
            "monthly_income_usd": income,
            "acuity_score": acuity,
        }
    )
    return frame, first, latent


def _risk_logit(clients: pd.DataFrame) -> np.ndarray:
    c = TRUE_RISK_COEFFICIENTS
    return (
        c["disabling_condition"] * clients["disabling_condition"].to_numpy()
        + c["prior_episodes"] * clients["prior_episodes"].to_numpy()
        + c["chronically_homeless"] * clients["chronically_homeless"].to_numpy()
        + c["household_type[family with children]"]
        * (clients["household_type"].to_numpy() == "family with children")
        + c["household_type[youth 18-24]"] * (clients["household_type"].to_numpy() == "youth 18-24")
        + c["veteran"] * clients["veteran"].to_numpy()
        + c["has_income"] * (clients["monthly_income_usd"].to_numpy() > 0)
    )


def _stays(
    rng: np.random.Generator,
    client_idx: np.ndarray,
    provider: np.ndarray,
    ptype: np.ndarray,
    entry: np.ndarray,
    risk: np.ndarray,
) -> pd.DataFrame:
    """Simulate one enrollment per row: length of stay and (true) permanent exit."""
    n = len(client_idx)
    median = _lookup(ptype, {k: v[0] for k, v in _STAY.items()})
    sd = _lookup(ptype, {k: v[1] for k, v in _STAY.items()})
    los = np.maximum(1, np.round(median * np.exp(rng.normal(0, sd, n)))).astype(int)
    logit = (
        _lookup(ptype, BASE_LOGIT_PH) + _lookup(provider, TRUE_PROVIDER_EFFECTS) + risk[client_idx]
    )
    permanent = rng.random(n) < _expit(logit)
    exit_ = entry + los.astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "_client": client_idx,
            "provider_id": provider,
            "project_type": ptype,
            "entry_date": entry,
            "exit_date": exit_,
            "_permanent": permanent,
        }
    )


def _pick(rng, options: dict[str, float], n: int) -> np.ndarray:
    names = list(options)
    weights = np.array([options[k] for k in names], dtype=float)
    return rng.choice(names, size=n, p=weights / weights.sum())


def _follow_on(
    rng: np.random.Generator, stays: pd.DataFrame, latent: np.ndarray, export: np.datetime64
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Next enrollments: returns after permanent exits, transfers and re-entries otherwise."""
    done = stays[stays["exit_date"].to_numpy() <= export]
    client = done["_client"].to_numpy()
    perm = done["_permanent"].to_numpy()
    exit_ = done["exit_date"].to_numpy().astype("datetime64[D]")
    ptype = done["project_type"].to_numpy()
    prov = done["provider_id"].to_numpy()
    n = len(done)
    lat = latent[client]
    ret_logit = -1.75 + 0.45 * lat + _lookup(prov, TRUE_RETURN_EFFECTS, default=0.0)
    returns = perm & (rng.random(n) < _expit(ret_logit))
    ret_days = np.minimum(15 + rng.exponential(220, n), 2000).astype(int)
    # after a non-permanent exit: move on to housing (transfer), or back to shelter
    moves = ~perm & (ptype != "PREV") & (rng.random(n) < 0.45)
    move_days = rng.integers(0, 45, n)
    # prevention clients who lose housing anyway enter shelter (more often at higher risk)
    prev_fail = (ptype == "PREV") & (rng.random(n) < _expit(-2.0 + 0.6 * lat))
    prev_days = rng.integers(0, 540, n)
    take = returns | moves | prev_fail
    gap = np.where(returns, ret_days, np.where(moves, move_days, prev_days))
    entry = exit_ + gap.astype("timedelta64[D]")
    keep = take & (entry <= export)
    k = int(keep.sum())
    new_type = np.where(
        returns[keep] | prev_fail[keep],
        _pick(rng, {"ES": 0.75, "SO": 0.1, "TH": 0.15}, k),
        _pick(rng, {"RRH": 0.55, "TH": 0.2, "PSH": 0.1, "ES": 0.15}, k),
    )
    low_risk = lat[keep] < 0
    new_prov = np.empty(k, dtype=object)
    for t, choices in (
        ("ES", {"P01": 0.36, "P02": 0.14, "P06": 0.28, "P08": 0.22}),
        ("SO", {"P10": 1.0}),
        ("TH", {"P03": 1.0}),
        ("PSH", {"P05": 1.0}),
    ):
        mask = new_type == t
        new_prov[mask] = _pick(rng, choices, int(mask.sum()))
    rrh = new_type == "RRH"
    new_prov[rrh & low_risk] = _pick(rng, {"P04": 0.75, "P07": 0.25}, int((rrh & low_risk).sum()))
    new_prov[rrh & ~low_risk] = _pick(rng, {"P04": 0.3, "P07": 0.7}, int((rrh & ~low_risk).sum()))
    return client[keep], new_prov.astype(str), new_type.astype(str), entry[keep]


def generate(*, seed: int, scale: float = 1.0, city: City) -> dict[str, pd.DataFrame]:
    """Generate the four homeless-services tables (deterministic for a seed and scale).

    Parameters
    ----------
    seed : int, keyword-only
        Seed of the whole sample city (this family draws from its own stream).
    scale : float, keyword-only
        Multiplies the number of clients (7,000 at scale 1, about 9,300 enrollments).
    city : City, keyword-only
        The shared description of Riverton.

    Returns
    -------
    dict
        ``hmis_clients``, ``hmis_enrollments``, ``providers``, ``provider_contracts``.

    Examples
    --------
    >>> from citykit.synth._core import RIVERTON
    >>> tables = generate(seed=1, scale=0.05, city=RIVERTON)
    >>> sorted(tables)
    ['hmis_clients', 'hmis_enrollments', 'provider_contracts', 'providers']
    >>> len(tables["hmis_clients"])
    350
    """
    rng = family_rng(seed, "homeless")
    export = np.datetime64(EXPORT_DATE, "D")
    n_clients = max(200, int(round(7000 * scale)))
    clients, first, latent = _clients(rng, n_clients)
    risk = _risk_logit(clients)
    first_type = pd.Series(first).map({k: v[1][0] for k, v in PROVIDERS.items()}).to_numpy()
    first_entry = _seasonal_days(rng, n_clients, _START, EXPORT_DATE).astype("datetime64[D]")
    rounds = [_stays(rng, np.arange(n_clients), first, first_type, first_entry, risk)]
    for _ in range(3):
        c, p, t, e = _follow_on(rng, rounds[-1], latent, export)
        if len(c) == 0:
            break
        rounds.append(_stays(rng, c, p, t, e, risk))
    stays = pd.concat(rounds, ignore_index=True)
    n = len(stays)
    exit_ = stays["exit_date"].to_numpy().astype("datetime64[D]")
    entry = stays["entry_date"].to_numpy().astype("datetime64[D]")
    ptype = stays["project_type"].to_numpy()
    prov = stays["provider_id"].to_numpy()
    exited = exit_ <= export

    # destinations (FY2024 codes), then texture
    dest = np.zeros(n, dtype=float)
    perm = stays["_permanent"].to_numpy()
    for t, (codes, weights) in _PH_CODES.items():
        mask = perm & (ptype == t)
        dest[mask] = rng.choice(codes, size=int(mask.sum()), p=np.array(weights) / sum(weights))
    other_w = np.array(_OTHER_CODES[1]) / sum(_OTHER_CODES[1])
    dest[~perm] = rng.choice(_OTHER_CODES[0], size=int((~perm).sum()), p=other_w)
    no_interview = (prov == "P08") & ~perm & (rng.random(n) < 0.25)
    dest[no_interview] = 30
    missing_exit = (
        (ptype == "ES")
        & exited
        & (rng.random(n) < _lookup(prov, MISSING_EXIT_SHARE, default=_DEFAULT_MISSING_EXIT))
    )
    exited_recorded = exited & ~missing_exit
    unknown = exited_recorded & (rng.random(n) < 0.004)
    dest[unknown] = rng.choice(_UNKNOWN_CODES, size=int(unknown.sum()))
    backwards = exited_recorded & (rng.random(n) < 0.003)
    exit_out = np.where(exited_recorded, exit_, np.datetime64("NaT"))
    exit_out = np.where(
        backwards, entry - rng.integers(1, 30, n).astype("timedelta64[D]"), exit_out
    )

    # legacy coding of exits recorded before FY2024 standards took effect
    legacy = exited_recorded & (exit_ < np.datetime64(_FY2024_START.date(), "D"))
    inverse = {
        101: 1,
        302: 2,
        204: 4,
        205: 5,
        206: 6,
        207: 7,
        410: 10,
        411: 11,
        312: 12,
        313: 13,
        314: 14,
        215: 15,
        116: 16,
        118: 18,
        421: 21,
        422: 22,
        423: 23,
        225: 25,
        426: 26,
        327: 27,
        329: 29,
        332: 32,
        8: 8,
        9: 9,
        17: 17,
        24: 24,
        30: 30,
        37: 37,
        99: 99,
    }
    legacy_dest = pd.Series(dest).map(inverse).fillna(pd.Series(dest)).to_numpy(dtype=float)
    subsidized = dest == 435
    rrh_like = np.isin(ptype, ["RRH"])
    psh_like = np.isin(ptype, ["PSH"])
    other_subsidy = rng.choice([20, 33, 34, 19], size=n, p=[0.5, 0.3, 0.15, 0.05])
    legacy_dest = np.where(
        subsidized, np.where(rrh_like, 31, np.where(psh_like, 3, other_subsidy)), legacy_dest
    )
    legacy_dest = np.where(unknown, dest, legacy_dest)
    final_dest = np.where(legacy, legacy_dest, dest)
    final_dest = np.where(exited_recorded, final_dest, np.nan)

    enrollments = pd.DataFrame(
        {
            "client_id": clients["client_id"].to_numpy()[stays["_client"].to_numpy()],
            "provider_id": prov.astype(str),
            "project_type": ptype.astype(str),
            "hud_project_type": _lookup(ptype, _HUD_CODES).astype(int),
            "entry_date": pd.to_datetime(entry),
            "exit_date": pd.to_datetime(exit_out),
            "destination": pd.array(final_dest, dtype="Float64").astype("Int64"),
            "data_standards_version": np.where(legacy, "FY2022", "FY2024"),
        }
    )
    enrollments = enrollments.sort_values(
        ["entry_date", "client_id", "provider_id"], kind="mergesort"
    ).reset_index(drop=True)
    width = max(6, len(str(len(enrollments))))
    enrollments.insert(0, "enrollment_id", _ids("E", len(enrollments), width))

    providers = pd.DataFrame(
        {
            "provider_id": list(PROVIDERS),
            "provider_name": [v[0] for v in PROVIDERS.values()],
            "project_types": [";".join(v[1]) for v in PROVIDERS.values()],
            "district": [v[2] for v in PROVIDERS.values()],
        }
    )
    contracts = _contracts(rng, enrollments, scale)
    return {
        "hmis_clients": clients,
        "hmis_enrollments": enrollments,
        "providers": providers,
        "provider_contracts": contracts,
    }


#: Cost per client served, by project type (US dollars), used to size contract amounts.
_COST_PER_CLIENT = {"ES": 3200, "TH": 14000, "RRH": 9500, "PSH": 21000, "PREV": 2600, "SO": 1400}
_PH_TARGET = {"ES": 0.40, "TH": 0.60, "RRH": 0.75, "PSH": 0.80, "SO": 0.20}


def _contracts(rng: np.random.Generator, enrollments: pd.DataFrame, scale: float) -> pd.DataFrame:
    served = enrollments.assign(year=enrollments["entry_date"].dt.year)
    rows = []
    number = 1
    for year in (2023, 2024):
        for pid, (_, types, _, _) in PROVIDERS.items():
            if pid == "P11" and year == 2023:
                continue
            ptype = types[0]
            count = int(((served["provider_id"] == pid) & (served["year"] == year)).sum())
            target_clients = int(max(20, round(count * rng.uniform(0.95, 1.1) / 10) * 10))
            if pid == "P11":
                target_clients = int(max(20, round(60 * scale / 10) * 10))
            amount = round(target_clients * _COST_PER_CLIENT[ptype] * rng.uniform(0.9, 1.1), -3)
            rows.append(
                {
                    "contract_id": f"HS-{year}-{number:03d}",
                    "provider_id": pid,
                    "fiscal_year": year,
                    "project_type": ptype,
                    "amount_usd": float(amount),
                    "target_clients": target_clients,
                    "target_exits_to_ph_rate": _PH_TARGET.get(ptype, np.nan),
                    "target_returns_12m_rate": 0.15 if ptype != "PREV" else np.nan,
                    "target_prevention_success_rate": 0.85 if ptype == "PREV" else np.nan,
                }
            )
            number += 1
    out = pd.DataFrame(rows)
    out["target_clients"] = out["target_clients"].astype("Int64")
    return out
