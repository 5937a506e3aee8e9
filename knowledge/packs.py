"""Load a knowledge pack from its YAML files, resolving explicit includes of shared defaults.

A pack directory holds pack.yaml, bodies.yaml, roles.yaml, principles.yaml, procurement.yaml and
faq.yaml. A section file may `include: {from: _shared, keys: all | [..]}` entries from
`packs/_shared/`, and an entry may say `extends: _shared` to start from the shared entry with the
same key (its own fields win; synonyms are merged; origin and source are never inherited).
Bodies may name a `reminder_profile` from `_shared/reminders.yaml`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.paraphrases import PARAPHRASES_FILE, Paraphrase
from knowledge.refs import reference_problems
from knowledge.schema import Pack
from knowledge.schema_base import english_of
from knowledge.schema_bodies import Body, ReminderRule
from knowledge.schema_entries import (
    Contact,
    Document,
    FaqEntry,
    GovernanceRole,
    Principle,
    Procurement,
    Terms,
)
from knowledge.yaml_loader import SafeLoader

SHARED = "_shared"
_SECTIONS: dict[str, tuple[type[BaseModel], str]] = {
    # section name → (model, key field)
    "bodies": (Body, "key"),
    "roles": (GovernanceRole, "key"),
    "principles": (Principle, "id"),
    "faq": (FaqEntry, "id"),
}
_MERGED_LISTS = ("synonyms_da", "synonyms_en")
_NEVER_INHERITED = ("origin", "inspired_by", "source")


class PackError(Exception):
    """A pack that does not load: every problem found, each naming file and entry."""

    def __init__(self, key: str, problems: list[str]) -> None:
        self.key = key
        self.problems = tuple(problems)
        super().__init__(f"videnspakken '{key}' har {len(problems)} fejl:\n" + "\n".join(problems))


class _UniqueKeyLoader(SafeLoader):
    """Safe YAML loader that refuses duplicate mapping keys instead of silently keeping one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"nøglen '{key}' står to gange", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def packs_root() -> Traversable:
    """The packs directory inside the installed knowledge package."""
    return files("knowledge").joinpath("packs")


def available_packs(root: Traversable | None = None) -> tuple[str, ...]:
    """Keys of the packs under `root` (default: the bundled packs), sorted."""
    base = root or packs_root()
    return tuple(
        sorted(
            d.name
            for d in base.iterdir()
            if d.is_dir()
            and not d.name.startswith(("_", "."))
            and d.joinpath("pack.yaml").is_file()
        )
    )


@lru_cache(maxsize=32)
def load_pack(key: str, root: Traversable | None = None) -> Pack:
    """The validated pack `key`; raises PackError listing every problem."""
    pack, problems = assemble_pack(key, root)
    if problems or pack is None:
        raise PackError(key, problems or ["ukendt fejl"])
    return pack


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, file: str, where: str, message: str) -> None:
        self.items.append(f"{file}: {where}: {message}" if where else f"{file}: {message}")

    def validation(self, file: str, where: str, error: ValidationError) -> None:
        for err in error.errors():
            loc = ".".join(str(p) for p in err["loc"])
            text = {
                "missing": "mangler",
                "extra_forbidden": "ukendt felt",
            }.get(err["type"], err["msg"])
            self.add(file, f"{where}.{loc}" if loc else where, text)


class _Reader:
    """Reads YAML files under one root and records problems with file names."""

    def __init__(self, root: Traversable, problems: _Problems) -> None:
        self.root = root
        self.problems = problems

    def mapping(self, folder: str, name: str, *, required: bool = True) -> dict[str, Any] | None:
        file = f"{folder}/{name}"
        path = self.root.joinpath(folder).joinpath(name)
        if not path.is_file():
            if required:
                self.problems.add(file, "", "filen mangler")
            return None
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = f"linje {mark.line + 1}: " if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            self.problems.add(file, "", f"{line}ugyldig YAML: {problem}")
            return None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.problems.add(file, "", "skal være en YAML-mapping")
            return None
        return data


def _label(section: str, index: int | str, raw: Any, key_field: str) -> str:
    key = raw.get(key_field) if isinstance(raw, dict) else None
    return f"{section}[{index}]" + (f" '{key}'" if key else "")


def _merge(base: dict[str, Any], local: dict[str, Any]) -> dict[str, Any]:
    # A Danish text the entry gives anew leaves the shared English of the old one behind: the
    # entry gives its own, or validation says it is missing.
    # Lists merged with the shared ones (synonyms) keep the shared English: they add, not replace.
    stale = {english_of(k) for k in local if k.endswith("_da") and k not in _MERGED_LISTS} - set(
        local
    )
    merged = {
        k: copy.deepcopy(v) for k, v in base.items() if k not in _NEVER_INHERITED and k not in stale
    }
    for name, value in local.items():
        if name in _MERGED_LISTS and isinstance(value, list):
            inherited = [v for v in merged.get(name, []) if v not in value]
            merged[name] = [*value, *inherited]
        else:
            merged[name] = value
    return merged


class _Shared:
    """The `_shared` folder, read lazily once per assembly."""

    def __init__(self, reader: _Reader) -> None:
        self._reader = reader
        self._cache: dict[str, dict[str, Any]] = {}

    def file(self, name: str) -> dict[str, Any]:
        if name not in self._cache:
            self._cache[name] = self._reader.mapping(SHARED, name, required=False) or {}
        return self._cache[name]

    def entries(self, section: str, key_field: str) -> dict[str, dict[str, Any]]:
        raw = self.file(f"{section}.yaml").get(section) or []
        return {e[key_field]: e for e in raw if isinstance(e, dict) and key_field in e}


def _section_entries(
    folder: str, section: str, data: dict[str, Any], shared: _Shared, problems: _Problems
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file, label, raw entry) for each entry of a section after includes and extends."""
    _model, key_field = _SECTIONS[section]
    file = f"{folder}/{section}.yaml"
    shared_file = f"{SHARED}/{section}.yaml"
    for extra in sorted(set(data) - {"include", section}):
        problems.add(file, extra, "ukendt nøgle på øverste niveau")
    available = shared.entries(section, key_field)
    included: list[str] = []
    include = data.get("include")
    if include is not None:
        if not isinstance(include, dict) or include.get("from") != SHARED:
            problems.add(file, "include", "skal have formen {from: _shared, keys: all | [...]}")
        else:
            keys = include.get("keys")
            if keys == "all":
                included = list(available)
            elif isinstance(keys, list):
                for k in keys:
                    if k in available:
                        included.append(k)
                    else:
                        problems.add(file, "include.keys", f"'{k}' findes ikke i {shared_file}")
            else:
                problems.add(file, "include.keys", "skal være 'all' eller en liste af nøgler")
    local = data.get(section) or []
    if not isinstance(local, list):
        problems.add(file, section, "skal være en liste")
        return
    overrides: dict[str, tuple[int, dict[str, Any]]] = {}
    plain: list[tuple[int, dict[str, Any]]] = []
    for i, raw in enumerate(local):
        if not isinstance(raw, dict):
            problems.add(file, f"{section}[{i}]", "skal være en mapping")
            continue
        if "extends" in raw:
            entry = dict(raw)
            target = entry.pop("extends")
            key = entry.get(key_field)
            if target != SHARED:
                problems.add(file, _label(section, i, raw, key_field), "extends skal være _shared")
            elif key not in available:
                problems.add(
                    file, _label(section, i, raw, key_field), f"findes ikke i {shared_file}"
                )
            else:
                overrides[key] = (i, _merge(available[key], entry))
            continue
        if raw.get(key_field) in included:
            problems.add(
                file,
                _label(section, i, raw, key_field),
                "findes også i de inkluderede fælles data; brug 'extends: _shared'",
            )
            continue
        plain.append((i, raw))
    for key in included:
        if key in overrides:
            i, merged = overrides.pop(key)
            yield file, _label(section, i, merged, key_field) + " (extends _shared)", merged
        else:
            yield (
                shared_file,
                _label(section, "inkluderet", available[key], key_field),
                available[key],
            )
    for i, merged in overrides.values():
        yield file, _label(section, i, merged, key_field) + " (extends _shared)", merged
    for i, raw in plain:
        yield file, _label(section, i, raw, key_field), raw


def _expand_reminders(
    raw: dict[str, Any], file: str, label: str, shared: _Shared, problems: _Problems
) -> dict[str, Any]:
    profile_name = raw.get("reminder_profile")
    if profile_name is None:
        return raw
    entry = {k: v for k, v in raw.items() if k != "reminder_profile"}
    profiles = shared.file("reminders.yaml").get("profiles") or {}
    profile = profiles.get(profile_name)
    if not isinstance(profile, list):
        problems.add(file, f"{label}.reminder_profile", f"profilen '{profile_name}' findes ikke")
        return entry
    own = {r.get("key"): r for r in entry.get("reminder_rules") or [] if isinstance(r, dict)}
    rules = [own.pop(r.get("key"), r) for r in profile if isinstance(r, dict)]
    entry["reminder_rules"] = [*rules, *own.values()]
    return entry


def _validated(
    model: type[BaseModel],
    raw: Any,
    file: str,
    label: str,
    problems: _Problems,
) -> Any | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.validation(file, label, exc)
        return None


def _collect(
    folder: str,
    section: str,
    reader: _Reader,
    shared: _Shared,
    problems: _Problems,
    prepare: Callable[[dict[str, Any], str, str], dict[str, Any]] | None = None,
) -> list[Any]:
    data = reader.mapping(folder, f"{section}.yaml")
    if data is None:
        return []
    model, _ = _SECTIONS[section]
    out = []
    for file, label, raw in _section_entries(folder, section, data, shared, problems):
        if prepare is not None:
            raw = prepare(raw, file, label)
        item = _validated(model, raw, file, label, problems)
        if item is not None:
            out.append(item)
    return out


def _procurement(
    folder: str, reader: _Reader, shared: _Shared, problems: _Problems
) -> Procurement | None:
    file = f"{folder}/procurement.yaml"
    data = reader.mapping(folder, "procurement.yaml")
    if data is None:
        return None
    if "extends" in data:
        local = dict(data)
        if local.pop("extends") != SHARED:
            problems.add(file, "extends", "skal være _shared")
            return None
        data = _merge(shared.file("procurement.yaml"), local)
    return _validated(Procurement, data, file, "procurement", problems)


def _terms(key: str, reader: _Reader, problems: _Problems) -> Terms:
    """The shared matching vocabulary (terms.yaml) with the pack's own groups added."""
    synonyms: list[Any] = []
    abbreviations: dict[str, Any] = {}
    everyday: list[Any] = []
    says: dict[str, list[Any]] = {}
    escalation: list[Any] = []
    reporting: list[Any] = []
    for folder in (SHARED, key):
        data = reader.mapping(folder, "terms.yaml", required=False) or {}
        synonyms.extend(data.get("synonyms") or [])
        abbreviations.update(data.get("abbreviations") or {})
        for words in data.get("everyday") or ():
            everyday.extend(str(words).split())
        for said, meant in (data.get("says") or {}).items():
            meant = [meant] if isinstance(meant, str) else list(meant or ())
            says.setdefault(said, []).extend(meant)
        for words in data.get("escalation") or ():
            escalation.extend(str(words).split())
        for words in data.get("escalation_reporting") or ():
            reporting.extend(str(words).split())
    raw = {
        "synonyms": synonyms,
        "abbreviations": abbreviations,
        "everyday": everyday,
        "says": says,
        "escalation": escalation,
        "escalation_reporting": reporting,
    }
    return _validated(Terms, raw, f"{key}/terms.yaml", "terms", problems) or Terms()


def _paraphrases(key: str, reader: _Reader, problems: _Problems) -> list[Paraphrase]:
    """The pack's dev-set paraphrases (paraphrases.yaml, optional), each one validated."""
    data = reader.mapping(key, PARAPHRASES_FILE, required=False) or {}
    return [
        p
        for i, raw in enumerate(data.get("paraphrases") or [])
        if (
            p := _validated(
                Paraphrase, raw, f"{key}/{PARAPHRASES_FILE}", f"paraphrases[{i}]", problems
            )
        )
    ]


def assemble_pack(key: str, root: Traversable | None = None) -> tuple[Pack | None, list[str]]:
    """Build pack `key`: (pack or None when it cannot be built, every problem found).

    A pack with only reference problems is still returned so further checks can run on it;
    `load_pack` refuses any pack with problems.
    """
    base = root or packs_root()
    problems = _Problems()
    reader = _Reader(base, problems)
    shared = _Shared(reader)
    if not base.joinpath(key).is_dir():
        return None, [
            f"{key}: videnspakken findes ikke (kendte: {', '.join(available_packs(base))})"
        ]

    info = reader.mapping(key, "pack.yaml") or {}
    registry_raw = shared.file("documents.yaml").get("documents") or []
    registry = [
        doc
        for i, raw in enumerate(registry_raw)
        if (
            doc := _validated(
                Document, raw, f"{SHARED}/documents.yaml", f"documents[{i}]", problems
            )
        )
    ]
    contacts = [
        c
        for i, raw in enumerate(info.get("contacts") or [])
        if (c := _validated(Contact, raw, f"{key}/pack.yaml", f"contacts[{i}]", problems))
    ]

    def with_reminders(raw: dict[str, Any], file: str, label: str) -> dict[str, Any]:
        return _expand_reminders(raw, file, label, shared, problems)

    bodies = _collect(key, "bodies", reader, shared, problems, with_reminders)
    roles = _collect(key, "roles", reader, shared, problems)
    principles = _collect(key, "principles", reader, shared, problems)
    faq = _collect(key, "faq", reader, shared, problems)
    procurement = _procurement(key, reader, shared, problems)
    for i, raw in enumerate((shared.file("reminders.yaml").get("profiles") or {}).values()):
        for j, rule in enumerate(raw or []):
            _validated(
                ReminderRule, rule, f"{SHARED}/reminders.yaml", f"profiles[{i}][{j}]", problems
            )
    if problems.items:
        return None, problems.items

    terms = _terms(key, reader, problems)
    paraphrases = _paraphrases(key, reader, problems)
    fields = {k: v for k, v in info.items() if k not in ("contacts",)}
    if fields.get("key") != key:
        problems.add(f"{key}/pack.yaml", "key", f"skal være '{key}' som mappens navn")
    raw_pack = {
        **fields,
        "registry": registry,
        "contacts": contacts,
        "bodies": bodies,
        "roles": roles,
        "principles": principles,
        "procurement": procurement,
        "faq": faq,
        "terms": terms,
        "paraphrases": paraphrases,
    }
    pack = _validated(Pack, raw_pack, f"{key}/pack.yaml", "pack", problems)
    if pack is None or problems.items:
        return None, problems.items
    return pack, reference_problems(pack)
