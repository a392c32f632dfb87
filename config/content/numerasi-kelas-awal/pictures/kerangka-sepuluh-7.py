"""Kerangka sepuluh berisi 7 biji: baris atas penuh (5), baris bawah 2, tiga kotak kosong."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, Rectangle

plt.rcParams["font.family"] = "DejaVu Sans"

fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
fig.patch.set_facecolor("white")
ax.set_xlim(0, 8)
ax.set_ylim(0, 5)
ax.set_aspect("equal")
ax.axis("off")

ax.text(4, 4.6, "Kerangka sepuluh: tujuh", ha="center", va="center", fontsize=24, weight="bold")

size, left, top = 1.0, 0.8, 3.7  # kotak 1 x 1, baris atas mulai di y = 2.7
filled = {(0, c) for c in range(5)} | {(1, 0), (1, 1)}
for row in range(2):
    for col in range(5):
        x, y = left + col * size, top - (row + 1) * size
        ax.add_patch(Rectangle((x, y), size, size, fill=False, lw=3, ec="#333333"))
        if (row, col) in filled:
            ax.add_patch(Circle((x + size / 2, y + size / 2), 0.36, color="#c0392b"))

# Keterangan di kanan
ax.text(6.15, 3.2, "5", fontsize=26, weight="bold", va="center", color="#c0392b")
ax.text(6.6, 3.2, "penuh", fontsize=18, va="center")
ax.text(6.15, 2.2, "2", fontsize=26, weight="bold", va="center", color="#c0392b")
ax.text(6.6, 2.2, "lagi", fontsize=18, va="center")

ax.text(3.3, 1.05, "7 = 5 + 2", ha="center", fontsize=26, weight="bold")
ax.text(3.3, 0.35, "3 kotak kosong: 7 + 3 = 10", ha="center", fontsize=18, color="#555555")

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
