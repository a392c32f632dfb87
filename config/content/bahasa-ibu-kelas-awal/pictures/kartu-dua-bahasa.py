"""Gambar: kartu dinding kata dua bahasa, dengan warna dan letak tetap (materi bi-kam-1).

Jalankan: python config/content/bahasa-ibu-kelas-awal/pictures/kartu-dua-bahasa.py
Menulis kartu-dua-bahasa.png di sebelah skrip ini.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import (  # noqa: E402
    Circle,
    FancyArrowPatch,
    FancyBboxPatch,
    Polygon,
    Rectangle,
)

plt.rcParams["font.family"] = "DejaVu Sans"

TEXT = "#222222"
IBU = "#1e7b4a"  # bahasa ibu: hijau, selalu di atas
INDO = "#1f4e9c"  # bahasa Indonesia: biru, selalu di bawah
CARD = "#fbf7ec"
EDGE = "#b9ad8f"
DRAW = "#7a5c3e"

fig = plt.figure(figsize=(8, 5), dpi=100, facecolor="white")
ax = fig.add_axes([0, 0, 1, 1])
ax.set_xlim(0, 800)
ax.set_ylim(0, 500)
ax.axis("off")

ax.text(
    400,
    472,
    "Kartu dinding kata dua bahasa",
    ha="center",
    va="center",
    fontsize=20,
    fontweight="bold",
    color=TEXT,
)
ax.text(
    400,
    442,
    "Contoh: bahasa Manggarai. Isi dengan bahasa anak-anak Anda.",
    ha="center",
    va="center",
    fontsize=13,
    color="#555555",
)


def card(x: float, y: float, w: float, h: float) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=10",
            facecolor=CARD,
            edgecolor=EDGE,
            linewidth=2,
        )
    )


def house(cx: float, cy: float, s: float) -> None:
    ax.add_patch(
        Rectangle(
            (cx - s, cy - s), 2 * s, 1.3 * s, facecolor="#e9d8b8", edgecolor=DRAW, linewidth=2
        )
    )
    ax.add_patch(
        Polygon(
            [(cx - 1.35 * s, cy + 0.3 * s), (cx, cy + 1.4 * s), (cx + 1.35 * s, cy + 0.3 * s)],
            facecolor="#c98b4e",
            edgecolor=DRAW,
            linewidth=2,
        )
    )
    ax.add_patch(Rectangle((cx - 0.25 * s, cy - s), 0.5 * s, 0.8 * s, facecolor=DRAW))


def drop(cx: float, cy: float, s: float) -> None:
    ax.add_patch(
        Circle((cx, cy - 0.3 * s), 0.7 * s, facecolor="#8cc4e8", edgecolor="#3a7fb0", linewidth=2)
    )
    ax.add_patch(
        Polygon(
            [(cx - 0.62 * s, cy - 0.05 * s), (cx, cy + 1.1 * s), (cx + 0.62 * s, cy - 0.05 * s)],
            facecolor="#8cc4e8",
            edgecolor="none",
        )
    )
    ax.plot(
        [cx - 0.64 * s, cx, cx + 0.64 * s],
        [cy - 0.02 * s, cy + 1.1 * s, cy - 0.02 * s],
        color="#3a7fb0",
        linewidth=2,
    )


def door(cx: float, cy: float, s: float) -> None:
    ax.add_patch(
        Rectangle(
            (cx - 0.6 * s, cy - s), 1.2 * s, 2 * s, facecolor="#d9b48a", edgecolor=DRAW, linewidth=2
        )
    )
    ax.add_patch(Circle((cx + 0.35 * s, cy), 0.09 * s, facecolor=DRAW))


# kartu besar dengan keterangan
card(40, 60, 270, 350)
house(175, 305, 48)
ax.text(175, 200, "mbaru", ha="center", va="center", fontsize=34, color=IBU, fontweight="bold")
ax.plot([70, 280], [165, 165], color=EDGE, linewidth=1)
ax.text(175, 120, "rumah", ha="center", va="center", fontsize=34, color=INDO, fontweight="bold")

notes = [
    (345, 330, "gambar (buatan anak)", TEXT, (230, 315)),
    (345, 230, "bahasa ibu: hijau,\nselalu di atas", IBU, (275, 205)),
    (345, 110, "bahasa Indonesia: biru,\nselalu di bawah", INDO, (275, 120)),
]
for x, y, label, color, target in notes:
    ax.text(x, y, label, ha="left", va="center", fontsize=13, color=color, fontweight="bold")
    ax.add_patch(
        FancyArrowPatch(
            (x - 6, y), target, arrowstyle="-|>", mutation_scale=14, color=color, linewidth=1.5
        )
    )

# dua kartu kecil: satu lengkap, satu baru (kata bahasa ibu ditanyakan kepada anak)
card(605, 250, 165, 160)
drop(687, 362, 26)
ax.text(687, 302, "wae", ha="center", va="center", fontsize=22, color=IBU, fontweight="bold")
ax.text(687, 270, "air", ha="center", va="center", fontsize=22, color=INDO, fontweight="bold")

card(605, 60, 165, 160)
door(687, 172, 24)
ax.text(687, 112, "? ? ?", ha="center", va="center", fontsize=22, color=IBU, fontweight="bold")
ax.text(687, 80, "pintu", ha="center", va="center", fontsize=22, color=INDO, fontweight="bold")
ax.text(
    775,
    38,
    "kartu baru: tanyakan kepada anak",
    ha="right",
    va="center",
    fontsize=12,
    color="#555555",
    style="italic",
)

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
