"""The answer engine: match a question against a pack's entries and answer only when sure.

Every phrasing is normalised once (see knowledge.text). A question is scored against each
phrasing by idf-weighted fuzzy token overlap in both directions (recall: how much of the question
is explained; precision: how much of the phrasing is asked for). A wrong confident answer is worse
than "I don't know": an answer is confident only when the best entry covers the question well and
clearly beats the runner-up; a middling match offers up to three "Mente du …?" choices; anything
else is an honest don't-know that names whom to ask.
"""

from __future__ import annotations

import heapq
import weakref
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter

from knowledge.corpus import Entry, build_entries
from knowledge.render import render
from knowledge.schema import Contact, Pack
from knowledge.text import Language, Vocabulary, detect_language, normalise

# (minimum score, minimum lead over the runner-up): a high score may win narrowly, a lower one
# only by a clear lead. The question must also be mostly explained (recall).
CONFIDENT_RULES = ((0.85, 0.04), (0.74, 0.12))
CONFIDENT_RECALL = 0.7
# Bare names and duty sentences ("hvem opdaterer KITOS") match, but a real question wins.
HINT_FACTOR = 0.9
SUGGEST_SCORE = 0.5
SUGGEST_WINDOW = 0.25
MAX_SUGGESTIONS = 3
# Scores summed in another order may differ in the last bits; a bound must not prune on that.
_SLACK = 1e-9


class Confidence(StrEnum):
    """How sure the engine is."""

    CONFIDENT = "confident"
    SUGGEST = "suggest"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Citation:
    """Where an answer comes from, ready to print after "Kilde:"/"Source:"."""

    document: str
    publisher: str
    section: str
    origin: str
    inspired_by: str | None
    text: str


@dataclass(frozen=True, slots=True)
class RelatedQuestion:
    """A follow-up question; send `question` back (or answer `entry_id`) when it is clicked."""

    entry_id: str
    question: str


@dataclass(frozen=True, slots=True)
class AnswerEntry:
    """One answered entry in the answer's language."""

    id: str
    kind: str
    title: str
    text: str
    citation: Citation
    related: tuple[RelatedQuestion, ...]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A candidate for "Mente du …?"."""

    entry_id: str
    title: str
    question: str
    score: float


@dataclass(frozen=True, slots=True)
class WhoToAsk:
    """A person or unit to ask when the bot does not know."""

    name: str
    note: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class KnowledgeAnswer:
    """The engine's reply: a confident entry, suggestions, or an honest don't-know."""

    confidence: Confidence
    language: Language
    query: str
    text: str
    score: float
    entry: AnswerEntry | None = None
    suggestions: tuple[Suggestion, ...] = ()
    ask: tuple[WhoToAsk, ...] = ()


@dataclass(frozen=True, slots=True)
class _Phrasing:
    entry: int
    tokens: tuple[str, ...]
    factor: float
    weights: tuple[float, ...]
    weight_sum: float


@dataclass(frozen=True, slots=True)
class _Score:
    entry: int
    score: float
    recall: float
    precision: float


# An entry keeps its best phrasing's score; equal scores are settled by recall, then precision.
_STRENGTH = attrgetter("score", "recall", "precision")


class KnowledgeIndex:
    """A pack's entries with their normalised phrasings; build once per pack and reuse."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.entries = build_entries(pack)
        self.by_id = {e.id: i for i, e in enumerate(self.entries)}
        raw: list[tuple[int, tuple[str, ...], float]] = []
        docs: list[set[str]] = []
        for i, entry in enumerate(self.entries):
            seen: set[tuple[str, ...]] = set()
            tokens_of_entry: set[str] = set()
            full = ((q, 1.0) for q in (*entry.questions_da, *entry.questions_en))
            hints = ((q, HINT_FACTOR) for q in (*entry.hints_da, *entry.hints_en))
            for question, factor in (*full, *hints):
                tokens = tuple(dict.fromkeys(normalise(question)))
                if tokens and tokens not in seen:
                    seen.add(tokens)
                    raw.append((i, tokens, factor))
                    tokens_of_entry.update(tokens)
            docs.append(tokens_of_entry)
        self.vocabulary = Vocabulary(docs)
        self.phrasings = tuple(
            _Phrasing(entry, tokens, factor, weights, sum(weights))
            for entry, tokens, factor in raw
            for weights in [tuple(self.vocabulary.weight(t) for t in tokens)]
        )
        self._by_token: dict[str, list[int]] = {}
        for n, phrasing in enumerate(self.phrasings):
            for token in phrasing.tokens:
                self._by_token.setdefault(token, []).append(n)

    def rank(self, text: str, limit: int | None = None) -> list[_Score]:
        """Entries scored against `text`, best first (one score per entry; the `limit` best)."""
        vocab = self.vocabulary
        words: list[str] = []
        for token in normalise(text):
            near = vocab.neighbours(token)
            parts = vocab.split(token) if not near or near[0][1] < 0.8 else None
            words.extend(parts or (token,))
        query = tuple(dict.fromkeys(words))
        if not query:
            return []
        weights = [vocab.query_weight(q) for q in query]
        total = sum(weights)
        # Each vocabulary word near the query lists the query words it resembles, so a phrasing
        # is scored by walking its own few words once (see _score).
        near: dict[str, list[tuple[int, float]]] = {}
        # An upper bound of each candidate's recall: a query word with any neighbour in the
        # phrasing counts as if its best neighbour were there.
        bound: dict[int, float] = {}
        for i, q in enumerate(query):
            neighbours = vocab.neighbours(q)
            for token, similarity in neighbours:
                near.setdefault(token, []).append((i, similarity))
            if neighbours:
                share = weights[i] * neighbours[0][1]
                for n in set().union(*(self._by_token.get(t, ()) for t, _ in neighbours)):
                    bound[n] = bound.get(n, 0.0) + share
        # Best bound first; once even a perfect precision cannot lift a phrasing to the
        # `limit`-th entry's score (the F1 is at most 2R/(1+R)), no later one can either.
        floor = 0.0
        best: dict[int, _Score] = {}
        for visited, n in enumerate(sorted(bound, key=bound.__getitem__, reverse=True)):
            if limit and visited % 16 == 0 and len(best) >= limit:
                floor = heapq.nlargest(limit, (s.score for s in best.values()))[-1]
            recall = bound[n] / total
            if 2 * recall / (1 + recall) < floor - _SLACK:
                break
            score = self._score(self.phrasings[n], near, weights, total)
            if score is None:
                continue
            current = best.get(score.entry)
            if current is None or _STRENGTH(score) > _STRENGTH(current):
                best[score.entry] = score
        return sorted(best.values(), key=lambda s: (-s.score, -s.recall, s.entry))[:limit]

    @staticmethod
    def _score(
        phrasing: _Phrasing,
        near: dict[str, list[tuple[int, float]]],
        weights: list[float],
        total: float,
    ) -> _Score | None:
        """Idf-weighted fuzzy recall and precision of one phrasing, and their F1 (None if 0)."""
        explained = [0.0] * len(weights)
        covered: list[float] = []
        for p in phrasing.tokens:
            top = 0.0
            for i, similarity in near.get(p, ()):
                if similarity > top:
                    top = similarity
                if similarity > explained[i]:
                    explained[i] = similarity
            covered.append(top)
        recall = sum(w * e for w, e in zip(weights, explained, strict=True)) / total
        precision = (
            sum(w * c for w, c in zip(phrasing.weights, covered, strict=True)) / phrasing.weight_sum
        )
        if recall + precision == 0:
            return None
        score = phrasing.factor * 2 * recall * precision / (recall + precision)
        return _Score(phrasing.entry, score, recall, precision)

    def answer(self, text: str, language: Language | None = None) -> KnowledgeAnswer:
        """Answer `text` from the pack (see the module docstring for the confidence rules)."""
        lang = language or detect_language(text)
        ranked = self.rank(text, limit=max(2, MAX_SUGGESTIONS))
        if ranked:
            top = ranked[0]
            runner_up = ranked[1].score if len(ranked) > 1 else 0.0
            lead = top.score - runner_up
            if top.recall >= CONFIDENT_RECALL and any(
                top.score >= score and lead >= margin for score, margin in CONFIDENT_RULES
            ):
                return self._confident(text, lang, top.entry, top.score)
            if top.score >= SUGGEST_SCORE:
                floor = max(SUGGEST_SCORE, top.score - SUGGEST_WINDOW)
                picks = [s for s in ranked if s.score >= floor][:MAX_SUGGESTIONS]
                return self._suggest(text, lang, picks)
        return self._unknown(text, lang, ranked[0].score if ranked else 0.0)

    def answer_entry(self, entry_id: str, language: Language = "da") -> KnowledgeAnswer:
        """The confident answer for a known entry id (for buttons); KeyError when unknown."""
        return self._confident("", language, self.by_id[entry_id], 1.0)

    def entry(self, entry_id: str) -> Entry:
        """The raw entry with `entry_id`; KeyError when unknown."""
        return self.entries[self.by_id[entry_id]]

    # --- building replies -------------------------------------------------------------------

    def citation(self, entry: Entry, language: Language) -> Citation:
        """The citation of `entry` in `language`."""
        doc = self.pack.document(entry.source.doc)
        text = render(
            "citation",
            language,
            doc=doc,
            source=entry.source,
            origin=entry.origin,
            inspired_by=entry.inspired_by,
        )
        return Citation(
            document=doc.title,
            publisher=doc.publisher,
            section=entry.source.section,
            origin=entry.origin,
            inspired_by=entry.inspired_by,
            text=text,
        )

    def _confident(self, query: str, lang: Language, index: int, score: float) -> KnowledgeAnswer:
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
        )
        text = render(
            "answer",
            lang,
            title=answered.title,
            text=answered.text,
            citation=answered.citation.text,
            related=related,
        )
        return KnowledgeAnswer(Confidence.CONFIDENT, lang, query, text, score, entry=answered)

    def _suggest(self, query: str, lang: Language, picks: list[_Score]) -> KnowledgeAnswer:
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

    def _unknown(self, query: str, lang: Language, score: float) -> KnowledgeAnswer:
        contact = self.pack.default_contact
        text = render("unknown", lang, contact=contact)
        return KnowledgeAnswer(
            Confidence.UNKNOWN,
            lang,
            query,
            text,
            score,
            ask=tuple(_who(c, lang) for c in self.pack.contacts),
        )


def _who(contact: Contact, lang: Language) -> WhoToAsk:
    return WhoToAsk(
        name=contact.name_da if lang == "da" else contact.name_en,
        note=contact.note_da if lang == "da" else (contact.note_en or contact.note_da),
        email=contact.email,
    )


_INDEXES: dict[int, tuple[weakref.ref[Pack], KnowledgeIndex]] = {}


def knowledge_index(pack: Pack) -> KnowledgeIndex:
    """The index of `pack`, built on first use and kept as long as the pack lives."""
    hit = _INDEXES.get(id(pack))
    if hit is not None and hit[0]() is pack:
        return hit[1]
    for key in [k for k, (ref, _) in _INDEXES.items() if ref() is None]:
        del _INDEXES[key]
    index = KnowledgeIndex(pack)
    _INDEXES[id(pack)] = (weakref.ref(pack), index)
    return index


def answer_question(pack: Pack, text: str, language: Language | None = None) -> KnowledgeAnswer:
    """Answer `text` from `pack`; the language is detected from the text unless given."""
    return knowledge_index(pack).answer(text, language)


def answer_entry(pack: Pack, entry_id: str, language: Language = "da") -> KnowledgeAnswer:
    """The confident answer for `entry_id` (a related-question or suggestion button)."""
    return knowledge_index(pack).answer_entry(entry_id, language)
