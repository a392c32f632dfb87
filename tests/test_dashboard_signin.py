"""Sign-in from the chat: /dasbor's one-time link, the "Masuk" POST, the session cookie,
sign-out, and sessions that end with a revoked role or erased data."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from kkgbot.dashboard.models import DashboardLink, DashboardSession
from kkgbot.db.models import AuditEntry, Kkg, Person
from kkgbot.people import identities, roles
from kkgbot.privacy.personal_data import erase_person
from tests.dashboard_helpers import CSRF, dashboard_bot


async def _person(app, handle: str) -> Person:
    async with app.sessionmaker() as s:
        return (await identities.find_person(s, handle))[0]


async def test_link_page_then_masuk_then_session(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        said = await bot.say("pengawas", "/dasbor")
        assert "15 menit" in said and "/dasbor/masuk/" in said
        async with bot.app.sessionmaker() as s:
            payload = (await s.execute(select(func.count(DashboardLink.id)))).scalar()
        assert payload == 1
        url = re.search(r"http\S+", said).group(0)
        async with httpx.AsyncClient() as preview:  # a chat app fetching a preview
            for _ in range(2):
                page = await preview.get(url)
                assert page.status_code == 200 and "Masuk" in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp and page.headers["referrer-policy"] == "no-referrer"
        assert "<script" not in page.text
        client = httpx.AsyncClient(base_url=bot.public_url)
        opened = await client.get(url)
        token = url.rsplit("/", 1)[1]
        csrf = CSRF.search(opened.text).group(1)
        refused = await client.post("/dasbor/masuk", data={"token": token, "csrf": "wrong"})
        assert refused.status_code == 403 and "Formulir kedaluwarsa" in refused.text
        signed = await client.post("/dasbor/masuk", data={"token": token, "csrf": csrf})
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
        assert "Max-Age=43200" in cookie and "Secure" not in cookie  # the test URL is http
        home = await client.get("/dasbor")
        assert home.status_code == 200 and "KKG Gugus 1 Mataram" in home.text
        # the link is spent: a second use is refused, in Indonesian, changing nothing
        again = httpx.AsyncClient(base_url=bot.public_url)
        second = await again.get(url)
        assert second.status_code == 410 and "Tautan tidak berlaku" in second.text
        second = await again.post("/dasbor/masuk", data={"token": token, "csrf": csrf})
        assert second.status_code in (403, 410)
        # sign-out ends the session for good
        csrf = CSRF.search(home.text).group(1)
        out = await client.post("/dasbor/keluar", data={"csrf": csrf})
        assert out.status_code == 200 and "sudah keluar" in out.text
        assert (await client.get("/dasbor")).status_code == 401
        await client.aclose()
        await again.aclose()


async def test_guru_is_refused_and_link_expires(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        said = await bot.say("guru1", "/dasbor")
        assert "/dasbor/masuk/" not in said and said.strip()
        async with bot.app.sessionmaker() as s:
            assert (await s.scalar(select(func.count(DashboardLink.id)))) == 0
        url = await bot.link("koordinator")
        bot.app.clock.advance(timedelta(minutes=16))
        async with httpx.AsyncClient() as client:
            late = await client.get(url)
        assert late.status_code == 410
        async with httpx.AsyncClient() as client:
            assert (await client.get(bot.public_url + "/dasbor")).status_code == 401
            missing = await client.get(bot.public_url + "/dasbor/nothing-here")
            assert missing.status_code == 404 and "tidak ditemukan" in missing.text


async def test_links_are_rate_limited(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        for _ in range(5):
            await bot.link("admin")
        said = await bot.say("admin", "/dasbor")
        assert "/dasbor/masuk/" not in said and "5" in said


async def test_revoked_role_and_erasure_end_sessions(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        pengawas = await bot.signed_in("pengawas")
        koordinator = await bot.signed_in("koordinator")
        assert (await pengawas.get("/dasbor")).status_code == 200
        person = await _person(bot.app, "pengawas")
        async with bot.app.sessionmaker() as s, s.begin():
            kkg = await s.scalar(select(Kkg))
            await roles.revoke(s, person=person, role="pengawas", kkg=kkg, now=bot.app.clock.now())
        assert (await pengawas.get("/dasbor")).status_code == 401
        assert (await koordinator.get("/dasbor")).status_code == 200
        person = await _person(bot.app, "koordinator")
        async with bot.app.sessionmaker() as s, s.begin():
            await erase_person(s, person.id, bot.app.clock.now())
        assert (await koordinator.get("/dasbor")).status_code == 401
        async with bot.app.sessionmaker() as s:
            left = await s.scalar(
                select(func.count(DashboardSession.id)).where(
                    DashboardSession.person_id == person.id
                )
            )
            signins = await s.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "dashboard.signin")
            )
        assert left == 0 and signins == 2
        await pengawas.aclose()
        await koordinator.aclose()


async def test_https_cookie_is_secure_and_pages_speak_english(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path, announced_url="https://kkg.example.id") as bot:
        async with bot.app.sessionmaker() as s, s.begin():
            person = (await identities.find_person(s, "pengawas"))[0]
            person.language = "en"
        said = await bot.say("pengawas", "/dashboard")
        assert "https://kkg.example.id/dasbor/masuk/" in said and "Sign in" in said
        path = re.search(r"/dasbor/masuk/\S+", said).group(0)
        client = httpx.AsyncClient(base_url=bot.public_url)
        page = await client.get(path)
        assert "Sign in to the KKG dashboard" in page.text and 'lang="en"' in page.text
        csrf = CSRF.search(page.text).group(1)
        assert "Secure" in page.headers["set-cookie"]
        # a Secure cookie is not sent back over this test's plain http: as a browser would
        # over https, send it by hand
        signed = await httpx.AsyncClient(base_url=bot.public_url).post(
            "/dasbor/masuk",
            data={"token": path.rsplit("/", 1)[1], "csrf": csrf},
            headers={"cookie": f"kkg_form={csrf}"},
        )
        assert signed.status_code == 303 and "Secure" in signed.headers["set-cookie"]
        await client.aclose()


async def test_sign_in_attempts_are_limited_per_address(settings, tmp_path):
    async with (
        dashboard_bot(settings, tmp_path) as bot,
        httpx.AsyncClient(base_url=bot.public_url) as client,
    ):
        answers = [
            (await client.post("/dasbor/masuk", data={"token": f"guess{n}"})).status_code
            for n in range(22)
        ]
        assert answers[:20] == [403] * 20 and answers[20:] == [429, 429]
        assert "Terlalu banyak percobaan" in (await client.post("/dasbor/masuk")).text
