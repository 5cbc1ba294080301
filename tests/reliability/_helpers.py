"""Shared checks of the reliability suite: how a refused run must look, and what the emulator saw."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any, Iterable

from bridge._core.scrub import fingerprint

GRAPH = "https://graph.microsoft.com/.default"
# Kinds after which the emulator did not act on the request (no code redeemed, no token issued).
NOT_ACTED = frozenset({"429", "503", "500", "malformed", "truncated", "reset", "oversized", "wrong_types",
                       "missing_fields", "html"})


def last_seq(emulator: Any) -> int:
    """The emulator's newest request-log sequence number (0 when the log is empty)."""
    log = emulator.requests()
    return log[-1]["seq"] if log else 0


def requests_to(emulator: Any, since: int, endpoint: str, *, at_least: int = 0, settle: float = 0.0) -> list[dict[str, Any]]:
    """Log entries for `endpoint` after `since`.

    A request is logged when its answer is finished, so one the client gave up on (a delay past
    its timeout) appears later: wait up to `settle` s for `at_least` entries.
    """
    deadline = time.monotonic() + settle
    while True:
        entries = [e for e in emulator.requests(since) if e.get("endpoint") == endpoint]
        if len(entries) >= at_least or time.monotonic() >= deadline:
            return entries
        time.sleep(0.05)


def acted_on(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Token requests the emulator processed: each one redeemed a refresh token (or a code)."""
    return [e for e in entries if e.get("fault") not in NOT_ACTED]


def faulted(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if e.get("fault")]


def assert_refused(result: subprocess.CompletedProcess[str], code: int, pattern: str) -> None:
    """One clear message on stderr matching `pattern`, exit `code`, nothing on stdout, no traceback."""
    where = f"exit {result.returncode}\nstdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-3000:]}"
    assert result.returncode == code, where
    assert re.search(pattern, result.stderr), f"{pattern!r} not in stderr\n{where}"
    assert "Traceback" not in result.stderr + result.stdout, where
    assert result.stdout.strip() == "", where
    # One "error: ..." line from sam-bridge (or click's "Error: ..." for a malformed command line).
    errors = [line for line in result.stderr.splitlines() if line.startswith(("error:", "Error:"))]
    assert len(errors) == 1, f"expected exactly one error line\n{where}"


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"exit {result.returncode}\nstderr: {result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr


def file_bytes(path: Path) -> bytes:
    return Path(path).read_bytes()


def assert_still_redeems(handle: Any, refresh_token: str) -> None:
    """The stored refresh token is `refresh_token`, and the emulator still accepts it (faults cleared)."""
    from bridge._services.exchange import obtain_token

    emulator = handle.emulator
    emulator.clear_faults()
    assert handle.refresh_token() == refresh_token, "the stored refresh token changed"
    since = last_seq(emulator)
    token = obtain_token(handle.profile, handle.store, [GRAPH], force_refresh=True)
    assert token.token
    redeemed = [e for e in requests_to(emulator, since, "token")
                if e["status"] == 200 and e.get("grant_type") == "refresh_token"]
    assert [e["presented_rt"] for e in redeemed] == [fingerprint(refresh_token)]
    assert handle.refresh_token() != refresh_token, "a successful exchange must store the rotated token"


# ---------------------------------------------------------------------------------------------------
# The CLI in this process: `bridge.cli.main(argv)` with stdin, stdout and stderr captured. Cheap
# enough for thousands of generated inputs; the subprocess runs elsewhere show the real process
# behaves the same.
# ---------------------------------------------------------------------------------------------------


def run_cli(*argv: str, input: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI in-process; logging, warnings and environment are restored afterwards."""
    import contextlib
    import io
    import logging
    import os
    import sys
    import warnings

    from bridge.cli import main

    root = logging.getLogger()
    saved_logging = (list(root.handlers), root.level,
                     {name: logging.getLogger(name).level for name in ("msal", "urllib3", "azure")})
    saved_showwarning = warnings.showwarning
    saved_env = {key: os.environ.get(key) for key in (env or {})}
    saved_stdin = sys.stdin
    out, err = io.StringIO(), io.StringIO()
    os.environ.update(env or {})
    sys.stdin = io.StringIO(input)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("default")
            try:
                code = main(list(argv))
            except SystemExit as exc:  # main() returns codes; a SystemExit would be a bug
                code = -1000 - (exc.code if isinstance(exc.code, int) else 0)
    finally:
        sys.stdin = saved_stdin
        warnings.showwarning = saved_showwarning
        root.handlers[:] = saved_logging[0]
        root.setLevel(saved_logging[1])
        for name, level in saved_logging[2].items():
            logging.getLogger(name).setLevel(level)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return subprocess.CompletedProcess(list(argv), code, out.getvalue(), err.getvalue())
