"""nbgitpuller links (deploy/hub/links.py): the course, and the first lesson of each module."""

from __future__ import annotations

import doctest
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "hub"))

import links  # noqa: E402

pytestmark = pytest.mark.hub


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(links).failed == 0


def test_one_link_per_module_each_opening_a_lesson_that_exists():
    found = links.course_links("https://hub.example.org", "https://git.example.org/c.git")
    modules = [p for p in (ROOT / "curriculum").iterdir() if any(p.glob("*.ipynb"))]
    assert len(found) == 1 + len(modules)
    for path, link in found.items():
        assert (ROOT / path).is_file(), path
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(link).query))
        assert query["urlpath"] == f"lab/tree/city-analyst-academy/{path}"
        assert query["repo"] == "https://git.example.org/c.git"
        assert link.startswith("https://hub.example.org/hub/user-redirect/git-pull?")
