"""The course website in tests: its build (``make book``), a loopback web server, and axe-core.

The site tests use the site ``make book`` built in ``build/book/html`` when it is current (CI
builds it just before ``make test``) and build it themselves otherwise: "current" means built
from the repository's present lessons, toolkit, sample city, pages and book settings, so a test
never passes on a stale site.

axe-core comes from the npm registry into ``book/node_modules`` (``npm ci --prefix book``); it is
injected into each page and run there, the way its browser extensions do.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
SITE = ROOT / "build" / "book" / "html"
AXE = BOOK / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "site"

#: WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")


def book_module():
    """``book/build.py``, imported."""
    if str(BOOK) not in sys.path:
        sys.path.insert(0, str(BOOK))
    import build

    return build


def site_is_current(site: Path = SITE) -> tuple[bool, str]:
    """Whether the built site matches the repository as it is now, and why not."""
    return book_module().is_current(ROOT, site)


def build_info(site: Path = SITE) -> dict:
    """What the site in ``site`` was built from (its ``build-info.json``)."""
    return json.loads((site / "build-info.json").read_text(encoding="utf-8"))


def pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the site, relative to its root."""
    return sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*.html") if "_static" not in p.parts
    )


class SiteServer:
    """A static web server on 127.0.0.1 for the built site (a thread of the test process)."""

    def __init__(self, root: Path) -> None:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:  # no request log on stderr
                pass

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
        )
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, page: str) -> str:
        """The address of ``page`` (relative to the site's root)."""
        return self.base + page


def run_axe(page, *, rules: list[str] | None = None) -> dict:
    """Run axe-core in ``page`` (a Playwright page); return axe's results.

    Every rule of :data:`AXE_TAGS`, or only ``rules`` (axe rule ids) when given.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    return page.evaluate(
        """(only) => axe.run(document, {runOnly: only,
                                        resultTypes: ['violations', 'incomplete']})""",
        only,
    )


def summarise(results: dict) -> dict:
    """axe's violations by rule: impact, how many elements, and the first few of them."""
    return {
        v["id"]: {
            "impact": v["impact"],
            "help": v["help"],
            "elements": len(v["nodes"]),
            "examples": [", ".join(map(str, n["target"])) for n in v["nodes"][:3]],
        }
        for v in results["violations"]
    }


def blocking(results: dict) -> dict:
    """The serious and critical violations only."""
    return {k: v for k, v in summarise(results).items() if v["impact"] in BLOCKING}


def required(variable: str) -> bool:
    """Whether the environment variable asks for the tests not to skip."""
    return os.environ.get(variable, "").strip() not in ("", "0", "false", "no")


def skip_or_fail(message: str):
    """Skip, or fail when CITYKIT_REQUIRE_BROWSER=1 (CI) forbids skipping."""
    if required("CITYKIT_REQUIRE_BROWSER"):
        pytest.fail(message + "; CITYKIT_REQUIRE_BROWSER=1 forbids skipping", pytrace=False)
    pytest.skip(message)
