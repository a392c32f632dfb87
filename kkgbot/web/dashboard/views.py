"""The dashboard's reading routes: sign-in and sign-out, the overview, one KKG, downloads.

Every route opens its own database transaction, finds the viewer from the session cookie
and their scope from their roles now; a KKG outside the scope answers the same 404 page as
one that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from kkgbot.dashboard import signin
from kkgbot.dashboard.kkg_view import kkg_page
from kkgbot.dashboard.models import DashboardLink
from kkgbot.dashboard.overview import overview
from kkgbot.dashboard.scope import Scope, scope_of
from kkgbot.db.models import Person
from kkgbot.digest.indicators import NAMES, THRESHOLDS, indicators
from kkgbot.digest.snapshots import history
from kkgbot.exports.scope_workbook import XLSX_MIME, file_name, scope_workbook
from kkgbot.meetings import service as meetings
from kkgbot.meetings.spj_pdf import PDF_MIME, activity_report_pdf, attendance_pdf, pdf_names
from kkgbot.monitoring import standards
from kkgbot.numbers import small_number
from kkgbot.web.dashboard.pages import (
    FORM_COOKIE,
    SESSION_COOKIE,
    STATIC,
    cookie_secure,
    error_page,
    new_form_secret,
    page,
    same,
    secure,
)
from kkgbot.web.dashboard.ratelimit import too_many

log = logging.getLogger(__name__)


def web_of(request: Request):
    return request.app.state.web


def default_lang(request: Request) -> str:
    return web_of(request).settings.language or "id"


async def css(request: Request) -> Response:
    response = FileResponse(STATIC / "dashboard.css", media_type="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- sign-in -----------------------------------------------------------------------------


async def signin_page(request: Request) -> Response:
    """GET of the link from the chat: only a page with a button (previews use nothing up)."""
    web = web_of(request)
    token = request.path_params["token"]
    lang = default_lang(request)
    async with web.sessionmaker() as session:
        from sqlalchemy import select

        person_id = await session.scalar(
            select(DashboardLink.person_id).where(
                DashboardLink.token_hash == signin.digest(token),
                DashboardLink.used_at.is_(None),
                DashboardLink.expires_at > web.clock.now(),
            )
        )
        if person_id is not None:
            person = await session.get(Person, person_id)
            lang = (person.language if person else None) or lang
    if person_id is None:
        return error_page(request, lang, "link_invalid", 410)
    secret = new_form_secret()
    response = page(request, "dashboard/signin.html", lang, token=token, csrf=secret, viewer=None)
    response.set_cookie(
        FORM_COOKIE,
        secret,
        max_age=int(signin.LINK_TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=cookie_secure(web.settings.public_url),
        path="/dasbor",
    )
    return response


async def signin_post(request: Request) -> Response:
    web = web_of(request)
    lang = default_lang(request)
    if too_many(request, "signin"):
        return error_page(request, lang, "too_many", 429)
    form = await request.form()
    if not same(form.get("csrf"), request.cookies.get(FORM_COOKIE)):
        return error_page(request, lang, "csrf", 403)
    token = str(form.get("token") or "")
    async with web.sessionmaker() as session, session.begin():
        made = await signin.redeem(session, token, web.clock.now())
    if made is None:
        return error_page(request, lang, "link_invalid", 410)
    response = RedirectResponse("/dasbor", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        made.secret,
        max_age=int(signin.SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(web.settings.public_url),
        path="/dasbor",
    )
    response.delete_cookie(FORM_COOKIE, path="/dasbor")
    return secure(response)


Handler = Callable[[Request, AsyncSession, signin.Viewer, Scope], Awaitable[Response]]


def signed_in(handler: Handler, *, write: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """Wraps a route: the viewer and scope, or the "please sign in" page; for a POST, the
    session's CSRF token must come with the form."""

    async def route(request: Request) -> Response:
        web = web_of(request)
        lang = default_lang(request)
        async with web.sessionmaker() as session, session.begin():
            viewer = await signin.viewer(
                session, request.cookies.get(SESSION_COOKIE), web.clock.now()
            )
            if viewer is None:
                return error_page(request, lang, "signed_out", 401)
            if write:
                form = await request.form()
                if not same(form.get("csrf"), viewer.csrf):
                    return error_page(request, viewer.language, "csrf", 403)
            scope = await scope_of(session, viewer.person_id)
            try:
                async with session.begin_nested():
                    return await handler(request, session, viewer, scope)
            except Exception:
                log.exception("dashboard page failed")
                return error_page(request, viewer.language, "failed", 500)

    return route


async def _signout(request: Request, session: AsyncSession, viewer, scope) -> Response:
    await signin.sign_out(session, viewer.session_id, web_of(request).clock.now())
    response = page(request, "dashboard/signed_out.html", viewer.language, viewer=None)
    response.delete_cookie(SESSION_COOKIE, path="/dasbor")
    return response


# --- reading -----------------------------------------------------------------------------


def _common(viewer, scope: Scope) -> dict[str, Any]:
    return {"viewer": viewer, "is_admin": bool(scope.admin_districts)}


async def _overview(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    q = request.query_params
    sort = q.get("urut", "name")
    descending = q.get("arah") == "turun"
    kecamatan = q.get("kecamatan") or None
    page_no = small_number(q.get("hal", "1")) or 1
    found = await overview(
        session,
        scope.kkgs,
        web_of(request).clock.now(),
        sort=sort,
        descending=descending,
        kecamatan=kecamatan,
        page=page_no,
    )
    return page(
        request,
        "dashboard/overview.html",
        viewer.language,
        view=found,
        names=NAMES,
        percent=set(NAMES) - {"meetings_30d", "absent_60d", "standards_score", "alerts"},
        kecamatan=kecamatan,
        thresholds=THRESHOLDS,
        **_common(viewer, scope),
    )


def _kkg_in_scope(request: Request, scope: Scope):
    kkg_id = small_number(request.path_params.get("kkg_id", ""))
    return scope.get(kkg_id) if kkg_id is not None else None


async def _kkg(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    kkg = _kkg_in_scope(request, scope)
    if kkg is None:
        return error_page(request, viewer.language, "not_found", 404)
    now = web_of(request).clock.now()
    found = await kkg_page(session, kkg, now, named=kkg.id in scope.named)
    weeks = (await history(session, [kkg.id], now))[kkg.id]
    trends = {name: [f.get(name) for _, f in weeks] for name in NAMES}
    latest = weeks[-1][1] if weeks else (await indicators(session, [kkg.id], now)).get(kkg.id, {})
    areas = {a.id: a.label(viewer.language) for a in standards.checklist().areas}
    return page(
        request,
        "dashboard/kkg.html",
        viewer.language,
        kkg=kkg,
        p=found,
        trends=trends,
        latest=latest,
        names=NAMES,
        percent=set(NAMES) - {"meetings_30d", "absent_60d", "standards_score", "alerts"},
        areas=areas,
        named=kkg.id in scope.named,
        **_common(viewer, scope),
    )


def _download(data: bytes, name: str, mime: str) -> Response:
    response = Response(data, media_type=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return secure(response)


async def _rekap(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    """The /ekspor workbook: of one KKG, or of the whole scope."""
    now = web_of(request).clock.now()
    if "kkg_id" in request.path_params:
        kkg = _kkg_in_scope(request, scope)
        if kkg is None:
            return error_page(request, viewer.language, "not_found", 404)
        kkgs = [kkg]
    else:
        kkgs = scope.kkgs
    if not kkgs:
        return error_page(request, viewer.language, "not_found", 404)
    data = await scope_workbook(session, kkgs, now, viewer.language)
    return _download(data, file_name(kkgs, now), XLSX_MIME)


async def _spj(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    """The /ekspor PDFs of one meeting: daftar hadir or laporan kegiatan."""
    kkg = _kkg_in_scope(request, scope)
    meeting_id = small_number(request.path_params.get("meeting_id", ""))
    meeting = await meetings.get(session, meeting_id) if meeting_id is not None else None
    if kkg is None or meeting is None or meeting.kkg_id != kkg.id:
        return error_page(request, viewer.language, "not_found", 404)
    attendance_name, report_name = pdf_names(meeting, kkg)
    if request.path_params["kind"] == "hadir":
        return _download(await attendance_pdf(session, meeting, kkg), attendance_name, PDF_MIME)
    return _download(await activity_report_pdf(session, meeting, kkg), report_name, PDF_MIME)


overview_route = signed_in(_overview)
kkg_route = signed_in(_kkg)
rekap_route = signed_in(_rekap)
spj_route = signed_in(_spj)
signout_route = signed_in(_signout, write=True)
