"""The package's shape: no import cycle, the layers kept apart, one rule for the course root."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from citykit.paths import CourseNotFoundError, course_root
from repo_paths import ROOT

PACKAGE = ROOT / "toolkit" / "citykit"
ANALYTICS = ("opendata", "performance", "evaluation", "contracting")
# Known breaches of the layering, each named; a new one fails the test, a fixed one must be removed
KNOWN_LAYER_BREACHES: set[str] = set()


def module_names(package: Path, prefix: str) -> dict[str, Path]:
    """Every module of ``package`` by its dotted name (packages by their own name)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join([prefix, *parts])] = path
    return names


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's own modules that ``name`` imports, anywhere in its file (functions too).

    ``from a.b import c`` counts as importing ``a.b.c`` when that is a module, else ``a.b``.
    """
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        found |= {t for t in targets if t in modules and t != name}
    return found


def import_cycles(package: Path, prefix: str) -> list[list[str]]:
    """The import cycles among a package's modules (strongly connected groups, Tarjan)."""
    modules = module_names(package, prefix)
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_package_has_no_import_cycle():
    assert import_cycles(PACKAGE, "citykit") == []


def test_an_import_cycle_is_found(tmp_path):
    # the cycle the command line once had: course imported a helper back from cli
    package = tmp_path / "pkg"
    (package / "course").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("def main():\n    from pkg import course\n")
    (package / "course" / "__init__.py").write_text("from .command import run\n")
    (package / "course" / "command.py").write_text(
        "def run():\n    from pkg.cli import main\n    return main\n"
    )
    (package / "paths.py").write_text("from pkg import cli\n")
    assert import_cycles(package, "pkg") == [["pkg.cli", "pkg.course", "pkg.course.command"]]


def test_analytics_import_only_errors_and_their_own_package():
    modules = module_names(PACKAGE, "citykit")
    allowed_outside = {
        "citykit",
        "citykit.errors",
        "citykit._dates",
        "citykit._renamed",
        "citykit._design",
        "citykit._display",
        "citykit._colours",
    }  # the shared core
    wrong = []
    for name, path in modules.items():
        parts = name.split(".")
        if len(parts) < 2 or parts[1] not in ANALYTICS:
            continue
        own = f"citykit.{parts[1]}"
        for target in imports_of(name, path, modules):
            if target in allowed_outside or target == own or target.startswith(own + "."):
                continue
            wrong.append(f"{name} imports {target}")
    assert set(wrong) == KNOWN_LAYER_BREACHES


def test_the_course_root_is_found_from_a_subfolder_and_never_guessed(tmp_path):
    course = tmp_path / "course"
    (course / "curriculum" / "00-foundations").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("")
    assert course_root(course / "curriculum" / "00-foundations") == course.resolve()
    assert course_root(course / "nbgrader_config.py") == course.resolve()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(CourseNotFoundError, match="--root"):
        course_root(elsewhere)
    assert course_root(elsewhere, default=None) is None


def test_the_course_root_rule_has_one_owner():
    # the modules that once each had their own way of finding the course use citykit.paths
    users = ["cli.py", "datasets.py", "course/command.py", "grading/layout.py"]
    for rel in users:
        text = (PACKAGE / rel).read_text(encoding="utf-8")
        assert "course_root" in text, rel
    # and no other module walks up the folders looking for the course's files
    walkers = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "paths.py" and ".parents" in text and "nbgrader_config" in text:
            walkers.append(str(path.relative_to(PACKAGE)))
        if path.name != "paths.py" and ".parents" in text and '"datasets"' in text:
            walkers.append(str(path.relative_to(PACKAGE)))
    assert walkers == []


def test_the_architecture_document_names_every_module():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    top = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    missing = sorted(name for name in top if f"`{name}" not in text)
    course = sorted(p.stem for p in (PACKAGE / "course").glob("[a-z]*.py"))
    missing += [f"course/{name}" for name in course if f"`{name}`" not in text]
    assert missing == [], "describe these in docs/architecture.md"


def test_nothing_below_the_instructor_tools_imports_them():
    modules = module_names(PACKAGE, "citykit")
    tools = ("citykit.course", "citykit.grading", "citykit.cli")
    wrong = [
        f"{name} imports {target}"
        for name, path in modules.items()
        if not name.startswith(tools) and name != "citykit"
        for target in imports_of(name, path, modules)
        if target.startswith(tools)
    ]
    assert wrong == []
