"""doctor against an authority that is unreachable, untrusted, has no such tenant, serves a discovery
document without the endpoints, or whose clock disagrees with this machine's."""
from __future__ import annotations

import socket
import uuid

import pytest

from tests.doctor.conftest import diagnose, statuses

NEEDS_AUTHORITY = ("app_kind",)


def test_authority_unreachable(consented_profile, monkeypatch):
    monkeypatch.setenv("SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE", "1")  # the token was issued by the emulator's authority
    # A port bound but never listening: connections are refused at once, on every retry.
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        host = f"https://127.0.0.1:{holder.getsockname()[1]}"
        handle = consented_profile.with_profile(authority_host=host)
        findings = diagnose(handle)
    assert findings["authority"].status == "fail"
    assert host in findings["authority"].detail and "discovery document" in findings["authority"].detail
    assert host in findings["authority"].fix and "proxy" in findings["authority"].fix
    # What needs the authority is skipped rather than reported as a second, misleading failure.
    assert findings["clock"].status == "skip" and findings["app_kind"].status == "skip"
    assert {findings[c].status for c in findings if c.startswith("customer:")} == {"skip"}
    assert findings["app_kind"].fix == "Fix the authority first."
    # The local facts are still judged, marked as not confirmed by Entra.
    assert findings["refresh_token"].status == "warn" and findings["mfa"].status == "ok"
    assert "not confirmed with Entra: the authority is not usable" in findings["refresh_token"].detail


def test_authority_certificate_not_trusted(consented_profile):
    """The profile lost its --ca-bundle (or a TLS-inspecting proxy sits in the way)."""
    handle = consented_profile.with_profile(ca_bundle=None)
    findings = diagnose(handle)
    assert findings["authority"].status == "fail"
    assert "TLS verification" in findings["authority"].detail and "--ca-bundle" in findings["authority"].fix


@pytest.mark.parametrize("tenant", ["contosso.onmicrosoft.com", str(uuid.UUID(int=7))], ids=["typo-domain", "unknown-id"])
def test_wrong_tenant(consented_profile, tenant):
    handle = consented_profile.with_profile(tenant=tenant)
    findings = diagnose(handle)
    authority = findings["authority"]
    assert authority.status == "fail" and "AADSTS90002" in authority.detail and tenant in authority.detail
    assert "--tenant" in authority.fix and "cloud" in authority.fix
    # The authority answered, so its clock was still read.
    assert findings["clock"].status == "ok"
    assert findings["app_kind"].status == "skip"


def test_discovery_document_without_endpoints(consented_profile):
    """Something answers at the authority host with 200 and JSON, but not Entra's document (a captive
    portal, a misconfigured proxy): the emulator's `missing_fields` fault on discovery."""
    consented_profile.emulator.add_fault("missing_fields", target="discovery", count=1)
    findings = diagnose(consented_profile)
    authority = findings["authority"]
    assert authority.status == "fail"
    assert "lacks authorization_endpoint, token_endpoint, device_authorization_endpoint" in authority.detail
    assert "--authority-host" in authority.fix
    assert findings["app_kind"].status == "skip"


@pytest.mark.parametrize("server_offset, status, words", [
    (600, "fail", "600 s (10 min) behind"),   # this machine is 10 minutes slow
    (-900, "fail", "900 s (15 min) ahead of"),  # 15 minutes fast
    (120, "warn", "120 s (2 min) behind"),    # inside Entra's tolerance, but time sync is broken
], ids=["10-min-slow", "15-min-fast", "2-min-slow"])
def test_clock_skew(consented_profile, skewed_authority, server_offset, status, words, monkeypatch):
    monkeypatch.setenv("SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE", "1")  # the proxy is another authority than the token's
    proxy = skewed_authority(server_offset)
    handle = consented_profile.with_profile(authority_host=proxy.authority_host, ca_bundle=proxy.ca_bundle)
    findings = diagnose(handle)
    assert proxy.requests_seen, "doctor did not ask the skewed authority"
    clock = findings["clock"]
    assert clock.status == status, clock
    # Date has one-second resolution and the request takes a moment: allow the last digit to move.
    seconds, rest = words.split(" s ", 1)
    assert any(f"{int(seconds) + d} s {rest}" in clock.detail for d in (-1, 0, 1)), clock.detail
    assert "NTP" in clock.fix
    # Only the clock is wrong: the proxy passes everything else through.
    others = {k: v for k, v in statuses(findings).items() if k != "clock"}
    assert set(others.values()) == {"ok"}, others


def test_doctor_sees_the_authority_as_it_answers_now(consented_profile):
    """bridge._auth.http caches discovery documents per process for an hour; doctor must not report a
    cached document (nor the clock of an old response) as the authority's state now."""
    assert diagnose(consented_profile)["authority"].status == "ok"  # the document is now cached
    consented_profile.emulator.add_fault("missing_fields", target="discovery", count=1)
    assert diagnose(consented_profile)["authority"].status == "fail"
