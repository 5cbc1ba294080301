"""Exchanges that finish out of order, for real: an older refresh token never replaces a newer one.

The store contract checks `write_refresh_token`'s compare step directly; the exchange, batch and
rotation end-to-end tests all finish in order, so they pass even when an older token may replace a
newer one. Here two machines (two processes with their own lock directories, so they do not queue
on each other, sharing one store as machines share a vault) really overlap: a batch receives its
newest rotated token early, but one of its tenants is held by a slow authority (a TLS proxy in
front of the emulator); meanwhile the other machine redeems, rotates and writes a newer token.
When the batch ends, it must keep the other machine's token. The test fails when the compare step
is switched off (checked by letting `_is_newer` return True).
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import pytest

from bridge._services.batch import tokens
from bridge._core.scrub import fingerprint
from tests.fixtures.profiles import REPO_ROOT, ProfileHandle
from tests.reliability._helpers import GRAPH
from tests.reliability.test_bad_input import HostileProxy

SLOW_SECONDS = 12.0  # ample for the other machine's whole exchange, even on a busy machine


def test_a_batch_that_finishes_last_keeps_the_newer_token_another_machine_wrote(
        consented_profile: ProfileHandle, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, figures: Any) -> None:
    monkeypatch.setenv("SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE", "1")  # the proxy is another authority than the token's
    emulator = consented_profile.emulator
    proxy = HostileProxy(emulator)
    try:
        handle = consented_profile.with_profile(authority_host=proxy.url)
        first = handle.refresh_token()
        slow_tenant = str(uuid.uuid4())  # unknown to the emulator: held, then refused (no token issued)
        proxy.delays = {f"/{slow_tenant}/oauth2/v2.0/token": SLOW_SECONDS}
        results: list[Any] = []
        batch = threading.Thread(target=lambda: results.extend(
            tokens(handle.profile, handle.store, [GRAPH], [emulator.ids.fabrikam, slow_tenant], force_refresh=True,
                   concurrency=2)), daemon=True)
        started = time.monotonic()
        batch.start()
        # The batch's fast tenant has been redeemed (its rotated token is the batch's newest) ...
        while not any(e["tenant"] == emulator.ids.fabrikam for e in _token_requests(emulator)):
            assert time.monotonic() - started < SLOW_SECONDS, "the batch's fast tenant was never redeemed"
            time.sleep(0.05)
        time.sleep(0.5)
        # ... then the other machine redeems and writes a newer rotated token while the batch waits.
        other = subprocess.run(
            [sys.executable, "-m", "bridge", "token", "--profile", "contoso", "--scope", GRAPH, "--force-refresh"],
            capture_output=True, text=True, cwd=str(REPO_ROOT), timeout=120,
            env={**handle.env, "SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE": "1", "SAM_BRIDGE_CACHE_DIR": str(tmp_path / "machine-2")})
        assert other.returncode == 0, other.stderr
        newer = handle.refresh_token()
        assert newer != first
        assert batch.is_alive(), "the batch ended before the other machine wrote: not out of order"
        batch.join(SLOW_SECONDS + 60)
        assert not batch.is_alive()
        assert [r.ok for r in sorted(results, key=lambda r: r.tenant != emulator.ids.fabrikam)] == [True, False]
        # The batch finished last with an older token: the newer one stays, and still works.
        assert fingerprint(handle.refresh_token()) == fingerprint(newer), "an older token replaced a newer one"
        ok = handle.cli("token", "--scope", GRAPH, "--force-refresh", env={"SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE": "1"})
        assert ok.returncode == 0, ok.stderr
        figures.add("local attacker", "out-of-order batch kept the newer token")
    finally:
        proxy.close()


def _token_requests(emulator: Any) -> list[dict[str, Any]]:
    return [e for e in emulator.requests() if e.get("endpoint") == "token" and e.get("status") == 200]
