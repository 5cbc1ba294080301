"""A Partner Center stand-in: `GET /partnercenter/v1/customers` lists the partner's customers.

It accepts only bearer tokens this emulator issued for Partner Center whose `tid` is a partner
tenant, the same check the real API makes. Since April 2026 Partner Center refuses App+User calls
whose token has no `mfa` in `amr` with HTTP 401 and error code 900421 (sam-lifecycle 4.2; the JSON
body is not documented by Microsoft); App-only tokens are unaffected.

The list holds every tenant with a GDAP relationship to the partner, whatever its status: Partner
Center lists customers of the partner, and whether GDAP still lets anyone in is Graph's business
(`tenantRelationships/delegatedAdminRelationships`). Paging (sam-lifecycle 2.4): `size` (default and
maximum 500), then `links.next` = `/v1/customers?size=N&seekOperation=Next` (relative to the Partner
Center base URL) with the `MS-ContinuationToken` header it names.
"""
from __future__ import annotations

import base64
import json
from typing import Any, Mapping

from ._oauth import RequestInfo
from ._resources import PARTNER_CENTER
from ._state import EmulatorState
from ._tokens import TokenValidationError

AUDIENCE = PARTNER_CENTER.identifier_uris[0]
MAX_PAGE = 500
MFA_REQUIRED_CODE = 900421
Result = tuple[int, dict[str, Any], dict[str, str]]


def bearer_claims(state: EmulatorState, authorization: str | None) -> tuple[dict[str, Any] | None, Any]:
    """The claims of a valid Partner Center bearer token and None, or None and the 401 to answer."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, _error(401, "Unauthorized", "The request has no bearer token.")
    try:
        claims = state.validate_access_token(token.strip(), AUDIENCE)
    except TokenValidationError as exc:
        return None, _error(401, "Unauthorized", f"The bearer token is not valid: {exc}.")
    if claims.get("idtyp") != "app" and "mfa" not in (claims.get("amr") or []):
        return None, mfa_required()
    return claims, None


def mfa_required() -> Result:
    """401 / 900421 for an App+User token without the MFA claim (body shape: Partner Center's error
    format; Microsoft has not published this one, so the text is the emulator's)."""
    body = {
        "code": MFA_REQUIRED_CODE,
        "description": "Multi-factor authentication is required: the access token does not carry the MFA claim "
                       "(no 'mfa' in amr). App+User calls to Partner Center need a sign-in that completed MFA.",
        "data": [],
        "source": "PartnerFD",
    }
    return 401, body, {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'}


class PartnerCenter:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def customers(self, info: RequestInfo, authorization: str | None, query: Mapping[str, str],
                  headers: Mapping[str, str]) -> Result:
        """(status, JSON body, headers) for GET /partnercenter/v1/customers."""
        claims, refused = bearer_claims(self.state, authorization)
        if claims is None:
            return refused  # type: ignore[no-any-return]
        tenant_id = str(claims.get("tid", ""))
        info.tenant, info.client_id = tenant_id, claims.get("appid")
        directory = self.state.directory
        tenant = directory.tenant(tenant_id) if tenant_id else None
        if tenant is None or tenant.kind != "partner":
            return _error(403, "Forbidden", "The token's tenant is not a partner tenant.")
        try:
            size = int(query.get("size", MAX_PAGE))
        except ValueError:
            return _error(400, "BadRequest", f"size must be an integer from 1 to {MAX_PAGE}.")
        if not 1 <= size <= MAX_PAGE:
            return _error(400, "BadRequest", f"size must be an integer from 1 to {MAX_PAGE}.")
        offset = 0
        if str(query.get("seekOperation", "")).lower() == "next":
            offset = _read_continuation(headers.get("MS-ContinuationToken"), tenant.id)
            if offset is None:
                return _error(400, "BadRequest", "seekOperation=Next needs the MS-ContinuationToken header of links.next.")
        customers = directory.partner_customers(tenant.id)
        page = customers[offset:offset + size]
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
            for customer in page
        ]
        links: dict[str, Any] = {"self": {"uri": f"/v1/customers?size={size}", "method": "GET", "headers": []}}
        body: dict[str, Any] = {"totalCount": len(items), "items": items, "links": links,
                                "attributes": {"objectType": "Collection"}}
        if offset + size < len(customers):
            token = base64.urlsafe_b64encode(json.dumps({"offset": offset + size, "tid": tenant.id}).encode()).decode()
            links["next"] = {"uri": f"/v1/customers?size={size}&seekOperation=Next", "method": "GET",
                             "headers": [{"key": "MS-ContinuationToken", "value": token}]}
            body["continuationToken"] = token
        return 200, body, {}


def _read_continuation(token: str | None, tenant_id: str) -> int | None:
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(data["offset"]) if data.get("tid") == tenant_id else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _error(status: int, name: str, description: str) -> Result:
    headers = {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'} if status == 401 else {}
    return status, {"code": status, "errorName": name, "description": description, "source": "PartnerFD"}, headers
