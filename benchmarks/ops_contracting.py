"""HMIS outcomes and risk adjustment: citykit.contracting against independent references.

* Provider outcomes (2024): ``contracting.provider_outcomes`` against DuckDB SQL: per provider,
  clean exits, exits to permanent housing and their rate, the 12-month returns of permanent exits
  made in 2023 (one-year look-back), the median length of stay and the flagged rows.
* Returns to homelessness (HUD System Performance Measure 2, report year 2024, two-year
  look-back): ``contracting.returns_to_homelessness`` against DuckDB SQL: per provider and exit
  project type, the earliest permanent exit of each person in 2022 and returns within 6, 12 and
  24 months (a TH/RRH/PSH entry counts only more than 14 days after the exit).
* Risk adjustment of shelter exits to permanent housing: ``contracting.risk_adjust`` against a
  binomial GLM fitted with statsmodels directly on the same design, with observed and expected
  counts per provider.

The SQL follows methods.md §3.3 and the functions' documented rules (destination classes of the
FY2024 and FY2022 code lists chosen by each row's data-standards version; rows with a
data-quality problem left out of every count but ``flagged_rows``; exits to the destinations
HUD leaves out of SPM Measure 7b.1 -- hospital, foster care, long-term care, deceased -- left out
of the exits); it does not call the toolkit. The enrollments are a native DuckDB table built
before the clock starts; deriving the prepared table from it is timed, as the toolkit prepares
the enrollments in every call.
Counts must agree exactly, rates and coefficients to a relative 1e-9.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from citykit.synth import homeless

from benchmarks.harness import Op, register

REPORT_START, REPORT_END = "2024-01-01", "2024-12-31"
RISK_FACTORS = list(homeless.RISK_FACTORS)

# HMIS destination codes (methods.md §3.3): FY2024 three-digit list and its permanent class;
# the FY2022-and-earlier two-digit list and its permanent class (SPM v3.1).
FY2024_CODES = (
    "101, 116, 118, 204, 205, 206, 207, 215, 225, 302, 312, 313, 314, 327, 329, 332, "
    "410, 411, 421, 422, 423, 426, 435, 8, 9, 17, 24, 30, 37, 99"
)
FY2024_PERMANENT = "410, 411, 421, 422, 423, 426, 435"
LEGACY_CODES = ", ".join(str(c) for c in [*range(1, 35), 37, 99])
LEGACY_PERMANENT = "3, 10, 11, 19, 20, 21, 22, 23, 26, 28, 31, 33, 34"
PROJECT_TYPES = "'ES', 'TH', 'PSH', 'SO', 'SH', 'PREV', 'RRH'"

# One row per enrollment with the harmonized outcome and a data-quality verdict. The export date
# is the latest entry or exit date; a repeated enrollment id is flagged after its first row.
ENROLLMENTS_SQL = f"""
WITH versions AS (
    SELECT version,
           coalesce(TRY_CAST(left(regexp_replace(upper(version), '[^0-9]', '', 'g'), 4)
                    AS INTEGER) < 2024, false) AS legacy
    FROM (SELECT DISTINCT CAST(data_standards_version AS VARCHAR) AS version FROM frame)
), repeated_ids AS (
    SELECT enrollment_id, min(_row) AS first_row
    FROM frame GROUP BY enrollment_id HAVING count(*) > 1
), raw AS (
    SELECT f.*,
           CAST(f.entry_date AS DATE) AS entry_day,
           CAST(f.exit_date AS DATE) AS exit_day,
           coalesce(v.legacy, false) AS legacy,
           coalesce(f._row > d.first_row, false) AS repeated
    FROM frame f
    LEFT JOIN versions v ON v.version = CAST(f.data_standards_version AS VARCHAR)
    LEFT JOIN repeated_ids d ON d.enrollment_id = f.enrollment_id
), coded AS (
    SELECT *,
           CASE WHEN legacy THEN destination IN ({LEGACY_CODES})
                ELSE destination IN ({FY2024_CODES}) END AS known,
           CASE WHEN legacy THEN destination IN ({LEGACY_PERMANENT})
                ELSE destination IN ({FY2024_PERMANENT}) END AS permanent_code
    FROM raw
)
SELECT enrollment_id, client_id, provider_id, CAST(project_type AS VARCHAR) AS project_type,
       entry_day, exit_day,
       exit_day IS NOT NULL AND coalesce(known AND permanent_code, false) AS permanent,
       coalesce(CASE WHEN legacy THEN destination IN (6, 15, 25, 24)
                     ELSE destination IN (206, 215, 225, 24) END, false) AS excluded_destination,
       NOT (entry_day IS NULL
            OR coalesce(exit_date < entry_date, false)
            OR coalesce(entry_date > (SELECT greatest(max(entry_date), max(exit_date))
                                      FROM frame), false)
            OR repeated
            OR coalesce(CAST(project_type AS VARCHAR) NOT IN ({PROJECT_TYPES}), true)
            OR (exit_day IS NOT NULL AND destination IS NOT NULL AND NOT known)
            OR (exit_day IS NOT NULL AND destination IS NULL)
            OR (exit_day IS NULL AND destination IS NOT NULL)) AS clean
FROM coded
"""


def _returns_sql(start: str, end: str, lookback: int) -> str:
    """CTEs ``index_exits``, ``first_return`` and ``episodes`` of SPM Measure 2.

    Index exit: each person's earliest permanent exit ``lookback`` days before the window; first
    return: days to the first later qualifying entry (NULL when none within ``lookback`` days).
    """
    return f"""index_exits AS (
        SELECT client_id, enrollment_id, provider_id, project_type, exit_day
        FROM enrollments
        WHERE clean AND permanent
          AND project_type IN ('SO', 'ES', 'SH', 'TH', 'RRH', 'PSH')
          AND exit_day BETWEEN DATE '{start}' - INTERVAL {lookback} DAY
                           AND DATE '{end}' - INTERVAL {lookback} DAY
        QUALIFY row_number() OVER (PARTITION BY client_id ORDER BY exit_day, enrollment_id) = 1
    ), first_return AS (
        SELECT i.client_id, min(date_diff('day', i.exit_day, r.entry_day)) AS days
        FROM index_exits i
        JOIN enrollments r
          ON r.client_id = i.client_id AND r.enrollment_id <> i.enrollment_id
        WHERE r.clean
          AND r.project_type IN ('ES', 'SH', 'SO', 'TH', 'RRH', 'PSH')
          AND date_diff('day', i.exit_day, r.entry_day) BETWEEN 0 AND {lookback}
          AND (r.project_type NOT IN ('TH', 'RRH', 'PSH')
               OR date_diff('day', i.exit_day, r.entry_day) > 14)
        GROUP BY i.client_id
    ), episodes AS (
        SELECT i.*, f.days FROM index_exits i LEFT JOIN first_return f USING (client_id)
    )"""


def _load(data_dir: Path) -> dict:
    import duckdb  # noqa: F401  (imported before timing, like the toolkit)
    import statsmodels.api  # noqa: F401
    from citykit import contracting, datasets  # noqa: F401

    return {"enrollments": datasets.load("hmis_enrollments", data_dir=data_dir)}


def _duckdb_load(data_dir: Path) -> dict:
    """A DuckDB connection with the enrollments as a native table ``frame`` (built untimed)."""
    import duckdb

    enrollments = _load(data_dir)["enrollments"]
    rows = enrollments.assign(_row=np.arange(len(enrollments)))
    con = duckdb.connect()
    con.execute("CREATE TABLE frame AS SELECT * FROM rows")
    del enrollments, rows
    return {"con": con}


def _enrollments_table(inputs: dict):
    """The connection with the table ``enrollments`` (see :data:`ENROLLMENTS_SQL`).

    It is derived once per query from the native table, as the toolkit prepares the
    enrollments once per call: the preparation is timed, the conversion from pandas is not.
    """
    con = inputs["con"]
    con.execute(f"CREATE OR REPLACE TEMP TABLE enrollments AS {ENROLLMENTS_SQL}")
    return con


# --- provider outcomes ---------------------------------------------------------------------------


def _outcomes_toolkit(inputs: dict):
    from citykit import contracting

    out = contracting.provider_outcomes(
        inputs["enrollments"], start=REPORT_START, end=REPORT_END, as_of=REPORT_END
    )
    return out.assign(provider_id=out["provider_id"].astype(str)).reset_index(drop=True)


def _outcomes_reference(inputs: dict):
    con = _enrollments_table(inputs)
    sql = f"""
    WITH {_returns_sql(REPORT_START, REPORT_END, 365)},
    in_window AS (
        SELECT * FROM enrollments
        WHERE exit_day BETWEEN DATE '{REPORT_START}' AND DATE '{REPORT_END}'
    ), housing AS (
        SELECT provider_id,
               count(*) FILTER (WHERE clean AND NOT excluded_destination) AS exits,
               count(*) FILTER (WHERE clean AND NOT excluded_destination AND permanent)
                   AS permanent_exits,
               quantile_cont(date_diff('day', entry_day, exit_day), 0.5)
                   FILTER (WHERE clean) AS median_stay_days
        FROM in_window GROUP BY provider_id
    ), returns AS (
        SELECT provider_id, count(*) AS returns_base,
               count(*) FILTER (WHERE days <= 365) AS returns_12m
        FROM episodes GROUP BY provider_id
    ), flagged AS (
        SELECT provider_id, count(*) FILTER (WHERE NOT clean) AS flagged_rows
        FROM enrollments WHERE provider_id IS NOT NULL GROUP BY provider_id
    )
    SELECT f.provider_id,
           coalesce(h.exits, 0) AS exits,
           coalesce(h.permanent_exits, 0) AS permanent_exits,
           h.permanent_exits / nullif(h.exits, 0) AS ph_rate,
           coalesce(r.returns_base, 0) AS returns_base,
           coalesce(r.returns_12m, 0) AS returns_12m,
           r.returns_12m / nullif(r.returns_base, 0) AS return_rate_12m,
           h.median_stay_days,
           f.flagged_rows
    FROM flagged f
    LEFT JOIN housing h USING (provider_id)
    LEFT JOIN returns r USING (provider_id)
    ORDER BY f.provider_id
    """
    return con.sql(sql).df()


# --- returns to homelessness (SPM Measure 2) -----------------------------------------------------


def _returns_toolkit(inputs: dict):
    from citykit import contracting

    out = contracting.returns_to_homelessness(
        inputs["enrollments"],
        start=REPORT_START,
        end=REPORT_END,
        by=["provider_id", "project_type"],
        lookback_days=730,
        as_of=REPORT_END,
    )
    return out.assign(
        provider_id=out["provider_id"].astype(str), project_type=out["project_type"].astype(str)
    ).reset_index(drop=True)


def _returns_reference(inputs: dict):
    con = _enrollments_table(inputs)
    horizons = (("6m", 180), ("12m", 365), ("24m", 730))
    counts = ", ".join(
        f"count(*) FILTER (WHERE days <= {days}) AS returns_{label}" for label, days in horizons
    )
    columns = ", ".join(
        f"returns_{label}, returns_{label} / permanent_exits AS rate_{label}"
        for label, _ in horizons
    )
    sql = f"""
    WITH {_returns_sql(REPORT_START, REPORT_END, 730)},
    grouped AS (
        SELECT provider_id, project_type, count(*) AS permanent_exits, {counts}
        FROM episodes GROUP BY provider_id, project_type
    ), set_aside AS (  -- flagged exits that could have been index exits, counted per group
        SELECT provider_id, project_type, count(*) AS excluded
        FROM enrollments
        WHERE NOT clean AND exit_day IS NOT NULL AND project_type IS NOT NULL
          AND (project_type IN ('SO', 'ES', 'SH', 'TH', 'RRH', 'PSH')
               OR project_type NOT IN ({PROJECT_TYPES}))
          AND exit_day BETWEEN DATE '{REPORT_START}' - INTERVAL 730 DAY
                           AND DATE '{REPORT_END}' - INTERVAL 730 DAY
        GROUP BY provider_id, project_type
    )
    SELECT provider_id, project_type, coalesce(permanent_exits, 0) AS permanent_exits,
           {columns}, coalesce(excluded, 0) AS excluded
    FROM grouped FULL JOIN set_aside USING (provider_id, project_type)
    ORDER BY provider_id, project_type
    """
    return con.sql(sql).df()


# --- risk adjustment -----------------------------------------------------------------------------


def _risk_load(data_dir: Path) -> dict:
    # Imported before timing, as for the reference: the model, and what risk_adjust imports
    # on first use for the exact intervals and p-values.
    import scipy.stats  # noqa: F401
    import statsmodels.api
    import statsmodels.stats.multitest
    import statsmodels.stats.rates  # noqa: F401
    from citykit import contracting, datasets

    exits = contracting.client_exits(
        datasets.load("hmis_enrollments", data_dir=data_dir),
        clients=datasets.load("hmis_clients", data_dir=data_dir),
        project_types=("ES",),
    )
    return {"exits": exits[["provider_id", "exit_ph", *RISK_FACTORS]]}


def _risk_toolkit(inputs: dict):
    from citykit import contracting

    fit = contracting.risk_adjust(inputs["exits"], outcome="exit_ph", risk_factors=RISK_FACTORS)
    table = fit.table
    return {
        "terms": list(fit.coefficients["term"]),
        "estimate": fit.coefficients["estimate"].to_numpy(float),
        "std_error": fit.coefficients["std_error"].to_numpy(float),
        "providers": [str(p) for p in table["provider_id"]],
        "observed": table["observed"].to_numpy(int),
        "expected": table["expected"].to_numpy(float),
    }


def _risk_design(exits):
    """The case-mix design: a constant, then each risk factor in order.

    Flags and counts are used as numbers; a text factor gets one indicator per value other than
    the most common one (ties broken alphabetically).
    """
    import pandas as pd

    columns = {"const": np.ones(len(exits))}
    for factor in RISK_FACTORS:
        series = exits[factor]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            columns[factor] = series.to_numpy(float)
        else:
            text = series.astype(str)
            counts = text.value_counts()
            reference = sorted(counts[counts == counts.max()].index)[0]
            for level in sorted(set(counts.index) - {reference}):
                columns[f"{factor}[{level}]"] = (text == level).to_numpy(float)
    return pd.DataFrame(columns)


def _risk_reference(inputs: dict):
    import pandas as pd
    import statsmodels.api as sm

    exits = inputs["exits"]
    design = _risk_design(exits)
    y = exits["exit_ph"].to_numpy(float)
    fit = sm.GLM(y, design.to_numpy(), family=sm.families.Binomial()).fit()
    expected = fit.predict(design.to_numpy())
    codes, names = pd.factorize(exits["provider_id"].astype(str), sort=True)
    return {
        "terms": list(design.columns),
        "estimate": np.asarray(fit.params, float),
        "std_error": np.asarray(fit.bse, float),
        "providers": list(names),
        "observed": np.bincount(codes, weights=y).astype(int),
        "expected": np.bincount(codes, weights=expected),
    }


# --- comparisons ---------------------------------------------------------------------------------


def _compare_frames(ours, ref) -> None:
    assert list(ours.columns) == list(ref.columns), f"{list(ours.columns)} vs {list(ref.columns)}"
    assert len(ours) == len(ref), f"{len(ours)} rows vs {len(ref)}"
    for column in ours.columns:
        a, b = ours[column], ref[column]
        if a.dtype.kind in "iu" or column.endswith("_id") or column == "project_type":
            assert list(a.astype(str)) == list(b.astype(str)), f"{column} differs"
        else:
            x, y = a.to_numpy(float), b.to_numpy(float)
            assert np.allclose(x, y, rtol=1e-9, atol=0, equal_nan=True), f"{column} differs"


def _compare_risk(ours, ref) -> None:
    assert ours["terms"] == ref["terms"], f"{ours['terms']} vs {ref['terms']}"
    assert ours["providers"] == ref["providers"]
    assert (ours["observed"] == ref["observed"]).all(), "observed counts differ"
    for key in ("estimate", "std_error", "expected"):
        assert np.allclose(ours[key], ref[key], rtol=1e-9, atol=0), f"{key} differs"


register(
    Op(
        name="HMIS provider outcomes 2024",
        load=_load,
        toolkit=_outcomes_toolkit,
        reference=_outcomes_reference,
        compare=_compare_frames,
        reference_load=_duckdb_load,
    )
)
register(
    Op(
        name="HMIS returns to homelessness 6/12/24m (SPM 2)",
        load=_load,
        toolkit=_returns_toolkit,
        reference=_returns_reference,
        compare=_compare_frames,
        reference_load=_duckdb_load,
    )
)
register(
    Op(
        name="HMIS risk adjustment O/E (binomial GLM)",
        load=_risk_load,
        toolkit=_risk_toolkit,
        reference=_risk_reference,
        compare=_compare_risk,
        reference_kind="statsmodels GLM(Binomial) directly",
    )
)
