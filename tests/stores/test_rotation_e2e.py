"""Acceptance: 8 processes x 25 forced exchanges of one profile against the Entra emulator.

At the end the stored refresh token is the newest one the emulator issued (its request log says
which), every exchange presented the token the previous one stored (the rotation chain never
broke), the stored token still redeems, and the store is intact. Run over file, keyring (a real
Secret Service) and Key Vault (the SDK against the vault emulator).
"""
from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from bridge._core.scrub import fingerprint
from tests.fixtures.profiles import device_code_consent, make_profile
from tests.stores.conftest import finish, run_worker

PROCESSES, EXCHANGES = 8, 25


def _store_uri(kind: str, request: pytest.FixtureRequest, env: dict[str, str]) -> str:
    if kind == "file":
        return f"file:{env['SAM_BRIDGE_CACHE_DIR']}/e2e-store.json"
    if kind == "keyring":
        request.getfixturevalue("secret_service")
        return f"keyring:sam-bridge-e2e-{uuid.uuid4().hex[:8]}"
    vault = request.getfixturevalue("keyvault")
    return f"keyvault:{vault.url}"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["file", "keyring", "keyvault"])
def test_concurrent_exchanges_store_the_newest_refresh_token(
    kind: str, request: pytest.FixtureRequest, emulator: Any, isolated_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os

    uri = _store_uri(kind, request, isolated_env)
    env = dict(isolated_env, **{k: v for k, v in os.environ.items() if k.startswith(("AZURE_", "DBUS_"))})
    handle = make_profile(emulator, env, name="rotation", store=uri)
    from bridge._api import store_for

    handle.store = store_for(handle.profile)  # with the profile's CA bundle, as the CLI opens it
    device_code_consent(handle)
    consented = handle.refresh_token()
    since = emulator.requests()[-1]["seq"]
    scope = handle.profile.scopes[0]

    started = time.monotonic()
    workers = [
        run_worker("exchange", "--config", str(handle.config_path), "--profile", "rotation",
                   "--scope", scope, "--count", str(EXCHANGES), env=env)
        for _ in range(PROCESSES)
    ]
    reports = [finish(w, timeout=300) for w in workers]
    elapsed = time.monotonic() - started
    assert sum(r["exchanges"] for r in reports) == PROCESSES * EXCHANGES

    log = [e for e in emulator.requests(since) if e.get("endpoint") == "token" and e.get("grant_type") == "refresh_token"]
    ok = [e for e in log if e["status"] == 200]
    assert len(ok) == PROCESSES * EXCHANGES, [e for e in log if e["status"] != 200][:3]
    issued = [e["issued_rt"] for e in ok]
    assert all(issued) and len(set(issued)) == len(issued)
    # Every redemption presented the token the one before it stored: no stale token was ever read.
    presented = [e["presented_rt"] for e in ok]
    assert presented == [fingerprint(consented)] + issued[:-1]

    stored = handle.store.get("rotation/refresh-token")
    assert stored is not None
    newest = issued[-1]
    assert fingerprint(stored.value) == newest == stored.metadata["fingerprint"]
    assert stored.metadata["generation"] == 1 + PROCESSES * EXCHANGES
    assert stored.metadata["source"] == "exchange" and stored.metadata["mfa"] is True

    # It still redeems, and the store is intact (every entry reads back).
    since = emulator.requests()[-1]["seq"]
    done = handle.cli("token", "--profile", "rotation", "--force-refresh", "--json")
    assert done.returncode == 0, done.stderr
    again = [e for e in emulator.requests(since) if e.get("grant_type") == "refresh_token"]
    assert [(e["status"], e["presented_rt"]) for e in again] == [(200, newest)]
    for name in handle.store.list():
        assert handle.store.get(name) is not None
    assert "rotation/refresh-token" in handle.store.list()

    with capsys.disabled():  # the figures belong in the run's output, not only in a failure report
        print(
            f"\n[{kind}] {PROCESSES} processes x {EXCHANGES} forced exchanges in {elapsed:.1f} s "
            f"({PROCESSES * EXCHANGES / elapsed:.0f}/s): {len(ok)} redemptions, {len(set(issued))} refresh tokens "
            f"issued; stored = newest issued ({newest}), generation {stored.metadata['generation']}, redeems again: yes"
        )
