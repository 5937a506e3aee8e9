"""Confirming a destructive change: the one mechanism every such action goes through.

A change is planned, kept on the server in conversation state behind a one-time token, and
shown on a card; the card carries only the token (in the typed confirmation below the dialog
keeps the token it acts on, and its card's token only finds what became of the change once the
dialog has ended). On yes the token is spent — only by the user who asked for the change, and
only before it expires —, the role its kind declares is checked again, and the change is handed
to the function registered for its kind, which checks it against the database again before it
writes. The storage service that writes it records the audit entry. No spends the token too; a
spent token is remembered for a day, so a button pressed again says whether the change was made.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from bot.sdk import (
    Choice,
    ChoicePrompt,
    DialogTurnResult,
    ListStyle,
    MessageFactory,
    PromptOptions,
    StatePropertyAccessor,
    TurnContext,
    WaterfallDialog,
    WaterfallStepContext,
)
from dialogs.base import GovbotDialog
from dialogs.permissions import Requirement, require
from dialogs.texts import text
from dialogs.turn import as_attachment, say, show, turn_lang, turn_user
from storage.errors import DomainError
from storage.models.base import utcnow

PENDING_MINUTES = 15
MAX_PENDING = 5
# A spent token is remembered this long (and at most this many), so a yes pressed again on an
# old card is told what became of its change rather than "no longer valid".
SPENT_HOURS = 24
MAX_SPENT = 10
MAX_TOKEN_CHARS = 64
# The card action of every "no" button.
DECLINE = "confirm.no"
# The buttons of a confirmation asked in a dialog: they stand for typing "ja" or "nej".
TYPED_ANSWER = "confirm.typed"
# Typed answers to a confirmation asked in a dialog (the card's buttons say the first ones).
YES = ("ja", "yes", "ja gennemfør", "ja, gennemfør", "yes, go ahead", "ok", "jep", "jo")
NO = ("nej", "no", "nope", "lad være")

# Applies a confirmed change of one kind: checks it again, writes it, says what was done.
Apply = Callable[[TurnContext, dict[str, Any]], Awaitable[None]]
# Runs the card action `data` names, as if its button had been pressed.
Press = Callable[[TurnContext, Mapping[str, Any]], Awaitable[None]]


class StaleConfirmation(DomainError):
    """The token is spent, expired, unknown or of another kind of change."""

    default_key = "confirm.stale"


class NotYourConfirmation(DomainError):
    """The token belongs to another user's change; it is left for its owner."""

    default_key = "confirm.not_yours"


class Confirmations:
    """Changes waiting for a yes, each behind a one-time token in conversation state."""

    def __init__(
        self, accessor: StatePropertyAccessor, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._accessor = accessor
        self._clock = clock
        self._appliers: dict[str, tuple[Apply, Requirement | None]] = {}

    def on_yes(self, kind: str, apply: Apply, *, requires: Requirement | None = None) -> None:
        """Apply confirmed changes of `kind` with `apply` (which checks them again first),
        once the acting user still meets `requires`."""
        if kind in self._appliers:
            raise ValueError(f"confirmation {kind!r} is registered twice")
        self._appliers[kind] = (apply, requires)

    @property
    def requirements(self) -> dict[str, Requirement | None]:
        """The role each kind of change needs on yes, by kind."""
        return {kind: requirement for kind, (_, requirement) in self._appliers.items()}

    async def keep(self, context: TurnContext, kind: str, change: Mapping[str, Any]) -> str:
        """Keep `change` for the acting user; returns the token that stands for it."""
        pending: dict[str, Any] = await self._accessor.get(context, dict)
        now = self._clock()
        for token, kept in list(pending.items()):
            if datetime.fromisoformat(kept["expires"]) < now:
                del pending[token]
        _keep_newest(pending, spent=False, limit=MAX_PENDING - 1)  # room for this one
        token = secrets.token_urlsafe(18)
        pending[token] = {
            "kind": kind,
            "change": dict(change),
            "actor": turn_user(context).identity,
            "expires": (now + timedelta(minutes=PENDING_MINUTES)).isoformat(),
        }
        await self._accessor.set(context, pending)
        return token

    async def ask(
        self,
        context: TurnContext,
        kind: str,
        change: Mapping[str, Any],
        *,
        lead: str,
        lines: Sequence[str] = (),
    ) -> None:
        """Keep `change` and show the confirmation card whose buttons carry its token."""
        token = await self.keep(context, kind, change)
        await show(
            context, "confirm", lead=lead, lines=list(lines), already_lead="",
            already_lines=[], typed=False, yes={"action": kind, "token": token},
            no={"action": DECLINE, "token": token},
        )  # fmt: skip

    async def confirm(self, context: TurnContext, token: object, kind: str) -> None:
        """Yes: spend the token, then apply the change it stands for (or StaleConfirmation,
        NotYourConfirmation)."""
        change = await self._take(context, token, kind)
        apply, requirement = self._appliers[kind]
        if requirement is not None:
            await require(context, requirement, change)
        await apply(context, change)
        assert isinstance(token, str)  # _take took it
        await self._spent(context, token, kind, "applied")

    async def decline(self, context: TurnContext, token: object) -> None:
        """No: forget the change (only its owner can), and say nothing changes."""
        pending: dict[str, Any] = await self._accessor.get(context, dict)
        kept = pending.get(token) if isinstance(token, str) else None
        if isinstance(token, str) and kept is not None and "spent" not in kept:
            if kept["actor"] == turn_user(context).identity:
                await self._spent(context, token, kept["kind"], "declined")
        await say(context, "confirm.dropped")

    async def _spent(self, context: TurnContext, token: str, kind: str, outcome: str) -> None:
        """Remember what became of `token`'s change: "applied" or "declined"."""
        pending: dict[str, Any] = await self._accessor.get(context, dict)
        pending[token] = {
            "kind": kind,
            "actor": turn_user(context).identity,
            "spent": outcome,
            "expires": (self._clock() + timedelta(hours=SPENT_HOURS)).isoformat(),
        }
        _keep_newest(pending, spent=True, limit=MAX_SPENT)
        await self._accessor.set(context, pending)

    async def pressed_yes(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """A card's yes button: `{"action": kind, "token": …}` (untrusted)."""
        await self.confirm(context, data.get("token"), str(data.get("action")))

    async def outcome(self, context: TurnContext, data: Mapping[str, Any]) -> bool:
        """A typed confirmation's button pressed after its dialog ended: what became of the
        change (made, declined, expired); False when the token tells nothing."""
        token = data.get("token")
        pending: dict[str, Any] = await self._accessor.get(context, dict)
        kept = pending.get(token) if isinstance(token, str) else None
        if kept is None or kept["actor"] != turn_user(context).identity:
            return False
        if "spent" in kept:
            await say(context, f"confirm.already_{kept['spent']}")
        else:  # the dialog ended without an answer: the change waits for nobody
            await say(context, "confirm.left_unanswered")
        return True

    async def pressed_no(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """A card's no button: `{"action": DECLINE, "token": …}` (untrusted)."""
        await self.decline(context, data.get("token"))

    async def _take(self, context: TurnContext, token: object, kind: str) -> dict[str, Any]:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            raise StaleConfirmation()
        pending: dict[str, Any] = await self._accessor.get(context, dict)
        kept = pending.get(token)
        if kept is None or kept["kind"] != kind or kind not in self._appliers:
            raise StaleConfirmation()
        if kept["actor"] != turn_user(context).identity:
            raise NotYourConfirmation()
        if "spent" in kept:  # pressed again: say what became of it
            raise StaleConfirmation(f"confirm.already_{kept['spent']}")
        del pending[token]
        await self._accessor.set(context, pending)
        if datetime.fromisoformat(kept["expires"]) < self._clock():
            raise StaleConfirmation("confirm.expired", minutes=PENDING_MINUTES)
        return dict(kept["change"])


def _keep_newest(pending: dict[str, Any], *, spent: bool, limit: int) -> None:
    """Drop the oldest waiting (or spent) tokens beyond `limit`."""
    tokens = sorted(
        (t for t, kept in pending.items() if ("spent" in kept) == spent),
        key=lambda t: pending[t]["expires"],
    )
    for token in tokens[: max(0, len(tokens) - limit)]:
        del pending[token]


class TypedConfirmationDialog(GovbotDialog):
    """A confirmation answered by typing "ja" or "nej", for a change kept behind a token.

    Options: `kind`, `token` and the card's `lead`, `lines`, `already_lead`, `already_lines`.
    The answer is pressed as the card's button would be, so a typed yes goes the same way.
    """

    title_key: ClassVar[str] = "confirm.dialog_title"

    def __init__(self, press: Press) -> None:
        super().__init__(TypedConfirmationDialog.__name__)
        self._press = press
        self.add_dialog(ChoicePrompt("answer"))
        self.add_dialog(WaterfallDialog("steps", [self.ask_step, self.answer_step]))
        self.initial_dialog_id = "steps"

    async def ask_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        options: dict[str, Any] = step.options if isinstance(step.options, dict) else {}
        lang = turn_lang(step.context)
        step.values["kind"], step.values["token"] = options.get("kind"), options.get("token")
        card = as_attachment(
            "confirm", step.context, lead=options.get("lead", ""),
            lines=list(options.get("lines") or ()), already_lead=options.get("already_lead", ""),
            already_lines=list(options.get("already_lines") or ()), typed=True,
            yes={"action": TYPED_ANSWER, "text": text("confirm.say_yes", lang),
                 "token": step.values["token"]},
            no={"action": TYPED_ANSWER, "text": text("confirm.say_no", lang),
                "token": step.values["token"]},
        )  # fmt: skip
        return await step.prompt(
            "answer",
            PromptOptions(
                prompt=MessageFactory.attachment(card),
                retry_prompt=MessageFactory.text(text("confirm.retry", lang)),
                choices=[Choice("ja", synonyms=list(YES)), Choice("nej", synonyms=list(NO))],
                style=ListStyle.none,
            ),
        )

    async def answer_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        yes = step.result is not None and step.result.value == "ja"
        kind, token = step.values["kind"], step.values["token"]
        ended = await step.end_dialog()  # the dialog is over whatever the answer does
        await self._press(step.context, {"action": kind if yes else DECLINE, "token": token})
        return ended
