"""Bar charts as PNG bytes, for poll results and the supervisors' digest.

Drawn with Pillow rather than matplotlib: a chart is a handful of rectangles and lines of
text, and matplotlib spent ~0.2 s on each one (text layout and glyph rendering redone on
every draw), which made the Monday digest of 1,000 supervisors take minutes. Pillow draws
each line of text straight through FreeType, so the same picture (800 px wide, 100 dpi
sizes, DejaVu Sans from matplotlib's data folder) costs a fraction of that (bench
digest_monday prints both). Nothing is shared between calls but the read-only fonts, so
charts can be drawn from several threads or processes at once.
Characters the font cannot draw (emoji typed into a custom option) are dropped from the
chart only; the text message keeps them.
"""

from __future__ import annotations

import io
import math
import textwrap
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

BAR_COLOUR = "#2a7ab0"
WIDTH_IN, DPI = 8.0, 100
# matplotlib's data folder (`matplotlib.get_data_path()`), found without importing it.
FONTS = Path(find_spec("matplotlib").origin).parent / "mpl-data" / "fonts" / "ttf"
PT = DPI / 72  # pixels per point, so sizes read like matplotlib's
INK, GREY = "#000000", "#555555"


def _drawable(text: str) -> str:
    """Keep letters, digits and punctuation of the Basic Multilingual Plane (no emoji)."""
    kept = "".join(ch for ch in text if ord(ch) < 0x2000 or 0x2010 <= ord(ch) <= 0x206F)
    return " ".join(kept.split()) or "?"


@lru_cache(maxsize=8)
def _font(points: float, bold: bool = False):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), round(points * PT))


def _ticks(limit: float) -> list[int]:
    """Whole-number ticks 0, step, 2·step ... up to `limit`, at most about eight of them."""
    raw = max(limit / 8, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return list(range(0, int(limit) + 1, step))


def bar_chart_png(
    *,
    title: str,
    labels: list[str],
    values: list[int],
    subtitle: str = "",
    notes: list[str] | None = None,
    xlabel: str = "",
) -> bytes:
    """Horizontal bars, first label on top; `notes` are printed at the end of each bar."""
    from PIL import Image, ImageDraw

    count = max(len(labels), 1)
    width, height = round(WIDTH_IN * DPI), round((1.6 + 0.55 * count) * DPI)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    small, big = _font(9), _font(11)
    line = small.size + 3

    y = 8
    for part in textwrap.wrap(_drawable(title), 70)[:2]:
        draw.text((width / 2, y), part, font=big, fill=INK, anchor="ma")
        y += big.size + 4
    names = ["\n".join(textwrap.wrap(_drawable(label), 28)[:2]) for label in labels]
    widest = max((draw.multiline_textbbox((0, 0), n, font=small)[2] for n in names), default=0)
    left = min(max(widest + 16, 60), width // 2)
    right = width - 20
    if subtitle:
        y += 4
        draw.text(((left + right) / 2, y), _drawable(subtitle), font=small, fill=GREY, anchor="ma")
        y += line
    top, bottom = y + 8, height - (2 * line + 14 if xlabel else line + 12)

    peak = max(values, default=0)
    limit = max(peak * 1.25, 1)
    x_of = lambda v: left + (right - left) * v / limit  # noqa: E731
    slot = (bottom - top) / count
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        middle = top + slot * (i + 0.5)
        if value > 0:
            draw.rectangle(
                (left, middle - 0.3 * slot, x_of(value), middle + 0.3 * slot), fill=BAR_COLOUR
            )
        draw.line((left - 4, middle, left, middle), fill=INK)
        draw.multiline_text((left - 7, middle), name, font=small, fill=INK, anchor="rm",
                            align="right", spacing=2)  # fmt: skip
        note = (notes or [""] * len(values))[i]
        text = f"{value}" + (f" ({_drawable(note)})" if note else "")
        draw.text((x_of(value + max(peak, 1) * 0.02), middle), text, font=small, fill=INK,
                  anchor="lm")  # fmt: skip
    draw.line((left, top, left, bottom), fill=INK)  # the axes: left and bottom spines only
    draw.line((left, bottom, right, bottom), fill=INK)
    for tick in _ticks(limit):
        x = x_of(tick)
        draw.line((x, bottom, x, bottom + 4), fill=INK)
        draw.text((x, bottom + 6), str(tick), font=small, fill=INK, anchor="ma")
    if xlabel:
        draw.text(((left + right) / 2, bottom + line + 10), _drawable(xlabel), font=small,
                  fill=INK, anchor="ma")  # fmt: skip
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)  # level 6 took twice as long for 10% less
    return buffer.getvalue()
