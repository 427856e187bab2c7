"""A class on the trial hub, end to end, in headless Chromium.

The instructor generates and releases an assignment in the formgrader (the hub service of the
grader account, in its own tab); three learners sign in, fetch it in JupyterLab's Assignments tab,
answer, validate and submit; the instructor collects, grades with ``citykit grade``, grades one
memo in the formgrader and releases feedback; each learner fetches feedback that shows the right
total and no hidden test.

The assignment is the test course's ``ps1`` (four auto-graded questions, 8 points, and a memo, 2
points), in a course folder configured like City Analyst Academy (its ``nbgrader_config.py``).
The steps are tests of their own, in order, sharing one hub; a step is skipped when an earlier
one did not pass.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hub_helpers import UI_TIMEOUT_MS, TrialHub, screenshot, trial_hub_prerequisites

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "grading" / "fixture_course"
COURSE_ID = "city-analyst-academy"
ASSIGNMENT = "ps1"
FORMGRADER = f"/services/{COURSE_ID}/formgrader"

pytestmark = [pytest.mark.hub, pytest.mark.slow]

# What each learner types into the answer cells (grade ids of the answer cells).
FULL = {
    "q1_answer": "mean_days = sum(days) / len(days)",
    "q2_answer": "def late_share(values, limit):\n    return sum(v > limit for v in values) / len(values)",
    "q3_answer": 'import csv\n\nwith open("districts.csv") as f:\n    rows = list(csv.DictReader(f))\n'
    'busiest = max(rows, key=lambda r: int(r["requests"]))["district"]',
    "q4_answer": 'def summarize(values):\n    return {"min": min(values), "max": max(values)}',
}
MEMO = "Riverside has the most requests; half of them are later than the target of five days."
# learner index -> (answers, memo, expected automatic score, manual score given to the memo)
PLAN = {
    1: (FULL, MEMO, 8.0, 2.0),  # everything right; the instructor gives the memo 2 of 2
    2: ({"q1_answer": FULL["q1_answer"]}, "", 2.0, None),  # only question 1
    3: ({"q1_answer": "mean_days = 4.0"}, "", 0.0, None),  # passes the visible check only
}
TOTAL_POINTS = 10.0
HIDDEN_TEXT = ("hidden check q1", "BEGIN HIDDEN TESTS", "summarize([7, -4, 12])")


# --------------------------------------------------------------------------------------------
# The class


@pytest.fixture(scope="module")
def cohort(tmp_path_factory, browser):
    """The trial hub with the test course, three learners and a PostgreSQL gradebook."""
    trial_hub_prerequisites(postgres=True)
    course = tmp_path_factory.mktemp("course") / COURSE_ID
    course.mkdir()
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    shutil.copytree(FIXTURE / "solutions", course / "solutions")
    hub = TrialHub(learners=3, course=course, postgres=True)
    try:
        hub.start()
    except RuntimeError as exc:
        hub.stop()
        pytest.fail(f"the trial hub did not start: {exc}")
    except BaseException:  # interrupted: leave no account or folder behind
        hub.stop()
        raise
    state = {"hub": hub, "passed": set(), "pages": {}}
    try:
        yield state
    finally:
        (ROOT / "test-artifacts" / "hub").mkdir(parents=True, exist_ok=True)
        (ROOT / "test-artifacts" / "hub" / "e2e-hub.log").write_text(
            hub.log_tail(500_000), encoding="utf-8"
        )
        try:
            for page in state["pages"].values():
                page.context.close()
        finally:
            hub.stop()


def step(name: str, *needs: str):
    """Mark a test as the step ``name``: run only if the steps it ``needs`` passed."""

    def decorate(test):
        def wrapper(cohort, browser):
            missing = [n for n in needs if n not in cohort["passed"]]
            if missing:
                pytest.skip(f"needs the step(s) {', '.join(missing)}, which did not pass")
            try:
                test(cohort, browser)
            except BaseException:
                for user, page in cohort["pages"].items():  # evidence of what each page showed
                    try:
                        screenshot(page, f"FAILED-{name}-{user}")
                    except Exception:
                        pass
                raise
            cohort["passed"].add(name)

        wrapper.__name__ = test.__name__
        wrapper.__doc__ = test.__doc__
        return wrapper

    return decorate


def sign_in(cohort, browser, user: str):
    """A browser page signed in to the hub as ``user`` (one per user, kept for later steps)."""
    if user in cohort["pages"]:
        return cohort["pages"][user]
    hub: TrialHub = cohort["hub"]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    cohort["pages"][user] = page
    return page


def open_lab(page, user: str) -> None:
    """Wait until the user's own JupyterLab is on screen (the hub spawns it after sign-in)."""
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/lab"), timeout=180_000)
    page.locator("#jp-main-dock-panel").wait_for(state="visible", timeout=120_000)


def open_menu(page, label: str) -> list[str]:
    """Open a menu of JupyterLab's menu bar; return the labels of its items.

    A menu bar that still has the focus after Escape toggles its menu closed on the next click,
    so the click is repeated until the menu shows.
    """
    items = page.locator(".lm-Menu.lm-MenuBar-menu:visible .lm-Menu-itemLabel")
    for _ in range(4):
        page.get_by_role("menuitem", name=label, exact=True).click()
        try:
            items.first.wait_for(state="visible", timeout=5_000)
            return items.all_inner_texts()
        except Exception:  # playwright's TimeoutError: the click closed the menu
            continue
    raise AssertionError(f"the {label} menu did not open")


def close_menu(page, label: str) -> None:
    """Close the open menu ``label``: Escape, else a click on its name (which toggles it)."""
    menus = page.locator(".lm-Menu.lm-MenuBar-menu:visible")
    for attempt in range(6):
        if menus.count() == 0:
            return
        if attempt % 2 == 0:
            page.keyboard.press("Escape")
        else:
            page.get_by_role("menuitem", name=label, exact=True).click()
        page.wait_for_timeout(300)
    raise AssertionError(f"the {label} menu did not close")


def menu(page, top: str, item: str) -> None:
    """Click through JupyterLab's menu bar: ``menu(page, "Nbgrader", "Assignment List")``."""
    open_menu(page, top)
    page.get_by_role("menuitem", name=item, exact=True).click()


def open_assignments(page):
    """Nbgrader > Assignment List, the learner's Assignments tab; return its panel."""
    menu(page, "Nbgrader", "Assignment List")
    panel = page.locator("#nbgrader-assignment-list")
    panel.wait_for(state="visible")
    return panel


def formgrader_ok(page) -> None:
    """Close the formgrader's result dialog, after checking it reports success."""
    dialog = page.locator("#success-modal, #error-modal").first
    dialog.wait_for(state="visible", timeout=180_000)
    text = dialog.inner_text()
    assert dialog.get_attribute("id") == "success-modal", text[-3000:]
    dialog.get_by_role("button", name="OK").click()
    dialog.wait_for(state="detached")


def assignment_row(page):
    row = page.locator("tr", has=page.locator("td.name", has_text=ASSIGNMENT))
    row.wait_for(state="visible")
    return row


def run_as_grader(hub: TrialHub, *command: str) -> str:
    """Run a command in the grader account, in the course folder (as the instructor would in
    the formgrader service's terminal)."""
    result = hub.run_as(hub.grader, *command, cwd=hub.course_root)
    printed = result.stdout + result.stderr
    assert result.returncode == 0 and "CRITICAL" not in printed, printed[-4000:]
    return printed


# --------------------------------------------------------------------------------------------
# The steps


@step("release")
def test_1_instructor_releases_in_the_formgrader_tab(cohort, browser):
    """The formgrader opens in its own tab, with JupyterHub's frame-ancestors 'none' intact."""
    hub: TrialHub = cohort["hub"]
    page = sign_in(cohort, browser, hub.instructor)
    open_lab(page, hub.instructor)
    # The instructor's JupyterLab has the course list but no formgrader or Create Assignment.
    items = open_menu(page, "Nbgrader")
    close_menu(page, "Nbgrader")
    assert "Course List" in items and "Formgrader" not in items, items
    # The course list links to the course's formgrader service, in a tab of its own ...
    menu(page, "Nbgrader", "Course List")
    link = page.locator("#courses a", has_text=COURSE_ID)
    link.wait_for(timeout=120_000)
    href = link.get_attribute("href")
    assert href.endswith(f"/services/{COURSE_ID}/lab?formgrader=true"), href
    assert link.get_attribute("target") == "blank"
    screenshot(page, "instructor-course-list")
    # ... and that link (/lab?formgrader=true) lands on the formgrader page itself.
    response = page.goto(href)
    page.wait_for_url(re.compile(rf"{FORMGRADER}/manage_assignments$"))
    assert "frame-ancestors 'none'" in (response.headers.get("content-security-policy") or "")
    row = assignment_row(page)
    screenshot(page, "instructor-formgrader")
    row.locator("td.assign a").click()  # generate the learners' version
    formgrader_ok(page)
    row = assignment_row(page)
    row.locator("td.release a").click()
    formgrader_ok(page)
    assignment_row(page).locator("td.status", has_text="released").wait_for()
    outbound = hub.exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert outbound.is_file()
    assert "hidden check q1" not in outbound.read_text()


@step("submit", "release")
def test_2_three_learners_fetch_answer_validate_and_submit(cohort, browser):
    hub: TrialHub = cohort["hub"]
    for index, user in enumerate(hub.learners, start=1):
        answers, memo, _, _ = PLAN[index]
        page = sign_in(cohort, browser, user)
        open_lab(page, user)
        # No news pop-up; no instructor tools in the learner's menu.
        assert page.locator(".jp-toast-container .Toastify__toast").count() == 0
        items = open_menu(page, "Nbgrader")
        close_menu(page, "Nbgrader")
        assert "Assignment List" in items, items
        assert not {"Formgrader", "Create assignment", "Course List"} & set(items), items
        panel = open_assignments(page)
        released = panel.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
        released.get_by_role("button", name="Fetch").click()
        fetched = panel.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
        fetched.wait_for()
        panel.locator("#fetched_assignments_list .assignment-notebooks-link").first.click()
        panel.locator("#fetched_assignments_list").get_by_role(
            "link", name=ASSIGNMENT, exact=True
        ).click()
        answer_in_notebook(page, answers, memo)
        screenshot(page, f"learner{index}-answered")
        # Validate (in the Assignments tab), then submit.
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        panel.get_by_role("button", name="Validate").click()
        message = page.locator("#validation-message")
        message.wait_for(timeout=180_000)
        verdict = message.get_attribute("class") or ""
        if index == 1:
            assert "validation-success" in verdict, message.inner_text()
        else:  # questions left unanswered fail their visible checks
            assert "validation-failed" in verdict, message.inner_text()
        page.locator(".jp-Dialog").get_by_role("button").last.click()
        panel.locator("#fetched_assignments_list").get_by_role("button", name="Submit").click()
        panel.locator(
            "#submitted_assignments_list .list_item", has_text=ASSIGNMENT
        ).first.wait_for()
        screenshot(page, f"learner{index}-submitted")
    # Each submission is filed under the learner's own name, by the learner's own Unix user.
    inbound = hub.exchange / COURSE_ID / "inbound"
    owners = {}
    for folder in inbound.iterdir():
        owners[folder.name.split("+")[0]] = folder.stat().st_uid
    import pwd

    assert owners == {user: pwd.getpwnam(user).pw_uid for user in hub.learners}


def answer_in_notebook(page, answers: dict[str, str], memo: str) -> None:
    """Type the answers into the open notebook's answer cells, the memo in its cell; save."""
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    notebook.wait_for()
    page.locator("#jp-main-statusbar", has_text=re.compile(r"Idle")).wait_for(timeout=120_000)
    sources = notebook.locator(".jp-Cell .jp-InputArea-editor").all_inner_texts()
    cells = notebook.locator(".jp-Cell")
    for grade_id, code in answers.items():
        # The answer cells hold "# YOUR CODE HERE"; they follow the questions in order.
        index = _answer_cell_index(sources, grade_id)
        editor = cells.nth(index).locator(".jp-InputArea-editor .cm-content")
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        page.keyboard.insert_text(code)
    if memo:
        memo_cell = cells.filter(has_text="YOUR ANSWER HERE").first
        memo_cell.dblclick()
        memo_cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        page.keyboard.insert_text(memo)
        page.keyboard.press("Control+Enter")
    page.keyboard.press("Control+s")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty").wait_for(state="detached")


_ANSWER_ORDER = ["q1_answer", "q2_answer", "q3_answer", "q4_answer"]


def _answer_cell_index(sources: list[str], grade_id: str) -> int:
    stubs = [i for i, source in enumerate(sources) if "# YOUR CODE HERE" in source]
    assert len(stubs) == len(_ANSWER_ORDER), sources
    return stubs[_ANSWER_ORDER.index(grade_id)]


@step("grade", "submit")
def test_3_instructor_collects_and_grades_with_citykit(cohort, browser):
    hub: TrialHub = cohort["hub"]
    page = sign_in(cohort, browser, hub.instructor)
    page.goto(f"{hub.url}{FORMGRADER}/manage_assignments")
    assignment_row(page).locator("td.collect a").click()
    formgrader_ok(page)
    submitted = hub.course_root / "_grading" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(hub.learners)
    # citykit grade, as root (its sandbox runs each learner's code as an unprivileged user),
    # on the hub's gradebook; then the grader account gets its course folder back.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYKIT_")}
    env["CITYKIT_GRADEBOOK_URL"] = hub.gradebook_url
    env["CITYKIT_QUESTIONS_DIR"] = str(FIXTURE / "toolkit" / "citykit" / "questions")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "citykit"), "grade", ASSIGNMENT, "--course-root",
         str(hub.course_root), "--workers", "2", "--no-progress"],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    subprocess.run(["chown", "-R", f"{hub.grader}:{hub.grader}", str(hub.course_root)], check=True)
    from nbgrader.api import Gradebook

    with Gradebook(hub.gradebook_url, COURSE_ID) as gradebook:
        scores = {s.student_id: s.score for s in gradebook.find_assignment(ASSIGNMENT).submissions}
    expected = {user: PLAN[i][2] for i, user in enumerate(hub.learners, start=1)}
    assert scores == expected


@step("manual", "grade")
def test_4_instructor_grades_one_memo_in_the_formgrader(cohort, browser):
    hub: TrialHub = cohort["hub"]
    page = sign_in(cohort, browser, hub.instructor)
    page.goto(f"{hub.url}{FORMGRADER}/gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
    listing = page.request.get(
        f"{hub.url}{FORMGRADER}/api/submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}"
    ).json()
    first = next(s for s in listing if s["student"] == hub.learners[0])
    page.goto(f"{hub.url}{FORMGRADER}/submissions/{first['id']}")
    # The page is ready when its scores are drawn (the automatic score as a placeholder).
    page.wait_for_function(
        "() => { const q = document.querySelector('input.score#q1_test');"
        " return q !== null && q.getAttribute('placeholder') !== null; }"
    )
    memo = page.locator("input.score#interpretation")
    heading = memo.locator("xpath=ancestor::div[contains(@class, 'panel-heading')]")
    heading.locator("button.full-credit").click()  # the memo: 2 of 2
    page.wait_for_function(
        "() => document.querySelector('input.score#interpretation').value === '2'"
    )
    comment = page.locator("textarea#interpretation-comment")
    comment.fill("Clear and to the point.")
    comment.press("Tab")
    screenshot(page, "instructor-manual-grade")
    from nbgrader.api import Gradebook

    def total() -> float:
        with Gradebook(hub.gradebook_url, COURSE_ID) as gradebook:
            return gradebook.find_submission(ASSIGNMENT, hub.learners[0]).score

    for _ in range(60):
        if total() == PLAN[1][2] + PLAN[1][3]:
            break
        page.wait_for_timeout(500)
    assert total() == TOTAL_POINTS


@step("feedback", "manual")
def test_5_instructor_releases_feedback_with_the_manual_score(cohort, browser):
    hub: TrialHub = cohort["hub"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYKIT_")}
    env["CITYKIT_GRADEBOOK_URL"] = hub.gradebook_url
    result = subprocess.run(
        [str(Path(sys.executable).parent / "citykit"), "grade", ASSIGNMENT, "--course-root",
         str(hub.course_root), "--force", "--no-progress"],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    subprocess.run(["chown", "-R", f"{hub.grader}:{hub.grader}", str(hub.course_root)], check=True)
    feedback = hub.course_root / "_grading" / "feedback" / hub.learners[0] / ASSIGNMENT
    html = (feedback / f"{ASSIGNMENT}.html").read_text()
    assert _total_in(html) == (TOTAL_POINTS, TOTAL_POINTS), (
        "the memo's score is not in the feedback"
    )
    run_as_grader(hub, str(hub.python), "-m", "nbgrader", "release_feedback", ASSIGNMENT)
    released = hub.exchange / COURSE_ID / "feedback"
    assert len(list(released.glob("*.html"))) == len(hub.learners)


@step("fetched", "feedback")
def test_6_learners_fetch_feedback_with_their_total_and_no_hidden_test(cohort, browser):
    hub: TrialHub = cohort["hub"]
    for index, user in enumerate(hub.learners, start=1):
        _, _, auto, manual = PLAN[index]
        page = sign_in(cohort, browser, user)
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        panel = page.locator("#nbgrader-assignment-list")
        panel.locator("#refresh_assignments_list").click()
        submitted = panel.locator("#submitted_assignments_list")
        submitted.get_by_role("button", name="Fetch Feedback").click()
        submitted.get_by_text("(view feedback)").first.wait_for(timeout=120_000)
        screenshot(page, f"learner{index}-feedback")
        files = list((hub.home_of(user) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(files) == 1, files
        html = files[0].read_text()
        assert _total_in(html) == (auto + (manual or 0.0), TOTAL_POINTS)
        assert not [text for text in HIDDEN_TEXT if text in html]


def _total_in(html: str) -> tuple[float, float]:
    """The total of nbgrader's feedback page: "Score: 10.0 / 10.0"."""
    found = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", html)
    assert found, "no total in the feedback"
    return float(found.group(1)), float(found.group(2))


@step("front door")
def test_7_a_pull_link_puts_the_course_in_the_home_and_opens_the_readme_rendered(cohort, browser):
    """nbgitpuller: the course's repository into ~/city-analyst-academy, README.md rendered."""
    sys.path.insert(0, str(ROOT / "deploy" / "hub"))
    from links import pull_link

    hub: TrialHub = cohort["hub"]
    repo = hub.root / "course.git"
    subprocess.run(["git", "clone", "--bare", "--quiet", str(ROOT), str(repo)], check=True)
    branch = subprocess.run(
        ["git", "-C", str(ROOT), "branch", "--show-current"], capture_output=True, text=True
    ).stdout.strip()
    user = hub.learners[1]
    page = sign_in(cohort, browser, user)
    page.goto(pull_link(hub.url, f"file://{repo}", branch=branch or "main"))
    page.wait_for_url(re.compile(r"/lab/tree/city-analyst-academy/README\.md"), timeout=180_000)
    rendered = page.locator(".jp-RenderedMarkdown", has_text="City Analyst Academy").first
    rendered.wait_for(timeout=120_000)
    screenshot(page, "learner-pull-link-readme")
    clone = hub.home_of(user) / "city-analyst-academy"
    import pwd

    assert (clone / "curriculum").is_dir()
    assert clone.stat().st_uid == pwd.getpwnam(user).pw_uid
