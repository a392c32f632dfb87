"""Garis bilangan di lantai: 5 + 3, berdiri di 5 (belum melompat), tiga lompatan sampai 8."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Arc, Circle

plt.rcParams["font.family"] = "DejaVu Sans"

fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
fig.patch.set_facecolor("white")
ax.set_xlim(0, 8)
ax.set_ylim(0, 5)
ax.set_aspect("equal")
ax.axis("off")

ax.text(4, 4.6, "Garis bilangan di lantai: 5 + 3", ha="center", fontsize=22, weight="bold")

x0, step, y = 0.6, 0.68, 1.7
ax.plot([x0 - 0.3, x0 + 10 * step + 0.3], [y, y], color="#333333", lw=3)
for i in range(11):
    x = x0 + i * step
    ax.plot([x, x], [y - 0.15, y + 0.15], color="#333333", lw=3)
    ax.text(
        x, y - 0.55, str(i), ha="center", fontsize=18, weight="bold" if i in (5, 8) else "normal"
    )

start, end = x0 + 5 * step, x0 + 8 * step
# Anak berdiri di 5: belum melompat
ax.add_patch(Circle((start, y + 0.35), 0.16, color="#2c3e50"))
ax.text(
    start,
    y - 1.05,
    "berdiri di sini:\nbelum melompat",
    ha="center",
    va="top",
    fontsize=13,
    color="#2c3e50",
)

for k in range(3):
    xa = start + k * step
    ax.add_patch(
        Arc((xa + step / 2, y + 0.2), step, 1.1, theta1=0, theta2=180, color="#c0392b", lw=3)
    )
    ax.text(
        xa + step / 2,
        y + 0.95,
        str(k + 1),
        ha="center",
        fontsize=20,
        color="#c0392b",
        weight="bold",
    )
ax.annotate(
    "",
    xy=(end, y + 0.22),
    xytext=(end - 0.12, y + 0.5),
    arrowprops=dict(arrowstyle="-|>", color="#c0392b", lw=2.5),
)

ax.text(4, 3.65, "Hitung lompatannya, bukan tempat berdiri", ha="center", fontsize=17)
ax.text(
    end + 0.15,
    y - 1.05,
    "3 lompatan:\nsampai di 8",
    ha="left",
    va="top",
    fontsize=13,
    color="#c0392b",
)

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
