"""Admins give and remove govbot roles in chat, and anyone asks who holds them.

A change is planned and confirmed through dialogs.confirmation (a one-time token on the card);
on yes admin rights are checked again and the change is re-planned from the database before it
is applied (and audited by storage.access). A seat in a body is given and ended through
storage.membership, as when a secretary adds a member, so the body's reminders follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.capabilities import Runtime
from bot.capabilities.core import answer_with, example_body
from bot.conversations import clean_text
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from bot.subject import recall
from dialogs.confirmation import Confirmations
from dialogs.directory_view import emails_in, names_of
from dialogs.permissions import Requirement
from dialogs.texts import in_lang, text
from dialogs.turn import after_commit, say, show, step, turn_lang, turn_session, turn_user
from knowledge.meeting_words import BodyFinder, meeting_bodies
from knowledge.packs import load_pack
from knowledge.render import ucfirst
from knowledge.schema_bodies import Body
from storage import membership
from storage.access import BODY_ROLES, Role, grant_role, refuse_last_admin, revoke_role
from storage.access_holders import grants_of_person, role_holders
from storage.audit import Author
from storage.directory import PersonInfo
from storage.directory_snapshots import directory_index
from storage.errors import DomainError
from storage.models.base import utcnow
from storage.reminders import Planning

ROLE_WORDS: dict[str, Role] = {
    "admin": Role.ADMIN, "administrator": Role.ADMIN,
    "it screener": Role.IT_SCREENER, "itscreener": Role.IT_SCREENER, "screener": Role.IT_SCREENER,
    "sekretær": Role.SECRETARY, "secretary": Role.SECRETARY,
    "formand": Role.CHAIR, "chair": Role.CHAIR,
    "medlem": Role.MEMBER, "member": Role.MEMBER,
}  # fmt: skip
ADMIN = Requirement(Role.ADMIN, "access.not_admin")


@dataclass(frozen=True)
class Target:
    """Who a change is about: a directory person, or a bare email the directory lacks."""

    name: str
    email: str
    person_id: int | None
    principals: frozenset[str]


async def find_target(context: TurnContext, said: str) -> Target:
    """The one person `said` (or the email written in the message) names, or DomainError."""
    emails = emails_in(clean_text(context.activity))
    query = emails[0] if len(emails) == 1 else said
    index = await directory_index(session=turn_session(context))
    found = index.find_people(query)
    if found.person is None and not found.people and query.endswith("s") and not emails:
        found = index.find_people(query[:-1])  # "Anne Jensens adgang": the possessive
    if found.person is not None:
        return _target(found.person)
    if found.people:
        raise DomainError("access.person_ambiguous", name=said, names=names_of(found.people[:5]))
    if emails:
        return Target(emails[0], emails[0], None, frozenset({emails[0]}))
    raise DomainError("access.person_unknown", name=said)


def _target(person: PersonInfo) -> Target:
    principals = {person.email.lower()}
    if person.aad_object_id:
        principals.add(person.aad_object_id.lower())
    return Target(person.name, person.email, person.id, frozenset(principals))


class AccessAdmin:
    """Grant, revoke and list govbot roles, bound to the active pack's bodies."""

    def __init__(self, runtime: Runtime) -> None:
        self.pack = load_pack(runtime.settings.knowledge_pack)
        self.tz = runtime.settings.tz
        self.bodies = BodyFinder(self.pack)
        # "hvem er formand for sekretariatschefgruppen": a body of the pack that holds no
        # meetings in govbot is still one to answer about from the pack.
        self.any_body = BodyFinder(self.pack, meeting_only=False)
        self.confirmations: Confirmations = runtime.confirmations
        self._kick = runtime.outbox_kick
        self.routes = runtime.routes

    def _body_name(self, context: TurnContext, body: Body) -> str:
        return str(in_lang(body, "name", turn_lang(context)))

    def _role_label(self, context: TurnContext, role: Role, body_key: str | None) -> str:
        lang = turn_lang(context)
        label = text(f"access.role_{role.value}", lang)
        if body_key is None:
            return label
        body = self.pack.body(body_key)
        return text("access.role_in_body", lang, role=label, body=self._body_name(context, body),
                    member=role is Role.MEMBER)  # fmt: skip

    def example_body(self, context: TurnContext, _body_key: str | None = None) -> dict[str, str]:
        """The pack's first body that meets, named in the turn's language, for examples."""
        first = meeting_bodies(self.pack)[0] if meeting_bodies(self.pack) else None
        return {"body": self._body_name(context, first) if first else ""}

    def _body_names(self, context: TurnContext) -> str:
        return ", ".join(self._body_name(context, b) for b in meeting_bodies(self.pack))

    def _role_and_body(self, context: TurnContext, match: IntentMatch) -> tuple[Role, str | None]:
        role = ROLE_WORDS[match.params["role"]]
        said = match.params.get("body")
        if role not in BODY_ROLES:
            if said:
                raise DomainError("access.no_body_needed",
                              role=ucfirst(self._role_label(context, role, None)))  # fmt: skip
            return role, None
        first = meeting_bodies(self.pack)[0] if meeting_bodies(self.pack) else None
        if not said:
            raise DomainError("access.which_body", names=self._body_names(context),
                          body=self._body_name(context, first) if first else "")  # fmt: skip
        body = self.bodies.find(said)
        if body is None:
            raise DomainError("access.unknown_body", name=said, names=self._body_names(context))
        return role, body.key

    def _named_role(
        self, context: TurnContext, match: IntentMatch
    ) -> tuple[Role | None, str | None]:
        """The role and body a question names, or (None, None) when they are none of ours; a
        body's role without a body ("who are the members?") is of the body just talked about."""
        role = ROLE_WORDS[match.params["role"]]
        said = match.params.get("body")
        if role not in BODY_ROLES:
            return (None, None) if said else (role, None)
        if said:
            body = self.bodies.find(said) or self.any_body.find(said)
            return (role, body.key) if body is not None else (None, None)
        subject = recall(context)
        return (role, subject.body) if subject is not None and subject.body else (None, None)

    async def _check(self, context: TurnContext, change: Mapping[str, Any]) -> list[str]:
        """The principals whose grants the change ends (revoke), after checking it still fits."""
        role, body_key = Role(change["role"]), change["body"]
        session = turn_session(context)
        held = await grants_of_person(
            session=session, principals=frozenset(change["principals"]),
            person_id=change["person_id"], role=role, body_key=body_key,
        )  # fmt: skip
        values = {"name": change["name"], "role": self._role_label(context, role, body_key)}
        if change["kind"] == "access.grant":
            if held:
                raise DomainError("access.already", **values)
            return []
        if not held:
            raise DomainError("access.not_held", **values)
        await refuse_last_admin(session=session, ending=held, name=change["name"])
        return sorted({g.principal for g in held})

    # --- intents ---------------------------------------------------------------------------

    async def grant(self, context: TurnContext, match: IntentMatch) -> None:
        """ "giv Anne Jensen adgang som sekretær for styregruppen", "gør anne@… til it-screener"."""
        await self._plan(context, match, "access.grant")

    async def revoke(self, context: TurnContext, match: IntentMatch) -> None:
        """ "fjern Anne Jensens adgang som sekretær for styregruppen"."""
        await self._plan(context, match, "access.revoke")

    async def _plan(self, context: TurnContext, match: IntentMatch, kind: str) -> None:
        role, body_key = self._role_and_body(context, match)
        target = await find_target(context, match.params.get("person", ""))
        change = {
            "kind": kind, "role": role.value, "body": body_key, "name": target.name,
            "email": target.email, "person_id": target.person_id,
            "principals": sorted(target.principals),
        }  # fmt: skip
        await self._check(context, change)
        lead_key = "access.confirm_grant" if kind == "access.grant" else "access.confirm_revoke"
        lead = text(lead_key, turn_lang(context), name=target.name, email=target.email,
                    role=self._role_label(context, role, body_key))  # fmt: skip
        await self.confirmations.ask(context, kind, change, lead=lead)

    async def apply(self, context: TurnContext, change: dict[str, Any]) -> None:
        """A confirmed change: check again, apply, audit."""
        kind = change["kind"]
        ending = await self._check(context, change)
        role, body_key = Role(change["role"]), change["body"]
        session = turn_session(context)
        actor = turn_user(context).identity
        if body_key is not None:  # a seat in a body: membership re-plans its reminders
            if kind == "access.grant":
                await membership.add_member(
                    session=session, plan=Planning(self.pack, self.tz, utcnow()), body=body_key,
                    principal=change["email"], person_id=change["person_id"], role=role,
                    by=Author(actor, "chat"),
                )  # fmt: skip
            else:
                for principal in ending:
                    await membership.remove_member(
                        session=session, plan=Planning(self.pack, self.tz, utcnow()),
                        body=body_key, principal=principal, role=role, by=Author(actor, "chat"),
                    )  # fmt: skip
            after_commit(context, self._kick)
        elif kind == "access.grant":
            await grant_role(session=session, principal=change["email"], role=role,
                             person_id=change["person_id"], by=Author(actor, "chat"))  # fmt: skip
        else:
            for principal in ending:
                await revoke_role(
                    session=session, principal=principal, role=role, by=Author(actor, "chat")
                )
        done = "access.granted" if kind == "access.grant" else "access.revoked"
        await say(context, done, name=change["name"],
                  role=self._role_label(context, role, body_key))  # fmt: skip

    async def list_all(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "hvem har adgang": every active grant (admins only)."""
        await self._show(context, None, None, text("access.list_title", turn_lang(context)))

    async def who_is(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvem er sekretær for styregruppen": the holders of one role."""
        role, body_key = self._named_role(context, match)
        part = {Role.CHAIR: "chair", Role.SECRETARY: "secretary"}.get(role) if role else None
        combined = self.routes.submits.get("knowledge.body_role")
        if part and body_key and combined is not None:
            # The pack's position and govbot's person, answered together (bot/capabilities/
            # knowledge.py).
            await combined(context, {"action": "knowledge.body_role", "body": body_key,
                                     "part": part})  # fmt: skip
            return
        holders = []
        if role is not None:
            holders = await role_holders(
                session=turn_session(context), role=role, body_key=body_key
            )
        if role is None or not holders:
            # Nobody holds it in govbot (or no body of ours was named): what the pack says
            # about the role ("formand for programgruppen er …") is the answer.
            said = clean_text(context.activity)
            named = match.params.get("body")
            if named and ROLE_WORDS[match.params["role"]] in BODY_ROLES and body_key is None:
                # "formand for styregruppen" where there is none: say which bodies there are,
                # unless the pack is sure what is meant.
                if await self.routes.answer_if_sure(context, said):
                    return
                raise DomainError(
                    "meetings.unknown_body", name=named, names=self._body_names(context)
                )
            for fallback in self.routes.fallbacks:
                if await fallback(context, said):
                    return
            await say(context, "access.nobody", role=match.params["role"])
            return
        label = self._role_label(context, role, body_key)
        await self._show(context, role, body_key, ucfirst(label))

    async def _show(
        self, context: TurnContext, role: Role | None, body_key: str | None, title: str
    ) -> None:
        lang = turn_lang(context)
        holders = await role_holders(session=turn_session(context), role=role, body_key=body_key)
        if role is not None and not holders:
            await say(context, "access.nobody", role=self._role_label(context, role, body_key))
            return
        sections: dict[str, list[str]] = {}
        for holder in holders:
            grant = holder.grant
            heading = self._role_label(context, grant.role, grant.body_key)
            who = (f"{holder.name} ({holder.email})" if holder.name
                   else f"{grant.principal} {text('access.unknown_name', lang)}")  # fmt: skip
            sections.setdefault(ucfirst(heading), []).append(who)
        if not sections:
            sections[text("access.list_title", lang)] = ["-"]
        await show(context, "access_list", title=title,
                   sections=[{"title": k, "lines": v} for k, v in sections.items()],
                   then=[step("help", lang)])  # fmt: skip


def register(runtime: Runtime) -> None:
    """Add the access intents and the buttons of the confirmation card."""
    admin = AccessAdmin(runtime)
    routes = runtime.routes
    routes.action("access.grant", admin.grant, requires=ADMIN)
    routes.action("access.revoke", admin.revoke, requires=ADMIN)
    listing = Requirement(Role.ADMIN, "access.not_admin_list", values=admin.example_body)
    routes.action("access.list", admin.list_all, requires=listing)
    routes.action("access.who", admin.who_is)
    routes.action("access.admin", answer_with("access.admin_hint", example_body(admin.pack)))
    runtime.confirmable("access.grant", admin.apply, requires=ADMIN)
    runtime.confirmable("access.revoke", admin.apply, requires=ADMIN)
