"""Registering and steering initiatives in chat: the form card, the step-by-step dialog, the
initiative card with the moves the viewer may make, and lists.

Every card submit is re-validated here (parse_form) and every move re-authorised from the
acting user's grants, never from what the card carried.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import (
    ChoicePrompt,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
)
from botbuilder.schema import CardAction

from dialogs.base import GovbotDialog, remember
from dialogs.portfolio_form import (
    FIELDS,
    GAIN_FIELDS,
    FieldError,
    FormResult,
    is_skip,
    parse_field,
    parse_form,
)
from dialogs.portfolio_notify import announce_move
from dialogs.texts import Lang, text
from dialogs.turn import after_commit, say, show, turn_lang, turn_session, turn_user
from knowledge.packs import load_pack
from knowledge.portfolio import Category, Funding, InitiativeStatus, PortfolioRules, load_rules
from storage.access import Actor, access_of
from storage.portfolio import (
    InitiativeRecord,
    InitiativeSummary,
    UnknownInitiativeError,
    get_initiative,
    my_initiatives,
    register_initiative,
)
from storage.portfolio_followers import follow_initiative, is_follower
from storage.portfolio_moves import (
    MoveNotAllowedError,
    NotBodyMemberError,
    ReasonRequiredError,
    StaleMoveError,
    allowed_moves,
    move_initiative,
)
from storage.portfolio_search import search_initiatives, similar_initiatives

# Channels whose clients fill in Adaptive Card inputs; elsewhere registration is a dialog.
CARD_FORM_CHANNELS = frozenset({"msteams", "emulator", "webchat", "directline"})
LIST_LIMIT = 10
DEFAULT_TZ = ZoneInfo("Europe/Copenhagen")  # the app passes settings.tz
_CHOICE_FIELDS: dict[str, type[Category] | type[Funding]] = {
    "category": Category,
    "funding": Funding,
}
_TEXT_KINDS = {"description": "multiline", "business_case": "toggle"}
_MAX = {"title": 120, "description": 2000, "unit": 200, "core_task": 200, "lead": 200}
_OPTIONAL = frozenset({*GAIN_FIELDS, "estimated_cost", "business_case", "end_date", "systems"})

# Words for statuses in requests such as "initiativer i gang i Sundhed og Omsorg".
STATUS_WORDS: dict[str, InitiativeStatus] = {
    "idé": InitiativeStatus.IDE,
    "ide": InitiativeStatus.IDE,
    "idéer": InitiativeStatus.IDE,
    "ideer": InitiativeStatus.IDE,
    "ideas": InitiativeStatus.IDE,
    "indstillet": InitiativeStatus.INDSTILLET,
    "indstillede": InitiativeStatus.INDSTILLET,
    "proposed": InitiativeStatus.INDSTILLET,
    "prioriteret": InitiativeStatus.PRIORITERET,
    "prioriterede": InitiativeStatus.PRIORITERET,
    "prioritised": InitiativeStatus.PRIORITERET,
    "prioritized": InitiativeStatus.PRIORITERET,
    "i gang": InitiativeStatus.I_GANG,
    "in progress": InitiativeStatus.I_GANG,
    "i drift": InitiativeStatus.I_DRIFT,
    "in operation": InitiativeStatus.I_DRIFT,
    "afsluttet": InitiativeStatus.AFSLUTTET,
    "afsluttede": InitiativeStatus.AFSLUTTET,
    "closed": InitiativeStatus.AFSLUTTET,
    "afvist": InitiativeStatus.AFVIST,
    "afviste": InitiativeStatus.AFVIST,
    "rejected": InitiativeStatus.AFVIST,
    "sat på pause": InitiativeStatus.SAT_PAA_PAUSE,
    "på pause": InitiativeStatus.SAT_PAA_PAUSE,
    "paused": InitiativeStatus.SAT_PAA_PAUSE,
}


def actor_of(context: TurnContext) -> Actor:
    """The acting user, from the activity (never from submitted data)."""
    user = turn_user(context)
    return Actor(principal=user.identity, name=user.name or user.identity, email=user.email)


def error_text(error: FieldError, lang: Lang) -> str:
    """A field error in words."""
    values = dict(error.values)
    if error.key == "portfolio.error.choice":
        kind = _CHOICE_FIELDS[values.pop("kind")]
        values["options"] = ", ".join(text(f"portfolio.{kind_key(kind)}.{m}", lang) for m in kind)
    return text(error.key, lang, **values)


def kind_key(kind: type[Category] | type[Funding]) -> str:
    """The text section of an enumeration's labels."""
    return "category" if kind is Category else "funding"


def _date(value: datetime, lang: Lang, tz: tzinfo) -> str:
    local = value.astimezone(tz)
    return local.strftime("%d.%m.%Y") if lang == "da" else local.strftime("%Y-%m-%d")


def _amount(value: int, lang: Lang) -> str:
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if lang == "da" else grouped


class Portfolio:
    """The portfolio's conversation parts for one knowledge pack."""

    def __init__(
        self,
        pack_key: str,
        tz: tzinfo = DEFAULT_TZ,
        kick: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.pack_key = pack_key
        self.tz = tz
        self.kick = kick  # wakes the outbox dispatcher once the turn has committed

    @property
    def rules(self) -> PortfolioRules:
        """The pack's lifecycle rules."""
        return load_rules(self.pack_key)

    def body_names(self, keys: Sequence[str], lang: Lang) -> str:
        """Body names from the pack, joined with "eller"/"or"."""
        pack = load_pack(self.pack_key)
        names = [getattr(pack.body(k), f"name_{lang}") for k in keys]
        joiner = " eller " if lang == "da" else " or "
        return joiner.join(names)

    # --- the form card ------------------------------------------------------------------------

    def form_fields(
        self, lang: Lang, values: Mapping[str, str], errors: Mapping[str, FieldError]
    ) -> list[dict[str, Any]]:
        """The form's inputs with labels, the user's values and any error under each."""
        fields = []
        for name in FIELDS:
            kind = _TEXT_KINDS.get(name, "text")
            choices: list[tuple[str, str]] = []
            if name in _CHOICE_FIELDS:
                enum = _CHOICE_FIELDS[name]
                kind = "choice"
                choices = [(m.value, text(f"portfolio.{name}.{m.value}", lang)) for m in enum]
            elif name.endswith("_date"):
                kind = "date"
            placeholder_key = "gain" if name in GAIN_FIELDS else name
            label = text(f"portfolio.field.{name}", lang)
            required = name not in _OPTIONAL
            error = errors.get(name)
            fields.append(
                {
                    "id": name,
                    "kind": kind,
                    "label": f"{label} *" if required else label,
                    "placeholder": text(f"portfolio.placeholder.{placeholder_key}", lang)
                    if placeholder_key in _PLACEHOLDERS
                    else "",
                    "value": values.get(name, ""),
                    "required": required,
                    "max": _MAX.get(name, 500),
                    "choices": choices,
                    "error": error_text(error, lang) if error else None,
                }
            )
        return fields

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
            fields=self.form_fields(lang, values or {}, errors),
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
            warning=self._duplicate_warning(first, lang),
            similar=[{"id": s.initiative.id, "title": s.initiative.title} for s in similar],
            form=result.values,
        )
        return True

    @staticmethod
    def _duplicate_warning(first: InitiativeSummary, lang: Lang) -> str:
        return text(
            "portfolio.duplicate.warning",
            lang,
            title=first.title,
            status=text(f"portfolio.status.{first.status.value}", lang),
            unit=first.unit_name,
        )

    async def register(self, context: TurnContext, result: FormResult) -> None:
        """Save the initiative and show its card."""
        assert result.initiative is not None
        record = await register_initiative(
            session=turn_session(context), new=result.initiative, actor=actor_of(context)
        )
        await say(context, "portfolio.registered", title=record.title, id=record.id)
        await self.show_initiative(context, record)

    # --- the initiative card ------------------------------------------------------------------

    async def show_initiative(self, context: TurnContext, record: InitiativeRecord) -> None:
        """The initiative's card with its history and the moves this viewer may make."""
        lang = turn_lang(context)
        user = turn_user(context)
        session = turn_session(context)
        access = await access_of(
            session=session, aad_object_id=user.aad_object_id, email=user.email
        )
        moves = allowed_moves(record.status, access, self.rules)
        others = [t for t in self.rules.moves_from(record.status)]
        no_moves = None
        if not moves and others:
            bodies = list(dict.fromkeys(b for t in others for b in t.bodies))
            no_moves = text("portfolio.card.no_moves", lang, bodies=self.body_names(bodies, lang))
        following = await is_follower(
            session=session, initiative_id=record.id, actor=actor_of(context)
        )
        await show(
            context,
            "portfolio_initiative",
            i=self.initiative_view(record, lang),
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
            mine_text="mine initiativer" if lang == "da" else "my initiatives",
        )

    def initiative_view(self, record: InitiativeRecord, lang: Lang) -> dict[str, Any]:
        """Plain strings for the initiative card."""

        def t(key: str, **values: Any) -> str:
            return text(f"portfolio.{key}", lang, **values)

        status = t(f"status.{record.status.value}")
        period = (
            _date_only(record.start_date, lang)
            + " – "
            + (_date_only(record.end_date, lang) if record.end_date else t("card.open_end"))
        )
        cost = (
            t("card.cost", amount=_amount(record.estimated_cost, lang))
            if record.estimated_cost is not None
            else t("card.unknown_cost")
        )
        facts = [
            (t("field.unit"), record.unit_name),
            (t("field.category"), t(f"category.{record.category.value}")),
            (t("field.core_task"), record.core_task),
            (t("field.funding"), t(f"funding.{record.funding.value}")),
            (t("field.estimated_cost"), cost),
            (
                t("field.business_case"),
                t("card.answer_yes") if record.business_case else t("card.answer_no"),
            ),
            (t("card.period"), period),
            (t("field.lead"), record.lead_name),
            (
                t("field.systems"),
                ", ".join(s.name for s in record.systems) or t("card.none"),
            ),
            (t("card.registered_by"), record.registered_by_name),
        ]
        if record.followers:
            facts.append((t("card.followers"), ", ".join(record.followers)))
        history = []
        for entry in record.history:
            change = (
                f"{t('status.' + entry.from_status.value)} → {t('status.' + entry.to_status.value)}"
                if entry.from_status
                else t("card.created")
            )
            body = self.body_names([entry.body_key], lang) if entry.body_key else None
            history.append(
                t(
                    "card.history_line",
                    date=_date(entry.at, lang, self.tz),
                    actor=entry.actor_name,
                    change=change,
                    body=body,
                    reason=entry.reason,
                )
            )
        return {
            "id": record.id,
            "title": numbered(record.title, record.id, lang),
            "status": record.status.value,
            "status_line": f"{t('card.status')}: {status}, "
            + t("card.since", date=_date(record.status_changed_at, lang, self.tz)),
            "description": record.description,
            "facts": facts,
            "gains": [f"{t('gain.' + g.value)}: {v}" for g, v in record.gains.items()],
            "history": history,
        }

    async def show_by_id(self, context: TurnContext, raw_id: object) -> None:
        """Show the initiative with id `raw_id` (from text or a button)."""
        initiative_id = _as_id(raw_id)
        if initiative_id is None:
            await say(context, "portfolio.refused.bad_request")
            return
        try:
            record = await get_initiative(
                session=turn_session(context), initiative_id=initiative_id
            )
        except UnknownInitiativeError:
            await say(context, "portfolio.refused.unknown", id=initiative_id)
            return
        await self.show_initiative(context, record)

    # --- moves and following ------------------------------------------------------------------

    async def submit_move(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """A move button: the actor, their bodies and the rule are all derived on the server."""
        lang = turn_lang(context)
        initiative_id = _as_id(data.get("id"))
        to = _as_status(data.get("to"))
        expected = _as_status(data.get("from"))
        reason = data.get("reason") if isinstance(data.get("reason"), str) else None
        if initiative_id is None or to is None:
            await say(context, "portfolio.refused.bad_request")
            return
        session = turn_session(context)
        user = turn_user(context)
        access = await access_of(
            session=session, aad_object_id=user.aad_object_id, email=user.email
        )
        try:
            before = await get_initiative(session=session, initiative_id=initiative_id)
            record = await move_initiative(
                session=session,
                initiative_id=initiative_id,
                to=to,
                actor=actor_of(context),
                access=access,
                rules=self.rules,
                reason=(reason or "")[:1000],
                expected_from=expected,
            )
        except UnknownInitiativeError:
            await say(context, "portfolio.refused.unknown", id=initiative_id)
            return
        except StaleMoveError as stale:
            await say(
                context,
                "portfolio.refused.stale",
                status=text(f"portfolio.status.{stale.current.value}", lang),
            )
            await self.show_by_id(context, initiative_id)
            return
        except MoveNotAllowedError as refused:
            await say(
                context,
                "portfolio.refused.not_allowed",
                from_status=text(f"portfolio.status.{refused.current.value}", lang),
                to_status=text(f"portfolio.status.{refused.wanted.value}", lang),
            )
            return
        except NotBodyMemberError as refused:
            await say(
                context,
                "portfolio.refused.not_member",
                bodies=self.body_names(refused.bodies, lang),
                from_status=text(f"portfolio.status.{before.status.value}", lang),
                to_status=text(f"portfolio.status.{to.value}", lang),
            )
            return
        except ReasonRequiredError:
            verb = text(f"portfolio.move_verb.{to.value}", lang).lower()
            await say(context, "portfolio.refused.reason", verb=verb)
            return
        if (
            await announce_move(
                session=session, record=record, actor=actor_of(context), pack_key=self.pack_key
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
        initiative_id = _as_id(raw_id)
        if initiative_id is None:
            await say(context, "portfolio.refused.bad_request")
            return
        try:
            record = await follow_initiative(
                session=turn_session(context), initiative_id=initiative_id, actor=actor_of(context)
            )
        except UnknownInitiativeError:
            await say(context, "portfolio.refused.unknown", id=initiative_id)
            return
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
        labels = {
            "status": text(f"portfolio.status.{status.value}", lang) if status else None,
            "unit": unit,
            "words": words,
        }
        if not found:
            await say(context, "portfolio.list.empty", **labels)
            return
        if unit and len({i.unit_name for i in found}) == 1:
            labels["unit"] = found[0].unit_name  # as the directory spells it
        await self._show_list(context, text("portfolio.list.found", lang, **labels), found)

    async def _show_list(
        self, context: TurnContext, heading: str, found: Sequence[InitiativeSummary]
    ) -> None:
        lang = turn_lang(context)
        rows = [
            {
                "id": i.id,
                "title": numbered(i.title, i.id, lang),
                "line": text(
                    "portfolio.list.row",
                    lang,
                    status=text(f"portfolio.status.{i.status.value}", lang),
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


_PLACEHOLDERS = frozenset(
    {"title", "description", "unit", "core_task", "gain", "estimated_cost", "lead", "systems"}
)


def numbered(title: str, initiative_id: int, lang: Lang) -> str:
    """A title with its number, as users refer to it ("initiativ 12")."""
    return f"{title} (nr. {initiative_id})" if lang == "da" else f"{title} (no. {initiative_id})"


def _date_only(value: Any, lang: Lang) -> str:
    return value.strftime("%d.%m.%Y") if lang == "da" else value.isoformat()


def _as_id(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw < 2**31 else None
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 10:
        return int(raw.strip())
    return None


def _as_status(raw: object) -> InitiativeStatus | None:
    try:
        return InitiativeStatus(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def status_from_words(words: str | None) -> InitiativeStatus | None:
    """The status a phrase such as "i gang" names, if any."""
    return STATUS_WORDS.get((words or "").strip().casefold())


def status_in(sentence: str) -> InitiativeStatus | None:
    """The status a whole sentence mentions anywhere ("hvilke projekter er i gang?")."""
    words = re.findall(r"\w+", sentence.casefold())
    padded = " " + " ".join(words) + " "
    for phrase in sorted(STATUS_WORDS, key=len, reverse=True):
        if f" {phrase} " in padded:
            return STATUS_WORDS[phrase]
    return None


class RegisterInitiativeDialog(GovbotDialog):
    """Registration one question at a time, for clients that cannot fill in a card."""

    title_key: ClassVar[str] = "portfolio.title"

    def __init__(self, portfolio: Portfolio) -> None:
        super().__init__(RegisterInitiativeDialog.__name__)
        self._portfolio = portfolio
        for name in FIELDS:
            self.add_dialog(TextPrompt(name, RegisterInitiativeDialog.validator(name)))
        self.add_dialog(ChoicePrompt("duplicate"))
        steps = [self._ask(i) for i in range(len(FIELDS))]
        self.add_dialog(WaterfallDialog("steps", [*steps, self.duplicate_step, self.save_step]))
        self.initial_dialog_id = "steps"

    def _ask(self, index: int) -> Any:
        name = FIELDS[index]

        async def ask_step(step: WaterfallStepContext) -> DialogTurnResult:
            if index > 0:
                remember(step, FIELDS[index - 1])
            lang = turn_lang(step.context)
            prompt = MessageFactory.text(text(f"portfolio.ask.{name}", lang))
            suggestions = _suggestions(name, lang)
            if suggestions:
                prompt = MessageFactory.suggested_actions(
                    [CardAction(type="imBack", title=s, value=s) for s in suggestions],
                    text(f"portfolio.ask.{name}", lang),
                )
            others = [step.values.get(n, "") for n in GAIN_FIELDS if n != name]
            return await step.prompt(
                name, PromptOptions(prompt=prompt, validations={"other_gains": others})
            )

        ask_step.__name__ = f"ask_{name}_step"
        return ask_step

    @staticmethod
    def validator(name: str) -> Any:
        """A prompt validator for field `name`, using the form's parser and its messages."""

        async def validate(prompt: PromptValidatorContext) -> bool:
            raw = (prompt.recognized.value or "").strip() if prompt.recognized.succeeded else ""
            lang = turn_lang(prompt.context)
            try:
                parse_field(name, raw)
            except FieldError as error:
                await prompt.context.send_activity(error_text(error, lang))
                return False
            if name == "gain_wellbeing":
                others = (prompt.options.validations or {}).get("other_gains", [])
                if is_skip(raw) and all(not o or is_skip(o) for o in others):
                    await prompt.context.send_activity(text("portfolio.error.gains", lang))
                    return False
            prompt.recognized.value = raw
            return True

        return validate

    async def duplicate_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        remember(step, FIELDS[-1])
        result = parse_form(step.values)
        lang = turn_lang(step.context)
        if result.initiative is None:  # a cross-field rule, e.g. the end before the start
            for name, error in result.errors.items():
                await step.context.send_activity(
                    f"{text(f'portfolio.field.{name}', lang)}: {error_text(error, lang)}"
                )
            await say(step.context, "dialog.restarted")
            return await step.replace_dialog(self.initial_dialog_id)
        similar = await similar_initiatives(
            session=turn_session(step.context), title=result.initiative.title
        )
        if not similar:
            return await step.next(None)
        step.values["similar_id"] = similar[0].initiative.id
        await step.context.send_activity(Portfolio._duplicate_warning(similar[0].initiative, lang))
        return await step.prompt(
            "duplicate",
            PromptOptions(
                prompt=MessageFactory.text(text("portfolio.ask.duplicate_choice", lang)),
                choices=[
                    Choice(text("portfolio.choice.follow", lang), synonyms=["ja", "yes", "1"]),
                    Choice(text("portfolio.choice.register_anyway", lang), synonyms=["nej", "no"]),
                    Choice(text("portfolio.choice.cancel", lang)),
                ],
                style=ListStyle.suggested_action,
            ),
        )

    async def save_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        choice = step.result.index if step.result is not None else 1
        if choice == 0:
            await self._portfolio.follow(step.context, step.values["similar_id"])
            return await step.end_dialog()
        if choice == 2:
            await say(step.context, "dialog.cancelled")
            return await step.end_dialog()
        await self._portfolio.register(step.context, parse_form(step.values))
        return await step.end_dialog()


def _suggestions(name: str, lang: Lang) -> list[str]:
    if name in _CHOICE_FIELDS:
        return [text(f"portfolio.{name}.{m.value}", lang) for m in _CHOICE_FIELDS[name]]
    if name == "business_case":
        return [text("portfolio.card.answer_yes", lang), text("portfolio.card.answer_no", lang)]
    return []
