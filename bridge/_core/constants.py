"""Names and defaults used across the core, in one place."""
from __future__ import annotations

APP_NAME = "sam-bridge"

# Environment variables (one list; the config precedence code reads them from here).
ENV_CONFIG = "SAM_BRIDGE_CONFIG"
ENV_PROFILE = "SAM_BRIDGE_PROFILE"
ENV_STORE = "SAM_BRIDGE_STORE"
ENV_AUTHORITY_HOST = "SAM_BRIDGE_AUTHORITY_HOST"
ENV_CA_BUNDLE = "SAM_BRIDGE_CA_BUNDLE"
ENV_CLIENT_SECRET = "SAM_BRIDGE_CLIENT_SECRET"
ENV_CERTIFICATE_PASSWORD = "SAM_BRIDGE_CERTIFICATE_PASSWORD"
ENV_REFRESH_TOKEN = "SAM_BRIDGE_REFRESH_TOKEN"
ENV_ALLOW_HTTP_LOOPBACK = "SAM_BRIDGE_ALLOW_HTTP_LOOPBACK"
# An authority host that is not one of Microsoft's (the emulator, a test double) must be allowed.
ENV_ALLOW_CUSTOM_AUTHORITY = "SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY"
# Presenting a stored refresh token to another authority than the one that issued it (logged).
ENV_ALLOW_AUTHORITY_CHANGE = "SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE"
ENV_CACHE_DIR = "SAM_BRIDGE_CACHE_DIR"
ENV_CLI = "SAM_BRIDGE_CLI"  # the command generated snippets run instead of `sam-bridge`
ENV_HTTP_TIMEOUT = "SAM_BRIDGE_HTTP_TIMEOUT"  # seconds to wait for an answer (read timeout)
ENV_HTTP_RETRY_BUDGET = "SAM_BRIDGE_HTTP_RETRY_BUDGET"  # seconds all retries of one request may take

DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
DEFAULT_STORE = "keyring"

PARTNER_CENTER_URL = "https://api.partnercenter.microsoft.com"
GRAPH_URL = "https://graph.microsoft.com"
# The client `app create` signs in with before the app exists: Microsoft Graph Command Line Tools,
# the public client of Connect-MgGraph, which every tenant can use for device-code sign-in.
BOOTSTRAP_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
# A profile's app credential is reported as expiring this many days before its endDateTime.
DEFAULT_CREDENTIAL_WARN_DAYS = 30
DEFAULT_SECRET_DAYS = 180  # lifetime of a secret `app create` / `app rotate` adds (Graph caps it at 730)
# Application ids of the resources the SAM app's lifecycle itself calls (Entra's first-party apps).
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
PARTNER_CENTER_APP_ID = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"
PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"
# Partner Center's refusal of an App+User token without `mfa` in `amr` (HTTP 401; sam-lifecycle 4.2).
PARTNER_CENTER_MFA_CODE = 900421
DEFAULT_SCOPES = (PARTNER_CENTER_SCOPE,)

# msal adds these to every user flow itself and refuses them from callers.
RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access"})

GRAPH_RESOURCE = "https://graph.microsoft.com"

# Entra's refresh-token inactivity limit (MaxInactiveTime, no longer configurable).
REFRESH_TOKEN_INACTIVITY_DAYS = 90
DEFAULT_WARN_DAYS = 14  # the one default of `status --warn-days`, the RPC and Get-SamRefreshTokenStatus
# Written here, not in the services, because the edges (option defaults, argument checks) need them too.
CONSENT_METHODS = ("device-code", "browser", "print-url")
CONSENT_TIMEOUT = 300.0
BATCH_CONCURRENCY = 8
BATCH_MAX_CONCURRENCY = 64
# GDAP relationships ending within this many days (and not auto-extending) are warned about.
DEFAULT_GDAP_WARN_DAYS = 30
# A customer job reconnects when its tokens have less than this left (Invoke-SamCustomerJob -MarginSeconds).
JOB_RECONNECT_MARGIN_SECONDS = 600
# Connect-MicrosoftTeams refuses a token pair whose expiries differ by this much or more.
TEAMS_MAX_EXPIRY_SPREAD_SECONDS = 5400
# An access token with less than this left is treated as expired (msal uses the same margin).
ACCESS_TOKEN_REUSE_MARGIN_SECONDS = 300

# Store entry names, per profile.
ENTRY_REFRESH_TOKEN = "refresh-token"
ENTRY_PREVIOUS_REFRESH_TOKEN = "refresh-token-previous"  # the record an import replaced (import --restore)
ENTRY_CLIENT_SECRET = "client-secret"
ENTRY_CLIENT_CERTIFICATE = "client-certificate"
ENTRY_ACCESS_TOKENS = "access-tokens"
# The access-token cache of a profile keeps at most this many tokens, those that expire last: a
# batch over 10,000 tenants must not make every later exchange read and rewrite 10,000 of them,
# nor hold them all in memory.
ACCESS_TOKEN_CACHE_LIMIT = 1000
