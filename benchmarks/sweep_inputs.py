"""Bad-input sweep of the public analytics API: what happens to the inputs city exports really have.

Every public function of ``citykit.performance``, ``opendata``, ``evaluation`` and ``contracting``
that takes a table is called once on a clean sample of the sample city (the *baseline*), then on
copies of its input changed the ways exports change them. Each outcome is classified:

* ``clear error`` — a :class:`citykit.errors.CityKitError` (what a person can act on);
* ``raw exception`` — any other exception (a traceback from deep inside pandas);
* ``result`` — a result that is right: identical to the baseline for a legitimate change, or one
  whose text (summary, notes, repr — not ``DataFrame.attrs``, which pandas never displays) or
  count columns and ``"(missing)"`` rows report what was dropped or could not be read for a bad
  change; a value missing in the input that is missing in its own row of the result, and no
  rows from an input with no rows, are right too;
* ``silent wrong`` — a result that differs from the baseline without saying why.

Legitimate changes (Arrow-backed, nullable, categorical, timezone-aware) must give ``result``; a
``clear error`` there is counted as *rejected* as well. Run::

    python -m benchmarks.sweep_inputs            # the counts, and every non-result outcome
    python -m benchmarks.sweep_inputs --json out.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
import warnings
from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd
from citykit import contracting, datasets, evaluation, opendata, performance
from citykit.errors import CityKitError

ROWS = 400
SEED = 17
TZ = "America/New_York"

#: Words that show a result reports what it dropped, filled or could not read.
REPORT_WORDS = re.compile(
    r"missing|could not|left out|dropped|excluded|not read|unmatched|match|infinite|"
    r"unparse|not a number|treated as|no provider|without",
    re.I,
)


# --------------------------------------------------------------------------------------------
# the sample inputs
# --------------------------------------------------------------------------------------------


def _sample(name: str, rows: int = ROWS) -> pd.DataFrame:
    table = datasets.load(name)
    if len(table) > rows:
        table = table.sample(rows, random_state=SEED).sort_index()
    return table.reset_index(drop=True)


def sample_tables() -> dict[str, pd.DataFrame]:
    """The clean inputs: samples of the sample city's tables and a few small frames."""
    t = {
        "requests": _sample("service_requests"),
        "measures": datasets.load("department_measures"),
        "usage": datasets.load("portal_usage"),
        "catalog": datasets.load("catalog"),
        "records": _sample("records_requests"),
        "trial": _sample("bill_reminder_trial", 600),
        "contracts": datasets.load("provider_contracts"),
        "providers": datasets.load("providers"),
        "permits": _sample("building_permits"),
    }
    enrollments = datasets.load("hmis_enrollments")
    keep = enrollments["client_id"].drop_duplicates().sample(900, random_state=SEED)
    t["enrollments"] = enrollments[enrollments["client_id"].isin(keep)].reset_index(drop=True)
    clients = datasets.load("hmis_clients")
    t["clients"] = clients[clients["client_id"].isin(keep)].reset_index(drop=True)
    timed = performance.add_time_to_close(t["requests"], as_of="2025-01-01")
    t["timed"] = timed
    dept = t["measures"]
    one = dept[dept["measure"] == dept["measure"].iloc[0]].reset_index(drop=True)
    t["series"] = one
    t["rates"] = (
        timed.assign(month=timed["opened_at"].dt.to_period("M").dt.to_timestamp())
        .groupby("month", observed=True)
        .agg(closed=("is_open", lambda s: int((~s).sum())), total=("is_open", "size"))
        .reset_index()
    )
    t["subgroups"] = timed.dropna(subset=["days_to_close"]).assign(
        week=lambda d: d["opened_at"].dt.to_period("Q").dt.to_timestamp()
    )[["week", "days_to_close"]]
    prov = contracting.provider_outcomes(
        t["enrollments"], start="2024-01-01", end="2024-12-31", as_of="2025-01-01"
    )
    t["outcomes"] = prov
    # one fiscal year, chosen here: the sweep changes this table, and the function sees the change
    contracts = t["contracts"]
    t["contracts_2024"] = contracts[contracts["fiscal_year"] == 2024].reset_index(drop=True)
    t["vendors"] = pd.DataFrame(
        {
            "vendor": ["A", "B", "C", "D"],
            "price": [100.0, 120.0, 90.0, 110.0],
            "quality": [3.0, 4.5, 2.5, 4.0],
            "experience": [5, 10, 2, 7],
        }
    )
    t["pvalues"] = pd.DataFrame(
        {"test": list("abcdef"), "p_value": [0.001, 0.01, 0.03, 0.2, 0.5, 0.04]}
    )
    return t


def _permits_schema() -> dict:
    """The Table Schema of the clean permits sample (what a city publishes against)."""
    if "permits" not in _SCHEMAS:
        clean = _sample("building_permits")
        _SCHEMAS["permits"] = opendata.infer_schema(clean, primary_key="permit_id")
    return _SCHEMAS["permits"]


_SCHEMAS: dict[str, dict] = {}


def _risk_frame(t):
    """Clients' exits with their risk factors (the input of risk adjustment)."""
    e = contracting.client_exits(t["enrollments"], clients=t["clients"], start="2022-01-01")
    return e


# --------------------------------------------------------------------------------------------
# the calls: name -> (primary table, call)
# --------------------------------------------------------------------------------------------

Call = Callable[[dict], object]
P, OD, E, C = performance, opendata, evaluation, contracting
FACTORS = ["age", "prior_episodes", "chronically_homeless"]

CALLS: dict[str, tuple[str, Call]] = {
    # performance
    "add_time_to_close": (
        "requests",
        lambda t: P.add_time_to_close(t["requests"], as_of="2025-01-01"),
    ),
    "compute_measures": (
        "timed",
        lambda t: P.compute_measures(
            t["timed"],
            measures=[
                P.Measure("on time", "share", formula="closed_on_time"),
                P.Measure("median days", "median", column="days_to_close", direction="down"),
            ],
            frequency="monthly",
            by="department",
        ),
    ),
    "stat_brief": (
        "measures",
        lambda t: P.stat_brief(t["measures"], department="Public Works"),
    ),
    "xmr_chart": ("series", lambda t: P.xmr_chart(t["series"], value="value", period="month")),
    "p_chart": (
        "rates",
        lambda t: P.p_chart(t["rates"], numerator="closed", denominator="total", period="month"),
    ),
    "u_chart": (
        "rates",
        lambda t: P.u_chart(t["rates"], count="closed", exposure="total", period="month"),
    ),
    "c_chart": ("rates", lambda t: P.c_chart(t["rates"], count="closed", period="month")),
    "xbar_chart": (
        "subgroups",
        lambda t: P.xbar_chart(t["subgroups"], value="days_to_close", period="week", spread="sd"),
    ),
    "r_chart": (
        "subgroups",
        lambda t: P.s_chart(t["subgroups"], value="days_to_close", period="week"),
    ),
    "control_chart": (
        "series",
        lambda t: P.control_chart(t["series"], chart="xmr", value="value", period="month"),
    ),
    "signal_rules": (
        "series",
        lambda t: P.signal_rules(t["series"], value="value", centre=0.8, sigma=0.05),
    ),
    "target_status": ("series", lambda t: P.target_status(t["series"], period="month")),
    "target_summary": (
        "series",
        lambda t: P.target_summary(P.target_status(t["series"], period="month"), by="department"),
    ),
    "completeness": ("requests", lambda t: P.completeness(t["requests"])),
    "find_duplicates": ("requests", lambda t: P.find_duplicates(t["requests"], key="request_id")),
    "profile_table": (
        "requests",
        lambda t: P.profile_table(
            t["requests"], key="request_id", event="opened_at", as_of="2025-01-01"
        ),
    ),
    "timeliness": (
        "requests",
        lambda t: P.timeliness(t["requests"], event="opened_at", as_of="2025-01-01"),
    ),
    "inventory": (
        "requests",
        lambda t: P.inventory({"requests": t["requests"]}, as_of="2025-01-01"),
    ),
    # opendata
    "count_table": (
        "requests",
        lambda t: OD.count_table(t["requests"], rows="district", columns="channel"),
    ),
    "suppress_small_cells": (
        "requests",
        lambda t: OD.suppress_small_cells(
            OD.count_table(t["requests"], rows="district", columns="channel")
        ),
    ),
    "k_anonymity": (
        "requests",
        lambda t: OD.k_anonymity(t["requests"], quasi_identifiers=["district", "channel"], k=5),
    ),
    "monthly_usage": ("usage", lambda t: OD.monthly_usage(t["usage"])),
    "usage_trends": ("usage", lambda t: OD.usage_trends(t["usage"])),
    "unused_datasets": ("usage", lambda t: OD.unused_datasets(t["usage"], catalog=t["catalog"])),
    "top_datasets": ("usage", lambda t: OD.top_datasets(t["usage"])),
    "classify_requests": ("records", lambda t: OD.classify_requests(t["records"])),
    "demand_by_topic": ("records", lambda t: OD.demand_by_topic(t["records"])),
    "assemble_candidates": (
        "catalog",
        lambda t: OD.assemble_candidates(t["catalog"], requests=t["records"], usage=t["usage"]),
    ),
    "priority_scores": (
        "catalog",
        lambda t: OD.priority_scores(
            OD.assemble_candidates(t["catalog"], requests=t["records"], usage=t["usage"])
        ),
    ),
    "fix_metadata_table": ("catalog", lambda t: OD.fix_metadata_table(t["catalog"])),
    "records_from_table": ("catalog", lambda t: OD.records_from_table(t["catalog"])),
    "score_catalog": ("catalog", lambda t: OD.score_catalog(t["catalog"])),
    "infer_schema": ("permits", lambda t: OD.infer_schema(t["permits"], primary_key="permit_id")),
    "data_dictionary": ("permits", lambda t: OD.data_dictionary(t["permits"])),
    "coverage_summary": (
        "catalog",
        lambda t: OD.coverage_summary(t["catalog"], publisher="department", kind="theme"),
    ),
    "audit_suppression": (
        "requests",
        lambda t: OD.audit_suppression(
            _counts := OD.count_table(t["requests"], rows="district", columns="channel"),
            suppressed=(_counts > 0) & (_counts < 11),
        ),
    ),
    "validate_records": ("catalog", lambda t: OD.validate_records(t["catalog"])),
    "score_records": ("catalog", lambda t: OD.score_records(t["catalog"])),
    "check_table": ("permits", lambda t: OD.check_table(t["permits"], schema=_permits_schema())),
    "publish_readiness": (
        "permits",
        lambda t: OD.publish_readiness(t["permits"], schema=_permits_schema()),
    ),
    "build_datapackage": (
        "permits",
        lambda t: OD.build_datapackage(
            {"permits": t["permits"]}, name="permits", schemas={"permits": _permits_schema()}
        ),
    ),
    # evaluation
    "balance_table": (
        "trial",
        lambda t: E.balance_table(
            t["trial"],
            covariates=["balance_usd", "prior_late_payments", "account_type"],
            control="control",
        ),
    ),
    "balance_test": (
        "trial",
        lambda t: E.balance_test(
            t["trial"], covariates=["balance_usd", "prior_late_payments"], control="control"
        ),
    ),
    "estimate_effects": (
        "trial",
        lambda t: E.estimate_effects(
            t["trial"], outcome="paid_on_time", control="control", covariates=["balance_usd"]
        ),
    ),
    "randomization_test": (
        "trial",
        lambda t: E.randomization_test(
            t["trial"], outcome="paid_on_time", control="control", draws=200, seed=1
        ),
    ),
    "robust_regression": (
        "trial",
        lambda t: E.robust_regression(
            t["trial"], outcome="balance_usd", predictors=["prior_late_payments"]
        ),
    ),
    "icc_anova": (
        "trial",
        lambda t: E.icc_anova(t["trial"], outcome="balance_usd", cluster="district"),
    ),
    "assign_complete": (
        "trial",
        lambda t: E.assign_complete(t["trial"].drop(columns="arm"), seed=3, unit="account_id"),
    ),
    "assign_blocked": (
        "trial",
        lambda t: E.assign_blocked(
            t["trial"].drop(columns="arm"), block="district", seed=3, unit="account_id"
        ),
    ),
    "assign_clusters": (
        "trial",
        lambda t: E.assign_clusters(t["trial"].drop(columns="arm"), cluster="district", seed=3),
    ),
    "adjust_pvalues": ("pvalues", lambda t: E.adjust_pvalues(t["pvalues"])),
    # contracting
    "prepare_enrollments": (
        "enrollments",
        lambda t: C.prepare_enrollments(t["enrollments"], as_of="2025-01-01"),
    ),
    "data_quality_flags": ("enrollments", lambda t: C.data_quality_flags(t["enrollments"])),
    "exits_to_permanent_housing": (
        "enrollments",
        lambda t: C.exits_to_permanent_housing(
            t["enrollments"], start="2024-01-01", end="2024-12-31"
        ),
    ),
    "returns_to_homelessness": (
        "enrollments",
        lambda t: C.returns_to_homelessness(t["enrollments"], start="2024-01-01", end="2024-12-31"),
    ),
    "length_of_stay": ("enrollments", lambda t: C.length_of_stay(t["enrollments"])),
    "prevention_outcomes": (
        "enrollments",
        lambda t: C.prevention_outcomes(t["enrollments"], as_of="2025-01-01"),
    ),
    "client_exits": (
        "enrollments",
        lambda t: C.client_exits(t["enrollments"], clients=t["clients"]),
    ),
    "client_exits (clients)": (
        "clients",
        lambda t: C.client_exits(t["enrollments"], clients=t["clients"]),
    ),
    "provider_outcomes": (
        "enrollments",
        lambda t: C.provider_outcomes(
            t["enrollments"], start="2024-01-01", end="2024-12-31", as_of="2025-01-01"
        ),
    ),
    "risk_adjust": (
        "clients",
        lambda t: C.risk_adjust(_risk_frame(t), outcome="exit_ph", risk_factors=FACTORS),
    ),
    "pay_for_performance": (
        "clients",
        lambda t: C.pay_for_performance(_risk_frame(t), outcome="exit_ph", risk_factors=FACTORS),
    ),
    "funnel_data": (
        "outcomes",
        lambda t: C.funnel_data(
            t["outcomes"],
            observed="permanent_exits",
            denominator="exits",
            kind="PR",
            label="provider_id",
        ),
    ),
    "contract_portfolio": (
        "contracts_2024",
        lambda t: C.contract_portfolio(t["contracts_2024"], t["outcomes"]),
    ),
    "score_vendors": (
        "vendors",
        lambda t: C.score_vendors(
            t["vendors"],
            criteria={"price": 0.5, "quality": 0.3, "experience": 0.2},
            lower_is_better=["price"],
        ),
    ),
    "weight_sensitivity": (
        "vendors",
        lambda t: C.weight_sensitivity(
            t["vendors"],
            criteria={"price": 0.5, "quality": 0.3, "experience": 0.2},
            lower_is_better=["price"],
        ),
    ),
    "provider_progress_report": (
        "enrollments",
        lambda t: C.provider_progress_report(
            t["enrollments"], month="2024-12", contracts=t["contracts"], providers=t["providers"]
        ),
    ),
}


#: Functions whose job is to describe the data: a changed description is their report.
DESCRIBES = {
    "completeness",
    "find_duplicates",
    "profile_table",
    "timeliness",
    "inventory",
    "data_dictionary",
    "infer_schema",
    "records_from_table",
    "fix_metadata_table",
    "score_catalog",
    "validate_records",
    "score_records",
    "check_table",
    "publish_readiness",
    "k_anonymity",
    "data_quality_flags",
}
#: Functions that join two tables on ids: only they are given ids that do not match.
JOINS = {
    "unused_datasets",
    "assemble_candidates",
    "priority_scores",
    "client_exits",
    "client_exits (clients)",
    "risk_adjust",
    "pay_for_performance",
    "contract_portfolio",
    "provider_progress_report",
}

# --------------------------------------------------------------------------------------------
# how exports change a table
# --------------------------------------------------------------------------------------------


def _text_columns(frame):
    return [
        c
        for c in frame.columns
        if isinstance(frame[c].dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(frame[c].dtype)
        or frame[c].dtype == object
    ]


def _number_columns(frame):
    return [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c].dtype)
        and not pd.api.types.is_bool_dtype(frame[c].dtype)
    ]


def _date_columns(frame):
    return [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)]


def _every_tenth(frame):
    return np.arange(len(frame)) % 10 == 3


def arrow(frame):
    """Arrow-backed columns, as read_csv(dtype_backend='pyarrow') gives."""
    return frame.convert_dtypes(dtype_backend="pyarrow")


def nullable(frame):
    """Pandas' nullable dtypes (Int64, boolean, string)."""
    return frame.convert_dtypes()


def categorical(frame):
    """Every text column as a categorical."""
    out = frame.copy()
    for c in _text_columns(out):
        out[c] = out[c].astype("category")
    return out


def tz_aware(frame):
    """Datetimes in the city's time zone."""
    out = frame.copy()
    for c in _date_columns(out):
        out[c] = out[c].dt.tz_localize(TZ, nonexistent="shift_forward", ambiguous="NaT")
    return out


def numbers_as_text(frame):
    """Numbers written as text, as some exports do."""
    out = frame.copy()
    for c in _number_columns(out):
        out[c] = out[c].astype("string").astype(object).where(out[c].notna(), None)
    return out


def dates_as_us_text(frame):
    """Datetimes as US text with a 12-hour clock (04/18/2019 09:55:45 PM)."""
    out = frame.copy()
    for c in _date_columns(out):
        out[c] = (
            out[c].dt.strftime("%m/%d/%Y %I:%M:%S %p").astype(object).where(out[c].notna(), None)
        )
    return out


def mixed_date_formats(frame):
    """Half the datetimes as ISO text, half as US text."""
    out = frame.copy()
    half = np.arange(len(out)) % 2 == 0
    for c in _date_columns(out):
        iso = out[c].dt.strftime("%Y-%m-%d %H:%M:%S")
        us = out[c].dt.strftime("%m/%d/%Y %I:%M:%S %p")
        out[c] = iso.where(half, us).astype(object).where(out[c].notna(), None)
    return out


def bad_dates(frame):
    """Mixed date formats with one value in ten not a date at all."""
    out = mixed_date_formats(frame)
    for c in _date_columns(frame):
        out.loc[_every_tenth(out), c] = "not recorded"
    return out


def missing_numbers(frame):
    """One number in ten missing."""
    out = frame.copy()
    for c in _number_columns(out):
        out.loc[_every_tenth(out), c] = np.nan
    return out


def infinite_numbers(frame):
    """One float in ten infinite."""
    out = frame.copy()
    for c in _number_columns(out):
        if pd.api.types.is_float_dtype(out[c].dtype):
            out.loc[_every_tenth(out), c] = np.inf
    return out


def missing_labels(frame):
    """One label in ten missing."""
    out = frame.copy()
    for c in _text_columns(out):
        out.loc[_every_tenth(out), c] = None
    return out


def unmatched_ids(frame):
    """Ids that match nothing in the other table."""
    out = frame.copy()
    for c in [c for c in out.columns if c.endswith("_id") or c == "identifier"]:
        out[c] = ("X-" + out[c].astype(str)).where(out[c].notna(), None)
    return out


def empty(frame):
    """No rows."""
    return frame.iloc[:0]


MUTATIONS = {
    # legitimate: must give the baseline's result
    "arrow": ("legit", arrow),
    "nullable": ("legit", nullable),
    "categorical": ("legit", categorical),
    "tz_aware": ("legit", tz_aware),
    # accepted with the baseline's result, or refused with a clear error
    "numbers_as_text": ("either", numbers_as_text),
    "dates_as_us_text": ("either", dates_as_us_text),
    "mixed_date_formats": ("either", mixed_date_formats),
    # bad: a clear error, or a result that says what it dropped
    "bad_dates": ("bad", bad_dates),
    "missing_numbers": ("bad", missing_numbers),
    "infinite_numbers": ("bad", infinite_numbers),
    "missing_labels": ("bad", missing_labels),
    "unmatched_ids": ("bad", unmatched_ids),
    "empty": ("bad", empty),
}


# --------------------------------------------------------------------------------------------
# comparing results
# --------------------------------------------------------------------------------------------


_DATE_TEXT = re.compile(r"^\d{1,4}[-/]\d{1,2}[-/]\d{1,4}")


def _plain(value):
    """Numbers and dates written as text compare equal to the numbers and dates."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(f"{float(text):.9g}")
        except ValueError:
            pass
        if _DATE_TEXT.match(text):
            try:
                stamp = pd.Timestamp(text)
                return (stamp.tz_localize(None) if stamp.tzinfo else stamp).isoformat()
            except (ValueError, TypeError):
                return text
        return text
    return value


def canon(obj, depth=0, skip=()):
    """A comparable, dtype-blind form of a result (columns named in ``skip`` left out)."""
    if depth > 4:
        return None
    if isinstance(obj, pd.DataFrame):
        frame = obj.reset_index(drop=not any(n is not None for n in obj.index.names))
        keep = [c for c in frame.columns if c not in skip]
        if not keep:  # the input passed through (with its columns renamed or re-used)
            return {"rows": len(frame)}
        frame = frame[keep]
        return {
            "columns": [str(c) for c in frame.columns],
            "rows": [
                [canon(v, depth + 1) for v in row]
                for row in frame.astype(object).itertuples(index=False)
            ],
        }
    if isinstance(obj, pd.Series):
        return canon(obj.to_frame(), depth, skip)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: canon(getattr(obj, f.name), depth + 1, skip) for f in dataclasses.fields(obj)
        }
    if isinstance(obj, dict):
        return {str(k): canon(v, depth + 1, skip) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [canon(v, depth + 1, skip) for v in obj]
    if isinstance(obj, np.ndarray):
        return [canon(v, depth + 1, skip) for v in obj.tolist()]
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, float, np.integer, np.floating)):
        value = float(obj)
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return float(f"{value:.9g}")
    if isinstance(obj, pd.Timestamp):
        return (obj.tz_localize(None) if obj.tzinfo else obj).isoformat()
    if isinstance(obj, pd.Period):
        return str(obj)
    if isinstance(obj, pd.Timedelta):
        return obj.total_seconds()
    if isinstance(obj, str):
        return _plain(obj)
    if hasattr(obj, "__dict__") and not callable(obj):
        return canon(vars(obj), depth + 1, skip)
    return str(obj)


def text_of(obj) -> str:
    """What a result says about itself: its summary, notes and attributes (not its data)."""
    parts = []
    # not ``DataFrame.attrs``: pandas never displays them, so a note kept there is not shown
    for attr in ("summary", "notes", "warnings", "dropped", "report", "headline"):
        value = getattr(obj, attr, None)
        if callable(value):
            try:
                value = value()
            except Exception:
                value = None
        if value is not None:
            parts.append(str(value))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, str | tuple | list) and not isinstance(value, pd.DataFrame):
                parts.append(str(value))
    return "\n".join(parts)


def _report_lines(text: str) -> set[str]:
    return {line.strip() for line in re.split(r"[\n.;]", text) if REPORT_WORDS.search(line)}


def classify(kind, outcome, baseline, baseline_text, skip=(), baseline_value=None, change=None):
    """One of: clear error, raw exception, result, silent wrong."""
    status, value = outcome
    if status == "error":
        return "clear error" if isinstance(value, CityKitError) else "raw exception"
    changed = canon(value, skip=skip)
    same = changed == baseline
    if kind == "legit" or kind == "either":
        return "result" if same else "silent wrong"
    if same or _missing_in_place(changed, baseline) or _nothing_from_nothing(value, change):
        return "result"
    new_lines = _report_lines(text_of(value)) - _report_lines(baseline_text)
    if new_lines:
        return "result"
    return "result" if _counted(value) > _counted(baseline_value) else "silent wrong"


#: Words of a cell that says, in its own row, that a value is missing.
MISSING_WORDS = re.compile(r"\bno data\b|missing|without|not recorded|unknown", re.I)


def _missing_in_place(changed, baseline) -> bool:
    """True when a row-for-row result differs only by cells now missing (or saying so).

    A value missing in the input that is missing in its own row of the result is shown where
    it is (nothing dropped, nothing filled in): the reader sees the blank. Results that
    aggregate rows do not qualify (their row counts or values change).
    """
    if not (isinstance(changed, dict) and isinstance(baseline, dict)):
        return False
    if set(changed) != {"columns", "rows"} or set(baseline) != {"columns", "rows"}:
        return False
    if changed["columns"] != baseline["columns"] or len(changed["rows"]) != len(baseline["rows"]):
        return False
    diff = [
        new
        for new_row, old_row in zip(changed["rows"], baseline["rows"], strict=True)
        for new, old in zip(new_row, old_row, strict=True)
        if new != old
    ]
    return bool(diff) and all(new is None or _says_missing(new) for new in diff)


def _says_missing(value) -> bool:
    """A cell whose text says the value is missing or was set aside ("no data", "missing")."""
    return isinstance(value, str) and bool(MISSING_WORDS.search(value))


def _nothing_from_nothing(value, change) -> bool:
    """True when an input with no rows gave a result with no rows (nothing was dropped).

    Only for the ``empty`` change: an empty result from rows that were there is what the
    issue calls a silent wrong answer.
    """
    frames = list(_frames(value))
    return change == "empty" and bool(frames) and all(len(f) == 0 for f in frames)


#: Columns that count what a result left out or could not use.
#: (``no_target``, ``no_comparison``: rows that could not be judged.)
COUNT_COLUMNS = re.compile(
    r"flag|exclu|left_out|missing|dropped|unmatched|unknown|unread|^no_", re.I
)


def _frames(obj, depth=0):
    if depth > 3:
        return
    if isinstance(obj, pd.DataFrame):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _frames(getattr(obj, f.name), depth + 1)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _frames(v, depth + 1)


def _counted(obj) -> float:
    """How much a result shows it set aside: '(missing)' rows and counts of flagged rows.

    A '(missing)' row adds what it counts, so one that counts more than before shows more set
    aside.
    """
    total = 0.0
    for frame in _frames(obj):
        numbers = [
            c
            for c in frame.columns
            if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        ]
        labelled = pd.Series(False, index=frame.index)
        for column in frame.columns:
            values = frame[column]
            if COUNT_COLUMNS.search(str(column)) and column in numbers:
                total += float(pd.to_numeric(values, errors="coerce").fillna(0).abs().sum())
            elif column not in numbers:
                labelled |= values.astype(str).eq("(missing)").to_numpy()
        total += float(labelled.sum())
        if labelled.any() and numbers:
            held = frame.loc[labelled.to_numpy(), numbers].apply(pd.to_numeric, errors="coerce")
            total += float(held.fillna(0).abs().to_numpy().sum())
        for label in [*frame.index, *frame.columns]:
            total += 1.0 if str(label) == "(missing)" else 0.0
    if isinstance(obj, dict):
        total += sum(
            float(v)
            for k, v in obj.items()
            if COUNT_COLUMNS.search(str(k)) and isinstance(v, int | float)
        )
    return total


def run_call(call, tables):
    """Call quietly; return ('ok', result) or ('error', exception)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", call(tables)
        except Exception as exc:
            return "error", exc


def sweep(only: list[str] | None = None) -> list[dict]:
    """Run every call with every change; return one row per (function, change)."""
    base_tables = sample_tables()
    rows = []
    for name, (primary, call) in CALLS.items():
        if only and name not in only:
            continue
        status, baseline = run_call(call, base_tables)
        if status == "error":
            rows.append(
                {
                    "function": name,
                    "change": "baseline",
                    "kind": "clean",
                    "outcome": "raw exception"
                    if not isinstance(baseline, CityKitError)
                    else "clear error",
                    "detail": f"{type(baseline).__name__}: {baseline}"[:300],
                }
            )
            continue
        skip = tuple(base_tables[primary].columns)  # columns a result only passes through
        base_canon = canon(baseline, skip=skip)
        base_text = text_of(baseline)
        for change, (kind, mutate) in MUTATIONS.items():
            tables = dict(base_tables)
            original = base_tables[primary]
            changed = mutate(original)
            if change == "unmatched_ids" and name not in JOINS:
                continue
            if (
                change != "empty"
                and change != "unmatched_ids"
                and changed.equals(original)
                and changed.dtypes.astype(str).tolist() == original.dtypes.astype(str).tolist()
                and kind != "legit"
            ):
                continue  # the change does not apply to this table
            tables[primary] = changed
            snapshot = original.copy(deep=True)
            outcome = run_call(call, tables)
            verdict = classify(kind, outcome, base_canon, base_text, skip, baseline, change)
            if verdict == "silent wrong" and kind != "legit" and name in DESCRIBES:
                verdict = "result"
            modified = not original.equals(snapshot)
            detail = ""
            if outcome[0] == "error":
                detail = f"{type(outcome[1]).__name__}: {outcome[1]}"[:300]
            rows.append(
                {
                    "function": name,
                    "change": change,
                    "kind": kind,
                    "outcome": verdict,
                    "rejected_legit": kind == "legit" and verdict == "clear error",
                    "input_modified": modified,
                    "detail": detail,
                }
            )
    return rows


def main(argv=None) -> int:
    """Run the sweep and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write every outcome to this file")
    parser.add_argument("--only", nargs="*", help="functions to sweep (default: all)")
    parser.add_argument("--quiet", action="store_true", help="print the counts only")
    args = parser.parse_args(argv)
    rows = sweep(args.only)
    counts = Counter(r["outcome"] for r in rows)
    rejected = sum(bool(r.get("rejected_legit")) for r in rows)
    print(f"{len(rows)} calls over {len({r['function'] for r in rows})} functions")
    for key in ("clear error", "raw exception", "result", "silent wrong"):
        print(f"  {key:14} {counts.get(key, 0)}")
    print(f"  legitimate input refused: {rejected}")
    if not args.quiet:
        for r in rows:
            if r["outcome"] in ("raw exception", "silent wrong") or r.get("rejected_legit"):
                print(f"{r['outcome']:14} {r['function']:28} {r['change']:20} {r['detail'][:140]}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
