"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import CursorResult, Result, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement


def dialect_name(session: AsyncSession) -> str:
    """The session's SQL dialect ("sqlite" or "postgresql")."""
    return session.get_bind().dialect.name


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched.

    Such a statement's result is a CursorResult, but `session.execute` is typed as returning
    a plain Result (which has no rowcount).
    """
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def matches(column: QueryableAttribute[Any], value: object) -> ColumnElement[bool]:
    """`column = value`, where None matches NULL (SQL's `= NULL` matches no row)."""
    return column.is_(None) if value is None else column == value


def upsert(
    session: AsyncSession,
    model: type[Any],
    values: Mapping[str, Any],
    *,
    conflict_on: Iterable[str],
    update: Iterable[str],
    keep_when_null: Iterable[str] = (),
) -> Insert:
    """INSERT … ON CONFLICT (conflict_on) DO UPDATE SET the `update` columns.

    Columns in `keep_when_null` keep their stored value when the new one is NULL.
    """
    builder = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    statement = builder(model).values(**values)
    keep = set(keep_when_null)
    table = model.__table__
    return statement.on_conflict_do_update(
        index_elements=list(conflict_on),
        set_={
            column: (
                func.coalesce(statement.excluded[column], table.c[column])
                if column in keep
                else statement.excluded[column]
            )
            for column in update
        },
    )
