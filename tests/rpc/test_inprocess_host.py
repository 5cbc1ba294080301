"""bridge.rpc.host, the host the PowerShell module's in-process transport calls through
pythonnet, driven here from Python the way the module drives it: start a call, read its lines, answer,
finish. The module's side is tested in Pester (tests/pester/InProcess.Tests.ps1 and the whole suite's
in-process pass)."""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Any, Iterator

import pytest

from bridge.rpc import protocol as _rpc
from bridge.rpc import host


def _request(command: str, **args: Any) -> str:
    return json.dumps({"v": 1, "command": command, "args": args, "secrets": {}, "config": None})


def _environment(values: dict[str, str]) -> tuple[str, str]:
    """The two NUL-joined strings the module sends (names, values in the same order)."""
    return "\0".join(values), "\0".join(values.values())


def _start(request: str, *, wait: bool = True, environ: dict[str, str] | None = None, cwd: str | None = None) -> host.Call:
    names, values = _environment(dict(os.environ if environ is None else environ))
    return host.start(request, False, cwd or os.getcwd(), names, values, wait)


def _lines(call: host.Call) -> list[dict[str, Any]]:
    return [json.loads(line) for line in call.drain().splitlines()]


@pytest.fixture
def handlers() -> Iterator[dict[str, Any]]:
    """Register test-only commands for one test, and take them away after it."""
    added: dict[str, Any] = {}

    def add(name: str):  # type: ignore[no-untyped-def]
        def register(fn):  # type: ignore[no-untyped-def]
            _rpc._load_handlers()
            _rpc.command(name)(fn)
            added[name] = fn
            return fn
        return register

    yield {"add": add}
    for name in added:
        _rpc._HANDLERS.pop(name, None)


@pytest.fixture
def kept_environment() -> Iterator[None]:
    """A call makes os.environ equal to the caller's environment: put this process's back afterwards."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_a_call_answers_with_the_rpc_contract_and_the_same_text(isolated_env, kept_environment):
    call = _start(_request("profile.list"))
    assert call.done is False  # not until its end was read
    lines = _lines(call)
    assert call.done and call.finish() == ""
    assert lines == [{"ok": True, "result": [], "warnings": []}]
    assert lines[-1] == json.loads(_rpc.handle(_request("profile.list")))


def test_the_core_sees_the_callers_environment_and_only_it(consented_profile, kept_environment):
    environ = dict(os.environ, SAM_BRIDGE_PROFILE="elsewhere", SAM_BRIDGE_TEST_ONLY="1")
    del environ["SAM_BRIDGE_CACHE_DIR"]
    response = _lines(_start(_request("profile.show"), environ=environ))[-1]
    assert "profile 'elsewhere' is not in" in response["error"]["message"]
    assert os.environ["SAM_BRIDGE_TEST_ONLY"] == "1" and "SAM_BRIDGE_CACHE_DIR" not in os.environ
    environ["SAM_BRIDGE_PROFILE"] = "contoso"
    assert _lines(_start(_request("profile.show"), environ=environ))[-1]["result"]["name"] == "contoso"


def test_relative_paths_resolve_in_the_callers_directory_and_the_process_keeps_its_own(isolated_env, kept_environment, tmp_path):
    before = os.getcwd()
    request = _request("profile.add", name="here", app_id="d08dc19e-ba2a-454d-8b27-fe0fdf4a176c",
                       tenant="contoso.onmicrosoft.com", store="file:relative-store.json")
    response = _lines(_start(request, cwd=str(tmp_path)))[-1]
    assert response["ok"], response
    assert response["result"]["store"] == f"file:{tmp_path / 'relative-store.json'}"
    assert os.getcwd() == before


def test_a_question_reaches_the_caller_and_its_answer_the_core(handlers, kept_environment):
    @handlers["add"]("test.ask")
    def ask(args, secrets, config):  # type: ignore[no-untyped-def]
        _rpc.say("Open https://example.invalid and sign in.")
        return {"answer": _rpc.ask("redirect_url", "Redirected URL")}

    call = _start(_request("test.ask"), wait=False)
    assert json.loads(call.read_line(10)) == {"event": "message", "text": "Open https://example.invalid and sign in."}
    assert json.loads(call.read_line(10)) == {"event": "input", "name": "redirect_url", "prompt": "Redirected URL"}
    call.answer(json.dumps({"value": "http://localhost/?code=x"}))
    assert json.loads(call.read_line(10))["result"] == {"answer": "http://localhost/?code=x"}
    call.finish(10)


def test_a_question_in_a_call_on_the_callers_thread_fails_at_once(handlers, kept_environment):
    @handlers["add"]("test.ask")
    def ask(args, secrets, config):  # type: ignore[no-untyped-def]
        return {"answer": _rpc.ask("redirect_url", "Redirected URL")}

    started = time.monotonic()
    lines = _lines(_start(_request("test.ask"), wait=True))
    assert time.monotonic() - started < 5
    assert lines[0]["event"] == "input"
    assert lines[-1]["error"]["error_id"] == "SamBridge.InvalidInput" and "no answer" in lines[-1]["error"]["message"]


def test_cancel_stops_a_call_at_its_next_output(handlers, kept_environment):
    sent: list[int] = []
    finished = threading.Event()

    @handlers["add"]("test.stream")
    def stream(args, secrets, config):  # type: ignore[no-untyped-def]
        try:
            for n in range(200):
                _rpc.emit({"event": "result", "n": n})
                sent.append(n)
                time.sleep(0.01)
        finally:
            finished.set()  # with blocks unwind: a batch still stores its newest refresh token
        return {"sent": len(sent)}

    call = _start(_request("test.stream"), wait=False)
    for _ in range(3):
        assert json.loads(call.read_line(10))["event"] == "result"
    call.cancel()
    call.finish(10)
    assert finished.is_set() and call.failure == "cancelled"
    assert len(sent) < 50


def test_the_calls_output_and_log_are_its_own(handlers, kept_environment, capsys):
    @handlers["add"]("test.noisy")
    def noisy(args, secrets, config):  # type: ignore[no-untyped-def]
        print("a library printed this")
        logging.getLogger("bridge.test").warning("something to warn about")
        logging.getLogger("bridge.test").debug("request flow")
        return {}

    call = _start(_request("test.noisy"))
    lines = call.drain().splitlines()
    assert lines[0] == "a library printed this" and json.loads(lines[-1])["ok"]
    assert call.finish() == "warning: something to warn about\n"
    verbose = host.start(_request("test.noisy"), True, os.getcwd(), *_environment(dict(os.environ)), True)
    verbose.drain()
    log = verbose.finish()
    assert "WARNING bridge.test: something to warn about" in log and "DEBUG bridge.test: request flow" in log
    print("after the call")  # no call is running: the process's own stdout again
    assert "after the call" in capsys.readouterr().out


def test_calls_run_one_at_a_time(handlers, kept_environment):
    running: list[int] = []
    most = [0]

    @handlers["add"]("test.slow")
    def slow(args, secrets, config):  # type: ignore[no-untyped-def]
        running.append(1)
        most[0] = max(most[0], len(running))
        time.sleep(0.2)
        running.pop()
        return {}

    calls = [_start(_request("test.slow"), wait=False) for _ in range(3)]
    for call in calls:
        call.finish(10)
    assert most[0] == 1
    assert all(call.exit_code == 0 for call in calls)


def test_ad_hoc_exchanges_follow_the_environment_and_the_log_level_of_each_call(consented_profile, kept_environment):
    """What a long-lived host remembers between calls (the ad-hoc profile, the log handler) is
    keyed by what it came from: a changed authority host or -Verbose takes effect at the next call."""
    handle, ids = consented_profile, consented_profile.emulator.ids
    request = json.dumps({"v": 1, "command": "token.adhoc", "secrets": {"refresh_token": handle.refresh_token()},
                          "config": None, "args": {"mode": "refresh_token", "app_id": ids.public_app, "tenant": ids.partner,
                                                   "scopes": ["https://graph.microsoft.com/.default"]}})
    environ = dict(os.environ, SAM_BRIDGE_AUTHORITY_HOST=handle.profile.authority_host,
                   SAM_BRIDGE_CA_BUNDLE=handle.profile.ca_bundle or "", SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY="1")

    def call(verbose: bool, **changes: str) -> tuple[dict[str, Any], str]:
        names, values = _environment({**environ, **changes})
        started = host.start(request, verbose, os.getcwd(), names, values, True)
        return _lines(started)[-1], started.finish()

    quiet, log = call(False)
    assert quiet["ok"], quiet
    assert "DEBUG" not in log
    loud, log = call(True)
    assert loud["ok"] and "DEBUG bridge.http: POST" in log
    assert "DEBUG" not in call(False)[1]
    moved, _ = call(False, SAM_BRIDGE_AUTHORITY_HOST="https://127.0.0.1:9")
    assert not moved["ok"] and "127.0.0.1:9" in moved["error"]["message"], moved
    assert call(False)[0]["ok"]
