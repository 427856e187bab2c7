"""The course website (``make book``), read as its visitors read it, in headless Chromium.

What is checked: every lesson, assignment, guide and page is on the site, built from the
lessons as they are now, with no solution in it; each lesson links to its notebook, to the hub
(nbgitpuller) and to its assignment; every internal link resolves; search finds what the lessons
say; no page fetches anything from the network. Accessibility, on every page: no serious or
critical axe-core violation (WCAG 2.x A and AA, contrast included; lessons in dark mode
too), alt text on every figure (the lesson's caption), headings in order; on a lesson: the keyboard reaches every link, with a
visible focus. A lesson stays readable on a 390 px phone and printed to PDF.

Reports and screenshots go to ``test-artifacts/site/``.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from site_tools import (
    ARTIFACTS,
    AXE,
    ROOT,
    SITE,
    SiteServer,
    blocking,
    book_module,
    build_info,
    pages,
    run_axe,
    site_is_current,
    skip_or_fail,
    summarise,
)

pytestmark = pytest.mark.browser

LESSONS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "curriculum").glob("*/*.ipynb"))
EXERCISES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").glob("*/*.ipynb"))
#: The lesson the page-level checks (keyboard, phone, print) read: charts, tables, code, answers.
LESSON = "curriculum/00-foundations/03-first-chart.ipynb"
#: The pages beside the lessons: reference, a handout to fill in, the instructor notes, and the
#: lesson on running a real trial. Each is named, so that none can go missing unnoticed.
COMPANIONS = [
    "curriculum/glossary.md",
    "curriculum/excel-bridge.md",
    "curriculum/03-evaluation/pre-analysis-plan.md",
    "curriculum/03-evaluation/05-run-a-real-trial.ipynb",
    *sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "curriculum/instructor-notes").glob("*.md")
    ),
]


def _html(rel: str) -> str:
    """The site page of repository notebook or Markdown file ``rel``."""
    return re.sub(r"\.(ipynb|md)$", ".html", rel)


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site, current with the repository (built here if it is missing or stale)."""
    for module in ("sphinx", "myst_nb", "sphinx_book_theme"):
        try:
            __import__(module)
        except ImportError:
            skip_or_fail(f"{module} is not installed: `make book` installs the website's tools")
    current, why = site_is_current()
    if not current:
        print(f"Building the site ({why})")
        book_module().build()
        current, why = site_is_current()
        assert current, why
    return SITE


@pytest.fixture(scope="session")
def server(site):
    """The site served on loopback."""
    with SiteServer(site) as running:
        yield running


@pytest.fixture(scope="session")
def axe() -> Path:
    """axe-core's script; skips (fails in CI) when it is not installed."""
    if not AXE.is_file():
        skip_or_fail(f"axe-core is not installed ({AXE} missing): run `npm ci --prefix book`")
    return AXE


def _page(browser, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    return context, context.new_page()


_AUDIT_JS = """() => {
    const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
    const article = document.querySelector('article') || document.body;
    return {
        title: document.title,
        lang: document.documentElement.lang,
        headings: [...article.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(visible)
            .map(h => [Number(h.tagName[1]), h.innerText.trim().slice(0, 80)]),
        images: [...document.images].filter(i => i.getAttribute('aria-hidden') !== 'true')
            .map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt'),
                        role: i.getAttribute('role')})),
    };
}"""


@pytest.fixture(scope="session")
def audit(browser, server, axe):
    """Every page of the site, opened once: axe's results, headings, images, and every request
    the page made to another host than the site's."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context, page = _page(browser)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
            and not r.url.startswith(server.base)
            else None
        ),
    )
    results = {}
    try:
        for name in pages(SITE):
            outside.clear()
            page.goto(server.url(name), wait_until="load")
            page.wait_for_timeout(100)  # the theme's scripts settle (toggles, search button)
            found = run_axe(page)
            results[name] = {
                **page.evaluate(_AUDIT_JS),
                "axe": summarise(found),
                "blocking": blocking(found),
                "incomplete": sorted({v["id"] for v in found["incomplete"]}),
                "network": sorted(set(outside)),
            }
    finally:
        context.close()
    report = {
        "pages": len(results),
        "axe_version": json.loads((AXE.parent / "package.json").read_text())["version"],
        "pages_with_serious_or_critical": sorted(n for n, r in results.items() if r["blocking"]),
        "violations_by_rule": _by_rule(results),
        "per_page": {
            n: {k: r[k] for k in ("axe", "incomplete", "network")} for n, r in results.items()
        },
    }
    (ARTIFACTS / "axe-site.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return results


def _by_rule(results: dict) -> dict:
    rules: dict = {}
    for result in results.values():
        for rule, found in result["axe"].items():
            entry = rules.setdefault(rule, {"impact": found["impact"], "pages": 0, "elements": 0})
            entry["pages"] += 1
            entry["elements"] += found["elements"]
    return rules


# --------------------------------------------------------------------------------------------
# What is on the site


def test_every_lesson_assignment_guide_and_page_is_on_the_site(site):
    built = set(pages(site))
    expected = {"index.html", "search.html", "guides/learners.html", "guides/instructors.html"}
    expected |= {_html(rel) for rel in LESSONS + EXERCISES}
    expected |= {f"curriculum/{m}/index.html" for m in {rel.split("/")[1] for rel in LESSONS}}
    expected |= {_html(p.relative_to(ROOT).as_posix()) for p in (ROOT / "docs").glob("*.md")}
    expected |= {_html(p.relative_to(ROOT).as_posix()) for p in (ROOT / "curriculum").rglob("*.md")}
    assert sorted(expected - built) == []
    assert sorted(built - expected) == ["genindex.html"], "no page the course does not hold"
    assert {_html(rel) for rel in COMPANIONS} <= built and len(COMPANIONS) == 11
    assert len(built) == len(build_info(site)["pages"]) + 2  # search and the index Sphinx adds
    assert not any(p.startswith("solutions") for p in built)
    # the home page carries the module map, linking every module's page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Module map" in home
    for module in sorted({rel.split("/")[1] for rel in LESSONS}):
        assert f'href="curriculum/{module}/index.html"' in home, module
    # README's guides, in words a learner and an instructor need
    # as a reader sees them: inline code is split into one span per word
    learners, instructors = (
        " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))).split())
        for path in (site / "guides" / "learners.html", site / "guides" / "instructors.html")
    )
    assert "check.hint" in learners and "Restart Kernel and Run All Cells" in learners
    assert "citykit grade" in instructors and "formgrader" in instructors.lower()
    print(f"{len(built)} pages")


def test_the_site_shows_the_lessons_as_they_run_now(site):
    current, why = site_is_current()
    assert current, why
    from citykit import datasets

    requests = len(datasets.load("service_requests"))
    text = (site / _html(LESSONS[0])).read_text(encoding="utf-8")
    assert f"Loaded {requests:,} 311 service requests for Riverton." in htmllib.unescape(text)
    info = build_info(site)
    assert info["figures"] == info["figures_with_alt_text"] > 0
    for rel in LESSONS:
        page = (site / _html(rel)).read_text(encoding="utf-8")
        drawn = sum(
            "plt.show()" in "".join(c["source"]) for c in _cells(rel) if c["cell_type"] == "code"
        )
        shown = len(re.findall(r'<img [^>]*alt="Figure \d+', page))
        assert shown >= drawn, f"{rel}: {drawn} charts in the lesson, {shown} figures on its page"


def _cells(rel: str) -> list[dict]:
    return json.loads((ROOT / rel).read_text(encoding="utf-8"))["cells"]


def _solution_lines() -> set[str]:
    """Lines of code that only the solutions hold (answers and hidden tests)."""
    published = "\n".join("".join(c["source"]) for rel in LESSONS + EXERCISES for c in _cells(rel))
    published = published.replace("`", "")  # an instruction quoting code in backticks
    lines = set()
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            for block in re.findall(
                r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END", source, flags=re.S
            ):
                lines |= {
                    line.strip()
                    for line in block.splitlines()
                    if len(line.strip()) >= 25 and line.strip() not in published
                }
    return lines


def _site_text(site: Path) -> str:
    texts = []
    for path in sorted(site.rglob("*")):
        if (
            path.suffix in (".html", ".js", ".ipynb", ".json", ".txt")
            and "_static" not in path.parts
        ):
            text = path.read_text(encoding="utf-8", errors="replace")
            texts.append(htmllib.unescape(re.sub(r"<[^>]+>", "", text)))
    return "\n".join(texts)


def test_no_solution_or_hidden_test_is_on_the_site(site):
    secret = _solution_lines()
    assert len(secret) > 20, "the solutions' own answer lines are found (the check can fail)"
    solution_text = "\n".join(
        "".join(c["source"])
        for p in sorted((ROOT / "solutions").glob("*/*.ipynb"))
        for c in json.loads(p.read_text(encoding="utf-8"))["cells"]
    )
    assert all(line in solution_text for line in secret)
    text = _site_text(site)
    for notebook in sorted(site.rglob("*.ipynb")):  # the notebooks offered for download
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            assert "### BEGIN HIDDEN TESTS" not in source and "### BEGIN SOLUTION" not in source
    leaked = sorted(line for line in secret if line in text)
    assert leaked == [], f"solution lines on the site: {leaked[:5]}"


def _links_box(page_html: str) -> list[tuple[str, str]]:
    box = re.search(r'<div class="[^"]*course-links[^"]*">(.*?)</div>', page_html, re.S)
    assert box, "the page has no box of links"
    return [
        (htmllib.unescape(href), re.sub(r"<[^>]+>", "", text).strip())
        for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', box.group(1), re.S)
    ]


def _check_hub_link(href: str, rel: str, settings: dict) -> None:
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        settings["hub_url"] + "/hub/user-redirect/git-pull"
    )
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    name = settings["repository_url"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    assert query == {
        "repo": settings["repository_url"],
        "urlpath": f"lab/tree/{name}/{rel}",
        "branch": settings["branch"],
    }


@pytest.mark.parametrize("rel", LESSONS + EXERCISES)
def test_each_lesson_and_assignment_links_to_its_notebook_the_hub_and_the_assignment(site, rel):
    page = site / _html(rel)
    links = _links_box(page.read_text(encoding="utf-8"))
    settings = build_info(site)["settings"]
    downloads = [href for href, _ in links if "_downloads/" in href]
    assert len(downloads) == 1
    downloaded = (page.parent / downloads[0]).resolve()
    assert downloaded.read_bytes() == (ROOT / rel).read_bytes(), "the notebook as in the course"
    hub = [href for href, text in links if "JupyterHub" in text]
    if not settings["repository_url"]:  # no repository known: no hub link rather than a guess
        assert hub == []
    else:
        assert len(hub) == 1
        _check_hub_link(hub[0], rel, settings)
    if rel.startswith("curriculum/"):
        module = rel.split("/")[1]
        assignment = [href for href, _ in links if "exercises/" in href]
        expected = [_html(e) for e in EXERCISES if e.split("/")[1] == module]
        assert [(page.parent / a).resolve() for a in assignment] == [
            (site / e).resolve() for e in expected
        ]


def test_the_pre_analysis_plan_downloads_as_the_form_itself(site):
    rel = "curriculum/03-evaluation/pre-analysis-plan.md"
    page = site / _html(rel)
    links = _links_box(page.read_text(encoding="utf-8"))
    downloads = [href for href, _ in links if "_downloads/" in href]
    assert len(downloads) == 1 and downloads[0].endswith("/pre-analysis-plan.md")
    assert (page.parent / downloads[0]).resolve().read_bytes() == (ROOT / rel).read_bytes()
    assert build_info(site)["downloads"] == [rel]
    # the module's page and lesson 03.5 lead to it
    module = (site / "curriculum/03-evaluation/index.html").read_text(encoding="utf-8")
    assert 'href="pre-analysis-plan.html"' in module
    lesson = (site / _html("curriculum/03-evaluation/05-run-a-real-trial.ipynb")).read_text(
        encoding="utf-8"
    )
    assert 'href="pre-analysis-plan.html"' in lesson


def test_the_glossary_bridge_and_instructor_notes_are_reached_from_the_home_page(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    for rel in ("curriculum/glossary.md", "curriculum/excel-bridge.md"):
        assert f'href="{_html(rel)}"' in home, rel
    assert 'href="curriculum/instructor-notes/README.html"' in home
    notes = (site / "curriculum/instructor-notes/README.html").read_text(encoding="utf-8")
    for path in sorted((ROOT / "curriculum/instructor-notes").glob("0*.md")):
        assert f'href="{path.stem}.html"' in notes, path.name
    # every lesson links to the glossary page, not to the repository
    for rel in LESSONS:
        page = (site / _html(rel)).read_text(encoding="utf-8")
        assert 'href="../glossary.html"' in page, rel


def test_every_link_inside_the_site_resolves(site):
    broken = []
    for name in pages(site):
        path = site / name
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r'(?:href|src)="([^"]+)"', text):
            target = htmllib.unescape(target)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue
            file, _, anchor = target.split("?")[0].partition("#")
            resolved = (path.parent / file).resolve()
            if not resolved.exists():
                broken.append(f"{name}: {target}")
            elif anchor and resolved.suffix == ".html":
                if f'id="{anchor}"' not in resolved.read_text(encoding="utf-8"):
                    broken.append(f"{name}: {target} (no such anchor)")
    assert broken == []


def test_search_finds_what_the_lessons_say(browser, server):
    context, page = _page(browser)
    try:
        page.goto(server.url("search.html?q=funnel"))
        results = page.locator("#search-results ul.search li a")
        results.first.wait_for()
        found = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        page.screenshot(path=str(ARTIFACTS / "search-funnel.png"))
    finally:
        context.close()
    assert any("04-results-driven-contracting/02-fair-comparison.html" in h for h in found), found
    assert not any("00-foundations" in h for h in found), "only pages that say 'funnel'"


# --------------------------------------------------------------------------------------------
# Accessibility, every page


def test_no_page_loads_anything_from_the_network(audit):
    fetched = {name: r["network"] for name, r in audit.items() if r["network"]}
    assert fetched == {}, "the site works offline: nothing from other hosts"


def test_every_page_has_no_serious_or_critical_axe_violation(audit):
    print(f"axe-core on {len(audit)} pages; by rule: {_by_rule(audit)}")
    failing = {name: r["blocking"] for name, r in audit.items() if r["blocking"]}
    assert failing == {}, json.dumps(failing, indent=1)[:4000]
    assert all(r["lang"] == "en" and r["title"] for r in audit.values())


def test_the_pages_beside_the_lessons_have_no_serious_or_critical_axe_violation(audit):
    # the glossary and the bridge are long tables and lists; the notes and the plan are forms
    for rel in COMPANIONS:
        name = _html(rel)
        assert name in audit, f"{name} was not audited"
        assert audit[name]["blocking"] == {}, (name, audit[name]["blocking"])
        assert audit[name]["headings"] and audit[name]["headings"][0][0] == 1, name


def test_lessons_in_dark_mode_have_no_serious_or_critical_axe_violation(browser, server, axe):
    """The reader can switch the site to dark mode: outputs (stat briefs, tables) stay legible."""
    context, page = _page(browser)
    found = {}
    try:
        for rel in LESSONS:
            page.goto(server.url(_html(rel)), wait_until="load")
            page.evaluate(
                "() => { document.documentElement.dataset.theme = 'dark';"
                " document.documentElement.dataset.mode = 'dark'; }"
            )
            page.wait_for_timeout(100)
            # dark mode changes colours only: the colour rules
            found[rel] = blocking(run_axe(page, rules=["color-contrast", "link-in-text-block"]))
        page.goto(server.url(_html(LESSONS[0])), wait_until="load")
        page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
        page.screenshot(path=str(ARTIFACTS / "dark-mode.png"))
    finally:
        context.close()
    assert {rel: v for rel, v in found.items() if v} == {}


def test_every_figure_has_alt_text_from_its_caption(audit):
    missing = {
        name: [
            i["src"]
            for i in r["images"]
            if not (i["alt"] or "").strip() and i["role"] != "presentation"
        ]
        for name, r in audit.items()
    }
    assert {k: v for k, v in missing.items() if v} == {}
    for rel in LESSONS:
        images = audit[_html(rel)]["images"]
        figures = [i for i in images if i["src"] and "_images/" in i["src"]]
        assert all(re.match(r"Figure \d+", i["alt"]) for i in figures), rel


def test_headings_are_in_order_on_every_page(audit):
    problems = {}
    for name, result in audit.items():
        levels = [level for level, _ in result["headings"]]
        if name == "genindex.html":
            continue  # Sphinx's empty index page: only its title
        wrong = [
            f"h{a} then h{b} ({text!r})"
            for (a, _), (b, text) in zip(result["headings"], result["headings"][1:], strict=False)
            if b > a + 1
        ]
        if levels[:1] != [1] or levels.count(1) != 1 or wrong:
            problems[name] = {"levels": levels[:12], "skips": wrong}
    assert problems == {}, problems


# --------------------------------------------------------------------------------------------
# A lesson: keyboard, phone, print


_FOCUS_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    if (!e.dataset.tabSeen) e.dataset.tabSeen = String(Object.keys(window.__seen ||= {}).length);
    window.__seen[e.dataset.tabSeen] = true;
    const drawn = x => {
        const style = getComputedStyle(x);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
               || (style.boxShadow && style.boxShadow !== 'none');
    };
    // the ring is on the element, or on the part that draws it (a toggle's chevron)
    const ring = drawn(e) || [...e.children].some(drawn);
    return {id: e.dataset.tabSeen, tag: e.tagName, text: (e.innerText || '').trim().slice(0, 40),
            href: e.getAttribute('href'), ring: ring};
}"""

_LINKS_JS = """() => [...document.querySelectorAll('a[href]')]
    // shown (not in a closed section of the navigation; heading anchors only show on hover)
    .filter(a => a.checkVisibility({visibilityProperty: true}))
    .map(a => ({seen: !!a.dataset.tabSeen, href: a.getAttribute('href'),
                text: a.innerText.trim().slice(0, 40)}))"""


def test_the_keyboard_reaches_every_link_of_a_lesson_with_a_visible_focus(browser, server):
    context, page = _page(browser)
    try:
        page.goto(server.url(_html(LESSON)))
        page.locator("article").first.wait_for()
        links = page.evaluate(_LINKS_JS)
        assert len(links) >= 20  # the navigation's, the lesson's box of links, the buttons
        stops, without_ring = [], []
        for _ in range(len(links) * 2 + 200):
            page.keyboard.press("Tab")
            focused = page.evaluate(_FOCUS_JS)
            if focused is None:
                continue
            if stops and focused["id"] == stops[0]["id"]:
                break  # round the page once
            if focused["id"] in {s["id"] for s in stops}:
                continue
            stops.append(focused)
            if not focused["ring"]:
                without_ring.append(focused)
        first = stops[0]
        links = page.evaluate(_LINKS_JS)
        # an answer (<details>) opens from the keyboard
        summary = page.locator("article details summary").first
        summary.focus()
        page.keyboard.press("Enter")
        opened = summary.evaluate("s => s.parentElement.open")
        page.screenshot(path=str(ARTIFACTS / "keyboard-focus.png"))
    finally:
        context.close()
    (ARTIFACTS / "keyboard-stops.json").write_text(json.dumps(stops, indent=1), encoding="utf-8")
    assert "skip" in first["text"].lower() or first["href"] == "#main-content", first
    unreached = [link for link in links if not link["seen"]]
    assert unreached == [], f"{len(unreached)} links the Tab key never reaches: {unreached[:5]}"
    assert without_ring == [], f"focus not visible on {without_ring[:5]}"
    assert opened, "Enter on 'Show an answer' opens it"


_OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const article = document.querySelector('article');
    const cut = [...article.querySelectorAll('img, pre, table, p, li, h1, h2, h3')].filter(e => {
        const box = e.getBoundingClientRect();
        if (!box.width) return false;
        const scroller = e.closest('.output, .highlight, .cell_output, .table-wrapper, pre, table');
        // inside a box that scrolls sideways, wide content is fine: it scrolls there
        if (scroller && scroller !== e && scroller.scrollWidth > scroller.clientWidth) return false;
        return box.right > width + 1 || box.left < -1;
    }).map(e => e.tagName + ': ' + (e.innerText || e.getAttribute('src') || '').slice(0, 50));
    const body = parseFloat(getComputedStyle(article.querySelector('p')).fontSize);
    return {pageWidth: document.documentElement.scrollWidth, width, cut, body};
}"""


def test_a_lesson_reads_on_a_390_px_phone(browser, server, axe):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    try:
        page.goto(server.url(_html(LESSON)))
        page.locator("article").first.wait_for()
        layout = page.evaluate(_OVERFLOW_JS)
        page.wait_for_timeout(500)  # the theme marks boxes that scroll as Tab stops
        on_phone = run_axe(page)
        shots = [ARTIFACTS / "phone-390-top.png", ARTIFACTS / "phone-390-figure.png"]
        page.screenshot(path=str(shots[0]))
        page.locator("article img").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots[1]))
        figure_width = page.locator("article img").first.evaluate(
            "i => i.getBoundingClientRect().width"
        )
    finally:
        context.close()
    (ARTIFACTS / "axe-phone-390.json").write_text(json.dumps(summarise(on_phone), indent=1))
    assert blocking(on_phone) == {}, blocking(on_phone)
    assert layout["pageWidth"] <= 390, f"the page scrolls sideways: {layout['pageWidth']} px wide"
    assert layout["cut"] == [], layout["cut"][:5]
    assert layout["body"] >= 16, f"body text {layout['body']} px"
    assert 300 <= figure_width <= 390, "a figure uses the phone's width"
    assert all(p.stat().st_size > 10_000 for p in shots)


_PRINT_JS = """() => {
    const shown = s => [...document.querySelectorAll(s)].some(e => !!(e.offsetWidth || e.offsetHeight));
    const article = document.querySelector('article');
    const width = article.getBoundingClientRect().width;
    const cut = [...article.querySelectorAll('pre, table, img')].filter(e =>
        e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > window.innerWidth + 1
    ).map(e => e.tagName + ': ' + (e.innerText || e.getAttribute('src') || '').slice(0, 60));
    return {sidebars: shown('.bd-sidebar-primary') || shown('.bd-sidebar-secondary')
                      || shown('.bd-header-article'),
            width, viewport: window.innerWidth, cut,
            answers_hidden: [...article.querySelectorAll('details')].filter(d => !d.open).length,
            body: parseFloat(getComputedStyle(article.querySelector('p')).fontSize)};
}"""


def test_a_lesson_prints_to_a_readable_pdf(browser, server):
    # US Letter, 0.5 in margins: 7.5 in of text width at 96 px per inch
    context, page = _page(browser, width=720, height=960)
    pdf = ARTIFACTS / "lesson-print.pdf"
    try:
        page.goto(server.url(_html(LESSON)))
        page.locator("article").first.wait_for()
        page.emulate_media(media="print")
        layout = page.evaluate(_PRINT_JS)
        page.screenshot(path=str(ARTIFACTS / "print-preview.png"))
        page.pdf(
            path=str(pdf),
            format="Letter",
            margin={"top": "0.5in", "bottom": "0.5in", "left": "0.5in", "right": "0.5in"},
            print_background=True,
        )
    finally:
        context.close()
    data = pdf.read_bytes()
    pages_printed = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert data.startswith(b"%PDF") and pages_printed >= 3
    assert not layout["sidebars"], "navigation and buttons stay off the paper"
    assert layout["width"] >= 0.9 * layout["viewport"], "the lesson uses the page's width"
    assert layout["cut"] == [], f"cut off on paper: {layout['cut'][:5]}"
    assert layout["body"] >= 12
    print(f"{pdf.relative_to(ROOT)}: {pages_printed} pages")
