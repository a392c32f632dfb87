"""The front door's first read: dedup, identity, conversation, roles, held messages at once.

Every inbound message used to cost a statement per question (seen before? which identity?
which person? a conversation in progress? anything held?) before the step even ran: 10 to
12 round trips a message, which capped one process near 100 updates a second on
PostgreSQL. The order of the front door stays (dedup, identity, reachability and held
messages, opt-out, understanding); only the reads are merged:

- PostgreSQL: one statement. The `inbound_seen` insert and the identity's `last_inbound_at`
  are data-modifying CTEs of the SELECT that loads the identity, the person, their
  conversation, their roles (which commands they may use) and whether anything waits for
  them as `held`. The identity is touched only when the update is new (the CTE's own
  RETURNING says so).
- SQLite (no data-modifying CTEs): the insert, then the same SELECT; the identity's time is
  written by the ORM at the next flush.

A person the SELECT does not find (their first message) takes the old way through
`people.get_or_create`: that happens once a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from kkgbot.db.models import Conversation, Identity, InboundSeen, OutboxMessage, Person
from kkgbot.db.upsert import insert_new
from kkgbot.delivery import outbox
from kkgbot.messages import Inbound
from kkgbot.people import roles


@dataclass
class Arrival:
    """Who wrote and what the front door needs to know about them, read at once."""

    first_time: bool  # False: a redelivered update, to be dropped
    person: Person | None = None  # None: nobody has this identity yet
    identity: Identity | None = None
    conversation: Conversation | None = None  # loaded with the person (None: there is none)
    has_held: bool = False  # messages wait as `held` for this person on this channel
    held_roles: list[roles.HeldRole] | None = None  # what `roles.roles_of` would answer


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


# not named after columns: in an UPDATE, such a parameter would become a SET value too
_CHANNEL, _ADDRESS = bindparam("from_channel"), bindparam("from_address")
_EXTERNAL_ID, _NOW = bindparam("update_id"), bindparam("arrived_at")
_SEEN = dict(channel=_CHANNEL, external_id=_EXTERNAL_ID, seen_at=_NOW)


@cache
def _statement(postgres: bool, merged: bool) -> Select:
    """The first read, built once (bound parameters): building and hashing an SQLAlchemy
    statement costs more CPU than PostgreSQL spends running this one."""
    if merged:
        seen = (
            pg_insert(InboundSeen)
            .values(**_SEEN)
            .on_conflict_do_nothing()
            .returning(InboundSeen.external_id)
            .cte("seen")
        )
        new = exists(select(seen.c.external_id)).label("new")
        touched = (
            update(Identity)
            .where(Identity.channel == _CHANNEL, Identity.address == _ADDRESS)
            .where(exists(seen.select()))
            .values(last_inbound_at=_NOW)
            .returning(Identity.id)
            .cte("touched")
        )
    else:
        new = literal(True).label("new")
    held = exists().where(
        OutboxMessage.person_id == Identity.person_id,
        OutboxMessage.channel == _CHANNEL,
        OutboxMessage.status == outbox.HELD,
    )
    one = select(literal(1).label("one")).subquery("one")
    their_roles = roles.roles_json(Identity.person_id, postgres).label("roles")
    query = (
        select(new, held.label("held"), their_roles, Identity, Person, Conversation)
        .select_from(one)
        .outerjoin(Identity, and_(Identity.channel == _CHANNEL, Identity.address == _ADDRESS))
        .outerjoin(Person, Person.id == Identity.person_id)
        .outerjoin(Conversation, Conversation.person_id == Identity.person_id)
    )
    return query.add_cte(touched) if merged else query


async def arrive(session: AsyncSession, inbound: Inbound, now: datetime) -> Arrival:
    """Record the update as seen and load its sender (see the module's docstring)."""
    params = dict(
        from_channel=inbound.channel,
        from_address=inbound.address,
        update_id=inbound.external_id,
        arrived_at=now,
    )
    postgres = _is_postgres(session)
    merged = postgres and inbound.external_id is not None
    if not merged and inbound.external_id is not None:
        seen = dict(channel=inbound.channel, external_id=inbound.external_id, seen_at=now)
        if not await insert_new(session, InboundSeen, seen):
            return Arrival(first_time=False)
    row = (await session.execute(_statement(postgres, merged), params)).one()
    if not row.new:
        return Arrival(first_time=False)
    identity, person = row.Identity, row.Person
    if identity is None or person is None:
        return Arrival(first_time=True)
    if merged:  # written by the statement itself; the row read is from before it
        set_committed_value(identity, "last_inbound_at", now)
    else:
        identity.last_inbound_at = now
    held_roles = roles.held_from_json(row.roles, postgres)
    return Arrival(True, person, identity, row.Conversation, bool(row.held), held_roles)
