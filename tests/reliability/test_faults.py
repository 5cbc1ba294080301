"""Fault tolerance of every network path, driven through the emulators' control APIs.

Each case injects one fault at one endpoint (the Entra emulator's token, discovery, device-code and
Partner Center endpoints; the Key Vault emulator; a locked Secret Service collection), runs the
real thing (the CLI as a subprocess, or the Python API in this process), and asserts what a user
sees: recovery after retries, or one clear error with the documented exit code. In every case the
stored refresh token is left byte-for-byte as it was (or holds exactly the newest token the
emulator handed to a successful run), still redeems afterwards, and no refresh token was redeemed
twice by a retry: the request log counts the token requests the emulator acted on.
"""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pytest

import bridge
from bridge._core.errors import ServiceError, ThrottledError
from bridge._core.scrub import fingerprint
from tests.fixtures.emulator import REPO_ROOT
from tests.fixtures.profiles import ProfileHandle, device_code_consent, make_profile
from tests.reliability._helpers import (
    GRAPH,
    acted_on,
    assert_ok,
    assert_refused,
    assert_still_redeems,
    faulted,
    last_seq,
    requests_to,
)

# Small budgets keep an "outage" case to a few seconds; the retry logic is the same at 60 s.
SHORT_BUDGET = {"SAM_BRIDGE_HTTP_RETRY_BUDGET": "1.5"}
SHORT_TIMEOUT = {"SAM_BRIDGE_HTTP_TIMEOUT": "1"}


@dataclass(frozen=True)
class Case:
    """One fault: what to inject and what the user must see."""

    name: str
    kind: str
    count: int = 2  # 2 for failures: a wrong retry would be answered normally and show up as a pass
    retry_after: int | None = None
    delay: float | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    recovers: bool = False
    message: str = ""  # regex on stderr / the exception text
    error: type = ServiceError
    exit: int = 5
    requests: int | None = None  # exact number of requests the endpoint must have seen

    def __str__(self) -> str:
        return self.name


def _inject(emulator: Any, case: Case, target: str) -> None:
    emulator.add_fault(case.kind, target, case.count, retry_after=case.retry_after, delay_seconds=case.delay)


def _record(figures: Any, emulator: Any, since: int, target: str) -> None:
    """Count the faulted requests the emulator logged for this case (after its assertions passed)."""
    for entry in faulted(emulator.requests(since)):
        figures.add("faults injected", f"{target}/{entry['fault']}")
    figures.add("fault cases", "passed")


def _api_env(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def _forced_exchange(case: Case, via: str, handle: ProfileHandle, monkeypatch: pytest.MonkeyPatch) -> BaseException | None:
    """One forced Graph exchange through the CLI or the API: it succeeds when the case recovers, else it
    is refused with the case's exit code (CLI) or error and message (API), which is returned."""
    if via == "cli":
        result = handle.cli("token", "--scope", GRAPH, "--force-refresh", "--json", env=case.env)
        if case.recovers:
            assert_ok(result)
        else:
            assert_refused(result, case.exit, case.message)
        return None
    _api_env(monkeypatch, case.env)
    if case.recovers:
        bridge.get_token(handle.profile.name, [GRAPH], force_refresh=True)
        return None
    with pytest.raises(case.error, match=case.message) as caught:
        bridge.get_token(handle.profile.name, [GRAPH], force_refresh=True)
    return caught.value


# ---------------------------------------------------------------------------------------------------
# Token endpoint (POST): only 429/503 and failed connects are retried; the refresh token is never
# presented twice for one exchange.
# ---------------------------------------------------------------------------------------------------

TOKEN_CASES = [
    Case("429-burst-recovers", "429", retry_after=1, recovers=True, requests=3),
    Case("503-burst-recovers", "503", recovers=True, requests=3),
    Case("429-past-the-budget", "429", count=50, retry_after=1, env=SHORT_BUDGET, error=ThrottledError,
         message=r"kept throttling \(HTTP 429, Retry-After: 1 s\)"),
    Case("429-retry-after-beyond-the-budget", "429", count=1, retry_after=600, error=ThrottledError,
         message=r"kept throttling \(HTTP 429, Retry-After: 600 s\)", requests=1),
    Case("503-retry-after-past-the-budget", "503", count=50, retry_after=1, env=SHORT_BUDGET, error=ThrottledError,
         message=r"kept throttling \(HTTP 503, Retry-After: 1 s\)"),
    Case("503-outage", "503", count=50, env=SHORT_BUDGET, message=r"answered HTTP 503 while trying to redeem"),
    Case("500-not-retried", "500", message=r"answered HTTP 500 while trying to redeem", requests=1),
    Case("delay-past-the-timeout", "delay", count=1, delay=2, env=SHORT_TIMEOUT,
         message=r"did not answer in time while trying to redeem .*not asked again", requests=1),
    Case("truncated", "truncated", message=r"was cut off while trying to redeem", requests=1),
    Case("malformed", "malformed", message=r"not valid JSON \(HTTP 200\) while trying to redeem", requests=1),
    Case("html", "html", message=r"answered with an HTML page \(HTTP 200\) instead of JSON", requests=1),
    Case("oversized", "oversized", message=r"sent an oversized response while trying to redeem", requests=1),
    Case("wrong-types", "wrong_types", message=r"malformed response \(fields missing or of the wrong type\)", requests=1),
    Case("missing-fields", "missing_fields", message=r"malformed token response \(no access_token\)", requests=1),
    Case("connection-reset", "reset", message=r"closed the connection before answering while trying to redeem",
         requests=1),
]


# The Python API raises what the CLI reports: every case through the CLI, and the ones that differ
# in kind (recovered, throttled, not retried, timed out, unreadable, cut off) through the API too.
_API_TOKEN_CASES = {"429-burst-recovers", "429-past-the-budget", "500-not-retried", "delay-past-the-timeout",
                    "malformed", "connection-reset", "missing-fields"}


TOKEN_PARAMS = [pytest.param(case, "cli", id=f"{case}-cli") for case in TOKEN_CASES] + [
    pytest.param(case, "api", id=f"{case}-api") for case in TOKEN_CASES if case.name in _API_TOKEN_CASES]


@pytest.mark.parametrize("case, via", TOKEN_PARAMS)
def test_token_endpoint(case: Case, via: str, consented_profile: ProfileHandle, figures: Any,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    handle, emulator = consented_profile, consented_profile.emulator
    rt = handle.refresh_token()
    store_before = handle.store.path.read_bytes()
    since = last_seq(emulator)
    _inject(emulator, case, "token")
    started = time.monotonic()
    refused = _forced_exchange(case, via, handle, monkeypatch)
    if refused is not None:
        assert type(refused) is case.error
    elapsed = time.monotonic() - started

    # A delayed request is still being answered after the client gave up: wait for its log entry.
    tokens = requests_to(emulator, since, "token", at_least=case.requests or 0, settle=5)
    if case.requests is not None:
        assert len(tokens) == case.requests, tokens
    redeemed = acted_on(tokens)
    assert len(redeemed) <= 1, f"the refresh token was redeemed {len(redeemed)} times in one exchange"
    figures.set("redemptions", "max per exchange", max(len(redeemed), figures.values["redemptions"].get("max per exchange", 0)))
    figures.set("redemptions", "double", 0)
    if case.recovers:
        assert len(redeemed) == 1 and redeemed[0]["status"] == 200
        # The stored token is exactly the one the emulator issued to this run.
        assert fingerprint(handle.refresh_token()) == redeemed[0]["issued_rt"]
        assert_still_redeems(handle, handle.refresh_token())
    else:
        # A Retry-After the budget cannot cover is answered at once, not slept through.
        if case.name == "429-retry-after-beyond-the-budget":
            assert elapsed < 15, elapsed
        assert handle.store.path.read_bytes() == store_before, "the store changed on a failed exchange"
        assert_still_redeems(handle, rt)
    _record(figures, emulator, since, "token")


# ---------------------------------------------------------------------------------------------------
# Discovery (GET): retried on 429/5xx, resets and read timeouts; an unusable document is refused
# before any token request.
# ---------------------------------------------------------------------------------------------------

# A GET is safe to repeat: every transient fault is retried, and the call recovers...
GET_RECOVERIES = [
    Case("429-recovers", "429", count=1, retry_after=1, recovers=True, requests=2),
    Case("503-recovers", "503", count=1, recovers=True, requests=2),
    Case("500-recovers", "500", count=1, recovers=True, requests=2),
    Case("reset-recovers", "reset", count=1, recovers=True, requests=2),
    Case("delay-past-the-timeout-recovers", "delay", count=1, delay=1.5, env=SHORT_TIMEOUT, recovers=True, requests=2),
]


def get_refusals(doing: str) -> list[Case]:
    """...while an outage, or an answer that is not the JSON asked for, is one error naming what was being done."""
    return [
        Case("503-outage", "503", count=50, env=SHORT_BUDGET, message=rf"answered HTTP 503 while trying to {doing}"),
        Case("truncated", "truncated", message=rf"was cut off while trying to {doing}", requests=1),
        Case("malformed", "malformed", message=rf"not valid JSON \(HTTP 200\) while trying to {doing}", requests=1),
        Case("html", "html", message=rf"HTML page \(HTTP 200\) instead of JSON while trying to {doing}", requests=1),
        Case("oversized", "oversized", message=rf"oversized response while trying to {doing}", requests=1),
    ]


DISCOVERY_CASES = [
    *GET_RECOVERIES,
    *get_refusals("discover the authority"),
    Case("wrong-types", "wrong_types", message=r"malformed response .* while trying to discover the authority|did not return a usable OpenID configuration"),
    Case("missing-fields", "missing_fields", message=r"did not return a usable OpenID configuration"),
]


# The CLI runs the same core functions as the API (the token cases check both); one variant each
# keeps the suite short.
@pytest.mark.parametrize("via", ["cli"])
@pytest.mark.parametrize("case", DISCOVERY_CASES, ids=str)
def test_discovery(case: Case, via: str, consented_profile: ProfileHandle, figures: Any,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    from bridge._auth.http import clear_discovery_cache

    handle, emulator = consented_profile, consented_profile.emulator
    rt = handle.refresh_token()
    store_before = handle.store.path.read_bytes()
    clear_discovery_cache()  # the consent fetched it; this process must ask again
    since = last_seq(emulator)
    _inject(emulator, case, "discovery")
    _forced_exchange(case, via, handle, monkeypatch)
    discovery = requests_to(emulator, since, "discovery", at_least=case.requests or 0, settle=5)
    if case.requests is not None:
        assert len(discovery) == case.requests, discovery
    tokens = requests_to(emulator, since, "token")
    if case.recovers:
        assert len(acted_on(tokens)) == 1
        assert fingerprint(handle.refresh_token()) == acted_on(tokens)[0]["issued_rt"]
    else:
        assert tokens == [], "a token request was sent after an unusable discovery answer"
        assert handle.store.path.read_bytes() == store_before
        clear_discovery_cache()
        assert_still_redeems(handle, rt)
    _record(figures, emulator, since, "discovery")


def test_a_bad_discovery_answer_is_not_cached_for_the_next_exchange(consented_profile: ProfileHandle, figures: Any) -> None:
    """A long-running process (a batch, the PowerShell host) must recover once the authority does."""
    from bridge._auth.http import clear_discovery_cache

    handle, emulator = consented_profile, consented_profile.emulator
    clear_discovery_cache()
    since = last_seq(emulator)
    emulator.add_fault("missing_fields", "discovery", 1)
    with pytest.raises(ServiceError, match="usable OpenID configuration"):
        bridge.get_token(handle.profile.name, [GRAPH], force_refresh=True)
    token = bridge.get_token(handle.profile.name, [GRAPH], force_refresh=True)  # same process, fault gone
    assert token.token
    _record(figures, emulator, since, "discovery")


# ---------------------------------------------------------------------------------------------------
# Device-code endpoint (POST, during consent): a failed consent leaves the earlier refresh token.
# ---------------------------------------------------------------------------------------------------

DEVICECODE_CASES = [
    Case("429-recovers", "429", count=1, retry_after=1, recovers=True, requests=2),
    Case("503-recovers", "503", count=1, recovers=True, requests=2),
    Case("429-past-the-budget", "429", count=50, retry_after=1, env=SHORT_BUDGET, error=ThrottledError,
         message=r"kept throttling \(HTTP 429, Retry-After: 1 s\) while trying to start the device-code flow"),
    Case("500-not-retried", "500", message=r"answered HTTP 500 while trying to start the device-code flow", requests=1),
    Case("truncated", "truncated", message=r"cut off while trying to start the device-code flow", requests=1),
    Case("malformed", "malformed", message=r"not valid JSON \(HTTP 200\) while trying to start the device-code flow", requests=1),
    Case("html", "html", message=r"HTML page \(HTTP 200\) instead of JSON while trying to start", requests=1),
    Case("oversized", "oversized", message=r"oversized response while trying to start the device-code flow", requests=1),
    Case("wrong-types", "wrong_types", message=r"malformed response .* while trying to start the device-code flow", requests=1),
    Case("missing-fields", "missing_fields", message=r"device-code response without a user code", requests=1),
    Case("connection-reset", "reset", message=r"closed the connection before answering while trying to start", requests=1),
]


def _approve_when_pending(emulator: Any, app_id: str, timeout: float = 30.0) -> None:
    """Approve the device code as the MFA admin would, once the client has asked for one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = [c for c in emulator.device_codes() if c["client_id"] == app_id]
        if pending:
            emulator.approve_device_code(pending[0]["user_code"], emulator.ids.admin, emulator.ids.password, emulator.totp())
            return
        time.sleep(0.1)
    raise AssertionError("no device code was requested")


@pytest.mark.parametrize("via", ["cli"])
@pytest.mark.parametrize("case", DEVICECODE_CASES, ids=str)
def test_device_code_endpoint(case: Case, via: str, consented_profile: ProfileHandle, figures: Any,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    handle, emulator = consented_profile, consented_profile.emulator
    rt = handle.refresh_token()
    store_before = handle.store.path.read_bytes()
    since = last_seq(emulator)
    _inject(emulator, case, "devicecode")
    if via == "cli":
        process = subprocess.Popen(
            [sys.executable, "-m", "bridge", "consent", "--device-code", "--json"], env={**handle.env, **case.env},
            cwd=str(REPO_ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        if case.recovers:
            _approve_when_pending(emulator, handle.profile.app_id)
        out, err = process.communicate(timeout=120)
        result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
        if case.recovers:
            assert_ok(result)
        else:
            assert_refused(result, case.exit, case.message)
    else:
        _api_env(monkeypatch, case.env)
        if case.recovers:
            device_code_consent(handle)
        else:
            with pytest.raises(case.error, match=case.message):
                device_code_consent(handle)
    calls = requests_to(emulator, since, "devicecode", at_least=case.requests or 0, settle=5)
    if case.requests is not None:
        assert len(calls) == case.requests, calls
    if case.recovers:
        issued = [e["issued_rt"] for e in acted_on(requests_to(emulator, since, "token")) if e["status"] == 200]
        assert fingerprint(handle.refresh_token()) == issued[-1]
    else:
        assert requests_to(emulator, since, "token") == [], "nothing may be polled after a failed start"
        assert handle.store.path.read_bytes() == store_before, "a failed consent changed the store"
        assert_still_redeems(handle, rt)
    _record(figures, emulator, since, "devicecode")


# ---------------------------------------------------------------------------------------------------
# Partner Center customer listing (GET, `--all-customers`)
# ---------------------------------------------------------------------------------------------------

PARTNERCENTER_CASES = [
    *GET_RECOVERIES,
    *get_refusals("list the customers"),
    Case("wrong-types", "wrong_types", message=r"customer list sam-bridge cannot read", requests=1),
    Case("missing-fields", "missing_fields", message=r"customer list sam-bridge cannot read", requests=1),
]


@pytest.mark.parametrize("via", ["cli"])
@pytest.mark.parametrize("case", PARTNERCENTER_CASES, ids=str)
def test_partner_center_customer_list(case: Case, via: str, consented_profile: ProfileHandle, figures: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from bridge._services.partner_center import partner_center_customers

    # No customers list in the profile, so --all-customers asks (the emulator's) Partner Center.
    handle = consented_profile.with_profile(customers=(), partner_center_url=consented_profile.emulator.info["partner_center_url"])
    emulator = handle.emulator
    # Woodgrove (active GDAP) has not consented the app in the seed: consent it, so that every tenant
    # Partner Center lists can be exchanged and a recovered run exits 0.
    directory = emulator.get_directory()
    template = next(c for c in directory["consents"] if c["tenant"] == emulator.ids.fabrikam and c["app_id"] == handle.profile.app_id)
    directory["consents"].append({**template, "tenant": emulator.ids.woodgrove})
    emulator.put_directory(directory)
    since = last_seq(emulator)
    _inject(emulator, case, "partnercenter")
    if via == "cli":
        result = handle.cli("token", "--all-customers", "--scope", GRAPH, "--json", env=case.env)
        if case.recovers:
            assert_ok(result)
            lines = [line for line in result.stdout.splitlines() if line.strip()]
            assert len(lines) == 3 and all('"ok": true' in line for line in lines), result.stdout  # Fabrikam, Northwind, Woodgrove
        else:
            assert_refused(result, case.exit, case.message)
    else:
        _api_env(monkeypatch, case.env)
        if case.recovers:
            assert len(partner_center_customers(handle.profile, handle.store)) == 3
        else:
            with pytest.raises(case.error, match=case.message):
                partner_center_customers(handle.profile, handle.store)
    listing = requests_to(emulator, since, "partnercenter", at_least=case.requests or 0, settle=5)
    if case.requests is not None:
        assert len(listing) == case.requests, listing
    # The Partner Center token (and a recovered batch) were successful exchanges: what is stored is
    # a token the emulator issued to them.
    redeemed = acted_on(requests_to(emulator, since, "token"))
    assert redeemed and fingerprint(handle.refresh_token()) in {e["issued_rt"] for e in redeemed}
    if not case.recovers:
        assert len(redeemed) == 1  # only the Partner Center token; no tenant was attempted
    assert_still_redeems(handle, handle.refresh_token())
    _record(figures, emulator, since, "partnercenter")


# ---------------------------------------------------------------------------------------------------
# Connection refused (nothing listening): connect failures are retried within the budget
# ---------------------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused(consented_profile: ProfileHandle, figures: Any) -> None:
    handle = consented_profile
    rt = handle.refresh_token()
    port = _closed_port()
    moved = handle.with_profile(authority_host=f"https://127.0.0.1:{port}")
    store_before = moved.store.path.read_bytes()
    started = time.monotonic()
    # The token was issued by the emulator's authority, not this one: presenting it there is meant here.
    result = moved.cli("--verbose", "token", "--scope", GRAPH, "--force-refresh",
                       env={**SHORT_BUDGET, "SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE": "1"})
    assert time.monotonic() - started < 20
    assert result.returncode == 5 and "Traceback" not in result.stderr, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and re.search(rf"could not connect to https://127.0.0.1:{port}/\S+ to discover the authority", errors[0])
    # urllib3 logs each retried connect at --verbose: the refusal was retried, not given up at once.
    assert result.stderr.count("Retrying (") >= 1, result.stderr[-2000:]
    assert moved.store.path.read_bytes() == store_before
    handle.with_profile(authority_host=handle.emulator.authority_host)
    assert_still_redeems(handle, rt)
    figures.add("faults injected", "connect/refused", 2)
    figures.add("fault cases", "passed")


# ---------------------------------------------------------------------------------------------------
# Key Vault outage: the store fails clearly, the vault keeps the refresh token, and it recovers
# ---------------------------------------------------------------------------------------------------


@pytest.fixture
def vault_profile(keyvault: Any, emulator: Any, isolated_env: dict[str, str]) -> ProfileHandle:
    """A consented profile whose refresh token lives in the emulated Key Vault (the SDK, over HTTPS)."""
    env = dict(isolated_env, **keyvault.credential_env())
    handle = make_profile(emulator, env, name="vaulted", store=f"keyvault:{keyvault.url}")
    from bridge._api import store_for

    handle.store = store_for(handle.profile)  # with the profile's CA bundle, as the CLI opens it
    device_code_consent(handle)
    return handle


def _vault_value(keyvault: Any) -> tuple[str, int, dict[str, str]]:
    """The refresh-token secret as the vault holds it: latest value's fingerprint, version count, tags."""
    from bridge._stores.keyvault import secret_name

    name = secret_name("vaulted/refresh-token")
    rows = [s for s in keyvault.secrets() if s["name"].lower() == name]
    assert len(rows) == 1, rows
    latest = rows[0]["versions"][-1]
    return latest["fingerprint"], len(rows[0]["versions"]), latest["tags"]


def _vault_since(keyvault: Any) -> int:
    log = keyvault.requests()
    return log[-1]["seq"] if log else 0


@pytest.mark.parametrize("kind", ["503", "reset"])
def test_key_vault_short_outage_is_ridden_out(kind: str, keyvault: Any, vault_profile: ProfileHandle, figures: Any) -> None:
    since = _vault_since(keyvault)
    keyvault.add_fault(kind, count=2)
    result = vault_profile.cli("token", "--scope", GRAPH, "--force-refresh", "--json")
    assert_ok(result)
    faults = [r for r in keyvault.requests(since) if r.get("fault")]
    assert len(faults) == 2
    for entry in faults:
        figures.add("faults injected", f"keyvault/{entry['fault']}")
    figures.add("fault cases", "passed")


def test_key_vault_outage_before_the_exchange(keyvault: Any, vault_profile: ProfileHandle, figures: Any) -> None:
    """The vault is down when the refresh token is read: nothing is sent to Entra, nothing lost."""
    emulator = vault_profile.emulator
    rt = vault_profile.refresh_token()
    before = _vault_value(keyvault)
    assert before[0] == fingerprint(rt)
    since, kv_since = last_seq(emulator), _vault_since(keyvault)
    keyvault.add_fault("503", count=200)
    result = vault_profile.cli("token", "--scope", GRAPH, "--force-refresh", env=SHORT_BUDGET)
    assert_refused(result, 3, r"Key Vault https://127\.0\.0\.1:\d+ is unavailable \(HTTP 503\) and kept failing "
                              r"while trying to read vaulted--refresh-token; nothing was changed")
    assert requests_to(emulator, since, "token") == [], "Entra was asked while the vault was down"
    injected = [r for r in keyvault.requests(kv_since) if r.get("fault")]
    keyvault.control("DELETE", "faults")
    assert _vault_value(keyvault) == before, "the vault's refresh token changed"
    assert_still_redeems(vault_profile, rt)
    for entry in injected:
        figures.add("faults injected", f"keyvault/{entry['fault']}")
    figures.add("fault cases", "passed")


def test_key_vault_outage_while_writing_back_the_rotated_token(keyvault: Any, vault_profile: ProfileHandle,
                                                              figures: Any) -> None:
    """The vault goes down between the redemption and the write-back: a clear error; the vault still
    holds the previous token, which Entra still accepts (a redemption does not revoke it)."""
    emulator = vault_profile.emulator
    rt = vault_profile.refresh_token()
    before = _vault_value(keyvault)
    assert before[0] == fingerprint(rt)
    since, kv_since = last_seq(emulator), _vault_since(keyvault)
    # Delay the next two token requests: the vault credential's (client credentials for the vault)
    # and the redemption, which then gives this test 1 s to take the vault down mid-exchange.
    emulator.add_fault("delay", "token", 2, delay_seconds=1)
    process = subprocess.Popen([sys.executable, "-m", "bridge", "token", "--scope", GRAPH, "--force-refresh"],
                               env={**vault_profile.env, **SHORT_BUDGET}, cwd=str(REPO_ROOT),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not any(r["method"] == "GET" and "refresh-token" in r["path"] and r["status"] == 200
                  for r in keyvault.requests(kv_since)):
        assert time.monotonic() < deadline and process.poll() is None, "the exchange never read the vault"
        time.sleep(0.02)
    # The next vault requests are the write-back: the compare-before-write read, then the PUT.
    keyvault.add_fault("503", count=200)
    out, err = process.communicate(timeout=60)
    result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    assert_refused(result, 3, r"is unavailable \(HTTP 503\) and kept failing while trying to (read|write) "
                              r"vaulted--refresh-token; nothing was changed")
    redemptions = [e for e in acted_on(requests_to(emulator, since, "token")) if e["grant_type"] == "refresh_token"]
    assert len(redemptions) == 1
    injected = [r for r in keyvault.requests(kv_since) if r.get("fault")]
    assert injected and all("refresh-token" in r["path"] for r in injected)
    keyvault.control("DELETE", "faults")
    assert _vault_value(keyvault) == before, "the vault's refresh token changed"
    assert_still_redeems(vault_profile, rt)
    for entry in injected:
        figures.add("faults injected", f"keyvault/{entry['fault']}")
    figures.add("fault cases", "passed")


# ---------------------------------------------------------------------------------------------------
# A locked keyring (a real gnome-keyring whose login collection is locked)
# ---------------------------------------------------------------------------------------------------

_READ_STORE = """
import sys
from bridge._core.scrub import fingerprint
from bridge._stores.keyring_store import KeyringStore
stored = KeyringStore(sys.argv[1]).get("locked/refresh-token")
print(fingerprint(stored.value) if stored else "none")
"""


def test_locked_keyring(emulator: Any, isolated_env: dict[str, str], tmp_path: Path, figures: Any) -> None:
    """Every command that needs the keyring says it is locked (exit 3) and sends nothing to Entra;
    once unlocked (the daemon restarted with its password) the same token redeems."""
    from bridge._config import Config, Profile
    from tests.fixtures.secret_service import SecretServiceDaemon

    service = f"sam-bridge-rel-{uuid.uuid4().hex[:8]}"
    profile = Profile(name="locked", app_id=emulator.ids.public_app, tenant=emulator.ids.partner,
                      authority_host=emulator.authority_host, ca_bundle=emulator.ca_bundle, store=f"keyring:{service}")
    config = Config.load(isolated_env["SAM_BRIDGE_CONFIG"])
    config.set_profile(profile)
    config.save()
    rt = emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]
    daemon = SecretServiceDaemon(tmp_path / "keyring").start()
    try:
        env = dict(isolated_env, DBUS_SESSION_BUS_ADDRESS=daemon.address)
        env.pop("PYTHON_KEYRING_BACKEND", None)

        def cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "bridge", *args], input=input, capture_output=True,
                                  text=True, env=env, cwd=str(REPO_ROOT), timeout=60)

        def stored() -> str:
            done = subprocess.run([sys.executable, "-c", _READ_STORE, service], capture_output=True, text=True,
                                  env=env, cwd=str(REPO_ROOT), timeout=60)
            assert done.returncode == 0, done.stderr
            return done.stdout.strip()

        assert_ok(cli("refresh-token", "import", "--profile", "locked", input=rt))
        assert stored() == fingerprint(rt)
        daemon.lock_default_collection()
        since = last_seq(emulator)
        for args, stdin in ((("token", "--scope", GRAPH), None), (("status",), None),
                            (("refresh-token", "import"), "0.AXkA-another-token-value")):
            result = cli(*args, "--profile", "locked", input=stdin)
            assert_refused(result, 3, r"the OS keyring is locked")
            figures.add("faults injected", "keyring/locked")
        assert requests_to(emulator, since, "token") == []
        daemon.stop()  # unlock: the daemon starts again with the keyring's password, as at login
        daemon.start()
        env["DBUS_SESSION_BUS_ADDRESS"] = daemon.address
        assert stored() == fingerprint(rt), "the locked keyring lost or changed the refresh token"
        since = last_seq(emulator)
        assert_ok(cli("token", "--scope", GRAPH, "--profile", "locked"))
        redeemed = acted_on(requests_to(emulator, since, "token"))
        assert [e["presented_rt"] for e in redeemed] == [fingerprint(rt)]
        assert stored() == redeemed[0]["issued_rt"]
    finally:
        daemon.stop()
    figures.add("fault cases", "passed")
