"""Turn a pack into answerable entries: its FAQ plus questions generated from its structure.

Structured entries ("hvor tit mødes styregruppen", "hvad laver en superbruger", "hvem godkender
strategien") get their phrasings from templates/questions.yaml filled with every name of the
subject, and their answer text from the jinja2 templates in templates/<language>/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.entry import Entry, fill, make_entry, title_of
from knowledge.render import is_proper_name, lcfirst, lower_article, render
from knowledge.schema import Pack
from knowledge.schema_base import Sourced
from knowledge.schema_bodies import Body
from knowledge.schema_entries import GovernanceRole, Principle

_PROCUREMENT_TOPICS = ("contact", "checks", "screening_time", "dispensation", "funding")


class _Builder:
    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.entries: list[Entry] = []
        self.bodies = {b.key: b for b in pack.bodies}
        self.roles = {r.key: r for r in pack.roles}
        self.names_da = {**{k: b.name_da for k, b in self.bodies.items()}}
        self.names_da.update({k: r.label_da for k, r in self.roles.items()})
        self.names_en = {**{k: b.name_en for k, b in self.bodies.items()}}
        self.names_en.update({k: r.label_en for k, r in self.roles.items()})

    def add(
        self,
        entry_id: str,
        kind: str,
        intent: str,
        *,
        template: str,
        sourced: Sourced,
        related: Sequence[str] = (),
        titles: dict[str, tuple[str, str]] | None = None,
        da: dict[str, Sequence[str]],
        en: dict[str, Sequence[str]],
        duties_da: Sequence[str] = (),
        duties_en: Sequence[str] = (),
        subject: tuple[Sequence[str], Sequence[str]] | None = None,
        **context: object,
    ) -> None:
        titles = titles or {}
        if subject is None:
            subject = (_subject(da), _subject(en))
        questions_da, bare_da = fill(intent, "da", **da)
        questions_en, bare_en = fill(intent, "en", **en)
        self.entries.append(
            make_entry(
                entry_id,
                kind,
                sourced,
                related,
                titles=(
                    title_of(intent, "da", **{k: v[0] for k, v in titles.items()}),
                    title_of(intent, "en", **{k: v[1] for k, v in titles.items()}),
                ),
                texts=(render(template, "da", **context), render(template, "en", **context)),
                questions=(questions_da, questions_en),
                hints=(
                    [*bare_da, *(f"hvem {lcfirst(d)}" for d in duties_da)],
                    [*bare_en, *(f"who {lcfirst(d)}" for d in duties_en)],
                ),
                subject=subject,
            )
        )

    # --- bodies -----------------------------------------------------------------------------

    def bodies_all(self) -> None:
        self.add(
            "bodies:all",
            "overview",
            "bodies_all",
            template="bodies_all",
            sourced=self.pack.overviews.bodies,
            related=[f"body:{b.key}" for b in self.pack.bodies[:3]],
            titles={"municipality": (self.pack.municipality, self.pack.municipality)},
            da={},
            en={},
            pack=self.pack,
        )

    def body(self, body: Body) -> None:
        names_da = [lower_article(body.name_da), *body.synonyms_da]
        names_en = [lcfirst(body.name_en), *body.synonyms_en, *names_da]
        base = f"body:{body.key}"
        comp = body.composition
        subs = [f"{base}:cadence"]
        if comp and comp.chair:
            subs.append(f"{base}:chair")
        if comp and comp.members:
            subs.append(f"{base}:members")
        if comp and comp.secretary:
            subs.append(f"{base}:secretary")
        if body.practice_da:
            subs.append(f"{base}:practice")
        title = {"name": (body.name_da, body.name_en)}
        plural = body.is_plural_en
        agreement = {
            "is_are": ["are" if plural else "is"],
            "does_do": ["do" if plural else "does"],
            "the": ["" if is_proper_name(names_en[0]) else "the "],
        }
        common: dict[str, Any] = {
            "titles": title,
            "da": {"name": names_da},
            "en": {"name": names_en, **agreement},
            "body": body,
        }

        def related(own: str) -> list[str]:
            return [i for i in (base, *subs) if i != own][:3]

        self.add(
            base,
            "body",
            "body",
            template="body",
            sourced=body,
            related=related(base),
            duties_da=body.duties_da,
            duties_en=body.duties_en,
            **common,
        )
        follows = (
            self.bodies.get(body.cadence.follows.body)
            if body.cadence and body.cadence.follows
            else None
        )
        follows_names = {"follows": [follows.name_da, *follows.synonyms_da] if follows else []}
        follows_names_en = {
            "follows": [lcfirst(follows.name_en), *follows.synonyms_en] if follows else []
        }
        self.add(
            f"{base}:cadence",
            "body",
            "body_cadence_series" if body.is_meeting_series else "body_cadence",
            template="body_cadence",
            sourced=body.cadence or body,
            related=related(f"{base}:cadence"),
            titles=title,
            da={"name": names_da, **follows_names},
            en={"name": names_en, **follows_names_en, **agreement},
            body=body,
            follows=follows,
        )
        if comp is not None:
            for part in ("chair", "members", "secretary"):
                entry_id = f"{base}:{part}"
                series = "_series" if part == "members" and body.is_meeting_series else ""
                if entry_id in subs:
                    self.add(
                        entry_id,
                        "body",
                        f"body_{part}{series}",
                        template=f"body_{part}",
                        sourced=comp,
                        related=related(entry_id),
                        **common,
                    )
        if body.practice_da:
            self.add(
                f"{base}:practice",
                "body",
                "body_practice",
                template="body_practice",
                sourced=body.cadence or body,
                related=related(f"{base}:practice"),
                **common,
            )
        for decision in body.decides:
            self.add(
                f"{base}:decision:{decision.key}",
                "body",
                "body_decision",
                template="body_decision",
                sourced=decision,
                related=[base],
                titles={
                    "verb": (decision.verb_da, decision.verb_en),
                    "object": (decision.object_da, decision.object_en),
                },
                subject=(
                    [*names_da, decision.object_da, *decision.aliases_da],
                    [*names_en, decision.object_en, *decision.aliases_en],
                ),
                da={
                    "verb": [decision.verb_da],
                    "object": [decision.object_da, *decision.aliases_da],
                },
                en={
                    "verb": [decision.verb_en],
                    "object": [decision.object_en, *decision.aliases_en],
                },
                body=body,
                decision=decision,
            )
        for item in body.annual_items:
            items_da = [lcfirst(item.title_da), *item.synonyms_da]
            self.add(
                f"{base}:annual:{item.key}",
                "body",
                "body_annual",
                template="body_annual",
                sourced=item,
                related=[base, f"{base}:cadence"],
                titles={"item": (item.title_da, item.title_en)},
                subject=(
                    [*items_da, *names_da],
                    [lcfirst(item.title_en), *item.synonyms_en, *names_en],
                ),
                da={"item": items_da},
                en={"item": [lcfirst(item.title_en), *item.synonyms_en, *items_da]},
                item=item,
                responsible=self.bodies.get(item.responsible or ""),
            )

    # --- roles ------------------------------------------------------------------------------

    def roles_all(self) -> None:
        by_scope: dict[str, list[GovernanceRole]] = {
            "system": [],
            "contract": [],
            "organisation": [],
        }
        for role in self.pack.roles:
            by_scope[role.scope].append(role)
        self.add(
            "roles:all",
            "overview",
            "roles_all",
            template="roles_all",
            sourced=self.pack.overviews.roles,
            related=[f"role:{r.key}" for r in self.pack.roles[:3]],
            da={},
            en={},
            by_scope={k: v for k, v in by_scope.items() if v},
        )

    def _target(self, key: str | None) -> tuple[str, object] | None:
        if key is None:
            return None
        if key in self.bodies:
            return f"body:{key}", self.bodies[key]
        role = self.roles[key]
        return f"role:{key}", _RoleName(role)

    def role(self, role: GovernanceRole) -> None:
        labels_da = [lcfirst(role.label_da), *role.synonyms_da]
        if role.kitos_column and role.kitos_column.casefold() != role.label_da.casefold():
            labels_da.append(role.kitos_column)
        labels_en = [lcfirst(role.label_en), *role.synonyms_en, *labels_da]
        base = f"role:{role.key}"
        escalate = self._target(role.escalate_to)
        combined = [self.roles[k] for k in role.combines]
        delegates = [self.roles[k] for k in role.may_delegate_to]
        subs = []
        if role.appointment_da:
            subs.append(f"{base}:appointed")
        if escalate:
            subs.append(f"{base}:escalation")
        links = [*subs, *(f"role:{r.key}" for r in combined)]
        if escalate:
            links.append(escalate[0])
        common: dict[str, Any] = {
            "titles": {"label": (role.label_da, role.label_en)},
            "da": {"label": labels_da},
            "en": {"label": labels_en},
            "role": role,
            "escalate": escalate[1] if escalate else None,
        }
        self.add(
            base,
            "role",
            "role",
            template="role",
            sourced=role,
            related=links[:3],
            duties_da=role.responsibilities_da,
            duties_en=role.responsibilities_en,
            combined=combined,
            delegates=delegates,
            **common,
        )
        if role.appointment_da:
            self.add(
                f"{base}:appointed",
                "role",
                "role_appointed",
                template="role_appointed",
                sourced=role,
                related=[base],
                **common,
            )
        if escalate:
            self.add(
                f"{base}:escalation",
                "role",
                "role_escalation",
                template="role_escalation",
                sourced=role,
                related=[base, escalate[0]],
                **common,
            )

    # --- principles -------------------------------------------------------------------------

    def principles_all(self) -> None:
        count = str(len(self.pack.principles))
        self.add(
            "principles:all",
            "overview",
            "principles_all",
            template="principles_all",
            sourced=self.pack.overviews.principles,
            related=[f"principle:{p.id}" for p in self.pack.principles[:3]],
            titles={"municipality": (self.pack.municipality, self.pack.municipality)},
            da={"count": [count]},
            en={"count": [count]},
            pack=self.pack,
        )

    def principle(self, principle: Principle, index: int) -> None:
        titles_da = [principle.title_da, *principle.synonyms_da]
        titles_en = [principle.title_en, *principle.synonyms_en, *titles_da]
        questions_da, bare_da = fill("principle", "da", title=titles_da)
        questions_en, bare_en = fill("principle", "en", title=titles_en)
        if principle.number is not None:  # "Hvad siger princip 5?" is the natural question
            number = [str(principle.number)]
            questions_da = fill("principle_number", "da", number=number)[0] + questions_da
            questions_en = fill("principle_number", "en", number=number)[0] + questions_en
        neighbours = [p.id for p in self.pack.principles if p.id != principle.id]
        related = ["principles:all", *(f"principle:{p}" for p in neighbours[index : index + 2])]
        if "indkob" in principle.tags:
            related.insert(1, "procurement")
        self.entries.append(
            make_entry(
                f"principle:{principle.id}",
                "principle",
                principle,
                related[:3],
                titles=(principle.title_da, principle.title_en),
                texts=(
                    render("principle", "da", principle=principle),
                    render("principle", "en", principle=principle),
                ),
                questions=(questions_da, questions_en),
                hints=(bare_da, bare_en),
                subject=(titles_da, titles_en),
            )
        )

    # --- procurement ------------------------------------------------------------------------

    def procurement(self) -> None:
        proc = self.pack.procurement
        sourced: dict[str, Sourced] = {
            "": proc,
            "contact": proc.contact,
            "checks": proc,
            "screening_time": proc.screening_time,
            "dispensation": proc.dispensations[0],
            "funding": proc.funding,
        }
        guide = [proc.guide_name] if proc.guide_name else []
        guide_en = [proc.guide_name_en] if proc.guide_name_en else []
        for topic, origin in sourced.items():
            entry_id = f"procurement:{topic}" if topic else "procurement"
            intent = f"procurement_{topic}" if topic else "procurement"
            others = ["procurement", *(f"procurement:{t}" for t in _PROCUREMENT_TOPICS)]
            self.add(
                entry_id,
                "procurement",
                intent,
                template=intent,
                sourced=origin,
                related=[i for i in others if i != entry_id][:3],
                subject=([*guide, "indkøb af it"], [*guide_en, "buying it"]),
                da={"guide": guide},
                en={"guide": [*guide_en, *guide]},
                proc=proc,
                names=self.names_da,
                names_en=self.names_en,
            )

    # --- faq --------------------------------------------------------------------------------

    def faq(self) -> None:
        for entry in self.pack.faq:
            self.entries.append(
                make_entry(
                    f"faq:{entry.id}",
                    "faq",
                    entry,
                    [r if ":" in r else f"faq:{r}" for r in entry.related],
                    titles=(entry.title_da, entry.title_en),
                    texts=(render("faq", "da", entry=entry), render("faq", "en", entry=entry)),
                    questions=(entry.questions.da, entry.questions.en),
                    hints=((), ()),
                    subject=((entry.title_da,), (entry.title_en,)),
                )
            )


_SUBJECT_KEYS = ("name", "label", "title", "item", "object", "follows", "guide")


def _subject(values: dict[str, Sequence[str]]) -> list[str]:
    return [v for key in _SUBJECT_KEYS for v in values.get(key, ())]


@dataclass(frozen=True)
class _RoleName:
    """A role seen as an escalation target: exposes name_da/name_en like a body."""

    role: GovernanceRole

    @property
    def name_da(self) -> str:
        return self.role.label_da

    @property
    def name_en(self) -> str:
        return self.role.label_en


def build_entries(pack: Pack) -> tuple[Entry, ...]:
    """Every answerable entry of `pack`: generated overviews, bodies, roles, principles, FAQ."""
    builder = _Builder(pack)
    builder.bodies_all()
    for body in pack.bodies:
        builder.body(body)
    builder.roles_all()
    for role in pack.roles:
        builder.role(role)
    builder.principles_all()
    for i, principle in enumerate(pack.principles):
        builder.principle(principle, i)
    builder.procurement()
    builder.faq()
    return tuple(builder.entries)
