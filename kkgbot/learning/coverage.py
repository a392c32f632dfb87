"""Do the work plan and the lessons agree? What a planned topic will bring to teachers.

A KKG that votes for a topic expects lessons about it. When the topic has none yet, the
koordinator is told at once, with what is sent instead: the pack the catalogue names
(`lessons_from` in config/topics.yaml) or, failing that, the usual order of the packs.
"""

from __future__ import annotations

from dataclasses import dataclass

from kkgbot.learning.content import Library, Module
from kkgbot.learning.library import library
from kkgbot.polls.topics import catalogue


@dataclass(frozen=True)
class TopicLessons:
    topic_id: str
    modules: tuple[Module, ...]  # the topic's own modules, or the stand-in pack's
    own: bool  # False: the topic has no lessons of its own
    instead_pack: str | None  # the stand-in pack's title, when not own


def lessons_for(topic_id: str, lib: Library | None = None) -> TopicLessons:
    lib = lib or library()
    own = tuple(m for m in lib.modules() if m.topic == topic_id and m.lessons)
    if own:
        return TopicLessons(topic_id, own, True, None)
    topic = catalogue().get(topic_id)
    pack = lib.pack(topic.lessons_from) if topic and topic.lessons_from else None
    if pack is None:
        return TopicLessons(topic_id, (), False, None)
    return TopicLessons(topic_id, pack.modules, False, pack.title)
