"""Gambar: tanda-tanda catatan membaca pada satu kalimat pendek (materi lit-cm-1).

Jalankan: python config/content/literasi-kelas-awal/pictures/tanda-catatan-membaca.py
Menulis tanda-catatan-membaca.png di sebelah skrip ini.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

plt.rcParams["font.family"] = "DejaVu Sans"

PEN = "#1f4e9c"  # tanda guru (pensil/pulpen biru)
TEXT = "#222222"
BOX = "#f3f1ea"

# (kata dalam teks, tanda guru di atasnya)
ROWS = [
    [("Ibu", "✓"), ("pergi", "✓"), ("ke", "–"), ("pasar", "pasir  SC")],
    [("membeli", "membawa"), ("ikan", "✓"), ("dan", "✓"), ("sayur.", "T")],
]

LEGEND = [
    ("✓", "kata dibaca benar"),
    ("pasir", "kata lain yang diucapkan anak"),
    ("–", "kata dilewati"),
    ("SC", "anak membetulkan sendiri (bukan kesalahan)"),
    ("T", "guru terpaksa memberi tahu kata itu"),
]

fig = plt.figure(figsize=(8, 5), dpi=100, facecolor="white")
ax = fig.add_axes([0, 0, 1, 1])
ax.set_xlim(0, 800)
ax.set_ylim(0, 500)
ax.axis("off")

ax.text(
    400,
    470,
    "Tanda-tanda catatan membaca",
    ha="center",
    va="center",
    fontsize=20,
    fontweight="bold",
    color=TEXT,
)
ax.text(
    400,
    440,
    "Teks: “Ibu pergi ke pasar membeli ikan dan sayur.”",
    ha="center",
    va="center",
    fontsize=13,
    color="#555555",
)

col_x = [130, 310, 490, 670]
row_y = [345, 225]  # garis dasar kata dalam teks
for words, y in zip(ROWS, row_y, strict=True):
    for (word, mark), x in zip(words, col_x, strict=True):
        ax.add_patch(
            FancyBboxPatch(
                (x - 78, y - 24),
                156,
                48,
                boxstyle="round,pad=2,rounding_size=8",
                facecolor=BOX,
                edgecolor="#cfcab8",
                linewidth=1,
            )
        )
        ax.text(x, y, word, ha="center", va="center", fontsize=24, color=TEXT)
        size = 26 if len(mark) <= 2 else 19
        ax.text(
            x, y + 50, mark, ha="center", va="center", fontsize=size, color=PEN, fontweight="bold"
        )

ax.plot([30, 770], [178, 178], color="#dddddd", linewidth=1)
for i, (mark, meaning) in enumerate(LEGEND):
    y = 155 - i * 25
    ax.text(95, y, mark, ha="center", va="center", fontsize=15, color=PEN, fontweight="bold")
    ax.text(150, y, "= " + meaning, ha="left", va="center", fontsize=14, color=TEXT)
ax.text(
    770,
    18,
    "Kesalahan di sini: 3 (–, membawa, T).  SC tidak dihitung salah.",
    ha="right",
    va="center",
    fontsize=12,
    color="#555555",
    style="italic",
)

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
