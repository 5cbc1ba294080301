#!/usr/bin/env bash
# Runs the test suites; `make test` calls it with no argument (all suites).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
export PYTHONDONTWRITEBYTECODE=1
mkdir -p test-artifacts
status=0
if [ "$what" = all ] || [ "$what" = python ]; then
  .venv/bin/python -m pytest -q -p no:cacheprovider || status=$?
fi
if [ "$what" = all ] || [ "$what" = pester ]; then
  if [ -f tests/pester/run.ps1 ]; then
    .tools/pwsh -NoLogo -NoProfile -NonInteractive -File tests/pester/run.ps1 || status=$?
  fi
fi
exit $status
