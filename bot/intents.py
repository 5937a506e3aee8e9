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


# govbot's roles as written after normalisation ("it-screener" → "it screener").
_ACCESS_ROLE = (
    r" (?:en |et |an |a |the )?(?P<role>administrator|admin|it screener|itscreener|screener"
    r"|sekretær|sekretaer|formand|medlem|secretary|chair|member)"
)
_ACCESS_BODY_DA = r"(?: (?:for|i|af|til) (?P<body>.+))?$"
_ACCESS_BODY_EN = r"(?: (?:for|of|in|to) (?P<body>.+))?$"

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
    # --- govbot's own roles (bot/capabilities/access.py); before the årshjul's "fjern X som"
    # and the directory's "gør X til".
    Intent(
        "access.grant",
        patterns=(
            r"^(?:giv|tildel) (?P<person>.+?) adgang som" + _ACCESS_ROLE + _ACCESS_BODY_DA,
            r"^gør (?P<person>.+?) til" + _ACCESS_ROLE + _ACCESS_BODY_DA,
            r"^(?:give|grant) (?P<person>.+?) access as" + _ACCESS_ROLE + _ACCESS_BODY_EN,
            r"^make (?P<person>.+?)" + _ACCESS_ROLE + _ACCESS_BODY_EN,
        ),
    ),
    Intent(
        "access.revoke",
        patterns=(
            r"^(?:fjern|tilbagekald|stop) (?P<person>.+?) adgang som"
            + _ACCESS_ROLE
            + _ACCESS_BODY_DA,
            r"^(?:remove|revoke) (?P<person>.+?)(?: s)? access as" + _ACCESS_ROLE + _ACCESS_BODY_EN,
        ),
    ),
    Intent(
        "access.list",
        commands=(
            "hvem har adgang",
            "hvem har adgang til govbot",
            "vis adgange",
            "adgange",
            "who has access",
            "who has access to govbot",
            "list access",
        ),
    ),
    Intent(
        "access.who",
        patterns=(
            r"^hvem er" + _ACCESS_ROLE + _ACCESS_BODY_DA,
            r"^who (?:is|are)(?: the)?" + _ACCESS_ROLE + r"s?" + _ACCESS_BODY_EN,
        ),
    ),
    # --- the årshjul (bot/capabilities/meetings.py); before the directory's "fjern X som …".
    Intent(
        "meetings.next",
        patterns=(
            r"^(?:hvornår er )?(?:det )?næste møde (?:i|for|hos|med) (?P<body>.+)$",
            r"^(?:when is )?(?:the )?next meeting (?:of|for|in|with) (?P<body>.+)$",
        ),
        commands=("næste møde", "next meeting"),
    ),
    Intent(
        "meetings.year",
        patterns=(
            r"^(?:vis )?(?:årshjulet|årshjul)(?: for| i)?(?: (?P<year>\d{1,4}))?$",
            r"^(?:show )?(?:the )?annual (?:cycle|wheel)(?: for| of| in)?"
            r"(?: (?P<year>\d{1,4}))?$",
        ),
    ),
    Intent(
        "meetings.generate",
        patterns=(
            r"^(?:generer|generér|opret|dan) (?:årshjulet|årshjul|årets møder)"
            r"(?: for| i)?(?: (?P<year>\d{1,4}))?$",
            r"^(?:generate|create) (?:the )?annual (?:cycle|wheel)(?: for| of)?"
            r"(?: (?P<year>\d{1,4}))?$",
        ),
    ),
    Intent(
        "meetings.move",
        patterns=(
            r"^(?:flyt|ryk|udskyd) (?:møde|mødet) (?:nr |nummer )?(?P<id>\d{1,9})"
            r" til (?P<when>.+)$",
            r"^(?:move|reschedule) meeting (?:no )?(?P<id>\d{1,9}) to (?P<when>.+)$",
        ),
    ),
    Intent(
        "meetings.cancel",
        patterns=(
            r"^(?:aflys|annuller|slet) (?:møde|mødet) (?:nr |nummer )?(?P<id>\d{1,9})$",
            r"^cancel meeting (?:no )?(?P<id>\d{1,9})$",
        ),
    ),
    Intent(
        "meetings.place",
        patterns=(
            r"^(?:sæt |angiv )?(?:sted|stedet|lokale|lokalet)(?: for| til| på)? (?:møde|mødet) "
            r"(?:nr )?(?P<id>\d{1,9})\b",
            r"^(?:set )?(?:the )?(?:place|room|location) (?:of|for) meeting "
            r"(?:no )?(?P<id>\d{1,9})\b",
        ),
    ),
    Intent(
        "meetings.teams_link",
        patterns=(
            r"^(?:sæt )?(?:teams ?link|teamslinket|link)(?: for| til| på)? (?:møde|mødet) "
            r"(?:nr )?(?P<id>\d{1,9})\b",
            r"^(?:set )?(?:the )?teams link (?:of|for) meeting (?:no )?(?P<id>\d{1,9})\b",
        ),
    ),
    Intent(
        "meetings.agenda",
        patterns=(
            r"^(?:vedhæft|tilføj|sæt)? ?(?:dagsorden|dagsordenen) (?:til|for|på) (?:møde|mødet) "
            r"(?:nr )?(?P<id>\d{1,9})\b",
            r"^(?:attach|add|set)? ?(?:the )?agenda (?:to|for|of) meeting "
            r"(?:no )?(?P<id>\d{1,9})\b",
        ),
    ),
    Intent(
        "meetings.add",
        patterns=(
            r"^(?:opret|tilføj|nyt|planlæg) (?:et )?(?:ekstra )?(?:nyt )?møde (?:i|for|hos) "
            r"(?P<body>.+?) (?:den |d )?(?P<when>\d.*)$",
            r"^(?:add|schedule|create) (?:an? )?(?:extra )?meeting (?:of|for|to|in) (?P<body>.+?) "
            r"(?:on )?(?P<when>\d.*)$",
        ),
    ),
    Intent(
        "meetings.set_channel",
        patterns=(
            r"^(?:sæt|brug|gør) (?:denne kanal |kanalen )?(?:som|til) (?:kanal|kanalen) "
            r"(?:for|til) (?P<body>.+)$",
            r"^(?:set|use|make) (?:this )?(?:channel )?as (?:the )?channel (?:for|of) "
            r"(?P<body>.+)$",
        ),
    ),
    Intent(
        "meetings.members",
        patterns=(
            r"^(?:vis |hvem er )?(?:medlemmer|medlemmerne) (?:af|i) (?P<body>.+)$",
            r"^hvem sidder i (?P<body>.+)$",
            r"^(?:show |who are )?(?:the )?members (?:of|in) (?P<body>.+)$",
        ),
    ),
    Intent(
        "meetings.add_member",
        patterns=(
            r"^(?:tilføj|indsæt|optag) (?P<person>(?:(?!\bsom\b).)+?)"
            r"(?: som (?P<role>medlem|sekretær|sekretaer|formand))? (?:af|i|til) (?P<body>.+)$",
            r"^add (?P<person>(?:(?!\bas\b).)+?)"
            r"(?: as (?:the |a )?(?P<role>member|secretary|chair))?"
            r" (?:of|to) (?P<body>.+)$",
        ),
    ),
    Intent(
        "meetings.remove_member",
        patterns=(
            r"^(?:fjern|udmeld) (?P<person>(?:(?!\bsom\b).)+?)"
            r"(?: som (?P<role>medlem|sekretær|sekretaer|formand))? (?:af|fra|i) (?P<body>.+)$",
            r"^remove (?P<person>(?:(?!\bas\b).)+?)"
            r"(?: as (?:the |a )?(?P<role>member|secretary|chair))?"
            r" from (?P<body>.+)$",
        ),
    ),
    Intent(
        "meetings.opt_in",
        patterns=(
            r"^(?:påmindelser|paamindelser) til (?:for|i|om) (?P<body>.+)$",
            r"^reminders on (?:for|of) (?P<body>.+)$",
        ),
    ),
    Intent(
        "meetings.opt_out",
        patterns=(
            r"^(?:påmindelser|paamindelser) fra (?:for|i|om) (?P<body>.+)$",
            r"^reminders off (?:for|of) (?P<body>.+)$",
        ),
    ),
    # --- personal data (bot/capabilities/privacy.py)
    Intent(
        "privacy.mine",
        commands=(
            "hvad ved du om mig",
            "hvad har du gemt om mig",
            "hvilke oplysninger har du om mig",
            "mine data",
            "mine persondata",
            "vis mine data",
            "what do you know about me",
            "what have you stored about me",
            "my data",
            "my personal data",
            "show my data",
        ),
    ),
    Intent(
        "privacy.erase",
        patterns=(
            r"^(?:slet|anonymiser|anonymisér) (?P<person>.+?) (?:persondata|personoplysninger"
            r"|data|oplysninger)$",
            r"^(?:slet|anonymiser|anonymisér) (?:alle )?(?:persondata|personoplysninger|data"
            r"|oplysninger) (?:om|for|på) (?P<person>.+)$",
            r"^(?:erase|delete) (?P<person>.+?)(?: s)? (?:personal data|data)$",
            r"^(?:erase|delete) (?:all )?(?:the )?(?:personal data|data) (?:of|for|about) "
            r"(?P<person>.+)$",
        ),
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
            "indkøb",
            "indkob",
            "nyt system",
            "nyt it system",
            "køb af it",
            "kontakt it",
            "purchase",
            "procurement",
            "new system",
            "buy a system",
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
            "status på min anmodning",
            "status på mine anmodninger",
            "mine anmodninger",
            "min anmodning",
            "my requests",
            "my request",
            "status of my request",
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
