"""The emulator's Graph and Partner Center consent endpoints, and what the token endpoint makes of them.

Spoken over real HTTPS with msal for every token, as a client of the real services would.
"""
from __future__ import annotations

from typing import Any

import pytest

GRAPH = "00000003-0000-0000-c000-000000000000"
PARTNER_CENTER = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"
BOOTSTRAP = "14d82eec-204b-4c2f-b7e8-296a70dab67e"  # Microsoft Graph Command Line Tools, in the seed
USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
PC_IMPERSONATION = "1cebfa2a-fb4d-419e-b5f9-839b4383e05a"


class Graph:
    """A tiny Graph caller over the pinned session (what a partner's script would do)."""

    def __init__(self, emulator: Any, token: str) -> None:
        self.base = emulator.info["graph_url"] + "/v1.0"
        self.http = emulator.no_retry_http()
        self.token = token

    def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self.http.request(method, self.base + path, json=body, params=params or None,
                                     headers={"Authorization": f"Bearer {self.token}"})
        return response.status_code, (response.json() if response.content else None)


def bootstrap_graph(emulator: Any, scopes: tuple[str, ...] = ("https://graph.microsoft.com/.default",)) -> Graph:
    app = emulator.public_app(client_id=BOOTSTRAP)
    result = emulator.device_code_login(app, list(scopes))
    assert "access_token" in result, result
    return Graph(emulator, result["access_token"])


def create_app(graph: Graph) -> dict[str, Any]:
    status, app = graph("POST", "/applications", {
        "displayName": "Contoso-SAM",
        "signInAudience": "AzureADMultipleOrgs",
        "publicClient": {"redirectUris": ["http://localhost"]},
        "requiredResourceAccess": [
            {"resourceAppId": GRAPH, "resourceAccess": [{"id": USER_READ, "type": "Scope"}]},
            {"resourceAppId": PARTNER_CENTER, "resourceAccess": [{"id": PC_IMPERSONATION, "type": "Scope"}]},
        ],
    })
    assert status == 201, app
    return app


def partner_center_token(emulator: Any) -> str:
    result = emulator.device_code_login(emulator.public_app(), ["https://api.partnercenter.microsoft.com/user_impersonation"])
    return result["access_token"]


def cpv(emulator: Any, token: str, customer: str, app_id: str, scope: str = "User.Read") -> Any:
    response = emulator.no_retry_http().post(
        f"{emulator.info['partner_center_url']}/v1/customers/{customer}/applicationconsents",
        json={"applicationId": app_id, "displayName": "Contoso-SAM",
              "applicationGrants": [{"enterpriseApplicationId": GRAPH, "scope": scope}]},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    return response.status_code, response.json()


def secret_login(emulator: Any, app_id: str, secret: str, tenant: str | None = None) -> dict[str, Any]:
    app = emulator.secret_app(tenant, secret=secret, client_id=app_id)
    return app.acquire_token_for_client(["https://graph.microsoft.com/.default"])


def test_new_app_lifecycle_is_honoured_by_the_token_endpoint(emulator: Any) -> None:
    graph = bootstrap_graph(emulator)
    app = create_app(graph)
    assert app["passwordCredentials"] == [] and app["signInAudience"] == "AzureADMultipleOrgs"
    status, sp = graph("POST", "/servicePrincipals", {"appId": app["appId"]})
    assert status == 201 and sp["appId"] == app["appId"]
    status, again = graph("POST", "/servicePrincipals", {"appId": app["appId"]})
    assert status == 409 and again["error"]["code"] == "Request_MultipleObjectsWithSameKeyValue"

    status, secret = graph("POST", f"/applications/{app['id']}/addPassword", {"passwordCredential": {"displayName": "SAM"}})
    assert status == 200 and secret["hint"] == secret["secretText"][:3]
    assert secret["endDateTime"] > secret["startDateTime"]
    status, listed = graph("GET", f"/applications(appId='{app['appId']}')")
    assert [p["keyId"] for p in listed["passwordCredentials"]] == [secret["keyId"]]
    assert listed["passwordCredentials"][0]["secretText"] is None

    # The partner tenant has the service principal now; a customer does not (AADSTS700016).
    assert "access_token" in secret_login(emulator, app["appId"], secret["secretText"])
    refused = secret_login(emulator, app["appId"], secret["secretText"], emulator.ids.fabrikam)
    assert 700016 in refused["error_codes"]

    # A user sign-in with the new app at a customer without consent: AADSTS65001.
    confidential = emulator.secret_app(secret=secret["secretText"], client_id=app["appId"])
    graph_grant = graph("GET", "/oauth2PermissionGrants")
    assert graph_grant[0] == 200
    status, _ = graph("POST", "/oauth2PermissionGrants", {
        "clientId": sp["id"], "consentType": "AllPrincipals", "scope": "User.Read",
        "resourceId": _sp_id(graph, GRAPH)})
    assert status == 201
    status, dup = graph("POST", "/oauth2PermissionGrants", {
        "clientId": sp["id"], "consentType": "AllPrincipals", "scope": "User.Read", "resourceId": _sp_id(graph, GRAPH)})
    assert status == 409 and dup["error"]["message"] == "Permission entry already exists."
    login = emulator.device_code_login(confidential, ["https://graph.microsoft.com/User.Read"])
    assert "refresh_token" in login, login
    at_customer = emulator.secret_app(emulator.ids.fabrikam, secret=secret["secretText"], client_id=app["appId"])
    refused = at_customer.acquire_token_by_refresh_token(login["refresh_token"], ["https://graph.microsoft.com/User.Read"])
    assert 65001 in refused["error_codes"]

    # Partner Center consent into Fabrikam, then the same redemption works.
    pc = partner_center_token(emulator)
    status, body = cpv(emulator, pc, emulator.ids.fabrikam, app["appId"])
    assert status == 201, body
    status, body = cpv(emulator, pc, emulator.ids.fabrikam, app["appId"])
    assert status == 409 and body["description"] == "Permission entry already exists."
    at_customer = emulator.secret_app(emulator.ids.fabrikam, secret=secret["secretText"], client_id=app["appId"])
    ok = at_customer.acquire_token_by_refresh_token(login["refresh_token"], ["https://graph.microsoft.com/User.Read"])
    assert "access_token" in ok, ok

    # Expired, then removed: 7000222, then 7000215.
    emulator.expire_credential(app["appId"], secret["keyId"])
    assert 7000222 in secret_login(emulator, app["appId"], secret["secretText"])["error_codes"]
    status, _ = graph("POST", f"/applications/{app['id']}/removePassword", {"keyId": secret["keyId"]})
    assert status == 204
    assert 7000215 in secret_login(emulator, app["appId"], secret["secretText"])["error_codes"]
    status, _ = graph("POST", f"/applications/{app['id']}/removePassword", {"keyId": secret["keyId"]})
    assert status == 404


def _sp_id(graph: Graph, app_id: str) -> str:
    status, body = graph("GET", f"/servicePrincipals(appId='{app_id}')")
    assert status == 200, body
    return body["id"]


def test_partner_center_refuses_tenants_without_gdap_or_admin_agent_roles(emulator: Any) -> None:
    pc = partner_center_token(emulator)
    status, body = cpv(emulator, pc, emulator.ids.tailspin, emulator.ids.secret_app)
    assert status == 404 and "GDAP" in body["description"]
    status, body = cpv(emulator, pc, emulator.ids.woodgrove, emulator.ids.secret_app)
    assert status == 403 and body["description"].startswith("The supplied role does not have the rights")
    status, body = cpv(emulator, pc, emulator.ids.woodgrove, emulator.ids.internal_app)
    assert status == 403  # the role check comes first, as a partner without rights learns nothing more
    status, body = cpv(emulator, pc, emulator.ids.fabrikam, emulator.ids.internal_app)
    assert status == 400 and "not multi-tenant" in body["description"]
    status, body = cpv(emulator, pc, emulator.ids.fabrikam, emulator.ids.public_app, scope="No.Such.Scope")
    assert status == 400


def test_graph_enforces_the_callers_permissions(emulator: Any) -> None:
    reader = bootstrap_graph(emulator, ("https://graph.microsoft.com/User.Read",))
    status, body = reader("POST", "/applications", {"displayName": "x"})
    assert status == 403 and body["error"]["code"] == "Authorization_RequestDenied"
    status, body = reader("GET", "/organization")
    assert status == 200 and body["value"][0]["id"] == emulator.ids.partner
    no_token = Graph(emulator, "")
    status, body = no_token("GET", "/organization")
    assert status == 401 and body["error"]["code"] == "InvalidAuthenticationToken"
    writer = bootstrap_graph(emulator)
    status, body = writer("POST", "/applications", {"displayName": "x", "requiredResourceAccess": [
        {"resourceAppId": GRAPH, "resourceAccess": [{"id": "00000000-0000-0000-0000-000000000000", "type": "Scope"}]}]})
    assert status == 400
    status, body = writer("GET", "/applications", **{"$filter": "displayName eq 'x'"})
    assert body["value"] == []  # a refused create created nothing


def test_app_management_policy_refuses_long_secrets(emulator: Any) -> None:
    graph = bootstrap_graph(emulator)
    app = create_app(graph)
    emulator.set_app_management_policy("P90D")
    status, policy = graph("GET", "/policies/defaultAppManagementPolicy")
    assert status == 200 and policy["applicationRestrictions"]["passwordCredentials"][0]["maxLifetime"] == "P90D"
    status, body = graph("POST", f"/applications/{app['id']}/addPassword", {})
    assert status == 400 and body["error"]["code"] == "CredentialInvalidLifetimeAsPerAppPolicy"
    assert body["error"]["message"].startswith("Credential lifetime exceeds the max value allowed as per assigned policy")
    from datetime import datetime, timedelta, timezone

    end = (datetime.now(timezone.utc) + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, body = graph("POST", f"/applications/{app['id']}/addPassword", {"passwordCredential": {"endDateTime": end}})
    assert status == 200, body
    emulator.reset()
    status, _ = bootstrap_graph(emulator)("GET", "/policies/defaultAppManagementPolicy")
    assert status == 200


@pytest.mark.parametrize("kind", ["503", "429"])
def test_graph_faults_are_injected_and_change_nothing(emulator: Any, kind: str) -> None:
    graph = bootstrap_graph(emulator)
    emulator.add_fault(kind, "graph", retry_after=0)
    response = graph.http.post(graph.base + "/applications", json={"displayName": "Faulted"},
                               headers={"Authorization": f"Bearer {graph.token}"})
    assert response.status_code == int(kind)
    status, body = graph("GET", "/applications", **{"$filter": "displayName eq 'Faulted'"})
    assert status == 200 and body["value"] == []


def test_grants_and_app_role_assignments_change_what_tokens_carry(emulator: Any) -> None:
    graph = bootstrap_graph(emulator)
    app = create_app(graph)
    status, sp = graph("POST", "/servicePrincipals", {"appId": app["appId"]})
    assert status == 201
    graph_sp = _sp_id(graph, GRAPH)
    status, grant = graph("POST", "/oauth2PermissionGrants", {
        "clientId": sp["id"], "consentType": "AllPrincipals", "scope": "User.Read", "resourceId": graph_sp})
    assert status == 201
    status, _ = graph("PATCH", f"/oauth2PermissionGrants/{grant['id']}", {"scope": "User.Read Directory.Read.All"})
    assert status == 204
    status, listed = graph("GET", "/oauth2PermissionGrants", **{"$filter": f"clientId eq '{sp['id']}'"})
    assert [g["scope"] for g in listed["value"]] == ["User.Read Directory.Read.All"]
    # An app role (application permission) assigned to the app shows in its app-only token.
    _, resource = graph("GET", f"/servicePrincipals(appId='{GRAPH}')")
    role = next(r for r in resource["appRoles"] if r["value"] == "Application.Read.All")
    assert role["id"] == "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"  # Microsoft's published id
    status, assignment = graph("POST", f"/servicePrincipals/{graph_sp}/appRoleAssignedTo",
                               {"principalId": sp["id"], "resourceId": graph_sp, "appRoleId": role["id"]})
    assert status == 201 and assignment["appRoleId"] == role["id"]
    status, _ = graph("POST", f"/applications/{app['id']}/addPassword", {})
    secret = _["secretText"]
    import jwt

    token = secret_login(emulator, app["appId"], secret)["access_token"]
    # (the emulator's consent record keeps names, so a delegated Directory.Read.All counts as the role too)
    assert "Application.Read.All" in jwt.decode(token, options={"verify_signature": False})["roles"]
    status, _ = graph("DELETE", f"/oauth2PermissionGrants/{grant['id']}")
    assert status == 204
    status, listed = graph("GET", "/oauth2PermissionGrants", **{"$filter": f"clientId eq '{sp['id']}'"})
    assert listed["value"] == []
