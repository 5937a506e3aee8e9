"""The role directory in chat: "who is system owner of X", contacts for a system, a person's
roles, admins' changes (set, end, hand-over), and linking Teams users to directory people."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from bot.capabilities import Runtime
from bot.capabilities.core import answer_with, start_dialog
from bot.capabilities.directory.kitos_status import KitosStatus
from bot.conversations import clean_text
from bot.intents import IntentMatch
from bot.routing import Action, Routes
from bot.sdk import TeamsInfo, TurnContext
from bot.subject import recall, remember
from dialogs.confirmation import Confirmations, TypedConfirmationDialog
from dialogs.directory import DirectoryChanges
from dialogs.directory_view import duties, entries, holders_summary, names_of, role_label
from dialogs.permissions import Requirement
from dialogs.texts import Lang, either, text
from dialogs.turn import ask_which, say, show, show_choices, turn_lang, turn_session, turn_user
from knowledge.directory_question import RoleVocabulary
from knowledge.packs import load_pack
from knowledge.render import lcfirst
from knowledge.schema import GovernanceRole, Pack
from knowledge.text import name_key
from storage.access import Role
from storage.conversations import get_conversation
from storage.db import Database
from storage.directory import Assignment, link_identity
from storage.directory_index import DirectoryIndex, SystemSearch
from storage.directory_snapshots import directory_index
from storage.errors import DomainError
from storage.identity import record_user_email

log = logging.getLogger(__name__)

# Questions about what a role *is* belong to the knowledge answers, not the directory.
_WHAT_WORDS = frozenset(
    name_key(w)
    for w in "hvad hvordan hvorfor hvornår betyder laver gør what how why does mean".split()
)
# Words that stand for the system just talked about.
_PRONOUNS = frozenset(
    name_key(w) for w in "det den dem denne dette systemet it that this its them there".split()
)
# Who grants access to a system, in the order asked: the one the owner delegated it to first.
ACCESS_GRANTERS = ("systemansvarlig", "systemejer")
# How long a failed member look-up is not retried for the same user.
MEMBER_RETRY_SECONDS = 3600.0
# Where the member look-up before a turn leaves the email it found, for the turn to record.
MEMBER_EMAIL_KEY = "govbot.member_email"


# A message this short that names a system is a question about the system's contacts.
MAX_BARE_NAME_WORDS = 4


class Directory:
    """The directory capability, bound to the active knowledge pack."""

    def __init__(
        self, pack: Pack, routes: Routes, confirmations: Confirmations, database: Database
    ) -> None:
        self.pack = pack
        self._database = database
        self._routes = routes
        self.confirmations = confirmations
        self.changes = DirectoryChanges(pack)
        self.roles = RoleVocabulary(pack)
        self._member_failures: dict[str, float] = {}

    # --- role questions -------------------------------------------------------------------

    async def answer_role_question(self, context: TurnContext, text_: str) -> bool:
        """Answer "who holds role R (for system S)"; False when the text is no such question."""
        question = self.roles.parse(text_)
        if question is None:
            return False
        tokens = set(name_key(text_).split())
        index = await directory_index(session=turn_session(context))
        lang = turn_lang(context)
        role = question.role
        roles = [self.pack.role(k) for k in self.pack.expand_role(role.key)]
        if question.subject:
            search = index.find_system(question.subject)
            if search.outcome != "unknown":
                await self._answer_system_role(context, index, search, roles)
                return True
            if tokens & _WHAT_WORDS and not question.asks_who:
                return False  # "hvad laver en superbruger": the knowledge answers that
            if role.scope != "organisation":
                if not question.asks_who and len(tokens) > 3:
                    return False
                await self._offer_systems(context, index, search, roles)
                return True
        if role.scope == "organisation":
            holders = index.holders([r.key for r in roles], None)
            await self._show_holders(
                context, holders, roles, title=role_label(self.pack, role.key, lang), lang=lang
            )
            return True
        if question.asks_who and not tokens & _WHAT_WORDS:
            await say(
                context,
                "directory.which_system",
                role=lcfirst(role_label(self.pack, role.key, lang)),
            )
            return True
        return False

    async def _answer_system_role(
        self,
        context: TurnContext,
        index: DirectoryIndex,
        search: SystemSearch,
        roles: Sequence[GovernanceRole],
    ) -> None:
        lang = turn_lang(context)
        label = role_label(self.pack, roles[0].key, lang) if len(roles) == 1 else None
        if search.outcome == "found":
            system = search.systems[0]
            holders = index.holders([r.key for r in roles], system.id)
            lead = None if search.exact else text("directory.assumed", lang, system=system.name)
            title_role = label or " / ".join(role_label(self.pack, r.key, lang) for r in roles)
            people = {a.person.id: a.person for a in holders}
            person = next(iter(people.values())) if len(people) == 1 else None
            remember(
                context,
                "directory.role",
                system=system.name,
                role=roles[0].key if len(roles) == 1 else None,
                person_name=person.name if person else None,
                person_email=person.email if person else None,
                person_unit=person.org_unit if person else None,
                people=[p.name for p in people.values()] if len(people) > 1 else [],
            )
            if holders:
                await self._show_holders(
                    context,
                    holders,
                    roles,
                    title=text(
                        "directory.holders_title", lang, role=title_role, system=system.name
                    ),
                    lang=lang,
                    lead=lead,
                )
                return
            await self._show_holders(
                context,
                index.system_roles(system.id),
                (),
                title=text("directory.contacts_title", lang, system=system.name),
                lang=lang,
                lead=text("directory.nobody", lang, role=lcfirst(title_role), system=system.name),
                note=text("directory.nobody_hint", lang),
                when_none=("directory.no_contacts", {"system": system.name}),
            )
            return
        await self._offer_systems(context, index, search, roles)

    async def _ask_which_system(
        self, context: TurnContext, systems: Sequence[str], role_key: str, lang: Lang
    ) -> None:
        """ "Mener du SBSYS eller Acadre?": the systems just offered, as buttons."""
        label = lcfirst(role_label(self.pack, role_key, lang))
        lead = text("followup.which_of", lang, names=either(systems, lang))
        await ask_which(context, lead, [
            (name, text("directory.choose", lang, role=label, system=name)) for name in systems
        ])  # fmt: skip

    async def _offer_systems(
        self,
        context: TurnContext,
        index: DirectoryIndex,
        search: SystemSearch,
        roles: Sequence[GovernanceRole],
    ) -> None:
        """Ambiguous or unknown: candidates with their holders; never one of them as the answer."""
        lang = turn_lang(context)
        candidates = search.systems if search.outcome == "ambiguous" else search.suggestions
        label = role_label(self.pack, roles[0].key, lang) if roles else ""
        choices = [
            {
                "name": system.name,
                "detail": holders_summary(index, system.id, roles, lang) if roles else "",
                "text": text("directory.choose", lang, role=lcfirst(label), system=system.name)
                if roles
                else text("directory.choose_contacts", lang, system=system.name),
            }
            for system in candidates
        ]
        if choices:
            remember(
                context,
                "directory.role",
                role=roles[0].key if len(roles) == 1 else None,
                systems=[system.name for system in candidates],
            )
        if search.outcome == "ambiguous":
            lead = text("directory.ambiguous", lang, query=search.query)
            hint = None
        elif choices:
            lead = text("directory.unknown_close", lang, query=search.query)
            hint = None
        else:
            await say(context, "directory.unknown", query=search.query)
            await say(context, "directory.unknown_hint")
            return
        await show_choices(context, lead, choices, hint)

    async def _show_holders(
        self,
        context: TurnContext,
        holders: Sequence[Assignment],
        roles: Sequence[GovernanceRole],
        *,
        title: str,
        lang: Lang,
        lead: str | None = None,
        note: str | None = None,
        when_none: tuple[str, dict[str, Any]] | None = None,
        system_named: bool = True,
    ) -> None:
        """The holders as cards, each person once; with none, `when_none` (a text and its
        values) is said, or that nobody holds the first of `roles`. `system_named`: the title
        names the system, so no line repeats it."""
        if not holders and (when_none or roles):
            key, values = when_none or (
                "directory.nobody_org",
                {"role": lcfirst(role_label(self.pack, roles[0].key, lang))},
            )
            await say(context, key, **values)
            return
        shown, more = entries(holders, self.pack, lang, system_named=system_named)
        await show(
            context,
            "directory_people",
            title=title,
            lead=lead,
            note=note,
            entries=shown,
            more=more,
            duties=duties(roles, self.pack, lang),
            actions=[],
        )

    # --- intents --------------------------------------------------------------------------

    async def who_owns(self, context: TurnContext, match: IntentMatch) -> None:
        """ "who owns X" / "hvem ejer X"; "hvem ejer det?" asks about the current subject."""
        system = match.params.get("system", "")
        if not _names_system(system):
            subject = recall(context)
            if subject is None or not subject.system:
                raise DomainError("directory.role_which_system")
            system = subject.system
        index = await directory_index(session=turn_session(context))
        search = index.find_system(system)
        await self._answer_system_role(context, index, search, [self.pack.role("systemejer")])

    async def contacts(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvem kan jeg kontakte om X": every role holder of a system."""
        index = await directory_index(session=turn_session(context))
        await self._system_contacts(
            context, index, index.find_system(match.params.get("system", ""))
        )

    async def _system_contacts(
        self, context: TurnContext, index: DirectoryIndex, search: SystemSearch
    ) -> None:
        lang = turn_lang(context)
        if search.outcome != "found":
            await self._offer_systems(context, index, search, ())
            return
        system = search.systems[0]
        remember(context, "directory.role", system=system.name)
        holders = index.system_roles(system.id)
        roles = [self.pack.role(a.role_key) for a in holders if a.role_key in self._role_keys]
        await self._show_holders(
            context,
            holders,
            roles[:2],
            title=text("directory.contacts_title", lang, system=system.name),
            lang=lang,
            lead=None if search.exact else text("directory.assumed", lang, system=system.name),
            when_none=("directory.no_contacts", {"system": system.name}),
        )

    @property
    def _role_keys(self) -> set[str]:
        return {r.key for r in self.pack.roles}

    async def person_roles(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvilke systemer ejer Søren": a person's roles."""
        lang = turn_lang(context)
        index = await directory_index(session=turn_session(context))
        query = match.params.get("person", "")
        found = index.find_people(query)
        if not found.people:
            raise DomainError("directory.person_unknown", query=query)
        if found.person is None:
            raise DomainError(
                "directory.person_ambiguous", query=query, names=names_of(found.people)
            )
        person = found.person
        remember(
            context,
            "directory.person",
            person_name=person.name,
            person_email=person.email,
            person_unit=person.org_unit,
        )
        held = index.roles_of(person.id)
        if match.params.get("owner") in ("ejer", "own"):
            owned = [a for a in held if a.role_key == "systemejer"]
            held = owned or held
        await self._show_holders(
            context,
            held,
            (),
            title=text("directory.person_title", lang, name=person.name),
            lang=lang,
            when_none=("directory.person_none", {"name": person.name}),
            system_named=False,
        )

    async def role(self, context: TurnContext, match: IntentMatch) -> None:
        """The model read a role question: who holds which role, or a system's contacts.

        A role without a system ("og dataejeren?", "hvem ejer det?") is read against the
        conversation's subject; a follow-up passes the role and system it resolved to.
        """
        said = match.text or clean_text(context.activity)
        index = await directory_index(session=turn_session(context))
        system = match.params.get("system")
        if system and match.params.get("role") in self._role_keys:
            roles = [self.pack.role(k) for k in self.pack.expand_role(match.params["role"])]
            await self._answer_system_role(context, index, index.find_system(system), roles)
            return
        question = self.roles.parse(said)
        subject = recall(context)
        known = subject.system if subject is not None else None
        if question is not None and not _names_system(question.subject) and known:
            if question.role.scope != "organisation":
                roles = [self.pack.role(k) for k in self.pack.expand_role(question.role.key)]
                await self._answer_system_role(context, index, index.find_system(known), roles)
                return
        if question is not None and not _names_system(question.subject) and subject:
            if not known and len(subject.systems) > 1:  # "og dataejeren?" after two systems
                await self._ask_which_system(
                    context, subject.systems, question.role.key, turn_lang(context)
                )
                return
        if await self.answer_role_question(context, said):
            return
        if system:
            await self._system_contacts(context, index, index.find_system(system))
            return
        if known:
            await self._system_contacts(context, index, index.find_system(known))
            return
        # No system anywhere: what a role does ("hvem underskriver kontrakten") may be in the
        # pack; a question naming no role at all goes to the knowledge answers as it is.
        if question is None:
            await self._routes.answer_as_free_text(context, said)
            return
        if await self._routes.answer_if_sure(context, said):
            return
        await say(context, "directory.role_which_system")

    async def access_request(self, context: TurnContext, match: IntentMatch) -> None:
        """ "jeg skal have adgang til X": who grants it (systemansvarlig, else systemejer)."""
        lang = turn_lang(context)
        index = await directory_index(session=turn_session(context))
        system_name = match.params.get("system")
        if not system_name:
            raise DomainError("directory.access_which_system")
        search = index.find_system(system_name)
        if search.outcome != "found":
            await self._offer_systems(context, index, search, ())
            return
        system = search.systems[0]
        remember(context, "directory.access_request", system=system.name)
        for role_key in ACCESS_GRANTERS:
            if role_key not in self._role_keys:
                continue
            holders = index.holders([role_key], system.id)
            if holders:
                role = self.pack.role(role_key)
                label = role_label(self.pack, role_key, lang)
                await self._show_holders(
                    context,
                    holders,
                    [role],
                    title=text("directory.access_title", lang, system=system.name),
                    lang=lang,
                    lead=text(
                        "directory.access_lead", lang, system=system.name, role=lcfirst(label)
                    ),
                )
                return
        await self._system_contacts(context, index, search)

    async def lookup_fallback(self, context: TurnContext, text_: str) -> bool:
        """Free text that is a role question ("systemejr sbsys", "superbrugere i nexus"), or
        just a system's name ("sbsys", "opus"), which is answered with its contacts."""
        if await self.answer_role_question(context, text_):
            return True
        if len(text_.split()) > MAX_BARE_NAME_WORDS:
            return False
        index = await directory_index(session=turn_session(context))
        search = index.find_system(text_)
        # Only the name itself: "hvad er kitos" is a question for the knowledge answers.
        if not (search.exact or search.outcome == "ambiguous"):
            return False
        await self._system_contacts(context, index, search)
        return True

    def change(self, kind: str) -> Action:
        """An action that plans a directory change and asks for a typed confirmation."""
        begin = start_dialog(TypedConfirmationDialog.__name__)

        async def action(context: TurnContext, match: IntentMatch) -> None:
            params = {**match.params, "kind": kind, "raw": clean_text(context.activity)}
            plan = await self.changes.plan(context, params)
            key = f"directory.{kind}"
            token = await self.confirmations.keep(context, key, plan.state)
            card = plan.card(turn_lang(context))
            await begin(context, IntentMatch(match.key, match.score, match.via,
                                             {"kind": key, "token": token, **card}))  # fmt: skip

        action.__name__ = f"directory_{kind}"
        return action

    # --- identity -------------------------------------------------------------------------

    async def look_up_member(self, context: TurnContext) -> None:
        """Before the turn's transaction, in a 1:1 chat: the user's email from Teams, once.

        Teams sends the AAD object id but not the email; the connector's member endpoint has
        it. Once recorded the email sits on the conversation row, so there is one look-up per
        conversation; it is a network call, so no transaction or writer lock waits for it.
        """
        activity = context.activity
        conversation = activity.conversation
        user = turn_user(context)
        if (
            conversation is None
            or (conversation.conversation_type or "personal") != "personal"
            or not user.aad_object_id
            or activity.channel_id != "msteams"
        ):
            return
        # app._parse_activity admits no activity without these.
        assert conversation.id is not None and activity.from_property is not None
        assert activity.from_property.id is not None
        # The retry pause needs no database, so it is checked before the conversation is read.
        failed_at = self._member_failures.get(user.aad_object_id)
        if failed_at is not None and time.monotonic() - failed_at < MEMBER_RETRY_SECONDS:
            return
        async with self._database.sessions() as session:  # a read, closed before the call
            stored = await get_conversation(session=session, conversation_id=conversation.id)
        if stored is not None and stored.user_email:
            return
        try:
            member = await TeamsInfo.get_member(context, activity.from_property.id)
        except Exception as error:  # the connector may refuse or be unreachable; chat goes on
            self._member_failures[user.aad_object_id] = time.monotonic()
            log.info("member look-up failed", extra={"error": type(error).__name__})
            return
        email = getattr(member, "email", None) or getattr(member, "user_principal_name", None) or ""
        if "@" in email:
            context.turn_state[MEMBER_EMAIL_KEY] = email

    async def link_user(self, context: TurnContext) -> None:
        """In the turn's transaction: remember the email the look-up found on the conversation
        and link the Teams user to their directory person."""
        email = context.turn_state.pop(MEMBER_EMAIL_KEY, None)
        user = turn_user(context)
        conversation = context.activity.conversation
        if email is None or conversation is None or conversation.id is None:
            return
        assert user.aad_object_id is not None  # look_up_member asks only for such users
        session = turn_session(context)
        await record_user_email(session=session, conversation_id=conversation.id, email=email)
        await link_identity(
            session=session, email=email, aad_object_id=user.aad_object_id, actor="teams"
        )


def _names_system(words: str) -> bool:
    """False for nothing or a pronoun ("det", "den", "it"): the subject is meant."""
    return bool(words) and name_key(words) not in _PRONOUNS


def register(runtime: Runtime) -> None:
    """Add the directory's intents, fallback, dialog and identity hook."""
    directory = Directory(
        load_pack(runtime.settings.knowledge_pack),
        runtime.routes,
        runtime.confirmations,
        runtime.database,
    )
    routes = runtime.routes
    routes.action("directory.who_owns", directory.who_owns)
    routes.action("directory.contacts", directory.contacts)
    routes.action("directory.person", directory.person_roles)
    routes.action("directory.role", directory.role)
    routes.action("directory.access_request", directory.access_request)
    routes.action("directory.admin", answer_with("directory.admin_hint"))
    admin = Requirement(Role.ADMIN, "directory.not_admin")
    kitos = KitosStatus(runtime.settings.tz)
    routes.action(
        "directory.kitos_status",
        kitos.answer,
        requires=Requirement(Role.ADMIN, "directory.kitos_not_admin"),
    )
    for kind in ("handover", "set", "end"):
        routes.action(f"directory.{kind}", directory.change(kind), requires=admin)
        runtime.confirmable(f"directory.{kind}", directory.changes.apply, requires=admin)
    routes.fallback(directory.lookup_fallback)
    routes.before_turn(directory.look_up_member)
    routes.on_turn(directory.link_user)
