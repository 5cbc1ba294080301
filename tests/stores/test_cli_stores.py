"""The CLI against every backend: `refresh-token import` (token on stdin), `status`, `store check`,
and `keyvault import-cipp` from a CIPP-style vault.

Persistent backends run the real console entry in subprocesses with SAM_BRIDGE_CONFIG and
SAM_BRIDGE_CACHE_DIR in a temp dir; the memory store lives in one process, so its commands run
through the same entry point (`bridge.cli.main`) in this process.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bridge._core.tokens import parse_iso
from tests.fixtures.emulator import REPO_ROOT
from tests.stores.conftest import SECRET_APP, SECRET_APP_SECRET, KeyVaultEndpoint, StoreCase

PUBLIC_APP = "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c"
TOKEN = "0.AXkAsentinel-imported-refresh-token-" + "Q" * 600


def run_cli(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    environment = dict(env, PYTHONPATH=str(REPO_ROOT))
    return subprocess.run([sys.executable, "-m", "bridge", *args], input=stdin, env=environment,
                          capture_output=True, text=True, timeout=120, cwd=str(REPO_ROOT))


def run_in_process(args: list[str], stdin: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    from bridge.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SAM_BRIDGE_CONFIG"] = str(tmp_path / "config" / "config.toml")
    env["SAM_BRIDGE_CACHE_DIR"] = str(tmp_path / "cache")
    for key in ("SAM_BRIDGE_STORE", "SAM_BRIDGE_PROFILE", "SAM_BRIDGE_REFRESH_TOKEN"):
        env.pop(key, None)
    return env


def _profile_args(case: StoreCase) -> list[str]:
    args = ["profile", "add", "contoso", "--app-id", PUBLIC_APP, "--tenant", "contoso.onmicrosoft.com", "--store", case.uri]
    if case.keyvault is not None:
        args += ["--ca-bundle", case.keyvault.ca_bundle]
    return args


def test_import_and_status_with_every_backend(
    store_case: StoreCase, cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = [
        (_profile_args(store_case), ""),
        (["store", "check", "--profile", "contoso"], ""),
        (["refresh-token", "import", "--profile", "contoso", "--json", "--no-verify"], TOKEN + "\n"),
        (["status", "--profile", "contoso", "--json"], ""),
    ]
    outputs = []
    before = datetime.now(timezone.utc)
    for args, stdin in commands:
        assert TOKEN not in " ".join(args)  # the token only ever travels on stdin
        if store_case.kind == "memory":
            for key in ("SAM_BRIDGE_CONFIG", "SAM_BRIDGE_CACHE_DIR"):
                monkeypatch.setenv(key, cli_env[key])
            code, out, err = run_in_process(args, stdin, capsys, monkeypatch)
        else:
            done = run_cli(args, cli_env, stdin)
            code, out, err = done.returncode, done.stdout, done.stderr
        assert code == 0, f"{args}: {err}"
        assert TOKEN not in out and TOKEN not in err
        outputs.append(out)
    imported = json.loads(outputs[2])
    assert imported["profile"] == "contoso" and imported["store"] == store_case.uri
    status = json.loads(outputs[3])
    assert status["present"] is True and status["store"] == store_case.uri and status["state"] == "ok"
    assert status["source"] == "import" and status["scopes"] == ["https://api.partnercenter.microsoft.com/user_impersonation"]
    issued = parse_iso(status["issued_at"])
    assert issued is not None and abs((issued - before).total_seconds()) < 120
    assert 89 < status["days_left"] <= 90
    stored = store_case.open().get("contoso/refresh-token")
    assert stored is not None and stored.value == TOKEN and stored.metadata["source"] == "import"


# -- CIPP -----------------------------------------------------------------------------------------------------


@pytest.fixture
def cipp_vault(keyvault: KeyVaultEndpoint, emulator: Any) -> dict[str, Any]:
    """A vault laid out as CIPP leaves it, with a refresh token the Entra emulator really issued."""
    from bridge._stores.keyvault import KeyVaultStore

    result = emulator.device_code_login(emulator.secret_app(), ["https://graph.microsoft.com/.default"])
    assert "refresh_token" in result, result
    client = KeyVaultStore(keyvault.url, ca_bundle=keyvault.ca_bundle).client
    # Set-AzKeyVaultSecret writes plain secrets: no tags, no content type.
    client.set_secret("ApplicationId", SECRET_APP)  # older CIPP spelling; names ignore case
    client.set_secret("ApplicationSecret", SECRET_APP_SECRET)
    client.set_secret("TenantID", keyvault.tenant)
    created = client.set_secret("RefreshToken", result["refresh_token"]).properties.created_on
    return {"refresh_token": result["refresh_token"], "created_on": created}


def test_import_cipp_creates_a_working_profile(
    cipp_vault: dict[str, Any], keyvault: KeyVaultEndpoint, emulator: Any, cli_env: dict[str, str]
) -> None:
    base = ["keyvault", "import-cipp", "--vault", keyvault.url, "--profile", "cipp", "--ca-bundle", keyvault.ca_bundle]
    refused = run_cli(base, cli_env)
    assert refused.returncode == 3 and "add --create" in refused.stderr and "Traceback" not in refused.stderr

    done = run_cli(base + ["--create", "--authority-host", keyvault.authority_host, "--json"], cli_env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["created"] is True and report["app_id"] == SECRET_APP and report["tenant"] == keyvault.tenant
    assert report["store"] == f"keyvault:{keyvault.url}" and report["refresh_token_secret"] == "RefreshToken"
    for secret in (cipp_vault["refresh_token"], SECRET_APP_SECRET):
        assert secret not in done.stdout and secret not in done.stderr

    status = json.loads(run_cli(["status", "--profile", "cipp", "--json"], cli_env).stdout)
    assert status["source"] == "cipp"
    # The inactivity clock counts from when CIPP wrote the token (its secret version), not the import.
    assert abs((parse_iso(status["issued_at"]) - cipp_vault["created_on"]).total_seconds()) < 1

    token = run_cli(["token", "--profile", "cipp", "--scope", "https://graph.microsoft.com/.default", "--json"], cli_env)
    assert token.returncode == 0, token.stderr
    assert json.loads(token.stdout)["tenant_id"] == keyvault.tenant
    redeemed = [r for r in emulator.requests() if r.get("grant_type") == "refresh_token" and r["status"] == 200]
    from bridge._core.scrub import fingerprint

    assert redeemed[-1]["presented_rt"] == fingerprint(cipp_vault["refresh_token"])
    names = {s["name"] for s in keyvault.secrets()}
    assert {"cipp--refresh-token", "cipp--client-secret", "RefreshToken"} <= names
    # CIPP's own secret is untouched: the profile rotates its own copy.
    cipp_versions = [s for s in keyvault.secrets() if s["name"] == "RefreshToken"][0]["versions"]
    assert len(cipp_versions) == 1


def test_import_cipp_refuses_a_mismatched_profile_and_missing_secrets(
    cipp_vault: dict[str, Any], keyvault: KeyVaultEndpoint, cli_env: dict[str, str]
) -> None:
    added = run_cli(["profile", "add", "other", "--app-id", PUBLIC_APP, "--tenant", keyvault.tenant, "--store",
                     f"file:{Path(cli_env['SAM_BRIDGE_CACHE_DIR']) / 'store.json'}"], cli_env)
    assert added.returncode == 0, added.stderr
    mismatch = run_cli(["keyvault", "import-cipp", "--vault", keyvault.url, "--profile", "other",
                        "--ca-bundle", keyvault.ca_bundle], cli_env)
    assert mismatch.returncode == 2 and f"the vault's ApplicationID is {SECRET_APP}" in mismatch.stderr

    missing = run_cli(["keyvault", "import-cipp", "--vault", keyvault.url, "--profile", "direct", "--create",
                       "--direct-tenant", "11111111-2222-3333-4444-555555555555", "--ca-bundle", keyvault.ca_bundle], cli_env)
    assert missing.returncode == 3 and "11111111-2222-3333-4444-555555555555" in missing.stderr
