"""Shared fixtures: where the repository and the shared real datasets are, and skip rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from repo_paths import REALDATA, ROOT


def _required(variable: str) -> bool:
    return os.environ.get(variable, "").strip() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of the course repository."""
    return ROOT


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The folder of public real datasets; skips (or fails in CI) when it is absent."""
    if not REALDATA.is_dir():
        message = f"real datasets not found at {REALDATA} (set CITYKIT_SHARED to the shared folder)"
        if _required("CITYKIT_REQUIRE_REALDATA"):
            pytest.fail(message + "; CITYKIT_REQUIRE_REALDATA=1 forbids skipping")
        pytest.skip(message)
    return REALDATA


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole session, shared by every browser fixture.

    Playwright's synchronous API refuses to start while another instance is running, so the
    browser tests (tests/browser) and the hub tests (tests/hub) must not each start their own.
    """
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()
