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
import re
import sys
import warnings
from contextvars import ContextVar
from typing import IO, Any, Callable, Mapping, Protocol

from .._core.errors import InvalidInputError, SamBridgeError
from .._core.scrub import scrub_text

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


class Channel(Protocol):
    """How a handler talks to the person behind the caller while a request runs."""

    def say(self, text: str) -> None: ...

    def ask(self, name: str, prompt: str) -> str: ...


class StderrChannel:
    """No interactive caller: messages go to stderr, questions cannot be answered."""

    def say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def ask(self, name: str, prompt: str) -> str:
        raise InvalidInputError(
            f"this request needs an answer typed by the user ({prompt}), and its caller cannot ask for one."
        )


class StdioChannel:
    """Events as JSON lines on `out` (before the response), answers as JSON lines from `inp`."""

    def __init__(self, inp: IO[str], out: IO[str]) -> None:
        self._in, self._out = inp, out

    def event(self, event: dict[str, Any]) -> None:
        self._out.write(json.dumps(event) + "\n")
        self._out.flush()

    def say(self, text: str) -> None:
        self.event({"event": "message", "text": str(text)})

    def ask(self, name: str, prompt: str) -> str:
        self.event({"event": "input", "name": name, "prompt": prompt})
        line = self._in.readline()
        if not line:
            raise InvalidInputError(f"no answer to {prompt!r} arrived (stdin was closed).")
        try:
            answer = json.loads(line)
        except ValueError:
            raise InvalidInputError(f"the answer to {prompt!r} is not a JSON line.") from None
        value = answer.get("value") if isinstance(answer, dict) else None
        if not isinstance(value, str):
            raise InvalidInputError(f"the answer to {prompt!r} has no text value.")
        return value


_channel: ContextVar[Channel] = ContextVar("sam_bridge_rpc_channel", default=StderrChannel())


def say(text: str) -> None:
    """Show text to the person behind the current request (a device code, a sign-in URL)."""
    _channel.get().say(powershell_commands(text))


def ask(name: str, prompt: str) -> str:
    """Ask the person behind the current request for one line (e.g. the redirected URL)."""
    return _channel.get().ask(name, prompt)


def emit(event: dict[str, Any]) -> bool:
    """Stream one event (e.g. a batch's result for one tenant) to the caller before the response.

    False when the current channel cannot take events (no interactive caller): the handler then
    returns what it would have streamed in its response instead.
    """
    send = getattr(_channel.get(), "event", None)
    if send is None:
        return False
    send(_in_powershell(event))
    return True


def handle(request_json: str, channel: Channel | None = None) -> str:
    """Run one request and return the JSON response; never raises."""
    return json.dumps(dispatch(request_json, channel))


def read_request(stream: IO[str]) -> str:
    """The first JSON document on `stream`, read line by line so the rest stays for answers.

    A leading byte-order mark is dropped: Windows PowerShell's pipe writer may send one.
    """
    text = ""
    while True:
        line = stream.readline()
        if not line:
            return text
        text += line.lstrip("\ufeff") if not text else line
        try:
            json.loads(text)
        except ValueError:
            continue
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


# Handler modules register themselves with @command when imported (plain imports, so that the
# import-direction test sees them).
_loaded = False


def _load_handlers() -> None:
    global _loaded
    if _loaded:
        return
    from . import adhoc, application, batch, consent, core, profiles, targets  # noqa: F401

    _loaded = True


# -- CLI commands in texts, as the cmdlets a PowerShell user runs ---------------------------------
# The core's errors, findings and messages say what to run as a `sam-bridge ...` command line. Over
# this contract the reader is in PowerShell, so each such command with a cmdlet equivalent is
# rewritten (a command with a flag not listed here is left as it is: still correct, only foreign).
_CLI_COMMAND = re.compile(r"`sam-bridge ([^`]+)`")
_CMDLETS = {
    "consent": "Invoke-SamConsent",
    "keepalive": "New-SamAccessToken",  # one forced redemption stores the rotated token: a keepalive
    "refresh-token import": "Import-SamRefreshToken",
    "doctor": "Test-SamProfile",
    "status": "Get-SamRefreshTokenStatus",
    "profile add": "Register-SamProfile",
    "app create": "New-SamApplication",
    "app consent": "Grant-SamCustomerConsent",
    "app credentials": "Get-SamApplicationCredential",
    "app rotate": "Update-SamApplicationCredential",
}
_PARAMETERS = {
    "--profile": "-Profile", "--tenant": "-Tenant", "--app-id": "-ApplicationId", "--store": "-Store",
    "--certificate": "-CertificatePath", "--ca-bundle": "-CaBundle", "--authority-host": "-AuthorityHost",
    "--redirect-port": "-RedirectPort", "--device-code": "-DeviceCode", "--browser": "-Browser",
    "--print-url": "-PrintUrl", "--secret-stdin": "-ClientSecret (Read-Host -AsSecureString)",
    "--sign-in": "-SignIn",
}


def powershell_commands(text: str) -> str:
    """`text` with its `sam-bridge ...` commands written as SamBridge cmdlets where there is one."""
    if "`sam-bridge " not in text:
        return text
    return _CLI_COMMAND.sub(_as_cmdlet, text)


def _as_cmdlet(match: "re.Match[str]") -> str:
    words = match.group(1).split()
    name = next((n for n in sorted(_CMDLETS, key=len, reverse=True) if words[: len(n.split())] == n.split()), None)
    if name is None:
        return match.group(0)
    rest = words[len(name.split()):]
    out = [_CMDLETS[name]]
    if name == "profile add" and rest and not rest[0].startswith("-") and rest[0] != "...":
        out += ["-Name", rest.pop(0)]
    for word in rest:
        if word.startswith("--"):
            if word not in _PARAMETERS:
                return match.group(0)
            out.append(_PARAMETERS[word])
        else:
            out.append(word)  # a value, or "..." for the profile's other settings
    if name == "keepalive" or (name == "profile add" and "..." in rest):
        out.append("-Force")  # keepalive: redeem even with a valid cached token; "...": replace the profile
    return "`" + " ".join(out) + "`"


# The fields that hold text for a person to read (errors, warnings, doctor's findings, events);
# never data such as a generated snippet, which must stay as it was asked for.
_PROSE_FIELDS = frozenset({"message", "remediation", "detail", "fix", "text", "warnings"})


def _in_powershell(value: Any, prose: bool = False) -> Any:
    """A response or event with its prose fields passed through powershell_commands (in place)."""
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _in_powershell(item, key in _PROSE_FIELDS)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _in_powershell(item, prose)
    elif prose and isinstance(value, str):
        return powershell_commands(value)
    return value
