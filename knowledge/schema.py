"""The shape of a knowledge pack: one municipality's entries assembled, validated when loaded.

The entries' models are in knowledge.schema_bodies and knowledge.schema_entries, built from
knowledge.schema_base.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import Field

from knowledge.paraphrases import Paraphrase
from knowledge.schema_base import Key, Model, Text
from knowledge.schema_bodies import Body
from knowledge.schema_entries import (
    Contact,
    Document,
    FaqEntry,
    GovernanceRole,
    ItSupport,
    Overviews,
    Principle,
    Procurement,
    Terms,
)
from knowledge.text import name_key, normalise

if TYPE_CHECKING:
    from knowledge.answers import KnowledgeIndex


class Pack(Model):
    """One municipality's assembled knowledge: its own entries plus included shared ones."""

    key: Key
    municipality: Text
    summary_da: Text
    summary_en: Text
    documents: tuple[Key, ...] = Field(min_length=1)
    registry: tuple[Document, ...]
    overviews: Overviews
    contacts: tuple[Contact, ...] = Field(min_length=1)
    # None when the pack's documents name no service desk: govbot's general advice is used.
    it_support: ItSupport | None = None
    bodies: tuple[Body, ...]
    roles: tuple[GovernanceRole, ...]
    principles: tuple[Principle, ...]
    procurement: Procurement
    faq: tuple[FaqEntry, ...]
    terms: Terms = Terms()
    # Dev-set questions in other people's words, each kept for the entry that answers it.
    paraphrases: tuple[Paraphrase, ...] = ()

    @cached_property
    def knowledge(self) -> KnowledgeIndex:
        """The index the pack's questions are answered from, built on first use and kept with
        the pack (so it lives as long as the pack, and nothing else holds it)."""
        from knowledge.answers import KnowledgeIndex

        return KnowledgeIndex(self)

    @cached_property
    def _bodies(self) -> dict[str, Body]:
        return {b.key: b for b in self.bodies}

    @cached_property
    def _roles(self) -> dict[str, GovernanceRole]:
        return {r.key: r for r in self.roles}

    @cached_property
    def _role_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for role in self.roles:
            for name in (role.key.replace("_", " "), *role.names):
                names.setdefault(name_key(name), role.key)
        return names

    def body(self, key: str) -> Body:
        """The body with `key`; KeyError when the pack has none."""
        return self._bodies[key]

    def role(self, key: str) -> GovernanceRole:
        """The role with `key`; KeyError when the pack has none."""
        return self._roles[key]

    def principle(self, principle_id: str) -> Principle:
        """The principle with `principle_id`; KeyError when the pack has none."""
        for principle in self.principles:
            if principle.id == principle_id:
                return principle
        raise KeyError(principle_id)

    def document(self, doc_id: str) -> Document:
        """The registry document with `doc_id`; KeyError when unknown."""
        for doc in self.registry:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)

    def role_by_name(self, text: str) -> GovernanceRole | None:
        """The role whose key, label, synonym or KITOS column equals `text` after normalising."""
        key = self._role_names.get(name_key(text))
        return self._roles[key] if key else None

    def role_names(self) -> dict[str, str]:
        """Normalised name → role key, for fuzzy matching elsewhere (see text.name_key)."""
        return dict(self._role_names)

    def expand_role(self, key: str) -> tuple[str, ...]:
        """The roles a holder of `key` holds: "system_og_dataejer" → systemejer and dataejer."""
        role = self.role(key)
        return role.combines or (role.key,)

    def synonym_map(self) -> dict[str, tuple[str, ...]]:
        """Normalised word → the phrases that mean the same (from `terms`)."""
        found: dict[str, list[str]] = {}
        for word, other in self.terms.pairs():
            tokens = normalise(word)
            if len(tokens) == 1:
                found.setdefault(tokens[0], []).append(other)
        return {k: tuple(dict.fromkeys(v)) for k, v in found.items()}

    @property
    def default_contact(self) -> Contact:
        """The first contact: whom to ask when nothing else fits."""
        return self.contacts[0]
