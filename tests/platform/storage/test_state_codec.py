"""The typed state codec: SDK objects round-trip, other classes are refused, and documents
that jsonpickle wrote before are still read."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import CardFactory, MessageFactory
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import PromptOptions
from jsonpickle.pickler import Pickler
from sqlalchemy import insert

from storage.bot_state import SqlStorage, flatten
from storage.db import Database
from storage.models import BotStateDocument
from storage.state_codec import Unencodable, decode, encode

# A conversation's state as the jsonpickle flattening (the storage before this codec) stored
# it: the procurement guide waiting at its unit prompt, with a card and choices.
OLD_DOCUMENT = Path(__file__).parent / "data" / "jsonpickle_dialog_state.json"


def _dialog_state() -> dict[str, Any]:
    prompt = MessageFactory.attachment(CardFactory.adaptive_card({"type": "AdaptiveCard"}))
    prompt.text = "Hvilken enhed?"
    options = PromptOptions(
        prompt=prompt,
        retry_prompt=MessageFactory.text("Skriv en enhed"),
        choices=[Choice("Borgerservice"), Choice("Kultur", synonyms=["kultur og fritid"])],
        style=ListStyle.suggested_action,
        validations={"units": ["Borgerservice", "Kultur"]},
    )
    stack = [
        DialogInstance(id="TextPrompt", state={"options": options, "state": {}}),
        DialogInstance(
            id="ProcurementDialog",
            state={"stepIndex": 1, "values": {"need": "booking", "asked": (1, 2)}},
        ),
    ]
    return {
        "DialogState": DialogState(stack),
        "ConversationMeta": {
            "last_active": "2026-12-03T12:00:00+00:00",
            "welcomed": True,
            "when": datetime(2026, 12, 3, 12, 0, tzinfo=UTC),
            "day": date(2026, 12, 3),
        },
        "e_tag": "*",
    }


def _comparable(value: Any) -> Any:
    """A restored state as plain data (jsonpickle's own flattening, without references)."""
    return Pickler(make_refs=False).flatten(value)


def test_dialog_state_round_trips_through_plain_json() -> None:
    state = _dialog_state()
    stored = json.loads(json.dumps(encode(state)))
    restored = decode(stored)
    assert _comparable(restored) == _comparable(state)
    options = restored["DialogState"].dialog_stack[0].state["options"]
    assert isinstance(options, PromptOptions)
    assert options.style is ListStyle.suggested_action
    assert options.prompt.attachments[0].content == {"type": "AdaptiveCard"}
    assert restored["DialogState"].dialog_stack[1].state["values"]["asked"] == (1, 2)
    assert "py/object" not in json.dumps(stored)


def test_a_dict_with_a_key_like_a_tag_comes_back_as_it_was() -> None:
    value = {"card": {"$type": "os:system", "$dict": 1, "n": [{"$date": "x"}]}}
    assert decode(json.loads(json.dumps(encode(value)))) == value


def test_only_the_sdks_classes_are_written_and_restored() -> None:
    class Local:
        pass

    with pytest.raises(Unencodable):
        encode({"x": Local()})
    with pytest.raises(Unencodable):
        encode({1: "a key JSON would turn into text"})
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(Unencodable):
        encode(looped)
    with pytest.raises(ValueError):
        decode({"x": {"$type": "os:system"}})
    assert flatten({"x": Local()})["x"]["py/object"].endswith("Local")  # jsonpickle's way


def test_an_old_jsonpickle_document_is_read_as_before() -> None:
    stored = json.loads(OLD_DOCUMENT.read_text("utf-8"))
    restored = decode(stored)
    assert _comparable(restored) == _comparable(_dialog_state())
    assert isinstance(restored["DialogState"].dialog_stack[0].state["options"], PromptOptions)


async def test_storage_reads_an_old_document_and_writes_it_back_typed(database: Database) -> None:
    old = json.loads(OLD_DOCUMENT.read_text("utf-8"))
    old.pop("e_tag")
    async with database.transaction() as session:
        await session.execute(
            insert(BotStateDocument).values(key="msteams/conversations/a:1", document=old, etag="1")
        )
    storage = SqlStorage(database)
    state = (await storage.read(["msteams/conversations/a:1"]))["msteams/conversations/a:1"]
    assert state["e_tag"] == "1"
    assert state["DialogState"].dialog_stack[1].state["stepIndex"] == 1
    state["DialogState"].dialog_stack[1].state["stepIndex"] = 2
    await storage.write({"msteams/conversations/a:1": state})
    async with database.sessions() as session:
        document = await session.scalar(
            BotStateDocument.__table__.select().with_only_columns(BotStateDocument.document)
        )
    assert "py/" not in json.dumps(document)
    again = (await storage.read(["msteams/conversations/a:1"]))["msteams/conversations/a:1"]
    assert again["DialogState"].dialog_stack[1].state["stepIndex"] == 2
