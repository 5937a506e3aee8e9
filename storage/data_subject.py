"""Whom a personal-data request is about, and how a storage module declares what it keeps.

Every storage module whose tables identify or name people declares `PERSONAL_DATA` next to
them: the columns, how to export them and how to erase them. storage.personal_data builds its
registry from an explicit list of those declarations; nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute


@dataclass(frozen=True)
class Subject:
    """The person asked about: every identifier they may be stored under."""

    principals: frozenset[str]  # lower-cased AAD object id and/or email
    person_id: int | None
    channel_user_ids: frozenset[str]
    name: str | None = None
    email: str | None = None


Exporter = Callable[[AsyncSession, Subject], Awaitable[list[dict[str, Any]]]]
Eraser = Callable[[AsyncSession, Subject], Awaitable[int]]


@dataclass(frozen=True)
class PersonalData:
    """One kind of personal data: the columns it covers, and how to export and erase them.

    `export` is None for history kept for accountability (who changed or decided what):
    erasure anonymises it, and the export leaves it out, as it leaves out the audit log.
    """

    kind: str
    columns: tuple[QueryableAttribute[Any], ...]
    erase: Eraser
    export: Exporter | None = None

    @property
    def column_names(self) -> frozenset[tuple[str, str]]:
        """The (table, column) pairs this kind covers."""
        found = set()
        for attribute in self.columns:
            column = attribute.property.columns[0]
            found.add((column.table.name, column.name))
        return frozenset(found)


def anonymous_name(subject: Subject) -> str:
    """What an erased person is called from now on."""
    return f"Anonymiseret person {subject.person_id or ''}".strip()
