"""Shared pytest set-up: fixtures live in tests/fixtures/ and are loaded as plugins.

Folders are subsystems (stores, targets, exchange, consent, doctor, rpc, cli, config, core,
emulator, app, interop, architecture); kinds are markers (registered in pyproject.toml): `-m unit`, `-m browser`,
`-m keyring`, `-m slow`, `-m reliability`. The reliability suites (docs/RELIABILITY.md) cross
every subsystem and keep their shared helpers together in tests/reliability/; the marker is given
here, once, to everything collected there.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures.emulator", "tests.fixtures.secret_service", "tests.fixtures.profiles"]

# Tests point profiles at the emulator, which is not a Microsoft authority host (isolated_env sets
# the same for the tests that run sam-bridge processes; the refusal tests unset it).
os.environ.setdefault("SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY", "1")

_RELIABILITY = Path(__file__).resolve().parent / "reliability"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _RELIABILITY in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)
