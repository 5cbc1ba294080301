"""A Partner Center stand-in: `GET /partnercenter/v1/customers` lists the partner's GDAP customers.

It accepts only bearer tokens this emulator issued for Partner Center whose `tid` is a partner
tenant, the same check the real API makes, and lists customers with an ACTIVE GDAP relationship.
"""
from __future__ import annotations

from typing import Any

from ._oauth import RequestInfo
from ._resources import PARTNER_CENTER
from ._state import EmulatorState
from ._tokens import TokenValidationError

AUDIENCE = PARTNER_CENTER.identifier_uris[0]


def bearer_claims(state: EmulatorState, authorization: str | None) -> tuple[dict[str, Any] | None, Any]:
    """The claims of a valid Partner Center bearer token and None, or None and the 401 to answer."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, _error(401, "Unauthorized", "The request has no bearer token.")
    try:
        return state.validate_access_token(token.strip(), AUDIENCE), None
    except TokenValidationError as exc:
        return None, _error(401, "Unauthorized", f"The bearer token is not valid: {exc}.")


class PartnerCenter:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def customers(self, info: RequestInfo, authorization: str | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        """(status, JSON body, headers) for GET /partnercenter/v1/customers."""
        claims, refused = bearer_claims(self.state, authorization)
        if claims is None:
            return refused  # type: ignore[return-value]
        tenant_id = str(claims.get("tid", ""))
        info.tenant, info.client_id = tenant_id, claims.get("appid")
        directory = self.state.directory
        tenant = directory.tenant(tenant_id) if tenant_id else None
        if tenant is None or tenant.kind != "partner":
            return _error(403, "Forbidden", "The token's tenant is not a partner tenant.")
        items = [
            {
                "id": customer.id,
                "companyProfile": {
                    "tenantId": customer.id,
                    "domain": customer.domain,
                    "companyName": customer.name,
                    "attributes": {"objectType": "CustomerCompanyProfile"},
                },
                "relationshipToPartner": "reseller",
                "attributes": {"objectType": "Customer"},
            }
            for customer in directory.active_customers(tenant.id)
        ]
        return 200, {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}, {}


def _error(status: int, name: str, description: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    headers = {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'} if status == 401 else {}
    return status, {"code": status, "errorName": name, "description": description, "source": "PartnerFD"}, headers
