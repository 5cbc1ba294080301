"""What Microsoft's other libraries send, spoken here with plain HTTP (tests/interop/ runs the libraries):
the short device-code grant name, exp/nbf as strings, response_mode=form_post, client-request-id
outside the headers."""
from __future__ import annotations

import time
import uuid

import jwt

from ._helpers import GRAPH, HtmlPage, browser_sign_in_response, certificate, post_token, verify_token
from .test_auth_code import _flow
from .test_clients import ASSERTION_TYPE


def test_short_device_code_grant_name(emulator):
    app = emulator.public_app()
    flow = app.initiate_device_flow(scopes=[GRAPH])
    emulator.approve_device_code(flow["user_code"], emulator.ids.admin, emulator.ids.password, emulator.totp())
    raw = post_token(emulator, {"grant_type": "device_code", "client_id": emulator.ids.public_app,
                                "device_code": flow["device_code"]})
    assert raw.status_code == 200, raw.text
    assert verify_token(emulator, raw.json()["access_token"])["upn"] == emulator.ids.admin


def test_assertion_times_as_decimal_strings(emulator):
    cert = certificate()
    emulator.add_certificate(emulator.ids.cert_app, cert["certificate"])
    now = int(time.time())
    claims = {"aud": emulator.token_url(emulator.ids.fabrikam), "iss": emulator.ids.cert_app,
              "sub": emulator.ids.cert_app, "jti": str(uuid.uuid4()), "nbf": str(now), "exp": str(now + 600)}
    import base64

    x5t = base64.urlsafe_b64encode(bytes.fromhex(cert["thumbprint"])).decode().rstrip("=")

    def attempt(claims):
        assertion = jwt.encode(claims, cert["private_key"], algorithm="RS256", headers={"x5t": x5t})
        return post_token(emulator, {"grant_type": "client_credentials", "client_id": emulator.ids.cert_app,
                                     "scope": GRAPH, "client_assertion_type": ASSERTION_TYPE,
                                     "client_assertion": assertion}, tenant=emulator.ids.fabrikam)

    assert attempt(claims).status_code == 200
    expired = attempt(dict(claims, exp=str(now - 3600)))
    assert expired.status_code == 401 and expired.json()["error_codes"] == [700027]
    assert attempt(dict(claims, exp="soon")).json()["error_codes"] == [700027]
    assert emulator.requests()[-1]["client_auth"] == "assertion RS256 x5t"


def test_response_mode_form_post(emulator):
    app, flow = _flow(emulator, response_mode="form_post")
    response = browser_sign_in_response(emulator, flow["auth_uri"], emulator.ids.admin)
    assert response.status_code == 200
    page = HtmlPage(response)
    assert page.form["action"] == "http://localhost:8400"
    assert set(page.form["fields"]) == {"code", "client_info", "state", "session_state"}
    result = app.acquire_token_by_auth_code_flow(flow, page.form["fields"])
    assert verify_token(emulator, result["access_token"])["amr"] == ["pwd", "mfa"]


def test_client_request_id_from_query_or_form(emulator):
    base = {"grant_type": "client_credentials", "client_id": emulator.ids.secret_app, "client_secret": "wrong",
            "scope": GRAPH}
    chosen = str(uuid.uuid4())
    in_query = emulator.no_retry_http().post(f"{emulator.token_url(emulator.ids.fabrikam)}?client-request-id={chosen}",
                                             data=base)
    assert in_query.json()["correlation_id"] == chosen
    other = str(uuid.uuid4())
    in_form = post_token(emulator, dict(base, **{"client-request-id": other}), tenant=emulator.ids.fabrikam)
    assert in_form.json()["correlation_id"] == other and f"Correlation ID: {other}" in in_form.json()["error_description"]
