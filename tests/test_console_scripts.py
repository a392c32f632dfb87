"""Whole conversations as console scripts: each transcript is checked against its file.

The `.expected` files are meant to be read: they show exactly what a teacher sees.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kkgbot.console_session import script_start
from kkgbot.db.models import AuditEntry, Person, Role
from tests.console_helpers import SCRIPTS, check_golden, transcript

NAMES = sorted(p.stem for p in SCRIPTS.glob("*.script"))


@pytest.fixture(autouse=True)
def _same_certificate_codes(monkeypatch):
    """Certificate codes are random; a transcript needs the same ones every run."""
    import random

    from kkgbot.certificates import service

    monkeypatch.setattr(service, "_random", random.Random(18))


@pytest.mark.parametrize("name", NAMES)
async def test_script_transcript(console_app, name):
    script = (SCRIPTS / f"{name}.script").read_text(encoding="utf-8")
    start = script_start(script.splitlines(), "Asia/Makassar")
    if start is not None:
        console_app.clock.set(start)
    check_golden(name, await transcript(console_app, script))


async def test_onboarding_stores_consent_and_membership(console_app):
    script = (SCRIPTS / "onboarding.script").read_text(encoding="utf-8")
    await transcript(console_app, script)
    async with console_app.sessionmaker() as session:
        ayu = await session.scalar(select(Person).where(Person.name == "Ni Made Ayu Lestari"))
        roles = (await session.scalars(select(Role.role).where(Role.person_id == ayu.id))).all()
        budi = await session.scalar(select(Person).where(Person.name == "Budi Santoso"))
        joins = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "member.join")
        )
    assert ayu.consent_at is not None and ayu.consent_version
    assert ayu.school == "SDN 1 Mataram"
    assert roles == ["guru"]
    assert budi.onboarded_at is not None
    assert joins == 2  # Ayu, then Budi with his second /start


async def test_handover_moves_the_koordinator_role(console_app):
    await transcript(console_app, (SCRIPTS / "roles.script").read_text(encoding="utf-8"))
    async with console_app.sessionmaker() as session:
        holders = (
            await session.scalars(
                select(Person.name)
                .join(Role, Role.person_id == Person.id)
                .where(Role.role == "koordinator")
            )
        ).all()
        audit = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "chat"))
        ).all()
    assert holders == ["Ni Made Ayu Lestari"]
    assert audit.count("role.revoke") == 1 and audit.count("role.grant") == 1
