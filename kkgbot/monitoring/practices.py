"""Classroom practices per topic (`config/practices.yaml`): what a teacher may try after a
meeting, and what a visitor looks for when observing it.

The reflection right after a meeting offers the practices of the meeting's topic (or a
teacher writes their own); a classroom visit (/kunjungan) records the practice observed
with its 3-5 item checklist. Ids are stored in both, so the loader refuses a duplicate or
malformed id, an unknown topic, a long title or a checklist outside 3-5 items at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kkgbot import yamlfile
from kkgbot.polls.topics import ID_RE, LANGS, MAX_TITLE, catalogue
from kkgbot.settings import CONFIG_DIR

PRACTICES_PATH = CONFIG_DIR / "practices.yaml"
MIN_ITEMS, MAX_ITEMS = 3, 5


class PracticesError(ValueError):
    """The practices file is wrong; the message names the place."""


@dataclass(frozen=True)
class Practice:
    id: str
    topic_id: str
    titles: dict[str, str]
    checklist: tuple[dict[str, str], ...]

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles["id"]

    def items(self, lang: str) -> list[str]:
        return [item.get(lang) or item["id"] for item in self.checklist]


@dataclass(frozen=True)
class Practices:
    by_topic: dict[str, tuple[Practice, ...]]

    def for_topic(self, topic_id: str | None) -> tuple[Practice, ...]:
        return self.by_topic.get(topic_id or "", ())

    def get(self, practice_id: str | None) -> Practice | None:
        for practices in self.by_topic.values():
            for practice in practices:
                if practice.id == practice_id:
                    return practice
        return None

    def all(self) -> list[Practice]:
        return [p for ps in self.by_topic.values() for p in ps]


def _texts(node: object, where: str, limit: int | None) -> dict[str, str]:
    if not isinstance(node, dict):
        raise PracticesError(f"{where}: must map languages to text")
    out = {}
    for lang in LANGS:
        value = node.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise PracticesError(f"{where}: missing {lang} text")
        if limit is not None and len(value) > limit:
            raise PracticesError(f"{where}: {lang} title longer than {limit}")
        out[lang] = value.strip()
    return out


def parse_practices(raw: object, topic_ids: set[str]) -> Practices:
    if not isinstance(raw, dict) or not isinstance(raw.get("practices"), dict):
        raise PracticesError("top level must have a 'practices' mapping")
    seen: set[str] = set()
    by_topic: dict[str, tuple[Practice, ...]] = {}
    for topic_id, entries in raw["practices"].items():
        if topic_id not in topic_ids:
            raise PracticesError(f"{topic_id}: not a topic of config/topics.yaml")
        if not isinstance(entries, list) or not entries:
            raise PracticesError(f"{topic_id}: needs a list of practices")
        practices = []
        for n, entry in enumerate(entries, start=1):
            where = f"{topic_id} practice {n}"
            pid = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(pid, str) or not ID_RE.match(pid):
                raise PracticesError(f"{where}: id must be lower-case words joined by '-'")
            if pid in seen:
                raise PracticesError(f"{where}: duplicate id {pid}")
            seen.add(pid)
            items = entry.get("checklist")
            if not isinstance(items, list) or not MIN_ITEMS <= len(items) <= MAX_ITEMS:
                raise PracticesError(f"{pid}: checklist needs {MIN_ITEMS} to {MAX_ITEMS} items")
            checklist = tuple(_texts(i, f"{pid} item", None) for i in items)
            practices.append(
                Practice(pid, topic_id, _texts(entry.get("title"), pid, MAX_TITLE), checklist)
            )
        by_topic[topic_id] = tuple(practices)
    return Practices(by_topic)


def load_practices(path: Path = PRACTICES_PATH) -> Practices:
    topic_ids = {t.id for t in catalogue().topics}
    return parse_practices(yamlfile.load_file(path), topic_ids)


@lru_cache
def practices() -> Practices:
    """The deployed practices, read once."""
    return load_practices()
