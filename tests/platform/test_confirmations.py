"""The one confirmation mechanism (dialogs/confirmation.py), on hand-built turns: a token works
once, only for the user who asked and only before it expires; no spends it too. Refusals are
said as at the edge (bot/routing.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ResourceResponse

from bot.routing import refusals_said
from dialogs.confirmation import DECLINE, MAX_PENDING, PENDING_MINUTES, Confirmations
from dialogs.texts import text
from dialogs.turn import LANG_KEY, USER_KEY, TurnUser

T0 = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


class Recorder(BotAdapter):
    """An adapter that keeps what the bot sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Activity] = []

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        self.sent.extend(activities)
        return [ResourceResponse(id=str(len(self.sent)))]

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        raise NotImplementedError

    async def delete_activity(self, context: TurnContext, reference: Any) -> None:
        raise NotImplementedError


class State:
    """One conversation's state property, as botbuilder's accessor offers it."""

    def __init__(self) -> None:
        self.value: Any = None

    async def get(self, context: TurnContext, default: Callable[[], Any]) -> Any:
        if self.value is None:
            self.value = default()
        return self.value

    async def set(self, context: TurnContext, value: Any) -> None:
        self.value = value


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def applied() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def confirmations(clock: Clock, applied: list[dict[str, Any]]) -> Confirmations:
    found = Confirmations(State(), clock=clock)  # type: ignore[arg-type]

    async def apply(context: TurnContext, change: dict[str, Any]) -> None:
        applied.append(change)

    found.on_yes("thing.remove", apply)
    return found


def turn(user: str = "ada") -> tuple[TurnContext, Recorder]:
    adapter = Recorder()
    context = TurnContext(adapter, Activity(type="message", text="x"))
    context.turn_state[USER_KEY] = TurnUser(channel_user_id=f"29:{user}", aad_object_id=user)
    context.turn_state[LANG_KEY] = "da"
    return context, adapter


def said(adapter: Recorder) -> list[str]:
    return [a.text for a in adapter.sent]


async def yes(
    confirmations: Confirmations, context: TurnContext, token: object, kind: str = "thing.remove"
) -> None:
    """The yes button of `token`, as it is routed."""
    await refusals_said(confirmations.pressed_yes, None)(context, {"action": kind, "token": token})


async def test_a_token_works_once_for_the_change_it_stands_for(
    confirmations: Confirmations, applied: list[dict[str, Any]]
) -> None:
    context, adapter = turn()
    token = await confirmations.keep(context, "thing.remove", {"id": 7})
    await yes(confirmations, context, token)
    assert applied == [{"id": 7}]
    await yes(confirmations, context, token)
    assert applied == [{"id": 7}]
    # Pressed again on the old card: what became of the change, not "no longer valid".
    assert said(adapter) == [text("confirm.already_applied")]


async def test_the_card_carries_only_the_token(confirmations: Confirmations) -> None:
    context, adapter = turn()
    await confirmations.ask(context, "thing.remove", {"id": 7, "secret": "x"}, lead="Fjern 7?")
    [card] = adapter.sent[0].attachments
    yes, no = (action["data"] for action in card.content["actions"])
    assert set(yes) == {"action", "token"} and yes["action"] == "thing.remove"
    assert no == {"action": DECLINE, "token": yes["token"]}
    assert "secret" not in str(card.content)


async def test_another_users_yes_is_refused_and_leaves_the_token_to_its_owner(
    confirmations: Confirmations, applied: list[dict[str, Any]]
) -> None:
    owner, _ = turn("ada")
    token = await confirmations.keep(owner, "thing.remove", {"id": 7})
    other, adapter = turn("bo")
    await yes(confirmations, other, token)
    await confirmations.decline(other, token)
    assert applied == []
    assert said(adapter) == [text("confirm.not_yours"), text("confirm.dropped")]
    await yes(confirmations, owner, token)
    assert applied == [{"id": 7}]


@pytest.mark.parametrize(
    "forged",
    [None, 42, "x" * 24, "x" * 500, ["token"]],
)
async def test_forged_tokens_and_other_kinds_apply_nothing(
    confirmations: Confirmations, applied: list[dict[str, Any]], forged: object
) -> None:
    context, adapter = turn()
    token = await confirmations.keep(context, "thing.remove", {"id": 7})
    await yes(confirmations, context, forged)
    await yes(confirmations, context, token, "thing.other")
    assert applied == [] and said(adapter) == [text("confirm.stale")] * 2


async def test_an_expired_token_applies_nothing(
    confirmations: Confirmations, applied: list[dict[str, Any]], clock: Clock
) -> None:
    context, adapter = turn()
    token = await confirmations.keep(context, "thing.remove", {"id": 7})
    clock.now = T0 + timedelta(minutes=PENDING_MINUTES, seconds=1)
    await yes(confirmations, context, token)
    assert applied == [] and said(adapter) == [text("confirm.expired", minutes=PENDING_MINUTES)]


async def test_no_spends_the_token(
    confirmations: Confirmations, applied: list[dict[str, Any]]
) -> None:
    context, adapter = turn()
    token = await confirmations.keep(context, "thing.remove", {"id": 7})
    await confirmations.pressed_no(context, {"action": DECLINE, "token": token})
    await yes(confirmations, context, token)
    assert applied == []
    assert said(adapter) == [text("confirm.dropped"), text("confirm.already_declined")]


async def test_only_the_newest_changes_are_kept(
    confirmations: Confirmations, applied: list[dict[str, Any]], clock: Clock
) -> None:
    context, _ = turn()
    tokens = []
    for n in range(MAX_PENDING + 1):
        clock.now = T0 + timedelta(seconds=n)
        tokens.append(await confirmations.keep(context, "thing.remove", {"id": n}))
    for token in tokens:
        await yes(confirmations, context, token)
    assert [c["id"] for c in applied] == list(range(1, MAX_PENDING + 1))


def test_a_kind_is_registered_once(confirmations: Confirmations) -> None:
    async def apply(context: TurnContext, change: dict[str, Any]) -> None:
        """Never called."""

    with pytest.raises(ValueError, match="twice"):
        confirmations.on_yes("thing.remove", apply)
