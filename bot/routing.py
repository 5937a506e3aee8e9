"""Where a turn goes: intents to actions, card submits to their handlers, the rest to fallbacks.

Every handler is wrapped as it is routed: the role it declares is checked before it runs, and
this is the edge where a refusal (a DomainError from a service, a conversation or that check)
is said to the user, once, in their language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from bot.intents import IntentMatch
from bot.sdk import DialogContext, DialogTurnResult, DialogTurnStatus, TurnContext
from dialogs.permissions import Requirement, require
from dialogs.turn import say, step, turn_lang
from knowledge.slots import SlotFinder
from storage.errors import DomainError

# An action answers a matched intent.
Action = Callable[[TurnContext, IntentMatch], Awaitable[None]]
# A submit handler answers a card button; it gets the submitted data (untrusted).
SubmitHandler = Callable[[TurnContext, Mapping[str, Any]], Awaitable[None]]
# A card outcome says what became of the thing an old card's button was for (the request its
# guide sent, the change its confirmation made); it returns False when it cannot tell.
CardOutcome = Callable[[TurnContext, Mapping[str, Any]], Awaitable[bool]]
# A fallback may answer free text no intent matched; it returns True when it did.
Fallback = Callable[[TurnContext, str], Awaitable[bool]]
# Finds the names (systems, bodies, people) a message may carry, for the turn's directory.
SlotSource = Callable[[TurnContext], Awaitable[SlotFinder]]
# A turn hook runs at the start of every turn: before its transaction (network look-ups, which
# must hold no database lock) or inside it (e.g. linking identities).
TurnHook = Callable[[TurnContext], Awaitable[None]]

A = TypeVar("A")
R = TypeVar("R")


def refusals_said(
    handler: Callable[[TurnContext, A], Awaitable[R]], refused: R
) -> Callable[[TurnContext, A], Awaitable[R]]:
    """`handler`, with a refusal it raises said to the user (and `refused` returned)."""

    @wraps(handler)
    async def run(context: TurnContext, argument: A) -> R:
        try:
            return await handler(context, argument)
        except DomainError as refusal:
            # Never a dead end: a refusal with no way on of its own offers what govbot can do.
            then = refusal.then or (step("help", turn_lang(context)),)
            await say(context, refusal.key, then=then, **refusal.params)
            return refused

    return run


def guarded(
    handler: Callable[[TurnContext, A], Awaitable[R]], requirement: Requirement | None
) -> Callable[[TurnContext, A], Awaitable[R]]:
    """`handler`, run only once the acting user meets `requirement` (when there is one)."""
    if requirement is None:
        return handler

    @wraps(handler)
    async def run(context: TurnContext, given: A) -> R:
        await require(context, requirement, given)
        return await handler(context, given)

    return run


async def _continue_or_end(context: TurnContext, dialog_context: DialogContext) -> DialogTurnResult:
    try:
        return await dialog_context.continue_dialog()
    except DomainError:
        # Refused by one of the dialog's own steps: the flow cannot go on from there.
        await dialog_context.cancel_all_dialogs()
        raise


async def continue_dialog(context: TurnContext, dialog_context: DialogContext) -> DialogTurnResult:
    """Continue the running dialog; a refusal from one of its steps ends it (and is said)."""
    ended = DialogTurnResult(DialogTurnStatus.Complete)
    return await refusals_said(_continue_or_end, ended)(context, dialog_context)


@dataclass
class Routes:
    """The tables a capability adds itself to when the app is built."""

    actions: dict[str, Action] = field(default_factory=dict)
    submits: dict[str, SubmitHandler] = field(default_factory=dict)
    fallbacks: list[Fallback] = field(default_factory=list)
    turn_hooks: list[TurnHook] = field(default_factory=list)
    before_turn_hooks: list[TurnHook] = field(default_factory=list)
    # Answer free text only when certain (the pack's confident answers): tried before a
    # "Vil du …?" and before a capability asks back for what the text left out.
    sure_answers: list[Fallback] = field(default_factory=list)
    # Questions answered before any intent's action, where that action would answer beside
    # the point (a body the pack has none of: "hvem er formand for styregruppen?").
    ahead: list[Fallback] = field(default_factory=list)
    # The role each guarded intent or card action needs, by its key.
    requirements: dict[str, Requirement] = field(default_factory=dict)
    # Card actions a dialog answers while it runs: the dialog's id and what to say once it
    # does not (the card is older than the conversation's state).
    dialog_cards: dict[str, tuple[str, CardOutcome]] = field(default_factory=dict)

    def action(self, key: str, handler: Action, *, requires: Requirement | None = None) -> None:
        """Route the intent `key` to `handler`, for users who meet `requires`."""
        if key in self.actions:
            raise ValueError(f"intent {key!r} is routed twice")
        self._declare(key, requires)
        self.actions[key] = refusals_said(guarded(handler, requires), None)

    def methods(self, capability: str, owner: object, names: str) -> None:
        """Route each intent `capability.NAME` to `owner`'s method NAME, for the words `names`
        (a capability whose actions are named after their intents declares them in one line)."""
        for name in names.split():
            handler: Action = getattr(owner, name)
            self.action(f"{capability}.{name}", handler)

    def submit(
        self, key: str, handler: SubmitHandler, *, requires: Requirement | None = None
    ) -> None:
        """Route card submits with `{"action": key}` to `handler`, for users who meet `requires`."""
        if key in self.submits:
            raise ValueError(f"card action {key!r} is routed twice")
        self._declare(key, requires)
        self.submits[key] = refusals_said(guarded(handler, requires), None)

    def dialog_card(self, key: str, dialog_id: str, outcome: CardOutcome) -> None:
        """Card submits with `{"action": key}` go to the dialog `dialog_id` while it runs;
        pressed later (or while another dialog runs), `outcome` says what became of it."""
        if key in self.dialog_cards or key in self.submits:
            raise ValueError(f"card action {key!r} is routed twice")
        self.dialog_cards[key] = (dialog_id, refusals_said(outcome, True))

    def _declare(self, key: str, requirement: Requirement | None) -> None:
        if requirement is not None:
            self.requirements[key] = requirement

    async def press(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """Run the card action `data` names, as if its button had been pressed."""
        await self.submits[str(data.get("action"))](context, data)

    def fallback(self, handler: Fallback) -> None:
        """Try `handler` on free text no intent matched, after earlier fallbacks."""
        self.fallbacks.append(refusals_said(handler, True))

    def sure_answer(self, handler: Fallback) -> None:
        """Try `handler` on text the intents left open, before asking the user back."""
        self.sure_answers.append(refusals_said(handler, True))

    def answer_ahead(self, handler: Fallback) -> None:
        """Try `handler` on a question before the intent it matched answers it."""
        self.ahead.append(refusals_said(handler, True))

    async def answered_ahead(self, context: TurnContext, text: str) -> bool:
        """True when a handler that goes before the intents answered `text`."""
        for handler in self.ahead:
            if await handler(context, text):
                return True
        return False

    async def answer_if_sure(self, context: TurnContext, text: str) -> bool:
        """True when a sure answerer answered `text`."""
        for handler in self.sure_answers:
            if await handler(context, text):
                return True
        return False

    async def answer_as_free_text(self, context: TurnContext, text: str) -> None:
        """Answer `text` as if no intent had matched: the fallbacks, in order."""
        for handler in self.fallbacks:
            if await handler(context, text):
                return

    def on_turn(self, hook: TurnHook) -> None:
        """Run `hook` at the start of every turn, inside the turn's transaction."""
        self.turn_hooks.append(hook)

    def before_turn(self, hook: TurnHook) -> None:
        """Run `hook` at the start of every turn, before its transaction and writer lock (for
        network calls: nothing of the database is held while they wait)."""
        self.before_turn_hooks.append(hook)
