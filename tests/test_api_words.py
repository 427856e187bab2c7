"""Every public signature speaks the vocabulary of docs/api-words.md.

Drift that exists today is listed here by name (each entry one function and one word); a new
drift fails, and so does an entry that no longer drifts (remove it when you rename).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re

import pytest
from repo_paths import ROOT

PACKAGES = ("datasets", "opendata", "performance", "evaluation", "contracting", "plots", "widgets")
ANALYTICS = ("opendata", "performance", "evaluation", "contracting")
PLOT_HELPERS = {"PALETTE", "palette", "get_axes", "finish_axes"}

# --- known drift, each entry named: the renames of issue 21 remove them -------------------------
KNOWN_SYNONYMS = {  # a word the vocabulary says to replace
    # kept: a funnel limit's coverage (one of its `levels`, 0.95 -> "95" in ll95), not a
    # confidence level to turn into alpha; see docs/api-words.md, "Known drift"
    "contracting.level_label(level)",
}
KNOWN_SENSE: set[str] = set()  # the word is used with another meaning (its docstring says so)
KNOWN_COLUMN_SUFFIX: set[str] = set()
KNOWN_POSITIONAL: set[str] = set()  # options before `*`
TWO_INPUTS = {  # functions whose positional parameters are all inputs (compared or combined)
    "evaluation.standardized_difference(treated, control)",
    "contracting.garwood_interval(observed, expected)",
    "evaluation.cohens_h(treated, control_rate)",
    "contracting.poisson_binomial_test(observed, probabilities)",
    "contracting.c_statistic_from_scores(outcome, score)",
    "contracting.overdispersion(observed, denominator)",
    "contracting.spm_rate_table(rates, sizes)",
    "contracting.contract_portfolio(contracts, outcomes)",
}
KNOWN_PLOT_NAMES: set[str] = set()
KNOWN_SHARED_NAMES: set[str] = set()  # a name both computes (analytics) and draws (plots)
KNOWN_SUMMARIES: set[str] = set()


def vocabulary() -> dict[str, dict]:
    """The table of docs/api-words.md: word -> {"instead": set, "says": str}."""
    words = {}
    text = (ROOT / "docs" / "api-words.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        names = re.findall(r"`([\w]+)`", cells[0])
        instead = set(re.findall(r"`([\w]+)`", cells[2]))
        for name in names:
            words[name] = {"instead": instead, "says": cells[3].lower()}
    return words


def public_functions():
    """(package, name, function) for every public function and method of the API packages."""
    found = []
    for package in PACKAGES:
        module = importlib.import_module(f"citykit.{package}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found.append((package, name, obj))
            elif inspect.isclass(obj):
                found += [
                    (package, f"{name}.{attr}", member)
                    for attr, member in vars(obj).items()
                    if not attr.startswith("_") and inspect.isfunction(member)
                ]
    return found


def public_classes():
    for package in PACKAGES:
        module = importlib.import_module(f"citykit.{package}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                yield package, name, obj


def documented(function) -> dict[str, str]:
    """Parameter name -> its NumPy docstring entry (type line and description)."""
    entries: dict[str, str] = {}
    current: list[str] = []
    for line in (inspect.getdoc(function) or "").splitlines():
        match = re.match(r"^([A-Za-z_][\w, ]*) : (.*)$", line)
        if match:
            current = [n.strip() for n in match.group(1).split(",")]
            for name in current:
                entries[name] = match.group(2)
        elif current and line.startswith("    "):
            for name in current:
                entries[name] += " " + line.strip()
        else:
            current = []
    return entries


def parameters(function):
    return [p for p in inspect.signature(function).parameters.values() if p.name != "self"]


def test_the_vocabulary_is_read():
    words = vocabulary()
    assert {"data", "period", "frequency", "arm", "start", "end", "by", "ax"} <= set(words)
    assert "arm_column" in words["arm"]["instead"]
    assert words["period"]["says"] == "column"


def test_no_public_parameter_uses_a_word_the_vocabulary_replaces():
    replaced = {bad: word for word, spec in vocabulary().items() for bad in spec["instead"]}
    found = {
        f"{package}.{name}({p.name})"
        for package, name, function in public_functions()
        for p in parameters(function)
        if p.name in replaced
    }
    assert found - KNOWN_SYNONYMS == set(), "new drift: use the vocabulary's word"
    assert KNOWN_SYNONYMS - found == set(), "renamed: remove these from KNOWN_SYNONYMS"


def test_every_word_shared_by_two_packages_is_in_the_vocabulary():
    words = vocabulary()
    known = set(words) | {bad for spec in words.values() for bad in spec["instead"]}
    known |= {entry.split("(")[1].rstrip(")") for entry in KNOWN_COLUMN_SUFFIX}
    users: dict[str, set[str]] = {}
    for package, _, function in public_functions():
        for p in parameters(function):
            users.setdefault(p.name, set()).add(package)
    shared = {word for word, packages in users.items() if len(packages) > 1}
    assert shared - known == set(), "define these words in docs/api-words.md"


def test_each_word_keeps_its_meaning():
    words = vocabulary()
    found = set()
    for package, name, function in public_functions():
        entries = documented(function)
        for p in parameters(function):
            says = words.get(p.name, {}).get("says")
            if says and p.name in entries and says not in entries[p.name].lower():
                found.add(f"{package}.{name}({p.name})")
    assert found - KNOWN_SENSE == set(), "new drift: this word means something else here"
    assert KNOWN_SENSE - found == set(), "fixed: remove these from KNOWN_SENSE"


def test_column_parameters_are_named_for_what_they_hold():
    found = {
        f"{package}.{name}({p.name})"
        for package, name, function in public_functions()
        for p in parameters(function)
        if p.name.endswith(("_column", "_col"))
    }
    assert found == KNOWN_COLUMN_SUFFIX


def test_options_are_keyword_only():
    found = set()
    for package, name, function in public_functions():
        positional = [
            p.name
            for p in parameters(function)
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        if len(positional) > 1:
            found.add(f"{package}.{name}({', '.join(positional)})")
    assert found - TWO_INPUTS - KNOWN_POSITIONAL == set(), "make the options keyword-only"
    assert KNOWN_POSITIONAL - found == set(), "fixed: remove these from KNOWN_POSITIONAL"


def test_plots_are_named_for_what_they_draw():
    module = importlib.import_module("citykit.plots")
    found = {
        f"plots.{name}"
        for name in module.__all__
        if name not in PLOT_HELPERS and not name.endswith("_plot")
    }
    assert found == KNOWN_PLOT_NAMES
    computed = {name for package, name, _ in public_functions() if package in ANALYTICS}
    assert computed & set(module.__all__) == KNOWN_SHARED_NAMES


def test_summary_is_a_method_returning_text():
    found = set()
    for package, name, cls in public_classes():
        fields = (
            {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
        )
        member = inspect.getattr_static(cls, "summary", None)
        if "summary" in fields:
            found.add(f"{package}.{name}.summary")
        elif member is not None:
            returns = inspect.signature(member).return_annotation if callable(member) else None
            if returns not in ("str", str):
                found.add(f"{package}.{name}.summary")
    assert found == KNOWN_SUMMARIES


@pytest.mark.parametrize(
    ("signature", "check"),
    [
        ("def f(data, *, arm_column='arm'): ...", "suffix"),
        ("def f(data, *, report_start=None): ...", "synonym"),
        ("def f(data, by): ...", "positional"),
    ],
)
def test_a_drifting_signature_is_caught(signature, check):
    namespace: dict = {}
    exec(signature, namespace)
    function = namespace["f"]
    names = [p.name for p in parameters(function)]
    replaced = {bad for spec in vocabulary().values() for bad in spec["instead"]}
    positional = [p for p in parameters(function) if p.kind == p.POSITIONAL_OR_KEYWORD]
    caught = {
        "suffix": any(n.endswith("_column") for n in names),
        "synonym": bool(set(names) & replaced),
        "positional": len(positional) > 1,
    }
    assert caught[check]
