"""The tables of the bot's core: people, groups, roles, conversations, delivery, audit.

Feature tables (meetings, polls, reports, lessons) live in modules of their own next to
this one and share `Base`, so that Alembic sees one metadata.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kkgbot.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class District(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    # The bot its KKGs' invite links name (KKGBOT_TELEGRAM_BOTS), None for the default one:
    # whoever joins through such a link is reached through that bot from then on.
    telegram_bot: Mapped[str | None] = mapped_column(String(24))
    # A lesson push spread over this many minutes from its slot (e.g. 120: 19:00-21:00), so
    # a large district does not queue every member for the same minute. 0: all at once.
    push_window_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Kkg(Base):
    __tablename__ = "kkgs"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # the sub-district (kecamatan): the dashboard filters a district's KKGs by it
    kecamatan: Mapped[str | None] = mapped_column(String(80), index=True)
    timezone: Mapped[str] = mapped_column(String(40))
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime]
    # school days a week (5 Monday-Friday, 6 with Saturday): follow-ups count school days
    school_week_days: Mapped[int] = mapped_column(Integer, default=6, server_default="6")

    district: Mapped[District] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("district_id", "name", name="uq_kkgs_district_name"),)


class Person(Base):
    """A teacher, coordinator, supervisor or officer; personal fields only after consent."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(80))
    school: Mapped[str | None] = mapped_column(String(120))
    # Nomor Induk Pegawai (18 digits) of a civil-servant teacher: on the daftar hadir and
    # certificates; optional (honorer teachers have none)
    nip: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    telegram_username: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(2), default="id")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(20))
    onboarded_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    # STOP / BERHENTI: no non-essential messages until MULAI (kkgbot/services/optout.py)
    opted_out_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]  # /hapusdata: the row stays only for anonymous counts
    created_at: Mapped[datetime]


class Identity(Base):
    """How a person is reached on one channel (a Telegram chat, a WhatsApp number, a console handle)."""

    __tablename__ = "identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    # The bot or WhatsApp sender they first wrote to (None: the default one). Everything
    # unprompted goes out through it: a bot can only message people who started it, and a
    # WhatsApp window belongs to one sender.
    via: Mapped[str | None] = mapped_column(String(24))
    last_inbound_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("channel", "address", name="uq_identities_channel_address"),)


class Role(Base):
    """A role held in one KKG (guru, koordinator, narasumber, pengawas) or a district (admin)."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    kkg_id: Mapped[int | None] = mapped_column(
        ForeignKey("kkgs.id", ondelete="CASCADE"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    granted_at: Mapped[datetime]


class Conversation(Base):
    """The one conversation a person is in, so a restart resumes at the same step."""

    __tablename__ = "conversations"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(40))
    # the key of the step waiting for an answer (a name, so that editing a flow's list of
    # steps cannot send a conversation in progress to the wrong question)
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    prompt_seq: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class OpenQuestion(Base):
    """A message with buttons that still waits for the person's answer (an RSVP, a ballot, a
    lesson's question, the monthly survey...). Typed answers are matched against these, the
    most recent first (kkgbot/engine/answers.py); a person may have several at once."""

    __tablename__ = "open_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))  # "<action>:<first argument>": one per question
    prompt: Mapped[str] = mapped_column(String(200))  # its question line, to show it again
    choices: Mapped[list[Any]]
    asked_at: Mapped[datetime]
    # asked in reply to the person's own message (a menu they opened): it wins a tie with
    # a question the bot sent on its own at the same moment
    is_reply: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]  # past it the question takes no answer (a meeting began)

    __table_args__ = (
        UniqueConstraint("person_id", "key", name="uq_open_questions_person_key"),
        Index("ix_open_questions_person_asked", "person_id", "asked_at"),
    )


class InboundSeen(Base):
    """External ids already handled (Telegram update ids, Twilio MessageSids): redelivery is harmless."""

    __tablename__ = "inbound_seen"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class StoredFile(Base):
    """A file sent to someone (an .ics, a spreadsheet, a chart), or one a person sent us
    (notulen, a broadcast's attachment): then `uploaded_by_person_id` says whose it is, so
    /dataku exports it and /hapusdata deletes it (kkgbot/services/privacy.py)."""

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    mime: Mapped[str] = mapped_column(String(80))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    uploaded_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    # a person's own file (/dataku): its link answers 410 after `link_until`, and the file
    # is deleted once delivered, or at `delete_after` at the latest (kkgbot/privacy/files.py)
    link_until: Mapped[datetime | None]
    delete_after: Mapped[datetime | None] = mapped_column(index=True)


class FilePerson(Base):
    """Whom a generated file names (an export, a digest workbook, a /dataku file).

    Compressed files (xlsx, PDF) cannot be searched for a name, so who is in them is
    written down when they are made; /hapusdata deletes every file listing the person."""

    __tablename__ = "file_people"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class OutboxMessage(Base):
    """Every outgoing message is a row first; the dispatcher sends it and records the result."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    via: Mapped[str | None] = mapped_column(String(24))  # the bot or sender (None: default)
    address: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))  # reply | bulk
    priority: Mapped[int] = mapped_column(Integer)  # lower goes first
    payload: Mapped[dict[str, Any]]
    not_before: Mapped[datetime]
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(32))  # the dispatcher's id
    batch_id: Mapped[str | None] = mapped_column(String(64), index=True)
    external_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_due", "status", "priority", "not_before"),)


class OutboxCount(Base):
    """How many outbox rows each channel has in each status, kept by triggers on `outbox`
    (kkgbot/db/triggers.py), so that a /metrics scrape reads a few rows instead of
    counting an outbox that grows with every message."""

    __tablename__ = "outbox_counts"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)


class LaneLease(Base):
    """Which dispatcher sends on a lane (one bot or sender) until when: one owner at a time
    across processes, so several processes never exceed a bot's limit together."""

    __tablename__ = "lane_leases"

    lane: Mapped[str] = mapped_column(String(48), primary_key=True)
    owner: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime]


class AuditEntry(Base):
    """Who did what administrative thing, when; never the content of deleted personal data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(40))  # "chat", "cli", "system"
    action: Mapped[str] = mapped_column(String(60))
    kkg_id: Mapped[int | None] = mapped_column(ForeignKey("kkgs.id", ondelete="SET NULL"))
    target_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    details: Mapped[dict[str, Any] | None]
