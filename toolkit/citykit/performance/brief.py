"""The stat brief: a one-page agenda for a department's monthly performance meeting.

Managing from data works when leaders ask "what problem do you want us to solve?" rather than
"who is to blame?". The brief puts on one page, for one department and one month:

* a headline ("3 of 5 measures met target in March 2024");
* each measure's latest value against its target, the change since last period, and its status
  (met / improving / missed);
* the signals a control chart found recently, in words ("a signal in March: 8 in a row below
  the centre"), so that routine ups and downs are not discussed as if they were news;
* suggested questions for the meeting.

:func:`stat_brief` returns a :class:`StatBrief` with ``markdown`` and ``html`` strings (ready to
paste into an e-mail or a wiki) and a ``table``; in Jupyter it displays itself.
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit._colours import TEXT_COLOURS
from citykit._dates import to_timestamp
from citykit._renamed import renamed_options
from citykit.errors import CityKitError, UnknownNameError, did_you_mean
from citykit.performance._checks import check_table, to_datetime
from citykit.performance.charts import p_chart, xmr_chart
from citykit.performance.targets import target_status

__all__ = ["StatBrief", "stat_brief"]


@dataclass(frozen=True, eq=False)
class StatBrief:
    """A department's stat brief for one period.

    Attributes
    ----------
    department : str
        The department.
    period : Timestamp
        The period the brief reports on.
    headline : str
        One sentence: how many measures met target, how many had signals; then, when some rows
        could not be used (no department, measure name, period or value), how many.
    table : DataFrame
        One row per measure: ``measure, owner, unit, value, previous, change, target, status,
        signal, signal_text``.
    questions : tuple of str
        Suggested questions for the meeting.
    markdown, html : str
        The whole brief as Markdown and as an HTML fragment.
    """

    department: str
    period: pd.Timestamp
    headline: str
    table: pd.DataFrame = field(repr=False)
    questions: tuple[str, ...] = field(repr=False)
    markdown: str = field(repr=False)
    html: str = field(repr=False)

    def __repr__(self) -> str:
        return self.markdown

    def _repr_html_(self) -> str:
        return self.html

    def _repr_markdown_(self) -> str:
        return self.markdown


def _month_label(period: pd.Timestamp, frequency_days: float) -> str:
    if frequency_days >= 27:
        return period.strftime("%B %Y")
    return period.strftime("%d %B %Y").lstrip("0")


def _format(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if "share" in str(unit).lower():
        return f"{value:.1%}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 1 else f"{value:.3f}"


def _format_change(change: float, unit: str) -> str:
    if change is None or np.isnan(change):
        return "—"
    if "share" in str(unit).lower():
        return f"{change * 100:+.1f} pts"
    return f"{change:+.3g}"


def _left_out(
    data: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    by: str,
    measure: str,
    value: str,
    period: str,
) -> list[str]:
    """What the brief cannot use, counted: rows without a department, measure, period or value."""
    counts = {
        "row(s) of the table without a department": int(data[by].isna().sum()),
        "row(s) without a measure name": int(frame[measure].isna().sum()),
        "row(s) without a period": int(frame[period].isna().sum()),
        "row(s) without a value": int(
            (frame[measure].notna() & pd.to_numeric(frame[value], errors="coerce").isna()).sum()
        ),
    }
    return [f"{n:,} {what}" for what, n in counts.items() if n]


@renamed_options(department_column="by")
def stat_brief(
    data: pd.DataFrame,
    *,
    department: str,
    period: str = "month",
    measure: str = "measure",
    value: str = "value",
    target: str = "target",
    direction: str = "direction",
    unit: str | None = "unit",
    owner: str | None = "owner",
    cases: str | None = "cases",
    by: str = "department",
    as_of=None,
    baseline: int = 12,
    lookback: int = 3,
    rule_set: str = "western_electric",
    run_length: int | None = None,
) -> StatBrief:
    """Write the one-page stat brief of one department for one period.

    Parameters
    ----------
    data : DataFrame
        Measures in long form, one row per department, measure and period (the shape of the
        sample city's ``department_measures`` table, or of
        :func:`~citykit.performance.compute_measures` output with a department column).
    department : str, keyword-only
        Which department the brief is for.
    period, measure, value, target, direction : str, keyword-only
        Column names.
    unit, owner, cases : str or None, keyword-only
        Optional columns: the unit (shares are shown as percentages), the owner, and the number
        of cases behind a share (used for a Laney p' chart instead of an XmR chart).
    by : str, keyword-only
        The column naming each row's department (the brief covers the rows where it equals
        ``department``).
    as_of : date-like, optional
        The period to report on (default: the department's latest period).
    baseline : int, keyword-only
        Number of first periods whose variation sets the control limits (all if fewer).
    lookback : int, keyword-only
        Signals in the last ``lookback`` periods (up to ``as_of``) are reported.
    rule_set, run_length :
        Signal rules, as in :func:`~citykit.performance.xmr_chart`.

    Returns
    -------
    StatBrief

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.date_range("2024-01-01", periods=12, freq="MS")
    >>> data = pd.DataFrame({
    ...     "department": "Sanitation", "month": list(months) * 2,
    ...     "measure": ["On-time pickups"] * 12 + ["Days to clear dumping"] * 12,
    ...     "value": [0.80, 0.82, 0.81, 0.79, 0.80, 0.81, 0.70, 0.69, 0.70, 0.68, 0.69, 0.70]
    ...              + [3.1, 2.9, 3.0, 3.2, 2.8, 3.0, 3.1, 2.9, 3.0, 3.1, 2.9, 3.0],
    ...     "target": [0.80] * 12 + [3.5] * 12, "direction": ["up"] * 12 + ["down"] * 12,
    ...     "unit": ["share of pickups"] * 12 + ["days"] * 12})
    >>> brief = stat_brief(data, department="Sanitation", baseline=6, owner=None, cases=None)
    >>> brief.table[["measure", "value", "status", "signal"]]
                     measure  value     status  signal
    0        On-time pickups    0.7  improving    True
    1  Days to clear dumping    3.0        met   False
    >>> brief.headline
    '1 of 2 measures met target in December 2024; 1 had a signal in the last 3 months.'
    >>> print(brief.questions[0])
    On-time pickups (70.0%, target 80.0%): the chart shows signals since July 2024 (a point below the lower control limit). What changed, and what would it take to reach the target?
    >>> stat_brief(data, department="Sanitaton", owner=None, cases=None)
    Traceback (most recent call last):
    ...
    citykit.errors.UnknownNameError: department='Sanitaton' is not in the table's 'department' column. Its departments are: 'Sanitation'. Did you mean 'Sanitation'?
    """
    optional = [c for c in (unit, owner, cases) if c is not None]
    check_table(data, [by, period, measure, value, target, direction, *optional])
    if not isinstance(baseline, int) or baseline < 2:
        raise CityKitError(
            f"baseline must be a whole number of periods, 2 or more; got {baseline!r}."
        )
    if not isinstance(lookback, int) or lookback < 1:
        raise CityKitError(
            f"lookback must be a whole number of periods, 1 or more; got {lookback!r}."
        )
    departments = data[by].dropna().astype(str).unique().tolist()
    if department not in departments:
        raise UnknownNameError(
            f"department={department!r} is not in the table's {by!r} column. Its "
            f"departments are: {', '.join(map(repr, sorted(departments)))}."
            f"{did_you_mean(department, departments)}"
        )
    frame = data[data[by].astype(str) == department].copy()
    left_out = _left_out(data, frame, by=by,
                         measure=measure, value=value, period=period)  # fmt: skip
    # text periods ("01/01/2024") are read as dates, so they sort in time, not alphabetically
    frame[period] = to_datetime(frame[period], column=period, argument="data")
    if frame[period].isna().all():
        raise CityKitError(f"column {period!r} holds no dates; it must give each row's period.")
    periods = pd.Index(sorted(frame[period].dropna().unique()))
    when = to_timestamp(as_of, argument="as_of") if as_of is not None else periods.max()
    if when not in periods:
        raise CityKitError(
            f"as_of={as_of!r} is not one of the department's periods; they run from "
            f"{periods.min():%Y-%m-%d} to {periods.max():%Y-%m-%d}."
        )
    step_days = (
        float(np.median(np.diff(periods.values).astype("timedelta64[D]").astype(float)))
        if len(periods) > 1
        else 30.0
    )
    label = _month_label(when, step_days)
    frame = frame[frame[period] <= when]
    status = target_status(frame, value=value, target=target, direction=direction,
                           period=period, by=measure)  # fmt: skip
    recent_periods = periods[periods <= when][-lookback:]
    rows = []
    for name, series in status.groupby(measure, sort=False, observed=True):
        series = series.sort_values(period)
        current = series[series[period] == when]
        unit_text = str(series[unit].iloc[-1]) if unit else ""
        owner_text = str(series[owner].iloc[-1]) if owner else ""
        row = {
            "measure": name,
            "owner": owner_text,
            "unit": unit_text,
            "value": np.nan,
            "previous": np.nan,
            "change": np.nan,
            "target": float(pd.to_numeric(series[target], errors="coerce").iloc[-1]),
            "status": "not reported",
            "signal": False,
            "signal_text": "",
        }
        if len(current):
            cur = current.iloc[-1]
            row["value"] = float(cur[value])
            row["status"] = cur["status"]
            earlier = series[series[period] < when]
            if len(earlier):
                row["previous"] = float(earlier[value].iloc[-1])
                row["change"] = row["value"] - row["previous"]
        chart = _chart(series, period=period, value=value, cases=cases, baseline=baseline,
                       rule_set=rule_set, run_length=run_length)  # fmt: skip
        if chart is not None:
            recent = chart.table[chart.table["period"].isin(recent_periods) & chart.table["signal"]]
            if len(recent):
                row["signal"] = True
                row["signal_text"] = _signal_text(chart, recent.index[-1], step_days)
        rows.append(row)
    table = pd.DataFrame(rows)
    reported = table[table["status"] != "not reported"]
    with_target = reported[reported["status"] != "no target"]
    n_met = int((with_target["status"] == "met").sum())
    n_signal = int(table["signal"].sum())
    headline = (
        f"{n_met} of {len(with_target)} measures met target in {label}; "
        f"{n_signal} had {'a signal' if n_signal == 1 else 'signals'} in the last "
        f"{lookback} {'months' if step_days >= 27 else 'periods'}."
    )
    if left_out:
        headline += f" Left out: {'; '.join(left_out)}."
    questions = tuple(_questions(table, label))
    markdown = _markdown(department, label, headline, table, questions)
    html = _html_page(department, label, headline, table, questions)
    return StatBrief(department, when, headline, table, questions, markdown, html)


def _signal_text(chart, last: int, step_days: float) -> str:
    """Describe the signal episode that ends at row ``last`` of the chart's table."""
    from citykit.performance.rules import describe_rule

    table = chart.table
    start = last
    while start > 0 and table["signal"].iloc[start - 1]:
        start -= 1
    row = table.iloc[last]
    side = "above" if row["value"] > row["centre"] else "below"
    codes = row["rules"].split(", ")
    keep = [codes[0]] + [c for c in codes[1:] if c in ("WE4", "N2", "N3")]
    reasons = "; ".join(describe_rule(c, run_lengths=chart.run_lengths, side=side) for c in keep)
    first_label = _month_label(table["period"].iloc[start], step_days)
    if start == last:
        return f"a signal in {first_label} ({reasons})"
    return f"signals since {first_label} ({reasons})"


def _chart(series, *, period, value, cases, baseline, rule_set, run_length):
    points = series[[period, value] + ([cases] if cases else [])].dropna(subset=[value])
    if len(points) < 3:
        return None
    n_base = min(baseline, len(points))
    use_p = (
        cases is not None
        and points[cases].notna().all()
        and pd.to_numeric(points[value], errors="coerce").between(0, 1).all()
        and (pd.to_numeric(points[cases], errors="coerce") > 0).all()
    )
    if use_p:
        counts = pd.DataFrame({
            "period": points[period].to_numpy(),
            "hits": (points[value].astype(float) * points[cases].astype(float)).round().to_numpy(),
            "n": points[cases].astype(float).to_numpy(),
        })  # fmt: skip
        return p_chart(counts, numerator="hits", denominator="n", period="period", laney=True,
                       baseline=n_base, rule_set=rule_set, run_length=run_length)  # fmt: skip
    frame = pd.DataFrame({"period": points[period].to_numpy(), "value": points[value].to_numpy()})
    return xmr_chart(frame, period="period", baseline=n_base, rule_set=rule_set,
                     run_length=run_length)  # fmt: skip


def _questions(table: pd.DataFrame, label: str) -> list[str]:
    out = []
    for _, row in table.iterrows():
        shown = f"{row['measure']} ({_format(row['value'], row['unit'])}, target " + (
            f"{_format(row['target'], row['unit'])})"
        )
        if row["status"] == "not reported":
            out.append(f"{row['measure']} was not reported for {label}: what stopped the report?")
        elif row["status"] in ("missed", "improving") and row["signal"]:
            out.append(
                f"{shown}: the chart shows {row['signal_text']}. What changed, and what would it "
                "take to reach the target?"
            )
        elif row["status"] in ("missed", "improving"):
            out.append(
                f"{shown}: the variation is routine, so the process itself produces this level. "
                "Is the target realistic, and what change to the process would move it?"
            )
        elif row["signal"]:
            out.append(
                f"{shown}: met target, and the chart shows {row['signal_text']}. What did the "
                "team do differently, and can it last or spread?"
            )
    if not out:
        out.append("Every measure met target with routine variation: which target should rise?")
    return out


def _markdown(department, label, headline, table, questions) -> str:
    lines = [f"## {department} — stat brief, {label}", "", f"**{headline}**", ""]
    lines.append("| Measure | Owner | Value | Target | Change | Status | Signal |")
    lines.append("|---|---|---|---|---|---|---|")
    for _, r in table.iterrows():
        lines.append(
            f"| {r['measure']} | {r['owner']} | {_format(r['value'], r['unit'])} | "
            f"{_format(r['target'], r['unit'])} | {_format_change(r['change'], r['unit'])} | "
            f"{r['status']} | {r['signal_text'] or '—'} |"
        )
    lines += ["", "**Questions for the meeting**", ""]
    lines += [f"{i}. {q}" for i, q in enumerate(questions, start=1)]
    return "\n".join(lines) + "\n"


# text colours with AA contrast (the palette's own orange on white is 2.2:1)
_STATUS_COLOURS = {
    "met": TEXT_COLOURS["green"],
    "improving": TEXT_COLOURS["orange"],
    "missed": TEXT_COLOURS["vermillion"],
}


def _html_page(department, label, headline, table, questions) -> str:
    e = _html.escape
    rows = []
    for _, r in table.iterrows():
        colour = _STATUS_COLOURS.get(r["status"], TEXT_COLOURS["grey"])
        rows.append(
            "<tr>"
            f"<td>{e(str(r['measure']))}</td><td>{e(str(r['owner']))}</td>"
            f"<td style='text-align:right'>{e(_format(r['value'], r['unit']))}</td>"
            f"<td style='text-align:right'>{e(_format(r['target'], r['unit']))}</td>"
            f"<td style='text-align:right'>{e(_format_change(r['change'], r['unit']))}</td>"
            f"<td><span style='color:{colour};font-weight:bold'>{e(r['status'])}</span></td>"
            f"<td>{e(r['signal_text'] or '—')}</td>"
            "</tr>"
        )
    items = "".join(f"<li>{e(q)}</li>" for q in questions)
    return (
        "<div class='citykit-stat-brief'>"
        f"<h3>{e(department)} — stat brief, {e(label)}</h3>"
        f"<p><b>{e(headline)}</b></p>"
        "<table><thead><tr><th>Measure</th><th>Owner</th><th>Value</th><th>Target</th>"
        "<th>Change</th><th>Status</th><th>Signal</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<p><b>Questions for the meeting</b></p><ol>{items}</ol>"
        "</div>"
    )
