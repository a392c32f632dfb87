"""Linking a group chat to a KKG, keeping the link through Telegram's changes, ending it.

Only a koordinator of the KKG links (`/hubungkan KODE` typed in the group, or the
`startgroup` deep link from /undang, which arrives as `/start KODE` in the group). A group
that Telegram upgrades to a supergroup changes its id (`migrate_to_chat_id`): the link
follows. When the bot is removed from the group the link ends and the koordinators hear it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db import audit
from kkgbot.db.models import Kkg, Person
from kkgbot.groups.models import HEAR_BOTH, HEAR_CHOICES, HEAR_GROUP, HearingChoice, KkgGroup
from kkgbot.people import kkgs as kkgs_service
from kkgbot.people import roles


class GroupError(ValueError):
    """A link that cannot be made; `key` names the explanation for the person."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Linked:
    kkg: Kkg
    replaced: str | None  # the chat id of the group linked before, if any


async def by_chat(session: AsyncSession, channel: str, chat_id: str) -> KkgGroup | None:
    return await session.scalar(
        select(KkgGroup).where(KkgGroup.channel == channel, KkgGroup.chat_id == chat_id)
    )


async def of_kkg(session: AsyncSession, kkg_id: int) -> KkgGroup | None:
    return await session.scalar(select(KkgGroup).where(KkgGroup.kkg_id == kkg_id))


async def link(
    session: AsyncSession,
    *,
    person: Person | None,
    code: str,
    channel: str,
    chat_id: str,
    title: str | None,
    now: datetime,
    via: str | None = None,
) -> Linked:
    """Link the group to the KKG whose invite code is `code`; only its koordinator may."""
    kkg = await kkgs_service.find_by_code(session, code) if code.strip() else None
    if kkg is None:
        raise GroupError("groups.link_unknown_code" if code.strip() else "groups.link_no_code")
    if person is None or not await roles.has_role(session, person.id, roles.KOORDINATOR, kkg.id):
        raise GroupError("groups.link_not_koordinator", kkg=kkg.name)
    other = await by_chat(session, channel, chat_id)
    if other is not None and other.kkg_id != kkg.id:
        raise GroupError("groups.link_other_kkg")
    current = await of_kkg(session, kkg.id)
    replaced = None
    if current is None:
        current = KkgGroup(kkg_id=kkg.id, channel=channel, chat_id=chat_id, linked_at=now)
        session.add(current)
    elif current.chat_id != chat_id:
        replaced = current.chat_id
    current.channel, current.chat_id, current.title = channel, chat_id, (title or "")[:128]
    current.via = via  # posts go through the bot that is in the group
    current.linked_by_person_id, current.linked_at = person.id, now
    await session.flush()
    audit.record(
        session, at=now, action="group.link", actor_person_id=person.id, kkg_id=kkg.id,
        details={"chat_id": chat_id, "replaced": replaced},
    )  # fmt: skip
    return Linked(kkg, replaced)


async def unlink(
    session: AsyncSession, *, person: Person | None, channel: str, chat_id: str, now: datetime
) -> Kkg:
    """End the link from inside the group (/putuskan); only a koordinator of its KKG."""
    group = await by_chat(session, channel, chat_id)
    if group is None:
        raise GroupError("groups.not_linked")
    kkg = await session.get(Kkg, group.kkg_id)
    assert kkg is not None
    if person is None or not await roles.has_role(session, person.id, roles.KOORDINATOR, kkg.id):
        raise GroupError("groups.unlink_not_koordinator", kkg=kkg.name)
    await session.delete(group)
    audit.record(session, at=now, action="group.unlink", actor_person_id=person.id, kkg_id=kkg.id)
    return kkg


async def migrated(session: AsyncSession, channel: str, old: str, new: str) -> bool:
    """The group became a supergroup with a new id: the link follows it."""
    group = await by_chat(session, channel, old)
    if group is None or await by_chat(session, channel, new) is not None:
        return False
    group.chat_id = new
    return True


async def removed(session: AsyncSession, channel: str, chat_id: str, now: datetime) -> Kkg | None:
    """The bot was removed from the group: the link ends; the KKG it served, if any."""
    group = await by_chat(session, channel, chat_id)
    if group is None:
        return None
    kkg = await session.get(Kkg, group.kkg_id)
    await session.delete(group)
    audit.record(
        session, at=now, action="group.removed", actor="telegram", kkg_id=group.kkg_id,
        details={"chat_id": chat_id},
    )  # fmt: skip
    return kkg


async def hearing_of(session: AsyncSession, person_id: int) -> str:
    row = await session.get(HearingChoice, person_id)
    return row.hears if row is not None else HEAR_BOTH


async def set_hearing(session: AsyncSession, person_id: int, hears: str, now: datetime) -> None:
    if hears not in HEAR_CHOICES:
        raise GroupError("groups.hearing_invalid")
    if hears == HEAR_BOTH:
        await session.execute(delete(HearingChoice).where(HearingChoice.person_id == person_id))
        return
    row = await session.get(HearingChoice, person_id)
    if row is None:
        session.add(HearingChoice(person_id=person_id, hears=hears, updated_at=now))
    else:
        row.hears, row.updated_at = hears, now
    await session.flush()


async def group_only(session: AsyncSession, kkg_id: int) -> set[int]:
    """Members of the KKG who hear its events in the group only, when it has a group: a
    private copy of a group post is not sent to them."""
    if await of_kkg(session, kkg_id) is None:
        return set()
    rows = await session.scalars(
        select(HearingChoice.person_id).where(HearingChoice.hears == HEAR_GROUP)
    )
    return set(rows)


async def has_group(session: AsyncSession, person_id: int) -> bool:
    """Whether one of the person's KKGs has a linked group (then /profil offers the choice)."""
    kkg_ids = [k.id for k in await roles.member_kkgs(session, person_id)]
    if not kkg_ids:
        return False
    found = await session.scalar(select(KkgGroup.id).where(KkgGroup.kkg_id.in_(kkg_ids)).limit(1))
    return found is not None
