"""The topic catalogue (`config/topics.yaml`): what teachers can ask to learn about.

Polls offer these topics, the work plan records them, and micro-learning packs refer to
them by id, so the ids are the contract: the loader refuses a file with a duplicate or
malformed id, a missing title, or an unknown competency, at start-up rather than when a
teacher opens a poll.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kkgbot import yamlfile
from kkgbot.settings import CONFIG_DIR

COMPETENCIES = ("pedagogik", "profesional", "sosial", "kepribadian")
# What a topic is about: classroom practice, or administration and exams. The brief's
# complaint is KKGs spending meetings on exam questions and paperwork, so the "chosen by
# members" share counts practice topics only and the digest flags an administrative plan.
PRACTICE, ADMINISTRATION = "praktik", "administrasi"
KINDS = (PRACTICE, ADMINISTRATION)
# Titles typed freely (not from the catalogue) that name administration or exams.
ADMIN_WORDS = ("soal", "ujian", "administrasi", "akreditasi", "spj", "rapor", "anbk", "pts",
               "pas", "pat", "asesmen sumatif", "laporan", "perangkat", "supervisi")  # fmt: skip
LANGS = ("id", "en")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TITLE = 60  # a title becomes a button label
CATALOGUE_PATH = CONFIG_DIR / "topics.yaml"


class CatalogueError(ValueError):
    """The catalogue file is wrong; the message names the place."""


@dataclass(frozen=True)
class Topic:
    id: str
    competency: str
    titles: dict[str, str]
    # A topic without lessons of its own names the pack sent in its place (`lessons_from`),
    # so a work plan that adopts it says so at once rather than silently sending another.
    lessons_from: str | None = None
    kind: str = PRACTICE

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles["id"]


@dataclass(frozen=True)
class Catalogue:
    topics: tuple[Topic, ...]  # in file order: competency by competency
    competency_titles: dict[str, dict[str, str]]

    def get(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def find(self, text: str) -> Topic | None:
        """A topic by id or by its title in either language, as a person types it."""
        wanted = " ".join(text.split()).casefold()
        for topic in self.topics:
            if wanted == topic.id or wanted in (v.casefold() for v in topic.titles.values()):
                return topic
        return None

    def competency_title(self, competency: str, lang: str) -> str:
        titles = self.competency_titles[competency]
        return titles.get(lang) or titles["id"]


def _titles(node: object, where: str) -> dict[str, str]:
    if not isinstance(node, dict):
        raise CatalogueError(f"{where}: title must map languages to text")
    out = {}
    for lang in LANGS:
        value = node.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise CatalogueError(f"{where}: missing {lang} title")
        if len(value) > MAX_TITLE:
            raise CatalogueError(f"{where}: {lang} title longer than {MAX_TITLE}")
        out[lang] = value.strip()
    return out


def parse_catalogue(raw: object) -> Catalogue:
    """Check and build the catalogue from the YAML document; raises CatalogueError."""
    if not isinstance(raw, dict) or not isinstance(raw.get("competencies"), dict):
        raise CatalogueError("top level must have a 'competencies' mapping")
    groups = raw["competencies"]
    unknown = set(groups) - set(COMPETENCIES)
    if unknown:
        raise CatalogueError(f"unknown competencies: {sorted(unknown)}")
    topics: list[Topic] = []
    competency_titles = {}
    seen: set[str] = set()
    for competency in COMPETENCIES:
        group = groups.get(competency)
        if not isinstance(group, dict) or not isinstance(group.get("topics"), list):
            raise CatalogueError(f"{competency}: needs a title and a list of topics")
        competency_titles[competency] = _titles(group.get("title"), competency)
        if not group["topics"]:
            raise CatalogueError(f"{competency}: has no topics")
        for n, entry in enumerate(group["topics"], start=1):
            where = f"{competency} topic {n}"
            topic_id = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(topic_id, str) or not ID_RE.match(topic_id):
                raise CatalogueError(f"{where}: id must be lower-case words joined by '-'")
            if topic_id in seen:
                raise CatalogueError(f"{where}: duplicate id {topic_id}")
            seen.add(topic_id)
            instead = entry.get("lessons_from")
            if instead is not None and (not isinstance(instead, str) or not ID_RE.match(instead)):
                raise CatalogueError(f"{where}: lessons_from must be a pack id")
            titles = _titles(entry.get("title"), topic_id)
            kind = entry.get("kind", PRACTICE)
            if kind not in KINDS:
                raise CatalogueError(f"{where}: kind must be one of {list(KINDS)}")
            topics.append(Topic(topic_id, competency, titles, instead, kind))
    return Catalogue(tuple(topics), competency_titles)


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    return parse_catalogue(yamlfile.load_file(path))


@lru_cache
def catalogue() -> Catalogue:
    """The deployed catalogue, read once."""
    return load_catalogue()


def topic_title(topic_id: str | None, fallback: str, lang: str) -> str:
    """The title to show for a stored topic id, or the stored text for a custom one."""
    topic = catalogue().get(topic_id) if topic_id else None
    return topic.title(lang) if topic else fallback


def topic_kind(topic_id: str | None, title: str | None) -> str:
    """A catalogue topic's kind; a title typed freely is administrative when it names
    exams or paperwork (`ADMIN_WORDS`), else classroom practice."""
    topic = catalogue().get(topic_id or "")
    if topic is not None:
        return topic.kind
    words = re.findall(r"\w+", (title or "").casefold())
    text = " ".join(words)
    for word in ADMIN_WORDS:
        if (" " in word and word in text) or word in words:
            return ADMINISTRATION
    return PRACTICE
