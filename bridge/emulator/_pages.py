"""HTML for the interactive pages: sign-in, second factor, consent, device-code entry and results.

Plain HTML with inline CSS (no external assets: the emulator is offline) and stable element ids
(#username, #password, #otp, #code, #submit, #accept, #cancel, #error) for browser-driven tests.
"""
from __future__ import annotations

from html import escape
from typing import Iterable

_CSS = """
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:#f2f2f2;font-family:"Segoe UI","Segoe UI Web (West European)",
-apple-system,BlinkMacSystemFont,Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b;font-size:15px}
.banner{background:#323130;color:#fff;font-size:12px;padding:6px 12px;text-align:center;letter-spacing:.02em}
main{width:440px;max-width:calc(100% - 24px);margin:64px auto 24px;background:#fff;padding:44px;
box-shadow:0 2px 6px rgba(0,0,0,.2)}
.brand{display:flex;align-items:center;gap:8px;font-size:17px;color:#5e5e5e;font-weight:600;margin-bottom:16px}
.logo{display:grid;grid-template-columns:10px 10px;gap:2px}
.logo span{width:10px;height:10px;display:block}
.identity{font-size:15px;margin-bottom:8px;color:#1b1b1b;word-break:break-all}
h1{font-size:24px;font-weight:600;margin:8px 0 16px;line-height:1.3}
p{margin:0 0 14px;line-height:1.45}
.muted{color:#5e5e5e;font-size:13px}
label{position:absolute;left:-9999px}
input[type=text],input[type=password],input[type=email]{width:100%;border:none;border-bottom:1px solid #666;
padding:6px 0;font-size:15px;margin:0 0 18px;outline:none;background:transparent;font-family:inherit}
input:focus{border-bottom-color:#0067b8}
.buttons{display:flex;justify-content:flex-end;gap:8px;margin-top:24px}
button{min-width:108px;padding:6px 12px;font-size:15px;border:none;cursor:pointer;font-family:inherit}
button.primary{background:#0067b8;color:#fff}
button.primary:hover{background:#005da6}
button.secondary{background:#ccc;color:#1b1b1b}
#error{color:#e81123;margin:0 0 14px;line-height:1.4}
ul.permissions{padding-left:20px;margin:8px 0 18px}
ul.permissions li{margin-bottom:6px}
.details{font-size:12px;color:#5e5e5e;margin-top:18px;word-break:break-all}
footer{text-align:center;font-size:12px;color:#5e5e5e}
"""

_LOGO = (
    '<span class="logo" aria-hidden="true"><span style="background:#f25022"></span>'
    '<span style="background:#7fba00"></span><span style="background:#00a4ef"></span>'
    '<span style="background:#ffb900"></span></span>'
)


def _page(title: str, heading: str, body: str, *, error: str | None = None, identity: str | None = None) -> str:
    error_html = f'<div id="error" role="alert">{escape(error)}</div>' if error else ""
    identity_html = f'<div class="identity" id="identity">{escape(identity)}</div>' if identity else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        '<div class="banner">Entra ID emulator (sam-bridge) - local test identity provider, not a Microsoft service</div>'
        f'<main id="card"><div class="brand">{_LOGO}<span>Entra ID emulator</span></div>'
        f'{identity_html}<h1 id="title">{escape(heading)}</h1>{error_html}{body}</main>'
        "<footer>sam-bridge Entra ID emulator &middot; for offline testing only</footer>"
        "</body></html>"
    )


def _hidden(tx_id: str, step: str) -> str:
    return (
        f'<input type="hidden" name="tx" value="{escape(tx_id)}">'
        f'<input type="hidden" name="step" value="{escape(step)}">'
    )


def signin_page(
    *, action: str, tx_id: str, app_name: str, tenant_name: str | None, username: str = "", error: str | None = None
) -> str:
    where = f" in {escape(tenant_name)}" if tenant_name else ""
    body = (
        f'<form method="post" action="{escape(action)}" id="signin-form" autocomplete="on">{_hidden(tx_id, "signin")}'
        '<label for="username">Email, phone, or Skype</label>'
        f'<input type="email" id="username" name="username" placeholder="Email, phone, or Skype" '
        f'value="{escape(username)}" autocomplete="username" autofocus required>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" placeholder="Password" '
        'autocomplete="current-password" required>'
        f'<p class="muted">to continue to <b id="app-name">{escape(app_name)}</b>{where}</p>'
        '<div class="buttons"><button type="submit" id="submit" class="primary">Sign in</button></div>'
        "</form>"
    )
    return _page("Sign in to your account", "Sign in", body, error=error)


def otp_page(*, action: str, tx_id: str, upn: str, error: str | None = None) -> str:
    body = (
        f'<form method="post" action="{escape(action)}" id="otp-form" autocomplete="off">{_hidden(tx_id, "otp")}'
        "<p>Enter the code displayed in the authenticator app on your mobile device.</p>"
        '<label for="otp">Code</label>'
        '<input type="text" id="otp" name="otp" placeholder="Code" inputmode="numeric" '
        'autocomplete="one-time-code" maxlength="8" autofocus required>'
        '<div class="buttons"><button type="submit" id="submit" class="primary">Verify</button></div>'
        "</form>"
    )
    return _page("Enter code", "Enter code", body, error=error, identity=upn)


def consent_page(*, action: str, tx_id: str, upn: str, app_name: str, permissions: Iterable[str]) -> str:
    items = "".join(f"<li>{escape(p)}</li>" for p in permissions)
    body = (
        f'<p><b id="app-name">{escape(app_name)}</b> (unverified) would like to:</p>'
        f'<ul class="permissions" id="permissions">{items}</ul>'
        '<p class="muted">Accepting these permissions means that you allow this app to use your data as specified '
        "in their terms of service and privacy statement.</p>"
        f'<form method="post" action="{escape(action)}" id="consent-form">{_hidden(tx_id, "consent")}'
        '<div class="buttons">'
        '<button type="submit" id="cancel" name="action" value="cancel" class="secondary">Cancel</button>'
        '<button type="submit" id="accept" name="action" value="accept" class="primary">Accept</button>'
        "</div></form>"
    )
    return _page("Permissions requested", "Permissions requested", body, identity=upn)


def device_code_page(*, code: str = "", error: str | None = None) -> str:
    body = (
        '<form method="post" action="/devicelogin" id="code-form" autocomplete="off">'
        "<p>Enter the code displayed on your app or device.</p>"
        '<label for="code">Code</label>'
        f'<input type="text" id="code" name="code" placeholder="Code" value="{escape(code)}" autofocus required>'
        '<div class="buttons"><button type="submit" id="submit" class="primary">Next</button></div>'
        "</form>"
    )
    return _page("Enter code", "Enter code", body, error=error)


def device_confirm_page(*, action: str, tx_id: str, upn: str, app_name: str) -> str:
    body = (
        "<p>Only continue if you downloaded the app from a store or website that you trust.</p>"
        f'<form method="post" action="{escape(action)}" id="confirm-form">{_hidden(tx_id, "confirm")}'
        '<div class="buttons">'
        '<button type="submit" id="cancel" name="action" value="cancel" class="secondary">Cancel</button>'
        '<button type="submit" id="accept" name="action" value="accept" class="primary">Continue</button>'
        "</div></form>"
    )
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
    body = (
        '<div class="details" id="details">'
        f"<div>Correlation ID: {escape(correlation_id)}</div><div>Timestamp: {escape(timestamp)}</div></div>"
    )
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
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8"><title>Working...</title></head><body>'
        f'<form id="form_post" method="POST" action="{escape(action)}">{inputs}'
        '<noscript><p>Script is disabled. Click Submit to continue.</p><button type="submit">Submit</button></noscript>'
        "</form><script>document.getElementById('form_post').submit();</script></body></html>"
    )
