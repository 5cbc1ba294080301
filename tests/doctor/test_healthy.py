"""A healthy profile: every check ok, in order, through the Python API and the CLI (text and --json)."""
from __future__ import annotations

import json
import re

from tests.doctor.conftest import cli_json, diagnose, statuses

ORDER = ["config", "store", "authority", "clock", "app_kind", "loopback_port", "refresh_token", "mfa"]


def test_every_check_is_ok_on_a_healthy_profile(consented_profile):
    handle, emulator = consented_profile, consented_profile.emulator
    findings = diagnose(handle)
    customers = [f"customer:{emulator.ids.fabrikam}", f"customer:{emulator.ids.northwind}"]
    assert list(findings) == ORDER + customers  # the same checks, in the same order, every run
    assert set(statuses(findings).values()) == {"ok"}, statuses(findings)
    assert handle.profile.app_id in findings["config"].detail
    assert findings["app_kind"].detail == "public client (no credential) accepted by the authority"
    assert re.search(r"clock skew [+-]\d+ s", findings["clock"].detail)
    # Entra was asked: the stored token was redeemed (and rotated) now, and MFA read from its amr.
    assert findings["refresh_token"].detail.startswith("Entra redeemed it now")
    assert re.search(r"has (90\.0|89\.9) days left", findings["refresh_token"].detail)
    assert emulator.ids.admin in findings["mfa"].detail and "amr: pwd, mfa" in findings["mfa"].detail
    # A customer check is a real exchange: the Graph token was issued in that customer's tenant.
    assert f"https://graph.microsoft.com in tenant {emulator.ids.fabrikam}" in findings[customers[0]].detail


def test_cli_prints_one_line_per_finding_and_exits_0(consented_profile):
    result = consented_profile.cli("doctor", "--profile", "contoso")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(ORDER) + 2
    assert all(line.startswith("[ ok ] ") for line in lines), lines
    assert [line.split(":", 1)[0][7:] for line in lines][: len(ORDER)] == ORDER
    assert "Traceback" not in result.stderr


def test_cli_json_shape_for_scripts(consented_profile):
    code, data, _ = cli_json(consented_profile.env, "--profile", "contoso")
    assert code == 0
    assert isinstance(data, list) and [d["check"] for d in data][: len(ORDER)] == ORDER
    for item in data:
        assert set(item) == {"check", "status", "detail", "fix"}, item
        assert item["status"] == "ok" and item["fix"] is None and isinstance(item["detail"], str)


def test_cli_exits_1_when_any_check_fails_and_still_prints_every_finding(consented_profile):
    emulator = consented_profile.emulator
    # One customer tenant the partner has no GDAP relationship with: one failing check among oks.
    code, data, _ = cli_json(consented_profile.env, "--profile", "contoso", "--tenant", emulator.ids.tailspin)
    assert code == 1
    by_check = {d["check"]: d for d in data}
    assert by_check[f"customer:{emulator.ids.tailspin}"]["status"] == "fail"
    assert [d["check"] for d in data if d["status"] != "ok"] == [f"customer:{emulator.ids.tailspin}"]

    text = consented_profile.cli("doctor", "--profile", "contoso", "--tenant", emulator.ids.tailspin)
    assert text.returncode == 1
    failing = [line for line in text.stdout.splitlines() if line.startswith("[FAIL]")]
    assert len(failing) == 1 and "AADSTS50020" in failing[0] and " -- fix: " in failing[0]
    assert "GDAP" in failing[0].split(" -- fix: ")[1]


def test_rpc_doctor_gives_the_powershell_module_the_same_findings(consented_profile):
    """Test-SamProfile (later, with the module) calls `sam-bridge rpc` with command "doctor"; the
    findings arrive as data, failing checks included, in a successful response."""
    emulator = consented_profile.emulator
    request = {"v": 1, "command": "doctor", "args": {"profile": "contoso", "tenants": [emulator.ids.tailspin]},
               "secrets": {}, "config": None}
    result = consented_profile.cli("rpc", input=json.dumps(request))
    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout)
    assert response["ok"] is True
    findings = response["result"]
    assert [f["check"] for f in findings] == ORDER + [f"customer:{emulator.ids.tailspin}"]
    assert all(set(f) == {"check", "status", "detail", "fix"} for f in findings)
    assert findings[-1]["status"] == "fail" and "AADSTS50020" in findings[-1]["detail"]
