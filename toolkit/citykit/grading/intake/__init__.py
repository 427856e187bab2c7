"""Bring submissions into the course's ``submitted/`` folder, and say what happened to each file.

Two shapes are accepted, as a folder or a ``.zip``:

* nbgrader's layout: ``<student>/<assignment>/<notebook>.ipynb`` (optionally under a
  ``submitted/`` folder), with an optional ``timestamp.txt`` (what ``nbgrader collect`` makes);
* an LMS download, flat files named by the LMS (see :data:`LMS_PATTERNS`):

  - Canvas (*Download Submissions*, ``submissions.zip``):
    ``<lastnamefirstname>[_LATE]_<user id>_<attachment id>_<file name>``; a re-upload of a file
    with the same name gets ``-1``, ``-2`` ... before the extension;
  - Moodle (*Download all submissions*):
    ``<Full Name>_<participant id>_assignsubmission_file_<file name>``, or the same prefix as a
    folder (``.../<Full Name>_<id>_assignsubmission_file_/<file name>``) when "download
    submissions in folders" is on;
  - Blackboard (*Download Assignment*):
    ``<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file name>``, next to one receipt
    ``<Assignment>_<username>_attempt_<...>.txt`` per attempt (``Name: Full Name (username)``),
    which settles where the assignment ends and the username begins;
  - the course's own ``FileNameCollectorPlugin.named_regexp`` (nbgrader's ``zip_collect``
    convention, groups ``student_id`` and ``file_id``, optional ``timestamp``), tried first.

A student's upload may itself be a ``.zip``; its files are read as that student's (one level).

**Student ids.** An LMS identity is turned into an nbgrader id by :func:`student_id`: Unicode
NFC, lower case, letters and digits of any script kept, ``_ @`` kept, ``. -`` kept except in
first place, every other character written as ``~`` and the hex of its UTF-8 bytes
(``mary jane`` -> ``mary~20jane``, ``o'brien`` -> ``o~27brien``). Apart from letter case and
Unicode normal form, the mapping is one-to-one, so different LMS ids never merge, and it gives
the same id on every run. Canvas ids are
``<name>_<user id>`` (two students may share a name); Moodle ids the full name (participant ids
change between assignments); Blackboard ids the username. ``_grading/lms-students.csv`` keeps
each id's LMS identity (used by the grade export).

**Nothing silent.** Every file gets one row in ``_grading/<assignment>-intake.csv`` (student,
file, status, detail). Statuses: ``ok``, ``late`` (imported; the LMS marked it late),
``renamed`` (imported; the only notebook of a one-notebook assignment, under another name),
``duplicate`` (an older upload of a notebook another upload replaces), ``no_notebook`` (the
student uploaded files but no notebook, e.g. a PDF), ``ignored`` (a file that is not a notebook,
next to a notebook), ``empty``, ``oversized`` (above the size or compression-ratio cap: a zip
bomb), ``refused`` (a symbolic link, FIFO, device, absolute path or ``..`` in an archive),
``unreadable`` (a damaged or encrypted member), ``not_in_assignment`` (a notebook of another
assignment), ``ambiguous`` (two LMS users with the same name; each gets its own id) and
``unrecognised`` (the name identifies no student).

Examples
--------
>>> from citykit.grading.intake import match_lms_name, student_id
>>> match_lms_name("doejane_LATE_12345_67890_311-first-look.ipynb")["student"]
'doejane_12345'
>>> match_lms_name("Mary Jane O'Brien_881_assignsubmission_file_311-first-look.ipynb")["student"]
'mary~20jane~20o~27brien'
>>> student_id("Émile"), student_id("学生")
('émile', '学生')
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from citykit.grading.intake.entries import Intake, IntakeEntry
from citykit.grading.intake.ids import is_student_id, student_id
from citykit.grading.intake.install import _install, _write_report
from citykit.grading.intake.lms_names import DEFAULT_NAMED_REGEXP, LMS_PATTERNS, match_lms_name
from citykit.grading.intake.sorting import _Sorter
from citykit.grading.intake.unpack import LIMITS, _folder_members, _zip_members
from citykit.grading.layout import CourseLayout, GradingSetupError

__all__ = [
    "DEFAULT_NAMED_REGEXP",
    "LIMITS",
    "LMS_PATTERNS",
    "Intake",
    "IntakeEntry",
    "import_submissions",
    "is_student_id",
    "match_lms_name",
    "student_id",
]


def import_submissions(
    source, layout: CourseLayout, assignment: str, *, notebooks=(), write_report: bool = True
) -> Intake:
    """Copy submissions from a folder or zip into ``<submitted>/<student>/<assignment>/``.

    Parameters
    ----------
    source : path-like
        A folder or a ``.zip`` file.
    layout : CourseLayout
        The course.
    assignment : str
        The assignment being graded.
    notebooks : sequence of str
        The assignment's notebook names, without ``.ipynb`` (to recognise LMS file names).
    write_report : bool
        Write ``_grading/<assignment>-intake.csv`` and update ``_grading/lms-students.csv``.

    Returns
    -------
    Intake
        Imported, unchanged and skipped entries, and one entry per file.

    Raises
    ------
    GradingSetupError
        When ``source`` is missing, is neither a folder nor a zip, holds no file, expands beyond
        ``LIMITS['archive_bytes']``, or no file in it names a student.
    """
    source = Path(source)
    if not source.exists():
        raise GradingSetupError(f"--submissions {str(source)!r} does not exist")
    if source.is_dir() and source.resolve() == layout.submitted.resolve():
        return Intake(students=[], unchanged=layout.students(assignment))
    archive = None
    try:
        if source.is_file():
            if not zipfile.is_zipfile(source):
                raise GradingSetupError(
                    f"--submissions {source.name!r} is neither a folder nor a zip file; pass the "
                    "zip your LMS downloads, or a folder"
                )
            archive = zipfile.ZipFile(source)
            total = sum(i.file_size for i in archive.infolist())
            if total > LIMITS["archive_bytes"]:
                raise GradingSetupError(
                    f"--submissions {source.name!r} would unpack to {total / 2**30:.1f} GB; the "
                    f"limit is {LIMITS['archive_bytes'] / 2**30:.0f} GB -- unpack it yourself "
                    "and pass the folder"
                )
            members = _zip_members(archive)
        else:
            members = _folder_members(source)
        if not members:
            raise GradingSetupError(
                f"--submissions {source.name!r} holds no file; download the submissions again"
            )
        regexp = layout.config.get("FileNameCollectorPlugin", {}).get("named_regexp") or None
        sorter = _Sorter(assignment, tuple(notebooks), regexp)
        sorter.add(members)
        found, entries = sorter.finish()
        if not found and not any(e.student for e in entries):
            shown = ", ".join(e.source for e in entries if e.status == "unrecognised")[:300]
            raise GradingSetupError(
                f"no file of --submissions {source.name!r} names a student of {assignment!r} "
                f"(e.g. {shown}). Supported: nbgrader's <student>/{assignment}/<notebook>.ipynb, "
                "and the downloads of Canvas, Moodle and Blackboard; for other names set "
                "c.FileNameCollectorPlugin.named_regexp in nbgrader_config.py"
            )
        intake = _install(found, layout, assignment)
    finally:
        if archive is not None:
            archive.close()
    intake.entries = entries
    intake.skipped = [str(e) for e in entries if e.status != "ok"]
    if write_report:
        intake.report = _write_report(layout, assignment, entries, sorter.identities)
    return intake
