"""The interactive pages: sign-in, second factor, consent, device-code entry and results.

The HTML is package data (bridge/emulator/templates/*.html, `string.Template` placeholders), plain
HTML with inline CSS (no external assets: the emulator is offline) and stable element ids
(#username, #password, #otp, #code, #submit, #accept, #cancel, #error) for browser-driven tests.
Every value is escaped here before it is put in.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape
from importlib import resources
from string import Template
from typing import Iterable


@lru_cache(maxsize=None)
def _template(name: str) -> Template:
    text = resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")
    return Template(text.removesuffix("\n"))  # the file's final newline is not part of the page


def _page(title: str, heading: str, body: str, *, error: str | None = None, identity: str | None = None) -> str:
    return _template("page.html").substitute(
        title=escape(title),
        heading=escape(heading),
        identity=f'<div class="identity" id="identity">{escape(identity)}</div>' if identity else "",
        error=f'<div id="error" role="alert">{escape(error)}</div>' if error else "",
        body=body,
    )


def _hidden(tx_id: str, step: str) -> str:
    return (
        f'<input type="hidden" name="tx" value="{escape(tx_id)}">'
        f'<input type="hidden" name="step" value="{escape(step)}">'
    )


def signin_page(
    *, action: str, tx_id: str, app_name: str, tenant_name: str | None, username: str = "", error: str | None = None
) -> str:
    body = _template("signin.html").substitute(
        action=escape(action), hidden=_hidden(tx_id, "signin"), username=escape(username), app_name=escape(app_name),
        where=f" in {escape(tenant_name)}" if tenant_name else "",
    )
    return _page("Sign in to your account", "Sign in", body, error=error)


def otp_page(*, action: str, tx_id: str, upn: str, error: str | None = None) -> str:
    body = _template("otp.html").substitute(action=escape(action), hidden=_hidden(tx_id, "otp"))
    return _page("Enter code", "Enter code", body, error=error, identity=upn)


def consent_page(*, action: str, tx_id: str, upn: str, app_name: str, permissions: Iterable[str]) -> str:
    body = _template("consent.html").substitute(
        app_name=escape(app_name), items="".join(f"<li>{escape(p)}</li>" for p in permissions),
        action=escape(action), hidden=_hidden(tx_id, "consent"),
    )
    return _page("Permissions requested", "Permissions requested", body, identity=upn)


def device_code_page(*, code: str = "", error: str | None = None) -> str:
    return _page("Enter code", "Enter code", _template("device_code.html").substitute(code=escape(code)), error=error)


def device_confirm_page(*, action: str, tx_id: str, upn: str, app_name: str) -> str:
    body = _template("device_confirm.html").substitute(action=escape(action), hidden=_hidden(tx_id, "confirm"))
    return _page("Continue signing in", f"Are you trying to sign in to {app_name}?", body, identity=upn)


def device_done_page(*, app_name: str, upn: str, approved: bool) -> str:
    if approved:
        text = (
            f"You have signed in to the {app_name} application on your device. You may now close this window."
        )
    else:
        text = f"You declined to sign in to {app_name} on your device. You may now close this window."
    body = f'<p id="done">{escape(text)}</p>'
    return _page(app_name, app_name, body, identity=upn)


def error_page(*, description: str, correlation_id: str, timestamp: str) -> str:
    body = _template("error.html").substitute(correlation_id=escape(correlation_id), timestamp=escape(timestamp))
    return _page("Sign in to your account", "Sorry, but we're having trouble signing you in.", body, error=description)


def signed_out_page() -> str:
    body = '<p id="done">It\'s a good idea to close all browser windows.</p>'
    return _page("Signed out", "You signed out of your account", body)


def form_post_page(action: str, fields: dict[str, str]) -> str:
    """response_mode=form_post: a form that posts the answer to the redirect URI (id #form_post),
    submitted by script as soon as it loads, with a button for a browser without script."""
    inputs = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in fields.items()
    )
    return _template("form_post.html").substitute(action=escape(action), inputs=inputs)
