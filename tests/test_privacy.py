"""Consent, /dataku and /hapusdata end to end: afterwards the name and number are nowhere."""

from __future__ import annotations

import io
import json

from sqlalchemy import String, Text, cast, func, select

from kkgbot.db.models import AuditEntry, Identity, OutboxMessage, Person, Role, StoredFile
from kkgbot.messages import Inbound
from kkgbot.schema import metadata
from tests.console_helpers import transcript

NAME, PHONE = "Kadek Sri Wahyuni", "+6281377770001"


async def said(app, who: str, text: str) -> str:
    out = io.StringIO()
    app.channels["console"].out = out
    await app.router.handle(Inbound("console", who, text=text))
    await app.dispatcher.drain()
    return out.getvalue()


async def occurrences(app, needle: str) -> list[str]:
    """Every table.column in the whole database whose text still contains `needle`."""
    found = []
    async with app.sessionmaker() as s:
        for table in metadata.sorted_tables:
            for column in table.columns:
                text = cast(column, Text) if not isinstance(column.type, String | Text) else column
                n = await s.scalar(
                    select(func.count()).select_from(table).where(text.contains(needle))
                )
                if n:
                    found.append(f"{table.name}.{column.name}")
    return found


async def test_mydata_exports_everything_as_a_file(console_app, tmp_path):
    await transcript(
        console_app,
        "\n".join(
            [
                "@kadek: /start GUGUS1",
                "@kadek: Setuju",
                f"@kadek: {NAME}",
                "@kadek: SDN 7 Mataram",
                f"@kadek: /profil telepon; {PHONE}",
            ]
        ),
    )
    reply = await said(console_app, "kadek", "/dataku")
    assert "Nama: Kadek Sri Wahyuni" in reply and "[file: data-saya.json]" in reply
    async with console_app.sessionmaker() as s:
        stored = await s.scalar(select(StoredFile).where(StoredFile.name == "data-saya.json"))
    data = json.loads(stored.data)
    assert data["person"]["name"] == NAME and data["person"]["phone"] == PHONE
    assert data["person"]["consent_at"] and data["person"]["consent_version"]
    assert {r["role"] for r in data["roles"]} == {"guru"}
    assert data["identities"][0]["address"] == "kadek"


async def test_deleteme_leaves_no_name_or_number_anywhere(console_app):
    script = [
        "@kadek: /start GUGUS1",
        "@kadek: Setuju",
        f"@kadek: {NAME}",
        "@kadek: SDN 7 Mataram",
        f"@kadek: /profil telepon; {PHONE}",
        # the name travels into other people's data too: the admin's role conversation
        "@admin: /peran",
        "@admin: 1",
        "@kadek: /hapusdata",
    ]
    await transcript(console_app, "\n".join(script))
    assert await occurrences(console_app, NAME), "the name was stored before deletion"
    cancelled = await said(console_app, "kadek", "Batal")
    assert "dibatalkan" in cancelled
    await said(console_app, "kadek", "/hapusdata")
    goodbye = await said(console_app, "kadek", "Ya")
    assert "sudah dihapus" in goodbye
    # the goodbye was delivered; the cleanup job then removes the last trace of the address
    await console_app.advance_to(console_app.clock.now())
    for needle in (NAME, PHONE, "081377770001"):
        assert await occurrences(console_app, needle) == [], needle
    async with console_app.sessionmaker() as s:
        person = await s.scalar(select(Person).where(Person.erased_at.is_not(None)))
        assert person.name is None and person.phone is None and person.consent_at is None
        assert (
            await s.scalar(
                select(func.count()).select_from(Identity).where(Identity.person_id == person.id)
            )
            == 0
        )
        assert (
            await s.scalar(
                select(func.count()).select_from(Role).where(Role.person_id == person.id)
            )
            == 0
        )
        assert (
            await s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.person_id == person.id)
            )
            == 0
        )
        erase = await s.scalar(select(AuditEntry).where(AuditEntry.action == "person.erase"))
        assert erase.target_person_id == person.id and not erase.details
    # the same chat can start afresh
    again = await said(console_app, "kadek", "/start")
    assert "Selamat datang" in again
