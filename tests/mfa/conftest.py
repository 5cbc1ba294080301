"""MFA-claim suite: profiles whose consent had no MFA, made possible by a partner tenant that does
MFA outside Entra (the emulator's `external_mfa`): Entra then issues Partner Center tokens without
`mfa` in `amr`, and Partner Center itself refuses them with 401 / 900421."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.emulator.conftest import only_loopback_network  # noqa: F401  (autouse guard, re-used)
from tests.fixtures.profiles import ProfileHandle, device_code_consent

PARTNER_CENTER = "https://api.partnercenter.microsoft.com/user_impersonation"
GRAPH = "https://graph.microsoft.com/.default"


@pytest.fixture
def no_mfa_profile(emulator_profile: ProfileHandle) -> Iterator[ProfileHandle]:
    """Profile `contoso` (Partner Center scope) consented by the helpdesk user, who has no second
    factor in a partner tenant with third-party MFA; it lists customers from Partner Center."""
    emulator = emulator_profile.emulator
    emulator.set_conditional_access(emulator.ids.partner, external_mfa=True)
    handle = emulator_profile.with_profile(customers=(), partner_center_url=emulator.info["partner_center_url"])
    device_code_consent(handle, emulator.ids.helpdesk, mfa=False)
    yield handle


def warnings_of(stderr: str) -> list[str]:
    return [line[len("warning: "):] for line in stderr.splitlines() if line.startswith("warning: ")]


def stderr_of(result: Any) -> str:
    return result.stderr
