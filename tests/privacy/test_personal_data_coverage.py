"""Every column that identifies a person is covered by the personal-data registry.

Read from the SQLAlchemy metadata, so a new table (or column) holding a person id, a principal,
an email or an AAD object id fails here until its module declares how it is exported and
erased, or it is listed below with the reason it is not.
"""

from __future__ import annotations

import re
from collections import Counter

from storage.models import Base
from storage.personal_data import REGISTRY

# Principals by name: the column says so, or it holds who acted (`actor`, `…_by`), the
# requester or the screener (all AAD object ids or emails).
IDENTIFIER = re.compile(
    r"(^|_)(principal|email|aad_object_id|person_id|user_id|actor|requester|screener)$|_by$"
)

NOT_PERSONAL: dict[tuple[str, str], str] = {
    ("outbox", "claimed_by"): "the id of the dispatcher process holding the row, not a person",
}

# Erased (anonymised) but not exported: who did what is kept for accountability.
NOT_EXPORTED: dict[tuple[str, str], str] = {
    ("audit_log", "actor"): "the audit trail is kept; erasure replaces the name in it",
    ("access_grants", "granted_by"): "who gave a grant, as in the audit log",
    ("procurement_requests", "screener"): "the IT screener who decided a request",
    ("procurement_events", "actor"): "who moved, asked or answered in a request's history",
    ("procurement_channels", "set_by"): "who set IT's channel, as in the audit log",
    ("initiative_events", "actor"): "who moved an initiative, shown in its history",
    ("meetings", "created_by"): "who added a meeting, as in the audit log",
    ("body_channels", "set_by"): "who set a body's channel, as in the audit log",
}


def identifier_columns() -> set[tuple[str, str]]:
    """(table, column) of every column that names a person, by foreign key or by name."""
    found = set()
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            to_person = any(fk.column.table.name == "persons" for fk in column.foreign_keys)
            if to_person or IDENTIFIER.search(column.name):
                found.add((table.name, column.name))
    return found - set(NOT_PERSONAL)


def covered(*, exported: bool) -> set[tuple[str, str]]:
    return {
        name
        for declared in REGISTRY
        if not exported or declared.export is not None
        for name in declared.column_names
    }


def test_the_scan_finds_the_known_identifiers() -> None:
    found = identifier_columns()
    for expected in (
        ("persons", "email"),
        ("persons", "aad_object_id"),
        ("access_grants", "principal"),
        ("procurement_requests", "requester_person_id"),
        ("initiatives", "lead_person_id"),
        ("outbox", "principal"),
        ("outbox", "person_id"),
        ("conversation_refs", "user_email"),
    ):
        assert expected in found, expected


def test_every_identifier_column_is_erased() -> None:
    missing = sorted(identifier_columns() - covered(exported=False))
    assert missing == [], "declare an eraser in the table's storage module and list it"


def test_every_identifier_column_is_exported_or_listed_with_a_reason() -> None:
    missing = sorted(identifier_columns() - covered(exported=True) - set(NOT_EXPORTED))
    assert missing == [], "declare an exporter, or add the column to NOT_EXPORTED with a reason"


def test_the_lists_of_exceptions_hold_no_stale_entries() -> None:
    columns = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns}
    assert set(NOT_PERSONAL) | set(NOT_EXPORTED) <= columns
    assert not set(NOT_EXPORTED) & covered(exported=True), "exported after all: drop it"


def test_declarations_name_real_columns_and_distinct_kinds() -> None:
    columns = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns}
    for declared in REGISTRY:
        assert declared.column_names and declared.column_names <= columns, declared.kind
    kinds = Counter(declared.kind for declared in REGISTRY)
    assert [kind for kind, n in kinds.items() if n > 1] == []
