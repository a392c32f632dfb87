"""/dasbor: the one-time link that signs a koordinator, pengawas or admin in to the web."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.dashboard import signin

    signin.register(registry)
