"""The conversations, one module per feature; `register_all` hands them to the router."""

from kkgbot.engine.commands import Registry


def register_all(registry: Registry) -> Registry:
    # Imported here so that importing one handler module does not import them all.
    from handlers import (
        broadcast,
        broadcast_scheduled,
        digest,
        help,
        language,
        learning,
        meetings,
        membership,
        monitoring,
        onboarding,
        polls,
        polls_results,
        privacy,
        profile,
        roles_admin,
        workplan,
    )

    for module in (
        onboarding,
        help,
        language,
        profile,
        membership,
        roles_admin,
        polls,
        polls_results,
        workplan,
        meetings,
        learning,
        monitoring,
        privacy,
        broadcast,
        broadcast_scheduled,
        digest,
    ):
        module.register(registry)
    return registry


def build_registry() -> Registry:
    return register_all(Registry())
