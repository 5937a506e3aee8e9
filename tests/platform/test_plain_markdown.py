"""Plain messages carry only the markdown Teams renders in a text message on every client
(bold, italic, blockquote, links): no lists, headings, strikethrough, rules or tables, which
Teams on iOS and Android shows as typed. Lists belong in a card's TextBlock."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
import yaml

from dialogs.texts import LANGUAGES, _flatten

# Texts shown only inside an Adaptive Card TextBlock, where lists render everywhere.
CARD_ONLY = frozenset({"help.lines"})
SHOWN_RAW = {
    "a list": re.compile(r"(?m)^\s*(?:[-*+•]|\d+\.)\s"),
    "a heading": re.compile(r"(?m)^\s*#{1,6}\s"),
    "strikethrough": re.compile(r"~~"),
    "a rule": re.compile(r"(?m)^\s*(?:-{3,}|\*{3,}|_{3,})\s*$"),
    "a table": re.compile(r"\|\s*:?-{3,}"),
}


def _texts() -> list[tuple[str, str, str]]:
    found = []
    for lang in LANGUAGES:
        for entry in files("dialogs.locales").joinpath(lang).iterdir():
            if entry.name.endswith(".yaml"):
                tree = yaml.safe_load(entry.read_text("utf-8")) or {}
                found += [(lang, key, value) for key, value in _flatten(tree).items()]
    return found


@pytest.mark.parametrize(("kind", "pattern"), SHOWN_RAW.items(), ids=list(SHOWN_RAW))
def test_no_message_text_holds_markdown_teams_shows_raw(
    kind: str, pattern: re.Pattern[str]
) -> None:
    raw = [f"{lang}:{key}" for lang, key, value in _texts()
           if key not in CARD_ONLY and pattern.search(value.replace("\\n", "\n"))]  # fmt: skip
    assert raw == [], f"{kind} in a plain message: {raw}"


def test_the_check_finds_what_it_looks_for() -> None:
    assert SHOWN_RAW["a list"].search("Vælg:\n- SBSYS\n- Acadre")
    assert not SHOWN_RAW["a list"].search("**SBSYS** – systemejer")
