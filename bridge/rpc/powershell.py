"""Texts of the RPC contract as a PowerShell user reads them: `sam-bridge ...` commands become cmdlets."""
from __future__ import annotations

import re
from typing import Any

# -- CLI commands in texts, as the cmdlets a PowerShell user runs ---------------------------------
# The core's errors, findings and messages say what to run as a `sam-bridge ...` command line. Over
# this contract the reader is in PowerShell, so each such command with a cmdlet equivalent is
# rewritten (a command with a flag not listed here is left as it is: still correct, only foreign).
_CLI_COMMAND = re.compile(r"`sam-bridge ([^`]+)`")
_CMDLETS = {
    "consent": "Invoke-SamConsent",
    "keepalive": "Invoke-SamKeepAlive",
    "refresh-token import": "Import-SamRefreshToken",
    "doctor": "Test-SamProfile",
    "status": "Get-SamRefreshTokenStatus",
    "profile add": "Register-SamProfile",
    "app create": "New-SamApplication",
    "app consent": "Grant-SamCustomerConsent",
    "app credentials": "Get-SamApplicationCredential",
    "app rotate": "Update-SamApplicationCredential",
    "customers": "Get-SamCustomer",
}
_PARAMETERS = {
    "--profile": "-Profile", "--tenant": "-Tenant", "--app-id": "-ApplicationId", "--store": "-Store",
    "--certificate": "-CertificatePath", "--ca-bundle": "-CaBundle", "--authority-host": "-AuthorityHost",
    "--redirect-port": "-RedirectPort", "--device-code": "-DeviceCode", "--browser": "-Browser",
    "--print-url": "-PrintUrl", "--secret-stdin": "-ClientSecret (Read-Host -AsSecureString)",
    "--sign-in": "-SignIn",
    "--customer": "-Customers", "--partner-center-url": "-PartnerCenterUrl",
    "--targets": "-Targets", "--credential": "-Credential", "--secret-days": "-SecretDays", "--what-if": "-WhatIf",
    "--graph-url": "-GraphUrl", "--target": "-Target", "--no-preflight": "-NoPreflight", "--warn-days": "-WarningDays",
}
# A flag named on its own in a sentence ("use --browser", "(--store keyvault:...)").
_BARE_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def powershell_commands(text: str) -> str:
    """`text` with its `sam-bridge ...` commands written as SamBridge cmdlets where there is one,
    and the command-line flags it names on their own as the cmdlets' parameters."""
    if "--" not in text and "`sam-bridge " not in text:
        return text
    out, end = [], 0
    for match in _CLI_COMMAND.finditer(text):
        out += [_bare_flags(text[end:match.start()]), _as_cmdlet(match)]
        end = match.end()
    return "".join(out) + _bare_flags(text[end:])


def _bare_flags(text: str) -> str:
    return _BARE_FLAG.sub(lambda m: _PARAMETERS.get(m.group(0), m.group(0)), text)


def _as_cmdlet(match: "re.Match[str]") -> str:
    words = match.group(1).split()
    name = next((n for n in sorted(_CMDLETS, key=len, reverse=True) if words[: len(n.split())] == n.split()), None)
    if name is None:
        return match.group(0)
    rest = words[len(name.split()):]
    out = [_CMDLETS[name]]
    if name == "profile add" and rest and not rest[0].startswith("-") and rest[0] != "...":
        out += ["-Name", rest.pop(0)]
    for word in rest:
        if word.startswith("--"):
            if word not in _PARAMETERS:
                return match.group(0)
            out.append(_PARAMETERS[word])
        else:
            out.append(word)  # a value, or "..." for the profile's other settings
    if name == "profile add" and "..." in rest:
        out.append("-Force")  # "...": replace the profile
    return "`" + " ".join(out) + "`"


# The fields that hold text for a person to read (errors, warnings, doctor's findings, events);
# never data such as a generated snippet, which must stay as it was asked for.
_PROSE_FIELDS = frozenset({"message", "remediation", "detail", "fix", "text", "warnings",
                           "refusal_message", "refusal_remediation"})


def _in_powershell(value: Any, prose: bool = False) -> Any:
    """A response or event with its prose fields passed through powershell_commands (in place)."""
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _in_powershell(item, key in _PROSE_FIELDS)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _in_powershell(item, prose)
    elif prose and isinstance(value, str):
        return powershell_commands(value)
    return value
