"""What to publish next: policy priority, public demand, portal use and effort, weighed openly.

Cities that get value from open data start small with a few high-value datasets. To choose
them they ask policymakers for their priorities, read the public records requests (what people
already ask for by letter or e-mail), look at what is used on the portal, and weigh the effort.

* :func:`classify_requests` gives each records request a topic with transparent keyword rules
  (:data:`DEFAULT_TOPIC_RULES`, first match wins) and shows which words matched.
* :func:`demand_by_topic` counts requests per topic.
* :func:`assemble_candidates` joins a catalog, the request demand and portal usage into one
  table of candidate datasets.
* :func:`priority_scores` rescales each component to 0-1, multiplies by its weight and adds up,
  showing every component and its weighted contribution, so the ranking can be argued with.

Examples
--------
>>> import pandas as pd
>>> candidates = pd.DataFrame({"title": ["Inspections", "Budget"], "policy_priority": [5, 2],
...     "requests": [120, 10], "downloads": [0, 300], "effort_days": [10, 2]})
>>> ranked = priority_scores(candidates)
>>> ranked[["title", "total", "rank"]].values.tolist()
[['Inspections', 70.0, 1], ['Budget', 30.0, 2]]
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from citykit._renamed import renamed_options
from citykit.errors import (
    ArgumentRangeError,
    CityKitError,
    ColumnTypeError,
    require_columns,
    require_keyword_choice,
    require_non_empty,
    require_numeric,
)

__all__ = [
    "DEFAULT_TOPIC_RULES",
    "DEFAULT_WEIGHTS",
    "topic_rules",
    "classify_requests",
    "demand_by_topic",
    "assemble_candidates",
    "priority_scores",
]

#: Keyword rules (regular expressions, case-insensitive), tried in this order; the first topic
#: with a match wins, and requests matching none are "other". Common misspellings are included.
DEFAULT_TOPIC_RULES: dict[str, tuple[str, ...]] = {
    "traffic crashes": (r"\bcrash", r"\bcollision", r"\baccident"),
    "restaurant inspections": (
        r"re?st[ae]?[au]?ra?u?nt",
        r"\bfood\b",
        r"\bdiner\b",
        r"\bcafe\b",
        r"health inspection",
    ),
    "311": (r"\b311\b", r"three-one-one", r"service request"),
    "code violations": (r"code violation", r"code enforc?e?ment", r"violation", r"housing code"),
    "building permits": (
        r"\bpermitt?s?\b",
        r"\bbldg\b",
        r"certificate of occupancy",
        r"new construction",
    ),
    "contracts": (
        r"\bcon(?:tract|tarct|trct)s?\b",
        r"\brfp\b",
        r"\bbids?\b",
        r"procurement",
        r"purchase orders?",
        r"invoices?",
        r"\bvendor",
    ),
    "police incidents": (
        r"\bpol[ic]{1,2}e\b",
        r"incident",
        r"\bcrime",
        r"offense report",
        r"calls? for service",
        r"body camera",
    ),
}

#: Default weights of the components (they must add up to 1).
DEFAULT_WEIGHTS: dict[str, float] = {
    "policy": 0.40,
    "demand": 0.30,
    "usage": 0.15,
    "effort": 0.15,
}
_COMPONENTS = ("policy", "demand", "usage", "effort")


def _compile_rules(rules: dict) -> list[tuple[str, re.Pattern]]:
    if not isinstance(rules, dict) or not rules:
        raise ColumnTypeError(
            "rules must be a non-empty dict {topic: [regular expressions]}, e.g. "
            "{'building permits': [r'permit', r'bldg']}."
        )
    compiled = []
    for topic, patterns in rules.items():
        if isinstance(patterns, str):
            patterns = [patterns]
        try:
            compiled.append((str(topic), re.compile("|".join(f"(?:{p})" for p in patterns), re.I)))
        except re.error as exc:
            raise ColumnTypeError(
                f"rules[{topic!r}] has an invalid regular expression ({exc}). Escape special "
                "characters such as ( ) [ ] + ? with a backslash."
            ) from None
    return compiled


def topic_rules(rules: dict | None = None) -> pd.DataFrame:
    """Show topic rules as a table: the order they are tried in, the topic, the patterns.

    Examples
    --------
    >>> topic_rules({"permits": [r"permit", r"bldg"], "crashes": [r"crash"]}).values.tolist()
    [[1, 'permits', 'permit | bldg'], [2, 'crashes', 'crash']]
    """
    rules = DEFAULT_TOPIC_RULES if rules is None else rules
    _compile_rules(rules)  # the same checks as classify_requests
    rows = [
        (order, str(topic), " | ".join([patterns] if isinstance(patterns, str) else patterns))
        for order, (topic, patterns) in enumerate(rules.items(), start=1)
    ]
    return pd.DataFrame(rows, columns=["order", "topic", "patterns"])


def classify_requests(
    requests: pd.DataFrame,
    *,
    text: str = "request_text",
    rules: dict | None = None,
    other: str = "other",
) -> pd.DataFrame:
    """Give every public records request a topic from its free text, with the matched words.

    Parameters
    ----------
    requests : DataFrame
        The request log.
    text : str
        Column with the request text.
    rules : dict, optional
        ``{topic: [regex, ...]}`` tried in order (first match wins); default
        :data:`DEFAULT_TOPIC_RULES`. Matching ignores case.
    other : str
        Topic for requests that match no rule. Requests without text get "(missing)", so they
        are counted apart rather than as "other".

    Returns
    -------
    DataFrame
        A copy of ``requests`` with ``topic`` and ``matched`` (the words that decided it).

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"request_text": ["Bulding PERMIT for 12 Oak St", "payroll 2023"]})
    >>> classify_requests(log)[["topic", "matched"]].values.tolist()
    [['building permits', 'PERMIT'], ['other', '']]
    """
    require_columns(requests, [text], argument="requests")
    series = requests[text]
    if pd.api.types.is_numeric_dtype(series) and len(series.dropna()):
        raise ColumnTypeError(
            f"requests column {text!r} must hold the request text, but it holds numbers. "
            "Pass text='<the column with the words people wrote>'."
        )
    compiled = _compile_rules(DEFAULT_TOPIC_RULES if rules is None else rules)
    words = series.fillna("").astype(str)
    topic = pd.Series(other, index=requests.index, dtype=object)
    matched = pd.Series("", index=requests.index, dtype=object)
    undecided = pd.Series(True, index=requests.index)
    for name, pattern in compiled:
        found = words.str.extract(f"({pattern.pattern})", flags=re.I, expand=False)
        hit = found.notna() & undecided
        topic[hit] = name
        matched[hit] = found[hit]
        undecided &= ~hit
    # a request without text is not "other": it is counted apart, as "(missing)"
    topic[(words.str.strip() == "").to_numpy()] = "(missing)"
    return requests.assign(topic=topic.astype(str), matched=matched.astype(str))


def demand_by_topic(
    requests: pd.DataFrame,
    *,
    text: str = "request_text",
    rules: dict | None = None,
) -> pd.DataFrame:
    """Count public records requests by topic (a measure of public demand for data).

    Returns
    -------
    DataFrame
        ``topic, requests, share`` sorted from most to least requested.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"request_text": ["crash report", "accident on Main", "permit"]})
    >>> demand_by_topic(log).values.tolist()
    [['traffic crashes', 2, 0.6666666666666666], ['building permits', 1, 0.3333333333333333]]
    """
    require_non_empty(requests, argument="requests")
    classified = classify_requests(requests, text=text, rules=rules)
    counts = classified["topic"].value_counts().rename_axis("topic").rename("requests")
    frame = counts.reset_index()
    frame["share"] = frame["requests"] / frame["requests"].sum()
    return frame.sort_values(["requests", "topic"], ascending=[False, True], ignore_index=True)


def assemble_candidates(
    catalog: pd.DataFrame,
    *,
    requests: pd.DataFrame | None = None,
    usage: pd.DataFrame | None = None,
    topic: str = "topic",
    identifier: str = "identifier",
    downloads: str = "downloads",
    text: str = "request_text",
) -> pd.DataFrame:
    """Join the catalog with request demand (by topic) and portal downloads (by dataset).

    Parameters
    ----------
    catalog : DataFrame
        One row per dataset (published or planned) with ``identifier`` and ``topic`` columns.
    requests : DataFrame, optional
        Records request log; its requests are counted per topic and each dataset gets the count
        of its topic (0 for ``"other"``).
    usage : DataFrame, optional
        Portal usage with ``identifier`` and ``downloads``; summed per dataset (0 when absent,
        e.g. for datasets not yet published; missing for a dataset without an identifier, as
        ``requests`` is for one without a topic). When no identifier of the catalog is in
        ``usage`` at all, a :class:`~citykit.errors.CityKitError` says so.

    Returns
    -------
    DataFrame
        The catalog with ``requests`` and ``downloads`` columns added.

    Examples
    --------
    >>> import pandas as pd
    >>> cat = pd.DataFrame({"identifier": ["a", "b"], "topic": ["contracts", "other"]})
    >>> log = pd.DataFrame({"request_text": ["the vendor contract", "bids for the bridge"]})
    >>> table = assemble_candidates(cat, requests=log)
    >>> table[["identifier", "requests", "downloads"]].values.tolist()
    [['a', 2, 0], ['b', 0, 0]]
    """
    require_columns(catalog, [identifier, topic], argument="catalog")
    require_non_empty(catalog, argument="catalog")
    out = catalog.copy()
    if requests is not None:
        demand = demand_by_topic(requests, text=text).set_index("topic")["requests"]
        demand = demand.drop("other", errors="ignore")
        out["requests"] = _unknown_where_missing(out[topic].map(demand).fillna(0), out[topic])
    else:
        out["requests"] = 0
    if usage is not None:
        require_columns(usage, [identifier, downloads], argument="usage")
        require_numeric(usage, downloads, argument="usage")
        total = usage.groupby(identifier)[downloads].sum()
        if len(total) and not out[identifier].isin(total.index).any():
            raise CityKitError(
                f"none of the catalog's {len(out):,} {identifier!r} values is in usage (e.g. "
                f"{out[identifier].iloc[0]!r} in the catalog, {total.index[0]!r} in usage), so "
                "every dataset would show 0 downloads. Check that both tables write the ids the "
                "same way (prefixes, leading zeros, text or numbers)."
            )
        counts = out[identifier].map(total).fillna(0)
        out["downloads"] = _unknown_where_missing(counts, out[identifier])
    else:
        out["downloads"] = 0
    return out


def _unknown_where_missing(counts: pd.Series, key: pd.Series) -> pd.Series:
    """Whole counts, missing (not 0) where the key they were looked up by is missing."""
    missing = key.isna().to_numpy(dtype=bool)
    if not missing.any():
        return counts.astype("int64")
    # a dataset without an id (or topic) has unknown downloads (or demand), not none
    return counts.astype("Int64").mask(missing)


def _check_weights(weights: object) -> dict[str, float]:
    if not isinstance(weights, dict):
        raise ColumnTypeError(
            "weights must be a dict like {'policy': 0.4, 'demand': 0.3, 'usage': 0.15, "
            f"'effort': 0.15}}, but a {type(weights).__name__} was given."
        )
    for key in weights:
        require_keyword_choice(key, _COMPONENTS, argument="weights key")
    clean = {}
    for key in _COMPONENTS:
        value = weights.get(key, 0.0)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ColumnTypeError(f"weights[{key!r}] must be a number, but {value!r} was given.")
        if value < 0 or value != value:
            raise ArgumentRangeError(
                f"weights[{key!r}] is {value}; weights must be zero or positive. To make effort "
                "count against a dataset, give it a positive weight: effort is already reversed."
            )
        clean[key] = float(value)
    total = sum(clean.values())
    if total == 0:
        raise ArgumentRangeError("weights are all zero; give at least one component a weight.")
    if abs(total - 1) > 1e-6:
        hint = (
            " They look like percentages: divide each by 100 (40 -> 0.4)."
            if abs(total - 100) < 1e-6
            else f" Divide each weight by {total:g} to make them add up to 1."
        )
        raise ArgumentRangeError(f"weights must add up to 1, but they add up to {total:g}.{hint}")
    return clean


def _rescale(values: pd.Series, scaling: str) -> pd.Series:
    values = values.astype(float)
    if scaling == "rank":
        if len(values) == 1:
            return pd.Series(0.5, index=values.index)
        return (values.rank(method="average") - 1) / (len(values) - 1)
    low, high = values.min(), values.max()
    if high == low:  # the component cannot tell the candidates apart
        return pd.Series(0.5, index=values.index)
    return (values - low) / (high - low)


@renamed_options(name="label", usage="downloads")
def priority_scores(
    candidates: pd.DataFrame,
    *,
    label: str = "title",
    policy: str = "policy_priority",
    demand: str = "requests",
    downloads: str = "downloads",
    effort: str = "effort_days",
    weights: dict[str, float] | None = None,
    scaling: str = "minmax",
) -> pd.DataFrame:
    """Rank candidate datasets by weighted policy priority, demand, usage and (low) effort.

    Each component is rescaled to 0-1 across the candidates (``"minmax"``: (x - min) / (max -
    min); ``"rank"``: percentile rank, robust to a few huge values). A component that is the
    same for every candidate scores 0.5 for all (it cannot tell them apart). Effort is reversed
    (less effort scores higher). The total is ``100 x sum(weight x score)`` points.

    Parameters
    ----------
    candidates : DataFrame
        One row per candidate dataset (see :func:`assemble_candidates`).
    label : str
        The column naming each candidate for people (its title); it is carried into the result.
    policy, demand, downloads, effort : str
        The columns of the four components: policy priority, requests (demand), downloads
        (usage) and effort (staff days).
    weights : dict, optional
        ``{"policy", "demand", "usage", "effort"}`` weights adding up to 1; default
        :data:`DEFAULT_WEIGHTS`. A missing component gets weight 0.
    scaling : {"minmax", "rank"}

    Returns
    -------
    DataFrame
        ``rank``, the ``label`` column, then for each component the raw value, its 0-1
        ``_score`` and its ``_points`` (weighted contribution), and ``total``; sorted by rank
        (ties share a rank).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"title": ["A", "B", "C"], "policy_priority": [5, 3, 1],
    ...     "requests": [0, 50, 100], "downloads": [0, 0, 0], "effort_days": [5, 5, 5]})
    >>> out = priority_scores(c, weights={"policy": 0.5, "demand": 0.5})
    >>> out[["title", "policy_points", "demand_points", "total"]].values.tolist()
    [['A', 50.0, 0.0, 50.0], ['B', 25.0, 25.0, 50.0], ['C', 0.0, 50.0, 50.0]]
    """
    weights = _check_weights(DEFAULT_WEIGHTS if weights is None else weights)
    require_keyword_choice(scaling, ["minmax", "rank"], argument="scaling")
    columns = {"policy": policy, "demand": demand, "usage": downloads, "effort": effort}
    needed = [label] + [columns[k] for k in _COMPONENTS if weights[k] > 0]
    require_columns(candidates, needed, argument="candidates")
    require_non_empty(candidates, argument="candidates")
    out = pd.DataFrame({label: candidates[label].to_numpy()}, index=candidates.index)
    total = pd.Series(0.0, index=candidates.index)
    for key in _COMPONENTS:
        if weights[key] == 0 and columns[key] not in candidates.columns:
            continue
        column = columns[key]
        require_numeric(candidates, column, argument="candidates")
        raw = candidates[column]
        if raw.isna().any():
            raise ColumnTypeError(
                f"candidates column {column!r} has missing values; fill them (0 requests or "
                f"downloads, an estimate of effort) before scoring, e.g. .fillna(0)."
            )
        if (raw < 0).any():
            raise ArgumentRangeError(f"candidates column {column!r} has negative values.")
        if np.isinf(raw.to_numpy(dtype=float)).any():
            raise ColumnTypeError(
                f"candidates column {column!r} holds infinite values; they usually come from a "
                "division by zero. Fix them before scoring."
            )
        score = _rescale(raw, scaling)
        if key == "effort":
            score = 1 - score
        points = 100 * weights[key] * score
        out[column] = raw.to_numpy()
        out[f"{key}_score"] = score.round(6)
        out[f"{key}_points"] = points.round(6)
        total += points
    out["total"] = total.round(6)
    out.insert(0, "rank", out["total"].rank(method="min", ascending=False).astype("int64"))
    return out.sort_values(["rank", label], kind="stable", ignore_index=True)
