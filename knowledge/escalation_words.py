"""Whether a question asks where a role takes a fault, read with the pack's escalation terms.

"jeg er superbruger, hvordan melder jeg en fejl i Acadre" and "hvem rapporterer DPO'en til"
ask it; "hvem laver rapporten til direktionen" and "where is the annual report" do not: a
reporting word ("rapport", "report", "melde") asks it only beside a problem word or with a
direction after it (terms.yaml `escalation` and `escalation_reporting`).
"""

from __future__ import annotations

from knowledge.schema_entries import Terms
from knowledge.text import fold, name_key

# After a reporting verb, the words that make it a reporting line ("rapporterer til", "melde
# hen", "report to") rather than a report someone writes.
_TOWARDS = frozenset(("til", "hen", "videre", "to"))


class EscalationWords:
    """The pack's escalation vocabulary, normalised once."""

    def __init__(self, terms: Terms) -> None:
        self._problems = frozenset(name_key(w) for w in terms.escalation) - {""}
        # Unstemmed: the stem of "rapporterer" is the stem of the noun "rapporten" too.
        self._reporting = frozenset(fold(w) for w in terms.escalation_reporting) - {""}
        self._reporting_stems = frozenset(name_key(w) for w in terms.escalation_reporting) - {""}

    def asks(self, text: str) -> bool:
        """Whether `text` asks where a fault or problem goes."""
        if any(t in self._problems for t in name_key(text).split()):
            return True
        words = fold(text).split()
        verbs = [i for i, w in enumerate(words) if w in self._reporting]
        return bool(verbs) and any(w in _TOWARDS for w in words[verbs[0] + 1 :])

    def only_reports(self, text: str) -> bool:
        """Whether `text` speaks of a report ("superbrugerrapporten", "the annual report")
        without asking where a fault goes."""
        stems = self._reporting_stems
        speaks = any(any(s in t for s in stems) for t in name_key(text).split())
        return speaks and not self.asks(text)
