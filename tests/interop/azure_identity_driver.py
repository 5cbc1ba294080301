"""The interop suite's Python driver: one scenario with azure-identity (Debian's python3-azure).

Same protocol as tests/interop/dotnet/Program.cs: one JSON scenario line on stdin, JSON-line events on
stdout, one stdin line awaited after each event but "device_code". The CA is trusted through
REQUESTS_CA_BUNDLE, which the suite sets to the emulator's CA for this process.
"""
from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import parse_qs, urlsplit


def emit(value: dict[str, Any], wait: bool = True) -> str:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()
    return sys.stdin.readline().strip() if wait else ""


def emit_error(exc: BaseException) -> None:
    response = getattr(exc, "response", None)
    emit({
        "event": "error",
        "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "message": getattr(exc, "message", None) or str(exc),
        "status": getattr(response, "status_code", None),
        "response_body": response.text() if response is not None else None,
        "claims": getattr(exc, "claims", None),
    })


def credential(s: dict[str, Any]) -> Any:
    import azure.identity as identity

    options = {"authority": s["authority_host"], "additionally_allowed_tenants": ["*"], "instance_discovery": False}
    if s["flow"] == "client_credentials" and s.get("client_secret"):
        return identity.ClientSecretCredential(s["tenant"], s["client_id"], s["client_secret"], **options)
    if s["flow"] == "client_credentials":
        return identity.CertificateCredential(
            s["tenant"], s["client_id"], certificate_path=s["bundle_file"],
            send_certificate_chain=bool(s.get("send_x5c")), **options,
        )
    if s["flow"] == "device_code":
        def prompt(verification_uri: str, user_code: str, expires_on: Any) -> None:
            emit({"event": "device_code", "user_code": user_code, "verification_url": verification_uri}, wait=False)

        # Unattended code wants an error, not a new prompt, when silent renewal fails.
        return identity.DeviceCodeCredential(
            client_id=s["client_id"], tenant_id=s["tenant"], prompt_callback=prompt,
            disable_automatic_authentication=True, **options
        )
    if s["flow"] == "browser":  # webbrowser opens $BROWSER; the credential listens on localhost
        return identity.InteractiveBrowserCredential(client_id=s["client_id"], tenant_id=s["tenant"], **options)
    if s["flow"] == "auth_code":
        # AuthorizationCodeCredential redeems a code the app obtained itself (it takes no PKCE verifier).
        code = parse_qs(urlsplit(emit({"event": "need_code"})).query)["code"][0]
        return identity.AuthorizationCodeCredential(
            s["tenant"], s["client_id"], code, s["redirect_uri"], client_secret=s["client_secret"], **options
        )
    raise ValueError(f"unknown flow {s['flow']}")


def main() -> None:
    s = json.loads(sys.stdin.readline())
    try:
        cred = credential(s)
        if s["flow"] == "device_code":
            cred.authenticate(scopes=s["scopes"])
        first = cred.get_token(*s["scopes"])
        emit({"event": "token", "step": s["flow"], "access_token": first.token})
        for step in s.get("then", []):
            try:
                token = cred.get_token(*step["scopes"], tenant_id=step.get("tenant"))
                emit({"event": "token", "step": "silent", "access_token": token.token, "tenant": step.get("tenant")})
            except Exception as exc:  # the test asserts on what the library raised
                emit_error(exc)
    except Exception as exc:
        emit_error(exc)


if __name__ == "__main__":
    main()
