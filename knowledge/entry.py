"""One answerable entry of a pack, and how its phrasings and titles are filled from patterns.

An entry (a body, its cadence, a role, a principle, a procurement step, an FAQ answer) holds its
title, answer text, phrasings and hints in both languages and where it comes from;
knowledge.corpus builds them from a pack, knowledge.answers and knowledge.retrieval index them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.render import patterns
from knowledge.schema_base import Source, Sourced
from knowledge.text import Language


@dataclass(frozen=True, slots=True)
class Entry:
    """One answerable entry; the first question per language is its canonical phrasing."""

    id: str
    kind: str
    title_da: str
    title_en: str
    text_da: str
    text_en: str
    questions_da: tuple[str, ...]
    questions_en: tuple[str, ...]
    hints_da: tuple[str, ...]
    hints_en: tuple[str, ...]
    source: Source
    origin: str
    inspired_by: str | None
    related: tuple[str, ...]
    # The names of what the entry is about (the body, role, principle …), per language.
    subject_da: tuple[str, ...] = ()
    subject_en: tuple[str, ...] = ()

    def title(self, language: Language) -> str:
        """Title in `language`."""
        return self.title_da if language == "da" else self.title_en

    def text(self, language: Language) -> str:
        """Answer text in `language`."""
        return self.text_da if language == "da" else self.text_en

    def question(self, language: Language) -> str:
        """The canonical question in `language`, ready to show on a button."""
        questions = (
            self.questions_da if language == "da" else (self.questions_en or self.questions_da)
        )
        return display(questions[0])


def display(question: str) -> str:
    """`question` as a button shows it: capitalised, one question mark."""
    question = question.strip().rstrip("?")
    return question[:1].upper() + question[1:] + "?"


def dedupe(items: Iterable[str]) -> tuple[str, ...]:
    """The non-empty `items` once each, in order."""
    return tuple(dict.fromkeys(i for i in items if i))


def fill(
    intent: str, language: Language, **values: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Patterns of `intent` filled with every combination of `values`: (questions, bare names).

    The first question uses the first value of each placeholder and is the canonical one. A
    pattern that is only a placeholder ("{name}") yields bare names, which match more weakly.
    A placeholder with no values drops the patterns that use it.
    """
    questions: list[str] = []
    bare: list[str] = []
    names = list(values)
    for pattern in patterns("questions.yaml")[intent][language]:
        used = [n for n in names if "{" + n + "}" in pattern]
        target = bare if pattern.strip() in {"{" + n + "}" for n in used} else questions
        for combo in itertools.product(*(values[n] for n in used)):
            target.append(pattern.format(**dict(zip(used, combo, strict=True))))
    return dedupe(questions), dedupe(bare)


def title_of(intent: str, language: Language, **values: str) -> str:
    """The title pattern of `intent` (templates/titles.yaml) filled with `values`."""
    pattern: str = patterns("titles.yaml")[intent][language]
    return pattern.format(**values)


def make_entry(
    entry_id: str,
    kind: str,
    sourced: Sourced,
    related: Sequence[str],
    *,
    titles: tuple[str, str],
    texts: tuple[str, str],
    questions: tuple[Iterable[str], Iterable[str]],
    hints: tuple[Iterable[str], Iterable[str]],
    subject: tuple[Iterable[str], Iterable[str]] = ((), ()),
) -> Entry:
    """An Entry from a pack item's source fields and the titles, texts and phrasings given."""
    return Entry(
        id=entry_id,
        kind=kind,
        title_da=titles[0],
        title_en=titles[1],
        text_da=texts[0],
        text_en=texts[1],
        questions_da=dedupe(questions[0]),
        questions_en=dedupe(questions[1]),
        hints_da=dedupe(hints[0]),
        hints_en=dedupe(hints[1]),
        source=sourced.source,
        origin=sourced.origin,
        inspired_by=sourced.inspired_by,
        related=tuple(related),
        subject_da=dedupe(subject[0]),
        subject_en=dedupe(subject[1]),
    )
