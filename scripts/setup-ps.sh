#!/usr/bin/env bash
# Idempotent set-up of the PowerShell side: pwsh 7.6.9 as a local dotnet tool, and the NuGet
# packages the tests and benchmarks load (Pester, pythonnet's Python.Runtime.dll, MSAL.NET).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=.tools
PWSH_VERSION=7.6.9

if [ ! -x "$TOOLS/pwsh" ] || ! "$TOOLS/pwsh" -NoLogo -NoProfile -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx "$PWSH_VERSION"; then
  echo "setup-ps: installing PowerShell $PWSH_VERSION (dotnet tool)"
  dotnet tool install --tool-path "$TOOLS" PowerShell --version "$PWSH_VERSION" >/dev/null \
    || dotnet tool update --tool-path "$TOOLS" PowerShell --version "$PWSH_VERSION" >/dev/null
fi

restore=$TOOLS/nuget-restore
stamp=$TOOLS/nuget/.restored
if [ ! -f "$stamp" ] || [ scripts/nuget-packages.csproj -nt "$stamp" ]; then
  echo "setup-ps: restoring NuGet packages (Pester, pythonnet, Microsoft.Identity.Client and its Abstractions)"
  mkdir -p "$restore"
  cp scripts/nuget-packages.csproj "$restore/packages.csproj"
  dotnet restore "$restore/packages.csproj" --packages "$TOOLS/nuget" >/dev/null
  touch "$stamp"
fi
