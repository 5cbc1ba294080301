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

# The sdist through the PEP 517 hook itself (python3-build is not needed for a setuptools
# project), then the wheel from the unpacked sdist, as `python -m build` does: the wheel holds
# what the sdist holds, and no stale build/ folder of the checkout.
had_egg_info=no
[ -d sam_bridge.egg-info ] && had_egg_info=yes
.venv/bin/python - "$out" >/dev/null <<'PY'
import sys
from setuptools import build_meta

build_meta.build_sdist(sys.argv[1])
PY
# The hook leaves sam_bridge.egg-info here, which would shadow the editable install's metadata.
[ "$had_egg_info" = yes ] || rm -rf sam_bridge.egg-info
sdist=$(ls "$out"/sam-bridge-*.tar.gz)
tar -xzf "$sdist" -C "$work"
(cd "$work"/sam-bridge-*/ && "$OLDPWD"/.venv/bin/python -m pip wheel --quiet --isolated --no-deps --no-build-isolation --no-index --wheel-dir "$out" .)
wheel=$(ls "$out"/sam_bridge-*.whl)
# PSResourceGet keeps its repository list under the user's data folder: a private one here
# (it must exist: .NET reports a missing one as "", and the list would land in the cwd).
mkdir -p "$work/data"
XDG_DATA_HOME="$work/data" .tools/pwsh -NoLogo -NoProfile -NonInteractive -File scripts/build-module-package.ps1 \
  -OutputPath "$out" -Wheel "$wheel" -WorkPath "$work"
ls -1 "$out"
