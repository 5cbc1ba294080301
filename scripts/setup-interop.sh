#!/usr/bin/env bash
# Idempotent set-up of the interop suite (tests/interop/): Microsoft's own client libraries.
# - .NET: MSAL.NET and Azure.Identity from NuGet, built into .tools/interop/dotnet/out.
# - Node: @azure/msal-node and @azure/identity from npm (`npm ci` against the committed lock file).
# Python's azure-identity comes from Debian (python3-azure, scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=.tools
DOTNET_SRC=tests/interop/dotnet
OUT=$TOOLS/interop/dotnet/out
stamp=$OUT/.built
if [ ! -f "$stamp" ] || [ -n "$(find "$DOTNET_SRC" -newer "$stamp" -type f)" ]; then
  echo "setup-interop: building the .NET driver (MSAL.NET, Azure.Identity)"
  dotnet build "$DOTNET_SRC/Interop.csproj" -c Release --packages "$TOOLS/nuget" -o "$OUT" -nologo -v q >/dev/null
  touch "$stamp"
fi
SAMPLE_SRC=samples/dotnet
SAMPLE_OUT=$TOOLS/interop/sample-dotnet
sstamp=$SAMPLE_OUT/.built
if [ ! -f "$sstamp" ] || [ -n "$(find "$SAMPLE_SRC" -newer "$sstamp" -type f -not -path '*/obj/*' -not -path '*/bin/*')" ]; then
  echo "setup-interop: building samples/dotnet"
  dotnet build "$SAMPLE_SRC/EmulatorSignIn.csproj" -c Release --packages "$TOOLS/nuget" -o "$SAMPLE_OUT" -nologo -v q \
    -p:BaseIntermediateOutputPath="$PWD/$TOOLS/interop/sample-obj/" >/dev/null
  touch "$sstamp"
fi
NODE_DIR=tests/interop/node
nstamp=$NODE_DIR/node_modules/.sam-bridge-installed
if [ ! -f "$nstamp" ] || [ "$NODE_DIR/package-lock.json" -nt "$nstamp" ]; then
  echo "setup-interop: installing the Node driver's packages (npm ci)"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$nstamp"
fi
