"""Resources and scopes: the access token's aud/scp for every built-in resource and scope form."""
from __future__ import annotations

import pytest

from ._helpers import GRAPH, aadsts, verify_token

GRAPH_ID = "00000003-0000-0000-c000-000000000000"
TEAMS_ID = "48ac35b8-9aa8-4d74-927d-1f4a14a0b239"

CASES = [
    # scope as the client sends it, expected aud, expected scp (None: every consented delegated permission)
    ("https://management.azure.com/.default", "https://management.azure.com", "user_impersonation"),
    ("https://management.azure.com//user_impersonation", "https://management.azure.com/", "user_impersonation"),
    ("https://management.core.windows.net//.default", "https://management.core.windows.net/", "user_impersonation"),
    ("User.Read", GRAPH_ID, "User.Read"),
    ("https://graph.microsoft.com/Directory.Read.All", "https://graph.microsoft.com", "Directory.Read.All"),
    (f"{GRAPH_ID}/User.Read", GRAPH_ID, "User.Read"),
    ("https://graph.windows.net/.default", "https://graph.windows.net", None),
    ("https://api.partnercenter.microsoft.com/user_impersonation", "https://api.partnercenter.microsoft.com",
     "user_impersonation"),
    ("https://outlook.office365.com/.default", "https://outlook.office365.com", None),
    ("https://ps.compliance.protection.outlook.com/.default", "https://ps.compliance.protection.outlook.com", None),
    (f"{TEAMS_ID}/.default", TEAMS_ID, "user_impersonation"),
    ("https://vault.azure.net/user_impersonation", "https://vault.azure.net", "user_impersonation"),
    ("https://contosopartner-admin.sharepoint.com/.default", "https://contosopartner-admin.sharepoint.com", None),
    ("https://fabrikam.sharepoint.com/AllSites.FullControl", "https://fabrikam.sharepoint.com", "AllSites.FullControl"),
]


@pytest.mark.parametrize("scope, audience, scp", CASES, ids=[c[0] for c in CASES])
def test_audience_and_scp(emulator, scope, audience, scp):
    rt = emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]
    result = emulator.public_app().acquire_token_by_refresh_token(rt, [scope])
    assert "access_token" in result, result
    claims = verify_token(emulator, result["access_token"], audience=audience)
    assert claims["aud"] == audience
    if scp is not None:
        assert claims["scp"] == scp
    else:
        assert claims["scp"]  # all the consented delegated permissions of that resource
    assert result["scope"] == scope  # echoed in the requested spelling (msal matches it later)


def test_unknown_permission_is_70011(emulator):
    result = emulator.public_app().initiate_device_flow(scopes=["https://graph.microsoft.com/Not.A.Permission"])
    assert result["error"] == "invalid_scope" and aadsts(result) == 70011
    assert result["error_description"].startswith(
        "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope "
        "https://graph.microsoft.com/Not.A.Permission is not valid."
    )


def test_unknown_resource_is_500011(emulator):
    rt = emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]
    result = emulator.public_app().acquire_token_by_refresh_token(rt, ["https://api.contoso.example/.default"])
    assert result["error"] == "invalid_resource" and aadsts(result) == 500011
    assert result["error_description"].startswith(
        "AADSTS500011: The resource principal named https://api.contoso.example was not found in the tenant "
        "named Contoso Partner."
    )


def test_permission_not_consented_is_65001(emulator):
    directory = emulator.get_directory()
    for consent in directory["consents"]:
        if consent["tenant"] == emulator.ids.partner and consent["app_id"] == emulator.ids.public_app:
            consent["grants"] = {GRAPH_ID: ["User.Read"]}
    emulator.put_directory(directory)
    rt = emulator.device_code_login(emulator.public_app(), ["User.Read"])["refresh_token"]
    result = emulator.public_app().acquire_token_by_refresh_token(rt, ["https://graph.microsoft.com/Directory.Read.All"])
    assert aadsts(result) == 65001 and result["suberror"] == "consent_required"
    graph = emulator.public_app().acquire_token_by_refresh_token(rt, [GRAPH])
    assert verify_token(emulator, graph["access_token"])["scp"] == "User.Read"  # .default = what was consented
