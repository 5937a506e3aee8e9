"""The intent table: what a message asks for, matched by command, pattern or fuzzy phrase.

Later capabilities add rows here; the handler routes a matched intent to its action by key.
Anything no row matches goes to the knowledge answerer, then to the fallback.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process

from dialogs.base import CONTROL_COMMANDS


@dataclass(frozen=True)
class Intent:
    """One thing a user can ask for, and the ways they say it."""

    key: str
    commands: tuple[str, ...] = ()  # whole messages, compared after normalisation
    patterns: tuple[str, ...] = ()  # regexes with named groups for parameters
    phrases: tuple[str, ...] = ()  # example phrasings, matched fuzzily
    min_score: float = 88.0

    @cached_property
    def compiled(self) -> tuple[re.Pattern[str], ...]:
        """The patterns, compiled once, matched against normalised text."""
        return tuple(re.compile(pattern) for pattern in self.patterns)


@dataclass(frozen=True)
class IntentMatch:
    """The intent a message matched, how, and any parameters it carried."""

    key: str
    score: float
    via: str  # command | pattern | phrase
    params: dict[str, str] = field(default_factory=dict)


INTENTS: tuple[Intent, ...] = (
    Intent("cancel", commands=CONTROL_COMMANDS["cancel"]),
    Intent("restart", commands=CONTROL_COMMANDS["restart"]),
    Intent("back", commands=CONTROL_COMMANDS["back"]),
    Intent(
        "help",
        commands=(*CONTROL_COMMANDS["help"], "menu", "kommandoer", "commands"),
        phrases=("hvad kan du", "hvad kan du hjælpe med", "what can you do", "how do i use you"),
    ),
    Intent(
        "welcome",
        commands=("hej", "hejsa", "goddag", "godmorgen", "hi", "hello", "hey", "start"),
    ),
    Intent(
        "profile",
        commands=("min profil", "profil", "my profile", "profile"),
        phrases=("skift min enhed", "skift sprog", "change my unit", "change language"),
    ),
    # --- role directory (bot/capabilities/directory.py); role questions such as
    # "hvem er systemejer for SBSYS" are read by its fallback with the pack's role vocabulary.
    Intent(
        "directory.person",
        patterns=(
            r"^(?:hvilke|hvilket) (?:systemer|system|it systemer) (?P<owner>ejer|har|er) "
            r"(?P<person>.+?)"
            r"(?: (?:systemejer|ansvarlig) for)?$",
            r"^(?:hvilke|hvad for nogle) roller har (?P<person>.+)$",
            r"^(?:which|what) systems? (?:does|do) (?P<person>.+?) (?P<owner>own|hold)$",
            r"^(?:which|what) roles does (?P<person>.+?) (?:have|hold)$",
        ),
    ),
    Intent(
        "directory.contacts",
        patterns=(
            r"^hvem (?:kan|skal) (?:jeg|man|vi) (?:kontakte|spørge|spoerge|tale med|ringe til"
            r"|henvende mig til|skrive til) (?:om|angående|vedrørende|ang|ved|omkring) "
            r"(?P<system>.+)$",
            r"^(?:kontakter|kontaktpersoner|roller) (?:for|på|til|i) (?P<system>.+)$",
            r"^who (?:can|should|do) (?:i|we) (?:contact|ask|talk to|call) about (?P<system>.+)$",
            r"^contacts (?:for|of) (?P<system>.+)$",
        ),
    ),
    Intent(
        "directory.who_owns",
        patterns=(r"^(?:who owns|whose is|hvem ejer) (?P<system>.+)$",),
    ),
    Intent(
        "directory.handover",
        patterns=(
            r"^overdrag (?:alle )?(?:roller|rollerne|rolle) fra (?P<source>.+?) "
            r"til (?P<target>.+)$",
            r"^hand ?over (?:all )?roles from (?P<source>.+?) to (?P<target>.+)$",
        ),
    ),
    Intent(
        "directory.set",
        patterns=(
            r"^(?:sæt|tildel|udpeg|gør) (?P<person>.+?) (?:som|til) (?P<role>.+?)"
            r"(?: (?:for|på|i|af) (?P<system>.+))?$",
            r"^(?:set|assign|make) (?P<person>.+?) as (?P<role>.+?)"
            r"(?: (?:for|of|on) (?P<system>.+))?$",
        ),
    ),
    Intent(
        "directory.end",
        patterns=(
            r"^(?:afslut|fjern|stop) (?P<person>.+?) som (?P<role>.+?)"
            r"(?: (?:for|på|i|af) (?P<system>.+))?$",
            r"^(?:end|remove) (?P<person>.+?) as (?P<role>.+?)(?: (?:for|of|on) (?P<system>.+))?$",
        ),
    ),
    Intent(
        "portfolio.register",
        commands=(
            "registrer initiativ",
            "registrér initiativ",
            "registrer et initiativ",
            "registrér et initiativ",
            "nyt initiativ",
            "register initiative",
            "register an initiative",
            "new initiative",
        ),
        phrases=("jeg vil registrere et nyt initiativ", "i want to register an initiative"),
    ),
    Intent(
        "portfolio.register_steps",
        commands=(
            "registrer initiativ trin for trin",
            "registrér initiativ trin for trin",
            "register initiative step by step",
        ),
    ),
    Intent(
        "portfolio.mine",
        commands=("mine initiativer", "my initiatives", "vis mine initiativer"),
    ),
    Intent(
        "portfolio.show",
        patterns=(r"^(?:vis )?(?:initiativ|initiative)(?: nr| nummer| no)? (?P<id>\d{1,9})$",),
    ),
    Intent(
        "portfolio.search",
        patterns=(
            r"^(?:søg|find|search)(?: efter| for)? (?:initiativer|initiativ|initiatives)"
            r"(?: om| med| about| on| with)? (?P<words>.+)$",
            r"^(?:initiativer|initiatives) (?:om|about|med|with) (?P<words>.+)$",
        ),
    ),
    Intent(
        "portfolio.list",
        patterns=(
            r"^(?:vis |list )?(?:alle )?initiativer(?: der er)?"
            r"(?: (?P<status>idéer|ideer|idé|ide|indstillede|indstillet|prioriterede|prioriteret"
            r"|i gang|i drift|afsluttede|afsluttet|afviste|afvist|sat på pause|på pause))?"
            r"(?: (?:i|hos|under) (?P<unit>.+))?$",
            r"^(?:show |list )?(?:all )?initiatives(?: that are)?"
            r"(?: (?P<status>in progress|in operation|proposed|prioriti[sz]ed|closed|rejected"
            r"|paused|ideas))?(?: (?:in|at) (?P<unit>.+))?$",
        ),
    ),
    # --- procurement (bot/capabilities/procurement.py)
    Intent(
        "procurement.start",
        commands=(
            "indkøb", "indkob", "nyt system", "nyt it system", "køb af it", "kontakt it",
            "purchase", "procurement", "new system", "buy a system",
        ),
        patterns=(
            r"^(?:vi|jeg) (?:vil gerne|vil|skal|ønsker at|onsker at|har brug for at|kunne godt"
            r" tænke os at) (?:købe|kobe|have|anskaffe|bruge|få|fa) .*(?:system|app|applikation"
            r"|løsning|losning|program|software|værktøj|vaerktoj|platform)",
            r"^(?:vi|jeg) (?:har brug for|mangler|ønsker|onsker) (?:et|en|nyt|ny) .*(?:system|app"
            r"|løsning|losning|program|software|værktøj|vaerktoj|platform)",
            r"^(?:we|i) (?:need|want|would like)(?: to (?:buy|get|procure))? (?:an?|some|new) .*"
            r"(?:system|app|tool|software|solution|platform)",
        ),
    ),
    Intent(
        "procurement.mine",
        commands=(
            "status på min anmodning", "status på mine anmodninger", "mine anmodninger",
            "min anmodning", "my requests", "my request", "status of my request",
        ),
    ),
    Intent(
        "procurement.open",
        commands=("åbne anmodninger", "abne anmodninger", "vis åbne anmodninger", "open requests"),
    ),
    Intent(
        "procurement.set_channel",
        commands=("sæt som it kanal", "saet som it kanal", "set as it channel"),
    ),
)


def normalise(text: str) -> str:
    """Lower-case, NFC, punctuation to spaces, single spaces."""
    text = unicodedata.normalize("NFC", text).casefold()
    if text.strip() == "?":
        return "?"
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


class IntentMatcher:
    """Matches text against an intent table (precomputed once)."""

    def __init__(self, intents: tuple[Intent, ...] = INTENTS) -> None:
        self._intents = intents
        self._commands = {normalise(c): i.key for i in intents for c in i.commands}
        self._phrases = [(normalise(p), i) for i in intents for p in i.phrases]
        self._phrase_texts = [phrase for phrase, _ in self._phrases]

    def match(self, text: str) -> IntentMatch | None:
        """The best intent for `text`, or None when nothing fits well enough."""
        normalised = normalise(text)
        if not normalised:
            return None
        key = self._commands.get(normalised)
        if key:
            return IntentMatch(key, 100.0, "command")
        for intent in self._intents:
            for pattern in intent.compiled:
                found = pattern.search(normalised)
                if found:
                    params = {k: v.strip() for k, v in found.groupdict().items() if v}
                    return IntentMatch(intent.key, 100.0, "pattern", params)
        if not self._phrase_texts:
            return None
        best = process.extractOne(normalised, self._phrase_texts, scorer=fuzz.ratio)
        if best is None:
            return None
        _, score, index = best
        intent = self._phrases[index][1]
        if score >= intent.min_score:
            return IntentMatch(intent.key, float(score), "phrase")
        return None
