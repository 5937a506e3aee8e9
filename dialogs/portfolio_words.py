"""Words for initiative statuses in requests ("initiativer i gang i Sundhed og Omsorg")."""

from __future__ import annotations

from knowledge.portfolio import Status
from knowledge.text import fold

STATUS_WORDS: dict[str, Status] = {
    "idé": Status.IDE,
    "idéer": Status.IDE,
    "ideas": Status.IDE,
    "indstillet": Status.INDSTILLET,
    "indstillede": Status.INDSTILLET,
    "proposed": Status.INDSTILLET,
    "prioriteret": Status.PRIORITERET,
    "prioriterede": Status.PRIORITERET,
    "prioritised": Status.PRIORITERET,
    "prioritized": Status.PRIORITERET,
    "i gang": Status.I_GANG,
    "in progress": Status.I_GANG,
    "i drift": Status.I_DRIFT,
    "in operation": Status.I_DRIFT,
    "afsluttet": Status.AFSLUTTET,
    "afsluttede": Status.AFSLUTTET,
    "closed": Status.AFSLUTTET,
    "afvist": Status.AFVIST,
    "afviste": Status.AFVIST,
    "rejected": Status.AFVIST,
    "sat på pause": Status.SAT_PAA_PAUSE,
    "på pause": Status.SAT_PAA_PAUSE,
    "paused": Status.SAT_PAA_PAUSE,
}
# Looked up folded: "ide", "paa pause" and "pa pause" are "idé" and "på pause".
_FOLDED_STATUS_WORDS = {fold(words): status for words, status in STATUS_WORDS.items()}


def status_from_words(words: str | None) -> Status | None:
    """The status a phrase such as "i gang" names, if any."""
    return _FOLDED_STATUS_WORDS.get(fold(words or ""))


def status_in(sentence: str) -> Status | None:
    """The status a whole sentence mentions anywhere ("hvilke projekter er i gang?")."""
    padded = f" {fold(sentence)} "
    for phrase in sorted(_FOLDED_STATUS_WORDS, key=len, reverse=True):
        if f" {phrase} " in padded:
            return _FOLDED_STATUS_WORDS[phrase]
    return None
