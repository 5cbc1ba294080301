"""Profiles and the TOML config file.

Precedence is written once, in `_resolve`: explicit argument, then environment variable, then the
config file, then the default. Secrets never live here: the file records only *where* they are.
"""
from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Iterator, Mapping

from ._core import validate as v
from ._core.constants import (
    APP_NAME,
    DEFAULT_AUTHORITY_HOST,
    DEFAULT_SCOPES,
    DEFAULT_STORE,
    PARTNER_CENTER_URL,
    BOOTSTRAP_CLIENT_ID,
    GRAPH_URL,
    ENV_AUTHORITY_HOST,
    ENV_CA_BUNDLE,
    ENV_CONFIG,
    ENV_PROFILE,
    ENV_STORE,
)
from ._core.errors import ConfigError, InvalidInputError, ProfileNotFoundError
from ._core.files import atomic_write, make_private_dirs, private_file_lock, read_private_file

CREDENTIAL_KINDS = ("none", "secret", "certificate")

# Settings that an environment variable may override: key -> (variable, default).
_ENV_SETTINGS: dict[str, tuple[str, Any]] = {
    "store": (ENV_STORE, DEFAULT_STORE),
    "authority_host": (ENV_AUTHORITY_HOST, DEFAULT_AUTHORITY_HOST),
    "ca_bundle": (ENV_CA_BUNDLE, None),
}


def environment_settings() -> tuple[tuple[str, str | None], ...]:
    """The environment variables profile settings can come from, with their values now (a memo key)."""
    return tuple((env, os.environ.get(env)) for env, _ in _ENV_SETTINGS.values())


def _resolve(key: str, explicit: Any, file_values: Mapping[str, Any], default: Any = None) -> Any:
    """The one precedence rule: argument, environment, file, default."""
    if explicit is not None:
        return explicit
    env_name, env_default = _ENV_SETTINGS.get(key, (None, default))
    if env_name and os.environ.get(env_name):
        return os.environ[env_name]
    if file_values.get(key) is not None:
        return file_values[key]
    return env_default if env_name else default


_ALWAYS_WRITTEN = frozenset({"app_id", "tenant", "credential", "authority_host", "store", "scopes"})


@dataclass(frozen=True)
class Profile:
    """A named configuration: which app, which partner tenant, which authority, where secrets live."""

    name: str
    app_id: str
    tenant: str
    credential: str = "none"
    authority_host: str = DEFAULT_AUTHORITY_HOST
    ca_bundle: str | None = None
    store: str = DEFAULT_STORE
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    customers: tuple[str, ...] = ()
    redirect_port: int = 0
    partner_center_url: str = PARTNER_CENTER_URL
    graph_url: str = GRAPH_URL
    bootstrap_client_id: str = BOOTSTRAP_CLIENT_ID  # the public client `app create` signs in with
    custom_authority: bool = False  # an authority host that is not Microsoft's was allowed when the profile was added
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", v.profile_name(self.name))
        object.__setattr__(self, "app_id", v.guid(self.app_id, "application id"))
        object.__setattr__(self, "tenant", v.tenant(self.tenant, "partner tenant", allow_alias=True))
        if self.credential not in CREDENTIAL_KINDS:
            raise InvalidInputError(
                f"credential {self.credential!r} is not one of {', '.join(CREDENTIAL_KINDS)}."
            )
        object.__setattr__(self, "authority_host", v.service_url(self.authority_host, "authority host"))
        if self.ca_bundle is not None:
            object.__setattr__(self, "ca_bundle", v.file_path(self.ca_bundle, "CA bundle"))
        from ._stores import parse_store_uri  # validated here so a bad URI never reaches the file

        object.__setattr__(self, "store", parse_store_uri(self.store).uri)
        # Text where a list belongs (`scopes = "https://x/.default"` in a hand-edited file) is split
        # on whitespace, not into characters.
        object.__setattr__(self, "scopes", v.scopes(self.scopes if isinstance(self.scopes, str) else tuple(self.scopes)))
        customers = self.customers.split() if isinstance(self.customers, str) else self.customers
        object.__setattr__(self, "customers", tuple(v.tenant(c, "customer tenant") for c in customers))
        if (isinstance(self.redirect_port, bool) or not isinstance(self.redirect_port, int)
                or not 0 <= self.redirect_port <= 65535):
            raise InvalidInputError(f"redirect port {self.redirect_port!r} is not a port number (0-65535).")
        object.__setattr__(self, "partner_center_url", v.endpoint_url(self.partner_center_url, "Partner Center URL"))
        object.__setattr__(self, "graph_url", v.endpoint_url(self.graph_url, "Microsoft Graph URL"))
        object.__setattr__(self, "bootstrap_client_id", v.guid(self.bootstrap_client_id, "bootstrap client id"))
        if not isinstance(self.custom_authority, bool):
            raise InvalidInputError(f"custom_authority {self.custom_authority!r} is not true or false.")

    @property
    def is_public_client(self) -> bool:
        return self.credential == "none"

    def authority(self, tenant: str | None = None) -> str:
        return f"{self.authority_host}/{tenant or self.tenant}"

    def to_file_dict(self) -> dict[str, Any]:
        """What goes into the config file (no secrets exist on a Profile to begin with)."""
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name in {"name", "extra"}:
                continue
            value = getattr(self, f.name)
            if f.name not in _ALWAYS_WRITTEN and (value is None or value == () or value == f.default):
                continue  # defaults stay out of the file, so a later default change reaches old profiles
            data[f.name] = list(value) if isinstance(value, tuple) else value
        return data

    def with_changes(self, **changes: Any) -> "Profile":
        return replace(self, **changes)


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the config file is: --config, then SAM_BRIDGE_CONFIG, then the platform's config dir."""
    if explicit:
        return Path(v.local_path(os.fspath(explicit), "config file path"))
    if os.environ.get(ENV_CONFIG):
        return Path(v.local_path(os.environ[ENV_CONFIG], f"config file path ({ENV_CONFIG})"))
    return default_config_path()


_KNOWN_PROFILE_KEYS = {f.name for f in fields(Profile)} - {"name", "extra"}
_KNOWN_TOP_KEYS = {"default_profile", "profiles"}


class Config:
    """The config file: a default profile name and a table of profiles."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self._data = data

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> "Config":
        p = config_path(path)
        try:
            # Every open checks owner and mode: a config another user planted or can write is refused.
            raw = read_private_file(p, "config file", ConfigError)
        except OSError as exc:
            raise ConfigError(f"cannot read config file {p}: {exc.strerror}") from None
        if raw is None:
            return cls(p, {"profiles": {}})
        data = _parse_toml(raw, p)
        for key in data:
            if key not in _KNOWN_TOP_KEYS:
                warnings.warn(f"{p}: unknown setting {key!r} ignored", v.SamBridgeWarning, 2)
        profiles = data.get("profiles", {})
        if not isinstance(profiles, dict) or not all(isinstance(x, dict) for x in profiles.values()):
            raise ConfigError(f"{p}: [profiles] must be a table of tables, e.g. [profiles.contoso].")
        for name, values in profiles.items():
            for key in values:
                if key not in _KNOWN_PROFILE_KEYS:
                    warnings.warn(f"{p}: profile {name!r}: unknown setting {key!r} ignored", v.SamBridgeWarning, 2)
        data["profiles"] = profiles
        return cls(p, data)

    @property
    def profile_names(self) -> list[str]:
        return sorted(self._data["profiles"])

    @property
    def default_profile(self) -> str | None:
        value = self._data.get("default_profile")
        return value if isinstance(value, str) else None

    def resolve_name(self, name: str | None) -> str:
        """Which profile a command means: argument, SAM_BRIDGE_PROFILE, the file's default, the only one."""
        chosen = name or os.environ.get(ENV_PROFILE) or self.default_profile
        if not chosen and len(self.profile_names) == 1:
            chosen = self.profile_names[0]
        if not chosen:
            if not self.profile_names:
                raise ConfigError(
                    f"no profile is configured in {self.path}. Create one with "
                    "`sam-bridge profile add NAME --app-id ID --tenant TENANT`."
                )
            raise ConfigError(
                "several profiles exist (" + ", ".join(self.profile_names) + "); choose one with --profile."
            )
        return v.profile_name(chosen)

    def profile(self, name: str | None = None, **overrides: Any) -> Profile:
        """The named profile with the precedence rule applied (overrides are explicit arguments)."""
        resolved = self.resolve_name(name)
        values = self._data["profiles"].get(resolved)
        if values is None:
            known = ", ".join(self.profile_names) or "none"
            raise ProfileNotFoundError(
                f"profile {resolved!r} is not in {self.path} (known: {known}). "
                f"Create it with `sam-bridge profile add {resolved} --app-id ID --tenant TENANT`.",
                profile=resolved,
            )
        try:
            return self.build_profile(resolved, values, **overrides)
        except InvalidInputError as exc:
            # A value from the environment overrides the file: say so, or the user edits the wrong place.
            from_env = [env for key, (env, _) in _ENV_SETTINGS.items() if os.environ.get(env) and key not in overrides]
            note = f" ({', '.join(from_env)} from the environment override{'s' if len(from_env) == 1 else ''} the file)" if from_env else ""
            raise ConfigError(f"{self.path}: {exc.message}{note}") from None

    @staticmethod
    def build_profile(name: str, file_values: Mapping[str, Any], **overrides: Any) -> Profile:
        """A Profile from file values and explicit arguments; InvalidInputError if anything is wrong."""
        kwargs: dict[str, Any] = {}
        for key in _KNOWN_PROFILE_KEYS:
            value = _resolve(key, overrides.get(key), file_values)
            if value is not None:
                kwargs[key] = tuple(value) if isinstance(value, list) else value
        missing = [k for k in ("app_id", "tenant") if k not in kwargs]
        if missing:
            raise InvalidInputError(f"profile {name!r} lacks required setting(s): {', '.join(missing)}.")
        try:
            return Profile(name=name, **kwargs)
        except InvalidInputError as exc:
            raise InvalidInputError(f"profile {name!r} is invalid: {exc.message}") from None
        except (TypeError, AttributeError) as exc:
            raise InvalidInputError(f"profile {name!r} has a setting of the wrong type ({exc}).") from None

    def profiles(self) -> Iterator[Profile]:
        for name in self.profile_names:
            yield self.profile(name)

    def set_profile(self, profile: Profile, *, make_default: bool = False) -> None:
        self._data["profiles"][profile.name] = profile.to_file_dict()
        if make_default or not self.default_profile:
            self._data["default_profile"] = profile.name

    def remove_profile(self, name: str) -> None:
        if name not in self._data["profiles"]:
            raise ProfileNotFoundError(f"profile {name!r} is not in {self.path}.", profile=name)
        del self._data["profiles"][name]
        if self.default_profile == name:
            self._data.pop("default_profile", None)

    def save(self) -> None:
        """Write the file atomically with mode 0600, under a lock against concurrent writers."""
        import tomli_w

        # Directories created here are private, whatever the umask.
        make_private_dirs(self.path.parent)
        with private_file_lock(str(self.path) + ".lock", 30):
            payload = tomli_w.dumps(self._data).encode("utf-8")
            atomic_write(self.path, payload)


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on older Pythons only
        import tomli as tomllib
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text; fix or remove it.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML ({exc}); fix or remove it.") from None
    except RecursionError:  # arrays nested thousands deep: no config file looks like that
        raise ConfigError(f"config file {path} is not valid TOML (nested too deeply); fix or remove it.") from None
