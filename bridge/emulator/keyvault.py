"""An Azure Key Vault (secrets) emulator: the REST subset azure-keyvault-secrets uses, over HTTPS.

`KeyVaultApp` is a WSGI application; `start_keyvault_in_thread` runs it on its own HTTPS port.
It serves, for any `api-version` the SDK knows:

    PUT    /secrets/{name}                      set (a new version; 409 while the name is soft-deleted)
    GET    /secrets/{name}[/]                   the latest version
    GET    /secrets/{name}/{version}            one version
    GET    /secrets/{name}/versions             list versions (paged: maxresults, nextLink)
    GET    /secrets                             list secrets (paged)
    DELETE /secrets/{name}                      soft delete
    GET    /deletedsecrets[/{name}]             deleted secrets
    DELETE /deletedsecrets/{name}               purge
    POST   /deletedsecrets/{name}/recover       recover

with Key Vault's challenge-based authentication: a request without a valid bearer token gets 401
and `WWW-Authenticate: Bearer authorization="{authority}", resource="https://vault.azure.net"`;
a valid token for another audience gets 403; so does a principal without the permission (see
`/_emulator/access`). Tokens are checked by the injected `validate_token(token, audience)` (the
Entra emulator's `EmulatorState.validate_access_token`, or `jwks_validator` for a separate one),
which returns the claims or raises.

Control API (no authentication, loopback only), under /_emulator on the vault's own port:
`GET health`, `POST reset`, `POST|GET|DELETE faults` (the next N requests get 503/429/500, a delay,
or a TCP reset: "Key Vault outage"), `GET requests?since=N`, `PUT access`, `GET secrets` (names,
versions, tags and value fingerprints; never values).
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote, urlsplit

import jwt
from werkzeug.wrappers import Request, Response

from ._faults import KINDS, Fault, FaultQueue, delay, reset_connection
from ._redact import fingerprint
from ._wsgi import buffer_body, json_response, tls_server

log = logging.getLogger("bridge.emulator.keyvault")

RESOURCE = "https://vault.azure.net"
KEY_VAULT_APP_ID = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"  # Azure Key Vault's first-party app id
API_VERSIONS = frozenset({"2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5"})
PERMISSIONS = frozenset({"get", "list", "set", "delete", "recover", "purge"})
FAULT_KINDS = frozenset({"429", "503", "500", "delay", "reset"}) & KINDS
MAX_VALUE_BYTES = 25 * 1024
MAX_TAGS, MAX_TAG_NAME, MAX_TAG_VALUE = 15, 512, 256
MAX_BODY = 256 * 1024
PAGE_SIZE = 25
RETENTION_DAYS = 90
_NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
_LOG_SIZE = 5000


class KeyVaultError(Exception):
    """An error answer in Key Vault's JSON shape."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


@dataclass
class _Version:
    version: str
    value: str
    tags: dict[str, str]
    content_type: str | None
    enabled: bool
    created: int
    updated: int


@dataclass
class _Secret:
    name: str  # as first created (Key Vault keeps the case; lookups ignore it)
    versions: list[_Version] = field(default_factory=list)
    deleted_on: int | None = None


class KeyVaultApp:
    """The vault: secrets with versions and soft delete, behind challenge auth, with faults and a log.

    `authority` is `https://HOST:PORT/{tenant}` of the Entra emulator: the challenge names it and a
    token from another tenant is refused. `clock` gives the emulator's time (epoch seconds).
    `take_fault` and `log_request` let a host emulator share its fault queue and request log
    (target "keyvault"); without them this app keeps its own.
    """

    def __init__(
        self,
        validate_token: Callable[[str, str], Mapping[str, Any]],
        authority: str,
        clock: Callable[[], float] | None = None,
        *,
        take_fault: Callable[[str], Any] | None = None,
        log_request: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.validate_token = validate_token
        self.authority = authority.rstrip("/")
        self.tenant = urlsplit(self.authority).path.strip("/").split("/")[0] or None
        self.clock = clock or time.time
        self._take_fault = take_fault
        self._log_hook = log_request
        self.lock = threading.Lock()
        self._faults = FaultQueue(frozenset({"keyvault"}), FAULT_KINDS, default_target="keyvault")
        self.reset()

    # -- state ---------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every secret, fault, log entry and access rule."""
        with self.lock:
            self._secrets: dict[str, _Secret] = {}
            self._faults.clear(restart_ids=True)
            self._log: list[dict[str, Any]] = []
            self._seq = 0
            self.permissions: dict[str, set[str]] | None = None  # None: every valid token may do everything

    def add_fault(self, kind: str, count: int = 1, retry_after: int | None = None, delay_seconds: float | None = None) -> Fault:
        """Queue a fault for the next `count` vault requests (the control API calls this)."""
        spec: dict[str, Any] = {"kind": kind, "count": count, "retry_after": retry_after, "delay_seconds": delay_seconds}
        return self._faults.add({k: v for k, v in spec.items() if v is not None})

    def _next_fault(self) -> Any:
        """This vault's own queued fault first, then the host emulator's (target "keyvault")."""
        fault = self._faults.take("keyvault")
        if fault is not None:
            return fault
        return self._take_fault("keyvault") if self._take_fault is not None else None

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(e) for e in self._log if e["seq"] > since]

    def _record(self, entry: dict[str, Any]) -> None:
        # The host emulator's log gets a copy (one timeline for Entra and the vault); the vault's own
        # control API keeps answering with the vault's requests only.
        if self._log_hook is not None:
            self._log_hook(dict(entry))
        with self.lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._log.append(entry)
            if len(self._log) > _LOG_SIZE:
                del self._log[: len(self._log) - _LOG_SIZE]

    def snapshot(self) -> list[dict[str, Any]]:
        """Names, versions, tags and value fingerprints (never values), for tests and demos."""
        with self.lock:
            return [
                {
                    "name": s.name,
                    "deleted": s.deleted_on is not None,
                    "versions": [
                        {"version": v.version, "created": v.created, "tags": dict(v.tags),
                         "fingerprint": fingerprint(v.value), "enabled": v.enabled}
                        for v in s.versions
                    ],
                }
                for s in sorted(self._secrets.values(), key=lambda s: s.name.lower())
            ]

    # -- WSGI ----------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        # Read the whole body first, whatever the answer: on a kept-alive connection unread bytes
        # would be parsed as the next request (a 401 challenge or an injected 503 answers early).
        too_large = buffer_body(environ)
        if too_large is not None:
            return too_large(environ, start_response)
        request = Request(environ)
        path = re.sub(r"/{2,}", "/", request.path)
        if path.lower().startswith("/_emulator"):
            return self._control(request, path)(environ, start_response)
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock())),
            "method": request.method,
            "path": path,
            "fault": None,
        }
        try:
            response = self._respond(request, path, entry, environ)
        except ConnectionAbortedError:  # an injected reset: logged, then the handler drops the socket
            entry.update(status="reset", latency_ms=round((time.monotonic() - started) * 1000, 1))
            self._record(entry)
            raise
        entry.update(status=response.status_code, latency_ms=round((time.monotonic() - started) * 1000, 1))
        self._record(entry)
        return response(environ, start_response)

    def _respond(self, request: Request, path: str, entry: dict[str, Any], environ: dict[str, Any]) -> Response:
        try:
            fault = self._next_fault()
            if fault is not None:
                entry["fault"] = fault.kind
                faulted = self._apply_fault(fault, environ)
                if faulted is not None:
                    return faulted
            return self._answer(request, path, entry)
        except KeyVaultError as exc:
            entry["error"] = exc.code
            return _error(exc)
        except ConnectionAbortedError:
            raise
        except Exception:
            log.exception("Key Vault emulator failed on %s %s", request.method, path)
            entry["error"] = "InternalServerError"
            return _error(KeyVaultError(500, "InternalServerError", "The emulator failed; see its log."))

    def _apply_fault(self, fault: Any, environ: dict[str, Any]) -> Response | None:
        kind = fault.kind
        if kind == "delay":
            delay(fault)
            return None
        if kind in ("429", "503"):
            retry = fault.retry_after if fault.retry_after is not None else (1 if kind == "429" else None)
            headers = {"Retry-After": str(retry)} if retry is not None else {}
            code = "Throttled" if kind == "429" else "ServiceUnavailable"
            return _error(KeyVaultError(int(kind), code, "The emulated vault is unavailable (injected fault).", headers))
        if kind == "500":
            return _error(KeyVaultError(500, "InternalServerError", "Injected fault."))
        if kind == "reset":
            reset_connection(environ)
        # A fault kind from a host emulator that only makes sense for Entra: answer 500.
        return _error(KeyVaultError(500, "InternalServerError", f"Injected fault {kind}."))

    # -- the data plane ----------------------------------------------------------------------------------

    def _answer(self, request: Request, path: str, entry: dict[str, Any]) -> Response:
        version = request.args.get("api-version")
        if not version:
            raise KeyVaultError(400, "BadParameter", "The 'api-version' query parameter is missing.")
        if version not in API_VERSIONS:
            raise KeyVaultError(400, "BadParameter", f"The specified version ({version}) is not recognized. "
                                "Consider using the latest supported version (7.5).")
        claims = self._authenticate(request)
        entry["principal"] = claims.get("oid") or claims.get("appid")
        entry["appid"] = claims.get("appid")
        base = f"https://{request.host}"
        parts = [p for p in path.split("/") if p]
        collection = parts[0].lower() if parts else ""
        rest = parts[1:]
        method = request.method
        if rest:
            entry["name"] = rest[0]
            if not _NAME.match(rest[0]):
                raise KeyVaultError(400, "BadParameter", f"The request URI contains an invalid name: {rest[0]}")

        if collection == "secrets":
            if not rest and method == "GET":
                return self._list_secrets(request, claims, base)
            if len(rest) == 1 and method == "PUT":
                return self._set(request, claims, base, rest[0], entry)
            if len(rest) == 1 and method == "DELETE":
                return self._delete(claims, base, rest[0])
            if len(rest) == 1 and method == "GET":
                return self._get(claims, base, rest[0], None, entry)
            if len(rest) == 2 and rest[1].lower() == "versions" and method == "GET":
                return self._list_versions(request, claims, base, rest[0])
            if len(rest) == 2 and method == "GET":
                return self._get(claims, base, rest[0], rest[1], entry)
        if collection == "deletedsecrets":
            if not rest and method == "GET":
                return self._list_deleted(claims, base)
            if len(rest) == 1 and method == "GET":
                return self._get_deleted(claims, base, rest[0])
            if len(rest) == 1 and method == "DELETE":
                return self._purge(claims, rest[0])
            if len(rest) == 2 and rest[1].lower() == "recover" and method == "POST":
                return self._recover(claims, base, rest[0])
        raise KeyVaultError(404, "NotFound", f"The emulated vault has no operation {method} {path}.")

    def _challenge(self) -> dict[str, str]:
        return {"WWW-Authenticate": f'Bearer authorization="{self.authority}", resource="{RESOURCE}"'}

    def _authenticate(self, request: Request) -> Mapping[str, Any]:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise KeyVaultError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.", self._challenge())
        token = token.strip()
        try:
            claims = self.validate_token(token, RESOURCE)
        except Exception as exc:
            presented = _unverified_audience(token)
            if presented and presented.rstrip("/").lower() != RESOURCE:
                try:
                    self.validate_token(token, presented)
                except Exception:
                    pass
                else:  # a good token, for another resource
                    raise KeyVaultError(
                        403, "Forbidden", f"AKV10022: Invalid audience. Expected {RESOURCE}, found: {presented}."
                    ) from None
            raise KeyVaultError(401, "Unauthorized", f"AKV10032: The token was refused: {exc}", self._challenge()) from None
        tid = claims.get("tid")
        if self.tenant and tid and str(tid).lower() != self.tenant.lower():
            raise KeyVaultError(
                401, "Unauthorized",
                f"AKV10032: Invalid issuer. Expected one of https://sts.windows.net/{self.tenant}/, "
                f"found https://sts.windows.net/{tid}/.", self._challenge(),
            )
        return claims

    def _allow(self, claims: Mapping[str, Any], permission: str) -> None:
        rules = self.permissions
        if rules is None:
            return
        granted: set[str] = set()
        for who in (claims.get("oid"), claims.get("appid")):
            if who:
                granted |= rules.get(str(who).lower(), set())
        if permission not in granted:
            raise KeyVaultError(
                403, "Forbidden",
                f"The user, group or application 'appid={claims.get('appid')};oid={claims.get('oid')}' does not have "
                f"secrets {permission} permission on key vault 'emulator'. For help resolving this issue, please see "
                "https://go.microsoft.com/fwlink/?linkid=2125287",
            )

    def _find(self, name: str, *, deleted: bool = False) -> _Secret:
        secret = self._secrets.get(name.lower())
        if secret is None or (secret.deleted_on is not None) != deleted or not secret.versions:
            if deleted:
                raise KeyVaultError(404, "SecretNotFound", f"Deleted Secret not found: {name}")
            raise KeyVaultError(
                404, "SecretNotFound",
                f"A secret with (name/id) {name} was not found in this key vault. If you recently deleted this "
                "secret you may be able to recover it using the correct recovery command. For help resolving "
                "this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182",
            )
        return secret

    def _set(self, request: Request, claims: Mapping[str, Any], base: str, name: str, entry: dict[str, Any]) -> Response:
        self._allow(claims, "set")
        if request.content_length and request.content_length > MAX_BODY:
            raise KeyVaultError(413, "RequestTooLarge", "The request body is too large.")
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError:
            raise KeyVaultError(400, "BadParameter", "The request body is not valid JSON.") from None
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            raise KeyVaultError(400, "BadParameter", "Property 'value' is required and must be a string.")
        value = body["value"]
        if len(value.encode("utf-8")) > MAX_VALUE_BYTES:
            raise KeyVaultError(400, "BadParameter", "The secret value exceeds the maximum allowed size of 25 KB.")
        tags = body.get("tags") or {}
        if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
            raise KeyVaultError(400, "BadParameter", "Tags must be an object of string names and string values.")
        if len(tags) > MAX_TAGS:
            raise KeyVaultError(400, "BadParameter", f"The number of tags ({len(tags)}) exceeds the limit of {MAX_TAGS}.")
        for key, tag in tags.items():
            if not key or len(key) > MAX_TAG_NAME:
                raise KeyVaultError(400, "BadParameter", f"Tag name '{key[:40]}' must be 1-{MAX_TAG_NAME} characters.")
            if len(tag) > MAX_TAG_VALUE:
                raise KeyVaultError(400, "BadParameter", f"Tag '{key}' has a value longer than {MAX_TAG_VALUE} characters.")
        content_type = body.get("contentType")
        attributes = body.get("attributes") or {}
        if (content_type is not None and not isinstance(content_type, str)) or not isinstance(attributes, dict):
            raise KeyVaultError(400, "BadParameter", "contentType must be a string and attributes an object.")
        now = int(self.clock())
        with self.lock:
            secret = self._secrets.get(name.lower())
            if secret is not None and secret.deleted_on is not None:
                raise KeyVaultError(
                    409, "Conflict",
                    f"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; "
                    "in this state, the secret can only be recovered or purged.",
                )
            if secret is None:
                secret = self._secrets[name.lower()] = _Secret(name)
            record = _Version(uuid.uuid4().hex, value, dict(tags), content_type,
                              bool(attributes.get("enabled", True)), now, now)
            secret.versions.append(record)
        entry["version"] = record.version
        entry["fingerprint"] = fingerprint(value)
        return json_response(200, self._bundle(base, secret, record))

    def _get(self, claims: Mapping[str, Any], base: str, name: str, version: str | None, entry: dict[str, Any]) -> Response:
        self._allow(claims, "get")
        with self.lock:
            secret = self._find(name)
            if version:
                record = next((v for v in secret.versions if v.version == version.lower()), None)
                if record is None:
                    raise KeyVaultError(
                        404, "SecretNotFound",
                        f"A secret with (name/id) {name}/{version} was not found in this key vault.",
                    )
            else:
                record = secret.versions[-1]
            if not record.enabled:
                raise KeyVaultError(403, "Forbidden", "Operation get is not allowed on a disabled secret.")
            body = self._bundle(base, secret, record)
        entry["version"] = record.version
        entry["fingerprint"] = fingerprint(record.value)
        return json_response(200, body)

    def _list_secrets(self, request: Request, claims: Mapping[str, Any], base: str) -> Response:
        self._allow(claims, "list")
        with self.lock:
            items = [
                self._item(base, s, s.versions[-1], with_version=False)
                for s in sorted(self._secrets.values(), key=lambda s: s.name.lower())
                if s.deleted_on is None and s.versions
            ]
        return json_response(200, _page(items, request, f"{base}/secrets"))

    def _list_versions(self, request: Request, claims: Mapping[str, Any], base: str, name: str) -> Response:
        self._allow(claims, "list")
        with self.lock:
            secret = self._find(name)
            items = [self._item(base, secret, v, with_version=True) for v in secret.versions]
        return json_response(200, _page(items, request, f"{base}/secrets/{quote(name)}/versions"))

    def _delete(self, claims: Mapping[str, Any], base: str, name: str) -> Response:
        self._allow(claims, "delete")
        with self.lock:
            secret = self._find(name)
            secret.deleted_on = int(self.clock())
            body = self._deleted_bundle(base, secret)
        return json_response(200, body)

    def _get_deleted(self, claims: Mapping[str, Any], base: str, name: str) -> Response:
        self._allow(claims, "get")
        with self.lock:
            return json_response(200, self._deleted_bundle(base, self._find(name, deleted=True)))

    def _list_deleted(self, claims: Mapping[str, Any], base: str) -> Response:
        self._allow(claims, "list")
        with self.lock:
            items = []
            for secret in self._secrets.values():
                if secret.deleted_on is not None:
                    item = self._item(base, secret, secret.versions[-1], with_version=False)
                    item.update(self._deletion_fields(base, secret))
                    items.append(item)
        return json_response(200, {"value": items, "nextLink": None})

    def _purge(self, claims: Mapping[str, Any], name: str) -> Response:
        self._allow(claims, "purge")
        with self.lock:
            secret = self._find(name, deleted=True)
            del self._secrets[secret.name.lower()]
        return Response(status=204)

    def _recover(self, claims: Mapping[str, Any], base: str, name: str) -> Response:
        self._allow(claims, "recover")
        with self.lock:
            secret = self._find(name, deleted=True)
            secret.deleted_on = None
            return json_response(200, self._bundle(base, secret, secret.versions[-1]))

    # -- shapes ----------------------------------------------------------------------------------------------

    @staticmethod
    def _attributes(record: _Version) -> dict[str, Any]:
        return {"enabled": record.enabled, "created": record.created, "updated": record.updated,
                "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": RETENTION_DAYS}

    def _bundle(self, base: str, secret: _Secret, record: _Version) -> dict[str, Any]:
        body: dict[str, Any] = {
            "value": record.value,
            "id": f"{base}/secrets/{secret.name}/{record.version}",
            "attributes": self._attributes(record),
            "tags": dict(record.tags),
        }
        if record.content_type is not None:
            body["contentType"] = record.content_type
        return body

    def _item(self, base: str, secret: _Secret, record: _Version, *, with_version: bool) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": f"{base}/secrets/{secret.name}" + (f"/{record.version}" if with_version else ""),
            "attributes": self._attributes(record),
            "tags": dict(record.tags),
        }
        if record.content_type is not None:
            item["contentType"] = record.content_type
        return item

    def _deletion_fields(self, base: str, secret: _Secret) -> dict[str, Any]:
        deleted = secret.deleted_on or int(self.clock())
        return {"recoveryId": f"{base}/deletedsecrets/{secret.name}", "deletedDate": deleted,
                "scheduledPurgeDate": deleted + RETENTION_DAYS * 86400}

    def _deleted_bundle(self, base: str, secret: _Secret) -> dict[str, Any]:
        body = self._bundle(base, secret, secret.versions[-1])
        body.pop("value", None)
        body.update(self._deletion_fields(base, secret))
        return body

    # -- control API -----------------------------------------------------------------------------------------

    def _control(self, request: Request, path: str) -> Response:
        parts = [p for p in path.split("/") if p][1:]
        method = request.method
        try:
            payload = json.loads(request.get_data() or b"{}")
        except ValueError:
            return json_response(400, {"error": "invalid_request", "message": "the body is not JSON"})
        try:
            if parts == ["health"] and method == "GET":
                return json_response(200, {"status": "ok", "authority": self.authority, "resource": RESOURCE})
            if parts == ["reset"] and method == "POST":
                self.reset()
                return json_response(200, {"status": "reset"})
            if parts == ["faults"] and method == "POST":
                if not isinstance(payload, dict):
                    raise ValueError("the body must be a JSON object")
                # A vault has one target: a "target" key is accepted and ignored.
                fault = self._faults.add({k: v for k, v in payload.items() if k != "target"})
                return json_response(201, fault.public())
            if parts == ["faults"] and method == "GET":
                return json_response(200, [f.public() for f in self._faults.pending()])
            if parts == ["faults"] and method == "DELETE":
                return json_response(200, {"cleared": self._faults.clear()})
            if parts == ["requests"] and method == "GET":
                return json_response(200, self.requests(int(request.args.get("since", "0") or 0)))
            if parts == ["secrets"] and method == "GET":
                return json_response(200, self.snapshot())
            if parts == ["access"] and method == "PUT":
                self.set_access(payload.get("principals") if isinstance(payload, dict) else None)
                return json_response(200, {"principals": self.access()})
            if parts == ["access"] and method == "GET":
                return json_response(200, {"principals": self.access()})
        except ValueError as exc:
            return json_response(400, {"error": "invalid_request", "message": str(exc)})
        return json_response(404, {"error": "not_found", "message": f"no control endpoint {method} {path}"})

    def set_access(self, principals: Mapping[str, Iterable[str]] | None) -> None:
        """Who may do what: {app id or object id: [get, list, set, delete, recover, purge]}; None: anyone."""
        if principals is None:
            with self.lock:
                self.permissions = None
            return
        if not isinstance(principals, Mapping):
            raise ValueError("principals must be an object or null")
        rules: dict[str, set[str]] = {}
        for who, granted in principals.items():
            granted = set(granted)
            if not granted <= PERMISSIONS:
                raise ValueError(f"permissions must be among {sorted(PERMISSIONS)}")
            rules[str(who).lower()] = granted
        with self.lock:
            self.permissions = rules

    def access(self) -> dict[str, list[str]] | None:
        with self.lock:
            return None if self.permissions is None else {k: sorted(v) for k, v in self.permissions.items()}


def _unverified_audience(token: str) -> str | None:
    try:
        aud = jwt.decode(token, options={"verify_signature": False}).get("aud")
    except jwt.PyJWTError:
        return None
    return aud if isinstance(aud, str) else None


def _page(items: list[dict[str, Any]], request: Request, url: str) -> dict[str, Any]:
    try:
        size = int(request.args.get("maxresults") or PAGE_SIZE)
        start = int(request.args.get("$skiptoken") or 0)
    except ValueError:
        raise KeyVaultError(400, "BadParameter", "maxresults and $skiptoken must be integers.") from None
    if not 1 <= size <= PAGE_SIZE or start < 0:
        raise KeyVaultError(400, "BadParameter", f"maxresults must be between 1 and {PAGE_SIZE}.")
    end = start + size
    next_link = None
    if end < len(items):
        api = request.args.get("api-version")
        next_link = f"{url}?api-version={api}&$skiptoken={end}&maxresults={size}"
    return {"value": items[start:end], "nextLink": next_link}


def _error(exc: KeyVaultError) -> Response:
    return json_response(exc.status, {"error": {"code": exc.code, "message": exc.message}}, exc.headers)


# -- token validation against an Entra emulator in another process -------------------------------------------

_EQUIVALENT_AUDIENCES = {RESOURCE: {RESOURCE, KEY_VAULT_APP_ID, RESOURCE + "/"}}


def jwks_validator(
    authority_host: str,
    ca_bundle: str | None,
    clock: Callable[[], float] | None = None,
    *,
    tenant: str = "common",
) -> Callable[[str, str], dict[str, Any]]:
    """A `validate_token` that checks RS256 signatures against an Entra (emulator) JWKS over HTTPS.

    For running this vault beside an Entra emulator in another process; in-process, pass the
    emulator state's `validate_access_token` instead. `clock` should be the emulator's clock.
    """
    from jwt.algorithms import RSAAlgorithm

    from .client import CONTROL_TIMEOUT, https_session

    session = https_session(ca_bundle)
    keys: dict[str, Any] = {}
    keys_lock = threading.Lock()
    now = clock or time.time

    def key_for(kid: str) -> Any:
        with keys_lock:
            if kid not in keys:
                response = session.get(f"{authority_host.rstrip('/')}/{tenant}/discovery/v2.0/keys", timeout=CONTROL_TIMEOUT)
                response.raise_for_status()
                for jwk in response.json().get("keys", []):
                    keys[jwk["kid"]] = RSAAlgorithm.from_jwk(json.dumps(jwk))
            if kid not in keys:
                raise ValueError("the token was not signed by a key of this authority")
            return keys[kid]

    def validate(token: str, audience: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(
            token, key_for(str(header.get("kid"))), algorithms=["RS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp <= now():
            raise ValueError("the token is expired")
        accepted = _EQUIVALENT_AUDIENCES.get(audience.rstrip("/"), {audience})
        if str(claims.get("aud", "")) not in accepted:
            raise ValueError(f"the token's audience '{claims.get('aud')}' is not '{audience}'")
        return claims

    return validate


# -- running it on its own port ---------------------------------------------------------------------------------


class KeyVaultServer:
    """A KeyVaultApp on its own HTTPS port, served by a daemon thread."""

    def __init__(self, app: KeyVaultApp, ssl_context: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.httpd = tls_server(app, ssl_context, host=host, port=port)
        self.port: int = self.httpd.server_port
        self.url = f"https://{host}:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="keyvault-emulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> "KeyVaultServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_keyvault_in_thread(
    validate_token: Callable[[str, str], Mapping[str, Any]],
    authority: str,
    ssl_context: Any,
    *,
    clock: Callable[[], float] | None = None,
    port: int = 0,
    **hooks: Any,
) -> KeyVaultServer:
    """Build a KeyVaultApp and serve it on 127.0.0.1:`port` (0: any free port) over `ssl_context`."""
    return KeyVaultServer(KeyVaultApp(validate_token, authority, clock, **hooks), ssl_context, port=port)


def main(argv: list[str] | None = None) -> int:
    """`python -m bridge.emulator.keyvault --authority URL/TENANT --state-dir DIR`: a vault beside a running
    Entra emulator started with the same --state-dir (one CA for both; tokens checked against its JWKS)."""
    import argparse
    import signal
    import sys
    from pathlib import Path

    from ._pki import Pki

    parser = argparse.ArgumentParser(prog="python -m bridge.emulator.keyvault")
    parser.add_argument("--authority", required=True, help="the Entra emulator's https://127.0.0.1:PORT/TENANT")
    parser.add_argument("--state-dir", required=True, help="the Entra emulator's --state-dir (its CA signs this listener)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    pki = Pki.load_or_create(Path(args.state_dir))
    parts = urlsplit(args.authority)
    validate = jwks_validator(f"{parts.scheme}://{parts.netloc}", str(pki.ca_bundle),
                              tenant=parts.path.strip("/") or "common")
    server = start_keyvault_in_thread(validate, args.authority, pki.server_context, port=args.port)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    sys.stdout.write(json.dumps({"vault_url": server.url, "ca_bundle": str(pki.ca_bundle),
                                 "control_url": f"{server.url}/_emulator"}) + "\n")
    sys.stdout.flush()
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
