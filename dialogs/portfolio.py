"""Registering and steering initiatives in chat: the form card, the initiative card with the
moves the viewer may make, and lists (the step-by-step dialog is dialogs/portfolio_register.py,
how the cards look dialogs/portfolio_view.py).

Every card submit is re-validated here (parse_form) and every move re-authorised from the
acting user's grants, never from what the card carried.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from bot.sdk import TurnContext
from dialogs.formats import spoken_day
from dialogs.permissions import acting_access
from dialogs.portfolio_form import (
    FieldError,
    FormResult,
    parse_form,
)
from dialogs.portfolio_notify import announce_move
from dialogs.portfolio_view import (
    body_names,
    duplicate_warning,
    form_fields,
    initiative_view,
)
from dialogs.texts import Lang, text
from dialogs.turn import after_commit, say, show, turn_lang, turn_session, turn_user
from knowledge.portfolio import InitiativeStatus, PortfolioRules, load_rules
from storage import portfolio_moves
from storage.access import Actor
from storage.errors import DomainError
from storage.models.base import utcnow
from storage.portfolio import (
    InitiativeRecord,
    InitiativeSummary,
    UnknownInitiativeError,
    get_initiative,
    my_initiatives,
    register_initiative,
)
from storage.portfolio_followers import follow_initiative, is_follower
from storage.portfolio_search import search_initiatives, similar_initiatives

# Channels whose clients fill in Adaptive Card inputs; elsewhere registration is a dialog.
CARD_FORM_CHANNELS = frozenset({"msteams", "emulator", "webchat", "directline"})
LIST_LIMIT = 10
DEFAULT_TZ = ZoneInfo("Europe/Copenhagen")  # the app passes settings.tz


def actor_of(context: TurnContext) -> Actor:
    """The acting user, from the activity (never from submitted data)."""
    user = turn_user(context)
    return Actor(principal=user.identity, name=user.name or user.identity, email=user.email)


class Portfolio:
    """The portfolio's conversation parts for one knowledge pack."""

    def __init__(
        self,
        pack_key: str,
        tz: tzinfo = DEFAULT_TZ,
        kick: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], datetime] = utcnow,
        language: Lang = "da",
    ) -> None:
        self.pack_key = pack_key
        self.tz = tz
        self.clock = clock  # examples of dates are computed from it
        self.kick = kick  # wakes the outbox dispatcher once the turn has committed
        self.language = language  # the municipality's, for news to someone who never chose

    def today(self) -> date:
        """Today's date on the municipality's clock."""
        return self.clock().astimezone(self.tz).date()

    @property
    def rules(self) -> PortfolioRules:
        """The pack's lifecycle rules."""
        return load_rules(self.pack_key)

    # --- the form card ------------------------------------------------------------------------

    async def show_form(
        self,
        context: TurnContext,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, FieldError] | None = None,
    ) -> None:
        """Send the registration form, filled with `values` and marked with `errors`."""
        lang = turn_lang(context)
        errors = errors or {}
        await show(
            context,
            "portfolio_form",
            fields=form_fields(lang, values or {}, errors, self.today()),
            error_count=len(errors),
        )

    async def submit_form(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """A submitted form: validate, warn of a near-duplicate, then register."""
        result = parse_form(data)
        if result.initiative is None:
            await self.show_form(context, result.values, result.errors)
            return
        if data.get("confirmed") is not True and await self.warn_duplicate(context, result):
            return
        await self.register(context, result)

    async def warn_duplicate(self, context: TurnContext, result: FormResult) -> bool:
        """Show the duplicate warning card when similar initiatives exist."""
        assert result.initiative is not None
        session = turn_session(context)
        similar = await similar_initiatives(session=session, title=result.initiative.title)
        if not similar:
            return False
        lang = turn_lang(context)
        first = similar[0].initiative
        await show(
            context,
            "portfolio_duplicate",
            warning=duplicate_warning(first, lang),
            similar=[{"id": s.initiative.id, "title": s.initiative.title} for s in similar],
            form=result.values,
        )
        return True

    async def register(self, context: TurnContext, result: FormResult) -> None:
        """Save the initiative and show its card; one the user already has under the same
        title (the form's button pressed again) is shown instead, not saved twice."""
        assert result.initiative is not None
        session = turn_session(context)
        title = result.initiative.title.casefold()
        mine = await my_initiatives(session=session, actor=actor_of(context))
        kept = next((i for i in mine if i.title.casefold() == title), None)
        if kept is not None:
            await say(context, "portfolio.already_registered", title=kept.title, id=kept.id)
            await self.show_by_id(context, kept.id)
            return
        record = await register_initiative(
            session=session, new=result.initiative, actor=actor_of(context)
        )
        await say(context, "portfolio.registered", title=record.title, id=record.id)
        await self.show_initiative(context, record)

    # --- the initiative card ------------------------------------------------------------------

    async def show_initiative(self, context: TurnContext, record: InitiativeRecord) -> None:
        """The initiative's card with its history and the moves this viewer may make."""
        lang = turn_lang(context)
        session = turn_session(context)
        access = await acting_access(context)
        moves = portfolio_moves.allowed_moves(record.status, access, self.rules)
        others = [t for t in self.rules.moves_from(record.status)]
        no_moves = None
        if not moves and others:
            bodies = list(dict.fromkeys(b for t in others for b in t.bodies))
            no_moves = text(
                "portfolio.card.no_moves", lang, bodies=body_names(self.pack_key, bodies, lang)
            )
        following = await is_follower(
            session=session, initiative_id=record.id, actor=actor_of(context)
        )
        await show(
            context,
            "portfolio_initiative",
            i=initiative_view(record, lang, self.pack_key, self.tz),
            moves=[
                {
                    "to": t.to.value,
                    "verb": text(f"portfolio.move_verb.{t.to.value}", lang),
                    "reason_required": t.reason_required,
                }
                for t, _body in moves
            ],
            no_moves=no_moves,
            can_follow=not following,
            mine_text=text("portfolio.mine_command", lang),
        )

    async def show_by_id(self, context: TurnContext, raw_id: object) -> None:
        """Show the initiative with id `raw_id` (from text or a button)."""
        initiative_id = _id_or_refusal(raw_id)
        try:
            record = await get_initiative(
                session=turn_session(context), initiative_id=initiative_id
            )
        except UnknownInitiativeError as unknown:
            raise _unknown(unknown) from unknown
        await self.show_initiative(context, record)

    # --- moves and following ------------------------------------------------------------------

    async def submit_move(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """A move button: the actor, their bodies and the rule are all derived on the server."""
        lang = turn_lang(context)
        initiative_id = _as_id(data.get("id"))
        to = _as_status(data.get("to"))
        expected = _as_status(data.get("from"))
        # Each move's reason box has its own id ("reason_afvist"), so no two share one.
        given = data.get("reason", data.get(f"reason_{data.get('to')}"))
        reason = given if isinstance(given, str) else None
        if initiative_id is None or to is None:
            raise DomainError("portfolio.refused.bad_request")
        session = turn_session(context)
        access = await acting_access(context)
        try:
            before = await get_initiative(session=session, initiative_id=initiative_id)
            record = await portfolio_moves.move_initiative(
                session=session,
                initiative_id=initiative_id,
                to=to,
                actor=actor_of(context),
                access=access,
                rules=self.rules,
                reason=(reason or "")[:1000],
                expected_from=expected,
            )
        except UnknownInitiativeError as unknown:
            raise _unknown(unknown) from unknown
        except portfolio_moves.StaleMoveError as stale:
            await say(
                context,
                "portfolio.refused.stale",
                status=text(f"portfolio.status.{stale.current.value}", lang),
            )
            await self.show_by_id(context, initiative_id)
            return
        except portfolio_moves.MoveNotAllowedError as refused:
            raise DomainError(
                "portfolio.refused.not_allowed",
                from_status=text(f"portfolio.status.{refused.current.value}", lang),
                to_status=text(f"portfolio.status.{refused.wanted.value}", lang),
            ) from refused
        except portfolio_moves.NotBodyMemberError as refused:
            raise DomainError(
                "portfolio.refused.not_member",
                bodies=body_names(self.pack_key, refused.bodies, lang),
                from_status=text(f"portfolio.status.{before.status.value}", lang),
                to_status=text(f"portfolio.status.{to.value}", lang),
            ) from refused
        except portfolio_moves.ReasonRequiredError as refused:
            verb = text(f"portfolio.move_verb.{to.value}", lang).lower()
            raise DomainError("portfolio.refused.reason", verb=verb) from refused
        if (
            await announce_move(
                session=session,
                record=record,
                actor=actor_of(context),
                pack_key=self.pack_key,
                default_lang=self.language,
            )
            and self.kick is not None
        ):
            after_commit(context, self.kick)
        await say(
            context,
            "portfolio.moved",
            title=record.title,
            from_status=text(f"portfolio.status.{before.status.value}", lang),
            to_status=text(f"portfolio.status.{record.status.value}", lang),
        )
        await self.show_initiative(context, record)

    async def follow(self, context: TurnContext, raw_id: object) -> None:
        """Join an initiative instead of registering a duplicate."""
        initiative_id = _id_or_refusal(raw_id)
        try:
            record = await follow_initiative(
                session=turn_session(context), initiative_id=initiative_id, actor=actor_of(context)
            )
        except UnknownInitiativeError as unknown:
            raise _unknown(unknown) from unknown
        await say(context, "portfolio.followed", title=record.title)
        await self.show_initiative(context, record)

    # --- lists --------------------------------------------------------------------------------

    async def show_mine(self, context: TurnContext) -> None:
        """The initiatives the user registered, leads or joined."""
        found = await my_initiatives(session=turn_session(context), actor=actor_of(context))
        if not found:
            await say(context, "portfolio.list.mine_empty")
            return
        lang = turn_lang(context)
        await self._show_list(context, text("portfolio.list.mine", lang), found)

    async def show_search(
        self,
        context: TurnContext,
        *,
        words: str | None = None,
        status: InitiativeStatus | None = None,
        unit: str | None = None,
    ) -> None:
        """Initiatives by words, status and/or unit."""
        lang = turn_lang(context)
        found = await search_initiatives(
            session=turn_session(context), words=words, status=status, unit=unit, limit=50
        )
        labels: dict[str, Any] = {
            "status": text(f"portfolio.status.{status.value}", lang) if status else None,
            "unit": unit,
            "words": words,
        }
        if not found:
            await say(context, "portfolio.list.empty", **labels)
            return
        if unit and len({i.unit_name for i in found}) == 1:
            labels["unit"] = found[0].unit_name  # as the directory spells it
        if not words:  # words rank by relevance; otherwise the latest news first
            found = sorted(found, key=lambda i: (i.status_changed_at, i.id), reverse=True)
        await self._show_list(context, text("portfolio.list.found", lang, **labels), found)

    async def _show_list(
        self, context: TurnContext, heading: str, found: Sequence[InitiativeSummary]
    ) -> None:
        lang = turn_lang(context)
        rows = [
            {
                "id": i.id,
                # No number: a row opens its initiative, whose card shows the number.
                "title": i.title,
                "line": text(
                    "portfolio.list.row",
                    lang,
                    status=text(f"portfolio.status.{i.status.value}", lang),
                    since=spoken_day(i.status_changed_at, lang, self.tz),
                    unit=i.unit_name,
                ),
            }
            for i in found[:LIST_LIMIT]
        ]
        more = len(found) - LIST_LIMIT
        await show(
            context,
            "portfolio_list",
            heading=heading,
            rows=rows,
            more=text("portfolio.list.more", lang, count=more) if more > 0 else None,
        )


def _as_id(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw < 2**31 else None
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 10:
        return int(raw.strip())
    return None


def _id_or_refusal(raw: object) -> int:
    initiative_id = _as_id(raw)
    if initiative_id is None:
        raise DomainError("portfolio.refused.bad_request")
    return initiative_id


def _unknown(error: UnknownInitiativeError) -> DomainError:
    return DomainError("portfolio.refused.unknown", id=error.wanted)


def _as_status(raw: object) -> InitiativeStatus | None:
    try:
        return InitiativeStatus(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
