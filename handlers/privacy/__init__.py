"""A person's rights over their data in chat: /dataku and /hapusdata."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.privacy import rights

    rights.register(registry)
