"""Fixtures of the hub tests: a headless Chromium to drive the trial hub (see hub_helpers)."""

from __future__ import annotations

import os
import shutil

import pytest
from hub_helpers import CHROMIUM_ARGS, skip_or_fail


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
def browser(chromium_path, playwright_driver):
    """A headless Chromium, closed at the end of the module."""
    chromium = playwright_driver.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()
