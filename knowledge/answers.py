"""The answer engine: match a question against a pack's entries and answer only when sure.

A question is scored against the entries' own phrasings (knowledge.phrasings) and against every
passage the pack says (knowledge.retrieval); hand-set rules and a calibrated model
(knowledge.confidence) read both. A wrong confident answer is worse than "I don't know": an
answer is confident only when the best entry covers the question well and clearly beats the
runner-up; a middling match offers up to three "Mente du …?" choices; anything else is an
honest don't-know that names whom to ask (built by knowledge.answer_replies).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from knowledge.answer_replies import ReplyBuilder
from knowledge.confidence import ConfidenceModel, load_model
from knowledge.corpus import build_entries
from knowledge.entry import Entry
from knowledge.escalation_words import EscalationWords
from knowledge.municipalities import named_elsewhere, named_municipalities
from knowledge.paraphrases import with_paraphrases, without_sets
from knowledge.phrasings import PhrasingIndex
from knowledge.replies import Confidence, KnowledgeAnswer
from knowledge.retrieval import QUESTION_WORDS, Passage, PassageHit, PassageIndex, passages_of
from knowledge.rules import (
    AMOUNT,
    COUNTING,
    DIGITS,
    NUMBER,
    PRICE,
    REQUEST,
    WHO,
    Score,
    best_per_entry,
    fact_answer,
    fused_answer,
    phrasing_confident,
    shape_fits,
)
from knowledge.schema import Pack
from knowledge.text import (
    Language,
    detect_language,
    normalise,
    particle_compounds,
    question_focus,
)

SUGGEST_SCORE = 0.5
SUGGEST_WINDOW = 0.25
MAX_SUGGESTIONS = 3
# The chance a whole message must give the entry its question sentence alone is sure of.
FOCUS_CHANCE = 0.1
# A passage is quoted before its entry when it explains this much of the question itself.
QUOTE_OWN = 0.5
SUGGEST_COVERAGE = 0.6
# The model's middle band: a candidate this likely (and this close to the best) is offered.
SUGGEST_PROBABILITY = 0.3
SUGGEST_PROBABILITY_WINDOW = 0.3
SUGGEST_OWN = 0.35
SUGGEST_MIN_COVERAGE = 0.5
SUGGEST_FROM_COVERAGE = 0.6
# A body's or role's one-word name this long names it ("programgruppen"; not "ejer").
MIN_OWNER_NAME = 6
# Words of sums ("10 gange 5", "2 plus 2"), stemmed as `normalise` leaves them.
ARITHMETIC = frozenset(normalise("gange plus minus divideret times"))
# The id ending of a role's "whom does it escalate to" entry (knowledge.corpus).
ESCALATION = ":escalation"

__all__ = [
    "Confidence",
    "KnowledgeAnswer",
    "KnowledgeIndex",
    "answer_entry",
    "answer_question",
    "answer_unknown",
    "knowledge_index",
]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry that might answer a question: the model's features and its probability."""

    entry: int
    features: tuple[float, ...]
    probability: float


_MODEL = load_model()


class KnowledgeIndex:
    """A pack's entries with their normalised phrasings; build once per pack and reuse."""

    def __init__(
        self,
        pack: Pack,
        model: ConfidenceModel | None = None,
        excluded_sets: frozenset[str] | None = frozenset(),
    ) -> None:
        """`excluded_sets`: the dev sets whose paraphrases to leave out (knowledge.paraphrases);
        None leaves out every paraphrase."""
        self.pack = pack
        self.model = model if model is not None else _MODEL
        entries = build_entries(pack)
        if excluded_sets is not None:
            chosen = without_sets(pack.paraphrases, excluded_sets)
            entries = with_paraphrases(entries, chosen, pack.key)
        self.entries = entries
        self.by_id = {e.id: i for i, e in enumerate(self.entries)}
        self.passages = PassageIndex(
            (
                p
                for i, e in enumerate(self.entries)
                for p in passages_of(e, i, {"da": e.subject_da, "en": e.subject_en})
            ),
            synonyms=pack.synonym_map(),
            everyday=pack.terms.everyday,
        )
        self.phrasings = PhrasingIndex(self.entries, self.passages.not_parts)
        self.vocabulary = self.phrasings.vocabulary
        self.replies = ReplyBuilder(pack, self.entries, self.by_id)
        self.escalation = EscalationWords(pack.terms)

    def rank(self, text: str, limit: int | None = None) -> list[Score]:
        """Entries scored against `text` by their own phrasings, best first (the `limit` best)."""
        return self.phrasings.rank(text, limit)

    def answer(self, text: str, language: Language | None = None) -> KnowledgeAnswer:
        """Answer `text` from the pack (see the module docstring for the confidence rules)."""
        found = self._answer(text, language)
        # A message naming another municipality is not ours to answer, whatever its question.
        framed = found.confidence != "confident" and not named_elsewhere(
            text, self.pack.municipality
        )
        focus = question_focus(text) if framed else None
        if focus is not None:
            # Asked alone, the question sentence may be answered with certainty. It is taken only
            # when the whole message, too, gives that entry a fair chance, so that what the
            # message tells around it ("min fodboldklub …") does not point elsewhere.
            alone = self._answer(focus, language or found.language)
            if alone.confidence == "confident" and alone.entry is not None:
                chance = max(
                    (
                        c.probability
                        for c in self.weighed(text)[0]
                        if self.entries[c.entry].id == alone.entry.id
                    ),
                    default=0.0,
                )
                if chance >= FOCUS_CHANCE:
                    found = alone
        entry = found.entry
        if (
            entry is not None
            and entry.id.endswith(ESCALATION)
            and self.escalation.only_reports(text)
        ):
            # "hvem laver superbrugerrapporten" speaks of a report, not of where a fault goes:
            # the role and its escalation are offered, not answered as if asked.
            role = self.by_id.get(entry.id.removesuffix(ESCALATION))
            picks = [i for i in (role, self.by_id[entry.id]) if i is not None]
            scores = [Score(i, found.score, found.score, found.score) for i in picks]
            return self.replies.suggest(text, found.language, scores)
        return found

    def _answer(self, text: str, language: Language | None) -> KnowledgeAnswer:
        lang = language or detect_language(text)
        asked, text = text, self.matching_text(text)
        elsewhere = named_elsewhere(asked, self.pack.municipality)
        if elsewhere and not any(self._speaks_of(i, elsewhere) for i in range(len(self.entries))):
            return self.replies.unknown(asked, lang, 0.0, elsewhere=sorted(elsewhere))
        if _only_numbers(text):
            # "hvad er 2+2" names nothing the pack speaks of: its numbers match any figure.
            return self.replies.unknown(asked, lang, 0.0)
        ranked = self.rank(text, limit=10)
        hits = self.passages.search(text, limit=40)
        request = bool(REQUEST.search(asked))
        agree = self._agreement(text)
        rules = None if request else self._rules_answer(text, ranked, hits, agree)
        likely: list[Score] = []
        if self.model is None:
            if rules is not None:
                entry, score = rules
                return self.replies.confident(
                    asked, lang, entry, score, fact=self._fact(entry, hits, lang)
                )
        elif ranked and phrasing_confident(ranked) and self._speaks_of(ranked[0].entry, elsewhere):
            # A question worded as one of the entry's own needs no model.
            entry, score = ranked[0].entry, ranked[0].score
            fact = self._fact(entry, hits, lang)
            return self.replies.confident(asked, lang, entry, score, fact=fact)
        elif not request:
            candidates = [
                c
                for c in self.candidates(text, ranked, hits, agree, rules)
                if self._speaks_of(c.entry, elsewhere)
            ]
            if candidates:
                best = max(candidates, key=lambda c: c.probability)
                if best.probability >= self.model.threshold:
                    fact = self._fact(best.entry, hits, lang)
                    return self.replies.confident(
                        asked, lang, best.entry, round(best.probability, 3), fact=fact
                    )
                likely = _likely(candidates)
        picks = self._distinct([*likely, *self._candidates(ranked[:MAX_SUGGESTIONS], hits)])
        if picks:
            return self.replies.suggest(asked, lang, picks)
        top = ranked[0] if ranked else None
        best_score = max((top.score if top else 0.0), *(h.coverage * 0.5 for h in hits[:1]), 0.0)
        return self.replies.unknown(asked, lang, best_score)

    def _speaks_of(self, index: int, municipalities: frozenset[str]) -> bool:
        """Whether entry `index` names every one of `municipalities` (true for none).

        The KL analysis' practices name their municipality ("Jammerbugt"), so a question about
        Jammerbugt may be answered from them, and from nothing else in the pack.
        """
        if not municipalities:
            return True
        return municipalities <= self._municipalities_named[index]

    @cached_property
    def _municipalities_named(self) -> list[frozenset[str]]:
        """Per entry, the municipalities its texts name (found once, on the first question
        that names one)."""
        return [
            named_municipalities(" ".join((e.text_da, e.text_en, e.inspired_by or "")))
            for e in self.entries
        ]

    def uses_words(self, words: str) -> bool:
        """Whether every content word of `words` is one the pack's texts use (or an everyday
        word), so that "the report" is something the pack tells of, not an unknown name."""
        tokens = normalise(words)
        return any(map(self._knows, tokens)) and all(
            self._knows(t) or t in self.passages.fillers for t in tokens
        )

    def _knows(self, token: str) -> bool:
        """Whether a normalised word is in the pack's passages or phrasings."""
        return token in self.passages.vocabulary or token in self.vocabulary

    def matching_text(self, text: str) -> str:
        """`text` plus the compounds its particle verbs make, where the pack uses them.

        "Hvem skriver under på kontrakten" then also says "underskriver", the pack's word.
        """
        joined = [c for c in particle_compounds(text) if any(map(self._knows, normalise(c)))]
        return " ".join((text, *joined))

    def _rules_answer(
        self,
        text: str,
        ranked: list[Score],
        hits: list[PassageHit],
        agree: Callable[[PassageHit, PassageHit], bool],
    ) -> tuple[int, float] | None:
        """The entry the hand-set rules answer, and its score (one input of the model)."""
        top = ranked[0] if ranked else None
        if top is not None and phrasing_confident(ranked):
            return top.entry, top.score
        found = fact_answer(hits, top, agree) or fused_answer(ranked, hits, agree)
        if found is None:
            return None
        hit, score = found
        # "hvor mange …" is not answered by a passage that names no number.
        price = bool(PRICE.search(text))
        if (COUNTING.search(text) or price) and not self._names_number(
            hit.passage.entry, hit, price
        ):
            return None
        return hit.passage.entry, score

    def candidates(
        self,
        text: str,
        ranked: list[Score],
        hits: list[PassageHit],
        agree: Callable[[PassageHit, PassageHit], bool],
        rules: tuple[int, float] | None,
    ) -> list[Candidate]:
        """The few entries worth answering, each with the model's features and probability."""
        best = best_per_entry(hits)
        phrasing = {s.entry: s for s in ranked}
        passage = {h.passage.entry: h for h in best}
        entries = list(
            dict.fromkeys([s.entry for s in ranked[:3]] + [h.passage.entry for h in best[:3]])
        )
        if not entries:
            return []
        terms = self.passages.query_terms(text)
        total = sum(w for _, w, _ in terms) or 1.0
        unmatched = sum(w for _, w, near in terms if not near) / total
        # Words found only by a loose fuzzy match ("skærm" ~ "skær") explain little.
        fuzzy_only = sum(w for _, w, near in terms if near and max(near.values()) < 0.9) / total
        # How much the pack knows of the question and how much it does not, in words: a long
        # question that names three of the pack's things and a workplace is still in scope,
        # one naming a single unknown thing is not.
        unit = self.passages.max_idf
        matched_words = min(4.0, sum(w for _, w, near in terms if near) / unit)
        unmatched_words = min(4.0, sum(w for _, w, near in terms if not near) / unit)
        top_bm25 = hits[0].score if hits else 1.0
        price = bool(PRICE.search(text))
        counting = price or bool(COUNTING.search(text))
        out: list[Candidate] = []
        for e in entries:
            ph = phrasing.get(e)
            ph_score = ph.score if ph else 0.0
            other_ph = max((s.score for s in ranked if s.entry != e), default=0.0)
            hit = passage.get(e)
            if hit is not None:
                rival = next(
                    (h.score for h in best if h.passage.entry != e and not agree(hit, h)), 0.0
                )
                bm25_share = math.sqrt(hit.score / top_bm25)
                passage_lead = max(-1.0, (hit.score - rival) / hit.score)
                coverage, own = hit.coverage, hit.own
            else:
                bm25_share = coverage = own = 0.0
                passage_lead = -1.0
            lead = max(0.0, passage_lead)
            features = (
                ph_score,
                max(-0.5, ph_score - other_ph),
                ph_score * (ph.recall if ph else 0.0),
                coverage,
                own,
                coverage * own,
                lead,
                coverage * lead,
                bm25_share,
                unmatched,
                fuzzy_only,
                1.0 if rules is not None and rules[0] == e else 0.0,
                1.0 if ranked and hits and ranked[0].entry == e == hits[0].passage.entry else 0.0,
                1.0 if counting and not self._names_number(e, hit, price) else 0.0,
                matched_words,
                unmatched_words,
                shape_fits(text, self.entries[e].id, self.entries[e].kind),
            )
            probability = self.model.probability(features) if self.model else 0.0
            out.append(Candidate(e, features, probability))
        return out

    def weighed(self, question: str) -> tuple[list[Candidate], list[PassageHit]]:
        """Every candidate entry of `question` with its features, and the passages found: what
        `answer` weighs, for fitting the model and labelling dev questions."""
        text = self.matching_text(question)
        ranked = self.rank(text, limit=10)
        hits = self.passages.search(text, limit=40)
        agree = self._agreement(text)
        rules = self._rules_answer(text, ranked, hits, agree)
        return self.candidates(text, ranked, hits, agree, rules), hits

    def _names_number(self, index: int, hit: PassageHit | None, price: bool = False) -> bool:
        """Whether the entry says a number where it answers (what "hvor mange" needs).

        The passage that matched must name it ("2 chefer fra velfærdsområdet"); with no passage,
        anywhere in the entry will do. A price question needs an amount ("800.000 kr.").
        """
        entry = self.entries[index]
        if price:
            text = hit.passage.text if hit is not None and hit.passage.kind == "fact" else ""
            return bool(AMOUNT.search(text or entry.text_da + " " + entry.text_en))
        if hit is not None and hit.passage.kind == "fact":
            return bool(DIGITS[hit.passage.language].search(hit.passage.text))
        return bool(DIGITS["da"].search(entry.text_da) or DIGITS["en"].search(entry.text_en))

    def _agreement(self, text: str) -> Callable[[PassageHit, PassageHit], bool]:
        """When two passages give the same answer to `text`, so that neither is the other's rival.

        They agree when they say the same words; when both name the same number the question
        does not ("to gange om året" in two entries); and, for a "hvem"/"who" question, when
        both belong to the same body or role, which is then the answer.
        """
        asked = set(NUMBER.findall(text.casefold()))
        who = bool(WHO.search(text))

        def agree(a: PassageHit, b: PassageHit) -> bool:
            if a.passage.tokens == b.passage.tokens:
                return True
            numbers = set(NUMBER.findall(a.passage.text.casefold())) - asked
            if numbers & set(NUMBER.findall(b.passage.text.casefold())):
                return True
            if not who:
                return False
            owner_a, owner_b = self._owner(a.passage.entry), self._owner(b.passage.entry)
            if owner_a is None or owner_b is None:
                # "Programgruppen administrerer en systemportefølje" in the portfolio's own
                # entry answers "hvem" as the programme group's entry does.
                other = b if owner_a is not None else a
                owner = owner_a or owner_b
                return owner is not None and self._named_owner(other.passage) == owner[0]
            if owner_a == owner_b:
                return True
            # "Dispensation … gives af IT & Digitalisering" answers "hvem" as the body does.
            text_a = self.entries[a.passage.entry].text_da.casefold()
            text_b = self.entries[b.passage.entry].text_da.casefold()
            return owner_a[1].casefold() in text_b or owner_b[1].casefold() in text_a

        return agree

    def _named_owner(self, passage: Passage) -> str | None:
        """The one body or role a passage of an entry about neither names, if just one."""
        named = {base for token in passage.tokens for base in self._owner_names.get(token, ())}
        return next(iter(named)) if len(named) == 1 else None

    @cached_property
    def _owner_names(self) -> dict[str, frozenset[str]]:
        """Each one-word name of a body or role ("programgruppen") → the entries it names."""
        found: dict[str, set[str]] = {}
        for entry in self.entries:
            if entry.kind in ("body", "role") and ":" not in entry.id.partition(":")[2]:
                for name in (*entry.subject_da, *entry.subject_en):
                    tokens = normalise(name)
                    if len(tokens) == 1 and len(tokens[0]) >= MIN_OWNER_NAME:
                        found.setdefault(tokens[0], set()).add(entry.id)
        return {token: frozenset(bases) for token, bases in found.items()}

    def _owner(self, index: int) -> tuple[str, str] | None:
        """The body or role an entry is about, with its Danish name."""
        kind, _, rest = self.entries[index].id.partition(":")
        if kind not in ("body", "role"):
            return None
        base = f"{kind}:{rest.partition(':')[0]}"
        return (base, self.entries[self.by_id[base]].title_da) if base in self.by_id else None

    def _fact(self, entry: int, hits: list[PassageHit], lang: Language) -> str | None:
        """The passage of `entry` that answers the question, when one stands out."""
        # The title says what the entry is; a fact is worth quoting only when it says more.
        title = max(
            (h.own for h in hits if h.passage.entry == entry and h.passage.kind == "title"),
            default=0.0,
        )
        for hit in hits:
            p = hit.passage
            if p.entry == entry and p.kind == "fact" and hit.own >= QUOTE_OWN:
                if hit.own <= title or (
                    p.language != lang and p.text not in self.entries[entry].text(lang)
                ):
                    continue
                return p.text
        return None

    def _candidates(self, ranked: list[Score], hits: list[PassageHit]) -> list[Score]:
        """Up to three different entries worth offering as "Mente du …?"."""
        picks: dict[int, Score] = {}
        # A choice must explain most of the question: "formand for golfklubben" offers no chairs.
        covered = {h.passage.entry: h.coverage for h in best_per_entry(hits)}
        if ranked and ranked[0].score >= SUGGEST_SCORE:
            floor = max(SUGGEST_SCORE, ranked[0].score - SUGGEST_WINDOW)
            for s in ranked:
                if s.score >= floor and covered.get(s.entry, 0.0) >= SUGGEST_MIN_COVERAGE:
                    picks.setdefault(s.entry, s)
        for hit in best_per_entry(hits):
            if hit.coverage < SUGGEST_COVERAGE or hit.own < SUGGEST_OWN:
                continue
            if hit.passage.entry not in picks:
                score = round(hit.coverage * SUGGEST_FROM_COVERAGE, 3)
                picks[hit.passage.entry] = Score(hit.passage.entry, score, hit.coverage, hit.own)
        return sorted(picks.values(), key=lambda s: -s.score)

    def _distinct(self, picks: list[Score]) -> list[Score]:
        """Up to three picks, in order, that lead to different texts (and different entries)."""
        seen: set[str] = set()
        out: list[Score] = []
        for s in picks:
            body = self.entries[s.entry].text_da
            if body not in seen:
                seen.add(body)
                out.append(s)
        return out[:MAX_SUGGESTIONS]

    def answer_entry(self, entry_id: str, language: Language = "da") -> KnowledgeAnswer:
        """The confident answer for a known entry id (for buttons); KeyError when unknown."""
        return self.replies.confident("", language, self.by_id[entry_id], 1.0)

    def entry(self, entry_id: str) -> Entry:
        """The raw entry with `entry_id`; KeyError when unknown."""
        return self.entries[self.by_id[entry_id]]


def _only_numbers(text: str) -> bool:
    """Whether every content word of `text` is a number ("hvad er 2+2", "10 gange 5")."""
    words = [t for t in normalise(text) if t not in QUESTION_WORDS and t not in ARITHMETIC]
    return bool(words) and all(NUMBER.fullmatch(t) for t in words)


def _likely(candidates: list[Candidate]) -> list[Score]:
    """The model's candidates worth offering as "Mente du …?", most likely first.

    Below the answer threshold a candidate is still offered when the model gives it a fair
    chance and it is not far behind the best: on the dev sets the right answer is among
    these in nine of ten questions the engine is unsure of, and out-of-scope questions
    seldom reach the floor.
    """
    best = max(c.probability for c in candidates)
    floor = max(SUGGEST_PROBABILITY, best - SUGGEST_PROBABILITY_WINDOW)
    ranked = sorted(candidates, key=lambda c: -c.probability)
    return [
        Score(c.entry, round(c.probability, 3), 0.0, 0.0) for c in ranked if c.probability >= floor
    ]


def knowledge_index(pack: Pack) -> KnowledgeIndex:
    """The index of `pack` (Pack.knowledge: built on first use, kept by the pack)."""
    return pack.knowledge


def answer_question(pack: Pack, text: str, language: Language | None = None) -> KnowledgeAnswer:
    """Answer `text` from `pack`; the language is detected from the text unless given."""
    return knowledge_index(pack).answer(text, language)


def answer_entry(pack: Pack, entry_id: str, language: Language = "da") -> KnowledgeAnswer:
    """The confident answer for `entry_id` (a related-question or suggestion button)."""
    return knowledge_index(pack).answer_entry(entry_id, language)


def answer_unknown(pack: Pack, language: Language = "da") -> KnowledgeAnswer:
    """The honest don't-know naming whom to ask (the "Ingen af dem" button)."""
    return knowledge_index(pack).replies.unknown("", language, 0.0)
