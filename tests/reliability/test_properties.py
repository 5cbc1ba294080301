"""Generated bad input (hypothesis): every entry point refuses what it cannot use with sam-bridge's
own error, and accepts only what its contract promises.

The API-level properties are cheap and run many examples; the CLI-level ones call
`bridge.cli.main` in this process (exit code, stderr, no traceback) and run fewer. All of them use
`derandomize=True` and no example database, so CI runs the same cases every time; each executed
example is counted and the session summary prints the total (docs/RELIABILITY.md quotes it).
"""
from __future__ import annotations

import json
import os
import re
import string
import tempfile
import uuid
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bridge._core import validate as v
from bridge._core.errors import ConfigError, InvalidInputError, ServiceError, StoreError
from tests.reliability._helpers import run_cli
from tests.reliability.conftest import FIGURES

APP = "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c"
TENANT = "contoso.onmicrosoft.com"

# Deterministic, database-less: the same examples on every machine and every run.
_COMMON = dict(derandomize=True, database=None, deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                      HealthCheck.filter_too_much, HealthCheck.data_too_large])
API = settings(max_examples=250, **_COMMON)
HEAVY = settings(max_examples=150, **_COMMON)  # certificate parsing, files on disk
CLI = settings(max_examples=150, **_COMMON)  # one in-process CLI run per example


def count(name: str) -> None:
    FIGURES.add("hypothesis examples", name)


# -- strategies ---------------------------------------------------------------------------------------

# Named functions, not lambdas, in strategies: hypothesis describes a lambda by parsing its source,
# which costs more than running most of these examples.


def _braced(g: str) -> str:
    return "{" + g + "}"


def _chopped(g: str) -> str:
    return g[:-1]


def _undashed(g: str) -> str:
    return g.replace("-", "")


def _padded(g: str) -> str:
    return " " + g + "\t"


def _dotted(parts: list[str]) -> str:
    return ".".join(parts)


def _scope(resource: str, slashes: int, permission: str) -> str:
    return resource + "/" * slashes + permission


def _url(scheme: str, host: str, port: str, tail: str) -> str:
    return f"{scheme}{host}{port}{tail}"


def _store(kind: str, sep: str, rest: str) -> str:
    return kind + sep + rest


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


def _as_toml(document: Any) -> tuple[str, Any]:
    return ("toml", document)


def _as_raw(raw: bytes) -> tuple[str, Any]:
    return ("raw", raw)


def _memory_named(text: str) -> str:
    return "memory:" + text


def _latin1(raw: bytes) -> str:
    return raw.decode("latin-1")


def _containers(inner: Any) -> Any:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)


any_text = st.text(max_size=80)
guid_text = st.uuids().map(str)
guid_like = st.one_of(
    guid_text, guid_text.map(str.upper), guid_text.map(_braced), guid_text.map(_chopped),
    guid_text.map(_undashed), guid_text.map(_padded), any_text,
)
label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
domain_like = st.one_of(
    st.lists(label, min_size=1, max_size=4).map(_dotted),
    st.lists(st.text(alphabet=string.ascii_letters + string.digits + "-._ /\\é\u200b", min_size=0, max_size=12),
             min_size=1, max_size=4).map(_dotted),
    any_text,
)
tenant_like = st.one_of(guid_like, domain_like, st.sampled_from(["common", "organizations", "consumers", ""]))
resource = st.sampled_from(["https://graph.microsoft.com", "https://management.azure.com/", "https://api.partnercenter.microsoft.com",
                            "https://outlook.office365.com", APP, "http://graph.microsoft.com", "ｈｔｔｐｓ://graph.microsoft.com",
                            "https://", "", "graph.microsoft.com"])
permission = st.one_of(st.sampled_from([".default", "user_impersonation", "User.Read", "Directory.Read.All", "", " ", "é",
                                        "a b", "/", "x\n"]), any_text)
scope_like = st.one_of(
    st.builds(_scope, resource, st.integers(0, 3), permission),
    st.sampled_from(["User.Read", "openid", "offline_access", "profile", "//", ".default", "https://graph.microsoft.com/.default"]),
    any_text,
)
host_like = st.one_of(domain_like, st.sampled_from(["127.0.0.1", "[::1]", "localhost", "10.0.0.1", "[::1", "", "exa mple.com",
                                                    "login.microsoftonline.com", "xn--e1afmkfd.xn--p1ai"]))
url_like = st.one_of(
    st.builds(_url,
              st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "", "https:/", "https:///", "javascript:"]),
              host_like, st.sampled_from(["", ":0", ":443", ":8443", ":99999", ":abc", ":"]),
              st.sampled_from(["", "/", "/tenant", "?q=1", "#f", "/?", "//"])),
    any_text,
)
store_like = st.one_of(
    st.builds(_store,
              st.sampled_from(["memory", "keyring", "file", "keyvault", "FILE", "vault", "s3", ""]),
              st.sampled_from([":", "", "::"]), st.one_of(url_like, st.sampled_from(["", "a b", "../x", "x.y_z-1"]))),
    any_text,
)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False), st.text(max_size=30))
json_value = st.recursive(json_scalar, _containers, max_leaves=8)
token_text = st.one_of(st.from_regex(r"[A-Za-z0-9._~+/=-]{1,60}", fullmatch=True), st.text(max_size=40))
token_response = st.fixed_dictionaries(
    {},
    optional={
        "access_token": st.one_of(token_text, json_value),
        "refresh_token": st.one_of(token_text, json_value, st.just("R" * 17000)),
        "expires_in": st.one_of(st.integers(-10, 10**12), st.text(max_size=8), st.floats(allow_nan=True, allow_infinity=True),
                                st.booleans(), st.none(), json_value),
        "scope": st.one_of(st.text(max_size=40), json_value),
        "token_type": json_value,
        "id_token": json_value,
    },
)


def _only(exc: BaseException, *allowed: type[BaseException]) -> None:
    """Re-raise anything that is not one of sam-bridge's own refusals."""
    if not isinstance(exc, allowed):
        raise exc


# -- identifiers, scopes, URLs, store URIs (API level) ---------------------------------------------------


@API
@given(guid_like)
@example("D08DC19E-BA2A-454D-8B27-FE0FDF4A176C")
def test_guid(value: str) -> None:
    count("guid")
    try:
        result = v.guid(value)
    except InvalidInputError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", result)
    assert uuid.UUID(result) == uuid.UUID(value.strip())


@API
@given(tenant_like)
def test_tenant(value: str) -> None:
    count("tenant")
    try:
        result = v.tenant(value, allow_alias=True)
    except InvalidInputError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert result == result.strip().lower() and result.isascii() and not any(c.isspace() for c in result)
    assert result in ("common", "organizations") or re.fullmatch(r"[0-9a-f-]{36}", result) or "." in result


@API
@given(st.lists(scope_like, min_size=0, max_size=4))
def test_scopes(values: list[str]) -> None:
    count("scopes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", v.SamBridgeWarning)
        try:
            result = v.scopes(values)
        except InvalidInputError as exc:
            assert exc.message and "\n" not in exc.message
            return
    assert result and len(set(result)) == len(result)
    assert len({v.resource_of(s) for s in result}) == 1, result  # one resource per token
    for scope in result:
        assert scope.isprintable() and not any(c.isspace() for c in scope) and "//" not in scope.replace("://", "")
        assert scope.lower() not in ("openid", "profile", "offline_access")


@API
@given(url_like, st.booleans())
def test_service_url(value: str, test_mode: bool) -> None:
    count("authority host")
    previous = os.environ.pop("SAM_BRIDGE_ALLOW_HTTP_LOOPBACK", None)
    if test_mode:
        os.environ["SAM_BRIDGE_ALLOW_HTTP_LOOPBACK"] = "1"
    try:
        result = v.service_url(value)
    except InvalidInputError as exc:
        assert exc.message and "\n" not in exc.message
        return
    finally:
        os.environ.pop("SAM_BRIDGE_ALLOW_HTTP_LOOPBACK", None)
        if previous is not None:
            os.environ["SAM_BRIDGE_ALLOW_HTTP_LOOPBACK"] = previous
    from urllib.parse import urlsplit

    from bridge._auth.http import is_loopback

    parts = urlsplit(result)
    assert parts.scheme in ("https", "http") and parts.hostname and not parts.path and not parts.query
    if parts.scheme == "http":  # plain http only to loopback, only in test mode
        assert test_mode and is_loopback(parts.hostname)


@API
@given(store_like)
def test_store_uri(value: str) -> None:
    count("store uri")
    from bridge._stores import parse_store_uri

    try:
        spec = parse_store_uri(value)
    except InvalidInputError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert spec.kind in ("keyring", "memory", "file", "keyvault")
    assert parse_store_uri(spec.uri) == spec  # normalised URIs are stable
    if spec.kind == "keyvault":
        assert spec.location.startswith("https://")


# -- network answers (API level) ----------------------------------------------------------------------


@API
@given(token_response)
def test_token_response_validation(response: dict[str, Any]) -> None:
    count("token response")
    from bridge._auth.client import MAX_EXPIRES_IN, validate_token_response

    try:
        validate_token_response(response, "https://login.example.com/tenant")
    except ServiceError as exc:
        assert "nothing was stored" in exc.message
        return
    # Whatever passes can be stored and printed safely.
    at = response["access_token"]
    assert isinstance(at, str) and at and at.isascii() and at.isprintable() and not any(c.isspace() for c in at)
    assert 0 < int(response["expires_in"]) <= MAX_EXPIRES_IN and not isinstance(response["expires_in"], bool)
    if "refresh_token" in response:
        rt = response["refresh_token"]
        assert isinstance(rt, str) and rt.isascii() and rt.isprintable() and " " not in rt and len(rt) <= 16384
    from datetime import datetime, timedelta, timezone

    datetime.now(timezone.utc) + timedelta(seconds=int(response["expires_in"]))  # never overflows


@API
@given(json_value)
def test_error_responses_map_without_failing(response: Any) -> None:
    count("error response")
    from bridge._auth import aadsts
    from bridge._core import errors as _errors

    if not isinstance(response, dict):
        response = {"error": response}
    error = aadsts.from_response(response, profile="contoso", tenant=TENANT)
    assert isinstance(error, _errors.AuthenticationError)
    assert error.message.startswith("Entra ID refused the request: ")
    json.dumps(error.to_dict())  # what the CLI --json and the PowerShell module receive is JSON


@API
@given(st.binary(max_size=2048) | json_value.map(_json_bytes))
def test_json_api_answers(body: bytes) -> None:
    """Whatever an authority sends, the JSON-API check gives JSON or a refusal, never a crash."""
    count("http body")
    from bridge._auth.http import _NOT_JSON, _json_or_none

    parsed = _json_or_none(body)
    if parsed is not _NOT_JSON:
        assert json.loads(body.decode("utf-8")) == parsed or parsed != parsed  # NaN never equals itself


# -- certificates, config files, store files, stored records (heavier: crypto and disk) ---------------------


@lru_cache(maxsize=1)
def _valid_certificate() -> bytes:
    from tests.reliability.test_bad_input import _cert, _key, _pem

    key = _key()
    return _pem(key, _cert(key))


@HEAVY
@given(st.data())
def test_certificate_bytes(data: st.DataObject) -> None:
    count("certificate")
    from bridge._auth.certs import load_certificate

    valid = _valid_certificate()
    kind = data.draw(st.sampled_from(["random", "flipped", "truncated", "spliced"]))
    if kind == "random":
        blob = data.draw(st.binary(max_size=3000))
    elif kind == "flipped":
        index = data.draw(st.integers(0, len(valid) - 1))
        blob = valid[:index] + bytes([data.draw(st.integers(0, 255))]) + valid[index + 1:]
    elif kind == "truncated":
        blob = valid[: data.draw(st.integers(0, len(valid)))]
    else:
        blob = valid.replace(b"-----END CERTIFICATE-----", data.draw(st.binary(max_size=40)) + b"-----END CERTIFICATE-----")
    password = data.draw(st.one_of(st.none(), st.binary(max_size=12)))
    try:
        cert = load_certificate(blob, password)
    except InvalidInputError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert cert.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----") and len(cert.thumbprint) == 40
    assert cert.private_key_pem not in repr(cert)


_KNOWN_KEYS = ["app_id", "tenant", "credential", "authority_host", "ca_bundle", "store", "scopes", "customers",
               "redirect_port", "partner_center_url"]
toml_scalar = st.one_of(st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False), st.text(max_size=40),
                        guid_text, tenant_like, url_like, store_like)
toml_value = st.one_of(toml_scalar, st.lists(st.one_of(scope_like, tenant_like), max_size=3))
profile_table = st.dictionaries(st.one_of(st.sampled_from(_KNOWN_KEYS), st.text(max_size=8)), toml_value, max_size=8)
config_doc = st.fixed_dictionaries(
    {"profiles": st.dictionaries(st.sampled_from(["contoso", "fabrikam", "x" * 70, "bad name"]), profile_table, max_size=2)},
    optional={"default_profile": toml_scalar, "extra": toml_value},
)


@HEAVY
@given(st.one_of(config_doc.map(_as_toml), st.binary(max_size=400).map(_as_raw)))
def test_config_files(document: tuple[str, Any]) -> None:
    """Any config file gives profiles or ConfigError/InvalidInputError, and reading never writes it."""
    count("config file")
    import tomli_w

    from bridge._config import Config

    kind, content = document
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "config.toml"
        if kind == "toml":
            for table in content["profiles"].values():  # a memory store keeps the example off the disk and the network
                if isinstance(table.get("store"), str) and table["store"].lower().startswith(("keyvault", "keyring", "file")):
                    table["store"] = "memory"
            try:
                raw = tomli_w.dumps(content).encode()
            except (TypeError, ValueError):
                return
        else:
            raw = content
        path.write_bytes(raw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                config = Config.load(path)
                for name in config.profile_names or ["contoso"]:
                    try:
                        profile = config.profile(name)
                    except (ConfigError, InvalidInputError) as exc:
                        assert exc.message
                        continue
                    assert profile.to_file_dict()["app_id"] == profile.app_id
            except (ConfigError, InvalidInputError) as exc:
                assert exc.message and str(path) in exc.message or "profile" in exc.message
        assert path.read_bytes() == raw


store_doc = st.one_of(
    st.binary(max_size=300),
    st.fixed_dictionaries({"version": st.one_of(st.just(1), json_scalar),
                           "entries": st.one_of(st.dictionaries(st.sampled_from(["contoso/refresh-token", "x"]),
                                                                st.fixed_dictionaries({}, optional={"value": json_value, "metadata": json_value}),
                                                                max_size=2), json_value)}).map(_json_bytes),
)


@HEAVY
@given(store_doc, st.text(alphabet=string.ascii_letters + string.digits + ".-_", min_size=1, max_size=40))
def test_store_files(raw: bytes, new_value: str) -> None:
    """A store file is read as a store or refused as corrupt; a refused file is never rewritten."""
    count("store file")
    from bridge._stores.file import FileStore

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "store.json"
        path.write_bytes(raw)
        store = FileStore(str(path))
        try:
            store.get("contoso/refresh-token")
            readable = True
        except StoreError as exc:
            assert "left untouched" in exc.message
            readable = False
        try:
            store.put("contoso/refresh-token", new_value, {"generation": 1})
        except StoreError:
            assert not readable
            assert path.read_bytes() == raw, "a refused write changed the store file"
            return
        assert readable
        got = store.get("contoso/refresh-token")
        assert got is not None and got.value == new_value


@API
@given(st.dictionaries(st.sampled_from(["issued_at", "last_redeemed_at", "consented_at", "user", "mfa", "scopes", "source",
                                        "generation"]),
                       st.one_of(json_scalar, st.lists(st.text(max_size=10), max_size=3),
                                 st.sampled_from(["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2024-02-30T00:00:00Z",
                                                  "2030-01-01T00:00:00+14:00", "not a date"])), max_size=8),
       st.floats(allow_nan=True, allow_infinity=True))
def test_status_of_any_stored_record(metadata: dict[str, Any], warn_days: float) -> None:
    """`status` reads records other tools (or hands) wrote; it reports, it never crashes."""
    count("stored record")
    from bridge._config import Profile
    from bridge._services.exchange import status
    from bridge._stores.memory import MemoryStore

    store = MemoryStore("prop-status")
    profile = Profile("contoso", APP, TENANT, store=store.uri)
    try:
        store.put("contoso/refresh-token", "rt-value", metadata)
    except InvalidInputError:
        return  # metadata the store contract refuses (e.g. a list of non-text) never gets stored
    try:
        result = status(profile, store, warn_days=warn_days)
    except InvalidInputError as exc:
        assert "warn days" in exc.message
        return
    assert result.state in ("ok", "warning", "expired")
    json.dumps(result.to_dict())


@API
@given(st.one_of(token_text, st.text(max_size=30), st.just("x" * 17000)))
def test_refresh_token_import(value: str) -> None:
    count("refresh token import")
    from bridge._config import Profile
    from bridge._services.exchange import import_refresh_token
    from bridge._stores.memory import MemoryStore

    store = MemoryStore("prop-import")
    profile = Profile("contoso", APP, TENANT, store=store.uri)
    store.put("contoso/refresh-token", "previous-token", {"generation": 1})
    try:
        import_refresh_token(profile, store, value, verify=False)
    except InvalidInputError as exc:
        assert exc.message
        assert store.get("contoso/refresh-token").value == "previous-token"  # a refusal keeps what was stored
        return
    stored = store.get("contoso/refresh-token").value
    assert stored == value.strip() and stored.isascii() and stored.isprintable() and " " not in stored


# -- the CLI, in process --------------------------------------------------------------------------------------


@pytest.fixture
def cli_home(isolated_env: dict[str, str], tmp_path: Path) -> Path:
    """A config dir whose profiles keep secrets in memory; any exchange would hit a closed local port."""
    os.environ["SAM_BRIDGE_HTTP_RETRY_BUDGET"] = "1"  # safety net: nothing here should reach the network
    try:
        yield Path(isolated_env["SAM_BRIDGE_CONFIG"]).parent
    finally:
        os.environ.pop("SAM_BRIDGE_HTTP_RETRY_BUDGET", None)


def _assert_clean(result: Any, allowed: tuple[int, ...]) -> None:
    where = f"argv={result.args!r}\nexit {result.returncode}\nstderr: {result.stderr[-1500:]}"
    assert result.returncode in allowed, where
    assert "Traceback" not in result.stderr + result.stdout, where
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith(("error:", "Error:"))]
        assert len(errors) == 1, where


cli_store = st.one_of(st.sampled_from(["memory", "memory:prop-cli", "vault", "", "file:", "keyvault:", "keyvault:http://x.vault.azure.net",
                                       "memory:../x", "keyring:a b"]), st.text(max_size=20).map(_memory_named))


@CLI
@given(app_id=guid_like, tenant=tenant_like, scopes=st.lists(scope_like, max_size=3), authority=st.one_of(st.none(), url_like),
       store=cli_store, customers=st.lists(tenant_like, max_size=2))
def test_cli_profile_add(cli_home: Path, app_id: str, tenant: str, scopes: list[str], authority: str | None, store: str,
                         customers: list[str]) -> None:
    count("cli profile add")
    config = cli_home / "config.toml"
    before = config.read_bytes() if config.exists() else None
    args = ["profile", "add", "contoso", "--app-id", app_id, "--tenant", tenant, "--store", store]
    for scope in scopes:
        args += ["--scope", scope]
    for customer in customers:
        args += ["--customer", customer]
    if authority is not None:
        args += ["--authority-host", authority]
    result = run_cli(*args)
    _assert_clean(result, (0, 2))
    after = config.read_bytes() if config.exists() else None
    if result.returncode != 0:
        assert after == before, "a refused profile add changed the config file"
    else:
        shown = run_cli("profile", "show", "contoso", "--json")
        assert shown.returncode == 0 and json.loads(shown.stdout)["app_id"] == app_id.strip().lower()


@CLI
@given(scopes=st.lists(scope_like, max_size=3), tenants=st.lists(tenant_like, max_size=3), concurrency=st.integers(-2, 70))
def test_cli_token(cli_home: Path, scopes: list[str], tenants: list[str], concurrency: int) -> None:
    count("cli token")
    if not (cli_home / "config.toml").exists():
        assert run_cli("profile", "add", "contoso", "--app-id", APP, "--tenant", TENANT, "--store",
                       f"memory:prop-empty-{uuid.uuid4().hex[:8]}", "--authority-host", "https://127.0.0.1:9").returncode == 0
    args = ["token", "--profile", "contoso", "--concurrency", str(concurrency)]
    for scope in scopes:
        args += ["--scope", scope]
    for tenant in tenants:
        args += ["--tenant", tenant]
    result = run_cli(*args)
    # 2: refused input; 3: no refresh token (nothing was sent); 1: a batch whose every tenant reported it.
    _assert_clean(result, (1, 2, 3))


@CLI
@given(st.one_of(token_text, st.text(max_size=40), st.binary(max_size=40).map(_latin1)))
def test_cli_refresh_token_import(cli_home: Path, value: str) -> None:
    count("cli refresh-token import")
    if not (cli_home / "config.toml").exists():
        assert run_cli("profile", "add", "importer", "--app-id", APP, "--tenant", TENANT, "--store", "memory:prop-import-cli").returncode == 0
    result = run_cli("refresh-token", "import", "--profile", "importer", "--no-verify", input=value)
    _assert_clean(result, (0, 2))
