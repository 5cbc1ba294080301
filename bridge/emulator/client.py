"""A client for the emulator's control API (/_emulator), over an HTTPS session pinned to its CA."""
from __future__ import annotations

import json
import uuid
from typing import Any, Iterable, Mapping
from urllib.parse import quote, urlsplit


CONTROL_TIMEOUT = (10, 120)  # seconds to connect, to wait for an answer


def https_session(ca_bundle: str | None) -> Any:
    """A requests session that trusts `ca_bundle` (the emulator's CA) and nothing from the
    environment: REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE would otherwise replace `verify`."""
    import requests

    session = requests.Session()
    session.trust_env = False
    session.verify = ca_bundle if ca_bundle else True
    return session


class EmulatorControlError(RuntimeError):
    """The control API refused a request; carries the HTTP status and the JSON body."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        message = body.get("message") if isinstance(body, dict) else None
        super().__init__(f"emulator control API answered {status}: {message or body}")

    @property
    def reason(self) -> str | None:
        return self.body.get("error") if isinstance(self.body, dict) else None


class EmulatorClient:
    """Wraps every control endpoint: reset, directory, device codes, clock, users, settings, faults, log."""

    def __init__(
        self,
        control_url: str,
        ca_bundle: str,
        *,
        partner_tenant: str | None = None,
        session: Any = None,
    ) -> None:
        self.control_url = control_url.rstrip("/")
        self.ca_bundle = ca_bundle
        self.partner_tenant = partner_tenant
        if session is None:
            session = https_session(ca_bundle)
        self._session = session

    @classmethod
    def from_ready_line(cls, info: Mapping[str, Any] | str) -> "EmulatorClient":
        """Build from the JSON line `python -m bridge.emulator serve` prints (a dict or the raw line)."""
        data = json.loads(info) if isinstance(info, str) else dict(info)
        return cls(data["control_url"], data["ca_bundle"], partner_tenant=data.get("partner_tenant"))

    @property
    def authority_host(self) -> str:
        """`https://127.0.0.1:PORT`."""
        parts = urlsplit(self.control_url)
        return f"{parts.scheme}://{parts.netloc}"

    def authority(self, tenant: str | None = None) -> str:
        """The msal authority URL for a tenant (default: the partner tenant)."""
        return f"{self.authority_host}/{tenant or self.partner_tenant or 'organizations'}"

    def close(self) -> None:
        self._session.close()

    # -- transport --------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        response = self._session.request(
            method,
            f"{self.control_url}/{path.lstrip('/')}",
            json=body,
            params=dict(params) if params else None,
            timeout=CONTROL_TIMEOUT,
        )
        try:
            payload = response.json()
        except ValueError:
            payload = {"message": response.text[:500]}
        if response.status_code >= 400:
            raise EmulatorControlError(response.status_code, payload)
        return payload

    # -- endpoints --------------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self._call("GET", "health")

    def reset(self) -> dict[str, Any]:
        """Back to the start-up seed; tokens, clock offset, faults, settings overrides and log cleared."""
        return self._call("POST", "reset")

    def get_directory(self) -> dict[str, Any]:
        return self._call("GET", "directory")

    def put_directory(self, seed: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the directory (seed format); issued tokens, clock and log are kept."""
        return self._call("PUT", "directory", dict(seed))

    def add_certificate(self, app_id: str, pem: str | bytes) -> dict[str, Any]:
        """Register a public certificate (PEM) for an app's client assertions."""
        text = pem.decode("ascii") if isinstance(pem, bytes) else pem
        return self._call("POST", f"apps/{quote(app_id)}/certificates", {"pem": text})

    def app_credentials(self, app_id: str) -> dict[str, Any]:
        """An app's password and key credentials as Graph lists them (no secret values)."""
        return self._call("GET", f"apps/{quote(app_id)}/credentials")

    def expire_credential(self, app_id: str, key_id: str) -> dict[str, Any]:
        """Move a password credential's endDateTime into the past: the token endpoint answers 7000222."""
        return self._call("POST", f"apps/{quote(app_id)}/credentials/{quote(key_id)}/expire")

    def set_app_management_policy(
        self, max_lifetime: str | None = "P90D", *, restriction: str = "passwordLifetime", tenant: str | None = None
    ) -> dict[str, Any]:
        """Seed a tenant's default app management policy (default: the partner tenant)."""
        body: dict[str, Any] = {"restriction": restriction, "max_lifetime": max_lifetime}
        if tenant:
            body["tenant"] = tenant
        return self._call("PUT", "policies/app-management", body)

    def clear_app_management_policy(self, tenant: str | None = None) -> dict[str, Any]:
        return self._call("DELETE", "policies/app-management", {"tenant": tenant} if tenant else None)

    # -- customers, GDAP, groups, consents, conditional access -------------------------------------------

    def add_customer(self, domain: str, name: str, tenant_id: str | None = None) -> dict[str, Any]:
        """A new customer tenant (no relationship, no consent yet); returns it in seed format."""
        body: dict[str, Any] = {"domain": domain, "name": name, "id": tenant_id or str(uuid.uuid4())}
        return self._call("POST", "customers", body)

    def add_relationship(self, customer: str, roles: Iterable[str], *, status: str = "active",
                         access_assignments: Iterable[Mapping[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
        """A GDAP relationship of the partner tenant with `customer` (seed format: name, duration,
        auto_extend_duration, ends_in_days, activated, end, id); access_assignments are
        {"group": id, "roles": [...]}. Without them every partner user holds every role."""
        body: dict[str, Any] = {"customer": customer, "roles": list(roles), "status": status, **fields}
        if access_assignments is not None:
            body["access_assignments"] = [dict(a) for a in access_assignments]
        return self._call("POST", "gdap", body)

    def relationships(self) -> list[dict[str, Any]]:
        return self._call("GET", "gdap")

    def expire_relationship(self, relationship_id: str) -> dict[str, Any]:
        """End a relationship now with status expired: partner users get AADSTS50020 in that tenant."""
        return self._call("POST", f"gdap/{quote(relationship_id)}/expire")

    def terminate_relationship(self, relationship_id: str) -> dict[str, Any]:
        return self._call("POST", f"gdap/{quote(relationship_id)}/terminate")

    def update_relationship(self, relationship_id: str, **fields: Any) -> dict[str, Any]:
        """Change status, ends_in_days, auto_extend_duration or name of a relationship."""
        return self._call("PATCH", f"gdap/{quote(relationship_id)}", fields)

    def add_access_assignment(self, relationship_id: str, group: str, roles: Iterable[str], *,
                              status: str = "active") -> dict[str, Any]:
        return self._call("POST", f"gdap/{quote(relationship_id)}/assignments",
                          {"group": group, "roles": list(roles), "status": status})

    def set_access_assignment_status(self, relationship_id: str, assignment_id: str, status: str) -> dict[str, Any]:
        return self._call("PATCH", f"gdap/{quote(relationship_id)}/assignments/{quote(assignment_id)}", {"status": status})

    def remove_access_assignment(self, relationship_id: str, assignment_id: str) -> dict[str, Any]:
        return self._call("DELETE", f"gdap/{quote(relationship_id)}/assignments/{quote(assignment_id)}")

    def add_group(self, name: str, members: Iterable[str] = (), *, groups: Iterable[str] = (),
                  group_id: str | None = None, tenant: str | None = None) -> dict[str, Any]:
        """A security group (default: in the partner tenant); members are upns or oids."""
        body: dict[str, Any] = {"name": name, "members": list(members), "groups": list(groups)}
        if group_id:
            body["id"] = group_id
        if tenant:
            body["tenant"] = tenant
        return self._call("POST", "groups", body)

    def add_group_member(self, group_id: str, member: str | None = None, *, group: str | None = None) -> dict[str, Any]:
        """Add a user (upn or oid) or, with group=, a nested group."""
        return self._call("POST", f"groups/{quote(group_id)}/members", {"group": group} if group else {"member": member})

    def remove_group_member(self, group_id: str, member: str) -> dict[str, Any]:
        return self._call("DELETE", f"groups/{quote(group_id)}/members/{quote(member)}")

    def add_consent(self, tenant: str, app_id: str, grants: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
        """Admin consent of an app in a tenant (replaces one there); default: every permission of every
        built-in resource, as the default seed consents."""
        if grants is None:
            from ._resources import BUILTIN_RESOURCES

            grants = {r.app_id: ["*"] for r in BUILTIN_RESOURCES}
        return self._call("POST", "consents", {"tenant": tenant, "app_id": app_id,
                                                "grants": {k: list(v) for k, v in grants.items()}})

    def set_conditional_access(self, tenant: str, *, external_mfa: bool | None = None,
                               require_mfa: Iterable[str] | None = None) -> dict[str, Any]:
        """external_mfa=True: the tenant's users satisfy MFA outside Entra (third-party MFA, trusted IPs),
        so Entra issues them Partner Center tokens without `mfa` in `amr` (and Partner Center answers 900421)."""
        body: dict[str, Any] = {}
        if external_mfa is not None:
            body["external_mfa"] = external_mfa
        if require_mfa is not None:
            body["require_mfa"] = list(require_mfa)
        return self._call("POST", f"tenants/{quote(tenant)}/conditional-access", body)

    def set_token_lifetime(self, seconds: int | None, audience: str | None = None) -> dict[str, Any]:
        """Access-token lifetime (>= 60 s) for every resource, or for one (app id or identifier URI);
        None restores the default (for one audience: removes its entry)."""
        if audience is None:
            return self.update_settings(access_token_lifetime=seconds)
        per_audience = dict(self.settings().get("access_token_lifetimes") or {})
        key = audience.rstrip("/").lower()
        if seconds is None:
            per_audience.pop(key, None)
        else:
            per_audience[key] = seconds
        return self.update_settings(access_token_lifetimes=per_audience)

    def device_codes(self) -> list[dict[str, Any]]:
        """Pending device codes: user_code, client_id, tenant, scope, created, expires."""
        return self._call("GET", "devicecodes")

    def approve_device_code(
        self, user_code: str, username: str, password: str, otp: str | None = None
    ) -> dict[str, Any]:
        """Sign in as a user would on /devicelogin; an MFA user gets amr mfa only with a valid otp."""
        body: dict[str, Any] = {"user_code": user_code, "username": username, "password": password}
        if otp is not None:
            body["otp"] = otp
        return self._call("POST", "devicecodes/approve", body)

    def decline_device_code(self, user_code: str) -> dict[str, Any]:
        return self._call("POST", "devicecodes/decline", {"user_code": user_code})

    def clock(self) -> dict[str, Any]:
        """{"now": epoch, "iso": ..., "offset_seconds": ...}."""
        return self._call("GET", "clock")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self._call("POST", "clock", {"advance_seconds": seconds})

    def revoke_user(self, upn: str) -> dict[str, Any]:
        """Revoke all sessions (TokensValidFrom = now): existing refresh tokens fail with AADSTS50173."""
        return self._call("POST", f"users/{quote(upn)}/revoke")

    def set_password(self, upn: str, password: str) -> dict[str, Any]:
        """Change a user's password (which also revokes their sessions)."""
        return self._call("POST", f"users/{quote(upn)}/password", {"password": password})

    def settings(self) -> dict[str, Any]:
        return self._call("GET", "settings")

    def update_settings(self, settings: Mapping[str, Any] | None = None, **more: Any) -> dict[str, Any]:
        """Merge into the settings, e.g. update_settings(rate_limit={"per_second": 1, "burst": 2})."""
        return self._call("POST", "settings", {**dict(settings or {}), **more})

    def add_fault(
        self,
        kind: str,
        target: str = "token",
        count: int = 1,
        *,
        retry_after: int | None = None,
        delay_seconds: float | None = None,
    ) -> dict[str, Any]:
        """Fail the next `count` requests to `target` with `kind` (see docs/EMULATOR.md)."""
        body: dict[str, Any] = {"target": target, "kind": kind, "count": count}
        if retry_after is not None:
            body["retry_after"] = retry_after
        if delay_seconds is not None:
            body["delay_seconds"] = delay_seconds
        return self._call("POST", "faults", body)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")

    def clear_faults(self) -> dict[str, Any]:
        return self._call("DELETE", "faults")

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """The request log after sequence number `since` (secrets appear only as fingerprints)."""
        return self._call("GET", "requests", params={"since": since})
