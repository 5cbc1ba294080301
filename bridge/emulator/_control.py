"""The control API under /_emulator: reset, directory, device-code approval, clock, revocation,
settings, faults and the request log. JSON in, JSON out; documented in docs/EMULATOR.md.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Mapping
from urllib.parse import unquote

from . import _errors
from ._directory import Directory, SeedError
from ._interactive import approve_as_user
from ._state import ControlError, EmulatorState, SignInError

Result = tuple[int, Any]


class ControlApi:
    """Dispatches /_emulator/... requests to EmulatorState."""

    def __init__(self, state: EmulatorState, describe: Callable[[], dict[str, Any]]) -> None:
        self.state = state
        self._describe = describe  # the ready-line facts (authority_host, ca_bundle, ...)
        # Other stand-ins' control endpoints (the Graph one): tried in order before answering 404.
        self.extensions: list[Callable[[str, list[str], Mapping[str, str], Any], Result | None]] = []

    def handle(self, method: str, path: str, query: Mapping[str, str], body: bytes) -> Result:
        parts = [unquote(p) for p in path.strip("/").split("/")[1:]]  # drop "_emulator"
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            return 400, {"error": "invalid_request", "message": "the body is not JSON"}
        try:
            return self._route(method, parts, query, payload)
        except (ControlError, SeedError) as exc:
            status = getattr(exc, "status", 400)
            return status, {"error": getattr(exc, "reason", "invalid_request"), "message": str(exc)}
        except SignInError as exc:
            return 400, {
                "error": exc.reason,
                "message": exc.error.description,
                "error_codes": exc.error.error_codes,
            }

    def _route(self, method: str, parts: list[str], query: Mapping[str, str], payload: Any) -> Result:
        state = self.state
        key = (method, tuple(parts[:1]))
        if key == ("GET", ("health",)):
            return 200, dict(self._describe(), status="ok", clock_offset=state.clock_offset)
        if key == ("POST", ("reset",)):
            state.reset()
            return 200, {"status": "reset"}
        if parts[:1] == ["directory"]:
            if method == "GET":
                return 200, state.directory.to_seed()
            if method == "PUT":
                state.replace_directory(_object(payload))
                return 200, {"status": "replaced", "tenants": len(state.directory.tenants)}
        if parts[:1] == ["apps"] and len(parts) == 3 and parts[2] == "certificates" and method == "POST":
            return self._add_certificate(parts[1], _object(payload))
        if parts == ["consents"] and method == "POST":
            with state.lock:
                return 201, state.directory.add_consent(_object(payload)).to_seed()
        if parts[:1] == ["tenants"] and len(parts) == 3 and parts[2] == "conditional-access" and method == "POST":
            return 200, self._conditional_access(parts[1], _object(payload))
        if parts[:1] == ["devicecodes"]:
            return self._device_codes(method, parts[1:], payload)
        if parts[:1] == ["clock"]:
            if method == "POST":
                state.advance_clock(_object(payload).get("advance_seconds"))
            if method in ("GET", "POST"):
                return 200, self._clock()
        if parts[:1] == ["users"] and len(parts) == 3 and method == "POST":
            upn, action = parts[1], parts[2]
            if action == "revoke":
                valid_from = state.revoke(upn)
                return 200, {"upn": upn, "tokens_valid_from": _errors.format_instant(valid_from)}
            if action == "password":
                valid_from = state.set_password(upn, _object(payload).get("password"))
                return 200, {"upn": upn, "tokens_valid_from": _errors.format_instant(valid_from)}
        if parts[:1] == ["settings"]:
            if method == "POST":
                return 200, state.update_settings(_object(payload))
            if method == "GET":
                return 200, state.settings
        if parts[:1] == ["faults"]:
            if method == "POST":
                return 201, state.add_fault(_object(payload)).public()
            if method == "GET":
                with state.lock:
                    return 200, [f.public() for f in state.faults]
            if method == "DELETE":
                return 200, {"cleared": state.clear_faults()}
        if key == ("GET", ("requests",)):
            try:
                since = int(query.get("since", "0") or 0)
            except ValueError:
                raise ControlError("since must be an integer") from None
            return 200, state.requests_since(since)
        for extension in self.extensions:
            answer = extension(method, parts, query, payload)
            if answer is not None:
                return answer
        raise ControlError(f"no control endpoint {method} /_emulator/{'/'.join(parts)}", status=404, reason="not_found")

    def _add_certificate(self, app_id: str, payload: Mapping[str, Any]) -> Result:
        pem = payload.get("pem")
        if not isinstance(pem, str) or "BEGIN CERTIFICATE" not in pem:
            raise ControlError("send {\"pem\": \"-----BEGIN CERTIFICATE-----...\"}")
        with self.state.lock:
            app = self.state.directory.app(app_id)
            if app is None:
                raise ControlError(f"no app {app_id!r} in the directory", status=404, reason="not_found")
            if app.public_client:
                raise ControlError("a public client cannot have certificate credentials")
            credential = app.add_certificate(pem)
        return 201, {"app_id": app.app_id, "x5t": credential.x5t, "x5t#S256": credential.x5t_s256}

    def _conditional_access(self, tenant_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Change a tenant's `conditional_access` (seed format: require_mfa, external_mfa) at run time."""
        unknown = set(payload) - {"require_mfa", "external_mfa"}
        if unknown:
            raise ControlError(f"unknown conditional_access keys {sorted(unknown)} (require_mfa, external_mfa)")
        with self.state.lock:
            tenant = self.state.directory.tenant(tenant_id)
            if tenant is None:
                raise ControlError(f"no tenant {tenant_id!r} in the directory", status=404, reason="not_found")
            current = tenant.to_seed().get("conditional_access", {})
            checked = Directory.parse_tenant_entry({**tenant.to_seed(), "conditional_access": {**current, **payload}})
            tenant.require_mfa, tenant.external_mfa = checked.require_mfa, checked.external_mfa
            return tenant.to_seed()

    def _device_codes(self, method: str, parts: list[str], payload: Any) -> Result:
        state = self.state
        if method == "GET" and not parts:
            return 200, state.list_pending_device_codes()
        if method == "POST" and parts == ["approve"]:
            body = _object(payload)
            for field in ("user_code", "username", "password"):
                if not isinstance(body.get(field), str) or not body.get(field):
                    raise ControlError(f"'{field}' is required")
            otp = body.get("otp")
            return 200, approve_as_user(state, body["user_code"], body["username"], body["password"], otp and str(otp))
        if method == "POST" and parts == ["decline"]:
            record = state.pending_device_code(str(_object(payload).get("user_code", "")))
            state.decline_device_code(record)
            return 200, {"user_code": record.user_code, "status": "declined"}
        raise ControlError(f"no control endpoint {method} /_emulator/devicecodes/{'/'.join(parts)}", status=404, reason="not_found")

    def _clock(self) -> dict[str, Any]:
        now = self.state.now()
        return {"now": now, "iso": _errors.format_instant(now), "offset_seconds": self.state.clock_offset}


def _object(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise ControlError("the body must be a JSON object")
    return payload
