"""Names found anywhere in a message."""

from __future__ import annotations

from knowledge.name_index import NameIndex
from knowledge.slots import SlotFinder


def finder() -> SlotFinder:
    bodies = NameIndex(
        [
            ("direktion", ("Direktionen", "Executive board")),
            ("it_digitalisering", ("IT & Digitalisering", "it")),
        ]
    )
    systems = NameIndex([("Acadre", ("Acadre",))])
    return SlotFinder(
        {"body": bodies, "system": systems},
        ordinary=lambda word: word in {"it", "and", "the", "does", "have"},
    )


def test_a_name_does_not_swallow_the_connectors_in_front_of_it() -> None:
    found = finder().find("and the executive board?")
    assert found.params() == {"body": "executive board"}
    assert found.masked == "and the xbodyx"


def test_a_short_ordinary_word_is_a_name_only_in_capitals() -> None:
    assert finder().find("does it have a contract owner?").params() == {}
    assert finder().find("hvem er chef for IT?").params() == {"body": "it"}
