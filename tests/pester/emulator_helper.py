"""The Pester suite's hands on the emulator: it starts `python -m bridge.emulator serve` (as the pytest
fixtures do), then answers one JSON request per stdin line with one JSON line on stdout, until stdin
closes, when it stops the emulator.

    python tests/pester/emulator_helper.py serve      first line out: {"ready": <the emulator's ready line>}
    python tests/pester/emulator_helper.py browse URL  the BROWSER command for Invoke-SamConsent -Browser

It reuses the pytest helpers instead of restating them: the `Emulator` control client with the
seed's ids, `browser_sign_in` (the HTML sign-in, authenticator and consent pages), the stand-in
generator (tests/targets/standins.py) and the binding matrix (tests/targets/matrix.py). Control
calls go over bridge's pinned-CA session, so nothing here skips TLS verification.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.emulator._helpers import browser_sign_in  # noqa: E402
from tests.fixtures.emulator import Emulator, start_emulator_process  # noqa: E402

ENV_INFO = "SAM_BRIDGE_TEST_EMULATOR"  # the ready line, for `browse` (run by the consent's child)


class Helper:
    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.emulator = Emulator(info)
        self.approvals: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    # -- device codes: approved from another "device" while the cmdlet waits ------------------------

    def approve_next_device_code(self, username: str | None = None, mfa: bool = True, client_id: str | None = None,
                                 decline: bool = False, timeout: float = 60.0, count: int = 1) -> dict[str, Any]:
        """Start approving (or declining) the next `count` pending device codes in the background; returns at once."""
        ids = self.emulator.ids
        user = username or ids.admin
        seen = {c["user_code"] for c in self.emulator.device_codes()}
        stop = self._stop

        def run() -> None:
            client = Emulator(self.info)  # its own session: requests sessions are not thread-safe
            deadline = time.monotonic() + timeout
            try:
                while time.monotonic() < deadline and not stop.is_set():
                    pending = [c for c in client.device_codes()
                               if c["user_code"] not in seen and (client_id is None or c["client_id"] == client_id)]
                    if pending:
                        code = pending[0]["user_code"]
                        entry: dict[str, Any] = {"user_code": code, "username": user, "declined": decline}
                        try:
                            if decline:
                                client.decline_device_code(code)
                            else:
                                otp = client.totp() if mfa and user == ids.admin else None
                                client.approve_device_code(code, user, ids.password, otp)
                        except Exception as exc:  # reported through `approvals`
                            entry["error"] = str(exc)
                        with self._lock:
                            self.approvals.append(entry)
                        seen.add(code)
                        if len([a for a in self.approvals if a.get("user_code") in seen]) >= count:
                            return
                        continue
                    time.sleep(0.1)
                with self._lock:
                    self.approvals.append({"error": "no device code appeared", "username": user})
            finally:
                client.close()

        threading.Thread(target=run, daemon=True).start()
        return {"started": True}

    def take_approvals(self) -> list[dict[str, Any]]:
        with self._lock:
            done, self.approvals = self.approvals, []
        return done

    # -- requests ---------------------------------------------------------------------------------

    def handle(self, request: dict[str, Any]) -> Any:
        op = request.pop("op")
        e = self.emulator
        ops: dict[str, Callable[..., Any]] = {
            "info": lambda: {**self.info, "ids": dataclasses.asdict(e.ids)},
            "reset": self._reset,
            "approve_next_device_code": self.approve_next_device_code,
            "approvals": self.take_approvals,
            "totp": e.totp,
            "advance_clock": lambda seconds: e.advance_clock(seconds),
            "add_fault": lambda kind, target="token", count=1, delay_seconds=None, retry_after=None:
                e.add_fault(kind, target, count, delay_seconds=delay_seconds, retry_after=retry_after),
            "clear_faults": e.clear_faults,
            "revoke_user": lambda upn: e.revoke_user(upn),
            "requests": lambda since=0: e.requests(since),
            "device_login": self._device_login,
            "sign_in": self._sign_in,
            "partner_center_customers": self._partner_center_customers,
            "standins": self._standins,
            "matrix": self._matrix,
            "certificate": self._certificate,
            "customers": self._customers,
            "update_settings": lambda **settings: e.update_settings(settings),
            "expire_credential": lambda app_id, key_id: e.expire_credential(app_id, key_id),
            "directory": e.get_directory,
            "readiness_world": self._readiness_world,
            "set_token_lifetime": lambda seconds, audience=None: e.set_token_lifetime(seconds, audience),
            "set_conditional_access": lambda tenant, **fields: e.set_conditional_access(tenant, **fields),
        }
        if op not in ops:
            raise ValueError(f"unknown op {op!r}")
        return ops[op](**request)

    def _reset(self) -> dict[str, Any]:
        self._stop.set()  # approvers of an earlier test stop looking
        self._stop = threading.Event()
        self.take_approvals()
        return self.emulator.reset()

    def _device_login(self, app: str = "public", scopes: list[str] | None = None, username: str | None = None,
                      mfa: bool = True) -> dict[str, Any]:
        """A refresh token obtained the way New-PartnerAccessToken's consent would (for the -RefreshToken tests)."""
        e = self.emulator
        client = e.secret_app() if app == "secret" else e.public_app()
        result = e.device_code_login(client, scopes or ["https://api.partnercenter.microsoft.com/user_impersonation"],
                                     username or e.ids.admin, mfa=mfa)
        if "error" in result:
            raise RuntimeError(f"device login failed: {result.get('error_description') or result['error']}")
        return {k: result.get(k) for k in ("refresh_token", "access_token", "scope")}

    def _sign_in(self, url: str, username: str | None = None, mfa: bool = True, accept: bool = True) -> dict[str, Any]:
        """Sign in on the emulator's pages as a person would; returns where the browser is sent."""
        e = self.emulator
        user = username or e.ids.admin
        otp = e.totp() if mfa and user == e.ids.admin else None
        return {"location": browser_sign_in(e, url, user, otp=otp, accept=accept)}

    def _partner_center_customers(self, token: str) -> Any:
        response = self.emulator.http().get(f"{self.info['partner_center_url']}/v1/customers",
                                            headers={"Authorization": f"Bearer {token}"})
        return {"status": response.status_code, "body": response.json() if response.content else None}

    def _customers(self, count: int) -> list[str]:
        """`count` more customer tenants with active GDAP and the public app consented (for batches)."""
        from tests.fixtures.directory import with_customers

        e = self.emulator
        directory, ids = with_customers(e.get_directory(), count, partner=e.ids.partner, apps=[e.ids.public_app])
        e.put_directory(directory)
        return ids

    def _readiness_world(self) -> dict[str, Any]:
        """The customers in every readiness state of tests/customers/conftest.py (ids by state)."""
        from tests.customers.conftest import seed_world

        ids, relationships = seed_world(self.emulator)
        return {"ids": ids, "relationships": relationships}

    def _certificate(self, path: str) -> dict[str, Any]:
        """A key and self-signed certificate in one PEM file, registered on the emulator's certificate app."""
        from tests.emulator._helpers import certificate

        cert = certificate()
        Path(path).write_text(cert["private_key"] + cert["certificate"], encoding="utf-8")
        registered = self.emulator.add_certificate(self.emulator.ids.cert_app, cert["certificate"])
        return {"path": path, "thumbprint": cert["thumbprint"], "registered": registered}

    def _standins(self, directory: str) -> list[dict[str, Any]]:
        from tests.targets.standins import load_standins, write_modules

        standins = load_standins()
        manifests = write_modules(Path(directory), standins.values())
        return [{"id": s.id, "module": s.module, "module_version": s.module_version, "cmdlet": s.cmdlet,
                 "qualified": s.qualified, "manifest": str(manifests[s.id])} for s in standins.values()]

    def _matrix(self) -> dict[str, Any]:
        from tests.targets.matrix import AUDIENCES, CUSTOMER_DOMAIN, MATRIX

        return {
            "cases": [dataclasses.asdict(c) for c in MATRIX],
            "audiences": [{"target": t, "parameter": p, "audiences": list(a)} for (t, p), a in AUDIENCES.items()],
            "customer_domain": CUSTOMER_DOMAIN,
        }


def serve() -> int:
    process = start_emulator_process()
    try:
        helper = Helper(process.info)
        print(json.dumps({"ready": process.info}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                answer = {"ok": True, "result": helper.handle(json.loads(line))}
            except Exception as exc:
                answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(answer), flush=True)
    finally:
        process.stop()
    return 0


def browse(url: str) -> int:
    """The BROWSER command: hand the sign-in to a detached process, so webbrowser.open returns at once
    (the consent's loopback listener starts waiting only after it returns)."""
    if os.environ.get("SAM_BRIDGE_TEST_BROWSE_CHILD") != "1":
        subprocess.Popen([sys.executable, __file__, "browse", url], env={**os.environ, "SAM_BRIDGE_TEST_BROWSE_CHILD": "1"},
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        return 0
    info = json.loads(os.environ[ENV_INFO])
    helper = Helper(info)
    time.sleep(0.5)
    location = helper._sign_in(url)["location"]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
    with opener.open(location, timeout=30) as response:  # the redirect to the consent's listener (plain http)
        response.read()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        sys.exit(serve())
    if sys.argv[1:2] == ["browse"] and len(sys.argv) == 3:
        sys.exit(browse(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
