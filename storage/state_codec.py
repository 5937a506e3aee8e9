"""Bot state documents as typed JSON: the SDK's objects by name, everything else as it is.

Dialog state holds the SDK's objects (DialogState, DialogInstance, PromptOptions and the
Activity in a prompt). botbuilder's own storages flatten them with jsonpickle, which walks
every value with reference tracking and restores any class a document names. This codec
writes the same objects as `{"$type": "module:Class", ...their fields}` (enums, tuples and
times likewise tagged; a dict with a key like a tag is wrapped in `$dict`), restores only
classes of the Bot Framework SDK, and reads the documents jsonpickle wrote before (`py/...`
tags) with jsonpickle. A value it cannot write (another class, a cycle) makes `encode` raise
`Unencodable`, and the caller keeps jsonpickle for that document, which `decode` then reads
as before.
"""

from __future__ import annotations

import enum
import importlib
from datetime import date, datetime
from typing import Any

from jsonpickle.unpickler import Unpickler

TYPE = "$type"
ENUM = "$enum"
TUPLE = "$tuple"
DATETIME = "$datetime"
DATE = "$date"
DICT = "$dict"  # a dict that has one of these keys of its own, kept as it is
TAGS = frozenset({TYPE, ENUM, TUPLE, DATETIME, DATE, DICT})
# Only the SDK's classes are restored by name (jsonpickle would restore any class).
SDK_MODULES = ("botbuilder.", "botframework.")
MAX_DEPTH = 64
_SCALARS = frozenset({str, int, float, bool, type(None)})


class Unencodable(TypeError):
    """A value this codec does not write (not JSON, not an SDK object, or too deep)."""


def encode(value: Any, depth: int = 0) -> Any:
    """`value` as plain JSON, SDK objects tagged by their class."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if depth > MAX_DEPTH:
        raise Unencodable("nested too deep (a cycle?)")
    if kind is dict:
        if any(type(key) is not str for key in value):
            raise Unencodable("a dict whose keys JSON cannot keep as they are")
        encoded = {key: encode(item, depth + 1) for key, item in value.items()}
        return {DICT: encoded} if TAGS.intersection(value) else encoded
    if kind is list:
        return [encode(item, depth + 1) for item in value]
    if kind is tuple:
        return {TUPLE: [encode(item, depth + 1) for item in value]}
    if kind is datetime:
        return {DATETIME: value.isoformat()}
    if kind is date:
        return {DATE: value.isoformat()}
    name = _sdk_name(kind)
    if isinstance(value, enum.Enum):
        return {ENUM: name, "value": encode(value.value, depth + 1)}
    fields = getattr(value, "__dict__", None)
    if not isinstance(fields, dict) or TAGS.intersection(fields):
        raise Unencodable(f"{name} keeps no plain fields")
    return {TYPE: name} | {key: encode(item, depth + 1) for key, item in fields.items()}


def decode(document: Any) -> Any:
    """What `encode` (or, for an older document, jsonpickle) wrote, restored."""
    if _pickled(document):
        return Unpickler().restore(document)
    return _decode(document)


def _decode(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return [_decode(item) for item in value]
    if kind is not dict:
        return value
    if DICT in value:
        return {key: _decode(item) for key, item in value[DICT].items()}
    if TYPE in value:
        cls = _sdk_class(value[TYPE])
        restored = cls.__new__(cls)
        restored.__dict__.update({k: _decode(v) for k, v in value.items() if k != TYPE})
        return restored
    if ENUM in value:
        return _sdk_class(value[ENUM])(_decode(value["value"]))
    if TUPLE in value:
        return tuple(_decode(item) for item in value[TUPLE])
    if DATETIME in value:
        return datetime.fromisoformat(value[DATETIME])
    if DATE in value:
        return date.fromisoformat(value[DATE])
    return {key: _decode(item) for key, item in value.items()}


def _pickled(value: Any) -> bool:
    """Whether jsonpickle wrote `value` (a `py/...` tag anywhere in it)."""
    if type(value) is list:
        return any(_pickled(item) for item in value)
    if type(value) is not dict:
        return False
    return any(type(k) is str and k.startswith("py/") for k in value) or any(
        _pickled(item) for item in value.values()
    )


def _sdk_name(kind: type) -> str:
    if not kind.__module__.startswith(SDK_MODULES) or "<locals>" in kind.__qualname__:
        raise Unencodable(f"{kind.__module__}.{kind.__qualname__} is not the SDK's")
    return f"{kind.__module__}:{kind.__qualname__}"


def _sdk_class(name: Any) -> Any:
    module_name, _, qualname = str(name).partition(":")
    if not module_name.startswith(SDK_MODULES):
        raise ValueError(f"not an SDK class: {name!r}")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, type):
        raise ValueError(f"not a class: {name!r}")
    return found
