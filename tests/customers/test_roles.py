"""The roles table (bridge/_targets/roles.py): every target has its requirement, from sam-lifecycle 3.3-3.4."""
from __future__ import annotations

import pytest

from bridge._targets import TARGETS
from bridge._targets.roles import GLOBAL_ADMINISTRATOR, ROLE_NAMES, requirement, requirements

pytestmark = pytest.mark.unit

EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"
TEAMS_ADMIN = "69091246-20e8-4a56-aa4d-066075b2a7a8"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"


def test_every_target_has_a_requirement():
    assert [r.target for r in requirements()] == list(TARGETS)


@pytest.mark.parametrize("target", [t for t in TARGETS])
def test_global_administrator_satisfies_every_target(target):
    assert requirement(target).satisfied_by({GLOBAL_ADMINISTRATOR}) == "full"


def test_the_workload_roles():
    assert requirement("ExchangeOnline").satisfied_by({EXCHANGE_ADMIN}) == "full"
    assert requirement("ExchangeOnline").satisfied_by({GLOBAL_READER}) == "limited"
    assert requirement("ExchangeOnline").satisfied_by({TEAMS_ADMIN}) is None
    assert requirement("microsoftteams").satisfied_by({TEAMS_ADMIN}) == "full"
    assert requirement("Connect-PnPOnline").names() == ("SharePoint Administrator", "Global Administrator")
    assert requirement("MgGraph").satisfied_by({GLOBAL_READER}) == "full"  # any role connects
    assert requirement("MgGraph").satisfied_by(set()) is None
    assert requirement("PartnerCenter").satisfied_by(set()) == "full"  # the partner tenant, no GDAP


def test_the_role_ids_are_entras_template_ids():
    assert ROLE_NAMES[GLOBAL_ADMINISTRATOR] == "Global Administrator"
    assert ROLE_NAMES[EXCHANGE_ADMIN] == "Exchange Administrator"
    assert len(ROLE_NAMES) == len(set(ROLE_NAMES.values())) == 22
