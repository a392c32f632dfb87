"""Pensil dari angka 1 sampai 7 pada penggaris: panjangnya 6 satuan, bukan 7."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Arc, Polygon, Rectangle

plt.rcParams["font.family"] = "DejaVu Sans"

fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
fig.patch.set_facecolor("white")
ax.set_xlim(0, 8)
ax.set_ylim(0, 5)
ax.set_aspect("equal")
ax.axis("off")

ax.text(4, 4.65, "Pensil mulai dari angka 1", ha="center", fontsize=24, weight="bold")

unit, x0 = 0.68, 0.6  # x of the 0 mark
ruler_y, ruler_h = 1.3, 0.9
ax.add_patch(
    Rectangle((x0 - 0.25, ruler_y), 10 * unit + 0.5, ruler_h, fc="#f7e7b4", ec="#333333", lw=2)
)
for i in range(11):
    x = x0 + i * unit
    ax.plot([x, x], [ruler_y + ruler_h, ruler_y + ruler_h - 0.38], color="#333333", lw=2)
    ax.text(x, ruler_y + 0.22, str(i), ha="center", fontsize=17)
    if i < 10:
        xm = x + unit / 2
        ax.plot([xm, xm], [ruler_y + ruler_h, ruler_y + ruler_h - 0.2], color="#333333", lw=1)
ax.text(x0 + 10 * unit + 0.35, ruler_y + 0.22, "cm", fontsize=15, color="#555555")

# Pensil dari 1 ke 7
a, b = x0 + 1 * unit, x0 + 7 * unit
py, ph = ruler_y + ruler_h + 0.12, 0.36
ax.add_patch(Rectangle((a, py), (b - a) - 0.45, ph, fc="#f1c40f", ec="#333333", lw=2))
ax.add_patch(
    Polygon(
        [(b - 0.45, py), (b, py + ph / 2), (b - 0.45, py + ph)], fc="#e0b88a", ec="#333333", lw=2
    )
)
ax.add_patch(
    Polygon(
        [(b - 0.12, py + ph * 0.37), (b, py + ph / 2), (b - 0.12, py + ph * 0.63)], fc="#333333"
    )
)

# Lompatan satuan 1..6 di atas pensil
top = py + ph + 0.1
for k in range(6):
    xa = a + k * unit
    ax.add_patch(
        Arc((xa + unit / 2, top), unit, 0.7, theta1=0, theta2=180, color="#c0392b", lw=2.5)
    )
    ax.text(
        xa + unit / 2,
        top + 0.45,
        str(k + 1),
        ha="center",
        fontsize=17,
        color="#c0392b",
        weight="bold",
    )

ax.text(4, 0.55, "Hitung satuannya: 6 cm, bukan 7 cm", ha="center", fontsize=20, weight="bold")

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
