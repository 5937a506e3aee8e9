"""Admins give and remove govbot roles in chat, and anyone asks who holds them.

A change is planned, shown on a confirmation card, and kept on the server in conversation state
behind a one-time token; the card carries only that token. On yes the token is spent, admin
rights are checked again and the change is re-planned from the database before it is applied
(and audited by storage.access). A seat in a body is given and ended through storage.meetings,
as when a secretary adds a member, so the body's reminders follow.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botbuilder.core import StatePropertyAccessor, TurnContext

from bot.capabilities import Runtime
from bot.capabilities.core import answer_with
from bot.conversations import clean_text
from bot.intents import IntentMatch
from dialogs.directory_view import emails_in, names_of
from dialogs.texts import text
from dialogs.turn import after_commit, say, show, turn_lang, turn_session, turn_user
from knowledge.meeting_words import BodyFinder, meeting_bodies
from knowledge.packs import load_pack
from knowledge.schema import Body
from storage import meetings
from storage.access import (
    BODY_ROLES,
    Access,
    LastAdminError,
    Role,
    access_of,
    grant_role,
    refuse_last_admin,
    revoke_role,
)
from storage.access_holders import grants_of_person, role_holders
from storage.directory import PersonInfo
from storage.directory_index import directory_index
from storage.models.base import utcnow

ROLE_WORDS: dict[str, Role] = {
    "admin": Role.ADMIN, "administrator": Role.ADMIN,
    "it screener": Role.IT_SCREENER, "itscreener": Role.IT_SCREENER, "screener": Role.IT_SCREENER,
    "sekretær": Role.SECRETARY, "sekretaer": Role.SECRETARY, "secretary": Role.SECRETARY,
    "formand": Role.CHAIR, "chair": Role.CHAIR,
    "medlem": Role.MEMBER, "member": Role.MEMBER,
}  # fmt: skip
PENDING_MINUTES = 15
MAX_PENDING = 5


class Refusal(Exception):
    """The change cannot be planned or applied; `key` and `values` are the text to say."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class PendingChanges:
    """Confirmations waiting for a yes, in conversation state, each behind a one-time token."""

    def __init__(self, accessor: StatePropertyAccessor) -> None:
        self._accessor = accessor

    async def add(self, context: TurnContext, change: dict[str, Any]) -> str:
        """Keep `change` for the acting user; returns the token the card carries."""
        pending: dict[str, Any] = await self._accessor.get(context, dict)
        now = utcnow()
        for token, kept in list(pending.items()):
            if datetime.fromisoformat(kept["expires"]) < now:
                del pending[token]
        while len(pending) >= MAX_PENDING:
            del pending[min(pending, key=lambda t: pending[t]["expires"])]
        token = secrets.token_urlsafe(18)
        pending[token] = {
            **change,
            "actor": turn_user(context).identity,
            "expires": (now + timedelta(minutes=PENDING_MINUTES)).isoformat(),
        }
        await self._accessor.set(context, pending)
        return token

    async def drop(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """Forget the change a "no" button names, if it is the acting user's."""
        token = data.get("token")
        pending: dict[str, Any] = await self._accessor.get(context, dict)
        change = pending.get(token) if isinstance(token, str) else None
        if change is not None and change["actor"] == turn_user(context).identity:
            del pending[token]
            await self._accessor.set(context, pending)

    async def take(
        self, context: TurnContext, data: Mapping[str, Any], kind: str
    ) -> dict[str, Any]:
        """Spend the token a card sent: the change it stands for, or Refusal when it is not one."""
        token = data.get("token")
        pending: dict[str, Any] = await self._accessor.get(context, dict)
        change = pending.get(token) if isinstance(token, str) and len(token) <= 64 else None
        if change is None or change.get("kind") != kind:
            raise Refusal("access.stale")
        if change["actor"] != turn_user(context).identity:
            raise Refusal("access.not_yours")  # left for its owner, not spent by someone else
        del pending[token]
        await self._accessor.set(context, pending)
        if datetime.fromisoformat(change["expires"]) < utcnow():
            raise Refusal("access.stale")
        return change


@dataclass(frozen=True)
class Target:
    """Who a change is about: a directory person, or a bare email the directory lacks."""

    name: str
    email: str
    person_id: int | None
    principals: frozenset[str]


async def find_target(context: TurnContext, said: str) -> Target:
    """The one person `said` (or the email written in the message) names, or Refusal."""
    emails = emails_in(clean_text(context.activity))
    query = emails[0] if len(emails) == 1 else said
    index = await directory_index(session=turn_session(context))
    found = index.find_people(query)
    if found.person is None and not found.people and query.endswith("s") and not emails:
        found = index.find_people(query[:-1])  # "Anne Jensens adgang": the possessive
    if found.person is not None:
        return _target(found.person)
    if found.people:
        raise Refusal("access.person_ambiguous", name=said, names=names_of(found.people[:5]))
    if emails:
        return Target(emails[0], emails[0], None, frozenset({emails[0]}))
    raise Refusal("access.person_unknown", name=said)


def _target(person: PersonInfo) -> Target:
    principals = {person.email.lower()}
    if person.aad_object_id:
        principals.add(person.aad_object_id.lower())
    return Target(person.name, person.email, person.id, frozenset(principals))


async def acting_access(context: TurnContext) -> Access:
    """The roles of the user behind this turn, read from the database now."""
    user = turn_user(context)
    return await access_of(
        session=turn_session(context), aad_object_id=user.aad_object_id, email=user.email
    )


class AccessAdmin:
    """Grant, revoke and list govbot roles, bound to the active pack's bodies."""

    def __init__(self, runtime: Runtime, pending: PendingChanges) -> None:
        self.pack = load_pack(runtime.settings.knowledge_pack)
        self.tz = runtime.settings.tz
        self.bodies = BodyFinder(self.pack)
        self.pending = pending
        self._kick = runtime.outbox_kick
        self.routes = runtime.routes

    def _body_name(self, context: TurnContext, body: Body) -> str:
        return body.name_en if turn_lang(context) == "en" else body.name_da

    def _role_label(self, context: TurnContext, role: Role, body_key: str | None) -> str:
        lang = turn_lang(context)
        label = text(f"access.role_{role.value}", lang)
        if body_key is None:
            return label
        body = self.pack.body(body_key)
        return text("access.role_in_body", lang, role=label, body=self._body_name(context, body),
                    member=role is Role.MEMBER)  # fmt: skip

    def _body_names(self, context: TurnContext) -> str:
        return ", ".join(self._body_name(context, b) for b in meeting_bodies(self.pack))

    def _role_and_body(self, context: TurnContext, match: IntentMatch) -> tuple[Role, str | None]:
        role = ROLE_WORDS[match.params["role"]]
        said = match.params.get("body")
        if role not in BODY_ROLES:
            if said:
                raise Refusal("access.no_body_needed",
                              role=self._role_label(context, role, None).capitalize())  # fmt: skip
            return role, None
        first = meeting_bodies(self.pack)[0] if meeting_bodies(self.pack) else None
        if not said:
            raise Refusal("access.which_body", names=self._body_names(context),
                          body=self._body_name(context, first) if first else "")  # fmt: skip
        body = self.bodies.find(said)
        if body is None:
            raise Refusal("access.unknown_body", name=said, names=self._body_names(context))
        return role, body.key

    async def _require_admin(self, context: TurnContext) -> None:
        if not (await acting_access(context)).is_admin:
            raise Refusal("access.not_admin")

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
                raise Refusal("access.already", **values)
            return []
        if not held:
            raise Refusal("access.not_held", **values)
        try:  # the last-admin rule is storage's
            await refuse_last_admin(session=session, ending=held, name=change["name"])
        except LastAdminError as refused:
            raise Refusal(refused.key, **refused.params) from None
        return sorted({g.principal for g in held})

    # --- intents ---------------------------------------------------------------------------

    async def grant(self, context: TurnContext, match: IntentMatch) -> None:
        """ "giv Anne Jensen adgang som sekretær for styregruppen", "gør anne@… til it-screener"."""
        await self._plan(context, match, "access.grant")

    async def revoke(self, context: TurnContext, match: IntentMatch) -> None:
        """ "fjern Anne Jensens adgang som sekretær for styregruppen"."""
        await self._plan(context, match, "access.revoke")

    async def _plan(self, context: TurnContext, match: IntentMatch, kind: str) -> None:
        try:
            await self._require_admin(context)
            role, body_key = self._role_and_body(context, match)
            target = await find_target(context, match.params.get("person", ""))
            change = {
                "kind": kind, "role": role.value, "body": body_key, "name": target.name,
                "email": target.email, "person_id": target.person_id,
                "principals": sorted(target.principals),
            }  # fmt: skip
            await self._check(context, change)
        except Refusal as refusal:
            await say(context, refusal.key, **refusal.values)
            return
        token = await self.pending.add(context, change)
        lead_key = "access.confirm_grant" if kind == "access.grant" else "access.confirm_revoke"
        lead = text(lead_key, turn_lang(context), name=target.name, email=target.email,
                    role=self._role_label(context, role, body_key))  # fmt: skip
        await show(context, "access_confirm", lead=lead, yes_action=kind, token=token)

    async def confirm(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """The yes button: spend the token, check again, apply, audit."""
        kind = str(data.get("action"))
        try:
            change = await self.pending.take(context, data, kind)
            await self._require_admin(context)
            ending = await self._check(context, change)
        except Refusal as refusal:
            await say(context, refusal.key, **refusal.values)
            return
        role, body_key = Role(change["role"]), change["body"]
        session = turn_session(context)
        actor = turn_user(context).identity
        if body_key is not None:  # a seat in a body: membership re-plans its reminders
            if kind == "access.grant":
                await meetings.add_member(
                    session=session, pack=self.pack, body=body_key, principal=change["email"],
                    person_id=change["person_id"], role=role, actor=actor, tz=self.tz,
                    now=utcnow(), source="chat",
                )  # fmt: skip
            else:
                for principal in ending:
                    await meetings.remove_member(
                        session=session, pack=self.pack, body=body_key, principal=principal,
                        role=role, actor=actor, tz=self.tz, now=utcnow(), source="chat",
                    )  # fmt: skip
            after_commit(context, self._kick)
        elif kind == "access.grant":
            await grant_role(session=session, principal=change["email"], role=role,
                             person_id=change["person_id"], actor=actor, source="chat")  # fmt: skip
        else:
            for principal in ending:
                await revoke_role(session=session, principal=principal, role=role, actor=actor,
                                  source="chat")  # fmt: skip
        done = "access.granted" if kind == "access.grant" else "access.revoked"
        await say(context, done, name=change["name"],
                  role=self._role_label(context, role, body_key))  # fmt: skip

    async def drop(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """The no button: forget the change (only its owner can)."""
        await self.pending.drop(context, data)
        await say(context, "access.dropped")

    async def list_all(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "hvem har adgang": every active grant (admins only)."""
        if not (await acting_access(context)).is_admin:
            first = meeting_bodies(self.pack)[0] if meeting_bodies(self.pack) else None
            await say(context, "access.not_admin_list",
                      body=self._body_name(context, first) if first else "")  # fmt: skip
            return
        await self._show(context, None, None, text("access.list_title", turn_lang(context)))

    async def who_is(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvem er sekretær for styregruppen": the holders of one role."""
        try:
            role, body_key = self._role_and_body(context, match)
        except Refusal:
            role, body_key = None, None
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
            for fallback in self.routes.fallbacks:
                if await fallback(context, said):
                    return
            await say(context, "access.nobody", role=match.params["role"])
            return
        label = self._role_label(context, role, body_key)
        await self._show(context, role, body_key, label[:1].upper() + label[1:])

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
            sections.setdefault(heading[:1].upper() + heading[1:], []).append(who)
        if not sections:
            sections[text("access.list_title", lang)] = ["-"]
        await show(context, "access_list", title=title,
                   sections=[{"title": k, "lines": v} for k, v in sections.items()])  # fmt: skip


def register(runtime: Runtime) -> None:
    """Add the access intents and the buttons of the confirmation card."""
    pending = PendingChanges(runtime.conversation_state.create_property("govbot.pending"))
    admin = AccessAdmin(runtime, pending)
    routes = runtime.routes
    routes.action("access.grant", admin.grant)
    routes.action("access.revoke", admin.revoke)
    routes.action("access.list", admin.list_all)
    routes.action("access.who", admin.who_is)
    example = next(iter(meeting_bodies(admin.pack)), None)
    body = example.name_da.lower() if example else "forummet"
    routes.action("access.admin", answer_with("access.admin_hint", body=body))
    routes.submit("access.grant", admin.confirm)
    routes.submit("access.revoke", admin.confirm)
    routes.submit("access.drop", admin.drop)
