"""The ``citykit`` command: a user's mistake gets one clear message and exit code 2, never a
traceback; a command that checked or built nothing does not exit 0; outside a course, the course
commands say so instead of working on the folder citykit is installed in."""

from __future__ import annotations

import pytest
from citykit.cli import main
from repo_paths import ROOT


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_clear_error(code: int, err: str, *words: str) -> None:
    assert code == 2
    assert "Traceback" not in err
    for word in words:
        assert word in err


@pytest.fixture
def not_a_course(tmp_path, monkeypatch):
    folder = tmp_path / "somewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def empty_course(tmp_path):
    course = tmp_path / "course"
    for name in ("solutions", "curriculum", "exercises"):
        (course / name).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    return course


@pytest.mark.parametrize("action", ["build", "fingerprint", "verify", "run"])
def test_course_commands_refuse_a_root_that_is_not_a_course(capsys, tmp_path, action):
    code, out, err = run_cli(capsys, "course", "--root", str(tmp_path), action)
    assert_clear_error(code, err, "is not a course repository", "nbgrader_config.py")
    assert "PASSED" not in out


@pytest.mark.parametrize("action", ["build", "fingerprint", "verify", "run"])
def test_outside_a_course_the_course_commands_say_so(capsys, not_a_course, action):
    code, out, err = run_cli(capsys, "course", action)
    assert_clear_error(code, err, "No course repository found", str(not_a_course))


def test_datasets_build_outside_a_course_writes_nothing(capsys, not_a_course):
    code, out, err = run_cli(capsys, "datasets", "build")
    assert_clear_error(code, err, "No course repository found", "--root")
    assert list(not_a_course.iterdir()) == []


def test_a_course_from_a_subfolder_is_found(capsys, monkeypatch):
    monkeypatch.chdir(ROOT / "curriculum" / "00-foundations")
    code, out, err = run_cli(capsys, "course", "run", "--only", "no-such-lesson")
    # the course was found (the lessons are listed), the typo is named
    assert_clear_error(code, err, "no-such-lesson", "curriculum/00-foundations/")


def test_verify_of_a_course_with_no_notebooks_does_not_pass(capsys, empty_course):
    code, out, err = run_cli(
        capsys, "course", "--root", str(empty_course), "verify", "--no-execute"
    )
    assert code == 1
    assert "Nothing was checked" in out


def test_run_only_with_a_typo_names_it(capsys):
    code, out, err = run_cli(capsys, "course", "--root", str(ROOT), "run", "--only", "fondations")
    assert_clear_error(code, err, "--only fondations", "01-tables-and-filters")
    assert "Executed" not in out


def test_unknown_assignment_is_named_with_a_suggestion(capsys):
    code, _, err = run_cli(capsys, "course", "--root", str(ROOT), "fingerprint", "00-fondations")
    assert_clear_error(code, err, "'00-fondations' is not an assignment", "00-foundations")
    code, _, err = run_cli(capsys, "course", "--root", str(ROOT), "build", "00-fondations")
    assert_clear_error(code, err, "'00-fondations' is not an assignment")


@pytest.mark.parametrize("scale", ["0", "-1", "nan", "inf", "lots"])
def test_datasets_build_refuses_a_scale_that_is_not_positive(capsys, scale):
    code, _, err = run_cli(capsys, "datasets", "build", "--scale", scale, "--out", "unused")
    assert_clear_error(code, err, "--scale", "greater than 0")


def test_a_missing_data_dir_is_named(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CITYKIT_DATA_DIR", str(tmp_path / "missing"))
    code, _, err = run_cli(capsys, "datasets", "list")
    assert_clear_error(code, err, "CITYKIT_DATA_DIR", "does not exist")
    monkeypatch.setenv("CITYKIT_DATA_DIR", str(tmp_path))
    code, _, err = run_cli(capsys, "datasets", "list")
    assert_clear_error(code, err, "CITYKIT_DATA_DIR", "holds no datapackage.json")


def test_an_unknown_dataset_is_named_and_a_known_one_described(capsys):
    code, _, err = run_cli(capsys, "datasets", "describe", "service_request")
    assert_clear_error(code, err, "'service_request'", "Did you mean 'service_requests'?")
    code, out, _ = run_cli(capsys, "datasets", "describe", "service_requests")
    assert code == 0 and "sla_days" in out


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--db-url", "bogus://x", ["--db-url", "'bogus://x' is not a gradebook URL"]),
        ("--db-url", "not a url", ["--db-url"]),
        ("--timeout", "-5", ["--timeout", "greater than 0"]),
        ("--timeout", "0", ["--timeout"]),
        ("--workers", "0", ["--workers", "at least 1"]),
        ("--memory-mb", "-1", ["--memory-mb"]),
    ],
)
def test_grade_refuses_bad_options_before_starting(capsys, tmp_path, option, value, words):
    pytest.importorskip("nbgrader")
    code, _, err = run_cli(
        capsys, "grade", "00-foundations", "--course-root", str(tmp_path), option, value
    )
    assert_clear_error(code, err, *words)


def test_grade_accepts_good_option_values():
    from citykit.cli import build_parser

    args = build_parser().parse_args(
        ["grade", "a", "--timeout", "2.5", "--db-url", "sqlite:///g.db", "--workers", "3"]
    )
    assert (args.timeout, args.db_url, args.workers) == (2.5, "sqlite:///g.db", 3)
