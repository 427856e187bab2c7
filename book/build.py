"""Build the course website: ``make book`` (or ``python book/build.py``).

The site is made from the repository as it is, in three steps:

1. **Execute the lessons** with papermill (:func:`citykit.course.run`) into ``build/book/lessons``.
   An executed copy is reused only while its lesson, the toolkit and the sample city are unchanged
   (a digest of all three is kept next to it), so the site never shows numbers from an older
   lesson or an older toolkit.
2. **Stage the pages** in ``build/book/src``: the home page and the module map from README.md, one
   page per module, every executed lesson, every assignment (the learners' copy from
   ``exercises/``, never the solution), the Markdown pages of ``curriculum/`` (glossary, Excel
   bridge, whatever is there), README's guides for learners and instructors, and ``docs/``. Each
   lesson and assignment gets a box of links: download the notebook, open it on your JupyterHub
   (an nbgitpuller link) and, for a lesson, its module's assignment. A Markdown page inside a
   module's folder is a handout (the pre-analysis plan form): it gets a link to download it. A
   folder of pages beside the modules (the instructor notes) is a section of the site, its
   README.md the section's first page. Every figure gets its caption as alt text; an interactive
   explorer, which needs a running notebook, is shown as its first picture with a note.
3. **Render** with Sphinx, MyST-NB and the Sphinx Book Theme (the engine of Jupyter Book 1) into
   ``build/book/html``: a static site with full-text search that works offline.

What the build could not do is never skipped quietly: a chart without a caption, a README section
the guides need, or a lesson that fails stops the build with a message naming it; what it
replaced (explorers) and counted (pages, figures) is printed and written to ``build-info.json``.

Examples
--------
``python book/build.py --hub-url https://hub.mycity.gov`` builds the site with links to that hub.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

__all__ = [
    "Settings",
    "BuildError",
    "Summary",
    "load_settings",
    "nbgitpuller_url",
    "caption_text",
    "inputs_digest",
    "sources_digest",
    "is_current",
    "execute_lessons",
    "prepare_lesson",
    "prepare_exercise",
    "rewrite_links",
    "stage",
    "render",
    "build",
    "main",
]

ROOT = Path(__file__).resolve().parents[1]
BOOK = Path(__file__).resolve().parent
OUT = ROOT / "build" / "book"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CAPTION = re.compile(r"\A\*(Figure \d+.*?)\*(?=\n\s*\n|\s*\Z)", re.S)
LINK = re.compile(r"(!?\[[^\]]*\])\(([^)\s]+)((?:\s+\"[^\"]*\")?)\)")
#: Code (fenced blocks, inline spans) in Markdown: links shown as code are left as they are.
CODE = re.compile(r"(^(`{3,}|~{3,}).*?^\2|`[^`\n]+`)", re.S | re.M)

#: README sections the guides are made of: (page, page title, [(README heading, new heading)]).
GUIDES = [
    (
        "guides/learners.md",
        "Guide for learners",
        [
            ("Quick start", "Set up the course on your computer"),
            ("For learners", "Working through the course"),
            (
                "Running a lesson on your own city's data",
                "Running a lesson on your own city's data",
            ),
        ],
    ),
    (
        "guides/instructors.md",
        "Guide for instructors",
        [
            ("For instructors", "Running a cohort"),
            ("Adding a module (course authors)", "Adding a module"),
            ("Repository layout", "Repository layout"),
        ],
    ),
]


class BuildError(RuntimeError):
    """Something in the repository keeps the site from being built; the message says what."""


@dataclass(frozen=True)
class Settings:
    """Where the site's links point (book/site.toml, or the command line).

    ``repository_url`` is empty when no repository is known (no setting and no git remote): the
    site then links to no repository and offers no hub link, rather than an invented address.
    """

    title: str
    hub_url: str
    repository_url: str
    branch: str

    @property
    def repository_name(self) -> str:
        """The folder a clone of the repository gets (what nbgitpuller creates on the hub)."""
        name = urlsplit(self.repository_url).path.rstrip("/").rsplit("/", 1)[-1]
        return name.removesuffix(".git")

    def source_url(self, path: str) -> str | None:
        """The address of ``path`` (a file or folder of the repository) on its web host, if any."""
        if not self.repository_url:
            return None
        return f"{self.repository_url.removesuffix('.git')}/tree/{self.branch}/{path}"


@dataclass
class Summary:
    """What one build did: counted, so that nothing is dropped without a word."""

    lessons_executed: list[str] = field(default_factory=list)
    lessons_reused: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    figures: int = 0
    figures_with_alt_text: int = 0
    explorers_replaced: list[str] = field(default_factory=list)
    explorers_without_picture: list[str] = field(default_factory=list)
    links_to_repository: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"Lessons: {len(self.lessons_executed)} executed, {len(self.lessons_reused)} reused "
            "(unchanged since their last run)",
            f"Pages: {len(self.pages)}",
            f"Figures: {self.figures}, {self.figures_with_alt_text} with alt text from captions",
            f"Interactive explorers shown as their first view: {len(self.explorers_replaced)}"
            + (
                f" ({len(self.explorers_without_picture)} had nothing to show: "
                f"{', '.join(self.explorers_without_picture)})"
                if self.explorers_without_picture
                else ""
            ),
            f"Links to files not on the site (sent to the repository): "
            f"{len(self.links_to_repository)}",
            f"Pages to download as files: {len(self.downloads)}"
            + (f" ({', '.join(self.downloads)})" if self.downloads else ""),
            f"Links: hub {self.settings.get('hub_url')}, repository "
            + (
                f"{self.settings.get('repository_url')} ({self.settings.get('branch')})"
                if self.settings.get("repository_url")
                else "none (no repository_url in book/site.toml and no git remote 'origin': "
                "no hub links, no links to the repository)"
            ),
        ]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Settings and links


def repository_from_git(folder: Path = ROOT) -> str | None:
    """The web address of the git remote ``origin`` of ``folder``, or None when it has none.

    An SSH remote (``git@host:org/course.git``) becomes its https address, which a hub can pull.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     repository_from_git(Path(tmp)) is None
    True
    """
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return _web_address(done.stdout.strip()) if done.returncode == 0 else None


def _web_address(remote: str) -> str | None:
    """An https address for a git remote, or None for one a hub could not pull (a local path).

    Examples
    --------
    >>> _web_address("git@git.mycity.gov:analytics/academy.git")
    'https://git.mycity.gov/analytics/academy.git'
    >>> _web_address("ssh://git@git.mycity.gov/analytics/academy.git")
    'https://git.mycity.gov/analytics/academy.git'
    >>> _web_address("https://user:token@git.mycity.gov/analytics/academy.git")
    'https://git.mycity.gov/analytics/academy.git'
    >>> _web_address("/srv/git/academy.git") is None
    True
    """
    scp = re.match(r"^[\w.-]+@([\w.-]+):(?!/)(.+)$", remote)
    if scp:
        return f"https://{scp.group(1)}/{scp.group(2)}"
    parts = urlsplit(remote)
    if parts.scheme in ("http", "https", "ssh", "git") and parts.hostname:
        port = f":{parts.port}" if parts.port and parts.scheme in ("http", "https") else ""
        return f"https://{parts.hostname}{port}{parts.path}"
    return None


def load_settings(
    path: Path = BOOK / "site.toml", *, root: Path = ROOT, **overrides: str | None
) -> Settings:
    """Read the site's settings from ``path``; keyword arguments that are not None win.

    Without a ``repository_url`` (in the file or given), it is the git remote ``origin`` of
    ``root``; without one either, it is empty and the site links to no repository.

    Examples
    --------
    >>> load_settings(hub_url="https://hub.example.org").hub_url
    'https://hub.example.org'
    """
    values = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {"title", "hub_url", "repository_url", "branch"}
    if not values.get("repository_url"):
        values["repository_url"] = repository_from_git(root) or ""
    unknown = sorted(set(values) - known)
    missing = sorted(known - set(values))
    if unknown or missing:
        raise BuildError(
            f"{path}: settings {unknown or ''} not known, {missing or ''} missing; "
            f"the settings are {sorted(known)}"
        )
    for name in ("hub_url", "repository_url"):
        if values[name] and urlsplit(values[name]).scheme not in ("http", "https"):
            raise BuildError(
                f"{name} must be an http(s) address, found {values[name]!r}; "
                f"set it in {path.name} or with --{name.replace('_', '-')}"
            )
    values["hub_url"] = values["hub_url"].rstrip("/")
    return Settings(**{k: str(values[k]) for k in sorted(known)})


def nbgitpuller_url(settings: Settings, path: str) -> str:
    """The nbgitpuller link that opens ``path`` (of the repository) in JupyterLab on the hub.

    It follows nbgitpuller's documented form: ``<hub>/hub/user-redirect/git-pull`` with the
    repository, the address to open (``lab/tree/<clone folder>/<path>``) and the branch.

    Examples
    --------
    >>> s = Settings("Course", "https://hub.example.org", "https://git.example.org/city/course",
    ...              "main")
    >>> nbgitpuller_url(s, "curriculum/00-foundations/01-tables-and-filters.ipynb")
    'https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgit.example.org%2Fcity%2Fcourse&urlpath=lab%2Ftree%2Fcourse%2Fcurriculum%2F00-foundations%2F01-tables-and-filters.ipynb&branch=main'
    """
    query = urlencode(
        {
            "repo": settings.repository_url,
            "urlpath": f"lab/tree/{settings.repository_name}/{path}",
            "branch": settings.branch,
        }
    )
    return f"{settings.hub_url}/hub/user-redirect/git-pull?{query}"


def _relative(target: str, page: str) -> str:
    """The link from staged page ``page`` to staged file ``target`` (both relative to the site)."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def rewrite_links(
    text: str,
    *,
    source: str,
    page: str,
    published: dict[str, str],
    settings: Settings,
    outside: list[str] | None = None,
) -> str:
    """Point the relative Markdown links of ``text`` at the site's pages.

    ``text`` was written in repository file ``source`` and is shown as site page ``page``. Links
    to anything the site does not publish go to the repository's web page (and are listed in
    ``outside``). ``published`` maps repository paths (files, and module folders) to site paths.

    Examples
    --------
    >>> s = load_settings()
    >>> rewrite_links("[00](curriculum/00-foundations/)", source="README.md", page="index.md",
    ...               published={"curriculum/00-foundations": "curriculum/00-foundations/index.md"},
    ...               settings=s)
    '[00](curriculum/00-foundations/index.md)'
    """

    def replace(match: re.Match) -> str:
        label, target, title = match.groups()
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, flags=re.I) or target.startswith(("#", "/")):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if resolved in published:
            new = _relative(published[resolved], page)
        else:
            new = settings.source_url(resolved)
            if outside is not None:
                outside.append(f"{source}: {target}")
            if new is None:  # no repository to send the reader to: the text, without a link
                return label.lstrip("!").removeprefix("[").removesuffix("]")
        return f"{label}({new}{'#' + anchor if anchor else ''}{title})"

    parts = CODE.split(text)
    # CODE has two groups: split() gives text, code, fence, text, code, fence, ...
    out = []
    for i in range(0, len(parts), 3):
        out.append(LINK.sub(replace, parts[i]))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Executing the lessons (once, and again only when something they depend on changed)


def _digest(root: Path, paths) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(Path(path).relative_to(root).as_posix().encode())
        sha.update(b"\0")
        sha.update(Path(path).read_bytes())
    return sha.hexdigest()


def _environment() -> bytes:
    """The installed packages and their versions (pandas, matplotlib, ...), one per line."""
    from importlib import metadata

    names = {f"{d.metadata['Name']}=={d.version}".lower() for d in metadata.distributions()}
    return "\n".join(sorted(names)).encode()


def inputs_digest(root: Path = ROOT) -> str:
    """A digest of what the lessons' outputs depend on besides the lessons themselves.

    That is citykit, the sample city and the installed packages (a new pandas may print a table
    differently).
    """
    files = [
        p
        for folder in (root / "toolkit" / "citykit", root / "datasets")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    ]
    return hashlib.sha256(_digest(root, files).encode() + _environment()).hexdigest()


def sources_digest(root: Path = ROOT) -> str:
    """A digest of what the site's pages are made of besides the lessons' outputs."""
    files = [root / "README.md"]
    for folder, pattern in (
        ("curriculum", "**/*.md"),
        ("curriculum", "*/*.ipynb"),
        ("exercises", "*/*.ipynb"),
        ("docs", "*.md"),
        ("book", "*.py"),
        ("book", "*.toml"),
        ("book", "static/*"),
        ("book", "templates/*"),
    ):
        files += sorted(
            p
            for p in (root / folder).glob(pattern)
            if p.is_file() and ".ipynb_checkpoints" not in p.parts
        )
    return _digest(root, files)


def is_current(root: Path = ROOT, html: Path = OUT / "html") -> tuple[bool, str]:
    """Whether the site in ``html`` was built from the repository as it is now (and if not, why)."""
    path = html / "build-info.json"
    if not path.is_file():
        return False, f"no site in {html}"
    info = json.loads(path.read_text(encoding="utf-8"))
    inputs = inputs_digest(root)
    lessons = {
        p.relative_to(root).as_posix(): _lesson_key(root, p, inputs)
        for p in sorted(Path(root, "curriculum").glob("*/*.ipynb"))
    }
    if info.get("lessons") != lessons:
        return False, "the lessons, the toolkit or the sample city changed since the site was built"
    if info.get("sources") != sources_digest(root):
        return False, "pages, assignments or the book's settings changed since the site was built"
    return True, "built from the repository as it is"


def _lesson_key(root: Path, lesson: Path, inputs: str) -> str:
    return hashlib.sha256(lesson.read_bytes() + inputs.encode()).hexdigest()


def execute_lessons(
    root: Path = ROOT, out: Path = OUT / "lessons", *, summary: Summary | None = None
) -> dict[str, Path]:
    """Execute every lesson whose executed copy in ``out`` is missing or stale.

    Returns the executed copies by lesson path (relative to ``root``). A failing lesson raises
    :class:`BuildError` with papermill's account of the failing cell (the lessons that ran are
    kept, and not run again next time).
    """
    from citykit import course

    summary = summary if summary is not None else Summary()
    stamp_path = out / "stamp.json"
    stamps = json.loads(stamp_path.read_text()) if stamp_path.is_file() else {}
    inputs = inputs_digest(root)
    lessons = course.lessons(root)
    if not lessons:
        raise BuildError("curriculum/ holds no lesson notebooks (curriculum/NN-topic/*.ipynb)")
    executed = {p.relative_to(root).as_posix(): out / p.parent.name / p.name for p in lessons}
    stale = [
        rel
        for rel, path in executed.items()
        if stamps.get(rel) != _lesson_key(root, root / rel, inputs) or not path.is_file()
    ]
    if stale:
        print(f"Executing {len(stale)} lessons with papermill (about 10 s each)...", flush=True)
        for rel in stale:
            stamps.pop(rel, None)
        report = course.run(root, out=out, only=stale, workers=2, progress=False)
        failed = {p.notebook for p in report.problems}
        for rel in stale:
            if rel not in failed:
                stamps[rel] = _lesson_key(root, root / rel, inputs)
        for removed in set(stamps) - set(executed):  # a lesson no longer in the course
            stamps.pop(removed)
        out.mkdir(parents=True, exist_ok=True)
        stamp_path.write_text(json.dumps(stamps, indent=1, sort_keys=True) + "\n")
        if not report.ok:
            raise BuildError(
                "lessons failed; fix them before building the site:\n"
                + "\n".join(f"  {p.notebook}: {p.message}" for p in report.problems)
            )
    summary.lessons_executed = sorted(stale)
    summary.lessons_reused = sorted(set(executed) - set(stale))
    return executed


# ---------------------------------------------------------------------------------------------
# Preparing notebooks for the site


def caption_text(markdown: str) -> str | None:
    r"""The figure caption that opens a Markdown cell (``*Figure 3. ...*``), as plain text.

    Examples
    --------
    >>> caption_text("*Figure 2. Bars of `n` per district, **sorted**.*\n\nMore text.")
    'Figure 2. Bars of n per district, sorted.'
    >>> caption_text("Some text.") is None
    True
    """
    found = CAPTION.match(markdown.strip())
    if not found:
        return None
    text = found.group(1)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: their words
    text = re.sub(r"[`*_]", "", text)
    return " ".join(text.split())


def _images(outputs: list[dict]) -> list[dict]:
    return [o for o in outputs if "image/png" in o.get("data", {})]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _widget_parts(state: dict, model_id: str, seen: set | None = None) -> tuple[list, list]:
    """The pictures and the HTML texts a widget view shows, in order.

    Pictures are an Output widget's figures and an Image widget's PNG.
    """
    seen = seen if seen is not None else set()
    if model_id in seen or model_id not in state:
        return [], []
    seen.add(model_id)
    model = state[model_id]
    pictures, texts = [], []
    if model.get("model_name") == "OutputModel":
        pictures += [
            o for o in model["state"].get("outputs", []) if "image/png" in o.get("data", {})
        ]
    if model.get("model_name") == "ImageModel" and model["state"].get("format") == "png":
        pictures += [
            {"output_type": "display_data", "metadata": {}, "data": {"image/png": b["data"]}}
            for b in model.get("buffers", [])
            if b.get("path") == ["value"] and b.get("encoding") == "base64"
        ]
    if model.get("model_name") == "HTMLModel" and model["state"].get("value", "").strip():
        texts.append(model["state"]["value"])
    for child in model["state"].get("children", []):
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            more_pictures, more_texts = _widget_parts(state, child[len("IPY_MODEL_") :], seen)
            pictures += more_pictures
            texts += more_texts
    return pictures, texts


EXPLORER_NOTE = (
    "*On this page the explorer above shows its first view only: its controls need a running "
    "notebook. Open the lesson in JupyterLab (links at the top of the page) to use them.*"
)


def _links_box(title: str, items: list[str]) -> dict:
    body = "\n".join(f"- {item}" for item in items)
    source = f"```{{admonition}} {title}\n:class: tip course-links\n\n{body}\n```"
    return {"cell_type": "markdown", "id": "course-links", "metadata": {}, "source": source}


def prepare_lesson(
    executed: dict,
    *,
    rel: str,
    settings: Settings,
    assignment: tuple[str, str] | None,
    published: dict[str, str],
    summary: Summary,
) -> dict:
    """The executed lesson ``rel`` as the site shows it (a new notebook; ``executed`` is kept).

    ``assignment`` is the module's assignment (its path and title), or None.

    Adds the box of links under the title, the caption of every figure as its alt text, and
    replaces each interactive explorer by its first picture with a note. Raises
    :class:`BuildError` for a figure without a caption.
    """
    nb = copy.deepcopy(executed)
    state = nb.get("metadata", {}).pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    nb.get("metadata", {}).pop("papermill", None)
    cells = nb["cells"]
    for i, cell in enumerate(cells):
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
        if cell["cell_type"] == "markdown":
            cell["source"] = rewrite_links(
                _source(cell),
                source=rel,
                page=rel,
                published=published,
                settings=settings,
                outside=summary.links_to_repository,
            )
            continue
        outputs = cell.get("outputs", [])
        views = [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
        if views:
            new_outputs = []
            for output in outputs:
                if WIDGET_VIEW not in output.get("data", {}):
                    new_outputs.append(output)
                    continue
                pictures, texts = _widget_parts(state, output["data"][WIDGET_VIEW]["model_id"])
                new_outputs += [copy.deepcopy(p) for p in pictures]
                new_outputs += [
                    {"output_type": "display_data", "metadata": {}, "data": {"text/html": t}}
                    for t in texts
                ]
                new_outputs.append(
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/markdown": EXPLORER_NOTE},
                    }
                )
                summary.explorers_replaced.append(f"{rel} cell {i}")
                if not pictures and not texts:
                    summary.explorers_without_picture.append(f"{rel} cell {i}")
            cell["outputs"] = outputs = new_outputs
        pictures = _images(outputs)
        if not pictures:
            continue
        following = cells[i + 1] if i + 1 < len(cells) else {"cell_type": "code"}
        caption = caption_text(_source(following)) if following["cell_type"] == "markdown" else None
        summary.figures += len(pictures)
        if caption is None:
            raise BuildError(
                f"{rel}, code cell {i}: it draws a figure, but the cell after it does not open "
                "with a caption (*Figure N. what the chart shows*); the caption is the figure's "
                "alt text on the website"
            )
        cell.setdefault("metadata", {}).setdefault("mystnb", {})["image"] = {"alt": caption}
        summary.figures_with_alt_text += len(pictures)
    items = [
        f"{{download}}`Download the notebook <{_relative('_notebooks/' + rel, rel)}>` "
        "(without outputs), to run in your own JupyterLab",
    ]
    if settings.repository_url:  # the hub pulls the course from its repository
        items.append(
            f"[Open this lesson on your JupyterHub]({nbgitpuller_url(settings, rel)}) "
            f"({urlsplit(settings.hub_url).netloc}): the hub copies the course into your home "
            "folder, or updates your copy, and opens the lesson"
        )
    if assignment:
        path, title = assignment
        items.append(
            f"The module's graded assignment: [{title}]({_relative(published[path], rel)})"
        )
    cells.insert(1, _links_box("Work on this lesson", items))
    return nb


def prepare_exercise(
    notebook: dict, *, rel: str, module: str, settings: Settings, published: dict[str, str]
) -> dict:
    """The learner's copy of an assignment as the site shows it (not executed), with its links."""
    nb = copy.deepcopy(notebook)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = rewrite_links(
                _source(cell), source=rel, page=rel, published=published, settings=settings
            )
    module_page = published[f"curriculum/{module}"]
    hub = (
        [
            f"[Open this assignment on your JupyterHub]({nbgitpuller_url(settings, rel)}) "
            f"({urlsplit(settings.hub_url).netloc}); if your instructor releases assignments "
            "with nbgrader, fetch it from the *Assignments* tab instead"
        ]
        if settings.repository_url
        else []
    )
    items = [
        f"{{download}}`Download the assignment <{_relative('_notebooks/' + rel, rel)}>`, to "
        "work on it in your own JupyterLab",
        *hub,
        f"The lessons it builds on: [the module page]({_relative(module_page, rel)}); how to "
        f"answer, check and submit: [Guide for learners]({_relative('guides/learners.md', rel)})",
    ]
    nb["cells"].insert(1, _links_box("Work on this assignment", items))
    return nb


def _title(notebook: dict) -> str:
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise BuildError("a notebook has no title (a Markdown cell with a '# ' heading)")


# ---------------------------------------------------------------------------------------------
# README: the home page, the module map and the guides


def _sections(markdown: str) -> tuple[str, dict[str, str]]:
    """README's text before its first ``## `` heading, and each ``## `` section by heading."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.M)
    return parts[0], {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts), 2)}


def _module_rows(module_map: str) -> dict[str, list[str]]:
    """README's module map table: the cells of each row, by module folder."""
    rows = {}
    for line in module_map.splitlines():
        found = re.match(r"\|\s*\[[^\]]+\]\(curriculum/([^/)]+)/?\)", line)
        if found:
            rows[found.group(1)] = [c.strip() for c in line.strip().strip("|").split("|")]
    return rows


def _read(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_notebook(path: Path, nb: dict) -> None:
    _write(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def _toctree(caption: str, entries: list[str], *, page: str, hidden: bool = True) -> str:
    lines = ["```{toctree}", f":caption: {caption}", ":maxdepth: 1"]
    if hidden:
        lines.append(":hidden:")
    lines.append("")
    lines += [
        _relative(entry, page).removesuffix(".md").removesuffix(".ipynb") for entry in entries
    ]
    lines.append("```")
    return "\n".join(lines)


def stage(
    root: Path,
    src: Path,
    executed: dict[str, Path],
    settings: Settings,
    summary: Summary,
) -> None:
    """Write the site's source pages into ``src`` (emptied first)."""
    from citykit import course

    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    lessons = [p.relative_to(root).as_posix() for p in course.lessons(root)]
    modules = sorted({rel.split("/")[1] for rel in lessons})
    exercises = {
        module: sorted(
            p.relative_to(root).as_posix() for p in (root / "exercises" / module).glob("*.ipynb")
        )
        for module in modules
    }
    markdown_pages = sorted(
        p.relative_to(root).as_posix() for p in (root / "curriculum").rglob("*.md")
    )
    reference = [rel for rel in markdown_pages if rel.count("/") == 1]
    beside = _sections_beside_modules(markdown_pages, modules)
    docs = sorted(p.relative_to(root).as_posix() for p in (root / "docs").glob("*.md"))

    # Every repository path the site publishes, and where.
    published = {"README.md": "index.md"}
    published.update({rel: rel for rel in lessons + markdown_pages + docs})
    for module in modules:
        published[f"curriculum/{module}"] = f"curriculum/{module}/index.md"
        published[f"exercises/{module}"] = f"curriculum/{module}/index.md"
        published.update({rel: rel for rel in exercises[module]})
    for folder, (first, _) in beside.items():
        published[f"curriculum/{folder}"] = first

    # Home page, module map and guides, from README.md.
    readme = (root / "README.md").read_text(encoding="utf-8")
    intro, sections = _sections(readme)
    needed = ["Module map"] + [heading for _, _, parts in GUIDES for heading, _ in parts]
    missing = [heading for heading in needed if heading not in sections]
    if missing:
        raise BuildError(
            f"README.md has no section {missing} (a '## ' heading); the site's home page and "
            "guides are made of them: restore the heading or update GUIDES in book/build.py"
        )
    rows = _module_rows(sections["Module map"])

    def links(text: str, source: str, page: str) -> str:
        return rewrite_links(
            text,
            source=source,
            page=page,
            published=published,
            settings=settings,
            outside=summary.links_to_repository,
        )

    guides = [page for page, _, _ in GUIDES]
    home = [
        links(intro.strip(), "README.md", "index.md"),
        "## Module map",
        links(sections["Module map"], "README.md", "index.md"),
        "## Read more",
        "\n".join(
            [
                f"- [{title}]({page}): " + ", ".join(new for _, new in parts).lower()
                for page, title, parts in GUIDES
            ]
            + [
                f"- [{_md_title(root / rel)}]({rel})"
                for rel in reference + [first for first, _ in beside.values()] + docs
            ]
        ),
        f"The course's notebooks and toolkit are in its [repository]({settings.repository_url})."
        if settings.repository_url
        else "",
        _toctree("Modules", [published[f"curriculum/{m}"] for m in modules], page="index.md"),
        _toctree("Reference", reference, page="index.md") if reference else "",
        _toctree(
            "Guides",
            guides + [first for first, _ in beside.values()] + docs,
            page="index.md",
        ),
    ]
    _write(src / "index.md", "\n\n".join(part for part in home if part) + "\n")
    summary.pages.append("index.md")

    for page, title, parts in GUIDES:
        body = [f"# {title}"]
        if page == "guides/learners.md":
            body.append(
                f"You can read every lesson on this site. To run them, get the course's "
                f"[repository]({settings.repository_url}) (`git clone {settings.repository_url}`), "
                "or open a lesson on your JupyterHub with the link at the top of its page."
                if settings.repository_url
                else "You can read every lesson on this site. To run one, download its notebook "
                "with the link at the top of its page, or ask your instructor for the course's "
                "repository."
            )
        for heading, new in parts:
            body += [f"## {new}", links(sections[heading], "README.md", page)]
        _write(src / page, "\n\n".join(body) + "\n")
        summary.pages.append(page)

    handouts = [rel for rel in markdown_pages if rel.split("/")[1] in modules]
    for rel in markdown_pages + docs:
        text = links((root / rel).read_text(encoding="utf-8"), rel, rel)
        if rel in handouts:
            text = _with_download(text, rel=rel, root=root, src=src)
            summary.downloads.append(rel)
        for first, others in beside.values():
            if rel == first:
                title = _md_title(root / rel)
                text = text.rstrip("\n") + "\n\n" + _toctree(title, others, page=rel) + "\n"
        _write(src / rel, text)
        summary.pages.append(rel)

    # Module pages, lessons and assignments.
    for module in modules:
        page = published[f"curriculum/{module}"]
        row = rows.get(module)
        name = re.sub(r"\[([^\]]+)\].*", r"\1", row[0]) if row else module
        module_lessons = [rel for rel in lessons if rel.split("/")[1] == module]
        module_pages = [rel for rel in markdown_pages if rel.startswith(f"curriculum/{module}/")]
        assignment = exercises[module][0] if exercises[module] else None
        body = [f"# {name}"]
        if row and len(row) >= 5:
            body.append(f"**What you learn:** {row[1]}.")
            body.append(f"**Time:** about {row[4]}.")
        body.append("## Lessons")
        body.append(
            "\n".join(
                f"{i}. [{_title(json.loads(executed[rel].read_text(encoding='utf-8')))}]"
                f"({_relative(rel, page)})"
                for i, rel in enumerate(module_lessons, start=1)
            )
        )
        if assignment:
            body.append("## Graded assignment")
            described = f" ({row[3]})" if row and len(row) >= 4 else ""
            body.append(
                f"[{_title(json.loads((root / assignment).read_text(encoding='utf-8')))}]"
                f"({_relative(assignment, page)}){described}"
            )
        if module_pages:
            body.append("## More in this module")
            body.append(
                "\n".join(f"- [{_md_title(root / r)}]({_relative(r, page)})" for r in module_pages)
            )
        body.append(_toctree(name, module_lessons + exercises[module] + module_pages, page=page))
        _write(src / page, "\n\n".join(body) + "\n")
        summary.pages.append(page)

        for rel in module_lessons:
            nb = json.loads(executed[rel].read_text(encoding="utf-8"))
            prepared = prepare_lesson(
                nb,
                rel=rel,
                settings=settings,
                assignment=(assignment, _title(_read(root / assignment))) if assignment else None,
                published=published,
                summary=summary,
            )
            _write_notebook(src / rel, prepared)
            summary.pages.append(rel)
        for rel in exercises[module]:
            nb = json.loads((root / rel).read_text(encoding="utf-8"))
            _write_notebook(
                src / rel,
                prepare_exercise(
                    nb, rel=rel, module=module, settings=settings, published=published
                ),
            )
            summary.pages.append(rel)

    # The notebooks to download: the repository's own copies (no outputs).
    for rel in lessons + [r for m in modules for r in exercises[m]]:
        target = src / "_notebooks" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, target)

    # What the site was built from, for anyone (and the tests) to check it is current.
    inputs = inputs_digest(root)
    info = {
        "settings": asdict(settings),
        "inputs": inputs,
        "sources": sources_digest(root),
        "lessons": {rel: _lesson_key(root, root / rel, inputs) for rel in lessons},
        "pages": summary.pages,
        "figures": summary.figures,
        "figures_with_alt_text": summary.figures_with_alt_text,
        "explorers_replaced": summary.explorers_replaced,
        "explorers_without_picture": summary.explorers_without_picture,
        "links_to_repository": summary.links_to_repository,
        "downloads": summary.downloads,
    }
    _write(src / "_extra" / "build-info.json", json.dumps(info, indent=1) + "\n")


def _sections_beside_modules(
    markdown_pages: list[str], modules: list[str]
) -> dict[str, tuple[str, list[str]]]:
    """Folders of ``curriculum/`` with pages but no lessons (the instructor notes), by folder.

    Each gives its first page (its README.md) and its other pages.
    """
    folders: dict[str, list[str]] = {}
    for rel in markdown_pages:
        parts = rel.split("/")
        if len(parts) == 3 and parts[1] not in modules:
            folders.setdefault(parts[1], []).append(rel)
        elif len(parts) > 3:
            raise BuildError(
                f"{rel} is too deep for the site: put Markdown pages in curriculum/, in a module's "
                "folder, or in a folder beside the modules (with a README.md), not below them"
            )
    sections = {}
    for folder, pages in sorted(folders.items()):
        first = f"curriculum/{folder}/README.md"
        if first not in pages:
            raise BuildError(
                f"curriculum/{folder}/ holds pages ({', '.join(p.rsplit('/', 1)[1] for p in pages)}) "
                "but no README.md: add one that introduces them, the section's first page on the site"
            )
        sections[folder] = (first, [p for p in pages if p != first])
    return sections


def _with_download(text: str, *, rel: str, root: Path, src: Path) -> str:
    """A handout's page with a box, under its title, linking to the file itself to download."""
    target = src / "_files" / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / rel, target)
    name = rel.rsplit("/", 1)[1]
    box = (
        "```{admonition} Take this page with you\n:class: tip course-links\n\n"
        f"- {{download}}`Download {name} <{_relative('_files/' + rel, rel)}>`: the page as a "
        "Markdown file, to fill in with any text editor\n"
        "- or print this page: the download button at the top of the page makes a PDF\n```"
    )
    lines = text.split("\n")
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    if title is None:
        raise BuildError(f"{rel} has no title (a first-level '# ' heading)")
    return "\n".join(lines[: title + 1] + ["", box] + lines[title + 1 :])


def _md_title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise BuildError(f"{path.name} has no title (a first-level '# ' heading)")


# ---------------------------------------------------------------------------------------------
# Rendering


def render(src: Path, html: Path, settings: Settings) -> None:
    """Render the staged pages with Sphinx into ``html``; any Sphinx warning fails the build."""
    env = dict(os.environ)
    env["CITYKIT_BOOK_SETTINGS"] = json.dumps(asdict(settings))
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    if html.exists():
        shutil.rmtree(html)
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-c",
        str(BOOK),
        "-d",
        str(html.parent / "doctrees"),
        "-W",
        "--keep-going",
        "-q",
        "-j",
        "2",
        str(src),
        str(html),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildError(f"Sphinx could not build the site:\n{done.stderr[-6000:]}")


def build(root: Path = ROOT, out: Path = OUT, *, settings: Settings | None = None) -> Summary:
    """Execute what is stale, stage the pages and render the site into ``out/html``."""
    settings = settings or load_settings()
    summary = Summary(settings=asdict(settings))
    executed = execute_lessons(root, out / "lessons", summary=summary)
    stage(root, out / "src", executed, settings, summary)
    render(out / "src", out / "html", settings)
    return summary


def main(argv: list[str] | None = None) -> int:
    """Command line of ``make book``."""
    parser = argparse.ArgumentParser(description="Build the course website into build/book/html.")
    parser.add_argument("--hub-url", help="your JupyterHub's address (default: book/site.toml)")
    parser.add_argument("--repository-url", help="the course's git repository, as the hub pulls it")
    parser.add_argument("--branch", help="the branch the hub pulls")
    parser.add_argument("--title", help="the site's title")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(
            hub_url=args.hub_url,
            repository_url=args.repository_url,
            branch=args.branch,
            title=args.title,
        )
        summary = build(settings=settings)
    except BuildError as exc:
        print(f"The site was not built: {exc}", file=sys.stderr)
        return 1
    print(summary)
    print(f"Site: {OUT / 'html' / 'index.html'} (open it in a browser; search works offline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
