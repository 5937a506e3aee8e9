"""The replies the answer engine gives, built from a pack: a cited entry, choices, whom to ask."""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.entry import Entry
from knowledge.render import render
from knowledge.replies import (
    AnswerEntry,
    Citation,
    Confidence,
    KnowledgeAnswer,
    RelatedQuestion,
    Suggestion,
    WhoToAsk,
)
from knowledge.rules import Score
from knowledge.schema import Pack
from knowledge.schema_entries import Contact
from knowledge.text import Language


class ReplyBuilder:
    """Turns an entry (or a few, or none) of `pack` into the reply the user reads."""

    def __init__(self, pack: Pack, entries: Sequence[Entry], by_id: dict[str, int]) -> None:
        self.pack = pack
        self.entries = entries
        self.by_id = by_id

    def citation(self, entry: Entry, language: Language) -> Citation:
        """The citation of `entry` in `language`."""
        doc = self.pack.document(entry.source.doc)
        text = render(
            "citation",
            language,
            doc=doc,
            source=entry.source,
            origin=entry.origin,
            inspired_by=_practice_not_named(entry.inspired_by, doc.title, doc.publisher),
        )
        return Citation(
            document=doc.title,
            publisher=doc.publisher,
            section=entry.source.section,
            origin=entry.origin,
            inspired_by=entry.inspired_by,
            text=text,
        )

    def confident(
        self, query: str, lang: Language, index: int, score: float, fact: str | None = None
    ) -> KnowledgeAnswer:
        entry = self.entries[index]
        related = tuple(
            RelatedQuestion(rid, self.entries[self.by_id[rid]].question(lang))
            for rid in entry.related
            if rid in self.by_id
        )
        answered = AnswerEntry(
            id=entry.id,
            kind=entry.kind,
            title=entry.title(lang),
            text=entry.text(lang),
            citation=self.citation(entry, lang),
            related=related,
            fact=fact if fact and not entry.text(lang).startswith(fact) else None,
        )
        text = render(
            "answer",
            lang,
            title=answered.title,
            fact=answered.fact,
            text=answered.text,
            citation=answered.citation.text,
            related=related,
        )
        return KnowledgeAnswer(Confidence.CONFIDENT, lang, query, text, score, entry=answered)

    def suggest(self, query: str, lang: Language, picks: list[Score]) -> KnowledgeAnswer:
        suggestions = tuple(
            Suggestion(
                entry_id=self.entries[s.entry].id,
                title=self.entries[s.entry].title(lang),
                question=self.entries[s.entry].question(lang),
                score=round(s.score, 3),
            )
            for s in picks
        )
        text = render("suggest", lang, suggestions=suggestions)
        return KnowledgeAnswer(
            Confidence.SUGGEST, lang, query, text, picks[0].score, suggestions=suggestions
        )

    def unknown(
        self, query: str, lang: Language, score: float, elsewhere: Sequence[str] = ()
    ) -> KnowledgeAnswer:
        """The honest don't-know naming whom to ask; `elsewhere` are the other municipalities
        the question is about, whose material the pack does not hold."""
        contact = self.pack.default_contact
        text = render(
            "unknown", lang, contact=contact, elsewhere=elsewhere, own=self.pack.municipality
        )
        return KnowledgeAnswer(
            Confidence.UNKNOWN,
            lang,
            query,
            text,
            score,
            ask=tuple(_who(c, lang) for c in self.pack.contacts),
        )


def _practice_not_named(inspired_by: str | None, *document: str) -> str | None:
    """`inspired_by`, unless the cited document is its own ("Rebild Kommune", "KL's analyse").

    "Praksis fra KL's analyse af 14 kommuner" after KL's analysis as the source repeats the
    citation; a municipality named only in a section ("(Jammerbugt)") is still said in words.
    """
    if inspired_by is None:
        return None
    name = inspired_by.split()[0].removesuffix("'s").casefold()
    cited = " ".join(document).casefold()
    return None if re.search(rf"\b{re.escape(name)}\b", cited) else inspired_by


def _who(contact: Contact, lang: Language) -> WhoToAsk:
    return WhoToAsk(
        name=contact.name_da if lang == "da" else contact.name_en,
        note=contact.note_da if lang == "da" else contact.note_en,
        email=contact.email,
    )
