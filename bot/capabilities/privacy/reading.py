"""Stored personal data as a person reads it: labels in their language, moments on the
municipality's clock, statuses, roles, bodies and languages by name, documents as facts.

The storage export keeps values as stored (storage.personal_data); this is the one place that
puts them in words for "hvad ved du om mig".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from dialogs.formats import spoken_day
from dialogs.texts import Lang, keys, named, text
from knowledge.calendar import format_when
from knowledge.schema import Pack

MAX_VALUE_CHARS = 300


@dataclass(frozen=True)
class Reader:
    """Puts one user's stored data in words: their language, the pack, the local clock."""

    lang: Lang
    pack: Pack
    tz: ZoneInfo

    def label(self, section: str) -> str:
        """A section's heading."""
        return self._known(f"privacy.section.{section}", section)

    def facts(self, section: str, item: Mapping[str, Any]) -> list[tuple[str, str]]:
        """One stored row as (label, value) facts; empty values left out, documents unfolded."""
        facts: list[tuple[str, str]] = []
        for name, value in item.items():
            if name in _HIDDEN.get(section, ()):
                continue
            if isinstance(value, Mapping):
                facts.extend(self._document(value))
                continue
            shown = self.value(section, name, value)
            if shown:
                facts.append((self._known(f"privacy.field.{name}", name), shown))
        return facts

    def value(self, section: str, name: str, value: Any) -> str:
        """One stored value in words ("" for nothing)."""
        if value is None or value == "":
            return ""
        word = _WORDS.get((section, name)) or _WORDS.get(("", name))
        if word is not None:
            return word(self, str(value))
        if isinstance(value, bool):
            return text(f"privacy.answer_{str(value).lower()}", self.lang)
        if isinstance(value, datetime):
            return format_when(value, self.lang, self.tz)
        if isinstance(value, date):
            return spoken_day(value, self.lang)
        shown = str(value)
        return shown if len(shown) <= MAX_VALUE_CHARS else shown[: MAX_VALUE_CHARS - 1] + "…"

    def _document(self, document: Mapping[str, Any], path: str = "") -> list[tuple[str, str]]:
        """A stored settings document (`{"profile": {"language": "da"}}`) as facts."""
        facts: list[tuple[str, str]] = []
        for name, value in document.items():
            key = f"{path}.{name}" if path else str(name)
            if isinstance(value, Mapping):
                facts.extend(self._document(value, key))
                continue
            shown = self.value("preferences", key, value)
            if shown:
                facts.append((self._known(f"privacy.setting.{key}", name), shown))
        return facts

    def _known(self, key: str, fallback: str) -> str:
        if key in keys(self.lang):
            return text(key, self.lang)
        return fallback.rsplit(".", 1)[-1].replace("_", " ").capitalize()

    def word(self, prefix: str, value: str) -> str:
        """The text `prefix.value`, or the value itself when there is none."""
        return self._known(f"{prefix}.{value}", value) if value else ""


def _language(reader: Reader, locale: str) -> str:
    """ "da-DK" → "dansk", "en-US" → "engelsk"; another locale stays as written."""
    language = locale.split("-")[0].lower()
    key = f"privacy.language.{language}"
    return text(key, reader.lang) if key in keys(reader.lang) else locale


def _body(reader: Reader, key: str) -> str:
    return named(reader.pack.body, key, "name", reader.lang)


def _role(reader: Reader, key: str) -> str:
    return named(reader.pack.role, key, "label", reader.lang)


def _words(prefix: str) -> Callable[[Reader, str], str]:
    return lambda reader, value: reader.word(prefix, value)


# Values that are a key into something the reader knows by name, per (section, field);
# section "" for a field that means the same everywhere.
_WORDS: dict[tuple[str, str], Callable[[Reader, str], str]] = {
    ("roles", "role"): _role,
    ("roles", "source"): _words("privacy.role_source"),
    ("access", "role"): lambda reader, value: reader.word("access", f"role_{value}"),
    ("", "body"): _body,
    ("conversations", "conversation_type"): _words("privacy.conversation_type"),
    ("conversations", "locale"): _language,
    ("preferences", "profile.language"): _language,
    ("procurement_requests", "status"): _words("procurement.status"),
    ("initiatives", "status"): _words("portfolio.status"),
    ("deliveries", "status"): _words("privacy.delivery_status"),
    ("deliveries", "source"): _words("privacy.delivery_source"),
}
# Ids a person has no use for beside the name shown next to them.
_HIDDEN: dict[str, frozenset[str]] = {"roles": frozenset({"system_id"})}
