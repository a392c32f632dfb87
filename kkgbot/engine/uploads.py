"""Files people send at a step that asks for one (notulen, a broadcast's picture): kept in
the step's transaction, named safely, and marked as the sender's (so /dataku exports them and
/hapusdata deletes them)."""

from __future__ import annotations

from typing import Any

from kkgbot.db.models import StoredFile
from kkgbot.engine.context import Ctx
from kkgbot.messages import InboundFile


def safe_file_name(name: str, mime: str) -> str:
    """A name that is only a name: no folders, no control characters, at most 120 long."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".") or "file"
    if "." not in base and "/" in mime:
        base += "." + mime.split("/", 1)[1].split(";", 1)[0].split("+", 1)[0][:10]
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = stem[: 119 - len(ext)] + dot + ext if dot and len(ext) <= 10 else base[:120]
    return base


async def store_upload(ctx: Ctx, file: InboundFile) -> dict[str, Any]:
    """Keep a file a person sent, in the transaction of the step it answers, marked as
    theirs (so /dataku exports it and /hapusdata deletes it)."""
    name = safe_file_name(file.name, file.mime)
    stored = StoredFile(
        name=name,
        mime=(file.mime or "application/octet-stream")[:80],
        data=file.data,
        created_at=ctx.now,
        uploaded_by_person_id=ctx.person.id,
    )
    ctx.session.add(stored)
    await ctx.session.flush()
    return {"file_id": stored.id, "name": name, "mime": stored.mime}
