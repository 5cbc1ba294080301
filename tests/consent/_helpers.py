"""What the browser tests share: the CLI as a live subprocess, and the emulator pages as a person uses them."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import parse_qs, urlsplit

import pyotp

REPO_ROOT = Path(__file__).resolve().parents[2]
PARTNER_CENTER = "https://api.partnercenter.microsoft.com/user_impersonation"
PARTNER_CENTER_AUDIENCE = "https://api.partnercenter.microsoft.com"


class LiveCli:
    """`python -m bridge ARGS` running in the background, its stdout and stderr collected as they come.

    The consent commands wait on a person (a browser, a pasted URL), so the test needs them running
    while it drives Chromium; `subprocess.run` would block.
    """

    def __init__(self, handle: Any, *args: str, env: Mapping[str, str] | None = None, stdin: bool = False) -> None:
        self.args = args
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "bridge", *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**handle.env, **(env or {})},
            cwd=str(REPO_ROOT),
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._pump, args=(self.popen.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._pump, args=(self.popen.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _pump(stream: Any, sink: list[str]) -> None:
        # read(1) rather than lines: the print-url prompt "Redirected URL: " ends without a newline
        while True:
            char = stream.read(1)
            if not char:
                return
            sink.append(char)

    def poll(self) -> int | None:
        return self.popen.poll()

    @property
    def returncode(self) -> int | None:
        return self.popen.returncode

    def err(self) -> str:
        return "".join(self.stderr)

    def out(self) -> str:
        return "".join(self.stdout)

    def output(self) -> str:
        return f"--- stdout ---\n{self.out()}\n--- stderr ---\n{self.err()}"

    def wait_for_stderr(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """The first match of `pattern` in what the CLI printed to stderr so far (waiting for it)."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            found = regex.search(self.err())
            if found:
                return found
            if self.poll() is not None:
                time.sleep(0.1)  # let the readers drain the pipes
                found = regex.search(self.err())
                if found:
                    return found
                raise AssertionError(f"the CLI exited ({self.returncode}) without printing {pattern!r}:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"the CLI printed no {pattern!r} within {timeout:.0f} s:\n{self.output()}")

    def paste(self, text: str) -> None:
        """Type a line into the CLI's stdin and close it, as a user pasting and pressing Enter."""
        assert self.popen.stdin is not None
        self.popen.stdin.write(text + "\n")
        self.popen.stdin.flush()
        self.popen.stdin.close()

    def finish(self, timeout: float = 60.0) -> int:
        try:
            code = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the CLI did not finish within {timeout:.0f} s:\n{self.output()}") from None
        for reader in self._readers:
            reader.join(5)
        return code

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)


def printed_url(cli: LiveCli) -> str:
    """The sign-in URL the CLI printed (print-url route)."""
    return cli.wait_for_stderr(r"(https://\S+/oauth2/v2\.0/authorize\?\S+)").group(1)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def wrong_totp(secret: str) -> str:
    """A 6-digit code the emulator cannot accept now (not valid in the window around this moment)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + offset) for offset in (-90, -60, -30, 0, 30, 60, 90)}
    candidate = 123456
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


def password_page(browser: Any, emulator: Any, username: str, *, shot: str | None = None) -> None:
    """On the sign-in page: check it is the emulator's, optionally keep a screenshot, sign in."""
    assert browser.text("title") == "Sign in", browser.driver.page_source[:1000]
    browser.type("username", username)
    browser.type("password", emulator.ids.password)
    if shot:
        browser.shoot(shot)
    browser.click_and_wait("submit", lambda: browser.heading() != "Sign in" or browser.has("error"),
                           "the page after the password")
    assert not browser.has("error"), browser.text("error")


def totp_page(browser: Any, emulator: Any, *, next_heading: str, shot: str | None = None) -> None:
    """On the second-factor page: type the current authenticator code and verify."""
    assert browser.text("title") == "Enter code" and browser.has("otp"), browser.driver.page_source[:1000]
    assert browser.text("identity") == emulator.ids.admin
    browser.type("otp", emulator.totp())
    if shot:
        browser.shoot(shot)
    browser.click_and_wait("submit", lambda: browser.heading() == next_heading or browser.has("error"),
                           f"the page {next_heading!r}")
    assert not browser.has("error"), browser.text("error")
