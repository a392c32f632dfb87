"""Giving lessons: at a KKG's slot (pushed) and on `/materi` (pulled), in one shape.

A lesson message is the same whichever way it comes: `Literasi kelas awal · 3/12`, the
title, the body, a link if any, and the check question whose options are standalone
buttons (`a:lq:<lesson>:<n>`), so an old lesson's buttons keep working after later
messages. A member whose last two lessons are unanswered gets no new one at the slot
and, once per pile-up, a gentle nudge with buttons back to those questions.

A lesson whose picture carries it (a ten-frame, running-record marks) goes with its PNG
through the ordinary file path: a photo on Telegram, media on WhatsApp, `[file: ...]` in
the console. The picture is stored once per slot and shared by every member's message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.learning import learners as lessons
from kkgbot.learning.content import Lesson
from kkgbot.learning.library import library
from kkgbot.learning.models import SOURCE_DEMAND, SOURCE_SCHEDULE
from kkgbot.messages import Choice, MessageKind
from kkgbot.people import messaging

log = logging.getLogger(__name__)
MAX_BUTTON = 60


def lesson_text(lang: str, lesson: Lesson, note: str | None = None) -> str:
    lib = library()
    pack = lib.pack(lesson.pack_id)
    module = lib.module(lesson.module_id)
    assert pack is not None and module is not None
    parts = []
    if note:
        parts.append(note)
    language_note = i18n.t(lang, "learning.lesson_language")
    if language_note:  # lessons are written in Indonesian; others are told so
        parts.append(language_note)
    parts.append(
        i18n.t(
            lang,
            "learning.lesson_head",
            pack=pack.title,
            position=lesson.position,
            total=len(pack.lessons),
            module=module.title,
            title=lesson.title,
        )
    )
    parts.append(lesson.body)
    if lesson.link:
        parts.append(i18n.t(lang, "learning.lesson_link", link=lesson.link))
    parts.append(i18n.t(lang, "learning.lesson_question", question=lesson.question))
    return "\n\n".join(parts)


IMAGE_MIMES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


async def picture(
    session: AsyncSession, lesson: Lesson, now: datetime, stored: dict[str, int] | None = None
) -> tuple[int | None, str | None]:
    """(file id, file name) of the lesson's picture, stored for the outbox; (None, None)
    for a lesson without one. `stored` shares one copy among a slot's messages."""
    if lesson.image is None:
        return None, None
    name = lesson.image.name
    if stored is not None and lesson.id in stored:
        return stored[lesson.id], name
    try:
        data = lesson.image.read_bytes()
    except OSError:
        log.exception("picture %s of lesson %s is unreadable; sent without it", name, lesson.id)
        return None, None
    mime = IMAGE_MIMES.get(lesson.image.suffix.lower(), "application/octet-stream")
    file_id = await messaging.store_file(session, name, mime, data, now)
    if stored is not None:
        stored[lesson.id] = file_id
    return file_id, name


def question_choices(lesson: Lesson) -> list[Choice]:
    return [
        Choice.act(option.text[:MAX_BUTTON], "lq", lesson.id, n)
        for n, option in enumerate(lesson.options)
    ]


def show_choice(lang: str, lesson: Lesson) -> Choice:
    label = i18n.t(lang, "learning.show_button", position=lesson.position, title=lesson.title)
    return Choice.act(label[:MAX_BUTTON], "lshow", lesson.id)


def next_choice(lang: str) -> Choice:
    return Choice.act(i18n.t(lang, "learning.next_button"), "lnext")


@dataclass(frozen=True)
class Pulled:
    """What `/materi` gives: a lesson (new or one to answer first) or nothing left."""

    lesson: Lesson | None
    again: bool  # True: an earlier lesson to answer before a new one


async def pull(session: AsyncSession, person: Person, kkg: Kkg, now: datetime) -> Pulled:
    """The next lesson on demand, under the same pile-up rule as the schedule."""
    rows = await lessons.given(session, person.id)
    waiting = lessons.held_back(rows)
    if waiting:
        lesson = library().lesson(waiting[0].lesson_id)
        if lesson is not None:
            return Pulled(lesson, True)
    lesson = lessons.next_new(await lessons.sequence(session, kkg.id), rows)
    if lesson is None:
        return Pulled(None, False)
    await lessons.give(
        session, person_id=person.id, kkg_id=kkg.id, lesson=lesson, source=SOURCE_DEMAND, now=now
    )
    return Pulled(lesson, False)


async def push_slot(session: AsyncSession, kkg: Kkg, slot: datetime, now: datetime) -> int:
    """One lesson to each learner whose home is this KKG; returns how many were given.

    A district with a push window (District.push_window_minutes) has its members' lessons
    due one after another across the window (19:00-21:00 rather than all at 19:00): one
    bot sends about 30 a second, so a push to a whole province in one minute would only
    queue for hours anyway, and replies would wait behind it. Each still gets one lesson
    (the key is per person and lesson), whenever the job runs again."""
    recipients = await messaging.kkg_members(session, kkg.id)
    ids = [r.person_id for r in recipients]
    onboarded = set(
        await session.scalars(
            select(Person.id).where(Person.id.in_(ids), Person.onboarded_at.is_not(None))
        )
    )
    homes = await lessons.home_kkg_ids(session, ids)
    modules = await lessons.sequence(session, kkg.id)
    sent = 0
    pictures: dict[str, int] = {}
    window = timedelta(minutes=kkg.district.push_window_minutes or 0)
    for n, recipient in enumerate(recipients):
        if recipient.person_id not in onboarded or homes.get(recipient.person_id) != kkg.id:
            continue
        if await lessons.is_paused(session, recipient.person_id):
            continue
        at = slot + window * n / len(recipients) if window else None
        sent += await _push_one(session, kkg, recipient, modules, now, pictures, at)
    log.info("lesson slot %s for kkg %s: %d lessons", slot.isoformat(), kkg.id, sent)
    return sent


async def _push_one(
    session,
    kkg: Kkg,
    recipient: messaging.Recipient,
    modules,
    now,
    pictures: dict[str, int],
    at: datetime | None = None,
) -> int:
    person_id = recipient.person_id
    rows = await lessons.given(session, person_id)
    waiting = lessons.held_back(rows)
    if waiting:
        await _nudge(session, kkg, recipient, waiting, now)
        return 0
    lesson = lessons.next_new(modules, rows)
    if lesson is None:
        return 0
    await lessons.give(
        session, person_id=person_id, kkg_id=kkg.id, lesson=lesson, source=SOURCE_SCHEDULE, now=now
    )
    file_id, file_name = await picture(session, lesson, now, pictures)
    await messaging.send(
        session,
        recipient,
        lambda lang: lesson_text(lang, lesson),
        key=idempotency_key(
            "lesson", ("kkg", kkg.id), ("person", person_id), ("lesson", lesson.id)
        ),
        now=now,
        at=at if at is not None and at > now else None,
        choices=lambda lang: question_choices(lesson),
        file_id=file_id,
        file_name=file_name,
        about=MessageKind.LESSON,
    )
    return 1


async def _nudge(session, kkg: Kkg, recipient: messaging.Recipient, waiting, now) -> None:
    """Once per pile-up: the newest unanswered lesson names it, so the next pile-up nudges anew."""
    state = await lessons.learner(session, recipient.person_id, now)
    newest = waiting[-1].lesson_id
    if state.nudged_after == newest:
        return
    state.nudged_after, state.updated_at = newest, now
    pending = [x for r in waiting if (x := library().lesson(r.lesson_id)) is not None]
    await messaging.send(
        session,
        recipient,
        messaging.text("learning.nudge", count=len(pending)),
        key=idempotency_key(
            "lesson-nudge", ("kkg", kkg.id), ("person", recipient.person_id), ("lesson", newest)
        ),
        now=now,
        choices=lambda lang: [show_choice(lang, x) for x in pending],
        about=MessageKind.LESSON,
    )
