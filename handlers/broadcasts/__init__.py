"""Broadcasts in chat: /siaran, and /batalsiaran for those set for later."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.broadcasts import scheduled, send

    for module in (send, scheduled):
        module.register(registry)
