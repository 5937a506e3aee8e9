"""The intent table: commands, patterns and fuzzy phrases, in Danish and English."""

from __future__ import annotations

import pytest

from bot.intents import Intent, IntentMatcher


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hjælp", "help"),
        ("Hjælp!", "help"),
        ("HELP", "help"),
        ("hvad kan du?", "help"),
        ("what can u do", "help"),
        ("annuller", "cancel"),
        ("Start forfra", "restart"),
        ("tilbage", "back"),
        ("hej", "welcome"),
        ("min profil", "profile"),
    ],
)
def test_known_phrasings(text: str, key: str) -> None:
    match = IntentMatcher().match(text)
    assert match is not None and match.key == key


@pytest.mark.parametrize("text", ["", "   ", "blå kaniner", "hvem vandt VM i fodbold", "stopur"])
def test_no_intent_for_unrelated_text(text: str) -> None:
    assert IntentMatcher().match(text) is None


def test_patterns_capture_parameters() -> None:
    table = (Intent("who_owns", patterns=(r"^hvem ejer (?P<system>.+)$",)),)
    match = IntentMatcher(table).match("Hvem ejer SBSYS?")
    assert match is not None
    assert match.params == {"system": "sbsys"}
