"""The acceptance path through the real command line: from a fresh emulator to a customer token."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any, Iterator

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXCHANGE = "00000002-0000-0ff1-ce00-000000000000"


class Approver(threading.Thread):
    """Approves every pending device code as the MFA admin, as a person at /devicelogin would."""

    def __init__(self, emulator: Any) -> None:
        super().__init__(daemon=True)
        self.emulator, self.stop = emulator, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            for code in self.emulator.device_codes():
                try:
                    self.emulator.approve_device_code(code["user_code"], self.emulator.ids.admin,
                                                      self.emulator.ids.password, self.emulator.totp())
                except Exception:  # noqa: BLE001 - approved meanwhile
                    pass


@pytest.fixture
def cli(emulator: Any, isolated_env: dict[str, str]) -> Iterator[Any]:
    approver = Approver(emulator)
    approver.start()
    home = os.path.dirname(isolated_env["SAM_BRIDGE_CONFIG"])

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bridge", *args], env=isolated_env, cwd=REPO,
                              capture_output=True, text=True, timeout=180)

    run.emulator = emulator  # type: ignore[attr-defined]
    run.create_args = [  # type: ignore[attr-defined]
        "--tenant", "contosopartner.onmicrosoft.com", "--authority-host", emulator.authority_host,
        "--ca-bundle", emulator.ca_bundle, "--store", f"file:{home}/store.json",
        "--graph-url", emulator.info["graph_url"], "--partner-center-url", emulator.info["partner_center_url"]]
    try:
        yield run
    finally:
        approver.stop.set()
        approver.join(5)


def test_fresh_emulator_to_customer_token_with_no_manual_step(cli: Any) -> None:
    emulator = cli.emulator
    created = cli("app", "create", "sam", "--targets", "PartnerCenter,MgGraph", *cli.create_args, "--json")
    assert created.returncode == 0, created.stderr
    result = json.loads(created.stdout)
    assert result["changed"] and result["consent"]["mfa"] and result["credential"]["type"] == "secret"
    assert "secretText" not in created.stdout and "enter the code" in created.stderr
    consented = cli("app", "consent", "--profile", "sam", "--tenant", "fabrikam.onmicrosoft.com", "--json")
    assert consented.returncode == 0, consented.stderr
    assert json.loads(consented.stdout)["result"]["status"] == "consented"
    token = cli("token", "--profile", "sam", "--tenant", emulator.ids.fabrikam, "--scope",
                "https://graph.microsoft.com/.default", "--json")
    assert token.returncode == 0, token.stderr
    assert json.loads(token.stdout)["tenant_id"] == emulator.ids.fabrikam

    again = cli("app", "create", "sam")
    assert again.returncode == 0 and "is up to date; nothing changed" in again.stdout, again.stderr
    plan = cli("app", "create", "sam", "--targets", "PartnerCenter,MgGraph,ExchangeOnline", "--what-if")
    assert plan.returncode == 0 and f"+ {EXCHANGE}: Exchange.Manage" in plan.stdout, plan.stderr
    check = cli("app", "consent", "--profile", "sam", "--tenant", "fabrikam.onmicrosoft.com", "--check")
    assert check.returncode == 0 and "in-sync" in check.stdout  # --what-if changed nothing
    applied = cli("app", "create", "sam", "--targets", "PartnerCenter,MgGraph,ExchangeOnline")
    assert applied.returncode == 0, applied.stderr
    check = cli("app", "consent", "--profile", "sam", "--tenant", "fabrikam.onmicrosoft.com", "--check")
    assert "drift (missing 00000002-0000-0ff1-ce00-000000000000: Exchange.Manage)" in check.stdout

    listed = cli("app", "credentials", "--profile", "sam", "--json")
    assert [c["stored"] for c in json.loads(listed.stdout)] == [True]
    rotated = cli("app", "rotate", "--profile", "sam", "--secret-days", "20", "--json")
    assert rotated.returncode == 0, rotated.stderr
    status = cli("status", "--profile", "sam", "--json")
    assert json.loads(status.stdout)["credential"]["state"] == "warning"
    assert "sam-bridge app rotate --profile sam" in status.stderr
    doctor = cli("doctor", "--profile", "sam", "--json")
    finding = next(f for f in json.loads(doctor.stdout) if f["check"] == "credential_expiry")
    assert finding["status"] == "warn" and "as Microsoft Graph lists it" in finding["detail"]


def test_bad_input_is_refused_with_a_clear_message(cli: Any) -> None:
    unknown = cli("app", "create", "sam", "--targets", "NoSuchModule", *cli.create_args)
    assert unknown.returncode == 2 and "unknown target 'NoSuchModule'" in unknown.stderr
    not_ours = cli("app", "create", "sam", "--app-id", "11111111-2222-3333-4444-555555555555", "--no-consent", *cli.create_args)
    assert not_ours.returncode == 2 and "is not registered in tenant" in not_ours.stderr
    assert not os.path.exists(cli.create_args[7].removeprefix("file:"))  # nothing stored
