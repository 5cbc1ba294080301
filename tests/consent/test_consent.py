"""Consent through the core: device code, browser (loopback), and the headless print-url route."""
from __future__ import annotations

import threading

import pytest
import requests

import bridge
from bridge._services.consent import consent
from tests.emulator._helpers import browser_sign_in


def _browser(handle, *, username=None, accept=True):
    """A stand-in for the user's browser: signs in on the emulator pages and follows the redirect."""
    emulator = handle.emulator
    box = {}

    def open_browser(url: str) -> bool:
        def run() -> None:
            location = browser_sign_in(emulator, url, username or emulator.ids.admin, accept=accept)
            box["location"] = location
            # the loopback receiver is plain http on localhost: no TLS, no proxy
            box["page"] = requests.get(location, timeout=10).text

        threading.Thread(target=run, daemon=True).start()
        return True

    return open_browser, box


def test_browser_consent_with_loopback_redirect(emulator_profile):
    open_browser, box = _browser(emulator_profile)
    result = consent(emulator_profile.profile, emulator_profile.store, "browser", open_browser=open_browser,
                     prompt=lambda m: None, timeout=30)
    assert result.mfa and result.user == emulator_profile.emulator.ids.admin and result.method == "browser"
    assert "Sign-in complete" in box["page"]
    assert box["location"].startswith("http://localhost:")
    token = bridge.get_token(emulator_profile.profile, ["https://api.partnercenter.microsoft.com/user_impersonation"])
    assert token.claims["aud"] == "https://api.partnercenter.microsoft.com"


def test_browser_consent_declined_is_a_clear_error(emulator_profile):
    open_browser, _ = _browser(emulator_profile, accept=False)
    with pytest.raises(bridge.ConsentFlowError) as info:
        consent(emulator_profile.profile, emulator_profile.store, "browser", open_browser=open_browser,
                prompt=lambda m: None, timeout=30)
    assert info.value.error == "access_denied"
    assert emulator_profile.store.get("contoso/refresh-token") is None


def test_print_url_consent_with_pasted_redirect(emulator_profile):
    emulator = emulator_profile.emulator
    shown = {}

    def prompt(message: str) -> None:
        shown["url"] = next(line for line in message.splitlines() if line.startswith("https://"))

    def paste() -> str:
        return browser_sign_in(emulator, shown["url"], emulator.ids.admin)

    result = consent(emulator_profile.profile, emulator_profile.store, "print-url", prompt=prompt, read_redirect=paste)
    assert result.mfa and result.method == "print-url"
    assert emulator_profile.metadata()["source"] == "print-url"


@pytest.mark.parametrize("pasted, error, fragment", [
    ("garbage", bridge.InvalidInputError, "not the redirected URL"),
    ("http://localhost:1/?foo=bar", bridge.InvalidInputError, "goes to"),
    ("https://evil.example/?code=x&state=y", bridge.InvalidInputError, "goes to"),
])
def test_print_url_refuses_garbage(emulator_profile, pasted, error, fragment):
    def paste() -> str:
        return pasted

    with pytest.raises(error, match=fragment):
        consent(emulator_profile.profile, emulator_profile.store, "print-url", prompt=lambda m: None, read_redirect=paste)


def test_print_url_refuses_a_url_from_another_attempt(emulator_profile):
    emulator = emulator_profile.emulator
    urls = []

    def prompt(message: str) -> None:
        urls.append(next(line for line in message.splitlines() if line.startswith("https://")))

    earlier = {}

    def first_paste() -> str:
        earlier["location"] = browser_sign_in(emulator, urls[-1], emulator.ids.admin)
        return earlier["location"]

    consent(emulator_profile.profile, emulator_profile.store, "print-url", prompt=prompt, read_redirect=first_paste)

    def stale_paste() -> str:
        # the earlier attempt's code and state, sent to this attempt's redirect address
        from urllib.parse import parse_qs, urlsplit

        redirect = parse_qs(urlsplit(urls[-1]).query)["redirect_uri"][0].rstrip("/")
        return f"{redirect}/?{urlsplit(earlier['location']).query}"

    with pytest.raises(bridge.ConsentFlowError, match="another sign-in attempt"):
        consent(emulator_profile.profile, emulator_profile.store, "print-url", prompt=prompt, read_redirect=stale_paste)


@pytest.mark.parametrize("error", ["access_denied", "consent_required"])
def test_print_url_error_redirects_are_explained(emulator_profile, error):
    shown = {}

    def prompt(message: str) -> None:
        shown["url"] = next(line for line in message.splitlines() if line.startswith("https://"))

    def paste() -> str:
        from urllib.parse import parse_qs, urlsplit

        q = parse_qs(urlsplit(shown["url"]).query)
        return f"{q['redirect_uri'][0].rstrip('/')}/?error={error}&error_description=AADSTS65004&state={q['state'][0]}"

    with pytest.raises(bridge.ConsentFlowError) as info:
        consent(emulator_profile.profile, emulator_profile.store, "print-url", prompt=prompt, read_redirect=paste)
    assert info.value.error == error and info.value.remediation


def test_device_code_declined(emulator_profile):
    emulator = emulator_profile.emulator

    def decline(message: str) -> None:
        code = next(c for c in emulator.device_codes() if c["client_id"] == emulator_profile.profile.app_id)
        emulator.decline_device_code(code["user_code"])

    with pytest.raises(bridge.ConsentFlowError) as info:
        consent(emulator_profile.profile, emulator_profile.store, "device-code", prompt=decline)
    assert info.value.error == "authorization_declined"


def test_device_code_refused_for_confidential_profiles(emulator_profile, monkeypatch):
    handle = emulator_profile.with_profile(app_id=emulator_profile.emulator.ids.secret_app, credential="secret")
    monkeypatch.setenv("SAM_BRIDGE_CLIENT_SECRET", emulator_profile.emulator.ids.client_secret)
    with pytest.raises(bridge.InvalidInputError, match="confidential client"):
        consent(handle.profile, handle.store, "device-code", prompt=lambda m: None)


def test_confidential_client_consent_via_print_url(emulator_profile, monkeypatch):
    emulator = emulator_profile.emulator
    handle = emulator_profile.with_profile(app_id=emulator.ids.secret_app, credential="secret")
    monkeypatch.setenv("SAM_BRIDGE_CLIENT_SECRET", emulator.ids.client_secret)
    shown = {}

    def prompt(message: str) -> None:
        shown["url"] = next(line for line in message.splitlines() if line.startswith("https://"))

    result = consent(handle.profile, handle.store, "print-url", prompt=prompt,
                     read_redirect=lambda: browser_sign_in(emulator, shown["url"], emulator.ids.admin))
    assert result.mfa
    token = bridge.get_token(handle.profile, ["https://graph.microsoft.com/.default"], "fabrikam.onmicrosoft.com")
    assert token.claims["appidacr"] == "1"
