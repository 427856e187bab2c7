"""HMIS destinations and provider outcomes with HUD definitions.

HMIS (Homeless Management Information System) exports hold one row per *enrollment*: a client's
stay in one project (shelter, transitional housing, rapid re-housing ...) from an entry date to an
exit date, with the *destination* the client went to. This module turns such an export into the
outcomes a city tracks across providers:

* exits to permanent housing (HUD System Performance Measure 7b style),
* returns to homelessness within 6, 12 and 24 months of a permanent exit (Measure 2 rules),
* prevention success (no shelter entry within N months of prevention services),
* length of stay,

by provider, project type and month, always with the counts beside the rates. One job per
module:

``destinations``
    The destination and project-type code lists, and the class of a destination code.
``enrollments``
    :func:`prepare_enrollments`: standard names, harmonized destinations, quality flags.
``quality``
    :func:`data_quality_flags`: issues counted per provider.
``outcomes``
    Exits to permanent housing, prevention success, length of stay, :func:`provider_outcomes`.
``returns``
    Returns to homelessness (SPM Measure 2 rules).
``clients``
    :func:`client_exits`: one row per exit with the client's risk factors.

Destination codes
-----------------
FY2024 HMIS data standards number destinations by class: 1xx homeless, 2xx institutional, 3xx
temporary, **4xx permanent**, 1-99 other (don't know, no exit interview ...). Exports made under
the older standards (FY2022 and before) use two-digit codes; :data:`LEGACY_TO_FY2024` maps them
onto FY2024 codes (rentals with a subsidy all become 435 "rental by client, with ongoing housing
subsidy", the subsidy type moving to a separate field). A row's standard is read from a
``data_standards_version`` column when there is one, otherwise from the code itself (FY2024 codes
are >= 100; the codes 8, 9, 17, 24, 30, 37, 99 mean the same in both).

Data quality
------------
:func:`prepare_enrollments` adds the harmonized destination and a ``dq_issue`` column. Rows with
an issue (exit before entry, unknown destination code, an exit with no destination ...) are kept
and flagged; the outcome functions leave them out of rates and report how many were left out, so
that a provider's data problems are visible rather than silently changing its numbers.

Examples
--------
>>> classify_destination(410)
'permanent'
>>> classify_destination(31, version="FY2022")
'permanent'
"""

from __future__ import annotations

from citykit.contracting.hmis.clients import client_exits
from citykit.contracting.hmis.destinations import (
    DESTINATIONS_FY2024,
    DESTINATIONS_LEGACY,
    INDEX_EXIT_PROJECT_TYPES,  # noqa: F401  (importable from here)
    LEGACY_TO_FY2024,
    LIKELY_MISSING_EXIT_DAYS,
    PROJECT_TYPES,
    RETURN_PROJECT_TYPES,
    SHELTER_PROJECT_TYPES,
    SPM_7B1_EXCLUDED_DESTINATIONS,
    classify_destination,
    destination_codes,
)
from citykit.contracting.hmis.enrollments import prepare_enrollments
from citykit.contracting.hmis.outcomes import (
    exits_to_permanent_housing,
    length_of_stay,
    prevention_outcomes,
    provider_outcomes,
)
from citykit.contracting.hmis.quality import data_quality_flags
from citykit.contracting.hmis.returns import return_episodes, returns_to_homelessness

__all__ = [
    "DESTINATIONS_FY2024",
    "DESTINATIONS_LEGACY",
    "LEGACY_TO_FY2024",
    "PROJECT_TYPES",
    "RETURN_PROJECT_TYPES",
    "SHELTER_PROJECT_TYPES",
    "LIKELY_MISSING_EXIT_DAYS",
    "SPM_7B1_EXCLUDED_DESTINATIONS",
    "destination_codes",
    "classify_destination",
    "prepare_enrollments",
    "data_quality_flags",
    "exits_to_permanent_housing",
    "return_episodes",
    "returns_to_homelessness",
    "prevention_outcomes",
    "length_of_stay",
    "client_exits",
    "provider_outcomes",
]
