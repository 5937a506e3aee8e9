"""What the answer engine replies: a confident entry, "Mente du …?" choices, or whom to ask."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from knowledge.text import Language


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
    # The passage that answers the question (a list item, a number), quoted before the entry.
    fact: str | None = None


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
