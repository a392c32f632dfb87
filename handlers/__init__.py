"""The conversations, one module per feature; `register_all` hands them to the router."""

from kkgbot.engine.commands import Registry


def register_all(registry: Registry) -> Registry:
    from handlers import help, language, membership, onboarding, profile, roles_admin

    for module in (onboarding, help, language, profile, membership, roles_admin):
        module.register(registry)
    from handlers import polls, polls_results, workplan

    for module in (polls, polls_results, workplan):
        module.register(registry)
    from handlers import meetings

    meetings.register(registry)
    from handlers import learning

    learning.register(registry)
    from handlers import monitoring

    monitoring.register(registry)
    from handlers import privacy

    privacy.register(registry)
    from handlers import broadcast, digest

    for module in (broadcast, digest):
        module.register(registry)
    return registry


def build_registry() -> Registry:
    return register_all(Registry())
