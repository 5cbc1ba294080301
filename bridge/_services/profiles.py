"""Profiles as the services use them: loaded by name (remembered while nothing they depend on
changes), their secret store opened, their client credential kept in it."""
from __future__ import annotations

import os
import threading
import warnings
from collections import OrderedDict
from typing import Any

from .._config import Config, Profile, config_path
from .._core.constants import ENTRY_CLIENT_CERTIFICATE, ENTRY_CLIENT_SECRET
from .._core.errors import InvalidInputError
from .._stores import SecretStore, open_store


def load_profile(profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None, **overrides: Any) -> Profile:
    """A Profile by name from the config file (or the default profile), with explicit overrides applied."""
    if isinstance(profile, Profile):
        return profile.with_changes(**overrides) if overrides else profile
    if overrides:
        return Config.load(config).profile(profile, **overrides)
    return _remembered_profile(profile, config)


# A long-lived host (the PowerShell module's in-process transport) loads the same profile for every
# request, and parsing the TOML file and validating the profile are most of the work of a request
# answered from the access-token cache. So the result is remembered under a key holding everything
# it depends on: the config file's path and its exact bytes (read every time: a few microseconds,
# and no edit can go unseen, whatever the file system's timestamp granularity), the profile asked
# for, every SAM_BRIDGE_* variable (the environment overrides, SAM_BRIDGE_PROFILE), and the working
# directory (a relative CA bundle path). A remembered profile whose CA bundle has gone is loaded
# again (and then fails as it would have). Errors are never remembered; the warnings a load gave
# are given again on every use, as a fresh load would.
_PROFILE_MEMO_SIZE = 32
_profile_memo: "OrderedDict[tuple[Any, ...], tuple[Profile, list[warnings.WarningMessage]]]" = OrderedDict()
_profile_memo_lock = threading.Lock()


def _config_bytes(path: os.PathLike[str] | str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _remembered_profile(name: str | None, config: str | os.PathLike[str] | None) -> Profile:
    path = config_path(config)
    raw = _config_bytes(path)
    if raw is None:  # no file (or unreadable): nothing worth remembering, and Config.load says why
        return Config.load(path).profile(name)
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("SAM_BRIDGE_")))
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = ""
    key = (str(path), raw, name, cwd, environment)
    with _profile_memo_lock:
        hit = _profile_memo.get(key)
        if hit is not None:
            _profile_memo.move_to_end(key)
    if hit is not None and (hit[0].ca_bundle is None or os.path.isfile(hit[0].ca_bundle)):
        for caught in hit[1]:
            warnings.warn_explicit(caught.message, caught.category, caught.filename, caught.lineno, source=caught.source)
        return hit[0]
    with warnings.catch_warnings(record=True) as given:
        warnings.simplefilter("always")
        loaded = Config.load(path).profile(name)
    for caught in given:
        warnings.warn_explicit(caught.message, caught.category, caught.filename, caught.lineno, source=caught.source)
    if _config_bytes(path) == raw:  # not changed while it was being loaded: the key is the truth
        with _profile_memo_lock:
            _profile_memo[key] = (loaded, list(given))
            while len(_profile_memo) > _PROFILE_MEMO_SIZE:
                _profile_memo.popitem(last=False)
    return loaded


def store_for(profile: Profile) -> SecretStore:
    """The secret store a profile names."""
    return open_store(profile.store, ca_bundle=profile.ca_bundle, profile=profile)


def store_client_secret(profile: Profile, secret: str) -> None:
    """Keep a confidential client's secret in the profile's store (never in the config file)."""
    from .._auth.client import entry

    secret = (secret or "").strip()
    if not secret:
        raise InvalidInputError("no client secret was given on stdin.")
    store_for(profile).put(entry(profile, ENTRY_CLIENT_SECRET), secret, {"profile": profile.name, "kind": "client-secret"})


def store_client_certificate(profile: Profile, data: bytes, password: bytes | None) -> dict[str, Any]:
    """Load a PEM or PFX certificate, refuse unusable ones, and keep it in the profile's store."""
    from .._auth.certs import load_certificate
    from .._auth.client import entry

    cert = load_certificate(data, password)
    store_for(profile).put(
        entry(profile, ENTRY_CLIENT_CERTIFICATE),
        cert.to_store_value(),
        {"profile": profile.name, "kind": "client-certificate", "thumbprint": cert.thumbprint,
         "not_after": cert.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    return {"thumbprint": cert.thumbprint, "not_after": cert.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")}
