"""Sign-in from Canvas or Moodle: JupyterHub's LTI 1.3 authenticator, set from cohort.toml.

In ``cohort.toml``::

    authenticator = "lti13"

    [lti13]
    issuer = "https://canvas.instructure.com"
    authorize_url = "https://sso.canvaslms.com/api/lti/authorize_redirect"
    jwks_endpoint = "https://sso.canvaslms.com/api/lti/security/jwks"
    client_id = ["10000000000001"]
    username_key = "custom_username"

The LMS must send each person's login name as the custom parameter ``username`` (Canvas:
``username=$Canvas.user.loginId``; Moodle: ``username=$User.username``): it is the Unix account
their server runs as, so it must be one (docs/hub.md, "Sign-in from Canvas or Moodle").
"""

from __future__ import annotations

REQUIRED = ("issuer", "authorize_url", "jwks_endpoint", "client_id")

__all__ = ["configure_lti13"]


def configure_lti13(c, cohort) -> None:
    """Set JupyterHub's configuration ``c`` for LTI 1.3 from ``cohort.lti13``.

    Raises
    ------
    ValueError
        When a required setting is missing, naming it.
    """
    settings = dict(cohort.lti13)
    missing = [key for key in REQUIRED if not settings.get(key)]
    if missing:
        raise ValueError(
            f"authenticator = 'lti13' needs these settings in the [lti13] table of cohort.toml: "
            f"{', '.join(missing)} (your LMS shows them when you register the tool)"
        )
    client_id = settings.pop("client_id")
    c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
    c.LTI13Authenticator.client_id = [client_id] if isinstance(client_id, str) else list(client_id)
    c.LTI13Authenticator.username_key = settings.pop("username_key", "custom_username")
    for key, value in settings.items():
        setattr(c.LTI13Authenticator, key, value)
