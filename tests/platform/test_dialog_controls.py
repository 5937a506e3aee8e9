"""The controls every govbot dialog shares (annuller, tilbage, hjælp, interruptions), driven with
botbuilder's own DialogTestClient: the dialog alone, no HTTP, no database.

The dialog under test is the typed confirmation (a yes/no prompt over a kept change); its `press`
is recorded instead of applying a change, since applying belongs to the capability that kept it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pytest
from botbuilder.core import Middleware, TurnContext
from botbuilder.dialogs import DialogTurnStatus
from botbuilder.schema import Activity
from botbuilder.testing import DialogTestClient

from dialogs.base import GovbotDialog, PromptReading
from dialogs.confirmation import DECLINE, TypedConfirmationDialog
from dialogs.texts import text
from dialogs.turn import INTERRUPT_KEY

OPTIONS = {"kind": "access.grant", "token": "t-1", "lead": "Giv Anne adgang som admin?"}
Interrupt = Callable[[TurnContext, str, PromptReading], Awaitable[bool]]


class Presses:
    """What the dialog pressed, in order."""

    def __init__(self) -> None:
        self.pressed: list[dict[str, Any]] = []

    async def __call__(self, _context: TurnContext, payload: Mapping[str, Any]) -> None:
        self.pressed.append(dict(payload))


class WithInterrupt(Middleware):
    """Puts the bot's mid-dialog question answerer on the turn, as the handler does."""

    def __init__(self, interrupt: Interrupt) -> None:
        self._interrupt = interrupt

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable[None]]) -> None:
        context.turn_state[INTERRUPT_KEY] = self._interrupt
        await logic()


def _client(presses: Presses, interrupt: Interrupt | None = None) -> DialogTestClient:
    middlewares = [WithInterrupt(interrupt)] if interrupt else None
    return DialogTestClient(
        "msteams", TypedConfirmationDialog(presses), OPTIONS, middlewares=middlewares
    )


def _card_text(reply: Activity) -> str:
    """Every TextBlock of the reply's first card, joined."""
    body = reply.attachments[0].content["body"]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(body)
    return "\n".join(found)


async def test_the_prompt_is_the_confirmation_card_with_its_lead() -> None:
    client = _client(Presses())
    reply = await client.send_activity("start")
    assert reply.attachments, "the confirmation is asked as a card"
    assert OPTIONS["lead"] in _card_text(reply)
    assert client.dialog_turn_result.status == DialogTurnStatus.Waiting


@pytest.mark.parametrize(("said", "action"), [("ja", "access.grant"), ("Jep", "access.grant")])
async def test_a_typed_yes_presses_the_kept_change(said: str, action: str) -> None:
    presses = Presses()
    client = _client(presses)
    await client.send_activity("start")
    await client.send_activity(said)
    assert presses.pressed == [{"action": action, "token": "t-1"}]
    assert client.dialog_turn_result.status == DialogTurnStatus.Complete


async def test_a_typed_no_declines_the_kept_change() -> None:
    presses = Presses()
    client = _client(presses)
    await client.send_activity("start")
    await client.send_activity("nej")
    assert presses.pressed == [{"action": DECLINE, "token": "t-1"}]


@pytest.mark.parametrize(
    ("said", "answer", "status"),
    [
        # Neither yes nor no: asked again, the dialog still waits.
        ("måske i morgen", "confirm.retry", DialogTurnStatus.Waiting),
        # The way out: the dialog ends.
        ("annuller", "dialog.cancelled", DialogTurnStatus.Complete),
    ],
)
async def test_no_yes_presses_nothing(said: str, answer: str, status: DialogTurnStatus) -> None:
    presses = Presses()
    client = _client(presses)
    await client.send_activity("start")
    reply = await client.send_activity(said)
    assert reply.text == text(answer, "da")
    assert presses.pressed == []
    assert client.dialog_turn_result.status == status


async def test_tilbage_at_the_first_question_says_so_and_asks_again() -> None:
    client = _client(Presses())
    await client.send_activity("start")
    reply = await client.send_activity("tilbage")
    assert reply.text == text("dialog.no_back", "da")
    again = client.get_next_reply()
    assert again.attachments and OPTIONS["lead"] in _card_text(again)


async def test_hjaelp_names_the_dialog_and_its_ways_out_then_asks_again() -> None:
    client = _client(Presses())
    await client.send_activity("start")
    reply = await client.send_activity("hjælp")
    title = text(TypedConfirmationDialog.title_key, "da")
    assert reply.text == text("dialog.help_in_dialog", "da", title=title)
    assert client.get_next_reply().attachments


async def test_a_question_for_another_capability_is_answered_and_never_taken_as_the_answer() -> (
    None
):
    presses = Presses()
    asked: list[str] = []

    async def interrupt(context: TurnContext, said: str, _reading: PromptReading) -> bool:
        asked.append(said)
        if not said.endswith("?"):
            return False
        await context.send_activity("SaaS er software, der lejes som en tjeneste.")
        return True

    client = _client(presses, interrupt)
    await client.send_activity("start")
    reply = await client.send_activity("hvad betyder SaaS?")
    assert reply.text.startswith("SaaS er")
    assert client.get_next_reply().attachments, "the prompt is asked again"
    assert presses.pressed == []
    await client.send_activity("ja")
    assert presses.pressed == [{"action": "access.grant", "token": "t-1"}]
    assert asked == ["hvad betyder SaaS?", "ja"]


async def test_every_govbot_dialog_has_a_title_for_its_help() -> None:
    """The in-dialog help names the dialog; a subclass without its own title would say "dialog"."""
    for dialog in _subclasses(GovbotDialog):
        assert dialog.title_key != GovbotDialog.title_key, dialog.__name__
        assert text(dialog.title_key, "da") and text(dialog.title_key, "en")


def _subclasses(cls: type) -> list[type]:
    import dialogs.confirmation
    import dialogs.portfolio_register
    import dialogs.procurement
    import dialogs.profile  # noqa: F401

    found: list[type] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found
