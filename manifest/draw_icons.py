"""Draw govbot's Teams icons: an årshjul (a ring of twelve months) around a check mark.

Run `python -m manifest.draw_icons` to regenerate `color.png` and `outline.png`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = (21, 94, 117)  # #155E75, the manifest's accentColor
HIGHLIGHT = (245, 184, 46)  # the month of the next meeting
WHITE = (255, 255, 255)
SUPERSAMPLE = 8
HERE = Path(__file__).resolve().parent


def _draw_symbol(
    draw: ImageDraw.ImageDraw,
    size: int,
    *,
    months: int,
    radius: float,
    ring: float,
    gap_degrees: float,
    check: float,
    stroke: float,
    colour: tuple[int, ...],
    highlight: tuple[int, ...] | None = None,
) -> None:
    """Draw the ring of months and the check mark, centred, in units of `size`."""
    centre = size / 2
    outer = radius * size
    box = (centre - outer, centre - outer, centre + outer, centre + outer)
    step = 360 / months
    for month in range(months):
        # Month 0 starts at twelve o'clock, like a calendar year wheel.
        start = -90 + month * step + gap_degrees / 2
        fill = highlight if highlight is not None and month == 0 else colour
        draw.arc(box, start, start + step - gap_degrees, fill=fill, width=round(ring * size))
    arm = check * size
    points = [
        (centre - 0.55 * arm, centre + 0.02 * arm),
        (centre - 0.15 * arm, centre + 0.42 * arm),
        (centre + 0.60 * arm, centre - 0.38 * arm),
    ]
    draw.line(points, fill=colour, width=round(stroke * size), joint="curve")
    # Round caps, so the check reads as a pen stroke rather than a cut-out.
    cap = stroke * size / 2
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - cap, y - cap, x + cap, y + cap), fill=colour)


def draw_color(size: int = 192) -> Image.Image:
    """The 192×192 full-colour icon: a white årshjul on the accent colour."""
    big = size * SUPERSAMPLE
    image = Image.new("RGB", (big, big), ACCENT)
    _draw_symbol(
        ImageDraw.Draw(image),
        big,
        months=12,
        radius=0.34,
        ring=0.055,
        gap_degrees=7,
        check=0.30,
        stroke=0.065,
        colour=WHITE,
        highlight=HIGHLIGHT,
    )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def draw_outline(size: int = 32) -> Image.Image:
    """The 32×32 outline icon: the same symbol in white on transparency, fewer months."""
    big = size * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    _draw_symbol(
        ImageDraw.Draw(mask),
        big,
        months=8,
        radius=0.46,
        ring=0.085,
        gap_degrees=12,
        check=0.40,
        stroke=0.10,
        colour=(255,),
    )
    alpha = mask.resize((size, size), Image.Resampling.LANCZOS)
    white = Image.new("L", (size, size), 255)
    # Teams accepts only white and transparency in the outline: colour comes from alpha alone.
    return Image.merge("RGBA", (white, white, white, alpha))


def main() -> None:
    """Write both icons next to this module."""
    draw_color().save(HERE / "color.png", optimize=True)
    draw_outline().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
