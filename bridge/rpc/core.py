"""RPC handlers for the core commands (profiles, tokens, lifecycle)."""
from __future__ import annotations

from typing import Any, Mapping

from .._core.errors import InvalidInputError
from .registry import command


def arg(args: Mapping[str, Any], name: str, kind: type | tuple[type, ...], default: Any = None, *, required: bool = False) -> Any:
    """One argument of a request, type-checked with a message naming it."""
    value = args.get(name, default)
    if value is None:
        if required:
            raise InvalidInputError(f"argument {name!r} is required.")
        return default
    if isinstance(value, bool) and kind is not bool and not (isinstance(kind, tuple) and bool in kind):
        raise InvalidInputError(f"argument {name!r} must be {getattr(kind, '__name__', kind)}, not a boolean.")
    if not isinstance(value, kind):
        raise InvalidInputError(f"argument {name!r} has the wrong type ({type(value).__name__}).")
    return value


def string_list(args: Mapping[str, Any], name: str) -> list[str] | None:
    value = args.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInputError(f"argument {name!r} must be a string or a list of strings.")
    return value


def profile_and_store(args: Mapping[str, Any], config: str | None):  # type: ignore[no-untyped-def]
    from .._api import load_profile, store_for

    profile = load_profile(arg(args, "profile", str), config=config)
    return profile, store_for(profile)


@command("profile.list")
def _profile_list(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import Config

    cfg = Config.load(config)
    return [{"name": p.name, "default": p.name == cfg.default_profile, **p.to_file_dict()} for p in cfg.profiles()]


@command("profile.show")
def _profile_show(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import load_profile

    p = load_profile(arg(args, "profile", str), config=config)
    return {"name": p.name, **p.to_file_dict()}


@command("profile.add")
def _profile_add(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import add_profile

    values: dict[str, Any] = {
        key: arg(args, key, str)
        for key in ("app_id", "tenant", "credential", "authority_host", "ca_bundle", "store", "partner_center_url", "graph_url")
    }
    values["scopes"] = string_list(args, "scopes")
    values["customers"] = string_list(args, "customers")
    values["redirect_port"] = arg(args, "redirect_port", int)
    values["custom_authority"] = arg(args, "custom_authority", bool)
    certificate = None
    encoded = arg(secrets, "certificate_base64", str)
    if encoded is not None:
        import base64

        try:
            certificate = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise InvalidInputError("certificate_base64 is not base64.") from None
    password = arg(secrets, "certificate_password", str)
    return add_profile(
        arg(args, "name", str, required=True),
        values,
        client_secret=arg(secrets, "client_secret", str),
        certificate=certificate,
        certificate_password=password.encode() if password else None,
        make_default=bool(arg(args, "default", bool, False)),
        config=config,
    )


@command("profile.remove")
def _profile_remove(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import remove_profile

    profile = remove_profile(arg(args, "profile", str, required=True),
                             keep_secrets=bool(arg(args, "keep_secrets", bool, False)), config=config)
    return {"name": profile.name, "removed": True}


@command("token")
def _token(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import get_token, load_profile

    profile = load_profile(arg(args, "profile", str), config=config)
    token = get_token(
        profile,
        string_list(args, "scopes"),
        arg(args, "tenant", str),
        force_refresh=bool(arg(args, "force_refresh", bool, False)),
    )
    return token.to_dict()


@command("refresh_token.import")
def _import(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import import_refresh_token, restore_refresh_token

    profile, store = profile_and_store(args, config)
    if arg(args, "restore", bool, False):
        meta = restore_refresh_token(profile)
        return {"profile": profile.name, "store": store.uri, "imported_at": meta.get("issued_at")}
    meta = import_refresh_token(arg(secrets, "refresh_token", str, required=True), profile,
                                verify=bool(arg(args, "verify", bool, True)))
    return {"profile": profile.name, "store": store.uri, "imported_at": meta["issued_at"]}


@command("status")
def _status(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import load_profile, status
    from .._core.constants import DEFAULT_WARN_DAYS

    profile = load_profile(arg(args, "profile", str), config=config)
    return status(profile, warn_days=float(arg(args, "warn_days", (int, float), DEFAULT_WARN_DAYS))).to_dict()


@command("keepalive")
def _keepalive(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import keepalive, load_profile

    return keepalive(load_profile(arg(args, "profile", str), config=config)).to_dict()


@command("doctor")
def _doctor(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import diagnose

    findings = diagnose(arg(args, "profile", str), config=config, tenants=string_list(args, "tenants"),
                        offline=bool(arg(args, "offline", bool, False)))
    return [f.to_dict() for f in findings]
