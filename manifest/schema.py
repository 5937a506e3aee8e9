"""Microsoft's Teams app manifest schema, from the npm package `@microsoft/app-manifest`.

The schema is third-party, so it is not committed: `install_schema()` puts the pinned package
in a git-ignored cache, `find_schema()` locates it, and `schema_problems()` validates offline.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Mapping
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, Draft7Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT4

from manifest.errors import ManifestError, SchemaNotInstalledError
from manifest.npm import installed_version, npm_install

MANIFEST_VERSION = "1.30"
NPM_PACKAGE = "@microsoft/app-manifest"
NPM_VERSION = "1.1.2"
SCHEMA_URL = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
    "MicrosoftTeams.schema.json"
)
SCHEMA_ENV = "GOVBOT_MANIFEST_SCHEMA"
CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "app-manifest"
INSTALL_HINT = "run `python -m manifest install-schema` (or `bash manifest/install-schema.sh`)"

_SCHEMA_IN_PACKAGE = Path(
    "build", "json-schemas", "teams", f"v{MANIFEST_VERSION}", "MicrosoftTeams.schema.json"
)
_NPM_SPEC = f"{NPM_PACKAGE}@{NPM_VERSION}"
_LOCALE_PREFIX = re.compile(r"^/[a-z]{2}-[a-z]{2}(?=/json-schemas/)")
_MAX_PROBLEMS = 10

# Microsoft's schemas declare draft-04 yet use `const` and `if`/`then`; Microsoft's own
# validator (ajv-draft-04) enforces those keywords, so a plain Draft4Validator would be laxer.
TeamsSchemaValidator = extend(
    Draft4Validator,
    validators={
        keyword: Draft7Validator.VALIDATORS[keyword]
        for keyword in ("const", "if", "contains", "propertyNames")
    },
)


def _package_dir(cache_dir: Path) -> Path:
    return cache_dir / "node_modules" / NPM_PACKAGE


def _installed_version(cache_dir: Path) -> str | None:
    return installed_version(cache_dir, NPM_PACKAGE)


def _is_installed(cache_dir: Path) -> bool:
    return (
        _installed_version(cache_dir) == NPM_VERSION
        and (_package_dir(cache_dir) / _SCHEMA_IN_PACKAGE).is_file()
    )


def install_schema(cache_dir: Path = CACHE_DIR) -> Path:
    """Install the pinned npm package into `cache_dir` unless already there; return the schema."""
    schema = _package_dir(cache_dir) / _SCHEMA_IN_PACKAGE
    npm_install(
        cache_dir,
        _NPM_SPEC,
        installed=partial(_is_installed, cache_dir),
        without_npm=(
            f"npm is not installed, so {NPM_PACKAGE}@{NPM_VERSION} cannot be fetched: "
            f"install Node.js and npm, or set {SCHEMA_ENV} to a MicrosoftTeams.schema.json "
            f"for manifest v{MANIFEST_VERSION}"
        ),
    )
    if not schema.is_file():
        raise SchemaNotInstalledError(
            f"{NPM_PACKAGE}@{NPM_VERSION} has no schema for manifest v{MANIFEST_VERSION} "
            f"at {_SCHEMA_IN_PACKAGE}"
        )
    return schema


def find_schema(cache_dir: Path = CACHE_DIR) -> Path:
    """The schema file to check against: `$GOVBOT_MANIFEST_SCHEMA`, else the npm cache."""
    override = os.environ.get(SCHEMA_ENV)
    if override:
        path = Path(override)
        if not path.is_file():
            raise SchemaNotInstalledError(f"{SCHEMA_ENV}={override} is not a file")
        return path
    installed = _installed_version(cache_dir)
    if installed is None:
        raise SchemaNotInstalledError(
            f"Microsoft's Teams manifest schema is not installed (looked in {cache_dir}): "
            f"{INSTALL_HINT}, or set {SCHEMA_ENV}"
        )
    if installed != NPM_VERSION:
        raise SchemaNotInstalledError(
            f"{cache_dir} holds {NPM_PACKAGE}@{installed}, govbot pins {NPM_VERSION}: "
            f"{INSTALL_HINT}"
        )
    schema = _package_dir(cache_dir) / _SCHEMA_IN_PACKAGE
    if not schema.is_file():
        raise SchemaNotInstalledError(f"{schema} is missing: {INSTALL_HINT}")
    return schema


def _read_json(path: Path) -> Any:
    # Some of Microsoft's schema files start with a byte-order mark.
    return json.loads(path.read_text(encoding="utf-8-sig"))


def _retrieve_offline(schema_path: Path, uri: str) -> Resource:
    """Resolve a `$ref` to another published schema file from the local package; never fetch."""
    target, base = urlsplit(uri), urlsplit(SCHEMA_URL)
    if (target.scheme, target.netloc) == (base.scheme, base.netloc):
        relative = posixpath.relpath(
            _LOCALE_PREFIX.sub("", target.path), posixpath.dirname(base.path)
        )
        local = schema_path.parent / relative
        if local.is_file():
            return Resource.from_contents(_read_json(local), default_specification=DRAFT4)
    # referencing's attrs classes declare their fields through the pre-PEP 681
    # `__dataclass_transform__`, which mypy does not read: it sees no `ref`/`retrieve` argument.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@lru_cache(maxsize=4)
def _validator(schema_path: Path) -> Validator:
    contents = _read_json(schema_path)
    # Give the schema its published address, so relative references resolve into the package.
    root = {"id": SCHEMA_URL, **contents}
    registry: Registry = Registry(retrieve=partial(_retrieve_offline, schema_path))  # type: ignore[call-arg]
    registry = registry.with_resource(SCHEMA_URL, DRAFT4.create_resource(root))
    return TeamsSchemaValidator(
        root, registry=registry, format_checker=TeamsSchemaValidator.FORMAT_CHECKER
    )


def _describe(error: ValidationError) -> str:
    """One precise line: where, what, and the schema's limit, without echoing long values."""
    if error.context:
        error = best_match(error.context)
    value: Any  # the instance that failed: a string or array for the length checks below
    value, limit = error.instance, error.validator_value
    match error.validator:
        case "maxLength" | "minLength":
            bound = "at most" if error.validator == "maxLength" else "at least"
            what = f"is {len(value)} characters long; {bound} {limit} allowed"
        case "maxItems" | "minItems":
            bound = "at most" if error.validator == "maxItems" else "at least"
            what = f"has {len(value)} items; {bound} {limit} allowed"
        case "pattern":
            what = f"{_short(value)} does not match the pattern {limit}"
        case _:
            what = error.message if len(error.message) <= 200 else error.message[:199] + "…"
    return f"{error.json_path}: {what}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def schema_problems(manifest: Mapping[str, Any], schema_path: Path | None = None) -> list[str]:
    """Every way `manifest` breaks Microsoft's schema, one line each; empty when it is valid."""
    validator = _validator(schema_path or find_schema())
    try:
        errors = sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.path)))
        problems = [_describe(error) for error in errors]
        # The schema calls `version` semver but checks only its length; Teams wants X.Y.Z.
        semver = validator.evolve(schema={"$ref": f"{SCHEMA_URL}#/definitions/semver"})
        if isinstance(manifest.get("version"), str) and not semver.is_valid(manifest["version"]):
            problems.append(f"$.version: {_short(manifest['version'])} is not MAJOR.MINOR.PATCH")
    except Unresolvable as exc:
        raise ManifestError(
            f"the schema refers to {exc.ref}, which is not available offline"
        ) from exc
    if len(problems) > _MAX_PROBLEMS:
        hidden = len(problems) - _MAX_PROBLEMS
        problems = [*problems[:_MAX_PROBLEMS], f"… and {hidden} more"]
    return problems
