"""Fixtures for the SAM app lifecycle: a partner admin who approves device codes, and a created app."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from bridge._api import store_for
from bridge._config import Config, Profile
from bridge._stores import SecretStore


def approver(emulator: Any, username: str | None = None) -> Callable[[str], None]:
    """A `prompt` that approves each device code it is shown, as the MFA admin would on /devicelogin."""
    user = username or emulator.ids.admin

    def prompt(message: str) -> None:
        m = re.search(r"enter the code (\w+)", message)
        if m:
            otp = emulator.totp() if user == emulator.ids.admin else None
            emulator.approve_device_code(m.group(1), user, emulator.ids.password, otp)

    return prompt


def profile_values(emulator: Any, home: Path) -> dict[str, Any]:
    return {"tenant": "contosopartner.onmicrosoft.com", "authority_host": emulator.authority_host,
            "ca_bundle": emulator.ca_bundle, "store": f"file:{home / 'store.json'}",
            "graph_url": emulator.info["graph_url"], "partner_center_url": emulator.info["partner_center_url"]}


@dataclass
class CreatedApp:
    emulator: Any
    config: Path
    home: Path
    result: Any

    @property
    def profile(self) -> Profile:
        return Config.load(self.config).profile("sam")

    @property
    def store(self) -> SecretStore:
        return store_for(self.profile)

    def secret(self) -> Any:
        stored = self.store.get("sam/client-secret")
        assert stored is not None
        return stored


@pytest.fixture
def created_app(emulator: Any, isolated_env: dict[str, str]) -> Iterator[CreatedApp]:
    from bridge._api import app_create as create

    config = Path(isolated_env["SAM_BRIDGE_CONFIG"])
    home = config.parent
    result = create("sam", config=config, values=profile_values(emulator, home), prompt=approver(emulator),
                    targets=["PartnerCenter", "MgGraph"])
    yield CreatedApp(emulator, config, home, result)
