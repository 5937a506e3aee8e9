"""A role card's duties are cited as the knowledge answer about the role is: in the reader's
language, "govbot's general guidance" for govbot's own standard, never the Danish document name."""

from __future__ import annotations

from dialogs.directory_view import duties
from knowledge.packs import load_pack


def test_a_shared_role_is_cited_as_govbots_guidance_in_english() -> None:
    pack = load_pack("randers")
    dpo = next(r for r in pack.roles if r.key == "databeskyttelsesraadgiver")
    (english,) = duties([dpo], pack, "en")
    assert english["source"].startswith("Source: govbot's general guidance")
    (danish,) = duties([dpo], pack, "da")
    assert danish["source"].startswith("Kilde: govbots generelle vejledning")


def test_a_pack_role_is_cited_with_its_document() -> None:
    pack = load_pack("rebild")
    dpo = next(r for r in pack.roles if r.key == "databeskyttelsesraadgiver")
    (danish,) = duties([dpo], pack, "da")
    assert danish["source"].startswith("Kilde: It og digitalisering – roller, ansvar og opgaver")
