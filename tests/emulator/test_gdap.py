"""GDAP relationships, access assignments and group membership on the Graph stand-in; their effect on
the token endpoint; Partner Center's customer list, paging and its 900421 answer; token lifetimes."""
from __future__ import annotations

import re

import pytest

from bridge.emulator.client import EmulatorControlError

from ._helpers import GRAPH, PARTNER_CENTER, aadsts, unverified

DAY = 86400
EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
GDAP_ADMINS = "3c3f0b6e-9a51-4d0e-9a7e-1b2f5f0c6a01"  # default seed: the partner admin
GDAP_HELPDESK = "3c3f0b6e-9a51-4d0e-9a7e-1b2f5f0c6a02"  # default seed: the helpdesk user
ADMIN_AGENTS = "3c3f0b6e-9a51-4d0e-9a7e-1b2f5f0c6a03"  # nests both
RELATIONSHIP_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def graph(emulator, token, method, path, **kwargs):
    return emulator.no_retry_http().request(method, f"{emulator.info['graph_url']}/v1.0/{path}",
                                            headers={"Authorization": f"Bearer {token}"}, **kwargs)


def user_token(emulator, scopes=(GRAPH,), username=None, mfa=True):
    return emulator.device_code_login(emulator.public_app(), list(scopes), username, mfa=mfa)


def customer_token(emulator, rt, tenant, scopes=(GRAPH,)):
    return emulator.public_app(tenant).acquire_token_by_refresh_token(rt, list(scopes))


def relationships(emulator, token, query=""):
    response = graph(emulator, token, "GET", f"tenantRelationships/delegatedAdminRelationships{query}")
    assert response.status_code == 200, response.text
    return response.json()


def test_relationships_have_graphs_shape(emulator):
    token = user_token(emulator)["access_token"]
    body = relationships(emulator, token)
    by_customer = {r["customer"]["tenantId"]: r for r in body["value"]}
    assert set(by_customer) == {emulator.ids.fabrikam, emulator.ids.northwind, emulator.ids.woodgrove}
    fabrikam = by_customer[emulator.ids.fabrikam]
    assert RELATIONSHIP_ID.match(fabrikam["id"]) and fabrikam["@odata.type"] == "#microsoft.graph.delegatedAdminRelationship"
    assert fabrikam["status"] == "active" and fabrikam["duration"] == "P730D" and fabrikam["autoExtendDuration"] == "P180D"
    assert fabrikam["customer"]["displayName"] == "Fabrikam" and fabrikam["displayName"] == "Contoso-Fabrikam GDAP"
    assert {r["roleDefinitionId"] for r in fabrikam["accessDetails"]["unifiedRoles"]} >= {GLOBAL_ADMIN, EXCHANGE_ADMIN}
    assert fabrikam["activatedDateTime"] < fabrikam["endDateTime"] and fabrikam["@odata.etag"].startswith('W/"')
    single = graph(emulator, token, "GET", f"tenantRelationships/delegatedAdminRelationships/{fabrikam['id']}").json()
    assert single["id"] == fabrikam["id"] and single["customer"] == fabrikam["customer"]
    missing = graph(emulator, token, "GET", "tenantRelationships/delegatedAdminRelationships/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "Request_ResourceNotFound"


def test_access_assignments_name_partner_security_groups(emulator):
    token = user_token(emulator)["access_token"]
    fabrikam = next(r for r in relationships(emulator, token)["value"] if r["customer"]["tenantId"] == emulator.ids.fabrikam)
    response = graph(emulator, token, "GET", f"tenantRelationships/delegatedAdminRelationships/{fabrikam['id']}/accessAssignments")
    assert response.status_code == 200, response.text
    assignments = {a["accessContainer"]["accessContainerId"]: a for a in response.json()["value"]}
    assert set(assignments) == {GDAP_ADMINS, GDAP_HELPDESK}
    admins = assignments[GDAP_ADMINS]
    assert admins["status"] == "active" and admins["accessContainer"]["accessContainerType"] == "securityGroup"
    assert EXCHANGE_ADMIN in {r["roleDefinitionId"] for r in admins["accessDetails"]["unifiedRoles"]}


def test_paging_and_filter(emulator):
    token = user_token(emulator)["access_token"]
    first = relationships(emulator, token, "?$top=2")
    assert len(first["value"]) == 2 and "@odata.nextLink" in first
    second = emulator.no_retry_http().get(first["@odata.nextLink"], headers={"Authorization": f"Bearer {token}"}).json()
    assert len(second["value"]) == 1 and "@odata.nextLink" not in second
    assert len({r["id"] for r in first["value"] + second["value"]}) == 3
    [woodgrove] = [r for r in relationships(emulator, token)["value"] if r["customer"]["tenantId"] == emulator.ids.woodgrove]
    emulator.terminate_relationship(woodgrove["id"])
    active = relationships(emulator, token, "?$filter=status eq 'active'")["value"]
    assert {r["customer"]["tenantId"] for r in active} == {emulator.ids.fabrikam, emulator.ids.northwind}
    assert graph(emulator, token, "GET", "tenantRelationships/delegatedAdminRelationships?$top=301").status_code == 400


def test_reading_relationships_needs_a_gdap_permission(emulator):
    emulator.add_consent(emulator.ids.partner, emulator.ids.public_app, {"00000003-0000-0000-c000-000000000000": ["User.Read"]})
    token = user_token(emulator)["access_token"]
    response = graph(emulator, token, "GET", "tenantRelationships/delegatedAdminRelationships")
    assert response.status_code == 403 and response.json()["error"]["code"] == "Authorization_RequestDenied"
    assert graph(emulator, "", "GET", "tenantRelationships/delegatedAdminRelationships").status_code == 401


def test_check_member_groups_is_transitive(emulator):
    admin = user_token(emulator)["access_token"]
    helpdesk = user_token(emulator, username=emulator.ids.helpdesk, mfa=False)["access_token"]
    body = {"groupIds": [GDAP_ADMINS, GDAP_HELPDESK, ADMIN_AGENTS]}
    assert set(graph(emulator, admin, "POST", "me/checkMemberGroups", json=body).json()["value"]) == {GDAP_ADMINS, ADMIN_AGENTS}
    assert set(graph(emulator, helpdesk, "POST", "me/checkMemberGroups", json=body).json()["value"]) == {GDAP_HELPDESK, ADMIN_AGENTS}
    assert graph(emulator, admin, "POST", "me/checkMemberGroups", json={"groupIds": ["x"]}).status_code == 400
    assert graph(emulator, admin, "POST", "me/checkMemberGroups", json={"groupIds": [GDAP_ADMINS] * 21}).status_code == 400


def test_expired_or_terminated_relationship_refuses_with_50020(emulator):
    rt = user_token(emulator)["refresh_token"]
    assert "access_token" in customer_token(emulator, rt, emulator.ids.fabrikam)
    fabrikam = next(g for g in emulator.relationships() if g["customer"] == emulator.ids.fabrikam)
    ended = emulator.expire_relationship(fabrikam["id"])
    assert ended["status"] == "expired"
    assert aadsts(customer_token(emulator, rt, emulator.ids.fabrikam)) == 50020
    northwind = next(g for g in emulator.relationships() if g["customer"] == emulator.ids.northwind)
    emulator.terminate_relationship(northwind["id"])
    assert aadsts(customer_token(emulator, rt, emulator.ids.northwind)) == 50020
    token = customer_token(emulator, rt, emulator.ids.partner)["access_token"]
    states = {r["customer"]["tenantId"]: r["status"] for r in relationships(emulator, token)["value"]}
    assert states[emulator.ids.fabrikam] == "expired" and states[emulator.ids.northwind] == "terminated"


def test_the_clock_expires_a_relationship_unless_it_auto_extends(emulator):
    customer = emulator.add_customer("litware.onmicrosoft.com", "Litware")["id"]
    emulator.add_consent(customer, emulator.ids.public_app)
    ending = emulator.add_relationship(customer, ["Global Administrator"], name="Litware", ends_in_days=1,
                                       auto_extend_duration="PT0S")
    extending = emulator.add_relationship(emulator.ids.woodgrove, ["Global Administrator"], name="Woodgrove 2",
                                          ends_in_days=1, auto_extend_duration="P180D")
    rt = user_token(emulator)["refresh_token"]
    assert "access_token" in customer_token(emulator, rt, customer)
    emulator.advance_clock(2 * DAY)
    rt = customer_token(emulator, rt, emulator.ids.partner)["refresh_token"]  # keep a fresh one
    assert aadsts(customer_token(emulator, rt, customer)) == 50020
    token = customer_token(emulator, rt, emulator.ids.partner)["access_token"]
    states = {r["id"]: r for r in relationships(emulator, token)["value"]}
    assert states[ending["id"]]["status"] == "expired"
    assert states[extending["id"]]["status"] == "active"
    assert states[extending["id"]]["endDateTime"] > states[ending["id"]]["endDateTime"]


def test_only_members_of_an_assigned_group_reach_the_customer(emulator):
    customer = emulator.add_customer("adatum.onmicrosoft.com", "Adatum")["id"]
    emulator.add_consent(customer, emulator.ids.public_app)
    group = emulator.add_group("Adatum Exchange admins", [emulator.ids.admin])
    relationship = emulator.add_relationship(customer, ["Exchange Administrator"],
                                             access_assignments=[{"group": group["id"], "roles": ["Exchange Administrator"]}])
    admin_rt = user_token(emulator)["refresh_token"]
    helpdesk_rt = user_token(emulator, username=emulator.ids.helpdesk, mfa=False)["refresh_token"]
    assert "access_token" in customer_token(emulator, admin_rt, customer)
    assert aadsts(customer_token(emulator, helpdesk_rt, customer)) == 50020
    emulator.add_group_member(group["id"], emulator.ids.helpdesk)
    assert "access_token" in customer_token(emulator, helpdesk_rt, customer)
    emulator.remove_group_member(group["id"], emulator.ids.helpdesk)
    [assignment] = [a for a in emulator.relationships() if a["id"] == relationship["id"]][0]["access_assignments"]
    emulator.set_access_assignment_status(relationship["id"], assignment["id"], "deleted")
    assert aadsts(customer_token(emulator, admin_rt, customer)) == 50020
    with pytest.raises(EmulatorControlError) as refused:  # roles must be granted by the relationship
        emulator.add_access_assignment(relationship["id"], group["id"], ["Global Administrator"])
    assert refused.value.status == 400


def test_a_relationship_seeded_without_assignments_admits_every_partner_user(emulator):
    customer = emulator.add_customer("proseware.onmicrosoft.com", "Proseware")["id"]
    emulator.add_consent(customer, emulator.ids.public_app)
    relationship = emulator.add_relationship(customer, ["Global Reader"])
    helpdesk_rt = user_token(emulator, username=emulator.ids.helpdesk, mfa=False)["refresh_token"]
    assert "access_token" in customer_token(emulator, helpdesk_rt, customer)
    token = user_token(emulator)["access_token"]
    [assignment] = graph(emulator, token, "GET", f"tenantRelationships/delegatedAdminRelationships/{relationship['id']}/"
                                                  "accessAssignments").json()["value"]
    everyone = assignment["accessContainer"]["accessContainerId"]
    assert graph(emulator, token, "POST", "me/checkMemberGroups", json={"groupIds": [everyone]}).json()["value"] == [everyone]


def _partner_center(emulator, token, path="/v1/customers", headers=None):
    return emulator.no_retry_http().get(f"{emulator.info['partner_center_url']}{path}",
                                        headers={"Authorization": f"Bearer {token}", **(headers or {})})


def test_partner_center_pages_with_a_continuation_token(emulator):
    for n in range(4):
        customer = emulator.add_customer(f"pager{n}.onmicrosoft.com", f"Pager {n}")["id"]
        emulator.add_relationship(customer, ["Global Reader"], status="expired" if n == 0 else "active")
    token = user_token(emulator, [PARTNER_CENTER])["access_token"]
    seen, path, headers, pages = [], "/v1/customers?size=3", {}, 0
    while path:
        response = _partner_center(emulator, token, path, headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        seen += [item["id"] for item in body["items"]]
        assert body["totalCount"] == len(body["items"])
        following = body["links"].get("next")
        path = following and following["uri"]
        headers = following and {h["key"]: h["value"] for h in following["headers"]}
        if following:
            assert following["uri"] == "/v1/customers?size=3&seekOperation=Next" and "MS-ContinuationToken" in headers
    assert pages == 3 and len(seen) == len(set(seen)) == 7  # 3 default customers with GDAP + 4, an expired one too
    refused = _partner_center(emulator, token, "/v1/customers?size=3&seekOperation=Next")
    assert refused.status_code == 400
    assert _partner_center(emulator, token, "/v1/customers?size=0").status_code == 400


def test_partner_center_refuses_a_token_without_mfa_with_900421(emulator):
    # The partner's users satisfy MFA outside Entra: Entra issues the token, Partner Center refuses it.
    emulator.set_conditional_access(emulator.ids.partner, external_mfa=True)
    signed_in = user_token(emulator, [PARTNER_CENTER], username=emulator.ids.helpdesk, mfa=False)
    assert unverified(signed_in["access_token"])["amr"] == ["pwd"]
    response = _partner_center(emulator, signed_in["access_token"])
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 900421 and body["source"] == "PartnerFD" and "MFA" in body["description"]
    # The refresh token remembers the sign-in: a redeemed token still has no mfa.
    renewed = emulator.public_app().acquire_token_by_refresh_token(signed_in["refresh_token"], [PARTNER_CENTER])
    assert "mfa" not in unverified(renewed["access_token"])["amr"]
    assert _partner_center(emulator, renewed["access_token"]).json()["code"] == 900421
    consent = emulator.no_retry_http().post(
        f"{emulator.info['partner_center_url']}/v1/customers/{emulator.ids.fabrikam}/applicationconsents",
        headers={"Authorization": f"Bearer {renewed['access_token']}"}, json={})
    assert consent.status_code == 401 and consent.json()["code"] == 900421
    # An MFA sign-in passes; so does an App-only token.
    mfa = user_token(emulator, [PARTNER_CENTER])
    assert "mfa" in unverified(mfa["access_token"])["amr"] and _partner_center(emulator, mfa["access_token"]).status_code == 200
    app_only = emulator.secret_app(emulator.ids.partner).acquire_token_for_client(["https://api.partnercenter.microsoft.com/.default"])
    assert _partner_center(emulator, app_only["access_token"]).status_code == 200


def test_without_external_mfa_entra_still_asks_for_mfa(emulator):
    result = emulator.device_code_login(emulator.public_app(), [PARTNER_CENTER], emulator.ids.helpdesk, mfa=False)
    assert aadsts(result) == 50076


def test_token_lifetime_per_audience(emulator):
    emulator.set_token_lifetime(120, "https://graph.microsoft.com")
    graph_token = user_token(emulator)
    assert graph_token["expires_in"] == 120
    claims = unverified(graph_token["access_token"])
    assert claims["exp"] - claims["iat"] == 120
    pc = emulator.public_app().acquire_token_by_refresh_token(graph_token["refresh_token"], [PARTNER_CENTER])
    assert pc["expires_in"] == 3600  # the seed's global setting
    emulator.set_token_lifetime(300)
    emulator.set_token_lifetime(None, "https://graph.microsoft.com")
    again = emulator.public_app().acquire_token_by_refresh_token(graph_token["refresh_token"], [GRAPH])
    assert again["expires_in"] == 300
    with pytest.raises(EmulatorControlError):
        emulator.set_token_lifetime(30, "https://graph.microsoft.com")


def test_partner_center_consent_needs_the_role_through_the_users_groups(emulator):
    customer = emulator.add_customer("fourthcoffee.onmicrosoft.com", "Fourth Coffee")["id"]
    group = emulator.add_group("Fourth Coffee admins", [emulator.ids.helpdesk])
    emulator.add_relationship(customer, ["Global Administrator"],
                              access_assignments=[{"group": group["id"], "roles": ["Global Administrator"]}])
    token = user_token(emulator, [PARTNER_CENTER])["access_token"]  # the admin is not in the group
    body = {"applicationId": emulator.ids.public_app, "displayName": "sam-bridge",
            "applicationGrants": [{"enterpriseApplicationId": "00000003-0000-0000-c000-000000000000", "scope": "User.Read"}]}
    url = f"{emulator.info['partner_center_url']}/v1/customers/{customer}/applicationconsents"
    refused = emulator.no_retry_http().post(url, headers={"Authorization": f"Bearer {token}"}, json=body)
    assert refused.status_code == 403
    emulator.add_group_member(group["id"], group=GDAP_ADMINS)  # nested: the admin is in now
    created = emulator.no_retry_http().post(url, headers={"Authorization": f"Bearer {token}"}, json=body)
    assert created.status_code == 201, created.text


def test_seed_errors_are_specific(emulator):
    directory = emulator.get_directory()
    directory["gdap"][0]["access_assignments"][0]["group"] = "11111111-1111-1111-1111-111111111111"
    with pytest.raises(EmulatorControlError, match="not a security group of the partner tenant"):
        emulator.put_directory(directory)
    directory = emulator.get_directory()
    directory["gdap"][0]["roles"] = ["Exchange Admin"]
    with pytest.raises(EmulatorControlError, match="neither an Entra role name"):
        emulator.put_directory(directory)
    directory = emulator.get_directory()
    directory["gdap"][0]["duration"] = "P3Y"
    with pytest.raises(EmulatorControlError, match="between P1D and P2Y"):
        emulator.put_directory(directory)
    round_trip = emulator.get_directory()
    emulator.put_directory(round_trip)
    assert emulator.get_directory()["gdap"] == round_trip["gdap"]
