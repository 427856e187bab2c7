"""Sign-in from an LMS: an LTI 1.3 launch, end to end, on the trial hub.

A stand-in platform on 127.0.0.1 plays Canvas's or Moodle's part: it has its own RSA key and
serves its public key set (JWKS); the test performs the platform's side of the launch (the login
initiation, then the signed ``id_token`` posted back with the hub's state and nonce), as an LMS
does through the learner's browser. JupyterHub's LTI 1.3 authenticator checks the signature
against the platform's key set, the issuer, the audience, the nonce and the state.
Not covered: a real LMS's registration screens and claims beyond the LTI 1.3 core.
"""

from __future__ import annotations

import http.cookiejar
import http.server
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from hub_helpers import TrialHub, trial_hub_prerequisites

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "https://lms.example.org"
CLIENT_ID = "city-analyst-academy-tool"
IDLE_TIMEOUT_S = 20  # the idle culler's limit on this hub (a class uses an hour)

pytestmark = [pytest.mark.hub, pytest.mark.slow]


def _key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Platform:
    """The LMS's side: a key pair, its JWKS on loopback, and signed launches."""

    def __init__(self) -> None:
        import jwt

        self.key, self.kid = _key(), uuid.uuid4().hex
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwks = json.dumps({"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]})

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # http.server's name for GET
                body = jwks.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def settings(self) -> dict:
        return {
            "issuer": ISSUER,
            "authorize_url": f"{self.url}/authorize",
            "jwks_endpoint": f"{self.url}/jwks",
            "client_id": [CLIENT_ID],
            "username_key": "custom_username",
        }

    def id_token(self, *, username: str, nonce: str, target: str, key=None) -> str:
        import jwt

        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "sub": uuid.uuid4().hex,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "1",
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": target,
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "module-00"},
            "https://purl.imsglobal.org/spec/lti/claim/roles": [
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
            ],
            "https://purl.imsglobal.org/spec/lti/claim/context": {
                "id": "cohort-7",
                "label": "CAA-7",
            },
            "https://purl.imsglobal.org/spec/lti/claim/custom": {"username": username},
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def launch(hub: TrialHub, platform: Platform, *, username: str, key=None) -> tuple[int, object]:
    """The LMS launch through a browser-like client; return (final status, its cookie jar)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    target = f"{hub.url}/hub/"
    login = urllib.parse.urlencode(
        {"iss": ISSUER, "login_hint": username, "target_link_uri": target,
         "client_id": CLIENT_ID, "lti_message_hint": "module-00"}
    ).encode()  # fmt: skip
    try:
        opener.open(f"{hub.url}/hub/lti13/oauth_login", data=login, timeout=60)
        raise AssertionError("the login initiation did not redirect to the platform")
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, exc.read()[-2000:]
        location = exc.headers["Location"]
    assert location.startswith(platform.url + "/authorize"), location
    request = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
    assert request["client_id"] == CLIENT_ID and request["response_mode"] == "form_post"
    token = platform.id_token(username=username, nonce=request["nonce"], target=target, key=key)
    callback = request["redirect_uri"]
    if callback.startswith("/"):
        callback = hub.url + callback
    form = urllib.parse.urlencode({"id_token": token, "state": request["state"]}).encode()
    try:
        with opener.open(callback, data=form, timeout=60) as response:
            return response.status, jar
    except urllib.error.HTTPError as exc:
        return exc.code, jar


def signed_in_as(hub: TrialHub, jar) -> str | None:
    """The user the hub's home page greets with this cookie jar, or None."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    try:
        with opener.open(f"{hub.url}/hub/api/user", timeout=60) as response:
            return json.loads(response.read())["name"]
    except urllib.error.HTTPError:
        return None


@pytest.fixture(scope="module")
def lti_hub(tmp_path_factory):
    trial_hub_prerequisites(postgres=False)
    platform = Platform()
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    (course / "solutions").mkdir()
    hub = TrialHub(
        learners=1,
        course=course,
        postgres=False,
        lti13=platform.settings(),
        idle_timeout_s=IDLE_TIMEOUT_S,
    )
    try:
        hub.start()
        yield hub, platform
    finally:
        hub.stop()
        platform.server.shutdown()


def test_a_launch_signed_by_the_platform_signs_the_learner_in(lti_hub):
    hub, platform = lti_hub
    status, jar = launch(hub, platform, username=hub.learners[0])
    assert status == 302
    assert signed_in_as(hub, jar) == hub.learners[0]


def test_a_launch_signed_with_another_key_is_refused(lti_hub):
    hub, platform = lti_hub
    status, jar = launch(hub, platform, username=hub.learners[0], key=_key())
    assert status in (400, 401)
    assert signed_in_as(hub, jar) is None


def test_a_launch_for_someone_outside_the_class_is_refused(lti_hub):
    hub, platform = lti_hub
    status, jar = launch(hub, platform, username="mallory")
    assert status == 403
    assert signed_in_as(hub, jar) is None


def test_an_idle_server_is_stopped_by_the_culler(lti_hub):
    """The hub's idle culler stops a server nobody uses (the learner's files stay)."""
    hub, _ = lti_hub
    user = hub.learners[0]
    hub.api("POST", f"/users/{user}/server", timeout=300)
    deadline = time.monotonic() + 300
    while not hub.api("GET", f"/users/{user}")["servers"].get("", {}).get("ready"):
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(1)
    started = time.monotonic()
    while hub.api("GET", f"/users/{user}")["servers"].get(""):
        assert time.monotonic() - started < 20 * IDLE_TIMEOUT_S, "the idle server was not stopped"
        time.sleep(2)
    assert time.monotonic() - started >= IDLE_TIMEOUT_S / 2  # stopped for being idle, not at once
    assert hub.home_of(user).is_dir()
