"""`app rotate` and `app credentials`: the stored secret works after every outcome, even a kill -9."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bridge._core.errors import ClientCredentialError, ServiceError
from bridge._services.app import ROTATION_STEPS, bootstrap_token, credential_status, credentials, rotate
from bridge._services.exchange import obtain_token

from .conftest import approver

GRAPH_DEFAULT = "https://graph.microsoft.com/.default"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def app_secrets(created: Any) -> list[str]:
    app = next(a for a in created.emulator.get_directory()["apps"] if a["app_id"] == created.profile.app_id)
    return app["secrets"]


def stored_secret_works(created: Any) -> None:
    """The stored secret redeems the stored refresh token (a real token request, no cache)."""
    token = obtain_token(created.profile, created.store, [GRAPH_DEFAULT], force_refresh=True)
    assert token.tenant_id == created.emulator.ids.partner


def test_rotate_replaces_the_secret_and_the_old_one_is_refused(created_app: Any) -> None:
    old = created_app.secret()
    result = rotate(created_app.profile, created_app.store)
    new = created_app.secret()
    assert new.value != old.value and new.metadata["key_id"] == result.new["key_id"]
    assert result.removed == [old.metadata["key_id"]]
    assert app_secrets(created_app) == [new.value]
    stored_secret_works(created_app)
    refused = created_app.emulator.secret_app(secret=old.value, client_id=created_app.profile.app_id)
    assert 7000215 in refused.acquire_token_for_client([GRAPH_DEFAULT])["error_codes"]
    listed = credentials(created_app.profile, created_app.store)
    assert [(c.kind, c.key_id, c.stored, c.state) for c in listed] == [("secret", new.metadata["key_id"], True, "ok")]


def test_keep_old_leaves_both(created_app: Any) -> None:
    old = created_app.secret()
    result = rotate(created_app.profile, created_app.store, keep_old=True)
    assert result.removed == [] and result.kept == [old.metadata["key_id"]]
    assert len(app_secrets(created_app)) == 2
    stored_secret_works(created_app)


@pytest.mark.parametrize("step", ROTATION_STEPS)
def test_a_kill_at_any_step_leaves_a_working_stored_secret(created_app: Any, isolated_env: dict[str, str], step: str) -> None:
    old = created_app.secret()
    script = textwrap.dedent(f"""
        import os, signal
        from bridge._api import load_profile, store_for
        from bridge._services.app import rotate
        profile = load_profile("sam")
        def on_step(name):
            if name == {step!r}:
                os.kill(os.getpid(), signal.SIGKILL)
        rotate(profile, store_for(profile), on_step=on_step)
        raise SystemExit("not killed")
    """)
    run = subprocess.run([sys.executable, "-c", script], env=isolated_env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr
    stored = created_app.secret()
    assert stored.value in app_secrets(created_app)  # what is stored is registered...
    stored_secret_works(created_app)  # ...and works
    if step in ("read", "added"):
        assert stored.value == old.value
    else:
        assert stored.value != old.value
    # The next rotation finishes the job: one secret left, the stored one.
    rotate(created_app.profile, created_app.store)
    assert app_secrets(created_app) == [created_app.secret().value]
    stored_secret_works(created_app)


def test_graph_503_before_adding_changes_nothing(created_app: Any) -> None:
    old = created_app.secret()
    created_app.emulator.add_fault("503", "graph", count=50)
    with pytest.raises(ServiceError):
        rotate(created_app.profile, created_app.store)
    created_app.emulator.clear_faults()
    assert created_app.secret().value == old.value and app_secrets(created_app) == [old.value]
    stored_secret_works(created_app)


def test_graph_503_at_removal_keeps_the_new_secret_and_the_next_rotation_cleans_up(created_app: Any) -> None:
    emulator = created_app.emulator
    old = created_app.secret()

    def fail_removal(step: str) -> None:
        if step == "proved":
            emulator.add_fault("503", "graph", count=50)

    with pytest.raises(ServiceError):
        rotate(created_app.profile, created_app.store, on_step=fail_removal)
    emulator.clear_faults()
    middle = created_app.secret()
    assert middle.value != old.value and middle.metadata["previous_key_id"] == old.metadata["key_id"]
    stored_secret_works(created_app)
    rotate(created_app.profile, created_app.store)
    assert app_secrets(created_app) == [created_app.secret().value]


def test_a_refused_proof_restores_the_old_secret(created_app: Any) -> None:
    emulator = created_app.emulator
    old = created_app.secret()

    def refuse_proof(step: str) -> None:
        if step == "stored":
            emulator.add_fault("500", "token", count=10)

    with pytest.raises(ServiceError):
        rotate(created_app.profile, created_app.store, on_step=refuse_proof)
    emulator.clear_faults()
    assert created_app.secret().value == old.value and app_secrets(created_app) == [old.value]
    stored_secret_works(created_app)


def test_concurrent_rotations_never_remove_the_stored_secret(created_app: Any, isolated_env: dict[str, str]) -> None:
    script = textwrap.dedent("""
        from bridge._api import load_profile, store_for
        from bridge._services.app import rotate
        profile = load_profile("sam")
        rotate(profile, store_for(profile))
    """)
    runs = [subprocess.Popen([sys.executable, "-c", script], env=isolated_env, cwd=REPO, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    for run in runs:
        assert run.wait(120) == 0, run.stderr.read() if run.stderr else ""
    assert app_secrets(created_app) == [created_app.secret().value]
    stored_secret_works(created_app)


def test_policy_caps_the_new_secret(created_app: Any) -> None:
    created_app.emulator.set_app_management_policy("P90D")
    result = rotate(created_app.profile, created_app.store, secret_days=365)
    end = datetime.strptime(result.new["end_date_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert end <= datetime.now(timezone.utc) + timedelta(days=90)
    stored_secret_works(created_app)


def test_an_expired_secret_says_rotate_and_rotates_with_a_sign_in(created_app: Any) -> None:
    emulator, profile = created_app.emulator, created_app.profile
    emulator.expire_credential(profile.app_id, created_app.secret().metadata["key_id"])
    with pytest.raises(ClientCredentialError) as expired:
        obtain_token(profile, created_app.store, [GRAPH_DEFAULT], force_refresh=True)
    assert 7000222 in expired.value.codes and "sam-bridge app rotate --profile sam --sign-in" in expired.value.remediation
    rotate(profile, created_app.store, token=bootstrap_token(profile, prompt=approver(emulator)))
    stored_secret_works(created_app)


def test_credential_status_warns_30_days_ahead(created_app: Any) -> None:
    status = credential_status(created_app.profile, created_app.store)
    assert status.state == "ok" and status.days_left > 30
    end = created_app.secret().metadata["end_date_time"]
    soon = datetime.strptime(end, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) - timedelta(days=29)
    warned = credential_status(created_app.profile, created_app.store, now=soon)
    assert warned.state == "warning" and "sam-bridge app rotate --profile sam" in warned.warning()
    late = credential_status(created_app.profile, created_app.store, now=soon + timedelta(days=30))
    assert late.state == "expired"


@pytest.fixture
def certificate_app(emulator: Any, isolated_env: dict[str, str]) -> Any:
    from pathlib import Path

    from bridge._api import app_create as create

    from .conftest import CreatedApp, profile_values

    config = Path(isolated_env["SAM_BRIDGE_CONFIG"])
    result = create("sam", config=config, values=profile_values(emulator, config.parent), prompt=approver(emulator),
                    targets=["PartnerCenter"], credential="certificate", secret_days=90)
    return CreatedApp(emulator, config, config.parent, result)


def app_thumbprints(created: Any) -> list[str]:
    listed = created.emulator.app_credentials(created.profile.app_id)["keyCredentials"]
    return [k["customKeyIdentifier"] for k in listed]


@pytest.mark.parametrize("kill_at", [None, "added", "stored"])
def test_a_certificate_app_rotates_its_certificate(certificate_app: Any, isolated_env: dict[str, str], kill_at: str | None) -> None:
    created = certificate_app
    assert created.profile.credential == "certificate" and created.result.credential["type"] == "certificate"
    old = created.store.get("sam/client-certificate")
    assert old is not None and app_thumbprints(created) == [old.metadata["thumbprint"]]
    stored_secret_works(created)  # a client assertion signed with the stored key
    if kill_at:
        script = textwrap.dedent(f"""
            import os, signal
            from bridge._api import load_profile, store_for
            from bridge._services.app import rotate
            profile = load_profile("sam")
            rotate(profile, store_for(profile), on_step=lambda s: s == {kill_at!r} and os.kill(os.getpid(), signal.SIGKILL))
        """)
        run = subprocess.run([sys.executable, "-c", script], env=isolated_env, cwd=REPO, capture_output=True, text=True, timeout=120)
        assert run.returncode == -signal.SIGKILL, run.stderr
        stored_secret_works(created)
    rotate(created.profile, created.store, secret_days=90)
    new = created.store.get("sam/client-certificate")
    assert new is not None and new.metadata["thumbprint"] != old.metadata["thumbprint"]
    assert app_thumbprints(created) == [new.metadata["thumbprint"]]
    stored_secret_works(created)
    assert [c.stored for c in credentials(created.profile, created.store)] == [True]
