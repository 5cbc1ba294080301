"""Input validation shared by the CLI, the Python API, the config file and the PowerShell bridge.

Every function returns the normalised value or raises InvalidInputError with a message that names
the field, shows what was wrong and what is accepted.
"""
from __future__ import annotations

import ipaddress
import os
import re
import warnings
from urllib.parse import urlsplit

from .constants import ENV_ALLOW_CUSTOM_AUTHORITY, ENV_ALLOW_HTTP_LOOPBACK, GRAPH_RESOURCE, RESERVED_SCOPES
from .errors import InvalidInputError

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # one C scan, not a Python loop over a 2 KB token
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
_PROFILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TENANT_ALIASES = frozenset({"organizations", "common"})
_GRAPH_SHORT = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$")  # e.g. User.Read, Directory.Read.All


class SamBridgeWarning(UserWarning):
    """Something was accepted but fixed up (e.g. a scope copied from an old doc)."""


def _show(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _require_text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{field} must be text, not {type(value).__name__}.")
    text = value.strip()
    if not text:
        raise InvalidInputError(f"{field} is empty.")
    if _CONTROL.search(text):
        raise InvalidInputError(f"{field} contains control characters: {_show(value)}.")
    return text


def guid(value: object, field: str = "application id") -> str:
    """A GUID such as an application (client) id, lower-cased."""
    text = _require_text(value, field)
    if not _GUID.match(text):
        raise InvalidInputError(
            f"{field} {_show(text)} is not a GUID (expected the form 00000000-0000-0000-0000-000000000000)."
        )
    return text.lower()


def tenant(value: object, field: str = "tenant", *, allow_alias: bool = False) -> str:
    """A tenant id (GUID) or verified domain such as contoso.onmicrosoft.com."""
    text = _require_text(value, field)
    lowered = text.lower()
    if _GUID.match(text):
        return lowered
    if allow_alias and lowered in _TENANT_ALIASES:
        return lowered
    if _DOMAIN.match(lowered):
        return lowered
    raise InvalidInputError(
        f"{field} {_show(text)} is neither a tenant id (GUID) nor a domain name such as contoso.onmicrosoft.com."
    )


def profile_name(value: object) -> str:
    text = _require_text(value, "profile name")
    if not _PROFILE.match(text):
        raise InvalidInputError(
            f"profile name {_show(text)} is not valid: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return text


def http_loopback_allowed() -> bool:
    return os.environ.get(ENV_ALLOW_HTTP_LOOPBACK, "").strip().lower() in {"1", "true", "yes"}


# Entra's sign-in hosts: the global service and the national clouds (US Government, China by
# 21Vianet). Any other authority (the emulator, a test double, an attacker's host) must be allowed
# explicitly, so that a mistyped or planted --authority-host never silently receives tokens.
MICROSOFT_AUTHORITY_HOSTS = frozenset({
    "login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "login.microsoftonline.us",
    "login.partner.microsoftonline.cn", "login.chinacloudapi.cn",
})


def custom_authority_allowed() -> bool:
    return os.environ.get(ENV_ALLOW_CUSTOM_AUTHORITY, "").strip().lower() in {"1", "true", "yes"}


def check_authority_host(url: str, allowed: bool = False) -> None:
    """Refuse an authority host that is not Microsoft's unless it is allowed (profile setting or environment)."""
    import logging

    parts = urlsplit(url)
    if parts.scheme == "https" and parts.port in (None, 443) and (parts.hostname or "") in MICROSOFT_AUTHORITY_HOSTS:
        return
    if allowed or custom_authority_allowed():
        logging.getLogger("bridge.authority").info(
            "using %s, which is not a Microsoft authority host (allowed by %s)", url,
            "the profile's custom_authority setting" if allowed else ENV_ALLOW_CUSTOM_AUTHORITY)
        return
    raise InvalidInputError(
        f"authority host {_show(url)} is not a Microsoft Entra authority ({', '.join(sorted(MICROSOFT_AUTHORITY_HOSTS))}); "
        "tokens are sent to it only when that is meant: add the profile with --allow-custom-authority "
        f"(for the emulator or a private test authority), or set {ENV_ALLOW_CUSTOM_AUTHORITY}=1."
    )


_HOST_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _split(text: str, field: str):  # type: ignore[no-untyped-def]
    try:
        return urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise InvalidInputError(f"{field} {_show(text)} is not a valid URL.") from None


def _valid_host(host: str) -> bool:
    """A DNS name (letters, digits, hyphens; punycode for international names) or an IP address."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    return len(host) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def service_url(value: object, field: str = "authority host") -> str:
    """An https origin (scheme, host, optional port); plain http only to loopback in test mode."""
    text = _require_text(value, field).rstrip("/")
    parts = _split(text, field)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise InvalidInputError(f"{field} {_show(text)} is not an https URL such as https://login.microsoftonline.com.")
    if not _valid_host(parts.hostname):
        raise InvalidInputError(
            f"{field} {_show(text)} has an invalid host name: use letters, digits, '-' and '.' "
            "(punycode for international names) or an IP address."
        )
    if parts.scheme == "http" and not (is_loopback(parts.hostname) and http_loopback_allowed()):
        raise InvalidInputError(
            f"{field} {_show(text)} uses plain http: only https is allowed "
            f"(http to a loopback address only with {ENV_ALLOW_HTTP_LOOPBACK}=1, for tests)."
        )
    if parts.username or parts.password or parts.query or parts.fragment or parts.path not in {"", "/"}:
        raise InvalidInputError(
            f"{field} {_show(text)} must be just scheme, host and optional port (no path, query or credentials)."
        )
    try:
        parts.port
    except ValueError:
        raise InvalidInputError(f"{field} {_show(text)} has an invalid port.") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def endpoint_url(value: object, field: str) -> str:
    """An https base URL that may carry a path (e.g. an API behind a gateway); same http rule as above."""
    text = _require_text(value, field).rstrip("/")
    parts = _split(text, field)
    if any(c.isspace() for c in parts.path):
        raise InvalidInputError(f"{field} {_show(text)} has spaces in its path.")
    origin = service_url(f"{parts.scheme}://{parts.netloc}", field) if parts.netloc else service_url(text, field)
    if parts.query or parts.fragment:
        raise InvalidInputError(f"{field} {_show(text)} must not have a query or fragment.")
    return origin + parts.path.rstrip("/")


# What Linux file systems take (NAME_MAX, PATH_MAX); other systems allow no more.
_MAX_NAME_BYTES = 255
_MAX_PATH_BYTES = 4096


def local_path(value: object, field: str) -> str:
    """An absolute path this system can open and the config file (UTF-8 TOML) can record."""
    text = _require_text(value, field)
    try:
        text.encode("utf-8")  # a lone surrogate (undecodable bytes in a shell argument) cannot be recorded
    except UnicodeEncodeError:
        raise InvalidInputError(f"{field} {_show(text)} contains characters that are not valid text (undecodable bytes).") from None
    path = os.path.abspath(os.path.expanduser(text))
    encoded = os.fsencode(path)
    if len(encoded) > _MAX_PATH_BYTES:
        raise InvalidInputError(f"{field} {_show(text)} is longer than {_MAX_PATH_BYTES} bytes, which no file system here takes.")
    longest = max(encoded.split(b"/"), key=len)
    if len(longest) > _MAX_NAME_BYTES:
        raise InvalidInputError(
            f"{field} {_show(text)} has a file or directory name longer than {_MAX_NAME_BYTES} bytes "
            f"({_show(os.fsdecode(longest), 30)})."
        )
    return path


def file_path(value: object, field: str, *, must_exist: bool = True) -> str:
    path = local_path(value, field)
    text = str(value).strip()
    if must_exist and not os.path.isfile(path):
        raise InvalidInputError(f"{field} {_show(text)} does not exist or is not a file.")
    return path


def resource_of(scope: str) -> str:
    """The resource a scope belongs to: 'https://graph.microsoft.com/User.Read' -> 'https://graph.microsoft.com'."""
    if "/" not in scope:
        return GRAPH_RESOURCE  # Entra treats bare names like User.Read as Microsoft Graph scopes
    return scope.rsplit("/", 1)[0].rstrip("/").lower()


def _fix_double_slash(scope: str) -> str:
    scheme, sep, rest = scope.partition("://")
    if not sep:
        return re.sub(r"/{2,}", "/", scope)
    return scheme + sep + re.sub(r"/{2,}", "/", rest)


def scopes(values: object, *, allow_empty: bool = False) -> tuple[str, ...]:
    """Scopes of exactly one resource, cleaned of what users copy from old docs (with a warning)."""
    if isinstance(values, str):
        values = values.split()
    if not isinstance(values, (list, tuple)):
        raise InvalidInputError(f"scopes must be a list of strings, not {type(values).__name__}.")
    cleaned: list[str] = []
    for raw in values:
        scope = _require_text(raw, "scope")
        if not scope.isascii() or not scope.isprintable():
            raise InvalidInputError(
                f"scope {_show(scope)} contains non-ASCII or invisible characters (copied from a formatted "
                "document?); type it plainly, e.g. https://graph.microsoft.com/.default."
            )
        if any(c.isspace() for c in scope):
            raise InvalidInputError(f"scope {_show(scope)} contains whitespace; give each scope separately.")
        if scope.lower() in RESERVED_SCOPES:
            warnings.warn(
                f"scope {scope!r} is added automatically and was dropped from the request", SamBridgeWarning, 2
            )
            continue
        fixed = _fix_double_slash(scope)
        if "://" in fixed:
            parts = urlsplit(fixed)
            if parts.scheme != "https" or not parts.hostname or not parts.path.strip("/"):
                raise InvalidInputError(
                    f"scope {_show(scope)} is not of the form https://resource/permission or https://resource/.default."
                )
        elif "/" in fixed:
            head, _, perm = fixed.partition("/")
            if not _GUID.match(head) or not perm:
                raise InvalidInputError(f"scope {_show(scope)} is not of the form APP-ID/permission.")
        elif not _GRAPH_SHORT.match(fixed):
            raise InvalidInputError(
                f"scope {_show(scope)} is not a scope: expected https://resource/permission, "
                "https://resource/.default, APP-ID/permission or a Microsoft Graph name such as User.Read."
            )
        if fixed != scope:  # warned only once the fixed scope is known to be valid
            warnings.warn(
                f"scope {scope!r} has a double slash (a bug in old Partner Center samples); using {fixed!r}",
                SamBridgeWarning,
                2,
            )
        if fixed not in cleaned:
            cleaned.append(fixed)
    if not cleaned and not allow_empty:
        raise InvalidInputError("no scope given: ask for at least one, e.g. https://graph.microsoft.com/.default.")
    resources = sorted({resource_of(s) for s in cleaned})
    if len(resources) > 1:
        raise InvalidInputError(
            "scopes span more than one resource (" + ", ".join(resources) + "); an access token is for one "
            "resource, so request each resource's scopes separately."
        )
    return tuple(cleaned)
