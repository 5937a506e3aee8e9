"""Reading "who holds role R for system S" out of a chat message, with the pack's role vocabulary.

"hvem er systemejer for SBSYS", "superbrugere i nexus", "systemejr sbsys", "who owns acadre",
"hvem er vores DPO": the role is found among the catalogue's labels, synonyms and KITOS column
names (typos tolerated), and the words left over name the system.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge.escalation_words import EscalationWords
from knowledge.schema import Pack
from knowledge.schema_entries import GovernanceRole
from knowledge.text import name_key

# A role word this close to a catalogue name counts as that role ("systemejr" → systemejer).
ROLE_CUTOFF = 86.0
_QUESTION_WORDS = "hvem who whom whose hvis".split()
_FILLERS = """
    hvem er vores vor den det de hvad hedder kan jeg vi mon har hvis gerne vide skal spørge
    spoerge kontakte kontakt om på paa til ved hos angående vedrørende ang system systemet
    systemer it-systemet it
    who is are the our a an what does do did can i we of for in on at about whose whom please
    tell me know system systems
    """.split()
# Verbs of ownership that stand for the system owner ("who owns X", "hvem ejer X").
_OWNER_WORDS = ("own", "owns", "owner", "ejer")


@dataclass(frozen=True)
class RoleQuestion:
    """A role asked about, the words naming what it is for, whether it asked "who", and
    whether it asked where the role takes a fault (the pack's escalation words)."""

    role: GovernanceRole
    subject: str
    asks_who: bool
    score: float
    escalates: bool = False


class RoleVocabulary:
    """The pack's role names, normalised once, for finding a role inside a sentence."""

    def __init__(self, pack: Pack) -> None:
        self._pack = pack
        self._names = pack.role_names()
        for word in _OWNER_WORDS:
            self._names.setdefault(name_key(word), "systemejer")
        self._fillers = frozenset(name_key(w) for w in _FILLERS) - {""}
        self._question = frozenset(name_key(w) for w in _QUESTION_WORDS)
        self._escalation = EscalationWords(pack.terms)
        self._longest = max((len(n.split()) for n in self._names), default=1)
        self._name_list = list(self._names)

    def role(self, text: str) -> GovernanceRole | None:
        """The role `text` names on its own (typos tolerated), if any."""
        found = self._best(name_key(text).split())
        if found is None or found[1] != 0 or found[2] != len(name_key(text).split()):
            return None
        return self._pack.role(found[0])

    def parse(self, text: str) -> RoleQuestion | None:
        """The role and subject in `text`, or None when no catalogue role is mentioned."""
        tokens = name_key(text).split()
        found = self._best(tokens)
        if found is None:
            return None
        key, start, end, score = found
        before = self._strip(tokens[:start])
        after = self._strip(tokens[end:])
        subject_tokens = after or before
        # Keep the user's own spelling of the subject for display and system matching
        # ("makes the report", not the stems "mak report").
        trailing = (
            self._trailing_fillers(tokens[end:])
            if subject_tokens is after
            else self._trailing_fillers(tokens[:start]) + len(tokens) - start
        )
        subject = _original_words(text, len(subject_tokens), trailing)
        if subject_tokens and not subject:
            subject = " ".join(subject_tokens)
        return RoleQuestion(
            role=self._pack.role(key),
            subject=subject,
            asks_who=any(t in self._question for t in tokens),
            score=score,
            escalates=self._escalation.asks(text),
        )

    def _trailing_fillers(self, tokens: list[str]) -> int:
        count = 0
        while count < len(tokens) and tokens[-1 - count] in self._fillers:
            count += 1
        return count

    def _strip(self, tokens: list[str]) -> list[str]:
        start, end = 0, len(tokens)
        while start < end and tokens[start] in self._fillers:
            start += 1
        while end > start and tokens[end - 1] in self._fillers:
            end -= 1
        return tokens[start:end]

    def _best(self, tokens: list[str]) -> tuple[str, int, int, float] | None:
        best: tuple[str, int, int, float] | None = None
        for size in range(min(self._longest, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                window = " ".join(tokens[start : start + size])
                if window in self._fillers:
                    continue
                key = self._names.get(window)
                score = 100.0 if key else 0.0
                if key is None and len(window) >= 5:
                    # Against the names as normalised, like the window: a mapping given to
                    # rapidfuzz is matched on its values (the role keys), not on its names.
                    near = process.extractOne(
                        window, self._name_list, scorer=fuzz.ratio, score_cutoff=ROLE_CUTOFF
                    )
                    if near is not None:
                        key, score = self._names[near[0]], float(near[1])
                if key is not None and (best is None or score > best[3]):
                    best = (key, start, start + size, score)
            if best is not None and best[3] >= 100.0:
                return best
        return best


# What a sentence puts around a word; a name's own hyphens and dots inside it stay.
_PUNCTUATION = ",;:.!?\"'()"


def _original_words(text: str, count: int, trailing: int = 0) -> str:
    """`count` content words of `text` as the user wrote them, ending `trailing` words before
    its end (the fillers stripped after them: "… i sbsys, hvem skal jeg kontakte"), without
    the punctuation around them ("sbsys," is SBSYS)."""
    words = [w.strip(_PUNCTUATION) for w in text.split()]
    words = [w for w in words if name_key(w)]
    end = len(words) - trailing
    return " ".join(words[max(end - count, 0) : end]) if count and end > 0 else ""
