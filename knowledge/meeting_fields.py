"""A meeting's place and links as written in a secretary's message (pure; no Teams, no data)."""

from __future__ import annotations

import re

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
# The free text after "møde 12 til"/"meeting 12 to" in what the user wrote (case kept).
_AFTER_MEETING = re.compile(
    r"(?:møde|mødet|meeting)\s*(?:nr\.?|#)?\s*\d+(?!\d)\s*(?:til|to|er|is|:)?\s*(?P<value>.+)$",
    re.IGNORECASE | re.DOTALL,
)


def written_after_meeting(message: str) -> str:
    """What follows "møde 12 (til)" in `message` ("Rådhuset, lokale 3"); "" when nothing does."""
    found = _AFTER_MEETING.search(message)
    return found.group("value").strip() if found else ""


def https_link(message: str) -> str | None:
    """The first link in `message` if it is an https:// link (trailing punctuation dropped)."""
    found = _URL.search(message)
    if found is None or not found.group(0).lower().startswith("https://"):
        return None
    return found.group(0).rstrip(".,;)")
