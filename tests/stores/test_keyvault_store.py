"""The Key Vault store and the vault emulator: names, tags, versions, challenge auth, errors, outages.

Everything goes through azure-keyvault-secrets (unmodified, `verify_challenge_resource=False` for the
loopback host) over HTTPS to the emulator, with tokens the Entra emulator issued.
"""
from __future__ import annotations

import random
import re
import string
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bridge._config import Profile
from bridge._core.errors import InvalidInputError, StoreUnavailableError
from bridge._services.exchange import AccessTokenCache, write_refresh_token
from bridge._auth.http import RetryPolicy
from bridge._stores import open_store
from bridge._stores.keyvault import (
    META_CHARS_MAX,
    TAG_ENTRY,
    KeyVaultStore,
    entry_name,
    secret_name,
)
from bridge._core.tokens import AccessToken, iso
from tests.stores.conftest import SECRET_APP, KeyVaultEndpoint

FAST = RetryPolicy(attempts=1, backoff_factor=0.05, backoff_max=0.1, budget_seconds=5, connect_timeout=2)


def _store(vault: KeyVaultEndpoint, **kwargs: Any) -> KeyVaultStore:
    return KeyVaultStore(vault.url, ca_bundle=vault.ca_bundle, **kwargs)


def _versions(vault: KeyVaultEndpoint, name: str) -> list[dict[str, Any]]:
    found = [s for s in vault.secrets() if s["name"] == name]
    return found[0]["versions"] if found else []


# -- names ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry, name",
    [
        ("contoso/refresh-token", "contoso--refresh-token"),
        ("contoso/client-secret", "contoso--client-secret"),
        ("Contoso.EU/client-secret", "-x43ontoso-x2e-x45-x55--client-secret"),
        ("a_b/access-tokens", "a-x5fb--access-tokens"),
        ("x-ray/refresh-token", "x-ray--refresh-token"),
        ("box-x/refresh-token", "box-x2dx--refresh-token"),
    ],
)
def test_documented_name_mapping(entry: str, name: str) -> None:
    assert secret_name(entry) == name
    assert entry_name(name) == entry
    assert entry_name(name.upper()) == entry  # Key Vault names ignore case


def test_name_mapping_is_reversible_and_valid_for_any_entry() -> None:
    rng = random.Random(7)
    first = string.ascii_letters + string.digits
    rest = first + "._-"
    seen: dict[str, str] = {}
    for _ in range(5000):
        segments = [rng.choice(first) + "".join(rng.choice(rest) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(1, 3))]
        entry = "/".join(segments)
        name = secret_name(entry)
        assert re.fullmatch(r"[0-9a-z-]{1,127}", name), name
        assert entry_name(name) == entry
        assert seen.setdefault(name.lower(), entry) == entry  # no two entries share a (case-blind) name


def test_names_that_sam_bridge_would_not_write_do_not_decode() -> None:
    assert entry_name("RefreshToken") == "refreshtoken"  # a plain name decodes to itself...
    assert entry_name("my-xyz") is None  # ...a non-canonical spelling does not
    with pytest.raises(InvalidInputError, match="127"):
        secret_name("A" * 40 + "/refresh-token")


# -- layout in the vault -------------------------------------------------------------------------------------


def test_metadata_goes_to_tags_and_each_put_is_a_version(keyvault: KeyVaultEndpoint) -> None:
    store = _store(keyvault)
    token = "0.AXrefresh-token-" + "t" * 1500
    meta = {
        "profile": "contoso", "user": "admin@contosopartner.onmicrosoft.com", "scopes": ["https://api.partnercenter.microsoft.com/user_impersonation"],
        "amr": ["pwd", "mfa"], "mfa": True, "issued_at": "2025-03-01T10:00:00.000000Z", "generation": 7,
        "consented_at": "2025-03-01T10:00:00.000000Z", "last_redeemed_at": "", "source": "consent",
        "app_id": "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c", "tenant": "contosopartner.onmicrosoft.com",
        "authority_host": "https://login.microsoftonline.com", "home_tenant_id": "4dadf9ec-d547-4ad3-b14e-bdf2cd3d746c",
        "user_oid": "0f0f0f0f-0000-4000-8000-000000000001", "fingerprint": "abcdef012345",
    }
    store.put("contoso/refresh-token", token, meta)
    store.put("contoso/refresh-token", token + "2", {**meta, "generation": 8, "issued_at": "2025-03-01T11:00:00.000000Z"})
    versions = _versions(keyvault, "contoso--refresh-token")
    assert len(versions) == 2
    tags = versions[-1]["tags"]
    assert tags[TAG_ENTRY] == "contoso/refresh-token"
    assert tags["issued_at"] == "2025-03-01T11:00:00.000000Z" and tags["generation"] == "8"
    assert len(tags) <= 15 and all(len(v) <= 256 for v in tags.values())
    assert not any(token[:40] in v for v in tags.values()), "the refresh token leaked into a tag"
    got = store.get("contoso/refresh-token")
    assert got is not None and got.value == token + "2" and got.metadata["generation"] == 8
    assert [v["generation"] for v in store.versions("contoso/refresh-token")] == [7, 8]


def test_metadata_too_large_for_tags_is_refused(keyvault: KeyVaultEndpoint) -> None:
    store = _store(keyvault)
    with pytest.raises(InvalidInputError, match="Key Vault tags hold at most"):
        store.put("contoso/refresh-token", "rt", {"scopes": ["https://graph.microsoft.com/" + "x" * 100] * 40})
    assert META_CHARS_MAX >= 2800
    with pytest.raises(InvalidInputError, match="25 KB"):
        store.put("contoso/refresh-token", "v" * (26 * 1024))
    assert keyvault.secrets() == []


def test_a_secret_written_by_another_tool_is_read_without_metadata(keyvault: KeyVaultEndpoint) -> None:
    store = _store(keyvault)
    store.client.set_secret("contoso--refresh-token", "0.AXpasted-by-hand")
    got = store.get("contoso/refresh-token")
    assert got is not None and got.value == "0.AXpasted-by-hand" and dict(got.metadata) == {}
    store.client.set_secret("RefreshToken", "cipp's")
    assert store.list() == []  # only secrets sam-bridge tagged are its entries


def test_listing_follows_next_links(keyvault: KeyVaultEndpoint) -> None:
    store = _store(keyvault)
    names = [f"tenant{i:02d}/refresh-token" for i in range(30)]
    for name in names:
        store.put(name, "rt", {"generation": 1})
    since = keyvault.requests()[-1]["seq"]
    assert store.list() == sorted(names)
    pages = [r for r in keyvault.requests(since) if r["method"] == "GET" and r["path"] == "/secrets" and r["status"] == 200]
    assert len(pages) == 2  # 25 + 5: the SDK followed the emulator's nextLink


def test_a_soft_deleted_name_is_recovered_when_purge_is_not_allowed(keyvault: KeyVaultEndpoint) -> None:
    keyvault.set_access({SECRET_APP: ["get", "list", "set", "delete", "recover"]})
    store = _store(keyvault)
    store.put("contoso/refresh-token", "old", {"generation": 1})
    assert store.delete("contoso/refresh-token") is True
    assert store.get("contoso/refresh-token") is None and store.list() == []
    store.put("contoso/refresh-token", "new", {"generation": 2})
    got = store.get("contoso/refresh-token")
    assert got is not None and got.value == "new"
    assert len(_versions(keyvault, "contoso--refresh-token")) == 2  # the history came back with the recovery


def test_access_tokens_are_not_cached_in_the_vault(keyvault: KeyVaultEndpoint) -> None:
    store = _store(keyvault)
    assert store.caches_access_tokens is False
    profile = Profile("contoso", "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c", "contoso.onmicrosoft.com", store=store.uri)
    token = AccessToken("eyJhbGciOi.fake.token", datetime.now(timezone.utc) + timedelta(hours=1), ("https://graph.microsoft.com/.default",), "t")
    AccessTokenCache(profile, store).put(token, token.scopes, "contoso.onmicrosoft.com")
    assert keyvault.secrets() == []
    assert [r for r in keyvault.requests() if r["method"] == "PUT"] == []


# -- rotation ---------------------------------------------------------------------------------------------------


def test_compare_before_write_across_machines(keyvault: KeyVaultEndpoint, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two "machines" (separate lock directories): a stale writer never replaces the newer version."""
    profile = Profile("contoso", "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c", "contoso.onmicrosoft.com", store=f"keyvault:{keyvault.url}")
    now = datetime.now(timezone.utc)
    machine_a, machine_b = _store(keyvault), _store(keyvault)
    monkeypatch.setenv("SAM_BRIDGE_CACHE_DIR", str(tmp_path / "machine-a"))
    assert write_refresh_token(profile, machine_a, "rt-a1", {"issued_at": iso(now)})
    monkeypatch.setenv("SAM_BRIDGE_CACHE_DIR", str(tmp_path / "machine-b"))
    assert write_refresh_token(profile, machine_b, "rt-b", {"issued_at": iso(now + timedelta(seconds=5))})
    monkeypatch.setenv("SAM_BRIDGE_CACHE_DIR", str(tmp_path / "machine-a"))
    # Machine A redeemed its token before B did, so its successor was issued earlier: refused.
    assert not write_refresh_token(profile, machine_a, "rt-a2", {"issued_at": iso(now + timedelta(seconds=2))})
    got = machine_a.get("contoso/refresh-token")
    assert got is not None and got.value == "rt-b" and got.metadata["generation"] == 2
    assert len(_versions(keyvault, "contoso--refresh-token")) == 2  # the refused write made no version


# -- authentication and errors -------------------------------------------------------------------------------------


def test_challenge_without_a_token(keyvault: KeyVaultEndpoint) -> None:
    from bridge._auth.http import build_session

    response = build_session(keyvault.ca_bundle).get(f"{keyvault.url}/secrets/anything?api-version=7.4")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == (
        f'Bearer authorization="{keyvault.authority_host}/{keyvault.tenant}", resource="https://vault.azure.net"'
    )
    assert response.json()["error"]["code"] == "Unauthorized"


def test_a_token_for_another_audience_is_forbidden(keyvault: KeyVaultEndpoint, emulator: Any) -> None:
    from bridge._auth.http import build_session

    graph = emulator.secret_app().acquire_token_for_client(["https://graph.microsoft.com/.default"])["access_token"]
    session = build_session(keyvault.ca_bundle)
    response = session.get(f"{keyvault.url}/secrets/x?api-version=7.4", headers={"Authorization": f"Bearer {graph}"})
    assert response.status_code == 403 and "AKV10022" in response.json()["error"]["message"]
    garbage = session.get(f"{keyvault.url}/secrets/x?api-version=7.4", headers={"Authorization": "Bearer not.a.token"})
    assert garbage.status_code == 401 and "WWW-Authenticate" in garbage.headers

    class GraphCredential:
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            from azure.core.credentials import AccessToken as AzureToken

            return AzureToken(graph, int(time.time()) + 3600)

    with pytest.raises(StoreUnavailableError, match="HTTP 403"):
        _store(keyvault, credential=GraphCredential()).get("contoso/refresh-token")


def test_a_token_from_another_tenant_is_refused(keyvault: KeyVaultEndpoint, emulator: Any) -> None:
    from bridge._auth.http import build_session

    other = emulator.secret_app(tenant=emulator.ids.fabrikam).acquire_token_for_client(["https://vault.azure.net/.default"])
    response = build_session(keyvault.ca_bundle).get(
        f"{keyvault.url}/secrets/x?api-version=7.4", headers={"Authorization": f"Bearer {other['access_token']}"}
    )
    assert response.status_code == 401 and "Invalid issuer" in response.json()["error"]["message"]


def test_a_principal_without_permission_is_told_what_to_grant(keyvault: KeyVaultEndpoint) -> None:
    keyvault.set_access({"00000000-0000-0000-0000-000000000001": ["get", "list", "set", "delete"]})
    with pytest.raises(StoreUnavailableError) as caught:
        _store(keyvault).check()
    assert "HTTP 403" in caught.value.message and "Key Vault Secrets Officer" in caught.value.message


def test_no_credential_configured(keyvault: KeyVaultEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"):
        monkeypatch.delenv(key)
    with pytest.raises(StoreUnavailableError) as caught:
        _store(keyvault).check()
    message = caught.value.message
    assert "no Azure credential could get a token" in message
    assert "AZURE_CLIENT_ID" in message and "az login" in message and "?credential=profile" in message
    assert "EnvironmentCredential" in message  # what DefaultAzureCredential tried, in one line


def test_a_wrong_client_secret_is_reported_without_the_secret(keyvault: KeyVaultEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "wrong-secret-value-123")
    with pytest.raises(StoreUnavailableError) as caught:
        _store(keyvault).get("contoso/refresh-token")
    assert "7000215" in caught.value.message and "wrong-secret-value-123" not in str(caught.value)


def test_profile_credential_uses_the_profiles_own_app(keyvault: KeyVaultEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_AUTHORITY_HOST"):
        monkeypatch.delenv(key)
    uri = f"keyvault:{keyvault.url}?credential=profile"
    profile = Profile("contoso", SECRET_APP, keyvault.tenant, credential="secret", authority_host=keyvault.authority_host,
                      ca_bundle=keyvault.ca_bundle, store=uri)
    store = open_store(profile.store, ca_bundle=profile.ca_bundle, profile=profile)
    with pytest.raises(StoreUnavailableError, match="SAM_BRIDGE_CLIENT_SECRET"):
        store.check()
    monkeypatch.setenv("SAM_BRIDGE_CLIENT_SECRET", "emulator-client-secret-value")
    store = open_store(profile.store, ca_bundle=profile.ca_bundle, profile=profile)
    assert store.uri == uri and store.credential_kind == "profile"
    store.put("contoso/refresh-token", "rt", {"generation": 1})
    got = store.get("contoso/refresh-token")
    assert got is not None and got.value == "rt"
    assert {r.get("appid") for r in keyvault.requests() if r["status"] == 200} == {SECRET_APP}


def test_unreachable_vault(keyvault: KeyVaultEndpoint) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = KeyVaultStore(f"https://127.0.0.1:{port}", ca_bundle=keyvault.ca_bundle, retry_policy=FAST)
    with pytest.raises(StoreUnavailableError, match="cannot reach Key Vault"):
        store.check()


def test_untrusted_vault_certificate(keyvault: KeyVaultEndpoint) -> None:
    store = KeyVaultStore(keyvault.url, retry_policy=FAST)  # no CA bundle: the system's trust only
    with pytest.raises(StoreUnavailableError, match="certificate is not trusted"):
        store.get("contoso/refresh-token")


def test_without_the_sdk_the_store_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from bridge._stores.fail import FailStore

    monkeypatch.delitem(sys.modules, "bridge._stores.keyvault", raising=False)
    monkeypatch.setitem(sys.modules, "azure.keyvault.secrets", None)  # as if not installed
    store = open_store("keyvault:https://contoso.vault.azure.net")
    assert isinstance(store, FailStore)
    for call in (store.check, lambda: store.get("contoso/refresh-token"), lambda: store.put("contoso/x", "v")):
        with pytest.raises(StoreUnavailableError, match=r"pip install 'sam-bridge\[keyvault\]'"):
            call()


def test_a_disabled_latest_version_is_not_called_a_permission_problem(keyvault: KeyVaultEndpoint) -> None:
    from bridge._core.errors import StoreError

    store = _store(keyvault)
    store.client.set_secret("contoso--refresh-token", "rt", enabled=False)
    with pytest.raises(StoreError, match="disabled") as caught:
        store.get("contoso/refresh-token")
    assert not isinstance(caught.value, StoreUnavailableError)


def test_unknown_store_options_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="not known"):
        open_store("keyvault:https://x.vault.azure.net?layout=cipp")
    with pytest.raises(InvalidInputError, match="not known"):
        open_store("keyvault:https://x.vault.azure.net?credential=cli")


# -- outages (fault injection) -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["503", "reset"])
def test_a_short_outage_is_ridden_out(keyvault: KeyVaultEndpoint, kind: str) -> None:
    store = _store(keyvault)
    store.put("contoso/refresh-token", "rt", {"generation": 1})
    since = keyvault.requests()[-1]["seq"]
    keyvault.add_fault(kind, count=2)
    got = store.get("contoso/refresh-token")
    assert got is not None and got.value == "rt"
    statuses = [r["status"] for r in keyvault.requests(since)]
    assert statuses == [503, 503, 200] if kind == "503" else statuses == ["reset", "reset", 200]


def test_a_long_outage_fails_clearly_and_changes_nothing(keyvault: KeyVaultEndpoint) -> None:
    store = _store(keyvault, retry_policy=FAST)
    store.put("contoso/refresh-token", "rt", {"generation": 1})
    keyvault.add_fault("503", count=50)
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match=r"unavailable \(HTTP 503\)"):
        store.put("contoso/refresh-token", "rt2", {"generation": 2})
    assert time.monotonic() - started < 5
    keyvault.control("DELETE", "faults")
    got = store.get("contoso/refresh-token")
    assert got is not None and got.value == "rt"


def test_emulator_checks_its_inputs(keyvault: KeyVaultEndpoint) -> None:
    store = _store(keyvault)
    client = store.client
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as caught:
        client.set_secret("contoso--x", "v", tags={f"t{i}": "v" for i in range(16)})
    assert caught.value.status_code == 400
    with pytest.raises(HttpResponseError) as caught:
        client.set_secret("contoso--x", "v", tags={"t": "v" * 257})
    assert caught.value.status_code == 400
    from bridge._auth.http import build_session

    missing_version = build_session(keyvault.ca_bundle).get(f"{keyvault.url}/secrets?x=1")
    assert missing_version.status_code == 400


# -- wired into an Entra emulator's process (how `sam-bridge emulator serve` can host it) -----------------


def test_hosted_by_an_in_process_entra_emulator(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """The vault on the Entra emulator's state: its token check, clock, CA, fault queue and request log."""
    from pathlib import Path

    from azure.keyvault.secrets._shared import http_challenge_cache

    from bridge.emulator import start_in_thread
    from bridge.emulator._pki import Pki
    from bridge.emulator.keyvault import start_keyvault_in_thread

    with start_in_thread(state_dir=str(tmp_path / "entra")) as entra:
        state = entra.state
        pki = Pki.load_or_create(Path(entra.ca_bundle).parent)
        server = start_keyvault_in_thread(
            state.validate_access_token, f"{entra.authority_host}/{entra.partner_tenant}", pki.server_context,
            clock=state.now, take_fault=state.take_fault, log_request=state.log_request,
        )
        try:
            http_challenge_cache.clear()
            monkeypatch.setenv("AZURE_CLIENT_ID", SECRET_APP)
            monkeypatch.setenv("AZURE_CLIENT_SECRET", "emulator-client-secret-value")
            monkeypatch.setenv("AZURE_TENANT_ID", str(entra.partner_tenant))
            monkeypatch.setenv("AZURE_AUTHORITY_HOST", entra.authority_host)
            store = KeyVaultStore(server.url, ca_bundle=entra.ca_bundle)
            store.put("contoso/refresh-token", "rt", {"generation": 1})
            entra.client().add_fault("503", target="keyvault", count=1)  # the Entra control API's own faults
            got = store.get("contoso/refresh-token")
            assert got is not None and got.value == "rt"
            vault_log = [e for e in state.requests_since(0) if e.get("path", "").startswith("/secrets")]
            assert [e["status"] for e in vault_log][-2:] == [503, 200] and vault_log[-2]["fault"] == "503"
        finally:
            server.stop()
