"""Who signs a certificate or an SPJ paper, and the logo a certificate carries (config/certificates.yaml).

The district decides whether "Mengetahui" is the pengawas or someone at the dinas, so it is
configuration; a name left empty falls back to the people holding the role in the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Kkg, Person
from kkgbot.people import roles
from kkgbot.settings import CONFIG_DIR

PATH = CONFIG_DIR / "certificates.yaml"


@dataclass(frozen=True)
class Signatory:
    title: str
    name: str | None
    nip: str | None


@lru_cache
def _read(path: Path) -> dict:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def _config() -> dict:
    return _read(PATH)  # PATH is looked up each time, so a test can point it elsewhere


def logo_path() -> Path | None:
    name = _config().get("logo")
    found = PATH.parent / str(name) if name else None
    return found if found is not None and found.is_file() else None


def _entry(kkg_name: str, which: str) -> dict:
    config = _config()
    merged = dict((config.get("default") or {}).get(which) or {})
    merged.update(((config.get("kkgs") or {}).get(kkg_name) or {}).get(which) or {})
    return merged


def _from(entry: dict, fallback_title: str, people: list[Person]) -> Signatory:
    person = next((p for p in people if p.name), None)
    name = entry.get("name") or (person.name if person else None)
    nip = entry.get("nip") or (person.nip if person and not entry.get("name") else None)
    return Signatory(str(entry.get("title") or fallback_title), name, str(nip) if nip else None)


async def for_kkg(session: AsyncSession, kkg: Kkg) -> tuple[Signatory, Signatory]:
    """(ketua KKG, mengetahui) for a KKG's papers."""
    ketua = _from(
        _entry(kkg.name, "ketua"), "Ketua KKG", await roles.koordinators_of(session, kkg.id)
    )
    knows = _from(
        _entry(kkg.name, "mengetahui"), "Pengawas Sekolah", await roles.pengawas_of(session, kkg.id)
    )
    return ketua, knows
