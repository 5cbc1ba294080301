"""doctor's app-kind probe (the profile's credential against what the app registration is) and the
loopback port the browser consent listens on."""
from __future__ import annotations

import socket
import uuid

import pytest

from bridge._api import store_client_secret
from tests.doctor.conftest import diagnose


@pytest.mark.parametrize("app, credential, secret, status, detail, fix", [
    # A secret configured for an app registered as a public client.
    ("public_app", "secret", "client_secret", "fail", "is a public client (AADSTS700025)", "--public-client"),
    # A confidential app used as if it were public.
    ("secret_app", "none", None, "fail", "is a confidential client, but the profile sends no credential (AADSTS7000218)",
     "Allow public client flows"),
    # The secret's ID pasted instead of its value, or an expired secret.
    ("secret_app", "secret", "wrong", "fail", "refused the profile's client secret (AADSTS7000215)",
     "the secret's Value (not its Secret ID)"),
    # A typo in the application id.
    ("unknown", "none", None, "fail", "does not exist in tenant", "Application (client) ID"),
    # The right secret for the confidential app: the probe passes.
    ("secret_app", "secret", "client_secret", "ok", "confidential client (secret) accepted by the authority", None),
], ids=["public-app-with-secret", "confidential-app-without-credential", "wrong-secret", "unknown-app",
        "confidential-app-with-secret"])
def test_app_kind(emulator_profile, app, credential, secret, status, detail, fix):
    emulator = emulator_profile.emulator
    app_id = str(uuid.uuid4()) if app == "unknown" else getattr(emulator.ids, app)
    handle = emulator_profile.with_profile(app_id=app_id, credential=credential)
    if secret:
        value = "not-the-secret-value~" + "x" * 20 if secret == "wrong" else emulator.ids.client_secret
        store_client_secret(handle.profile, value)
    since = len(emulator.requests())
    finding = diagnose(handle)["app_kind"]
    assert finding.status == status, finding
    assert detail in finding.detail, finding.detail
    if fix:
        assert fix in finding.fix, finding.fix
    # The probe is one request to the token endpoint with a made-up refresh token: the stored refresh
    # token (none here) is never spent to find this out.
    token_calls = [r for r in emulator.requests()[since:] if r.get("endpoint") == "token"]
    assert len(token_calls) == 1, token_calls


def test_loopback_port_in_use(emulator_profile):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        handle = emulator_profile.with_profile(redirect_port=port)
        finding = diagnose(handle)["loopback_port"]
    assert finding.status == "fail"
    assert f"localhost port {port} cannot receive the browser sign-in redirect" in finding.detail
    assert f"Stop the program holding port {port}" in finding.fix and "--redirect-port 0" in finding.fix


def test_loopback_fixed_port_free(emulator_profile):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    finding = diagnose(emulator_profile.with_profile(redirect_port=port))["loopback_port"]
    assert finding.status == "ok" and finding.detail.endswith(f"localhost:{port}")


def test_a_refused_credential_is_reported_once_not_per_customer(consented_profile):
    """Every customer exchange would fail with the same AADSTS7000218: doctor names it under app_kind
    and skips the customer checks, pointing there."""
    handle = consented_profile.with_profile(app_id=consented_profile.emulator.ids.secret_app)
    findings = diagnose(handle)
    assert findings["app_kind"].status == "fail"
    customers = [f for name, f in findings.items() if name.startswith("customer:")]
    assert len(customers) == 2 and {(f.status, f.fix) for f in customers} == {("skip", "Fix app_kind first.")}
