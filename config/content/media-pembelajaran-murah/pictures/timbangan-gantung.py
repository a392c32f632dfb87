"""Timbangan gantung dari gantungan baju: seimbang dengan 3 + 4 tutup botol di kiri dan 7 di kanan."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Arc, Circle, Polygon

plt.rcParams["font.family"] = "DejaVu Sans"

fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
fig.patch.set_facecolor("white")
ax.set_xlim(0, 8)
ax.set_ylim(0, 5)
ax.set_aspect("equal")
ax.axis("off")

ax.text(4, 4.7, "Timbangan gantung", ha="center", fontsize=22, weight="bold")

# Paku (dilihat dari depan) dan kait gantungan yang melingkarinya
ax.add_patch(Circle((4.0, 4.2), 0.07, color="#555555"))
ax.add_patch(Arc((4.0, 4.1), 0.36, 0.36, theta1=0, theta2=200, color="#333333", lw=3))
ax.plot([4.18, 4.0], [4.1, 3.8], color="#333333", lw=3)
ax.text(4.3, 4.2, "paku", fontsize=13, color="#555555", va="center")

# Gantungan baju (segitiga) dengan batang bawah
left, right, bar_y, top = (1.5, 6.5, 3.1, (4.0, 3.8))
ax.add_patch(
    Polygon([top, (left, bar_y), (right, bar_y)], closed=True, fill=False, ec="#2c3e50", lw=4)
)
ax.text(5.6, 3.62, "gantungan baju", fontsize=15, color="#2c3e50")


def bag(cx, caps):
    """Tali dari ujung gantungan ke kantong; isi kantong: (banyak, warna)."""
    ax.plot([cx, cx - 0.55], [bar_y, 2.05], color="#7f8c8d", lw=2)
    ax.plot([cx, cx + 0.55], [bar_y, 2.05], color="#7f8c8d", lw=2)
    ax.add_patch(
        Polygon(
            [(cx - 0.7, 2.05), (cx + 0.7, 2.05), (cx + 0.55, 0.95), (cx - 0.55, 0.95)],
            closed=True,
            fc="#ecf0f1",
            ec="#7f8c8d",
            lw=2,
        )
    )
    i = 0
    for n, color in caps:
        for _ in range(n):
            row, col = divmod(i, 4)
            ax.add_patch(Circle((cx - 0.42 + col * 0.28, 1.18 + row * 0.28), 0.12, color=color))
            i += 1


bag(left, [(3, "#c0392b"), (4, "#2980b9")])
bag(right, [(7, "#27ae60")])
ax.text(left - 0.1, 2.45, "tali", fontsize=14, color="#7f8c8d", ha="right")
ax.text(left, 0.55, "3 + 4", ha="center", fontsize=20, weight="bold")
ax.text(right, 0.55, "7", ha="center", fontsize=20, weight="bold")
ax.text(4, 1.45, "=", ha="center", fontsize=36, weight="bold")
ax.text(4, 0.55, "seimbang", ha="center", fontsize=16)
ax.text(4, 2.45, "saat kosong pun harus seimbang", ha="center", fontsize=13, color="#555555")

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
