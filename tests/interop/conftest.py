"""Interop suite: Microsoft's own client libraries (MSAL.NET, Azure.Identity .NET/Node/Python, msal-node)
against the emulator. The drivers are built and installed by scripts/setup-interop.sh (`make test`)."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.emulator.conftest import only_loopback_network  # noqa: F401 (the same network guard)

from ._drivers import DOTNET_DRIVER, NODE_DIR, REPO_ROOT


@pytest.fixture(scope="session", autouse=True)
def drivers_installed() -> None:
    """The suite needs what setup installs; a missing driver is a set-up fault, reported as such."""
    needed = (DOTNET_DRIVER, NODE_DIR / "node_modules" / "@azure" / "msal-node",
              REPO_ROOT / ".tools" / "interop" / "sample-dotnet" / "EmulatorSignIn.dll")
    missing = [str(p) for p in needed if not p.exists()]
    assert not missing, f"run `bash scripts/setup-interop.sh` (make test does): missing {missing}"


@pytest.fixture
def client_certificate(emulator: Any, tmp_path: Path) -> dict[str, Any]:
    """A fresh certificate registered with the certificate app, as PEM files plus both thumbprints."""
    import base64

    from tests.emulator._helpers import certificate

    cert = certificate()
    emulator.add_certificate(emulator.ids.cert_app, cert["certificate"])
    key_file, cert_file, bundle = tmp_path / "client.key", tmp_path / "client.crt", tmp_path / "client.pem"
    key_file.write_text(cert["private_key"])
    cert_file.write_text(cert["certificate"])
    bundle.write_text(cert["private_key"] + cert["certificate"])
    der = base64.b64decode("".join(cert["certificate"].strip().splitlines()[1:-1]))
    return {
        "key_file": str(key_file), "certificate_file": str(cert_file), "bundle_file": str(bundle),
        "thumbprint": hashlib.sha1(der).hexdigest().upper(), "thumbprint_sha256": hashlib.sha256(der).hexdigest().upper(),
    }
