"""Submissions arrive as nbgrader's folder layout or as an LMS download (Canvas, Moodle,
Blackboard); every file gets a status in the intake report, and hostile archives are refused."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import stat
import unicodedata
import zipfile

import pytest
from corpus import answered
from grading_helpers import ASSIGNMENT, CELL_TIMEOUT, copy_course

pytestmark = pytest.mark.grading

NOTEBOOK = "311-first-look"
BOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _book(tag: str) -> str:
    """A small notebook whose content says which upload it was."""
    return json.dumps({"cells": [], "metadata": {"tag": tag}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def layout(tmp_path):
    from citykit.grading.layout import load_course

    return load_course(copy_course(tmp_path / "course"))


def _zip(path, files: dict) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            if isinstance(data, zipfile.ZipInfo):
                zf.writestr(data, b"x")
            else:
                zf.writestr(name, data)
    return path


def _import(layout, source, notebooks=(NOTEBOOK,)):
    from citykit.grading.intake import import_submissions

    return import_submissions(source, layout, ASSIGNMENT, notebooks=notebooks)


def _statuses(intake) -> dict:
    """{(student, status)} -> count, for every entry of the intake."""
    out: dict = {}
    for e in intake.entries:
        out[(e.student, e.status)] = out.get((e.student, e.status), 0) + 1
    return out


def _submitted(layout, student):
    folder = layout.submitted / student / ASSIGNMENT
    return {p.name: p.read_text() for p in folder.iterdir()} if folder.is_dir() else {}


# -- student ids ----------------------------------------------------------------------------


def test_student_ids_are_distinct_safe_and_stable():
    from citykit.grading.intake import is_student_id, student_id

    tricky = [
        "jane_smith",
        "john_smith",
        "smith",
        "mary jane",
        "mary_jane",
        "mary-jane",
        "maryjane",
        "o'brien",
        "obrien",
        "o’brien",
        "émile",
        "emile",
        "学生",
        "学 生",
        "José",
        "jose",
        "ann.lee",
        ".ann",
        "-ann",
        "a~20b",
        "a b",
        "a+b",
        "a/b",
        "a\\b",
        "ß",
        "ss",
        "Ǆ",
        "İ",
    ]
    rng = random.Random(15)
    alphabet = "aZé学 _.-'~+/ßΣσς0١"
    tricky += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    ids: dict = {}
    for raw in tricky:
        if not raw.strip():
            continue
        key = unicodedata.normalize("NFC", raw.strip()).lower()
        sid = student_id(raw)
        assert is_student_id(sid), (raw, sid)
        assert sid == student_id(raw)  # the same every time
        assert ids.setdefault(sid, key) == key, f"{raw!r} and {ids[sid]!r} both map to {sid!r}"
    assert student_id("mary jane") == "mary~20jane" and student_id("o'brien") == "o~27brien"
    assert student_id("Émile") == student_id(unicodedata.normalize("NFD", "émile")) == "émile"
    assert not is_student_id("mary jane") and not is_student_id("..")


# -- the LMS file names ---------------------------------------------------------------------


def test_canvas_names_with_a_hyphenated_notebook_late_marker_and_reupload(layout, tmp_path):
    archive = _zip(
        tmp_path / "submissions.zip",
        {
            f"smithjane_12345_67890_{NOTEBOOK}.ipynb": _book("jane-old"),
            f"smithjane_12345_67990_{NOTEBOOK}-1.ipynb": _book("jane-new"),  # re-upload: newer
            f"smithjohn_LATE_12346_67891_{NOTEBOOK}.ipynb": _book("john"),
            f"smithjohn_12399_67892_{NOTEBOOK}.ipynb": _book("other john"),  # another user id
            "émile_22_33_my notebook.ipynb": _book("emile renamed"),
        },
    )
    intake = _import(layout, archive)
    assert sorted(intake.students) == [
        "smithjane_12345",
        "smithjohn_12346",
        "smithjohn_12399",
        "émile_22",
    ]
    assert "jane-new" in _submitted(layout, "smithjane_12345")[f"{NOTEBOOK}.ipynb"]
    assert "john" in _submitted(layout, "smithjohn_12346")[f"{NOTEBOOK}.ipynb"]
    got = _statuses(intake)
    assert got[("smithjane_12345", "duplicate")] == 1
    assert got[("smithjohn_12346", "late")] == 1
    assert got[("émile_22", "renamed")] == 1
    assert "emile renamed" in _submitted(layout, "émile_22")[f"{NOTEBOOK}.ipynb"]


def test_moodle_names_spaces_apostrophes_folders_and_namesakes(layout, tmp_path):
    suffix = f"assignsubmission_file_{NOTEBOOK}.ipynb"
    archive = _zip(
        tmp_path / "moodle.zip",
        {
            f"Mary Jane_101_{suffix}": _book("mary jane"),
            f"Mary-Jane_102_{suffix}": _book("mary-jane"),
            f"Seán O'Brien_103_{suffix}": _book("sean"),
            f"学生_104_assignsubmission_file_/{NOTEBOOK}.ipynb": _book("xuesheng"),  # folder
            f"Ann Lee_105_{suffix}": _book("ann 105"),
            f"Ann Lee_106_{suffix}": _book("ann 106"),  # namesake
            "Bo Chen_107_assignsubmission_file_essay.pdf": "%PDF-1.4",
            "Bo Chen_107_assignsubmission_onlinetext_onlinetext.html": "<p>hi</p>",
        },
    )
    intake = _import(layout, archive)
    assert sorted(intake.students) == [
        "ann~20lee_105",
        "ann~20lee_106",
        "mary-jane",
        "mary~20jane",
        "seán~20o~27brien",
        "学生",
    ]
    assert "ann 106" in _submitted(layout, "ann~20lee_106")[f"{NOTEBOOK}.ipynb"]
    got = _statuses(intake)
    assert got[("ann~20lee_105", "ambiguous")] == got[("ann~20lee_106", "ambiguous")] == 1
    assert got[("bo~20chen", "no_notebook")] == 2 and not _submitted(layout, "bo~20chen")


def test_blackboard_usernames_with_underscores_receipts_and_attempts(layout, tmp_path):
    name = f"_attempt_2024-03-0{{}}-09-00-00_{NOTEBOOK}.ipynb"
    archive = _zip(
        tmp_path / "blackboard.zip",
        {
            "ps1_jane_smith" + name.format(1): _book("jane 1"),
            "ps1_jane_smith" + name.format(2): _book("jane 2"),
            "ps1_john_smith" + name.format(1): _book("john"),
        },
    )
    intake = _import(layout, archive)
    assert sorted(intake.students) == ["jane_smith", "john_smith"]
    assert "jane 2" in _submitted(layout, "jane_smith")[f"{NOTEBOOK}.ipynb"]
    assert _submitted(layout, "jane_smith")["timestamp.txt"].startswith("2024-03-02 09:00:00")
    assert _statuses(intake)[("jane_smith", "duplicate")] == 1

    # The assignment's own name holds underscores: the receipt says who the student is.
    receipt = "Name: Jane Smith (jane_smith)\nAssignment: Problem_Set_1\n"
    stem = "Problem_Set_1_jane_smith_attempt_2024-03-05-10-00-00"
    archive = _zip(
        tmp_path / "blackboard2.zip",
        {f"{stem}.txt": receipt, f"{stem}_{NOTEBOOK}.ipynb": _book("jane 3")},
    )
    second = _import(layout, archive)
    assert second.students == ["jane_smith"]
    assert "jane 3" in _submitted(layout, "jane_smith")[f"{NOTEBOOK}.ipynb"]


def test_course_named_regexp_is_used_first(tmp_path):
    from citykit.grading.layout import load_course

    course = copy_course(tmp_path / "course")
    with open(course / "nbgrader_config.py", "a") as out:
        out.write(
            "\nc.FileNameCollectorPlugin.named_regexp = "
            "r'(?P<student_id>[^/]+)--(?P<file_id>[^/]+)'\n"
        )
    intake = _import(
        load_course(course), _zip(tmp_path / "x.zip", {f"ada--{NOTEBOOK}.ipynb": BOOK})
    )
    assert intake.students == ["ada"]


def test_nbgrader_layout_with_unicode_ids_and_a_pdf_only_folder(layout, tmp_path):
    for sid, files in {
        "émile": {f"{NOTEBOOK}.ipynb": BOOK, "timestamp.txt": "2024-03-05 08:00:00 UTC\n"},
        "emile": {f"{NOTEBOOK}.ipynb": BOOK},
        "zoe": {"answers.pdf": "%PDF"},
        "yan": {f"{NOTEBOOK}.ipynb": ""},
        "mary jane": {f"{NOTEBOOK}.ipynb": BOOK},
        "o'brien": {f"{NOTEBOOK}.ipynb": BOOK},
    }.items():
        folder = tmp_path / "incoming" / "submitted" / sid / ASSIGNMENT
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text)
    first = _import(layout, tmp_path / "incoming")
    second = _import(layout, tmp_path / "incoming")
    everyone = ["emile", "mary~20jane", "o~27brien", "émile"]
    assert first.students == everyone and second.unchanged == everyone
    assert _submitted(layout, "émile")["timestamp.txt"].startswith("2024-03-05")
    got = _statuses(first)
    assert got[("zoe", "no_notebook")] == 1 and got[("yan", "empty")] == 1
    assert layout.students(ASSIGNMENT) == everyone


# -- never silent ---------------------------------------------------------------------------


def test_pdf_empty_zip_nested_zip_duplicates_and_strays_are_each_reported(layout, tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr(f"work/{NOTEBOOK}.ipynb", _book("zipped"))
        zf.writestr("work/data.csv", "a,b\n")
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    archive = _zip(
        tmp_path / "submissions.zip",
        {
            "adaada_1_11_report.pdf": "%PDF",  # PDF only
            "bobbob_2_12_work.zip": empty.getvalue(),  # an empty zip
            "carcar_3_13_work.zip": inner.getvalue(),  # the notebook inside a zip
            f"deedee_4_14_{NOTEBOOK}.ipynb": "",  # 0 bytes
            f"eveeve_5_15_{NOTEBOOK}.ipynb": BOOK,
            "eveeve_5_16_notes.pdf": "%PDF",  # next to a notebook
            "fayfay_6_17_312-next-week.ipynb": BOOK,  # another assignment's notebook
            f"fayfay_6_18_{NOTEBOOK}.ipynb": BOOK,
            "readme.txt": "from the LMS",
            ".DS_Store": "",
        },
    )
    intake = _import(layout, archive)
    assert sorted(intake.students) == ["carcar_3", "eveeve_5", "fayfay_6"]
    assert "zipped" in _submitted(layout, "carcar_3")[f"{NOTEBOOK}.ipynb"]
    got = _statuses(intake)
    assert got[("adaada_1", "no_notebook")] == 1
    assert got[("bobbob_2", "empty")] == 1
    assert got[("carcar_3", "ignored")] == 1  # data.csv
    assert got[("deedee_4", "empty")] == 1
    assert got[("eveeve_5", "ignored")] == 1
    assert got[("fayfay_6", "not_in_assignment")] == 1
    assert got[("", "unrecognised")] == 1 and got[("", "ignored")] == 1  # readme, .DS_Store
    with open(intake.report, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(intake.entries) == 11
    assert sum(r["status"] != "ok" for r in rows) == len(intake.skipped) == 8
    with open(layout.grading / "lms-students.csv", newline="", encoding="utf-8") as handle:
        registry = {r["student"]: r for r in csv.DictReader(handle)}
    assert registry["carcar_3"]["lms"] == "canvas" and registry["carcar_3"]["lms_id"] == "3"


def test_an_empty_or_unrecognisable_download_is_an_error(layout, tmp_path):
    from citykit.errors import CityKitError

    with pytest.raises(CityKitError, match="holds no file"):
        _import(layout, _zip(tmp_path / "empty.zip", {}))
    with pytest.raises(CityKitError, match="Canvas, Moodle and Blackboard"):
        _import(layout, _zip(tmp_path / "odd.zip", {"homework.ipynb": BOOK}))


# -- hostile archives -----------------------------------------------------------------------


def _special(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (mode | 0o644) << 16
    return info


def test_zip_bombs_and_oversized_uploads_are_refused(layout, tmp_path, monkeypatch):
    from citykit.grading import intake as intake_module

    monkeypatch.setitem(intake_module.LIMITS, "file_bytes", 3 * 2**20)
    monkeypatch.setitem(intake_module.LIMITS, "ratio_above_bytes", 2**20)
    bomb = '{"cells": [], "x": "' + " " * (2 * 2**20) + '"}'  # 2 MB, compresses ~1000:1
    big = json.dumps({"cells": [], "x": os.urandom(2 * 2**20).hex()})  # 4 MB, ratio ~2
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{NOTEBOOK}.ipynb", bomb)
    archive = _zip(
        tmp_path / "submissions.zip",
        {
            f"adaada_1_11_{NOTEBOOK}.ipynb": bomb,
            f"bobbob_2_12_{NOTEBOOK}.ipynb": big,
            "carcar_3_13_work.zip": inner.getvalue(),
            f"deedee_4_14_{NOTEBOOK}.ipynb": BOOK,
        },
    )
    intake = _import(layout, archive)
    assert intake.students == ["deedee_4"]
    got = _statuses(intake)
    assert got[("adaada_1", "oversized")] == got[("bobbob_2", "oversized")] == 1
    assert got[("carcar_3", "oversized")] == 1
    assert "zip bomb" in " ".join(intake.skipped)


def test_links_devices_and_escaping_paths_in_a_zip_are_refused(layout, tmp_path):
    archive = _zip(
        tmp_path / "submissions.zip",
        {
            f"adaada_1_11_{NOTEBOOK}.ipynb": _special(f"adaada_1_11_{NOTEBOOK}.ipynb", 0o120000),
            f"bobbob_2_12_{NOTEBOOK}.ipynb": _special(f"bobbob_2_12_{NOTEBOOK}.ipynb", 0o010000),
            f"carcar_3_13_{NOTEBOOK}.ipynb": _special(f"carcar_3_13_{NOTEBOOK}.ipynb", 0o020000),
            f"../deedee_4_14_{NOTEBOOK}.ipynb": BOOK,
            f"/tmp/eveeve_5_15_{NOTEBOOK}.ipynb": BOOK,
            f"fayfay_6_16_{NOTEBOOK}.ipynb": BOOK,
        },
    )
    intake = _import(layout, archive)
    assert intake.students == ["fayfay_6"]
    refused = [e for e in intake.entries if e.status == "refused"]
    assert len(refused) == 5
    words = " ".join(e.detail for e in refused)
    assert "symbolic link" in words and "FIFO" in words and ".." in words and "absolute" in words
    assert {e.student for e in refused} >= {"adaada_1", "bobbob_2", "carcar_3"}
    assert not (tmp_path / f"deedee_4_14_{NOTEBOOK}.ipynb").exists()


def test_a_folder_with_a_fifo_and_a_symlink_is_read_without_blocking(layout, tmp_path):
    incoming = tmp_path / "incoming"
    folder = incoming / "ann" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{NOTEBOOK}.ipynb").write_text(BOOK)
    os.mkfifo(incoming / f"bobbob_2_12_{NOTEBOOK}.ipynb")  # reading it would block for ever
    (tmp_path / "secret.txt").write_text("solutions")
    os.symlink(tmp_path / "secret.txt", folder / "data.csv")
    os.symlink(tmp_path, incoming / "cy")
    intake = _import(layout, incoming)
    assert intake.students == ["ann"]
    assert "data.csv" not in _submitted(layout, "ann")
    refused = [e for e in intake.entries if e.status == "refused"]
    assert len(refused) == 3, refused
    assert stat.S_ISFIFO(os.lstat(incoming / f"bobbob_2_12_{NOTEBOOK}.ipynb").st_mode)


# -- end to end -----------------------------------------------------------------------------


def test_lms_zip_is_imported_newest_attempt_wins_and_graded(tmp_path, release_notebook):
    from citykit.grading import grade

    course = copy_course(tmp_path / "course")
    right = json.dumps(answered(release_notebook))
    wrong = json.dumps(answered(release_notebook, q1_answer="mean_days = 0.5"))
    archive = tmp_path / "gradebook-download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        # Blackboard-style names: <assignment>_<student>_attempt_<timestamp>_<notebook>.ipynb
        zf.writestr("ps1_ann_attempt_2024-03-01-09-00-00_ps1.ipynb", wrong)
        zf.writestr("ps1_ann_attempt_2024-03-02-18-30-00_ps1.ipynb", right)  # newer: graded
        zf.writestr("ps1_bo_attempt_2024-03-01-10-00-00_ps1.ipynb", wrong)
        zf.writestr("notes/readme.ipynb", right)  # no student in the name: skipped
        zf.writestr("../escape.ipynb", right)  # path traversal: refused
    summary = grade(
        ASSIGNMENT, course_root=course, submissions=archive, timeout=CELL_TIMEOUT, report=False
    )
    assert {o.student: o.auto_score for o in summary.outcomes} == {"ann": 8, "bo": 6}
    stamp = (course / "_grading" / "submitted" / "ann" / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamp.startswith("2024-03-02 18:30:00")
    skipped = (course / "_grading" / f"{ASSIGNMENT}-intake-skipped.txt").read_text()
    assert "readme.ipynb" in skipped and "older attempt" in skipped and "refused" in skipped
    assert (course / "_grading" / f"{ASSIGNMENT}-intake.csv").is_file()
    assert not (tmp_path / "escape.ipynb").exists()


def test_damaged_members_and_names_without_the_utf8_flag(layout, tmp_path, monkeypatch):
    name = f"émile_7_17_{NOTEBOOK}.ipynb"
    archive = tmp_path / "submissions.zip"
    with monkeypatch.context() as patch:  # a zip tool that stores UTF-8 names without the flag
        patch.setattr(
            zipfile.ZipInfo,
            "_encodeFilenameFlags",
            lambda self: (self.filename.encode("cp437"), self.flag_bits),
        )
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(name.encode("utf-8").decode("cp437"), BOOK)
            zf.writestr(f"bobbob_2_12_{NOTEBOOK}.ipynb", json.dumps({"x": list(range(5000))}))
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(f"bobbob_2_12_{NOTEBOOK}.ipynb")
        start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    data = bytearray(archive.read_bytes())
    data[start : start + 40] = bytes(40)  # damage the compressed bytes
    archive.write_bytes(bytes(data))
    intake = _import(layout, archive)
    assert intake.students == ["émile_7"]
    assert _statuses(intake)[("bobbob_2", "unreadable")] == 1
