"""The second half of `sam-bridge demo`: the SAM application's own lifecycle against the emulator.

Create the app (the partner admin signs in twice with a device code: the bootstrap client, then
the new app), consent it into two customers through Partner Center, rotate its secret, exchange
with the new secret, and watch the old one be refused.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable


def run_lifecycle(emulator: Any, control: Any, home: str, admin: dict[str, Any], say: Callable[[str], None]) -> None:
    import pyotp

    from .._api import (Config, add_profile, app_consent, app_create, app_credentials, app_rotate, get_token,
                        import_refresh_token, store_for)
    from .._core.errors import SamBridgeError

    config = Path(home) / "lifecycle.toml"
    values = {"tenant": emulator.info["partner_tenant"], "authority_host": emulator.authority_host,
              "ca_bundle": emulator.ca_bundle, "store": "memory:demo-sam", "custom_authority": True,
              "graph_url": emulator.info["graph_url"], "partner_center_url": emulator.info["partner_center_url"]}

    def sign_in(message: str) -> None:
        m = re.search(r"enter the code (\w+)", message)
        if m:
            control.approve_device_code(m.group(1), admin["upn"], admin["password"], pyotp.TOTP(admin["totp_secret"]).now())
            say(f"      device code {m.group(1)} approved by {admin['upn']} with MFA")
        else:
            say("      " + message)

    say("\nThe SAM application itself:")
    say("[1/5] sam-bridge app create sam --targets PartnerCenter,MgGraph,ExchangeOnline")
    created = app_create("sam", config=config, values=values, targets=["PartnerCenter", "MgGraph", "ExchangeOnline"], prompt=sign_in)
    profile = Config.load(config).profile("sam")
    for line in created.changes.lines():
        say(f"      {line}")
    say(f"      app {created.app_id}: secret {created.credential['hint']}... stored, refresh token stored "
        f"(MFA {'satisfied' if created.consent['mfa'] else 'NOT satisfied'})")
    customers = ["fabrikam.onmicrosoft.com", "northwind.onmicrosoft.com"]
    say("[2/5] sam-bridge app consent --tenant " + " --tenant ".join(customers))
    for result in app_consent(profile, customers):
        say(f"      {result.tenant}: {result.value.status if result.ok else 'error: ' + result.error.message}")
    token = get_token(profile, ["https://outlook.office365.com/.default"], customers[0])
    say(f"      Exchange token in {customers[0]}: tid={token.tenant_id} scp={token.claims.get('scp')}")
    old = store_for(profile).get(f"{profile.name}/client-secret")
    assert old is not None
    say("[3/5] sam-bridge app rotate: add, store, prove, remove")
    rotated = app_rotate(profile, on_step=lambda step: say(f"      step {step}"))
    say(f"      new secret {rotated.new['hint']}... until {rotated.new['end_date_time']}; removed {rotated.removed}")
    say("[4/5] Exchange with the new secret:")
    token = get_token(profile, ["https://graph.microsoft.com/.default"], customers[1], force_refresh=True)
    say(f"      Graph token in {customers[1]}: tid={token.tenant_id}")
    say("[5/5] The old secret is refused:")
    refresh = store_for(profile).get(f"{profile.name}/refresh-token")
    assert refresh is not None
    # A stale copy of the profile: the same refresh token beside the removed secret.
    add_profile("sam-old", {**profile.to_file_dict(), "store": "memory:demo-sam-old"}, client_secret=old.value, config=config)
    import_refresh_token(refresh.value, "sam-old", config=config, verify=False)  # copied as it was, unproven
    try:
        get_token("sam-old", ["https://graph.microsoft.com/.default"], config=config, force_refresh=True)
    except SamBridgeError as exc:
        say(f"      {exc.message}")
    say(f"      app credentials: {[(c.kind, c.state, c.stored) for c in app_credentials(profile)]}")
