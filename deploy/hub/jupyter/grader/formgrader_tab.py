"""Open the formgrader as a page of its own, never inside a frame (server extension).

nbgrader's course list links to ``<service>/lab?formgrader=true``, which opens JupyterLab and
then the formgrader inside a frame -- a blank panel under JupyterHub 4.1 and later, whose pages
may not be framed (``frame-ancestors 'none'``). This extension answers that address with a
redirect to ``<service>/formgrader``, the same formgrader as a top-level page. Nothing about the
security headers changes.
"""

from urllib.parse import parse_qs

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.routing import PathMatches, Rule


class FormgraderTab(JupyterHandler):
    """Redirect ``/lab?formgrader=true`` to ``/formgrader``."""

    @web.authenticated
    def get(self, *args) -> None:
        """Send the browser to the formgrader page."""
        self.redirect(url_path_join(self.base_url, "formgrader"))


class FormgraderQuery(PathMatches):
    """Matches ``/lab`` when its query asks for the formgrader.

    Other addresses go on to JupyterLab's own handlers.
    """

    def match(self, request):
        """The path's match when the query has ``formgrader=true``, else ``None``."""
        if parse_qs(request.query).get("formgrader") != ["true"]:
            return None
        return super().match(request)


def _jupyter_server_extension_points():
    return [{"module": "formgrader_tab"}]


def _load_jupyter_server_extension(server_app) -> None:
    web_app = server_app.web_app
    pattern = url_path_join(web_app.settings["base_url"], "lab") + "/?$"
    web_app.default_router.rules.insert(0, Rule(FormgraderQuery(pattern), FormgraderTab))
