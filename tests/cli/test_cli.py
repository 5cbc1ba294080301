"""The CLI contract, run as a user runs it (a subprocess), against the emulator."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

GRAPH = "https://graph.microsoft.com/.default"


def _ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert "Traceback" not in result.stderr
    return result


def test_profile_lifecycle(emulator, isolated_env):
    from tests.fixtures.profiles import ProfileHandle
    from bridge._stores import open_store

    ids = emulator.ids
    home = Path(isolated_env["SAM_BRIDGE_CONFIG"]).parent
    store = f"file:{home / 'store.json'}"
    run = lambda *a, **k: subprocess.run([sys.executable, "-m", "bridge", *a], capture_output=True, text=True,  # noqa: E731
                                         env=isolated_env, timeout=60, **k)
    added = _ok(run("profile", "add", "acme", "--app-id", ids.secret_app, "--tenant", ids.partner, "--secret-stdin",
                    "--authority-host", emulator.authority_host, "--ca-bundle", emulator.ca_bundle, "--store", store,
                    "--customer", "fabrikam.onmicrosoft.com", "--json", input=ids.client_secret + "\n"))
    assert json.loads(added.stdout)["credential"] == "secret"
    config_text = Path(isolated_env["SAM_BRIDGE_CONFIG"]).read_text()
    assert ids.client_secret not in config_text and "acme" in config_text
    assert open_store(store).get("acme/client-secret").value == ids.client_secret
    listed = json.loads(_ok(run("profile", "list", "--json")).stdout)
    assert [p["name"] for p in listed] == ["acme"] and listed[0]["default"] is True
    shown = json.loads(_ok(run("profile", "show", "acme", "--json")).stdout)
    assert shown["customers"] == ["fabrikam.onmicrosoft.com"] and ids.client_secret not in json.dumps(shown)
    _ok(run("profile", "remove", "acme"))
    assert open_store(store).list() == []
    assert json.loads(_ok(run("profile", "list", "--json")).stdout) == []


def test_bad_input_exits_2_without_traceback(emulator, isolated_env):
    result = subprocess.run([sys.executable, "-m", "bridge", "profile", "add", "x", "--app-id", "not-a-guid",
                             "--tenant", "contoso.onmicrosoft.com"], capture_output=True, text=True, env=isolated_env)
    assert result.returncode == 2 and "is not a GUID" in result.stderr and "Traceback" not in result.stderr


def test_device_code_consent_from_the_cli(emulator_profile):
    emulator = emulator_profile.emulator
    proc = subprocess.Popen([sys.executable, "-m", "bridge", "consent", "--device-code", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=emulator_profile.env)
    try:
        message = proc.stderr.readline()
        while message.startswith("warning:"):  # the file store's plaintext warning comes first
            message = proc.stderr.readline()
        assert "/devicelogin" in message and "enter the code" in message, message
        code = re.search(r"code (\w+)", message).group(1)
        emulator.approve_device_code(code, emulator.ids.admin, emulator.ids.password, emulator.totp())
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result["user"] == emulator.ids.admin and result["mfa"] is True


def test_token_json_contract(consented_profile):
    result = _ok(consented_profile.cli("token", "--scope", GRAPH, "--tenant", "fabrikam.onmicrosoft.com", "--json"))
    data = json.loads(result.stdout)
    assert set(data) == {"access_token", "token_type", "expires_on", "scopes", "tenant_id"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["expires_on"])
    assert data["scopes"] == [GRAPH] and data["tenant_id"] == consented_profile.emulator.ids.fabrikam
    plain = _ok(consented_profile.cli("token", "--scope", GRAPH, "--tenant", "fabrikam.onmicrosoft.com"))
    assert plain.stdout.strip() == data["access_token"]


def test_double_slash_scope_warns_on_stderr(consented_profile):
    result = _ok(consented_profile.cli("token", "--scope", "https://management.azure.com//user_impersonation", "--json"))
    assert "double slash" in result.stderr
    assert json.loads(result.stdout)["scopes"] == ["https://management.azure.com/user_impersonation"]


def test_refresh_token_import_status_and_keepalive(emulator_profile):
    from tests.fixtures.profiles import device_code_consent

    # a token obtained elsewhere (here: another consent) imported from stdin
    other = emulator_profile.with_profile()
    device_code_consent(other)
    token = other.refresh_token()
    other.store.delete("contoso/refresh-token")
    _ok(emulator_profile.cli("refresh-token", "import", "--json", input=token + "\n"))
    st = json.loads(_ok(emulator_profile.cli("status", "--json")).stdout)
    assert st["present"] and st["source"] == "import" and st["state"] == "ok" and st["mfa"] is None
    kept = json.loads(_ok(emulator_profile.cli("keepalive", "--json")).stdout)
    assert kept["last_redeemed_at"] is not None and kept["days_left"] > 89.9
    assert emulator_profile.refresh_token() != token


def test_status_of_a_profile_without_token(emulator_profile):
    st = json.loads(_ok(emulator_profile.cli("status", "--json")).stdout)
    assert st == {**st, "present": False, "state": "missing"}


def test_expired_token_message_from_the_cli(consented_profile):
    consented_profile.emulator.advance_clock(91 * 86400)
    result = consented_profile.cli("token", "--scope", GRAPH)
    assert result.returncode == 4 and "Traceback" not in result.stderr
    assert "expired after 90 days without use" in result.stderr
    assert "sam-bridge consent --profile contoso" in result.stderr


def test_no_refresh_token_exits_3(emulator_profile):
    result = emulator_profile.cli("token", "--scope", GRAPH)
    assert result.returncode == 3 and "has no refresh token" in result.stderr


def test_version_and_module_entry_point(isolated_env):
    out = subprocess.run([sys.executable, "-m", "bridge", "--version"], capture_output=True, text=True, env=isolated_env)
    assert out.returncode == 0 and re.fullmatch(r"sam-bridge \d+\.\d+\.\d+\n", out.stdout)


def test_version_and_rpc_never_import_the_cli_framework(isolated_env):
    # The console script's entry point answers these two before typer/click load (their start-up
    # is most of a child-process cmdlet call's cost).
    probe = (
        "import sys, io\n"
        "from bridge._entry import main\n"
        "sys.stdin = io.StringIO('{}')\n"
        "codes = [main(['--version']), main(['rpc', '--verbose'])]\n"
        "print(codes, sorted(m for m in ('typer', 'click', 'bridge.cli.app') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=isolated_env)
    assert out.stdout.splitlines()[-1] == "[0, 2] []", out.stdout + out.stderr


def test_cli_exchanges_leave_no_unclosed_socket_warning(consented_profile):
    """The CLI closes its pooled sessions at exit (issue 13's first walk)."""
    result = consented_profile.cli("params", "AzureAD", "--profile", "contoso", "--json",
                                   env={"PYTHONWARNINGS": "default::ResourceWarning"})
    assert result.returncode == 0, result.stderr
    assert "ResourceWarning" not in result.stderr and "unclosed" not in result.stderr, result.stderr
