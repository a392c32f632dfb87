"""What members are told about meetings: announcements, changes, cancellations, reminders,
the check-in code and the wrap-up, each through the outbox with an idempotency key.

Every message is written in the recipient's language and shows times in the KKG's zone
with WIB/WITA/WIT. Keys name the meeting, the version or start time and the person, so a
job that runs twice, or again after a restart, queues nothing new.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.dateparse_words import (
    DAY_NAMES_EN,
    DAY_NAMES_ID,
    MONTH_NAMES_EN,
    MONTH_NAMES_ID,
    ZONE_ABBREVIATIONS,
)
from kkgbot.db.models import Kkg
from kkgbot.delivery import outbox
from kkgbot.delivery.keys import idempotency_key, slot_key
from kkgbot.groups.service import group_only
from kkgbot.meetings import group_posts
from kkgbot.meetings.calendar_feed import ICS_MIME, ics_name, meeting_ics
from kkgbot.meetings.duration import duration_text
from kkgbot.meetings.models import RSVP_ANSWERS, RSVP_NO, Meeting, MeetingSeries
from kkgbot.meetings.recurrence import MONTHLY_KIND, Rule
from kkgbot.meetings.rsvp import answers_of, present_count
from kkgbot.meetings.service import checkin_closes, ends_at, local
from kkgbot.messages import Choice, MessageKind
from kkgbot.people import messaging, roles
from kkgbot.people.messaging import Recipient, Render

EXPIRES_AT = getattr(outbox, "EXPIRES_AT", "_expires_at")
URGENT = timedelta(hours=24)  # changes to a meeting this close go out even in quiet hours


def when_text(meeting: Meeting, kkg: Kkg, lang: str) -> str:
    """ "Sabtu, 5 Desember 2026, 09.00–11.30 WITA": the day, start to end, and the zone."""
    start, end = local(meeting.starts_at, kkg), local(ends_at(meeting), kkg)
    if lang == "id":
        day, month = DAY_NAMES_ID[start.weekday()], MONTH_NAMES_ID[start.month - 1]
    else:
        day, month = DAY_NAMES_EN[start.weekday()], MONTH_NAMES_EN[start.month - 1]
    return i18n.t(
        lang,
        "meetings.when_range",
        date=f"{day}, {start.day} {month} {start.year}",
        start=_clock(start, lang),
        end=_clock(end, lang),
        zone=ZONE_ABBREVIATIONS.get(kkg.timezone, kkg.timezone),
    )


def _clock(moment: datetime, lang: str) -> str:
    return f"{moment:%H.%M}" if lang == "id" else f"{moment:%H:%M}"


def short_when(meeting: Meeting, kkg: Kkg, lang: str) -> str:
    """ "Sab 5 Des 09.00": short enough for a button."""
    moment = local(meeting.starts_at, kkg)
    day = i18n.t(lang, "meetings.day_short").split(",")[moment.weekday()]
    month = i18n.t(lang, "meetings.month_short").split(",")[moment.month - 1]
    zone = ZONE_ABBREVIATIONS.get(kkg.timezone, kkg.timezone)
    return f"{day} {moment.day} {month} {_clock(moment, lang)} {zone}"


def card(meeting: Meeting, kkg: Kkg, lang: str) -> str:
    """The meeting at a glance: title, day and time with the zone, place, agenda, narasumber."""
    lines = [
        i18n.t(lang, "meetings.card_title", title=meeting.title),
        i18n.t(lang, "meetings.card_when", when=when_text(meeting, kkg, lang)),
        i18n.t(lang, "meetings.card_place", place=meeting.place),
    ]
    if meeting.agenda:
        lines.append(i18n.t(lang, "meetings.card_agenda", agenda=meeting.agenda))
    if meeting.narasumber_name:
        lines.append(i18n.t(lang, "meetings.card_narasumber", name=meeting.narasumber_name))
    return "\n".join(lines)


def describe_value(field: str, value: object, meeting: Meeting, kkg: Kkg, lang: str) -> str:
    """A field's value as a member reads it: a time with its zone, a length, or the text.

    A time comes as the start alone (the meeting's length applies) or as (start, minutes),
    so "before" shows the old end too when an edit moved both.
    """
    if field == "when" and isinstance(value, (datetime, tuple)):
        start, minutes = value if isinstance(value, tuple) else (value, meeting.duration_minutes)
        return when_text(Meeting(starts_at=start, duration_minutes=minutes), kkg, lang)
    if field == "duration" and isinstance(value, int):
        return duration_text(value, lang)
    if isinstance(value, dict):
        value = value.get("name")
    return str(value) if value else i18n.t(lang, "meetings.empty_value")


def answer_label(answer: str | None, lang: str) -> str:
    return i18n.t(lang, f"meetings.answer_{answer or 'none'}")


def rsvp_choices(meeting_id: int, lang: str) -> list[Choice]:
    """Standalone buttons (`a:rsvp:<id>:<answer>`), so an old announcement still works."""
    return [
        Choice.act(i18n.t(lang, f"meetings.button_{a}"), "rsvp", meeting_id, a, meaning=a)
        for a in RSVP_ANSWERS  # the answers are the meanings: yes, no, maybe
    ]


def rule_text(rule: Rule | MeetingSeries, lang: str) -> str:
    """ "setiap bulan, Sabtu kedua pukul 09.00" for a rule or a stored series."""
    day = i18n.t(lang, "meetings.day_names").split(",")[rule.weekday]
    clock = rule.local_time if isinstance(rule.local_time, str) else f"{rule.local_time:%H:%M}"
    clock = clock.replace(":", ".") if lang == "id" else clock
    if rule.kind == MONTHLY_KIND:
        nth = i18n.t(lang, f"meetings.nth_{rule.nth if rule.nth and rule.nth > 0 else 'last'}")
        return i18n.t(lang, "meetings.rule_monthly", day=day, nth=nth, time=clock)
    return i18n.t(lang, "meetings.rule_weekly", day=day, time=clock)


async def recipients(
    session: AsyncSession, kkg_id: int, exclude: int | None = None
) -> list[Recipient]:
    """Members to tell privately: not `exclude`, nor those who hear the KKG's news in its
    group only (when it has one: the group post tells them)."""
    skip = await group_only(session, kkg_id) | {exclude}
    return [r for r in await messaging.kkg_members(session, kkg_id) if r.person_id not in skip]


async def _ics_file(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, offsets: list[float], now: datetime
) -> int:
    """One stored .ics per version of the meeting, shared by every recipient's message."""
    data = meeting_ics(meeting, kkg, lang="id", offsets_hours=offsets, now=now)
    return await messaging.store_file(session, ics_name(meeting), ICS_MIME, data, now)


async def _tell_members(
    session: AsyncSession,
    meeting: Meeting,
    kkg: Kkg,
    *,
    now: datetime,
    offsets: list[float],
    exclude: int | None,
    key: str,
    render_for: Callable[[Recipient], Awaitable[Render]],
    rsvp: bool = True,
) -> int:
    """This version's .ics and a message to every member but `exclude`, one key per person.

    Close to the start (URGENT) the message goes even in quiet hours: a change that waits
    for the morning would arrive after the meeting.
    """
    file_id = await _ics_file(session, meeting, kkg, offsets, now)
    sent = 0
    for person in await recipients(session, kkg.id, exclude):
        sent += await messaging.send(
            session,
            person,
            await render_for(person),
            key=idempotency_key(key, ("person", person.person_id)),
            now=now,
            choices=(lambda lang: rsvp_choices(meeting.id, lang)) if rsvp else None,
            file_id=file_id,
            file_name=ics_name(meeting),
            quiet_exempt=meeting.starts_at - now < URGENT,
            about=MessageKind.REMINDER,
            closes_at=meeting.starts_at,  # once it begins, "hadir" is a check-in, not an RSVP
        )
    return sent


async def announce(
    session: AsyncSession,
    meeting: Meeting,
    kkg: Kkg,
    *,
    now: datetime,
    offsets: list[float],
    exclude: int | None = None,
    series: MeetingSeries | None = None,
    upcoming: list[Meeting] | None = None,
) -> int:
    """Every member gets the meeting with RSVP buttons and the .ics; returns how many."""

    def render(lang: str) -> str:
        text = i18n.t(lang, "meetings.announce", kkg=kkg.name) + "\n" + card(meeting, kkg, lang)
        if series is not None:
            dates = ", ".join(short_when(m, kkg, lang) for m in (upcoming or [])[1:4])
            text += "\n" + i18n.t(lang, "meetings.announce_series", rule=rule_text(series, lang))
            if dates:
                text += "\n" + i18n.t(lang, "meetings.announce_next_dates", dates=dates)
        return text + "\n\n" + i18n.t(lang, "meetings.announce_ask")

    async def render_for(_person: Recipient) -> Render:
        return render

    await group_posts.announced(session, meeting, kkg, now, meeting.starts_at - now < URGENT)
    return await _tell_members(
        session, meeting, kkg, now=now, offsets=offsets, exclude=exclude,
        key=idempotency_key("meeting-new", ("meeting", meeting.id)), render_for=render_for,
    )  # fmt: skip


async def notify_changed(
    session: AsyncSession,
    meeting: Meeting,
    kkg: Kkg,
    *,
    field: str,
    old: object,
    now: datetime,
    offsets: list[float],
    exclude: int | None,
) -> int:
    """Members are told what changed, with the updated .ics (same UID, next SEQUENCE)."""

    async def render_for(person: Recipient) -> Render:
        answer = (await answers_of(session, [meeting.id], person.person_id)).get(meeting.id)

        def render(lang: str) -> str:
            what = i18n.t(lang, f"meetings.field_{field}")
            was = describe_value(field, old, meeting, kkg, lang)
            head = i18n.t(lang, "meetings.changed", what=what, old=was)
            if answer is None:
                tail = i18n.t(lang, "meetings.reminder_no_answer")
            else:
                label = answer_label(answer, lang)
                tail = i18n.t(lang, "meetings.changed_answer", answer=label)
            return f"{head}\n{card(meeting, kkg, lang)}\n\n{tail}"

        return render

    await group_posts.changed(session, meeting, kkg, now, meeting.starts_at - now < URGENT)
    return await _tell_members(
        session, meeting, kkg, now=now, offsets=offsets, exclude=exclude,
        key=idempotency_key("meeting-changed", ("meeting", meeting.id), f"v{meeting.sequence}"), render_for=render_for,
    )  # fmt: skip


async def notify_cancelled(
    session: AsyncSession,
    meeting: Meeting,
    kkg: Kkg,
    *,
    now: datetime,
    offsets: list[float],
    exclude: int | None,
) -> int:
    """Members are told, with an .ics that removes the event from their calendar."""

    async def render_for(_person: Recipient) -> Render:
        return lambda lang: i18n.t(
            lang, "meetings.cancelled_notice", title=meeting.title,
            when=when_text(meeting, kkg, lang), kkg=kkg.name,
        )  # fmt: skip

    when = when_text(meeting, kkg, "id")
    await group_posts.cancelled(session, meeting, kkg, when, now)
    return await _tell_members(
        session, meeting, kkg, now=now, offsets=offsets, exclude=exclude,
        key=idempotency_key("meeting-cancelled", ("meeting", meeting.id)), render_for=render_for, rsvp=False,
    )  # fmt: skip


async def notify_series_cancelled(
    session: AsyncSession,
    series: MeetingSeries,
    cancelled: list[Meeting],
    kkg: Kkg,
    *,
    now: datetime,
    exclude: int | None,
) -> int:
    def render(lang: str) -> str:
        dates = ", ".join(short_when(m, kkg, lang) for m in cancelled[:6])
        return i18n.t(
            lang, "meetings.series_cancelled_notice", title=series.title,
            rule=rule_text(series, lang), dates=dates or "—",
        )  # fmt: skip

    await group_posts.notice(session, kkg, render, key=f"series-cancelled:{series.id}", now=now)
    sent = 0
    for person in await recipients(session, kkg.id, exclude):
        sent += await messaging.send(
            session,
            person,
            render,
            key=idempotency_key(
                "series-cancelled", ("series", series.id), ("person", person.person_id)
            ),
            now=now,
            about=MessageKind.REMINDER,
        )
    return sent


def reminder_key(meeting: Meeting, person_id: int, hours: float) -> str:
    return idempotency_key(
        "reminder",
        ("meeting", meeting.id),
        slot_key(meeting.starts_at),
        ("person", person_id),
        f"{hours:g}h",
    )


async def send_reminders(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, *, hours: float, now: datetime
) -> int:
    """To members who have not declined, and one post to the KKG's group; dropped by the
    dispatcher if not out by the start."""
    await group_posts.reminded(session, meeting, kkg, hours, now)
    sent = 0
    for person in await recipients(session, kkg.id):
        answer = (await answers_of(session, [meeting.id], person.person_id)).get(meeting.id)
        if answer == RSVP_NO:
            continue

        def render(lang: str, answer=answer) -> str:
            text = i18n.t(lang, "meetings.reminder") + "\n" + card(meeting, kkg, lang)
            if answer is None:
                return text + "\n\n" + i18n.t(lang, "meetings.reminder_no_answer")
            label = answer_label(answer, lang)
            return text + "\n\n" + i18n.t(lang, "meetings.reminder_answer", answer=label)

        sent += await messaging.send(
            session,
            person,
            render,
            key=reminder_key(meeting, person.person_id, hours),
            now=now,
            choices=lambda lang: rsvp_choices(meeting.id, lang),
            quiet_exempt=True,
            extra={EXPIRES_AT: meeting.starts_at.isoformat()},
            about=MessageKind.REMINDER,
        )
    return sent


async def send_checkin_code(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, *, now: datetime
) -> int:
    """At the start, each koordinator of the KKG gets the code to read out or write up."""
    sent = 0
    start = meeting.starts_at.strftime("%Y%m%dT%H%MZ")
    for person in await roles.koordinators_of(session, kkg.id):
        recipient = Recipient(person.id, person.language or i18n.DEFAULT, kkg.timezone)
        sent += await messaging.send(
            session,
            recipient,
            lambda lang: i18n.t(
                lang,
                "meetings.code_message",
                title=meeting.title,
                code=meeting.checkin_code,
                until=_clock(local(checkin_closes(meeting), kkg), lang),
            ),  # fmt: skip
            key=idempotency_key(
                "checkin-code", ("meeting", meeting.id), start, ("person", person.id)
            ),
            now=now,
            choices=lambda lang: [
                Choice.act(i18n.t(lang, "meetings.button_roster"), "mroster", meeting.id)
            ],
            quiet_exempt=True,
            about=MessageKind.REMINDER,
        )
    return sent


async def send_wrapup(session: AsyncSession, meeting: Meeting, kkg: Kkg, *, now: datetime) -> int:
    """After the meeting the koordinator sees the turnout and is invited to add the notulen."""
    present = await present_count(session, meeting.id)
    members = len(await messaging.kkg_members(session, kkg.id))
    sent = 0
    for person in await roles.koordinators_of(session, kkg.id):
        recipient = Recipient(person.id, person.language or i18n.DEFAULT, kkg.timezone)
        sent += await messaging.send(
            session,
            recipient,
            lambda lang: i18n.t(
                lang, "meetings.wrapup", title=meeting.title, present=present, members=members
            ),
            key=idempotency_key("meeting-ended", ("meeting", meeting.id), ("person", person.id)),
            now=now,
            choices=lambda lang: [
                Choice.act(i18n.t(lang, "meetings.button_notes"), "mnotes", meeting.id),
                Choice.act(i18n.t(lang, "meetings.button_roster"), "mroster", meeting.id),
            ],
            about=MessageKind.REMINDER,
        )
    return sent
