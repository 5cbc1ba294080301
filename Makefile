# Two commands do everything on a fresh Debian 12 + .NET SDK machine:
#   make demo   - set up, then run the whole job offline against the built-in Entra emulator
#   make test   - set up (Python, pwsh, Pester, Chromium, the interop drivers), then run every test suite
PY := .venv/bin/python
PWSH := .tools/pwsh

.PHONY: setup setup-ps setup-interop demo test test-python test-pester bench clean

setup:
	@bash scripts/setup.sh

setup-ps: setup
	@bash scripts/setup-ps.sh

setup-interop: setup
	@bash scripts/setup-interop.sh

demo: setup
	$(PY) -m bridge demo

test: setup-ps setup-interop
	@bash scripts/run-tests.sh

test-python: setup-interop
	@bash scripts/run-tests.sh python

test-pester: setup-ps
	@bash scripts/run-tests.sh pester

bench: setup-ps
	$(PY) benchmarks/run.py

clean:
	rm -rf .venv .tools .pytest_cache .hypothesis test-artifacts tests/interop/node/node_modules
