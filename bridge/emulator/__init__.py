"""An offline Microsoft Entra ID emulator: "Azurite for Entra".

It serves the v2.0 endpoints msal uses (discovery, authorize, device code, token) over HTTPS on
127.0.0.1, issues RS256 tokens with the audiences, scopes and AADSTS errors of the real service, and
has a control API for tests and demos. See docs/EMULATOR.md.

    python -m bridge.emulator serve --port 0          # prints one JSON ready line

Importing this package is cheap: werkzeug, trustme and PyJWT load only when an emulator starts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from ._directory import SeedError
    from ._server import DEFAULT_SEED_PATH, EmulatorHandle, load_seed, serve, start_in_thread
    from ._tokens import TokenValidationError
    from .client import EmulatorClient, EmulatorControlError

__all__ = [
    "DEFAULT_SEED_PATH",
    "EmulatorClient",
    "EmulatorControlError",
    "EmulatorHandle",
    "SeedError",
    "TokenValidationError",
    "load_seed",
    "serve",
    "start_in_thread",
]

_LAZY = {
    "DEFAULT_SEED_PATH": "._server",
    "EmulatorHandle": "._server",
    "load_seed": "._server",
    "serve": "._server",
    "start_in_thread": "._server",
    "SeedError": "._directory",
    "TokenValidationError": "._tokens",
    "EmulatorClient": ".client",
    "EmulatorControlError": ".client",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
