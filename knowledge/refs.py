"""Cross-reference checks on an assembled pack: unique keys, resolvable references, sources."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from knowledge.schema import Pack
from knowledge.schema_base import Sourced
from knowledge.text import name_key

_FILES = {
    "contacts": "pack.yaml",
    "bodies": "bodies.yaml",
    "roles": "roles.yaml",
    "principles": "principles.yaml",
    "procurement": "procurement.yaml",
    "faq": "faq.yaml",
}


def _walk(value: object, path: str) -> Iterator[tuple[str, BaseModel]]:
    if isinstance(value, BaseModel):
        yield path, value
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def _where(pack: Pack, path: str) -> str:
    section = path.split("[")[0].split(".")[0]
    return f"{pack.key}/{_FILES.get(section, 'pack.yaml')}: {path}"


def _duplicates(names: list[str]) -> list[str]:
    return sorted({n for n in names if names.count(n) > 1})


def reference_problems(pack: Pack) -> list[str]:
    """Every unresolved reference, duplicate key or misplaced source in `pack`."""
    problems: list[str] = []
    bodies = {b.key: b for b in pack.bodies}
    roles = {r.key: r for r in pack.roles}
    principles = {p.id for p in pack.principles}
    registry = {d.id for d in pack.registry}

    for section, keys in (
        ("contacts", [c.key for c in pack.contacts]),
        ("bodies", [b.key for b in pack.bodies]),
        ("roles", [r.key for r in pack.roles]),
        ("principles", [p.id for p in pack.principles]),
        ("faq", [f.id for f in pack.faq]),
    ):
        for dupe in _duplicates(keys):
            problems.append(f"{pack.key}/{_FILES[section]}: nøglen '{dupe}' står flere gange")
    for clash in sorted(set(bodies) & set(roles)):
        problems.append(
            f"{pack.key}: '{clash}' er både et organ og en rolle; nøgler skal være entydige"
        )
    for doc in pack.documents:
        if doc not in registry:
            problems.append(f"{pack.key}/pack.yaml: documents: '{doc}' findes ikke i registret")

    def ref(path: str, value: str | None, *, kinds: str) -> None:
        if value is None:
            return
        ok = (
            ("body" in kinds and value in bodies)
            or ("role" in kinds and value in roles)
            or ("principle" in kinds and value in principles)
        )
        if not ok:
            wanted = {"body": "organ", "role": "rolle", "principle": "princip"}
            names = " eller ".join(wanted[k] for k in kinds.split("|"))
            problems.append(f"{_where(pack, path)}: '{value}' findes ikke som {names}")

    for i, c in enumerate(pack.contacts):
        ref(f"contacts[{i}].body", c.body, kinds="body")
        ref(f"contacts[{i}].role", c.role, kinds="role")
    for b in pack.bodies:
        if b.cadence and b.cadence.follows:
            target = b.cadence.follows.body
            path = f"bodies['{b.key}'].cadence.follows.body"
            ref(path, target, kinds="body")
            if target == b.key:
                problems.append(f"{_where(pack, path)}: et organ kan ikke følge sig selv")
            elif target in bodies and bodies[target].cadence is None:
                problems.append(f"{_where(pack, path)}: '{target}' har ingen cadence at følge")
            elif target in bodies and (bodies[target].cadence.follows is not None):  # type: ignore[union-attr]
                problems.append(f"{_where(pack, path)}: '{target}' følger selv et andet organ")
        for j, item in enumerate(b.annual_items):
            ref(f"bodies['{b.key}'].annual_items[{j}].responsible", item.responsible, kinds="body")
    for r in pack.roles:
        ref(f"roles['{r.key}'].appointed_by", r.appointed_by, kinds="body|role")
        ref(f"roles['{r.key}'].escalate_to", r.escalate_to, kinds="body|role")
        if r.escalate_to == r.key:
            where = _where(pack, f"roles['{r.key}'].escalate_to")
            problems.append(f"{where}: en rolle kan ikke eskalere til sig selv")
        for j, key in enumerate(r.combines):
            ref(f"roles['{r.key}'].combines[{j}]", key, kinds="role")
            if key in roles and roles[key].combines:
                where = _where(pack, f"roles['{r.key}'].combines[{j}]")
                problems.append(f"{where}: '{key}' er selv en kombineret rolle")
        for j, key in enumerate(r.may_delegate_to):
            ref(f"roles['{r.key}'].may_delegate_to[{j}]", key, kinds="role")
    proc = pack.procurement
    ref("procurement.contact.body", proc.contact.body, kinds="body")
    ref("procurement.contact.role", proc.contact.role, kinds="role")
    for i, d in enumerate(proc.dispensations):
        ref(f"procurement.dispensations[{i}].granted_by", d.granted_by, kinds="body|role")
        ref(f"procurement.dispensations[{i}].consulted", d.consulted, kinds="body|role")
    for i, p in enumerate(proc.principles):
        ref(f"procurement.principles[{i}]", p, kinds="principle")

    owner: dict[str, str] = {}
    for role in pack.roles:
        for name in role.names:
            k = name_key(name)
            if owner.setdefault(k, role.key) != role.key:
                problems.append(
                    f"{pack.key}/roles.yaml: navnet '{name}' bruges af både "
                    f"'{owner[k]}' og '{role.key}'"
                )

    own_docs = set(pack.documents)
    for field, path_prefix in (
        ("contacts", "contacts"),
        ("overviews", "overviews"),
        ("bodies", "bodies"),
        ("roles", "roles"),
        ("principles", "principles"),
        ("procurement", "procurement"),
        ("faq", "faq"),
    ):
        for path, node in _walk(getattr(pack, field), path_prefix):
            if not isinstance(node, Sourced):
                continue
            doc = node.source.doc
            if doc not in registry:
                problems.append(f"{_where(pack, path)}.source.doc: '{doc}' findes ikke i registret")
            elif node.origin == "local" and doc not in own_docs:
                problems.append(
                    f"{_where(pack, path)}.source.doc: lokal viden skal have kilde i pakkens egne "
                    f"dokumenter ({', '.join(sorted(own_docs))}), ikke '{doc}'; marker den ellers "
                    "som shared_default eller inspiration"
                )
    return problems
