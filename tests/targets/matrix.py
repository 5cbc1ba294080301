"""The binding matrix: every target x module-version variant, and what must bind.

Expectations are written out here from the reference parameter sets, not derived from the registry,
so a wrong registry entry fails the tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GRAPH = "https://graph.microsoft.com"
AAD_GRAPH = "https://graph.windows.net"
CUSTOMER_DOMAIN = "fabrikam.onmicrosoft.com"  # GDAP and consent in the emulator's default seed

# The `aud` each token parameter must carry (the resource, without the permission).
AUDIENCES: dict[tuple[str, str], tuple[str, ...]] = {
    ("AzAccount", "AccessToken"): ("https://management.azure.com",),
    ("AzAccount", "GraphAccessToken"): (AAD_GRAPH,),
    ("AzAccount", "MicrosoftGraphAccessToken"): (GRAPH,),
    ("AzAccount", "KeyVaultAccessToken"): ("https://vault.azure.net",),
    ("AzureAD", "AadAccessToken"): (AAD_GRAPH,),
    ("AzureAD", "MsAccessToken"): (GRAPH,),
    ("MsolService", "AdGraphAccessToken"): (AAD_GRAPH,),
    ("MsolService", "MsGraphAccessToken"): (GRAPH,),
    ("PartnerCenter", "AccessToken"): ("https://api.partnercenter.microsoft.com",),
    ("MgGraph", "AccessToken"): (GRAPH,),
    ("ExchangeOnline", "AccessToken"): ("https://outlook.office365.com",),
    ("IPPSSession", "AccessToken"): ("https://ps.compliance.protection.outlook.com",),
    ("MicrosoftTeams", "AadAccessToken"): (AAD_GRAPH,),
    ("MicrosoftTeams", "MsAccessToken"): (GRAPH,),
    # Graph first, then the Skype and Teams Tenant Admin API.
    ("MicrosoftTeams", "AccessTokens"): (GRAPH, "48ac35b8-9aa8-4d74-927d-1f4a14a0b239"),
    ("PnPOnline", "AccessToken"): ("https://{sharepoint}.sharepoint.com",),
}

# What each non-token parameter must hold.
ACCOUNT_PARAMETERS = {"AccountId", "UserPrincipalName"}
TENANT_PARAMETERS = {"Tenant", "TenantId", "DelegatedOrganization"}


@dataclass(frozen=True)
class Case:
    target: str
    standin: str  # stand-in id in tests/data/connect-cmdlets.json
    module_version: str | None  # asked of sam-bridge (None: its newest shape)
    include: tuple[str, ...]
    parameter_set: str
    partner: tuple[str, ...]  # the parameters that must bind, partner tenant
    customer: tuple[str, ...]  # ... and customer tenant
    secure: tuple[str, ...] = ()  # must arrive as System.Security.SecureString
    arrays: tuple[str, ...] = ()  # must arrive as System.String[]
    switches: tuple[str, ...] = ()  # switches the caller adds, given as -Name:$false

    def names(self, kind: str) -> tuple[str, ...]:
        return self.partner if kind == "partner" else self.customer

    def id(self, kind: str) -> str:
        extra = "+" + "+".join(self.include) if self.include else ""
        asked = self.module_version or "newest"
        return f"{self.target}{extra}-{self.standin}-as-{asked}-{kind}"


AZ = ("AccessToken", "AccountId", "Tenant")
EXO_PARTNER = ("AccessToken", "UserPrincipalName")
EXO_CUSTOMER = ("AccessToken", "DelegatedOrganization")

MATRIX: tuple[Case, ...] = (
    Case("AzAccount", "Az.Accounts-5.0.0", None, ("graph", "msgraph", "keyvault"), "AccessTokenWithSubscriptionId",
         AZ + ("GraphAccessToken", "MicrosoftGraphAccessToken", "KeyVaultAccessToken"),
         AZ + ("GraphAccessToken", "MicrosoftGraphAccessToken", "KeyVaultAccessToken")),
    Case("AzAccount", "Az.Accounts-5.0.0", "5.0.0", (), "AccessTokenWithSubscriptionId", AZ, AZ),
    Case("AzAccount", "Az.Accounts-2.6.0", "2.6.0", ("graph", "keyvault"), "AccessTokenWithSubscriptionId",
         AZ + ("GraphAccessToken", "KeyVaultAccessToken"), AZ + ("GraphAccessToken", "KeyVaultAccessToken")),
    Case("AzureAD", "AzureAD-2.0.2.182", None, (), "AccessToken",
         ("AadAccessToken", "MsAccessToken", "AccountId", "TenantId"),
         ("AadAccessToken", "MsAccessToken", "AccountId", "TenantId")),
    Case("MsolService", "MSOnline-1.1.166.0", None, (), "AccessToken",
         ("AdGraphAccessToken", "MsGraphAccessToken"), ("AdGraphAccessToken", "MsGraphAccessToken")),
    Case("PartnerCenter", "PartnerCenter-1.5.1907.2", "1.5.1907.2", (), "AccessToken",
         ("AccessToken", "ApplicationId", "TenantId"), ("AccessToken", "ApplicationId", "TenantId")),
    Case("PartnerCenter", "PartnerCenter-2.0.1909.1", "2.0.1909.1", (), "AccessToken",
         ("AccessToken", "ApplicationId", "Tenant"), ("AccessToken", "ApplicationId", "Tenant")),
    Case("PartnerCenter", "PartnerCenter-2.0.1909.2", "2.0.1909.2", (), "AccessToken",
         ("AccessToken", "Tenant"), ("AccessToken", "Tenant")),
    Case("PartnerCenter", "PartnerCenter-3.0.10", "3.0.10", (), "AccessToken",
         ("AccessToken", "Tenant"), ("AccessToken", "Tenant")),
    Case("MgGraph", "Microsoft.Graph.Authentication-1.28.0", "1.28.0", (), "AccessTokenParameterSet",
         ("AccessToken",), ("AccessToken",)),
    Case("MgGraph", "Microsoft.Graph.Authentication-2.25.0", None, (), "AccessTokenParameterSet",
         ("AccessToken",), ("AccessToken",), secure=("AccessToken",)),
    Case("ExchangeOnline", "ExchangeOnlineManagement-3.10.1-Connect-ExchangeOnline", None, (), "__AllParameterSets",
         EXO_PARTNER, EXO_CUSTOMER),
    Case("IPPSSession", "ExchangeOnlineManagement-3.10.1-Connect-IPPSSession", "3.10.1", (), "__AllParameterSets",
         EXO_PARTNER, EXO_CUSTOMER),
    Case("MicrosoftTeams", "MicrosoftTeams-2.3.1", "2.3.1", (), "AccessToken",
         ("AadAccessToken", "MsAccessToken", "AccountId", "TenantId"),
         ("AadAccessToken", "MsAccessToken", "AccountId", "TenantId")),
    Case("MicrosoftTeams", "MicrosoftTeams-5.0.0", None, (), "AccessTokens",
         ("AccessTokens", "TenantId"), ("AccessTokens", "TenantId"), arrays=("AccessTokens",)),
    Case("PnPOnline", "PnP.PowerShell-2.12.0", None, (), "Access Token", ("Url", "AccessToken"), ("Url", "AccessToken")),
)

KINDS = ("partner", "customer")
CASES = [(case, kind) for case in MATRIX for kind in KINDS]
CASE_IDS = [case.id(kind) for case, kind in CASES]


def expected_value(name: str, kind: str, ids: Any) -> str | None:
    """The value a non-token parameter must hold, or None for token parameters."""
    tenant = ids.fabrikam if kind == "customer" else ids.partner
    if name in ACCOUNT_PARAMETERS:
        return ids.admin
    if name in TENANT_PARAMETERS:
        return tenant
    if name == "ApplicationId":
        return ids.public_app
    if name == "Url":
        return "https://fabrikam.sharepoint.com" if kind == "customer" else "https://contosopartner.sharepoint.com"
    return None


def assert_binds(case: Case, kind: str, result: dict[str, Any], ids: Any) -> None:
    """A harness result shows the stand-in bound the expected set, names, types, values and audiences."""
    from bridge._core.tokens import claims_of

    assert result["error"] is None, f"binding failed: {result['error']}\n{result.get('stderr', '')}"
    reports = [o for o in result["outputs"] if isinstance(o, dict) and "parameter_set" in o]
    assert len(reports) == 1, result["outputs"]
    report = reports[0]
    assert report["standin"] == case.standin
    assert report["parameter_set"] == case.parameter_set
    bound = report["parameters"]
    assert sorted(bound) == sorted(case.names(kind))
    tenant = ids.fabrikam if kind == "customer" else ids.partner
    sharepoint = "fabrikam" if kind == "customer" else "contosopartner"
    for name, got in bound.items():
        if name in case.switches:
            assert (got["type"], got["value"]) == ("System.Management.Automation.SwitchParameter", False), name
            continue
        expected_type = (
            "System.Security.SecureString" if name in case.secure
            else "System.String[]" if name in case.arrays
            else "System.String"
        )
        assert got["type"] == expected_type, name
        audiences = AUDIENCES.get((case.target, name))
        if audiences is None:
            assert got["value"] == expected_value(name, kind, ids), name
            continue
        tokens = got["value"] if isinstance(got["value"], list) else [got["value"]]
        claims = [claims_of(t) for t in tokens]
        assert [c.get("aud") for c in claims] == [a.format(sharepoint=sharepoint) for a in audiences], name
        assert {c.get("tid") for c in claims} == {tenant}, name
        assert {c.get("upn") for c in claims} == {ids.admin}, name
