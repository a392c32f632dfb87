"""Who may do what: the one permission table, checked in one place (the router).

Roles are held in a KKG (guru, koordinator, narasumber, pengawas) or a district (admin).
An action lists the roles that may perform it; `EVERYONE` needs no role at all and
`MEMBER` any role in any KKG or district.
"""

from __future__ import annotations

from collections.abc import Iterable

GURU, KOORDINATOR, NARASUMBER, PENGAWAS, ADMIN = (
    "guru",
    "koordinator",
    "narasumber",
    "pengawas",
    "admin",
)
ALL_ROLES = (GURU, KOORDINATOR, NARASUMBER, PENGAWAS, ADMIN)
KKG_MEMBER_ROLES = (GURU, KOORDINATOR, NARASUMBER)
EVERYONE = frozenset({"*"})
MEMBER = frozenset(ALL_ROLES)

PERMISSIONS: dict[str, frozenset[str]] = {
    "start": EVERYONE,
    "help": EVERYONE,
    "cancel": EVERYONE,
    "language": EVERYONE,
    "profile": EVERYONE,
    "leave": frozenset(KKG_MEMBER_ROLES),
    "invite": frozenset({KOORDINATOR}),
    "roles.manage": frozenset({ADMIN}),
}


def allowed(action: str, roles: Iterable[str]) -> bool:
    """True when any of the person's roles may perform `action`."""
    permitted = PERMISSIONS[action]
    return permitted is EVERYONE or bool(permitted.intersection(roles))
