"""Authorization code flow: the HTML pages, PKCE, redirect rules, and the redemption errors."""
from __future__ import annotations

from urllib.parse import urlencode

from ._helpers import ARM, GRAPH, HtmlPage, aadsts, browser_sign_in, post_token, query_of, verify_token

REDIRECT = "http://localhost:8400"


def _flow(emulator, scopes=(GRAPH,), tenant=None, app=None, **kwargs):
    app = app or emulator.public_app(tenant)
    return app, app.initiate_auth_code_flow(list(scopes), redirect_uri=REDIRECT, **kwargs)


def test_sign_in_pages_have_stable_ids(emulator):
    _, flow = _flow(emulator)
    browser, base = emulator.http(), emulator.authority_host
    signin = HtmlPage(browser.get(flow["auth_uri"]))
    assert {"username", "password", "submit"} <= set(signin.ids) and signin.error is None
    assert signin.form["action"] == f"/{emulator.ids.partner}/login"
    otp = HtmlPage(signin.submit(browser, base, username=emulator.ids.admin, password=emulator.ids.password))
    assert {"otp", "submit"} <= set(otp.ids)
    consent = HtmlPage(otp.submit(browser, base, otp=emulator.totp()))
    assert consent.title == "Permissions requested" and {"accept", "cancel", "permissions"} <= set(consent.ids)
    assert "Microsoft Graph: all permissions the app has been granted" in consent.html


def test_wrong_password_and_wrong_otp_can_be_retried(emulator):
    app, flow = _flow(emulator)
    browser, base = emulator.http(), emulator.authority_host
    signin = HtmlPage(browser.get(flow["auth_uri"]))
    wrong = HtmlPage(signin.submit(browser, base, username=emulator.ids.admin, password="nope"))
    assert wrong.error.startswith("AADSTS50126: Error validating credentials due to invalid username or password.")
    otp = HtmlPage(wrong.submit(browser, base, username=emulator.ids.admin, password=emulator.ids.password))
    retry = HtmlPage(otp.submit(browser, base, otp="000000"))
    assert retry.error == "You didn't enter the expected verification code. Please try again."
    assert "otp" in retry.ids
    consent = HtmlPage(retry.submit(browser, base, otp=emulator.totp()))
    location = consent.submit(browser, base, action="accept").headers["Location"]
    result = app.acquire_token_by_auth_code_flow(flow, query_of(location))
    assert verify_token(emulator, result["access_token"])["amr"] == ["pwd", "mfa"]


def test_user_without_mfa_signs_in_with_password_only(emulator):
    app, flow = _flow(emulator)
    location = browser_sign_in(emulator, flow["auth_uri"], emulator.ids.helpdesk)
    result = app.acquire_token_by_auth_code_flow(flow, query_of(location))
    claims = verify_token(emulator, result["access_token"], audience="https://graph.microsoft.com")
    assert claims["amr"] == ["pwd"] and claims["upn"] == emulator.ids.helpdesk


def test_cancel_on_consent_page(emulator):
    app, flow = _flow(emulator)
    location = browser_sign_in(emulator, flow["auth_uri"], emulator.ids.helpdesk, accept=False)
    response = query_of(location)
    assert response == {
        "error": "access_denied",
        "error_description": "AADSTS65004: User declined to consent to access the app.",
        "state": flow["state"],
    }
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert result["error"] == "access_denied"


def test_code_reuse_is_54005(emulator):
    app, flow = _flow(emulator)
    response = query_of(browser_sign_in(emulator, flow["auth_uri"], emulator.ids.helpdesk))
    assert "access_token" in app.acquire_token_by_auth_code_flow(dict(flow), response)
    again = emulator.public_app().acquire_token_by_auth_code_flow(dict(flow), response)
    assert again["error"] == "invalid_grant" and aadsts(again) == 54005
    assert again["error_description"].startswith(
        "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or "
        "use an existing refresh token."
    )


def test_pkce_verifier_mismatch_is_501481(emulator):
    app, flow = _flow(emulator)
    response = query_of(browser_sign_in(emulator, flow["auth_uri"], emulator.ids.helpdesk))
    flow["code_verifier"] = "x" * 43
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert result["error"] == "invalid_grant" and aadsts(result) == 501481
    assert "The Code_Verifier does not match the code_challenge supplied in the authorization request." in (
        result["error_description"]
    )


def test_redirect_uri_mismatch_at_redemption_is_500112(emulator):
    _, flow = _flow(emulator)
    response = query_of(browser_sign_in(emulator, flow["auth_uri"], emulator.ids.helpdesk))
    raw = post_token(
        emulator,
        {
            "grant_type": "authorization_code",
            "client_id": emulator.ids.public_app,
            "code": response["code"],
            "redirect_uri": "http://localhost:9999",
            "code_verifier": flow["code_verifier"],
            "scope": GRAPH,
        },
    )
    assert raw.status_code == 400 and raw.json()["error_codes"] == [500112]


def test_no_resource_scope_at_redemption_is_28003(emulator):
    app, flow = _flow(emulator, scopes=())
    result = app.acquire_token_by_auth_code_flow(flow, query_of(browser_sign_in(emulator, flow["auth_uri"], emulator.ids.helpdesk)))
    assert result["error"] == "invalid_request" and aadsts(result) == 28003


def test_two_resources_at_redemption_is_28000_and_a_subset_works(emulator):
    app, flow = _flow(emulator, scopes=(GRAPH, ARM))
    response = query_of(browser_sign_in(emulator, flow["auth_uri"], emulator.ids.helpdesk))
    result = app.acquire_token_by_auth_code_flow(dict(flow), response)
    assert result["error"] == "invalid_scope" and aadsts(result) == 28000
    assert "contains more than one resource" in result["error_description"]
    # msal's documented answer: redeem a second code for a subset of the consented scopes.
    app, flow = _flow(emulator, scopes=(GRAPH, ARM))
    response = query_of(browser_sign_in(emulator, flow["auth_uri"], emulator.ids.helpdesk))
    result = app.acquire_token_by_auth_code_flow(flow, response, scopes=[ARM])
    assert verify_token(emulator, result["access_token"])["aud"] == "https://management.azure.com"


def test_public_client_must_use_pkce(emulator):
    query = urlencode(
        {"client_id": emulator.ids.public_app, "response_type": "code", "redirect_uri": REDIRECT,
         "scope": GRAPH, "state": "abc"}
    )
    response = emulator.http().get(f"{emulator.authority()}/oauth2/v2.0/authorize?{query}", allow_redirects=False)
    assert response.status_code == 302
    error = query_of(response.headers["Location"])
    assert error["error"] == "invalid_request" and error["state"] == "abc"


def test_authorize_error_pages(emulator):
    base = {"response_type": "code", "redirect_uri": REDIRECT, "scope": GRAPH, "code_challenge": "x" * 43,
            "code_challenge_method": "S256"}
    browser = emulator.http()

    def page(tenant, **params):
        query = urlencode(dict(base, **params))
        return HtmlPage(browser.get(f"{emulator.authority(tenant)}/oauth2/v2.0/authorize?{query}"))

    unknown_app = page(None, client_id="00000000-1111-2222-3333-444444444444")
    assert unknown_app.error.startswith("AADSTS700016: Application with identifier '00000000-1111-2222-3333-444444444444'")
    single_tenant = page(emulator.ids.fabrikam, client_id=emulator.ids.internal_app)
    assert single_tenant.error.startswith("AADSTS700016:") and "'Fabrikam'" in single_tenant.error
    bad_redirect = page(None, client_id=emulator.ids.public_app, redirect_uri="https://evil.example/cb")
    assert bad_redirect.error.startswith("AADSTS50011: The redirect URI 'https://evil.example/cb'")
    unknown_tenant = page("nosuchtenant.onmicrosoft.com", client_id=emulator.ids.public_app)
    assert unknown_tenant.error.startswith("AADSTS90002: Tenant 'nosuchtenant.onmicrosoft.com' not found.")
    assert unknown_app.response.status_code == 400


def test_unknown_scope_goes_back_to_the_redirect_uri(emulator):
    query = urlencode(
        {"client_id": emulator.ids.public_app, "response_type": "code", "redirect_uri": REDIRECT,
         "scope": "https://graph.microsoft.com/No.Such.Permission openid", "code_challenge": "x" * 43,
         "code_challenge_method": "S256", "state": "s1"}
    )
    response = emulator.http().get(f"{emulator.authority()}/oauth2/v2.0/authorize?{query}", allow_redirects=False)
    error = query_of(response.headers["Location"])
    assert error["error"] == "invalid_scope" and error["error_description"].startswith("AADSTS70011:")


def test_prompt_none(emulator):
    app, flow = _flow(emulator, prompt="none")
    response = emulator.http().get(flow["auth_uri"], allow_redirects=False)
    error = query_of(response.headers["Location"])
    assert error["error"] == "login_required" and error["error_description"].startswith("AADSTS50058:")
    # After an interactive sign-in the browser has a session, and prompt=none answers with a code.
    browser = emulator.http()
    _, first = _flow(emulator)
    browser_sign_in(emulator, first["auth_uri"], emulator.ids.helpdesk, session=browser)
    app, flow = _flow(emulator, prompt="none")
    silent = browser.get(flow["auth_uri"], allow_redirects=False)
    result = app.acquire_token_by_auth_code_flow(flow, query_of(silent.headers["Location"]))
    assert result["id_token_claims"]["preferred_username"] == emulator.ids.helpdesk
    # Revoking the user's sessions ends the browser session too.
    emulator.revoke_user(emulator.ids.helpdesk)
    _, flow = _flow(emulator, prompt="none")
    assert query_of(browser.get(flow["auth_uri"], allow_redirects=False).headers["Location"])["error"] == "login_required"


def test_partner_admin_signs_in_to_customer_tenant(emulator):
    app, flow = _flow(emulator, tenant=emulator.ids.fabrikam)
    result = app.acquire_token_by_auth_code_flow(flow, query_of(browser_sign_in(emulator, flow["auth_uri"], emulator.ids.admin)))
    claims = verify_token(emulator, result["access_token"])
    assert claims["tid"] == emulator.ids.fabrikam
    assert claims["idp"] == f"https://sts.windows.net/{emulator.ids.partner}/"
    assert result["id_token_claims"]["tid"] == emulator.ids.fabrikam


def test_partner_admin_without_gdap_is_refused_at_sign_in(emulator):
    _, flow = _flow(emulator, tenant=emulator.ids.tailspin)
    browser, base = emulator.http(), emulator.authority_host
    signin = HtmlPage(browser.get(flow["auth_uri"]))
    refused = HtmlPage(signin.submit(browser, base, username=emulator.ids.admin, password=emulator.ids.password))
    assert refused.error.startswith(
        f"AADSTS50020: User account '{emulator.ids.admin}' from identity provider "
        f"'https://sts.windows.net/{emulator.ids.partner}/' does not exist in tenant 'Tailspin Toys'"
    )


def test_organizations_authority_signs_user_in_to_home_tenant(emulator):
    app, flow = _flow(emulator, tenant="organizations")
    result = app.acquire_token_by_auth_code_flow(
        flow, query_of(browser_sign_in(emulator, flow["auth_uri"], emulator.ids.fabrikam_admin))
    )
    claims = verify_token(emulator, result["access_token"])
    assert claims["tid"] == emulator.ids.fabrikam and "idp" not in claims


def test_logout_ends_the_browser_session(emulator):
    browser = emulator.http()
    _, first = _flow(emulator)
    browser_sign_in(emulator, first["auth_uri"], emulator.ids.helpdesk, session=browser)
    logout = browser.get(
        f"{emulator.authority()}/oauth2/v2.0/logout", params={"post_logout_redirect_uri": REDIRECT},
        allow_redirects=False,
    )
    assert logout.status_code == 302 and logout.headers["Location"] == REDIRECT
    _, flow = _flow(emulator, prompt="none")
    silent = browser.get(flow["auth_uri"], allow_redirects=False)
    assert query_of(silent.headers["Location"])["error"] == "login_required"
