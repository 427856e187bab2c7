"""The monthly provider progress report: the agenda of an active contract management check-in.

Active contract management (Government Performance Lab; docs/methods.md, "Provider
comparison") means frequent, data-informed, collaborative meetings between the city and each provider, built around a few
*leading* indicators (enrollments against the contract pace, open stays, data quality) and
*lagging* outcomes (exits to permanent housing, returns to homelessness), with the provider's
risk-adjusted position so that serving harder clients is not read as poor performance.

:func:`provider_progress_report` builds that report for one month. Windows (stated in the
report):

* **entries**: enrollments starting in the report month, against 1/12 of the contract's yearly
  target of clients;
* **exits to permanent housing**: exits in the ``window_months`` months ending with the report
  month (monthly counts are too small to read on their own);
* **returns within 12 months**: permanent exits made in the same window one year earlier,
  followed for 365 days (SPM Measure 2 rules, see
  :func:`~citykit.contracting.hmis.return_episodes`);
* **trend**: monthly exit-to-PH rates over ``trend_months`` months; "improving" or "declining"
  only when the last three months differ from the three before at the 5% level (two-proportion
  z-test), otherwise "steady";
* **risk-adjusted position**: O/E of exits to PH over the 12 months ending with the report month
  (case-mix model on all providers' exits, with project type as a factor when several types are
  compared) and the provider's funnel zone (exact Poisson-binomial limits: an exit to
  permanent housing is a yes/no outcome, see :mod:`~citykit.contracting.poisson_binomial`);
* **data quality**: flagged rows entered or exited in the window, open shelter stays over
  180 days, exits with an unknown destination.
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit.contracting._common import (
    as_list,
    check_table,
    html_table,
    markdown_table,
    safe_rate,
)
from citykit.contracting.funnel import funnel_data
from citykit.contracting.hmis import (
    exits_to_permanent_housing,
    prepare_enrollments,
    prevention_outcomes,
    returns_to_homelessness,
)
from citykit.contracting.risk import risk_adjust
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    MissingColumnError,
    require_columns,
)

__all__ = ["ProgressReport", "provider_progress_report"]


@dataclass(frozen=True)
class ProgressReport:
    """The monthly provider progress report (see :func:`provider_progress_report`).

    Attributes
    ----------
    month : str
        The report month, "YYYY-MM".
    providers : pandas.DataFrame
        One row per provider with counts beside every rate, targets, status words, trend,
        risk-adjusted O/E with its interval and funnel zone, data-quality counts and a note.
        (Called ``summary`` before; ``summary()`` is now the report in a few sentences.)
    trends : pandas.DataFrame
        Monthly exits and exits to permanent housing per provider (``trend_months`` months).
    quality : pandas.DataFrame
        Data-quality counts per provider in the window.
    windows : dict
        The date windows used, for the record.
    """

    month: str
    providers: pd.DataFrame
    trends: pd.DataFrame
    quality: pd.DataFrame
    windows: dict = field(default_factory=dict)

    def summary(self) -> str:
        """The report in a few plain sentences: who is below target, above limit, flagged.

        Examples
        --------
        >>> import pandas as pd
        >>> table = pd.DataFrame({"provider_id": ["P1", "P2"], "ph_status": ["below target",
        ...     "on target"], "returns_status": ["no target", "above limit"],
        ...     "funnel_zone": ["within limits", "below 99.8% limit"], "dq_flags": [0, 3]})
        >>> print(ProgressReport("2024-11", table, table.iloc[:0], table.iloc[:0]).summary())
        Provider progress report, 2024-11: 2 providers. Exits to permanent housing below target: P1. Returns above the limit: P2. Below what their clients predict (funnel): P2. Flagged data rows: 3 at P2.
        """
        table = self.providers
        ids = table["provider_id"].astype(str)
        lines = [f"Provider progress report, {self.month}: {len(table)} providers."]

        def listed(mask) -> str:
            return ", ".join(ids[mask.to_numpy(dtype=bool)]) or "none"

        lines.append(
            "Exits to permanent housing below target: "
            f"{listed(table['ph_status'] == 'below target')}."
        )
        lines.append(
            f"Returns above the limit: {listed(table['returns_status'] == 'above limit')}."
        )
        below = table["funnel_zone"].astype(str).str.startswith("below")
        lines.append(f"Below what their clients predict (funnel): {listed(below)}.")
        flags = table["dq_flags"].astype(int)
        shown = ", ".join(
            f"{int(n)} at {i}" for i, n in zip(ids[flags > 0], flags[flags > 0], strict=True)
        )
        lines.append(f"Flagged data rows: {shown or 'none'}.")
        return " ".join(lines)

    def __getattribute__(self, name: str):
        if name == "summary":  # the table had this name: indexing it still works, with a warning
            return _SummaryOrTable(self, object.__getattribute__(self, "summary"))
        return object.__getattribute__(self, name)

    def agenda(self, provider: str) -> list[str]:
        """Talking points for one provider's check-in (leading, lagging, risk, data, asks)."""
        rows = self.providers[self.providers["provider_id"] == provider]
        if rows.empty:
            known = ", ".join(self.providers["provider_id"].astype(str))
            raise CityKitError(f"provider {provider!r} is not in this report; providers: {known}.")
        r = rows.iloc[0]
        points = []
        if r["note"]:
            points.append(f"Note: {r['note']}.")
        target = (
            "" if pd.isna(r["entries_target"]) else f" (contract pace {r['entries_target']:.0f})"
        )
        points.append(f"Leading: {int(r['entries'])} new enrollments this month{target}.")
        if not pd.isna(r["high_risk_share"]):
            peer = r["peer_high_risk_share"]
            versus = "" if pd.isna(peer) else f" (peers of the same type: {peer:.0%})"
            points.append(
                f"Risk mix: {r['high_risk_share']:.0%} of new clients are high-risk{versus}."
            )
        if r["open_stays_over_180d"]:
            points.append(
                f"Leading: {int(r['open_stays_over_180d'])} shelter stays open over 180 days - "
                f"check for exits not recorded."
            )
        if r["exits"] > 0:
            goal = "" if pd.isna(r["ph_target"]) else f", target {r['ph_target']:.0%}"
            points.append(
                f"Lagging: {int(r['ph_exits'])} of {int(r['exits'])} exits went to permanent "
                f"housing ({r['ph_rate']:.0%}{goal}: {r['ph_status']}); trend {r['trend']}."
            )
        if r["returns_base"] > 0:
            goal = "" if pd.isna(r["returns_target"]) else f", limit {r['returns_target']:.0%}"
            points.append(
                f"Lagging: {int(r['returns_12m'])} of {int(r['returns_base'])} people housed a "
                f"year earlier returned within 12 months ({r['return_rate_12m']:.0%}{goal}: "
                f"{r['returns_status']})."
            )
        if not pd.isna(r["prevention_success_rate"]):
            points.append(
                f"Lagging: prevention success {r['prevention_success_rate']:.0%} of "
                f"{int(r['prevention_exits'])} households."
            )
        if not pd.isna(r["oe_ratio"]):
            points.append(
                f"Risk-adjusted: O/E {r['oe_ratio']:.2f} (95% CI {r['oe_low']:.2f}-"
                f"{r['oe_high']:.2f}), {r['funnel_zone']} - compared with what is expected for "
                f"its own clients."
            )
        if r["dq_flags"] or r["unknown_destination_exits"]:
            points.append(
                f"Data quality: {int(r['dq_flags'])} flagged rows, "
                f"{int(r['unknown_destination_exits'])} exits with unknown destination."
            )
        asks = []
        if r["ph_status"] == "below target":
            asks.append("what is blocking move-outs, and what help from the city would unblock it")
        if r["returns_status"] == "above limit":
            asks.append("which housed clients need follow-up support")
        if str(r["funnel_zone"]).startswith("below"):
            asks.append("whether the gap holds after risk adjustment and what a deep dive shows")
        peer = r["peer_high_risk_share"]
        if not pd.isna(peer) and r["high_risk_share"] < peer - 0.15:
            asks.append("how referrals are accepted or declined (far fewer high-risk clients)")
        if r["dq_flags"] or r["open_stays_over_180d"]:
            asks.append("a data clean-up plan before next month")
        if asks:
            points.append("Ask: " + "; ".join(asks) + ".")
        return points

    def to_markdown(self) -> str:
        """The report as Markdown: summary table then one agenda per provider."""
        lines = [f"# Provider progress report, {self.month}", "", _windows_text(self.windows), ""]
        lines += [markdown_table(_display(self.providers), float_format="{:.2f}"), ""]
        for provider in self.providers["provider_id"]:
            name = self.providers.loc[self.providers["provider_id"] == provider, "provider_name"]
            lines.append(f"## {provider} {name.iloc[0]}".rstrip())
            lines += [f"- {p}" for p in self.agenda(provider)]
            lines.append("")
        return "\n".join(lines)

    def to_html(self) -> str:
        """The report as an HTML fragment (also what Jupyter shows)."""
        parts = [
            f"<h3>Provider progress report, {html.escape(self.month)}</h3>",
            f"<p>{html.escape(_windows_text(self.windows))}</p>",
            html_table(_display(self.providers), float_format="{:.2f}"),
        ]
        for provider in self.providers["provider_id"]:
            name = self.providers.loc[self.providers["provider_id"] == provider, "provider_name"]
            parts.append(f"<h4>{html.escape(f'{provider} {name.iloc[0]}'.strip())}</h4><ul>")
            parts += [f"<li>{html.escape(p)}</li>" for p in self.agenda(provider)]
            parts.append("</ul>")
        return "<div>" + "".join(parts) + "</div>"

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        shown = self.providers[
            ["provider_id", "entries", "exits", "ph_rate", "ph_status", "trend", "funnel_zone"]
        ]
        return f"ProgressReport({self.month})\n{shown.to_string(index=False)}"


class _SummaryOrTable:
    """``report.summary``: call it for the sentences; used as the old table, it warns and is one.

    The table is ``report.providers`` now; for one release, code written for the table
    (``report.summary["ph_rate"]``, ``report.summary.set_index(...)``) keeps working with a
    FutureWarning naming the new attribute.
    """

    def __init__(self, report: ProgressReport, method):
        self._report = report
        self._method = method

    def __call__(self) -> str:
        return self._method()

    def _table(self) -> pd.DataFrame:
        warnings.warn(
            "ProgressReport.summary (the table) is now ProgressReport.providers; summary() gives "
            "the report in sentences. The old use stops working in the next release",
            FutureWarning,
            stacklevel=3,
        )
        return self._report.providers

    def __getattr__(self, name: str):
        return getattr(self._table(), name)

    def __getitem__(self, key):
        return self._table()[key]

    def __len__(self) -> int:
        return len(self._table())

    def __repr__(self) -> str:
        return self._method()


_DISPLAY = [
    "provider_id",
    "provider_name",
    "project_type",
    "entries",
    "entries_target",
    "exits",
    "ph_exits",
    "ph_rate",
    "ph_target",
    "ph_status",
    "trend",
    "returns_base",
    "returns_12m",
    "return_rate_12m",
    "returns_status",
    "oe_ratio",
    "funnel_zone",
    "high_risk_share",
    "dq_flags",
]


def _display(summary: pd.DataFrame) -> pd.DataFrame:
    return summary[[c for c in _DISPLAY if c in summary.columns]]


def _windows_text(windows: dict) -> str:
    if not windows:
        return ""
    return (
        f"Entries: {windows['month']}. Exits to permanent housing: {windows['exits']}. "
        f"Returns within 12 months: permanent exits {windows['returns']}. "
        f"Risk adjustment: exits {windows['risk']}. Trend: {windows['trend']}."
    )


def _month_bounds(month: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    text = str(month).strip()
    if isinstance(month, str) and not re.fullmatch(r"\d{4}-\d{1,2}", text):
        raise CityKitError(
            f"month={month!r} is not a month; write it as 'YYYY-MM', e.g. '2024-11'."
        )
    try:
        period = pd.Period(text, freq="M")
    except (ValueError, TypeError) as exc:
        raise CityKitError(f"month={month!r} is not a month; write it as 'YYYY-MM'.") from exc
    return period.start_time.normalize(), period.end_time.normalize()


def _trend(trends: pd.DataFrame, provider: str) -> str:
    from statsmodels.stats.proportion import proportions_ztest

    rows = trends[trends["provider_id"] == provider].sort_values("month")
    if len(rows) < 6:
        return "not enough months"
    last, before = rows.iloc[-3:], rows.iloc[-6:-3]
    counts = np.array([last["ph_exits"].sum(), before["ph_exits"].sum()])
    nobs = np.array([last["exits"].sum(), before["exits"].sum()])
    if nobs.min() == 0:
        return "not enough exits"
    if counts.sum() in (0, nobs.sum()):
        return "steady"
    _, p = proportions_ztest(counts, nobs)
    if p >= 0.05:
        return "steady"
    return "improving" if counts[0] / nobs[0] > counts[1] / nobs[1] else "declining"


def provider_progress_report(
    enrollments: pd.DataFrame,
    *,
    month: str,
    contracts: pd.DataFrame | None = None,
    providers: pd.DataFrame | None = None,
    clients: pd.DataFrame | None = None,
    risk_factors: list[str] | tuple[str, ...] | None = None,
    high_risk: str | None = None,
    window_months: int = 3,
    trend_months: int = 6,
) -> ProgressReport:
    """Build the monthly provider progress report (the check-in agenda) for one month.

    Parameters
    ----------
    enrollments : pandas.DataFrame
        HMIS enrollments (raw or from :func:`~citykit.contracting.hmis.prepare_enrollments`).
    month : str, keyword-only
        Report month, "YYYY-MM".
    contracts : pandas.DataFrame, optional, keyword-only
        Contracts with ``provider_id``, ``fiscal_year`` and targets (``target_clients``,
        ``target_exits_to_ph_rate``, ``target_returns_12m_rate``); the fiscal year is the
        calendar year of ``month``. Contracted providers with no enrollments get a row.
    providers : pandas.DataFrame, optional, keyword-only
        ``provider_id`` and ``provider_name``.
    clients : pandas.DataFrame, optional, keyword-only
        One row per ``client_id`` with the risk factors (needed for the risk-adjusted position).
    risk_factors : list of str, optional, keyword-only
        Columns of ``clients`` (or of the enrollments) for the case-mix model; a boolean
        ``has_income`` is derived from ``monthly_income_usd`` when asked for and absent.
    high_risk : str, optional, keyword-only
        A boolean column (of ``clients`` or the enrollments) marking high-acuity clients. The
        report then shows each provider's share of high-risk clients among its entries in the
        window beside the share at peers of the same project type: a risk metric that reveals
        screening out hard-to-serve clients (cream-skimming) early.
    window_months : int, keyword-only
        Months of exits behind each exit and return rate (3).
    trend_months : int, keyword-only
        Months shown in the trend (6).

    Returns
    -------
    ProgressReport
        ``providers`` (the table), ``trends``, ``quality``; ``summary()`` (sentences),
        ``agenda(provider)``, ``to_markdown()``, ``to_html()``.

    Raises
    ------
    CityKitError
        If ``month`` is not a month, windows are not positive, or the month has no data at all.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["e1", "e2", "e3"], "client_id": ["a", "b", "c"],
    ...     "provider_id": ["P1", "P1", "P2"], "project_type": ["ES", "ES", "ES"],
    ...     "entry_date": ["2024-10-01", "2024-11-02", "2024-11-05"],
    ...     "exit_date": ["2024-11-20", None, "2024-11-03"], "destination": [410, None, 410]})
    >>> report = provider_progress_report(raw, month="2024-11")
    >>> report.providers[["provider_id", "entries", "exits", "ph_rate", "dq_flags"]]
      provider_id  entries  exits  ph_rate  dq_flags
    0          P1        1      1      1.0         0
    1          P2        1      0      NaN         1
    >>> report.agenda("P2")[-1]
    'Ask: a data clean-up plan before next month.'
    """
    for name, value in (("window_months", window_months), ("trend_months", trend_months)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ArgumentRangeError(
                f"{name} must be a whole number of months >= 1; got {value!r}."
            )
    check_table(enrollments, ["provider_id", "project_type", "entry_date"], argument="enrollments")
    first, last = _month_bounds(month)
    prepared = prepare_enrollments(enrollments) if "dq_issue" not in enrollments else enrollments
    win_start = (pd.Period(first, "M") - (window_months - 1)).start_time.normalize()
    year_start = (pd.Period(first, "M") - 11).start_time.normalize()
    trend_start = (pd.Period(first, "M") - (trend_months - 1)).start_time.normalize()
    if prepared["entry_date"].min() > last:
        raise CityKitError(
            f"month={month!r} is before the first enrollment "
            f"({prepared['entry_date'].min():%Y-%m}); pick a month the data covers."
        )

    # who is in the report: every provider with enrollments, plus contracted ones
    ids = sorted(set(prepared["provider_id"].astype(str)))
    fiscal = None
    if contracts is not None:
        require_columns(contracts, ["provider_id", "fiscal_year"], argument="contracts")
        fiscal = contracts[contracts["fiscal_year"] == first.year]
        contracted = set(fiscal["provider_id"].astype(str))
        if contracted and not contracted & set(ids):
            raise CityKitError(
                f"none of the {len(contracted)} contracted providers of {first.year} has an "
                f"enrollment (e.g. {sorted(contracted)[0]!r} in contracts, {ids[0]!r} in the "
                "enrollments), so every contract would show no clients. Check that both tables "
                "write provider ids the same way (prefixes, leading zeros, text or numbers)."
            )
        ids = sorted(set(ids) | contracted)
    summary = pd.DataFrame({"provider_id": ids})
    names = {}
    if providers is not None:
        require_columns(providers, ["provider_id", "provider_name"], argument="providers")
        names = dict(zip(providers["provider_id"], providers["provider_name"], strict=False))
    summary["provider_name"] = [str(names.get(p, "")) for p in summary["provider_id"]]
    main_type = prepared.groupby("provider_id")["project_type"].agg(
        lambda s: s.value_counts().index[0]
    )
    types = {str(k): str(v) for k, v in main_type.items()}
    if fiscal is not None and "project_type" in fiscal:
        for pid, ptype in zip(fiscal["provider_id"], fiscal["project_type"], strict=True):
            types.setdefault(str(pid), str(ptype))
    summary["project_type"] = [types.get(p, "") for p in summary["provider_id"]]

    # leading: entries this month, open long shelter stays
    this_month = prepared[(prepared["entry_date"] >= first) & (prepared["entry_date"] <= last)]
    summary["entries"] = summary["provider_id"].map(this_month.groupby("provider_id").size())
    summary["entries"] = summary["entries"].fillna(0).astype(int)
    summary["entries_target"] = np.nan
    summary["ph_target"] = np.nan
    summary["returns_target"] = np.nan
    if fiscal is not None:
        by_id = fiscal.drop_duplicates("provider_id").set_index("provider_id")
        if "target_clients" in by_id:
            summary["entries_target"] = summary["provider_id"].map(
                by_id["target_clients"].astype(float) / 12
            )
        if "target_exits_to_ph_rate" in by_id:
            summary["ph_target"] = summary["provider_id"].map(by_id["target_exits_to_ph_rate"])
        if "target_returns_12m_rate" in by_id:
            summary["returns_target"] = summary["provider_id"].map(by_id["target_returns_12m_rate"])
    as_of = last
    open_long = (
        ~prepared["exited"]
        & prepared["project_type"].isin(["ES", "SH"])
        & ((as_of - prepared["entry_date"]).dt.days > 180)
        & (prepared["entry_date"] <= as_of)
    )
    summary["open_stays_over_180d"] = (
        summary["provider_id"].map(prepared[open_long].groupby("provider_id").size()).fillna(0)
    ).astype(int)

    # lagging: exits to PH in the window, returns, prevention
    ph = exits_to_permanent_housing(
        prepared, by="provider_id", start=win_start, end=last, project_types=None
    ).set_index("provider_id")
    summary["exits"] = summary["provider_id"].map(ph["exits"]).fillna(0).astype(int)
    summary["ph_exits"] = summary["provider_id"].map(ph["permanent_exits"]).fillna(0).astype(int)
    summary["ph_rate"] = safe_rate(summary["ph_exits"], summary["exits"])
    summary.loc[summary["project_type"] == "PREV", "ph_target"] = np.nan
    summary["ph_status"] = np.select(
        [
            summary["exits"] == 0,
            summary["ph_target"].isna(),
            summary["ph_rate"] >= summary["ph_target"],
        ],
        ["no exits", "no target", "on target"],
        default="below target",
    )
    ret = returns_to_homelessness(
        prepared,
        start=win_start,
        end=last,
        by="provider_id",
        lookback_days=365,
        horizons={"12m": 365},
    ).set_index("provider_id")
    summary["returns_base"] = summary["provider_id"].map(ret["permanent_exits"]).fillna(0)
    summary["returns_12m"] = summary["provider_id"].map(ret["returns_12m"]).fillna(0)
    summary["returns_base"] = summary["returns_base"].astype(int)
    summary["returns_12m"] = summary["returns_12m"].astype(int)
    summary["return_rate_12m"] = safe_rate(summary["returns_12m"], summary["returns_base"])
    summary["returns_status"] = np.select(
        [
            summary["returns_base"] == 0,
            summary["returns_target"].isna(),
            summary["return_rate_12m"] <= summary["returns_target"],
        ],
        ["no permanent exits a year ago", "no target", "within limit"],
        default="above limit",
    )
    prev = prevention_outcomes(prepared, months=12, as_of=last, by="provider_id")
    prev = prev.set_index("provider_id")
    summary["prevention_exits"] = summary["provider_id"].map(prev["prevention_exits"])
    summary["prevention_success_rate"] = summary["provider_id"].map(prev["success_rate"])

    # trend: monthly exits to PH
    monthly = exits_to_permanent_housing(
        prepared,
        by="provider_id",
        frequency="month",
        start=trend_start,
        end=last,
        project_types=None,
    ).rename(columns={"period": "month", "permanent_exits": "ph_exits", "rate": "ph_rate"})
    months = pd.period_range(trend_start, last, freq="M").astype(str)
    grid = pd.MultiIndex.from_product([ids, months], names=["provider_id", "month"])
    trends = (
        monthly.set_index(["provider_id", "month"])[["exits", "ph_exits"]]
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    trends["ph_rate"] = safe_rate(trends["ph_exits"], trends["exits"])
    summary["trend"] = [_trend(trends, p) for p in summary["provider_id"]]

    # risk-adjusted position over 12 months
    summary["oe_ratio"] = np.nan
    summary["oe_low"] = np.nan
    summary["oe_high"] = np.nan
    summary["funnel_zone"] = "not risk-adjusted"
    factors = as_list(risk_factors)
    if factors:
        year_exits = prepared[
            (prepared["dq_issue"] == "")
            & prepared["exited"]
            & (prepared["exit_date"] >= year_start)
            & (prepared["exit_date"] <= last)
            & (prepared["project_type"] != "PREV")
        ]
        data = year_exits
        if clients is not None:
            need = [f for f in factors if f not in year_exits.columns]
            derived = "has_income" in need and "monthly_income_usd" in clients.columns
            if derived:
                clients = clients.assign(has_income=clients["monthly_income_usd"] > 0)
            require_columns(clients, ["client_id", *need], argument="clients")
            data = year_exits.merge(
                clients[["client_id", *need]], on="client_id", how="left", validate="many_to_one"
            )
        data = data.assign(_ph=data["permanent_exit"].fillna(False).astype(int))
        model_factors = list(factors)
        if data["project_type"].nunique() > 1:
            model_factors.append("project_type")
        ra = risk_adjust(data, outcome="_ph", risk_factors=model_factors)
        table = ra.table.set_index("provider_id")
        summary["oe_ratio"] = summary["provider_id"].map(table["oe_ratio"])
        summary["oe_low"] = summary["provider_id"].map(table["oe_low"])
        summary["oe_high"] = summary["provider_id"].map(table["oe_high"])
        fun = funnel_data(ra)
        zones = dict(zip(fun.table["provider_id"], fun.table["zone"], strict=True))
        summary["funnel_zone"] = [
            zones.get(p, "no exits to compare") for p in summary["provider_id"]
        ]
        # a provider alone in its project type has no peers: with project type in the model its
        # O/E is 1 by construction, so it is not shown
        peers = data.groupby("project_type")["provider_id"].nunique()
        alone = summary["project_type"].map(peers).fillna(0) == 1
        if "project_type" in model_factors and alone.any():
            summary.loc[alone, ["oe_ratio", "oe_low", "oe_high"]] = np.nan
            summary.loc[alone, "funnel_zone"] = "no peer of the same project type"

    # intake mix: share of high-risk clients among entries in the window, against peers
    summary["high_risk_share"] = np.nan
    summary["peer_high_risk_share"] = np.nan
    if high_risk is not None:
        entries = prepared[(prepared["entry_date"] >= win_start) & (prepared["entry_date"] <= last)]
        if high_risk not in entries.columns:
            if clients is None or high_risk not in clients.columns:
                raise MissingColumnError(
                    f"high_risk={high_risk!r} is neither a column of the enrollments nor of "
                    f"clients; pass clients=... or name a boolean column they have."
                )
            entries = entries.merge(
                clients[["client_id", high_risk]].drop_duplicates("client_id"),
                on="client_id",
                how="left",
            )
        flag = entries[high_risk].astype("boolean").astype(float)
        entries = entries.assign(_high=flag)
        own = entries.groupby("provider_id")["_high"].mean()
        by_type = entries.groupby("project_type", observed=True)["_high"].agg(["sum", "count"])
        mine = entries.groupby(["provider_id", "project_type"], observed=True)["_high"].agg(
            ["sum", "count"]
        )
        summary["high_risk_share"] = summary["provider_id"].map(own)
        peer = []
        for pid, ptype in zip(summary["provider_id"], summary["project_type"], strict=True):
            if ptype not in by_type.index:
                peer.append(np.nan)
                continue
            total, count = by_type.loc[ptype, "sum"], by_type.loc[ptype, "count"]
            if (pid, ptype) in mine.index:
                total -= mine.loc[(pid, ptype), "sum"]
                count -= mine.loc[(pid, ptype), "count"]
            peer.append(total / count if count > 0 else np.nan)
        summary["peer_high_risk_share"] = peer

    # data quality in the window
    touched = prepared[
        ((prepared["entry_date"] >= win_start) & (prepared["entry_date"] <= last))
        | ((prepared["exit_date"] >= win_start) & (prepared["exit_date"] <= last))
    ]
    quality = touched.assign(
        flagged=(touched["dq_issue"] != "").astype(int),
        unknown_destination=(
            touched["exited"] & touched["destination_fy2024"].isin([8, 9, 30, 37, 99]).fillna(False)
        ).astype(int),
    )
    issues = sorted(i for i in quality["dq_issue"].unique() if i)
    for issue in issues:
        quality[issue] = (quality["dq_issue"] == issue).astype(int)
    quality = (
        quality.groupby("provider_id")[["flagged", "unknown_destination", *issues]]
        .sum()
        .reindex(ids, fill_value=0)
        .reset_index()
    )
    summary["dq_flags"] = (
        summary["provider_id"].map(quality.set_index("provider_id")["flagged"]).astype(int)
    )
    summary["unknown_destination_exits"] = (
        summary["provider_id"]
        .map(quality.set_index("provider_id")["unknown_destination"])
        .astype(int)
    )
    has_any = summary["provider_id"].isin(prepared["provider_id"])
    summary["note"] = np.where(has_any, "", "no clients enrolled yet: check referrals and start-up")
    windows = {
        "month": f"{first:%Y-%m}",
        "exits": f"{win_start:%Y-%m-%d} to {last:%Y-%m-%d}",
        "returns": f"{win_start - pd.Timedelta(days=365):%Y-%m-%d} to "
        f"{last - pd.Timedelta(days=365):%Y-%m-%d}, followed 365 days",
        "risk": f"{year_start:%Y-%m-%d} to {last:%Y-%m-%d}",
        "trend": f"{trend_start:%Y-%m} to {first:%Y-%m}",
    }
    return ProgressReport(
        month=f"{first:%Y-%m}",
        providers=summary.reset_index(drop=True),
        trends=trends,
        quality=quality,
        windows=windows,
    )
