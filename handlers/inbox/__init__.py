"""Messages for a person in chat: free text offered to the koordinator, /pesan, answers."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.inbox import forward, reply

    forward.register(registry)
    reply.register(registry)
