"""The KITOS role mapping: which KITOS role type (by name or UUID) is which govbot role.

A data file (default `knowledge/kitos/roles.yaml`), validated against the active pack before a
sync or `govbot serve` starts, so a typo stops start-up instead of dropping role holders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.schema import Pack
from knowledge.text import name_key
from knowledge.yaml_loader import safe_load

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class KitosRoleMappingError(Exception):
    """The mapping file cannot be used; the message says every reason."""


class _MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: dict[str, str] = Field(min_length=1)
    ignore: list[str] = []


@dataclass(frozen=True)
class KitosRoleMapping:
    """KITOS role types resolved to the pack's role keys (a combined role gives several)."""

    by_uuid: dict[str, tuple[str, ...]]
    by_name: dict[str, tuple[str, ...]]
    ignored: frozenset[str]

    def roles_for(self, uuid: str, name: str) -> tuple[str, ...] | None:
        """The govbot role keys of a KITOS role type; () when ignored, None when unmapped."""
        found = self.by_uuid.get(uuid.lower()) or self.by_name.get(name_key(name))
        if found is not None:
            return found
        if uuid.lower() in self.ignored or name_key(name) in self.ignored:
            return ()
        return None


def default_mapping_path() -> Path:
    """The mapping shipped with govbot."""
    return Path(str(files("knowledge") / "kitos" / "roles.yaml"))


def load_kitos_role_mapping(path: Path | None, pack: Pack) -> KitosRoleMapping:
    """Read and validate the mapping against `pack`; raises KitosRoleMappingError."""
    path = path or default_mapping_path()
    try:
        raw = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise KitosRoleMappingError(f"{path}: cannot be read ({error})") from None
    try:
        data = _MappingFile.model_validate(raw)
    except ValidationError as error:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in error.errors()
        )
        raise KitosRoleMappingError(f"{path}: {reasons}") from None
    problems: list[str] = []
    by_uuid: dict[str, tuple[str, ...]] = {}
    by_name: dict[str, tuple[str, ...]] = {}
    for kitos, govbot in data.roles.items():
        role = pack.role_by_name(govbot)
        if role is None:
            problems.append(f"'{kitos}': '{govbot}' is no role of the {pack.key} pack")
            continue
        target = by_uuid if _UUID.match(kitos.strip()) else by_name
        key = kitos.strip().lower() if target is by_uuid else name_key(kitos)
        if key in target:
            problems.append(f"'{kitos}' is mapped twice")
        target[key] = pack.expand_role(role.key)
    ignored = frozenset(
        i.strip().lower() if _UUID.match(i.strip()) else name_key(i) for i in data.ignore
    )
    if problems:
        raise KitosRoleMappingError(f"{path}: " + "; ".join(problems))
    return KitosRoleMapping(by_uuid, by_name, ignored)
