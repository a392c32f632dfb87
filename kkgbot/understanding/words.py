"""The word lists the reader uses, from the locale catalogues (`config/locales/*/answers.yaml`).

Every language's list is merged: a teacher who chose English still types "iya", and one who
reads Indonesian may answer in Javanese. Phrases are kept as tuples of words so that "belum
tahu" (maybe) is found before "belum" (no).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kkgbot import i18n

Phrase = tuple[str, ...]


def _phrases(items: list | None) -> set[Phrase]:
    return {tuple(str(item).split()) for item in items or [] if str(item).strip()}


@dataclass(frozen=True)
class Words:
    meanings: dict[str, set[Phrase]]  # yes / no / maybe -> phrases
    not_negations: set[Phrase]
    fillers: set[Phrase]
    connectors: set[Phrase]
    alternatives: set[Phrase]  # "atau": "1 atau 2" names two and asks
    numbers: dict[Phrase, int]
    question_words: set[Phrase]
    all_words: set[Phrase]  # "semua": every option of a ballot
    short_forms: dict[str, str]  # "sgt" -> "sangat"
    older_words: set[Phrase]  # "kemarin": the reply is for an older question
    echo_words: set[Phrase]  # words that only repeat the question ("ikut rapat")
    greetings: set[Phrase]  # a message of these alone says nothing
    conditions: set[Phrase]  # "asal", "kalau": what follows is a condition
    corrections: set[Phrase]  # "eh maksudnya": what came before is taken back
    apologies: set[Phrase]  # "maaf": an apology, often before a reason for not coming
    question_names: dict[str, set[Phrase]]  # action -> words that name its question
    troubles: set[Phrase] = frozenset()  # "halangan", "lupa": a "no" before them is a yes
    bridges: set[Phrase] = frozenset()  # "ada", "akan": words between the "no" and the trouble
    chain_markers: set[Phrase] = frozenset()  # "sebarkan": a pasted chain message
    own_matters: set[Phrase] = frozenset()  # "ujian pppk": one's own exam, no school duty
    side_remarks: set[Phrase] = frozenset()  # "juga": an illness told beside an izin

    @property
    def longest(self) -> int:
        every = [p for group in self.meanings.values() for p in group]
        every += [*self.not_negations, *self.fillers, *self.question_words]
        return max(len(p) for p in every)


def _get(lang: str, key: str) -> list:
    try:
        value = i18n.catalogue(lang).get(key)
    except FileNotFoundError:  # pragma: no cover - a language without the file
        return []
    return list(value or [])


@lru_cache
def words() -> Words:
    meanings: dict[str, set[Phrase]] = {"yes": set(), "no": set(), "maybe": set()}
    not_negations: set[Phrase] = set()
    fillers: set[Phrase] = set()
    connectors: set[Phrase] = set()
    alternatives: set[Phrase] = set()
    numbers: dict[Phrase, int] = {}
    questions: set[Phrase] = set()
    all_words: set[Phrase] = set()
    short: dict[str, str] = {}
    older: set[Phrase] = set()
    echo: set[Phrase] = set()
    greet: set[Phrase] = set()
    conditions: set[Phrase] = set()
    corrections: set[Phrase] = set()
    apologies: set[Phrase] = set()
    names: dict[str, set[Phrase]] = {}
    troubles: set[Phrase] = set()
    bridges: set[Phrase] = set()
    chain: set[Phrase] = set()
    own: set[Phrase] = set()
    side: set[Phrase] = set()
    for lang in i18n.LANGUAGES:
        chain |= _phrases(_get(lang, "answers.chain_markers"))
        own |= _phrases(_get(lang, "answers.own_matters"))
        side |= _phrases(_get(lang, "answers.side_remarks"))
        troubles |= _phrases(_get(lang, "answers.negated_troubles.troubles"))
        bridges |= _phrases(_get(lang, "answers.negated_troubles.bridges"))
        older |= _phrases(_get(lang, "answers.older_words"))
        echo |= _phrases(_get(lang, "answers.echo_words"))
        greet |= _phrases(_get(lang, "answers.greetings"))
        conditions |= _phrases(_get(lang, "answers.conditions"))
        corrections |= _phrases(_get(lang, "answers.corrections"))
        apologies |= _phrases(_get(lang, "answers.apologies"))
        for key, value in i18n.catalogue(lang).items():
            if key.startswith("answers.question_names."):
                names.setdefault(key.rsplit(".", 1)[1], set()).update(_phrases(value))
        all_words |= _phrases(_get(lang, "answers.all_words"))
        for key, value in i18n.catalogue(lang).items():
            if key.startswith("answers.short_forms."):
                short[key.rsplit(".", 1)[1]] = str(value)
        for meaning, phrases in meanings.items():
            phrases |= _phrases(_get(lang, f"answers.answers.{meaning}"))
        not_negations |= _phrases(_get(lang, "answers.not_negations"))
        fillers |= _phrases(_get(lang, "answers.fillers"))
        connectors |= _phrases(_get(lang, "answers.number_words.connectors"))
        alternatives |= _phrases(_get(lang, "answers.number_words.or"))
        questions |= _phrases(_get(lang, "answers.question_words"))
        for value in range(1, 11):
            for phrase in _phrases(_get(lang, f"answers.number_words.values.{value}")):
                numbers[phrase] = value
    return Words(
        meanings,
        not_negations,
        fillers,
        connectors,
        alternatives,
        numbers,
        questions,
        all_words,
        short,
        older,
        echo,
        greet,
        conditions,
        corrections,
        apologies,
        names,
        troubles,
        bridges,
        chain,
        own,
        side,
    )
