#!/usr/bin/env python3
"""List the partner's customers through Partner Center, and check which ones sam-bridge can reach.

The reference doc's "Partner Center" section in Python, calling `bridge` directly: one Partner
Center token for the partner tenant lists the customers (GET /v1/customers); with --check, a
Microsoft Graph token is then exchanged at each customer's tenant, which works only where a GDAP
relationship and the app's consent exist, and the reason is printed where it does not.

    python samples/python/list_customers.py --profile contoso --check

The profile comes from --profile, else SAM_BRIDGE_PROFILE, else the configuration's default
(SAM_BRIDGE_CONFIG names the file). --partner-center points at another Partner Center endpoint,
e.g. the offline emulator's https://127.0.0.1:PORT/partnercenter. No token is ever printed.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

import requests

import bridge

PARTNER_CENTER = "https://api.partnercenter.microsoft.com"
PARTNER_CENTER_SCOPE = f"{PARTNER_CENTER}/user_impersonation"  # the token's audience, whatever the endpoint
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def list_customers(profile: bridge.Profile, endpoint: str) -> list[dict[str, Any]]:
    """The customers Partner Center lists for the partner (the profile's tenant)."""
    token = bridge.get_token(profile, [PARTNER_CENTER_SCOPE])
    response = requests.get(
        f"{endpoint.rstrip('/')}/v1/customers",
        headers={"Authorization": f"Bearer {token.token}", "Accept": "application/json"},
        verify=profile.ca_bundle or True,  # a profile pointing at the emulator trusts its CA
        timeout=30,
    )
    if response.status_code != 200:
        raise SystemExit(f"Partner Center answered {response.status_code}: {response.text[:300]}")
    return list(response.json().get("items", []))


def check_access(profile: bridge.Profile, tenant_id: str) -> str:
    """Whether a Microsoft Graph token can be exchanged at the customer's tenant, and if not, why."""
    try:
        token = bridge.get_token(profile, [GRAPH_SCOPE], tenant=tenant_id)
    except bridge.AuthenticationError as exc:
        return f"no access: {exc.message} {exc.remediation or ''}".strip()
    return f"Graph token until {token.expires_on:%Y-%m-%d %H:%M}Z"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", help="sam-bridge profile (default: SAM_BRIDGE_PROFILE or the config's default)")
    parser.add_argument("--partner-center", default=PARTNER_CENTER, help="Partner Center endpoint")
    parser.add_argument("--check", action="store_true", help="also exchange a Graph token at each customer")
    args = parser.parse_args(argv)
    try:
        profile = bridge.load_profile(args.profile)
        customers = list_customers(profile, args.partner_center)
        print(f"{len(customers)} customer(s) of {profile.tenant}:")
        for customer in customers:
            company = customer.get("companyProfile", {})
            tenant_id = company.get("tenantId") or customer.get("id")
            line = f"  {tenant_id}  {company.get('domain', ''):<34} {company.get('companyName', '')}"
            if args.check:
                line += f"\n      {check_access(profile, tenant_id)}"
            print(line)
    except bridge.SamBridgeError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.remediation:
            print(exc.remediation, file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
