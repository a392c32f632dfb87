"""The soak's district: KKGs, members and the time-driven work that falls inside the run.

The production process reads the system clock (there is no offset or speed-up seam, and
there should not be one in production), so instead of moving the clock the seed puts the
work minutes ahead in real time: meetings start part-way through the run, with reminder
offsets given in seconds (`KKGBOT_REMINDER_OFFSETS` in hours), a one-minute meeting so its
wrap-up and the reflection that follows it also fall inside; a lesson slot at the next
whole minute; a poll announced at start whose deadline comes before the end. Everything is
written through the bot's own services, so the rows look exactly like the bot's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from kkgbot.db.engine import make_engine
from kkgbot.db.models import Identity, Kkg, Role
from kkgbot.learning.models import LessonSchedule
from kkgbot.meetings import notify as meetings_notify
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import Meeting
from kkgbot.people import kkgs
from kkgbot.people.identities import consented_member
from kkgbot.people.messaging import in_quiet_hours
from kkgbot.polls import notices as polls_notices
from kkgbot.polls import service as polls
from kkgbot.polls.models import Poll
from kkgbot.polls.service import OptionSpec

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
FIRST_TELEGRAM_ID = 700_000
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Scale:
    """How big and how long; `full` is issue 10's soak, `quick` a development run."""

    kkgs: int = 80
    members: int = 25  # per KKG, the koordinator included
    duration: float = 240.0  # seconds of activity; the drain comes after
    restarts: int = 2
    actions: int = 2  # per member: 0 to 2x-1 of them, about 1.5 on average
    whatsapp_share: float = 0.2
    fault_rate: float = 0.1
    # Telegram faults, equal weights as in the faults bench: each injected 429 (retry_after
    # 1 s) pauses the whole channel for a second, as Telegram requires.
    fault_kinds: tuple[tuple[str, float], ...] = (
        ("error_500", 1.0),
        ("retry_429", 1.0),
        ("drop_before", 1.0),
        ("drop_after", 1.0),
    )
    drain: float = 90.0  # at most, after the activity window
    seed: int = 10

    @property
    def people(self) -> int:
        return self.kkgs * self.members


FULL = Scale()
QUICK = Scale(kkgs=10, members=10, duration=75.0, drain=60.0)
TINY = Scale(kkgs=2, members=10, duration=20.0, restarts=1, actions=2, drain=40.0)


@dataclass
class Member:
    channel: str  # telegram | whatsapp
    address: str  # chat id, or +62... number
    kkg: int  # index into Plan.kkgs
    koordinator: bool


@dataclass
class KkgPlan:
    kkg_id: int
    meeting_id: int
    code: str
    starts: float  # epoch seconds
    ends: float
    poll_deadline: float
    poll_id: int


@dataclass
class Plan:
    origin: float  # epoch seconds: the activity window opens
    members: list[Member] = field(default_factory=list)
    kkgs: list[KkgPlan] = field(default_factory=list)
    reminder_hours: list[float] = field(default_factory=list)
    reflection_hours: float = 0.0
    lesson_slot: float = 0.0
    zones_substituted: int = 0


def _zone(k: int, start: datetime, end: datetime) -> tuple[str, bool]:
    """An Indonesian zone, unless the run falls in its quiet hours (21-06): then a zone
    where it is day, so the bench measures delivery, not the quiet-hours rule."""
    zone = ZONES[k % len(ZONES)]
    if not (in_quiet_hours(start, zone) or in_quiet_hours(end, zone)):
        return zone, False
    for offset in range(-12, 13):
        name = f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}" if offset else "UTC"
        if not (in_quiet_hours(start, name) or in_quiet_hours(end, name)):
            return name, True
    return zone, False


def timeline(scale: Scale) -> dict[str, float]:
    """Offsets from the origin, in seconds, as shares of the activity window."""
    d = scale.duration
    return {
        "meeting_first": 0.40 * d,
        "meeting_last": 0.62 * d,
        "remind_early": 0.35 * d,  # before the start
        "remind_late": 0.12 * d,
        "reflection": 0.06 * d,  # after the end
        "lesson": 0.25 * d,
        "poll_first": 0.70 * d,
        "poll_last": 0.90 * d,
    }


async def seed(url: str, scale: Scale, code_key: bytes, lead: float) -> Plan:
    """Seed with a provisional timeline, then `place` it `lead` seconds after seeding ends
    (seeding 2,000 people takes half a minute or more, and varies with the machine)."""
    guess = datetime.now(UTC) + timedelta(seconds=lead + scale.people * 0.015)
    plan = await _seed(url, scale, guess, code_key)
    await place(url, scale, plan, datetime.now(UTC) + timedelta(seconds=lead))
    return plan


async def place(url: str, scale: Scale, plan: Plan, origin: datetime) -> None:
    """Move the meetings, poll deadlines and lesson slot onto the timeline from `origin`."""
    delta = origin.timestamp() - plan.origin
    plan.origin = origin.timestamp()
    lesson = _lesson_slot(scale, origin)
    plan.lesson_slot = lesson.timestamp()
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            for kkg_plan in plan.kkgs:
                kkg_plan.starts += delta
                kkg_plan.ends += delta
                kkg_plan.poll_deadline += delta
                meeting = await session.get(Meeting, kkg_plan.meeting_id)
                meeting.starts_at = datetime.fromtimestamp(kkg_plan.starts, UTC)
                poll = await session.get(Poll, kkg_plan.poll_id)
                poll.deadline = datetime.fromtimestamp(kkg_plan.poll_deadline, UTC)
                kkg = await session.get(Kkg, kkg_plan.kkg_id)
                local = lesson.astimezone(ZoneInfo(kkg.timezone))
                row = await session.get(LessonSchedule, kkg_plan.kkg_id)
                row.days = DAYS[local.weekday()]
                row.hour, row.minute = local.hour, local.minute
            await session.commit()
    finally:
        await engine.dispose()


def _lesson_slot(scale: Scale, origin: datetime) -> datetime:
    lesson = origin + timedelta(seconds=timeline(scale)["lesson"])
    return lesson.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def _seed(url: str, scale: Scale, origin: datetime, code_key: bytes) -> Plan:
    rng = random.Random(scale.seed)
    at = timeline(scale)
    now = datetime.now(UTC)
    end = now + timedelta(seconds=scale.duration + scale.drain + 600)
    plan = Plan(origin=origin.timestamp())
    plan.reminder_hours = [at["remind_early"] / 3600, at["remind_late"] / 3600]
    plan.reflection_hours = at["reflection"] / 3600
    lesson = _lesson_slot(scale, origin)
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            for k in range(scale.kkgs):
                zone, substituted = _zone(k, now, end)
                plan.zones_substituted += substituted
                kkg = await kkgs.create_kkg(
                    session,
                    name=f"KKG Soak {k + 1:03d}",
                    district=f"Kabupaten Soak {k % 8 + 1}",
                    timezone="Asia/Makassar",
                    now=now,
                    actor="seed",
                )
                kkg.timezone = zone  # Etc/GMT zones are refused by the admin path, on purpose
                people = []
                for m in range(scale.members):
                    n = k * scale.members + m
                    whatsapp = m > 0 and rng.random() < scale.whatsapp_share
                    address = f"+6281{n:08d}" if whatsapp else str(FIRST_TELEGRAM_ID + n)
                    person = consented_member(
                        name=f"Guru {k + 1}-{m + 1}",
                        school=f"SDN {m % 6 + 1} Soak {k + 1}",
                        phone=address if whatsapp else None,
                        district_id=kkg.district_id,
                        now=now,
                    )
                    session.add(person)
                    people.append((person, whatsapp, address))
                    plan.members.append(
                        Member("whatsapp" if whatsapp else "telegram", address, k, m == 0)
                    )
                await session.flush()
                for m, (person, whatsapp, address) in enumerate(people):
                    session.add(
                        Identity(
                            person_id=person.id,
                            channel="whatsapp" if whatsapp else "telegram",
                            address=address,
                            last_inbound_at=now if whatsapp else None,  # the window is open
                            created_at=now,
                        )
                    )
                    for role in ("koordinator", "guru") if m == 0 else ("guru",):
                        session.add(
                            Role(person_id=person.id, role=role, kkg_id=kkg.id, granted_at=now)
                        )
                await session.flush()
                koordinator = people[0][0]
                share = k / max(1, scale.kkgs - 1)
                starts = origin + timedelta(
                    seconds=at["meeting_first"] + share * (at["meeting_last"] - at["meeting_first"])
                )
                meeting = await meetings.create_meeting(
                    session,
                    meetings.MeetingDraft(
                        kkg_id=kkg.id,
                        title=f"Rapat rutin KKG Soak {k + 1:03d}",
                        starts_at=starts,
                        place=f"SDN 1 Soak {k + 1}",
                        agenda="Berbagi praktik baik literasi",
                        duration_minutes=1,
                    ),
                    creator_id=koordinator.id,
                    now=now,
                    code_key=code_key,
                )
                offsets = plan.reminder_hours
                await meetings_notify.announce(session, meeting, kkg, now=now, offsets=offsets)
                deadline = origin + timedelta(
                    seconds=at["poll_first"] + share * (at["poll_last"] - at["poll_first"])
                )
                poll = await polls.create_poll(
                    session,
                    kkg_id=kkg.id,
                    created_by_id=koordinator.id,
                    question="Topik KKG bulan depan?",
                    options=[OptionSpec(x) for x in ("Literasi", "Numerasi", "Asesmen")],
                    max_choices=1,
                    deadline=deadline,
                    now=now,
                )
                await polls_notices.announce(session, poll, now)
                local = lesson.astimezone(ZoneInfo(zone))
                session.add(
                    LessonSchedule(
                        kkg_id=kkg.id,
                        days=DAYS[local.weekday()],
                        hour=local.hour,
                        minute=local.minute,
                        last_slot_at=now,
                        updated_at=now,
                    )
                )
                plan.kkgs.append(
                    KkgPlan(
                        kkg.id,
                        meeting.id,
                        meeting.checkin_code,
                        starts.timestamp(),
                        starts.timestamp() + 60,
                        deadline.timestamp(),
                        poll.id,
                    )
                )
                await session.commit()
    finally:
        await engine.dispose()
    return plan
