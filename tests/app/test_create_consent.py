"""`app create`, `app consent` and `app consent --check` against the emulator, end to end."""
from __future__ import annotations

from typing import Any

import pytest

from bridge._core.errors import InvalidInputError
from bridge._api import app_create as create
from bridge._services.app import consent_customers, required_permissions
from bridge._targets.permissions import target_permissions
from bridge._services.exchange import obtain_token

from .conftest import approver, profile_values

GRAPH = "00000003-0000-0000-c000-000000000000"
EXCHANGE = "00000002-0000-0ff1-ce00-000000000000"


def test_create_then_consent_then_customer_token(created_app: Any) -> None:
    emulator, profile = created_app.emulator, created_app.profile
    result = created_app.result
    assert result.changes.create and result.consent["mfa"] is True
    assert profile.app_id == result.app_id and profile.credential == "secret"
    assert profile.tenant == emulator.ids.partner  # the domain given, resolved to the tenant id
    registered = next(a for a in emulator.get_directory()["apps"] if a["app_id"] == result.app_id)
    assert registered["multi_tenant"] and registered["secrets"] == [created_app.secret().value]
    # Before consent: the customer refuses (65001); after it the same call succeeds.
    with pytest.raises(Exception) as refused:
        obtain_token(profile, created_app.store, ["https://graph.microsoft.com/.default"], emulator.ids.fabrikam)
    assert 65001 in getattr(refused.value, "codes", ())
    outcomes = list(consent_customers(profile, created_app.store, [emulator.ids.fabrikam, emulator.ids.northwind]))
    assert {o.tenant: o.value.status for o in outcomes} == {
        emulator.ids.fabrikam: "consented", emulator.ids.northwind: "consented"}
    token = obtain_token(profile, created_app.store, ["https://graph.microsoft.com/.default"], emulator.ids.fabrikam)
    assert token.tenant_id == emulator.ids.fabrikam
    again = list(consent_customers(profile, created_app.store, [emulator.ids.fabrikam]))
    assert again[0].ok and again[0].value.status == "already-consented"
    check = list(consent_customers(profile, created_app.store, [emulator.ids.fabrikam], check=True))
    assert check[0].value.status == "in-sync"


def test_rerun_changes_nothing_and_what_if_shows_an_added_target(created_app: Any) -> None:
    emulator = created_app.emulator
    before = emulator.get_directory()
    seq = emulator.requests()[-1]["seq"]
    rerun = create("sam", config=created_app.config, prompt=approver(emulator))
    assert rerun.changes.empty and rerun.credential is None and rerun.consent is None
    writes = [r for r in emulator.requests(seq) if r["endpoint"] == "graph" and r["method"] != "GET"]
    assert writes == []
    assert emulator.get_directory() == before
    plan = create("sam", config=created_app.config, targets=["PartnerCenter", "MgGraph", "ExchangeOnline"],
                  what_if=True, prompt=approver(emulator))
    assert plan.changes.added == {EXCHANGE: ("Exchange.Manage",)}
    assert emulator.get_directory() == before  # --what-if changed nothing


def test_added_target_shows_as_drift_in_each_customer(created_app: Any) -> None:
    emulator, store = created_app.emulator, created_app.store
    customers = [emulator.ids.fabrikam, emulator.ids.northwind]
    list(consent_customers(created_app.profile, store, customers))
    applied = create("sam", config=created_app.config, targets=["PartnerCenter", "MgGraph", "ExchangeOnline"],
                     prompt=approver(emulator))
    assert applied.changes.added == {EXCHANGE: ("Exchange.Manage",)}
    drift = {r.tenant: r.value for r in consent_customers(created_app.profile, store, customers, check=True)}
    assert {t: o.status for t, o in drift.items()} == {t: "drift" for t in customers}
    assert all(o.missing == {EXCHANGE: ("Exchange.Manage",)} for o in drift.values())
    fixed = {r.tenant: r.value.status for r in consent_customers(created_app.profile, store, customers)}
    assert fixed == {t: "updated" for t in customers}
    token = obtain_token(created_app.profile, store, ["https://outlook.office365.com/.default"], emulator.ids.fabrikam)
    assert "Exchange.Manage" in token.claims["scp"].split()


def test_customers_without_gdap_or_admin_role_get_one_clear_error_each(created_app: Any) -> None:
    emulator = created_app.emulator
    results = {r.tenant: r for r in consent_customers(
        created_app.profile, created_app.store, [emulator.ids.tailspin, emulator.ids.woodgrove, emulator.ids.fabrikam])}
    assert results[emulator.ids.fabrikam].ok
    assert "GDAP" in results[emulator.ids.tailspin].error.message
    assert "nothing was changed" in results[emulator.ids.woodgrove].error.message
    assert "Admin Agent" in results[emulator.ids.woodgrove].error.remediation
    directory = emulator.get_directory()
    consented = {c["tenant"] for c in directory["consents"] if c["app_id"] == created_app.profile.app_id}
    assert consented == {emulator.ids.partner, emulator.ids.fabrikam}


def test_bad_input_changes_nothing(emulator: Any, isolated_env: dict[str, str], tmp_path: Any) -> None:
    from pathlib import Path

    config = Path(isolated_env["SAM_BRIDGE_CONFIG"])
    values = profile_values(emulator, config.parent)
    before = emulator.get_directory()
    with pytest.raises(InvalidInputError, match="unknown target 'NoSuchModule'"):
        create("sam", config=config, values=values, targets=["NoSuchModule"], prompt=approver(emulator))
    assert emulator.device_codes() == [] and not config.exists()
    with pytest.raises(InvalidInputError, match="not registered in tenant"):
        create("sam", config=config, values=values, app_id="11111111-2222-3333-4444-555555555555", prompt=approver(emulator))
    assert emulator.get_directory() == before and not config.exists()


def test_required_permissions_follow_the_targets_table() -> None:
    everything = required_permissions(target_permissions())
    assert "Exchange.Manage" in everything[EXCHANGE]
    assert set(everything[GRAPH]) >= {"Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All"}
    only_pc = required_permissions(target_permissions(["PartnerCenter"]))
    assert EXCHANGE not in only_pc


def test_all_customers_comes_from_partner_center(created_app: Any) -> None:
    from bridge._api import app_consent

    emulator = created_app.emulator
    results = {r.tenant: r for r in app_consent("sam", all_customers=True, config=created_app.config)}
    assert set(results) == {emulator.ids.fabrikam, emulator.ids.northwind, emulator.ids.woodgrove}  # active GDAP
    assert results[emulator.ids.fabrikam].ok and results[emulator.ids.northwind].ok
    assert not results[emulator.ids.woodgrove].ok  # Global Reader only: no Admin Agent role


def test_a_custom_authority_is_refused_unless_allowed_and_the_profile_remembers_it(
        emulator: Any, isolated_env: dict[str, str], monkeypatch: Any) -> None:
    from pathlib import Path

    from bridge._api import get_token

    monkeypatch.delenv("SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY", raising=False)
    config = Path(isolated_env["SAM_BRIDGE_CONFIG"])
    values = profile_values(emulator, config.parent)
    before = emulator.get_directory()
    with pytest.raises(InvalidInputError, match="is not a Microsoft Entra authority"):
        create("sam", config=config, values=values, targets=["PartnerCenter"], prompt=approver(emulator))
    assert emulator.device_codes() == [] and emulator.get_directory() == before and not config.exists()

    create("sam", config=config, values={**values, "custom_authority": True}, targets=["PartnerCenter"],
           prompt=approver(emulator))
    assert "custom_authority = true" in config.read_text(encoding="utf-8")
    # Later runs need no environment override: the profile says the host was allowed.
    token = get_token("sam", ["https://graph.microsoft.com/.default"], config=config, force_refresh=True)
    assert token.tenant_id == emulator.ids.partner
