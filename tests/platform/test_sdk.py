"""bot/sdk.py's, bot/sdk_schema.py's and bot/sdk_dialogs.py's declarations of the SDK match the
installed SDK.

mypy reads only the declarations (under TYPE_CHECKING); what runs is the SDK. Each declared
class, base, member, parameter and enum value is checked here against the real object, so a
typo or an SDK upgrade that changes the surface govbot uses fails a test, not a turn.
"""

from __future__ import annotations

import ast
import enum
import inspect
from pathlib import Path

import pytest
from msrest.serialization import Model

import bot.sdk as sdk

ROOT = Path(__file__).resolve().parents[2]
SOURCES = tuple(ROOT / "bot" / name for name in ("sdk.py", "sdk_schema.py", "sdk_dialogs.py"))


def _declarations() -> list[ast.stmt]:
    declared: list[ast.stmt] = []
    for source in SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        blocks = [
            node.body
            for node in tree.body
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        ]
        assert blocks, f"{source.name} has no `if TYPE_CHECKING:` block"
        declared += blocks[0]
    return declared


DECLARED = {node.name: node for node in _declarations() if isinstance(node, ast.ClassDef)}
# Declared only for mypy, with no SDK class of that name.
RUNTIME_OF = {"_Model": Model}


def _runtime(name: str) -> type:
    return RUNTIME_OF.get(name) or getattr(sdk, name)


def _instance_attributes(cls: type) -> set[str]:
    """Attributes an SDK class sets on `self` (in __init__ or any other method)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass is object or klass.__module__ == "builtins":
            continue
        try:
            tree = ast.parse(inspect.getsource(klass).strip())
        except (OSError, TypeError, SyntaxError):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                and isinstance(node.ctx, ast.Store)
            ):
                names.add(node.attr)
    return names


def _model_fields(cls: type) -> set[str]:
    return {name for klass in cls.__mro__ for name in getattr(klass, "_attribute_map", {})}


def test_every_exported_name_is_declared_and_bound() -> None:
    assert len(set(sdk.__all__)) == len(sdk.__all__), "a name is exported twice"
    for name in sdk.__all__:
        assert name in DECLARED, f"{name} is exported but not declared for mypy"
        assert isinstance(getattr(sdk, name), type), f"{name} is not a class at run time"
    assert set(DECLARED) - set(sdk.__all__) <= set(RUNTIME_OF), "declared but not exported"


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_declaration_matches_the_sdk(name: str) -> None:
    node = DECLARED[name]
    runtime = _runtime(name)
    for base in node.bases:
        base_name = ast.unparse(base)
        if base_name in DECLARED:
            assert issubclass(runtime, _runtime(base_name)), f"{name} is no {base_name}"
    if issubclass(runtime, enum.Enum):
        for statement in node.body:
            if isinstance(statement, ast.Assign):
                member = statement.targets[0].id  # type: ignore[attr-defined]
                value = ast.literal_eval(statement.value)
                assert runtime[member].value == value, f"{name}.{member}"
        return
    attributes = _instance_attributes(runtime) | _model_fields(runtime)
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign):
            attribute = statement.target.id  # type: ignore[attr-defined]
            assert hasattr(runtime, attribute) or attribute in attributes, (
                f"{name}.{attribute} is not an attribute of the SDK's {runtime.__qualname__}"
            )
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            _check_method(name, runtime, statement)


def _check_method(
    name: str, runtime: type, declared: ast.FunctionDef | ast.AsyncFunctionDef
) -> None:
    where = f"{name}.{declared.name}"
    assert hasattr(runtime, declared.name), f"{where} is not in the SDK"
    decorators = {ast.unparse(d) for d in declared.decorator_list}
    raw = inspect.getattr_static(runtime, declared.name)
    if "property" in decorators:
        assert isinstance(raw, property), f"{where} is not a property in the SDK"
        return
    function = getattr(runtime, declared.name)
    if isinstance(declared, ast.AsyncFunctionDef):
        assert inspect.iscoroutinefunction(function), f"{where} is not async in the SDK"
    if "staticmethod" in decorators:
        assert isinstance(raw, staticmethod), f"{where} is not a staticmethod in the SDK"
    parameters = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    args = declared.args
    for argument in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if argument.arg in {"self", "cls"}:
            continue
        assert argument.arg in parameters, f"{where} has no parameter {argument.arg!r}"


def test_no_other_module_imports_the_sdk() -> None:
    """Everything else goes through bot.sdk (mypy would only say the import is untyped)."""
    offenders = []
    for package in ("bot", "dialogs", "knowledge", "storage", "manifest"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path in SOURCES:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                modules = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                if any(m.split(".")[0] in {"botbuilder", "botframework"} for m in modules):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
