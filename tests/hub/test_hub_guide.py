"""docs/hub.md and deploy/hub agree: the files the guide names exist, the example settings load,
and a mistaken setting is reported by name."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "hub"))

from cohort import load_cohort, role_environment  # noqa: E402

GUIDE = ROOT / "docs" / "hub.md"
EXAMPLE = ROOT / "deploy" / "hub" / "cohort.example.toml"

pytestmark = pytest.mark.hub


def test_every_file_the_guide_names_exists():
    named = set(re.findall(r"`(deploy/[\w./{},-]+)`", GUIDE.read_text()))
    assert len(named) > 10
    for path in named:
        if "{" in path:  # deploy/hub/jupyter/{learner,instructor,...}/
            head, rest = path.split("{", 1)
            parts, tail = rest.split("}", 1)
            paths = [head + part + tail for part in parts.split(",")]
        else:
            paths = [path]
        for each in paths:
            if each.startswith("deploy/proxy/node_modules"):
                continue  # installed by make hub-env
            assert (ROOT / each).exists(), f"docs/hub.md names {each}, which does not exist"


def _example(tmp_path, **changes) -> Path:
    text = EXAMPLE.read_text().replace(
        'python = "/opt/city-analyst-academy/.venv/bin/python"', f'python = "{sys.executable}"'
    )
    for key, value in changes.items():
        text += f"{key} = {value}\n"
    path = tmp_path / "cohort.toml"
    path.write_text(text)
    return path


def test_the_example_settings_load(tmp_path):
    cohort = load_cohort(_example(tmp_path))
    assert cohort.instructor_group == "formgrade-city-analyst-academy"
    assert cohort.learner_group == "nbgrader-city-analyst-academy"
    env = role_environment(cohort, "learner")
    assert env["CITYKIT_EXCHANGE"] == "/srv/nbgrader/exchange"
    folders = env["JUPYTER_CONFIG_PATH"].split(":")
    assert [Path(f).name for f in folders] == ["learner", "common"]
    assert all(Path(f).is_dir() for f in folders)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"memory_gb": "4"}, "unknown settings: memory_gb"),
        ({"authenticator": '"ldap"'}, "authenticator must be one of"),
    ],
)
def test_a_mistaken_setting_is_named(tmp_path, change, named):
    path = _example(tmp_path, **change)
    text = path.read_text()
    if "authenticator" in change:  # replace, not add, the key
        text = text.replace('authenticator = "pam"\n', "")
        path.write_text(text)
    with pytest.raises(ValueError, match=named):
        load_cohort(path)


def test_a_person_cannot_be_both_instructor_and_learner(tmp_path):
    path = _example(tmp_path)
    path.write_text(path.read_text().replace('learners = ["ben"', 'learners = ["ada", "ben"'))
    with pytest.raises(ValueError, match="ada listed both as instructor and as learner"):
        load_cohort(path)
