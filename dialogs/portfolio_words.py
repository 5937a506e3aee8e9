"""Words for initiative statuses in requests ("initiativer i gang i Sundhed og Omsorg")."""

from __future__ import annotations

from knowledge.portfolio import InitiativeStatus
from knowledge.text import fold

STATUS_WORDS: dict[str, InitiativeStatus] = {
    "idé": InitiativeStatus.IDE,
    "idéer": InitiativeStatus.IDE,
    "ideas": InitiativeStatus.IDE,
    "indstillet": InitiativeStatus.INDSTILLET,
    "indstillede": InitiativeStatus.INDSTILLET,
    "proposed": InitiativeStatus.INDSTILLET,
    "prioriteret": InitiativeStatus.PRIORITERET,
    "prioriterede": InitiativeStatus.PRIORITERET,
    "prioritised": InitiativeStatus.PRIORITERET,
    "prioritized": InitiativeStatus.PRIORITERET,
    "i gang": InitiativeStatus.I_GANG,
    "in progress": InitiativeStatus.I_GANG,
    "i drift": InitiativeStatus.I_DRIFT,
    "in operation": InitiativeStatus.I_DRIFT,
    "afsluttet": InitiativeStatus.AFSLUTTET,
    "afsluttede": InitiativeStatus.AFSLUTTET,
    "closed": InitiativeStatus.AFSLUTTET,
    "afvist": InitiativeStatus.AFVIST,
    "afviste": InitiativeStatus.AFVIST,
    "rejected": InitiativeStatus.AFVIST,
    "sat på pause": InitiativeStatus.SAT_PAA_PAUSE,
    "på pause": InitiativeStatus.SAT_PAA_PAUSE,
    "paused": InitiativeStatus.SAT_PAA_PAUSE,
}
# Looked up folded: "ide", "paa pause" and "pa pause" are "idé" and "på pause".
_FOLDED_STATUS_WORDS = {fold(words): status for words, status in STATUS_WORDS.items()}


def status_from_words(words: str | None) -> InitiativeStatus | None:
    """The status a phrase such as "i gang" names, if any."""
    return _FOLDED_STATUS_WORDS.get(fold(words or ""))


def status_in(sentence: str) -> InitiativeStatus | None:
    """The status a whole sentence mentions anywhere ("hvilke projekter er i gang?")."""
    padded = f" {fold(sentence)} "
    for phrase in sorted(_FOLDED_STATUS_WORDS, key=len, reverse=True):
        if f" {phrase} " in padded:
            return _FOLDED_STATUS_WORDS[phrase]
    return None
