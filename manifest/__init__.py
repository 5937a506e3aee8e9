"""govbot's Microsoft Teams app: manifest template, icons, and the package builder."""

from manifest.errors import ManifestError, SchemaNotInstalledError
from manifest.package import (
    DeveloperInfo,
    build_app_package,
    render_manifest,
    validate_icons,
    validate_manifest,
)
from manifest.schema import MANIFEST_VERSION, find_schema, install_schema

__all__ = [
    "MANIFEST_VERSION",
    "DeveloperInfo",
    "ManifestError",
    "SchemaNotInstalledError",
    "build_app_package",
    "find_schema",
    "install_schema",
    "render_manifest",
    "validate_icons",
    "validate_manifest",
]
