"""Render govbot's Teams manifest, validate it and its icons, and zip the app package."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from PIL import Image, UnidentifiedImageError

from manifest.errors import ManifestError
from manifest.schema import MANIFEST_VERSION, SCHEMA_URL, schema_problems

COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
ICON_SIZES = {COLOR_ICON: (192, 192), OUTLINE_ICON: (32, 32)}
# Where Bot Framework's sign-in card redirects; Teams must trust it for SSO fallback.
BOT_FRAMEWORK_TOKEN_DOMAIN = "token.botframework.com"

_HOSTNAME = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same input gives the same package


@dataclass(frozen=True)
class DeveloperInfo:
    """Who publishes the app, as Teams shows it in the app details."""

    name: str
    website_url: str
    privacy_url: str
    terms_of_use_url: str


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env


def _check_bot_id(bot_id: str) -> None:
    try:
        canonical = str(uuid.UUID(bot_id))
    except ValueError:
        canonical = ""
    if not canonical or canonical != bot_id.lower():
        raise ManifestError(
            f"bot id {bot_id!r} is not a GUID like 00000000-0000-0000-0000-000000000000 "
            "(use the Microsoft App ID of the Azure Bot)"
        )


def _check_domains(valid_domains: list[str]) -> None:
    for domain in valid_domains:
        if not _HOSTNAME.match(domain):
            raise ManifestError(
                f"domain {domain!r} is not a lower-case host name such as govbot.kommune.dk "
                "(no scheme, port or path; a leading *. is allowed)"
            )
    if valid_domains and valid_domains[0].startswith("*."):
        raise ManifestError(
            f"the first domain {valid_domains[0]!r} names the SSO resource and cannot be a wildcard"
        )


def render_manifest(
    *, bot_id: str, developer: DeveloperInfo, valid_domains: list[str], version: str
) -> dict[str, Any]:
    """The manifest as a dict, with the bot id, developer, domains and version filled in."""
    _check_bot_id(bot_id)
    _check_domains(valid_domains)
    # Bot SSO's Application ID URI: api://<domain>/botid-<id>, or api://botid-<id> without one.
    sso_resource = (
        f"api://{valid_domains[0]}/botid-{bot_id}" if valid_domains else f"api://botid-{bot_id}"
    )
    domains = list(dict.fromkeys([*valid_domains, BOT_FRAMEWORK_TOKEN_DOMAIN]))
    template = _environment().from_string(
        files("manifest").joinpath("manifest.json.j2").read_text(encoding="utf-8")
    )
    text = template.render(
        schema_url=SCHEMA_URL,
        manifest_version=MANIFEST_VERSION,
        version=version,
        bot_id=bot_id,
        developer=asdict(developer),
        valid_domains=domains,
        sso_resource=sso_resource,
    )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"manifest.json.j2 renders invalid JSON: {exc}") from exc


def validate_manifest(manifest: Mapping[str, Any]) -> None:
    """Refuse a manifest that breaks Microsoft's official schema (checked offline)."""
    problems = schema_problems(manifest)
    if problems:
        raise ManifestError([f"manifest.json {problem}" for problem in problems])


def _icon_problems(name: str, data: bytes) -> list[str]:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        return [f"{name}: not a readable image ({exc})"]
    problems = []
    if image.format != "PNG":
        problems.append(f"{name}: is {image.format}, Teams needs PNG")
    if image.size != ICON_SIZES[name]:
        want = "×".join(map(str, ICON_SIZES[name]))
        got = "×".join(map(str, image.size))
        problems.append(f"{name}: is {got} pixels, Teams needs {want}")
    elif name == OUTLINE_ICON:  # colours are only worth checking at the right size
        problems += _outline_problems(image.convert("RGBA"))
    return problems


def _outline_problems(image: Image.Image) -> list[str]:
    """Teams draws the outline icon itself: it may hold only white and transparency."""
    pixels: Any = image.load()  # an RGBA image: every pixel is an (r, g, b, a) tuple
    coloured = [
        ((x, y), pixels[x, y])
        for y in range(image.height)
        for x in range(image.width)
        if pixels[x, y][3] > 0 and pixels[x, y][:3] != (255, 255, 255)
    ]
    if coloured:
        (x, y), pixel = coloured[0]
        return [
            f"{OUTLINE_ICON}: has {len(coloured)} visible non-white pixel(s), first at "
            f"({x}, {y}): rgba{pixel}; only white and transparency are allowed"
        ]
    extrema: Any = image.getextrema()  # per band (RGBA): (min, max)
    if extrema[3][1] == 0:
        return [f"{OUTLINE_ICON}: is fully transparent, so the icon would be invisible"]
    if extrema[3][0] == 255:
        return [f"{OUTLINE_ICON}: has no transparent pixels; draw a white outline on transparency"]
    return []


def validate_icons(*, color: bytes, outline: bytes) -> None:
    """Refuse icons of the wrong format or size, or an outline icon that is not white."""
    problems = _icon_problems(COLOR_ICON, color) + _icon_problems(OUTLINE_ICON, outline)
    if problems:
        raise ManifestError(problems)


def _zip_bytes(entries: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _write_atomically(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, out)


def build_app_package(
    *,
    bot_id: str,
    out: Path,
    developer: DeveloperInfo,
    valid_domains: list[str],
    version: str,
    color_icon: Path | None = None,
    outline_icon: Path | None = None,
) -> Path:
    """Render, validate and zip the Teams app package (manifest.json and both icons) to `out`."""
    manifest = render_manifest(
        bot_id=bot_id, developer=developer, valid_domains=valid_domains, version=version
    )
    validate_manifest(manifest)
    package = files("manifest")
    color = color_icon.read_bytes() if color_icon else package.joinpath(COLOR_ICON).read_bytes()
    outline = (
        outline_icon.read_bytes() if outline_icon else package.joinpath(OUTLINE_ICON).read_bytes()
    )
    validate_icons(color=color, outline=outline)
    manifest_json = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    _write_atomically(
        out,
        _zip_bytes(
            {"manifest.json": manifest_json.encode(), COLOR_ICON: color, OUTLINE_ICON: outline}
        ),
    )
    return out
