"""RPC handlers for the Connect-* targets: the registry, ready parameters and snippets.

Translation only: the registry, the exchanges and the snippet text come from `bridge._api`.
"""
from __future__ import annotations

import warnings
from typing import Any, Mapping

from .registry import command
from .core import arg, string_list
from .._core.validate import SamBridgeWarning


@command("targets")
def _targets(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    """Every target: its cmdlet and module (for module checks and version detection), options, shapes."""
    from .._api import targets

    return [
        {
            "name": t.name,
            "cmdlet": t.cmdlet,
            "module": t.module,
            "qualified_cmdlet": t.qualified_cmdlet,
            "qualified_disconnect": t.qualified_disconnect,
            "summary": t.summary,
            "status": t.status,
            "status_warning": t.status_warning,
            "options": list(t.options),
            "needs_url": t.needs_url,
            "variants": [
                {
                    "since": variant.since,
                    "parameter_set": variant.parameter_set,
                    "label": variant.label,
                    "parameters": [p.name for p in variant.parameters],
                    "secure_parameters": [
                        p.name for p in variant.parameters if getattr(p, "secure", False)  # token parameters only
                    ],
                }
                for variant in t.variants
            ],
        }
        for t in targets().values()
    ]


def _connect_arguments(args: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "target": arg(args, "target", str, required=True),
        "tenant": arg(args, "tenant", str),
        "module_version": arg(args, "module_version", str),
        "include": string_list(args, "include") or (),
        "url": arg(args, "url", str),
    }


@command("connect.params")
def _params(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    """`sam-bridge params --json`, plus the facts a PowerShell caller shows (set, tenant, qualified cmdlet).

    The target's own warnings (retired module, unverified audience) become response warnings, so
    the caller writes every warning from one list.
    """
    from .._api import connect_parameters

    a = _connect_arguments(args)
    min_lifetime = arg(args, "min_lifetime", (int, float))  # a job reconnecting: no cached token with less left
    result = connect_parameters(
        arg(args, "profile", str), a["target"], a["tenant"],
        module_version=a["module_version"], include=a["include"], url=a["url"], config=config,
        min_lifetime=float(min_lifetime) if min_lifetime is not None else None,
    )
    for text in result.warnings:
        warnings.warn(text, SamBridgeWarning, 2)
    return params_result(result)


def params_result(result: Any) -> dict[str, Any]:
    """The JSON of one ConnectParameters, as connect.params and the batch's per-tenant events carry it."""
    data = result.to_dict()
    data.pop("warnings")
    data.update(
        qualified_cmdlet=result.qualified_cmdlet,
        parameter_set=result.parameter_set,
        module_version=result.module_version,
        token_parameters=list(result.token_parameters),
        tenant_id=result.tenant_id,
        customer=result.customer,
    )
    return data


@command("connect.snippet")
def _snippet(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    """`sam-bridge snippet`: a snippet that fetches its tokens at run time (through the module or the
    CLI), or, with embed_tokens, one with live tokens in it."""
    from .._api import connect_parameters, embedded_snippet, load_profile, module_snippet, runtime_snippet

    a = _connect_arguments(args)
    target, tenant, version, include, url = a["target"], a["tenant"], a["module_version"], a["include"], a["url"]
    via = arg(args, "via", str, "module")
    if via not in ("module", "cli"):
        from .._core.errors import InvalidInputError

        raise InvalidInputError(f"a snippet fetches its tokens through 'module' or 'cli', not {via!r}.")
    profile = load_profile(arg(args, "profile", str), config=config)  # an unknown profile fails now
    if not arg(args, "embed_tokens", bool, False):
        if via == "module":
            text = module_snippet(target, profile.name, tenant, version, include, url)
        else:
            text = runtime_snippet(target, profile.name, tenant, version, include, url, config)
        return {"snippet": text, "embeds_tokens": False}
    result = connect_parameters(profile, target, tenant, module_version=version, include=include, url=url)
    warnings.warn(
        f"this snippet contains live access tokens valid until {result.to_dict()['expires_on']}; do not save or share it.",
        SamBridgeWarning,
        2,
    )
    return {"snippet": embedded_snippet(result, profile.name, opt_in="Get-SamConnectSnippet -EmbedTokens"),
            "embeds_tokens": True}
