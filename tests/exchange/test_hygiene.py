"""Secrets stay out of argv, logs, exception text and reprs."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bridge
from bridge._services.exchange import obtain_token, status

GRAPH = "https://graph.microsoft.com/.default"


def _cmdlines() -> list[str]:
    lines = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                pass
    return lines


def test_verbose_logging_shows_request_flow_but_no_secret(consented_profile):
    rt = consented_profile.refresh_token()
    result = consented_profile.cli("--verbose", "token", "--scope", GRAPH, "--json")
    assert result.returncode == 0, result.stderr
    import json

    at = json.loads(result.stdout)["access_token"]
    new_rt = consented_profile.refresh_token()
    assert "POST 127.0.0.1" in result.stderr and "/oauth2/v2.0/token -> 200" in result.stderr
    for secret in (rt, new_rt, at, at.split(".")[1]):
        assert secret not in result.stderr


def test_no_secret_in_any_command_line_while_the_cli_runs(consented_profile):
    rt = consented_profile.refresh_token()
    consented_profile.emulator.add_fault("delay", "token", delay_seconds=2)
    proc = subprocess.Popen([sys.executable, "-m", "bridge", "token", "--scope", GRAPH], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=consented_profile.env)
    seen = []
    while proc.poll() is None:
        seen.extend(_cmdlines())
        time.sleep(0.05)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert any("bridge token --scope" in line for line in seen), "the CLI process was never observed"
    for secret in (rt, consented_profile.refresh_token(), out.strip()):
        assert not any(secret in line for line in seen)


def test_reprs_and_errors_never_show_secrets(consented_profile):
    token = obtain_token(consented_profile.profile, consented_profile.store, [GRAPH])
    stored = consented_profile.store.get("contoso/refresh-token")
    texts = [repr(token), str(token), repr(stored), str(stored), repr(consented_profile.profile),
             repr(status(consented_profile.profile, consented_profile.store))]
    consented_profile.emulator.revoke_user(consented_profile.emulator.ids.admin)
    with pytest.raises(bridge.SamBridgeError) as info:
        obtain_token(consented_profile.profile, consented_profile.store, [GRAPH], force_refresh=True)
    texts += [str(info.value), repr(info.value), repr(info.value.to_dict())]
    for text in texts:
        assert token.token not in text and stored.value not in text
