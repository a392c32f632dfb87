"""District set-up for the admin: create a KKG, invite codes, import members with a
preview, grant and revoke roles, the audit log. Every write goes through the same services
as the chat and the CLI and is audited with the admin as actor ("web").

Every id a form sends is checked against the admin's own districts, so an edited form
cannot reach another district.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kkgbot import i18n
from kkgbot.dashboard.scope import Scope
from kkgbot.db import audit
from kkgbot.db.models import AuditEntry, Kkg, Person
from kkgbot.numbers import small_number
from kkgbot.people import kkgs as kkg_service
from kkgbot.people import roles
from kkgbot.people.kkg_import import import_kkgs, preview_kkgs
from kkgbot.people.kkgs import ZONE_ALIASES, KkgError
from kkgbot.people.member_import import (
    ImportFileError,
    import_members,
    preview_members,
    xlsx_to_csv,
)
from kkgbot.people.permissions import ALL_ROLES
from kkgbot.people.roles import RoleError
from kkgbot.web.dashboard.pages import error_page, page, secure
from kkgbot.web.dashboard.views import signed_in, web_of

MAX_FILE = 1_000_000
AUDIT_ROWS = 40


def _admin_kkgs(scope: Scope) -> list[Kkg]:
    districts = {d.id for d in scope.admin_districts}
    return [k for k in scope.kkgs if k.district_id in districts]


def _done(key: str) -> Response:
    return secure(RedirectResponse(f"/dasbor/atur?pesan={key}", status_code=303))


async def _audit_rows(session: AsyncSession, scope: Scope, kkgs: list[Kkg]):
    district_people = select(Person.id).where(
        Person.district_id.in_([d.id for d in scope.admin_districts])
    )
    rows = await session.execute(
        select(AuditEntry, Person.name, Kkg.name)
        .outerjoin(Person, Person.id == AuditEntry.actor_person_id)
        .outerjoin(Kkg, Kkg.id == AuditEntry.kkg_id)
        .where(
            or_(
                AuditEntry.kkg_id.in_([k.id for k in kkgs]),
                AuditEntry.actor_person_id.in_(district_people),
            )
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_ROWS)
    )
    return list(rows.all())


async def _setup_page(
    request: Request, session: AsyncSession, viewer, scope: Scope, **extra
) -> Response:
    if not scope.admin_districts:
        return error_page(request, viewer.language, "not_allowed", 403)
    kkgs = _admin_kkgs(scope)
    people = []
    for district in scope.admin_districts:
        people += await roles.district_people(session, district.id, limit=300)
    message = request.query_params.get("pesan")
    return page(
        request,
        "dashboard/setup.html",
        viewer.language,
        viewer=viewer,
        is_admin=True,
        kkgs=kkgs,
        districts=scope.admin_districts,
        people=people,
        role_names=[r for r in ALL_ROLES],
        zones=list(ZONE_ALIASES),
        audit_rows=await _audit_rows(session, scope, kkgs),
        message=message if message and message.isidentifier() else None,
        zone=scope.admin_districts[0].timezone,
        **extra,
    )


async def _setup(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    return await _setup_page(request, session, viewer, scope)


def _problem(request, session, viewer, scope, key: str, **params):
    text = i18n.t(viewer.language, key, **params)
    return _setup_page(request, session, viewer, scope, problem=text)


async def _create_kkg(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    if not scope.admin_districts:
        return error_page(request, viewer.language, "not_allowed", 403)
    form = await request.form()
    district = next(
        (d for d in scope.admin_districts if d.id == small_number(str(form.get("district", "")))),
        None,
    )
    if district is None:
        return error_page(request, viewer.language, "not_found", 404)
    try:
        async with session.begin_nested():
            await kkg_service.create_kkg(
                session,
                name=str(form.get("name", "")),
                district=district.name,
                timezone=str(form.get("zone", "")) or district.timezone,
                kecamatan=str(form.get("kecamatan", "")),
                now=web_of(request).clock.now(),
                actor="web",
                actor_person_id=viewer.person_id,
            )
    except KkgError as err:
        return await _problem(request, session, viewer, scope, err.key, **err.params)
    return _done("kkg_created")


async def _new_code(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    form = await request.form()
    kkg = next(
        (k for k in _admin_kkgs(scope) if k.id == small_number(str(form.get("kkg", "")))), None
    )
    if kkg is None:
        return error_page(request, viewer.language, "not_found", 404)
    old = kkg.invite_code
    kkg.invite_code = await kkg_service.new_invite_code(session)
    audit.record(
        session,
        at=web_of(request).clock.now(),
        action="kkg.invite_code",
        actor="web",
        actor_person_id=viewer.person_id,
        kkg_id=kkg.id,
        details={"old": old, "new": kkg.invite_code},
    )
    return _done("code_changed")


async def _file_text(form) -> str:
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        data = await upload.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            raise ImportFileError("dashboard.import_too_large")
        if (upload.filename or "").lower().endswith(".xlsx") or data[:2] == b"PK":
            return xlsx_to_csv(data)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError("dashboard.import_not_text") from exc
    text = str(form.get("rows", ""))
    if len(text) > MAX_FILE:
        raise ImportFileError("dashboard.import_too_large")
    return text


async def _import(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    """POST with a file: the preview (nothing saved); POST with `confirm`: the import."""
    form = await request.form()
    kkg = next(
        (k for k in _admin_kkgs(scope) if k.id == small_number(str(form.get("kkg", "")))), None
    )
    if kkg is None:
        return error_page(request, viewer.language, "not_found", 404)
    try:
        text = await _file_text(form)
        if form.get("confirm"):
            report = await import_members(
                session, kkg, text, web_of(request).clock.now(),
                actor="web", actor_person_id=viewer.person_id,
            )  # fmt: skip
            return _done("imported") if not report.bad else _done("imported_some")
        rows = await preview_members(session, kkg, text)
    except ImportFileError as err:
        return await _problem(request, session, viewer, scope, err.key, **err.params)
    good = sum(1 for r in rows if not r.problem and not r.already)
    return _preview(request, viewer, "import_preview", rows, good, text, kkg=kkg)


def _preview(request: Request, viewer, template: str, rows, good: int, text: str, **shown):
    """An import's preview: every row, each problem in the viewer's language, how many are
    good, and the file's text carried to the confirming form."""
    lang = viewer.language
    problems = {r.line: i18n.t(lang, r.problem[0], **r.problem[1]) for r in rows if r.problem}
    return page(
        request, f"dashboard/{template}.html", lang, viewer=viewer, is_admin=True,
        rows=rows, problems=problems, good=good, text=text, **shown,
    )  # fmt: skip


async def _role(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    form = await request.form()
    kkgs = _admin_kkgs(scope)
    kkg = next((k for k in kkgs if k.id == small_number(str(form.get("kkg", "")))), None)
    person = await session.get(Person, small_number(str(form.get("person", ""))) or 0)
    districts = {d.id for d in scope.admin_districts}
    if kkg is None or person is None or person.district_id not in districts:
        return error_page(request, viewer.language, "not_found", 404)
    role = str(form.get("role", ""))
    change = roles.revoke if form.get("do") == "revoke" else roles.grant
    try:
        async with session.begin_nested():
            changed = await change(
                session, person=person, role=role, kkg=kkg, now=web_of(request).clock.now(),
                actor="web", actor_person_id=viewer.person_id,
            )  # fmt: skip
    except RoleError as err:
        return await _problem(request, session, viewer, scope, err.key, **err.params)
    verb = "revoked" if change is roles.revoke else "granted"
    return _done(f"role_{verb}" if changed else "role_unchanged")


async def _import_kkgs(request: Request, session: AsyncSession, viewer, scope: Scope) -> Response:
    """A list of KKGs (name, kecamatan, zone): the preview, then with `confirm` the import."""
    form = await request.form()
    wanted = small_number(str(form.get("district", "")))
    district = next((d for d in scope.admin_districts if d.id == wanted), None)
    if district is None:
        return error_page(request, viewer.language, "not_found", 404)
    try:
        text = await _file_text(form)
        if form.get("confirm"):
            made, bad = await import_kkgs(
                session, district, text, web_of(request).clock.now(),
                actor="web", actor_person_id=viewer.person_id,
            )  # fmt: skip
            return _done("kkgs_imported" if not bad else "imported_some")
        rows = await preview_kkgs(session, district, text)
    except ImportFileError as err:
        return await _problem(request, session, viewer, scope, err.key, **err.params)
    good = sum(1 for r in rows if not r.problem)
    return _preview(request, viewer, "import_kkgs_preview", rows, good, text, district=district)


setup_route = signed_in(_setup)
import_kkgs_route = signed_in(_import_kkgs, write=True)
create_kkg_route = signed_in(_create_kkg, write=True)
new_code_route = signed_in(_new_code, write=True)
import_route = signed_in(_import, write=True)
role_route = signed_in(_role, write=True)
