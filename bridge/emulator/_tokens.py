"""JWTs: the access tokens and id_tokens the emulator issues, and the client assertions it checks.

Access tokens have Entra's v1 shape (`iss` https://sts.windows.net/{tid}/, `ver` 1.0, `scp`, `upn`,
`appidacr`), which is what Microsoft's first-party resources receive. id_tokens are v2 and use the
real clock for iat/nbf/exp, because msal 1.21 checks them against time.time().
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from typing import Any, Iterable

from . import _errors
from ._directory import App, User

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SKEW = 300  # seconds of clock skew Entra tolerates on client assertions
_ASSERTION_ALGORITHMS = ("RS256", "PS256")


class TokenValidationError(ValueError):
    """An access token failed validation (signature, expiry, audience)."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def uti() -> str:
    return _b64url(secrets.token_bytes(16))


def pairwise_sub(oid: str, app_id: str) -> str:
    """A stable per-(user, app) subject, as Entra's pairwise `sub`."""
    return _b64url(hashlib.sha256(f"{oid}|{app_id}".encode()).digest())[:43]


def service_principal_oid(tenant_id: str, app_id: str) -> str:
    """The object id of an app's service principal in a tenant (stable for the same pair)."""
    return str(uuid.uuid5(uuid.UUID(tenant_id), f"serviceprincipal:{app_id}"))


def client_info(uid: str, utid: str) -> str:
    return _b64url(json.dumps({"uid": uid, "utid": utid}, separators=(",", ":")).encode())


class Signer:
    """Signs and verifies RS256 JWTs with the emulator's one signing key."""

    def __init__(self, private_key: Any, kid: str) -> None:
        self._private_key = private_key
        self._public_key = private_key.public_key()
        self.kid = kid

    def sign(self, claims: dict[str, Any]) -> str:
        import jwt

        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.kid, "x5t": self.kid})

    def verify(self, token: str) -> dict[str, Any]:
        """Claims of a token signed by this key; time and audience are checked by the caller."""
        import jwt

        try:
            header = jwt.get_unverified_header(token)
            if header.get("kid") != self.kid:
                raise TokenValidationError("the token was not signed by this emulator's key (kid mismatch)")
            return jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
            )
        except jwt.PyJWTError as exc:
            raise TokenValidationError(f"invalid token: {exc}") from None


def user_access_token_claims(
    *,
    audience: str,
    tenant_id: str,
    user: User,
    app: App,
    appidacr: str,
    scp: Iterable[str],
    amr: Iterable[str],
    auth_time: float,
    now: float,
    lifetime: int,
) -> dict[str, Any]:
    issued = int(now)
    claims: dict[str, Any] = {
        "aud": audience,
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime,
        "acr": "1",
        "amr": list(amr),
        "appid": app.app_id,
        "appidacr": appidacr,
        "auth_time": int(auth_time),
        "family_name": user.name.split(" ")[-1],
        "given_name": user.name.split(" ")[0],
        "ipaddr": "127.0.0.1",
        "name": user.name,
        "oid": user.oid,
        "scp": " ".join(scp),
        "sub": pairwise_sub(user.oid, app.app_id),
        "tid": tenant_id,
        "unique_name": user.upn,
        "upn": user.upn,
        "uti": uti(),
        "ver": "1.0",
    }
    if user.tenant != tenant_id:
        # A partner (GDAP) user in a customer tenant: the identity provider is the home tenant.
        claims["idp"] = f"https://sts.windows.net/{user.tenant}/"
    return claims


def app_access_token_claims(
    *,
    audience: str,
    tenant_id: str,
    app: App,
    appidacr: str,
    roles: list[str],
    now: float,
    lifetime: int,
) -> dict[str, Any]:
    issued = int(now)
    sp_oid = service_principal_oid(tenant_id, app.app_id)
    claims: dict[str, Any] = {
        "aud": audience,
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime,
        "appid": app.app_id,
        "appidacr": appidacr,
        "idp": f"https://sts.windows.net/{tenant_id}/",
        "idtyp": "app",
        "oid": sp_oid,
        "sub": sp_oid,
        "tid": tenant_id,
        "uti": uti(),
        "ver": "1.0",
    }
    if roles:
        claims["roles"] = roles
    return claims


def id_token_claims(
    *,
    issuer: str,
    app: App,
    tenant_id: str,
    user: User,
    now_real: float,
    nonce: str | None,
    auth_time_real: float | None,
) -> dict[str, Any]:
    issued = int(now_real)
    claims: dict[str, Any] = {
        "aud": app.app_id,
        "iss": issuer,
        "iat": issued,
        "nbf": issued,
        "exp": issued + 3600,
        "name": user.name,
        "oid": user.oid,
        "preferred_username": user.upn,
        "rh": "0.emulator",
        "sub": pairwise_sub(user.oid, app.app_id),
        "tid": tenant_id,
        "uti": uti(),
        "ver": "2.0",
    }
    if nonce:
        claims["nonce"] = nonce
    if auth_time_real is not None:
        claims["auth_time"] = int(auth_time_real)
    return claims


def _numeric_date(value: Any) -> float | None:
    """A JWT time claim as seconds. MSAL.NET writes `exp`/`nbf` as decimal strings ("1796166163")
    and Entra accepts them (undocumented: we follow what the library sends); anything else is absent."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return float(value)
    return None


def validate_client_assertion(
    assertion: str, assertion_type: str | None, app: App, audiences: set[str], now_real: float
) -> str:
    """Check a private_key_jwt client assertion; returns the appidacr ("2"). Raises AADSTS700027.

    Time is checked against the real clock: the client signs with its own clock, and msal reuses an
    assertion for up to 540 s, so `jti` replay is not refused either (Entra does not refuse it).
    """
    import jwt

    if assertion_type != JWT_BEARER:
        raise _errors.invalid_client_assertion(f"client_assertion_type must be '{JWT_BEARER}'")
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise _errors.invalid_client_assertion("The assertion is not a well-formed JWT.") from None
    algorithm = header.get("alg")
    if algorithm not in _ASSERTION_ALGORITHMS:
        raise _errors.invalid_client_assertion(f"The signing algorithm '{algorithm}' is not supported.")
    x5t, x5t_s256 = header.get("x5t"), header.get("x5t#S256")
    if not x5t and not x5t_s256:
        raise _errors.invalid_client_assertion("The assertion header has no x5t or x5t#S256.")
    credential = app.find_certificate(x5t=x5t, x5t_s256=x5t_s256)
    if credential is None:
        shown = x5t or x5t_s256
        raise _errors.invalid_client_assertion(
            f"The key was not found., Thumbprint of key used by client: '{shown}'"
        )
    try:
        claims = jwt.decode(
            assertion,
            credential.public_key,
            algorithms=[algorithm],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        raise _errors.invalid_client_assertion("The signature does not verify with the registered certificate.") from None
    audience = claims.get("aud")
    audience_list = audience if isinstance(audience, list) else [audience]
    if not any(a in audiences for a in audience_list):
        raise _errors.invalid_client_assertion(f"The audience claim value '{audience}' is invalid.")
    if claims.get("iss") != app.app_id or claims.get("sub") != app.app_id:
        raise _errors.invalid_client_assertion("The iss and sub claims must both be the client id.")
    expires = _numeric_date(claims.get("exp"))
    if expires is None or expires < now_real - ASSERTION_SKEW:
        raise _errors.invalid_client_assertion("The assertion is expired or has no exp claim.")
    not_before = _numeric_date(claims.get("nbf"))
    if not_before is not None and not_before > now_real + ASSERTION_SKEW:
        raise _errors.invalid_client_assertion("The assertion is not yet valid (nbf).")
    return "2"
