"""A meeting's place and links as a secretary writes them (knowledge/meeting_fields.py)."""

from __future__ import annotations

import pytest

from knowledge.meeting_fields import https_link, written_after_meeting


@pytest.mark.parametrize(
    ("message", "place"),
    [
        ("sæt sted for møde 12 til Rådhuset, lokale 3", "Rådhuset, lokale 3"),
        ("sted for mødet nr. 4 er Lokale 2", "Lokale 2"),
        ("set the place of meeting #7 to Room 2", "Room 2"),
        ("sæt sted for møde 12", ""),
    ],
)
def test_the_place_is_what_follows_the_meeting(message: str, place: str) -> None:
    assert written_after_meeting(message) == place


@pytest.mark.parametrize(
    ("message", "link"),
    [
        (
            "teams link for møde 3 https://teams.microsoft.com/l/x.",
            "https://teams.microsoft.com/l/x",
        ),
        ("dagsorden til møde 3 (https://kommune.dk/d.pdf)", "https://kommune.dk/d.pdf"),
        ("teams link for møde 3 http://x.dk", None),
        ("teams link for møde 3", None),
    ],
)
def test_only_an_https_link_is_taken(message: str, link: str | None) -> None:
    assert https_link(message) == link
