"""/sertifikat: a certificate of attendance for a meeting, or the semester's JP summary;
/verifikasi KODE: whether a certificate is genuine, as the web page says it.

The list offers the KKG's latest meetings whether attended or not: a teacher who picks one
they missed, or one not yet held, is told why there is no certificate (and nothing is made).
"""

from __future__ import annotations

from kkgbot.certificates import service as certificates
from kkgbot.certificates.pdf import PDF_MIME, certificate_pdf, file_name
from kkgbot.certificates.service import CertificateError
from kkgbot.certificates.wording import day_text, semester_text, verification_text
from kkgbot.db.models import Kkg
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import EndConversation, Flow, Option, Step
from kkgbot.meetings import service as meetings
from kkgbot.meetings.notify import short_when
from kkgbot.people import signatories
from kkgbot.people.messaging import store_file

SEMESTER = "semester"


async def _options(ctx: Ctx) -> list[Option]:
    offered = await certificates.offered_meetings(ctx.session, ctx.person.id, ctx.now)
    options = [
        Option(m.id, f"{m.title} · {short_when(m, kkg, ctx.lang)}"[:60]) for m, kkg in offered
    ]
    kkgs = await certificates.kkgs_of(ctx.session, ctx.person.id)
    key, _, _ = certificates.semester_of(meetings.local(ctx.now, kkgs[0]).date())
    label = ctx.t("certificates.option_semester", semester=semester_text(key, ctx.lang))
    return [*options, Option(SEMESTER, label, words=("semester", "rekap", "summary"))]


class CertificateFlow(Flow):
    name = "certificate"
    steps = [Step("choice", "certificates.ask_which", options=_options)]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        if not await certificates.kkgs_of(ctx.session, ctx.person.id):
            ctx.say("certificates.no_kkg")
            raise EndConversation
        return True

    async def finish(self, ctx: Ctx) -> None:
        try:
            if ctx.data["choice"] == SEMESTER:
                await send_semester(ctx)
            else:
                await send_meeting(ctx, int(ctx.data["choice"]))
        except CertificateError as refused:
            ctx.say(refused.key, **refused.params)


async def _send(ctx: Ctx, data: bytes, name: str, text: str) -> None:
    file_id = await store_file(ctx.session, name, PDF_MIME, data, ctx.now, names=[ctx.person.id])
    ctx.reply(text, file_id=file_id, file_name=name)


async def send_meeting(ctx: Ctx, meeting_id: int) -> None:
    meeting = await meetings.get(ctx.session, meeting_id)
    if meeting is None:
        ctx.say("meetings.not_allowed")
        return
    kkg = await ctx.session.get(Kkg, meeting.kkg_id)
    cert, got = await certificates.for_meeting(ctx.session, ctx.person, meeting, ctx.now)
    day = meetings.local(meeting.starts_at, kkg).date()
    params = {"title": meeting.title, "day": day_text(day, ctx.lang), "jp": got.jp}
    key = "certificates.attended_late" if got.late_minutes else "certificates.attended_meeting"
    data = certificate_pdf(
        cert=cert, person=ctx.person, kkg=kkg, lang=ctx.lang,
        attended_text=ctx.t(key, late=got.late_minutes, **params), lines=[],
        signed=await signatories.for_kkg(ctx.session, kkg),
        issued_day=meetings.local(ctx.now, kkg).date(), public_url=ctx.settings.public_url,
    )  # fmt: skip
    text = ctx.t("certificates.ready_meeting", title=meeting.title, jp=got.jp,
                 code=certificates.shown_code(cert.code))  # fmt: skip
    await _send(ctx, data, file_name(cert, day), text + "\n" + ctx.t("certificates.not_pkb_note"))


async def send_semester(ctx: Ctx) -> None:
    kkg = (await certificates.kkgs_of(ctx.session, ctx.person.id))[0]
    cert, lines = await certificates.for_semester(ctx.session, ctx.person, ctx.now, kkg)
    semester = semester_text(cert.semester, ctx.lang)
    attended = ctx.t("certificates.attended_semester", meetings=cert.meetings,
                     semester=semester, jp=cert.jp)  # fmt: skip
    today = meetings.local(ctx.now, kkg).date()
    data = certificate_pdf(
        cert=cert, person=ctx.person, kkg=kkg, lang=ctx.lang, attended_text=attended,
        lines=lines, signed=await signatories.for_kkg(ctx.session, kkg), issued_day=today,
        public_url=ctx.settings.public_url,
    )  # fmt: skip
    text = ctx.t("certificates.ready_semester", semester=semester, jp=cert.jp,
                 meetings=cert.meetings, code=certificates.shown_code(cert.code))  # fmt: skip
    await _send(ctx, data, file_name(cert, today), text + "\n" + ctx.t("certificates.not_pkb_note"))


class VerifyFlow(Flow):
    name = "certificate_verify"
    steps = [Step("code", "certificates.ask_code")]

    async def finish(self, ctx: Ctx) -> None:
        typed = str(ctx.data["code"])
        found = await certificates.verify(ctx.session, typed)
        ctx.reply(verification_text(found, typed, ctx.lang))


def register(registry: Registry) -> None:
    registry.command(
        Command("sertifikat", "certificate", "certificate", flow=CertificateFlow(), order=36)
    )
    registry.command(
        Command("verifikasi", "verify", "verify", flow=VerifyFlow(), needs_onboarding=False,
                order=97)
    )  # fmt: skip
