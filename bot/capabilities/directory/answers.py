"""How the directory answers in one turn: role holders as cards, a system's contacts, and the
candidates when a system name is ambiguous or unknown (never one of them as the answer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.sdk import TurnContext
from bot.subject import remember
from dialogs.directory_view import duties, entries, holders_summary, role_label
from dialogs.formats import amount
from dialogs.permissions import acting_access
from dialogs.texts import Lang, either, in_lang, text
from dialogs.turn import ask_which, say, show, show_choices, turn_lang
from knowledge.render import lcfirst
from knowledge.schema import Pack
from knowledge.schema_base import MAX_BUTTON_LABEL
from knowledge.schema_entries import GovernanceRole
from storage.directory import Assignment
from storage.directory_index import DirectoryIndex, SystemSearch

# How many systems an overview names, and how many of them it offers as buttons.
EXAMPLE_SYSTEMS = 5
EXAMPLE_BUTTONS = 3


@dataclass(frozen=True)
class Lookup:
    """One turn's look-up: the pack's roles, the directory index and where to answer."""

    pack: Pack
    index: DirectoryIndex
    context: TurnContext

    @property
    def lang(self) -> Lang:
        """The turn's language."""
        return turn_lang(self.context)

    def find(self, system: str) -> SystemSearch:
        """The systems `system` names."""
        return self.index.find_system(system)

    def roles(self, role_key: str) -> list[GovernanceRole]:
        """The role `role_key` stands for, with the roles it covers."""
        return [self.pack.role(k) for k in self.pack.expand_role(role_key)]

    def _label(self, role_key: str) -> str:
        return role_label(self.pack, role_key, self.lang)

    async def system_role(self, search: SystemSearch, roles: Sequence[GovernanceRole]) -> None:
        """Who holds `roles` for the system found; the system's contacts when nobody does."""
        if search.outcome != "found":
            await self.offer_systems(search, roles)
            return
        lang = self.lang
        system = search.systems[0]
        holders = self.index.holders([r.key for r in roles], system.id)
        lead = None if search.exact else text("directory.assumed", lang, system=system.name)
        title_role = " / ".join(self._label(r.key) for r in roles)
        self.remember_holders(holders, roles, system.name)
        if holders:
            title = text("directory.holders_title", lang, role=title_role, system=system.name)
            await self.show_holders(holders, roles, title=title, lead=lead)
            return
        await self.show_holders(
            self.index.system_roles(system.id),
            (),
            title=text("directory.contacts_title", lang, system=system.name),
            lead=text("directory.nobody", lang, role=lcfirst(title_role), system=system.name),
            note=text("directory.nobody_hint", lang),
            when_none=("directory.no_contacts", {"system": system.name}),
        )

    async def escalation(self, search: SystemSearch, role: GovernanceRole) -> bool:
        """Whom `role` takes a fault in the system found to: the holders of the first role
        up its escalation chain that anyone holds for the system. False when the role
        escalates to no role, the system is not found, or nobody up the chain is registered."""
        chain = self._escalation_chain(role)
        if not chain or search.outcome != "found":
            return False
        lang = self.lang
        system = search.systems[0]
        for step in chain:
            roles = self.roles(step)
            holders = self.index.holders([r.key for r in roles], system.id)
            if not holders:
                continue
            values = {"role": lcfirst(self._label(role.key)), "to": lcfirst(self._label(step)),
                      "first": lcfirst(self._label(chain[0])), "system": system.name}  # fmt: skip
            said = [] if search.exact else [text("directory.assumed", lang, system=system.name)]
            said.append(text("directory.escalation_lead", lang, **values))
            if step != chain[0]:
                said.append(text("directory.escalation_skipped", lang, **values))
            remember(self.context, "directory.role", system=system.name, role=step)
            title = text("directory.holders_title", lang, role=self._label(step),
                         system=system.name)  # fmt: skip
            await self.show_holders(holders, roles, title=title, lead=" ".join(said))
            return True
        return False

    def _escalation_chain(self, role: GovernanceRole) -> list[str]:
        """The roles up from `role` by `escalate_to`, nearest first; a body ends the chain."""
        known = {r.key for r in self.pack.roles}
        chain: list[str] = []
        step = role.escalate_to
        while step in known and step not in chain and step != role.key:
            chain.append(step)
            step = self.pack.role(step).escalate_to
        return chain

    async def suggest_systems(self, role: str | None = None) -> None:
        """What the directory knows, with a few systems to ask about, for "hvilke systemer
        kender du?" or a role question that names no system (`role`: its label, asked again
        for each system the buttons offer)."""
        lang = self.lang
        known = self.index.best_known_systems(EXAMPLE_SYSTEMS)
        names = [s.name for s in known]
        steps = [
            (
                name,
                text("directory.role_of_say", lang, role=role, system=name)
                if role
                else text("directory.contacts_of_say", lang, system=name),
            )
            for name in names
            if len(name) <= MAX_BUTTON_LABEL
        ][:EXAMPLE_BUTTONS]
        await say(
            self.context,
            "directory.systems_overview",
            then=steps,
            count=amount(self.index.system_count, lang),
            examples=either(names, lang),
            first=names[0] if names else "SBSYS",
        )

    async def ask_which_system(self, systems: Sequence[str], role_key: str) -> None:
        """ "Mener du SBSYS eller Acadre?": the systems just offered, as buttons."""
        lang = self.lang
        label = lcfirst(self._label(role_key))
        lead = text("followup.which_of", lang, names=either(systems, lang))
        await ask_which(self.context, lead, [
            (name, text("directory.choose", lang, role=label, system=name)) for name in systems
        ])  # fmt: skip

    async def offer_systems(self, search: SystemSearch, roles: Sequence[GovernanceRole]) -> None:
        """Ambiguous or unknown: candidates with their holders; never one of them as the answer."""
        lang = self.lang
        candidates = search.systems if search.outcome == "ambiguous" else search.suggestions
        label = lcfirst(self._label(roles[0].key)) if roles else ""
        choices = [
            {
                "name": system.name,
                "detail": holders_summary(self.index, system.id, roles, lang) if roles else "",
                "text": text("directory.choose", lang, role=label, system=system.name)
                if roles
                else text("directory.choose_contacts", lang, system=system.name),
            }
            for system in candidates
        ]
        if choices:
            remember(
                self.context,
                "directory.role",
                role=roles[0].key if len(roles) == 1 else None,
                systems=[system.name for system in candidates],
            )
        if search.outcome == "ambiguous":
            lead = text("directory.ambiguous", lang, query=search.query)
        elif choices:
            lead = text("directory.unknown_close", lang, query=search.query)
        else:
            await say(self.context, "directory.unknown", query=search.query)
            await say(self.context, "directory.unknown_hint")
            return
        await show_choices(self.context, lead, choices, None)

    async def system_contacts(self, search: SystemSearch) -> None:
        """Every role holder of the system found (the first two roles' duties beside them)."""
        if search.outcome != "found":
            await self.offer_systems(search, ())
            return
        lang = self.lang
        system = search.systems[0]
        remember(self.context, "directory.role", system=system.name)
        holders = self.index.system_roles(system.id)
        role_keys = {r.key for r in self.pack.roles}
        roles = [self.pack.role(a.role_key) for a in holders if a.role_key in role_keys]
        await self.show_holders(
            holders,
            roles[:2],
            title=text("directory.contacts_title", lang, system=system.name),
            lead=None if search.exact else text("directory.assumed", lang, system=system.name),
            when_none=("directory.no_contacts", {"system": system.name}),
        )

    async def show_unregistered(self, roles: Sequence[GovernanceRole], *, title: str) -> None:
        """Nobody holds an organisation-wide role ("hvem er DPO?") in govbot's records: what
        the pack says the role does, whom to ask meanwhile, and who registers a holder."""
        lang = self.lang
        contact = self.pack.default_contact
        # Only an administrator can register a holder: others are told whom to ask.
        admin = (await acting_access(self.context)).is_admin
        lead = text(
            "directory.unregistered",
            lang,
            role=lcfirst(self._label(roles[0].key)),
            contact=in_lang(contact, "name", lang),
            note=in_lang(contact, "note", lang),
            email=contact.email,
            admin=admin,
        )
        register = {
            "title": text("directory.register_button", lang),
            "text": text("directory.register_say", lang),
        }
        await show(self.context, "directory_people", title=title, lead=lead, note=None, entries=[],
                   more=0, duties=duties(roles, self.pack, lang),
                   actions=[register] if admin else [])  # fmt: skip

    def remember_holders(
        self, holders: Sequence[Assignment], roles: Sequence[GovernanceRole], system: str | None
    ) -> None:
        """What the answer named, for follow-ups: the system, the role and its one holder
        ("hvad er hendes mail?"), or the names of several."""
        people = {a.person.id: a.person for a in holders}
        person = next(iter(people.values())) if len(people) == 1 else None
        remember(
            self.context,
            "directory.role",
            system=system,
            role=roles[0].key if len(roles) == 1 else None,
            person_name=person.name if person else None,
            person_email=person.email if person else None,
            person_unit=person.org_unit if person else None,
            people=[p.name for p in people.values()] if len(people) > 1 else [],
        )

    async def show_holders(
        self,
        holders: Sequence[Assignment],
        roles: Sequence[GovernanceRole],
        *,
        title: str,
        lead: str | None = None,
        note: str | None = None,
        when_none: tuple[str, dict[str, Any]] | None = None,
        system_named: bool = True,
    ) -> None:
        """The holders as cards, each person once; with none, `when_none` (a text and its
        values) is said, or that nobody holds the first of `roles`. `system_named`: the title
        names the system, so no line repeats it."""
        if not holders and when_none:
            await say(self.context, when_none[0], **when_none[1])
            return
        if not holders and roles:
            await self.show_unregistered(roles, title=title)
            return
        lang = self.lang
        shown, more = entries(holders, self.pack, lang, system_named=system_named)
        await show(
            self.context,
            "directory_people",
            title=title,
            lead=lead,
            note=note,
            entries=shown,
            more=more,
            duties=duties(roles, self.pack, lang),
            actions=[],
        )
