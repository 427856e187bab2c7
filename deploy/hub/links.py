r"""nbgitpuller links: one click puts the course in a learner's home and opens a page of it.

A link sends the learner to their own server on the hub, which pulls the course's git repository
into ``~/<folder>`` (the first time a clone, later a merge that never overwrites the learner's
changes) and opens ``README.md`` (rendered) or a lesson. Paste the links in the LMS or an email::

    python deploy/hub/links.py --hub https://hub.example.org \
        --repo https://github.com/example/city-analyst-academy

prints the link to the course and one to the first lesson of each module.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["pull_link", "course_links", "main"]


def pull_link(hub: str, repo: str, *, path: str = "README.md", branch: str = "main",
              folder: str = "city-analyst-academy") -> str:  # fmt: skip
    """The nbgitpuller link that pulls ``repo`` into ``~/<folder>`` and opens ``path`` in it.

    Examples
    --------
    >>> pull_link("https://hub.example.org", "https://git.example.org/course.git")
    'https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgit.example.org%2Fcourse.git&branch=main&targetpath=city-analyst-academy&urlpath=lab%2Ftree%2Fcity-analyst-academy%2FREADME.md'
    """
    query = urllib.parse.urlencode(
        {
            "repo": repo,
            "branch": branch,
            "targetpath": folder,
            "urlpath": f"lab/tree/{folder}/{path}",
        }
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def course_links(hub: str, repo: str, *, branch: str = "main",
                 folder: str = "city-analyst-academy") -> dict[str, str]:  # fmt: skip
    """The course's README and the first lesson of every module, each with its link."""
    links = {"README.md": pull_link(hub, repo, branch=branch, folder=folder)}
    for module in sorted((ROOT / "curriculum").iterdir()):
        lessons = sorted(module.glob("*.ipynb"))
        if module.is_dir() and lessons:
            path = lessons[0].relative_to(ROOT).as_posix()
            links[path] = pull_link(hub, repo, path=path, branch=branch, folder=folder)
    return links


def main(argv: list[str] | None = None) -> int:
    """Print the links (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hub", required=True, help="the hub's address, https://...")
    parser.add_argument("--repo", required=True, help="the course's git repository (https)")
    parser.add_argument("--branch", default="main")
    args = parser.parse_args(argv)
    for path, link in course_links(args.hub, args.repo, branch=args.branch).items():
        print(f"{path}\n  {link}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
