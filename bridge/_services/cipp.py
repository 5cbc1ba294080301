"""Import from a CIPP-style Key Vault: its app registration, client secret and refresh token.

CIPP (KelvinTegelaar/CIPP-API, `Modules/CIPPCore/Public/Get-CIPPAuthentication.ps1`) keeps four
secrets in its function app's vault, read with `Get-AzKeyVaultSecret -Name $_`:

    ApplicationID       the SAM app registration's client id      -> profile app_id (config file)
    ApplicationSecret   its client secret                         -> {profile}/client-secret
    TenantID            the partner tenant                        -> profile tenant (config file)
    RefreshToken        the partner tenant's refresh token        -> {profile}/refresh-token

and, for "direct" (non-GDAP) customer tenants, one refresh token per tenant in a secret named by
the tenant id (`Invoke-ExecUpdateRefreshToken.ps1`); `direct_tenant` imports that one instead,
for a profile whose tenant is that customer. Key Vault names ignore case, so `ApplicationId`
(older CIPP releases) is the same secret.

The import copies: the profile gets its own refresh token lineage in its own store, and CIPP keeps
its own. Both stay valid (Entra does not revoke a refresh token when another one is issued), and
neither tool overwrites the other's secret (CIPP writes without a compare, see docs/STORES.md).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

from .._core import validate as v
from .._core.errors import ConfigError, InvalidInputError, NotAvailableError

CIPP_APPLICATION_ID = "ApplicationID"
CIPP_APPLICATION_SECRET = "ApplicationSecret"
CIPP_TENANT_ID = "TenantID"
CIPP_REFRESH_TOKEN = "RefreshToken"
CIPP_SECRETS = (CIPP_APPLICATION_ID, CIPP_APPLICATION_SECRET, CIPP_TENANT_ID, CIPP_REFRESH_TOKEN)


@dataclass(frozen=True)
class CippImport:
    """What an import did (no secrets)."""

    profile: str
    app_id: str
    tenant: str
    store: str
    vault: str
    created: bool
    refresh_token_secret: str
    issued_at: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CippSecrets:
    """The values read from a CIPP vault; secrets never appear in repr."""

    app_id: str
    tenant: str
    client_secret: str
    refresh_token: str
    refresh_token_secret: str
    refresh_token_created: Any  # datetime | None: when CIPP last wrote the token

    def __repr__(self) -> str:
        return f"CippSecrets(app_id={self.app_id!r}, tenant={self.tenant!r}, refresh_token_secret={self.refresh_token_secret!r})"


def read_cipp_vault(vault: Any, *, direct_tenant: str | None = None) -> CippSecrets:
    """Read CIPP's secrets from `vault` (a KeyVaultStore); NotAvailableError names any that are missing."""
    from .._core.scrub import remember

    rt_name = v.guid(direct_tenant, "direct tenant") if direct_tenant else CIPP_REFRESH_TOKEN
    wanted = (CIPP_APPLICATION_ID, CIPP_APPLICATION_SECRET, CIPP_TENANT_ID, rt_name)
    found = {name: vault.get_raw(name) for name in wanted}
    missing = [name for name, secret in found.items() if secret is None or not secret.value.strip()]
    if missing:
        raise NotAvailableError(
            f"the vault {vault.vault_url} has no CIPP secret(s) {', '.join(missing)}; a CIPP vault holds "
            f"{', '.join(CIPP_SECRETS)} (and one secret per direct tenant, named by its tenant id)."
        )
    for name in (CIPP_APPLICATION_SECRET, rt_name):  # the app and tenant ids are not secret
        remember(found[name].value.strip())
    try:
        app_id = v.guid(found[CIPP_APPLICATION_ID].value.strip(), f"{CIPP_APPLICATION_ID} in the vault")
        tenant = v.tenant(direct_tenant or found[CIPP_TENANT_ID].value.strip(), f"{CIPP_TENANT_ID} in the vault")
    except InvalidInputError as exc:
        raise InvalidInputError(f"{exc.message} Is {vault.vault_url} a CIPP vault?") from None
    rt = found[rt_name]
    return CippSecrets(app_id, tenant, found[CIPP_APPLICATION_SECRET].value.strip(), rt.value.strip(), rt_name, rt.created_on)


def import_cipp(
    vault_url: str,
    profile_name: str,
    *,
    config: str | os.PathLike[str] | None = None,
    create: bool = False,
    store: str | None = None,
    authority_host: str | None = None,
    ca_bundle: str | None = None,
    direct_tenant: str | None = None,
    credential: Any = None,
) -> CippImport:
    """Create or update profile `profile_name` from a CIPP vault; secrets go to the profile's store.

    Without `create` the profile must exist and be for the vault's app and tenant. With it, the
    profile is created (or its app, tenant and credential replaced). A new profile's store is
    `store`, else SAM_BRIDGE_STORE, else the CIPP vault itself (under sam-bridge's secret names).
    """
    from .profiles import store_client_secret, store_for
    from .._config import Config
    from .._core.constants import ENV_STORE
    from .exchange import import_refresh_token
    from .._stores.keyvault import KeyVaultStore

    name = v.profile_name(profile_name)
    if ca_bundle is not None:
        ca_bundle = v.file_path(ca_bundle, "CA bundle")
    vault = KeyVaultStore(vault_url, ca_bundle=ca_bundle, credential=credential)
    secrets = read_cipp_vault(vault, direct_tenant=direct_tenant)

    cfg = Config.load(config)
    exists = name in cfg.profile_names
    if not exists and not create:
        raise ConfigError(
            f"profile {name!r} is not in {cfg.path}; add --create to create it from the vault "
            f"(app {secrets.app_id}, tenant {secrets.tenant})."
        )
    overrides: dict[str, Any] = {"authority_host": authority_host, "ca_bundle": ca_bundle, "store": store}
    if exists:
        current = cfg.profile(name)
        if not create:
            _require_same(current, secrets)
        file_values: Mapping[str, Any] = current.to_file_dict()
    else:
        file_values = {}
        if store is None and not os.environ.get(ENV_STORE):
            overrides["store"] = vault.uri
    overrides.update(app_id=secrets.app_id, tenant=secrets.tenant, credential="secret")
    profile = Config.build_profile(name, file_values, **{k: val for k, val in overrides.items() if val is not None})

    target = store_for(profile)
    target.check()
    store_client_secret(profile, secrets.client_secret)
    meta = import_refresh_token(profile, target, secrets.refresh_token, source="cipp",
                                issued_at=secrets.refresh_token_created)
    cfg.set_profile(profile)
    cfg.save()
    return CippImport(
        profile=profile.name,
        app_id=profile.app_id,
        tenant=profile.tenant,
        store=profile.store,
        vault=vault.vault_url,
        created=not exists,
        refresh_token_secret=secrets.refresh_token_secret,
        issued_at=meta["issued_at"],
    )


def _require_same(profile: Any, secrets: CippSecrets) -> None:
    problems = []
    if profile.app_id != secrets.app_id:
        problems.append(f"its app is {profile.app_id}, the vault's {CIPP_APPLICATION_ID} is {secrets.app_id}")
    if profile.tenant != secrets.tenant:
        problems.append(f"its tenant is {profile.tenant}, the vault's is {secrets.tenant}")
    if profile.credential != "secret":
        problems.append(f"it uses a {profile.credential} credential, CIPP's app a client secret")
    if problems:
        raise InvalidInputError(
            f"profile {profile.name!r} does not match the vault: " + "; ".join(problems)
            + ". Add --create to replace the profile's app, tenant and credential with the vault's."
        )
