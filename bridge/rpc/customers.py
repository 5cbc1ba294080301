"""RPC handlers for customer readiness (`Get-SamCustomer`) and jobs over customers
(`Invoke-SamCustomerJob`): translation only, the verdicts come from bridge._api.

`customers` answers one object per customer (CustomerReadiness.to_dict); relationships that end
soon are response warnings. `customers.split` is the job's first step: the customers ready for a
target, and one error per unready one, before anything is exchanged; the job then asks
`connect.params` for each ready customer, with `min_lifetime` when it reconnects.
"""
from __future__ import annotations

import warnings
from typing import Any, Mapping

from .._core import validate as v
from .._core.errors import InvalidInputError
from .batch import _preflight, _tenants, _warn_days
from .core import arg, string_list
from .registry import command


@command("customers")
def _customers(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import customers

    found = customers(arg(args, "profile", str), tenants=string_list(args, "tenants"), target=arg(args, "target", str),
                      warn_days=_warn_days(args), config=config)
    for c in found:
        for text in c.warnings:
            warnings.warn(text, v.SamBridgeWarning, 2)
    return [c.to_dict() for c in found]


@command("customers.split")
def _split(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    """{"ready": [{"tenant", "input"}], "unready": [{"tenant", "input", "error"}]} for a target."""
    from .._api import customer_split, load_profile

    profile = load_profile(arg(args, "profile", str), config=config)
    target = arg(args, "target", str, required=True)
    given: dict[str, str] = {}
    refused = []
    for text in _tenants(args, profile):
        try:
            given.setdefault(v.tenant(text, "tenant"), text)
        except InvalidInputError as exc:
            refused.append({"tenant": text, "input": text, "error": exc.to_dict()})
    ready, unready = ([], []) if not given else customer_split(
        profile, target, list(given), preflight=_preflight(args), warn_days=_warn_days(args), config=config)
    return {
        "ready": [{"tenant": t, "input": given.get(t, t)} for t in ready],
        "unready": refused + [{"tenant": r.tenant, "input": given.get(r.tenant, r.tenant), "error": r.error.to_dict()}
                              for r in unready],
    }
