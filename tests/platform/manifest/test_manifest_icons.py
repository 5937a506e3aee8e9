"""The icons: the committed ones meet Teams' rules, and broken ones are refused by the build."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from manifest import ManifestError
from manifest.draw_icons import draw_color, draw_outline


def _png(image: Image.Image, path: Path, kind: str = "PNG") -> Path:
    image.save(path, format=kind)
    return path


def _committed(name: str) -> Image.Image:
    return Image.open(io.BytesIO(files("manifest").joinpath(name).read_bytes()))


def test_committed_colour_icon_is_192_square_on_the_accent_colour(
    render: Callable[..., dict[str, Any]],
) -> None:
    icon = _committed("color.png")
    assert (icon.format, icon.size) == ("PNG", (192, 192))
    accent = render()["accentColor"]
    corner = icon.convert("RGB").getpixel((0, 0))
    assert "#{:02X}{:02X}{:02X}".format(*corner) == accent.upper()


def test_committed_outline_icon_is_32_square_white_on_transparency() -> None:
    icon = _committed("outline.png")
    assert (icon.format, icon.size) == ("PNG", (32, 32))
    rgba = icon.convert("RGBA")
    colours = {rgba.getpixel((x, y))[:3] for x in range(32) for y in range(32)}
    alphas = {rgba.getpixel((x, y))[3] for x in range(32) for y in range(32)}
    assert colours == {(255, 255, 255)}
    assert 0 in alphas and 255 in alphas


def test_drawing_script_draws_icons_of_the_right_kind() -> None:
    assert draw_color().size == (192, 192)
    outline = draw_outline()
    assert (outline.size, outline.mode) == ((32, 32), "RGBA")


def _outline_with(pixel: tuple[int, int, int, int]) -> Image.Image:
    image = draw_outline()
    image.putpixel((16, 16), pixel)
    return image


@pytest.mark.parametrize(
    ("which", "image", "message"),
    [
        (
            "color_icon",
            Image.new("RGB", (191, 192), (21, 94, 117)),
            "color.png: is 191×192 pixels, Teams needs 192×192",
        ),
        (
            "outline_icon",
            Image.new("RGBA", (64, 64), (255, 255, 255, 0)),
            "outline.png: is 64×64 pixels, Teams needs 32×32",
        ),
        (
            "outline_icon",
            _outline_with((21, 94, 117, 255)),
            r"outline\.png: has 1 visible non-white pixel\(s\), first at \(16, 16\): "
            r"rgba\(21, 94, 117, 255\); only white and transparency are allowed",
        ),
        (
            "outline_icon",
            Image.new("RGBA", (32, 32), (255, 255, 255, 255)),
            "outline.png: has no transparent pixels",
        ),
        (
            "outline_icon",
            Image.new("RGBA", (32, 32), (255, 255, 255, 0)),
            "outline.png: is fully transparent",
        ),
    ],
    ids=[
        "colour-wrong-size",
        "outline-wrong-size",
        "outline-coloured",
        "outline-opaque",
        "outline-empty",
    ],
)
def test_broken_icon_is_refused_and_nothing_is_written(
    tmp_path: Path, build: Callable[..., Path], which: str, image: Image.Image, message: str
) -> None:
    icon = _png(image, tmp_path / "icon.png")
    with pytest.raises(ManifestError, match=message):
        build(**{which: icon})
    assert not (tmp_path / "govbot.zip").exists()


def test_colour_icon_must_be_png(tmp_path: Path, build: Callable[..., Path]) -> None:
    jpeg = _png(draw_color(), tmp_path / "color.jpg", kind="JPEG")
    with pytest.raises(ManifestError, match=r"color\.png: is JPEG, Teams needs PNG"):
        build(color_icon=jpeg)


def test_unreadable_icon_is_refused(tmp_path: Path, build: Callable[..., Path]) -> None:
    garbage = tmp_path / "outline.png"
    garbage.write_bytes(b"not a png")
    with pytest.raises(ManifestError, match=r"outline\.png: not a readable image"):
        build(outline_icon=garbage)


def test_replacement_icons_are_packaged(tmp_path: Path, build: Callable[..., Path]) -> None:
    color = _png(Image.new("RGB", (192, 192), (200, 16, 46)), tmp_path / "c.png")
    package = build(color_icon=color)
    with zipfile.ZipFile(package) as archive:
        assert archive.read("color.png") == color.read_bytes()
