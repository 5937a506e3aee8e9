"""Which questions ask where a role takes a fault, by the pack's escalation terms."""

from __future__ import annotations

import pytest

from knowledge.escalation_words import EscalationWords
from knowledge.packs import load_pack


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("jeg er superbruger, hvordan melder jeg en fejl i Acadre", True),
        ("I'm a super user, how do I report a bug in Nexus?", True),
        ("hvem rapporterer DPO'en til", True),
        ("who does the super user report to?", True),
        ("som superbruger, hvor melder jeg det hen?", True),
        ("hvem laver rapporten til direktionen?", False),
        ("where is the annual report?", False),
        ("who writes the super user report?", False),
        ("hvem laver superbrugerens rapport til direktionen?", False),
    ],
)
def test_a_reporting_word_asks_for_the_escalation_only_with_a_problem_or_a_direction(
    question: str, asks: bool
) -> None:
    words = EscalationWords(load_pack("randers").terms)
    assert words.asks(question) is asks
    assert words.only_reports(question) is not asks  # each question names a report
