"""Topic-needs polls: the catalogue, the rules, and what the database and outbox hold.

The console scripts (tests/scripts/polls_*.script) show the conversations; these tests
check what they leave behind, and the cases a script cannot reach (a forged button, a
member of another KKG, a chart's bytes).
"""

from __future__ import annotations

import struct
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kkgbot import charts
from kkgbot.db.models import Kkg, OutboxMessage, Person, StoredFile
from kkgbot.people import kkgs, roles
from kkgbot.polls import workplan
from kkgbot.polls.models import Poll, PollBallot, PollOption, PollVote, WorkPlanItem
from kkgbot.polls.service import PollError, parse_numbers, parse_options
from kkgbot.polls.topics import CatalogueError, catalogue, parse_catalogue
from tests.conftest import START
from tests.console_helpers import SCRIPTS, transcript
from tests.test_engine import say

REQUIRED_TOPICS = {
    "literasi-dasar",
    "membaca-terbimbing",
    "numerasi-kelas-awal",
    "asesmen-formatif",
    "pembelajaran-berdiferensiasi",
    "kelas-rangkap",
    "pendidikan-inklusif",
    "bahasa-ibu-kelas-awal",
    "pengelolaan-kelas",
    "media-pembelajaran-murah",
    "kolaborasi-orang-tua",
}
ONE_LINE = "/survei Topik KKG?; 9 | 11 | Kelas rangkap; 2; 2026-12-08 17:00"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def person_id(app, name: str) -> int:
    async with app.sessionmaker() as s:
        return await s.scalar(select(Person.id).where(Person.name == name))


async def open_poll(app) -> int:
    await say(app, "koordinator", ONE_LINE)
    await say(app, "koordinator", "Ya")
    async with app.sessionmaker() as s:
        return await s.scalar(select(func.max(Poll.id)))


async def poll_rows(app) -> tuple:
    async with app.sessionmaker() as s:
        polls = (await s.execute(select(Poll.id, Poll.closed_at))).all()
        ballots = (
            await s.execute(select(PollBallot.person_id, PollBallot.draft, PollBallot.submitted_at))
        ).all()
        votes = (await s.execute(select(PollVote.ballot_id, PollVote.option_id))).all()
    return sorted(polls), sorted(ballots, key=str), sorted(votes)


def test_catalogue_has_the_required_topics_in_both_languages():
    cat = catalogue()
    assert len(cat.topics) >= 15
    assert {t.id for t in cat.topics} >= REQUIRED_TOPICS
    assert {t.competency for t in cat.topics} == {
        "pedagogik",
        "profesional",
        "sosial",
        "kepribadian",
    }
    assert all(t.titles["id"] and t.titles["en"] for t in cat.topics)
    assert cat.find("Foundational literacy").id == "literasi-dasar"


@pytest.mark.parametrize(
    "raw, problem",
    [
        ({}, "competencies"),
        ({"competencies": {"lain": {}}}, "unknown"),
        (
            {
                "competencies": {
                    c: {"title": {"id": c, "en": c}, "topics": [{"id": "a", "title": {"id": "x"}}]}
                    for c in ("pedagogik", "profesional", "sosial", "kepribadian")
                }
            },
            "missing en",
        ),
        (
            {
                "competencies": {
                    c: {
                        "title": {"id": c, "en": c},
                        "topics": [{"id": "sama", "title": {"id": "x", "en": "y"}}],
                    }
                    for c in ("pedagogik", "profesional", "sosial", "kepribadian")
                }
            },
            "duplicate id",
        ),
        (
            {
                "competencies": {
                    c: {
                        "title": {"id": c, "en": c},
                        "topics": [{"id": f"Bad Id {c}", "title": {"id": "x", "en": "y"}}],
                    }
                    for c in ("pedagogik", "profesional", "sosial", "kepribadian")
                }
            },
            "lower-case",
        ),
    ],
)
def test_a_broken_catalogue_is_refused_with_its_place(raw, problem):
    with pytest.raises(CatalogueError, match=problem):
        parse_catalogue(raw)


@pytest.mark.parametrize(
    "text, key",
    [
        ("Literasi dasar", "polls.too_few_options"),
        ("1 | 1", "polls.option_duplicate"),
        ("Kelas rangkap | kelas RANGKAP", "polls.option_duplicate"),
        ("3 | Multigrade teaching", "polls.option_duplicate"),
        ("99 | 1", "polls.topic_number_unknown"),
        (" | ".join(f"Topik nomor {n}" for n in "ABCDEFGHIJKLM"), "polls.too_many_options"),
        ("A" * 61 + " | B lain", "polls.option_too_long"),
        ("🙂🙂 | 1", "polls.option_not_text"),
        ("", "polls.too_few_options"),
    ],
)
def test_bad_options_are_refused(text, key):
    with pytest.raises(PollError) as caught:
        parse_options(text)
    assert caught.value.key == key


def test_options_mix_catalogue_numbers_titles_ids_and_own_text():
    specs = parse_options("9 | numerasi-kelas-awal | Kelas rangkap | Menulis soal cerita")
    assert [s.topic_id for s in specs] == [
        "literasi-dasar",
        "numerasi-kelas-awal",
        "kelas-rangkap",
        None,
    ]
    assert [s.topic_id for s in parse_options("1,3,5")] == [
        "asesmen-formatif",
        "kelas-rangkap",
        "pengelolaan-kelas",
    ]
    assert parse_numbers(" 1, 3 ,5 ") == [1, 3, 5]
    for bad in ("1,a", "satu", "", "1" * 5):
        with pytest.raises(PollError):
            parse_numbers(bad)


def test_the_chart_is_a_png_of_sensible_size():
    png = charts.bar_chart_png(
        title="Topik apa? 🙂",
        labels=["Literasi dasar", "Numerasi kelas awal 🧮", "Kelas rangkap"],
        values=[3, 2, 0],
        notes=["50%", "33%", "0%"],
        subtitle="KKG · 6 dari 9",
        xlabel="Jumlah suara",
    )
    width, height = png_size(png)
    assert (width, height) == (800, 325)
    assert 5_000 < len(png) < 200_000


async def test_a_full_poll_leaves_the_right_rows(console_app):
    await transcript(console_app, (SCRIPTS / "polls_close_results.script").read_text("utf-8"))
    async with console_app.sessionmaker() as s:
        poll = await s.scalar(select(Poll))
        assert poll.closed_at == START + timedelta(days=4, hours=9)  # 5 Dec 17:00 WITA
        assert poll.reminded_at == START + timedelta(days=3, hours=9)
        assert poll.members_at_close == 9
        options = (await s.scalars(select(PollOption).order_by(PollOption.position))).all()
        assert [o.topic_id for o in options] == [
            "literasi-dasar",
            "numerasi-kelas-awal",
            "kelas-rangkap",
            "kolaborasi-orang-tua",
            None,
        ]
        assert await s.scalar(select(func.count()).select_from(PollVote)) == 8
        submitted = await s.scalar(select(func.count()).where(PollBallot.submitted_at.is_not(None)))
        assert submitted == 6
        keys = (await s.scalars(select(OutboxMessage.idempotency_key))).all()
        reminded = sorted(k.rsplit(":", 1)[1] for k in keys if k.startswith("poll:1:remind:"))
        names = {
            str(pid): name for pid, name in (await s.execute(select(Person.id, Person.name))).all()
        }
        assert sorted(names[r] for r in reminded) == sorted(
            ["Rahmawati", "Muhammad Rizki", "Dewi Anggraeni", "Yohanes Bili"]
        )
        results = [k for k in keys if k.startswith("poll:1:results:")]
        assert len(results) == 2  # the koordinator and the pengawas
        chart = await s.scalar(select(StoredFile).where(StoredFile.name.like("hasil-survei-1-%")))
        assert chart.mime == "image/png"
        assert png_size(chart.data)[0] == 800
        plan = (
            await s.execute(
                select(WorkPlanItem.topic_id, WorkPlanItem.source, WorkPlanItem.planned_month)
            )
        ).all()
        assert [(t, src, m.isoformat()) for t, src, m in plan] == [
            ("literasi-dasar", "poll", "2026-12-01"),
            ("numerasi-kelas-awal", "poll", "2027-01-01"),
        ]
        share = await workplan.vote_share(s, poll.kkg_id)
        assert (share.total, share.from_votes, share.share) == (2, 2, 1.0)
        titles = await workplan.suggested_titles(s, poll.kkg_id, now=START)
        assert titles == ["Literasi dasar", "Numerasi kelas awal"]
        entries = await workplan.work_plan(s, poll.kkg_id)
        assert entries[0].label("en") == "Foundational literacy"


async def test_reminder_and_close_run_once_even_if_jobs_run_again(console_app):
    await open_poll(console_app)
    await console_app.advance_to(START + timedelta(days=8))
    before = await poll_rows(console_app)
    async with console_app.sessionmaker() as s:
        count = await s.scalar(select(func.count()).select_from(OutboxMessage))
    await console_app.jobs.run_due(START + timedelta(days=8))
    await console_app.jobs.run_due(START + timedelta(days=9))
    async with console_app.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == count
    assert await poll_rows(console_app) == before


async def test_button_pressed_twice_toggles_and_sends_once(console_app):
    poll_id = await open_poll(console_app)
    await say(console_app, "guru1", data=f"a:pt:{poll_id}:2", external_id="u1")
    again = await say(console_app, "guru1", data=f"a:pt:{poll_id}:2", external_id="u1")
    assert again == ""  # a redelivered update is handled once
    first = await say(console_app, "guru1", data=f"a:ps:{poll_id}")
    second = await say(console_app, "guru1", data=f"a:ps:{poll_id}")
    assert "tercatat" in first and "tidak ada yang berubah" in second
    polls_, ballots, votes = await poll_rows(console_app)
    assert len(ballots) == 1 and ballots[0][1] is None and len(votes) == 1
    async with console_app.sessionmaker() as s:
        redraw = await s.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("in:%:u1:0"))
        )
    assert redraw.payload["slot"] == f"poll:{poll_id}"
    assert redraw.payload["edit_of"].startswith("console-")  # the announcement it redraws
    assert redraw.payload["choices"][1]["label"] == "✅ Numerasi kelas awal"


async def test_refused_votes_change_nothing(console_app):
    poll_id = await open_poll(console_app)
    await say(console_app, "guru1", "/survei 1")
    before = await poll_rows(console_app)
    cases = [
        ("guru2", dict(data=f"a:pt:{poll_id}:99"), "Nomor 99 tidak ada"),
        ("guru2", dict(data=f"a:pt:{poll_id + 50}:1"), "bukan untuk KKG Anda"),
        ("guru2", dict(data=f"a:pt:{poll_id}:x"), "sudah tidak berlaku"),
        ("guru2", dict(data="a:pt:🙂"), "sudah tidak berlaku"),
        ("guru2", dict(data=f"a:ps:{poll_id}"), "Belum ada yang dipilih"),
        ("guru2", dict(text="/survei 1,2,3"), "paling banyak 2"),
        ("guru2", dict(text="/survei " + "9" * 10_000), "terlalu panjang"),
        ("pengawas", dict(data=f"a:pt:{poll_id}:1"), "bukan untuk KKG Anda"),
        ("guru3", dict(text="/survei Buat; A | B; 1; 2026-12-08 17:00"), "hanya koordinator"),
    ]
    for who, kwargs, expected in cases:
        reply = await say(console_app, who, **kwargs)
        assert expected in reply, (kwargs, reply)
        await say(console_app, who, "/batal")
    assert await poll_rows(console_app) == before


async def test_a_member_of_another_kkg_cannot_see_or_answer(console_app):
    poll_id = await open_poll(console_app)
    async with console_app.sessionmaker() as s, s.begin():
        other = await kkgs.create_kkg(
            s, name="KKG Gugus 2", district="Kota Mataram", timezone="WITA", now=START
        )
    await say(console_app, "budi", "/start " + other.invite_code)
    await say(console_app, "budi", "Setuju")
    await say(console_app, "budi", "Budi Santoso")
    await say(console_app, "budi", "SDN 2 Ampenan")
    before = await poll_rows(console_app)
    assert "tidak ada survei" in await say(console_app, "budi", "/survei")
    assert "bukan untuk KKG Anda" in await say(console_app, "budi", data=f"a:pt:{poll_id}:1")
    assert "bukan untuk KKG Anda" in await say(console_app, "budi", data=f"a:ps:{poll_id}")
    assert "hanya untuk koordinator, pengawas" in await say(console_app, "budi", "/hasil")
    assert await poll_rows(console_app) == before


async def test_votes_after_the_deadline_are_refused(console_app):
    poll_id = await open_poll(console_app)
    await say(console_app, "guru1", data=f"a:pt:{poll_id}:1")
    await console_app.advance_to(START + timedelta(days=7, hours=9))
    before = await poll_rows(console_app)
    assert "sudah ditutup" in await say(console_app, "guru1", data=f"a:ps:{poll_id}")
    assert "sudah ditutup" in await say(console_app, "guru1", data=f"a:pt:{poll_id}:2")
    assert await poll_rows(console_app) == before


async def test_english_teacher_gets_an_english_ballot_and_results_for_pengawas(console_app):
    await say(console_app, "guru8", "/language English")
    await say(console_app, "pengawas", "/language English")
    await open_poll(console_app)
    async with console_app.sessionmaker() as s:
        ballot = await s.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("poll:%:announce:%"))
            .where(OutboxMessage.address == "guru8")
        )
    labels = [c["label"] for c in ballot.payload["choices"]]
    assert labels == [
        "Foundational literacy",
        "Early-grade numeracy",
        "Multigrade teaching",
        "Send",
    ]
    reply = await say(console_app, "guru8", "/poll 1,3")
    assert "Your choices are recorded" in reply
    results = await say(console_app, "pengawas", "/results")
    assert "Turnout: 1 of 9 members" in results and "[file: hasil-survei-1.png]" in results


async def test_a_pengawas_sees_only_the_kkgs_they_supervise(console_app):
    await open_poll(console_app)
    async with console_app.sessionmaker() as s, s.begin():
        other = await kkgs.create_kkg(
            s, name="KKG Gugus 3", district="Kota Mataram", timezone="WITA", now=START
        )
        pengawas = await s.get(Person, await person_id(console_app, "Lalu Hendra Wijaya"))
        await roles.revoke(
            s, person=pengawas, role="pengawas", kkg=await kkgs.find_kkg(s, "GUGUS1"), now=START
        )
        await roles.grant(s, person=pengawas, role="pengawas", kkg=other, now=START)
    reply = await say(console_app, "pengawas", "/hasil")
    assert "KKG Gugus 3 belum punya survei" in reply
    assert "Topik KKG?" not in reply


async def test_a_poll_closing_mid_answer_ends_the_conversation_cleanly(console_app):
    await open_poll(console_app)
    await say(console_app, "guru1", "/survei")
    # keep the monthly pulse (first Monday, 19:00) out of this test's week
    from kkgbot.monitoring.models import MonitoringSlots

    async with console_app.sessionmaker() as s, s.begin():
        for kkg_id in (await s.scalars(select(Kkg.id))).all():
            s.add(MonitoringSlots(kkg_id=kkg_id, pulse_at=START + timedelta(days=30)))
    await console_app.advance_to(START + timedelta(days=7, hours=9))
    # The ballot closed with the poll; "1" now answers the newest open question (the week's
    # lesson), never the closed ballot, and nothing breaks.
    reply = await say(console_app, "guru1", "1")
    assert "gangguan" not in reply and "tercatat" not in reply
    assert "Tidak ada percakapan" in await say(console_app, "guru1", "/batal")


async def test_numbers_typed_after_a_ballot_submit_the_vote(console_app):
    """WhatsApp and the console: `1,3` in answer to the ballot, no command needed."""
    from tests.console_helpers import transcript

    script = "\n".join(
        [
            "@koordinator: /survei Topik apa yang paling Anda butuhkan?; Literasi | Numerasi | Asesmen; 2; 2026-12-08 17:00",
            "@koordinator: Ya",
            "@guru1: 1,3",
            "@guru2: 1,2,3",
            "@guru3: 1,9",
            "@guru4: bukan angka",
        ]
    )
    out = await transcript(console_app, script)
    guru1 = out.split("@guru1: 1,3\n")[1].split("@guru2")[0]
    assert "Literasi" in guru1 and "Asesmen" in guru1 and "Numerasi" not in guru1
    assert (
        "@guru2: 1,2,3\n-> guru2: " in out and "2" in out.split("@guru2: 1,2,3\n")[1].split("\n")[0]
    )
    assert "Teruskan kepada koordinator" in out.split("@guru4: bukan angka\n")[1]
