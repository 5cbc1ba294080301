"""The control API, the request log (fingerprints, never secrets) and the Partner Center stand-in."""
from __future__ import annotations

import json

import pytest

from bridge._core.scrub import fingerprint
from bridge.emulator import EmulatorControlError

from ._helpers import GRAPH, PARTNER_CENTER, browser_sign_in


def test_request_log_fingerprints_and_no_secrets(emulator):
    first = emulator.device_code_login(emulator.secret_app(), [GRAPH])
    old_rt = first["refresh_token"]
    second = emulator.secret_app().acquire_token_by_refresh_token(old_rt, [GRAPH])
    app = emulator.public_app()
    flow = app.initiate_auth_code_flow([GRAPH], redirect_uri="http://localhost:8400")
    browser_sign_in(emulator, flow["auth_uri"], emulator.ids.admin)

    log = emulator.requests()
    refresh = next(r for r in log if r["grant_type"] == "refresh_token")
    assert refresh["presented_rt"] == fingerprint(old_rt)
    assert refresh["issued_rt"] == fingerprint(second["refresh_token"])
    assert refresh["endpoint"] == "token" and refresh["status"] == 200 and refresh["error"] is None
    assert refresh["tenant"] == emulator.ids.partner and refresh["client_id"] == emulator.ids.secret_app
    assert refresh["scope"].startswith(GRAPH) and refresh["latency_ms"] >= 0 and refresh["fault"] is None
    device = next(r for r in log if r["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code")
    assert device["issued_rt"] == fingerprint(old_rt) and device["presented_rt"] is None
    endpoints = {r["endpoint"] for r in log}
    assert {"discovery", "devicecode", "token", "authorize"} <= endpoints and "control" not in endpoints
    assert not any(r["path"].startswith("/_emulator") for r in log)

    dumped = json.dumps(log)
    secrets = [old_rt, second["refresh_token"], first["access_token"], second["access_token"], first["id_token"],
               emulator.ids.client_secret, emulator.ids.password, emulator.ids.totp_secret]
    assert not [s for s in secrets if s in dumped]

    later = emulator.requests(since=refresh["seq"])
    assert later and all(r["seq"] > refresh["seq"] for r in later)


def test_errors_are_logged_with_codes(emulator):
    emulator.public_app().acquire_token_by_refresh_token("1.AXkA" + "z" * 64, [GRAPH])
    [entry] = [r for r in emulator.requests() if r["endpoint"] == "token"]
    assert entry["status"] == 400 and entry["error"] == "invalid_grant" and entry["error_codes"] == [70000]
    assert entry["presented_rt"] == fingerprint("1.AXkA" + "z" * 64)


def test_health_and_reset(emulator):
    health = emulator.health()
    assert health["status"] == "ok" and health["partner_tenant"] == emulator.ids.partner
    assert health["authority_host"] == emulator.authority_host and health["ca_bundle"] == emulator.ca_bundle
    emulator.advance_clock(3600)
    emulator.update_settings(token_latency_ms=5)
    emulator.add_fault("500")
    directory = emulator.get_directory()
    directory["users"] = directory["users"][:1]
    emulator.put_directory(directory)
    emulator.reset()
    assert emulator.clock()["offset_seconds"] == 0 and emulator.faults() == []
    assert emulator.settings()["token_latency_ms"] == 0
    assert len(emulator.get_directory()["users"]) == 3 and emulator.requests() == []


def test_directory_round_trip_keeps_tokens(emulator):
    rt = emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]
    directory = emulator.get_directory()
    assert {t["name"] for t in directory["tenants"]} == {
        "Contoso Partner", "Fabrikam", "Northwind Traders", "Tailspin Toys", "Woodgrove Bank"
    }
    emulator.put_directory(directory)
    assert "access_token" in emulator.public_app().acquire_token_by_refresh_token(rt, [GRAPH])
    directory["apps"][0]["app_id"] = "not-a-guid"
    with pytest.raises(EmulatorControlError) as excinfo:
        emulator.put_directory(directory)
    assert excinfo.value.status == 400 and "not a GUID" in excinfo.value.body["message"]


def test_clock(emulator):
    before = emulator.clock()
    after = emulator.advance_clock(86400)
    assert after["offset_seconds"] == 86400 and after["now"] - before["now"] >= 86400
    with pytest.raises(EmulatorControlError):
        emulator.advance_clock(-1)


def test_settings_validation(emulator):
    assert emulator.update_settings(access_token_lifetime=7200)["access_token_lifetime"] == 7200
    for bad in ({"no_such": 1}, {"device_code_interval": 0}, {"rate_limit": {"per_second": -1}}):
        with pytest.raises(EmulatorControlError) as excinfo:
            emulator.update_settings(bad)
        assert excinfo.value.status == 400


def test_certificate_registration_errors(emulator):
    with pytest.raises(EmulatorControlError) as public:
        emulator.add_certificate(emulator.ids.public_app, "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----")
    assert public.value.status == 400
    with pytest.raises(EmulatorControlError) as garbage:
        emulator.add_certificate(emulator.ids.cert_app, "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----")
    assert garbage.value.status == 400
    with pytest.raises(EmulatorControlError) as unknown:
        emulator.add_certificate("00000000-0000-0000-0000-000000000000", "x")
    assert unknown.value.status in (400, 404)


def test_users_endpoints(emulator):
    revoked = emulator.revoke_user(emulator.ids.helpdesk)
    assert revoked["upn"] == emulator.ids.helpdesk and revoked["tokens_valid_from"].endswith("Z")
    with pytest.raises(EmulatorControlError) as excinfo:
        emulator.revoke_user("nobody@nowhere.example")
    assert excinfo.value.status == 404


def test_unknown_control_endpoint(emulator):
    with pytest.raises(EmulatorControlError) as excinfo:
        emulator._call("GET", "nothing-here")
    assert excinfo.value.status == 404


def test_partner_center_customers(emulator):
    rt = emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]
    token = emulator.public_app().acquire_token_by_refresh_token(rt, [PARTNER_CENTER])["access_token"]
    url = f"{emulator.authority_host}/partnercenter/v1/customers"
    http = emulator.no_retry_http()
    body = http.get(url, headers={"Authorization": f"Bearer {token}"}).json()
    assert body["attributes"] == {"objectType": "Collection"}
    names = {item["companyProfile"]["companyName"] for item in body["items"]}
    assert names == {"Fabrikam", "Northwind Traders", "Woodgrove Bank"} and body["totalCount"] == 3
    fabrikam = next(i for i in body["items"] if i["id"] == emulator.ids.fabrikam)
    assert fabrikam["companyProfile"] == {
        "tenantId": emulator.ids.fabrikam, "domain": "fabrikam.onmicrosoft.com", "companyName": "Fabrikam",
        "attributes": {"objectType": "CustomerCompanyProfile"},
    }
    assert fabrikam["relationshipToPartner"] == "reseller"

    graph_token = emulator.public_app().acquire_token_by_refresh_token(rt, [GRAPH])["access_token"]
    assert http.get(url, headers={"Authorization": f"Bearer {graph_token}"}).status_code == 401
    assert http.get(url).status_code == 401
    emulator.advance_clock(2 * 3600)  # the Partner Center token has expired in emulator time
    assert http.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    [logged] = [r for r in emulator.requests() if r["endpoint"] == "partnercenter" and r["status"] == 200]
    assert logged["tenant"] == emulator.ids.partner


def test_partner_center_lists_customers_whatever_their_gdap_status(emulator):
    """Partner Center lists the partner's customers; an ended relationship is Graph's news, not its."""
    directory = emulator.get_directory()
    for relationship in directory["gdap"]:
        if relationship["customer"] == emulator.ids.woodgrove:
            relationship["status"] = "terminated"
    emulator.put_directory(directory)
    rt = emulator.device_code_login(emulator.public_app(), [PARTNER_CENTER])
    body = emulator.no_retry_http().get(
        f"{emulator.authority_host}/partnercenter/v1/customers",
        headers={"Authorization": f"Bearer {rt['access_token']}"},
    ).json()
    assert {i["id"] for i in body["items"]} == {emulator.ids.fabrikam, emulator.ids.northwind, emulator.ids.woodgrove}
