"""Browser-suite fixtures: one real headless Chromium (Debian `chromium` + `chromium-driver`) per session.

* `chrome` (session): the WebDriver. Started once (~2 s) and shared; `browser` clears its cookies
  before each test so no sign-in session leaks from one test into the next.
* `browser` (function): a `Browser` with the page helpers the tests use (fill, click, wait, shoot).
* `browser_command` (function): a `BROWSER` program for the CLI under test. Python's `webbrowser`
  runs the program named by `BROWSER` with the URL; ours appends it to a file the test reads, so
  the CLI's own `webbrowser.open` call hands the sign-in URL to the test's Chromium.

Network: Chromium may reach only 127.0.0.1/localhost (`--host-resolver-rules` maps every other
name to NOTFOUND, and background networking is off); the test process itself is held to loopback by
the emulator suite's guard, imported below.
"""
from __future__ import annotations

import base64
import hashlib
import os
import ssl
import stat
import time
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest

from tests.emulator.conftest import only_loopback_network  # noqa: F401  (autouse guard, re-used)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 15.0
POLL = 0.05  # WebDriverWait's default half second would add up over a dozen page changes


def _spki_sha256(host: str, port: int) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)) of the certificate the server presents."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    pem = ssl.get_server_certificate((host, port))
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


@pytest.fixture(scope="session")
def chrome(emulator_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the session, trusting the emulator's TLS key and nothing else extra."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: run scripts/setup.sh (it installs chromium and chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    authority = urlsplit(emulator_server.info["authority_host"])
    # The emulator's certificate comes from a throw-away CA that Chromium does not trust, and Debian's
    # Chromium has no NSS tool installed to add it (certutil is in libnss3-tools, not set up). Instead
    # of --ignore-certificate-errors (which would accept any certificate), Chromium is told to accept
    # exactly the emulator's public key: --ignore-certificate-errors-spki-list (honoured with a
    # --user-data-dir). Any other certificate error still fails the page.
    pin = _spki_sha256(authority.hostname or "127.0.0.1", authority.port or 443)
    profile_dir = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # tests run as root in a container
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",  # the loopback redirect is plain http
        f"--user-data-dir={profile_dir}",
        f"--ignore-certificate-errors-spki-list={pin}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
        "--window-size=960,720",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    # An explicit Service path: selenium-manager is never asked to download a driver.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    # A fixed 960x720 viewport whatever the headless screen size: every emulator page fits without a
    # scroll bar, and screenshots of every run have the same size.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 960, "height": 720, "deviceScaleFactor": 1, "mobile": False})
    try:
        yield driver
    finally:
        driver.quit()


class Browser:
    """The shared Chromium seen through what a person does: open, type, click, read, and a screenshot."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def open(self, url: str) -> None:
        self.driver.get(url)

    def element(self, element_id: str, timeout: float = WAIT) -> Any:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=POLL).until(ec.visibility_of_element_located((By.ID, element_id)))

    def text(self, element_id: str) -> str:
        return self.element(element_id).text.strip()

    def has(self, element_id: str) -> bool:
        from selenium.webdriver.common.by import By

        return bool(self.driver.find_elements(By.ID, element_id))

    def type(self, element_id: str, value: str) -> None:
        field = self.element(element_id)
        field.clear()
        field.send_keys(value)

    def click_and_wait(self, element_id: str, until: Callable[[], bool], what: str) -> None:
        """Click, then wait until the page was replaced (the form posted) and `until()` holds."""
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        from selenium.common.exceptions import WebDriverException

        old = self.driver.find_element("tag name", "html")
        self.element(element_id).click()
        try:
            # While the old document is torn down chromedriver may answer a transient error ("Cannot
            # find context with specified id") instead of "stale": ask again rather than fail.
            WebDriverWait(self.driver, WAIT, poll_frequency=POLL, ignored_exceptions=(WebDriverException,)).until(
                ec.staleness_of(old))
            WebDriverWait(self.driver, WAIT, poll_frequency=POLL, ignored_exceptions=(Exception,)).until(lambda _: until())
        except Exception as exc:
            # The page's visible text (its source opens with a long stylesheet) and whether the
            # click navigated at all, so that a failure says which side stalled.
            try:
                shown = self.driver.find_element("tag name", "body").text
            except Exception:  # noqa: BLE001 - a diagnostic must not hide the failure
                shown = self.driver.page_source[-2000:]
            stale = "the page was replaced" if self._is_stale(old) else "the click did not navigate"
            raise AssertionError(
                f"no {what} ({type(exc).__name__}: {str(exc).strip()[:300]}; {stale}); "
                f"the browser is at {self.driver.current_url}, showing:\n{shown[:2000]}"
            ) from None

    @staticmethod
    def _is_stale(element: Any) -> bool:
        try:
            element.is_enabled()
            return False
        except Exception:  # noqa: BLE001 - StaleElementReferenceException, or the session ended
            return True

    def heading(self) -> str:
        """The page's h1 (the emulator's #title, the loopback page's #result)."""
        from selenium.webdriver.common.by import By

        found = self.driver.find_elements(By.TAG_NAME, "h1")
        return found[0].text.strip() if found else ""

    def shoot(self, name: str) -> Path:
        """Keep a PNG of what the user sees now, under test-artifacts/screenshots/."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        assert self.driver.save_screenshot(str(path)), f"Chromium took no screenshot for {name}"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 2000, path
        return path


@pytest.fixture
def browser(chrome: Any) -> Iterator[Browser]:
    """The session's Chromium, with no cookies from earlier tests (the emulator's ESTSAUTH session
    cookie would otherwise carry a sign-in from one test into the next)."""
    chrome.get("about:blank")
    chrome.execute_cdp_cmd("Network.clearBrowserCookies", {})
    assert chrome.execute_cdp_cmd("Network.getAllCookies", {})["cookies"] == []
    view = Browser(chrome)
    try:
        yield view
    finally:
        chrome.get("about:blank")


class BrowserCommand:
    """A `BROWSER` program that records the URLs it is asked to open, one a line."""

    def __init__(self, directory: Path) -> None:
        self.urls_file = directory / "opened-urls.txt"
        self.program = directory / "fake-xdg-open"
        self.program.write_text(
            "#!/bin/sh\n"
            "# Python's webbrowser runs BROWSER with the URL as its only argument.\n"
            f"printf '%s\\n' \"$1\" >> '{self.urls_file}'\n",
            encoding="utf-8",
        )
        self.program.chmod(self.program.stat().st_mode | stat.S_IXUSR)

    @property
    def env(self) -> dict[str, str]:
        return {"BROWSER": str(self.program)}

    def wait_for_url(self, process: Any, timeout: float = 30.0) -> str:
        """The URL the CLI opened; fails early with the CLI's output if it exits first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.urls_file.exists():
                lines = self.urls_file.read_text(encoding="utf-8").split()
                if lines:
                    return lines[-1]
            if process.poll() is not None:
                raise AssertionError(f"the CLI exited ({process.returncode}) before opening a browser:\n{process.output()}")
            time.sleep(0.05)
        raise AssertionError(f"the CLI opened no browser within {timeout:.0f} s:\n{process.output()}")


@pytest.fixture
def browser_command(tmp_path: Path) -> BrowserCommand:
    return BrowserCommand(tmp_path)
