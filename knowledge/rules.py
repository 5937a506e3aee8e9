"""The hand-set rules for a sure answer, and the shapes of questions they look at.

A question worded like one of an entry's own phrasings, a passage that answers it by itself, or
an entry both matchers agree on is answered by these rules when no confidence model is fitted;
with a model, whether the rules would answer is one of its features (knowledge.confidence).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.retrieval import PassageHit

# (minimum score, minimum lead over the runner-up): a high score may win narrowly, a lower one
# only by a clear lead. The question must also be mostly explained (recall).
CONFIDENT_RULES = ((0.85, 0.04), (0.74, 0.12))
CONFIDENT_RECALL = 0.7
# The passage route (knowledge.retrieval): an answer found in what an entry says.
FACT_COVERAGE = 0.9
FACT_OWN = 0.45
FACT_LEAD = 0.25
FACT_VETO = 0.74
# Both matchers together: the mean of an entry's phrasing and passage scores.
FUSED_SCORE = 0.62
FUSED_LEAD = 0.08
FUSED_COVERAGE = 0.7
WHO = re.compile(r"^\s*(?:hvem|hvilket organ|hvilken enhed|who|which body)\b", re.IGNORECASE)
NUMBER = re.compile(
    r"\b(?:\d+(?:[.,]\d+)*|to|tre|fire|fem|seks|syv|otte|ni|ti|tolv|two|three|four|five|six"
    r"|seven|eight|ten)\b"
)
# A request for an action ("kan du booke et lokale") is not a question a passage answers.
REQUEST = re.compile(
    r"^\s*(?:(?:kan|vil|kunne|gider) du|(?:can|could|would|will) you|please|venligst"
    r"|book|bestil|send|skriv|spil|lav|find|opret|ring)\b",
    re.IGNORECASE,
)
# "hvor mange …" is answered only by an entry that names a number.
COUNTING = re.compile(r"\b(?:hvor mange|how many|antal|number of)\b", re.IGNORECASE)
# "hvor tit …", "hvornår …" is answered by when a body meets or an item falls in the year.
OFTEN = re.compile(
    r"\b(?:hvor (?:tit|ofte)|hvor mange (?:gange|møder)|hvornår|how often|how many (?:times"
    r"|meetings)|when)\b",
    re.IGNORECASE,
)
_WHEN_ENTRY = re.compile(r":(?:cadence|practice)$|:annual:")


def shape_fits(text: str, entry_id: str, kind: str) -> float:
    """1 when the entry is of the kind the question's shape asks for, -1 when not, else 0.

    "hvor tit mødes …" wants a cadence, an annual item or a working practice; "hvem …" wants
    a body, a role or a procurement step (who to contact) rather than a principle.
    """
    if OFTEN.search(text):
        return 1.0 if _WHEN_ENTRY.search(entry_id) else -1.0
    if WHO.search(text):
        return 1.0 if kind in ("body", "role", "procurement") else -1.0
    return 0.0


# "hvad koster …" is answered only by a passage that names an amount.
PRICE = re.compile(
    r"\b(?:koster|kostede|pris(?:en)?|priser|how much (?:does|do|did|is|are)\b.*\b(?:cost|pay)"
    r"|costs?|price|prices)\b",
    re.IGNORECASE,
)
AMOUNT = re.compile(r"\b(?:kr|kroner|dkk|mio|mia|million|millioner|billion)\b|\d\.\d{3}", re.I)
# Number words per language: English "to" is no number.
DIGITS = {
    "da": re.compile(r"\d|\b(?:to|tre|fire|fem|seks|syv|otte|ni|ti|en gang|én gang)\b", re.I),
    "en": re.compile(r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|once|twice)\b", re.I),
}


@dataclass(frozen=True, slots=True)
class Score:
    """A phrasing match of one entry: its F1 score, recall and precision."""

    entry: int
    score: float
    recall: float
    precision: float


def phrasing_confident(ranked: list[Score]) -> bool:
    """Whether the best phrasing match is sure by itself: high enough, far enough ahead."""
    top = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    lead = top.score - runner_up
    return top.recall >= CONFIDENT_RECALL and any(
        top.score >= score and lead >= margin for score, margin in CONFIDENT_RULES
    )


def best_per_entry(hits: list[PassageHit]) -> list[PassageHit]:
    """Each entry's best passage, in the order of `hits`."""
    best: dict[int, PassageHit] = {}
    for hit in hits:
        best.setdefault(hit.passage.entry, hit)
    return list(best.values())


def fact_answer(
    hits: list[PassageHit], top: Score | None, agree: Callable[[PassageHit, PassageHit], bool]
) -> tuple[PassageHit, float] | None:
    """The passage that answers the question by itself, and the answer's score, if any.

    Its words and its entry's subject must explain (nearly) every content word of the question,
    the passage itself a good part of them, and it must clearly beat the best passage that says
    something else; a strong phrasing match for another entry vetoes it.
    """
    if not hits:
        return None
    first = hits[0]
    if first.coverage < FACT_COVERAGE or first.own < FACT_OWN:
        return None
    rival = next(
        (h for h in hits[1:] if h.passage.entry != first.passage.entry and not agree(first, h)),
        None,
    )
    lead = 1.0 - (rival.score / first.score if rival else 0.0)
    if lead < FACT_LEAD:
        return None
    if top is not None and top.entry != first.passage.entry and top.score >= FACT_VETO:
        return None
    score = min(1.0, first.coverage) * (0.75 + 0.25 * min(1.0, lead / 0.5))
    return first, round(score, 3)


def fused_answer(
    ranked: list[Score], hits: list[PassageHit], agree: Callable[[PassageHit, PassageHit], bool]
) -> tuple[PassageHit, float] | None:
    """The entry both matchers agree on: the mean of its phrasing score and passage score.

    Entries whose best passages say the same thing are one answer, not rivals.
    """
    if not hits:
        return None
    phrasing = {s.entry: s.score for s in ranked}
    best = best_per_entry(hits)
    top_bm25 = hits[0].score
    passage = {
        h.passage.entry: h.coverage
        * (0.6 + 0.4 * min(1.0, h.own / 0.8))
        * math.sqrt(h.score / top_bm25)
        for h in best
    }
    by_entry = {h.passage.entry: h for h in best}
    fused = sorted(((phrasing.get(e, 0.0) + passage.get(e, 0.0)) / 2, e) for e in by_entry)[::-1]
    score, entry = fused[0]
    hit = by_entry[entry]
    rival = next((f for f, e in fused[1:] if not agree(hit, by_entry[e])), 0.0)
    if score < FUSED_SCORE or score - rival < FUSED_LEAD or hit.coverage < FUSED_COVERAGE:
        return None
    if ranked and ranked[0].entry != entry and ranked[0].score >= FACT_VETO:
        return None
    return hit, round(score, 3)
