"""The conversations, one package per feature; `register_all` hands them to the router."""

from kkgbot.engine.commands import Registry


def register_all(registry: Registry) -> Registry:
    # Imported here so that importing one handler module does not import them all.
    from handlers import (
        broadcasts,
        certificates,
        dashboard,
        digest,
        exports,
        groups,
        inbox,
        learning,
        meetings,
        monitoring,
        people,
        polls,
        privacy,
        visits,
    )

    for package in (
        people,
        polls,
        meetings,
        certificates,
        learning,
        monitoring,
        visits,
        privacy,
        broadcasts,
        digest,
        exports,
        inbox,
        dashboard,
        groups,
    ):
        package.register(registry)
    return registry


def build_registry() -> Registry:
    return register_all(Registry())
