#!/usr/bin/env bash
# `make dist`: the wheel, the sdist and the PowerShell Gallery package of this checkout, built
# offline (setuptools from Debian, PSResourceGet from pwsh), into dist/ or the folder given.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-dist}")
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

.venv/bin/python -m pip wheel --quiet --isolated --no-deps --no-build-isolation --no-index --wheel-dir "$out" .
# The PEP 517 hook itself: python3-build is not needed for an sdist of a setuptools project.
.venv/bin/python - "$out" >/dev/null <<'PY'
import sys
from setuptools import build_meta

build_meta.build_sdist(sys.argv[1])
PY
wheel=$(ls "$out"/sam_bridge-*.whl)
# PSResourceGet keeps its repository list under the user's data folder: a private one here
# (it must exist: .NET reports a missing one as "", and the list would land in the cwd).
mkdir -p "$work/data"
XDG_DATA_HOME="$work/data" .tools/pwsh -NoLogo -NoProfile -NonInteractive -File scripts/build-module-package.ps1 \
  -OutputPath "$out" -Wheel "$wheel" -WorkPath "$work"
ls -1 "$out"
