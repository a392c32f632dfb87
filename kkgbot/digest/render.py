"""The digest as a person reads it: a short phone text, one chart, one spreadsheet.

The text puts alerts first; with many KKGs (an admin's district) it names only those
needing attention and leaves the rest to the spreadsheet, so it stays short on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kkgbot import i18n
from kkgbot.charts import bar_chart_png
from kkgbot.digest.figures import ALERT_ORDER
from kkgbot.digest.kkg_figures import KkgFigures
from kkgbot.digest.period import Period
from kkgbot.digest.sheet_writer import Percent, SheetBook

DETAIL_LIMIT = 5  # KKGs described one by one in the text
ALERT_LINES = 10
CHART_LIMIT = 25
NAMES_IN_TEXT = 8


@dataclass
class Digest:
    title: str  # the scope: "3 KKG binaan" / a district name
    period: Period
    figures: list[KkgFigures]  # sorted by name
    names: bool  # inactive members are named (a pengawas's digest)


def pct(value: float | None, lang: str) -> str:
    if value is None:
        return i18n.t(lang, "digest.no_data")
    return f"{round(value * 100)}%"


def counted(value: float | None, part: int, whole: int, lang: str) -> str:
    """A rate beside what it counts: `50% (9 dari 18)`; no count when there is nothing."""
    if not whole:
        return pct(value, lang)
    return f"{pct(value, lang)} ({i18n.t(lang, 'digest.of_count', part=part, whole=whole)})"


def _day(when: datetime, zone: str, lang: str) -> str:
    local = when.astimezone(ZoneInfo(zone))
    months = i18n.t(lang, "meetings.month_short").split(",")
    return f"{local.day} {months[local.month - 1]} {local.year}"


def _alert_text(f: KkgFigures, lang: str) -> str:
    return "; ".join(i18n.t(lang, f"digest.alert_{a}") for a in f.alerts)


def _kkg_block(f: KkgFigures, d: Digest, lang: str) -> list[str]:
    t = lambda key, **kw: i18n.t(lang, f"digest.{key}", **kw)  # noqa: E731
    lines = [t("kkg_head", name=f.name, members=f.members)]
    lines.append(t("meetings", week=f.held_week, term=f.held_term, planned=f.planned))
    trend = " → ".join(str(n) for n in f.trend) if f.trend else t("no_data")
    week = counted(f.rate_week, f.attended_week, f.held_week * f.members, lang)
    term = counted(f.rate_term, f.attended_term, f.held_term * f.members, lang)
    lines.append(t("attendance", week=week, term=term, trend=trend))
    inactive = t("inactive", count=f.inactive)
    if d.names and f.inactive_names:
        shown = f.inactive_names[:NAMES_IN_TEXT]
        more = f.inactive - len(shown)
        listed = ", ".join(shown) + (f", {t('names_more', count=more)}" if more > 0 else "")
        inactive += f" ({listed})"
    lines.append(inactive)
    lines.append(t("top_fifth", share=pct(f.top_fifth_share, lang)))
    topics = ", ".join(f"{name} ({n})" for name, n in f.top_topics) or t("no_data")
    lines.append(t("topics", topics=topics))
    share = f.plan_from_votes / f.plan_total if f.plan_total else None
    lines.append(t("plan", term=f.plan_term,
                   share=counted(share, f.plan_from_votes, f.plan_total, lang)))  # fmt: skip
    m = f.monitoring
    if m is None:
        lines.append(t("monitoring_none"))
    else:
        if m.reflections_asked:
            lines.append(t("reflection", rate=pct(m.response_rate, lang),
                           answered=m.reflections_answered, asked=m.reflections_asked))  # fmt: skip
        else:
            lines.append(t("reflection_none"))
        if m.followups_answered:
            lines.append(t("tried", tried=pct(m.tried_share, lang), answered=m.followups_answered,
                           asked=m.followups_asked))  # fmt: skip
        else:
            lines.append(t("tried_none", asked=m.followups_asked))
        if m.pulse_answers:
            lines.append(t("pulse", share=pct(m.pulse_share_4_5, lang), answers=m.pulse_answers,
                           asked=m.pulse_asked))  # fmt: skip
        else:
            lines.append(t("pulse_none"))
        if f.visits is not None:
            lines.append(t("visits", visits=f.visits.visits, unvisited=f.visits.unvisited_90,
                           teachers=f.visits.teachers))  # fmt: skip
        score = t("no_data") if m.standards_score is None else f"{round(m.standards_score)}/100"
        lines.append(t("standards", score=score))
    lines.append(
        t(
            "lessons",
            answered=f.lessons_answered_week,
            given=f.lessons_given_week,
            term=counted(f.completion_term, f.lessons_answered_term, f.lessons_given_term, lang),
            modules=f.modules_completed_term,
        )
    )
    return lines


def digest_text(d: Digest, lang: str) -> str:
    t = lambda key, **kw: i18n.t(lang, f"digest.{key}", **kw)  # noqa: E731
    p = d.period
    out = [
        t(
            "header",
            scope=d.title,
            start=_day(p.week_start, p.zone, lang),
            end=_day(p.now, p.zone, lang),
        ),
        t("term", start=_day(p.term_start, p.zone, lang)),
    ]
    if not d.figures:
        out.append(t("no_kkgs"))
        return "\n".join(out)
    flagged = sorted(
        (f for f in d.figures if f.alerts),
        key=lambda f: (min(ALERT_ORDER.index(a) for a in f.alerts), -len(f.alerts), f.name),
    )
    out.append("")
    if flagged:
        out.append(t("alerts_head", count=len(flagged), total=len(d.figures)))
        for f in flagged[:ALERT_LINES]:
            out.append(f"• {f.name}: {_alert_text(f, lang)}")
        if len(flagged) > ALERT_LINES:
            out.append(t("alerts_more", count=len(flagged) - ALERT_LINES))
    else:
        out.append(t("alerts_none"))
    if len(d.figures) <= DETAIL_LIMIT:
        for f in d.figures:
            out.append("")
            out.extend(_kkg_block(f, d, lang))
    else:
        held = sum(f.held_week for f in d.figures)
        attended = sum(f.attended_term for f in d.figures)
        possible = sum(f.held_term * f.members for f in d.figures)
        out.append("")
        out.append(
            t(
                "totals",
                kkgs=len(d.figures),
                members=sum(f.members for f in d.figures),
                held=held,
                rate=pct(attended / possible if possible else None, lang),
                inactive=sum(f.inactive for f in d.figures),
            )
        )
        out.append(t("see_sheet"))
    out.append("")
    out.append(t("footer"))
    return "\n".join(out)


def digest_chart(d: Digest, lang: str) -> bytes:
    """One PNG comparing the KKGs: attendance rate this term (lowest first when many)."""
    figs = sorted(d.figures, key=lambda f: (f.rate_term or 0, f.name))[:CHART_LIMIT]
    if len(d.figures) <= CHART_LIMIT:
        figs = [f for f in d.figures if f in figs]  # the digest's own (natural) order
    subtitle = i18n.t(
        lang, "digest.chart_subtitle", start=_day(d.period.term_start, d.period.zone, lang)
    )
    if len(d.figures) > CHART_LIMIT:
        subtitle = i18n.t(lang, "digest.chart_lowest", count=CHART_LIMIT, total=len(d.figures))
    return bar_chart_png(
        title=i18n.t(lang, "digest.chart_title", scope=d.title),
        subtitle=subtitle,
        labels=[f.name for f in figs],
        values=[round((f.rate_term or 0) * 100) for f in figs],
        notes=[i18n.t(lang, "digest.chart_note", held=f.held_term) for f in figs],
        xlabel=i18n.t(lang, "digest.chart_xlabel"),
    )


def _ratio(value: float | None) -> float | None:
    """A share (0..1) that goes into the workbook as a number shown as a percentage."""
    return None if value is None else Percent(round(value, 3))


def digest_xlsx(d: Digest, lang: str) -> bytes:
    """One sheet per topic, one row per KKG (and one per inactive member on their sheet)."""
    c = lambda key: i18n.t(lang, f"digest.col_{key}")  # noqa: E731
    s = lambda key: i18n.t(lang, f"digest.sheet_{key}")  # noqa: E731
    book = SheetBook()
    figs = d.figures
    book.sheet(
        s("meetings"),
        [c("kkg"), c("members"), c("held_week"), c("held_term"), c("planned"), c("last_held")],
        [
            [
                f.name,
                f.members,
                f.held_week,
                f.held_term,
                f.planned,
                _day(f.last_held_at, f.timezone, lang) if f.last_held_at else "",
            ]
            for f in figs
        ],
    )
    book.sheet(
        s("attendance"),
        [c("kkg"), c("rate_week"), c("rate_term"), c("trend"), c("inactive"), c("top_fifth")],
        [
            [
                f.name,
                _ratio(f.rate_week),
                _ratio(f.rate_term),
                " → ".join(map(str, f.trend)),
                f.inactive,
                _ratio(f.top_fifth_share),
            ]
            for f in figs
        ],
    )
    if d.names:
        book.sheet(
            s("inactive"),
            [c("kkg"), c("name")],
            [[f.name, n] for f in figs for n in f.inactive_names],
        )
    book.sheet(
        s("topics"),
        [
            c("kkg"),
            c("votes"),
            c("topic1"),
            c("topic2"),
            c("topic3"),
            c("plan_term"),
            c("plan_total"),
            c("plan_votes"),
        ],
        [
            [
                f.name,
                f.votes_term,
                *[f"{n} ({v})" for n, v in f.top_topics],
                *[""] * (3 - len(f.top_topics)),
                f.plan_term,
                f.plan_total,
                f.plan_from_votes,
            ]
            for f in figs
        ],
    )
    mon = []
    for f in figs:
        m = f.monitoring
        if m is None:
            mon.append([f.name, None, None, None, None, None, None, None, None, None])
        else:
            mon.append(
                [
                    f.name,
                    m.reflections_asked,
                    m.reflections_answered,
                    _ratio(m.response_rate),
                    m.followups_asked,
                    m.followups_answered,
                    _ratio(m.tried_share),
                    m.pulse_asked,
                    m.pulse_answers,
                    _ratio(m.pulse_share_4_5),
                ]
            )
    book.sheet(
        s("reflection"),
        [
            c("kkg"),
            c("asked"),
            c("answered"),
            c("response_rate"),
            c("followups_asked"),
            c("followups_answered"),
            c("tried"),
            c("pulse_asked"),
            c("pulse_answers"),
            c("pulse_share"),
        ],
        mon,
    )
    book.sheet(
        s("lessons"),
        [
            c("kkg"),
            c("given_week"),
            c("answered_week"),
            c("given_term"),
            c("answered_term"),
            c("completion"),
            c("modules"),
        ],
        [
            [
                f.name,
                f.lessons_given_week,
                f.lessons_answered_week,
                f.lessons_given_term,
                f.lessons_answered_term,
                _ratio(f.completion_term),
                f.modules_completed_term,
            ]
            for f in figs
        ],
    )
    book.sheet(
        s("standards"),
        [c("kkg"), c("score"), c("assessed")],
        [
            [
                f.name,
                getattr(f.monitoring, "standards_score", None),
                _day(f.monitoring.standards_assessed_at, f.timezone, lang)
                if getattr(f.monitoring, "standards_assessed_at", None)
                else "",
            ]
            for f in figs
        ],
    )
    book.sheet(
        s("alerts"),
        [c("kkg"), c("alerts")],
        [[f.name, _alert_text(f, lang)] for f in figs if f.alerts],
    )
    return book.to_bytes()
