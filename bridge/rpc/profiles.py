"""RPC handlers for Get-SamProfile and Register-SamProfile: profiles found by name or wildcard, and
created without silently replacing one that exists."""
from __future__ import annotations

import fnmatch
from typing import Any, Mapping

from .._core import validate as v
from .._core.errors import ConfigError, InvalidInputError, ProfileExistsError
from .registry import command
from .core import _profile_add, arg, string_list

_WILDCARDS = frozenset("*?[")


@command("profile.find")
def _find(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    """Profiles whose names match any of `names` (PowerShell wildcards, any case); all without names.

    A name without wildcards that matches nothing is an error naming the profiles that exist.
    """
    from .._api import Config

    cfg = Config.load(config)
    patterns = string_list(args, "names") or ["*"]
    known = cfg.profile_names
    chosen: list[str] = []
    for pattern in patterns:
        matched = [n for n in known if fnmatch.fnmatchcase(n.lower(), pattern.lower())]
        if not matched and not (_WILDCARDS & set(pattern)):
            raise ConfigError(
                f"profile {pattern!r} is not in {cfg.path} (known: {', '.join(known) or 'none'}). "
                f"Create it with `sam-bridge profile add {pattern} --app-id ID --tenant TENANT`."
            )
        chosen += [n for n in matched if n not in chosen]
    default = cfg.default_profile
    return [
        {"name": p.name, "default": p.name == default, "config": str(cfg.path), **p.to_file_dict()}
        for p in (cfg.profile(n) for n in chosen)
    ]


@command("profile.register")
def _register(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    """`profile.add` with the application id possibly taken from a credential's user name, the
    certificate read from a file, and an existing profile replaced only when `force` says so."""
    from .._api import Config

    name = v.profile_name(arg(args, "name", str, required=True))
    cfg = Config.load(config)
    if name in cfg.profile_names and not arg(args, "force", bool, False):
        raise ProfileExistsError(
            f"profile {name!r} already exists in {cfg.path}.",
            remediation="Use -Force to replace it (its stored refresh token stays), or choose another name.",
        )
    values = dict(args)
    values.pop("force", None)
    app_id, user = arg(args, "app_id", str), values.pop("credential_user", None)
    if user is not None:
        if app_id and v.guid(app_id) != v.guid(user, "credential user name (the application id)"):
            raise InvalidInputError(
                f"the credential's user name {user!r} is not the application id {app_id!r}: a confidential "
                "client's credential has the application id as its user name and the client secret as its password."
            )
        values["app_id"] = app_id or user
    extra: dict[str, Any] = dict(secrets)
    path = values.pop("certificate_path", None)
    if path is not None:
        import base64

        checked = v.file_path(path, "certificate file")
        try:
            with open(checked, "rb") as fh:
                extra["certificate_base64"] = base64.b64encode(fh.read()).decode("ascii")
        except OSError as exc:
            raise InvalidInputError(f"cannot read certificate file {checked}: {exc.strerror or exc}") from None
        values["credential"] = "certificate"
    elif "client_secret" in secrets:
        values["credential"] = "secret"
    added = _profile_add(values, extra, config)
    shown = _find({"names": [name]}, {}, config)[0]
    shown.update({k: added[k] for k in ("thumbprint", "not_after") if k in added})
    return shown
