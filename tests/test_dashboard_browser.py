"""The dashboard in a real browser: Debian's chromium driven by Playwright.

Covers sign-in from a link produced by /dasbor, a second use of the link, a guru's
refusal, sorting the overview, a KKG's page, an import with a bad row and a role grant,
on a 360-pixel-wide phone screen. Screenshots go to tests/artifacts/dashboard/ (kept by CI
as artefacts, ignored by git). Playwright's own browser download does not work here, and
without the networking flags this machine refuses Chromium's connections.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from tests.dashboard_helpers import dashboard_bot
from tests.digest_data import build
from tests.test_dashboard_setup import CSV

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).parent / "artifacts" / "dashboard"
PHONE = {"width": 360, "height": 740}

# a real browser, 5-8 s a test: in the slow step; skipped (and said so) without chromium
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
]


@contextlib.asynccontextmanager
async def browser():
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def shot(page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def sign_in(browser_, bot, who: str):
    context = await browser_.new_context(viewport=PHONE, locale="id-ID")
    page = await context.new_page()
    link = await bot.link(who)
    await page.goto(link)
    await page.click("#masuk")
    await page.wait_for_url(bot.public_url + "/dasbor")
    return context, page, link


async def test_signin_sorting_and_kkg_page(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot, browser() as b:
        async with bot.app.sessionmaker() as s, s.begin():
            await build(s)
        refusal = await bot.say("guru1", "/dasbor")
        assert "hanya untuk" in refusal and "/dasbor/masuk/" not in refusal
        context, page, link = await sign_in(b, bot, "pengawas")
        assert await page.locator("#overview tbody tr").count() == 2
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width  # the table scrolls inside its box
        await shot(page, "01-overview-360px")

        names = page.locator("#overview td.kkg > a")
        assert await names.all_inner_texts() == ["KKG Gugus 1 Mataram", "KKG Gugus 2 Mataram"]
        await page.click("#sort-name")  # already by name, ascending: now descending
        assert await names.all_inner_texts() == ["KKG Gugus 2 Mataram", "KKG Gugus 1 Mataram"]
        await page.click("#sort-meetings_30d")
        await page.click("#sort-meetings_30d")
        assert await names.all_inner_texts() == ["KKG Gugus 1 Mataram", "KKG Gugus 2 Mataram"]
        await shot(page, "02-overview-sorted")

        await page.click("text=KKG Gugus 1 Mataram")
        assert await page.inner_text("#kkg-name") == "KKG Gugus 1 Mataram"
        assert "Ni Made Ayu Lestari" in await page.inner_text("#members")
        await shot(page, "03-kkg-page")

        # the same link a second time, in another browser: refused, in Indonesian
        other = await b.new_context(viewport=PHONE)
        again = await other.new_page()
        answer = await again.goto(link)
        assert answer.status == 410
        assert "Tautan tidak berlaku" in await again.inner_text("h1")
        await shot(again, "04-link-used-twice")
        lost = await again.goto(bot.public_url + "/dasbor")
        assert lost.status == 401 and "Silakan masuk" in await again.inner_text("h1")

        await page.click("#signout")
        assert "sudah keluar" in await page.inner_text("h1")
        await context.close()
        await other.close()


async def test_import_with_a_bad_row_and_a_role_grant(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot, browser() as b:
        context, page, _ = await sign_in(b, bot, "admin")
        await page.click("text=Pengaturan")
        await page.set_input_files(
            "#import-file",
            files=[{"name": "anggota.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
        )
        await page.click("#import button[type=submit]")
        summary = await page.inner_text("#preview-summary")
        assert "1 anggota baru" in summary and "3 baris bermasalah" in summary
        assert await page.locator("#preview tr.bad").count() == 3
        assert "nomor HP sama dengan baris 2" in await page.inner_text("#preview")
        await shot(page, "05-import-preview")
        await page.click("#confirm-import button")
        assert "dilewati" in await page.inner_text("#message")

        await page.select_option("#role-person", label="Ni Made Ayu Lestari · SDN 1 Mataram")
        await page.select_option("#role-role", "narasumber")
        await page.click("#grant")
        assert "Peran sudah diberikan." in await page.inner_text("#message")
        assert "role.grant (narasumber)" in await page.inner_text("#audit")
        await shot(page, "06-role-granted")
        await context.close()
