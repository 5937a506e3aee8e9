"""Which kind of governance body a question names that the active pack has none of.

"hvem er formand for styregruppen?" asked of Randers' pack: Randers' material describes no
styregruppe, so neither a generic don't-know nor another body's answer fits. The kinds are pack
data (packs/_shared/body_kinds.yaml); a pack lacks a kind when none of its bodies' names and
synonyms holds one of the kind's words. What the answer offers instead is read from the pack
too: the lines where a body's duties use the word ("Er styregruppe for …") and the bodies that
decide on IT and digitalisation (those with `decides`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pydantic import Field

from knowledge.schema import Pack
from knowledge.schema_base import Key, Model, Text
from knowledge.schema_bodies import Body
from knowledge.shared_data import load_shared
from knowledge.text import Language, name_key

BODY_KINDS_FILE = "body_kinds.yaml"


class BodyKind(Model):
    """A kind of governance body ("styregruppe"), how an answer names it, and its words."""

    key: Key
    name_da: Text
    name_en: Text
    words_da: tuple[Text, ...] = Field(min_length=1)
    words_en: tuple[Text, ...] = Field(min_length=1)

    def stems(self) -> tuple[str, ...]:
        """The kind's words as name keys (stemmed, folded), Danish and English."""
        return tuple(k for w in (*self.words_da, *self.words_en) if (k := name_key(w)))


class BodyKinds(Model):
    """Every kind govbot knows of."""

    kinds: tuple[BodyKind, ...] = Field(min_length=1)


@cache
def body_kinds() -> BodyKinds:
    """The validated kinds bundled with the packs."""
    return load_shared(BODY_KINDS_FILE, BodyKinds)


@dataclass(frozen=True)
class Mention:
    """A line of a body's own text that uses the kind's word ("Er styregruppe for …")."""

    body: Body
    line: str


def _holds(key: str, stem: str) -> bool:
    """Whether the name key `key` holds `stem`: a one-word stem inside a word (the end of a
    compound, "digitaliseringsstyregruppen", or its start, "styregruppeformanden"), a longer
    one as whole words in a row ("steering group")."""
    if " " in stem:
        return f" {stem} " in f" {key} "
    return any(stem in word for word in key.split())


class MissingBodies:
    """The kinds of body the pack lacks, and what it offers instead, for one pack."""

    def __init__(self, pack: Pack, kinds: BodyKinds | None = None) -> None:
        self.pack = pack
        names = [name_key(n) for body in pack.bodies for n in (*body.names, body.key)]
        self._names = [n for n in names if n]
        self.lacked = tuple(
            kind
            for kind in (kinds or body_kinds()).kinds
            if not any(_holds(n, s) for n in self._names for s in kind.stems())
        )

    def named(self, text: str) -> BodyKind | None:
        """The lacked kind `text` names, unless it also names one of the pack's bodies
        ("er sekretariatschefgruppen styregruppe?" is about that body)."""
        key = name_key(text)
        if not key or any(f" {n} " in f" {key} " for n in self._names):
            return None
        return next((k for k in self.lacked if any(_holds(key, s) for s in k.stems())), None)

    def mentions(self, kind: BodyKind, lang: Language) -> list[Mention]:
        """The lines of the pack's bodies (purpose and duties, in `lang`) using the kind's word."""
        found = []
        for body in self.pack.bodies:
            purpose = body.purpose_en if lang == "en" else body.purpose_da
            duties = body.duties_en if lang == "en" else body.duties_da
            for line in (purpose, *duties):
                if line and any(_holds(name_key(line), s) for s in kind.stems()):
                    found.append(Mention(body, line))
        return found

    def deciders(self) -> tuple[Body, ...]:
        """The bodies the pack says decide something on IT and digitalisation; every body when
        it says of none."""
        return tuple(b for b in self.pack.bodies if b.decides) or self.pack.bodies
