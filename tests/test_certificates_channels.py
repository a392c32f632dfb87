"""A certificate and its verification on every channel (console, Telegram, WhatsApp): the
PDF arrives as a file with its code in the caption, and /verifikasi answers the same."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kkgbot.meetings.models import Meeting
from tests.test_channels_parametrised import CHANNELS, driver_for, onboard
from tests.test_engine import say as koordinator_says

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CODE = re.compile(r"Kode verifikasi: ([A-Z0-9-]{14})")


@pytest.fixture(params=CHANNELS)
async def person(request, settings):
    async with driver_for(request.param, settings) as driver:
        yield driver


async def test_a_certificate_and_its_verification(person):
    await onboard(person)
    app = person.app
    await koordinator_says(
        app, "koordinator", "/jadwal Rapat Literasi; 2026-12-05 09:00; Aula SDN 1"
    )
    await koordinator_says(app, "koordinator", "Ya")
    async with app.sessionmaker() as s:
        meeting = await s.scalar(select(Meeting).order_by(Meeting.id.desc()).limit(1))
    await app.advance_to(meeting.starts_at + timedelta(minutes=5))
    said = await person.say(f"/hadir {meeting.checkin_code}")
    assert any("Presensi tercatat" in t for t in said), said
    await app.advance_to(meeting.starts_at + timedelta(hours=3))
    assert any("rapat yang mana" in t for t in await person.say("/sertifikat"))
    got = "\n".join(await person.say("1"))
    assert 'Sertifikat kehadiran "Rapat Literasi" (2 JP)' in got, got
    code = CODE.search(got)[1]
    checked = "\n".join(await person.say(f"/verifikasi {code}"))
    assert "Sertifikat ASLI" in checked and "Kadek Ayu Pratiwi" in checked
    wrong = "\n".join(await person.say("/verifikasi ACDE-FGHJ-KMNP"))
    assert "tidak ditemukan" in wrong
