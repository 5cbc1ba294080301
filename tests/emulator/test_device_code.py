"""Device-code flow with real msal clients: success, MFA, and every polling error."""
from __future__ import annotations

import threading
import time

import pytest

from bridge.emulator import EmulatorControlError

from ._helpers import GRAPH, PARTNER_CENTER, HtmlPage, aadsts, post_token, verify_token

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def test_public_client_device_code_with_mfa_user(emulator):
    app = emulator.public_app()
    result = emulator.device_code_login(app, [PARTNER_CENTER])

    assert "access_token" in result, result
    claims = verify_token(emulator, result["access_token"], audience="https://api.partnercenter.microsoft.com")
    assert claims["tid"] == emulator.ids.partner
    assert claims["scp"] == "user_impersonation"
    assert claims["amr"] == ["pwd", "mfa"]
    assert claims["upn"] == emulator.ids.admin
    assert claims["appid"] == emulator.ids.public_app
    assert claims["appidacr"] == "0"
    assert result["scope"] == PARTNER_CENTER
    assert result["refresh_token"] and result["id_token_claims"]["tid"] == emulator.ids.partner
    # msal filed the account under the home account id from client_info.
    [account] = app.get_accounts()
    assert account["home_account_id"] == f"{result['id_token_claims']['oid']}.{emulator.ids.partner}"


def test_device_code_response_shape(emulator):
    flow = emulator.public_app().initiate_device_flow(scopes=[GRAPH])
    code = flow["user_code"]
    assert len(code) == 9 and code.isalnum() and code.isupper()
    assert flow["verification_uri"] == f"{emulator.authority_host}/devicelogin"
    assert flow["expires_in"] == 900 and flow["interval"] == 1
    assert flow["message"] == (
        f"To sign in, use a web browser to open the page {emulator.authority_host}/devicelogin "
        f"and enter the code {code} to authenticate."
    )
    [pending] = emulator.device_codes()
    assert pending["user_code"] == code and pending["client_id"] == emulator.ids.public_app
    assert pending["tenant"] == emulator.ids.partner


def test_msal_polls_while_pending_then_succeeds(emulator):
    app = emulator.public_app()
    flow = app.initiate_device_flow(scopes=[GRAPH])
    approver = threading.Timer(
        0.5, emulator.approve_device_code, args=(flow["user_code"], emulator.ids.helpdesk, emulator.ids.password)
    )
    approver.start()
    try:
        result = app.acquire_token_by_device_flow(flow)
    finally:
        approver.join()
    assert result["id_token_claims"]["preferred_username"] == emulator.ids.helpdesk
    pending_polls = [r for r in emulator.requests() if r["endpoint"] == "token" and r["error"] == "authorization_pending"]
    assert pending_polls and all(r["error_codes"] == [70016] for r in pending_polls)
    assert not [r for r in emulator.requests() if r["error"] == "slow_down"]  # msal waits `interval` between polls


def test_pending_then_slow_down(emulator):
    app = emulator.public_app()
    flow = app.initiate_device_flow(scopes=[GRAPH])
    once = {"exit_condition": lambda flow: True}  # poll a single time
    first = app.acquire_token_by_device_flow(flow, **once)
    assert first["error"] == "authorization_pending" and aadsts(first) == 70016
    assert first["error_description"].startswith(
        "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.\r\nTrace ID: "
    )
    flow.pop("latest_attempt_at")  # poll again at once, as a careless client would
    second = app.acquire_token_by_device_flow(flow, **once)
    assert second["error"] == "slow_down"
    assert flow["interval"] == 6  # msal adds 5 s on slow_down


def test_expired_device_code(emulator):
    app = emulator.public_app()
    flow = app.initiate_device_flow(scopes=[GRAPH])
    emulator.advance_clock(901)
    result = app.acquire_token_by_device_flow(flow)
    assert result["error"] == "expired_token" and aadsts(result) == 70020
    assert "This device code has expired." in result["error_description"]
    with pytest.raises(EmulatorControlError) as excinfo:
        emulator.approve_device_code(flow["user_code"], emulator.ids.admin, emulator.ids.password)
    assert excinfo.value.status == 400 and excinfo.value.reason == "expired"


def test_declined_via_control_api(emulator):
    app = emulator.public_app()
    flow = app.initiate_device_flow(scopes=[GRAPH])
    emulator.decline_device_code(flow["user_code"])
    result = app.acquire_token_by_device_flow(flow)
    assert result["error"] == "authorization_declined"
    assert "access_token" not in result


def test_unknown_device_code(emulator):
    response = post_token(
        emulator,
        {"grant_type": DEVICE_GRANT, "client_id": emulator.ids.public_app, "device_code": "DAQABIQEAAAB" + "x" * 40},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_verification_code"


def test_device_code_is_redeemable_once(emulator):
    app = emulator.public_app()
    flow = app.initiate_device_flow(scopes=[GRAPH])
    emulator.approve_device_code(flow["user_code"], emulator.ids.helpdesk, emulator.ids.password)
    assert "access_token" in app.acquire_token_by_device_flow(dict(flow))
    again = app.acquire_token_by_device_flow(flow)
    assert again["error"] == "bad_verification_code" and aadsts(again) == 70018


def test_approval_runs_sign_in_checks(emulator):
    flow = emulator.public_app().initiate_device_flow(scopes=[GRAPH])
    code, ids = flow["user_code"], emulator.ids
    with pytest.raises(EmulatorControlError) as wrong_password:
        emulator.approve_device_code(code, ids.admin, "not-the-password")
    assert wrong_password.value.status == 400 and wrong_password.value.reason == "invalid_password"
    assert "AADSTS50126" in wrong_password.value.body["message"]
    with pytest.raises(EmulatorControlError) as wrong_otp:
        emulator.approve_device_code(code, ids.admin, ids.password, otp="000000")
    assert wrong_otp.value.reason == "invalid_otp"
    with pytest.raises(EmulatorControlError) as unknown_user:
        emulator.approve_device_code(code, "nobody@contosopartner.onmicrosoft.com", ids.password)
    assert unknown_user.value.reason == "user_not_found"
    with pytest.raises(EmulatorControlError) as unknown_code:
        emulator.approve_device_code("NOSUCHCOD", ids.admin, ids.password)
    assert unknown_code.value.status == 404


def test_mfa_user_without_otp_gets_pwd_only_and_partner_center_refuses(emulator):
    app = emulator.public_app()
    result = emulator.device_code_login(app, [PARTNER_CENTER], mfa=False)
    assert result["error"] == "invalid_grant" and aadsts(result) == 50076
    assert result["suberror"] == "basic_action"
    assert result["error_description"].startswith(
        "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new "
        "location, you must use multi-factor authentication to access 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd'."
    )
    assert "capolids" in result["claims"]


def test_device_code_with_two_resources_fails_at_redemption(emulator):
    app = emulator.public_app()
    result = emulator.device_code_login(app, [GRAPH, "https://management.azure.com/user_impersonation"])
    assert result["error"] == "invalid_scope" and aadsts(result) == 28000


def test_devicelogin_pages(emulator):
    """The browser side: enter code, sign in, second factor, 'Are you trying to sign in...?'."""
    app = emulator.public_app()
    flow = app.initiate_device_flow(scopes=[GRAPH])
    browser, base = emulator.http(), emulator.authority_host
    entry = HtmlPage(browser.get(f"{base}/devicelogin"))
    assert {"code", "submit"} <= set(entry.ids)
    wrong = HtmlPage(browser.post(f"{base}/devicelogin", data={"code": "WRONGCODE"}))
    assert wrong.error == "That code didn't work. Check the code and try again."
    signin = HtmlPage(browser.post(f"{base}/devicelogin", data={"code": flow["user_code"].lower()}))
    assert {"username", "password", "submit"} <= set(signin.ids)
    otp = HtmlPage(signin.submit(browser, base, username=emulator.ids.admin, password=emulator.ids.password))
    assert "otp" in otp.ids
    confirm = HtmlPage(otp.submit(browser, base, otp=emulator.totp()))
    assert confirm.title == "Are you trying to sign in to sam-bridge (public)?"
    assert {"accept", "cancel"} <= set(confirm.ids)
    done = HtmlPage(confirm.submit(browser, base, action="accept"))
    assert "You have signed in to the sam-bridge (public) application on your device" in done.html
    result = app.acquire_token_by_device_flow(flow)
    assert result["id_token_claims"]["preferred_username"] == emulator.ids.admin
    assert verify_token(emulator, result["access_token"])["amr"] == ["pwd", "mfa"]


def test_devicelogin_cancel_declines(emulator):
    app = emulator.public_app()
    flow = app.initiate_device_flow(scopes=[GRAPH])
    browser, base = emulator.http(), emulator.authority_host
    signin = HtmlPage(browser.post(f"{base}/devicelogin", data={"code": flow["user_code"]}))
    confirm = HtmlPage(signin.submit(browser, base, username=emulator.ids.helpdesk, password=emulator.ids.password))
    declined = HtmlPage(confirm.submit(browser, base, action="cancel"))
    assert "You declined to sign in" in declined.html
    assert app.acquire_token_by_device_flow(flow)["error"] == "authorization_declined"


def test_device_code_interval_and_expiry_come_from_settings(emulator):
    emulator.update_settings(device_code_interval=3, device_code_expires_in=120)
    flow = emulator.public_app().initiate_device_flow(scopes=[GRAPH])
    assert flow["interval"] == 3 and flow["expires_in"] == 120
    emulator.advance_clock(121)
    started = time.monotonic()
    result = emulator.public_app().acquire_token_by_device_flow(flow)
    assert result["error"] == "expired_token" and time.monotonic() - started < 2
