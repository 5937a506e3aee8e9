"""The role directory in chat: "who is system owner of X", contacts for a system, a person's
roles, admins' changes (set, end, hand-over), and linking Teams users to directory people
(identity.py); how the answers look is answers.py."""

from __future__ import annotations

import dataclasses
import re

from bot.capabilities import Runtime
from bot.capabilities.core import answer_with, start_dialog
from bot.capabilities.directory.answers import Lookup
from bot.capabilities.directory.identity import MemberLink
from bot.capabilities.directory.kitos_status import KitosStatus
from bot.conversations import clean_text
from bot.intents import IntentMatch
from bot.routing import Action, Routes
from bot.sdk import TurnContext
from bot.subject import recall, remember
from dialogs.confirmation import Confirmations, TypedConfirmationDialog
from dialogs.directory import DirectoryChanges
from dialogs.directory_view import names_of, role_label
from dialogs.permissions import Requirement
from dialogs.texts import text
from dialogs.turn import say, turn_lang, turn_session
from knowledge.directory_question import RoleQuestion, RoleVocabulary
from knowledge.packs import load_pack
from knowledge.render import lcfirst
from knowledge.schema import Pack
from knowledge.schema_entries import GovernanceRole
from knowledge.text import name_key
from storage.access import Role
from storage.directory_snapshots import directory_index
from storage.errors import DomainError

# Questions about what a role *is* belong to the knowledge answers, not the directory.
_WHAT_WORDS = frozenset(
    name_key(w)
    for w in "hvad hvordan hvorfor hvornår betyder laver gør what how why does mean".split()
)
# Words that stand for the system just talked about.
_PRONOUNS = frozenset(
    name_key(w) for w in "det den dem denne dette systemet it that this its them there".split()
)
# Any system, not a named one: an article or a quantifier before "system" ("et system", "vores
# systemer", "a system"); "systemet" alone is the system talked about.
_ANY_SYSTEM = re.compile(
    r"\b(?:et|ethvert|vores|alle|nogle|a|any|our|all)\s+(?:it-?)?(?:fag)?(?:system|systemer|systems)$"
)
# Words a person's name does not start with: "hvilke systemer har vi i kommunen", "… kender du".
_NOT_A_NAME = frozenset(
    name_key(w) for w in "vi jeg du man i de der her kommunen you we they us".split()
)
# Who grants access to a system, in the order asked: the one the owner delegated it to first.
ACCESS_GRANTERS = ("systemansvarlig", "systemejer")
# A message this short that names a system is a question about the system's contacts.
MAX_BARE_NAME_WORDS = 4


class Directory:
    """The directory capability, bound to the active knowledge pack."""

    def __init__(self, pack: Pack, routes: Routes, confirmations: Confirmations) -> None:
        self.pack = pack
        self._routes = routes
        self.confirmations = confirmations
        self.changes = DirectoryChanges(pack)
        self.roles = RoleVocabulary(pack)

    async def _lookup(self, context: TurnContext) -> Lookup:
        index = await directory_index(session=turn_session(context))
        return Lookup(self.pack, index, context)

    @property
    def _role_keys(self) -> set[str]:
        return {r.key for r in self.pack.roles}

    # --- role questions -------------------------------------------------------------------

    async def answer_role_question(self, context: TurnContext, text_: str) -> bool:
        """Answer "who holds role R (for system S)"; False when the text is no such question."""
        question = self.roles.parse(text_)
        if question is None:
            return False
        tokens = set(name_key(text_).split())
        lookup = await self._lookup(context)
        role = question.role
        roles = lookup.roles(role.key)
        if question.subject and _any_system(question.subject):
            # "hvem ejer dataene i et system": the role in general, not a system called that.
            if await self._routes.answer_if_sure(context, text_):
                return True
            question = dataclasses.replace(question, subject="")
        search = lookup.find(question.subject) if question.subject else None
        if search is not None and search.outcome != "unknown":
            if question.escalates and await lookup.escalation(search, role):
                return True
            await lookup.system_role(search, roles)
            return True
        if question.escalates and await self._escalation_entry(context, role):
            return True  # "hvor melder en superbruger fejl hen": where its duties escalate
        if search is not None and self._pack_words(question):
            return False  # the knowledge answers take it (see _pack_words)
        if search is not None:
            if tokens & _WHAT_WORDS and not question.asks_who:
                return False  # "hvad laver en superbruger": the knowledge answers that
            if role.scope != "organisation":
                if not question.asks_who and len(tokens) > 3:
                    return False
                await lookup.offer_systems(search, roles)
                return True
        label = role_label(self.pack, role.key, lookup.lang)
        if role.scope == "organisation":
            holders = lookup.index.holders([r.key for r in roles], None)
            lookup.remember_holders(holders, roles, None)
            await lookup.show_holders(holders, roles, title=label)
            return True
        if question.asks_who and not tokens & _WHAT_WORDS:
            await lookup.suggest_systems(role=lcfirst(label))
            return True
        return False

    def _pack_words(self, question: RoleQuestion) -> bool:
        """Whether the words left beside the role are the pack's own rather than a name: "who
        writes the super user report" names no system called "report", and the pack's answers
        (or whom to ask) say more than "I don't know a system called …"."""
        if question.role.scope == "organisation" or not question.subject:
            return False  # the DPO is the DPO, whatever else the question says
        return self.pack.knowledge.uses_words(question.subject)

    async def _escalation_entry(self, context: TurnContext, role: GovernanceRole) -> bool:
        """The knowledge answer on whom `role` escalates to; False when it escalates nowhere."""
        answer = self._routes.submits.get("knowledge.entry")
        if answer is None or role.escalate_to is None:
            return False
        entry = f"role:{role.key}:escalation"
        await answer(context, {"action": "knowledge.entry", "entry": entry})
        return True

    # --- intents --------------------------------------------------------------------------

    async def who_owns(self, context: TurnContext, match: IntentMatch) -> None:
        """ "who owns X" / "hvem ejer X"; "hvem ejer det?" asks about the current subject."""
        system = match.params.get("system", "")
        if system and _any_system(system):
            # "hvem ejer dataene i et system": the role in general, from the pack if it is sure.
            said = match.text or clean_text(context.activity)
            if await self._routes.answer_if_sure(context, said):
                return
            system = ""
        if not _names_system(system):
            subject = recall(context)
            if subject is None or not subject.system:
                await (await self._lookup(context)).suggest_systems()
                return
            system = subject.system
        lookup = await self._lookup(context)
        await lookup.system_role(lookup.find(system), [self.pack.role("systemejer")])

    async def contacts(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvem kan jeg kontakte om X": every role holder of a system; X naming a role by
        its topic ("… om GDPR" is the DPO's, a synonym in the pack) asks for that role."""
        lookup = await self._lookup(context)
        topic = match.params.get("system", "")
        search = lookup.find(topic)
        if search.outcome == "unknown" and self.roles.role(topic) is not None:
            said = match.text or clean_text(context.activity)
            if await self.answer_role_question(context, said):
                return
        await lookup.system_contacts(search)

    async def person_roles(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvilke systemer ejer Søren": a person's roles."""
        lookup = await self._lookup(context)
        query = match.params.get("person", "")
        if not _names_person(query):
            await lookup.suggest_systems()
            return
        found = lookup.index.find_people(query)
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
        held = lookup.index.roles_of(person.id)
        if match.params.get("owner") in ("ejer", "own"):
            owned = [a for a in held if a.role_key == "systemejer"]
            held = owned or held
        await lookup.show_holders(
            held,
            (),
            title=text("directory.person_title", lookup.lang, name=person.name),
            when_none=("directory.person_none", {"name": person.name}),
            system_named=False,
        )

    async def role(self, context: TurnContext, match: IntentMatch) -> None:
        """The model read a role question: who holds which role, or a system's contacts.

        A role without a system ("og dataejeren?", "hvem ejer det?") is read against the
        conversation's subject; a follow-up passes the role and system it resolved to.
        """
        said = match.text or clean_text(context.activity)
        lookup = await self._lookup(context)
        system = match.params.get("system")
        if system and _any_system(system):
            system = None  # "hvem ejer dataene i et system": no system is named
        if system and match.params.get("role") in self._role_keys:
            await lookup.system_role(lookup.find(system), lookup.roles(match.params["role"]))
            return
        question = self.roles.parse(said)
        subject = recall(context)
        known = subject.system if subject is not None else None
        if question is not None and not _names_system(question.subject) and known:
            if question.role.scope != "organisation":
                await lookup.system_role(lookup.find(known), lookup.roles(question.role.key))
                return
        if question is not None and not _names_system(question.subject) and subject:
            if not known and len(subject.systems) > 1:  # "og dataejeren?" after two systems
                await lookup.ask_which_system(subject.systems, question.role.key)
                return
        if await self.answer_role_question(context, said):
            return
        if question is not None and not known and self._pack_words(question):
            await self._routes.answer_as_free_text(context, said)
            return
        if system or known:
            await lookup.system_contacts(lookup.find(system or known or ""))
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
        lookup = await self._lookup(context)
        lang = lookup.lang
        system_name = match.params.get("system")
        if not system_name:
            raise DomainError("directory.access_which_system")
        search = lookup.find(system_name)
        if search.outcome != "found":
            await lookup.offer_systems(search, ())
            return
        system = search.systems[0]
        remember(context, "directory.access_request", system=system.name)
        for role_key in ACCESS_GRANTERS:
            if role_key not in self._role_keys:
                continue
            holders = lookup.index.holders([role_key], system.id)
            if holders:
                label = lcfirst(role_label(self.pack, role_key, lang))
                await lookup.show_holders(
                    holders,
                    [self.pack.role(role_key)],
                    title=text("directory.access_title", lang, system=system.name),
                    lead=text("directory.access_lead", lang, system=system.name, role=label),
                )
                return
        await lookup.system_contacts(search)

    async def lookup_fallback(self, context: TurnContext, text_: str) -> bool:
        """Free text that is a role question ("systemejr sbsys", "superbrugere i nexus"), or
        just a system's name ("sbsys", "opus"), which is answered with its contacts."""
        if await self.answer_role_question(context, text_):
            return True
        if len(text_.split()) > MAX_BARE_NAME_WORDS:
            return False
        lookup = await self._lookup(context)
        search = lookup.find(text_)
        # Only the name itself: "hvad er kitos" is a question for the knowledge answers.
        if not (search.exact or search.outcome == "ambiguous"):
            return False
        await lookup.system_contacts(search)
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


def _names_system(words: str) -> bool:
    """False for nothing or a pronoun ("det", "den", "it"): the subject is meant."""
    return bool(words) and name_key(words) not in _PRONOUNS


def _any_system(words: str) -> bool:
    """Whether `words` mean any system rather than one ("dataene i et system", "vores
    systemer", "the data in a system")."""
    return bool(_ANY_SYSTEM.search(" ".join(words.casefold().split())))


def _names_person(words: str) -> bool:
    """False for nothing or words that start no name ("vi i kommunen", "du"): the user asks
    what the directory holds, not about someone."""
    first = words.split(maxsplit=1)[0] if words.strip() else ""
    return bool(first) and name_key(first) not in _NOT_A_NAME


def register(runtime: Runtime) -> None:
    """Add the directory's intents, fallback, dialog and identity hooks."""
    directory = Directory(
        load_pack(runtime.settings.knowledge_pack), runtime.routes, runtime.confirmations
    )
    routes = runtime.routes
    routes.methods("directory", directory, "who_owns contacts role access_request")
    routes.action("directory.person", directory.person_roles)
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
    members = MemberLink(runtime.database)
    routes.before_turn(members.look_up_member)
    routes.on_turn(members.link_user)
