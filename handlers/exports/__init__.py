"""/ekspor: the files a KKG files with the dinas and the school."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.exports import menu

    menu.register(registry)
