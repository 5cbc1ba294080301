"""Refresh tokens: inactivity, revocation, garbage, customer tenants (GDAP + consent), MFA and CA."""
from __future__ import annotations

import re

import msal
import pytest

from ._helpers import ARM, GRAPH, PARTNER_CENTER, aadsts, post_token, verify_token

DAY = 86400
INSTANT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z"


@pytest.fixture
def admin_rt(emulator) -> str:
    """A refresh token from the partner admin's MFA device-code sign-in with the public client."""
    return emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]


def redeem(emulator, rt, scopes, tenant=None, app=None):
    """Redeem with a fresh app each time: msal replays HTTP 400 answers from its own cache for 60 s."""
    return (app or emulator.public_app(tenant)).acquire_token_by_refresh_token(rt, scopes)


def test_inactivity_expiry_is_90_days(emulator, admin_rt):
    emulator.advance_clock(89 * DAY)
    renewed = redeem(emulator, admin_rt, [GRAPH])
    assert "access_token" in renewed, renewed  # 89 days idle: still fine
    emulator.advance_clock(DAY + 1)  # the first RT is now 90 days + 1 s old; the renewed one is 1 day old
    expired = redeem(emulator, admin_rt, [GRAPH])
    assert expired["error"] == "invalid_grant" and aadsts(expired) == 700082
    assert expired["suberror"] == "bad_token"
    assert re.match(
        "AADSTS700082: The refresh token has expired due to inactivity.\u00a0The token was issued on "
        + INSTANT + r" and was inactive for 90\.00:00:00\.\r\nTrace ID: ",
        expired["error_description"],
    ), expired["error_description"]
    assert expired["error_uri"] == "https://login.microsoftonline.com/error?code=700082"
    assert "access_token" in redeem(emulator, renewed["refresh_token"], [GRAPH])


def test_access_token_times_follow_the_emulator_clock(emulator, admin_rt):
    emulator.advance_clock(30 * DAY)
    result = redeem(emulator, admin_rt, [ARM])
    claims = verify_token(emulator, result["access_token"])
    now = emulator.clock()["now"]
    assert abs(claims["iat"] - now) < 60 and claims["exp"] - claims["iat"] == 3600
    assert abs(result["id_token_claims"]["iat"] - (now - 30 * DAY)) < 60  # id_token: real time


def test_revoked_sessions_are_50173(emulator, admin_rt):
    emulator.revoke_user(emulator.ids.admin)
    result = redeem(emulator, admin_rt, [GRAPH])
    assert result["error"] == "invalid_grant" and aadsts(result) == 50173
    assert re.match(
        "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The "
        "user might have changed or reset their password. The grant was issued on '" + INSTANT + "' and the "
        "TokensValidFrom date \\(before which tokens are not valid\\) for this user is '" + INSTANT + "'.",
        result["error_description"],
    ), result["error_description"]
    # A new sign-in after the revocation works again.
    fresh = emulator.device_code_login(emulator.public_app(), [GRAPH])
    assert "access_token" in redeem(emulator, fresh["refresh_token"], [ARM])


def test_password_change_revokes(emulator, admin_rt):
    emulator.set_password(emulator.ids.admin, "N3w-Passw0rd!")
    assert aadsts(redeem(emulator, admin_rt, [GRAPH])) == 50173
    app = emulator.public_app()
    flow = app.initiate_device_flow(scopes=[GRAPH])
    with pytest.raises(Exception) as old_password:
        emulator.approve_device_code(flow["user_code"], emulator.ids.admin, emulator.ids.password)
    assert old_password.value.reason == "invalid_password"
    emulator.approve_device_code(flow["user_code"], emulator.ids.admin, "N3w-Passw0rd!", emulator.totp())
    assert "access_token" in app.acquire_token_by_device_flow(flow)


def test_unknown_and_malformed_refresh_tokens(emulator):
    unknown = redeem(emulator, "1.AXkA" + "q" * 120, [GRAPH])
    assert unknown["error"] == "invalid_grant" and aadsts(unknown) == 70000
    assert unknown["error_description"].startswith(
        "AADSTS70000: The provided value for the input parameter 'refresh_token' or 'assertion' is not valid."
    )
    garbage = redeem(emulator, "this is not a token!", [GRAPH])
    assert garbage["error"] == "invalid_request" and aadsts(garbage) == 9002313


def test_refresh_token_of_another_client_is_refused(emulator, admin_rt):
    result = redeem(emulator, admin_rt, [GRAPH], app=emulator.secret_app())
    assert aadsts(result) == 70000


def test_exchange_at_customer_tenant_with_gdap_and_consent(emulator, admin_rt):
    result = redeem(emulator, admin_rt, [GRAPH], tenant=emulator.ids.fabrikam)
    claims = verify_token(emulator, result["access_token"], audience="https://graph.microsoft.com")
    assert claims["tid"] == emulator.ids.fabrikam
    assert claims["idp"] == f"https://sts.windows.net/{emulator.ids.partner}/"
    assert claims["iss"] == f"https://sts.windows.net/{emulator.ids.fabrikam}/"
    assert result["id_token_claims"]["tid"] == emulator.ids.fabrikam
    # client_info still names the user's home tenant, so msal files it under the same account.
    home = emulator.public_app().acquire_token_by_refresh_token(admin_rt, [GRAPH])
    assert result["client_info"] == home["client_info"]
    northwind = redeem(emulator, result["refresh_token"], [ARM], tenant=emulator.ids.northwind)
    assert verify_token(emulator, northwind["access_token"])["tid"] == emulator.ids.northwind


def test_msal_silent_exchange_with_a_shared_cache(emulator):
    """The fact sheet's recipe: a second app at the customer authority sharing the token cache."""
    cache = msal.SerializableTokenCache()
    partner_app = emulator.public_app(token_cache=cache)
    emulator.device_code_login(partner_app, [GRAPH])
    [account] = partner_app.get_accounts()
    customer_app = emulator.public_app(emulator.ids.fabrikam, token_cache=cache)
    result = customer_app.acquire_token_silent_with_error([GRAPH], account)
    assert verify_token(emulator, result["access_token"])["tid"] == emulator.ids.fabrikam


def test_exchange_refused_without_gdap(emulator, admin_rt):
    result = redeem(emulator, admin_rt, [GRAPH], tenant=emulator.ids.tailspin)
    assert result["error"] == "invalid_grant" and aadsts(result) == 50020
    assert result["error_description"].startswith(
        f"AADSTS50020: User account '{emulator.ids.admin}' from identity provider "
        f"'https://sts.windows.net/{emulator.ids.partner}/' does not exist in tenant 'Tailspin Toys' and cannot "
        f"access the application '{emulator.ids.public_app}'(sam-bridge (public)) in that tenant. The account "
        "needs to be added as an external user in the tenant first. Sign out and sign in again with a different "
        "Azure Active Directory user account."
    )


def test_exchange_refused_without_consent(emulator, admin_rt):
    result = redeem(emulator, admin_rt, [GRAPH], tenant=emulator.ids.woodgrove)
    assert result["error"] == "invalid_grant" and aadsts(result) == 65001
    assert result["suberror"] == "consent_required"
    assert result["error_description"].startswith(
        f"AADSTS65001: The user or administrator has not consented to use the application with ID "
        f"'{emulator.ids.public_app}' named 'sam-bridge (public)'. Send an interactive authorization request "
        "for this user and resource."
    )


def test_expired_gdap_relationship_refuses(emulator, admin_rt):
    directory = emulator.get_directory()
    for relationship in directory["gdap"]:
        if relationship["customer"] == emulator.ids.fabrikam:
            relationship["status"] = "expired"
    emulator.put_directory(directory)
    assert aadsts(redeem(emulator, admin_rt, [GRAPH], tenant=emulator.ids.fabrikam)) == 50020


def test_single_tenant_app_outside_its_tenant_is_700016(emulator):
    app = emulator.public_app(client_id=emulator.ids.internal_app)
    rt = emulator.device_code_login(app, [GRAPH])["refresh_token"]
    result = redeem(emulator, rt, [GRAPH], app=emulator.public_app(emulator.ids.fabrikam, client_id=emulator.ids.internal_app))
    assert result["error"] == "unauthorized_client" and aadsts(result) == 700016
    assert result["error_description"].startswith(
        f"AADSTS700016: Application with identifier '{emulator.ids.internal_app}' was not found in the directory "
        "'Fabrikam'."
    )


def test_partner_center_requires_mfa(emulator):
    helpdesk_rt = emulator.device_code_login(emulator.public_app(), [GRAPH], emulator.ids.helpdesk)["refresh_token"]
    result = redeem(emulator, helpdesk_rt, [PARTNER_CENTER])
    assert result["error"] == "invalid_grant" and aadsts(result) == 50076
    assert result["suberror"] == "basic_action"
    admin_rt = emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]
    ok = redeem(emulator, admin_rt, [PARTNER_CENTER])
    claims = verify_token(emulator, ok["access_token"], audience="https://api.partnercenter.microsoft.com")
    assert claims["amr"] == ["pwd", "mfa"] and claims["scp"] == "user_impersonation"


def test_conditional_access_requires_mfa_for_a_resource(emulator):
    directory = emulator.get_directory()
    for tenant in directory["tenants"]:
        if tenant["id"] == emulator.ids.fabrikam:
            tenant["conditional_access"] = {"require_mfa": ["797f4846-ba00-4fd7-ba43-dac1f8f63013"]}
    emulator.put_directory(directory)
    helpdesk_rt = emulator.device_code_login(emulator.public_app(), [GRAPH], emulator.ids.helpdesk)["refresh_token"]
    assert aadsts(redeem(emulator, helpdesk_rt, [ARM], tenant=emulator.ids.fabrikam)) == 50076
    assert "access_token" in redeem(emulator, helpdesk_rt, [GRAPH], tenant=emulator.ids.fabrikam)
    assert "access_token" in redeem(emulator, helpdesk_rt, [ARM])  # the partner tenant has no such policy


def test_refresh_for_two_resources_gets_the_first(emulator, admin_rt):
    # msal sorts the scopes it sends, so Graph comes first here ...
    result = redeem(emulator, admin_rt, [ARM, GRAPH])
    assert verify_token(emulator, result["access_token"])["aud"] == "https://graph.microsoft.com"
    assert result["scope"] == GRAPH
    # ... and a client that sends ARM first gets an ARM token.
    raw = post_token(
        emulator,
        {"grant_type": "refresh_token", "client_id": emulator.ids.public_app, "refresh_token": admin_rt,
         "scope": f"{ARM} {GRAPH} offline_access"},
    ).json()
    assert verify_token(emulator, raw["access_token"])["aud"] == "https://management.azure.com"


def test_refresh_at_organizations_goes_to_the_home_tenant(emulator, admin_rt):
    result = redeem(emulator, admin_rt, [GRAPH], tenant="organizations")
    assert verify_token(emulator, result["access_token"])["tid"] == emulator.ids.partner


def test_raw_refresh_response_shape(emulator, admin_rt):
    response = post_token(
        emulator,
        {"grant_type": "refresh_token", "client_id": emulator.ids.public_app, "refresh_token": admin_rt,
         "scope": f"{ARM} offline_access openid profile", "client_info": "1"},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store, no-cache" and "Retry-After" not in response.headers
    body = response.json()
    assert set(body) == {
        "token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "id_token", "client_info"
    }
    assert body["token_type"] == "Bearer" and body["scope"] == ARM and body["expires_in"] == 3600
    without_offline = post_token(
        emulator,
        {"grant_type": "refresh_token", "client_id": emulator.ids.public_app, "refresh_token": admin_rt, "scope": ARM},
    ).json()
    assert "refresh_token" not in without_offline and "id_token" not in without_offline


def test_random_access_token_lifetime_when_not_fixed(emulator, admin_rt):
    emulator.update_settings(access_token_lifetime=None)
    lifetimes = {redeem(emulator, admin_rt, [GRAPH])["expires_in"] for _ in range(3)}
    assert all(3600 <= value <= 5399 for value in lifetimes)
