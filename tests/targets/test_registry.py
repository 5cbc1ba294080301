"""The target registry and connect_parameters' rules, without a network (exchange is a small fake here;
the binding tests in real pwsh use the emulator)."""
from __future__ import annotations

import base64
import json
import uuid
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bridge._config import Profile
from bridge._core.errors import InvalidInputError, NoRefreshTokenError
from bridge._stores.memory import MemoryStore
from bridge._targets import (
    ModuleVersion,
    TARGETS,
    connect_parameters,
    get_target,
    plan,
    sharepoint_url_for,
    target_names,
)
from bridge._core.tokens import AccessToken
from bridge._core.validate import SamBridgeWarning

from .standins import load_standins

PARTNER = "4dadf9ec-d547-4ad3-b14e-bdf2cd3d746c"
CUSTOMER = "e23d8f63-ec6a-479d-9663-5c7b8cc9a7e7"
USER = "admin@contosopartner.onmicrosoft.com"


# --- the registry against the reference parameter sets (tests/data) ----------------------------

# Each registry variant and the stand-in (module version) it must bind to.
VARIANT_STANDINS = {
    ("AzAccount", "1.0.0"): ["Az.Accounts-5.0.0", "Az.Accounts-2.6.0"],
    ("AzureAD", "0"): ["AzureAD-2.0.2.182"],
    ("MsolService", "0"): ["MSOnline-1.1.166.0"],
    ("PartnerCenter", "1.5.1907.2"): ["PartnerCenter-1.5.1907.2"],
    ("PartnerCenter", "2.0.1909.1"): ["PartnerCenter-2.0.1909.1"],
    ("PartnerCenter", "2.0.1909.2"): ["PartnerCenter-2.0.1909.2", "PartnerCenter-3.0.10"],
    ("MgGraph", "0"): ["Microsoft.Graph.Authentication-1.28.0"],
    ("MgGraph", "2.0.0"): ["Microsoft.Graph.Authentication-2.25.0"],
    ("ExchangeOnline", "3.1.0"): ["ExchangeOnlineManagement-3.10.1-Connect-ExchangeOnline"],
    ("IPPSSession", "3.8.0"): ["ExchangeOnlineManagement-3.10.1-Connect-IPPSSession"],
    ("MicrosoftTeams", "0"): ["MicrosoftTeams-2.3.1"],
    ("MicrosoftTeams", "2.3.2-preview"): ["MicrosoftTeams-5.0.0"],
    ("PnPOnline", "0"): ["PnP.PowerShell-2.12.0"],
}


def test_every_variant_has_a_stand_in():
    variants = {(t.name, v.since) for t in TARGETS.values() for v in t.variants}
    assert variants == set(VARIANT_STANDINS)


@pytest.mark.parametrize("key", sorted(VARIANT_STANDINS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_registry_matches_reference_parameter_sets(key):
    """Names exist in the stand-in's token set, every mandatory one is supplied, types agree."""
    target = TARGETS[key[0]]
    variant = next(v for v in target.variants if v.since == key[1])
    standins = load_standins()
    for standin_id in VARIANT_STANDINS[key]:
        s = standins[standin_id]
        assert (s.module, s.cmdlet) == (target.module, target.cmdlet)
        in_set = {
            p.name: p
            for p in s.parameters
            if variant.parameter_set in p.sets or None in p.sets or variant.parameter_set == "__AllParameterSets"
        }
        version = ModuleVersion.parse(s.module_version)
        params = [p for p in variant.parameters if not getattr(p, "since", None) or version >= ModuleVersion.parse(p.since)]
        for p in params:
            assert p.name in in_set, f"{standin_id} has no -{p.name} in set {variant.parameter_set}"
            expected = "System.Security.SecureString" if getattr(p, "secure", False) else (
                "System.String[]" if getattr(p, "is_array", False) else "System.String"
            )
            assert in_set[p.name].type == expected, (standin_id, p.name)
        supplied = {p.name for p in params}
        mandatory = {
            name for name, p in in_set.items()
            if any(m for set_name, (m, _, _) in p.sets.items() if set_name in (variant.parameter_set, None))
        }
        assert mandatory <= supplied, f"{standin_id}: mandatory {mandatory - supplied} not supplied"


# --- names, versions, options --------------------------------------------------------------------


def test_target_names_are_case_insensitive_and_accept_the_cmdlet_name():
    assert get_target("azaccount") is get_target("AZACCOUNT") is get_target("Connect-AzAccount")
    assert target_names() == (
        "AzAccount", "AzureAD", "MsolService", "PartnerCenter", "MgGraph",
        "ExchangeOnline", "IPPSSession", "MicrosoftTeams", "PnPOnline",
    )


def test_unknown_target_lists_the_valid_ones():
    with pytest.raises(InvalidInputError) as info:
        get_target("AzureRM")
    for name in target_names():
        assert name in str(info.value)


@pytest.mark.parametrize(
    "lower, higher",
    [("2.3.2-preview", "2.3.2"), ("2.3.1", "2.3.2-preview"), ("2.0.1909.1", "2.0.1909.2"), ("1.28.0", "2.0.0"),
     ("3.0.9", "3.0.10"), ("3.8.0-Preview1", "3.8.0"), ("2", "2.0.0.1")],
)
def test_module_versions_order(lower, higher):
    assert ModuleVersion.parse(lower) < ModuleVersion.parse(higher)


@pytest.mark.parametrize("bad", ["", "latest", "3.x", "1.2.3.4.5", "3.0 .1", None])
def test_bad_module_versions_are_refused(bad):
    with pytest.raises(InvalidInputError, match="module version"):
        ModuleVersion.parse(bad)


@pytest.mark.parametrize(
    "target, version, names, secure",
    [
        ("PartnerCenter", "1.5.1907.2", ("AccessToken", "ApplicationId", "TenantId"), ()),
        ("PartnerCenter", "2.0.1909.1", ("AccessToken", "ApplicationId", "Tenant"), ()),
        ("PartnerCenter", "2.0.1909.2", ("AccessToken", "Tenant"), ()),
        ("PartnerCenter", "3.0.10", ("AccessToken", "Tenant"), ()),
        ("MgGraph", "1.28.0", ("AccessToken",), ()),
        ("MgGraph", "2.0.0-preview1", ("AccessToken",), ()),  # a prerelease of 2.0.0 is still v1-shaped here
        ("MgGraph", "2.0.0", ("AccessToken",), ("AccessToken",)),
        ("MicrosoftTeams", "2.3.1", ("AadAccessToken", "MsAccessToken", "AccountId", "TenantId"), ()),
        ("MicrosoftTeams", "2.3.2-preview", ("AccessTokens", "TenantId"), ()),
        ("MicrosoftTeams", None, ("AccessTokens", "TenantId"), ()),
        ("AzAccount", None, ("AccessToken", "AccountId", "Tenant"), ()),
    ],
)
def test_version_variants(target, version, names, secure):
    p = plan(target, version)
    assert p.parameter_names == names
    assert p.secure_parameters == secure


@pytest.mark.parametrize(
    "target, version, minimum",
    [("ExchangeOnline", "3.0.0", "3.1.0"), ("IPPSSession", "3.7.2", "3.8.0"), ("PartnerCenter", "1.5.1905.1", "1.5.1907.2")],
)
def test_versions_below_the_minimum_say_what_to_install(target, version, minimum):
    with pytest.raises(InvalidInputError) as info:
        plan(target, version)
    message = str(info.value)
    assert version in message and f"-MinimumVersion {minimum}" in message


def test_azaccount_optional_tokens_only_where_asked():
    assert plan("AzAccount", include="graph,keyvault").parameter_names == (
        "AccessToken", "GraphAccessToken", "KeyVaultAccessToken", "AccountId", "Tenant")
    assert plan("AzAccount", include=["msgraph", "GRAPH"]).parameter_names == (
        "AccessToken", "GraphAccessToken", "MicrosoftGraphAccessToken", "AccountId", "Tenant")


def test_microsoft_graph_token_for_az_needs_az_accounts_2_7():
    assert "MicrosoftGraphAccessToken" in plan("AzAccount", "2.7.0", ["msgraph"]).parameter_names
    with pytest.raises(InvalidInputError, match="from 2.7.0"):
        plan("AzAccount", "2.6.0", ["msgraph"])


@pytest.mark.parametrize("target, include", [("AzAccount", "vault"), ("MgGraph", "graph")])
def test_unknown_options_are_refused_with_the_valid_ones(target, include):
    with pytest.raises(InvalidInputError, match="options: (graph, msgraph, keyvault|none)"):
        plan(target, include=include)


def test_retired_targets_and_unverified_audiences_warn():
    assert "retired" in plan("AzureAD").warnings[0]
    assert "retired" in plan("MsolService").warnings[0]
    assert "not documented" in plan("IPPSSession").warnings[0]
    assert "not documented" in plan("MicrosoftTeams", "2.0.0").warnings[0]
    assert plan("ExchangeOnline").warnings == () and plan("MgGraph").warnings == ()


def test_sharepoint_url_from_the_initial_domain():
    assert sharepoint_url_for("Fabrikam.onmicrosoft.com") == "https://fabrikam.sharepoint.com"
    assert sharepoint_url_for("fabrikam.com") is None
    assert sharepoint_url_for(CUSTOMER) is None


# --- connect_parameters with a fake exchange -------------------------------------------------------


def _jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class FakeExchange:
    """Issues JWT-shaped tokens whose `aud` is the scope's resource and `tid` the tenant's id."""

    TENANT_IDS = {None: PARTNER, "fabrikam.onmicrosoft.com": CUSTOMER, CUSTOMER: CUSTOMER, PARTNER: PARTNER,
                  "contosopartner.onmicrosoft.com": PARTNER}

    def __init__(self, upn_claim: str | None = USER, warn: str | None = None) -> None:
        self.calls: list[tuple[tuple[str, ...], str | None]] = []
        self.upn_claim, self.warn = upn_claim, warn
        self.now = datetime.now(timezone.utc)

    def __call__(self, profile, store, scopes, tenant=None, *, force_refresh=False) -> AccessToken:
        scopes = tuple(scopes)
        self.calls.append((scopes, tenant))
        if self.warn:
            warnings.warn(self.warn, SamBridgeWarning)
        claims: dict[str, Any] = {"aud": scopes[0].rsplit("/", 1)[0], "tid": self.TENANT_IDS[tenant]}
        if self.upn_claim:
            claims["upn"] = self.upn_claim
        # Each token expires a minute later than the one before: expires_on must be the earliest.
        expires = self.now + timedelta(minutes=60 + len(self.calls))
        return AccessToken(_jwt(claims), expires, scopes, claims["tid"])


@pytest.fixture
def profile() -> Profile:
    return Profile(name="unit", app_id="d08dc19e-ba2a-454d-8b27-fe0fdf4a176c", tenant=PARTNER,
                   store=f"memory:{uuid.uuid4().hex}")


def _store(profile: Profile, **meta: Any) -> MemoryStore:
    store = MemoryStore(profile.store.partition(":")[2])
    record = {"user": USER, "home_tenant_id": PARTNER, "issued_at": "2025-01-01T00:00:00.000000Z", **meta}
    store.put(f"{profile.name}/refresh-token", "0.fake-refresh-token", {k: v for k, v in record.items() if v is not None})
    return store


@pytest.fixture
def fake(monkeypatch) -> FakeExchange:
    fake = FakeExchange()
    monkeypatch.setattr("bridge._services.exchange.obtain_token", fake)
    return fake


def test_one_exchange_per_audience_in_the_customer_tenant(profile, fake):
    result = connect_parameters(profile, _store(profile), "azaccount", "fabrikam.onmicrosoft.com", include="keyvault")
    assert [c for c in fake.calls] == [
        (("https://management.azure.com/.default",), "fabrikam.onmicrosoft.com"),
        (("https://vault.azure.net/.default",), "fabrikam.onmicrosoft.com"),
    ]
    assert result.customer and result.tenant_id == CUSTOMER
    assert result.parameters["Tenant"] == CUSTOMER  # the token's tid, whatever form the caller used
    assert result.parameters["AccountId"] == USER
    assert result.expires_on == fake.now + timedelta(minutes=61)
    assert set(result.to_dict()) == {"target", "cmdlet", "module", "parameters", "secure_parameters", "expires_on", "warnings"}
    assert "eyJ" not in repr(result)


def test_exchange_online_partner_vs_customer(profile, fake):
    store = _store(profile)
    partner = connect_parameters(profile, store, "ExchangeOnline")
    assert set(partner.parameters) == {"AccessToken", "UserPrincipalName"}
    assert partner.parameters["UserPrincipalName"] == USER and not partner.customer
    customer = connect_parameters(profile, store, "ExchangeOnline", CUSTOMER)
    assert set(customer.parameters) == {"AccessToken", "DelegatedOrganization"}
    assert customer.parameters["DelegatedOrganization"] == CUSTOMER
    # Naming the partner tenant explicitly is still the partner case.
    assert not connect_parameters(profile, store, "ExchangeOnline", PARTNER).customer


def test_teams_tokens_are_graph_first_then_teams(profile, fake):
    result = connect_parameters(profile, _store(profile), "MicrosoftTeams")
    assert [c[0][0] for c in fake.calls] == [
        "https://graph.microsoft.com/.default", "48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default"]
    assert isinstance(result.to_dict()["parameters"]["AccessTokens"], list)


def test_account_falls_back_to_the_token_when_the_record_has_no_user(profile, monkeypatch):
    fake = FakeExchange(upn_claim="other@contosopartner.onmicrosoft.com")
    monkeypatch.setattr("bridge._services.exchange.obtain_token", fake)
    result = connect_parameters(profile, _store(profile, user=None), "AzureAD")
    assert result.parameters["AccountId"] == "other@contosopartner.onmicrosoft.com"


def test_no_account_anywhere_is_a_clear_error(profile, monkeypatch):
    monkeypatch.setattr("bridge._services.exchange.obtain_token", FakeExchange(upn_claim=None))
    with pytest.raises(InvalidInputError, match="consenting user's UPN"):
        connect_parameters(profile, _store(profile, user=None), "AzAccount")


def test_no_refresh_token_fails_before_any_exchange(profile, fake):
    with pytest.raises(NoRefreshTokenError):
        connect_parameters(profile, MemoryStore(uuid.uuid4().hex), "MgGraph")
    assert fake.calls == []


def test_exchange_warnings_are_collected_once(profile, monkeypatch):
    monkeypatch.setattr("bridge._services.exchange.obtain_token", FakeExchange(warn="scope fixed up"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may escape: it is all in the result
        result = connect_parameters(profile, _store(profile), "AzureAD")
    assert result.warnings[0].startswith("The AzureAD module is deprecated")
    assert result.warnings[1:] == ("scope fixed up",)


def test_pnp_url_derivation(profile, fake):
    store = _store(profile)
    customer = connect_parameters(profile, store, "PnPOnline", "fabrikam.onmicrosoft.com")
    assert customer.parameters["Url"] == "https://fabrikam.sharepoint.com"
    assert fake.calls[-1][0] == ("https://fabrikam.sharepoint.com/.default",)
    # The partner tenant is a GUID here: its initial domain comes from the consenting user's UPN.
    partner = connect_parameters(profile, store, "PnPOnline")
    assert partner.parameters["Url"] == "https://contosopartner.sharepoint.com"
    assert connect_parameters(profile, store, "PnPOnline", PARTNER).parameters["Url"] == partner.parameters["Url"]
    site = connect_parameters(profile, store, "PnPOnline", CUSTOMER, url="https://Fabrikam.sharepoint.com/sites/hr/")
    assert site.parameters["Url"] == "https://fabrikam.sharepoint.com/sites/hr"
    assert fake.calls[-1][0] == ("https://fabrikam.sharepoint.com/.default",)


def test_pnp_without_a_derivable_url_asks_for_one(profile, fake):
    with pytest.raises(InvalidInputError, match="--url"):
        connect_parameters(profile, _store(profile), "PnPOnline", CUSTOMER)
    with pytest.raises(InvalidInputError, match="https URL"):
        connect_parameters(profile, _store(profile), "PnPOnline", url="http://fabrikam.sharepoint.com")
    with pytest.raises(InvalidInputError, match="PnPOnline"):
        connect_parameters(profile, _store(profile), "MgGraph", url="https://fabrikam.sharepoint.com")
    assert fake.calls == []


def test_module_docstring_example_runs():
    import doctest

    import bridge._targets

    assert doctest.testmod(bridge._targets).failed == 0
