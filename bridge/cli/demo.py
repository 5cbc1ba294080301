"""`sam-bridge demo`: the whole Secure Application Model job, offline, against the embedded emulator.

It uses a temporary config file and the memory store, so nothing on the machine is touched.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Callable

ARM = "https://management.azure.com/.default"
GRAPH = "https://graph.microsoft.com/.default"
PARTNER_CENTER = "https://api.partnercenter.microsoft.com/user_impersonation"


def run(say: Callable[[str], None] = print) -> int:
    import pyotp

    from .._api import Config, Profile, consent, get_token, refresh_token_fingerprint, remove_refresh_token, status
    from .._core.errors import SamBridgeError
    from ..emulator import load_seed, start_in_thread

    seed = load_seed(None)
    admin = next(u for u in seed["users"] if u.get("totp_secret"))
    app = next(a for a in seed["apps"] if a.get("public_client") and a.get("multi_tenant"))
    tenants = {t["domain"].split(".")[0]: t for t in seed["tenants"]}
    partner, fabrikam, tailspin = tenants["contosopartner"], tenants["fabrikam"], tenants["tailspin"]

    say("sam-bridge demo: consent once with MFA, then exchange unattended (offline, nothing leaves 127.0.0.1)\n")
    emulator = start_in_thread()
    control = emulator.client()
    try:
        say(f"[1/7] Started the Entra ID emulator at {emulator.authority_host} ({partner['name']}, "
            f"{len(tenants) - 1} customer tenants).")
        with tempfile.TemporaryDirectory(prefix="sam-bridge-demo-") as home:
            config = Config.load(Path(home) / "config.toml")
            profile = Profile(
                name="demo", app_id=app["app_id"], tenant=partner["domain"], authority_host=emulator.authority_host,
                ca_bundle=emulator.ca_bundle, store="memory:demo", customers=(fabrikam["domain"],),
                custom_authority=True,  # the emulator is not a Microsoft authority host, and is meant
            )
            config.set_profile(profile)
            config.save()
            say(f"[2/7] Created profile 'demo': public client {app['name']!r} ({app['app_id']}), partner tenant "
                f"{partner['domain']}, refresh token kept in {profile.store}.")

            def sign_in(message: str) -> None:
                say("[3/7] Consent (device code). sam-bridge printed:\n      " + message)
                code = next(c for c in control.device_codes() if c["client_id"] == app["app_id"])
                otp = pyotp.TOTP(admin["totp_secret"]).now()
                control.approve_device_code(code["user_code"], admin["upn"], admin["password"], otp)
                say(f"      The user {admin['upn']} opened the page, entered {code['user_code']}, signed in with "
                    f"password and authenticator code {otp} (MFA).")

            result = consent(profile, "device-code", prompt=sign_in)
            say(f"      Refresh token stored (fingerprint {refresh_token_fingerprint(profile)}); consent by {result.user}, "
                f"MFA {'satisfied' if result.mfa else 'NOT satisfied'}.")

            say("[4/7] Exchanges for the partner tenant (each redemption rotates the stored refresh token):")
            for scope in (ARM, GRAPH, PARTNER_CENTER):
                token = get_token(profile, [scope])
                scp = str(token.claims.get("scp", ""))
                scp = scp if len(scp) <= 40 else scp[:37] + "..."
                say(f"      {scope:<58} aud={token.audience}  scp={scp}  "
                    f"refresh token now {refresh_token_fingerprint(profile)}")

            say(f"[5/7] Exchanges for customer tenant {fabrikam['name']} under GDAP:")
            for scope in (ARM, GRAPH):
                token = get_token(profile, [scope], fabrikam["domain"])
                say(f"      {scope:<58} tid={token.tenant_id}  aud={token.audience}")
            try:
                get_token(profile, [GRAPH], tailspin["domain"])
            except SamBridgeError as exc:
                say(f"      {tailspin['name']} (no GDAP relationship) is refused, with a remediation:\n"
                    f"        {exc.message}\n        {exc.remediation}")

            seq = control.requests()[-1]["seq"]
            started = time.perf_counter()
            get_token(profile, [GRAPH])
            elapsed = (time.perf_counter() - started) * 1000
            say(f"[6/7] The Graph token again: served from the cache in {elapsed:.1f} ms, "
                f"{len(control.requests(seq))} requests reached the emulator.")

            st = status(profile).to_dict()
            say(f"[7/7] Status: issued {st['issued_at']}, last redeemed {st['last_redeemed_at']}, expires from "
                f"inactivity {st['expires_at']} ({st['days_left']} days left, state {st['state']}).")
            remove_refresh_token(profile)  # and the cached access tokens

            from .demo_app import run_lifecycle

            run_lifecycle(emulator, control, home, admin, say)
    finally:
        control.close()
        emulator.stop()
    say("\nDone: the emulator is stopped and the demo profile and its tokens are gone.")
    return 0
