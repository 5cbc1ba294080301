"""Partner Center: the one client of its REST API in the core (sam-lifecycle 2.1, 2.4, 4.2).

The customer list (following `links.next` with its `MS-ContinuationToken` header) and the CPV
application-consent call. Its answers become sam-bridge errors here, once: HTTP 401 with code
900421 (an App+User token without `mfa` in `amr`) is MfaClaimError with the remediation that names
the command to consent again with Entra MFA; a transport failure names the URL to check.
"""
from __future__ import annotations

import uuid
from typing import Any, Iterator, Mapping

from .._config import Profile
from .._core.constants import PARTNER_CENTER_MFA_CODE, PARTNER_CENTER_SCOPE
from .._core.errors import MfaClaimError, ServiceError, mfa_claim_remediation
from .._stores import SecretStore

CUSTOMERS_PAGE_SIZE = 500  # Partner Center's largest page
_MAX_PAGES = 1000  # a bound against a service that never stops paging


def _customers_fix(profile: Profile, base: str) -> str:
    """What to do when the customer list cannot be had from Partner Center."""
    return (f"All customers are listed by the Partner Center API at {base}: check it is reachable from here, or set "
            f"the profile's: `sam-bridge profile add {profile.name} ... --partner-center-url URL`. Or name the "
            f"tenants instead: keep them on the profile (`--customer TENANT`) or pass them with --tenant.")


def _error_code(payload: Any) -> int | None:
    code = payload.get("code") if isinstance(payload, Mapping) else None
    try:
        return int(code) if code is not None else None
    except (TypeError, ValueError):
        return None


class PartnerCenterClient:
    """Calls to `profile.partner_center_url` with one Partner Center access token."""

    def __init__(self, profile: Profile, token: str) -> None:
        from .._auth.client import http_session

        self.profile = profile
        self.base = profile.partner_center_url
        self._token = token
        self._session = http_session(profile)

    def request(self, method: str, path: str, *, doing: str, json: Any = None,
                headers: Mapping[str, str] | None = None, fix: str | None = None) -> tuple[int, Any]:
        """(HTTP status, JSON body or {}) of one call; a transport failure (with `fix` as its remediation
        when the transport names none) or 900421 raises."""
        from .._auth.client import _transport_error

        url = path if path.startswith("https://") else f"{self.base}{path}"
        sent = {"Authorization": f"Bearer {self._token}", "Accept": "application/json",
                "MS-RequestId": str(uuid.uuid4()), "MS-CorrelationId": str(uuid.uuid4()), **(headers or {})}
        try:
            response = self._session.request(method, url, json=json, headers=sent)
        except Exception as exc:
            error = _transport_error(exc, doing, self.base)
            if fix and not error.remediation:
                error.remediation = fix
            raise error from None
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code == 401 and _error_code(payload) == PARTNER_CENTER_MFA_CODE:
            description = str(payload.get("description") or "") if isinstance(payload, Mapping) else ""
            raise MfaClaimError(
                f"Partner Center ({self.base}) refused to {doing}: error {PARTNER_CENTER_MFA_CODE}, the access token "
                f"has no MFA claim ('mfa' in amr){': ' + description if description else ''}.",
                error="mfa_required", codes=(PARTNER_CENTER_MFA_CODE,), description=description or None,
                remediation=mfa_claim_remediation(self.profile.name))
        return response.status_code, payload

    def customers(self, page_size: int = CUSTOMERS_PAGE_SIZE) -> Iterator[Mapping[str, Any]]:
        """Every customer of the partner (`GET /v1/customers`), page after page."""
        path, headers = f"/v1/customers?size={page_size}", {}
        for _ in range(_MAX_PAGES):
            status, body = self.request("GET", path, doing="list the customers", headers=headers,
                                        fix=_customers_fix(self.profile, self.base))
            if status != 200:
                raise ServiceError(f"Partner Center ({self.base}) answered HTTP {status} to the customer list"
                                   f"{_described(body)}.", remediation=_customers_fix(self.profile, self.base))
            items = body.get("items") if isinstance(body, Mapping) else None
            if not isinstance(items, list):
                raise ServiceError(f"Partner Center ({self.base}) sent a customer list sam-bridge cannot read.")
            yield from (item for item in items if isinstance(item, Mapping))
            following = (body.get("links") or {}).get("next") or {}
            if not isinstance(following, Mapping) or not following.get("uri"):
                return
            # The next link is relative to the API's base URL ("/v1/customers?size=N&seekOperation=Next").
            path = str(following["uri"])
            headers = {str(h["key"]): str(h["value"]) for h in following.get("headers") or []
                       if isinstance(h, Mapping) and "key" in h and "value" in h}
        raise ServiceError(f"Partner Center ({self.base}) kept paging past {_MAX_PAGES:,} pages of customers.")

    def add_application_consent(self, customer: str, body: Mapping[str, Any]) -> tuple[int, Any]:
        """`POST /v1/customers/{customer}/applicationconsents` (the CPV consent): status and body."""
        return self.request("POST", f"/v1/customers/{customer}/applicationconsents", json=dict(body),
                            doing=f"consent the app in {customer}")


def _described(body: Any) -> str:
    description = body.get("description") if isinstance(body, Mapping) else None
    return f" ({description})" if description else ""


def customer_tenant_ids(client: PartnerCenterClient) -> list[str]:
    """The tenant id of every customer Partner Center lists, in its order, each once."""
    tenants: list[str] = []
    for item in client.customers():
        tenant_id = (item.get("companyProfile") or {}).get("tenantId") or item.get("id")
        if isinstance(tenant_id, str) and tenant_id.lower() not in tenants:
            tenants.append(tenant_id.lower())
    return tenants


def partner_center_client(profile: Profile, store: SecretStore) -> PartnerCenterClient:
    """A client with the profile's Partner Center token (checked for the MFA claim by obtain_token)."""
    from .exchange import obtain_token

    return PartnerCenterClient(profile, obtain_token(profile, store, [PARTNER_CENTER_SCOPE]).token)


def partner_center_customers(profile: Profile, store: SecretStore) -> list[str]:
    """Every customer tenant the Partner Center API lists for the partner (following its pages)."""
    return customer_tenant_ids(partner_center_client(profile, store))
