"""Riverton's monthly department performance measures (the stat-meeting scorecard).

One row per department, measure and month from January 2023 to December 2024, as a performance
office would export it from its scorecard spreadsheet: the value, its unit, the target, which
direction is better and who owns the measure. Shares come from binomial counts (``cases`` holds
the number of requests or inspections behind the share), times and rates carry seasonal swings
and month-to-month noise.

Ground truth hidden in the data
-------------------------------
:data:`SHIFTS`
    Real changes in the process at a known month: Sanitation's same-day dispatch from April 2024
    (the same change hidden in the 311 requests) lifts its two on-time shares; Parks' playground
    inspections fall behind from July 2024, when two inspector posts went vacant.
:data:`MISSED_TARGETS`
    Measures whose true level misses the target all along (the target is aspirational or the
    process cannot meet it without change).
:data:`MISSING_MONTHS`
    Months for which a department filed no report: those rows are absent from the export, as
    they are in real scorecards.

The table is a monthly summary, so its size is fixed (24 months x 18 measures, less the missing
months); ``scale`` does not change it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.synth._core import City, Field, TableSpec, family_rng

__all__ = ["SPECS", "MEASURES", "SHIFTS", "MISSED_TARGETS", "MISSING_MONTHS", "generate"]

#: (department, measure) -> (kind, unit, direction, target, true level, cases per month or noise,
#: seasonal amplitude, seasonal peak month, owner)
MEASURES = {
    ("Public Works", "Potholes repaired within 5 days"): (
        "share", "share of repairs", "up", 0.85, 0.89, 420, -0.05, 3, "Streets Division Manager"),
    ("Public Works", "Median days to repair a streetlight"): (
        "days", "days", "down", 5.0, 4.2, 0.35, 0.6, 12, "Electrical Section Chief"),
    ("Public Works", "Sidewalk panels replaced"): (
        "count", "panels", "up", 120, 135, 0, 45, 7, "Concrete Crew Supervisor"),
    ("Transportation", "Traffic signals repaired within 2 days"): (
        "share", "share of repairs", "up", 0.90, 0.86, 110, 0.0, 0, "Signal Shop Manager"),
    ("Transportation", "Abandoned vehicles removed within 10 days"): (
        "share", "share of requests", "up", 0.80, 0.84, 290, 0.0, 0, "Parking Enforcement Chief"),
    ("Transportation", "Parking complaints answered within 3 days"): (
        "share", "share of requests", "up", 0.75, 0.78, 330, 0.0, 0, "Parking Enforcement Chief"),
    ("Parks and Recreation", "Playground inspections on schedule"): (
        "share", "share of inspections", "up", 0.95, 0.965, 160, 0.0, 0, "Parks Safety Officer"),
    ("Parks and Recreation", "Median days to trim a tree"): (
        "days", "days", "down", 21.0, 16.5, 1.6, 3.0, 7, "City Forester"),
    ("Parks and Recreation", "Park maintenance requests closed within 10 days"): (
        "share", "share of requests", "up", 0.80, 0.83, 190, -0.05, 6, "Grounds Superintendent"),
    ("Code Enforcement", "Complaints inspected within 7 days"): (
        "share", "share of complaints", "up", 0.80, 0.72, 250, 0.0, 0, "Chief Code Officer"),
    ("Code Enforcement", "Median days to first inspection"): (
        "days", "days", "down", 5.0, 5.9, 0.45, 0.5, 7, "Chief Code Officer"),
    ("Code Enforcement", "Cases closed"): (
        "count", "cases", "up", 300, 322, 0, 25, 8, "Code Enforcement Director"),
    ("Sanitation", "Missed pickups resolved next day"): (
        "share", "share of requests", "up", 0.85, 0.70, 560, 0.0, 0, "Collections Superintendent"),
    ("Sanitation", "Illegal dumping cleared within 7 days"): (
        "share", "share of requests", "up", 0.80, 0.77, 300, -0.03, 5, "Collections Superintendent"),
    ("Sanitation", "Share of waste recycled"): (
        "share", "share of tons", "up", 0.30, 0.265, 2400, 0.0, 0, "Recycling Coordinator"),
    ("Water Utility", "Water leaks repaired within 3 days"): (
        "share", "share of repairs", "up", 0.90, 0.93, 180, -0.03, 1, "Distribution Manager"),
    ("Water Utility", "Calls answered within 60 seconds"): (
        "share", "share of calls", "up", 0.80, 0.815, 2100, -0.04, 8, "Customer Service Manager"),
    ("Water Utility", "Main breaks per 100 miles of pipe"): (
        "rate", "breaks per 100 miles", "down", 2.0, 1.55, 0.25, 0.7, 1, "Distribution Manager"),
}  # fmt: skip

#: Real process changes: (department, measure) -> first month of the change and the new level.
SHIFTS = {
    ("Sanitation", "Missed pickups resolved next day"): {"month": "2024-04", "level": 0.92},
    ("Sanitation", "Illegal dumping cleared within 7 days"): {"month": "2024-04", "level": 0.90},
    ("Parks and Recreation", "Playground inspections on schedule"): {
        "month": "2024-07",
        "level": 0.86,
    },
}

#: Measures whose true level misses the target for the whole two years.
MISSED_TARGETS = (
    ("Transportation", "Traffic signals repaired within 2 days"),
    ("Code Enforcement", "Complaints inspected within 7 days"),
    ("Code Enforcement", "Median days to first inspection"),
    ("Sanitation", "Share of waste recycled"),
)

#: Months with no report filed (rows absent from the export).
MISSING_MONTHS = (
    ("Code Enforcement", "Cases closed", "2023-08"),
    ("Parks and Recreation", "Median days to trim a tree", "2023-12"),
    ("Transportation", "Parking complaints answered within 3 days", "2024-02"),
    ("Water Utility", "Main breaks per 100 miles of pipe", "2024-09"),
    ("Water Utility", "Main breaks per 100 miles of pipe", "2024-10"),
)

SPECS = (
    TableSpec(
        name="department_measures",
        title="Monthly department performance measures",
        description=(
            "Riverton's stat-meeting scorecard: one row per department, measure and month, "
            "January 2023 to December 2024, with the target, the desired direction and the "
            "owner. A few months were never reported and their rows are absent."
        ),
        fields=(
            Field(
                "department",
                "string",
                "City department that reports the measure.",
                categories=(
                    "Public Works",
                    "Transportation",
                    "Parks and Recreation",
                    "Code Enforcement",
                    "Sanitation",
                    "Water Utility",
                ),
                required=True,
            ),  # fmt: skip
            Field("measure", "string", "Name of the performance measure.", required=True),
            Field("month", "date", "First day of the month reported.", required=True),
            Field(
                "value",
                "number",
                "The measure's value for the month, in `unit` (shares are 0-1, not percent).",
                required=True,
            ),
            Field("unit", "string", "Unit of `value` and `target`.", required=True),
            Field(
                "cases",
                "integer",
                "Number of requests, repairs, inspections, calls or tons behind a share (its "
                "denominator); empty for medians, counts and rates.",
                unit="cases",
                minimum=0,
            ),
            Field("target", "number", "The value the department committed to.", required=True),
            Field(
                "direction",
                "string",
                "Which way is better: 'up' (higher is better) or 'down' (lower is better).",
                categories=("up", "down"),
                required=True,
            ),
            Field("owner", "string", "Manager who answers for the measure.", required=True),
        ),
        primary_key=("department", "measure", "month"),
    ),
)


def _seasonal(month_index: np.ndarray, peak: int) -> np.ndarray:
    """A yearly cosine equal to 1 in the peak month and -1 six months later (0 if no peak)."""
    if peak == 0:
        return np.zeros(len(month_index))
    month_of_year = month_index % 12 + 1
    return np.cos(2 * np.pi * (month_of_year - peak) / 12)


def generate(*, seed: int, scale: float = 1.0, city: City) -> dict[str, pd.DataFrame]:
    """Return ``{"department_measures": DataFrame}`` (deterministic for a given seed).

    ``scale`` is accepted for the family contract; a monthly summary does not grow with it.
    """
    rng = family_rng(seed, "measures")
    months = pd.date_range(city.start, city.end, freq="MS")
    index = np.arange(len(months))
    frames = []
    missing = {(d, m, month) for d, m, month in MISSING_MONTHS}
    for (department, name), spec in MEASURES.items():
        kind, unit, direction, target, level, spread, amplitude, peak, owner = spec
        season = _seasonal(index, peak)
        levels = np.full(len(months), float(level))
        shift = SHIFTS.get((department, name))
        if shift is not None:
            after = months >= pd.Timestamp(shift["month"] + "-01")
            levels = np.where(after, shift["level"], levels)
        cases = np.full(len(months), np.nan)
        if kind == "share":
            n = rng.poisson(spread * (1 + 0.15 * season), len(months))
            n = np.maximum(n, 20)
            p = np.clip(levels + amplitude * season, 0.01, 0.995)
            # extra month-to-month variation beyond the binomial (crews, weather, staffing)
            p = np.clip(p + rng.normal(0, 0.012, len(months)), 0.01, 0.995)
            value = rng.binomial(n, p) / n
            cases = n.astype(float)
        elif kind == "days":
            value = (levels + amplitude * season) * np.exp(
                rng.normal(0, spread / level, len(months))
            )
        elif kind == "count":
            value = rng.poisson(np.maximum(levels + amplitude * season, 1)).astype(float)
        else:  # rate
            mean = np.maximum(levels + amplitude * season, 0.05)
            value = rng.gamma(shape=(mean / spread) ** 2, scale=spread**2 / mean)
        frame = pd.DataFrame(
            {
                "department": department,
                "measure": name,
                "month": months,
                "value": np.round(value, 4),
                "unit": unit,
                "cases": pd.array(cases, dtype="Int64") if kind == "share" else pd.NA,
                "target": float(target),
                "direction": direction,
                "owner": owner,
            }
        )
        keep = [(department, name, m.strftime("%Y-%m")) not in missing for m in frame["month"]]
        frames.append(frame[keep])
    table = pd.concat(frames, ignore_index=True)
    table["cases"] = table["cases"].astype("Int64")
    return {"department_measures": table}
