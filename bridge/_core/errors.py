"""The one exception tree of sam-bridge (the map from Entra's AADSTS errors to it is bridge._auth.aadsts).

    SamBridgeError
    ├── NotAvailableError        nothing was attempted (missing config, profile, store, token)
    │   ├── ConfigError
    │   │   └── ProfileNotFoundError
    │   ├── StoreUnavailableError
    │   └── NoRefreshTokenError
    ├── CustomerNotReadyError    a customer cannot work for a target (found before any exchange)
    ├── InvalidInputError        the input was refused before anything was sent
    │   └── ProfileExistsError
    ├── AuthenticationError      Entra refused: carries error, AADSTS codes, correlation id
    │   ├── RefreshTokenExpiredError, RefreshTokenRevokedError, InteractionRequiredError,
    │   └── ConsentRequiredError, ClientCredentialError, TenantAccessError, ConsentFlowError
    ├── ServiceError             the network or the service failed after retries
    │   └── ThrottledError
    └── StoreError               a store refused a read or a write, or holds corrupt data
"""
from __future__ import annotations

from typing import Any, Mapping

from .scrub import scrub_text


class SamBridgeError(Exception):
    """Base of every error sam-bridge raises on purpose."""

    exit_code = 1
    error_id = "SamBridge.Error"
    category = "NotSpecified"  # a PowerShell ErrorCategory name

    def __init__(self, message: str, *, remediation: str | None = None) -> None:
        self.message = scrub_text(message)
        self.remediation = scrub_text(remediation) if remediation else None
        super().__init__(self.message)

    def __str__(self) -> str:
        if self.remediation:
            return f"{self.message}\n{self.remediation}"
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """The JSON form the CLI prints with --json and the PowerShell module turns into an ErrorRecord."""
        return {
            "type": type(self).__name__,
            "error_id": self.error_id,
            "category": self.category,
            "message": self.message,
            "remediation": self.remediation,
            "exit_code": self.exit_code,
        }


class NotAvailableError(SamBridgeError):
    """Nothing was attempted: a prerequisite (config, profile, store, token) is missing."""

    exit_code = 3
    error_id = "SamBridge.NotAvailable"
    category = "ObjectNotFound"


class ConfigError(NotAvailableError):
    """The configuration file or a profile is missing or invalid."""

    error_id = "SamBridge.Config"
    category = "InvalidData"


class ProfileNotFoundError(ConfigError):
    """No profile of that name is in the configuration file; `target` is the name as given."""

    error_id = "SamBridge.ProfileNotFound"
    category = "ObjectNotFound"

    def __init__(self, message: str, *, profile: str, remediation: str | None = None) -> None:
        self.target = profile
        super().__init__(message, remediation=remediation)

    def to_dict(self) -> dict[str, Any]:
        # The input that was wrong: the module makes it the ErrorRecord's TargetObject.
        return {**super().to_dict(), "target": self.target}


class AuthorityMismatchError(ConfigError):
    """The stored refresh token was issued by another authority (host or tenant) than the profile names."""

    error_id = "SamBridge.AuthorityMismatch"
    category = "SecurityError"


class StoreUnavailableError(NotAvailableError):
    """The secret store cannot be used on this machine (e.g. no Secret Service)."""

    error_id = "SamBridge.StoreUnavailable"
    category = "ResourceUnavailable"


class NoRefreshTokenError(NotAvailableError):
    """The profile has no refresh token yet: consent has not been done or the token was removed."""

    error_id = "SamBridge.NoRefreshToken"


class InvalidInputError(SamBridgeError, ValueError):
    """Input was refused before anything was sent or stored."""

    exit_code = 2
    error_id = "SamBridge.InvalidInput"
    category = "InvalidArgument"


class ProtocolError(InvalidInputError):
    """An RPC request that breaks the protocol's bounds (too large, nested too deeply)."""

    error_id = "SamBridge.ProtocolError"
    category = "ProtocolError"


class ProfileExistsError(InvalidInputError):
    """A profile of that name exists and replacing it was not asked for."""

    error_id = "SamBridge.ProfileExists"
    category = "ResourceExists"


class CustomerNotReadyError(SamBridgeError):
    """A customer cannot work for a target (GDAP, group membership or consent): found before any
    exchange, with the reason and what to do; `tenant` and `target` name it."""

    exit_code = 1
    error_id = "SamBridge.CustomerNotReady"
    category = "ResourceUnavailable"

    def __init__(self, message: str, *, tenant: str, target: str, remediation: str | None = None) -> None:
        self.tenant, self.target = tenant, target
        super().__init__(message, remediation=remediation)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "tenant": self.tenant, "for_target": self.target}


class ServiceError(SamBridgeError):
    """The authority or a store service could not be reached or kept failing after retries."""

    exit_code = 5
    error_id = "SamBridge.ServiceUnavailable"
    category = "ConnectionError"


class ThrottledError(ServiceError):
    """The service kept answering 429 (or 503 with Retry-After) past the retry budget."""

    error_id = "SamBridge.Throttled"
    category = "LimitsExceeded"

    def __init__(self, message: str, *, retry_after: float | None = None, remediation: str | None = None):
        self.retry_after = retry_after
        super().__init__(message, remediation=remediation)


class StoreError(SamBridgeError):
    """A secret store refused a read or a write, or holds data that cannot be read."""

    exit_code = 6
    error_id = "SamBridge.Store"
    category = "WriteError"


class AuthenticationError(SamBridgeError):
    """Entra ID refused a request; keeps the protocol facts next to a remediation sentence."""

    exit_code = 4
    error_id = "SamBridge.AuthenticationFailed"
    category = "AuthenticationError"

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        codes: tuple[int, ...] = (),
        correlation_id: str | None = None,
        suberror: str | None = None,
        description: str | None = None,
        remediation: str | None = None,
    ) -> None:
        self.error = error
        self.codes = tuple(codes)
        self.correlation_id = correlation_id
        self.suberror = suberror
        self.description = scrub_text(description) if description else None
        super().__init__(message, remediation=remediation)

    @property
    def code(self) -> int | None:
        return self.codes[0] if self.codes else None

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(
            error=self.error,
            codes=list(self.codes),
            correlation_id=self.correlation_id,
            suberror=self.suberror,
            description=self.description,
        )
        return data


class RefreshTokenExpiredError(AuthenticationError):
    error_id = "SamBridge.RefreshTokenExpired"
    category = "AuthenticationError"


class RefreshTokenRevokedError(AuthenticationError):
    error_id = "SamBridge.RefreshTokenRevoked"


class InvalidRefreshTokenError(AuthenticationError):
    error_id = "SamBridge.RefreshTokenInvalid"
    category = "InvalidData"


class InteractionRequiredError(AuthenticationError):
    error_id = "SamBridge.InteractionRequired"
    category = "PermissionDenied"


class ConsentRequiredError(AuthenticationError):
    error_id = "SamBridge.ConsentRequired"
    category = "PermissionDenied"


class ClientCredentialError(AuthenticationError):
    error_id = "SamBridge.ClientCredential"
    category = "InvalidData"


class TenantAccessError(AuthenticationError):
    error_id = "SamBridge.TenantAccess"
    category = "PermissionDenied"


class MfaClaimError(AuthenticationError):
    """Partner Center refused an App+User token without the MFA claim (HTTP 401, code 900421)."""

    error_id = "SamBridge.MfaClaimRequired"
    category = "PermissionDenied"


def mfa_claim_remediation(profile: str) -> str:
    """What to do about tokens without `mfa` in `amr`: said by the warning on such a Partner Center
    token, by doctor, and by the error for Partner Center's 900421."""
    return (f"Consent again with Entra MFA: run `sam-bridge consent --profile {profile}` with an account that "
            "completes MFA in Entra (an authenticator prompt or code). Third-party MFA and trusted-IP or "
            "trusted-location bypasses leave the MFA claim out of the tokens, and Partner Center refuses App+User "
            "calls without it (HTTP 401, error 900421).")


class ConsentFlowError(AuthenticationError):
    """An interactive consent did not complete (declined, expired, state or PKCE mismatch)."""

    error_id = "SamBridge.ConsentFailed"
    category = "OperationStopped"
