"""The in-process transport's host: the SamBridge PowerShell module runs the core inside its own
process (pythonnet) and starts one `Call` per request.

A call runs `_rpc.serve_stdio` - the very function `sam-bridge rpc` runs - over in-memory line pipes
instead of a child process's stdin and stdout. The request, the events
(messages, questions, batch results), the answers, the response and the core's log (stderr,
configured as `rpc [--verbose]` configures it) are therefore the same text in both transports, and
the module reads them with the same code: that is what keeps the two behaviourally identical.

A call that asks the person something (consent) or streams results (a batch) runs on a worker
thread: the module's pipeline thread must stay free while the core works, to show a device code,
read a pasted URL, write progress and pass each batch result down the pipeline. It holds the GIL
only while it polls (`read_line`), and the wait inside releases it. Every other call (`wait=True`)
runs on the caller's thread and has ended when `start` returns: two thread hand-offs cost more than
the whole call (each is a wake-up by the OS scheduler, milliseconds on a busy machine), and such a
call has nothing to wait for but the network, bounded by the HTTP layer's timeouts. Its stdin is
closed, so a question it asked would fail at once instead of waiting for an answer that cannot come.

What a process would have had of its own is set up per call: PowerShell's location becomes the
working directory for the call (and the previous one comes back after it), os.environ is made equal
to the .NET process environment (PowerShell's `$env:` changes never reach the C environment CPython
copied at start-up), and sys.stdout/sys.stderr written during the call go to its pipes. Because
those are process-wide, as are logging levels and warnings filters, calls run one at a time per
process: a second call (from another runspace) waits for the first.
"""
from __future__ import annotations

import io
import os
import queue
import sys
import threading
from typing import Any, Callable, Mapping

PROTOCOL_VERSION = 1  # the module checks it before using this host

_serial = threading.Lock()
_active: "Call | None" = None
_last_environ: tuple[str, str] | None = None


class Cancelled(BaseException):
    """The module stopped waiting (Ctrl+C, a stopped pipeline): the call's next output raises this.

    A BaseException, so no handler's `except Exception` swallows it: it unwinds the batch (whose
    `with` blocks still store the newest rotated refresh token) and the request ends.
    """


class _Lines(io.TextIOBase):
    """The call's stdout: complete lines go onto a queue the module polls."""

    def __init__(self, put: Callable[[str], None], cancelled: Callable[[], bool]) -> None:
        self._put, self._cancelled, self._partial = put, cancelled, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self._cancelled():
            raise Cancelled()
        data = self._partial + text
        *lines, self._partial = data.split("\n")
        for line in lines:
            self._put(line)
        return len(text)

    def flush(self) -> None:
        if self._cancelled():
            raise Cancelled()

    def close_pending(self) -> None:
        if self._partial:
            self._put(self._partial)
            self._partial = ""


class _Answers(io.TextIOBase):
    """The call's stdin: the request, then the answers the module sends; "" (EOF) once cancelled."""

    def __init__(self) -> None:
        self._queue: "queue.SimpleQueue[str | None]" = queue.SimpleQueue()
        self._closed = False

    def readable(self) -> bool:
        return True

    def put(self, line: str | None) -> None:
        self._queue.put(line)

    def readline(self, size: int = -1) -> str:  # type: ignore[override]
        if self._closed:
            return ""
        line = self._queue.get()
        if line is None:
            self._closed = True
            return ""
        return line if line.endswith("\n") else line + "\n"


class _Router(io.TextIOBase):
    """sys.stdout / sys.stderr for the whole process: writes during a call go to that call."""

    def __init__(self, pick: Callable[["Call"], Any], original: Any) -> None:
        self._pick, self._original = pick, original

    def writable(self) -> bool:
        return True

    def _target(self) -> Any:
        call = _active
        return self._pick(call) if call is not None else self._original

    def write(self, text: str) -> int:
        target = self._target()
        if target is None:
            return len(text)
        return target.write(text)

    def flush(self) -> None:
        target = self._target()
        if target is not None:
            target.flush()

    def isatty(self) -> bool:
        return False  # no progress bars or colours inside a PowerShell host

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


class Call:
    """One request, on a worker thread (the module polls `read_line` until it ends) or, with `wait`,
    run to its end on the caller's thread before the constructor returns (the module `drain`s it)."""

    def __init__(self, request_json: str, *, verbose: bool = False, cwd: str | None = None,
                 environ: Mapping[str, str] | None = None, wait: bool = False) -> None:
        self._lines: "queue.SimpleQueue[str | None]" = queue.SimpleQueue()
        self._cancelled = False
        self._stdout = _Lines(self._lines.put, lambda: self._cancelled)
        self._answers = _Answers()
        self._stderr = io.StringIO()
        self._environ = dict(environ) if environ is not None else None
        self._verbose, self._cwd = bool(verbose), cwd
        self.done = False
        self.exit_code: int | None = None
        self.failure: str | None = None
        self._answers.put(request_json.strip() + "\n")
        self._thread: threading.Thread | None = None
        if wait:
            self._answers.put(None)  # nobody can answer while the caller's thread runs the call
            self._run()
        else:
            self._thread = threading.Thread(target=self._run, name="sam-bridge-call", daemon=True)
            self._thread.start()

    # -- the module's side --------------------------------------------------------------------------

    def read_line(self, timeout: float) -> str | None:
        """The next line the core wrote (an event, the response or stray output); None if none came
        within `timeout` seconds, or the call has ended (then `done` is true)."""
        if self.done:
            return None
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            self.done = True
        return line

    def drain(self) -> str:
        """Every line written and not yet read, joined by newlines: all of a call that has ended
        (one crossing into Python instead of one per line)."""
        lines = []
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                break
            if line is None:
                self.done = True
                break
            lines.append(line)
        return "\n".join(lines)

    def answer(self, line: str) -> None:
        """Send one answer line (`{"value": ...}`) to the core's question."""
        self._answers.put(line)

    def finish(self, timeout: float = 30.0) -> str:
        """Wait for the call's thread to end; returns what the core logged (its stderr)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._stderr.getvalue()

    def cancel(self) -> None:
        """Stop the call: questions get no answer, and its next output raises Cancelled."""
        self._cancelled = True
        self._answers.put(None)

    # -- the worker thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        global _active
        with _serial:
            previous_cwd = None
            _active = self
            try:
                if self._environ is not None:
                    _sync_environ(self._environ)
                if self._cwd:
                    previous_cwd = _enter(self._cwd)
                from .._core.log import configure_logging
                from .protocol import serve_stdio

                configure_logging(self._verbose)  # its handler writes to sys.stderr: this call's
                self.exit_code = serve_stdio(self._answers, self._stdout)  # type: ignore[arg-type]
            except Cancelled:
                self.failure = "cancelled"
            except BaseException as exc:  # a bug in the host itself: the module reports CoreFailed
                self.failure = type(exc).__name__
                self._stderr.write(f"ERROR bridge.rpc_inprocess: the call failed: {type(exc).__name__}: {exc}\n")
            finally:
                if previous_cwd is not None:
                    _enter(previous_cwd)
                self._stdout.close_pending()
                _active = None
                self._lines.put(None)


def start(request_json: str, verbose: Any = False, cwd: str | None = None,
          env_names: str | None = None, env_values: str | None = None, wait: Any = False) -> Call:
    """Start one request (the module's entry point); see `Call`. With `wait`, run it on this thread.

    The environment comes as two strings, the names and the values joined by NUL in the same order
    (.NET joins a Hashtable's Keys and Values in one native call each, where a per-entry crossing
    into Python costs a millisecond). When both equal the previous call's, os.environ is already
    in step and is left alone; None for both leaves it alone too.
    """
    global _last_environ
    _install_streams()
    environ = None
    if env_names is not None and env_values is not None and (env_names, env_values) != _last_environ:
        _last_environ = (env_names, env_values)
        names, values = env_names.split("\0"), env_values.split("\0")
        if len(names) != len(values):
            raise ValueError("the environment's names and values do not pair up")
        environ = {n: v for n, v in zip(names, values) if n}
    return Call(request_json, verbose=bool(verbose), cwd=cwd or None, environ=environ, wait=bool(wait))


def _install_streams() -> None:
    """Route sys.stdout and sys.stderr through the active call. Checked at every call: whoever set
    them since (a test runner's capture, a library) keeps what it set for the time between calls."""
    if not isinstance(sys.stdout, _Router):
        sys.stdout = _Router(lambda call: call._stdout, sys.stdout)
    if not isinstance(sys.stderr, _Router):
        sys.stderr = _Router(lambda call: call._stderr, sys.stderr)


def _sync_environ(wanted: Mapping[str, str]) -> None:
    """Make os.environ equal to the caller's environment, touching only what differs."""
    current = os.environ
    for name in [n for n in current if n not in wanted]:
        del current[name]
    for name, value in wanted.items():
        if current.get(name) != value:
            current[name] = value


def _enter(path: str) -> str | None:
    """chdir to `path`; returns the previous working directory (None if it could not be changed)."""
    try:
        previous = os.getcwd()
    except OSError:
        previous = None
    try:
        if previous != path:
            os.chdir(path)
    except OSError:
        return None
    return previous
