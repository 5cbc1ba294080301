"""Secrets pushed down the paths where only the scrubber stops them, for real.

The leak scan (test_leaks) runs every command and finds no secret in any output; but it passes
with `scrub_text` switched off too, because none of its runs makes a secret reach an output path
on its own. Here one does: an authority (a TLS proxy in front of the emulator, trusted through
the profile's CA bundle) answers the token request with an error whose description echoes the
refresh token it was sent, as a careless or hostile server could. That text reaches the CLI's
error line and its --verbose log, the RPC response the PowerShell module reads, and the text and
repr of the exception the Python API raises. Each must show the mask, never the token; each of
these tests fails with the scrubber switched off (checked by replacing `scrub_text` with an
identity function).
"""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

import bridge
from bridge._core.scrub import MASK
from tests.fixtures.profiles import REPO_ROOT, ProfileHandle
from tests.reliability._helpers import GRAPH, run_cli
from tests.reliability.test_bad_input import HostileProxy


@pytest.fixture
def echoing(consented_profile: ProfileHandle, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The profile behind a proxy whose token endpoint answers with an error echoing the refresh token."""
    monkeypatch.setenv("SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE", "1")  # the proxy is another authority than the token's
    proxy = HostileProxy(consented_profile.emulator)
    handle = consented_profile.with_profile(authority_host=proxy.url)
    rt = handle.refresh_token()
    proxy.mutate = lambda body: {
        "error": "invalid_grant", "error_codes": [70000],
        "error_description": f"AADSTS70000: The provided grant is invalid. Presented: {rt} (refresh_token={rt})",
    }
    try:
        yield handle, rt
    finally:
        proxy.close()


def test_an_error_body_echoing_the_token_reaches_the_cli_masked(echoing: Any, figures: Any) -> None:
    handle, rt = echoing
    for args in (("token", "--profile", "contoso", "--scope", GRAPH, "--force-refresh"),
                 ("--verbose", "token", "--profile", "contoso", "--scope", GRAPH, "--force-refresh"),
                 ("--verbose", "keepalive", "--profile", "contoso")):
        result = run_cli(*args)
        assert result.returncode == 4, result.stderr
        assert "AADSTS70000" in result.stderr and "Presented: " + MASK in result.stderr, result.stderr
        assert rt not in result.stdout + result.stderr, f"{args}: the refresh token reached the output"
        figures.add("leak scan", "scrubbed path: cli")
    # A child process, as a scheduler runs it: the same line, masked.
    done = subprocess.run([sys.executable, "-m", "bridge", "--verbose", "token", "--profile", "contoso", "--scope", GRAPH,
                           "--force-refresh"], capture_output=True, text=True, env={**handle.env, "SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE": "1"},
                          cwd=str(REPO_ROOT), timeout=120)
    assert done.returncode == 4 and "Presented: " + MASK in done.stderr, done.stderr
    assert rt not in done.stdout + done.stderr


def test_an_error_body_echoing_the_token_reaches_the_rpc_response_masked(echoing: Any, figures: Any) -> None:
    handle, rt = echoing
    request = json.dumps({"v": 1, "command": "token", "args": {"profile": "contoso", "scopes": [GRAPH], "force_refresh": True}})
    done = subprocess.run([sys.executable, "-m", "bridge", "rpc", "--verbose"], input=request + "\n", capture_output=True,
                          text=True, env={**handle.env, "SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE": "1"}, cwd=str(REPO_ROOT), timeout=120)
    response = json.loads(done.stdout.splitlines()[-1])
    assert response["ok"] is False and "Presented: " + MASK in response["error"]["message"], response
    assert rt not in done.stdout + done.stderr, "the refresh token reached the RPC response or its log"
    figures.add("leak scan", "scrubbed path: rpc")


def test_an_error_body_echoing_the_token_reaches_the_api_exception_masked(echoing: Any, figures: Any) -> None:
    handle, rt = echoing
    with pytest.raises(bridge.AuthenticationError) as caught:
        bridge.get_token("contoso", [GRAPH], force_refresh=True)
    error = caught.value
    shown = " ".join([str(error), repr(error), error.message, str(error.description), json.dumps(error.to_dict())])
    assert "Presented: " + MASK in shown, shown
    assert rt not in shown, "the refresh token reached the exception"
    figures.add("leak scan", "scrubbed path: exception")
