"""Injected faults (every kind, count, targets) and the realistic 429 from the rate limit."""
from __future__ import annotations

import http.client
import socket
import ssl
import time

import pytest
import requests

from bridge._auth.http import ResponseTooLarge, ResponseTruncated

from ._helpers import GRAPH, post_token


def client_credentials(emulator, tenant=None):
    return post_token(
        emulator,
        {"grant_type": "client_credentials", "client_id": emulator.ids.secret_app,
         "client_secret": emulator.ids.client_secret, "scope": GRAPH},
        tenant=tenant,
    )


def msal_app(emulator, *, retries: bool = False):
    """A confidential app whose transport does not retry, so msal sees exactly what the emulator sent."""
    return emulator.secret_app(http_client=emulator.http() if retries else emulator.no_retry_http())


def test_429_fault(emulator):
    emulator.add_fault("429", retry_after=7)
    response = client_credentials(emulator)
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert response.text == "Too Many Requests"
    assert client_credentials(emulator).status_code == 200  # count defaults to 1
    emulator.add_fault("429", retry_after=7)
    with pytest.raises(ValueError):  # msal cannot parse the plain-text body (fact sheet 7.2)
        msal_app(emulator).acquire_token_for_client([GRAPH])


def test_503_fault_and_the_transport_retry(emulator):
    emulator.add_fault("503", retry_after=1)
    response = client_credentials(emulator)
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    emulator.add_fault("503", retry_after=1)
    with pytest.raises(requests.HTTPError):  # msal raises for any 5xx
        msal_app(emulator).acquire_token_for_client([GRAPH])
    # bridge's session retries a POST answered 503 + Retry-After (the server did not act on it).
    emulator.add_fault("503", retry_after=1)
    started = time.monotonic()
    assert "access_token" in msal_app(emulator, retries=True).acquire_token_for_client([GRAPH])
    assert time.monotonic() - started >= 0.9


def test_500_fault(emulator):
    emulator.add_fault("500")
    response = client_credentials(emulator)
    assert response.status_code == 500
    assert response.json()["error"] == "server_error" and response.json()["error_codes"] == [50000]


def test_delay_fault(emulator):
    emulator.add_fault("delay", delay_seconds=0.5)
    started = time.monotonic()
    response = client_credentials(emulator)
    assert response.status_code == 200 and time.monotonic() - started >= 0.5


def test_token_latency_setting(emulator):
    emulator.update_settings(token_latency_ms=300)
    started = time.monotonic()
    assert client_credentials(emulator).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_malformed_fault(emulator):
    emulator.add_fault("malformed")
    response = client_credentials(emulator)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    emulator.add_fault("malformed")
    with pytest.raises(ValueError):
        msal_app(emulator).acquire_token_for_client([GRAPH])


def test_html_fault(emulator):
    emulator.add_fault("html")
    response = client_credentials(emulator)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    emulator.add_fault("html")
    with pytest.raises(ValueError):
        msal_app(emulator).acquire_token_for_client([GRAPH])


def _port(emulator) -> int:
    return int(emulator.authority_host.rsplit(":", 1)[1])


def _tls(emulator) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=emulator.ca_bundle)
    sock = socket.create_connection(("127.0.0.1", _port(emulator)), timeout=10)
    return context.wrap_socket(sock, server_hostname="127.0.0.1")


def test_truncated_fault(emulator):
    emulator.add_fault("truncated")
    connection = http.client.HTTPSConnection(
        "127.0.0.1", _port(emulator), context=ssl.create_default_context(cafile=emulator.ca_bundle), timeout=10
    )
    connection.request("POST", f"/{emulator.ids.partner}/oauth2/v2.0/token", body=b"")
    response = connection.getresponse()
    assert response.status == 200 and int(response.headers["Content-Length"]) > 4096
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    connection.close()
    # bridge's session notices the short body (urllib3 1.26 alone would hand msal cut-off JSON).
    emulator.add_fault("truncated")
    with pytest.raises(ResponseTruncated):
        msal_app(emulator).acquire_token_for_client([GRAPH])
    assert client_credentials(emulator).status_code == 200


def test_reset_fault(emulator):
    emulator.add_fault("reset")
    with pytest.raises(requests.ConnectionError):
        client_credentials(emulator)
    # Python's TLS layer reports a reset as an unexpected EOF, so look at the TCP socket itself.
    emulator.add_fault("reset")
    with _tls(emulator) as tls:
        tls.sendall(f"POST /{emulator.ids.partner}/oauth2/v2.0/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Length: 0\r\n\r\n".encode())
        with socket.socket(fileno=socket.dup(tls.fileno())) as raw:
            raw.settimeout(10)
            with pytest.raises(ConnectionResetError):
                while raw.recv(65536):  # TLS session tickets may come first; then the RST (not a FIN)
                    pass
    assert client_credentials(emulator).status_code == 200


def test_oversized_fault(emulator):
    emulator.add_fault("oversized")
    with pytest.raises(ResponseTooLarge):  # bridge's session caps responses at 1 MiB
        client_credentials(emulator)
    emulator.add_fault("oversized")
    raw = requests.Session()
    raw.trust_env = False
    response = raw.post(emulator.token_url(), data={}, verify=emulator.ca_bundle)
    assert len(response.content) > 2 * 1024 * 1024


def test_wrong_types_fault(emulator):
    emulator.add_fault("wrong_types")
    body = client_credentials(emulator).json()
    assert isinstance(body["expires_in"], list) and not isinstance(body["access_token"], str)
    emulator.add_fault("wrong_types")
    with pytest.raises((TypeError, AttributeError)):  # msal calls .split() on scope, int() on expires_in
        msal_app(emulator).acquire_token_for_client([GRAPH])


def test_missing_fields_fault(emulator):
    emulator.add_fault("missing_fields")
    body = client_credentials(emulator).json()
    assert "access_token" not in body and body["token_type"] == "Bearer"
    emulator.add_fault("missing_fields")
    result = msal_app(emulator).acquire_token_for_client([GRAPH])
    assert "access_token" not in result and "error" not in result


def test_count_target_and_clear(emulator):
    emulator.add_fault("500", count=2)
    emulator.add_fault("html", target="devicecode")
    assert [f["kind"] for f in emulator.faults()] == ["500", "html"]
    assert client_credentials(emulator).status_code == 500
    assert client_credentials(emulator).status_code == 500
    assert client_credentials(emulator).status_code == 200
    assert emulator.health()["status"] == "ok"  # the control API is never faulted
    assert emulator.clear_faults() == {"cleared": 1}
    flow = emulator.public_app().initiate_device_flow(scopes=[GRAPH])
    assert "user_code" in flow


def test_discovery_and_devicecode_targets(emulator):
    emulator.add_fault("malformed", target="discovery")
    with pytest.raises(ValueError):
        emulator.public_app(emulator.ids.fabrikam)
    emulator.add_fault("missing_fields", target="devicecode")
    flow = emulator.public_app().initiate_device_flow(scopes=[GRAPH])
    assert "user_code" not in flow and "device_code" not in flow
    emulator.add_fault("wrong_types", target="any")
    discovery = emulator.no_retry_http().get(f"{emulator.authority(emulator.ids.northwind)}/v2.0/.well-known/openid-configuration")
    assert discovery.json()["token_endpoint"] == 42


def test_fault_validation(emulator):
    from bridge.emulator import EmulatorControlError

    for bad in ({"kind": "explode"}, {"kind": "429", "target": "nowhere"}, {"kind": "delay"}, {"kind": "500", "count": 0}):
        with pytest.raises(EmulatorControlError) as excinfo:
            emulator._call("POST", "faults", bad)
        assert excinfo.value.status == 400


def test_rate_limit_answers_429_with_retry_after(emulator):
    emulator.update_settings(rate_limit={"per_second": 0.2, "burst": 2, "retry_after": 9})
    statuses = [client_credentials(emulator) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].headers["Retry-After"] == "9" and statuses[2].text == "Too Many Requests"
    # The bucket is per (client_id, tenant): another tenant is not throttled.
    assert client_credentials(emulator, tenant=emulator.ids.fabrikam).status_code == 200
    with pytest.raises(ValueError):
        msal_app(emulator).acquire_token_for_client([GRAPH])
    throttled = [r for r in emulator.requests() if r["status"] == 429]
    assert throttled and all(r["fault"] is None and r["error"] == "throttled" for r in throttled)


def test_rate_limit_computes_retry_after_when_unset(emulator):
    emulator.update_settings(rate_limit={"per_second": 0.25, "burst": 1})
    assert client_credentials(emulator).status_code == 200
    throttled = client_credentials(emulator)
    assert throttled.status_code == 429 and 1 <= int(throttled.headers["Retry-After"]) <= 4
    emulator.update_settings(rate_limit=None)
    assert client_credentials(emulator).status_code == 200
