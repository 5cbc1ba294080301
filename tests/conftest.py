"""Shared pytest set-up: fixtures live in tests/fixtures/ and are loaded as plugins."""
import os

pytest_plugins = ["tests.fixtures.emulator", "tests.fixtures.secret_service", "tests.fixtures.profiles"]

# Tests point profiles at the emulator, which is not a Microsoft authority host (isolated_env sets
# the same for the tests that run sam-bridge processes; the refusal tests unset it).
os.environ.setdefault("SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY", "1")
