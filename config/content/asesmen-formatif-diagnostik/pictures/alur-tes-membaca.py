"""Alur tes membaca lisan satu per satu (gaya ASER/TaRL): mulai dari paragraf, naik atau turun.

Jalankan: python alur-tes-membaca.py  -> menulis alur-tes-membaca.png di sebelahnya.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

plt.rcParams["font.family"] = "DejaVu Sans"

LEVELS = [  # from top to bottom: name, what is on the card
    ("Cerita", "cerita pendek, sekitar 8–10 kalimat"),
    ("Paragraf", "4 kalimat pendek: “Dodi pergi ke pasar. ...”"),
    ("Kata", "batu   sapi   meja   kaki   rumah"),
    ("Suku kata", "ba   ku   ti   ma   so"),
    ("Huruf", "m   s   b   k   a"),
]
GREEN, RED, BLUE, GREY = "#2e7d32", "#c62828", "#1565c0", "#f3f3f3"

fig = plt.figure(figsize=(8, 5), dpi=100, facecolor="white")
ax = fig.add_axes([0, 0, 1, 1])
ax.set_xlim(0, 800)
ax.set_ylim(0, 500)
ax.axis("off")

ax.text(
    400,
    475,
    "Tes membaca satu per satu (2–3 menit)",
    ha="center",
    va="center",
    fontsize=17,
    fontweight="bold",
)

x0, width, height = 150, 420, 54
tops = [402, 326, 250, 174, 98]  # y of each box's centre
for (name, card), y in zip(LEVELS, tops, strict=False):
    start = name == "Paragraf"
    ax.add_patch(
        FancyBboxPatch(
            (x0, y - height / 2),
            width,
            height,
            boxstyle="round,pad=4",
            linewidth=3 if start else 1.5,
            edgecolor=BLUE if start else "#555555",
            facecolor=GREY,
        )
    )
    ax.text(x0 + 14, y + 10, name, fontsize=15, fontweight="bold", va="center")
    ax.text(x0 + 14, y - 14, card, fontsize=11.5, va="center", color="#333333")

# Start marker
ax.annotate(
    "MULAI\nDI SINI",
    xy=(x0 - 6, tops[1]),
    xytext=(62, tops[1]),
    ha="center",
    va="center",
    fontsize=13,
    fontweight="bold",
    color=BLUE,
    arrowprops=dict(arrowstyle="-|>", color=BLUE, lw=3),
)

# Up arrow: paragraph read well -> story
ax.add_patch(
    FancyArrowPatch(
        (x0 + width + 25, tops[1] + 5),
        (x0 + width + 25, tops[0] - 5),
        arrowstyle="-|>",
        mutation_scale=22,
        lw=3,
        color=GREEN,
    )
)
ax.text(
    x0 + width + 38,
    (tops[0] + tops[1]) / 2,
    "lancar, paling\nbanyak 3 salah:\nNAIK",
    fontsize=11.5,
    color=GREEN,
    va="center",
    fontweight="bold",
)

# Down arrows: not yet -> go down one level
for upper, lower in zip(tops[1:-1], tops[2:], strict=False):
    ax.add_patch(
        FancyArrowPatch(
            (x0 + width + 25, upper - 5),
            (x0 + width + 25, lower + 5),
            arrowstyle="-|>",
            mutation_scale=22,
            lw=3,
            color=RED,
        )
    )
    ax.text(
        x0 + width + 38,
        (upper + lower) / 2,
        "belum:\nTURUN",
        fontsize=11.5,
        color=RED,
        va="center",
        fontweight="bold",
    )

ax.text(
    400,
    32,
    "Huruf, suku kata, kata: anak memilih 5, benar 4 berarti bisa.\n"
    "Catat tingkat TERTINGGI yang bisa dibaca anak dengan nyaman.",
    ha="center",
    va="center",
    fontsize=12,
    color="#222222",
    linespacing=1.5,
)

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
