"""Joining and being someone in the bot: /start, /bantuan, /bahasa, /profil, /undang,
/keluar, and the admin's /peran."""

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.people import help, language, membership, onboarding, profile, roles_admin

    for module in (onboarding, help, language, profile, membership, roles_admin):
        module.register(registry)
