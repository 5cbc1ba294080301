"""The cmdlet table: every Connect-* target, transcribed from connect-cmdlets.json (see bridge._targets)."""
from __future__ import annotations

from typing import Mapping

from .._core.constants import PARTNER_CENTER_SCOPE, TEAMS_MAX_EXPIRY_SPREAD_SECONDS
from .._core.errors import InvalidInputError
from .model import (
    AAD_GRAPH_SCOPE,
    ACCOUNT,
    APP_ID,
    ARM_SCOPE,
    COMPLIANCE_SCOPE,
    CUSTOMER,
    EXCHANGE_SCOPE,
    GRAPH_SCOPE,
    KEY_VAULT_SCOPE,
    PARTNER,
    SHAREPOINT_SCOPE,
    TEAMS_SCOPE,
    TENANT,
    URL,
    Target,
    TokenParameter,
    ValueParameter,
    Variant,
)


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------

_RETIRED_AZUREAD = (
    "The AzureAD module is deprecated (since 2024-03-30) and being retired: Microsoft guaranteed it only "
    "until 2025-03-30, so Connect-AzureAD may be refused at any time. Move to Microsoft Graph PowerShell "
    "(target MgGraph)."
)
_RETIRED_MSONLINE = (
    "The MSOnline module is retired (since 2025-05-30): the service refuses it ('MSOnline is retiring and "
    "access is disallowed'). Move to Microsoft Graph PowerShell (target MgGraph)."
)

_TARGETS: tuple[Target, ...] = (
    Target(
        name="AzAccount",
        disconnect="Disconnect-AzAccount",
        cmdlet="Connect-AzAccount",
        module="Az.Accounts",
        summary="Azure PowerShell: an ARM token, plus Azure AD Graph, Microsoft Graph and Key Vault tokens where asked",
        variants=(
            Variant(
                since="1.0.0",
                parameter_set="AccessTokenWithSubscriptionId",
                label="Az.Accounts 1.0.0 and later (MicrosoftGraphAccessToken from 2.7.0)",
                parameters=(
                    TokenParameter("AccessToken", (ARM_SCOPE,)),
                    TokenParameter("GraphAccessToken", (AAD_GRAPH_SCOPE,), option="graph"),
                    TokenParameter("MicrosoftGraphAccessToken", (GRAPH_SCOPE,), option="msgraph", since="2.7.0"),
                    TokenParameter("KeyVaultAccessToken", (KEY_VAULT_SCOPE,), option="keyvault"),
                    ValueParameter("AccountId", ACCOUNT),
                    ValueParameter("Tenant", TENANT),
                ),
            ),
        ),
    ),
    Target(
        name="AzureAD",
        disconnect="Disconnect-AzureAD",
        cmdlet="Connect-AzureAD",
        module="AzureAD",
        summary="Azure AD PowerShell: an Azure AD Graph token and a Microsoft Graph token",
        status="retired",
        status_warning=_RETIRED_AZUREAD,
        variants=(
            Variant(
                since="0",
                parameter_set="AccessToken",
                label="AzureAD 2.x",
                parameters=(
                    TokenParameter("AadAccessToken", (AAD_GRAPH_SCOPE,)),
                    TokenParameter("MsAccessToken", (GRAPH_SCOPE,)),
                    ValueParameter("AccountId", ACCOUNT),
                    ValueParameter("TenantId", TENANT),
                ),
            ),
        ),
    ),
    Target(
        name="MsolService",
        cmdlet="Connect-MsolService",
        module="MSOnline",
        summary="MS Online: an Azure AD Graph token and a Microsoft Graph token (no tenant parameter: the tokens decide)",
        status="retired",
        status_warning=_RETIRED_MSONLINE,
        variants=(
            Variant(
                since="0",
                parameter_set="AccessToken",
                label="MSOnline 1.1",
                parameters=(
                    TokenParameter("AdGraphAccessToken", (AAD_GRAPH_SCOPE,)),
                    TokenParameter("MsGraphAccessToken", (GRAPH_SCOPE,)),
                ),
            ),
        ),
    ),
    Target(
        name="PartnerCenter",
        disconnect="Disconnect-PartnerCenter",
        cmdlet="Connect-PartnerCenter",
        module="PartnerCenter",
        summary="Partner Center PowerShell: a Partner Center token (-ApplicationId only before 2.0.1909.2)",
        status="community",
        minimum_note="The AccessToken parameter set of older releases (with -AccessTokenExpiresOn) is not supported.",
        variants=(
            Variant(
                since="1.5.1907.2",
                parameter_set="AccessToken",
                label="PartnerCenter 1.5.1907.2: -ApplicationId and -TenantId",
                parameters=(
                    TokenParameter("AccessToken", (PARTNER_CENTER_SCOPE,)),
                    ValueParameter("ApplicationId", APP_ID),
                    ValueParameter("TenantId", TENANT),
                ),
            ),
            Variant(
                since="2.0.1909.1",
                parameter_set="AccessToken",
                label="PartnerCenter 2.0.1909.1: -ApplicationId and -Tenant",
                parameters=(
                    TokenParameter("AccessToken", (PARTNER_CENTER_SCOPE,)),
                    ValueParameter("ApplicationId", APP_ID),
                    ValueParameter("Tenant", TENANT),
                ),
            ),
            Variant(
                # The 2019 doc sample still passes -ApplicationId: from here on no parameter set
                # takes it together with -AccessToken, so that call cannot bind.
                since="2.0.1909.2",
                parameter_set="AccessToken",
                label="PartnerCenter 2.0.1909.2 and 3.x: no -ApplicationId",
                parameters=(
                    TokenParameter("AccessToken", (PARTNER_CENTER_SCOPE,)),
                    ValueParameter("Tenant", TENANT),
                ),
            ),
        ),
    ),
    Target(
        name="MgGraph",
        disconnect="Disconnect-MgGraph",
        cmdlet="Connect-MgGraph",
        module="Microsoft.Graph.Authentication",
        summary="Microsoft Graph PowerShell: a Microsoft Graph token (SecureString from 2.0.0)",
        variants=(
            Variant(
                since="0",
                parameter_set="AccessTokenParameterSet",
                label="Microsoft.Graph 1.x: -AccessToken is a String",
                parameters=(TokenParameter("AccessToken", (GRAPH_SCOPE,)),),
            ),
            Variant(
                since="2.0.0",
                parameter_set="AccessTokenParameterSet",
                label="Microsoft.Graph 2.x: -AccessToken is a SecureString",
                parameters=(TokenParameter("AccessToken", (GRAPH_SCOPE,), secure=True),),
            ),
        ),
    ),
    Target(
        name="ExchangeOnline",
        disconnect="Disconnect-ExchangeOnline",
        cmdlet="Connect-ExchangeOnline",
        module="ExchangeOnlineManagement",
        summary="Exchange Online PowerShell: an Exchange token; -DelegatedOrganization for a customer (GDAP)",
        variants=(
            Variant(
                since="3.1.0",
                # One parameter set for everything: PowerShell reports it as __AllParameterSets.
                parameter_set="__AllParameterSets",
                label="ExchangeOnlineManagement 3.1.0 and later",
                parameters=(
                    TokenParameter("AccessToken", (EXCHANGE_SCOPE,)),
                    # A delegated (user) token names its user in the partner tenant; for a customer
                    # the partner acts through GDAP, which is what -DelegatedOrganization is for.
                    ValueParameter("UserPrincipalName", ACCOUNT, when=PARTNER),
                    ValueParameter("DelegatedOrganization", TENANT, when=CUSTOMER),
                ),
            ),
        ),
    ),
    Target(
        name="IPPSSession",
        disconnect="Disconnect-ExchangeOnline",
        cmdlet="Connect-IPPSSession",
        module="ExchangeOnlineManagement",
        summary="Security & Compliance PowerShell: a compliance token; -DelegatedOrganization for a customer",
        variants=(
            Variant(
                since="3.8.0",
                parameter_set="__AllParameterSets",
                label="ExchangeOnlineManagement 3.8.0 and later",
                parameters=(
                    TokenParameter(
                        "AccessToken",
                        (COMPLIANCE_SCOPE,),
                        audience_note=(
                            "The audience Connect-IPPSSession expects is not documented; sam-bridge requests "
                            f"{COMPLIANCE_SCOPE}. If the connection is refused, report it."
                        ),
                    ),
                    ValueParameter("UserPrincipalName", ACCOUNT, when=PARTNER),
                    ValueParameter("DelegatedOrganization", TENANT, when=CUSTOMER),
                ),
            ),
        ),
    ),
    Target(
        name="MicrosoftTeams",
        disconnect="Disconnect-MicrosoftTeams",
        cmdlet="Connect-MicrosoftTeams",
        module="MicrosoftTeams",
        summary="Teams PowerShell: Microsoft Graph and Teams admin tokens (-AccessTokens from 2.3.2-preview)",
        variants=(
            Variant(
                since="0",
                parameter_set="AccessToken",
                label="MicrosoftTeams before 2.3.2-preview: -AadAccessToken, -MsAccessToken, -AccountId",
                parameters=(
                    TokenParameter(
                        "AadAccessToken",
                        (AAD_GRAPH_SCOPE,),
                        audience_note=(
                            "The audience of -AadAccessToken in MicrosoftTeams before 2.3.2-preview is not "
                            "documented beyond 'Azure Active Directory Graph'; sam-bridge requests "
                            f"{AAD_GRAPH_SCOPE}. Prefer MicrosoftTeams 2.3.2 or later."
                        ),
                    ),
                    TokenParameter("MsAccessToken", (GRAPH_SCOPE,)),
                    ValueParameter("AccountId", ACCOUNT),
                    ValueParameter("TenantId", TENANT),
                ),
            ),
            Variant(
                since="2.3.2-preview",
                parameter_set="AccessTokens",
                label="MicrosoftTeams 2.3.2-preview and later: -AccessTokens (Graph first, Teams second)",
                parameters=(
                    # The module's examples all pass the Graph token first; keep that order. "The
                    # provided tokens must have less than 5400 seconds difference in the time range
                    # of expiration": minted together, they do.
                    TokenParameter("AccessTokens", (GRAPH_SCOPE, TEAMS_SCOPE),
                                   max_expiry_spread=TEAMS_MAX_EXPIRY_SPREAD_SECONDS),
                    ValueParameter("TenantId", TENANT),
                ),
            ),
        ),
    ),
    Target(
        name="PnPOnline",
        disconnect="Disconnect-PnPOnline",
        cmdlet="Connect-PnPOnline",
        module="PnP.PowerShell",
        summary="PnP PowerShell: a SharePoint token for the tenant's SharePoint URL",
        status="community",
        variants=(
            Variant(
                since="0",
                parameter_set="Access Token",
                label="PnP.PowerShell 1.x and later",
                parameters=(
                    ValueParameter("Url", URL),
                    TokenParameter("AccessToken", (SHAREPOINT_SCOPE,)),
                ),
            ),
        ),
    ),
)

TARGETS: Mapping[str, Target] = {t.name: t for t in _TARGETS}
_BY_LOWER = {t.name.lower(): t for t in _TARGETS}


def target_names() -> tuple[str, ...]:
    return tuple(t.name for t in _TARGETS)


def get_target(name: str | Target) -> Target:
    """A target by name, case-insensitively (a leading 'Connect-' is accepted)."""
    if isinstance(name, Target):
        return name
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("no target given; valid targets: " + ", ".join(target_names()) + ".")
    key = name.strip().lower()
    if key.startswith("connect-"):
        key = key[len("connect-"):]
    found = _BY_LOWER.get(key)
    if found is None:
        raise InvalidInputError(
            f"unknown target {name!r}; valid targets: " + ", ".join(target_names()) + "."
        )
    return found
