"""How directory answers look: assignments and roles as card values, in the turn's language."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from dialogs.texts import Lang, in_lang, named, text
from knowledge.render import lcfirst
from knowledge.schema import Pack
from knowledge.schema_entries import GovernanceRole
from knowledge.text import fold
from storage.directory import Assignment, PersonInfo
from storage.directory_index import DirectoryIndex, PersonSearch

CHAT_URL = "https://teams.microsoft.com/l/chat/0/0?users={email}"
MAX_ENTRIES = 8
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def chat_url(email: str) -> str:
    """The Teams deep link that opens a 1:1 chat with `email`."""
    return CHAT_URL.format(email=quote(email, safe="@"))


def role_label(pack: Pack, role_key: str, lang: Lang) -> str:
    """The role's name in `lang` (the key when the pack lacks the role)."""
    return named(pack.role, role_key, "label", lang)


def entries(
    assignments: Sequence[Assignment], pack: Pack, lang: Lang, *, system_named: bool
) -> tuple[list[dict[str, Any]], int]:
    """Card entries, one per person with every role they hold among `assignments`, for up to
    MAX_ENTRIES people, and how many people were left out. With `system_named` (the card's
    title names the system) no line repeats it."""
    order = {role.key: i for i, role in enumerate(pack.roles)}
    ranked = sorted(
        assignments, key=lambda a: (order.get(a.role_key, 99), a.person.name.casefold())
    )
    by_person: dict[int, list[Assignment]] = {}
    for assignment in ranked:
        by_person.setdefault(assignment.person.id, []).append(assignment)
    shown = []
    for held in list(by_person.values())[:MAX_ENTRIES]:
        person = held[0].person
        unit = next((a.org_unit for a in held if a.org_unit), None) or person.org_unit
        shown.append(
            {
                "name": person.name,
                "first_name": person.name.split(" ")[0],
                "facts": [
                    *held_facts(held, pack, lang, system_named),
                    {"title": text("directory.unit", lang), "value": unit or "–"},
                    {"title": text("directory.email", lang), "value": person.email},
                ],
                "email": person.email,
                "chat_url": chat_url(person.email),
            }
        )
    return shown, max(0, len(by_person) - MAX_ENTRIES)


def held_facts(
    held: Sequence[Assignment], pack: Pack, lang: Lang, system_named: bool
) -> list[dict[str, str]]:
    """One person's roles as facts: "Rolle: Systemejer, Superbruger" when the systems are
    said elsewhere, else each role with its systems ("Systemejer: Acadre, SBSYS")."""
    systems: dict[str, list[str]] = {}
    for assignment in held:
        names = systems.setdefault(role_label(pack, assignment.role_key, lang), [])
        if assignment.system is not None and assignment.system.name not in names:
            names.append(assignment.system.name)
    plain = [role for role, names in systems.items() if system_named or not names]
    facts = [{"title": text("directory.role", lang), "value": ", ".join(plain)}] if plain else []
    facts.extend(
        {"title": role, "value": ", ".join(sorted(names, key=str.casefold))}
        for role, names in systems.items()
        if role not in plain
    )
    return facts


def duties(roles: Iterable[GovernanceRole], pack: Pack, lang: Lang) -> list[dict[str, str]]:
    """What each role is responsible for, with the pack's source."""
    out = []
    index = pack.knowledge
    for role in dict.fromkeys(roles):
        items = in_lang(role, "responsibilities", lang)
        # Cited as the knowledge answer about the role is ("govbot's general guidance …").
        citation = index.replies.citation(index.entry(f"role:{role.key}"), lang).text
        out.append(
            {
                "role": lcfirst(str(in_lang(role, "label", lang))),
                "summary": in_lang(role, "summary", lang),
                "lines": "- " + "\n- ".join(items),
                "source": text("directory.source", lang, citation=citation),
            }
        )
    return out


def holders_summary(
    index: DirectoryIndex, system_id: int, roles: Sequence[GovernanceRole], lang: Lang
) -> str:
    """One line naming who holds `roles` for a system, for choice lists."""
    keys = {role.key for role in roles}
    holders = index.holders(keys, system_id)
    label = str(in_lang(roles[0], "label", lang)) if roles else ""
    if not holders:
        return text("directory.no_holders_line", lang, role=lcfirst(label))
    names = ", ".join(dict.fromkeys(a.person.name for a in holders))
    return text("directory.holders_line", lang, role=label, names=names)


def emails_in(raw: str) -> list[str]:
    """Email addresses as written in a raw message (normalised text loses the @)."""
    return [e.lower() for e in _EMAIL.findall(raw)]


def resolve_person(index: DirectoryIndex, param: str, raw: str) -> PersonSearch:
    """The person a message names: an email written in it, or a (first) name."""
    for email in emails_in(raw):
        if fold(email) == fold(param):
            return index.find_people(email)
    return index.find_people(param)


def names_of(people: Iterable[PersonInfo]) -> str:
    """People as "Name (email)", comma-separated."""
    return ", ".join(f"{p.name} ({p.email})" for p in people)
