"""The JSON request/response contract between the PowerShell module and the core.

Both transports use it unchanged: the child process (`sam-bridge rpc`, one request on stdin, one
response on stdout) and the in-process bridge (pythonnet calls `handle()` directly). Secrets travel
only inside the request body (stdin or memory), never on a command line.

Request:  {"v": 1, "command": "token", "args": {...}, "secrets": {...}, "config": "path" | null}
Response: {"ok": true, "result": ..., "warnings": [...]}
          {"ok": false, "error": {"type", "error_id", "category", "message", "remediation", ...}, "warnings": [...]}
"""
from __future__ import annotations

import json
import logging
import warnings
from typing import Any, Callable, Mapping

from ._errors import InvalidInputError, SamBridgeError
from ._scrub import scrub_text

PROTOCOL_VERSION = 1
log = logging.getLogger("bridge.rpc")

Handler = Callable[[Mapping[str, Any], Mapping[str, Any], "str | None"], Any]
_HANDLERS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    """Register a handler: (args, secrets, config_path) -> JSON-able result."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        return fn

    return register


def handle(request_json: str) -> str:
    """Run one request and return the JSON response; never raises."""
    return json.dumps(dispatch(request_json))


def dispatch(request_json: str) -> dict[str, Any]:
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:  # type: ignore[assignment]
            warnings.simplefilter("always")
            request = _parse(request_json)
            _load_handlers()
            handler = _HANDLERS.get(request["command"])
            if handler is None:
                raise InvalidInputError(
                    f"unknown command {request['command']!r}; known: {', '.join(sorted(_HANDLERS))}."
                )
            result = handler(request["args"], request["secrets"], request["config"])
        return {"ok": True, "result": result, "warnings": _warning_texts(caught)}
    except SamBridgeError as exc:
        return {"ok": False, "error": exc.to_dict(), "warnings": _warning_texts(caught)}
    except Exception as exc:  # a bug: report it without a traceback or locals
        log.debug("unexpected error in rpc: %s", type(exc).__name__)
        return {
            "ok": False,
            "error": {
                "type": type(exc).__name__,
                "error_id": "SamBridge.InternalError",
                "category": "NotSpecified",
                "message": f"unexpected {type(exc).__name__}: {scrub_text(str(exc))}",
                "remediation": "This is a bug in sam-bridge; please report it.",
                "exit_code": 70,
            },
            "warnings": _warning_texts(caught),
        }


def _warning_texts(caught: list[warnings.WarningMessage] | None) -> list[str]:
    seen: list[str] = []
    for w in caught or []:
        text = scrub_text(str(w.message))
        if text not in seen:
            seen.append(text)
    return seen


def _parse(request_json: str) -> dict[str, Any]:
    try:
        request = json.loads(request_json)
    except (TypeError, ValueError):
        raise InvalidInputError("the request is not valid JSON.") from None
    if not isinstance(request, dict):
        raise InvalidInputError("the request must be a JSON object.")
    if request.get("v", PROTOCOL_VERSION) != PROTOCOL_VERSION:
        raise InvalidInputError(f"protocol version {request.get('v')!r} is not supported (this core speaks {PROTOCOL_VERSION}).")
    name = request.get("command")
    if not isinstance(name, str) or not name:
        raise InvalidInputError("the request has no command.")
    args = request.get("args") or {}
    secrets = request.get("secrets") or {}
    config = request.get("config")
    if not isinstance(args, dict) or not isinstance(secrets, dict):
        raise InvalidInputError("args and secrets must be JSON objects.")
    if config is not None and not isinstance(config, str):
        raise InvalidInputError("config must be a path or null.")
    return {"command": name, "args": args, "secrets": secrets, "config": config}


# Handler modules register themselves with @command when imported.
_HANDLER_MODULES: tuple[str, ...] = ("._rpc_core",)
_loaded = False


def _load_handlers() -> None:
    global _loaded
    if _loaded:
        return
    from importlib import import_module

    for name in _HANDLER_MODULES:
        import_module(name, __package__)
    _loaded = True
