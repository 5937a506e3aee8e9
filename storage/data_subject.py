"""Whom a personal-data request is about, and how a storage module declares what it keeps.

Every storage module whose tables identify or name people declares `PERSONAL_DATA` next to
them: the columns, how to export them and how to erase them. storage.personal_data builds its
registry from an explicit list of those declarations; nothing registers itself on import.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from storage.sql import rowcount


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


def deleting_rows_of(principal: QueryableAttribute[str]) -> Eraser:
    """The eraser of a table that is only the person's own choices: every row whose
    `principal` column is one of the subject's goes."""

    async def erase(session: AsyncSession, subject: Subject) -> int:
        table = principal.class_
        result = await session.execute(delete(table).where(principal.in_(subject.principals)))
        return rowcount(result)

    return erase


def held_by(
    subject: Subject, principal: QueryableAttribute[Any], person_id: QueryableAttribute[Any]
) -> ColumnElement[bool]:
    """The rows that are the subject's: by their principal, or by their directory person id."""
    conditions: list[ColumnElement[bool]] = [principal.in_(subject.principals)]
    if subject.person_id is not None:
        conditions.append(person_id == subject.person_id)
    return or_(*conditions)


def principal_is(principal: QueryableAttribute[Any]) -> Callable[[Subject], ColumnElement[bool]]:
    """The rows of a table whose `principal` column is one of the subject's."""
    return lambda subject: principal.in_(subject.principals)


def exporting(
    where: Callable[[Subject], ColumnElement[bool]],
    *columns: ColumnElement[Any] | QueryableAttribute[Any],
) -> Exporter:
    """The exporter of a table whose export is some of its columns: each row `where` picks,
    as a dict by column name (or label)."""

    async def export(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
        rows = await session.execute(select(*columns).where(where(subject)))
        return [dict(row._mapping) for row in rows]

    return export


# A history column naming who acted, and the column beside it with their name (if any).
ActorColumns = tuple[QueryableAttribute[Any], QueryableAttribute[Any] | None]


def kept_history(kind: str, *actors: ActorColumns) -> PersonalData:
    """History kept for accountability (who changed, decided or set what): not exported, and
    erased by putting an anonymous principal (and name) where the subject's stood."""

    async def erase(session: AsyncSession, subject: Subject) -> int:
        principal, name = anonymous_principal(subject), anonymous_name(subject)
        changed = 0
        for actor, actor_name in actors:
            values = {actor.key: principal} | ({actor_name.key: name} if actor_name else {})
            statement = (
                update(actor.class_).where(func.lower(actor).in_(subject.principals)).values(values)
            )
            changed += rowcount(await session.execute(statement))
        return changed

    columns = tuple(column for pair in actors for column in pair if column is not None)
    return PersonalData(kind, columns, erase=erase)


def anonymous_name(subject: Subject) -> str:
    """What an erased person is called from now on."""
    return f"Anonymiseret person {subject.person_id or ''}".strip()


def anonymous_principal(subject: Subject) -> str:
    """What stands where an erased person's principal stood (in history columns)."""
    return f"anonymised:{subject.person_id}" if subject.person_id else "anonymised"


def scrub(value: Any, subject: Subject) -> Any:
    """`value` (JSON-like) with the subject's name, email and principals replaced, even inside
    longer text (a key, a subject line)."""
    if isinstance(value, dict):
        return {k: scrub(v, subject) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, subject) for v in value]
    if isinstance(value, str) and _mentions(subject):
        return _pattern(subject).sub(anonymous_name(subject), value)
    return value


def mentions(text: str, subject: Subject) -> bool:
    """True when `text` holds the subject's name, email or one of their principals."""
    return bool(_mentions(subject)) and _pattern(subject).search(text) is not None


def _mentions(subject: Subject) -> list[str]:
    return [m for m in (*subject.principals, subject.email, subject.name) if m and m.strip()]


def _pattern(subject: Subject) -> re.Pattern[str]:
    # Longest first, so an email is replaced whole before a shorter identifier inside it.
    words = sorted({m.strip() for m in _mentions(subject)}, key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words), re.IGNORECASE)
