"""Topic-needs polls and the work plan: /survei, voting, /hasil, /program."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.polls import results, survey, workplan

    for module in (survey, results, workplan):
        module.register(registry)
