"""Denah kelas padat: kelompok berempat tanpa menggeser meja (baris 1, 3, 5 berbalik).

Jalankan: python config/content/pengelolaan-kelas/pictures/denah-kelompok.py
Menulis denah-kelompok.png di sebelah skrip ini.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrow, FancyBboxPatch, Rectangle  # noqa: E402

plt.rcParams["font.family"] = "DejaVu Sans"

BLUE, ORANGE, DESK, GREY = "#2b6cb0", "#dd6b20", "#c8a27a", "#555555"

fig = plt.figure(figsize=(8, 5), dpi=100, facecolor="white")
ax = fig.add_axes((0, 0, 1, 1))
ax.set_xlim(0, 100)
ax.set_ylim(0, 62.5)
ax.set_aspect("equal")
ax.axis("off")

# Papan tulis
ax.add_patch(Rectangle((10, 57), 40, 2.2, color="#2f4f4f"))
ax.text(30, 60.6, "Papan tulis", ha="center", va="center", fontsize=13)

COL_X = (7, 24, 41)  # tiga lajur bangku berdua, lebar 12, lorong 5
ROW_TOP = [53 - 8 * i for i in range(6)]

for r, top in enumerate(ROW_TOP, start=1):
    turned = r % 2 == 1
    ax.text(3.2, top - 5, str(r), ha="center", va="center", fontsize=13, color=GREY)
    for x in COL_X:
        ax.add_patch(Rectangle((x, top - 2.5), 12, 2.5, color=DESK, alpha=0.45 if turned else 1))
        for px in (x + 3, x + 9):
            color = ORANGE if turned else BLUE
            ax.add_patch(plt.Circle((px, top - 5), 1.4, color=color))
            dy = -1.0 if turned else 1.0
            ax.add_patch(
                FancyArrow(
                    px,
                    top - 5 + dy * 1.5,
                    0,
                    dy * 0.9,
                    width=0.35,
                    head_width=1.3,
                    head_length=0.8,
                    color=color,
                )
            )

# Kelompok berempat: murid baris ganjil + meja dan murid baris genap
for top in ROW_TOP[0::2]:
    for x in COL_X:
        ax.add_patch(
            FancyBboxPatch(
                (x - 0.6, top - 14.9),
                13.2,
                11.6,
                boxstyle="round,pad=0.2,rounding_size=1.5",
                fill=False,
                ls="--",
                lw=1.6,
                color="#2f855a",
            )
        )

for gx in (21.5, 38.5):
    ax.text(gx, 27, "lorong", rotation=90, ha="center", va="center", fontsize=12, color=GREY)

# Keterangan
ax.text(61, 53, "Kelompok berempat\ntanpa menggeser meja", fontsize=15, fontweight="bold", va="top")
items = [
    (ORANGE, "Baris 1, 3, 5:\nberbalik ke belakang"),
    (BLUE, "Baris 2, 4, 6:\ntetap menghadap meja"),
]
y = 39
for color, label in items:
    ax.add_patch(plt.Circle((63, y), 1.4, color=color))
    ax.text(66, y, label, fontsize=12.5, va="center")
    y -= 9
ax.add_patch(
    FancyBboxPatch(
        (61.4, y - 2),
        3.2,
        4,
        boxstyle="round,pad=0.2,rounding_size=0.8",
        fill=False,
        ls="--",
        lw=1.6,
        color="#2f855a",
    )
)
ax.text(66, y, "satu kelompok (4 anak)", fontsize=12.5, va="center")
ax.text(
    61, y - 9, "Lorong: guru bisa\nmendatangi tiap kelompok", fontsize=12.5, va="center", color=GREY
)

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
