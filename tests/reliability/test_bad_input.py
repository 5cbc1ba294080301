"""Bad input is refused with a specific message and a non-zero exit, never a traceback, and nothing
already stored is lost (the config and store files are compared byte for byte before and after).

Inputs reach sam-bridge from the command line, the Python API, the config file, the store file,
certificate files and the network (hostile token responses, served over real HTTPS by a proxy in
front of the emulator that rewrites what the emulator really answered). The CLI cases run
`bridge.cli.main` in this process (see `_helpers.run_cli`); a sample also runs as subprocesses.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import pytest

import bridge
from bridge._core.errors import InvalidInputError, SamBridgeError
from bridge._core.scrub import fingerprint
from tests.fixtures.profiles import ProfileHandle
from tests.reliability._helpers import GRAPH, acted_on, assert_refused, last_seq, requests_to, run_cli

APP = "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c"
TENANT = "contoso.onmicrosoft.com"


@pytest.fixture
def home(isolated_env: dict[str, str]) -> Path:
    """This test's config directory (SAM_BRIDGE_CONFIG and SAM_BRIDGE_CACHE_DIR point into it)."""
    return Path(isolated_env["SAM_BRIDGE_CONFIG"]).parent


def _snapshot(*paths: Path) -> dict[str, bytes | None]:
    return {str(p): (p.read_bytes() if p.exists() else None) for p in paths}


def _refuse(figures: Any, category: str, args: tuple[str, ...], code: int, pattern: str, *, input: str = "",
            env: dict[str, str] | None = None, keep: tuple[Path, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run the CLI, assert a clear refusal, and that the files in `keep` did not change."""
    before = _snapshot(*keep)
    result = run_cli(*args, input=input, env=env)
    assert_refused(result, code, pattern)
    assert _snapshot(*keep) == before, f"{args} changed {[p for p in before if _snapshot(Path(p)) != {p: before[p]}]}"
    figures.add("bad input", category)
    return result


# ---------------------------------------------------------------------------------------------------
# Identifiers, scopes, URLs and store URIs on the command line
# ---------------------------------------------------------------------------------------------------

BAD_APP_IDS = [
    ("", "application id is empty"),
    ("   ", "application id is empty"),
    ("not-a-guid", "is not a GUID"),
    ("１２３４５６７８-1234-1234-1234-123456789012", "is not a GUID"),  # full-width digits
    ("{d08dc19e-ba2a-454d-8b27-fe0fdf4a176c}", "is not a GUID"),
    ("d08dc19e-ba2a-454d-8b27-fe0fdf4a176c\x00", "contains control characters"),
    ("d08dc19e-ba2a-454d-8b27-fe0fdf4a176", "is not a GUID"),
    ("x" * 5000, "is not a GUID"),
]

BAD_TENANTS = [
    ("", "partner tenant is empty"),
    ("contoso", "neither a tenant id"),
    ("-contoso.com", "neither a tenant id"),
    ("контосо.рф", "neither a tenant id"),  # international names must be given as punycode
    ("a..b.com", "neither a tenant id"),
    ("contoso.onmicrosoft.com/", "neither a tenant id"),
    ("https://login.microsoftonline.com/contoso.onmicrosoft.com", "neither a tenant id"),
    ("contoso.onmicrosoft.com\u200b", "neither a tenant id"),  # a zero-width space copied from a web page
    ("contoso.onmicrosoft.com\n.evil.com", "control characters"),
    ("a" * 300 + ".com", "neither a tenant id"),
]

BAD_SCOPES = [
    ([""], "scope is empty"),
    (["  "], "scope is empty"),
    (["//"], "is not of the form APP-ID/permission"),
    (["https://management.azure.com/.default", "https://graph.microsoft.com/.default"], "span more than one resource"),
    (["User.Read", "https://management.azure.com/user_impersonation"], "span more than one resource"),
    (["https://graph.microsoft.com/.default https://graph.microsoft.com/User.Read"], "contains whitespace"),
    (["ｈｔｔｐｓ://graph.microsoft.com/.default"], "contains non-ASCII or invisible characters"),  # full-width
    (["https://graph.microsoft.com/.default\u200b"], "contains non-ASCII or invisible characters"),  # zero-width space
    (["https:///x"], "is not of the form https://resource/permission"),
    (["http://graph.microsoft.com/.default"], "is not of the form https://resource/permission"),
    (["https://graph.microsoft.com"], "is not of the form https://resource/permission"),
    (["openid", "offline_access"], "no scope given"),
    (["é"], "contains non-ASCII or invisible characters"),
    (["https://graph.microsoft.com/User.Read\u2019"], "contains non-ASCII or invisible characters"),  # a curly quote
    (["graph\tUser.Read"], "control characters"),
]

BAD_AUTHORITIES = [
    ("http://login.microsoftonline.com", "uses plain http"),
    ("http://127.0.0.1:8443", "uses plain http"),  # loopback, but test mode is off
    ("ftp://login.microsoftonline.com", "is not an https URL"),
    ("https://login.microsoftonline.com/contoso", "must be just scheme, host and optional port"),
    ("https://user:pass@login.microsoftonline.com", "must be just scheme, host and optional port"),
    ("https://login.microsoftonline.com:99999", "has an invalid port"),
    ("https://[::1", "is not a valid URL"),
    ("https://login microsoftonline.com", "has an invalid host name"),
    ("javascript:alert(1)", "is not an https URL"),
    ("login.microsoftonline.com", "is not an https URL"),
]

BAD_STORES = [
    ("", "store URI is empty"),
    ("vault", "is not known"),
    ("file:", "file store needs a path"),
    ("keyvault:", "needs the vault URL"),
    ("keyvault:http://contoso.vault.azure.net", "uses plain http"),
    ("keyvault:https://contoso.vault.azure.net?layout=cipp", "are not known"),
    ("keyvault:https://contoso.vault.azure.net/secrets/rt", "must be just scheme, host"),
    ("keyvault:https://contoso vault.azure.net", "invalid host name"),
    ("memory:../x", "may contain only letters"),
    ("keyring:a b", "may contain only letters"),
]


def _add(*extra: str, app_id: str = APP, tenant: str = TENANT) -> tuple[str, ...]:
    return ("profile", "add", "contoso", "--app-id", app_id, "--tenant", tenant, "--store", "memory", *extra)


@pytest.mark.parametrize("value, message", BAD_APP_IDS, ids=lambda v: repr(v)[:30])
def test_application_ids(value: str, message: str, home: Path, figures: Any) -> None:
    _refuse(figures, "application id", _add(app_id=value), 2, re.escape(message), keep=(home / "config.toml",))


@pytest.mark.parametrize("value, message", BAD_TENANTS, ids=lambda v: repr(v)[:30])
def test_tenants(value: str, message: str, home: Path, figures: Any) -> None:
    _refuse(figures, "tenant", _add(tenant=value), 2, re.escape(message), keep=(home / "config.toml",))


@pytest.mark.parametrize("values, message", BAD_SCOPES, ids=lambda v: repr(v)[:40])
def test_scopes(values: list[str], message: str, home: Path, figures: Any) -> None:
    args = [a for value in values for a in ("--scope", value)]
    _refuse(figures, "scope", _add(*args), 2, re.escape(message), keep=(home / "config.toml",))


@pytest.mark.parametrize("value, message", BAD_AUTHORITIES, ids=lambda v: repr(v)[:40])
def test_authority_hosts(value: str, message: str, home: Path, figures: Any) -> None:
    _refuse(figures, "authority host", _add("--authority-host", value), 2, re.escape(message), keep=(home / "config.toml",))


@pytest.mark.parametrize("value, message", BAD_STORES, ids=lambda v: repr(v)[:40])
def test_store_uris(value: str, message: str, home: Path, figures: Any) -> None:
    args = ("profile", "add", "contoso", "--app-id", APP, "--tenant", TENANT, "--store", value)
    _refuse(figures, "store uri", args, 2, re.escape(message), keep=(home / "config.toml",))


def test_plain_http_only_to_loopback_and_only_in_test_mode(home: Path, figures: Any) -> None:
    test_mode = {"SAM_BRIDGE_ALLOW_HTTP_LOOPBACK": "1"}
    _refuse(figures, "authority host", _add("--authority-host", "http://login.microsoftonline.com"), 2,
            "uses plain http", env=test_mode, keep=(home / "config.toml",))
    _refuse(figures, "authority host", _add("--authority-host", "http://10.0.0.1:8080"), 2,
            "uses plain http", env=test_mode, keep=(home / "config.toml",))
    accepted = run_cli(*_add("--authority-host", "http://127.0.0.1:8080"), env=test_mode)
    assert accepted.returncode == 0, accepted.stderr
    # The profile was saved in test mode; without it, loading the profile refuses the authority.
    _refuse(figures, "authority host", ("token", "--profile", "contoso"), 3, "uses plain http",
            keep=(home / "config.toml",))
    # And the transport refuses it whatever a caller built: no request leaves for plain http.
    from bridge._auth.http import build_session

    with pytest.raises(InvalidInputError, match="only https is allowed"):
        build_session().get("http://127.0.0.1:9/")
    figures.add("bad input", "authority host")


def test_batch_and_environment_inputs(home: Path, tmp_path: Path, figures: Any) -> None:
    assert run_cli(*_add()).returncode == 0  # a profile without a refresh token: batches fail before using it
    keep = (home / "config.toml",)
    batch = ("token", "--profile", "contoso", "--tenant", "a.onmicrosoft.com", "--tenant", "b.onmicrosoft.com")
    for concurrency in ("0", "65", "-1"):
        _refuse(figures, "batch", (*batch, "--concurrency", concurrency), 2, "concurrency must be a whole number", keep=keep)
    _refuse(figures, "batch", ("token", "--profile", "contoso", "--tenant", "not a tenant"), 2, "neither a tenant id", keep=keep)
    _refuse(figures, "batch", ("token", "--profile", "contoso", "--tenants-file", str(tmp_path / "none.txt")), 2,
            "cannot read the tenants file", keep=keep)
    listing = tmp_path / "tenants.txt"
    listing.write_bytes(b"fabrikam.onmicrosoft.com\n\xff\xfe\n")
    _refuse(figures, "batch", ("token", "--profile", "contoso", "--tenants-file", str(listing)), 2, "is not UTF-8 text", keep=keep)
    listing.write_text("fabrikam.onmicrosoft.com\nnot a tenant # oops\n")
    _refuse(figures, "batch", ("token", "--profile", "contoso", "--tenants-file", str(listing)), 2,
            "tenant on line 2 of .* is neither a tenant id", keep=keep)
    _refuse(figures, "status", ("status", "--profile", "contoso", "--warn-days", "nan"), 2, "warn days must be a number", keep=keep)
    for name in ("bad name!", "x" * 65, "-dash"):
        args = ("profile", "add", "--app-id", APP, "--tenant", TENANT, "--store", "memory", "--", name)
        _refuse(figures, "profile name", args, 2, "profile name .* is not valid", keep=keep)
    _refuse(figures, "profile name", ("token", "--profile", "nope"), 3, "profile 'nope' is not in", keep=keep)


def test_environment_settings(consented_profile: ProfileHandle, figures: Any) -> None:
    keep = (consented_profile.config_path, consented_profile.store.path)
    since = last_seq(consented_profile.emulator)
    for name, value in (("SAM_BRIDGE_HTTP_TIMEOUT", "abc"), ("SAM_BRIDGE_HTTP_TIMEOUT", "-1"), ("SAM_BRIDGE_HTTP_TIMEOUT", "0"),
                        ("SAM_BRIDGE_HTTP_RETRY_BUDGET", "nan"), ("SAM_BRIDGE_HTTP_RETRY_BUDGET", "inf"),
                        ("SAM_BRIDGE_HTTP_RETRY_BUDGET", "1e9")):
        _refuse(figures, "environment", ("token", "--profile", "contoso", "--force-refresh"), 2,
                f"{name}=.* is not a number of seconds between 0 and 3600", env={name: value}, keep=keep)
    _refuse(figures, "environment", ("token", "--profile", "contoso", "--force-refresh"), 3,
            r"uses plain http.*\(SAM_BRIDGE_AUTHORITY_HOST from the environment overrides the file\)",
            env={"SAM_BRIDGE_AUTHORITY_HOST": "http://login.example.com"}, keep=keep)
    assert requests_to(consented_profile.emulator, since, "token") == []


# ---------------------------------------------------------------------------------------------------
# Refresh tokens given on stdin
# ---------------------------------------------------------------------------------------------------

BAD_REFRESH_TOKENS = [
    ("", "no refresh token was given on stdin"),
    ("   \n", "no refresh token was given on stdin"),
    ("two words", "that is not a refresh token"),
    ("ctl\x07char", "that is not a refresh token"),
    ("x" * 20000, "that is not a refresh token"),
    ("é" * 12, "that is not a refresh token"),
]


def test_refresh_token_import_refuses_non_tokens(consented_profile: ProfileHandle, figures: Any) -> None:
    keep = (consented_profile.config_path, consented_profile.store.path)
    rt = consented_profile.refresh_token()
    for value, message in BAD_REFRESH_TOKENS:
        _refuse(figures, "refresh token", ("refresh-token", "import", "--profile", "contoso"), 2, re.escape(message),
                input=value, keep=keep)
    assert consented_profile.refresh_token() == rt


# ---------------------------------------------------------------------------------------------------
# Certificate files
# ---------------------------------------------------------------------------------------------------


def _key(kind: str = "rsa") -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1())


def _cert(key: Any, *, days_from: int = -1, days_to: int = 365) -> Any:
    from bridge.emulator._pki import self_signed

    return self_signed("sam-bridge reliability test", key, not_before=timedelta(days=days_from),
                       not_after=timedelta(days=days_to))[1]


def _pem(key: Any = None, cert: Any = None, password: bytes | None = None) -> bytes:
    from cryptography.hazmat.primitives import serialization

    out = b""
    if cert is not None:
        out += cert.public_bytes(serialization.Encoding.PEM)
    if key is not None:
        encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        out += key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    return out


def _pfx(key: Any, cert: Any, password: bytes | None) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"sam-bridge", key, cert, None, encryption)


CERT_PASSWORD = "Cert-Passw0rd!"


def _certificate_cases() -> list[tuple[str, bytes, str | None, str]]:
    rsa_key, other_key, ec_key = _key(), _key(), _key("ec")
    good = _cert(rsa_key)
    pw = CERT_PASSWORD.encode()
    return [
        ("pfx-wrong-password", _pfx(rsa_key, good, pw), "wrong-password", "neither PEM nor a PFX/PKCS#12 bundle, or the PFX password is wrong"),
        ("pfx-no-password-given", _pfx(rsa_key, good, pw), None, "the PFX password is wrong"),
        ("pem-encrypted-no-password", _pem(rsa_key, good, pw), None, "the PEM private key is encrypted"),
        ("pem-encrypted-wrong-password", _pem(rsa_key, good, pw), "wrong-password", "no usable private key, or the password is wrong"),
        ("pem-password-not-needed", _pem(rsa_key, good), "surplus", "not encrypted, but a password was given"),
        ("expired", _pem(rsa_key, _cert(rsa_key, days_from=-30, days_to=-1)), None, "the certificate expired on"),
        ("not-yet-valid", _pem(rsa_key, _cert(rsa_key, days_from=2, days_to=30)), None, "is not valid before"),
        ("key-does-not-match", _pem(other_key, good), None, "the private key does not belong to the certificate"),
        ("ec-key", _pem(ec_key, _cert(ec_key)), None, "the private key must be RSA"),
        ("key-only", _pem(rsa_key), None, "the PEM file has no certificate"),
        ("certificate-only", _pem(None, good), None, "the PEM file has no private key"),
        ("random-bytes", os.urandom(2048), None, "neither PEM nor a PFX/PKCS#12 bundle"),
        ("text-file", b"this is not a certificate\n", None, "neither PEM nor a PFX/PKCS#12 bundle"),
        ("empty-file", b"", None, "neither PEM nor a PFX/PKCS#12 bundle"),
        ("pfx-without-key", __import__("cryptography.hazmat.primitives.serialization.pkcs12", fromlist=["x"])
         .serialize_key_and_certificates(b"x", None, good, None, __import__("cryptography.hazmat.primitives.serialization", fromlist=["x"]).NoEncryption()),
         None, "must hold both the private key and its certificate"),
    ]


def test_certificate_files(home: Path, tmp_path: Path, figures: Any) -> None:
    """Each unusable certificate is refused before anything is stored; the store file never appears."""
    store = tmp_path / "secrets" / "store.json"
    for name, data, password, message in _certificate_cases():
        path = tmp_path / f"{name}.pem"
        path.write_bytes(data)
        args = ("profile", "add", "contoso", "--app-id", APP, "--tenant", TENANT, "--store", f"file:{store}",
                "--certificate", str(path))
        _refuse(figures, "certificate", args, 2, re.escape(message), input=password or "",
                keep=(home / "config.toml", store))
        assert not store.exists()
    for path, message in ((tmp_path / "missing.pfx", "cannot read the certificate file"), (tmp_path, "cannot read the certificate file")):
        _refuse(figures, "certificate", ("profile", "add", "contoso", "--app-id", APP, "--tenant", TENANT,
                                         "--store", f"file:{store}", "--certificate", str(path)), 2, message,
                keep=(home / "config.toml", store))
    # The password may come from the environment instead of stdin, with the same checks.
    key = _key()
    path = tmp_path / "env.pfx"
    path.write_bytes(_pfx(key, _cert(key), CERT_PASSWORD.encode()))
    _refuse(figures, "certificate", ("profile", "add", "contoso", "--app-id", APP, "--tenant", TENANT, "--store",
                                     f"file:{store}", "--certificate", str(path)), 2, "the PFX password is wrong",
            env={"SAM_BRIDGE_CERTIFICATE_PASSWORD": "not-it"}, keep=(home / "config.toml", store))
    accepted = run_cli("profile", "add", "contoso", "--app-id", APP, "--tenant", TENANT, "--store", f"file:{store}",
                       "--certificate", str(path), input=CERT_PASSWORD)
    assert accepted.returncode == 0, accepted.stderr  # the same file with its password works


# ---------------------------------------------------------------------------------------------------
# Corrupt config and store files: refused with the file named, and left exactly as they were
# ---------------------------------------------------------------------------------------------------

CORRUPT_CONFIGS = [
    ("not-toml", b"[[[profiles", "is not valid TOML"),
    ("not-utf8", b"default_profile = \"\xff\xfe\"\n", "is not UTF-8 text"),
    ("profiles-not-a-table", b"profiles = 3\n", "must be a table of tables"),
    ("profile-not-a-table", b"[profiles]\ncontoso = 3\n", "must be a table of tables"),
    ("app-id-a-number", b"[profiles.contoso]\napp_id = 42\ntenant = \"contoso.onmicrosoft.com\"\n", "application id must be text"),
    ("no-tenant", b"[profiles.contoso]\napp_id = \"%s\"\n" % APP.encode(), "lacks required setting"),
    ("plain-http-authority", b"[profiles.contoso]\napp_id = \"%s\"\ntenant = \"%s\"\nauthority_host = \"http://login.example.com\"\n" % (APP.encode(), TENANT.encode()), "uses plain http"),
    ("bad-store", b"[profiles.contoso]\napp_id = \"%s\"\ntenant = \"%s\"\nstore = \"vault\"\n" % (APP.encode(), TENANT.encode()), "is not known"),
    ("port-as-text", b"[profiles.contoso]\napp_id = \"%s\"\ntenant = \"%s\"\nredirect_port = \"abc\"\n" % (APP.encode(), TENANT.encode()), "is not a port number"),
    ("port-as-bool", b"[profiles.contoso]\napp_id = \"%s\"\ntenant = \"%s\"\nredirect_port = true\n" % (APP.encode(), TENANT.encode()), "is not a port number"),
    ("scope-list-of-numbers", b"[profiles.contoso]\napp_id = \"%s\"\ntenant = \"%s\"\nscopes = [1, 2]\n" % (APP.encode(), TENANT.encode()), "scope must be text"),
    ("duplicate-key", b"[profiles.contoso]\napp_id = \"%s\"\napp_id = \"%s\"\n" % (APP.encode(), APP.encode()), "is not valid TOML"),
    ("binary", bytes(range(256)), "is not UTF-8 text"),
    ("deeply-nested", b"a = " + b"[" * 100000, "nested too deeply"),
]
# Damage to the whole file stops every command, `profile add` included (it would rewrite the file).
# Damage to one profile stops the commands that use it; adding another profile still works.
_FILE_LEVEL = {"not-toml", "not-utf8", "profiles-not-a-table", "profile-not-a-table", "duplicate-key", "binary",
               "deeply-nested"}


@pytest.mark.parametrize("name, content, message", CORRUPT_CONFIGS, ids=[c[0] for c in CORRUPT_CONFIGS])
def test_corrupt_config_file(name: str, content: bytes, message: str, consented_profile: ProfileHandle, figures: Any) -> None:
    config, store = consented_profile.config_path, consented_profile.store.path
    config.write_bytes(content)
    keep = (config, store)
    commands = [(("token", "--profile", "contoso"), ""), (("status", "--profile", "contoso"), ""),
                (("keepalive", "--profile", "contoso"), ""),
                (("refresh-token", "import", "--profile", "contoso"), "0.AXkA-a-new-token-of-the-right-shape"),
                (("profile", "show", "contoso"), ""), (("profile", "remove", "contoso"), "")]
    if name in _FILE_LEVEL:
        commands.append((("profile", "add", "other", "--app-id", APP, "--tenant", TENANT, "--store", "memory"), ""))
    for args, input in commands:
        _refuse(figures, "config file", args, 3, re.escape(message), input=input, keep=keep)
    if name not in _FILE_LEVEL:
        added = run_cli("profile", "add", "other", "--app-id", APP, "--tenant", TENANT, "--store", "memory")
        assert added.returncode == 0, added.stderr
        # The broken profile is carried over as it was, for its owner to fix.
        import tomllib

        assert tomllib.loads(config.read_text())["profiles"]["contoso"] == tomllib.loads(content.decode())["profiles"]["contoso"]


def test_config_with_text_where_a_list_belongs_is_read_as_a_list(consented_profile: ProfileHandle) -> None:
    """`scopes = "https://graph.microsoft.com/.default"` (no brackets) means one scope, not 37 characters."""
    config = consented_profile.config_path
    text = config.read_text()
    text = re.sub(r"scopes = \[[^\]]*\]", 'scopes = "https://graph.microsoft.com/.default"', text)
    text = re.sub(r"customers = \[[^\]]*\]", 'customers = "fabrikam.onmicrosoft.com"', text)
    config.write_text(text)
    profile = bridge.load_profile("contoso")
    assert profile.scopes == (GRAPH,) and profile.customers == ("fabrikam.onmicrosoft.com",)


CORRUPT_STORES = [
    ("not-json", b"{\"version\": 1, \"entries\": {", "is corrupt or not a sam-bridge store"),
    ("empty", b"", "is corrupt or not a sam-bridge store"),
    ("wrong-version", b"{\"version\": 2, \"entries\": {}}", "is corrupt or not a sam-bridge store"),
    ("entries-a-list", b"{\"version\": 1, \"entries\": []}", "is corrupt or not a sam-bridge store"),
    ("value-a-number", b"{\"version\": 1, \"entries\": {\"contoso/refresh-token\": {\"value\": 42}}}", "is corrupt"),
    ("metadata-a-list", b"{\"version\": 1, \"entries\": {\"contoso/refresh-token\": {\"value\": \"x\", \"metadata\": []}}}", "is corrupt"),
    ("binary", bytes(range(256)) * 4, "is corrupt or not a sam-bridge store"),
    ("json-array", b"[1, 2, 3]", "is corrupt or not a sam-bridge store"),
    ("deeply-nested", b"[" * 100000, "is corrupt or not a sam-bridge store"),
]


@pytest.mark.parametrize("name, content, message", CORRUPT_STORES, ids=[c[0] for c in CORRUPT_STORES])
def test_corrupt_store_file(name: str, content: bytes, message: str, consented_profile: ProfileHandle, figures: Any) -> None:
    config, store = consented_profile.config_path, consented_profile.store.path
    store.write_bytes(content)
    os.chmod(store, 0o600)
    since = last_seq(consented_profile.emulator)
    keep = (config, store)
    for args, input in ((("token", "--profile", "contoso", "--force-refresh"), ""), (("status", "--profile", "contoso"), ""),
                        (("keepalive", "--profile", "contoso"), ""),
                        (("refresh-token", "import", "--profile", "contoso"), "0.AXkA-a-new-token-of-the-right-shape"),
                        (("refresh-token", "remove", "--profile", "contoso"), ""),
                        (("profile", "remove", "contoso"), ""),
                        (("store", "check", "--profile", "contoso"), "")):
        _refuse(figures, "store file", args, 6, re.escape(message), input=input, keep=keep)
    # Adding a profile that keeps a secret in that store must not rewrite it either.
    _refuse(figures, "store file", ("profile", "add", "other", "--app-id", APP, "--tenant", TENANT, "--secret-stdin",
                                    "--store", f"file:{store}"), 6, re.escape(message), input="a-client-secret", keep=keep)
    assert requests_to(consented_profile.emulator, since, "token") == [], "a corrupt store must stop before Entra"


def test_a_store_file_others_can_read_is_refused_by_the_checks(consented_profile: ProfileHandle, figures: Any) -> None:
    store = consented_profile.store.path
    os.chmod(store, 0o644)
    _refuse(figures, "store file", ("store", "check", "--profile", "contoso"), 3, r"is readable by other users \(mode 644\)",
            keep=(store,))
    os.chmod(store, 0o600)


# ---------------------------------------------------------------------------------------------------
# Hostile token responses: a TLS proxy in front of the emulator rewrites its real answers
# ---------------------------------------------------------------------------------------------------


class HostileProxy:
    """HTTPS on 127.0.0.1 (the emulator's CA) forwarding to the emulator; `mutate` rewrites token answers.

    The emulator really redeems the refresh token, so a refused answer shows the promise that
    matters: the stored token is kept, and (since a redemption does not revoke it) still works.
    """

    def __init__(self, emulator: Any) -> None:
        from bridge._auth.http import build_session
        from bridge.emulator._pki import Pki

        self.emulator = emulator
        self.upstream = emulator.authority_host
        self.session = build_session(emulator.ca_bundle, policy=__import__("bridge._auth.http", fromlist=["x"]).RetryPolicy(attempts=0))
        self.mutate: Callable[[dict[str, Any]], Any] = lambda body: body
        self.redirect: str | None = None  # when set, a token request is answered 307 to this URL instead
        self.token_requests: list[bytes] = []  # the body of every token request the proxy received
        self.delays: dict[str, float] = {}  # seconds to hold a request whose path contains the key
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.path.endswith("/oauth2/v2.0/token"):
                    proxy.token_requests.append(body or b"")
                for part, seconds in list(proxy.delays.items()):
                    if part in self.path:
                        time.sleep(seconds)
                if proxy.redirect and self.path.endswith("/oauth2/v2.0/token"):
                    self.send_response(307)
                    self.send_header("Location", proxy.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
                answer = proxy.session.request(self.command, proxy.upstream + self.path, data=body, headers=headers)
                payload = answer.content.replace(proxy.upstream.encode(), proxy.url.encode())
                if self.path.endswith("/oauth2/v2.0/token") and answer.status_code == 200:
                    mutated = proxy.mutate(json.loads(payload))
                    payload = mutated if isinstance(mutated, bytes) else json.dumps(mutated).encode()
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = Pki.load_or_create(Path(emulator.ca_bundle).parent).server_context
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.session.close()


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {**body, key: value}


def _drop(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {k: v for k, v in body.items() if k != key}


HOSTILE_RESPONSES: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("expires_in-huge", _set("expires_in", 10**30), r"expires_in is not a number of seconds"),
    ("expires_in-negative", _set("expires_in", -5), r"expires_in is not a number of seconds"),
    ("expires_in-zero", _set("expires_in", 0), r"expires_in is not a number of seconds"),
    # msal may convert expires_in itself before sam-bridge checks it: text fails there or here
    ("expires_in-text", _set("expires_in", "one hour"),
     r"expires_in is not a number of seconds|malformed response \(fields missing or of the wrong type\)"),
    ("expires_in-bool", _set("expires_in", True), r"expires_in is not a number of seconds"),
    ("expires_in-missing", _drop("expires_in"), r"expires_in is not a number of seconds"),
    ("refresh_token-empty", _set("refresh_token", ""), r"refresh_token is not text"),
    ("refresh_token-number", _set("refresh_token", 42), r"refresh_token is not text|malformed response"),
    ("refresh_token-with-space", _set("refresh_token", "two words"), r"refresh_token is not a token"),
    ("refresh_token-control-chars", _set("refresh_token", "rt\x1b[2J"), r"refresh_token is not a token"),
    ("refresh_token-huge", _set("refresh_token", "R" * 20000), r"refresh_token is not a token"),
    ("refresh_token-non-ascii", _set("refresh_token", "é" * 40), r"refresh_token is not a token"),
    ("access_token-missing", _drop("access_token"), r"no access_token"),
    ("access_token-number", _set("access_token", 1234), r"no access_token"),
    ("access_token-terminal-escape", _set("access_token", "\x1b]0;owned\x07abc"), r"access_token has spaces or control characters"),
    ("scope-a-list", _set("scope", ["https://graph.microsoft.com/.default"]), r"scope is not text|malformed response"),
    ("id_token-garbage", _set("id_token", "not.a.jwt"), r"malformed response|not valid JSON"),
    ("body-a-list", lambda body: [body], r"malformed response"),
    ("body-a-string", lambda body: "a string", r"malformed response"),
    ("body-null", lambda body: None, r"malformed response"),
    ("body-deeply-nested", lambda body: b"[" * 100000 + b"]" * 100000, r"not valid JSON"),
    ("body-invalid-utf8", lambda body: b'{"access_token": "\xff\xfe"}', r"not valid JSON"),
]


@pytest.fixture
def hostile(consented_profile: ProfileHandle, monkeypatch: pytest.MonkeyPatch) -> Any:
    # The proxy is another authority than the emulator that issued the token: presenting it there is meant.
    monkeypatch.setenv("SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE", "1")
    proxy = HostileProxy(consented_profile.emulator)
    handle = consented_profile.with_profile(authority_host=proxy.url)
    try:
        yield proxy, handle
    finally:
        proxy.close()


def test_hostile_token_responses(hostile: Any, consented_profile: ProfileHandle, figures: Any) -> None:
    proxy, handle = hostile
    emulator = handle.emulator
    rt = handle.refresh_token()
    keep = (handle.config_path, handle.store.path)
    # Through the proxy untouched, an exchange works (the proxy itself is sound).
    ok = run_cli("token", "--profile", "contoso", "--scope", GRAPH, "--force-refresh")
    assert ok.returncode == 0, ok.stderr
    rt = handle.refresh_token()
    for name, mutate, message in HOSTILE_RESPONSES:
        proxy.mutate = mutate
        since = last_seq(emulator)
        try:
            _refuse(figures, "token response", ("token", "--profile", "contoso", "--scope", GRAPH, "--force-refresh"),
                    5, message, keep=keep)
        except AssertionError as exc:
            raise AssertionError(f"hostile response {name}: {exc}") from None
        redeemed = acted_on(requests_to(emulator, since, "token"))
        assert [e["presented_rt"] for e in redeemed] == [fingerprint(rt)], name  # once, never retried
    # Every hostile answer followed a real redemption; the stored token was kept and still works.
    proxy.mutate = lambda body: body
    since = last_seq(emulator)
    assert run_cli("token", "--profile", "contoso", "--scope", GRAPH, "--force-refresh").returncode == 0
    assert [e["presented_rt"] for e in acted_on(requests_to(emulator, since, "token"))] == [fingerprint(rt)]


def test_an_error_answer_of_the_wrong_shape(hostile: Any, figures: Any) -> None:
    """{"error": 42}: Entra refused, in a form it never uses; still one message, exit 4."""
    proxy, handle = hostile
    proxy.mutate = lambda body: {"error": 42, "error_description": ["x"], "error_codes": "70000"}
    token = handle.refresh_token()
    # The store keeps the token; only the refusal is added to its record (so `status` says refused).
    _refuse(figures, "token response", ("token", "--profile", "contoso", "--scope", GRAPH, "--force-refresh"), 4,
            "Entra ID refused the request: unknown_error", keep=(handle.config_path,))
    assert handle.refresh_token() == token
    assert handle.metadata()["refusal_code"] == "unknown_error"


# ---------------------------------------------------------------------------------------------------
# The same refusals in real processes (what a scheduler or the PowerShell module sees)
# ---------------------------------------------------------------------------------------------------


def test_refusals_in_real_processes(consented_profile: ProfileHandle, tmp_path: Path, figures: Any) -> None:
    cases = [
        (("profile", "add", "x", "--app-id", "not-a-guid", "--tenant", TENANT, "--store", "memory"), "", 2, "is not a GUID"),
        (("token", "--scope", "//"), "", 2, "is not of the form APP-ID/permission"),
        (("token", "--scope", "https://graph.microsoft.com/.default", "--scope", "https://management.azure.com/.default"), "", 2,
         "span more than one resource"),
        (("refresh-token", "import"), "not a token", 2, "that is not a refresh token"),
        (("profile", "add", "x", "--app-id", APP, "--tenant", TENANT, "--authority-host", "http://127.0.0.1:1",
          "--store", "memory"), "", 2, "uses plain http"),
    ]
    keep = _snapshot(consented_profile.config_path, consented_profile.store.path)
    for args, stdin, code, message in cases:
        result = consented_profile.cli(*args, input=stdin)
        assert_refused(result, code, re.escape(message))
        figures.add("bad input", "subprocess")
    assert _snapshot(consented_profile.config_path, consented_profile.store.path) == keep


def test_api_refusals_are_typed(consented_profile: ProfileHandle, figures: Any) -> None:
    """The Python API raises the same InvalidInputError (a ValueError) the CLI reports with exit 2."""
    for call in (lambda: bridge.get_token("contoso", ["//"]),
                 lambda: bridge.get_token("contoso", [GRAPH], tenant="not a tenant"),
                 lambda: bridge.get_token("contoso", ["https://a.com/x", "https://b.com/y"]),
                 lambda: bridge.import_refresh_token("two words", "contoso"),
                 lambda: bridge.Profile("x", APP, TENANT, authority_host="http://login.example.com"),
                 lambda: bridge.Profile("x", "nope", TENANT),
                 lambda: bridge.Profile("x", APP, TENANT, store="vault")):
        with pytest.raises(InvalidInputError) as caught:
            call()
        assert isinstance(caught.value, ValueError) and isinstance(caught.value, SamBridgeError)
        assert caught.value.exit_code == 2
        figures.add("bad input", "python api")
