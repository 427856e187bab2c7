"""The test fixtures in tests/data: each has its source and licence stated, and none of them is
shipped with citykit (the wheel's packages and package data cannot reach tests/)."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

from repo_paths import ROOT

DATA = ROOT / "tests" / "data"


def licence_table() -> dict[str, tuple[str, str]]:
    """file -> (source, licence), from the table of tests/data/README.md."""
    rows = {}
    for line in (DATA / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `([^`]+)` \| (.+?) \| (.+?) \|$", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_every_fixture_has_its_source_and_licence_stated():
    files = sorted(p.name for p in DATA.iterdir() if p.name != "README.md")
    table = licence_table()
    assert sorted(table) == files
    for name, (source, licence) in table.items():
        assert source and licence, name
        assert f"## `{name}`" in (DATA / "README.md").read_text(encoding="utf-8"), name
    gpl = {name for name, (_, licence) in table.items() if "GPL" in licence}
    assert gpl == {"pistonrings.csv", "medpar.csv", "birthwt.csv"}


def shipped(path: Path) -> bool:
    """Whether a file of the checkout would go into the wheel, by setup.py and pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    setup = (ROOT / "setup.py").read_text(encoding="utf-8")
    folders = {"citykit": ROOT / "toolkit" / "citykit"}
    mapped = re.findall(r'"(citykit\.[\w.]+)": "([\w/]+)"', setup)
    folders |= {package: ROOT / folder for package, folder in mapped}
    for package, folder in folders.items():
        if not path.is_relative_to(folder):
            continue
        rel = path.relative_to(folder).as_posix()
        if path.suffix == ".py":
            return True
        if any(fnmatch.fnmatch(rel, pattern) for pattern in package_data.get(package, [])):
            return True
    return False


def test_no_fixture_is_shipped_in_the_wheel():
    assert 'find_packages("toolkit")' in (ROOT / "setup.py").read_text(encoding="utf-8")
    assert [p.name for p in DATA.iterdir() if shipped(p)] == []
    # the rule sees what is shipped: the sample city and the question banks
    assert shipped(ROOT / "datasets" / "datapackage.json")
    assert shipped(ROOT / "toolkit" / "citykit" / "questions" / "00-foundations.toml")
