"""A stranger's first messages over HTTP, on the demo municipality: KITOS the register versus
KITOS the system, what a system's KITOS registration holds, a body the municipality has not."""

from __future__ import annotations

import pytest

from tests.nlu import test_chat
from tests.nlu.test_chat import Chat

# The demo municipality's app and a welcomed user's chat, as in tests/nlu/test_chat.py.
demo_bot = test_chat.demo_bot
chat = test_chat.chat


@pytest.mark.parametrize("said", ["hvad er kitos", "hvad er KITOS?", "what is KITOS?"])
async def test_what_kitos_is_comes_from_the_pack_not_the_system_kitos(
    chat: Chat, said: str
) -> None:
    answer = await chat.say(said)
    assert "Kommunernes IT OverbliksSystem" in answer or "shared register of IT systems" in answer
    assert "Kontakter for KITOS" not in answer and "Contacts for KITOS" not in answer


@pytest.mark.parametrize(
    "said", ["er SBSYS registreret i KITOS?", "hvad står der i kitos om SBSYS", "is SBSYS in KITOS"]
)
async def test_a_system_in_kitos_shows_what_the_directory_holds_of_it(
    chat: Chat, said: str
) -> None:
    answer = await chat.say(said)
    assert "SBSYS" in answer and "@" in answer


async def test_a_bare_kitos_is_still_the_system(chat: Chat) -> None:
    answer = await chat.say("KITOS")
    assert "KITOS" in answer and "@" in answer


@pytest.mark.parametrize(
    ("said", "answer_has"),
    [
        ("hvem er formand for styregruppen", "ingen styregruppe som selvstændigt organ"),
        ("who is the chair of the steering group?", "material has no steering group of its own"),
    ],
)
async def test_a_body_the_municipality_has_not_names_the_bodies_it_has(
    chat: Chat, said: str, answer_has: str
) -> None:
    answer = await chat.say(said)
    assert answer_has in answer and ("Direktionen" in answer or "Executive board" in answer)
