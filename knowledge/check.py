"""Validate every knowledge pack: schema, unique ids, resolvable references, sources, answers,
and the procurement screening (every check names the pack principle it departs from).

`check_all_packs()` is what `govbot knowledge check` runs; an empty list means all packs are sound.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable

from knowledge.corpus import build_entries
from knowledge.packs import assemble_pack, available_packs
from knowledge.schema import Pack
from knowledge.screening import screening_problems


def entry_problems(pack: Pack) -> list[str]:
    """Problems in the generated entries: related ids that resolve to nothing, duplicate ids."""
    problems: list[str] = []
    entries = build_entries(pack)
    ids = [e.id for e in entries]
    known = set(ids)
    for dupe in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"{pack.key}: svaret '{dupe}' findes flere gange")
    for entry in entries:
        for rid in entry.related:
            if rid not in known:
                file = "faq.yaml" if entry.kind == "faq" else "(genereret)"
                problems.append(
                    f"{pack.key}/{file}: {entry.id}: related '{rid}' findes ikke som svar"
                )
    return problems


def check_pack(key: str, root: Traversable | None = None) -> list[str]:
    """Every problem of pack `key` (empty when it loads and all references resolve)."""
    pack, problems = assemble_pack(key, root)
    if pack is None or problems:
        return problems  # answers are only generated from a pack whose references resolve
    problems = screening_problems(pack, root)
    try:
        return problems + entry_problems(pack)
    except Exception as exc:  # a template that fails on this pack's data is a pack problem
        return [*problems, f"{key}: svarene kan ikke dannes: {type(exc).__name__}: {exc}"]


def check_all_packs(root: Traversable | None = None) -> list[str]:
    """Precise problems across all packs under `root` (default: the bundled packs)."""
    keys = available_packs(root)
    if not keys:
        return ["ingen videnspakker fundet"]
    return [problem for key in keys for problem in check_pack(key, root)]
