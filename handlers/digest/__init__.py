"""The supervisors' digest in chat: /ringkasan."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.digest import summary

    summary.register(registry)
