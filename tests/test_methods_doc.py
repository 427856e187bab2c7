"""docs/methods.md: the page every statistical docstring points to exists and says what they say."""

from __future__ import annotations

import re

from repo_paths import ROOT

METHODS = ROOT / "docs" / "methods.md"
TOOLKIT = ROOT / "toolkit" / "citykit"


def headings() -> set[str]:
    return {
        line.lstrip("#").strip()
        for line in METHODS.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def test_docstring_pointers_name_real_sections():
    # ``docs/methods.md``, "Section": the section must be a heading of the page
    pointer = re.compile(r'``docs/methods\.md``,\s+"([^"]+)"')
    found = {}
    for path in TOOLKIT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in pointer.findall(text):
            found.setdefault(" ".join(name.split()), []).append(path.name)
    assert found, "no docstring points to docs/methods.md"
    missing = {name: files for name, files in found.items() if name not in headings()}
    assert not missing, f"docstrings point to sections docs/methods.md does not have: {missing}"


def test_no_docstring_points_to_a_file_users_do_not_have():
    # the old pointers ("methods.md §1.4") named a reference file outside the project
    stale = []
    paths = [*(TOOLKIT / "evaluation").rglob("*.py"), *(TOOLKIT / "performance").rglob("*.py")]
    assert len(paths) > 20  # both packages and their sub-packages are read
    for path in paths:
        stale += [path.name] if re.search(r"(?<!docs/)methods\.md §", path.read_text()) else []
    assert not stale


def test_sections_carry_their_reference_values():
    text = METHODS.read_text(encoding="utf-8")
    for value in ("0.1871", "74.00118", "0.04812533", "0.01930242", "1,726 of 32,768", "1/70"):
        assert value in text
    assert "/work" not in text and "../shared" not in text
