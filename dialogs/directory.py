"""Changing the directory in chat (admins): set or end an assignment, hand over all roles.

A change is planned here and confirmed through dialogs.confirmation (typed, in
TypedConfirmationDialog); on yes `apply` checks the user's rights again and re-plans from the
database, so a changed directory or a stale confirmation changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sdk import TurnContext
from dialogs.directory_view import names_of, resolve_person, role_label
from dialogs.texts import Lang, in_lang, text
from dialogs.turn import say, turn_lang, turn_session, turn_user
from knowledge.directory_question import RoleVocabulary
from knowledge.render import lcfirst
from knowledge.schema import Pack
from storage.audit import Author
from storage.directory import (
    PersonInfo,
    current_assignments,
    end_assignment,
    refuse_kitos_managed,
    set_assignment,
)
from storage.directory_handover import apply_handover, plan_handover
from storage.directory_index import DirectoryIndex
from storage.directory_snapshots import directory_index
from storage.errors import DomainError


@dataclass(frozen=True)
class Plan:
    """A resolved change: what the confirmation shows, and the ids to check again on yes."""

    kind: str  # handover | set | end
    lead: str
    lines: tuple[str, ...]
    already_lines: tuple[str, ...]
    state: dict[str, Any]

    def card(self, lang: Lang) -> dict[str, Any]:
        """The confirmation's card values."""
        return {
            "lead": self.lead,
            "lines": list(self.lines),
            "already_lead": text(
                "directory.already_held", lang, source=self.state.get("source_name", ""),
                target=self.state.get("target_name", ""),
            ),
            "already_lines": list(self.already_lines),
        }  # fmt: skip


class DirectoryChanges:
    """Plan a directory change for confirmation, and apply it once confirmed."""

    def __init__(self, pack: Pack) -> None:
        self._pack = pack
        self._roles = RoleVocabulary(pack)

    async def plan(self, context: TurnContext, options: dict[str, Any]) -> Plan:
        """The change the admin asked for (`kind` and the intent's parameters), or DomainError."""
        return await self._plan(context, options, turn_lang(context))

    async def apply(self, context: TurnContext, state: dict[str, Any]) -> None:
        """A confirmed change: check the directory again, then write it."""
        done = await self._apply(context, state)
        await say(context, done[0], **done[1])

    # --- planning -------------------------------------------------------------------------

    async def _plan(self, context: TurnContext, options: dict[str, Any], lang: Lang) -> Plan:
        session = turn_session(context)
        index = await directory_index(session=session)
        raw = str(options.get("raw", ""))
        if options.get("kind") == "handover":
            source = _one_person(index, str(options.get("source", "")), raw)
            target = _one_person(index, str(options.get("target", "")), raw)
            if source.id == target.id:
                raise DomainError("directory.same_person")
            plan = await plan_handover(session=session, source_id=source.id, target_id=target.id)
            refuse_kitos_managed([*plan.moves, *plan.already_held], source="chat")
            if not plan.moves and not plan.already_held:
                raise DomainError("directory.nothing_to_hand_over", name=source.name)
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
            allowed = ", ".join(in_lang(r, "label", lang) for r in self._pack.roles)
            raise DomainError(
                "directory.unknown_role", role=options.get("role", ""), allowed=allowed
            )
        label = role_label(self._pack, role.key, lang)
        system_id: int | None = None
        system_name: str | None = None
        if options.get("system"):
            search = index.find_system(str(options["system"]))
            if search.outcome != "found":
                raise DomainError("directory.unknown", query=options["system"])
            system_id, system_name = search.systems[0].id, search.systems[0].name
        elif role.scope != "organisation":
            raise DomainError("directory.needs_system", role=lcfirst(label), person=person.name)
        values: dict[str, Any] = {
            "name": person.name, "role": lcfirst(label), "system": system_name
        }  # fmt: skip
        held = [
            a
            for a in await current_assignments(
                session=session, person_id=person.id, role_key=role.key
            )
            if (a.system.id if a.system else None) == system_id
        ]
        state: dict[str, Any] = {
            "person": person.id,
            "role": role.key,
            "system": system_id,
            **values,
        }
        if options.get("kind") == "end":
            if not held:
                raise DomainError("directory.not_held", **values)
            refuse_kitos_managed(held, source="chat")
            state |= {"kind": "end", "ids": sorted(a.id for a in held)}
            return Plan("end", text("directory.confirm_end", lang, **values), (), (), state)
        if held:
            raise DomainError("directory.already", **values)
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
        self, context: TurnContext, state: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        session = turn_session(context)
        actor = turn_user(context).identity
        kind = state["kind"]
        if kind == "handover":
            plan = await plan_handover(
                session=session, source_id=state["source"], target_id=state["target"]
            )
            if sorted(a.id for a in (*plan.moves, *plan.already_held)) != state["ids"]:
                raise DomainError("directory.stale")
            await apply_handover(
                session=session,
                source_id=state["source"],
                target_id=state["target"],
                by=Author(actor),
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
        values["role"] = lcfirst(role_label(self._pack, state["role"], turn_lang(context)))
        values["system"] = held[0].system.name if held and held[0].system else None
        if kind == "end":
            if sorted(a.id for a in held) != state["ids"]:
                raise DomainError("directory.stale")
            for assignment in held:
                await end_assignment(session=session, assignment_id=assignment.id, by=Author(actor))
            return "directory.done_end", values
        if held:
            raise DomainError("directory.stale")
        assignment, _ = await set_assignment(
            session=session,
            person_id=state["person"],
            role_key=state["role"],
            system_id=state["system"],
            by=Author(actor),
        )
        values["system"] = assignment.system.name if assignment.system else None
        return "directory.done_set", values


def _one_person(index: DirectoryIndex, query: str, raw: str) -> PersonInfo:
    found = resolve_person(index, query, raw)
    if found.person is not None:
        return found.person
    if not found.people:
        raise DomainError("directory.person_missing", query=query)
    raise DomainError("directory.person_ambiguous", query=query, names=names_of(found.people))
