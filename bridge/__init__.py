"""sam-bridge: the Secure Application Model for Microsoft Entra ID.

One interactive, MFA-backed consent yields a refresh token kept in a secret store; every
unattended run exchanges it for access tokens (rotating the stored token) and hands them to the
PowerShell `Connect-*` cmdlets.

    >>> import bridge
    >>> token = bridge.get_token("contoso", ["https://graph.microsoft.com/.default"])  # doctest: +SKIP

Names are imported lazily so that `import bridge` stays cheap (msal, requests and cryptography
load only when a token is actually needed).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

_EXPORTS = {
    "Profile": "._config",
    "Config": "._config",
    "AccessToken": "._core.tokens",
    "load_profile": "._api",
    "get_token": "._api",
    "exchange": "._api",
    "consent": "._api",
    "status": "._api",
    "keepalive": "._api",
    "import_refresh_token": "._api",
    "restore_refresh_token": "._api",
    "connect_parameters": "._api",
    "customers": "._api",
    "customer_connections": "._api",
    "CustomerConnection": "._targets.jobs",
    "CustomerReadiness": "._targets.readiness",
    "CustomerNotReadyError": "._core.errors",
    "ConnectParameters": "._targets",
    "target_names": "._targets",
    "runtime_snippet": "._targets.snippets",
    "embedded_snippet": "._targets.snippets",
    "module_snippet": "._targets.snippets",
    "open_store": "._stores",
    "SecretStore": "._stores",
    "Secret": "._stores",
    "SamBridgeWarning": "._core.validate",
    "SamBridgeError": "._core.errors",
    "NotAvailableError": "._core.errors",
    "ConfigError": "._core.errors",
    "ProfileNotFoundError": "._core.errors",
    "StoreUnavailableError": "._core.errors",
    "NoRefreshTokenError": "._core.errors",
    "InvalidInputError": "._core.errors",
    "AuthenticationError": "._core.errors",
    "RefreshTokenExpiredError": "._core.errors",
    "RefreshTokenRevokedError": "._core.errors",
    "InteractionRequiredError": "._core.errors",
    "ConsentRequiredError": "._core.errors",
    "ClientCredentialError": "._core.errors",
    "TenantAccessError": "._core.errors",
    "MfaClaimError": "._core.errors",
    "ConsentFlowError": "._core.errors",
    "ServiceError": "._core.errors",
    "ThrottledError": "._core.errors",
    "StoreError": "._core.errors",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bridge' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from ._api import (connect_parameters, consent, customer_connections, customers, exchange, get_token,
                       import_refresh_token, keepalive, load_profile, status)
    from ._targets.jobs import CustomerConnection
    from ._targets.readiness import CustomerReadiness
    from ._config import Config, Profile
    from ._core.errors import (
        AuthenticationError,
        ClientCredentialError,
        ConfigError,
        ConsentFlowError,
        ConsentRequiredError,
        CustomerNotReadyError,
        InteractionRequiredError,
        InvalidInputError,
        MfaClaimError,
        NoRefreshTokenError,
        NotAvailableError,
        ProfileNotFoundError,
        RefreshTokenExpiredError,
        RefreshTokenRevokedError,
        SamBridgeError,
        ServiceError,
        StoreError,
        StoreUnavailableError,
        TenantAccessError,
        ThrottledError,
    )
    from ._targets.snippets import embedded_snippet, module_snippet, runtime_snippet
    from ._stores import Secret, SecretStore, open_store
    from ._targets import ConnectParameters, target_names
    from ._core.tokens import AccessToken
    from ._core.validate import SamBridgeWarning
