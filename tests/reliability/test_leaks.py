"""Secret hygiene: plant sentinel secrets, run every CLI command with --verbose, and search everything
they leave behind.

Sentinels: a client secret (registered with the emulator's confidential app), a certificate's
password and private key (the certificate registered with the emulator's certificate app), a
refresh token imported into a profile, the Key Vault credential's secret and a CIPP vault's
refresh token, and every access and refresh token the emulator issued during the run (read back
from the stores and from the commands whose output is a token).

Searched: stdout and stderr of every command (the --verbose request log goes to stderr), every
file under the test's config, cache and TMPDIR directories, and the command line of every process
on the machine, sampled every few milliseconds while the commands run (token requests are slowed
down with the emulator's latency setting and a delay fault so each run is seen). By design:

* the `file:` store is plaintext (its docs and the plaintext warning say so) and is not searched;
  it is read to learn the tokens it holds, which are then searched for everywhere else;
* a command whose output *is* an access token (`token`, `params --json`, `snippet --embed-tokens`,
  the `rpc` token answer) prints one on stdout: there only refresh tokens, client secrets,
  passwords and keys are searched for.

Also checked: every file written is private (no group/other permission bits), no temporary file is
left behind, and reprs of the objects that hold secrets show none. The figures (commands run, bytes
scanned, leaks found) go to the session summary.
"""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.emulator import REPO_ROOT
from tests.reliability._helpers import GRAPH
from tests.reliability.test_bad_input import _cert, _key, _pfx

ARM = "https://management.azure.com/.default"
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")


class CmdlineSampler:
    """Reads /proc/*/cmdline in a loop while commands run; keeps every distinct command line seen."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.seen: set[bytes] = set()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as fh:
                            line = fh.read()
                    except OSError:
                        continue
                    if line:
                        self.seen.add(line.replace(b"\0", b" "))
            self.samples += 1
            time.sleep(self.interval)

    def __enter__(self) -> "CmdlineSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(5)


@dataclass
class Output:
    command: str
    channel: str
    data: bytes
    token_output: bool = False  # stdout of a command whose purpose is to print an access token


@dataclass
class LeakScan:
    """Runs commands as a user does and collects what they print; `sentinels` grows as tokens are issued."""

    env: dict[str, str]
    sentinels: dict[str, str] = field(default_factory=dict)
    outputs: list[Output] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    access_tokens: set[str] = field(default_factory=set)

    def plant(self, label: str, value: str) -> None:
        assert len(value) >= 12, label
        self.sentinels.setdefault(value, label)

    def run(self, *args: str, input: str | None = None, token_output: bool = False, ok: bool = True,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "bridge", "--verbose", *args]
        done = subprocess.run(argv, input=input, capture_output=True, text=True, env={**self.env, **(env or {})},
                              cwd=str(REPO_ROOT), timeout=180)
        label = " ".join(args[:3])
        self.commands.append(" ".join(args))
        self.outputs.append(Output(label, "stdout", done.stdout.encode(), token_output))
        self.outputs.append(Output(label, "stderr", done.stderr.encode()))
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        if ok:
            assert done.returncode == 0, f"{label}: exit {done.returncode}\n{done.stderr[-3000:]}"
        if token_output:
            self.access_tokens.update(m.decode() for m in JWT.findall(done.stdout.encode()))
        return done

    def learn_store(self, path: Path) -> None:
        """Every token in a plaintext file store becomes a sentinel for everywhere else."""
        if not path.exists():
            return
        for name, entry in json.loads(path.read_text())["entries"].items():
            value = entry["value"]
            if name.endswith("/refresh-token"):
                self.plant(f"refresh token ({name})", value)
            elif name.endswith("/access-tokens"):
                for item in json.loads(value).values():
                    self.access_tokens.add(item["access_token"])
            elif name.endswith("/client-secret"):
                self.plant(f"client secret ({name})", value)


def _files(*roots: Path) -> list[Path]:
    found = []
    for root in roots:
        for directory, _, names in os.walk(root):
            found.extend(Path(directory) / name for name in names)
    return found


def find_leaks(scan: LeakScan, cmdlines: set[bytes], files: list[Path], private_dirs: list[Path],
               temp_dir: Path) -> tuple[list[str], int]:
    """Every place a sentinel (or an access token, outside token outputs) shows up; and bytes searched."""
    leaks: list[str] = []
    scanned = 0
    secrets = {value.encode(): label for value, label in scan.sentinels.items()}
    access = {token.encode() for token in scan.access_tokens}
    for output in scan.outputs:
        scanned += len(output.data)
        for value, label in secrets.items():
            if value in output.data:
                leaks.append(f"{label} in {output.channel} of `{output.command}`")
        if not output.token_output:
            if any(token in output.data for token in access):
                leaks.append(f"an access token in {output.channel} of `{output.command}`")
            if JWT.search(output.data):
                leaks.append(f"a JWT-shaped token in {output.channel} of `{output.command}`")
    for path in files:
        data = path.read_bytes()
        scanned += len(data)
        for value, label in secrets.items():
            if value in data:
                leaks.append(f"{label} in file {path}")
        if any(token in data for token in access):
            leaks.append(f"an access token in file {path}")
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            leaks.append(f"{path} is readable by others (mode {mode:o})")
    for root in private_dirs:
        for directory, dirs, _ in os.walk(root):
            for name in dirs:
                mode = stat.S_IMODE((Path(directory) / name).stat().st_mode)
                if mode & 0o077:
                    leaks.append(f"directory {Path(directory) / name} is open to others (mode {mode:o})")
        leaks += [f"temporary file left behind: {p}" for p in _files(root) if p.name.endswith(".tmp")]
    leaks += [f"temporary file left behind: {p}" for p in _files(temp_dir)]
    for line in cmdlines:
        scanned += len(line)
        for value, label in secrets.items():
            if value in line:
                leaks.append(f"{label} in a process command line: {line[:80]!r}")
        if any(token in line for token in access):
            leaks.append(f"an access token in a process command line: {line[:80]!r}")
    return leaks, scanned


@pytest.fixture
def sentinel_emulator(emulator: Any) -> Any:
    """The emulator with a sentinel client secret and a sentinel certificate registered."""
    secret = f"Sentinel-Client-Secret-{uuid.uuid4().hex}"
    directory = emulator.get_directory()
    app = next(a for a in directory["apps"] if a["app_id"] == emulator.ids.secret_app)
    app["secrets"].append(secret)
    emulator.put_directory(directory)
    key = _key()
    cert = _cert(key)
    from cryptography.hazmat.primitives import serialization

    emulator.add_certificate(emulator.ids.cert_app, cert.public_bytes(serialization.Encoding.PEM))
    password = f"Sentinel-Cert-Password-{uuid.uuid4().hex}"
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return emulator, secret, password, _pfx(key, cert, password.encode()), key_pem


@pytest.mark.slow
def test_no_secret_leaks_from_any_command(sentinel_emulator: Any, keyvault: Any, isolated_env: dict[str, str],
                                          tmp_path: Path, figures: Any) -> None:
    emulator, client_secret, cert_password, pfx, key_pem = sentinel_emulator
    ids = emulator.ids
    home = Path(isolated_env["SAM_BRIDGE_CONFIG"]).parent
    proc_tmp = tmp_path / "proc-tmp"
    proc_tmp.mkdir()
    store = home / "secrets" / "store.json"
    env = dict(isolated_env, TMPDIR=str(proc_tmp), **keyvault.credential_env())
    scan = LeakScan(env)
    scan.plant("client secret", client_secret)
    scan.plant("certificate password", cert_password)
    for line in key_pem.splitlines()[2:-2]:  # the private key's base64 body, line by line
        scan.plant("certificate private key", line)
    scan.plant("Key Vault credential secret", keyvault.credential_env()["AZURE_CLIENT_SECRET"])
    imported = emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]
    scan.plant("imported refresh token", imported)
    cert_file = tmp_path / "client.pfx"
    cert_file.write_bytes(pfx)
    common = ["--authority-host", emulator.authority_host, "--ca-bundle", emulator.ca_bundle, "--store", f"file:{store}"]
    # Slow every token request a little, so that each command's process lives long enough to be sampled.
    emulator.update_settings(token_latency_ms=50)

    old_umask = os.umask(0o022)  # a usual umask: files must be private because sam-bridge makes them so
    try:
        with CmdlineSampler() as sampler:
            # -- profiles: public, confidential with a secret, confidential with a certificate ------------------
            scan.run("profile", "add", "pub", "--app-id", ids.public_app, "--tenant", ids.partner, *common,
                     "--customer", ids.fabrikam, "--customer", ids.northwind, "--default")
            scan.run("profile", "add", "sec", "--app-id", ids.secret_app, "--tenant", ids.partner, *common,
                     "--secret-stdin", input=client_secret + "\n")
            scan.run("profile", "add", "crt", "--app-id", ids.cert_app, "--tenant", ids.partner, *common,
                     "--certificate", str(cert_file), input=cert_password)
            scan.run("profile", "list", "--json")
            scan.run("profile", "show", "sec", "--json")
            # -- refresh tokens in, consent, exchanges ------------------------------------------------------------
            scan.run("refresh-token", "import", "--profile", "pub", input=imported)
            scan.learn_store(store)
            emulator.add_fault("delay", "token", 1, delay_seconds=0.5)
            scan.run("token", "--profile", "pub", "--scope", GRAPH, token_output=True)
            scan.run("token", "--profile", "pub", "--scope", ARM, "--json", token_output=True)
            scan.run("token", "--profile", "pub", "--scope", GRAPH, "--tenant", ids.fabrikam, "--tenant", ids.northwind,
                     "--json", token_output=True)
            scan.run("token", "--profile", "pub", "--all-customers", "--scope", ARM, token_output=True)
            scan.learn_store(store)
            consent = subprocess.Popen(
                [sys.executable, "-m", "bridge", "--verbose", "consent", "--profile", "pub", "--device-code"],
                env=env, cwd=str(REPO_ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 30
            while not emulator.device_codes() and time.monotonic() < deadline:
                time.sleep(0.05)
            code = emulator.device_codes()[0]
            emulator.approve_device_code(code["user_code"], ids.admin, ids.password, emulator.totp())
            out, err = consent.communicate(timeout=60)
            assert consent.returncode == 0 and "Traceback" not in err, err
            scan.commands.append("consent --profile pub --device-code")
            scan.outputs += [Output("consent", "stdout", out.encode()), Output("consent", "stderr", err.encode())]
            scan.learn_store(store)
            # The confidential profiles get refresh tokens of their own apps (as `consent --print-url` stores them).
            from bridge._auth.certs import load_certificate

            credential = load_certificate(pfx, cert_password.encode()).msal_credential()
            for profile, app in (("sec", emulator.secret_app(secret=client_secret)), ("crt", emulator.cert_app(credential))):
                rt = emulator.device_code_login(app, [GRAPH])["refresh_token"]
                scan.plant(f"refresh token ({profile})", rt)
                scan.run("refresh-token", "import", "--profile", profile, input=rt)
            scan.run("token", "--profile", "sec", "--scope", GRAPH, "--json", token_output=True)
            scan.run("token", "--profile", "crt", "--scope", GRAPH, "--json", token_output=True)
            scan.run("token", "--profile", "sec", "--scope", "//", ok=False)  # an error path, with --verbose
            # -- Connect-* parameters and snippets ------------------------------------------------------------------
            scan.run("params", "MgGraph", "--profile", "pub")
            scan.run("params", "AzAccount", "--profile", "pub", "--json", token_output=True)
            scan.run("params", "PartnerCenter", "--profile", "pub", "--tenant", ids.fabrikam, "--tenant", ids.northwind,
                     "--json", token_output=True, ok=False)
            scan.run("snippet", "MgGraph", "--profile", "pub")
            scan.run("snippet", "MgGraph", "--profile", "pub", "--embed-tokens", token_output=True)
            # -- lifecycle and diagnostics -------------------------------------------------------------------------
            scan.run("status", "--profile", "pub", "--json")
            scan.run("keepalive", "--profile", "pub")
            scan.run("doctor", "--profile", "sec", ok=False)
            scan.run("store", "check", "--profile", "pub")
            scan.learn_store(store)
            # -- the PowerShell module's transport: secrets in the request body on stdin ---------------------------
            rpc_rt = emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]
            scan.plant("refresh token (rpc)", rpc_rt)
            for request, token_output in (
                ({"v": 1, "command": "token", "args": {"profile": "pub", "scopes": [GRAPH], "force_refresh": True}}, True),
                ({"v": 1, "command": "status", "args": {"profile": "sec"}}, False),
                ({"v": 1, "command": "token.adhoc", "args": {"app_id": ids.public_app, "tenant": ids.partner, "scopes": [GRAPH]},
                  "secrets": {"refresh_token": rpc_rt}}, True),
                ({"v": 1, "command": "token.adhoc", "args": {"credential_user": ids.secret_app, "tenant": ids.partner,
                                                               "scopes": [GRAPH], "mode": "client_credentials",
                                                               "service_principal": True},
                  "secrets": {"client_secret": client_secret}}, True),
            ):
                answer = scan.run("rpc", input=json.dumps(request), token_output=token_output,
                                  env={"SAM_BRIDGE_AUTHORITY_HOST": emulator.authority_host,
                                       "SAM_BRIDGE_CA_BUNDLE": emulator.ca_bundle})
                assert json.loads(answer.stdout.splitlines()[-1])["ok"] is True, answer.stdout
            # -- Key Vault: a CIPP vault imported into a profile --------------------------------------------------
            from bridge._stores.keyvault import KeyVaultStore

            cipp_rt = emulator.device_code_login(emulator.secret_app(secret=client_secret), [GRAPH])["refresh_token"]
            scan.plant("refresh token (CIPP vault)", cipp_rt)
            client = KeyVaultStore(keyvault.url, ca_bundle=keyvault.ca_bundle).client
            client.set_secret("ApplicationId", ids.secret_app)
            client.set_secret("ApplicationSecret", client_secret)
            client.set_secret("TenantID", ids.partner)
            client.set_secret("RefreshToken", cipp_rt)
            scan.run("keyvault", "import-cipp", "--vault", keyvault.url, "--profile", "cipp", "--create",
                     "--authority-host", emulator.authority_host, "--ca-bundle", keyvault.ca_bundle)
            scan.run("token", "--profile", "cipp", "--scope", GRAPH, token_output=True)
            # -- removal, the emulator, the demo, version and help ---------------------------------------------------
            scan.run("refresh-token", "remove", "--profile", "crt")
            scan.run("profile", "remove", "crt")
            emulator_cmd = subprocess.Popen([sys.executable, "-m", "bridge", "--verbose", "emulator", "serve", "--port", "0"],
                                            env=env, cwd=str(REPO_ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            ready = emulator_cmd.stdout.readline()
            emulator_cmd.terminate()
            out, err = emulator_cmd.communicate(timeout=30)
            assert json.loads(ready)["authority_host"].startswith("https://127.0.0.1:")
            scan.commands.append("emulator serve")
            scan.outputs += [Output("emulator serve", "stdout", (ready + out).encode()), Output("emulator serve", "stderr", err.encode())]
            scan.run("demo")
            scan.run("--version")
            scan.run("--help")
            scan.learn_store(store)
    finally:
        os.umask(old_umask)

    # -- the scan ------------------------------------------------------------------------------------------------
    assert len(scan.access_tokens) >= 5, "the run should have issued access tokens to look for"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600, "the plaintext store must be private"
    written = [p for p in _files(home, proc_tmp) if p != store]
    leaks, scanned = find_leaks(scan, sampler.seen, written, [home], proc_tmp)
    # The sampler really saw the commands: each run's command line was observed at least once.
    seen_text = b"\n".join(sampler.seen)
    unseen = [c for c in scan.commands if not c.startswith(("consent", "emulator"))
              and f"bridge --verbose {c}".encode() not in seen_text]
    assert not unseen, f"commands never sampled (the sampler is too slow?): {unseen}"
    assert not leaks, "\n".join(leaks)
    secrets = scan.sentinels
    access = scan.access_tokens
    figures.set("leak scan", "commands", len(scan.commands))
    figures.set("leak scan", "bytes scanned", scanned)
    figures.set("leak scan", "files", len(written))
    figures.set("leak scan", "cmdlines sampled", len(sampler.seen))
    figures.set("leak scan", "sentinels", len(secrets) + len(access))
    figures.set("leak scan", "leaks found", len(leaks))


def test_reprs_show_no_secret(consented_profile: Any, figures: Any) -> None:
    """Every object that holds a secret keeps it out of repr() and str()."""
    import bridge
    from bridge._api import store_for
    from bridge._auth.certs import load_certificate
    from bridge._services.consent import ConsentResult
    from bridge._services.exchange import Redemption, obtain_token, read_refresh_token, redeem
    from bridge._targets import connect_parameters

    handle = consented_profile
    token = obtain_token(handle.profile, handle.store, [GRAPH], force_refresh=True)
    stored = read_refresh_token(handle.profile, handle.store)
    redemption = redeem(handle.profile, None, stored.value, (GRAPH,), handle.profile.tenant)
    assert isinstance(redemption, Redemption) and redemption.refresh_token
    key = _key()
    from tests.reliability.test_bad_input import _pem

    cert = load_certificate(_pem(key, _cert(key)), None)
    params = connect_parameters(handle.profile, store_for(handle.profile), "MgGraph")
    secrets = [token.token, stored.value, redemption.refresh_token, redemption.access_token.token,
               cert.private_key_pem.splitlines()[1]]
    objects = [token, stored, redemption, cert, params, handle.profile, handle.store, bridge.load_profile("contoso"),
               ConsentResult("contoso", "u", "t", (GRAPH,), True, "device-code")]
    for obj in objects:
        for text in (repr(obj), str(obj)):
            for secret in secrets:
                assert secret not in text, f"{type(obj).__name__} shows a secret"
    figures.set("leak scan", "reprs checked", len(objects))


def test_the_scan_catches_planted_leaks(tmp_path: Path) -> None:
    """The scan is not vacuous: a secret in output, a file, a file mode, a temp file or argv is reported."""
    secret = f"Planted-Secret-{uuid.uuid4().hex}"
    token = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl"
    scan = LeakScan({})
    scan.plant("planted secret", secret)
    scan.access_tokens.add(token)
    scan.outputs += [Output("echo", "stderr", f"debug: {secret}".encode()), Output("token", "stdout", token.encode(), True),
                     Output("status", "stdout", token.encode())]
    home, temp = tmp_path / "home", tmp_path / "tmp"
    (home / "open").mkdir(parents=True)
    temp.mkdir()
    (home / "written.txt").write_text(f"value={secret}")
    os.chmod(home / "written.txt", 0o644)
    os.chmod(home / "open", 0o755)
    (home / ".store.json.abcd1234.tmp").write_text("{}")
    (temp / "left-behind").write_text("x")
    with CmdlineSampler() as sampler:
        subprocess.run(["/bin/sh", "-c", "sleep 0.3", "sh", secret], check=True)
    leaks, _ = find_leaks(scan, sampler.seen, sorted(p for p in home.rglob("*") if p.is_file()), [home], temp)
    text = "\n".join(leaks)
    assert "planted secret in stderr of `echo`" in text
    assert "an access token in stdout of `status`" in text and "stdout of `token`" not in text  # token output by design
    assert f"planted secret in file {home / 'written.txt'}" in text and "is readable by others (mode 644)" in text
    assert "is open to others (mode 755)" in text
    assert text.count("temporary file left behind") == 2
    assert "planted secret in a process command line" in text
