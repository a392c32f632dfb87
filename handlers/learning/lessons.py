"""/materi (/learn): the next lesson, progress, pausing, the KKG's lesson times, and answers.

`/materi` opens with the person's progress and a short menu; each item also works on one
line (`/materi berikutnya`, `/materi jeda`, `/materi lanjutkan`, `/materi jadwal; Senin,
Rabu; 19.30`, `/materi capaian`). Answer buttons are standalone actions
(`a:lq:<lesson>:<n>`), so a lesson's buttons still work days later, after other messages.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from zoneinfo import ZoneInfo

from handlers.common import chosen_kkg, kkg_step
from handlers.learning import ramadan
from kkgbot import i18n
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, Invalid, Option, Step, confirm_step
from kkgbot.learning import figures as lessons_figures
from kkgbot.learning import learners as lessons
from kkgbot.learning import periods, schedule
from kkgbot.learning import push as lessons_push
from kkgbot.learning.learners import LessonError
from kkgbot.learning.library import library
from kkgbot.learning.schedule import ScheduleError, Slots
from kkgbot.numbers import small_number
from kkgbot.people.permissions import allowed

NEXT, PAUSE, RESUME, SCHEDULE, FIGURES = "next", "pause", "resume", "schedule", "figures"
MODES = (NEXT, PAUSE, RESUME, SCHEDULE, FIGURES)


def _words(mode: str) -> tuple[str, ...]:
    """What people type for a menu entry (`jeda`, `lanjutkan`), from the catalogues."""
    return i18n.word_list(f"learning.menu_words.{mode}")


DAY_PRESETS = ("tue,thu", "mon,wed", "wed,fri", "mon,wed,fri")
FIGURES_DAYS = 30


async def _home(ctx: Ctx):
    return await lessons.home_kkg(ctx.session, ctx.person.id)


async def _menu_options(ctx: Ctx) -> list[Option]:
    out = []
    if await _home(ctx) is not None:
        out.append(Option(NEXT, ctx.t("learning.menu_next"), words=_words(NEXT)))
        paused = await lessons.is_paused(ctx.session, ctx.person.id)
        out.append(
            Option(RESUME, ctx.t("learning.menu_resume"), risky=True, words=_words(RESUME))
            if paused
            else Option(PAUSE, ctx.t("learning.menu_pause"), risky=True, words=_words(PAUSE))
        )
    roles_held = await ctx.role_names()
    if allowed("learn.schedule", roles_held):
        out.append(Option(SCHEDULE, ctx.t("learning.menu_schedule"), words=_words(SCHEDULE)))
    if allowed("learn.figures", roles_held):
        out.append(Option(FIGURES, ctx.t("learning.menu_figures"), words=_words(FIGURES)))
    return out


async def progress_text(ctx: Ctx) -> str:
    kkg = await _home(ctx)
    if kkg is None:
        return ctx.t("learning.menu_staff")
    slots = await schedule.schedule_of(ctx.session, kkg.id)
    paused = await lessons.is_paused(ctx.session, ctx.person.id)
    lines = [
        ctx.t("learning.menu_head", kkg=kkg.name),
        ctx.t(
            "learning.menu_paused" if paused else "learning.menu_slots",
            slots=slots.describe(ctx.lang, kkg.timezone),
        ),
    ]
    period = await periods.period_of(ctx.session, kkg.id)
    if period is not None and period.ends_on >= ctx.now.astimezone(ZoneInfo(kkg.timezone)).date():
        lines.append(
            ctx.t("learning.menu_period", period=periods.describe(period, ctx.lang, kkg.timezone))
        )
    by_pack: dict[str, list[lessons.ModuleProgress]] = {}
    for item in await lessons.progress(ctx.session, ctx.person.id, kkg.id):
        by_pack.setdefault(item.module.pack_id, []).append(item)
    # One line per pack; the modules only of the pack in progress, so the menu fits a phone.
    current = next(
        (pid for pid, items in by_pack.items() if not all(i.completed for i in items)), None
    )
    for pack_id, items in by_pack.items():
        pack = library().pack(pack_id)
        assert pack is not None
        answered = sum(i.answered for i in items)
        correct = sum(i.correct for i in items)
        if pack_id == current:
            lines.append("")
        lines.append(
            ctx.t(
                "learning.pack_line",
                pack=pack.title,
                done=answered,
                total=len(pack.lessons),
                correct=correct,
            )
        )
        if pack_id != current:
            continue
        for i in items:
            mark = "✅" if i.completed else ("▸" if i.answered else "·")
            lines.append(f"{mark} {i.module.title} {i.answered}/{len(i.module.lessons)}")
        lines.append("")
    return "\n".join(lines).rstrip()


async def _pause(ctx: Ctx, mode: str) -> None:
    if await _home(ctx) is None:
        ctx.say("learning.not_learner")
        return
    changed = await lessons.set_paused(ctx.session, ctx.person.id, mode == PAUSE, ctx.now)
    key = {PAUSE: "learning.paused", RESUME: "learning.resumed"}[mode]
    ctx.say(key if changed else f"{key}_already")


def _named_mode(text: str) -> str | None:
    """The menu entry a one-line request names by one of its words (`/materi jadwal`), even
    one the person is not offered, so that a refusal can say why."""
    wanted = " ".join(text.split()).casefold()
    return next((m for m in MODES if wanted in _words(m)), None)


async def _mode(ctx: Ctx, value: object) -> str:
    mode = value if value in MODES else None
    if mode is None:
        raise Invalid("learning.pick_menu")
    if mode in (NEXT, PAUSE, RESUME) and await _home(ctx) is None:
        raise Invalid("learning.not_learner")
    if mode == SCHEDULE and not allowed("learn.schedule", await ctx.role_names()):
        raise Invalid("learning.schedule_refused")
    if mode == FIGURES and not allowed("learn.figures", await ctx.role_names()):
        raise Invalid("learning.figures_refused")
    return mode


def _when(mode: str, step: Step) -> Step:
    inner = step.when

    async def when(ctx: Ctx) -> bool:
        if ctx.data.get("mode") != mode:
            return False
        return True if inner is None else await inner(ctx)

    return dataclasses.replace(step, when=when)


def _day_options(ctx: Ctx) -> list[Option]:
    return [Option(p, Slots(tuple(p.split(",")), 0, 0).days_text(ctx.lang)) for p in DAY_PRESETS]


def _days(ctx: Ctx, value: object) -> list[str]:
    if isinstance(value, str) and value in DAY_PRESETS:
        return value.split(",")
    try:
        return list(schedule.parse_days(str(value)))
    except ScheduleError as bad:
        raise Invalid(bad.key, **bad.params) from bad


def _time(ctx: Ctx, value: object) -> str:
    try:
        hour, minute = schedule.parse_time(str(value))
    except ScheduleError as bad:
        raise Invalid(bad.key, **bad.params) from bad
    return f"{hour:02d}:{minute:02d}"


def _slots(ctx: Ctx) -> Slots:
    hour, minute = (int(x) for x in ctx.data["time"].split(":"))
    return Slots(tuple(ctx.data["days"]), hour, minute)


async def _schedule_summary(ctx: Ctx) -> str:
    kkg = await chosen_kkg(ctx)
    slots = _slots(ctx)
    text = ctx.t(
        "learning.schedule_confirm", kkg=kkg.name, slots=slots.describe(ctx.lang, kkg.timezone)
    )
    if slots.quiet:
        text += "\n" + ctx.t("learning.schedule_quiet")
    return text


class LearnFlow(Flow):
    name = "learn"
    steps = [
        Step("mode", progress_text, options=_menu_options, parse=_mode),
        _when(SCHEDULE, kkg_step("learn.schedule")),
        _when(
            SCHEDULE,
            Step("days", "learning.ask_days", options=_day_options, parse=_days, free_text=True),
        ),
        _when(SCHEDULE, Step("time", "learning.ask_time", parse=_time)),
        _when(SCHEDULE, confirm_step(_schedule_summary)),
        _when(FIGURES, kkg_step("learn.figures")),
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        if await _home(ctx) is None and not await _menu_options(ctx):
            ctx.say("learning.no_kkg")
            return False
        if ramadan.is_request(args):
            await ramadan.handle(ctx, args)
            return False
        first = args.split(";", 1)[0].strip()
        named = _named_mode(first) if first else None
        if named in (PAUSE, RESUME):  # "/materi jeda": done at once, even if already so
            await _pause(ctx, named)
            return False
        if first:  # a one-line request that is refused ends here, without the menu
            try:
                await _mode(ctx, named or first)
            except Invalid as bad:
                if bad.key != "learning.pick_menu":
                    ctx.say(bad.key, **bad.params)
                    return False
        return True

    async def finish(self, ctx: Ctx) -> None:
        mode = ctx.data["mode"]
        if mode == NEXT:
            await give_next(ctx)
        elif mode in (PAUSE, RESUME):
            await _pause(ctx, mode)
        elif mode == SCHEDULE:
            kkg = await chosen_kkg(ctx)
            slots = _slots(ctx)
            await schedule.set_schedule(
                ctx.session, kkg=kkg, slots=slots, actor_id=ctx.person.id, now=ctx.now
            )
            ctx.say("learning.schedule_saved", slots=slots.describe(ctx.lang, kkg.timezone))
        elif mode == FIGURES:
            await show_figures(ctx, await chosen_kkg(ctx))


async def give_next(ctx: Ctx) -> None:
    kkg = await _home(ctx)
    if kkg is None:
        ctx.say("learning.no_kkg")
        return
    pulled = await lessons_push.pull(ctx.session, ctx.person, kkg, ctx.now)
    if pulled.lesson is None:
        ctx.say("learning.all_done")
        return
    note = ctx.t("learning.answer_first") if pulled.again else None
    file_id, file_name = await lessons_push.picture(ctx.session, pulled.lesson, ctx.now)
    ctx.reply(
        lessons_push.lesson_text(ctx.lang, pulled.lesson, note),
        lessons_push.question_choices(pulled.lesson),
        file_id=file_id,
        file_name=file_name,
    )


async def show_figures(ctx: Ctx, kkg) -> None:
    report = await lessons_figures.completion_figures(
        ctx.session, kkg.id, ctx.now - timedelta(days=FIGURES_DAYS), ctx.now
    )
    lines = [
        ctx.t(
            "learning.figures_head",
            kkg=kkg.name,
            days=FIGURES_DAYS,
            active=report.active_learners_in_period,
            learners=report.learners,
            answered=report.lessons_answered_in_period,
            modules=report.modules_completed_in_period,
        )
    ]
    members = report.members()
    for m in members:
        lines.append(
            ctx.t(
                "learning.figures_line",
                name=m.name or "—",
                answered=m.answered,
                given=m.given,
                correct=m.correct,
                modules=m.modules_completed,
            )
        )
    if not members:
        lines.append(ctx.t("learning.figures_none"))
    ctx.reply("\n".join(lines))


async def answer_action(ctx: Ctx, args: list[str]) -> None:
    index = small_number(args[1], 2) if len(args) == 2 else None
    if index is None:
        ctx.say("common.stale_button")
        return
    try:
        result = await lessons.answer(
            ctx.session, person_id=ctx.person.id, lesson_id=args[0], index=index, now=ctx.now
        )
    except LessonError as bad:
        ctx.say(bad.key, **bad.params)
        return
    lesson = result.lesson
    why = lesson.options[result.index].why
    if result.right:
        # After a completed module the congratulation carries the "next" button instead.
        after = [] if result.completed else [lessons_push.next_choice(ctx.lang)]
        ctx.reply(ctx.t("learning.right", why=why), after)
    else:
        key = "learning.wrong_first" if result.first_try else "learning.wrong_again"
        ctx.reply(ctx.t(key, why=why), lessons_push.question_choices(lesson))
    if result.completed is not None:
        ctx.reply(
            ctx.t(
                "learning.module_done",
                module=result.completed.title,
                correct=result.module_correct,
                total=len(result.completed.lessons),
            ),
            [lessons_push.next_choice(ctx.lang)],
        )


async def show_action(ctx: Ctx, args: list[str]) -> None:
    lesson = library().lesson(args[0]) if len(args) == 1 else None
    row = await lessons.progress_row(ctx.session, ctx.person.id, args[0]) if lesson else None
    if lesson is None or row is None:
        ctx.say("common.stale_button")
        return
    file_id, file_name = await lessons_push.picture(ctx.session, lesson, ctx.now)
    ctx.reply(
        lessons_push.lesson_text(ctx.lang, lesson),
        lessons_push.question_choices(lesson),
        file_id=file_id,
        file_name=file_name,
    )


async def next_action(ctx: Ctx, args: list[str]) -> None:
    await give_next(ctx)


def register(registry: Registry) -> None:
    registry.command(Command("materi", "learn", "learn", flow=LearnFlow(), order=60))
    registry.action("lq", answer_action)
    registry.action("lshow", show_action)
    registry.action("lnext", next_action)
