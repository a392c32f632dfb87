"""The chart as it was drawn before issue 21 (matplotlib, a new Figure and tight_layout per
chart), kept only so `bench.digest_monday` can print the cost per chart before and after."""

from __future__ import annotations

import io
import textwrap
import warnings

from kkgbot.charts import _drawable

BAR_COLOUR = "#2a7ab0"
WIDTH_IN, DPI = 8.0, 100


def matplotlib_bar_chart_png(
    *,
    title: str,
    labels: list[str],
    values: list[int],
    subtitle: str = "",
    notes: list[str] | None = None,
    xlabel: str = "",
) -> bytes:
    """Horizontal bars, first label on top; `notes` are printed at the end of each bar."""
    # Imported here: matplotlib costs half a second at start-up, and most runs draw nothing.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    count = max(len(labels), 1)
    fig = Figure(figsize=(WIDTH_IN, 1.6 + 0.55 * count), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    names = ["\n".join(textwrap.wrap(_drawable(label), 28)[:2]) for label in labels]
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=BAR_COLOUR, height=0.6)
    ax.set_yticks(positions, names, fontsize=9)
    top = max(values, default=0)
    ax.set_xlim(0, max(top * 1.25, 1))
    ax.xaxis.get_major_locator().set_params(integer=True)
    for pos, value, note in zip(positions, values, notes or [""] * len(values), strict=True):
        text = f"{value}" + (f" ({note})" if note else "")
        ax.text(value + max(top, 1) * 0.02, pos, text, va="center", fontsize=9)
    if xlabel:
        ax.set_xlabel(_drawable(xlabel))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.suptitle("\n".join(textwrap.wrap(_drawable(title), 70)[:2]), fontsize=11)
    if subtitle:
        ax.set_title(_drawable(subtitle), fontsize=9, color="#555555")
    fig.tight_layout()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing glyph is not worth a log line per chart
        fig.savefig(buffer, format="png")
    return buffer.getvalue()
