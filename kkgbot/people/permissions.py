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
    # The KKG's Telegram group (issue 19): linked and unlinked by its koordinator.
    "group.link": frozenset({KOORDINATOR}),
    "roles.manage": frozenset({ADMIN}),
    "mydata": EVERYONE,
    # Messages passed on by the bot (issue 16): members' to their koordinators, a
    # koordinator's to the KKG's pengawas; read and answered with /pesan.
    "messages": frozenset({KOORDINATOR, PENGAWAS}),
    "deleteme": EVERYONE,
    # Topic-needs polls and the work plan (issue 5): /survei answers for every member and
    # creates for a koordinator; results are for the KKG's leadership and its pengawas.
    "poll": frozenset(KKG_MEMBER_ROLES),
    "poll.create": frozenset({KOORDINATOR}),
    "poll.results": frozenset({KOORDINATOR, PENGAWAS}),
    "workplan": frozenset((*KKG_MEMBER_ROLES, PENGAWAS)),
    "workplan.edit": frozenset({KOORDINATOR}),
    # Meetings (issue 4): koordinators schedule and manage, members answer and check in,
    # the roster is for the KKG's leadership and its pengawas; the admin may export too.
    "meetings.schedule": frozenset({KOORDINATOR}),
    "meetings.manage": frozenset({KOORDINATOR}),
    "meetings.list": frozenset((*KKG_MEMBER_ROLES, PENGAWAS)),
    "meetings.roster": frozenset({KOORDINATOR, PENGAWAS}),
    "meetings.checkin": frozenset(KKG_MEMBER_ROLES),
    "meetings.export": frozenset({KOORDINATOR, PENGAWAS, ADMIN}),
    # Micro-learning (issue 7): /materi answers everyone (a person in no KKG is told how to
    # join); the KKG's lesson times are the koordinator's, members' figures the leadership's.
    "learn": EVERYONE,
    "learn.schedule": frozenset({KOORDINATOR}),
    "learn.figures": frozenset({KOORDINATOR, PENGAWAS}),
    # Broadcasts, the weekly digest and exports (issue 8): each reaches the sender's scope
    # (a koordinator's KKG, a pengawas's KKGs, an admin's district).
    "broadcast": frozenset({KOORDINATOR, PENGAWAS, ADMIN}),
    # A sender cancels their own scheduled broadcasts, an admin also those to their district.
    "broadcast.cancel": frozenset({KOORDINATOR, PENGAWAS, ADMIN}),
    "digest": frozenset({PENGAWAS, ADMIN}),
    # Monitoring (issue 6): /laporan opens a member's pending self-reports; the standards
    # self-assessment is the koordinator's; its results are for the KKG's pengawas too.
    "report": frozenset((*KKG_MEMBER_ROLES, PENGAWAS)),
    "report.standards": frozenset({KOORDINATOR}),
    "report.results": frozenset({KOORDINATOR, PENGAWAS}),
    # The web dashboard (issue 20): a sign-in link for the people who read a KKG's figures;
    # the district set-up pages are the admin's.
    "dashboard": frozenset({KOORDINATOR, PENGAWAS, ADMIN}),
    "dashboard.setup": frozenset({ADMIN}),
    # Pendampingan (issue 18): a classroom visit is recorded by whoever accompanies the
    # teachers of that KKG, for its members only.
    "visits.record": frozenset({KOORDINATOR, PENGAWAS, NARASUMBER}),
    # Certificates of JP (issue 18): a member's own; anyone may check a certificate's code.
    "certificate": frozenset(KKG_MEMBER_ROLES),
    "verify": EVERYONE,
}


def allowed(action: str, roles: Iterable[str]) -> bool:
    """True when any of the person's roles may perform `action`."""
    permitted = PERMISSIONS[action]
    return permitted is EVERYONE or bool(permitted.intersection(roles))
