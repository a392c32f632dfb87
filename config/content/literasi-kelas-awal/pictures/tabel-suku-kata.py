"""Gambar: tabel suku kata 3 × 5 dan tiga cara membacanya (materi lit-sk-1).

Jalankan: python config/content/literasi-kelas-awal/pictures/tabel-suku-kata.py
Menulis tabel-suku-kata.png di sebelah skrip ini.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle  # noqa: E402

plt.rcParams["font.family"] = "DejaVu Sans"

TEXT = "#222222"
HEAD = "#e8e4d8"
ROW_C = "#1f4e9c"  # baca per baris
COL_C = "#1e7b4a"  # baca per kolom
RAND_C = "#b5412b"  # tunjuk acak

CONS = ["m", "b", "s"]
VOWELS = ["a", "i", "u", "e", "o"]

fig = plt.figure(figsize=(8, 5), dpi=100, facecolor="white")
ax = fig.add_axes([0, 0, 1, 1])
ax.set_xlim(0, 800)
ax.set_ylim(0, 500)
ax.axis("off")

ax.text(
    400,
    470,
    "Tabel suku kata di papan tulis",
    ha="center",
    va="center",
    fontsize=20,
    fontweight="bold",
    color=TEXT,
)

W, H = 88, 80
x0, y0 = 20, 440  # kiri atas sel judul


def cell(i: int, j: int) -> tuple[float, float]:
    """Centre of the syllable cell for consonant row i and vowel column j."""
    return x0 + (j + 1) * W + W / 2, y0 - (i + 2) * H + H / 2


# sorotan: baris "m" (biru) dan kolom "a" (hijau), di bawah garis tabel
ax.add_patch(Rectangle((x0 + W, y0 - 2 * H), 5 * W, H, facecolor=ROW_C, alpha=0.12))
ax.add_patch(Rectangle((x0 + W, y0 - 4 * H), W, 3 * H, facecolor=COL_C, alpha=0.12))

for j, v in enumerate([""] + VOWELS):
    ax.add_patch(Rectangle((x0 + j * W, y0 - H), W, H, facecolor=HEAD, edgecolor="#999999"))
    ax.text(
        x0 + j * W + W / 2,
        y0 - H / 2,
        v,
        ha="center",
        va="center",
        fontsize=26,
        fontweight="bold",
        color=TEXT,
    )
for i, c in enumerate(CONS):
    y = y0 - (i + 2) * H
    ax.add_patch(Rectangle((x0, y), W, H, facecolor=HEAD, edgecolor="#999999"))
    ax.text(
        x0 + W / 2,
        y + H / 2,
        c,
        ha="center",
        va="center",
        fontsize=26,
        fontweight="bold",
        color=TEXT,
    )
    for j, v in enumerate(VOWELS):
        ax.add_patch(Rectangle((x0 + (j + 1) * W, y), W, H, fill=False, edgecolor="#999999"))
        ax.text(
            x0 + (j + 1) * W + W / 2,
            y + H / 2 + 6,
            c + v,
            ha="center",
            va="center",
            fontsize=26,
            color=TEXT,
        )

# 1. per baris: panah biru di bawah suku kata baris "m"
ya = y0 - 2 * H + 12
ax.add_patch(
    FancyArrowPatch(
        (x0 + W + 10, ya),
        (x0 + 6 * W - 6, ya),
        arrowstyle="-|>",
        mutation_scale=20,
        color=ROW_C,
        linewidth=3,
    )
)
# 2. per kolom: panah hijau di sisi kanan kolom "a"
xa = x0 + 2 * W - 9
ax.add_patch(
    FancyArrowPatch(
        (xa, y0 - H - 8),
        (xa, y0 - 4 * H + 6),
        arrowstyle="-|>",
        mutation_scale=20,
        color=COL_C,
        linewidth=3,
    )
)
# 3. tunjuk acak: lingkaran bernomor pada tiga sel
for n, (i, j) in enumerate([(2, 2), (0, 4), (1, 1)], start=1):
    cx, cy = cell(i, j)
    ax.add_patch(Circle((cx, cy + 4), 30, fill=False, edgecolor=RAND_C, linewidth=3))
    ax.text(
        cx + 30,
        cy + 28,
        str(n),
        ha="center",
        va="center",
        fontsize=12,
        color="white",
        fontweight="bold",
        bbox=dict(boxstyle="circle,pad=0.2", facecolor=RAND_C, edgecolor=RAND_C),
    )

tx = x0 + 6 * W + 24
ax.text(
    tx, 400, "1. Per baris", ha="left", va="center", fontsize=17, color=ROW_C, fontweight="bold"
)
ax.text(tx, 372, "ma mi mu me mo", ha="left", va="center", fontsize=15, color=ROW_C)
ax.text(
    tx, 315, "2. Per kolom", ha="left", va="center", fontsize=17, color=COL_C, fontweight="bold"
)
ax.text(tx, 287, "ma ba sa", ha="left", va="center", fontsize=15, color=COL_C)
ax.text(
    tx, 230, "3. Tunjuk acak", ha="left", va="center", fontsize=17, color=RAND_C, fontweight="bold"
)
ax.text(tx, 202, "su, mo, bi ...", ha="left", va="center", fontsize=15, color=RAND_C)
ax.text(
    tx,
    140,
    "Tunjuk acak membuat\nterlihat siapa yang\nhanya hafal urutan.",
    ha="left",
    va="center",
    fontsize=13,
    color=TEXT,
)

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
