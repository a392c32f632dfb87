"""Reading content packs with line numbers, and every problem a trainer can make in one.

PyYAML's `compose` keeps where each node starts, so a problem is reported as
`file:line: what is wrong` and the author can go straight there. Every problem is
collected (not only the first), so one run of `python bot.py content check` shows all
there is to fix. Problems carry a catalogue key (`learning.check.*`), so the report reads
in the deployment's language.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kkgbot import i18n, yamlfile
from kkgbot.learning import content as c
from kkgbot.polls.topics import CatalogueError, catalogue

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PACK_FILE = "pack.yaml"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_IMAGE_BYTES = 1_000_000
BOOL_TAG, NULL_TAG = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
TRUE_WORDS = {"true", "yes", "on", "y"}

PACK_FIELDS = {"id", "title", "order"}
MODULE_FIELDS = {"id", "title", "topic", "lessons", "sources", "reviewed_by", "reviewed_on"}
MODULE_REQUIRED = {"id", "title", "topic", "lessons"}
LESSON_FIELDS = {"id", "title", "body", "link", "image", "question", "options"}
OPTION_FIELDS = {"text", "right", "why"}


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int  # 1-based; 0 when the problem is the file itself
    key: str  # learning.check.<key>
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str, base: Path | None = None) -> str:
        shown = self.path
        if base is not None:
            with contextlib.suppress(ValueError):
                shown = self.path.relative_to(base)
        where = f"{shown}:{self.line}" if self.line else f"{shown}"
        return f"{where}: {i18n.t(lang, f'learning.check.{self.key}', **self.params)}"


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class Fields(dict[str, Node]):
    """A mapping's fields by name, with the line of each field's key (where authors look)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}


class _Reader:
    """Walks one file's nodes, turning them into values and problems."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def problem(self, line: int, key: str, **params: Any) -> None:
        self.problems.append(Problem(self.path, line, key, params))

    def load(self) -> Node | None:
        try:
            node = yamlfile.compose(self.path.read_text(encoding="utf-8"))
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            self.problem(mark.line + 1 if mark else 0, "yaml_error", error=err.problem or "")
            return None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            self.problem(0, "yaml_error", error=str(err)[:200])
            return None
        if node is None:
            self.problem(0, "empty_file")
        return node

    def fields(self, node: Node, allowed: set[str], required: set[str], what: str) -> Fields | None:
        if not isinstance(node, MappingNode):
            self.problem(_line(node), "not_mapping", what=what)
            return None
        out = Fields()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            if name in out:
                self.problem(_line(key_node), "duplicate_field", field=name)
            elif name not in allowed:
                self.problem(_line(key_node), "unknown_field", field=name)
            else:
                out[name] = value_node
                out.lines[name] = _line(key_node)
        for name in sorted(required):
            if name not in out or _is_null(out[name]):
                self.problem(_line(node), "missing_field", field=name, what=what)
        return out

    def text(self, fields: Fields, name: str, limit: int | None = None) -> str | None:
        node = fields.get(name)
        if node is None or _is_null(node):
            return None
        line = fields.lines[name]
        if not isinstance(node, ScalarNode):
            self.problem(line, "not_text", field=name)
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(line, "missing_field", field=name, what="")
            return None
        if limit is not None and len(value) > limit:
            self.problem(line, "too_long", field=name, length=len(value), max=limit)
        return value

    def ident(self, fields: Fields, seen: dict[str, str], where: str) -> str | None:
        value = self.text(fields, "id")
        if value is None:
            return None
        line = fields.lines["id"]
        if not ID_RE.match(value) or len(value) > c.MAX_ID:
            self.problem(line, "bad_id", id=value[:60], max=c.MAX_ID)
            return None
        if value in seen:
            self.problem(line, "duplicate_id", id=value, where=seen[value])
            return None
        seen[value] = f"{self.path.name}:{line}"
        return value

    def items(self, fields: Fields, name: str) -> list[Node]:
        node = fields.get(name)
        if node is None or _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.problem(fields.lines[name], "not_list", field=name)
            return []
        return list(node.value)


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and (node.tag == NULL_TAG or node.value == "")


def _options(reader: _Reader, fields: Fields) -> list[c.AnswerOption]:
    items = reader.items(fields, "options")
    where = fields.lines.get("options", 0)
    if "options" in fields and not (c.MIN_OPTIONS <= len(items) <= c.MAX_OPTIONS):
        reader.problem(where, "option_count", count=len(items))
    options: list[c.AnswerOption] = []
    texts: set[str] = set()
    for item in items:
        got = reader.fields(item, OPTION_FIELDS, {"text", "why"}, "option")
        if got is None:
            continue
        text = reader.text(got, "text", c.MAX_OPTION) or ""
        why = reader.text(got, "why", c.MAX_WHY) or ""
        right = False
        if "right" in got:
            node = got["right"]
            if not isinstance(node, ScalarNode) or node.tag != BOOL_TAG:
                reader.problem(got.lines["right"], "bad_right")
            else:
                right = node.value.lower() in TRUE_WORDS
        if text and text.casefold() in texts:
            reader.problem(_line(item), "duplicate_option", text=text)
        texts.add(text.casefold())
        options.append(c.AnswerOption(text, right, why))
    if options:
        rights = sum(o.right for o in options)
        if rights == 0:
            reader.problem(where, "no_right")
        elif rights > 1:
            reader.problem(where, "many_right", count=rights)
    return options


def _lesson(
    reader: _Reader, node: Node, seen: dict[str, str], pack_dir: Path
) -> dict[str, Any] | None:
    got = reader.fields(node, LESSON_FIELDS, LESSON_FIELDS - {"link", "image"}, "lesson")
    if got is None:
        return None
    lesson_id = reader.ident(got, seen, "lesson")
    values = {
        "id": lesson_id,
        "title": reader.text(got, "title", c.MAX_TITLE),
        "body": reader.text(got, "body", c.MAX_BODY),
        "question": reader.text(got, "question", c.MAX_QUESTION),
        "options": _options(reader, got),
        "link": reader.text(got, "link", 300),
        "image": None,
    }
    if values["link"] and not re.match(r"^https?://\S+$", values["link"]):
        reader.problem(got.lines["link"], "bad_link")
    image = reader.text(got, "image")
    if image:
        path = (pack_dir / image).resolve()
        if not path.is_relative_to(pack_dir.resolve()) or not path.is_file():
            reader.problem(got.lines["image"], "image_missing", image=image)
        elif path.suffix.lower() not in IMAGE_SUFFIXES or path.stat().st_size > MAX_IMAGE_BYTES:
            reader.problem(got.lines["image"], "bad_image")
        else:
            values["image"] = path
    return values


def _module(
    path: Path, problems: list[Problem], seen: dict[str, dict[str, str]], topic_ids: set[str]
) -> dict[str, Any] | None:
    reader = _Reader(path, problems)
    node = reader.load()
    if node is None:
        return None
    got = reader.fields(node, MODULE_FIELDS, MODULE_REQUIRED, "module")
    if got is None:
        return None
    module_id = reader.ident(got, seen["module"], "module")
    title = reader.text(got, "title", c.MAX_TITLE)
    topic = reader.text(got, "topic")
    if topic is not None and topic_ids and topic not in topic_ids:
        reader.problem(got.lines["topic"], "unknown_topic", topic=topic)
    lessons = [
        _lesson(reader, item, seen["lesson"], path.parent) for item in reader.items(got, "lessons")
    ]
    if isinstance(got.get("lessons"), SequenceNode) and not lessons:
        reader.problem(got.lines["lessons"], "no_lessons")
    sources = []
    for item in reader.items(got, "sources"):
        if isinstance(item, ScalarNode) and str(item.value).strip():
            sources.append(str(item.value).strip())
        else:
            reader.problem(_line(item), "not_text", field="sources")
    return {
        "id": module_id,
        "title": title,
        "topic": topic,
        "lessons": lessons,
        "sources": tuple(sources),
        "reviewed_by": reader.text(got, "reviewed_by", 120),
        "reviewed_on": reader.text(got, "reviewed_on", 40),
    }


def _pack(
    pack_dir: Path, problems: list[Problem], seen: dict[str, dict[str, str]], topic_ids: set[str]
) -> c.Pack | None:
    pack_path = pack_dir / PACK_FILE
    if not pack_path.is_file():
        problems.append(Problem(pack_path, 0, "no_pack_file"))
        return None
    reader = _Reader(pack_path, problems)
    node = reader.load()
    got = reader.fields(node, PACK_FIELDS, {"id", "title"}, "pack") if node else None
    pack_id = reader.ident(got, seen["pack"], "pack") if got else None
    title = reader.text(got, "title", c.MAX_TITLE) if got else None
    order = 100
    if got and "order" in got:
        raw = got["order"]
        if isinstance(raw, ScalarNode) and re.fullmatch(r"-?\d{1,6}", str(raw.value)):
            order = int(raw.value)
        else:
            reader.problem(got.lines["order"], "bad_order")
    files = sorted(p for p in pack_dir.glob("*.yaml") if p.name != PACK_FILE)
    if not files:
        problems.append(Problem(pack_path, 0, "no_modules"))
    before = len(problems)
    raw_modules = [_module(p, problems, seen, topic_ids) for p in files]
    if len(problems) > before or pack_id is None or title is None:
        return None
    return _build(pack_id, title, order, raw_modules)


def _build(pack_id: str, title: str, order: int, raw_modules: list[Any]) -> c.Pack:
    """Only called for a clean pack: every value is present and checked."""
    modules, position = [], 0
    for raw in raw_modules:
        lessons = []
        for n, values in enumerate(raw["lessons"], start=1):
            position += 1
            lessons.append(
                c.Lesson(
                    **{k: v for k, v in values.items() if k != "options"},
                    options=tuple(values["options"]),
                    pack_id=pack_id,
                    module_id=raw["id"],
                    position=position,
                    module_position=n,
                )
            )
        modules.append(
            c.Module(
                raw["id"],
                raw["title"],
                raw["topic"],
                pack_id,
                tuple(lessons),
                raw["sources"],
                raw["reviewed_by"],
                raw["reviewed_on"],
            )
        )
    return c.Pack(pack_id, title, order, tuple(modules))


def check_content(root: Path) -> tuple[c.Library, list[Problem]]:
    """Every pack under `root` read and checked: the library of clean packs, and all problems."""
    problems: list[Problem] = []
    try:
        topic_ids = {t.id for t in catalogue().topics}
    except (CatalogueError, OSError) as err:
        problems.append(Problem(root, 0, "no_topics", {"error": str(err)[:200]}))
        topic_ids = set()
    if not root.is_dir():
        problems.append(Problem(root, 0, "no_packs"))
        return c.Library(()), problems
    seen: dict[str, dict[str, str]] = {"pack": {}, "module": {}, "lesson": {}}
    packs = []
    dirs = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith((".", "_")))
    if not dirs:
        problems.append(Problem(root, 0, "no_packs"))
    for pack_dir in dirs:
        pack = _pack(pack_dir, problems, seen, topic_ids)
        if pack is not None:
            packs.append(pack)
    packs.sort(key=lambda p: (p.order, p.id))
    return c.Library(tuple(packs)), problems


def summary(library: c.Library) -> dict[str, int]:
    """Counts for `content check`: packs, modules, lessons, and catalogue topics covered."""
    try:
        topic_ids = {t.id for t in catalogue().topics}
    except (CatalogueError, OSError):
        topic_ids = set()
    covered = {m.topic for m in library.modules() if m.lessons} & topic_ids
    return {
        "packs": len(library.packs),
        "modules": len(library.modules()),
        "lessons": sum(len(p.lessons) for p in library.packs),
        "topics_covered": len(covered),
        "topics": len(topic_ids),
        "reviewed": sum(1 for m in library.modules() if m.reviewed_by),
    }


def review_lines(library: c.Library) -> list[tuple[str, str, str | None]]:
    """(module id, reviewer, date) for every module marked reviewed."""
    return [(m.id, m.reviewed_by, m.reviewed_on) for m in library.modules() if m.reviewed_by]
