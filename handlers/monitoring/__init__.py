"""Monitoring in chat: /laporan, the reflection, the monthly pulse and the standards."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.monitoring import report

    report.register(registry)
