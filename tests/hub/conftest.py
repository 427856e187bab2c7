"""Fixtures of the hub tests: the trial hub of deploy/ and a headless Chromium to drive it.

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


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (or $CITYKIT_CHROMIUM), with the playwright package."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("the Python package playwright is not installed")
    for candidate in (os.environ.get("CITYKIT_CHROMIUM", ""), "/usr/bin/chromium", "chromium"):
        path = shutil.which(candidate) if candidate else None
        if path:
            return path
    skip_or_fail("no Chromium found (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser(chromium_path):
    """A headless Chromium, closed at the end of the module."""
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        manager.stop()


def screenshot(page, label: str) -> Path:
    """Save what ``page`` shows to test-artifacts/hub/<label>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-") + ".png")
    page.screenshot(path=str(path))
    return path


__all__ = ["TrialHub", "screenshot", "skip_or_fail", "trial_hub_prerequisites"]
