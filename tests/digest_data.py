"""A small data set for the digest whose figures are computed by hand (see test_digest.py).

KKG Gugus 1 Mataram (the demo, 9 members) and KKG Gugus 2 Mataram (5 new members, no
meeting, no plan), both supervised by the demo pengawas; the clock is START (Tue 1 Dec
2026 08:00 WITA), so the week is 24 Nov – 1 Dec and the term began 1 Jul 2026 (WITA).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from kkgbot.db.models import Identity, Kkg, Person
from kkgbot.learning.models import LessonProgress, ModuleCompletion
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.people import kkgs, roles
from kkgbot.polls.models import Poll, PollBallot, PollOption, PollVote, WorkPlanItem
from tests.conftest import START


def at(month: int, day: int, hour: int = 1) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


async def person(session, handle: str) -> Person:
    return await session.scalar(
        select(Person)
        .join(Identity, Identity.person_id == Person.id)
        .where(Identity.channel == "console", Identity.address == handle)
    )


async def new_member(session, kkg: Kkg, handle: str, name: str) -> Person:
    p = Person(name=name, language="id", onboarded_at=START, consent_at=START, created_at=START)
    session.add(p)
    await session.flush()
    session.add(Identity(person_id=p.id, channel="console", address=handle, created_at=START))
    await roles.join_kkg(session, person=p, kkg=kkg, now=START)
    return p


def meeting(kkg_id: int, when: datetime, title: str, cancelled: bool = False) -> Meeting:
    return Meeting(
        kkg_id=kkg_id, title=title, starts_at=when, duration_minutes=120, place="SDN 1",
        jp=2, checkin_code="ABC234", created_at=START, updated_at=START, timed_at=START,
        cancelled_at=START if cancelled else None,
    )  # fmt: skip


async def build(session) -> tuple[Kkg, Kkg]:
    kkg1 = await session.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
    kkg2 = await kkgs.create_kkg(
        session, name="KKG Gugus 2 Mataram", district="Kota Mataram", timezone="WITA",
        now=START, invite_code="GUGUS2",
    )  # fmt: skip
    for n in range(1, 6):
        await new_member(session, kkg2, f"b{n}", f"Anggota Dua {n}")
    pengawas = await person(session, "pengawas")
    await roles.grant(session, person=pengawas, role="pengawas", kkg=kkg2, now=START)

    who = {
        h: (await person(session, h)).id
        for h in ["koordinator"] + [f"guru{i}" for i in range(1, 9)]
    }
    attended = {  # meeting date -> handles present
        (10, 6): ["koordinator", "guru1", "guru2", "guru3", "guru4", "guru5"],
        (10, 20): ["koordinator", "guru1", "guru2", "guru3", "guru4"],
        (11, 10): ["koordinator", "guru1", "guru2", "guru3"],
        (11, 27): ["koordinator", "guru1", "guru2"],
    }
    for (month, day), handles in attended.items():
        m = meeting(kkg1.id, at(month, day), f"Rapat {day}/{month}")
        session.add(m)
        await session.flush()
        for h in handles:
            session.add(Attendance(meeting_id=m.id, person_id=who[h], checked_in_at=m.starts_at,
                                   method="code", jp=2))  # fmt: skip
    session.add(meeting(kkg1.id, at(12, 5), "Rapat berikutnya"))
    session.add(meeting(kkg1.id, at(11, 20), "Rapat batal", cancelled=True))

    poll = Poll(kkg_id=kkg1.id, question="Topik?", max_choices=3, deadline=at(11, 8),
                created_at=at(11, 1), closed_at=at(11, 8))  # fmt: skip
    session.add(poll)
    await session.flush()
    options = {}
    for pos, label in enumerate(["Literasi dasar", "Numerasi", "Asesmen"], start=1):
        options[label] = PollOption(poll_id=poll.id, position=pos, label=label)
        session.add(options[label])
    await session.flush()
    ballots = {"guru1": ["Literasi dasar", "Numerasi"], "guru2": ["Literasi dasar"],
               "guru3": ["Numerasi", "Asesmen"]}  # fmt: skip
    for h, picks in ballots.items():
        b = PollBallot(
            poll_id=poll.id, person_id=who[h], submitted_at=at(11, 2), updated_at=at(11, 2)
        )
        session.add(b)
        await session.flush()
        for label in picks:
            session.add(PollVote(ballot_id=b.id, option_id=options[label].id))
    session.add(
        WorkPlanItem(
            kkg_id=kkg1.id,
            title="Literasi dasar",
            source="poll",
            poll_id=poll.id,
            planned_month=date(2026, 12, 1),
            created_at=at(11, 9),
        )
    )
    session.add(WorkPlanItem(kkg_id=kkg1.id, title="Numerasi", source="koordinator",
                             planned_month=date(2027, 1, 1), created_at=at(11, 9)))  # fmt: skip

    lessons = [  # (handle, lesson, sent, answered)
        ("guru1", "l1", at(11, 24, 11), True), ("guru2", "l1", at(11, 24, 11), True),
        ("guru3", "l1", at(11, 24, 11), False), ("guru4", "l1", at(11, 26, 11), False),
        ("guru1", "l0", at(10, 13, 11), True), ("guru2", "l0", at(10, 13, 11), False),
    ]  # fmt: skip
    for h, lesson, sent, answered in lessons:
        session.add(LessonProgress(
            person_id=who[h], kkg_id=kkg1.id, pack_id="p", module_id="m", lesson_id=lesson,
            source="schedule", sent_at=sent, attempts=1 if answered else 0,
            answered_at=sent if answered else None, correct=True if answered else None,
        ))  # fmt: skip
    session.add(
        ModuleCompletion(
            person_id=who["guru1"],
            kkg_id=kkg1.id,
            pack_id="p",
            module_id="m",
            lessons=2,
            correct=2,
            completed_at=at(11, 24, 12),
        )
    )
    await session.flush()
    return kkg1, kkg2
