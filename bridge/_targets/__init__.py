"""The `Connect-*` targets: which tokens each cmdlet takes, for which audience, and what goes with them.

This is the product layer above the exchange core: it knows cmdlets, parameter sets and module
versions, and asks `obtain_token()` for one token per audience (so rotation and caching stay the core's).
The facts are transcribed from the parameter sets read from each module's source and help
(`connect-cmdlets.json`, kept beside the project); the binding tests check them against stand-ins
generated from a copy of that file, so this table is the only copy inside the package.

    >>> plan("azaccount", include=["msgraph"]).parameter_names
    ('AccessToken', 'MicrosoftGraphAccessToken', 'AccountId', 'Tenant')

The package, by concern: model.py (audiences' scopes, parameters, variants, module versions),
table.py (the cmdlet table), plan.py (what a call needs; SharePoint URLs), connect.py (the
exchanges and the parameters that bind), snippets.py (PowerShell that connects).
"""
from __future__ import annotations

from .model import (  # noqa: F401
    AAD_GRAPH_SCOPE,
    ACCOUNT,
    ALWAYS,
    ANY_VERSION,
    APP_ID,
    ARM_SCOPE,
    COMPLIANCE_SCOPE,
    CUSTOMER,
    EXCHANGE_SCOPE,
    GRAPH_SCOPE,
    KEY_VAULT_SCOPE,
    ModuleVersion,
    PARTNER,
    Parameter,
    SHAREPOINT_SCOPE,
    TEAMS_SCOPE,
    TENANT,
    Target,
    TokenParameter,
    URL,
    ValueParameter,
    Variant,
)
from .table import (  # noqa: F401
    TARGETS,
    get_target,
    target_names,
)
from .plan import (  # noqa: F401
    Plan,
    normalise_include,
    plan,
    sharepoint_url,
    sharepoint_url_for,
)
from .connect import (  # noqa: F401
    ConnectParameters,
    Exchanger,
    connect_parameters,
    connect_parameters_batch,
)
