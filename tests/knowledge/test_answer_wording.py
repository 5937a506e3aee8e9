"""What a user reads carries no authoring notes: no "(inspiration fra …)", no "fælles standard",
abbreviations keep their capitals ("(DPO)", not "(dpo)"), an organisation-wide role shows no
"System: hele organisationen"."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.settings import Settings
from storage.db import Database
from storage.demo import load_demo_data
from tests.support.channel import TestChannel
from tests.support.server import reply_to

AUTHORING_NOTES = ("inspiration fra", "fælles standard", "shared default", "inspiration from")


@pytest.mark.parametrize("pack", ["norddjurs", "randers", "rebild"])
async def test_an_organisation_wide_role_keeps_its_abbreviation_and_names_no_system(
    make_settings: Callable[..., Settings], database: Database, channel: TestChannel, pack: str
) -> None:
    async with database.transaction() as session:
        await load_demo_data(session=session, pack_key=pack)
    answer = await reply_to(make_settings(knowledge_pack=pack), channel, "hvem er vores DPO")
    assert "Hanne Friis" in answer
    assert "(dpo)" not in answer and "(DPO)" in answer
    assert "hele organisationen" not in answer


@pytest.mark.parametrize(
    ("pack", "question", "source"),
    [
        # A municipality named only in a section is said in words after the source.
        ("norddjurs", "hvor lang tid tager screeningen",
         "Kilde: Organisering af IT og digitalisering – analyse af 14 kommuner (KL), Styring – "
         "Hvad gør kommunerne? (Jammerbugt). Praksis fra Jammerbugt Kommune"),
        # The cited document is the practice's own: it is not named twice.
        ("randers", "hvordan finansierer andre kommuner digitalisering",
         "Kilde: Organisering af IT og digitalisering – analyse af 14 kommuner (KL), Finansiering"),
    ],
)  # fmt: skip
async def test_a_borrowed_practice_is_cited_in_plain_words(
    make_settings: Callable[..., Settings], channel: TestChannel, pack: str, question: str,
    source: str,
) -> None:  # fmt: skip
    answer = await reply_to(make_settings(knowledge_pack=pack), channel, question)
    assert source in answer
    assert "Praksis fra KL" not in answer
    assert not any(note in answer.casefold() for note in AUTHORING_NOTES)
