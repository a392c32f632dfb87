"""The optional topic of a meeting in /jadwal: from the work plan or the catalogue.

A meeting's topic (config/topics.yaml) is what lets the reflection afterwards offer the
practices of that topic (config/practices.yaml). The work plan's topics are offered as
buttons; any catalogue topic may be typed by its title; skipping leaves it without one.
"""

from __future__ import annotations

from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Invalid, Option, Step
from kkgbot.polls import workplan
from kkgbot.polls.topics import catalogue

MAX_OFFERED = 6


async def topic_options(ctx: Ctx) -> list[Option]:
    seen: list[str] = []
    out = []
    for entry in await workplan.work_plan(ctx.session, ctx.data["kkg_id"]):
        topic = catalogue().get(entry.topic_id or "")
        if topic is None or topic.id in seen or len(seen) >= MAX_OFFERED:
            continue
        seen.append(topic.id)
        out.append(Option(topic.id, topic.title(ctx.lang), words=tuple(topic.titles.values())))
    out.append(Option("", ctx.t("common.skip")))
    return out


def parse_topic(ctx: Ctx, value: object) -> str | None:
    if not value:
        return None
    if catalogue().get(str(value)) is not None:
        return str(value)
    topic = catalogue().find(str(value))
    if topic is None:
        raise Invalid("meetings.topic_unknown")
    return topic.id


def topic_line(ctx: Ctx) -> str | None:
    topic = catalogue().get(ctx.data.get("topic") or "")
    return ctx.t("meetings.confirm_topic", topic=topic.title(ctx.lang)) if topic else None


TOPIC_STEP = Step(
    "topic",
    "meetings.ask_topic",
    options=topic_options,
    free_text=True,
    optional=True,
    parse=parse_topic,
    when=lambda ctx: not ctx.data.get("_oneline"),
)
