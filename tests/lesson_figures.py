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
_w = {7: "Seven", 14: "fourteen"}
_w.get(_all.n_primary, _all.n_primary), _w.get(_all.n_complementary, _all.n_complementary).lower(), _all.n_primary + _all.n_complementary""",
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
}

CONSTANTS: dict[str, list[str]] = {
    "00-foundations/01-tables-and-filters": [
        "(0, 1, 2, ...)",
        "start at 0",
        "as 1 and `False` as 0",
    ],
    "00-foundations/02-group-pivot-dates": [
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
        "hides 1 to 9; many agencies hide 1 to 4",
        "from 11 down to 5 and up to 25",
        "so 1987 becomes 198, then 1980",
        "k = 5",
        "Counts from 1 to threshold - 1 (CMS: 1-10)",
    ],
    "01-open-data/04-read-engagement-and-act": [
        "with 0 where nothing happened",
        "fewer than 10 times a month",
        "p < 0.05",
        "at least 24 months",
        "A monthly growth of 4% compounds: over a year it is about 1.04 to the power 12, or 60% more",
        "top 10%",
        "top 20%",
    ],
}
