"""Shared pytest set-up: fixtures live in tests/fixtures/ and are loaded as plugins."""
pytest_plugins = ["tests.fixtures.emulator", "tests.fixtures.secret_service", "tests.fixtures.profiles"]
