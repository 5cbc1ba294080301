"""Entra (AADSTS) errors with the exact texts, codes, suberrors and HTTP statuses Entra sends.

Each builder returns an `AadError`; the server renders it in the JSON shape of the protocol fact
sheet section 7.1. Texts are the ones observed on the wire (see docs/EMULATOR.md for the table).
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

ERROR_URI = "https://login.microsoftonline.com/error?code={code}"
NBSP = "\u00a0"  # Entra separates the two sentences of AADSTS700082 with a non-breaking space.


class AadError(Exception):
    """An OAuth2 error as Entra returns it (error, AADSTS code, text, suberror, HTTP status)."""

    def __init__(
        self,
        error: str,
        code: int | None,
        text: str,
        *,
        status: int = 400,
        suberror: str | None = None,
        claims: str | None = None,
    ) -> None:
        self.error = error
        self.code = code
        self.text = text
        self.status = status
        self.suberror = suberror
        self.claims = claims
        super().__init__(self.description)

    @property
    def description(self) -> str:
        return f"AADSTS{self.code}: {self.text}" if self.code else self.text

    @property
    def error_codes(self) -> list[int]:
        return [self.code] if self.code else []

    def body(self, *, now: float, correlation_id: str | None = None) -> dict[str, Any]:
        """The JSON body, with fresh trace id and the request's correlation id."""
        trace_id = str(uuid.uuid4())
        correlation_id = correlation_id or str(uuid.uuid4())
        stamp = format_timestamp(now)
        body: dict[str, Any] = {
            "error": self.error,
            "error_description": (
                f"{self.description}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}"
                f"\r\nTimestamp: {stamp}"
            ),
            "error_codes": self.error_codes,
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
        }
        if self.code:
            body["error_uri"] = ERROR_URI.format(code=self.code)
        if self.suberror:
            body["suberror"] = self.suberror
        if self.claims:
            body["claims"] = self.claims
        return body


class Throttled(Exception):
    """HTTP 429 with Retry-After and a plain-text body, as Entra's front door sends it."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"Too Many Requests (retry after {self.retry_after} s)")


def format_timestamp(epoch: float) -> str:
    """`2016-01-09 02:02:12Z`, the form of the `timestamp` field and the description's last line."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def format_instant(epoch: float) -> str:
    """`2021-01-05T05:09:31.5970000Z`: .NET round-trip format with 7 fractional digits."""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


# --- tenant, application and client authentication -------------------------------------------------


def tenant_not_found(tenant: str, *, error: str = "invalid_request") -> AadError:
    return AadError(
        error,
        90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
        "into the correct cloud. Check with your subscription administrator, this may happen if there are "
        "no active subscriptions for the tenant.",
    )


def tenant_not_valid_for_app_only(tenant: str) -> AadError:
    return AadError(
        "invalid_request",
        900023,
        f"Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain.",
    )


def app_not_found(app_id: str, directory: str) -> AadError:
    return AadError(
        "unauthorized_client",
        700016,
        f"Application with identifier '{app_id}' was not found in the directory '{directory}'. This can "
        "happen if the application has not been installed by the administrator of the tenant or consented "
        "to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
    )


def public_client_sent_credential() -> AadError:
    return AadError(
        "invalid_client",
        700025,
        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        status=401,
    )


def invalid_client_secret(app_id: str) -> AadError:
    return AadError(
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
        f"value, not the client secret ID, for a secret added to app '{app_id}'.",
        status=401,
    )


def client_secret_expired(app_id: str) -> AadError:
    return AadError(
        "invalid_client",
        7000222,
        f"The provided client secret keys for app '{app_id}' are expired. Visit the Azure portal to create new "
        "keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added "
        "security: https://aka.ms/certCreds.",
        status=401,
    )


def missing_client_credential() -> AadError:
    return AadError(
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        status=401,
    )


def invalid_client_assertion(reason: str | None = None) -> AadError:
    text = "Client assertion failed signature validation."
    if reason:
        text += f" [Reason - {reason}]"
    return AadError("invalid_client", 700027, text, status=401)


def missing_parameter(name: str) -> AadError:
    return AadError(
        "invalid_request", 900144, f"The request body must contain the following parameter: '{name}'."
    )


def unsupported_grant_type(grant_type: str) -> AadError:
    return AadError(
        "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'."
    )


def malformed_request() -> AadError:
    return AadError("invalid_request", 9002313, "Invalid request. Request is malformed or invalid.")


# --- grants ----------------------------------------------------------------------------------------


def invalid_refresh_token() -> AadError:
    return AadError(
        "invalid_grant",
        70000,
        "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.",
    )


def invalid_grant_malformed() -> AadError:
    return AadError("invalid_grant", 70000, "Provided grant is invalid or malformed.")


def refresh_token_inactive(issued_at: float) -> AadError:
    return AadError(
        "invalid_grant",
        700082,
        f"The refresh token has expired due to inactivity.{NBSP}The token was issued on "
        f"{format_instant(issued_at)} and was inactive for 90.00:00:00.",
        suberror="bad_token",
    )


def grant_revoked(issued_at: float, valid_from: float) -> AadError:
    return AadError(
        "invalid_grant",
        50173,
        "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user "
        "might have changed or reset their password. The grant was issued on "
        f"'{format_instant(issued_at)}' and the TokensValidFrom date (before which tokens are not valid) "
        f"for this user is '{format_instant(valid_from)}'.",
    )


def code_already_redeemed() -> AadError:
    return AadError(
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an "
        "existing refresh token.",
    )


def code_expired() -> AadError:
    return AadError(
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new "
        "interactive authorization request for this user and resource.",
    )


def pkce_mismatch() -> AadError:
    return AadError(
        "invalid_grant",
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    )


def reply_address_mismatch(sent: str, original: str) -> AadError:
    return AadError(
        "invalid_grant",
        500112,
        f"The reply address '{sent}' does not match the reply address '{original}' provided when requesting "
        "Authorization code.",
    )


def mfa_required(resource_app_id: str, policy_id: str) -> AadError:
    claims = {"access_token": {"capolids": {"essential": True, "values": [policy_id]}}}
    return AadError(
        "invalid_grant",
        50076,
        "Due to a configuration change made by your administrator, or because you moved to a new location, "
        f"you must use multi-factor authentication to access '{resource_app_id}'.",
        suberror="basic_action",
        claims=json.dumps(claims, separators=(",", ":")),
    )


def consent_required(app_id: str, app_name: str) -> AadError:
    return AadError(
        "invalid_grant",
        65001,
        f"The user or administrator has not consented to use the application with ID '{app_id}' named "
        f"'{app_name}'. Send an interactive authorization request for this user and resource.",
        suberror="consent_required",
    )


def user_not_in_tenant(upn: str, home_tenant: str, tenant_name: str, app_id: str, app_name: str) -> AadError:
    return AadError(
        "invalid_grant",
        50020,
        f"User account '{upn}' from identity provider 'https://sts.windows.net/{home_tenant}/' does not "
        f"exist in tenant '{tenant_name}' and cannot access the application '{app_id}'({app_name}) in that "
        "tenant. The account needs to be added as an external user in the tenant first. Sign out and sign "
        "in again with a different Azure Active Directory user account.",
    )


# --- scopes ----------------------------------------------------------------------------------------


def invalid_scope(scope: str) -> AadError:
    return AadError(
        "invalid_scope",
        70011,
        f"The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid.",
    )


def resource_not_found(resource: str, tenant_name: str) -> AadError:
    return AadError(
        "invalid_resource",
        500011,
        f"The resource principal named {resource} was not found in the tenant named {tenant_name}. This can "
        "happen if the application has not been installed by the administrator of the tenant or consented "
        "to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
    )


def more_than_one_resource(scope: str) -> AadError:
    return AadError(
        "invalid_scope",
        28000,
        "Provided value for the input parameter scope is not valid because it contains more than one "
        f"resource. Scope {scope} is not valid.",
    )


def empty_scope_at_code_redemption() -> AadError:
    return AadError(
        "invalid_request",
        28003,
        "Provided value for the input parameter scope cannot be empty when requesting an access token using "
        "the provided authorization code. Please specify a valid scope.",
    )


# --- device flow -----------------------------------------------------------------------------------


def authorization_pending() -> AadError:
    return AadError(
        "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling."
    )


def slow_down() -> AadError:
    # Entra documents no AADSTS number for slow_down (RFC 8628 section 3.5).
    return AadError("slow_down", None, "The client is polling too frequently. Slow down polling.")


def device_code_expired() -> AadError:
    return AadError(
        "expired_token",
        70020,
        "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
    )


def authorization_declined() -> AadError:
    # No AADSTS number is known for a declined device code; Entra's `error` string is what clients test.
    return AadError("authorization_declined", None, "The end user denied the authorization request.")


def bad_verification_code() -> AadError:
    return AadError(
        "bad_verification_code",
        70018,
        "Invalid verification code due to user typing in wrong user code for device code flow. Authorization "
        "isn't approved.",
    )


# --- interactive sign-in (shown on pages or sent to the redirect URI) ------------------------------


def user_not_found(upn: str, tenant_name: str) -> AadError:
    return AadError(
        "invalid_grant",
        50034,
        f"The user account {upn} does not exist in the {tenant_name} directory. To sign into this "
        "application, the account must be added to the directory.",
    )


def invalid_credentials() -> AadError:
    return AadError("invalid_grant", 50126, "Error validating credentials due to invalid username or password.")


def login_required() -> AadError:
    return AadError(
        "login_required",
        50058,
        "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's "
        "session were not sent in the request to Azure AD.",
    )


def user_declined_consent() -> AadError:
    return AadError("access_denied", 65004, "User declined to consent to access the app.")


def reply_url_not_registered(uri: str, app_id: str) -> AadError:
    return AadError(
        "invalid_request",
        50011,
        f"The redirect URI '{uri}' specified in the request does not match the redirect URIs configured for "
        f"the application '{app_id}'. Make sure the redirect URI sent in the request matches one added to "
        "your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn "
        "more about how to fix this.",
    )


def pkce_required() -> AadError:
    return AadError(
        "invalid_request",
        9002325,
        "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
    )


def unsupported_code_challenge_method(method: str) -> AadError:
    # Entra's number for this case is not documented; the emulator sends the error without one.
    return AadError("invalid_request", None, f"The code_challenge_method '{method}' is not supported. Use 'S256'.")


def unsupported_response_type(response_type: str) -> AadError:
    return AadError(
        "unsupported_response_type",
        70005,
        f"response_type '{response_type}' is not enabled for the application.",
    )


def sign_in_expired() -> AadError:
    return AadError("invalid_request", None, "The sign-in session has expired or is unknown. Start the sign-in again.")


def server_error() -> AadError:
    return AadError(
        "server_error",
        50000,
        "There was an error issuing a token or an issue with our sign-in service.",
        status=500,
    )
