"""Put the sorted submissions in place and write the intake report and the LMS id registry."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from citykit.grading.intake.entries import Intake
from citykit.grading.layout import CourseLayout

__all__ = ["REGISTRY_COLUMNS"]


def _install(found: dict, layout: CourseLayout, assignment: str) -> Intake:
    intake = Intake()
    for sid, entry in sorted(found.items()):
        dest = layout.submitted / sid / assignment
        wanted = dict(entry["files"])
        if entry["stamp"] is not None:
            wanted["timestamp.txt"] = (entry["stamp"] + "\n").encode()
        if dest.is_dir():
            current = {p.name: p.read_bytes() for p in dest.iterdir() if p.is_file()}
            if current == wanted:
                intake.unchanged.append(sid)
                continue
        staging = layout.submitted / f".{sid}.{assignment}.importing"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name, data in wanted.items():
            (staging / name).write_bytes(data)
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(dest)
        intake.students.append(sid)
    return intake


#: Columns of ``_grading/lms-students.csv``.
REGISTRY_COLUMNS = ("student", "lms", "lms_id", "name")


def _write_report(layout: CourseLayout, assignment: str, entries: list, identities: dict) -> Path:
    layout.grading.mkdir(parents=True, exist_ok=True)
    path = layout.grading / f"{assignment}-intake.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "file", "status", "detail", "notebook", "lms"])
        for e in entries:
            writer.writerow([e.student, e.source, e.status, e.detail, e.notebook, e.lms])
    registry = layout.grading / "lms-students.csv"
    known = {}
    if registry.is_file():
        with open(registry, newline="", encoding="utf-8") as handle:
            known = {row["student"]: row for row in csv.DictReader(handle)}
    for sid, who in identities.items():
        known[sid] = {"student": sid, **who}
    if known:
        with open(registry, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=REGISTRY_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for sid in sorted(known):
                writer.writerow(known[sid])
    return path
