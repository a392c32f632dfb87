"""Importing a KKG's member list from the spreadsheet a dinas already keeps (CSV)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db import audit
from kkgbot.db.models import Kkg, Person
from kkgbot.people import identities as people
from kkgbot.people import roles
from kkgbot.people.identities import FieldError

REQUIRED = ("name", "school", "phone")  # and an optional "nip" column (civil servants)
HEADER_ALIASES = {"nama": "name", "sekolah": "school", "telepon": "phone", "hp": "phone",
                  "nip": "nip"}  # fmt: skip


@dataclass
class ImportReport:
    imported: int = 0
    already: int = 0
    bad: list[tuple[int, str, dict]] = field(default_factory=list)  # line, text key, params


class ImportFileError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def read_rows(
    text: str,
    aliases: dict[str, str] = HEADER_ALIASES,
    required: tuple[str, ...] = REQUIRED,
    missing_key: str = "admin.import_columns",
) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers, headers read through `aliases` (Indonesian or English,
    any case); a file without the `required` columns is refused whole, with `missing_key`."""
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if reader.fieldnames is None:
        raise ImportFileError("admin.import_empty")
    names = {h: aliases.get(h.strip().lower(), h.strip().lower()) for h in reader.fieldnames}
    missing = [c for c in required if c not in names.values()]
    if missing:
        raise ImportFileError(missing_key, missing=", ".join(missing))
    rows = []
    for row in reader:
        clean = {names[k]: (v or "").strip() for k, v in row.items() if k in names}
        if any(clean.values()):
            rows.append((reader.line_num, clean))
    return rows


async def import_members(
    session: AsyncSession,
    kkg: Kkg,
    text: str,
    now: datetime,
    *,
    actor: str = "cli",
    actor_person_id: int | None = None,
) -> ImportReport:
    report = ImportReport()
    valid: list[tuple[int, str, str, str, str | None]] = []
    seen_phones: dict[str, int] = {}
    for line, row in read_rows(text):
        try:
            name = people.valid_name(row.get("name", ""))
            school = people.valid_school(row.get("school", ""))
            phone = people.normalise_phone(row.get("phone", ""))
            nip = people.valid_nip(row["nip"]) if row.get("nip") else None
        except FieldError as bad:
            report.bad.append((line, bad.key, bad.params))
            continue
        if phone in seen_phones:
            report.bad.append((line, "admin.import_duplicate_phone", {"other": seen_phones[phone]}))
            continue
        seen_phones[phone] = line
        valid.append((line, name, school, phone, nip))
    for _line, name, school, phone, nip in valid:
        person = await session.scalar(select(Person).where(Person.phone == phone))
        if person is None:
            person = Person(
                name=name,
                school=school,
                phone=phone,
                nip=nip,
                language="id",
                district_id=kkg.district_id,
                created_at=now,
            )
            session.add(person)
            await session.flush()
        elif nip and not person.nip:  # a NIP in the dinas list fills a missing one
            person.nip = nip
        if await roles.join_kkg(session, person=person, kkg=kkg, now=now):
            report.imported += 1
        else:
            report.already += 1
    audit.record(
        session,
        at=now,
        action="member.import",
        actor=actor,
        actor_person_id=actor_person_id,
        kkg_id=kkg.id,
        details={"imported": report.imported, "already": report.already, "bad": len(report.bad)},
    )
    return report


@dataclass(frozen=True)
class PreviewRow:
    """One row of a member file as it would be saved: its problem, if any, or its outcome."""

    line: int
    name: str
    school: str
    phone: str
    problem: tuple[str, dict] | None  # (text key, params)
    already: bool = False  # the number is already a member of this KKG


async def preview_members(session: AsyncSession, kkg: Kkg, text: str) -> list[PreviewRow]:
    """Every row and what saving would do with it, without writing anything (the web's
    preview); `import_members` applies the same checks when the admin confirms."""
    out: list[PreviewRow] = []
    seen_phones: dict[str, int] = {}
    for line, row in read_rows(text):
        raw = (row.get("name", ""), row.get("school", ""), row.get("phone", ""))
        try:
            name = people.valid_name(raw[0])
            school = people.valid_school(raw[1])
            phone = people.normalise_phone(raw[2])
        except FieldError as bad:
            out.append(PreviewRow(line, *raw, problem=(bad.key, bad.params)))
            continue
        if phone in seen_phones:
            problem = ("admin.import_duplicate_phone", {"other": seen_phones[phone]})
            out.append(PreviewRow(line, name, school, phone, problem=problem))
            continue
        seen_phones[phone] = line
        person = await session.scalar(select(Person).where(Person.phone == phone))
        member = person is not None and await roles.is_member(session, person.id, kkg.id)
        out.append(PreviewRow(line, name, school, phone, problem=None, already=member))
    return out


def xlsx_to_csv(data: bytes) -> str:
    """The first sheet of an .xlsx as CSV text, so one reader checks both kinds of file."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise ImportFileError("admin.import_empty") from exc
    sheet = book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out)
    for n, values in enumerate(sheet.iter_rows(values_only=True)):
        if n > 5000:
            break
        writer.writerow(["" if v is None else str(v) for v in values])
    return out.getvalue()
