"""`python bot.py admin ...`: what the district office does outside the chat."""

from __future__ import annotations

import argparse

from kkgbot import calendar_admin, i18n
from kkgbot.app import App
from kkgbot.clock import SystemClock
from kkgbot.exports.scope_workbook import scope_workbook
from kkgbot.people import identities as people
from kkgbot.people import kkgs, roles
from kkgbot.people.kkgs import KkgError
from kkgbot.people.member_import import ImportFileError, import_members
from kkgbot.people.roles import RoleError
from kkgbot.school_calendar.days import CalendarError
from kkgbot.settings import Settings


class CliError(Exception):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


async def run(args: argparse.Namespace, settings: Settings) -> int:
    lang = settings.language
    app = App(settings, SystemClock())
    try:
        await app.migrate()
        return await _run(app, args, lang)
    except (CliError, KkgError, RoleError, ImportFileError, CalendarError) as err:
        print(i18n.t(lang, err.key, **err.params))
        return 2
    finally:
        await app.close()


async def _run(app: App, args: argparse.Namespace, lang: str) -> int:
    now = app.clock.now()
    cmd = args.admin_command
    if cmd == "seed-demo":
        created = await app.seed_demo()
        print(i18n.t(lang, "admin.seeded" if created else "admin.seed_unchanged"))
        return 0
    async with app.sessionmaker() as session, session.begin():
        if cmd == "calendar":
            return await calendar_admin.run(session, args, lang, now)
        if cmd == "create-kkg":
            kkg = await kkgs.create_kkg(
                session,
                name=args.name,
                district=args.district,
                timezone=args.timezone,
                now=now,
                invite_code=args.code,
                kecamatan=getattr(args, "kecamatan", None),
            )
            print(i18n.t(lang, "admin.kkg_created", name=kkg.name, code=kkg.invite_code))
            return 0
        if cmd == "import-kkgs":
            return await _import_kkgs(session, args, lang, now)
        if cmd == "district-delivery":
            district = await kkgs.set_delivery(
                session, args.district, bot=args.bot, window_minutes=args.push_window,
                known_bots={b for b in app.settings.telegram_tokens if b}, now=now,
            )  # fmt: skip
            bot = district.telegram_bot or i18n.t(lang, "admin.default_bot")
            minutes = district.push_window_minutes
            print(
                i18n.t(lang, "admin.delivery_set", district=district.name, bot=bot, minutes=minutes)
            )
            return 0
        kkg = await kkgs.find_kkg(session, args.kkg)
        if kkg is None:
            raise CliError("admin.kkg_not_found", kkg=args.kkg)
        if cmd in ("grant", "revoke"):
            found = await people.find_person(session, args.person)
            if not found:
                raise CliError("admin.person_not_found", person=args.person)
            if len(found) > 1:
                raise CliError("admin.person_ambiguous", person=args.person, count=len(found))
            person = found[0]
            change = roles.grant if cmd == "grant" else roles.revoke
            changed = await change(session, person=person, role=args.role, kkg=kkg, now=now)
            key = f"admin.{cmd}_done" if changed else f"admin.{cmd}_unchanged"
            print(i18n.t(lang, key, role=args.role, name=person.name or "?", kkg=kkg.name))
            return 0
        if cmd == "import-members":
            try:
                text = args.file.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise CliError("admin.import_unreadable", file=str(args.file)) from exc
            report = await import_members(session, kkg, text, now)
            print(
                i18n.t(
                    lang,
                    "admin.import_summary",
                    kkg=kkg.name,
                    imported=report.imported,
                    already=report.already,
                    bad=len(report.bad),
                )
            )
            for line, key, params in report.bad:
                print(
                    i18n.t(
                        lang, "admin.import_bad_line", line=line, reason=i18n.t(lang, key, **params)
                    )
                )
            return 1 if report.bad else 0
        if cmd == "export":
            data = await scope_workbook(session, [kkg], now, lang)
            try:
                args.out.write_bytes(data)
            except OSError as exc:
                raise CliError("exports.cli_unwritable", file=str(args.out)) from exc
            print(i18n.t(lang, "exports.cli_done", kkg=kkg.name, file=str(args.out)))
            return 0
    raise CliError("admin.unknown_command")


async def _import_kkgs(session, args: argparse.Namespace, lang: str, now) -> int:
    """`admin import-kkgs FILE --district NAME`: every row checked first, good rows created."""
    from sqlalchemy import func, select

    from kkgbot.db.models import District
    from kkgbot.people.kkg_import import import_kkgs

    district = await session.scalar(
        select(District).where(func.lower(District.name) == args.district.strip().lower())
    )
    if district is None:
        raise CliError("admin.district_not_found", district=args.district)
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError("admin.import_unreadable", file=str(args.file)) from exc
    made, bad = await import_kkgs(session, district, text, now)
    print(i18n.t(lang, "admin.kkgs_import_summary", made=made, bad=len(bad)))
    for row in bad:
        key, params = row.problem  # type: ignore[misc]
        print(
            i18n.t(lang, "admin.import_bad_line", line=row.line, reason=i18n.t(lang, key, **params))
        )
    return 1 if bad else 0
