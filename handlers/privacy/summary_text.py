"""The short, readable summary that travels with the /dataku file."""

from __future__ import annotations

from typing import Any

from kkgbot.engine.context import Ctx
from kkgbot.privacy import personal_data as privacy


def summary_text(ctx: Ctx, data: dict[str, Any]) -> str:
    person = data["person"]
    dash = "—"
    lines = [
        ctx.t("privacy.export_header"),
        ctx.t("profile.name_line", value=person.get("name") or dash),
        ctx.t("profile.school_line", value=person.get("school") or dash),
        *([ctx.t("profile.nip_line", value=person["nip"])] if person.get("nip") else []),
        ctx.t("profile.phone_line", value=person.get("phone") or dash),
        ctx.t(
            "privacy.consent_line", value=(person.get("consent_at") or dash)[:16].replace("T", " ")
        ),
    ]
    counts = privacy.summary_counts(data)
    if counts:
        lines.append(ctx.t("privacy.tables_header"))
        lines += [f"• {table}: {n}" for table, n in sorted(counts.items())]
    lines.append(ctx.t("privacy.export_footer"))
    return "\n".join(lines)
