"""Micro-learning content packs (`config/content/<pack>/`): what a lesson is, and the library.

A pack is a folder: `pack.yaml` (id, title, order) and one YAML file per module, in file
name order (`01-....yaml`). Packs are data so that trainers can write and correct them
without a programmer; `content_check` reads them with line numbers and refuses a broken
one (`library.load_library`), at start-up, rather than when a teacher presses a button at 19:00.

Ids are the contract with the database (`lesson_progress` rows name lessons, modules and
packs by id), so they are unique across all packs and never reused for something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_BODY = 600  # WhatsApp-friendly, readable on a small screen without scrolling far
MAX_TITLE = 80
MAX_QUESTION = 300
MAX_OPTION = 60  # an option becomes a button label
MAX_WHY = 300
MAX_ID = 40  # `a:lq:<lesson id>:<n>` must stay under Telegram's 64-byte callback data
MIN_OPTIONS, MAX_OPTIONS = 2, 4


class ContentError(ValueError):
    """The packs have problems; `problems` names each one with its file and line."""

    def __init__(self, problems: list) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content packs")
        self.problems = problems


@dataclass(frozen=True)
class AnswerOption:
    text: str
    right: bool
    why: str


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    body: str
    question: str
    options: tuple[AnswerOption, ...]
    pack_id: str
    module_id: str
    position: int  # 1-based within the pack: `Literasi kelas awal · 3/12`
    module_position: int  # 1-based within the module
    link: str | None = None
    image: Path | None = None

    @property
    def right_index(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.right)


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    topic: str  # a topic id of config/topics.yaml: the work plan adopts topics
    pack_id: str
    lessons: tuple[Lesson, ...]
    sources: tuple[str, ...] = ()  # curriculum documents and methods the module rests on
    reviewed_by: str | None = None  # who checked it for accuracy (`content check` says)
    reviewed_on: str | None = None


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    order: int
    modules: tuple[Module, ...]

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        return tuple(lesson for module in self.modules for lesson in module.lessons)


@dataclass(frozen=True)
class Library:
    """Every pack, in default order (pack `order`, then id; modules in file order)."""

    packs: tuple[Pack, ...]

    def pack(self, pack_id: str) -> Pack | None:
        return next((p for p in self.packs if p.id == pack_id), None)

    def modules(self) -> list[Module]:
        return [m for p in self.packs for m in p.modules]

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules() if m.id == module_id), None)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return self._lessons().get(lesson_id)

    def _lessons(self) -> dict[str, Lesson]:
        return {lesson.id: lesson for p in self.packs for lesson in p.lessons}

    def pack_total(self, pack_id: str) -> int:
        pack = self.pack(pack_id)
        return len(pack.lessons) if pack else 0
