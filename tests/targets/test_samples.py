"""Every sample in samples/ runs against the emulator: the PowerShell ones in real pwsh with the
stand-in Connect-* modules and the SamBridge module (psmodule/, reaching this checkout's core through
SAM_BRIDGE_CLI), the Python one against the emulator's Partner Center. None of them contains a token.
(ReferenceDoc-PartnerCenter.ps1 takes a PSCredential and a SecureString, so tests/pester/Samples.Tests.ps1
runs it; here it is parsed.)"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest

from .conftest import PROFILE_NAME, REPO, known_tokens, run_pwsh
from .matrix import AZ, MATRIX, Case, assert_binds

SAMPLES = REPO / "samples"
PS = SAMPLES / "powershell"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.")


def _case(standin: str) -> Case:
    return next(c for c in MATRIX if c.standin == standin)


AZ_MSGRAPH = Case("AzAccount", "Az.Accounts-5.0.0", None, ("msgraph",), "AccessTokenWithSubscriptionId",
                  AZ + ("MicrosoftGraphAccessToken",), AZ + ("MicrosoftGraphAccessToken",))
EXO = _case("ExchangeOnlineManagement-3.10.1-Connect-ExchangeOnline")
EXO_SAMPLE = replace(EXO, customer=EXO.customer + ("ShowBanner",), switches=("ShowBanner",))

# (run id, sample file, expectation, tenant kind). The stand-in's module version is what the sample
# detects, so the old-module runs show the sample adapting to the installed version.
RUNS: list[tuple[str, str, Case, str]] = [
    ("azure-partner", "Connect-Azure.ps1", AZ_MSGRAPH, "partner"),
    ("azure-customer", "Connect-Azure.ps1", AZ_MSGRAPH, "customer"),
    ("azuread-customer", "Connect-AzureAD.ps1", _case("AzureAD-2.0.2.182"), "customer"),
    ("msonline-customer", "Connect-MsOnline.ps1", _case("MSOnline-1.1.166.0"), "customer"),
    ("partnercenter-3.0.10", "Connect-PartnerCenter.ps1", _case("PartnerCenter-3.0.10"), "partner"),
    ("partnercenter-2.0.1909.1", "Connect-PartnerCenter.ps1", _case("PartnerCenter-2.0.1909.1"), "partner"),
    ("exchange-gdap", "Connect-ExchangeOnline.ps1", EXO_SAMPLE, "customer"),
    ("graph-partner", "Connect-MicrosoftGraph.ps1", _case("Microsoft.Graph.Authentication-2.25.0"), "partner"),
    ("graph-customer", "Connect-MicrosoftGraph.ps1", _case("Microsoft.Graph.Authentication-2.25.0"), "customer"),
    ("graph-v1-customer", "Connect-MicrosoftGraph.ps1", _case("Microsoft.Graph.Authentication-1.28.0"), "customer"),
    ("teams-customer", "Connect-Teams.ps1", _case("MicrosoftTeams-5.0.0"), "customer"),
    ("teams-legacy-partner", "Connect-Teams.ps1", _case("MicrosoftTeams-2.3.1"), "partner"),
]


@pytest.fixture(scope="module")
def results(consented, pwsh, standin_modules, tmp_path_factory) -> dict[str, dict[str, Any]]:
    cases = []
    for run_id, sample, case, kind in RUNS:
        arguments: dict[str, Any] = {}
        env: dict[str, Any] = {}
        if kind == "customer":
            arguments["Tenant"] = "fabrikam.onmicrosoft.com"
            env["SAM_BRIDGE_PROFILE"] = PROFILE_NAME  # the samples' default for -ProfileName
        else:
            arguments["ProfileName"] = PROFILE_NAME
        cases.append({"id": run_id, "kind": "script", "path": str(PS / sample), "arguments": arguments, "env": env,
                      "modules": [str(standin_modules[case.standin])]})
    # Run in pytest only as far as parsing (it takes a PSCredential and a SecureString): 5.1 syntax too.
    ported = PS / "ReferenceDoc-PartnerCenter.ps1"
    cases.append({"id": "reference-doc", "kind": "parse", "text": ported.read_text(encoding="utf-8"), "modules": []})
    # `Import-Module SamBridge` in the samples finds the module of this checkout.
    env = dict(consented.env)
    env["PSModulePath"] = os.pathsep.join(filter(None, [str(REPO / "psmodule"), env.get("PSModulePath")]))
    return run_pwsh(pwsh, cases, tmp_path_factory.mktemp("samples"), env=env)


@pytest.mark.parametrize("run_id, sample, case, kind", RUNS, ids=[r[0] for r in RUNS])
def test_powershell_sample_connects(results, consented, run_id, sample, case, kind):
    result = results[run_id]
    assert result["parse"]["errors"] == [] and result["parse"]["compatibility"] == []
    assert_binds(case, kind, result, consented.emulator.ids)
    if case.target in ("AzureAD", "MsolService"):
        assert any("retired" in w for w in result["warnings"])


def test_ported_reference_doc_sample_is_5_1_compatible(results):
    assert results["reference-doc"]["parse"] == {"errors": [], "compatibility": []}


def test_python_sample_lists_customers_and_checks_access(consented):
    done = subprocess.run(
        [sys.executable, str(SAMPLES / "python" / "list_customers.py"), "--check",
         "--partner-center", f"{consented.emulator.authority_host}/partnercenter"],
        env=consented.env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"3 customer(s) of {consented.emulator.ids.partner}:"
    fabrikam = lines.index(next(line for line in lines if "fabrikam.onmicrosoft.com" in line))
    assert lines[fabrikam + 1].strip().startswith("Graph token until")
    # woodgrove has a GDAP relationship but never consented to the app: the reason is printed.
    woodgrove = lines.index(next(line for line in lines if "woodgrove.onmicrosoft.com" in line))
    assert "no access:" in lines[woodgrove + 1] and "AADSTS65001" in lines[woodgrove + 1]
    assert not JWT.search(done.stdout + done.stderr)


def test_samples_contain_no_token(consented, results):
    known = known_tokens(consented)  # after the runs above: every token they were handed
    assert known
    for path in sorted(p for p in SAMPLES.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        assert not JWT.search(text), path
        assert not [t for t in known if t in text], path


def test_readme_describes_every_sample():
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    for path in sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix in (".ps1", ".py")):
        assert path.name in readme, path.name
