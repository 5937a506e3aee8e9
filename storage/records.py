"""Rows as plain data: one mapping from an ORM row to the frozen dataclass a service returns."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import UnknownRecordError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Record = TypeVar("Record", bound="DataclassInstance")
Row = TypeVar("Row")


async def row_by_id(
    session: AsyncSession, model: type[Row], record_id: int, missing: type[UnknownRecordError]
) -> Row:
    """The `model` row with the primary key `record_id`; `missing(record_id)` when none has it."""
    row = await session.get(model, record_id)
    if row is None:
        raise missing(record_id)
    return row


def record_of(cls: type[Record], row: object, **values: Any) -> Record:
    """A `cls` whose fields are `row`'s attributes of the same name.

    `values` give the fields a row has under another name, converts or lacks (a nested record,
    an enum); a field neither gives raises AttributeError rather than quietly taking its default.
    """
    from_row = {f.name: getattr(row, f.name) for f in fields(cls) if f.name not in values}
    return cls(**from_row, **values)


def row_values(record: DataclassInstance, model: type[Any], **values: Any) -> dict[str, Any]:
    """The column values of a new `model` row that `record` holds under the same names, with
    `values` (the columns it names otherwise, converts or lacks) over them."""
    columns = model.__table__.columns.keys()
    same = {f.name: getattr(record, f.name) for f in fields(record) if f.name in columns}
    return same | values
