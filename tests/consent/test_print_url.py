"""`sam-bridge consent --print-url`, the headless route: the CLI prints the sign-in URL, the user signs in
on another machine (here Chromium, which shares nothing with the CLI but the URL), and pastes back
the URL the browser was finally sent to. Nothing listens on that localhost address, so the browser
shows "This site can't be reached" and its address bar holds the code: that is what gets pasted.
"""
from __future__ import annotations

import json
import socket

import pytest

from tests.consent._helpers import (
    PARTNER_CENTER,
    PARTNER_CENTER_AUDIENCE,
    LiveCli,
    password_page,
    printed_url,
    query,
    totp_page,
)
from tests.emulator._helpers import verify_token

pytestmark = pytest.mark.browser


def _print_url(handle):
    return LiveCli(handle, "consent", "--profile", handle.profile.name, "--print-url", stdin=True)


def _sign_in_elsewhere(browser, emulator, url, *, button="accept", shot=None):
    """Sign in with the printed URL and return what the address bar shows at the end."""
    redirect = query(url)["redirect_uri"].rstrip("/")
    browser.open(url)
    password_page(browser, emulator, emulator.ids.admin)
    totp_page(browser, emulator, next_heading="Permissions requested")
    browser.click_and_wait(button, lambda: browser.driver.current_url.startswith(redirect + "/"),
                           "the redirect to localhost")
    if shot:
        browser.shoot(shot)
    return browser.driver.current_url


def _assert_refused(handle, cli, code, *fragments):
    """A clear message, a non-zero exit, no traceback, and nothing stored."""
    err = cli.err()
    assert code != 0, cli.output()
    assert "error: " in err, err
    for fragment in fragments:
        assert fragment in err, err
    assert "Traceback" not in err and "File \"" not in err, err
    assert handle.store.get(f"{handle.profile.name}/refresh-token") is None


def test_print_url_consent_by_pasting_the_redirected_url(emulator_profile, browser):
    handle, emulator = emulator_profile, emulator_profile.emulator
    cli = _print_url(handle)
    try:
        url = printed_url(cli)
        assert "copy that page's full URL from the address bar and paste it here" in cli.err()
        cli.wait_for_stderr("Redirected URL: ")
        landed = _sign_in_elsewhere(browser, emulator, url, shot="11-print-url-unreachable-redirect")
        assert query(landed)["state"] == query(url)["state"] and "code" in query(landed)
        cli.paste(landed)
        assert cli.finish(30) == 0, cli.output()
    finally:
        cli.kill()
    assert f"Consent stored for profile 'contoso': {emulator.ids.admin} (with MFA)" in cli.out()
    meta = handle.metadata()
    assert meta["mfa"] is True and meta["source"] == "print-url"
    result = handle.cli("token", "--profile", "contoso", "--scope", PARTNER_CENTER, "--json")
    assert result.returncode == 0, result.stderr
    verify_token(emulator, json.loads(result.stdout)["access_token"], audience=PARTNER_CENTER_AUDIENCE)


def test_a_url_from_another_attempt_is_refused(emulator_profile, browser):
    """The user abandons one attempt, starts another, and pastes the first attempt's URL.

    The profile has a fixed redirect port (as for an app registered with one), so both attempts
    redirect to the same address: only the state tells them apart, and the CLI must check it.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handle = emulator_profile.with_profile(redirect_port=port)
    emulator = handle.emulator

    first = _print_url(handle)
    try:
        first_url = printed_url(first)
        stale = _sign_in_elsewhere(browser, emulator, first_url)
    finally:
        first.kill()  # abandoned: the user closed that terminal

    second = _print_url(handle)
    try:
        second_url = printed_url(second)
        assert query(second_url)["redirect_uri"] == query(first_url)["redirect_uri"]
        assert query(second_url)["state"] != query(stale)["state"]
        second.wait_for_stderr("Redirected URL: ")
        second.paste(stale)
        code = second.finish(30)
    finally:
        second.kill()
    _assert_refused(handle, second, code, "belongs to another sign-in attempt",
                    "Use the URL printed by this run")
    assert code == 4  # the flow was refused (not an input error): docs/CONSENT.md lists the codes


def test_cancel_on_the_consent_page_is_explained(emulator_profile, browser):
    handle, emulator = emulator_profile, emulator_profile.emulator
    cli = _print_url(handle)
    try:
        url = printed_url(cli)
        landed = _sign_in_elsewhere(browser, emulator, url, button="cancel")
        assert query(landed)["error"] == "access_denied"
        cli.wait_for_stderr("Redirected URL: ")
        cli.paste(landed)
        code = cli.finish(30)
    finally:
        cli.kill()
    _assert_refused(handle, cli, code, "access_denied", "declined", "Run consent again")
    assert code == 4


def test_consent_required_redirect_is_explained(emulator_profile):
    """Entra redirects with error=consent_required when the account may not consent to the app. The
    emulator's pages let every member consent, so the test writes the redirect Entra would send for
    this attempt (its own redirect address and state) and pastes it."""
    handle = emulator_profile
    cli = _print_url(handle)
    try:
        params = query(printed_url(cli))
        cli.wait_for_stderr("Redirected URL: ")
        cli.paste(
            f"{params['redirect_uri'].rstrip('/')}/?error=consent_required&error_description="
            "AADSTS65001%3A+The+user+or+administrator+has+not+consented+to+use+the+application."
            f"&state={params['state']}"
        )
        code = cli.finish(30)
    finally:
        cli.kill()
    # The remediation names this app and tenant (not "unknown"): the user can forward it to an admin.
    _assert_refused(handle, cli, code, "consent_required", "AADSTS65001",
                    f"Application {handle.profile.app_id} has not been consented in tenant {handle.profile.tenant}",
                    "grant admin consent")
    assert code == 4


@pytest.mark.parametrize("paste, fragment", [
    ("hello, is this thing on?", "that is not the redirected URL"),
    # a common slip: pasting the sign-in URL itself back, instead of where the browser ended up
    ("{signin}", "paste the URL of the page the browser was sent to after signing in"),
    # the address before the redirect finished, or with the query cut off
    ("{redirect}/", "carries neither an authorization code nor an error; copy the whole URL"),
    ("", "that is not the redirected URL"),
], ids=["garbage", "sign-in-url", "no-query", "empty-line"])
def test_garbage_is_refused_with_a_clear_message(emulator_profile, paste, fragment):
    handle = emulator_profile
    cli = _print_url(handle)
    try:
        url = printed_url(cli)
        cli.wait_for_stderr("Redirected URL: ")
        cli.paste(paste.format(signin=url, redirect=query(url)["redirect_uri"].rstrip("/")))
        code = cli.finish(30)
    finally:
        cli.kill()
    _assert_refused(handle, cli, code, fragment)
    assert code == 2  # invalid input: nothing was sent to the authority
