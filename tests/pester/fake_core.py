"""A stand-in for the sam-bridge core, for the transport tests: run as `python fake_core.py rpc`
through SAM_BRIDGE_CLI. It records what it was given (argv and the request) to FAKE_CORE_LOG and
answers as FAKE_CORE_MODE says:

    noise       junk lines on stdout before a valid response (the response echoes the request's command)
    silent      no response at all, a traceback on stderr, exit 1 (a core that crashed)
    garbage     a line with "ok" that is not a response of the contract
    log         a response plus warning and debug lines on stderr
    ask         an input event; the answer comes back in the result
"""
from __future__ import annotations

import json
import os
import sys


def main() -> int:
    line = sys.stdin.readline()
    request = json.loads(line)
    log = os.environ.get("FAKE_CORE_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"argv": sys.argv[1:], "request": request}) + "\n")
    mode = os.environ.get("FAKE_CORE_MODE", "noise")
    result = {"command": request["command"], "config": request.get("config")}
    if mode == "noise":
        print("Some library printed this.")
        print("{not json either")
        print(json.dumps({"neither": "event nor response"}))
    elif mode == "silent":
        print("Traceback (most recent call last):\n  ...\nModuleNotFoundError: No module named 'msal'", file=sys.stderr)
        return 1
    elif mode == "garbage":
        print(json.dumps({"ok": "maybe", "result": None}))
        return 0
    elif mode == "log":
        print("warning: the core logged this warning", file=sys.stderr)
        print("DEBUG bridge.http: GET something -> 200", file=sys.stderr)
    elif mode == "ask":
        print(json.dumps({"event": "message", "text": "Open https://example.invalid/signin?state=abc and sign in."}), flush=True)
        print(json.dumps({"event": "input", "name": "redirect_url", "prompt": "Redirected URL"}), flush=True)
        answer = json.loads(sys.stdin.readline())
        result["answer"] = answer["value"]
    print(json.dumps({"ok": True, "result": result, "warnings": ["a warning from the response"]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
