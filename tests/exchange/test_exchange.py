"""Exchange against the emulator over real HTTPS: rotation, reuse, customer tenants, expiry, errors."""
from __future__ import annotations

import pytest

import bridge
from bridge._services.exchange import obtain_token, status
from bridge._core.validate import SamBridgeWarning
from bridge._core.scrub import fingerprint

GRAPH = "https://graph.microsoft.com/.default"
ARM = "https://management.azure.com/.default"
PARTNER_CENTER = "https://api.partnercenter.microsoft.com/user_impersonation"


def _token_requests(emulator, since=0):
    return [r for r in emulator.requests(since) if r["endpoint"] == "token"]


def test_device_code_consent_stores_token_and_facts(consented_profile):
    meta = consented_profile.metadata()
    ids = consented_profile.emulator.ids
    assert meta["user"] == ids.admin and meta["mfa"] is True and "mfa" in meta["amr"]
    assert meta["home_tenant_id"] == ids.partner and meta["source"] == "device-code"
    assert PARTNER_CENTER in meta["scopes"] and meta["issued_at"] == meta["consented_at"]


def test_exchange_rotates_and_the_next_exchange_presents_the_rotated_token(consented_profile):
    p, store, emulator = consented_profile.profile, consented_profile.store, consented_profile.emulator
    first_rt = consented_profile.refresh_token()
    mark = emulator.requests()[-1]["seq"]
    obtain_token(p, store, [GRAPH])
    second_rt = consented_profile.refresh_token()
    assert second_rt != first_rt
    obtain_token(p, store, [ARM])
    third_rt = consented_profile.refresh_token()
    log = _token_requests(emulator, mark)
    assert [r["presented_rt"] for r in log] == [fingerprint(first_rt), fingerprint(second_rt)]
    assert [r["issued_rt"] for r in log] == [fingerprint(second_rt), fingerprint(third_rt)]
    meta = consented_profile.metadata()
    assert meta["generation"] == 3 and meta["last_redeemed_at"] == meta["issued_at"]


def test_access_token_audience_scope_and_tenant(consented_profile):
    with pytest.warns(SamBridgeWarning, match="double slash"):
        token = obtain_token(consented_profile.profile, consented_profile.store, ["https://management.azure.com//user_impersonation"])
    claims = token.claims
    assert claims["aud"] == "https://management.azure.com" and claims["scp"] == "user_impersonation"
    assert token.tenant_id == consented_profile.emulator.ids.partner
    assert token.scopes == ("https://management.azure.com/user_impersonation",)


def test_valid_access_token_is_reused_without_a_request(consented_profile):
    p, store, emulator = consented_profile.profile, consented_profile.store, consented_profile.emulator
    first = obtain_token(p, store, [GRAPH])
    mark = emulator.requests()[-1]["seq"]
    again = obtain_token(p, store, [GRAPH])
    assert again.token == first.token and again.from_cache
    assert emulator.requests(mark) == []


def test_cached_access_token_is_reused_across_processes(consented_profile):
    first = consented_profile.cli("token", "--scope", GRAPH, "--json")
    assert first.returncode == 0, first.stderr
    mark = consented_profile.emulator.requests()[-1]["seq"]
    second = consented_profile.cli("token", "--scope", GRAPH, "--json")
    assert second.returncode == 0, second.stderr
    assert consented_profile.emulator.requests(mark) == []
    import json

    assert json.loads(first.stdout)["access_token"] == json.loads(second.stdout)["access_token"]


def test_access_token_is_refreshed_within_five_minutes_of_expiry(consented_profile):
    p, store, emulator = consented_profile.profile, consented_profile.store, consented_profile.emulator
    emulator.update_settings(access_token_lifetime=240)  # already inside the 5-minute margin
    first = obtain_token(p, store, [GRAPH])
    second = obtain_token(p, store, [GRAPH])
    assert second.token != first.token and not second.from_cache


def test_customer_tenant_exchange_allowed(consented_profile):
    ids = consented_profile.emulator.ids
    token = obtain_token(consented_profile.profile, consented_profile.store, [GRAPH], "fabrikam.onmicrosoft.com")
    assert token.claims["tid"] == ids.fabrikam and token.tenant_id == ids.fabrikam
    assert token.claims["aud"] == "https://graph.microsoft.com"


def test_customer_tenant_without_gdap_is_denied_with_remediation(consented_profile):
    ids = consented_profile.emulator.ids
    before = consented_profile.refresh_token()
    with pytest.raises(bridge.TenantAccessError) as info:
        obtain_token(consented_profile.profile, consented_profile.store, [GRAPH], ids.tailspin)
    assert info.value.codes == (50020,) and "GDAP" in info.value.remediation
    assert consented_profile.refresh_token() == before  # a refusal never touches the stored token


def test_customer_tenant_without_consent_is_denied_with_remediation(consented_profile):
    ids = consented_profile.emulator.ids
    with pytest.raises(bridge.ConsentRequiredError) as info:
        obtain_token(consented_profile.profile, consented_profile.store, [GRAPH], ids.woodgrove)
    assert info.value.codes == (65001,) and "Partner Center" in info.value.remediation


def test_ninety_days_of_inactivity_expires_the_token_with_remediation(consented_profile):
    p, store, emulator = consented_profile.profile, consented_profile.store, consented_profile.emulator
    before = consented_profile.refresh_token()
    emulator.advance_clock(90 * 86400 + 60)
    with pytest.raises(bridge.RefreshTokenExpiredError) as info:
        obtain_token(p, store, [GRAPH])
    err = info.value
    assert err.codes == (700082,) and err.suberror == "bad_token"
    assert "90 days without use" in err.remediation and "sam-bridge consent --profile contoso" in err.remediation
    assert "issued on 20" in err.remediation  # the issue date from Entra's message
    assert consented_profile.refresh_token() == before


def test_revoked_sessions_map_to_50173(consented_profile):
    emulator = consented_profile.emulator
    emulator.revoke_user(emulator.ids.admin)
    with pytest.raises(bridge.RefreshTokenRevokedError) as info:
        obtain_token(consented_profile.profile, consented_profile.store, [GRAPH])
    assert info.value.codes == (50173,) and "revoked" in info.value.remediation


def test_garbage_refresh_token_maps_to_70000(emulator_profile):
    bridge.import_refresh_token("0.AXgarbage-not-a-token", emulator_profile.profile, verify=False)
    with pytest.raises(bridge.AuthenticationError) as info:
        obtain_token(emulator_profile.profile, emulator_profile.store, [GRAPH])
    assert 70000 in info.value.codes and "not valid" in info.value.remediation


def test_non_mfa_consent_cannot_reach_partner_center(emulator_profile):
    from tests.fixtures.profiles import device_code_consent

    handle = emulator_profile.with_profile(scopes=(GRAPH,))
    device_code_consent(handle, handle.emulator.ids.helpdesk, mfa=False)
    assert handle.metadata()["mfa"] is False
    with pytest.raises(bridge.InteractionRequiredError) as info:
        obtain_token(handle.profile, handle.store, [PARTNER_CENTER])
    assert info.value.codes == (50076,) and "Multi-factor" in info.value.remediation


def test_unknown_tenant_maps_to_90002(consented_profile):
    with pytest.raises(bridge.TenantAccessError) as info:
        obtain_token(consented_profile.profile, consented_profile.store, [GRAPH], "nosuch.onmicrosoft.com")
    assert 90002 in info.value.codes


def test_unknown_application_maps_to_700016(consented_profile):
    handle = consented_profile.with_profile(app_id="00000000-1111-2222-3333-444444444444")
    with pytest.raises(bridge.TenantAccessError) as info:
        obtain_token(handle.profile, handle.store, [GRAPH])
    assert 700016 in info.value.codes


@pytest.mark.parametrize("credential, code, cls", [
    ("none", 7000218, bridge.ClientCredentialError),
    ("secret", 7000215, bridge.ClientCredentialError),
])
def test_confidential_app_credential_errors(consented_profile, monkeypatch, credential, code, cls):
    handle = consented_profile.with_profile(app_id=consented_profile.emulator.ids.secret_app, credential=credential)
    monkeypatch.setenv("SAM_BRIDGE_CLIENT_SECRET", "not-the-secret")
    with pytest.raises(cls) as info:
        obtain_token(handle.profile, handle.store, [GRAPH])
    assert code in info.value.codes


def test_public_app_with_a_secret_maps_to_700025(consented_profile, monkeypatch):
    handle = consented_profile.with_profile(credential="secret")
    monkeypatch.setenv("SAM_BRIDGE_CLIENT_SECRET", "any-secret-value")
    with pytest.raises(bridge.ClientCredentialError) as info:
        obtain_token(handle.profile, handle.store, [GRAPH])
    assert 700025 in info.value.codes and "--public-client" in info.value.remediation


def test_status_tracks_the_ninety_day_deadline(consented_profile):
    st = status(consented_profile.profile, consented_profile.store)
    assert st.state == "ok" and 89.9 < st.days_left <= 90
    from datetime import timedelta

    later = status(consented_profile.profile, consented_profile.store, now=st.issued_at + timedelta(days=80))
    assert later.state == "warning" and 9.9 < later.days_left <= 10
    gone = status(consented_profile.profile, consented_profile.store, now=st.issued_at + timedelta(days=91))
    assert gone.state == "expired"


def test_keepalive_restarts_the_clock(consented_profile):
    before = consented_profile.metadata()
    st = bridge.keepalive(consented_profile.profile)
    after = consented_profile.metadata()
    assert after["issued_at"] > before["issued_at"] and st.issued_at is not None
    assert consented_profile.refresh_token() != ""


@pytest.mark.parametrize("cause", ["revoked", "inactive"])
def test_status_after_one_refused_exchange_says_refused(consented_profile, cause):
    """status reads the record, so the record keeps Entra's last refusal: code, when, remediation."""
    p, store, emulator = consented_profile.profile, consented_profile.store, consented_profile.emulator
    token_before = consented_profile.refresh_token()
    if cause == "revoked":
        emulator.revoke_user(emulator.ids.admin)
    else:
        emulator.advance_clock(91 * 86400)
    assert status(p, store).state == "ok"  # nothing has asked Entra yet
    with pytest.raises(bridge.AuthenticationError):
        obtain_token(p, store, [GRAPH], force_refresh=True)
    st = status(p, store).to_dict()
    code = "AADSTS50173" if cause == "revoked" else "AADSTS700082"
    assert st["state"] == "refused" and st["refusal_code"] == code and st["refused_at"]
    assert st["refusal_tenant"] == p.tenant and code in st["refusal_message"]
    assert "sam-bridge consent --profile contoso" in st["refusal_remediation"]
    assert consented_profile.refresh_token() == token_before  # the token itself is kept
    result = consented_profile.cli("status", "--profile", "contoso", "--json")
    assert result.returncode == 1 and '"state": "refused"' in result.stdout


def test_a_later_success_ends_the_refused_state(consented_profile):
    p, store, emulator = consented_profile.profile, consented_profile.store, consented_profile.emulator
    with pytest.raises(bridge.AuthenticationError):  # a refusal about the customer, then a success
        obtain_token(p, store, [GRAPH], emulator.ids.tailspin)
    assert status(p, store).state == "refused" and status(p, store).to_dict()["refusal_code"] == "AADSTS50020"
    obtain_token(p, store, [GRAPH], emulator.ids.fabrikam)
    st = status(p, store).to_dict()
    assert st["state"] == "ok" and st["refusal_code"] is None


def test_a_batch_records_its_refusal(consented_profile):
    from bridge._services import batch as _batch

    handle, ids = consented_profile, consented_profile.emulator.ids
    handle.emulator.revoke_user(ids.admin)
    results = list(_batch.tokens(handle.profile, handle.store, [GRAPH], [ids.fabrikam, ids.northwind]))
    assert all(not r.ok for r in results)
    assert status(handle.profile, handle.store).to_dict()["refusal_code"] == "AADSTS50173"
