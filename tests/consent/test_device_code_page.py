"""`sam-bridge consent --device-code` as a person does it: the CLI prints a code; the user opens the
emulator's /devicelogin page in a browser (here a real headless Chromium), enters the code, signs in
with password and authenticator code, confirms, and the polling CLI stores the refresh token.
"""
from __future__ import annotations

import json

import pytest

from tests.consent._helpers import PARTNER_CENTER, PARTNER_CENTER_AUDIENCE, LiveCli, password_page, totp_page
from tests.emulator._helpers import verify_token

pytestmark = pytest.mark.browser


def test_device_code_consent_on_the_devicelogin_page(emulator_profile, browser):
    handle, emulator = emulator_profile, emulator_profile.emulator
    cli = LiveCli(handle, "consent", "--profile", "contoso", "--device-code")
    try:
        # What the user reads on the terminal: where to go and which code to type.
        found = cli.wait_for_stderr(r"open the page (https://\S+) and enter the code (\S+) to authenticate")
        page, code = found.group(1), found.group(2)
        assert page == f"{emulator.authority_host}/devicelogin"

        browser.open(page)
        assert browser.text("title") == "Enter code" and browser.has("code")
        browser.type("code", code)
        browser.shoot("07-device-code-entry")
        browser.click_and_wait("submit", lambda: browser.heading() == "Sign in" or browser.has("error"),
                               "the sign-in page")
        assert not browser.has("error"), browser.text("error")

        password_page(browser, emulator, emulator.ids.admin)
        totp_page(browser, emulator, next_heading="Are you trying to sign in to sam-bridge (public)?")
        browser.shoot("08-device-code-confirm")
        browser.click_and_wait("accept", lambda: browser.has("done"), "the done page")
        assert "You have signed in to the sam-bridge (public) application" in browser.text("done")
        browser.shoot("09-device-code-done")

        # The CLI was polling the token endpoint all along; the approval ends its wait.
        assert cli.finish(30) == 0, cli.output()
    finally:
        cli.kill()
    assert f"Consent stored for profile 'contoso': {emulator.ids.admin} (with MFA)" in cli.out()
    assert "Traceback" not in cli.err()
    meta = handle.metadata()
    assert meta["mfa"] is True and meta["source"] == "device-code" and meta["user"] == emulator.ids.admin

    result = handle.cli("token", "--profile", "contoso", "--scope", PARTNER_CENTER, "--json")
    assert result.returncode == 0, result.stderr
    claims = verify_token(emulator, json.loads(result.stdout)["access_token"], audience=PARTNER_CENTER_AUDIENCE)
    assert claims["tid"] == emulator.ids.partner and "mfa" in claims["amr"]


def test_a_mistyped_device_code_is_refused_on_the_page(emulator_profile, browser):
    handle, emulator = emulator_profile, emulator_profile.emulator
    cli = LiveCli(handle, "consent", "--profile", "contoso", "--device-code")
    try:
        code = cli.wait_for_stderr(r"enter the code (\S+) to authenticate").group(1)
        browser.open(f"{emulator.authority_host}/devicelogin")
        browser.type("code", code[::-1] + "X")  # a typo: no such code
        browser.click_and_wait("submit", lambda: browser.has("error"), "the error")
        assert "That code didn't work" in browser.text("error")
        browser.shoot("10-device-code-wrong")
        # The right code still works afterwards: a typo does not spend the code.
        browser.type("code", code)
        browser.click_and_wait("submit", lambda: browser.heading() == "Sign in", "the sign-in page")
        assert cli.poll() is None, "the CLI keeps waiting while the user is still signing in"
    finally:
        cli.kill()
