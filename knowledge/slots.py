"""Names found anywhere in a message: IT systems, bodies, people, units, years, numbers.

The finder is given one name index per kind of name (the directory's systems and people, the
pack's bodies …). It returns the message with every name replaced by its slot token, for the
intent model, and the names as the user wrote them, for the handler that acts on the intent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from knowledge.intent_model import SLOT_TOKENS
from knowledge.name_index import NameIndex
from knowledge.text import fold, words

_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NUMBER = re.compile(r"^\d{1,9}$")
# Words too short or too ordinary to be a name misspelt.
MIN_FUZZY_LENGTH = 5
# A one-word name this short that is also an ordinary word ("it") must be written in capitals.
SHORT_NAME = 3
_CASED_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Found:
    """One name in the message: its kind, its words as written, and what it named."""

    slot: str
    text: str
    keys: tuple[Hashable, ...]
    start: int  # word positions in the message
    end: int
    compound: bool = False  # the name is the first part of a longer word ("direktionsmøde")


@dataclass(frozen=True)
class Slots:
    """A message with its names replaced by slot tokens, and the names themselves."""

    text: str
    found: Mapping[str, tuple[Found, ...]]
    # One-word topics of the pack that may also be names ("KITOS", a system and the register).
    topics: frozenset[str] = frozenset()

    @cached_property
    def masked(self) -> str:
        """The message as the intent model reads it."""
        return _mask(self.text, self.found)

    def first(self, slot: str) -> Found | None:
        """The first name of kind `slot`, if any."""
        items = self.found.get(slot, ())
        return items[0] if items else None

    def params(self) -> dict[str, str]:
        """The first name of each kind, as written (for a compound, the key it starts with):
        the parameters an intent's handler reads."""
        return {
            slot: str(items[0].keys[0]) if items[0].compound else items[0].text
            for slot, items in self.found.items()
            if items
        }

    def as_words(self) -> Slots | None:
        """The message with the one-word names that are also topics of the pack left as words
        ("hvad er kitos": KITOS is a system and the register the pack explains), or None when
        it has no such name; a message of the name alone keeps it a name."""
        length = len(words(self.text))

        def name(found: Found) -> bool:  # a bare name ("kitos") is a name all the same
            single = found.end - found.start == 1 and length > 1
            return not single or fold(found.text) not in self.topics

        kept = {slot: tuple(f for f in items if name(f)) for slot, items in self.found.items()}
        if kept == {slot: tuple(items) for slot, items in self.found.items()}:
            return None
        return Slots(self.text, kept, self.topics)


def _mask(text: str, found: Mapping[str, tuple[Found, ...]]) -> str:
    tokens = words(text)
    spans = sorted(
        ((f.start, f.end, slot, f.compound) for slot, items in found.items() for f in items),
        reverse=True,
    )
    for start, end, slot, compound in spans:
        # A compound keeps its word too: "næste direktionsmøde" still says "møde".
        tokens[start:end] = [SLOT_TOKENS[slot], *(tokens[start:end] if compound else ())]
    return " ".join(tokens)


class SlotFinder:
    """Finds names of several kinds in a message; kinds listed first win an overlap."""

    def __init__(
        self,
        indexes: Mapping[str, NameIndex[Any]],
        *,
        ordinary: Callable[[str], bool] = lambda _word: False,
        compounds: frozenset[str] = frozenset({"body"}),
        fuzzy: frozenset[str] = frozenset({"body", "system"}),
        topics: frozenset[str] = frozenset(),
    ) -> None:
        unknown = set(indexes) - set(SLOT_TOKENS)
        if unknown:
            raise ValueError(f"no slot token for {sorted(unknown)}")
        self._indexes = dict(indexes)
        self._ordinary = ordinary
        # Kinds of name that also stand first in compounds ("direktionsmøde"); not systems,
        # whose short names would match the start of ordinary words.
        self._compounds = compounds
        # Kinds whose names may be misspelt in a message; people's names are matched exactly.
        self._fuzzy = fuzzy
        self._topics = topics

    def _drop_lower_case_words(
        self, text: str, tokens: list[str], found: dict[str, list[Found]], taken: list[bool]
    ) -> None:
        """A short name that is also an ordinary word counts only in capitals: "IT" is the
        department, the "it" of "who owns it?" is not."""
        written = _CASED_WORD.findall(unicodedata.normalize("NFC", text))
        if len(written) != len(tokens):
            return  # the tokenisers disagree on this text; keep every name
        for items in found.values():
            for f in list(items):
                word = written[f.start]
                if (
                    f.end - f.start == 1
                    and len(word) <= SHORT_NAME
                    and self._ordinary(tokens[f.start])
                    and not word.isupper()
                ):
                    items.remove(f)
                    taken[f.start] = False

    def find(self, text: str) -> Slots:
        """Every name in `text`, the longest and earliest first, never two on the same words."""
        tokens = words(text)
        taken = [False] * len(tokens)
        found: dict[str, list[Found]] = {}

        def fuzzy(word: str) -> bool:
            return len(word) >= MIN_FUZZY_LENGTH and not self._ordinary(word)

        # Exact names first, in every index; only then are the words left over tried
        # fuzzily (a typo), so a word inside a name already found costs no fuzzy search.
        for exact in (True, False):
            for slot, index in self._indexes.items():
                if not exact and slot not in self._fuzzy:
                    continue
                spans = index.spans(
                    tokens,
                    fuzzy=(lambda _w: False) if exact else fuzzy,
                    compounds=not exact and slot in self._compounds,
                    taken=taken,
                )
                for span in spans:
                    if any(taken[span.start : span.end]):
                        continue
                    for k in range(span.start, span.end):
                        taken[k] = True
                    written = " ".join(tokens[span.start : span.end])
                    found.setdefault(slot, []).append(
                        Found(slot, written, span.keys, span.start, span.end, span.compound)
                    )
        self._drop_lower_case_words(text, tokens, found, taken)
        for i, token in enumerate(tokens):
            if taken[i]:
                continue
            number = "year" if _YEAR.match(token) else "n" if _NUMBER.match(token) else None
            if number is not None:
                found.setdefault(number, []).append(Found(number, token, (), i, i + 1))
        return Slots(
            text,
            {slot: tuple(sorted(items, key=lambda f: f.start)) for slot, items in found.items()},
            self._topics,
        )


def pack_topics(titles: Iterable[str]) -> frozenset[str]:
    """The one-word titles of a pack's questions and answers ("KITOS"), folded: topics a
    message may talk of even where the directory has a system of that name."""
    return frozenset(fold(title) for title in titles if len(title.split()) == 1)
