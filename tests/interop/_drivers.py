"""Runs a scenario in one of the interop drivers and plays the user's part (browser, device approval).

Every driver speaks the same protocol (see tests/interop/dotnet/Program.cs): a JSON scenario line on
stdin, JSON-line events on stdout, one stdin line after each event but "device_code". `run` answers
each event the way a person would: approves device codes through the emulator's /devicelogin pages
(password, then TOTP), signs in on /authorize over HTTP, and follows the redirect to a loopback
listener when the library runs one.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

REPO_ROOT = Path(__file__).resolve().parents[2]
DOTNET_DRIVER = REPO_ROOT / ".tools" / "interop" / "dotnet" / "out" / "Interop.dll"
NODE_DIR = REPO_ROOT / "tests" / "interop" / "node"
PYTHON_DRIVER = Path(__file__).with_name("azure_identity_driver.py")
BROWSER_DIR = Path(__file__).with_name("browser")
DRIVER_TIMEOUT = 60.0

# Library name -> which driver runs it.
LIBRARIES = ("msal", "azure-identity-dotnet", "msal-node", "azure-identity-node", "azure-identity-python")


@dataclass
class Run:
    """What a driver reported: every event in order."""

    events: list[dict[str, Any]] = field(default_factory=list)
    stderr: str = ""

    @property
    def tokens(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == "token"]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == "error"]

    @property
    def outcomes(self) -> list[dict[str, Any]]:
        """Token and error events in order: one per step of the scenario."""
        return [e for e in self.events if e["event"] in ("token", "error")]


def command(library: str) -> tuple[list[str], dict[str, str]]:
    """argv and extra environment to run `library`'s driver (CA trust is each runtime's usual one)."""
    if library in ("msal", "azure-identity-dotnet"):
        return [shutil.which("dotnet") or "dotnet", str(DOTNET_DRIVER)], {}
    if library in ("msal-node", "azure-identity-node"):
        return [shutil.which("node") or "node", str(NODE_DIR / "driver.mjs")], {}
    if library == "azure-identity-python":
        return [sys.executable, str(PYTHON_DRIVER)], {}
    raise ValueError(library)


def driver_library_name(library: str) -> str:
    return {"msal": "msal", "azure-identity-dotnet": "azure-identity", "msal-node": "msal-node",
            "azure-identity-node": "azure-identity", "azure-identity-python": "azure-identity"}[library]


def run(
    emulator: Any,
    library: str,
    scenario: Mapping[str, Any],
    *,
    on_step: Callable[[dict[str, Any]], None] | None = None,
    approve_as: str | None = None,
    mfa: bool = True,
) -> Run:
    """Run `scenario` with `library` against `emulator`; returns every event the driver reported."""
    argv, extra = command(library)
    env = dict(os.environ)
    ca = emulator.ca_bundle
    # Each runtime's ordinary way to trust a private CA.
    env.update(SSL_CERT_FILE=ca, NODE_EXTRA_CA_CERTS=ca, REQUESTS_CA_BUNDLE=ca, CURL_CA_BUNDLE=ca,
               DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1", AZURE_IDENTITY_DISABLE_CP1="1", **extra)
    env.pop("AZURE_CLIENT_ID", None)
    # Nothing may leave the machine: any request a library sends elsewhere than loopback goes to a
    # proxy that is not there, and fails (the in-process guard of tests/emulator cannot see children).
    env.update(HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost",
               https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9", no_proxy="127.0.0.1,localhost")
    # The system browser a library launches is tests/interop/browser/xdg-open: it writes the URL here.
    browser_file = Path(tempfile.mkdtemp(prefix="interop-browser-")) / "urls"
    env.update(PATH=f"{BROWSER_DIR}{os.pathsep}{env.get('PATH', '')}", BROWSER=str(BROWSER_DIR / "xdg-open"),
               SAM_BRIDGE_INTEROP_BROWSER_FILE=str(browser_file))
    full = {"library": driver_library_name(library), "authority_host": emulator.authority_host, **scenario}
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=str(NODE_DIR if "node" in library else REPO_ROOT))
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)
    reader.start()
    timer = threading.Timer(DRIVER_TIMEOUT, process.kill)
    timer.start()
    result = Run()
    if scenario["flow"] == "browser":
        browser = threading.Thread(
            target=_system_browser, args=(emulator, browser_file, scenario, approve_as, result, process), daemon=True
        )
        browser.start()
    try:
        _send(process, json.dumps(full))
        for line in process.stdout:
            if not line.startswith("{"):
                continue  # a library's own console output
            event = json.loads(line)
            result.events.append(event)
            kind = event["event"]
            if kind == "device_code":
                approve_on_devicelogin(emulator, event["user_code"], approve_as or emulator.ids.admin, mfa=mfa)
                continue
            if kind in ("auth_url", "need_code"):
                _send(process, play_browser(emulator, event, scenario, approve_as=approve_as))
                continue
            if on_step is not None:
                on_step(event)
            _send(process, "")
        process.wait(30)
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(10)
    result.stderr = "".join(stderr)
    assert process.returncode == 0, f"{library} driver exited {process.returncode}:\n{result.events}\n{result.stderr}"
    return result


def _system_browser(emulator: Any, urls: Path, scenario: Mapping[str, Any], approve_as: str | None,
                    result: Run, process: "subprocess.Popen[str]") -> None:
    """Wait for the library to launch the browser, then sign in and end on its loopback listener."""
    deadline = time.monotonic() + DRIVER_TIMEOUT
    while not (urls.exists() and urls.read_text().strip()):
        if time.monotonic() > deadline or process.poll() is not None:
            return
        time.sleep(0.1)
    event = {"event": "auth_url", "url": urls.read_text().splitlines()[0], "loopback": True, "system_browser": True}
    result.events.append(event)
    try:
        play_browser(emulator, event, scenario, approve_as=approve_as)
    except Exception as exc:  # reported through the run's events; the driver then times out or fails
        result.events.append({"event": "browser_error", "message": repr(exc)})


def _send(process: "subprocess.Popen[str]", line: str) -> None:
    try:
        assert process.stdin is not None
        process.stdin.write(line + "\n")
        process.stdin.flush()
    except BrokenPipeError:
        pass


def approve_on_devicelogin(emulator: Any, user_code: str, username: str, *, mfa: bool = True) -> None:
    """Enter the code on /devicelogin and sign in like a person: password, then TOTP, then consent."""
    from tests.emulator._helpers import HtmlPage

    browser = emulator.http()
    base = emulator.authority_host
    page = HtmlPage(browser.post(f"{base}/devicelogin", data={"code": user_code}))
    page = HtmlPage(page.submit(browser, base, username=username, password=emulator.ids.password))
    if "otp" in page.ids and mfa:
        page = HtmlPage(page.submit(browser, base, otp=emulator.totp()))
    assert page.title.startswith("Are you trying to sign in"), page.error or page.html
    done = HtmlPage(page.submit(browser, base, action="accept"))
    assert "You have signed in" in done.html, done.error or done.html


def play_browser(emulator: Any, event: Mapping[str, Any], scenario: Mapping[str, Any], *, approve_as: str | None) -> str:
    """Sign in on /authorize over HTTP; returns the redirect URL (after delivering it to a loopback)."""
    import requests

    from tests.emulator._helpers import HtmlPage, browser_sign_in_response

    if event["event"] == "need_code":
        # The credential takes a code the app got itself: build the app's authorize request.
        from urllib.parse import urlencode

        query = urlencode({"client_id": scenario["client_id"], "response_type": "code",
                           "redirect_uri": scenario.get("redirect_uri", "http://localhost"),
                           "scope": " ".join(scenario["scopes"] + ["offline_access", "openid", "profile"])})
        auth_uri = f"{emulator.authority(scenario['tenant'])}/oauth2/v2.0/authorize?{query}"
    else:
        auth_uri = event["url"]
    response = browser_sign_in_response(emulator, auth_uri, approve_as or emulator.ids.admin)
    if response.status_code == 302:
        location = response.headers["Location"]
        if event.get("loopback"):
            answer = requests.get(location, timeout=30)  # the library's own listener: the browser's last hop
            assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        return location
    # response_mode=form_post: the page's form posts the answer to the redirect URI, as its script would.
    page = HtmlPage(response)
    assert page.forms and page.form["action"].startswith("http://localhost"), page.html
    answer = requests.post(page.form["action"], data=page.form["fields"], timeout=30)
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])
    return page.form["action"]
