"""Write deploy/image/requirements.txt: the learner image's packages, pinned to this environment.

Run it in the environment the tests passed in (``.venv/bin/python deploy/image/lock.py``): it
walks citykit's dependencies and its ``hub`` extra, recursively, through the installed packages'
metadata, and pins each to the installed version. The image (deploy/image/Dockerfile) installs
exactly these, then citykit's own wheel, which carries the sample city.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HERE = Path(__file__).resolve().parent
OUT = HERE / "requirements.txt"

__all__ = ["closure", "render", "main"]


def _applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras | {""})


def closure(root: str = "citykit", extras: tuple[str, ...] = ("hub",)) -> dict[str, str]:
    """The installed packages ``root`` (with ``extras``) needs, by name: their versions."""
    pinned: dict[str, str] = {}
    todo: list[tuple[str, set[str]]] = [(root, set(extras))]
    while todo:
        name, wanted = todo.pop()
        dist = metadata.distribution(name)
        for line in dist.requires or []:
            requirement = Requirement(line)
            if not _applies(requirement, wanted):
                continue
            key = canonicalize_name(requirement.name)
            if key == canonicalize_name(root):
                todo.append((root, set(requirement.extras)))
                continue
            if key not in pinned:
                pinned[key] = metadata.version(requirement.name)
                todo.append((requirement.name, set(requirement.extras)))
            elif requirement.extras:
                todo.append((requirement.name, set(requirement.extras)))
    return dict(sorted(pinned.items()))


def render(pins: dict[str, str]) -> str:
    """The requirements file's text."""
    head = (
        "# The learner image's Python packages (citykit's dependencies and its hub extra),\n"
        "# pinned to the environment the tests passed in. Regenerate: python deploy/image/lock.py\n"
    )
    return head + "".join(f"{name}=={version}\n" for name, version in pins.items())


def main() -> int:
    """Write the file."""
    OUT.write_text(render(closure()), encoding="utf-8")
    print(f"{OUT}: {len(re.findall('==', OUT.read_text()))} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
