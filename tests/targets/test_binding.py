"""Generated parameters bind to stand-ins of the real parameter sets, in real pwsh.

For every target x module-version variant x {partner, customer}: tokens exchanged at the emulator,
parameters splatted into the stand-in (SecureStrings converted as `secure_parameters` says), and the
bound set, names, types, values and token audiences checked. Wrong variants are shown to fail, so
these tests can fail.
"""
from __future__ import annotations

from typing import Any

import pytest

from bridge._targets import connect_parameters

from .conftest import run_pwsh
from .matrix import CASE_IDS, CASES, CUSTOMER_DOMAIN, assert_binds

# A splat that must NOT bind: (case id, stand-in, parameters from (target, module version, include), fault).
WRONG = {
    # The reference doc's Partner Center call: -ApplicationId with -AccessToken, on 3.x and on 2.0.1909.2.
    "pc-applicationid-on-3.x": ("PartnerCenter-3.0.10", ("PartnerCenter", "2.0.1909.1", ()), "AmbiguousParameterSet"),
    "pc-applicationid-on-2.0.1909.2": ("PartnerCenter-2.0.1909.2", ("PartnerCenter", "2.0.1909.1", ()), "NamedParameterNotFound"),
    # Connect-MgGraph 2.x refuses the plain string that 1.x took.
    "mggraph-string-on-v2": ("Microsoft.Graph.Authentication-2.25.0", ("MgGraph", "1.28.0", ()), "ParameterArgumentTransformationError"),
    # A Microsoft Graph token for Az.Accounts older than 2.7.0 (why sam-bridge refuses msgraph there).
    "az-msgraph-on-2.6.0": ("Az.Accounts-2.6.0", ("AzAccount", "5.0.0", ("msgraph",)), "NamedParameterNotFound"),
    # The legacy Teams shape against the current module, and the current one against the legacy module.
    "teams-legacy-on-5.0.0": ("MicrosoftTeams-5.0.0", ("MicrosoftTeams", "2.3.1", ()), "NamedParameterNotFound"),
    "teams-accesstokens-on-2.3.1": ("MicrosoftTeams-2.3.1", ("MicrosoftTeams", None, ()), "NamedParameterNotFound"),
}


def _splat_case(case_id: str, standin: Any, manifest: Any, parameters: dict[str, Any], secure: list[str]) -> dict[str, Any]:
    return {
        "id": case_id,
        "kind": "splat",
        "modules": [str(manifest)],
        "command": standin.qualified,
        "parameters": parameters,
        "secure": secure,
    }


@pytest.fixture(scope="module")
def results(consented, pwsh, standins, standin_modules, tmp_path_factory) -> dict[str, dict[str, Any]]:
    cases = []
    for (case, kind), case_id in zip(CASES, CASE_IDS):
        tenant = CUSTOMER_DOMAIN if kind == "customer" else None
        got = connect_parameters(consented.profile, consented.store, case.target, tenant, case.module_version, case.include)
        data = got.to_dict()
        cases.append(_splat_case(case_id, standins[case.standin], standin_modules[case.standin],
                                 data["parameters"], data["secure_parameters"]))
    for case_id, (standin_id, (target, version, include), _) in WRONG.items():
        got = connect_parameters(consented.profile, consented.store, target, None, version, include).to_dict()
        cases.append(_splat_case(case_id, standins[standin_id], standin_modules[standin_id],
                                 got["parameters"], got["secure_parameters"]))
    # The reference doc's Azure sample passes `$token.AccessToken`, a variable it never set.
    az = connect_parameters(consented.profile, consented.store, "AzAccount").to_dict()["parameters"]
    cases.append(_splat_case("doc-azure-unset-token", standins["Az.Accounts-5.0.0"], standin_modules["Az.Accounts-5.0.0"],
                             {**az, "AccessToken": None}, []))
    return run_pwsh(pwsh, cases, tmp_path_factory.mktemp("binding"))


@pytest.mark.parametrize("case, kind", CASES, ids=CASE_IDS)
def test_parameters_bind(results, consented, case, kind):
    assert_binds(case, kind, results[case.id(kind)], consented.emulator.ids)


@pytest.mark.parametrize("case_id", sorted(WRONG))
def test_wrong_variant_fails_to_bind(results, case_id):
    result = results[case_id]
    assert result["error"] is not None, f"{case_id} bound, but must not: {result['outputs']}"
    assert result["error"]["error_id"].startswith(WRONG[case_id][2]), result["error"]


def test_reference_doc_azure_sample_fails_to_bind(results):
    error = results["doc-azure-unset-token"]["error"]
    assert error is not None and error["error_id"].startswith("ParameterArgumentValidationError"), error
    assert "AccessToken" in error["message"]
