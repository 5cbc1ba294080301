"""RPC handlers for batches across customer tenants (`Get-SamConnectParameter -Tenant $list`,
`New-SamAccessToken -Tenant $list`).

One request runs the whole batch on `_batch`'s bounded pool: one read of the refresh token,
concurrent redemptions, 429/503 Retry-After honoured by the HTTP layer, the newest rotated token
stored once at the end. Each tenant's outcome is streamed as soon as it completes, as an event
before the response (`_rpc.emit`), so the module can pass it down the pipeline while the others
are still being exchanged:

    {"event": "batch", "total": 50}
    {"event": "result", "tenant": "<id or domain>", "input": "<as given>", "ok": true, "result": {...}, "done": 1, "total": 50}
    {"event": "result", "tenant": "...", "input": "...", "ok": false, "error": {...}, "done": 2, "total": 50}

`result` has the shape of the single command's result (`token`, `connect.params`) and `error` that
of a response's error, so a caller treats one tenant of a batch exactly as one request. The
response is a summary, {"total", "succeeded", "failed"}; a caller whose channel cannot take events
(`handle()` without a channel) gets the outcomes in it as "results" instead.

Errors about the request itself (an unknown profile or target, a bad concurrency) fail the request.
A tenant that is neither a tenant id nor a domain, and an error that stops the batch from opening
(no refresh token stored, no client secret) are reported per tenant: every distinct tenant asked for
gets exactly one outcome, as a pipeline of single requests would have given.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Iterator, Mapping

from .._core import validate as v
from .._core.errors import InvalidInputError, SamBridgeError
from .registry import command, emit
from .core import arg, string_list


@command("token.batch")
def _token_batch(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    """Access tokens for one resource in many tenants (the `token` command, once per tenant)."""
    from .._api import batch_tokens, load_profile

    profile = load_profile(arg(args, "profile", str), config=config)
    concurrency = _concurrency(args)
    scopes = string_list(args, "scopes")
    force = bool(arg(args, "force_refresh", bool, False))
    target = arg(args, "target", str) if _preflight(args) else None
    return _run(
        _tenants(args, profile),
        lambda tenants: batch_tokens(profile, scopes, tenants, force_refresh=force, concurrency=concurrency,
                                     preflight=target, warn_days=_warn_days(args)),
        lambda token: token.to_dict(),
    )


@command("connect.params.batch")
def _params_batch(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    """Connect-* parameters for one target in many tenants (`connect.params`, once per tenant)."""
    from .._api import batch_connect_parameters, load_profile
    from .targets import params_result

    profile = load_profile(arg(args, "profile", str), config=config)
    concurrency = _concurrency(args)
    target = arg(args, "target", str, required=True)
    version = arg(args, "module_version", str)
    include = string_list(args, "include") or ()
    url = arg(args, "url", str)
    shown: list[str] = []

    def value(result: Any) -> dict[str, Any]:
        # The target's own warnings (a retired module) are the same for every tenant: one response
        # warning each, as a single request gives, not one per tenant.
        shown.extend(text for text in result.warnings if text not in shown)
        return params_result(result)

    # Each tenant's parameters are built on a worker thread inside warnings.catch_warnings, which is
    # process-wide: interleaved on several threads, their exits can leave another's recorder in
    # place. Entered here before the workers start and left after they have all ended, this block
    # puts back the request's own recorder, so the warnings given after it reach the response.
    with warnings.catch_warnings():
        summary = _run(
            _tenants(args, profile),
            lambda tenants: batch_connect_parameters(profile, target, tenants, module_version=version,
                                                     include=include, url=url, concurrency=concurrency,
                                                     preflight=_preflight(args), warn_days=_warn_days(args)),
            value,
        )
    for text in shown:
        warnings.warn(text, v.SamBridgeWarning, 2)
    return summary


def _preflight(args: Mapping[str, Any]) -> bool:
    """Whether the customers are checked first (GDAP, consent): by default with all_customers."""
    return bool(arg(args, "preflight", bool, bool(arg(args, "all_customers", bool, False))))


def _warn_days(args: Mapping[str, Any]) -> float:
    from .._core.constants import DEFAULT_GDAP_WARN_DAYS

    return float(arg(args, "warn_days", (int, float), DEFAULT_GDAP_WARN_DAYS))


def _concurrency(args: Mapping[str, Any]) -> int:
    from .._core.constants import BATCH_CONCURRENCY as DEFAULT_CONCURRENCY, BATCH_MAX_CONCURRENCY as MAX_CONCURRENCY

    value = arg(args, "concurrency", int, DEFAULT_CONCURRENCY)
    if not 1 <= value <= MAX_CONCURRENCY:
        raise InvalidInputError(f"concurrency must be a whole number from 1 to {MAX_CONCURRENCY}, not {value}.")
    return int(value)


def _tenants(args: Mapping[str, Any], profile: Any) -> list[str]:
    """The tenants asked for, then (with all_customers) the profile's customers, else Partner Center's list."""
    tenants = list(string_list(args, "tenants") or [])
    if arg(args, "all_customers", bool, False):
        from .._api import customer_tenants

        tenants += customer_tenants(profile)
    if not tenants:
        raise InvalidInputError("the batch has no tenants: give tenants, or all_customers.")
    return tenants


def _run(tenants: list[str], start: Callable[[list[str]], Iterator[Any]], value: Callable[[Any], Any]) -> dict[str, Any]:
    """Validate the tenants, run the batch, and report one outcome per distinct tenant as it completes."""
    given: dict[str, str] = {}  # tenant as the batch knows it (lower case) -> as the caller spelled it
    refused: list[tuple[str, InvalidInputError]] = []
    normalized: list[str] = []
    for text in tenants:
        try:
            tenant = v.tenant(text, "tenant")
        except InvalidInputError as exc:
            refused.append((str(text), exc))
            continue
        normalized.append(tenant)
        given.setdefault(tenant, text)
    from .._api import warn_duplicate_tenants

    warn_duplicate_tenants(normalized)
    total = len(given) + len(refused)
    streaming = emit({"event": "batch", "total": total})
    collected: list[dict[str, Any]] = []
    counts = {"succeeded": 0, "failed": 0}

    def report(tenant: str, ok: bool, payload: Any) -> None:
        counts["succeeded" if ok else "failed"] += 1
        outcome = {"tenant": tenant, "input": given.get(tenant, tenant), "ok": ok,
                   ("result" if ok else "error"): payload,
                   "done": counts["succeeded"] + counts["failed"], "total": total}
        if streaming:
            emit({"event": "result", **outcome})
        else:
            collected.append(outcome)

    for text, exc in refused:
        report(text, False, exc.to_dict())
    if given:
        started = False
        try:
            for result in start(list(given)):
                started = True
                if result.ok:
                    report(result.tenant, True, value(result.value))
                else:
                    report(result.tenant, False, result.error.to_dict())  # type: ignore[union-attr]
        except SamBridgeError as exc:
            if started:  # e.g. storing the rotated token failed after every tenant had its result
                raise
            # The batch could not open (no refresh token, no client secret): each tenant gets that
            # error, as a pipeline of single requests would have reported it.
            for tenant in given:
                report(tenant, False, exc.to_dict())
    summary: dict[str, Any] = {"total": total, **counts}
    if not streaming:
        summary["results"] = collected
    return summary
