"""/siaran: a koordinator, pengawas or admin sends one text to everyone in their scope.

`/siaran TEKS` takes the whole line as the text (a `;` belongs to the message, so this
command does not split its line) and sends to the sender's whole scope now: only the
confirmation follows. The conversation also asks which KKGs (for a pengawas or an admin)
and when. The preview shows the message exactly as members will see it. In the
conversation one file or image may go with the text (stored once, referred to by every
recipient's message); `Lewati` goes on without one.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kkgbot import i18n
from kkgbot.broadcasts import service as broadcasts
from kkgbot.broadcasts.service import BroadcastError, Scope
from kkgbot.dateparse import DateParseError, describe_local, parse_when
from kkgbot.db.models import Kkg
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import (
    EndConversation,
    Flow,
    Invalid,
    Option,
    Step,
    confirm_step,
    skip_option,
)
from kkgbot.numbers import small_number

NOW = "now"
ALL = "all"
SKIP = "skip"


async def _scope(ctx: Ctx) -> Scope:
    return await broadcasts.scope_of(ctx.session, ctx.person.id)


def parse_text(ctx: Ctx, text: str) -> str:
    try:
        return broadcasts.valid_text(text)
    except BroadcastError as bad:
        raise Invalid(bad.key, **bad.params) from bad


def _all_label(ctx: Ctx, scope: Scope) -> str:
    if scope.admin_districts:
        names = ", ".join(d.name for d in scope.admin_districts)
        return ctx.t("broadcast.scope_district", district=names, count=len(scope.kkgs))
    key = "broadcast.scope_mine" if scope.koordinator_only else "broadcast.scope_all"
    return ctx.t(key, count=len(scope.kkgs))


async def scope_options(ctx: Ctx) -> list[Option]:
    scope = await _scope(ctx)
    return [Option(ALL, _all_label(ctx, scope))] + [Option(k.id, k.name) for k in scope.kkgs]


async def scope_when(ctx: Ctx) -> bool:
    scope = await _scope(ctx)
    if len(scope.kkgs) <= 1 or ctx.data.get("_oneline"):
        ctx.data["scope"] = [k.id for k in scope.kkgs]
        return False
    return True


async def parse_scope(ctx: Ctx, value: object) -> list[int]:
    """All, one KKG, or several typed as numbers or names separated by commas."""
    scope = await _scope(ctx)
    if value == ALL:
        return [k.id for k in scope.kkgs]
    if isinstance(value, int):
        return [value]
    options = await scope_options(ctx)
    chosen: list[int] = []
    for part in str(value).replace(";", ",").split(","):
        word = " ".join(part.split()).casefold()
        if not word:
            continue
        match = None
        number = small_number(word)
        if number is not None and 1 <= number <= len(options):
            match = options[number - 1].value
        else:
            for kkg in scope.kkgs:
                if word in (kkg.name.casefold(), kkg.invite_code.casefold()):
                    match = kkg.id
        if match is None:
            raise Invalid("broadcast.scope_unknown", what=part.strip()[:40])
        if match == ALL:
            return [k.id for k in scope.kkgs]
        if match not in chosen:
            chosen.append(match)
    if not chosen:
        raise Invalid("broadcast.scope_unknown", what=str(value)[:40])
    return chosen


def file_options(ctx: Ctx) -> list[Option]:
    return [skip_option(ctx, SKIP, "broadcast.skip_file")]


def parse_file_answer(ctx: Ctx, value: object) -> None:
    """Typed answers to the file step: only `Lewati` (a file itself never reaches here)."""
    if value == SKIP:
        return None
    raise Invalid("broadcast.file_or_skip", skip=ctx.t("broadcast.skip_file"))


async def _zone(ctx: Ctx) -> str:
    kkg = await ctx.session.get(Kkg, ctx.data["scope"][0])
    return kkg.timezone if kkg else ctx.settings.default_timezone


def when_options(ctx: Ctx) -> list[Option]:
    return [Option(NOW, ctx.t("broadcast.send_now"), words=i18n.word_list("common.now_words"))]


async def parse_when_answer(ctx: Ctx, value: object) -> str:
    if value == NOW:
        return NOW
    try:
        parsed = parse_when(
            str(value), now=ctx.now, tz=await _zone(ctx), earliest_hour=6, latest_hour=21
        )
        broadcasts.check_send_at(parsed.utc, ctx.now)
    except DateParseError as bad:
        understood = f" ({describe_local(bad.understood, ctx.lang)})" if bad.understood else ""
        key = {"past": "broadcast.when_past", "outside_hours": "broadcast.when_outside_hours"}
        raise Invalid(
            key.get(bad.reason, "broadcast.when_unparsed"), understood=understood
        ) from bad
    except BroadcastError as bad:
        raise Invalid(bad.key, **bad.params) from bad
    return parsed.utc.isoformat()


async def scope_label(ctx: Ctx) -> str:
    scope = await _scope(ctx)
    chosen = ctx.data["scope"]
    names = {k.id: k.name for k in scope.kkgs}
    if len(chosen) == 1:
        return names.get(chosen[0], "KKG")
    if scope.admin_districts and len(chosen) == len(scope.kkgs):
        return ", ".join(d.name for d in scope.admin_districts)
    picked = [names[k] for k in chosen if k in names]
    return (
        ", ".join(picked) if len(picked) <= 3 else i18n.t("id", "broadcast.n_kkgs", n=len(picked))
    )


async def _when_text(ctx: Ctx) -> str:
    when = ctx.data.get("when", NOW)
    if when == NOW:
        return ctx.t("broadcast.preview_now")
    local = datetime.fromisoformat(when).astimezone(ZoneInfo(await _zone(ctx)))
    return describe_local(local, ctx.lang)


async def check_recipients(ctx: Ctx) -> bool:
    people = await broadcasts.recipients(ctx.session, ctx.data["scope"], exclude=ctx.person.id)
    if not people:
        ctx.say("broadcast.nobody")
        raise EndConversation
    ctx.data["_count"] = len(people)
    return True


async def preview(ctx: Ctx) -> str:
    label = await scope_label(ctx)
    head = ctx.t("broadcast.message_header", sender=ctx.person.name or "KKG", scope=label)
    message = f"{head}\n\n{ctx.data['text']}"
    if ctx.data.get("file"):
        message += "\n\n" + ctx.t("broadcast.preview_file", name=ctx.data["file"]["name"])
    return ctx.t(
        "broadcast.preview",
        message=message,
        count=ctx.data["_count"],
        scope=label,
        when=await _when_text(ctx),
    )


def _confirm() -> Step:
    step = confirm_step(preview)
    step.when = check_recipients
    return step


class BroadcastFlow(Flow):
    name = "broadcast"
    oneline = False  # the whole line is the text: begin() reads it
    steps = [
        Step("text", "broadcast.ask_text", parse=parse_text, when=lambda c: "text" not in c.data),
        Step("file", "broadcast.ask_file", options=file_options, free_text=True,
             parse=parse_file_answer, accepts_file=True, when=lambda c: not c.data.get("_oneline")),
        Step("scope", "broadcast.ask_scope", options=scope_options, free_text=True,
             parse=parse_scope, when=scope_when),
        Step("when", "broadcast.ask_when", options=when_options, free_text=True,
             parse=parse_when_answer, when=lambda c: not c.data.get("_oneline")),
        _confirm(),
    ]  # fmt: skip

    async def begin(self, ctx: Ctx, args: str) -> bool:
        scope = await _scope(ctx)
        if not scope.kkgs:
            ctx.say("broadcast.no_scope")
            return False
        if args.strip():
            try:
                ctx.data["text"] = broadcasts.valid_text(args)
                ctx.data["_oneline"] = True
            except BroadcastError as bad:
                ctx.say(bad.key, **bad.params)
                return False
        return True

    async def finish(self, ctx: Ctx) -> None:
        when = ctx.data.get("when", NOW)
        send_at = ctx.now if when == NOW else datetime.fromisoformat(when)
        allowed = {k.id for k in (await _scope(ctx)).kkgs}
        if not set(ctx.data["scope"]) <= allowed:  # a role taken away meanwhile
            ctx.say("broadcast.no_scope")
            return
        try:
            row = await broadcasts.create(
                ctx.session,
                sender=ctx.person,
                kkg_ids=ctx.data["scope"],
                scope_label=await scope_label(ctx),
                text=ctx.data["text"],
                file_id=(ctx.data.get("file") or {}).get("file_id"),
                send_at=send_at,
                now=ctx.now,
            )
        except BroadcastError as bad:
            ctx.say(bad.key, **bad.params)
            return
        if row.queued_at is not None:
            ctx.say("broadcast.queued", count=row.recipients)
        else:
            ctx.say("broadcast.scheduled", when=await _when_text(ctx), count=ctx.data["_count"])


def register(registry: Registry) -> None:
    registry.command(Command("siaran", "broadcast", "broadcast", flow=BroadcastFlow(), order=70))
