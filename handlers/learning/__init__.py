"""Micro-learning in chat: /materi and the answers to lesson questions."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.learning import lessons

    lessons.register(registry)
