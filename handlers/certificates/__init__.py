"""Certificates of JP (issue 18): /sertifikat for a member, /verifikasi for anyone."""

from __future__ import annotations

from kkgbot.engine.commands import Registry


def register(registry: Registry) -> None:
    from handlers.certificates import certify

    certify.register(registry)
