"""`sam-bridge params` and `sam-bridge snippet` as a user runs them (subprocesses against the emulator)."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bridge._targets.snippets import runtime_snippet
from bridge._core.tokens import claims_of

from .conftest import PROFILE_NAME, known_tokens

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.")


def redemptions(consented: Any, since: int) -> list[dict[str, Any]]:
    return [r for r in consented.emulator.requests(since) if r["endpoint"] == "token" and r["grant_type"] == "refresh_token"]


def last_seq(consented: Any) -> int:
    log = consented.emulator.requests()
    return log[-1]["seq"] if log else 0


def test_params_json_is_the_contract_and_exchanges_exactly_the_audiences_needed(consented):
    # northwind: no other test of this module exchanges there, so nothing is cached yet.
    since = last_seq(consented)
    done = consented.cli("params", "MsolService", "--tenant", "northwind.onmicrosoft.com", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data) == ["target", "cmdlet", "module", "parameters", "secure_parameters", "expires_on", "warnings"]
    assert (data["target"], data["cmdlet"], data["module"]) == ("MsolService", "Connect-MsolService", "MSOnline")
    assert data["secure_parameters"] == []
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["expires_on"])
    assert len(data["warnings"]) == 1 and "retired" in data["warnings"][0]
    assert {k: claims_of(v)["aud"] for k, v in data["parameters"].items()} == {
        "AdGraphAccessToken": "https://graph.windows.net", "MsGraphAccessToken": "https://graph.microsoft.com"}
    # One redemption per audience, at the customer's tenant, each presenting the token the one
    # before it issued: the stored refresh token rotated every time.
    calls = redemptions(consented, since)
    assert [c["scope"].split()[0] for c in calls] == ["https://graph.windows.net/.default", "https://graph.microsoft.com/.default"]
    assert {c["tenant"] for c in calls} == {consented.emulator.ids.northwind}
    assert calls[1]["presented_rt"] == calls[0]["issued_rt"]
    # Again: both tokens come from the cache, nothing reaches the emulator.
    since = last_seq(consented)
    again = json.loads(consented.cli("params", "msolservice", "--tenant", "northwind.onmicrosoft.com", "--json").stdout)
    assert again["parameters"] == data["parameters"] and redemptions(consented, since) == []


def test_params_options_repeat_or_comma_separate(consented):
    done = consented.cli("params", "azaccount", "--with", "graph", "--with", "keyvault,msgraph", "--json")
    assert done.returncode == 0, done.stderr
    assert list(json.loads(done.stdout)["parameters"]) == [
        "AccessToken", "GraphAccessToken", "MicrosoftGraphAccessToken", "KeyVaultAccessToken", "AccountId", "Tenant"]


def test_params_without_json_masks_every_token(consented):
    done = consented.cli("params", "MicrosoftTeams", "--tenant", consented.emulator.ids.fabrikam)
    assert done.returncode == 0, done.stderr
    shown = done.stdout + done.stderr
    assert not JWT.search(shown)
    assert not [t for t in known_tokens(consented) if t in shown]
    assert "<token for https://graph.microsoft.com," in done.stdout
    assert "<token for 48ac35b8-9aa8-4d74-927d-1f4a14a0b239," in done.stdout
    assert "-TenantId" in done.stdout and consented.emulator.ids.fabrikam in done.stdout
    assert "(customer)" in done.stdout


def test_params_human_output_prints_warnings_on_stderr(consented):
    done = consented.cli("params", "IPPSSession")
    assert done.returncode == 0, done.stderr
    assert "warning: The audience Connect-IPPSSession expects is not documented" in done.stderr
    assert "-UserPrincipalName" in done.stdout and consented.emulator.ids.admin in done.stdout


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("params", "AzureRM", "--json"), 2, "valid targets: AzAccount, AzureAD, MsolService, PartnerCenter, MgGraph, "
                                              "ExchangeOnline, IPPSSession, MicrosoftTeams, PnPOnline"),
        (("params", "ExchangeOnline", "--module-version", "3.0.0", "--json"), 2, "-MinimumVersion 3.1.0"),
        (("params", "MgGraph", "--with", "keyvault", "--json"), 2, "MgGraph has no option 'keyvault'"),
        (("params", "PnPOnline", "--tenant", "e23d8f63-ec6a-479d-9663-5c7b8cc9a7e7", "--json"), 2, "--url"),
        (("params", "MgGraph", "--profile", "nosuch", "--json"), 3, "profile 'nosuch' is not in"),
        (("snippet", "Teams"), 2, "unknown target 'Teams'"),
    ],
)
def test_bad_requests_exit_non_zero_with_one_message(consented, args, code, message):
    done = consented.cli(*args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


def test_params_for_a_customer_without_gdap_fails_with_the_remediation(consented):
    done = consented.cli("params", "ExchangeOnline", "--tenant", consented.emulator.ids.tailspin, "--json")
    assert done.returncode == 4
    assert "AADSTS50020" in done.stderr and "GDAP" in done.stderr


def test_snippet_prints_the_core_snippet_without_tokens(consented):
    done = consented.cli("snippet", "partnercenter", "--module-version", "2.0.1909.1")
    assert done.returncode == 0, done.stderr
    assert done.stdout == runtime_snippet("PartnerCenter", PROFILE_NAME, module_version="2.0.1909.1")
    assert "PartnerCenter\\Connect-PartnerCenter @samBridgeParams" in done.stdout
    assert not JWT.search(done.stdout)


def test_snippet_passes_an_explicit_config_on(consented):
    config = consented.env["SAM_BRIDGE_CONFIG"]
    done = consented.cli("--config", config, "snippet", "MgGraph", "--tenant", "fabrikam.onmicrosoft.com")
    assert done.returncode == 0, done.stderr
    assert f"@('--config', '{config}', 'params', 'MgGraph', '--profile', 'contoso', '--tenant', 'fabrikam.onmicrosoft.com', '--json')" in done.stdout


def test_snippet_embed_tokens_is_marked_and_carries_the_right_tokens(consented):
    done = consented.cli("snippet", "MgGraph", "--tenant", "fabrikam.onmicrosoft.com", "--embed-tokens")
    assert done.returncode == 0, done.stderr
    assert "contains live access tokens" in done.stderr
    assert done.stdout.splitlines()[1].startswith("# WARNING: THIS SNIPPET CONTAINS LIVE ACCESS TOKENS")
    assert len(JWT.findall(done.stdout)) == 1
    token = re.search(r"'AccessToken' = '([^']+)'", done.stdout).group(1)
    claims = claims_of(token)
    assert (claims["aud"], claims["tid"]) == ("https://graph.microsoft.com", consented.emulator.ids.fabrikam)
    assert "ConvertTo-SecureString -String $samBridgeParams['AccessToken'] -AsPlainText -Force" in done.stdout
