"""A Microsoft Graph stand-in (under `/graph/v1.0`) for what the SAM app lifecycle calls.

Applications, their service principals, password and key credentials, delegated permission grants
(`oauth2PermissionGrants`), app role assignments, `/organization` and the default app management
policy. Each call checks the bearer token the way Graph does: issued by this emulator for Microsoft
Graph, unexpired, and carrying one of the permissions Graph requires for the call (sam-lifecycle
fact sheet 1.1 and 2.2); objects live in the token's tenant. What a call changes is what the token
endpoint then enforces: a service principal is the tenant's consent record, a grant its scopes, a
password credential a secret with an end date (AADSTS7000222 once it passes).
"""
from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import timezone
from typing import Any, Mapping

from ._apps import (
    TWO_YEARS,
    AppManagementPolicy,
    AppRegistry,
    KeyCredential,
    PasswordCredential,
    SIGN_IN_AUDIENCES,
    check_lifetime,
    iso,
    new_secret_text,
    parse_iso,
    permission_by_id,
    permission_id,
    resource_by_app_id,
    validate_required_access,
)
from ._directory import App, Consent, Directory, SeedError, Tenant
from ._resources import BUILTIN_RESOURCES, GRAPH, Resource
from ._state import ControlError, EmulatorState
from ._tokens import TokenValidationError, service_principal_oid

AUDIENCE = GRAPH.identifier_uris[0]
Result = tuple[int, Any, dict[str, str]]

# Delegated permissions (or app roles) Graph accepts for each kind of call.
_APP_READ = {"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
             "Directory.AccessAsUser.All"}
_APP_WRITE = {"Application.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
_GRANT_READ = {"DelegatedPermissionGrant.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
               "Directory.AccessAsUser.All"}
_GRANT_WRITE = {"DelegatedPermissionGrant.ReadWrite.All", "Directory.AccessAsUser.All"}
_ROLE_WRITE = {"AppRoleAssignment.ReadWrite.All", "Directory.AccessAsUser.All"}
_POLICY_READ = {"Policy.Read.All", "Directory.Read.All", "Directory.AccessAsUser.All"}
_ANY: set[str] = set()  # any valid Graph token (e.g. GET /organization with User.Read)

_BY_APP_ID = re.compile(r"^(applications|serviceprincipals)\(appid='([^']*)'\)$", re.IGNORECASE)
_FILTER = re.compile(r"^\s*(appId|displayName|clientId)\s+eq\s+'([^']*)'\s*$", re.IGNORECASE)


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        super().__init__(message)


def _denied() -> GraphError:
    return GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


def _not_found(what: str) -> GraphError:
    return GraphError(404, "Request_ResourceNotFound",
                      f"Resource '{what}' does not exist or one of its queried reference-property objects are not present.")


def _bad(message: str) -> GraphError:
    return GraphError(400, "Request_BadRequest", message)


def grant_id(client_sp: str, resource_sp: str) -> str:
    """Graph's grant ids are the base64url of the two object ids' bytes; so are these."""
    raw = uuid.UUID(client_sp).bytes + uuid.UUID(resource_sp).bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class GraphApi:
    """Answers /graph/v1.0/... for one EmulatorState; `control` serves its control-API additions."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.registry = AppRegistry()
        state.on_reset.append(self.registry.reset)
        # More routes (GDAP): each answers (status, body) or None when the path is not its own.
        self.extensions: list[Any] = []

    # -- entry ---------------------------------------------------------------------------------------

    def handle(self, method: str, segments: list[str], query: Mapping[str, str], authorization: str | None,
               body: bytes, base: str, info: Any) -> Result:
        try:
            claims = self._caller(authorization)
            info.tenant, info.client_id = claims.get("tid"), claims.get("appid")
            payload = self._payload(method, body)
            with self.state.lock:
                status, answer = self._route(method, segments, query, payload, claims, base)
            return status, answer, {}
        except GraphError as exc:
            info.error = exc.code
            headers = {}
            if exc.status == 401:
                headers["WWW-Authenticate"] = (
                    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
                    'client_id="00000003-0000-0000-c000-000000000000"'
                )
            return exc.status, self._error_body(exc), headers

    def _error_body(self, exc: GraphError) -> dict[str, Any]:
        request_id = str(uuid.uuid4())
        return {"error": {"code": exc.code, "message": exc.message, "innerError": {
            "date": iso(self.state.now()), "request-id": request_id, "client-request-id": request_id}}}

    def _caller(self, authorization: str | None) -> dict[str, Any]:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
        try:
            return self.state.validate_access_token(token.strip(), AUDIENCE)
        except TokenValidationError as exc:
            if "expired" in str(exc):
                raise GraphError(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.") from None
            raise GraphError(401, "InvalidAuthenticationToken", f"Access token validation failure: {exc}.") from None

    @staticmethod
    def _payload(method: str, body: bytes) -> Any:
        if method not in ("POST", "PATCH", "PUT") or not body.strip():
            return {}
        try:
            return json.loads(body)
        except ValueError:
            raise _bad("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.") from None

    @staticmethod
    def _require(claims: Mapping[str, Any], allowed: set[str]) -> None:
        if not allowed:
            return
        granted = set(str(claims.get("scp", "")).split()) | set(claims.get("roles") or [])
        if not granted & allowed:
            raise _denied()

    # -- routing ---------------------------------------------------------------------------------------

    def _route(self, method: str, segments: list[str], query: Mapping[str, str], payload: Any,
               claims: Mapping[str, Any], base: str) -> tuple[int, Any]:
        directory = self.state.directory
        tenant = directory.tenant(str(claims.get("tid", "")))
        if tenant is None:
            raise GraphError(401, "InvalidAuthenticationToken", "The token's tenant does not exist.")
        if not isinstance(payload, Mapping):
            raise _bad("The request body must be a JSON object.")
        lowered = [s.lower() for s in segments]
        context = f"{base}/graph/v1.0/$metadata"
        if lowered == ["organization"] and method == "GET":
            self._require(claims, _ANY)
            return 200, {"@odata.context": f"{context}#organization", "value": [self._organization(tenant)]}
        if lowered == ["policies", "defaultappmanagementpolicy"] and method == "GET":
            self._require(claims, _POLICY_READ)
            policy = self.registry.policies.get(tenant.id)
            return 200, (policy or AppManagementPolicy(tenant.id, "passwordLifetime", None)).to_graph() | (
                {} if policy else {"isEnabled": False, "applicationRestrictions": {"passwordCredentials": [], "keyCredentials": []}})
        if lowered[:1] == ["applications"] or (lowered and _BY_APP_ID.match(lowered[0]) and lowered[0].startswith("app")):
            return self._applications(method, segments, lowered, query, payload, claims, tenant, directory, context)
        if lowered[:1] == ["serviceprincipals"] or (lowered and _BY_APP_ID.match(lowered[0])):
            return self._service_principals(method, segments, lowered, query, payload, claims, tenant, directory, context)
        if lowered[:1] == ["oauth2permissiongrants"]:
            return self._grants(method, segments[1:], query, payload, claims, tenant, directory, context)
        for extension in self.extensions:
            answer = extension(method, lowered, segments, query, payload, claims, tenant, base)
            if answer is not None:
                return answer
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segments[0] if segments else ''}'.")

    def _organization(self, tenant: Tenant) -> dict[str, Any]:
        return {"id": tenant.id, "displayName": tenant.name, "tenantType": "AAD",
                "verifiedDomains": [{"name": tenant.domain, "isInitial": True, "isDefault": True,
                                     "type": "Managed", "capabilities": "Email, OfficeCommunicationsOnline"}]}

    # -- applications ------------------------------------------------------------------------------------

    def _find_app(self, directory: Directory, tenant: Tenant, segment: str) -> tuple[App, Any]:
        now = self.state.now()
        m = _BY_APP_ID.match(segment)
        if m:
            app = directory.app(m.group(2))
            if app is None or app.tenant != tenant.id:
                raise _not_found(m.group(2))
            return app, self.registry.registration(app, now)
        found = self.registry.by_object_id(directory, tenant.id, segment, now)
        if found is None:
            raise _not_found(segment)
        return found

    def _applications(self, method, segments, lowered, query, payload, claims, tenant, directory, context):  # type: ignore[no-untyped-def]
        now = self.state.now()
        if len(segments) == 1 and lowered[0] == "applications":
            if method == "GET":
                self._require(claims, _APP_READ)
                apps = [a for a in directory.apps.values() if a.tenant == tenant.id]
                apps = _filtered(apps, query, {"appid": lambda a: a.app_id, "displayname": lambda a: a.name})
                return 200, {"@odata.context": f"{context}#applications",
                             "value": [self.registry.registration(a, now).to_graph(a, tenant.domain) for a in apps]}
            if method == "POST":
                self._require(claims, _APP_WRITE)
                return 201, {"@odata.context": f"{context}#applications/$entity", **self._create_app(payload, tenant, directory, now)}
            raise GraphError(405, "Request_BadRequest", f"{method} is not supported on applications.")
        app, reg = self._find_app(directory, tenant, segments[1] if lowered[0] == "applications" else segments[0])
        rest = lowered[2:] if lowered[0] == "applications" else lowered[1:]
        if not rest:
            if method == "GET":
                self._require(claims, _APP_READ)
                with_keys = "keycredentials" in str(query.get("$select", "")).lower()
                return 200, {"@odata.context": f"{context}#applications/$entity",
                             **reg.to_graph(app, tenant.domain, with_keys=with_keys)}
            if method == "PATCH":
                self._require(claims, _APP_WRITE)
                self._update_app(app, reg, payload, now)
                return 204, None
            if method == "DELETE":
                self._require(claims, _APP_WRITE)
                directory.apps.pop(app.app_id, None)
                self.registry.registrations.pop(app.app_id, None)
                for key in [k for k in directory.consents if k[1] == app.app_id]:
                    del directory.consents[key]
                return 204, None
        if rest == ["addpassword"] and method == "POST":
            self._require(claims, _APP_WRITE)
            return 200, {"@odata.context": f"{context}#microsoft.graph.passwordCredential",
                         **self._add_password(app, reg, tenant, payload, now)}
        if rest == ["removepassword"] and method == "POST":
            self._require(claims, _APP_WRITE)
            key_id = str(payload.get("keyId", "")).lower()
            if not any(p.key_id == key_id for p in reg.passwords):
                raise _not_found(key_id or "keyId")
            reg.passwords = [p for p in reg.passwords if p.key_id != key_id]
            reg.sync_directory(app)
            return 204, None
        raise GraphError(400, "BadRequest", f"Unsupported request {method} on application '{app.app_id}'.")

    def _create_app(self, payload: Mapping[str, Any], tenant: Tenant, directory: Directory, now: float) -> dict[str, Any]:
        name = payload.get("displayName")
        if not isinstance(name, str) or not name.strip():
            raise _bad("Property 'displayName' is required.")
        if payload.get("passwordCredentials"):
            raise _bad("Adding passwordCredential when creating applications is not supported.")
        app_id = str(uuid.uuid4())
        app = App(app_id=app_id, name=name.strip(), tenant=tenant.id)
        reg = self.registry.registration(app, now)
        reg.sign_in_audience = "AzureADMyOrg"
        self._update_app(app, reg, {k: v for k, v in payload.items() if k != "displayName"}, now)
        directory.apps[app_id] = app
        return reg.to_graph(app, tenant.domain)

    def _update_app(self, app: App, reg: Any, payload: Mapping[str, Any], now: float) -> None:
        if "passwordCredentials" in payload:
            raise _bad("Using PATCH to set passwordCredential is not supported.")
        known = {"displayName", "signInAudience", "isFallbackPublicClient", "web", "publicClient", "spa",
                 "requiredResourceAccess", "keyCredentials", "servicePrincipalLockConfiguration", "tags"}
        unknown = sorted(set(payload) - known)
        if unknown:
            raise _bad(f"Property '{unknown[0]}' does not exist on type 'microsoft.graph.application'.")
        # Validate everything before changing anything: a refused PATCH changes nothing.
        audience = payload.get("signInAudience", reg.sign_in_audience)
        if audience not in SIGN_IN_AUDIENCES:
            raise _bad(f"Invalid value specified for property 'signInAudience' of resource 'Application'.")
        web = _redirects(payload, "web", reg.web_redirect_uris)
        public = _redirects(payload, "publicClient", reg.public_redirect_uris)
        access = (validate_required_access_or_400(payload["requiredResourceAccess"])
                  if "requiredResourceAccess" in payload else reg.required_resource_access)
        keys = self._key_credentials(reg, payload["keyCredentials"], now) if "keyCredentials" in payload else reg.keys
        if "displayName" in payload:
            if not isinstance(payload["displayName"], str) or not payload["displayName"].strip():
                raise _bad("Property 'displayName' must be a non-empty string.")
            app.name = payload["displayName"].strip()
        reg.sign_in_audience = audience
        reg.is_fallback_public_client = bool(payload.get("isFallbackPublicClient", reg.is_fallback_public_client))
        reg.web_redirect_uris, reg.public_redirect_uris = web, public
        reg.required_resource_access = access
        if "keyCredentials" in payload:  # PATCH replaces the collection, and with it what assertions may use
            reg.keys = keys
            app.certificates = []
            for key in keys:
                app.add_certificate(_pem(key.der_b64))
        reg.sync_directory(app)

    def _key_credentials(self, reg: Any, value: Any, now: float) -> list[KeyCredential]:
        """PATCH replaces the collection: an entry is a new certificate (`key`) or an existing keyId."""
        if not isinstance(value, list):
            raise _bad("Invalid value specified for property 'keyCredentials' of resource 'Application'.")
        existing = {k.key_id: k for k in reg.keys}
        out: list[KeyCredential] = []
        for item in value:
            if not isinstance(item, Mapping):
                raise _bad("Invalid value specified for property 'keyCredentials' of resource 'Application'.")
            key_id = str(item.get("keyId") or "").lower()
            if not item.get("key") and key_id in existing:
                out.append(existing[key_id])
                continue
            try:
                der = base64.b64decode(str(item.get("key") or ""), validate=True)
                from cryptography import x509
                from cryptography.hazmat.primitives import hashes

                cert = x509.load_der_x509_certificate(der)
            except Exception:
                raise _bad("Invalid value specified for property 'key' of resource 'KeyCredential'.") from None
            # naive UTC datetimes in cryptography 38 (the *_utc properties came in 42)
            start = cert.not_valid_before.replace(tzinfo=timezone.utc).timestamp()
            end = cert.not_valid_after.replace(tzinfo=timezone.utc).timestamp()
            if end - start > 366 * 86400.0 + 60:
                raise _bad("The endDateTime can be a maximum of one year from the startDateTime.")
            out.append(KeyCredential(
                key_id=key_id or str(uuid.uuid4()),
                display_name=item.get("displayName") or cert.subject.rfc4514_string(),
                start=start, end=end, thumbprint=cert.fingerprint(hashes.SHA1()).hex().upper(),
                der_b64=base64.b64encode(der).decode(),
            ))
        return out

    def _add_password(self, app: App, reg: Any, tenant: Tenant, payload: Mapping[str, Any], now: float) -> dict[str, Any]:
        spec = payload.get("passwordCredential") or {}
        if not isinstance(spec, Mapping):
            raise _bad("Invalid value specified for property 'passwordCredential'.")
        start = parse_iso(spec.get("startDateTime")) or now
        end = parse_iso(spec.get("endDateTime")) if spec.get("endDateTime") else start + TWO_YEARS
        if end is None or end <= start:
            raise _bad("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.")
        refusal = check_lifetime(self.registry.policies.get(tenant.id), start, end)
        if refusal is not None:
            code = "CredentialInvalidLifetimeAsPerAppPolicy"
            if "addition" in refusal:
                code = "CredentialTypeNotAllowedAsPerAppPolicy"
            raise GraphError(400, code, refusal)
        credential = PasswordCredential(str(uuid.uuid4()), spec.get("displayName"), start, end, new_secret_text())
        reg.passwords.append(credential)
        reg.sync_directory(app)
        return credential.to_graph(secret_text=True)

    # -- service principals --------------------------------------------------------------------------------

    def _sp_json(self, tenant: Tenant, directory: Directory, app_id: str) -> dict[str, Any]:
        resource = resource_by_app_id(app_id)
        if resource is not None:
            return _resource_sp(resource, tenant)
        app = directory.app(app_id)
        assert app is not None
        return {"id": service_principal_oid(tenant.id, app.app_id), "appId": app.app_id, "displayName": app.name,
                "appOwnerOrganizationId": app.tenant, "accountEnabled": True, "appRoleAssignmentRequired": False,
                "servicePrincipalNames": [app.app_id], "servicePrincipalType": "Application",
                "appRoles": [], "oauth2PermissionScopes": []}

    def _sp_app_ids(self, tenant: Tenant, directory: Directory) -> list[str]:
        """Every service principal in the tenant: the built-in resources, and each consented app."""
        return [r.app_id for r in BUILTIN_RESOURCES] + [a for (t, a) in directory.consents if t == tenant.id]

    def _find_sp(self, tenant: Tenant, directory: Directory, segment: str) -> str:
        m = _BY_APP_ID.match(segment)
        for app_id in self._sp_app_ids(tenant, directory):
            if (m and app_id == m.group(2).lower()) or (not m and service_principal_oid(tenant.id, app_id) == segment.lower()):
                return app_id
        raise _not_found(m.group(2) if m else segment)

    def _service_principals(self, method, segments, lowered, query, payload, claims, tenant, directory, context):  # type: ignore[no-untyped-def]
        if lowered == ["serviceprincipals"]:
            if method == "GET":
                self._require(claims, _APP_READ)
                items = [self._sp_json(tenant, directory, a) for a in self._sp_app_ids(tenant, directory)]
                items = _filtered(items, query, {"appid": lambda s: s["appId"], "displayname": lambda s: s["displayName"]})
                return 200, {"@odata.context": f"{context}#servicePrincipals", "value": items}
            if method == "POST":
                self._require(claims, _APP_WRITE)
                app_id = str(payload.get("appId", "")).lower()
                app = directory.app(app_id)
                if app is None or not directory.app_visible_in(app, tenant):
                    raise _bad(f"The appId '{app_id}' of the service principal does not reference a valid application object.")
                if (tenant.id, app.app_id) in directory.consents:
                    raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue",
                                     "The service principal cannot be created, updated, or restored because the "
                                     f"service principal name {app.app_id} is already in use.")
                directory.consents[(tenant.id, app.app_id)] = Consent(tenant.id, app.app_id)
                return 201, {"@odata.context": f"{context}#servicePrincipals/$entity", **self._sp_json(tenant, directory, app.app_id)}
        first = segments[0] if _BY_APP_ID.match(segments[0]) else (segments[1] if len(segments) > 1 else "")
        app_id = self._find_sp(tenant, directory, first)
        rest = lowered[1:] if _BY_APP_ID.match(segments[0]) else lowered[2:]
        if not rest and method == "GET":
            self._require(claims, _APP_READ)
            return 200, {"@odata.context": f"{context}#servicePrincipals/$entity", **self._sp_json(tenant, directory, app_id)}
        if rest == ["approleassignedto"]:
            resource = resource_by_app_id(app_id)
            if method == "POST":
                self._require(claims, _ROLE_WRITE)
                self._require(claims, _APP_READ)
                if resource is None:
                    raise _bad("App roles can be assigned only on the built-in resources in this emulator.")
                return 201, self._assign_role(tenant, directory, resource, payload)
            if method == "GET":
                self._require(claims, _APP_READ)
                return 200, {"value": self._role_assignments(tenant, directory, resource)}
        raise GraphError(400, "BadRequest", f"Unsupported request {method} on servicePrincipal '{app_id}'.")

    def _client_app(self, tenant: Tenant, directory: Directory, client_sp: str) -> str:
        for (t, app_id) in directory.consents:
            if t == tenant.id and service_principal_oid(tenant.id, app_id) == str(client_sp).lower():
                return app_id
        raise _not_found(str(client_sp))

    def _assign_role(self, tenant: Tenant, directory: Directory, resource: Resource, payload: Mapping[str, Any]) -> dict[str, Any]:
        if str(payload.get("resourceId", "")).lower() != service_principal_oid(tenant.id, resource.app_id):
            raise _bad("resourceId must be the resource's service principal id.")
        client = self._client_app(tenant, directory, str(payload.get("principalId", "")))
        role = permission_by_id(resource, "Role", str(payload.get("appRoleId", "")).lower())
        if role is None:
            raise _bad(f"Permission being assigned was not found on application '{resource.app_id}'.")
        consent = directory.consents[(tenant.id, client)]
        if role in consent.granted(resource.app_id):
            raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue", "Permission being assigned already exists on the object.")
        consent.grant(resource.app_id, [role])
        return self._assignment(tenant, directory, client, resource, role)

    def _assignment(self, tenant: Tenant, directory: Directory, client: str, resource: Resource, role: str) -> dict[str, Any]:
        app = directory.app(client)
        principal = service_principal_oid(tenant.id, client)
        return {"id": grant_id(principal, service_principal_oid(tenant.id, resource.app_id)) + permission_id(resource, "Role", role)[:8],
                "appRoleId": permission_id(resource, "Role", role), "principalId": principal,
                "principalDisplayName": app.name if app else client, "principalType": "ServicePrincipal",
                "resourceId": service_principal_oid(tenant.id, resource.app_id), "resourceDisplayName": resource.name,
                "createdDateTime": iso(self.state.now())}

    def _role_assignments(self, tenant: Tenant, directory: Directory, resource: Resource | None) -> list[dict[str, Any]]:
        if resource is None:
            return []
        return [self._assignment(tenant, directory, app_id, resource, p)
                for (t, app_id), consent in directory.consents.items() if t == tenant.id
                for p in consent.granted(resource.app_id) if p in resource.roles]

    # -- delegated permission grants -------------------------------------------------------------------

    def _grant_json(self, tenant: Tenant, client: str, resource: Resource, scopes: list[str]) -> dict[str, Any]:
        client_sp = service_principal_oid(tenant.id, client)
        resource_sp = service_principal_oid(tenant.id, resource.app_id)
        return {"id": grant_id(client_sp, resource_sp), "clientId": client_sp, "consentType": "AllPrincipals",
                "principalId": None, "resourceId": resource_sp, "scope": " ".join(scopes)}

    def _all_grants(self, tenant: Tenant, directory: Directory) -> list[tuple[str, Resource, list[str]]]:
        out = []
        for (t, app_id), consent in directory.consents.items():
            if t != tenant.id:
                continue
            for resource in BUILTIN_RESOURCES:
                scopes = [p for p in consent.granted(resource.app_id) if resource.scope_named(p)]
                if scopes:
                    out.append((app_id, resource, scopes))
        return out

    def _grants(self, method, rest, query, payload, claims, tenant, directory, context):  # type: ignore[no-untyped-def]
        if not rest:
            if method == "GET":
                self._require(claims, _GRANT_READ)
                items = [self._grant_json(tenant, c, r, s) for c, r, s in self._all_grants(tenant, directory)]
                items = _filtered(items, query, {"clientid": lambda g: g["clientId"]})
                return 200, {"@odata.context": f"{context}#oauth2PermissionGrants", "value": items}
            if method == "POST":
                self._require(claims, _GRANT_WRITE)
                if payload.get("consentType") != "AllPrincipals":
                    raise _bad("Only consentType 'AllPrincipals' is supported by this emulator.")
                client = self._client_app(tenant, directory, str(payload.get("clientId", "")))
                resource = next((r for r in BUILTIN_RESOURCES
                                 if service_principal_oid(tenant.id, r.app_id) == str(payload.get("resourceId", "")).lower()), None)
                if resource is None:
                    raise _not_found(str(payload.get("resourceId", "")))
                scopes = _scope_names(resource, payload.get("scope"))
                consent = directory.consents[(tenant.id, client)]
                if any(resource.scope_named(p) for p in consent.granted(resource.app_id)):
                    raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue", "Permission entry already exists.")
                consent.grant(resource.app_id, scopes)
                return 201, {"@odata.context": f"{context}#oauth2PermissionGrants/$entity",
                             **self._grant_json(tenant, client, resource, scopes)}
        if len(rest) == 1:
            found = next(((c, r, s) for c, r, s in self._all_grants(tenant, directory)
                          if self._grant_json(tenant, c, r, s)["id"] == rest[0]), None)
            if found is None:
                raise _not_found(rest[0])
            client, resource, current = found
            consent = directory.consents[(tenant.id, client)]
            roles = [p for p in consent.granted(resource.app_id) if not resource.scope_named(p)]
            if method == "GET":
                self._require(claims, _GRANT_READ)
                return 200, self._grant_json(tenant, client, resource, current)
            if method == "PATCH":
                self._require(claims, _GRANT_WRITE)
                scope = payload.get("scope")
                if isinstance(scope, str) and len(scope) > 3850:
                    raise _bad("The scope is longer than 3850 characters.")
                consent.grants[resource.app_id] = roles + _scope_names(resource, scope)
                return 204, None
            if method == "DELETE":
                self._require(claims, _GRANT_WRITE)
                consent.grants[resource.app_id] = roles
                return 204, None
        raise GraphError(400, "BadRequest", "Unsupported request on oauth2PermissionGrants.")

    # -- control API additions ---------------------------------------------------------------------------

    def control(self, method: str, parts: list[str], query: Mapping[str, str], payload: Any) -> tuple[int, Any] | None:
        """/_emulator/apps/{app_id}/credentials[/{key_id}/expire] and /_emulator/policies/app-management."""
        state = self.state
        if parts[:1] == ["apps"] and len(parts) >= 3 and parts[2] == "credentials":
            with state.lock:
                app = state.directory.app(parts[1])
                if app is None:
                    raise ControlError(f"no app {parts[1]!r} in the directory", status=404, reason="not_found")
                reg = self.registry.registration(app, state.now())
                if method == "GET" and len(parts) == 3:
                    return 200, {"passwordCredentials": [p.to_graph() for p in reg.passwords],
                                 "keyCredentials": [k.to_graph() for k in reg.keys]}
                if method == "POST" and len(parts) == 5 and parts[4] == "expire":
                    credential = next((p for p in reg.passwords if p.key_id == parts[3].lower()), None)
                    if credential is None:
                        raise ControlError(f"app {app.app_id} has no password credential {parts[3]!r}", status=404, reason="not_found")
                    credential.end = state.now() - 1
                    reg.sync_directory(app)
                    return 200, credential.to_graph()
        if parts == ["policies", "app-management"]:
            body = payload if isinstance(payload, Mapping) else {}
            partner = state.directory.partner_tenant
            tenant_id = str(body.get("tenant") or query.get("tenant") or (partner.id if partner else ""))
            tenant = state.directory.tenant(tenant_id)
            if tenant is None:
                raise ControlError(f"no tenant {tenant_id!r} in the directory", status=404, reason="not_found")
            with state.lock:
                if method == "DELETE":
                    return 200, {"removed": self.registry.policies.pop(tenant.id, None) is not None}
                if method == "PUT":
                    restriction = body.get("restriction", "passwordLifetime")
                    if restriction not in ("passwordLifetime", "passwordAddition"):
                        raise ControlError("restriction must be passwordLifetime or passwordAddition")
                    max_lifetime = body.get("max_lifetime")
                    policy = AppManagementPolicy(tenant.id, restriction, max_lifetime)
                    if restriction == "passwordLifetime" and policy.max_seconds is None:
                        raise ControlError("max_lifetime must be an ISO 8601 duration such as P90D")
                    self.registry.policies[tenant.id] = policy
                    return 200, policy.to_graph()
        return None


def validate_required_access_or_400(value: Any) -> list[dict[str, Any]]:
    try:
        return validate_required_access(value)
    except ValueError as exc:
        raise _bad(str(exc)) from None


def _redirects(payload: Mapping[str, Any], key: str, current: list[str]) -> list[str]:
    if key not in payload:
        return list(current)
    value = payload[key]
    uris = value.get("redirectUris") if isinstance(value, Mapping) else None
    if not isinstance(uris, list) or not all(isinstance(u, str) and u for u in uris):
        raise _bad(f"Invalid value specified for property '{key}.redirectUris' of resource 'Application'.")
    return list(dict.fromkeys(uris))


def _scope_names(resource: Resource, scope: Any) -> list[str]:
    if not isinstance(scope, str) or not scope.split():
        raise _bad("Property 'scope' is required.")
    names = []
    for item in scope.split():
        canonical = resource.scope_named(item)
        if canonical is None:
            raise _bad(f"Permission {item!r} does not exist on the resource {resource.name}.")
        names.append(canonical)
    return list(dict.fromkeys(names))


def _filtered(items: list[Any], query: Mapping[str, str], fields: Mapping[str, Any]) -> list[Any]:
    text = query.get("$filter")
    if not text:
        return items
    m = _FILTER.match(text)
    if not m or m.group(1).lower() not in fields:
        raise _bad(f"Invalid filter clause: {text}")
    getter, wanted = fields[m.group(1).lower()], m.group(2).lower()
    return [i for i in items if str(getter(i)).lower() == wanted]


def _resource_sp(resource: Resource, tenant: Tenant) -> dict[str, Any]:
    return {
        "id": service_principal_oid(tenant.id, resource.app_id), "appId": resource.app_id,
        "displayName": resource.name, "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
        "accountEnabled": True, "servicePrincipalType": "Application",
        "servicePrincipalNames": list(resource.identifier_uris) or [resource.app_id],
        "oauth2PermissionScopes": [{"id": permission_id(resource, "Scope", s), "value": s, "type": "Admin",
                                    "isEnabled": True, "adminConsentDisplayName": s} for s in resource.scopes],
        "appRoles": [{"id": permission_id(resource, "Role", r), "value": r, "isEnabled": True,
                      "allowedMemberTypes": ["Application"], "displayName": r} for r in resource.roles],
    }


def _pem(der_b64: str) -> str:
    body = "\n".join(der_b64[i:i + 64] for i in range(0, len(der_b64), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
