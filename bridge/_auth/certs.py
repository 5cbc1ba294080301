"""Client certificates: loaded with `cryptography`, kept in memory or the secret store, never written out."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .._core.errors import InvalidInputError, StoreError


@dataclass(frozen=True)
class ClientCertificate:
    """A private key and its certificate, as msal wants them (PEM key + SHA-1 thumbprint)."""

    private_key_pem: str = field(repr=False)
    certificate_pem: str
    thumbprint: str
    not_after: datetime

    def msal_credential(self) -> dict[str, str]:
        return {
            "private_key": self.private_key_pem,
            "thumbprint": self.thumbprint,
            "public_certificate": self.certificate_pem,
        }

    def to_store_value(self) -> str:
        return json.dumps({"private_key_pem": self.private_key_pem, "certificate_pem": self.certificate_pem})

    @classmethod
    def from_store_value(cls, value: str) -> "ClientCertificate":
        try:
            data = json.loads(value)
            return load_certificate(
                (data["certificate_pem"] + "\n" + data["private_key_pem"]).encode("ascii"), None, check_expiry=False
            )
        except (ValueError, KeyError, TypeError, InvalidInputError):
            raise StoreError("the stored client certificate is corrupt; add it again with `sam-bridge profile add ... --certificate`.") from None


def load_certificate(data: bytes, password: bytes | None, *, check_expiry: bool = True) -> ClientCertificate:
    """Load a PEM (key + certificate) or PFX/PKCS#12 file's bytes; refuse anything unusable."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = cert = None
    if b"-----BEGIN" in data:
        try:
            cert = x509.load_pem_x509_certificate(data)
        except ValueError:
            raise InvalidInputError("the PEM file has no certificate (-----BEGIN CERTIFICATE-----).") from None
        try:
            key = serialization.load_pem_private_key(data, password=password or None)
        except TypeError:
            raise InvalidInputError(
                "the PEM private key is encrypted: give its password on stdin (or SAM_BRIDGE_CERTIFICATE_PASSWORD)."
                if not password
                else "the PEM private key is not encrypted, but a password was given."
            ) from None
        except ValueError:
            raise InvalidInputError(
                "the PEM file has no usable private key, or the password is wrong." if password
                else "the PEM file has no private key (-----BEGIN PRIVATE KEY-----)."
            ) from None
    else:
        try:
            key, cert, _ = pkcs12.load_key_and_certificates(data, password or None)
        except ValueError:
            raise InvalidInputError(
                "the file is neither PEM nor a PFX/PKCS#12 bundle, or the PFX password is wrong."
            ) from None
        if key is None or cert is None:
            raise InvalidInputError("the PFX file must hold both the private key and its certificate.")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidInputError("the private key must be RSA (Entra ID signs client assertions with RS256).")
    if key.public_key().public_numbers() != cert.public_key().public_numbers():  # type: ignore[union-attr]
        raise InvalidInputError("the private key does not belong to the certificate.")
    not_after = cert.not_valid_after.replace(tzinfo=timezone.utc)
    not_before = cert.not_valid_before.replace(tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    if check_expiry and not_after <= now:
        raise InvalidInputError(f"the certificate expired on {not_after:%Y-%m-%d %H:%M} UTC; use a current one.")
    if check_expiry and not_before > now:
        raise InvalidInputError(f"the certificate is not valid before {not_before:%Y-%m-%d %H:%M} UTC.")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return ClientCertificate(key_pem, cert_pem, cert.fingerprint(hashes.SHA1()).hex().upper(), not_after)


def generate_certificate(common_name: str, days: int) -> ClientCertificate:
    """A new RSA 2048 key and a self-signed certificate for it, valid from a minute ago for `days`.

    For an app's own credential (Graph takes at most one year); the key never leaves memory or the store.
    """
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(timezone.utc).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=days)).sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return load_certificate(pem, None)
