"""Sphinx configuration of the course website (rendered by ``book/build.py``, ``make book``).

MyST-NB reads the lessons (already executed: nothing runs here) and Markdown pages; the Sphinx
Book Theme lays them out; Sphinx's own search index gives full-text search without a server.
The settings (title, hub, repository) come from ``book/site.toml`` through the build script.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

_here = Path(__file__).resolve().parent
_settings = (
    json.loads(os.environ["CITYKIT_BOOK_SETTINGS"])
    if os.environ.get("CITYKIT_BOOK_SETTINGS")
    else tomllib.loads((_here / "site.toml").read_text(encoding="utf-8"))
)

project = _settings["title"]
author = "City Analyst Academy"
copyright = "City Analyst Academy contributors; code MIT, sample data CC0"
language = "en"

extensions = ["myst_nb"]
# The lessons write dollar amounts ($138,000): no dollar math.
myst_enable_extensions = ["deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # the build script executed the lessons with papermill
nb_merge_streams = True
exclude_patterns = ["_notebooks/**", "_files/**", "_extra/**", "**.ipynb_checkpoints"]
suppress_warnings = ["myst.header"]  # notebooks' own headings are checked by the site tests

html_theme = "sphinx_book_theme"
html_title = project
templates_path = [str(_here / "templates")]
html_static_path = [str(_here / "static")]
html_css_files = ["course.css"]
html_copy_source = False  # the notebooks are offered for download from each page
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": _settings.get("repository_url", ""),
    "repository_branch": _settings["branch"],
    # no repository known (no setting, no git remote): no button rather than an invented address
    "use_repository_button": bool(_settings.get("repository_url")),
    "use_download_button": True,  # the page as PDF (the browser's print)
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}


def _extra_files(app, config) -> None:
    """Copy the staged ``_extra`` folder (build-info.json) to the site's root."""
    config.html_extra_path = [str(Path(app.srcdir) / "_extra")]


_TOGGLE = re.compile(
    r'(<a class="[^"]*reference internal[^"]*" href="[^"]*">(.*?)</a><details[^>]*>)<summary>', re.S
)


def _name_toggles(html: str) -> str:
    """Give each expand/collapse toggle of the navigation a name ("Pages of 00 · Foundations").

    The theme draws it as a bare chevron, which a screen reader announces as nothing.
    """

    def name(match: re.Match) -> str:
        label = re.sub(r"<[^>]+>", "", match.group(2)).strip().replace('"', "&quot;")
        return f'{match.group(1)}<summary aria-label="Pages of {label}">'

    return _TOGGLE.sub(name, html)


def _accessible_navigation(app, pagename, templatename, context, doctree) -> None:
    make_toctree = context.get("generate_toctree_html")
    if make_toctree is None:
        return
    context["generate_toctree_html"] = lambda *args, **kwargs: _name_toggles(
        str(make_toctree(*args, **kwargs))
    )


def setup(app):
    """Sphinx extension hook: extra files, and names for the navigation's toggles.

    The toggles are named after the theme has set up its own page context (priority 900).
    """
    app.connect("config-inited", _extra_files)
    app.connect("html-page-context", _accessible_navigation, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
