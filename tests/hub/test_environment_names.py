"""Each CITYKIT_* environment variable of the hub means one thing.

``CITYKIT_COHORT`` is the learners' release folder of worked answers (``citykit.check``);
``CITYKIT_COHORT_FILE`` is the path of the hub's ``cohort.toml``. The hub once read its class
from ``CITYKIT_COHORT`` too, so a hub that passed its environment on to the learners' servers
would have pointed the checks at a file instead of a folder.
"""

from __future__ import annotations

import re

from citykit import check
from repo_paths import ROOT

DEPLOY = ROOT / "deploy"
WHERE = [
    DEPLOY / "hub" / "jupyterhub_config.py",
    DEPLOY / "hub" / "jupyterhub.service",
    DEPLOY / "trial_hub.py",
]


def uses(text: str, name: str) -> bool:
    return re.search(rf"\b{name}\b(?!_)", text) is not None


def test_the_hub_reads_its_class_from_cohort_file():
    for path in WHERE:
        text = path.read_text(encoding="utf-8")
        assert uses(text, "CITYKIT_COHORT_FILE"), path.name


def test_nothing_in_deploy_uses_the_release_folder_variable_for_the_class():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(DEPLOY.rglob("*"))
        if path.is_file()
        and path.suffix in {".py", ".service", ".toml", ".yaml", ".yml", ".sh", ""}
        and uses(path.read_text(encoding="utf-8", errors="replace"), "CITYKIT_COHORT")
    ]
    assert offenders == []


def test_the_name_check_tells_the_two_apart():
    assert check.COHORT_ENV == "CITYKIT_COHORT"
    assert uses('os.environ.get("CITYKIT_COHORT", "/etc/cohort.toml")', "CITYKIT_COHORT")
    assert not uses('os.environ.get("CITYKIT_COHORT_FILE", "/etc/cohort.toml")', "CITYKIT_COHORT")
