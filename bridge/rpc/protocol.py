"""The JSON request/response contract between the PowerShell module and the core.

Both transports use it unchanged: the child process (`sam-bridge rpc`, one request on stdin, one
response on stdout) and the in-process bridge (pythonnet calls `handle()` directly). Secrets travel
only inside the request body (stdin or memory), never on a command line.

Request:  {"v": 1, "command": "token", "args": {...}, "secrets": {...}, "config": "path" | null}
Response: {"ok": true, "result": ..., "warnings": [...]}
          {"ok": false, "error": {"type", "error_id", "category", "message", "remediation", ...}, "warnings": [...]}

Interaction (consent): a handler shows text with `say()` and asks for a line with `ask()`; the caller's
`Channel` decides how. Over stdio (`serve_stdio`) each becomes one JSON line on stdout before the
response, and an answer is one JSON line on stdin:

    {"event": "message", "text": "To sign in, use a web browser to open ..."}
    {"event": "input", "name": "redirect_url", "prompt": "Redirected URL"}   <- {"value": "http://localhost:..."}

A handler that produces many results (a batch across tenants, `rpc.batch`) streams each one as an
event before the response, with `emit()`: {"event": "result", "tenant": ..., "ok": ..., ...}.

A caller without a channel gets messages on stderr and no input (`ask()` raises InvalidInputError),
and `emit()` tells the handler that nothing can be streamed to it.

The caller is a PowerShell user: every text that leaves through this contract names the cmdlet to
run where the core's text names a command of the CLI (`powershell_commands`).
"""
from __future__ import annotations

import json
import logging
import sys
import warnings
from typing import IO, Any

from .._core.errors import InvalidInputError, ProtocolError, SamBridgeError
from .._core.scrub import scrub_text
from .powershell import _in_powershell, powershell_commands  # noqa: F401 - part of this contract
from .registry import _HANDLERS, Channel, Handler, StderrChannel, StdioChannel, _channel, ask, command, emit, say  # noqa: F401

PROTOCOL_VERSION = 1
# A request is a command, its arguments and a few secrets: a batch over 10,000 tenants is under
# 1 MB and 4 levels deep. Anything beyond these bounds is refused before it is parsed further.
MAX_REQUEST_CHARS = 8 * 1024 * 1024
MAX_REQUEST_DEPTH = 32
log = logging.getLogger("bridge.rpc")

def handle(request_json: str, channel: Channel | None = None) -> str:
    """Run one request and return the JSON response; never raises."""
    return json.dumps(dispatch(request_json, channel))


def read_request(stream: IO[str]) -> str:
    """The first JSON document on `stream`, read line by line so the rest stays for answers.

    A leading byte-order mark is dropped: Windows PowerShell's pipe writer may send one.
    """
    text = ""
    while True:
        line = stream.readline(MAX_REQUEST_CHARS + 1 - len(text))
        if not line:
            return text
        text += line.lstrip("\ufeff") if not text else line
        if len(text) > MAX_REQUEST_CHARS:
            return text  # refused by _parse; the rest of the stream is not read
        try:
            json.loads(text)
        except ValueError:
            continue
        except RecursionError:  # hostile nesting: refused by _parse
            return text
        return text


def serve_stdio(inp: IO[str], out: IO[str]) -> int:
    """One request from `inp`, its events and response to `out`; returns the process exit code."""
    response = dispatch(read_request(inp), StdioChannel(inp, out))
    out.write(json.dumps(response) + "\n")
    out.flush()
    return 0 if response["ok"] else int(response["error"].get("exit_code") or 1)


def main(argv: list[str]) -> int:
    """`python -m bridge rpc [--verbose]` without loading the command-line framework."""
    from .._core.log import configure_logging

    configure_logging(verbose=any(a in ("--verbose", "-v") for a in argv))
    try:
        return serve_stdio(sys.stdin, sys.stdout)
    except KeyboardInterrupt:
        return 130


def dispatch(request_json: str, channel: Channel | None = None) -> dict[str, Any]:
    token = _channel.set(channel) if channel is not None else None
    try:
        return _in_powershell(_dispatch(request_json))
    finally:
        if token is not None:
            _channel.reset(token)


def _dispatch(request_json: str) -> dict[str, Any]:
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
    """The texts of sam-bridge's own warnings, for the cmdlet to show; a library's warning (an
    ImportWarning of an import hook, a DeprecationWarning) is not the user's business, so it goes
    back to Python's filters, which hide those by default."""
    from .._core.validate import SamBridgeWarning

    seen: list[str] = []
    for w in caught or []:
        if not issubclass(w.category, SamBridgeWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
            continue
        text = scrub_text(str(w.message))
        if text not in seen:
            seen.append(text)
    return seen


def _depth(value: Any, limit: int) -> int:
    """How deeply `value` nests (stops counting past `limit`)."""
    if limit < 0 or not isinstance(value, (dict, list)):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(item, limit - 1) for item in items), default=0)


def _parse(request_json: str) -> dict[str, Any]:
    if isinstance(request_json, str) and len(request_json) > MAX_REQUEST_CHARS:
        raise ProtocolError(f"the request is larger than {MAX_REQUEST_CHARS} characters; it was not read.")
    try:
        request = json.loads(request_json)
    except RecursionError:
        raise ProtocolError(f"the request nests deeper than {MAX_REQUEST_DEPTH} levels; it was not read.") from None
    except (TypeError, ValueError):
        raise InvalidInputError("the request is not valid JSON.") from None
    if _depth(request, MAX_REQUEST_DEPTH) > MAX_REQUEST_DEPTH:
        raise ProtocolError(f"the request nests deeper than {MAX_REQUEST_DEPTH} levels; it was not read.")
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


# Handler modules register themselves with @command when imported (plain imports, so that the
# import-direction test sees them).
_loaded = False


def _load_handlers() -> None:
    global _loaded
    if _loaded:
        return
    from . import adhoc, application, batch, consent, core, customers, profiles, targets  # noqa: F401

    _loaded = True
