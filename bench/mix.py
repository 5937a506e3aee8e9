"""The mix of turns a conversation posts: role look-ups, knowledge answers, procurement steps
and small talk, in one repeating order, each turn labelled with its kind.

The texts are the README's examples (never the held-out sets); the procurement steps walk the
guide's first questions and cancel, so every cycle starts the guide afresh.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

from bench.load import Script

ROLE, KNOWLEDGE, PROCUREMENT, SMALL_TALK = (
    "role look-up",
    "knowledge answer",
    "procurement step",
    "small talk",
)
KINDS = (ROLE, KNOWLEDGE, PROCUREMENT, SMALL_TALK)

_ROLE_QUESTIONS = (
    "hvem er systemejer for {}",
    "hvem er dataejer for {}",
    "superbrugere i {}",
    "hvem er kontraktejer for {}",
)
_KNOWLEDGE_QUESTIONS = (
    "hvad laver en superbruger",
    "hvilke principper gælder",
    "hvad betyder SaaS?",
    "hvor tit mødes styregruppen",
)
_PROCUREMENT_STEPS = (
    "vi vil gerne købe et system til booking",
    "Borgerservice",
    "Ingen persondata",
    "annuller",
)
_SMALL_TALK = ("tak", "hvem er du")

# One cycle: 14 turns, 5 role look-ups, 3 knowledge answers, 4 procurement steps, 2 small talk.
# The procurement steps run back to back (start, unit, first question, cancel), so the other
# kinds are asked outside the guide, as their own intents.
_CYCLE = (
    ROLE, KNOWLEDGE, ROLE, SMALL_TALK, ROLE, PROCUREMENT, PROCUREMENT, PROCUREMENT,
    PROCUREMENT, KNOWLEDGE, ROLE, SMALL_TALK, ROLE, KNOWLEDGE,
)  # fmt: skip


def mix(systems: list[str]) -> Script:
    """Each conversation's endless (kind, text) turns; role look-ups name random systems."""

    def turns(rng: random.Random) -> Iterator[tuple[str, str]]:
        steps = itertools.cycle(_PROCUREMENT_STEPS)
        for kind in itertools.cycle(_CYCLE):
            if kind == ROLE:
                yield kind, rng.choice(_ROLE_QUESTIONS).format(rng.choice(systems))
            elif kind == KNOWLEDGE:
                yield kind, rng.choice(_KNOWLEDGE_QUESTIONS)
            elif kind == PROCUREMENT:
                yield kind, next(steps)
            else:
                yield kind, rng.choice(_SMALL_TALK)

    return turns


def share(kind: str) -> float:
    """The share of the mix's turns that are of `kind`."""
    return _CYCLE.count(kind) / len(_CYCLE)
