"""Emulator-suite guard: any attempt to reach a host other than 127.0.0.1 fails the test."""
from __future__ import annotations

import socket
from typing import Any, Iterator

import pytest

_ALLOWED_HOSTS = {"127.0.0.1", "localhost", "::1", None, ""}


@pytest.fixture(autouse=True, scope="session")
def only_loopback_network() -> Iterator[None]:
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in _ALLOWED_HOSTS:
            raise AssertionError(f"the emulator suite tried to connect to {address!r}")
        return real_connect(sock, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in _ALLOWED_HOSTS:
            raise AssertionError(f"the emulator suite tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo  # type: ignore[assignment]
