"""Partner Center's application consent API (CPV): consent a partner's app into a GDAP customer.

`POST /partnercenter/v1/customers/{customer}/applicationconsents` and
`DELETE .../applicationconsents/{appId}` (sam-lifecycle fact sheet 2.1). The caller needs a
Partner Center App+User token of the partner tenant; the customer needs an ACTIVE GDAP relationship
through which the calling user (its security groups' access assignments) holds Global Administrator,
Privileged Role Administrator or Cloud Application Administrator.
A consent becomes the customer's consent record, which the token endpoint then honours (no more
AADSTS65001 for the granted scopes). An app already consented answers 409 "Permission entry
already exists." (the text callers match; the status is not documented).
"""
from __future__ import annotations

import uuid
from typing import Any, Mapping

from ._directory import ROLE_TEMPLATES, Consent
from ._partnercenter import _error, bearer_claims
from ._resources import BUILTIN_RESOURCES
from ._state import EmulatorState

Result = tuple[int, dict[str, Any], dict[str, str]]
ADMIN_AGENT_ROLES = frozenset(ROLE_TEMPLATES[name] for name in
                              ("Global Administrator", "Privileged Role Administrator", "Cloud Application Administrator"))


class ApplicationConsents:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def handle(self, method: str, customer: str, app_id: str | None, authorization: str | None, payload: Any,
               info: Any) -> Result:
        claims, refused = bearer_claims(self.state, authorization)
        if claims is None:
            return refused  # type: ignore[no-any-return]
        info.tenant, info.client_id = claims.get("tid"), claims.get("appid")
        with self.state.lock:
            directory = self.state.directory
            partner = directory.tenant(str(claims.get("tid", "")))
            if partner is None or partner.kind != "partner":
                return _error(403, "Forbidden", "The token's tenant is not a partner tenant.")
            if "user_impersonation" not in str(claims.get("scp", "")).split():
                return _error(403, "Forbidden", "Application consents need an App+User token (user_impersonation).")
            try:
                customer_id = str(uuid.UUID(customer))
            except ValueError:
                return _error(400, "BadRequest", f"The customer id {customer!r} is not a GUID.")
            tenant = directory.tenant(customer_id)
            now = self.state.now()
            relationships = [g for g in directory.relationships(partner.id, customer_id) if g.active_at(now)]
            if tenant is None or not relationships:
                return _error(404, "NotFound", f"Customer {customer_id} was not found: the partner has no active "
                                               "GDAP relationship with this tenant.")
            # The caller's roles there: what the access assignments give the groups the user is in.
            user = directory.user(str(claims.get("upn", "")))
            roles = directory.gdap_roles(user, customer_id, now) if user is not None else set()
            if not roles & ADMIN_AGENT_ROLES:
                return _error(403, "Forbidden", "The supplied role does not have the rights to perform the requested "
                                                "operation.")
            if method == "DELETE" and app_id:
                removed = directory.consents.pop((tenant.id, app_id.lower()), None)
                if removed is None:
                    return _error(404, "NotFound", f"No application consent for {app_id} in customer {customer_id}.")
                return 204, {}, {}
            if method == "POST" and app_id is None:
                return self._create(tenant.id, payload, directory)
        return _error(405, "MethodNotAllowed", "Use POST applicationconsents or DELETE applicationconsents/{appId}.")

    def _create(self, tenant_id: str, payload: Any, directory: Any) -> Result:
        if not isinstance(payload, Mapping):
            return _error(400, "BadRequest", "The body must be a JSON object.")
        app_id = str(payload.get("applicationId", "")).lower()
        app = directory.app(app_id) if app_id else None
        if app is None or not app.multi_tenant:
            return _error(400, "BadRequest", f"The application {app_id or '(none)'} was not found or is not multi-tenant.")
        if not isinstance(payload.get("displayName"), str) or not payload["displayName"].strip():
            return _error(400, "BadRequest", "displayName is required.")
        grants_in = payload.get("applicationGrants")
        if not isinstance(grants_in, list) or not grants_in:
            return _error(400, "BadRequest", "applicationGrants must list at least one grant.")
        known = {r.app_id: r for r in BUILTIN_RESOURCES}
        grants: dict[str, list[str]] = {}
        for grant in grants_in:
            rid = str(grant.get("enterpriseApplicationId", "")).lower() if isinstance(grant, Mapping) else ""
            resource = known.get(rid)
            if resource is None:
                return _error(400, "BadRequest", f"The enterprise application {rid or '(none)'} is not a known resource.")
            for name in str(grant.get("scope", "")).split(","):
                canonical = resource.scope_named(name.strip()) if name.strip() else None
                if canonical is None:
                    return _error(400, "BadRequest", f"{name.strip()!r} is not a delegated permission of {resource.name}.")
                grants.setdefault(rid, [])
                if canonical not in grants[rid]:
                    grants[rid].append(canonical)
        if (tenant_id, app.app_id) in directory.consents:
            return _error(409, "Conflict", "Permission entry already exists.")
        directory.consents[(tenant_id, app.app_id)] = Consent(tenant_id, app.app_id, grants)
        body = {
            "applicationId": app.app_id,
            "displayName": payload["displayName"],
            "applicationGrants": [{"enterpriseApplicationId": rid, "scope": ",".join(s)} for rid, s in grants.items()],
            "attributes": {"objectType": "ApplicationConsent"},
        }
        return 201, body, {}
