"""Riverton's 311 service requests: two years of calls, app reports and web forms.

The table has the texture of a real 311 export: more requests on weekdays, potholes in late
winter, grass and trees in summer, right-skewed times to close, requests still open at the end of
the export, a few cancelled ones, some with no district, and a handful closed *before* they were
opened (a data-entry error real exports carry).

Ground truth hidden in the data
-------------------------------
:data:`PROCESS_CHANGE`: from April 2024 the Sanitation department dispatches missed-pickup and
dumping crews by route the same day, so its requests close much faster. Nothing in the table says
so; a control chart of Sanitation's monthly median days to close (or on-time share) must find it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.synth._core import City, Field, TableSpec, family_rng

__all__ = ["SPECS", "SERVICE_TYPES", "PROCESS_CHANGE", "generate"]

#: service type -> (department, service level in days, share of requests, seasonal peak month or 0)
SERVICE_TYPES = {
    "Pothole": ("Public Works", 5, 0.11, 3),
    "Streetlight Out": ("Public Works", 7, 0.07, 12),
    "Sidewalk Repair": ("Public Works", 30, 0.04, 0),
    "Traffic Signal Malfunction": ("Transportation", 2, 0.04, 0),
    "Abandoned Vehicle": ("Transportation", 10, 0.07, 0),
    "Parking Complaint": ("Transportation", 3, 0.08, 0),
    "Park Maintenance": ("Parks and Recreation", 10, 0.05, 6),
    "Tree Trimming": ("Parks and Recreation", 30, 0.05, 7),
    "Code Violation": ("Code Enforcement", 21, 0.06, 0),
    "Overgrown Lot": ("Code Enforcement", 14, 0.05, 7),
    "Missed Trash Pickup": ("Sanitation", 2, 0.14, 0),
    "Illegal Dumping": ("Sanitation", 7, 0.08, 5),
    "Bulk Item Pickup": ("Sanitation", 7, 0.06, 5),
    "Water Leak": ("Water Utility", 3, 0.06, 1),
    "Low Water Pressure": ("Water Utility", 5, 0.04, 8),
}

#: The real process change hidden in the data (the ground truth a control chart must find).
PROCESS_CHANGE = {
    "department": "Sanitation",
    "service_types": ("Missed Trash Pickup", "Illegal Dumping", "Bulk Item Pickup"),
    "month": "2024-04",
    "time_to_close_factor": 0.5,
}

CHANNELS = ("Phone", "Mobile app", "Web", "Walk-in", "Email")
STATUSES = ("Closed", "Open", "Cancelled")

#: Requests per day across the city at scale 1 (about 50,000 over two years).
DAILY_VOLUME = 76.0

SPECS = (
    TableSpec(
        name="service_requests",
        title="311 service requests",
        description=(
            "Every request made to Riverton 311 from 1 January 2023 to 31 December 2024, one row "
            "per request, as exported from the city's customer-service system on 31 December 2024."
        ),
        primary_key=("request_id",),
        fields=(
            Field("request_id", "integer", "Unique number of the request.", required=True),
            Field(
                "opened_at",
                "datetime",
                "When the request was received (local time).",
                required=True,
            ),
            Field(
                "closed_at",
                "datetime",
                "When the department marked the request closed (local time). Empty while the "
                "request is still open. A few rows are closed before they were opened: a known "
                "data-entry error in the export.",
            ),
            Field(
                "status",
                "string",
                "State of the request at export time: Closed, Open, or Cancelled (withdrawn or "
                "a duplicate of another request).",
                categories=STATUSES,
                required=True,
            ),
            Field(
                "department",
                "string",
                "City department responsible for the request.",
                categories=(
                    "Public Works",
                    "Transportation",
                    "Parks and Recreation",
                    "Code Enforcement",
                    "Sanitation",
                    "Water Utility",
                ),
                required=True,
            ),
            Field(
                "service_type",
                "string",
                "What the resident asked for.",
                categories=tuple(SERVICE_TYPES),
                required=True,
            ),
            Field(
                "district",
                "string",
                "Council district of the address. Empty when the address could not be geocoded.",
                categories=(
                    "Riverside",
                    "Old Town",
                    "Mill Creek",
                    "Northgate",
                    "Eastview",
                    "Harbor",
                    "University",
                    "Southpark",
                    "Cedar Hills",
                    "Westfield",
                    "Lakeshore",
                    "Fairview",
                ),
            ),
            Field(
                "channel",
                "string",
                "How the request reached 311.",
                categories=CHANNELS,
                required=True,
            ),
            Field(
                "sla_days",
                "integer",
                "Service level: the number of days within which the department promises to "
                "close this type of request.",
                unit="days",
                required=True,
                minimum=1,
            ),
        ),
    ),
)


def _seasonal(day_of_year: np.ndarray, peak_month: int) -> np.ndarray:
    """Multiplicative seasonality peaking mid-``peak_month`` (flat when 0)."""
    if not peak_month:
        return np.ones_like(day_of_year, dtype=float)
    peak = (peak_month - 0.5) * 30.4
    return 1.0 + 0.45 * np.cos(2 * np.pi * (day_of_year - peak) / 365.25)


def generate(*, seed: int, scale: float, city: City) -> dict[str, pd.DataFrame]:
    """Generate the ``service_requests`` table (about ``50,000 * scale`` rows).

    Examples
    --------
    >>> from citykit.synth._core import RIVERTON
    >>> table = generate(seed=1, scale=0.02, city=RIVERTON)["service_requests"]
    >>> list(table.columns)[:3]
    ['request_id', 'opened_at', 'closed_at']
    """
    rng = family_rng(seed, "requests311")
    days = city.days
    doy = days.day_of_year.to_numpy()
    weekday = np.where(days.day_of_week.to_numpy() >= 5, 0.55, 1.0)
    weekday = weekday * np.where(days.day_of_week.to_numpy() == 0, 1.2, 1.0)
    trend = np.linspace(0.95, 1.05, len(days))

    types = list(SERVICE_TYPES)
    shares = np.array([SERVICE_TYPES[t][2] for t in types])
    shares = shares / shares.sum()
    # expected requests per (day, type), then Poisson counts
    lam = np.stack(
        [
            DAILY_VOLUME * scale * s * weekday * trend * _seasonal(doy, SERVICE_TYPES[t][3])
            for t, s in zip(types, shares, strict=True)
        ],
        axis=1,
    )
    counts = rng.poisson(lam)
    day_idx, type_idx = np.nonzero(counts)
    reps = counts[day_idx, type_idx]
    day_idx = np.repeat(day_idx, reps)
    type_idx = np.repeat(type_idx, reps)
    n = len(day_idx)

    # channel: the app grows over the two years at the expense of the phone
    # (the running sums of the shares, added in the order np.cumsum would, one at a time: a
    # rows x channels matrix would not fit in memory at city scale)
    progress = day_idx / max(len(days) - 1, 1)
    u = rng.random(n)
    app = 0.22 + 0.16 * progress
    del progress
    shares = [app, np.full(n, 0.20), np.full(n, 0.03), np.full(n, 0.02)]
    running = 1 - app
    for share in shares[1:]:
        running = running - share
    channel_idx = np.zeros(n, dtype=np.int64)
    for share in shares:
        channel_idx += u > running
        running = running + share
    channel_idx += u > running
    del shares, app, running, u
    channel_idx = np.minimum(channel_idx, len(CHANNELS) - 1)

    # time of day: phone and walk-in in office hours, the rest at any hour
    office = np.isin(channel_idx, (0, 3))
    hours = np.where(office, rng.uniform(8, 17.5, n), (rng.normal(14, 4.5, n) % 24))
    opened = days[day_idx].to_numpy() + (hours * 3600 * 1e9).astype("timedelta64[ns]")
    opened = opened.astype("datetime64[s]")

    # text columns are built from codes at the end: one shared string per category, not a
    # copy per row (five million rows of text would not fit in memory at city scale)
    sla_of = np.array([SERVICE_TYPES[t][1] for t in types])
    sla = sla_of[type_idx]

    # time to close: log-normal around a share of the service level, departments differ
    dept_speed = {
        "Public Works": 0.85,
        "Transportation": 0.7,
        "Parks and Recreation": 0.9,
        "Code Enforcement": 1.05,
        "Sanitation": 1.25,
        "Water Utility": 0.6,
    }
    speed = np.array([dept_speed[SERVICE_TYPES[t][0]] for t in types])[type_idx]
    median_days = sla * 0.55 * speed
    # the hidden process change
    change_start = np.datetime64(pd.Timestamp(PROCESS_CHANGE["month"] + "-01"), "s")
    changed_types = [types.index(t) for t in PROCESS_CHANGE["service_types"]]
    changed = np.isin(type_idx, changed_types) & (opened >= change_start)
    median_days = np.where(
        changed, median_days * PROCESS_CHANGE["time_to_close_factor"], median_days
    )
    # busy seasons are slower
    season_load = _seasonal(doy[day_idx], 3) ** 0.2
    duration_days = median_days * season_load * np.exp(rng.normal(0, 0.75, n))
    duration_days = np.maximum(duration_days, 0.02)
    closed = opened + (duration_days * 86400).astype("timedelta64[s]")

    export_time = np.datetime64(pd.Timestamp(city.end) + pd.Timedelta(hours=23, minutes=59), "s")
    still_open = closed > export_time
    cancelled = rng.random(n) < 0.02
    status = np.where(still_open, STATUSES.index("Open"), STATUSES.index("Closed"))
    status = np.where(cancelled & ~still_open, STATUSES.index("Cancelled"), status)
    closed_text = closed.astype("datetime64[ns]")
    closed_text = np.where(still_open, np.datetime64("NaT"), closed_text)
    # cancelled requests are closed within a day
    quick = opened + (rng.uniform(0.05, 1.0, n) * 86400).astype("timedelta64[s]")
    closed_text = np.where(cancelled & ~still_open, quick.astype("datetime64[ns]"), closed_text)
    # data-entry errors: closed a few hours *before* opened
    typo = (rng.random(n) < 0.002) & (status == STATUSES.index("Closed"))
    before = opened - (rng.uniform(1, 30, n) * 3600).astype("timedelta64[s]")
    closed_text = np.where(typo, before.astype("datetime64[ns]"), closed_text)

    weights = np.array(city.district_population, dtype=float)
    district = np.array(city.districts, dtype=object)[
        rng.choice(len(city.districts), size=n, p=weights / weights.sum())
    ]
    district = np.where(rng.random(n) < 0.015, None, district)

    order = np.argsort(opened, kind="stable")

    def text(labels, codes):
        return np.array(labels, dtype=object)[codes[order]]

    table = pd.DataFrame(
        {
            "request_id": np.arange(1, n + 1) + 230_000_000,
            "opened_at": pd.to_datetime(opened[order]),
            "closed_at": pd.to_datetime(closed_text[order]).floor("s"),
            "status": text(STATUSES, status),
            "department": text([SERVICE_TYPES[t][0] for t in types], type_idx),
            "service_type": text(types, type_idx),
            "district": district[order],
            "channel": text(CHANNELS, channel_idx),
            "sla_days": sla[order],
        }
    )
    return {"service_requests": table}
