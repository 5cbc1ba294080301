"""Entra's answers as sam-bridge errors: the AADSTS codes (and OAuth error strings) mapped to the
class of bridge._core.errors and a remediation that names the fix."""
from __future__ import annotations

import re
from typing import Any, Mapping

from .._core.errors import (
    AuthenticationError,
    ClientCredentialError,
    ConsentFlowError,
    ConsentRequiredError,
    InteractionRequiredError,
    InvalidRefreshTokenError,
    RefreshTokenExpiredError,
    RefreshTokenRevokedError,
    TenantAccessError,
)


# code -> (exception class, remediation template). Templates may use {profile}, {tenant},
# {app_id}, {issued_on}, {valid_from}, {resource}; missing facts render as "unknown".
_REMEDIATION: dict[int, tuple[type[AuthenticationError], str]] = {
    700082: (
        RefreshTokenExpiredError,
        "The refresh token expired after 90 days without use (it was issued on {issued_on}). "
        "Run `sam-bridge consent --profile {profile}` to consent again, then schedule "
        "`sam-bridge keepalive --profile {profile}` so it never goes 90 days unused.",
    ),
    70008: (
        RefreshTokenExpiredError,
        "The refresh token (or authorization code) expired. "
        "Run `sam-bridge consent --profile {profile}` to consent again.",
    ),
    50173: (
        RefreshTokenRevokedError,
        "The refresh token was revoked: the consenting user's password changed or an admin "
        "revoked their sessions (tokens are valid only from {valid_from}). "
        "Run `sam-bridge consent --profile {profile}` to consent again.",
    ),
    70000: (
        InvalidRefreshTokenError,
        "The stored refresh token is not valid for this application: it is corrupt, truncated, "
        "or was issued to another app. Import the right token with "
        "`sam-bridge refresh-token import --profile {profile}` or run `sam-bridge consent` again.",
    ),
    9002313: (
        InvalidRefreshTokenError,
        "The request was malformed, usually because the stored refresh token is not a token at all. "
        "Import it again with `sam-bridge refresh-token import --profile {profile}`.",
    ),
    50076: (
        InteractionRequiredError,
        "Multi-factor authentication is required for {resource}, and the consent behind this "
        "refresh token did not satisfy MFA. Run `sam-bridge consent --profile {profile}` with an "
        "account that completes MFA (Partner Center requires it).",
    ),
    50078: (
        InteractionRequiredError,
        "The MFA claim of the consenting sign-in has expired under a Conditional Access policy. "
        "Run `sam-bridge consent --profile {profile}` again and complete MFA.",
    ),
    50079: (
        InteractionRequiredError,
        "The consenting account must register for multi-factor authentication before it can be "
        "used. Register MFA for it, then run `sam-bridge consent --profile {profile}`.",
    ),
    70043: (
        InteractionRequiredError,
        "The refresh token expired under a Conditional Access sign-in frequency policy. "
        "Run `sam-bridge consent --profile {profile}` again, or exclude this automation account "
        "from the sign-in frequency policy.",
    ),
    65001: (
        ConsentRequiredError,
        "Application {app_id} has not been consented in tenant {tenant} for the requested "
        "permissions. For a customer tenant, grant the consent through Partner Center "
        "(application consent under GDAP) or have the customer's admin consent; for your own "
        "tenant, grant admin consent to the app registration's API permissions.",
    ),
    700016: (
        TenantAccessError,
        "Application {app_id} was not found in tenant {tenant}. Check the application id and "
        "the tenant, and that the app is multi-tenant and consented there.",
    ),
    90002: (
        TenantAccessError,
        "Tenant {tenant} was not found. Check the tenant id or domain and that the profile's "
        "authority host is the right cloud.",
    ),
    50020: (
        TenantAccessError,
        "The consenting partner user has no access to tenant {tenant}. Check that a granular "
        "delegated admin (GDAP) relationship with that customer is active and grants the roles "
        "this job needs.",
    ),
    90099: (
        TenantAccessError,
        "Application {app_id} is not authorized for partner delegated admins in tenant {tenant}. "
        "Consent the app in the customer tenant through Partner Center.",
    ),
    500011: (
        ConsentRequiredError,
        "The resource {resource} is not available in tenant {tenant}: the service is not "
        "provisioned there or its principal is missing.",
    ),
    7000215: (
        ClientCredentialError,
        "The client secret was refused. Store the secret's Value (not its Secret ID), and check "
        "it has not expired: `sam-bridge profile add {profile} ... --secret-stdin`.",
    ),
    7000222: (
        ClientCredentialError,
        "The client secret of application {app_id} has expired. Rotate it with "
        "`sam-bridge app rotate --profile {profile} --sign-in` (an expired secret cannot authorize its own "
        "rotation, so a partner admin signs in once); `app credentials` shows every secret's expiry.",
    ),
    7000218: (
        ClientCredentialError,
        "Application {app_id} is a confidential client: configure its client secret or "
        "certificate in the profile, or enable 'Allow public client flows' on the app registration.",
    ),
    700025: (
        ClientCredentialError,
        "Application {app_id} is a public client, so no secret or certificate may be sent. "
        "Re-create the profile with `--public-client`.",
    ),
    700027: (
        ClientCredentialError,
        "The certificate assertion failed validation: the certificate is not registered on "
        "application {app_id}, or the key does not match it.",
    ),
    50012: (
        ClientCredentialError,
        "The client assertion was refused: check the certificate registered on application {app_id}.",
    ),
    700007: (
        ClientCredentialError,
        "Entra refused the request for application {app_id} (AADSTS700007). Check the app "
        "registration (supported account types, client credentials) against the profile.",
    ),
    70011: (
        AuthenticationError,
        "A requested scope is not valid. Ask for scopes of the form "
        "'https://resource/permission' or 'https://resource/.default'.",
    ),
    28000: (
        AuthenticationError,
        "The scopes span more than one resource. Request one resource's scopes per token.",
    ),
    28003: (AuthenticationError, "No scope was requested. Ask for at least one resource scope."),
    54005: (
        ConsentFlowError,
        "The authorization code was already redeemed. Run `sam-bridge consent` again.",
    ),
    501481: (
        ConsentFlowError,
        "The PKCE code verifier did not match: the redirect came from another sign-in attempt. "
        "Run `sam-bridge consent` again and use the URL of that attempt.",
    ),
    70016: (ConsentFlowError, "The device code sign-in was not completed in time."),
    70019: (ConsentFlowError, "The device code expired before sign-in finished. Run consent again."),
    70020: (ConsentFlowError, "The device code expired before sign-in finished. Run consent again."),
    50196: (
        AuthenticationError,
        "Entra detected a loop of identical requests and throttled them; wait a minute and retry.",
    ),
}

# OAuth error strings without an AADSTS code (device flow and redirects).
_BY_ERROR: dict[str, tuple[type[AuthenticationError], str]] = {
    "authorization_declined": (ConsentFlowError, "The user declined the sign-in. Run consent again."),
    "expired_token": (ConsentFlowError, "The device code expired before sign-in finished. Run consent again."),
    "access_denied": (ConsentFlowError, "The sign-in or the consent was declined. Run consent again."),
    "consent_required": (
        ConsentFlowError,
        "The app needs consent that this account cannot give; ask an administrator to grant it.",
    ),
    "interaction_required": (InteractionRequiredError, "Interactive sign-in is required: run consent again."),
}

_AADSTS = re.compile(r"AADSTS(\d+)")
_ISSUED_ON = re.compile(r"issued on '?\{?(?P<d>[0-9T:.\-]+Z?)")
_VALID_FROM = re.compile(r"TokensValidFrom date .*? is '?\{?(?P<d>[0-9T:.\-]+Z?)")
_RESOURCE = re.compile(r"to access '(?P<r>[^']+)'")


def codes_of(response: Mapping[str, Any]) -> tuple[int, ...]:
    """The AADSTS codes of an error response (error_codes, else parsed from the description)."""
    raw = response.get("error_codes")
    if isinstance(raw, list) and all(isinstance(c, int) for c in raw):
        return tuple(raw)
    description = response.get("error_description")
    if isinstance(description, str):
        return tuple(int(c) for c in _AADSTS.findall(description))
    return ()


def from_response(response: Mapping[str, Any], **facts: Any) -> AuthenticationError:
    """Turn an OAuth error response into the matching exception, with a remediation sentence."""
    error = response.get("error") if isinstance(response.get("error"), str) else "unknown_error"
    description = response.get("error_description")
    description = description if isinstance(description, str) else ""
    codes = codes_of(response)
    first_line = description.split("\r\n")[0].split("\n")[0].strip()
    facts = {k: v for k, v in facts.items() if v}
    for pattern, key in ((_ISSUED_ON, "issued_on"), (_VALID_FROM, "valid_from")):
        m = pattern.search(description)
        if m:
            facts.setdefault(key, m.group("d"))
    m = _RESOURCE.search(description)
    if m:
        facts.setdefault("resource", m.group("r"))

    cls, template = AuthenticationError, None
    for code in codes:
        if code in _REMEDIATION:
            cls, template = _REMEDIATION[code]
            break
    else:
        if error in _BY_ERROR:
            cls, template = _BY_ERROR[error]
    remediation = template.format_map(_Facts(facts)) if template else None
    correlation_id = response.get("correlation_id")
    suberror = response.get("suberror")
    message = f"Entra ID refused the request: {error}"
    if first_line:
        message += f": {first_line}"
    return cls(
        message,
        error=error,
        codes=codes,
        correlation_id=correlation_id if isinstance(correlation_id, str) else None,
        suberror=suberror if isinstance(suberror, str) else None,
        description=description or None,
        remediation=remediation,
    )


class _Facts(dict):
    def __missing__(self, key: str) -> str:
        return "unknown" if key != "profile" else "NAME"
