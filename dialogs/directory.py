"""Changing the directory in chat (admins): set or end an assignment, hand over all roles.

The dialog shows exactly what will change and asks for a yes; on yes it checks the user's
rights again and re-plans from the database, so a changed directory or a stale card changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import ChoicePrompt, PromptOptions

from dialogs.base import GovbotDialog
from dialogs.directory_view import names_of, resolve_person, role_label
from dialogs.texts import Lang, text
from dialogs.turn import as_attachment, say, turn_lang, turn_session, turn_user
from knowledge.directory_question import RoleVocabulary
from knowledge.schema import Pack
from storage.access import access_of
from storage.directory import (
    DirectoryError,
    PersonInfo,
    current_assignments,
    end_assignment,
    set_assignment,
)
from storage.directory_handover import apply_handover, plan_handover
from storage.directory_index import DirectoryIndex, directory_index

YES = ("ja", "yes", "ja gennemfør", "ja, gennemfør", "yes, go ahead", "ok", "jep", "jo")
NO = ("nej", "no", "nope", "lad være")


@dataclass(frozen=True)
class Plan:
    """A resolved change: what the card showed, and the ids to check again on yes."""

    kind: str  # handover | set | end
    lead: str
    lines: tuple[str, ...]
    already_lines: tuple[str, ...]
    state: dict[str, Any]


class Refusal(Exception):
    """The change cannot be planned; `key` and `values` are the text to say."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class DirectoryChangeDialog(GovbotDialog):
    """Plan a directory change, show it, and apply it after a yes."""

    title_key: ClassVar[str] = "directory.change_title"

    def __init__(self, pack: Pack) -> None:
        super().__init__(DirectoryChangeDialog.__name__)
        self._pack = pack
        self._roles = RoleVocabulary(pack)
        self.add_dialog(ChoicePrompt("confirm"))
        self.add_dialog(WaterfallDialog("steps", [self.plan_step, self.apply_step]))
        self.initial_dialog_id = "steps"

    async def plan_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        context = step.context
        lang = turn_lang(context)
        options = step.options if isinstance(step.options, dict) else {}
        try:
            await self._require_admin(step)
            plan = await self._plan(step, options, lang)
        except Refusal as refusal:
            await say(context, refusal.key, **refusal.values)
            return await step.end_dialog()
        step.values["plan"] = plan.state
        card = as_attachment(
            "directory_confirm",
            context,
            lead=plan.lead,
            lines=list(plan.lines),
            already_lead=text(
                "directory.already_held",
                lang,
                source=plan.state.get("source_name", ""),
                target=plan.state.get("target_name", ""),
            ),
            already_lines=list(plan.already_lines),
            yes_text="ja" if lang == "da" else "yes",
            no_text="nej" if lang == "da" else "no",
        )
        return await step.prompt(
            "confirm",
            PromptOptions(
                prompt=MessageFactory.attachment(card),
                retry_prompt=MessageFactory.text(text("directory.confirm_retry", lang)),
                choices=[Choice("ja", synonyms=list(YES)), Choice("nej", synonyms=list(NO))],
                style=ListStyle.none,
            ),
        )

    async def apply_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        context = step.context
        if step.result is None or step.result.value != "ja":
            await say(context, "directory.dropped")
            return await step.end_dialog()
        state: dict[str, Any] = step.values["plan"]
        try:
            await self._require_admin(step)
            done = await self._apply(step, state)
        except Refusal as refusal:
            await say(context, refusal.key, **refusal.values)
            return await step.end_dialog()
        await say(context, done[0], **done[1])
        return await step.end_dialog()

    # --- planning -------------------------------------------------------------------------

    async def _require_admin(self, step: WaterfallStepContext) -> None:
        user = turn_user(step.context)
        access = await access_of(
            session=turn_session(step.context),
            aad_object_id=user.aad_object_id,
            email=user.email,
        )
        if not access.is_admin:
            raise Refusal("directory.not_admin")

    async def _plan(self, step: WaterfallStepContext, options: dict[str, Any], lang: Lang) -> Plan:
        session = turn_session(step.context)
        index = await directory_index(session=session)
        raw = str(options.get("raw", ""))
        if options.get("kind") == "handover":
            source = _one_person(index, str(options.get("source", "")), raw)
            target = _one_person(index, str(options.get("target", "")), raw)
            if source.id == target.id:
                raise Refusal("directory.same_person")
            plan = await plan_handover(session=session, source_id=source.id, target_id=target.id)
            if not plan.moves and not plan.already_held:
                raise Refusal("directory.nothing_to_hand_over", name=source.name)
            return Plan(
                kind="handover",
                lead=text(
                    "directory.confirm_handover", lang, source=source.name, target=target.name
                ),
                lines=tuple(self._line(a, lang) for a in plan.moves),
                already_lines=tuple(self._line(a, lang) for a in plan.already_held),
                state={
                    "kind": "handover",
                    "source": source.id,
                    "target": target.id,
                    "source_name": source.name,
                    "target_name": target.name,
                    "ids": sorted(a.id for a in (*plan.moves, *plan.already_held)),
                },
            )
        person = _one_person(index, str(options.get("person", "")), raw)
        role = self._roles.role(str(options.get("role", "")))
        if role is None:
            allowed = ", ".join(
                r.label_da if lang == "da" else r.label_en for r in self._pack.roles
            )
            raise Refusal("directory.unknown_role", role=options.get("role", ""), allowed=allowed)
        label = role_label(self._pack, role.key, lang)
        system_id: int | None = None
        system_name: str | None = None
        if options.get("system"):
            search = index.find_system(str(options["system"]))
            if search.outcome != "found":
                raise Refusal("directory.unknown", query=options["system"])
            system_id, system_name = search.systems[0].id, search.systems[0].name
        elif role.scope != "organisation":
            raise Refusal("directory.needs_system", role=label.lower(), person=person.name)
        values = {"name": person.name, "role": label.lower(), "system": system_name}
        held = [
            a
            for a in await current_assignments(
                session=session, person_id=person.id, role_key=role.key
            )
            if (a.system.id if a.system else None) == system_id
        ]
        state = {"person": person.id, "role": role.key, "system": system_id, **values}
        if options.get("kind") == "end":
            if not held:
                raise Refusal("directory.not_held", **values)
            state |= {"kind": "end", "ids": sorted(a.id for a in held)}
            return Plan("end", text("directory.confirm_end", lang, **values), (), (), state)
        if held:
            raise Refusal("directory.already", **values)
        state |= {"kind": "set"}
        return Plan("set", text("directory.confirm_set", lang, **values), (), (), state)

    def _line(self, assignment: Any, lang: Lang) -> str:
        system = (
            assignment.system.name
            if assignment.system
            else text("directory.organisation_wide", lang)
        )
        return text(
            "directory.change_line",
            lang,
            role=role_label(self._pack, assignment.role_key, lang),
            system=system,
        )

    # --- applying -------------------------------------------------------------------------

    async def _apply(
        self, step: WaterfallStepContext, state: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        session = turn_session(step.context)
        actor = turn_user(step.context).identity
        kind = state["kind"]
        if kind == "handover":
            plan = await plan_handover(
                session=session, source_id=state["source"], target_id=state["target"]
            )
            if sorted(a.id for a in (*plan.moves, *plan.already_held)) != state["ids"]:
                raise Refusal("directory.stale")
            await apply_handover(
                session=session,
                source_id=state["source"],
                target_id=state["target"],
                actor=actor,
            )
            return "directory.done_handover", {
                "count": len(plan.moves) + len(plan.already_held),
                "source": plan.source.name,
                "target": plan.target.name,
            }
        values = {"name": state["name"], "role": state["role"], "system": state["system"]}
        held = [
            a
            for a in await current_assignments(
                session=session, person_id=state["person"], role_key=state["role"]
            )
            if (a.system.id if a.system else None) == state["system"]
        ]
        values["role"] = role_label(self._pack, state["role"], turn_lang(step.context)).lower()
        values["system"] = held[0].system.name if held and held[0].system else None
        if kind == "end":
            if sorted(a.id for a in held) != state["ids"]:
                raise Refusal("directory.stale")
            for assignment in held:
                await end_assignment(session=session, assignment_id=assignment.id, actor=actor)
            return "directory.done_end", values
        if held:
            raise Refusal("directory.stale")
        assignment, _ = await set_assignment(
            session=session,
            person_id=state["person"],
            role_key=state["role"],
            system_id=state["system"],
            actor=actor,
        )
        values["system"] = assignment.system.name if assignment.system else None
        return "directory.done_set", values


def _one_person(index: DirectoryIndex, query: str, raw: str) -> PersonInfo:
    found = resolve_person(index, query, raw)
    if found.person is not None:
        return found.person
    if not found.people:
        raise Refusal("directory.person_missing", query=query)
    raise Refusal("directory.person_ambiguous", query=query, names=names_of(found.people))


__all__ = ["DirectoryChangeDialog", "DirectoryError"]
