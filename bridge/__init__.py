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
    "AccessToken": "._tokens",
    "load_profile": "._api",
    "get_token": "._api",
    "exchange": "._api",
    "consent": "._api",
    "status": "._api",
    "keepalive": "._api",
    "import_refresh_token": "._api",
    "restore_refresh_token": "._api",
    "connect_parameters": "._api",
    "ConnectParameters": "._targets",
    "target_names": "._targets",
    "runtime_snippet": "._snippets",
    "embedded_snippet": "._snippets",
    "module_snippet": "._snippets",
    "open_store": "._stores",
    "SecretStore": "._stores",
    "Secret": "._stores",
    "SamBridgeWarning": "._validate",
    "SamBridgeError": "._errors",
    "NotAvailableError": "._errors",
    "ConfigError": "._errors",
    "ProfileNotFoundError": "._errors",
    "StoreUnavailableError": "._errors",
    "NoRefreshTokenError": "._errors",
    "InvalidInputError": "._errors",
    "AuthenticationError": "._errors",
    "RefreshTokenExpiredError": "._errors",
    "RefreshTokenRevokedError": "._errors",
    "InteractionRequiredError": "._errors",
    "ConsentRequiredError": "._errors",
    "ClientCredentialError": "._errors",
    "TenantAccessError": "._errors",
    "ConsentFlowError": "._errors",
    "ServiceError": "._errors",
    "ThrottledError": "._errors",
    "StoreError": "._errors",
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
    from ._api import connect_parameters, consent, exchange, get_token, import_refresh_token, keepalive, load_profile, status
    from ._config import Config, Profile
    from ._errors import (
        AuthenticationError,
        ClientCredentialError,
        ConfigError,
        ConsentFlowError,
        ConsentRequiredError,
        InteractionRequiredError,
        InvalidInputError,
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
    from ._snippets import embedded_snippet, module_snippet, runtime_snippet
    from ._stores import Secret, SecretStore, open_store
    from ._targets import ConnectParameters, target_names
    from ._tokens import AccessToken
    from ._validate import SamBridgeWarning
