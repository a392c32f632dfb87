"""Data buah kesukaan: turus (ikat lima) dan piktogram (satu gambar = satu anak)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Circle

plt.rcParams["font.family"] = "DejaVu Sans"

DATA = [
    ("Mangga", 9, "#e67e22"),
    ("Pisang", 6, "#f1c40f"),
    ("Jeruk", 4, "#27ae60"),
    ("Pepaya", 7, "#c0392b"),
]

fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
fig.patch.set_facecolor("white")
ax.set_xlim(0, 8)
ax.set_ylim(0, 5)
ax.set_aspect("equal")
ax.axis("off")

ax.text(4, 4.65, "Buah kesukaan kelas 1", ha="center", fontsize=22, weight="bold")
header_y = 3.95
ax.text(0.2, header_y, "Buah", fontsize=16, weight="bold", va="center")
ax.text(1.75, header_y, "Turus", fontsize=16, weight="bold", va="center")
ax.text(3.95, header_y, "Piktogram", fontsize=16, weight="bold", va="center")
ax.plot([0.1, 7.9], [3.7, 3.7], color="#333333", lw=1.5)
for x in (1.6, 3.8):
    ax.plot([x, x], [0.55, 4.2], color="#999999", lw=1)


def tally(x, y, n):
    """Turus: empat garis tegak, yang kelima melintang; ikat berikutnya bergeser ke kanan."""
    step, h = 0.13, 0.46
    for i in range(n):
        group, k = divmod(i, 5)
        gx = x + group * 0.85
        if k < 4:
            xx = gx + k * step
            ax.plot([xx, xx], [y - h / 2, y + h / 2], color="#222222", lw=2.5)
        else:
            ax.plot(
                [gx - 0.08, gx + 3 * step + 0.08],
                [y - h / 2 + 0.05, y + h / 2 - 0.05],
                color="#222222",
                lw=2.5,
            )


for r, (name, n, color) in enumerate(DATA):
    y = 3.25 - r * 0.75
    ax.text(0.2, y, name, fontsize=17, va="center")
    tally(1.85, y, n)
    for i in range(n):
        ax.add_patch(Circle((4.1 + i * 0.38, y), 0.15, color=color))
    ax.text(7.7, y, str(n), fontsize=17, va="center", ha="center", color="#555555")

ax.add_patch(Circle((4.1, 0.3), 0.15, color="#777777"))
ax.text(4.35, 0.3, "= 1 anak", fontsize=15, va="center")
ax.text(0.2, 0.3, "Ikat turus = 5", fontsize=15, va="center")

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
