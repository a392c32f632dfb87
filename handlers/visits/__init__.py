"""Pendampingan in chat: /kunjungan records a classroom visit; the teacher's answer a week later."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.visits import record

    record.register(registry)
