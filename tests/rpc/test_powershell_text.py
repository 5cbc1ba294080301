"""Over the RPC contract the reader is in PowerShell: the core's `sam-bridge ...` commands in errors,
warnings, findings and messages become the SamBridge cmdlets to run; data stays as it is."""
from __future__ import annotations

import json

import pytest

from bridge.rpc import protocol as _rpc
from bridge.rpc.protocol import powershell_commands

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "cli, cmdlet",
    [
        ("`sam-bridge consent --profile contoso`", "`Invoke-SamConsent -Profile contoso`"),
        ("`sam-bridge consent`", "`Invoke-SamConsent`"),
        ("`sam-bridge keepalive --profile contoso`", "`Invoke-SamKeepAlive -Profile contoso`"),
        ("`sam-bridge refresh-token import --profile contoso`", "`Import-SamRefreshToken -Profile contoso`"),
        ("`sam-bridge doctor --profile contoso --tenant TENANT`", "`Test-SamProfile -Profile contoso -Tenant TENANT`"),
        ("`sam-bridge status --profile contoso`", "`Get-SamRefreshTokenStatus -Profile contoso`"),
        ("`sam-bridge profile add x --app-id ID --tenant TENANT`", "`Register-SamProfile -Name x -ApplicationId ID -Tenant TENANT`"),
        # "..." keeps the profile's other settings: the existing profile is replaced, which takes -Force.
        ("`sam-bridge profile add c ... --secret-stdin`",
         "`Register-SamProfile -Name c ... -ClientSecret (Read-Host -AsSecureString) -Force`"),
        ("`sam-bridge profile add c ... --redirect-port 0`", "`Register-SamProfile -Name c ... -RedirectPort 0 -Force`"),
    ],
)
def test_cli_commands_become_cmdlets(cli, cmdlet):
    assert powershell_commands(f"Run {cli} now.") == f"Run {cmdlet} now."


@pytest.mark.parametrize(
    "text",
    [
        "`sam-bridge params MgGraph --json`",  # no cmdlet is the same command
        "`sam-bridge profile add c ... --unknown-flag`",  # a flag without a parameter: left whole
        "install `sam-bridge` first",
        "no command here",
    ],
)
def test_other_text_is_left_as_it_is(text):
    assert powershell_commands(text) == text


def test_responses_say_cmdlets_in_prose_and_leave_data_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("SAM_BRIDGE_CONFIG", str(tmp_path / "config.toml"))
    request = {"v": 1, "command": "token", "args": {"profile": "nope", "scopes": ["https://graph.microsoft.com/.default"]}}
    response = _rpc.dispatch(json.dumps(request))
    assert not response["ok"]
    assert "`Register-SamProfile -Name nope -ApplicationId ID -Tenant TENANT`" in response["error"]["message"]

    data = {"ok": True, "result": {"snippet": "# Run `sam-bridge consent --profile x`", "fix": "`sam-bridge consent`"},
            "warnings": ["`sam-bridge status --profile x`"]}
    assert _rpc._in_powershell(data) == {
        "ok": True,
        "result": {"snippet": "# Run `sam-bridge consent --profile x`", "fix": "`Invoke-SamConsent`"},
        "warnings": ["`Get-SamRefreshTokenStatus -Profile x`"],
    }


@pytest.mark.parametrize(
    "cli, cmdlet",
    [
        # The core's sentences that name a flag on its own (issue 13, bug 5).
        ("Use --browser or --print-url, which redeem the code", "Use -Browser or -PrintUrl, which redeem the code"),
        ("use Azure Key Vault (--store keyvault:https://NAME.vault.azure.net)", "use Azure Key Vault (-Store keyvault:https://NAME.vault.azure.net)"),
        ("Add them to the profile (`--customer TENANT`)", "Add them to the profile (`-Customers TENANT`)"),
        # Flags of other programs, and of commands with no cmdlet, stay.
        ("`gnome-keyring-daemon --replace --unlock --components=secrets`", "`gnome-keyring-daemon --replace --unlock --components=secrets`"),
    ],
)
def test_flags_named_on_their_own_become_parameters(cli, cmdlet):
    assert powershell_commands(cli) == cmdlet


def test_the_keyring_stores_alternatives_name_parameters_in_powershell(tmp_path, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    request = {"v": 1, "command": "profile.add", "config": str(tmp_path / "c.toml"),
               "args": {"name": "x", "app_id": "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c", "tenant": "contoso.onmicrosoft.com",
                        "store": "keyring"}}
    import subprocess
    import sys

    from tests.fixtures.emulator import REPO_ROOT

    done = subprocess.run([sys.executable, "-m", "bridge", "rpc"], input=json.dumps(request), capture_output=True,
                          text=True, cwd=str(REPO_ROOT), timeout=60)
    message = json.loads(done.stdout)["error"]["message"]
    assert "-Store keyvault:https://" in message and "--store" not in message
