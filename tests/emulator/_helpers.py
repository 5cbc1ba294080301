"""Shared helpers for the emulator tests: JWKS-verified token decoding, raw token requests, HTML forms."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any, Mapping

import jwt

GRAPH = "https://graph.microsoft.com/.default"
ARM = "https://management.azure.com/.default"
PARTNER_CENTER = "https://api.partnercenter.microsoft.com/user_impersonation"


def verify_token(emulator: Any, token: str, audience: str | None = None) -> dict[str, Any]:
    """Claims of an access token, its RS256 signature checked against the published JWKS."""
    jwks = emulator.http().get(f"{emulator.authority()}/discovery/v2.0/keys").json()
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
    # Times follow the emulator clock, which tests move forward; the signature and audience are what
    # matter here (EmulatorState.validate_access_token checks times against the emulator clock).
    options = {"verify_aud": audience is not None, "verify_iat": False, "verify_nbf": False, "verify_exp": False}
    return jwt.decode(token, public_key, algorithms=["RS256"], audience=audience, options=options)


def unverified(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def post_token(emulator: Any, data: Mapping[str, str], tenant: str | None = None, **kwargs: Any) -> Any:
    """A raw token request with a session that never retries."""
    return emulator.no_retry_http().post(emulator.token_url(tenant), data=dict(data), **kwargs)


def aadsts(result: Mapping[str, Any]) -> int:
    """The first AADSTS code of an error response (msal returns the JSON body as a dict)."""
    codes = result.get("error_codes") or []
    assert codes, f"no error_codes in {result}"
    return codes[0]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.ids: dict[str, dict[str, str]] = {}
        self._in_error = False
        self.error_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if "id" in attributes:
            self.ids[attributes["id"]] = attributes
        if tag == "form":
            self.forms.append({"action": attributes.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and attributes.get("type") == "hidden":
            self.forms[-1]["fields"][attributes["name"]] = attributes.get("value", "")
        if attributes.get("id") == "error":
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.error_text += data


class HtmlPage:
    """A parsed emulator page: its form (action + hidden fields), element ids and #error text."""

    def __init__(self, response: Any) -> None:
        self.response = response
        self.html = response.text
        parser = _FormParser()
        parser.feed(self.html)
        self.forms = parser.forms
        self.ids = parser.ids
        self.error = parser.error_text.strip() or None
        title = re.search(r'<h1 id="title">(.*?)</h1>', self.html)
        self.title = title.group(1) if title else ""

    @property
    def form(self) -> dict[str, Any]:
        assert self.forms, f"no form on the page:\n{self.html}"
        return self.forms[-1]

    def submit(self, session: Any, base: str, **fields: str) -> Any:
        """POST the page's form with its hidden fields plus `fields`; redirects are not followed."""
        data = dict(self.form["fields"], **fields)
        return session.post(base + self.form["action"], data=data, allow_redirects=False)


def query_of(location: str) -> dict[str, str]:
    """The query parameters of a redirect Location as a flat dict (what msal's loopback receives)."""
    from urllib.parse import parse_qs, urlsplit

    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def browser_sign_in(
    emulator: Any,
    auth_uri: str,
    username: str,
    *,
    otp: str | None = None,
    accept: bool = True,
    session: Any = None,
) -> str:
    """Drive the HTML pages like a user: sign-in, second factor when asked, consent. Returns Location."""
    response = browser_sign_in_response(emulator, auth_uri, username, otp=otp, accept=accept, session=session)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def browser_sign_in_response(
    emulator: Any,
    auth_uri: str,
    username: str,
    *,
    otp: str | None = None,
    accept: bool = True,
    session: Any = None,
) -> Any:
    """browser_sign_in's steps; returns the last answer (a redirect, or a response_mode=form_post page)."""
    browser = session or emulator.http()
    base = emulator.authority_host
    page = HtmlPage(browser.get(auth_uri, allow_redirects=False))
    assert {"username", "password", "submit"} <= set(page.ids), page.error or page.html
    response = page.submit(browser, base, username=username, password=emulator.ids.password)
    page = HtmlPage(response)
    if "otp" in page.ids:
        page = HtmlPage(page.submit(browser, base, otp=otp or emulator.totp()))
    assert page.title == "Permissions requested", page.error or page.html
    return page.submit(browser, base, action="accept" if accept else "cancel")


_CERTIFICATE: dict[str, str] = {}


def certificate() -> dict[str, str]:
    """A key and self-signed certificate made at run time: {"private_key", "thumbprint", "certificate"}."""
    if not _CERTIFICATE:
        import datetime
        import hashlib

        from cryptography.hazmat.primitives import serialization

        from bridge.emulator._pki import self_signed

        key, cert = self_signed("sam-bridge test client", not_before=datetime.timedelta(hours=-1),
                                not_after=datetime.timedelta(days=30))
        _CERTIFICATE.update(
            private_key=key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode(),
            certificate=cert.public_bytes(serialization.Encoding.PEM).decode(),
            thumbprint=hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper(),
        )
    return dict(_CERTIFICATE)
