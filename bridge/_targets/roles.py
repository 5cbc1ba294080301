"""The Entra roles a target's job needs in a customer tenant under GDAP (sam-lifecycle 3.3, 3.4).

One table, beside the cmdlet table: `readiness` reads it to say whether a customer is ready for a
target, `customers` shows the role names. Global Administrator satisfies every role.

    >>> requirement("ExchangeOnline").names()
    ('Exchange Administrator', 'Global Administrator')
"""
from __future__ import annotations

from dataclasses import dataclass

from .table import TARGETS, get_target

# Entra built-in role template ids (permissions-reference), by name.
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
ROLE_NAMES: dict[str, str] = {
    GLOBAL_ADMINISTRATOR: "Global Administrator",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "31392ffb-586c-42d1-9346-e59415a2cc4e": "Exchange Recipient Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "69091246-20e8-4a56-aa4d-066075b2a7a8": "Teams Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "17315797-102d-40b4-93e0-432062caca18": "Compliance Administrator",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a": "License Administrator",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": "Directory Readers",
    "9360feb5-f418-4baa-8175-e2a00bac4301": "Directory Writers",
    "5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
    "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
    "0526716b-113d-4c15-b2c8-68e3c22b9f80": "Authentication Policy Administrator",
    "892c5842-a9a6-463a-8041-72aa08ca3cf6": "Cloud App Security Administrator",
    "7698a772-787b-4ac8-901f-60d6b08affd2": "Cloud Device Administrator",
}
_BY_NAME = {name: role for role, name in ROLE_NAMES.items()}


def role_name(role_id: str) -> str:
    """The role's name, or its template id when it is not one the table knows."""
    return ROLE_NAMES.get(role_id.lower(), role_id)


@dataclass(frozen=True)
class Requirement:
    """What a target needs in a customer tenant: one of `roles` (plus Global Administrator), or,
    with `any_role`, whichever role the job's own calls need (the connection itself needs none)."""

    target: str
    roles: tuple[str, ...] = ()  # role template ids; any one is enough
    limited: tuple[str, ...] = ()  # roles that connect but allow only some tasks
    any_role: bool = False
    gdap: bool = True  # False: the target works in the partner tenant (Partner Center), not through GDAP
    note: str = ""

    def names(self) -> tuple[str, ...]:
        return tuple(role_name(r) for r in (*self.roles, GLOBAL_ADMINISTRATOR))

    def satisfied_by(self, held: set[str]) -> str | None:
        """'full', 'limited' or None: what the roles `held` give this target."""
        if not self.gdap or GLOBAL_ADMINISTRATOR in held or any(r in held for r in self.roles):
            return "full"
        if self.any_role and held:
            return "full"
        if any(r in held for r in self.limited):
            return "limited"
        return None


def _ids(*names: str) -> tuple[str, ...]:
    return tuple(_BY_NAME[n] for n in names)


_REQUIREMENTS = {r.target: r for r in (
    Requirement("ExchangeOnline", _ids("Exchange Administrator"),
                limited=_ids("Exchange Recipient Administrator", "Global Reader", "Helpdesk Administrator",
                             "Security Administrator", "Security Reader", "Compliance Administrator"),
                note="Exchange Administrator (or Global Administrator) for all tasks; the other Exchange roles for some"),
    Requirement("IPPSSession", _ids("Compliance Administrator", "Security Administrator"),
                limited=_ids("Global Reader", "Security Reader"),
                note="Compliance or Security Administrator; Global Reader and Security Reader read only"),
    Requirement("MicrosoftTeams", _ids("Teams Administrator"), note="Teams Administrator acts on all teams"),
    Requirement("PnPOnline", _ids("SharePoint Administrator"),
                note="SharePoint Administrator; what PnP may do under GDAP is not documented by Microsoft"),
    Requirement("MgGraph", any_role=True, note="any GDAP role connects; the calls the job makes need their own roles"),
    Requirement("AzAccount", any_role=True, note="Azure access comes from Azure RBAC in the subscription, not an Entra role"),
    Requirement("AzureAD", any_role=True, note="retired module; any GDAP role connects"),
    Requirement("MsolService", any_role=True, note="retired module; any GDAP role connects"),
    Requirement("PartnerCenter", gdap=False, note="Partner Center is called in the partner tenant, not through GDAP"),
)}

# Every target has its row: a new target without one fails here, at import, not at a customer.
assert set(_REQUIREMENTS) == set(TARGETS), sorted(set(TARGETS) ^ set(_REQUIREMENTS))


def requirement(target: str) -> Requirement:
    """The requirement of a target, by any spelling get_target accepts."""
    return _REQUIREMENTS[get_target(target).name]


def requirements() -> tuple[Requirement, ...]:
    return tuple(_REQUIREMENTS[name] for name in TARGETS)
