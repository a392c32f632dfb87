"""Contoh daftar cek satu halaman: nama ke bawah, keterampilan ke samping, dibaca dua arah.

Jalankan: python daftar-cek.py  -> menulis daftar-cek.png di sebelahnya.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

plt.rcParams["font.family"] = "DejaVu Sans"

SKILLS = ["Bunyi\nawal", "Baca kata\n2 suku", "Huruf\nkapital", "Titik\ndi akhir"]
ROWS = [  # ✓ sudah bisa, / kadang-kadang, – belum
    ("Baiq", "✓✓–✓"),
    ("Lalu", "✓✓–/"),
    ("Siti", "✓✓/✓"),
    ("Yohanes", "✓/–✓"),
    ("Maria", "✓✓–✓"),
    ("Ketut", "–––/"),
    ("Nur", "✓✓–✓"),
]
COLUMN, ROW = 2, 5  # the column and the row to read
YELLOW, BLUE = "#fff3b0", "#d6e8ff"
MARK_COLOUR = {"✓": "#2e7d32", "/": "#ef6c00", "–": "#c62828"}

fig = plt.figure(figsize=(8, 5), dpi=100, facecolor="white")
ax = fig.add_axes([0, 0, 1, 1])
ax.set_xlim(0, 800)
ax.set_ylim(0, 500)
ax.axis("off")

ax.text(
    20,
    472,
    "Daftar cek membaca dan menulis, minggu ke-3",
    fontsize=16,
    fontweight="bold",
    va="center",
)

left, name_w, cell_w, top, head_h, row_h = 20, 110, 95, 440, 56, 42
table_w = name_w + cell_w * len(SKILLS)

# Highlights first, so grid lines sit on top.
col_x = left + name_w + COLUMN * cell_w
ax.add_patch(
    Rectangle(
        (col_x, top - head_h - row_h * len(ROWS)),
        cell_w,
        head_h + row_h * len(ROWS),
        facecolor=YELLOW,
        edgecolor="none",
    )
)
row_y = top - head_h - row_h * (ROW + 1)
ax.add_patch(Rectangle((left, row_y), table_w, row_h, facecolor=BLUE, edgecolor="none"))

# Header
ax.text(left + 10, top - head_h / 2, "Nama", fontsize=13, fontweight="bold", va="center")
for i, skill in enumerate(SKILLS):
    ax.text(
        left + name_w + cell_w * (i + 0.5),
        top - head_h / 2,
        skill,
        fontsize=11.5,
        fontweight="bold",
        ha="center",
        va="center",
        linespacing=1.2,
    )

# Rows
for r, (name, marks) in enumerate(ROWS):
    y = top - head_h - row_h * (r + 0.5)
    ax.text(left + 10, y, name, fontsize=13, va="center")
    for i, mark in enumerate(marks):
        ax.text(
            left + name_w + cell_w * (i + 0.5),
            y,
            mark,
            fontsize=20,
            ha="center",
            va="center",
            color=MARK_COLOUR[mark],
            fontweight="bold",
        )

# Grid
bottom = top - head_h - row_h * len(ROWS)
for k in range(len(ROWS) + 2):
    y = top if k == 0 else top - head_h - row_h * (k - 1)
    ax.plot([left, left + table_w], [y, y], color="#555555", lw=1)
for x in [left, left + name_w] + [left + name_w + cell_w * (i + 1) for i in range(len(SKILLS))]:
    ax.plot([x, x], [bottom, top], color="#555555", lw=1)

# How to read it
notes_x = left + table_w + 20
ax.add_patch(Rectangle((notes_x, 300), 250, 115, facecolor=YELLOW, edgecolor="#b59b00"))
ax.text(
    notes_x + 12,
    357,
    "KOLOM dengan banyak –\n→ ajar ulang untuk\n    seluruh kelas",
    fontsize=13,
    va="center",
    linespacing=1.4,
)
ax.add_patch(Rectangle((notes_x, 150), 250, 115, facecolor=BLUE, edgecolor="#4a7fc1"))
ax.text(
    notes_x + 12,
    207,
    "BARIS dengan banyak –\n→ dampingi anak itu\n    di kelompok kecil",
    fontsize=13,
    va="center",
    linespacing=1.4,
)

ax.text(20, 22, "✓ sudah bisa     / kadang-kadang     – belum", fontsize=13, va="center")

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
