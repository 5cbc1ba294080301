"""`sam-bridge consent --browser` as a person does it: the CLI opens the user's browser (a real headless
Chromium), the user signs in on the emulator's pages with a password and an authenticator code,
accepts the permissions, and the browser is sent back to the CLI's loopback listener.
"""
from __future__ import annotations

import json

import pytest

from tests.consent._helpers import (
    PARTNER_CENTER,
    PARTNER_CENTER_AUDIENCE,
    LiveCli,
    password_page,
    query,
    wrong_totp,
)
from tests.emulator._helpers import verify_token

pytestmark = pytest.mark.browser


def _start(handle, browser_command):
    cli = LiveCli(handle, "consent", "--profile", handle.profile.name, "--browser", "--timeout", "60",
                  env=browser_command.env)
    url = browser_command.wait_for_url(cli)
    return cli, url


def test_browser_consent_with_a_wrong_then_right_totp_code(emulator_profile, browser, browser_command):
    handle, emulator = emulator_profile, emulator_profile.emulator
    cli, url = _start(handle, browser_command)
    try:
        # The URL the CLI's webbrowser.open handed over: the emulator's authorize endpoint, PKCE S256,
        # a state, and the loopback redirect the CLI is listening on.
        params = query(url)
        assert url.startswith(f"{emulator.authority_host}/{handle.profile.tenant}/oauth2/v2.0/authorize?")
        assert params["code_challenge_method"] == "S256" and params["state"]
        assert params["redirect_uri"].startswith("http://localhost:")

        browser.open(url)
        password_page(browser, emulator, emulator.ids.admin, shot="01-sign-in")

        # Second factor: a wrong code is refused on the page, with the error shown, and nothing moves on.
        assert browser.text("title") == "Enter code" and browser.text("identity") == emulator.ids.admin
        browser.shoot("02-totp")
        browser.type("otp", wrong_totp(emulator.ids.totp_secret))
        browser.click_and_wait("submit", lambda: browser.has("error"), "the wrong-code error")
        assert browser.text("title") == "Enter code"
        assert "didn't enter the expected verification code" in browser.text("error")
        browser.shoot("03-totp-wrong-code")
        assert cli.poll() is None, "a wrong code must not end the CLI's wait"

        # The retry with the authenticator's current code goes on to the consent page.
        browser.type("otp", emulator.totp())
        browser.click_and_wait("submit", lambda: browser.heading() == "Permissions requested", "the consent page")
        assert browser.text("identity") == emulator.ids.admin
        permissions = browser.text("permissions")
        assert "Partner Center" in permissions and "Maintain access" in permissions  # offline_access
        browser.shoot("04-consent")

        # Accept: the emulator redirects to the CLI's loopback listener, which answers the browser.
        browser.click_and_wait("accept", lambda: browser.has("result"), "the loopback page")
        assert browser.driver.current_url.startswith(params["redirect_uri"].rstrip("/"))
        assert browser.text("result").startswith("Sign-in complete")
        browser.shoot("05-loopback-complete")

        assert cli.finish(30) == 0, cli.output()
    finally:
        cli.kill()
    assert f"Consent stored for profile 'contoso': {emulator.ids.admin} (with MFA)" in cli.out()
    assert "A browser window was opened" in cli.err() and "Traceback" not in cli.err()

    meta = handle.metadata()
    assert meta["mfa"] is True and "mfa" in meta["amr"]
    assert meta["source"] == "browser" and meta["user"] == emulator.ids.admin

    # The stored refresh token is good for Partner Center: a fresh CLI process exchanges it.
    result = handle.cli("token", "--profile", "contoso", "--scope", PARTNER_CENTER, "--json")
    assert result.returncode == 0, result.stderr
    token = json.loads(result.stdout)
    claims = verify_token(emulator, token["access_token"], audience=PARTNER_CENTER_AUDIENCE)
    assert claims["tid"] == emulator.ids.partner and "mfa" in claims["amr"]
    assert token["scopes"] == [PARTNER_CENTER] and token["tenant_id"] == emulator.ids.partner


def test_browser_consent_cancelled_on_the_consent_page(emulator_profile, browser, browser_command):
    handle, emulator = emulator_profile, emulator_profile.emulator
    cli, url = _start(handle, browser_command)
    try:
        browser.open(url)
        password_page(browser, emulator, emulator.ids.admin)
        browser.type("otp", emulator.totp())
        browser.click_and_wait("submit", lambda: browser.heading() == "Permissions requested", "the consent page")
        # Cancel: Entra sends error=access_denied to the redirect URI; the listener shows it to the user.
        browser.click_and_wait("cancel", lambda: browser.has("result"), "the loopback page")
        assert browser.text("result").startswith("Sign-in failed")
        browser.shoot("06-loopback-declined")
        code = cli.finish(30)
    finally:
        cli.kill()
    assert code != 0
    assert "error: " in cli.err() and "declined" in cli.err() and "Run consent again" in cli.err()
    assert "Traceback" not in cli.err()
    assert handle.store.get("contoso/refresh-token") is None
