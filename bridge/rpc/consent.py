"""RPC handler for the interactive consent (Invoke-SamConsent).

The consent core shows its device code or sign-in URL through `prompt` and asks for the pasted
redirect through `read_redirect`; here both go to the caller's channel (`_rpc.say` / `_rpc.ask`),
so the PowerShell module shows them in its host and reads the answer there.
"""
from __future__ import annotations

from typing import Any, Mapping

from .._core.errors import InvalidInputError
from .registry import ask, command, say
from .core import arg


@command("consent")
def _consent(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import consent, load_profile
    from .._core.constants import CONSENT_METHODS as METHODS, CONSENT_TIMEOUT as DEFAULT_TIMEOUT

    method = arg(args, "method", str)  # none chosen: the profile's default, as on the command line
    if method is not None and method not in METHODS:
        raise InvalidInputError(f"consent method {method!r} is not one of {', '.join(METHODS)}.")
    timeout = float(arg(args, "timeout", (int, float), DEFAULT_TIMEOUT))
    if not 0 < timeout <= 3600:
        raise InvalidInputError(f"the consent timeout must be between 1 and 3600 seconds, not {timeout:g}.")
    profile = load_profile(arg(args, "profile", str), config=config)
    result = consent(
        profile,
        method,
        prompt=say,
        read_redirect=lambda: ask("redirect_url", "Redirected URL"),
        timeout=timeout,
    )
    return result.to_dict()
