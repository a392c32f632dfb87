"""Commands as people type them: `bantuan` without the slash, `/jadwl` with a typo.

A message that is only a command word runs the command, but only when nothing open would
take the word as an answer (the router asks the open questions first). A mistyped command
gets "Maksud Anda /jadwal?", suggesting only commands the person's roles allow.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from kkgbot import i18n
from kkgbot.engine.commands import Command, Registry
from kkgbot.people.permissions import allowed
from kkgbot.understanding.text import tokens_of
from kkgbot.understanding.words import words

CLOSE_ENOUGH = 75  # rapidfuzz ratio: "jadwl" -> "jadwal", "rapt" -> "rapat", "bantun" -> "bantuan"


def command_word(text: str, registry: Registry, roles: set[str]) -> Command | None:
    """The command a message names with its word alone (`bantuan`, `Rapat bu`), if the
    person may use it; None for anything else."""
    fillers = words().fillers
    content = [t for t in tokens_of(text).tokens if (t,) not in fillers]
    if len(content) != 1:
        return None
    command = registry.by_word.get(content[0])
    if command is None or not allowed(command.action, roles):
        return None
    return command


@lru_cache
def _synonyms() -> dict[str, str]:
    prefix = "answers.command_synonyms."
    return {
        key[len(prefix) :]: str(value)
        for lang in i18n.LANGUAGES
        for key, value in i18n.catalogue(lang).items()
        if key.startswith(prefix)
    }


def suggestion(word: str, registry: Registry, roles: set[str], lang: str) -> Command | None:
    """The allowed command whose word is closest to a mistyped one, if close enough."""
    if not word or len(word) > 30:
        return None
    choices = {
        w: c
        for w, c in registry.by_word.items()
        if allowed(c.action, roles) and (c.needs_onboarding is False or roles)
    }
    if not choices:
        return None
    meant = _synonyms().get(word)  # "/summary": the digest, though its word is /ringkasan
    if meant is not None and meant in registry.commands:
        command = registry.commands[meant]
        return command if command in choices.values() else None
    found = process.extractOne(word, list(choices), scorer=fuzz.ratio, score_cutoff=CLOSE_ENOUGH)
    return choices[found[0]] if found else None
