"""govbot's activity handler: one database transaction per turn, then routing by activity type.

The turn's frame is here (hooks, the transaction, state saved, replies held until the commit,
after-commit actions, the log line), with what every turn knows (its language, the conversation
remembered, the dialog context, the welcome); what a message or a button goes to is decided in
bot/turn_router.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from time import perf_counter

from bot.adapter import HELD_REPLIES_KEY
from bot.conversations import clean_text, conversation_info, reference_data, user_of
from bot.intents import IntentMatcher
from bot.local import ONE_SHOT_CHANNEL
from bot.logs import fields
from bot.rosters import Roster, roster_of
from bot.routing import Routes, SlotSource, continue_dialog
from bot.sdk import (
    Activity,
    ActivityHandler,
    ChannelAccount,
    ConversationState,
    DialogContext,
    DialogSet,
    DialogTurnStatus,
    InvokeResponse,
    TurnContext,
    UserState,
)
from bot.settings import Settings
from bot.subject import forget as forget_subject
from bot.subject import open_subject
from bot.turn_router import INTENT_KEY, TurnRouter
from dialogs.base import control_command
from dialogs.cards import MAIN_ACTIONS
from dialogs.language import (
    CONVERSATION_PROPERTY,
    KEPT_FIELD,
    PROFILE_PROPERTY,
    profile_choice,
    reply_language,
    said_language,
)
from dialogs.texts import Lang
from dialogs.turn import (
    AFTER_COMMIT_KEY,
    DIALOG_CONTEXT_KEY,
    INTERRUPT_KEY,
    LANG_KEY,
    SESSION_KEY,
    USER_KEY,
    after_commit,
    say,
    show,
)
from storage.bot_state import load_together, recently_active, state_in
from storage.conversations import (
    ConversationInfo,
    RecentReferences,
    remember_conversation,
    remember_teams_users,
)
from storage.db import Database
from storage.models.base import utcnow

log = logging.getLogger(__name__)

# Set when the user saw the welcome in an earlier turn: a greeting then answers briefly.
WELCOMED_KEY = "govbot.welcomed"
MAX_REMEMBERED_CONVERSATIONS = 10_000


class GovBot(ActivityHandler):
    """Routes each activity; domain writes of a turn commit together before any reply is sent."""

    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        conversation_state: ConversationState,
        user_state: UserState,
        dialogs: DialogSet,
        matcher: IntentMatcher,
        routes: Routes,
        slots: SlotSource,
        roster_changed: Callable[[Roster], object] | None = None,
    ) -> None:
        self._settings = settings
        # Called after the turn commits when members join a team or chat (the roster sync).
        self._roster_changed = roster_changed
        self._database = database
        self._conversation_state = conversation_state
        self._user_state = user_state
        self._dialogs = dialogs
        self._matcher = matcher
        self._routes = routes
        self._meta = conversation_state.create_property(CONVERSATION_PROPERTY)
        self._profile = user_state.create_property(PROFILE_PROPERTY)
        # References already stored, so unchanged ones are not rewritten every turn.
        self._remembered = RecentReferences(MAX_REMEMBERED_CONVERSATIONS)
        self._router = TurnRouter(
            matcher=matcher,
            routes=routes,
            slots=slots,
            max_message_chars=settings.max_message_chars,
        )

    async def on_turn(self, turn_context: TurnContext) -> None:
        started = perf_counter()
        held: list[Activity] = []
        turn_context.turn_state[HELD_REPLIES_KEY] = held
        turn_context.turn_state[USER_KEY] = user_of(turn_context.activity)
        outcome = "error"
        try:
            for hook in self._routes.before_turn_hooks:
                await hook(turn_context)
            # One transaction on one connection per turn: domain writes and bot state commit
            # together (one turn at a time on SQLite); replies and after-commit actions go out
            # after the lock is released.
            async with self._database.single_writer():
                async with self._database.transaction() as session:
                    with state_in(session):
                        turn_context.turn_state[SESSION_KEY] = session
                        info = await self._remember_conversation(turn_context)
                        await load_together(
                            turn_context, self._conversation_state, self._user_state
                        )
                        turn_context.turn_state[LANG_KEY] = await self._language(turn_context)
                        for hook in self._routes.turn_hooks:
                            await hook(turn_context)
                        await super().on_turn(turn_context)
                        await self._conversation_state.save_changes(turn_context)
                        await self._user_state.save_changes(turn_context)
            if info is not None:
                self._remembered.note(info, utcnow())
            turn_context.turn_state.pop(HELD_REPLIES_KEY, None)
            if held:
                await turn_context.adapter.send_activities(turn_context, held)
            outcome = "ok"
            await self._run_after_commit(turn_context)
            try:
                # A directory change is in the lookup index before its turn ends, so the user's
                # next message finds it; other turns go on meanwhile (the lock is released).
                await self._database.directory.caught_up(session)
            except Exception:  # committed and answered; the index catches up on its own
                log.exception("directory index not rebuilt after a change")
        except BaseException:
            # Nothing of a failed turn is sent: its writes were rolled back.
            turn_context.turn_state.pop(HELD_REPLIES_KEY, None)
            turn_context.buffered_reply_activities.clear()
            raise
        finally:
            turn_context.turn_state.pop(SESSION_KEY, None)
            activity = turn_context.activity
            log.info(
                "turn",
                extra=fields(
                    type=activity.type,
                    activity_id=activity.id or "-",
                    intent=turn_context.turn_state.get(INTENT_KEY, "-"),
                    latency_ms=round((perf_counter() - started) * 1000, 1),
                    outcome=outcome,
                ),
            )

    @staticmethod
    async def _run_after_commit(turn_context: TurnContext) -> None:
        for action in turn_context.turn_state.pop(AFTER_COMMIT_KEY, []):
            try:
                await action()
            except Exception:  # the turn itself succeeded; a side effect must not undo that
                log.exception("after-commit action failed")

    # --- activity types -------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = clean_text(turn_context.activity)
        limit = self._settings.max_message_chars
        if len(text) > limit:
            turn_context.turn_state[INTENT_KEY] = "too_long"
            await say(turn_context, "errors.too_long", limit=limit)
            return
        dialog_context = await self._dialog_context(turn_context)
        value = turn_context.activity.value
        if not text and isinstance(value, Mapping):
            text = await self._router.card_submit(turn_context, dialog_context, value)
            if not text:
                return
            # A "say" button stands for typed text, so prompts in a running dialog can read it.
            turn_context.activity.text = text
        elif not text:
            turn_context.turn_state[INTENT_KEY] = "empty"
            await say(turn_context, "fallback.non_text")
            return
        await self._welcome_once(turn_context, skip_if=self._matcher.command(text))
        if control_command(text) in {"cancel", "restart"}:
            forget_subject(turn_context)
        if dialog_context.active_dialog is not None:
            turn_context.turn_state[INTERRUPT_KEY] = self._router.interrupt
            result = await continue_dialog(turn_context, dialog_context)
            if result.status != DialogTurnStatus.Empty:
                turn_context.turn_state[INTENT_KEY] = "dialog"
                return
        await self._router.route_text(turn_context, text)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added or []):
            await self._welcome_once(turn_context)
        self._sync_roster_after(turn_context)

    def _sync_roster_after(self, turn_context: TurnContext) -> None:
        """Learn the members of a team or chat the bot or someone else just joined."""
        info = conversation_info(turn_context.activity, with_reference=False)
        roster = roster_of(info) if info is not None else None
        changed = self._roster_changed
        if roster is None or changed is None:
            return

        async def sync() -> None:
            changed(roster)  # starts the sync beside the turn: a big team takes many pages

        after_commit(turn_context, sync)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome_once(turn_context)
        self._sync_roster_after(turn_context)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Action.Execute runs the same handlers as Action.Submit; other invokes are refused."""
        activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else None
        if activity.name != "adaptiveCard/action" or action is None:
            turn_context.turn_state[INTENT_KEY] = f"invoke:{activity.name}"
            return InvokeResponse(status=400, body={"error": "unsupported invoke"})
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        await self._dialog_context(turn_context)
        return await self._router.execute(turn_context, action.get("verb"), data)

    # --- the dialog context and the welcome -------------------------------------------------

    async def _dialog_context(self, turn_context: TurnContext) -> DialogContext:
        dialog_context = await self._dialogs.create_context(turn_context)
        turn_context.turn_state[DIALOG_CONTEXT_KEY] = dialog_context
        meta = await self._meta.get(turn_context, dict)
        now = utcnow()
        last_active = meta.get("last_active")
        expiry = timedelta(minutes=self._settings.dialog_expiry_minutes)
        if (
            dialog_context.active_dialog is not None
            and last_active
            and now - datetime.fromisoformat(last_active) > expiry
        ):
            await dialog_context.cancel_all_dialogs()
            await say(turn_context, "dialog.expired")
        if not recently_active(last_active, now):
            meta["last_active"] = now.isoformat()
        open_subject(turn_context, meta, timedelta(minutes=self._settings.subject_expiry_minutes))
        return dialog_context

    async def _welcome_once(self, turn_context: TurnContext, skip_if: str | None = None) -> None:
        meta = await self._meta.get(turn_context, dict)
        welcomed_before = bool(meta.get("welcomed"))
        turn_context.turn_state[WELCOMED_KEY] = welcomed_before
        if welcomed_before or turn_context.activity.channel_id == ONE_SHOT_CHANNEL:
            return
        meta["welcomed"] = True
        if skip_if in {"welcome", "help"}:
            return
        await show_welcome(turn_context)

    # --- per-turn context -----------------------------------------------------------------

    async def _language(self, turn_context: TurnContext) -> Lang:
        profile = await self._profile.get(turn_context, dict)
        meta = await self._meta.get(turn_context, dict)
        said = said_language(turn_context.activity)
        if said is not None:
            # The conversation keeps the language of the user's last clear message.
            meta[KEPT_FIELD] = said
        return reply_language(
            default=self._settings.language,
            chosen=profile_choice(profile),
            said=said,
            kept=meta.get(KEPT_FIELD),
        )

    async def _remember_conversation(self, turn_context: TurnContext) -> ConversationInfo | None:
        activity = turn_context.activity
        info = conversation_info(activity, with_reference=False)
        if info is None or not self._remembered.due(info, utcnow()):
            return None
        info = replace(info, reference=reference_data(activity))
        session = turn_context.turn_state[SESSION_KEY]
        await remember_conversation(session=session, info=info)
        if info.conversation_type != "personal" and info.aad_object_id and info.user_id:
            # A shared conversation's reference keeps only its last writer: their Teams id is
            # kept apart, for cards' user-specific views (a 1:1 reference keeps its own).
            await remember_teams_users(session=session, users={info.aad_object_id: info.user_id})
        return info


async def show_welcome(turn_context: TurnContext) -> None:
    """The welcome card, in the turn's language."""
    user = turn_context.turn_state.get(USER_KEY)
    first_name = (user.name or "").split(" ")[0] if user and user.name else None
    # Teams shows at most five card actions; "hjælp" is named in the hint instead.
    await show(turn_context, "welcome", name=first_name, actions=MAIN_ACTIONS)
