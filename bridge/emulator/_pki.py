"""Key material: a throwaway TLS CA and leaf for 127.0.0.1, and the token-signing key published as JWKS.

With a state directory the CA and the signing key survive restarts (so a client that trusts the CA,
or cached the JWKS, keeps working); the leaf is reissued on every start, which is cheap.
"""
from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SIGNING_KEY_FILE = "signing-key.pem"
SIGNING_CERT_FILE = "signing-cert.pem"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


@dataclass
class Pki:
    """TLS server context, CA bundle path, and the token-signing key with its JWK."""

    ca_bundle: Path
    server_context: ssl.SSLContext
    signing_key: Any  # cryptography RSAPrivateKey
    kid: str
    jwk: dict[str, Any]

    @classmethod
    def load_or_create(cls, state_dir: Path) -> "Pki":
        import trustme

        state_dir.mkdir(parents=True, exist_ok=True)
        ca_path, ca_key_path = state_dir / CA_FILE, state_dir / CA_KEY_FILE
        if ca_path.exists() and ca_key_path.exists():
            ca = trustme.CA.from_pem(ca_path.read_bytes(), ca_key_path.read_bytes())
        else:
            ca = trustme.CA(organization_name="sam-bridge Entra ID emulator")
            _write_private(ca_key_path, ca.private_key_pem.bytes())
            ca_path.write_bytes(ca.cert_pem.bytes())
        leaf = ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        leaf.configure_cert(context)
        key, cert_der = _load_or_create_signing_key(state_dir)
        kid = base64.urlsafe_b64encode(hashlib.sha1(cert_der).digest()).decode().rstrip("=")
        numbers = key.public_key().public_numbers()
        jwk = {
            "kty": "RSA",
            "use": "sig",
            "kid": kid,
            "x5t": kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
            "x5c": [base64.b64encode(cert_der).decode()],
        }
        return cls(ca_path, context, key, kid, jwk)


def self_signed(common_name: str, key: Any = None, *, not_before: _dt.timedelta = _dt.timedelta(days=-1),
                not_after: _dt.timedelta = _dt.timedelta(days=3650)) -> tuple[Any, Any]:
    """A key (a new RSA 2048 one unless given) and a self-signed certificate for it, valid from
    now + `not_before` to now + `not_after`: the emulator's signing certificate, and the client
    certificates tests register with it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    if key is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _dt.datetime.now(_dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + not_before)
        .not_valid_after(now + not_after)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _load_or_create_signing_key(state_dir: Path) -> tuple[Any, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key_path, cert_path = state_dir / SIGNING_KEY_FILE, state_dir / SIGNING_CERT_FILE
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        return key, cert.public_bytes(serialization.Encoding.DER)
    key, cert = self_signed("accounts.emulator.sam-bridge.local")
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert.public_bytes(serialization.Encoding.DER)
