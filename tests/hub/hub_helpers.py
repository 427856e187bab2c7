"""Helpers of the hub tests (imported by name: several conftest.py files exist in tests/).

The trial hub needs root (it creates Unix accounts, removed at the end), configurable-http-proxy
(``make hub-env`` installs it from the npm registry into deploy/proxy/) and Debian's PostgreSQL.
Without them the tests skip, unless ``CITYKIT_REQUIRE_HUB=1`` (CI), which makes them fail.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from trial_hub import TrialHub, find_proxy  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts" / "hub"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
UI_TIMEOUT_MS = 60_000  # one action or wait in a page (the machine may be busy)


def _required() -> bool:
    return os.environ.get("CITYKIT_REQUIRE_HUB", "").strip() not in ("", "0", "false", "no")


def skip_or_fail(message: str):
    """Skip, or fail when CITYKIT_REQUIRE_HUB=1 forbids skipping."""
    if _required():
        pytest.fail(message + "; CITYKIT_REQUIRE_HUB=1 forbids skipping", pytrace=False)
    pytest.skip(message)


def trial_hub_prerequisites(*, postgres: bool = True) -> None:
    """Skip (or fail) unless this machine can run the trial hub."""
    if os.geteuid() != 0:
        skip_or_fail("the trial hub creates Unix accounts and needs root")
    if find_proxy() is None:
        skip_or_fail(
            "configurable-http-proxy is not installed (`make hub-env` installs it into deploy/proxy)"
        )
    for tool in ("useradd", "userdel", "git"):
        if shutil.which(tool) is None:
            skip_or_fail(f"{tool} is not installed")
    if postgres and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        skip_or_fail("PostgreSQL is not installed (apt-get install postgresql)")


def screenshot(page, label: str) -> Path:
    """Save what ``page`` shows to test-artifacts/hub/<label>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-") + ".png")
    page.screenshot(path=str(path))
    return path


__all__ = [
    "CHROMIUM_ARGS",
    "UI_TIMEOUT_MS",
    "TrialHub",
    "screenshot",
    "skip_or_fail",
    "trial_hub_prerequisites",
]
