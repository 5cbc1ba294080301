"""The machine-facing protocol: discovery, JWKS, the device-code endpoint and the token endpoint.

Handlers take parsed inputs and return a JSON-able dict or raise `AadError`; the server turns both
into HTTP. `RequestInfo` collects what the request log records about each call.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, urlsplit

from . import _errors
from ._directory import ALIASES, App, Directory, Tenant
from ._errors import AadError
from ._resources import DEFAULT, GRAPH, ScopeRef, split_scopes
from ._state import CODE_LIFETIME, RT_INACTIVITY, EmulatorState, SignIn, rt_fingerprint, stable_guid
from ._tokens import (
    app_access_token_claims,
    client_info,
    id_token_claims,
    user_access_token_claims,
    validate_client_assertion,
)

GRANT_AUTH_CODE = "authorization_code"
GRANT_REFRESH = "refresh_token"
GRANT_DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
# MSAL.NET, msal-node and msal-browser send the short name (their OAuth2 grant-type constants), and Entra
# serves them; RFC 8628's URN is what Python's msal sends. Both name the same grant.
GRANT_DEVICE_SHORT = "device_code"
GRANT_CLIENT_CREDENTIALS = "client_credentials"

# What an issued code / refresh token / device code looks like. Anything else is "clearly malformed"
# (AADSTS9002313); something well-formed that was never issued is AADSTS70000.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9._~+/=-]{16,}")


@dataclass
class RequestInfo:
    """What the request log keeps about one request (never a secret: grants appear as fingerprints)."""

    endpoint: str = "other"
    tenant: str | None = None
    client_id: str | None = None
    grant_type: str | None = None
    scope: str | None = None
    error: str | None = None
    error_codes: list[int] = field(default_factory=list)
    presented_rt: str | None = None
    issued_rt: str | None = None
    fault: str | None = None
    # How the client authenticated: "none", "secret", "secret (basic)", or the client assertion's
    # header ("assertion PS256 x5t#S256 x5c"), so a user can see what their library sent.
    client_auth: str | None = None


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii", "replace")).digest()).decode().rstrip("=")


def _not_issued(value: str, invalid: Callable[[], AadError]) -> AadError:
    return invalid() if _TOKEN_SHAPE.fullmatch(value) else _errors.malformed_request()


class OAuthEndpoints:
    """Discovery, JWKS, device authorization and token issuance over one EmulatorState."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    # -- tenants -----------------------------------------------------------------------------------------

    def tenant_or_alias(self, directory: Directory, segment: str, *, error: str = "invalid_request") -> Tenant | None:
        """The tenant a path segment names; None for common/organizations; AADSTS90002 if unknown."""
        if segment.lower() in ALIASES:
            return None
        tenant = directory.tenant(segment)
        if tenant is None:
            raise _errors.tenant_not_found(segment, error=error)
        return tenant

    # -- discovery ---------------------------------------------------------------------------------------

    def discovery(self, base: str, segment: str) -> dict[str, Any]:
        tenant = self.tenant_or_alias(self.state.directory, segment, error="invalid_tenant")
        # Entra answers a domain name with GUID endpoints, so msal's cache realm becomes the GUID.
        path = tenant.id if tenant else segment.lower()
        issuer = f"{base}/{tenant.id}/v2.0" if tenant else f"{base}/{{tenantid}}/v2.0"
        endpoint = f"{base}/{path}"
        return {
            "token_endpoint": f"{endpoint}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{endpoint}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": issuer,
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{endpoint}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{endpoint}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{endpoint}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name",
                "tid", "ver", "at_hash", "c_hash", "email",
            ],
            "kerberos_endpoint": f"{endpoint}/kerberos",
            "tenant_region_scope": "WW",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    def instance_discovery(self, base: str, query: Mapping[str, str]) -> dict[str, Any]:
        """`/common/discovery/instance` (msal skips it with instance_discovery=False; served for completeness)."""
        endpoint = query.get("authorization_endpoint", f"{base}/common/oauth2/v2.0/authorize")
        segments = [s for s in urlsplit(endpoint).path.split("/") if s]
        tenant = segments[0] if segments else "common"
        host = urlsplit(base).hostname or "127.0.0.1"
        return {
            "tenant_discovery_endpoint": f"{base}/{tenant}/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }

    def jwks(self, segment: str) -> dict[str, Any]:
        self.tenant_or_alias(self.state.directory, segment, error="invalid_tenant")
        return {"keys": [self.state.jwk]}

    # -- device authorization ------------------------------------------------------------------------

    def devicecode(self, info: RequestInfo, base: str, segment: str, form: Mapping[str, str]) -> dict[str, Any]:
        directory = self.state.directory
        tenant = self.tenant_or_alias(directory, segment)
        info.tenant = tenant.id if tenant else segment.lower()
        client_id = form.get("client_id", "")
        info.client_id, info.scope = client_id or None, form.get("scope")
        if not client_id:
            raise _errors.missing_parameter("client_id")
        app = self._app(directory, client_id, tenant, segment)
        scope = form.get("scope", "")
        resource_scopes, _ = split_scopes(scope)
        for item in resource_scopes:  # unknown permissions/resources fail now; several resources fail at redemption
            directory.resources.resolve(item, tenant.name if tenant else segment)
        record = self.state.issue_device_code(app.app_id, segment, tenant.id if tenant else None, scope)
        verification_uri = f"{base}/devicelogin"
        return {
            "user_code": record.user_code,
            "device_code": record.device_code,
            "verification_uri": verification_uri,
            "expires_in": int(record.expires_at - record.created),
            "interval": record.interval,
            "message": (
                f"To sign in, use a web browser to open the page {verification_uri} and enter the code "
                f"{record.user_code} to authenticate."
            ),
        }

    # -- token endpoint ------------------------------------------------------------------------------------

    def token(
        self,
        info: RequestInfo,
        base: str,
        segment: str,
        form: Mapping[str, str],
        authorization: str | None,
    ) -> dict[str, Any]:
        state = self.state
        directory = state.directory  # one snapshot per request: a PUT /directory never tears a request
        tenant = self.tenant_or_alias(directory, segment)
        info.tenant = tenant.id if tenant else segment.lower()
        client_id, basic_secret = form.get("client_id", ""), None
        if authorization and authorization.lower().startswith("basic "):
            client_id, basic_secret = _basic_credentials(authorization, client_id)
        grant_type = form.get("grant_type", "")
        info.client_id, info.grant_type, info.scope = client_id or None, grant_type or None, form.get("scope")
        if not grant_type:
            raise _errors.missing_parameter("grant_type")
        if not client_id:
            raise _errors.missing_parameter("client_id")
        state.check_rate_limit(client_id, info.tenant)
        latency = state.settings["token_latency_ms"]
        if latency:
            time.sleep(latency / 1000.0)
        app = self._app(directory, client_id, tenant, segment)
        audiences = _token_endpoint_audiences(base, segment, tenant)
        info.client_auth = _client_auth_summary(form, basic_secret)
        appidacr = self._authenticate_client(app, form, basic_secret, audiences, state.now())
        grant = _Grant(self, info, base, directory, tenant, segment, app, appidacr, form)
        handlers = {
            GRANT_AUTH_CODE: grant.authorization_code,
            GRANT_REFRESH: grant.refresh_token,
            GRANT_DEVICE: grant.device_code,
            GRANT_DEVICE_SHORT: grant.device_code,
            GRANT_CLIENT_CREDENTIALS: grant.client_credentials,
        }
        handler = handlers.get(grant_type)
        if handler is None:
            raise _errors.unsupported_grant_type(grant_type)
        return handler()

    # -- helpers -------------------------------------------------------------------------------------------

    @staticmethod
    def _app(directory: Directory, client_id: str, tenant: Tenant | None, segment: str) -> App:
        app = directory.app(client_id)
        if app is None or not directory.app_visible_in(app, tenant):
            raise _errors.app_not_found(client_id, tenant.name if tenant else segment)
        return app

    @staticmethod
    def _authenticate_client(
        app: App, form: Mapping[str, str], basic_secret: str | None, audiences: set[str], now: float | None = None
    ) -> str:
        """Client authentication; returns appidacr ("0" public, "1" secret, "2" certificate)."""
        secret = form.get("client_secret") or basic_secret
        assertion = form.get("client_assertion")
        if app.public_client:
            if secret or assertion:
                raise _errors.public_client_sent_credential()
            return "0"
        if assertion:
            return validate_client_assertion(
                assertion, form.get("client_assertion_type"), app, audiences, time.time()
            )
        if secret:
            matched = next((s for s in app.secrets if secrets.compare_digest(secret.encode(), s.encode())), None)
            if matched is None:
                raise _errors.invalid_client_secret(app.app_id)
            expires = app.secret_expiry.get(matched)
            if expires is not None and now is not None and expires <= now:
                raise _errors.client_secret_expired(app.app_id)
            return "1"
        if app.allow_public_flows:  # "Allow public client flows": Entra treats the request as a public client's
            return "0"
        raise _errors.missing_client_credential()


def _client_auth_summary(form: Mapping[str, str], basic_secret: str | None) -> str:
    """What the request log says of the client's credential (never the credential itself)."""
    assertion = form.get("client_assertion")
    if assertion:
        import jwt

        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return "assertion (unreadable)"
        parts = ["assertion", str(header.get("alg"))]
        parts += [name for name in ("x5t", "x5t#S256", "x5c") if name in header]
        return " ".join(parts)
    if form.get("client_secret"):
        return "secret"
    return "secret (basic)" if basic_secret else "none"


def _basic_credentials(header: str, form_client_id: str) -> tuple[str, str | None]:
    """client_secret_basic: (client_id, secret) from an Authorization header; unreadable means none."""
    from urllib.parse import unquote

    try:
        decoded = base64.b64decode(header.split(None, 1)[1], validate=True).decode("utf-8")
    except (ValueError, IndexError, UnicodeDecodeError):
        return form_client_id, None
    user, _, password = decoded.partition(":")
    return unquote(user) or form_client_id, unquote(password) or None


def _token_endpoint_audiences(base: str, segment: str, tenant: Tenant | None) -> set[str]:
    """Token endpoint URLs a client assertion's `aud` may name (the one from discovery, and aliases)."""
    names = {segment, segment.lower()}
    if tenant:
        names |= {tenant.id, tenant.domain, tenant.domain.lower()}
    audiences: set[str] = set()
    for name in names:
        audiences |= {f"{base}/{name}/oauth2/v2.0/token", f"{base}/{name}/oauth2/token"}
    return audiences


class _Grant:
    """One token request after client authentication; each public method is one grant type."""

    def __init__(
        self,
        endpoints: OAuthEndpoints,
        info: RequestInfo,
        base: str,
        directory: Directory,
        tenant: Tenant | None,
        segment: str,
        app: App,
        appidacr: str,
        form: Mapping[str, str],
    ) -> None:
        self.state = endpoints.state
        self.info = info
        self.base = base
        self.directory = directory
        self.tenant = tenant
        self.segment = segment
        self.app = app
        self.appidacr = appidacr
        self.form = form

    def _require(self, name: str, *alternatives: str) -> str:
        for key in (name, *alternatives):
            value = self.form.get(key)
            if value:
                return value
        raise _errors.missing_parameter(name)

    def _tenant_by_id(self, tenant_id: str | None) -> Tenant:
        tenant = self.directory.tenant(tenant_id) if tenant_id else None
        if tenant is None:
            raise _errors.tenant_not_found(tenant_id or self.segment)
        return tenant

    # -- grants --------------------------------------------------------------------------------------------

    def authorization_code(self) -> dict[str, Any]:
        code = self._require("code")
        state = self.state
        with state.lock:
            record = state.codes.get(code)
            if record is None:
                raise _not_issued(code, _errors.invalid_grant_malformed)
            if record.client_id != self.app.app_id:
                raise _errors.invalid_grant_malformed()
            if record.redeemed:
                raise _errors.code_already_redeemed()
            record.redeemed = True  # single use, whatever the outcome of this redemption
        if record.created + CODE_LIFETIME < state.now():
            raise _errors.code_expired()
        redirect_uri = self.form.get("redirect_uri", "")
        if redirect_uri != record.redirect_uri:
            raise _errors.reply_address_mismatch(redirect_uri, record.redirect_uri)
        if record.code_challenge:
            verifier = self.form.get("code_verifier", "")
            if not verifier or not secrets.compare_digest(s256(verifier), record.code_challenge):
                raise _errors.pkce_mismatch()
        return self._issue_for_user(
            record.signin,
            self._tenant_by_id(record.tenant_id),
            self.form.get("scope", ""),
            several_resources="error",
            no_resource="error",
            nonce=record.nonce,
            auth_time_real=record.signin.auth_time_real,
        )

    def refresh_token(self) -> dict[str, Any]:
        token = self._require("refresh_token")
        state = self.state
        self.info.presented_rt = rt_fingerprint(token)
        with state.lock:
            record = state.refresh_tokens.get(token)
        if record is None:
            raise _not_issued(token, _errors.invalid_refresh_token)
        if record.client_id != self.app.app_id:
            raise _errors.invalid_refresh_token()
        if state.now() - record.issued_at > RT_INACTIVITY:
            raise _errors.refresh_token_inactive(record.issued_at)
        valid_from = state.revoked_since(record.signin)
        if valid_from is not None:
            raise _errors.grant_revoked(record.signin.auth_time, valid_from)
        # A refresh token is not tied to a tenant: at common/organizations it goes to the user's home.
        tenant = self.tenant or self._tenant_by_id(record.signin.home_tenant)
        return self._issue_for_user(
            record.signin, tenant, self.form.get("scope", ""), several_resources="first", no_resource="graph"
        )

    def device_code(self) -> dict[str, Any]:
        # msal sends the device code as both `device_code` and `code` ("service seemingly need both").
        device_code = self._require("device_code", "code")
        state = self.state
        with state.lock:
            record = state.device_codes.get(device_code)
            if record is None or record.client_id != self.app.app_id:
                raise _errors.bad_verification_code()
            if state.now() >= record.expires_at:
                raise _errors.device_code_expired()
            if record.status == "declined":
                raise _errors.authorization_declined()
            if record.status == "pending":
                now = time.monotonic()
                previous, record.last_poll = record.last_poll, now
                if previous is not None and now - previous < record.interval:
                    raise _errors.slow_down()
                raise _errors.authorization_pending()
            del state.device_codes[device_code]  # approved: redeemable once
            state.user_codes.pop(record.user_code, None)
        assert record.signin is not None
        return self._issue_for_user(
            record.signin,
            self._tenant_by_id(record.approved_tenant),
            record.scope,
            several_resources="error",
            no_resource="graph",
        )

    def client_credentials(self) -> dict[str, Any]:
        tenant = self.tenant
        if tenant is None:
            raise _errors.tenant_not_valid_for_app_only(self.segment)
        if self.appidacr == "0":
            raise _errors.missing_client_credential()
        scope = self._require("scope")
        refs = [self.directory.resources.resolve(item, tenant.name) for item in scope.split()]
        if not refs or any(r.permission != DEFAULT for r in refs):
            raise _errors.invalid_scope(scope)
        if len({r.resource.app_id for r in refs}) > 1:
            raise _errors.invalid_scope(scope)
        consent = self.directory.consent(tenant.id, self.app.app_id)
        if consent is None:  # no service principal in this tenant
            raise _errors.app_not_found(self.app.app_id, tenant.name)
        resource = refs[0].resource
        roles = [p for p in consent.granted(resource.app_id) if p in resource.roles]
        lifetime = self.state.access_token_lifetime(resource)
        claims = app_access_token_claims(
            audience=refs[0].audience,
            tenant_id=tenant.id,
            app=self.app,
            appidacr=self.appidacr,
            roles=roles,
            now=self.state.now(),
            lifetime=lifetime,
        )
        return {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": self.state.signer.sign(claims),
        }

    # -- issuing user tokens --------------------------------------------------------------------------

    def _issue_for_user(
        self,
        signin: SignIn,
        tenant: Tenant,
        scope: str,
        *,
        several_resources: str,
        no_resource: str,
        nonce: str | None = None,
        auth_time_real: float | None = None,
    ) -> dict[str, Any]:
        directory, app, state = self.directory, self.app, self.state
        user = directory.user(signin.upn)
        if user is None or user.oid != signin.oid:  # the user was removed from the directory
            raise _errors.invalid_grant_malformed()
        if not directory.user_can_access(user, tenant, state.now()):
            raise _errors.user_not_in_tenant(user.upn, user.tenant, tenant.name, app.app_id, app.name)
        resource_scopes, oidc = split_scopes(scope)
        oidc_lower = {s.lower() for s in oidc}
        echo = True
        if not resource_scopes:
            if no_resource == "error":
                raise _errors.empty_scope_at_code_redemption()
            # Without a resource scope Entra issues a Microsoft Graph token.
            resource_scopes, echo = [f"{GRAPH.app_id}/{DEFAULT}"], False
        refs = [directory.resources.resolve(item, tenant.name) for item in resource_scopes]
        groups: OrderedDict[str, list[ScopeRef]] = OrderedDict()
        for ref in refs:
            groups.setdefault(ref.resource.app_id, []).append(ref)
        if len(groups) > 1 and several_resources == "error":
            raise _errors.more_than_one_resource(scope)
        refs = next(iter(groups.values()))  # at refresh: the first scope's resource, as Entra does
        resource = refs[0].resource
        consent = directory.consent(tenant.id, app.app_id)
        if consent is None:
            raise _errors.consent_required(app.app_id, app.name)
        granted = {p.lower(): p for p in consent.granted(resource.app_id)}
        scp: list[str] = []
        for ref in refs:
            if ref.permission == DEFAULT:
                delegated = [p for p in granted.values() if resource.scope_named(p)]
                if not delegated:
                    raise _errors.consent_required(app.app_id, app.name)
                scp.extend(delegated)
            elif ref.permission.lower() in granted:
                scp.append(ref.permission)
            else:
                raise _errors.consent_required(app.app_id, app.name)
        scp = list(dict.fromkeys(scp))
        home = directory.tenant(user.tenant)
        if ((resource.requires_mfa or resource.app_id in tenant.require_mfa) and "mfa" not in signin.amr
                and not (home and home.external_mfa)):
            raise _errors.mfa_required(resource.app_id, stable_guid("capolicy", tenant.id, resource.app_id))
        lifetime = state.access_token_lifetime(resource)
        access_claims = user_access_token_claims(
            audience=refs[0].audience,
            tenant_id=tenant.id,
            user=user,
            app=app,
            appidacr=self.appidacr,
            scp=scp,
            amr=signin.amr,
            auth_time=signin.auth_time,
            now=state.now(),
            lifetime=lifetime,
        )
        response: dict[str, Any] = {
            "token_type": "Bearer",
            # msal files the token under this scope and matches later requests against it
            # case-sensitively, so the requested spelling is echoed back.
            "scope": " ".join(r.scope for r in refs) if echo else " ".join(scp + ["profile", "openid", "email"]),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": state.signer.sign(access_claims),
        }
        if "offline_access" in oidc_lower:
            refresh_token = state.issue_refresh_token(app.app_id, signin, tuple(scope.split()))
            response["refresh_token"] = refresh_token
            self.info.issued_rt = rt_fingerprint(refresh_token)
        if "openid" in oidc_lower:
            response["id_token"] = state.signer.sign(
                id_token_claims(
                    issuer=f"{self.base}/{tenant.id}/v2.0",
                    app=app,
                    tenant_id=tenant.id,
                    user=user,
                    now_real=time.time(),
                    nonce=nonce,
                    auth_time_real=auth_time_real,
                )
            )
        response["client_info"] = client_info(user.oid, user.tenant)
        return response


def parse_form(body: bytes) -> dict[str, str]:
    """An urlencoded body as a flat dict (first value wins, as Entra reads it)."""
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}
