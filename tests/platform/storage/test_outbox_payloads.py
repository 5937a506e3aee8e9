"""Outbox message kinds: each stores as the JSON the dispatcher reads and comes back as itself."""

from __future__ import annotations

import pytest

from storage.outbox_payloads import (
    KINDS,
    InitiativeMoved,
    MeetingReminder,
    PayloadError,
    ProcurementScreeningCard,
    UnreachableNotice,
    decode,
    stored_form,
)


def test_every_kind_has_its_own_template() -> None:
    assert len({(kind.FORM, kind.TEMPLATE) for kind in KINDS}) == len(KINDS)


@pytest.mark.parametrize(
    "message",
    [
        UnreachableNotice(subject="unreachable k", who="Anne", about="påmindelse"),
        InitiativeMoved(lang="en", id=3, title="Robot", to_status="Approved", by="Bo"),
        ProcurementScreeningCard(
            id=7, requester_name="Anne", date="01.02.2027", summary={"need": "x", "facts": []}
        ),
        MeetingReminder(
            recipient_name=None,
            key="meeting:1:agenda:a",
            meeting_id=1,
            body="styregruppe",
            rule="agenda",
            kind="agenda",
            personal=True,
            title={"da": "Møde", "en": "Meeting"},
            rule_text={"da": "Dagsorden", "en": "Agenda"},
            when={"da": "1. feb.", "en": "1 Feb"},
        ),
    ],
)
def test_a_message_comes_back_from_its_stored_form(message: object) -> None:
    stored = stored_form(message)  # type: ignore[arg-type]
    assert decode(stored) == message


def test_the_stored_form_is_the_shape_the_dispatcher_reads() -> None:
    stored = stored_form(UnreachableNotice(subject="unreachable k", who="Anne", about="møde"))
    assert stored == {
        "lang": None,
        "subject": "unreachable k",
        "text": {"key": "outbox.unreachable", "values": {"who": "Anne", "subject": "møde"}},
    }


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({}, "text or a card"),
        ({"text": {"key": "no.such.text", "values": {}}}, "no message kind"),
        ({"text": {"key": "outbox.unreachable", "values": {"who": "A"}}}, "UnreachableNotice"),
        ({"lang": "de", "text": {"key": "outbox.unreachable", "values": {}}}, "lang"),
    ],
)
def test_rows_of_no_kind_are_refused(stored: dict[str, object], message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        decode(stored)
    with pytest.raises(PayloadError, match="one of the message kinds"):
        stored_form(stored)  # type: ignore[arg-type]
