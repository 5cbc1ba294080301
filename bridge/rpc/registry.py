"""The RPC command registry and the channel of the request being answered: what a handler module
imports (`@command`, `say`, `ask`, `emit`). bridge/rpc/protocol.py reads requests and dispatches
them to the registered handlers; docs/ARCHITECTURE.md."""
from __future__ import annotations

import json
import sys
from contextvars import ContextVar
from typing import IO, Any, Callable, Mapping, Protocol

from .._core.errors import InvalidInputError
from .powershell import _in_powershell, powershell_commands

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
