"""The figures the lessons' text quotes, and how each is computed (see test_lessons_figures.py).

``FIGURES[lesson]`` lists :class:`Figure` s: the text exactly as the lesson writes it, with ``{}``
where each number goes, and an expression evaluated in the lesson's kernel just before the first text
cell that holds the quote (or the cell holding ``near``). The expression gives one value or a tuple,
already written as the text writes it; lines before it, if any, prepare it (name what they make with
a leading underscore, so as not to touch the lesson's own names); the helpers ``_r(x, step)`` (rounded to a multiple of step,
thousands separated), ``_pct(x, step)`` (a share as a percentage, without the sign) and ``_n(x)`` (a
count) are defined in the kernel for them.

``CONSTANTS[lesson]`` lists phrases whose numbers are not about the data: a method's constant, a
published figure, a policy threshold, a made-up example. Each must appear in the lesson as written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A number (or several) the text quotes, and the expression that computes it."""

    quote: str
    value: str
    near: str | None = None


_SCORECARD = '_s = scorecard.set_index(["department", "measure"])'
_MONTHLY = '_W = monthly.pivot(index="month", columns="department", values="requests")'

FIGURES: dict[str, list[Figure]] = {
    "00-foundations/01-tables-and-filters": [
        Figure(
            "in lower case the count is {}, without",
            'len(requests[requests["channel"] == "email"])',
        ),
    ],
    "00-foundations/02-group-pivot-dates": [
        Figure("Spotting that in {} rows of numbers", "len(monthly)"),
    ],
    "00-foundations/03-first-chart": [
        Figure(
            "peaking in May of both years at about {} to {} a month",
            f"""{_MONTHLY}
_may = _W["Sanitation"][_W.index.month == 5]
_r(_may.min(), 10), _r(_may.max(), 10)""",
        ),
        Figure(
            "Public Works leads, with up to about {} a month",
            f'{_MONTHLY}\n_r(_W["Public Works"].max(), 100)',
        ),
        Figure(
            "from about {} requests a month in winter to about {} in July",
            f"""{_MONTHLY}
_parks = _W["Parks and Recreation"]
_r(_parks[_parks.index.month.isin([12, 1, 2])].mean(), 50), _r(_parks[_parks.index.month == 7].mean(), 50)""",
        ),
        Figure(
            "Transportation stays between about {} and {} a month",
            f'{_MONTHLY}\n_r(_W["Transportation"].min(), 10), _r(_W["Transportation"].max(), 10)',
        ),
        Figure(
            "Water Utility between about {}\nand {}.",
            f'{_MONTHLY}\n_r(_W["Water Utility"].min(), 10), _r(_W["Water Utility"].max(), 10)',
        ),
        Figure("the city's {} service types", 'requests["service_type"].cat.categories.size'),
        Figure("for all {}.", 'requests["service_type"].cat.categories.size'),
        Figure(
            "The medians range\nonly from about {} days (Lakeshore) to {} days (Eastview)",
            '_r(by_district["median_days"].min(), 0.1), _r(by_district["median_days"].max(), 0.1)',
        ),
        Figure(
            "Every district is at {}% to {}%",
            "_pct(on_time['percent_on_time'].min() / 100), _pct(on_time['percent_on_time'].max() / 100)",
        ),
        Figure(
            "between about\n{} and {} requests a month",
            "_r(total.min(), 50), _r(total.max(), 50)",
        ),
    ],
    "01-open-data/01-decide-what-to-publish": [
        Figure(
            "{} candidates wait",
            "'Eight' if len(planned_ids := catalog[catalog['status'] == 'planned']) == 8 else len(planned_ids)",
        ),
        Figure(
            "Police incidents lead with about\n{} requests", "_r(demand['requests'].iloc[0], 100)"
        ),
        Figure("the smallest at about {}.", "_r(demand['requests'].iloc[-1], 10)"),
        Figure(
            '"salaries" gets the payroll requests (about {} in Riverton)',
            """_rules = {**opendata.DEFAULT_TOPIC_RULES, "salaries": (r"payroll", r"salar")}
_d = opendata.demand_by_topic(requests, rules=_rules).set_index("topic")["requests"]
_r(_d["salaries"], 10)""",
        ),
        Figure("(more than {}\nrequests between them)", "_r(gap['requests'].sum() - 50, 100)"),
        Figure(
            "Use of Force Incidents gets the full {} policy points (priority {}, the highest), the full\n{} demand points",
            """_top = ranked.iloc[0]
_n(_top["policy_points"]), _n(_top["policy_priority"]), _n(_top["demand_points"])""",
        ),
        Figure(
            "the same {} points: none is published yet", "_r(ranked['usage_points'].iloc[0], 0.1)"
        ),
        Figure(
            "(about {} points), Arrests and Development Applications lead",
            "_r(ranked['total'].iloc[0])",
        ),
        Figure(
            "falls from {} to {}",
            """_rank = comparison.set_index("title").loc["Rental Registry"]
_words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth"}
_words[_rank["rank_default"]], _words[_rank["rank_demand_first"]]""",
        ),
    ],
    "01-open-data/02-describe-and-validate": [
        Figure(
            "Three kinds of problem stand out. {} records have a contact with no e-mail address. {} have a",
            """_by = problems.groupby("field").size()
_words = {3: "Three", 5: "Five", 6: "Six", 8: "Eight"}
_words.get(_by["contactPoint.hasEmail"]), _words.get(_by["modified"])""",
        ),
        Figure(
            "{} an update frequency written as a word",
            """_by = problems.groupby("field").size()
{3: "three", 5: "five"}.get(_by["accrualPeriodicity"])""",
        ),
        Figure(
            "and {} a download link with no media type",
            """_by = problems.groupby("field").size()
{3: "three", 5: "five"}.get(_by["distribution[0].mediaType"])""",
        ),
        Figure(
            "the report says *ready*: {} rows match the schema",
            "_n(len(to_publish))",
            near="Relax the promise",
        ),
    ],
    "01-open-data/03-protect-privacy": [
        Figure(
            "somewhere between {} and {} demolitions",
            """_c = result.audit.cells.set_index(["row", "column"])
_n(_c.loc[("University", "demolition"), "low"]), _n(_c.loc[("University", "demolition"), "high"])""",
        ),
        Figure(
            "{} demolition counts are small and {} complementary cells are hidden to protect them, {} in all",
            """_all = opendata.suppress_small_cells(opendata.count_table(permits, rows="district", columns="permit_type"), threshold=threshold)
_w = {7: "Seven", 9: "nine"}
_w.get(_all.n_primary, _all.n_primary), _w.get(_all.n_complementary, _all.n_complementary).lower(), _all.n_primary + _all.n_complementary""",
        ),
        Figure(
            "Every range is\nat least {} wide",
            '_n(threshold) if result.audit.cells["width"].min() >= threshold else "?"',
        ),
        Figure(
            "{} records ({}%), against {}% when the exact year",
            """_d = coarser.assign(decade_built=(coarser["year_built"] // 10) * 10)
_k = opendata.k_anonymity(_d, quasi_identifiers=["district", "owner_group", "decade_built"], k=5)
_year = opendata.k_anonymity(permits, quasi_identifiers=quasi + ["year_built"], k=5)
_n(_k.n_at_risk), _pct(_k.n_at_risk / len(permits), 0.1), _pct(_year.n_at_risk / len(permits))""",
        ),
    ],
    "01-open-data/04-read-engagement-and-act": [
        Figure(
            "(about {} in March 2023, {} in March 2024)",
            """_d = portal.set_index("month")["downloads"]
_r(_d["2023-03-01"], 500), _r(_d["2024-03-01"], 500)""",
        ),
        Figure(
            "(about {} in 2023, {} in 2024)",
            """_d = portal.set_index("month")["downloads"]
_r(_d["2023-06":"2023-09"].min(), 200), _r(_d["2024-06":"2024-09"].min(), 200)""",
        ),
        Figure(
            "carry more than {}% of all\ndownloads",
            "_pct(top['cumulative_share'].iloc[3] - 0.005, 5)",
        ),
        Figure("{} datasets, nobody, in two years", "{6: 'Six'}.get(len(unused), len(unused))"),
        Figure(
            "this list has {} of the {} published datasets",
            "_n((per_month < 10).sum()), _n((catalog['status'] == 'published').sum())",
        ),
        Figure(
            "{} datasets look like they are declining",
            "{6: 'Six'}.get((trends['trend'] == 'declining').sum())",
        ),
        Figure(
            "Building Permits grows by about {}% a month",
            "_pct(seasonal.set_index('identifier').loc[catalog.set_index('title').loc['Building Permits', 'identifier'], 'growth_per_month'])",
        ),
        Figure(
            "311 Service Requests (about {}-{} a month)",
            """_g = grid[grid["identifier"] == catalog.set_index("title").loc["311 Service Requests", "identifier"]]["downloads"]
_r(_g.min(), 100), _r(_g.max(), 100)""",
        ),
        Figure(
            "Building Permits climbs from about {} to about {} a month",
            """_g = grid[grid["identifier"] == catalog.set_index("title").loc["Building Permits", "identifier"]].sort_values("month")["downloads"]
_r(_g.iloc[0], 100), _r(_g.iloc[-1], 100)""",
        ),
        Figure(
            "from about {}-{} to about {}-{} a month",
            """_g = grid[grid["identifier"] == catalog.set_index("title").loc["Parking Citations", "identifier"]].set_index("month")["downloads"]
_r(_g[:"2023-12"].min(), 10), _r(_g[:"2023-12"].max(), 10), _r(_g["2024-01":].min(), 5), _r(_g["2024-01":].max(), 5)""",
        ),
        Figure(
            "had about {} to {} downloads in two years",
            """_t = plan.sort_values("total", ascending=False)["total"]
_r(_t.iloc[3], 1000), _r(_t.iloc[0], 1000)""",
        ),
        Figure(
            "had about {} each, some {} a month",
            """_t = plan.sort_values("total", ascending=False)["total"]
_r(_t.iloc[4:8].mean(), 100), _r(_t.iloc[4:8].mean() / 24, 10)""",
        ),
    ],
    "02-performance-management/01-from-goal-to-measure": [
        Figure(
            "the on-time share jumps from about two-thirds to over {}%",
            """_v = one.pivot_table(index="period", columns="measure", values="value")
_pct(_v.loc["2024-04-01":, on_time.name].min() - 0.005, 10)""",
        ),
        Figure(
            "Sanitation receives about {} requests per 1,000 residents a month",
            "_r(one.loc[one['measure'] == per_1000.name, 'value'].mean())",
        ),
        Figure(
            "about {}% of requests came through the app in 2023 and about {}% in 2024",
            """_a = performance.compute_measures(timed, measures=in_app, date="opened_at", frequency="yearly")["value"]
_pct(_a.iloc[0]), _pct(_a.iloc[1])""",
        ),
        Figure(
            "about {} requests per 1,000 residents a year everywhere",
            "_r(rates['value'].mean(), 10)",
        ),
        Figure(
            "Sanitation (about {} days) and Water\nUtility (about {})",
            """_m = performance.compute_measures(timed, measures=median_days, date="opened_at", by="department")
_m = _m[_m["period"] == latest].set_index("department")["value"]
_r(_m["Sanitation"], 0.01), _r(_m["Water Utility"], 0.01)""",
        ),
        Figure(
            "Complaints inspected within 7 days moves\nbetween about {}% and {}%",
            f"""{_SCORECARD}["value"]
_pct(_s.loc[("Code Enforcement", "Complaints inspected within 7 days")].min()), _pct(_s.loc[("Code Enforcement", "Complaints inspected within 7 days")].max())""",
        ),
        Figure(
            "Median days to first inspection moves between\nabout {} and {} days",
            f"""{_SCORECARD}["value"]
_r(_s.loc[("Code Enforcement", "Median days to first inspection")].min()), _r(_s.loc[("Code Enforcement", "Median days to first inspection")].max())""",
        ),
        Figure(
            "in every month but {}. Cases closed",
            """_c = scorecard[(scorecard["department"] == "Code Enforcement") & (scorecard["measure"] == "Median days to first inspection")]
{0: "none", 1: "one", 2: "two"}[(_c["value"] <= _c["target"]).sum()]""",
        ),
        Figure(
            "{} departments met two of their three targets ({}%)",
            """_two = summary[summary["met"] == 2]
{4: "Four"}.get(len(_two), len(_two)), _pct(2 / 3)""",
        ),
        Figure(
            "Public Works and Code Enforcement met\none of three ({}%)",
            """_one = summary[summary["met"] == 1]
(_pct(1 / 3) if set(_one["department"]) == {"Public Works", "Code Enforcement"} else "?")""",
        ),
    ],
    "02-performance-management/02-signal-vs-noise": [
        Figure(
            "rose {} points\nin March, the biggest gain in the city",
            """_march = change.loc["2024-03-01"]
_r(_march["Code Enforcement"]) if _march.idxmax() == "Code Enforcement" else "?" """,
        ),
        Figure(
            "same department had fallen {} points",
            '_r(-change.loc["2024-02-01", "Code Enforcement"])',
        ),
        Figure(
            "The centre is about {}%\nand the limits about {}% and {}%",
            "_pct(code_chart.centre), _pct(code_chart.table['lcl'].iloc[0]), _pct(code_chart.table['ucl'].iloc[0])",
        ),
        Figure(
            "February 2024 (about {}%) and March 2024 (about\n{}%)",
            """_v = code_share.set_index("period")["value"]
_pct(_v["2024-02-01"]), _pct(_v["2024-03-01"])""",
        ),
        Figure(
            "varies between about {}% and {}% from month to month",
            "_pct(code_chart.table['lcl'].iloc[0]), _pct(code_chart.table['ucl'].iloc[0])",
        ),
        Figure("It averages\n{}%, below the 80% target", "_pct(code_chart.centre)"),
        Figure(
            "You get about {}, the chart's upper limit",
            "_r(code_chart.table['ucl'].iloc[0], 0.001)",
        ),
        Figure(
            "the share moves between about {}% and {}%, inside limits of\nroughly {}% to {}%, around a centre of about {}%",
            """_t = san_chart.table[san_chart.table["period"] < "2024-04-01"]
_pct(_t["value"].min()), _pct(_t["value"].max()), _pct(_t["lcl"].min()), _pct(_t["ucl"].max()), _pct(san_chart.centre)""",
        ),
        Figure(
            "From April 2024 every month is above {}%",
            """_t = san_chart.table[san_chart.table["period"] >= "2024-04-01"]
_pct(_t["value"].min() - 0.005, 10)""",
        ),
        Figure(
            "and all {} months from April to December are marked as signals",
            """_t = san_chart.table[san_chart.table["period"] >= "2024-04-01"]
{9: "nine"}.get(int(_t["signal"].sum()))""",
        ),
        Figure('"Sanitation +{} points"', '_r(change.loc["2024-04-01", "Sanitation"])'),
        Figure(
            "The p-chart flags {} months as beyond its limits, {} of them",
            """_beyond = code_p.table[code_p.table["rules"].str.contains("WE1")]
_w = {2: "two", 3: "three"}
_w.get(len(_beyond)), _w.get(int((_beyond["period"] < "2024-01-01").sum()))""",
        ),
        Figure(
            "The centre moves up to about {}%, between the old level (about {}%) and the new one (over {}%), and {}\nof the {} months signal",
            """_all = performance.p_chart(sanitation, numerator="numerator", denominator="denominator", period="period", baseline=None, rules=[1, 4])
_after = _all.table[_all.table["period"] >= "2024-04-01"]["value"]
_pct(_all.centre), _pct(san_chart.centre), _pct(_after.min() - 0.005, 10), int(_all.table["signal"].sum()), len(_all.table)""",
        ),
        Figure(
            "about {}% of each month's requests have an unknown status (cancelled ones). In\nthe last month it is {}% citywide and {}% for Parks and Recreation",
            """_u = timed.assign(_m=timed["opened_at"].dt.to_period("M"))
_by_month = _u.groupby("_m")["closed_on_time"].apply(lambda s: s.isna().mean())
_pct(_by_month.iloc[:-2].median()), _pct(_by_month.iloc[-1]), _pct(unknown.iloc[-1]["Parks and Recreation"])""",
        ),
        Figure(
            "whose December on-time share (about\n{}%)",
            '_pct(by_month.iloc[-1]["Parks and Recreation"])',
        ),
    ],
    "02-performance-management/03-the-stat-meeting": [
        Figure(
            "The recycling share misses its\n{}% target, with only routine variation: the process produces about {}%",
            f"""{_SCORECARD}
_rec = _s.loc[("Sanitation", "Share of waste recycled")]
_pct(_rec["target"].iloc[0]), _pct(_rec["value"].mean())""",
        ),
        Figure(
            "move\nbetween about {}% and {}%, mostly above the {}% target, until June 2024, then drop to between about {}%\nand {}% from July 2024",
            f"""{_SCORECARD}
_p = _s.loc[("Parks and Recreation", "Playground inspections on schedule")].set_index("month")
_pct(_p.loc[:"2024-06-30", "value"].min()), _pct(_p.loc[:"2024-06-30", "value"].max()), _pct(_p["target"].iloc[0]), _pct(_p.loc["2024-07-01":, "value"].min()), _pct(_p.loc["2024-07-01":, "value"].max())""",
        ),
        Figure(
            "rises each summer (to about {} days in 2023 and {} in 2024)",
            f"""{_SCORECARD}
_t = _s.loc[("Parks and Recreation", "Median days to trim a tree")].set_index("month")["value"]
_r(_t[:"2023-12-31"].max()), _r(_t["2024-01-01":].max())""",
        ),
        Figure(
            "under its {}-day target (lower is better) in every\nmonth but one",
            f"""{_SCORECARD}
_t = _s.loc[("Parks and Recreation", "Median days to trim a tree")]
_n(_t["target"].iloc[0]) if (_t["value"] > _t["target"]).sum() == 1 else "?" """,
        ),
        Figure(
            "moves between about {}% and {}%, above its {}% target in most months",
            f"""{_SCORECARD}
_t = _s.loc[("Parks and Recreation", "Park maintenance requests closed within 10 days")]
_pct(_t["value"].min()), _pct(_t["value"].max(), 5), _pct(_t["target"].iloc[0])""",
        ),
    ],
    "02-performance-management/04-inventory-and-data-quality": [
        Figure(
            "is empty for about {}% of requests", '_pct(requests["district"].isna().mean(), 0.1)'
        ),
        Figure(
            "is {} days old, beyond a monthly update",
            '(pd.Timestamp("2025-03-01") - scorecard["month"].max()).days',
        ),
    ],
    "03-evaluation/01-why-randomize": [
        Figure(
            "a gap of more than {} percentage points",
            "_r(100 * (on_time_opened - on_time_not_opened) - 5, 10)",
        ),
        Figure(
            "the gap all but disappears (about {} point, which is chance). The whole {}-point",
            """_rng = np.random.default_rng(2024)
_o = _rng.uniform(size=len(letters)) < np.where(letters[outcome], 0.6, 0.6)
_g = letters.loc[_o, outcome].mean() - letters.loc[~_o, outcome].mean()
_r(100 * _g).replace("-", "−"), _r(100 * (on_time_opened - on_time_not_opened))""",
        ),
        Figure(
            "as a\n  share: {} is {}",
            "_r(effect.table['estimate'].iloc[0], 0.001), _r(100 * effect.table['estimate'].iloc[0], 0.1)",
        ),
        Figure(
            "from {}% to {}%), not {}%",
            """_t = effect.table.iloc[0]
_pct(_t["control_mean"], 0.1), _pct(_t["arm_mean"], 0.1), _r(100 * _t["estimate"], 0.1)""",
        ),
        Figure("(a rise of about {}%)", "_pct(effect.table['relative_effect'].iloc[0])"),
        Figure(
            "by roughly {} to {} percentage points",
            "_r(100 * effect.table['ci_low'].iloc[0]), _r(100 * effect.table['ci_high'].iloc[0])",
        ),
        Figure(
            "differences of at most about {} points either way, none of them near the real one",
            """_rng = np.random.default_rng(2024)
_d = [paid[_l].mean() - paid[~_l].mean() for _l in (_rng.permutation(got_letter) for _ in range(5))]
_real = paid[got_letter].mean() - paid[~got_letter].mean()
_r(100 * max(map(abs, _d))) if max(map(abs, _d)) < _real / 1.5 else "?" """,
        ),
        Figure(
            "Histogram of {} differences",
            '_n(shuffles.table["draws"].iloc[0])',
        ),
        Figure(
            "95 in 100 of them within about {}\npoints either way. A solid vertical line marks the real difference, about {} points",
            """_null = shuffles.null_distribution["letter"]
_r(100 * np.quantile(np.abs(_null), 0.95)), _r(100 * shuffles.table["estimate"].iloc[0], 0.1)""",
        ),
        Figure(
            "only {} of the {} shuffles reach either line",
            '_n(shuffles.table["extreme"].iloc[0]), _n(shuffles.table["draws"].iloc[0])',
        ),
        Figure(
            "about {} from the shuffles and about {} from the formula",
            '_r(shuffles.table["p_value"].iloc[0], 0.001), _r(shuffles.table["p_value_t"].iloc[0], 0.001)',
        ),
        Figure(
            "There are only {} multi-family accounts, and only {} of them are in the\ncontrol group ({}% got the letter)",
            """_f = trial[trial["account_type"] == "multi-family"]
_n(len(_f)), _n((_f["arm"] == "control").sum()), _pct((_f["arm"] == "letter").mean())""",
        ),
        Figure(
            "the letter raised on-time payment by about {} percentage points",
            "_r(100 * effect.table['estimate'].iloc[0])",
        ),
    ],
    "03-evaluation/02-design": [
        Figure(
            "so {}% of residential, {}% of multi-family\nand {}% of commercial accounts got the letter",
            """_share = trial.groupby("account_type", observed=True)["arm"].apply(lambda a: (a == "letter").mean())
_pct(_share["residential"]), _pct(_share["multi-family"]), _pct(_share["commercial"])""",
        ),
        Figure(
            "is missing for about {}% of accounts", "_pct(trial['account_age_years'].isna().mean())"
        ),
        Figure(
            "bill balance is the farthest, at about\n{}",
            """_b = balance.table.set_index("covariate")
(_r(_b["smd"].abs().idxmax() == "balance_usd" and _b.loc["balance_usd", "smd"], 0.01)).replace("-", "−")""",
        ),
        Figure(
            "every standardized difference is within about {}",
            """_c = evaluation.balance_table(simple.table, covariates=["balance_usd", "prior_late_payments", "account_age_years"])
_r(_c.table["smd"].abs().max() + 0.005, 0.01)""",
        ),
        Figure(
            "with {} accounts per arm, chance differences are small",
            "_r(len(simple.table) / 2, 1000)",
        ),
        Figure(
            "on-time payment\nwas about {}% without the letter. What power did {} accounts per arm",
            """_h = trial[trial["account_type"] == "residential"]
_pct(_h.loc[_h["arm"] == "control", "paid_on_time"].mean()), _n((_h["arm"] == "control").sum())""",
        ),
        Figure(
            "nearly 100% for a {}-point rise",
            '_r(curve.loc[curve["power"] >= 0.99, "effect_pp"].iloc[0])',
        ),
        Figure(
            "the minimum detectable effect,\nabout {} points, where the curve crosses it",
            "_r(100 * mde)",
        ),
        Figure("with about {} views per posting it nearly doubles", "_r(icc.cluster_size, 10)"),
        Figure("adding views to\nthe same {} postings", "views['posting_id'].nunique()"),
        Figure(
            "About {} per arm, so some {} accounts: far more than Riverton's {} commercial accounts",
            """_n2 = evaluation.sample_size_two_proportions(control_rate=0.78, treated=0.81, method="arcsine")
_r(_n2, 10), _r(2 * _n2, 100), _n((trial["account_type"] == "commercial").sum())""",
        ),
        Figure(
            "with {} accounts per arm its minimum detectable\neffect is about twice that",
            """_c = (trial["account_type"] == "commercial").sum() / 2
_m = evaluation.mde_two_proportions(control_rate=0.78, n_per_arm=_c, method="arcsine")
_n(_c) if 1.8 < _m / 0.03 < 2.3 else "?" """,
        ),
    ],
    "03-evaluation/03-analyse": [
        Figure(
            "Recall the design: {}% of residential, {}% of multi-family and only {}%",
            """_share = bills.groupby("account_type", observed=True)["arm"].apply(lambda a: (a == "letter").mean())
_pct(_share["residential"]), _pct(_share["multi-family"]), _pct(_share["commercial"])""",
        ),
        Figure(
            "pay on time most often ({}%)",
            "_pct(by_type.loc['commercial', 'on_time_rate'])",
        ),
        Figure(
            "pay on time least often ({}%)",
            "_pct(by_type.loc['multi-family', 'on_time_rate'])",
        ),
        Figure(
            "To see where the {} points come from", "_r(100 * blocked.table['estimate'].iloc[0])"
        ),
        Figure(
            "(by about {} to {} points; the small blocks are\nimprecise), and the block-weighted average is about {} points, not {}",
            "_r(100 * within['estimate'].min()), _r(100 * within['estimate'].max()), _r(100 * blocked.table['estimate'].iloc[0]), _r(100 * naive.table['estimate'].iloc[0], 0.1)",
        ),
        Figure(
            "the letter's true average effect is {} points",
            """from citykit.synth.trials import TRUE_EFFECTS as _truth
_r(100 * _truth["bill_reminder_trial"]["letter"], 0.01)""",
        ),
        Figure(
            "at about {} to {} points",
            "_r(100 * arms.table.set_index('arm').loc['text_message', 'ci_low']), _r(100 * arms.table.set_index('arm').loc['text_message', 'ci_high'])",
        ),
        Figure(
            "The text beat the postcard by about {} points",
            "_r(100 * text_vs_postcard.table['estimate'].iloc[0])",
        ),
        Figure("the {} *postings* were randomized", "views['posting_id'].nunique()"),
        Figure("Treating the {}-odd views", "_r(len(views) - 500, 1000)"),
        Figure(
            "Same estimate (about {} points on an application rate of {}%), but the honest standard error is about {}%\nlarger and the degrees of freedom reflect the {} postings, not {} views",
            """_a, _b = as_if_views.table.iloc[0], by_posting.table.iloc[0]
_r(100 * _b["estimate"]), _pct(_b["control_mean"]), _r(100 * (_b["se"] / _a["se"] - 1), 10), views["posting_id"].nunique(), _n(len(views))""",
        ),
        Figure(
            "(about {} points instead of {}) and the standard error shrinks (about {}\ninstead of {})",
            """_f = evaluation.estimate_effects(views, outcome="applied", cluster="posting_id", block="job_family").table.iloc[0]
_b = by_posting.table.iloc[0]
_r(100 * _f["estimate"], 0.1), _r(100 * _b["estimate"], 0.1), _r(_f["se"], 0.001), _r(_b["se"], 0.001)""",
        ),
        Figure(
            "Here {} of the {} changes remain winners under either method",
            """_w = {3: "three", 4: "four"}
(_w.get(int(summary["winner_holm"].sum())) if (bh["reject"] == holm["reject"]).all() else "?"), _w.get(len(summary))""",
        ),
    ],
    "03-evaluation/04-replicate-a-real-trial": [
        Figure(
            "## Any letter raised recertification by about {} points, {}% in relative terms",
            "_r(100 * letter_effect.table['estimate'].iloc[0], 0.1), _pct(letter_effect.table['relative_effect'].iloc[0])",
            near="In a sentence, and as a relative change",
        ),
        Figure(
            "(roughly {} to {} points for the specific-date letter and {} to {} for the open-date one)",
            """_e = each_letter.table.set_index("arm")
_r(100 * _e.loc["specific_date", "ci_low"]), _r(100 * _e.loc["specific_date", "ci_high"]), _r(100 * _e.loc["open_date", "ci_low"]), _r(100 * _e.loc["open_date", "ci_high"])""",
        ),
        Figure(
            "Why is a {}-point difference",
            "_r(100 * open_vs_specific.table['estimate'].iloc[0], 0.1)",
        ),
        Figure(
            "reliably detect differences of about {} points; a difference of {} points",
            "_r(100 * mde), _r(100 * open_vs_specific.table['estimate'].iloc[0], 0.1)",
        ),
        Figure(
            "About {} families per arm, some {} in all: two and a half years",
            """_n3 = evaluation.sample_size_two_proportions(control_rate=0.448, treated=0.464, method="arcsine")
_r(_n3, 1000), _r(2 * _n3, 10000) if abs(2 * _n3 / families_per_year - 2.5) < 0.2 else "?" """,
        ),
        Figure(
            "its interval (about {} to {} points) means anywhere from about {} to {} families a year",
            "_r(100 * open_effect['ci_low']), _r(100 * open_effect['ci_high']), _r(open_effect['ci_low'] * families_per_year, 10), _r(open_effect['ci_high'] * families_per_year, 10)",
        ),
        Figure(
            "About {} more families a year, with an interval from roughly {} to {}",
            """_s = each_letter.table.set_index("arm").loc["specific_date"]
_r(_s["estimate"] * families_per_year, 10), _r(_s["ci_low"] * families_per_year, 10), _r(_s["ci_high"] * families_per_year, 10)""",
        ),
        Figure(
            "The open-date letter did {} points better than the specific-date letter, far below the {}-point MDE",
            "_r(100 * open_vs_specific.table['estimate'].iloc[0], 0.1), _r(100 * mde)",
        ),
        Figure(
            "from about 40% to about {}%",
            "_pct(letter_effect.table['arm_mean'].iloc[0], 0.1)",
        ),
    ],
    "03-evaluation/05-run-a-real-trial": [
        Figure(
            "{} in ten texts never arrived",
            """_miss = 1 - reached.loc["text_message", "delivered"] / reached.loc["text_message", "assigned"]
{3: "Three"}.get(round(10 * _miss))""",
        ),
    ],
    "04-results-driven-contracting/01-outputs-vs-outcomes": [
        Figure(
            "Each shelter has only about {} to {} exits a month, and the lines move by\nup to {} percentage points",
            """_es = monthly[monthly["provider_id"].isin(shelters)]
_jumps = _es.pivot(index="month", columns="provider_id", values="rate").diff().abs()
_r(_es["exits"].min(), 5), _r(_es["exits"].max(), 5), _r(100 * _jumps.max().max(), 10)""",
        ),
        Figure(
            "Southpark (P08) goes from about {}% in July to {}%\nin August and back to {}% in September",
            """_p = monthly[monthly["provider_id"] == "P08"].set_index("month")["rate"]
_pct(_p["2024-07"]), _pct(_p["2024-08"]), _pct(_p["2024-09"])""",
        ),
        Figure(
            "Old Town (P06) is lowest in most months, between about {}% and {}%",
            """_p = monthly[monthly["provider_id"] == "P06"]["rate"]
_pct(_p.min()), _pct(_p.max())""",
        ),
        Figure(
            "shows a 24-month return rate of {}%:\none return out of **{}** people",
            """_f = contracting.returns_to_homelessness(enrollments, start=start, end=end, lookback_days=730, as_of=end).set_index("provider_id").loc["P05"]
_pct(_f["rate_24m"]), {2: "two"}.get(int(_f["permanent_exits"]))""",
        ),
    ],
    "04-results-driven-contracting/02-fair-comparison": [
        Figure(
            "about {}% of Old Town's\nclients have a disabling condition and {}% are high-acuity",
            "_pct(mix.loc['P06', 'disabling_condition'], 5), _pct(mix.loc['P06', 'high_acuity'], 5)",
        ),
        Figure(
            "a disabling condition roughly halves the odds (about {}), each\nearlier episode of homelessness lowers them by about {}% ({}), while families (about {}), veterans ({}) and\npeople with some income ({}) do better",
            """_o = risk.coefficients.set_index("term")["odds_ratio"]
_r(_o["disabling_condition"], 0.01), _pct(1 - _o["prior_episodes"]), _r(_o["prior_episodes"], 0.01), _r(_o["household_type[family with children]"], 0.1), _r(_o["veteran"], 0.1), _r(_o["has_income"], 0.1)""",
        ),
        Figure(
            "P06 had {} exits to housing; an average shelter with the same clients would have\nhad about {}. O/E is {}, with a 95% interval from about {} to {}",
            """_t = risk.table.set_index("provider_id").loc["P06"]
_n(_t["observed"]), _n(_t["expected"]), _r(_t["oe_ratio"], 0.01), _r(_t["oe_low"], 0.01), _r(_t["oe_high"], 0.01)""",
        ),
        Figure(
            "has an O/E of about {}, and its interval stays below 1",
            '_r(risk.table.set_index("provider_id").loc["P08", "oe_ratio"], 0.01)',
        ),
        Figure(
            "P08 is lowest at about {}, its interval (about {} to {}) entirely left of 1",
            """_t = risk.table.set_index("provider_id").loc["P08"]
_r(_t["oe_ratio"], 0.01), _r(_t["oe_low"], 0.01), _r(_t["oe_high"], 0.01)""",
        ),
        Figure(
            "P01 (about {}) has an interval just right of 1 (about {} to {})",
            """_t = risk.table.set_index("provider_id").loc["P01"]
(_r(_t["oe_ratio"], 0.01), _r(_t["oe_low"], 0.01), _r(_t["oe_high"], 0.01)) if 1 < _t["oe_low"] < 1.01 else ("?", "?", "?")""",
        ),
        Figure(
            "P06 (about {}) and P02 (about {}) have intervals that cross 1",
            """_t = risk.table.set_index("provider_id")
_cross = all(_t.loc[p, "oe_low"] < 1 < _t.loc[p, "oe_high"] for p in ("P06", "P02"))
(_r(_t.loc["P06", "oe_ratio"], 0.01), _r(_t.loc["P02", "oe_ratio"], 0.01)) if _cross else ("?", "?")""",
        ),
        Figure(
            "would overstate chance\nhere by about {} times",
            "_r(1 / risk.variance_ratio**0.5, 0.1)",
        ),
        Figure(
            "would be\nabout {} times too wide here: only about 1 shelter in {}, not 1 in 20, would fall outside their 95%\nlimits by chance",
            """from scipy import stats as _stats
_wider = 1 / risk.variance_ratio**0.5
_r(_wider, 0.1), _r(1 / (2 * _stats.norm.sf(_stats.norm.isf(0.025) * _wider)), 100)""",
        ),
        Figure(
            "The statistic is about {} on {} degrees of freedom (ten groups minus two), with a p-value of about {}",
            """_c = calibration_check
(_r(_c.statistic, 0.1), _n(_c.df), _r(_c.p_value, 0.01)) if len(_c.table) == 10 and _c.df == 8 else ("?", "?", "?")""",
        ),
        Figure(
            "The points run from about {} to about {} and stay close to the diagonal",
            "_r(rates['expected_rate'].min(), 0.1), _r(rates['expected_rate'].max(), 0.1)",
        ),
        Figure(
            "Here the c-statistic is about {}",
            "_r(discrimination_check.c_statistic, 0.01)",
        ),
        Figure(
            "the shelters lie between about {} and {}",
            "_r(risk.table['expected'].min(), 10), _r(risk.table['expected'].max(), 10)",
        ),
        Figure(
            "P01, at about {}, lies just above its 95%\nlimit. P08, at about {}, lies below its 99.8% limit",
            """_f = funnel.table.set_index("provider_id")
_ok = _f["zone"].to_dict() == {"P01": "above 95% limit", "P02": "within 95% limits", "P06": "within 95% limits", "P08": "below 99.8% limit"}
(_r(_f.loc["P01", "value"], 0.01), _r(_f.loc["P08", "value"], 0.01)) if _ok else ("?", "?")""",
        ),
        Figure(
            "shown from {} to {}) against the number of exits (horizontal axis, about {} to {})",
            "_r(risk.table['crude_rate'].min() - 0.005, 0.01), _r(risk.table['crude_rate'].max() + 0.005, 0.01), _r(risk.table['clients'].min(), 10), _r(risk.table['clients'].max(), 10)",
        ),
        Figure(
            "the overall rate of about {} as the target. P06, at about {}",
            "_r(risk.overall_rate, 0.01), _r(risk.table.set_index('provider_id').loc['P06', 'crude_rate'], 0.01)",
        ),
        Figure(
            "P06's crude rate jumps from about {}% to about {}%",
            "_pct(risk.table.set_index('provider_id').loc['P06', 'crude_rate']), _pct(explorer.result.table.set_index('provider_id').loc['P06', 'crude_rate'])",
            near="```python\nexplorer.share.value = 0.75",
        ),
        Figure(
            "Its O/E barely moves (from about {} to {})",
            "_r(risk.table.set_index('provider_id').loc['P06', 'oe_ratio'], 0.01), _r(explorer.result.table.set_index('provider_id').loc['P06', 'oe_ratio'], 0.01)",
            near="```python\nexplorer.share.value = 0.75",
        ),
    ],
    "04-results-driven-contracting/03-the-monthly-check-in": [
        Figure(
            "can rest on {} returns out of {} people",
            '_n(by_provider.loc["P02", "returns_12m"]), _n(by_provider.loc["P02", "returns_base"])',
        ),
        Figure(
            "Old Town (P06) falls from about {}% in June to {}% in\nSeptember and stays around {}% to {}% in October and November",
            """_t = report.trends[report.trends["provider_id"] == "P06"].set_index("month")["ph_rate"]
_pct(_t["2024-06"]), _pct(_t["2024-09"]), _pct(_t[["2024-10", "2024-11"]].min(), 5), _pct(_t[["2024-10", "2024-11"]].max(), 5)""",
        ),
        Figure(
            "Harborview (P01) drifts down from about {}% to {}%",
            """_t = report.trends[report.trends["provider_id"] == "P01"].set_index("month")["ph_rate"]
_pct(_t["2024-06"]), _pct(_t["2024-11"])""",
        ),
        Figure(
            "Southpark (P08) swings between about {}% and {}%",
            """_t = report.trends[report.trends["provider_id"] == "P08"]["ph_rate"]
_pct(_t.min()), _pct(_t.max())""",
        ),
        Figure(
            "Southpark's O/E (about {})\nlies below its 95% limit",
            """_r(by_provider.loc["P08", "oe_ratio"], 0.01) if by_provider.loc["P08", "funnel_zone"] == "below 95% limit" else "?" """,
        ),
        Figure(
            "only one in five of its new\nclients is high-acuity, against about {}% at Northgate",
            """("?" if round(5 * by_provider.loc["P04", "high_risk_share"]) != 1 else _pct(by_provider.loc["P07", "high_risk_share"], 10))""",
        ),
        Figure(
            "Southpark (P08) has about {} shelter stays open for more than 180 days, {} times as many as the largest\nother shelter",
            """_o = by_provider.loc[by_provider["project_type"] == "ES", "open_stays_over_180d"]
_r(_o["P08"], 10), {4: "four"}.get(round(_o["P08"] / _o.drop("P08").max()))""",
        ),
        Figure(
            "In June, Old Town had sent {} of {} exits ({}%) to permanent housing over the spring, still below its {}%\ntarget",
            """_june = contracting.provider_progress_report(enrollments, month="2024-06", contracts=contracts, providers=providers, clients=clients, risk_factors=risk_factors, high_risk="high_acuity").providers.set_index("provider_id").loc["P06"]
_n(_june["ph_exits"]), _n(_june["exits"]), _pct(_june["ph_rate"]), _pct(_june["ph_target"])""",
        ),
        Figure(
            "its O/E was about {}. It had also enrolled only {} new clients against a pace of {}",
            """_june = contracting.provider_progress_report(enrollments, month="2024-06", contracts=contracts, providers=providers, clients=clients, risk_factors=risk_factors, high_risk="high_acuity").providers.set_index("provider_id").loc["P06"]
_r(_june["oe_ratio"], 0.01), _n(_june["entries"]), _n(_june["entries_target"])""",
        ),
        Figure(
            "By November the exits to housing have fallen to {}%",
            '_pct(by_provider.loc["P06", "ph_rate"])',
        ),
    ],
    "04-results-driven-contracting/04-paying-for-results": [
        Figure(
            "would have received about ${} less than\nunder the risk-adjusted rule, and the family shelter (P02) about ${} more",
            """_d = pay.set_index("provider_id")["difference"]
_r(_d["P06"], 5000), _r(-_d["P02"], 5000)""",
        ),
        Figure(
            "screening raises P1's pay from\nabout ${} to about ${}, some {}% more",
            """_p1 = skim.table[skim.table["provider_id"] == "P1"].set_index("scenario")["pay_raw"]
_r(_p1["no screening"], 1000), _r(_p1["screening"], 1000), _pct(skim.gain_raw_share)""",
        ),
        Figure(
            "the two bars are the same height, about ${}",
            """_p1 = skim.table[skim.table["provider_id"] == "P1"].set_index("scenario")["pay_risk_adjusted"]
_r(_p1.mean(), 1000)""",
        ),
        Figure(
            "the gain grows from about {}% to about {}% of its pay",
            """_h = contracting.simulate_cream_skimming(seed=2024, runs=20, price=price_per_exit, turn_away=0.9)
_pct(skim.gain_raw_share), _pct(_h.gain_raw_share)""",
        ),
        Figure(
            "Every crude rate rises, by {} to {} points",
            """_rise = 100 * (tournament["crude_rate_better_year"] - tournament["crude_rate"])
_r(_rise.min()), _r(_rise.max())""",
        ),
        Figure(
            "Southpark's O/E is {} for its high-acuity clients against {} for the\nothers",
            """_w = (within["exit_ph"] / within["expected"]).unstack()
_r(_w.loc["P08", True], 0.01), _r(_w.loc["P08", False], 0.01)""",
        ),
        Figure(
            "With price at 50 points ({}% of the total once the weights are rescaled)",
            "_pct(50 / (sum(weights.values()) - weights['price_usd'] + 50))",
        ),
        Figure(
            "each takes {}–{}% of spending and delivers {}–{}% of the\nexits to housing; New Horizons (P04) takes {}% and delivers {}%",
            """_p = portfolio.set_index("provider_id")
_a = _p.loc[["P09", "P01", "P02", "P06"]]
_pct(_a["share_of_spend"].min()), _pct(_a["share_of_spend"].max()), _pct(_a["share_of_outcomes"].min()), _pct(_a["share_of_outcomes"].max()), _pct(_p.loc["P04", "share_of_spend"]), _pct(_p.loc["P04", "share_of_outcomes"])""",
        ),
        Figure(
            "Southpark (P08) sits on the diagonal, at\nabout {}% of each",
            '_pct(portfolio.set_index("provider_id").loc["P08", ["share_of_spend", "share_of_outcomes"]].mean())',
        ),
        Figure(
            "supportive housing (P05)\nfar below: {}% of spending for {}% of the exits",
            '_pct(portfolio.set_index("provider_id").loc["P05", "share_of_spend"]), _pct(portfolio.set_index("provider_id").loc["P05", "share_of_outcomes"])',
        ),
        Figure(
            "Old Town's cost per exit to housing falls from about ${} to\nabout ${}",
            """_c = shelter_cost.set_index("provider_id").loc["P06"]
_r(_c["cost_per_outcome"], 100), _r(_c["cost_per_risk_adjusted_exit"], 100)""",
        ),
        Figure(
            "a provider that turns\n  away high-risk referrals gains about {}%",
            "_pct(skim.gain_raw_share)",
        ),
    ],
    "05-capstone/01-case-brief": [
        Figure(
            "counts what the city did: {} requests handled, {} reminder letters mailed",
            '_n(len(requests)), _n((trial["arm"] == "letter").sum())',
        ),
        Figure(
            "at roughly {} to {} a month with no season; illegal dumping (about {} to\n{}) and bulk-item pickups (about {} to {})",
            """_m = street_monthly.groupby("service_type")["requests"].agg(["min", "max"])
_t = [_m.loc["Missed Trash Pickup"], _m.loc["Illegal Dumping"], _m.loc["Bulk Item Pickup"]]
_r(_t[0]["min"], 10), _r(_t[0]["max"], 10), _r(_t[1]["min"], 10), _r(_t[1]["max"], 10), _r(_t[2]["min"], 10), _r(_t[2]["max"], 10)""",
        ),
        Figure(
            "the {} multi-family accounts, {} per arm, about half of\nwhom pay on time",
            """_mf = trial[trial["account_type"] == "multi-family"]
_n(len(_mf)), _n(len(_mf) / 2) if abs(_mf["paid_on_time"].mean() - 0.5) < 0.1 else "?" """,
        ),
        Figure(
            "a test with a {}% baseline and {} accounts per arm",
            "_pct(explorer.control_rate.value), _n(300)",
        ),
        Figure(
            "crossing the 80% line at about {} percentage points",
            """_e = widgets.power_explorer(control_rate=0.52, n_per_arm=300)
_r(_e.result.mde_pp)""",
        ),
        Figure(
            "highest (about {} to {}); the four shelters range from about {} (Old Town Open Door Shelter) to about\n{}",
            """_h = mix.set_index("provider_id")["housed"]
_r(_h[["P04", "P07"]].min(), 0.1), _r(_h[["P04", "P07"]].max(), 0.1), _r(_h[["P01", "P02", "P06", "P08"]].min(), 0.01), _r(_h[["P01", "P02", "P06", "P08"]].max(), 0.01)""",
        ),
    ],
}

CONSTANTS: dict[str, list[str]] = {
    "00-foundations/01-tables-and-filters": [
        "(0, 1, 2, ...)",
        "start at 0",
        "as 1 and `False` as 0",
    ],
    "00-foundations/02-group-pivot-dates": [
        "the 90th **percentile** (the value below which 90% of requests lie)",
        "from 80% to 83% is 3 points",
        "since 1900",
        "24 × 60 × 60 = 86,400",
        "dividing by 86,400",
        "(1 = January)",
        "(0 = midnight to 1 am)",
        "the value that 90% of requests",
    ],
    "00-foundations/03-first-chart": [
        "WCAG 2.1",
        "About 1 man in 12 and 1 woman in 200",
        "A chart that starts at 2.5 days",
        '"Requests up 15% in May!"',
        "on an axis from 0 to\n100%",
    ],
    "01-open-data/01-decide-what-to-publish": [
        "steps 1 to 3",
        "the score from 1 to 5",
        "(1-5)",
        "(0 for candidates)",
        "(1-5, hundreds of requests, days)",
        "to 0-1 across the candidates: the lowest gets 0, the highest 1",
        "out of 100 points",
        "policy 40%, demand 30%, usage 15%, effort 15%",
        "its 0-1",
        "(out of 100)",
        "Weights must add up to 1",
        "value, 0-1 score",
    ],
    "01-open-data/02-describe-and-validate": [
        "DCAT-US 1.1",
        "ISO 8601",
        "405 points in five dimensions",
        "Bad (0-120), Sufficient (121-220), Good (221-350) and\nExcellent (351-405)",
        "worth 80 points",
        "score 0",
        "(the file size, 5 points)",
        "405 - 80 - 5 = **320**",
        "met by 75-100% of records",
        "worth 30 points",
        "(the header is row 1)",
        "a valuation of 0",
        "at\nleast 0",
        "0 when declared",
        "the first 500 permits",
        "(405 points",
        "(80 points)",
        "score is 320",
    ],
    "01-open-data/03-protect-privacy": [
        "a count of 2",
        'published "1"',
        'that "1"',
        "from 1 to 10 (threshold 11)",
        "hides counts below 10",
        "from 11 down to 5 and up to 25",
        "so 1987 becomes 198, then 1980",
        "k = 5",
        "Counts from 1 to threshold - 1 (CMS: 1-10)",
        "A range of 0 to 1 is no protection: it tells a reader the count is at most 1",
        "a district\ntotal of 3 is a small count",
    ],
    "01-open-data/04-read-engagement-and-act": [
        "with 0 where nothing happened",
        "fewer than 10 times a month",
        "p < 0.05",
        "at least 24 months",
        "A monthly growth of 4% compounds: over a year it is about 1.04 multiplied by itself 12 times, or 60% more",
        "top 10%",
        "top 20%",
    ],
    "02-performance-management/01-from-goal-to-measure": [
        "per 1,000",
        "an 80% on-time share and a 3-day median",
        "a value *below* 3",
        "well below 3 days",
        "**1 day**",
        "With a 1-day target",
        "within 7 days",
        "its 80% target",
        "its 5-day target",
        "its target of 300",
        "because 2 of 3 and 20 of 30 are both 67%",
    ],
    "02-performance-management/02-signal-vs-noise": [
        "(a change from 70% to 75% is +5 points)",
        "by 5 points or more",
        "the first 12 months",
        "2.66 × *mR̄*. (2.66 is 3 ÷ 1.128",
        "2.66 times their average",
        "below the 80% target",
        "3 ÷ 1.128 = 2.6596 instead of 2.66",
        "p̄ ± 3 × √(p̄ (1 − p̄) ÷ n)",
        "8 points in a row",
        "once every 90 points on average, compared with once in 370",
        "(2 of 3 beyond 2 sigma, 4 of 5 beyond 1 sigma)",
        "on\n24 points",
        "from all 24 months",
        "have 30 days to be done",
        "taken on 31 December",
        "within 7 days",
        "run length to 6",
        "centre ± 2.66 × average moving range",
        "p̄ ± 3 √(p̄(1 − p̄)/n)",
        "(8 in a row",
    ],
    "02-performance-management/03-the-stat-meeting": [
        "the first 12 months",
        "their 95% target",
        "within\n7 days",
        "within 10 days",
        "the last 3 months",
    ],
    "02-performance-management/04-inventory-and-data-quality": [
        "per 10,000 rows",
        "(the header is row 1)",
        "in row 2",
        "in row 4",
        "On 1 March 2025",
    ],
    "03-evaluation/01-why-randomize": [
        "with a 95% confidence interval",
        "covers 126 trials",
        "raised its outcome by 1.4 percentage points, about 8% over business as",
        '"in February 66% of bills were\npaid on time; in March, with the letter, 71%"',
        "say\nthat 80% of the households who paid on time opened the letter and 40% of the others did",
        "set both shares to 0.6",
        "With both shares at 0.6",
        "A 95% CI is built so\nthat, in 95 tests out of 100",
        "the ends of the 95% CI",
        "(1.96 of them, for 95%)",
        "the CI uses 1.96 standard errors",
        "the bar its 95% CI",
        "for its 95% confidence interval",
        "so it draws 10,000 at\nrandom, starting from a fixed point (2024)",
        "as a difference with a 95% confidence interval",
    ],
    "03-evaluation/02-design": [
        "every account had a 50%\nchance",
        "The convention is to aim for 80%",
        "the significance level (5%)",
        "a 4-point rise",
        "(MDE, at 80% power and 5% significance)",
        "a rise of 2 points and the MDE is 4",
        "Power climbs from 5% at no effect",
        "marks the 80% target",
        "1,000 views spread over 10 postings carry much less information than 1,000 independent views",
        "DEFF = 1 + (m − 1) × ICC",
        "An ICC of less than 1%",
        "lines at ±0.1 and ±0.25",
        "dashed lines at ±0.1 (and far inside the dotted lines at ±0.25)",
        "a rise from 67% to 71% with 80%\npower",
        "about\n78% of the time",
        "a rise of 3 percentage points for them",
        "Riverton has 1,200 commercial accounts",
        "cannot reliably detect 3 points",
        "the design effect 1 + (m − 1) × ICC",
    ],
    "03-evaluation/03-analyse": [
        "a 0/1 column",
        "renewed within\n30 days",
        "its 95% confidence interval",
        "at the 5% level",
        "stays below 5%",
        "at most 5% of the declared",
        "below 5%",
        "200 changes whose true effects average 1 point (close to the 1.4\npoints",
        "a standard error of 1 point",
        "Scatter plot of 200 simulated tests",
    ],
    "03-evaluation/04-replicate-a-real-trial": [
        "3,539 families were randomized; 19",
        "leaving 3,520",
        "About 40% of families recertified with no letter, about 45% with the\nspecific-date letter and about 46% with the open-date letter; any letter raised recertification by about\n14% (relative); adopting the open-date letter would mean about 766",
        "The rates match the published 40%, 45% and 46%",
        "outcome 1 and the rest with outcome 0",
        "a 0/1 column",
        "*p*(1 − *p*)",
        'the paper\'s "+14%"',
        "With a 0/1 outcome",
        "with 95% confidence intervals",
        "with 80% power, the 1.6-point difference\nbetween the letters (from 44.8% to 46.4%)",
        "(40.1% to 44.8%)",
        "the 12,106\nfamilies",
        "a difference of under 2 points",
        "with the ends of its 95% interval",
        "+14%\n  relative",
    ],
    "03-evaluation/05-run-a-real-trial": [
        "(15% of them, against 2% of those that paid on time)",
        "at $1.10 a letter",
    ],
    "04-results-driven-contracting/01-outputs-vs-outcomes": [
        "within 6, 12 and 24 months",
        "within 6, 12 or 24 months",
        "within 12 months",
        "data element 3.12",
        "from 1 October 2023",
        "the small numbers 8, 9, 17, 24, 30, 37, 99",
        "before 1 October 2023",
        '10 was "rental by\nclient, no ongoing subsidy" (now 410), 31 was',
        'and 33\n"with a housing choice voucher"',
        "a single code, 435",
        '("Section 8")',
        "code 435",
        "codes from\n400 to 499",
        "A rate of 50% is one success in two exits",
        "target of 40%",
        "with 30 exits a month",
        "returns within 6, 12 and 24 months",
        "Measure 2",
        "more than 14 days",
        "within 6 months (180 days), 12 months (365) and 24 months\n  (730), cumulatively: the 12-month count includes the first 6 months",
        "within 12 months",
        "Only 6- and 12-month columns",
        "its 24-month rate",
        "the 24-month columns",
        "(10, 11, 19–23, 26, 28, 31, 33, 34, 3)",
        "(Measure 2: earliest permanent\n  exit, 14-day transfer rule, 6/12/24-month horizons)",
    ],
    "04-results-driven-contracting/02-fair-comparison": [
        "with 95% and 99.8% limits",
        "chance alone gives 95%\n(and 99.8%) of the time",
        "(1 = the person went to permanent housing)",
        "(monthly income above 0)",
        "a 50% chance is odds of 1 (one to one), a 75% chance odds of 3 (three to one)",
        "an exact 95% interval",
        "gives a 30% chance, about\n30%",
        "it gives 60%, about 60%",
        "0.5 is a coin toss, 1\nis perfect",
        "a shelter with 300 expected exits to housing will not have exactly 300",
        "How far from 1",
        "the **95% limits** (dashed): about 1 provider in 20",
        "the **99.8% limits** (solid): about 1 in 500",
        "a green line at 1, dashed 95% limits and solid 99.8% limits",
        "inside the 95% limits",
        "the 99.8% limit, P08 just below the 95% limit, and P01 and P02 above the 99.8% limit",
        "about 1 when providers differ by chance only",
        "well above 1",
        "(say 15\nor more)",
        "from 75% down to 30%",
        "only 30% high-acuity",
        "With 30% high-acuity",
        "**exact 95% interval**",
        "(95% and 99.8% limits)",
        "`variance` = sum of p(1 - p)",
        "inside the 95% limits, or outside the 95% or the 99.8% limit",
        "chance varies O by sum p(1 - p)",
        "computes it with its 95% interval",
    ],
    "04-results-driven-contracting/03-the-monthly-check-in": [
        "over 180 days",
        "within 12 months",
        "for 365 days",
        "at the 5% level",
        "target of 40%",
        "its 40% target",
        "O/E is about 1",
        "after 180 days",
        "(30–45 minutes)",
    ],
    "04-results-driven-contracting/04-paying-for-results": [
        "its 0/1 outcome",
        "$1,000 for every exit",
        "turns away 60%",
        "average out at 1",
        "housed\n15% more",
        "(0–100)",
        "30 points for approach, 20 for experience, 30 for past outcomes and 20 for price",
        "100 × lowest price / its price",
        "by 25% and 50%",
        "up to 50%",
        "draws 2,000",
        "count 50 points instead of 20",
        "(O/Es average 1,",
    ],
    "05-capstone/01-case-brief": [
        '"Public Works filled 5,400 potholes."',
        "8 in 10 potholes are filled within the 5-day service level, up from 6 in 10",
        '"We mailed 12,000 renewal postcards."',
        "by about 3 points (95% confidence interval 1 to 5)",
        '"Providers placed 2,800 people in housing."',
        "Open data (01)",
        "Performance management (02)",
        "A/B tests (03)",
        "Results-driven contracting (04)",
        "a count of 2 complaints",
        "(threshold 11, with complementary suppression)",
        '("up 3 points on March!")',
        "(1 = left for permanent housing)",
        '"80% on time" means little; "80% on time, up from 60% last year',
        '"Between 1 and 5 points, most likely about 3"',
        'signals from 2024-06 with p̄ = 0.612."',
        "Assignment 05",
    ],
}
