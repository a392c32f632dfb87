"""Bagan tingkat membaca gaya TaRL: tes 1 dan tes 2, panah untuk anak yang pindah kelompok.

Jalankan: python pindah-kelompok.py  -> menulis pindah-kelompok.png di sebelahnya.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Rectangle

plt.rcParams["font.family"] = "DejaVu Sans"

LEVELS = ["Huruf", "Suku kata", "Kata", "Paragraf", "Cerita"]  # bottom to top
CHILDREN = [  # name, level at test 1, level at test 2
    ("Baiq", 0, 1),
    ("Ketut", 0, 0),
    ("Nur", 1, 2),
    ("Dodi", 1, 1),
    ("Maria", 2, 3),
    ("Lalu", 2, 2),
    ("Yohanes", 3, 4),
    ("Siti", 3, 3),
    ("Ni Made", 4, 4),
]
BAND_COLOURS = ["#fdecea", "#fff4e0", "#fffbd6", "#eaf6e9", "#e3f0fb"]
GREEN, GREY = "#2e7d32", "#9e9e9e"

fig = plt.figure(figsize=(8, 5), dpi=100, facecolor="white")
ax = fig.add_axes([0, 0, 1, 1])
ax.set_xlim(0, 800)
ax.set_ylim(0, 500)
ax.axis("off")

ax.text(
    400,
    478,
    "Tingkat membaca: siapa pindah kelompok?",
    ha="center",
    va="center",
    fontsize=17,
    fontweight="bold",
)

left, right, bottom, band_h = 20, 780, 48, 74
x1, x2 = 300, 590  # centres of the two test columns
ax.text(x1, 440, "Tes 1 (minggu 1)", ha="center", va="center", fontsize=13, fontweight="bold")
ax.text(x2, 440, "Tes 2 (minggu 4)", ha="center", va="center", fontsize=13, fontweight="bold")

for i, (level, colour) in enumerate(zip(LEVELS, BAND_COLOURS, strict=False)):
    y = bottom + i * band_h
    ax.add_patch(
        Rectangle((left, y), right - left, band_h - 4, facecolor=colour, edgecolor="#cccccc")
    )
    ax.text(left + 12, y + band_h / 2 - 2, level, fontsize=14, fontweight="bold", va="center")


def slots(test: int) -> dict[str, float]:
    """The y of each child's name in one test column, names in a level spread apart."""
    out: dict[str, float] = {}
    for lvl in range(len(LEVELS)):
        names = [c[0] for c in CHILDREN if c[1 + test] == lvl]
        centre = bottom + lvl * band_h + band_h / 2 - 2
        for k, name in enumerate(names):
            out[name] = centre + (len(names) - 1) * 11 - k * 22
    return out


first, second = slots(0), slots(1)
for name, before, after in CHILDREN:
    moved = after > before
    colour = GREEN if moved else "#333333"
    ax.text(x1, first[name], name, ha="center", va="center", fontsize=12.5)
    ax.text(
        x2,
        second[name],
        name,
        ha="center",
        va="center",
        fontsize=12.5,
        color=colour,
        fontweight="bold" if moved else "normal",
    )
    ax.add_patch(
        FancyArrowPatch(
            (x1 + 45, first[name]),
            (x2 - 50, second[name]),
            arrowstyle="-|>",
            mutation_scale=16,
            lw=2.6 if moved else 1.2,
            color=GREEN if moved else GREY,
            linestyle="-" if moved else (0, (4, 3)),
        )
    )

ax.text(
    400,
    22,
    "Panah hijau: naik ke kelompok berikutnya.   Abu-abu: tetap di kelompoknya.",
    ha="center",
    va="center",
    fontsize=11.5,
)

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
