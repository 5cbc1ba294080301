"""Every generated snippet parses, uses nothing newer than Windows PowerShell 5.1, and connects the
stand-ins in real pwsh; no default snippet carries a token.

Default snippets run `sam-bridge params ... --json` through SAM_BRIDGE_CLI (set to this Python's
`-m bridge`) and, having no --module-version, detect the stand-in module's version themselves.
"""
from __future__ import annotations

import re
from typing import Any

import pytest

from bridge._targets.snippets import embedded_snippet, ps_string, runtime_snippet
from bridge._targets import connect_parameters

from .conftest import PROFILE_NAME, known_tokens, run_pwsh
from .matrix import CASE_IDS, CASES, CUSTOMER_DOMAIN, MATRIX, assert_binds

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.")
RETIRED = {"AzureAD", "MsolService"}

# Default snippets with an explicit --module-version (the rest detect the installed version).
EXPLICIT = [c for c in MATRIX if c.standin in ("Microsoft.Graph.Authentication-1.28.0", "PartnerCenter-2.0.1909.1")]

# Syntax PowerShell 7 accepts and Windows PowerShell 5.1 does not: the check must flag each line.
NEWER_SYNTAX = "\n".join([
    "$a = $null ?? 1",
    "$b ??= 2",
    "$c = $true ? 1 : 2",
    "Get-Item . && Get-Item .",
    "1..2 | ForEach-Object -Parallel { $_ }",
    "'{}' | ConvertFrom-Json -AsHashtable",
    "$d = ${a}?.Length",
])


@pytest.fixture(scope="module")
def snippets(consented, standins, standin_modules) -> dict[str, dict[str, Any]]:
    """Every snippet under test: id -> {text, stand-in modules to load, environment for the run}."""
    out: dict[str, dict[str, Any]] = {}
    for (case, kind), case_id in zip(CASES, CASE_IDS):
        tenant = CUSTOMER_DOMAIN if kind == "customer" else None
        modules = [str(standin_modules[case.standin])]
        out[f"default:{case_id}"] = {"text": runtime_snippet(case.target, PROFILE_NAME, tenant, None, case.include),
                                     "modules": modules}
        version = standins[case.standin].module_version
        result = connect_parameters(consented.profile, consented.store, case.target, tenant, version, case.include)
        out[f"embedded:{case_id}"] = {"text": embedded_snippet(result, PROFILE_NAME), "modules": modules}
    for case in EXPLICIT:
        out[f"explicit:{case.id('partner')}"] = {
            "text": runtime_snippet(case.target, PROFILE_NAME, None, case.module_version, case.include),
            "modules": [str(standin_modules[case.standin])],
        }
    # tailspin has no GDAP relationship: `sam-bridge params` fails, and the snippet must say so.
    out["failing:tailspin"] = {"text": runtime_snippet("MgGraph", PROFILE_NAME, consented.emulator.ids.tailspin),
                               "modules": [str(standin_modules["Microsoft.Graph.Authentication-2.25.0"])]}
    out["missing-cli"] = {"text": runtime_snippet("MgGraph", PROFILE_NAME),
                          "modules": [str(standin_modules["Microsoft.Graph.Authentication-2.25.0"])],
                          "env": {"SAM_BRIDGE_CLI": "no-such-sam-bridge-command"}}
    return out


@pytest.fixture(scope="module")
def results(consented, pwsh, snippets, tmp_path_factory) -> dict[str, dict[str, Any]]:
    cases = [{"id": i, "kind": "snippet", **s} for i, s in snippets.items()]
    cases.append({"id": "newer-syntax", "kind": "parse", "text": NEWER_SYNTAX, "modules": []})
    return run_pwsh(pwsh, cases, tmp_path_factory.mktemp("snippets"), env=consented.env)


def _parses_for_5_1(result: dict[str, Any]) -> None:
    assert result["parse"] is not None
    assert result["parse"]["errors"] == []
    assert result["parse"]["compatibility"] == []


@pytest.mark.parametrize("case, kind", CASES, ids=CASE_IDS)
def test_default_snippet_connects(results, consented, case, kind):
    result = results[f"default:{case.id(kind)}"]
    _parses_for_5_1(result)
    assert_binds(case, kind, result, consented.emulator.ids)
    if case.target in RETIRED:
        assert any("retired" in w for w in result["warnings"]), result["warnings"]


@pytest.mark.parametrize("case, kind", CASES, ids=CASE_IDS)
def test_embedded_snippet_connects(results, snippets, consented, case, kind):
    result = results[f"embedded:{case.id(kind)}"]
    _parses_for_5_1(result)
    assert_binds(case, kind, result, consented.emulator.ids)
    head = snippets[f"embedded:{case.id(kind)}"]["text"].splitlines()[:4]
    assert "WARNING: THIS SNIPPET CONTAINS LIVE ACCESS TOKENS" in "\n".join(head)
    if case.target in RETIRED:
        assert any("retired" in w for w in result["warnings"]), result["warnings"]


@pytest.mark.parametrize("case", EXPLICIT, ids=[c.id("partner") for c in EXPLICIT])
def test_default_snippet_with_explicit_module_version(results, snippets, consented, case):
    assert f"'--module-version', '{case.module_version}'" in snippets[f"explicit:{case.id('partner')}"]["text"]
    result = results[f"explicit:{case.id('partner')}"]
    _parses_for_5_1(result)
    assert_binds(case, "partner", result, consented.emulator.ids)


def test_no_default_snippet_contains_a_token(results, snippets, consented):
    known = known_tokens(consented)  # the refresh token and every access token issued so far
    assert len(known) > 10
    defaults = {i: s["text"] for i, s in snippets.items() if not i.startswith("embedded:")}
    for snippet_id, text in defaults.items():
        assert not JWT.search(text), snippet_id
        assert not [t for t in known if t in text], snippet_id
    # The same search finds the tokens where they are: it can fail.
    embedded = [s["text"] for i, s in snippets.items() if i.startswith("embedded:")]
    assert all(JWT.search(text) for text in embedded)
    assert all(any(t in text for t in known) for text in embedded)


def test_a_failing_exchange_stops_the_snippet_with_a_clear_error(results):
    result = results["failing:tailspin"]
    _parses_for_5_1(result)
    assert result["error"] is not None and result["outputs"] == []
    assert "sam-bridge params MgGraph failed with exit code 4" in result["error"]["message"]
    assert "nothing was connected" in result["error"]["message"]


def test_a_missing_cli_is_named(results):
    result = results["missing-cli"]
    assert result["error"] is not None
    assert "sam-bridge was not found (looked for 'no-such-sam-bridge-command')" in result["error"]["message"]


def test_the_5_1_check_flags_newer_syntax(results):
    problems = results["newer-syntax"]["parse"]["compatibility"]
    assert len({p.rsplit("(line ", 1)[1] for p in problems}) == len(NEWER_SYNTAX.splitlines()), problems


def test_powershell_literals_cannot_be_broken_out_of():
    assert ps_string("it's") == "'it''s'"
    assert ps_string("a\u2019b") == "'a\u2019\u2019b'"  # PowerShell also ends strings at typographic quotes
    with pytest.raises(ValueError):
        ps_string("line\nbreak")
