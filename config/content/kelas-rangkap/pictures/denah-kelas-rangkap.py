"""Denah kelas rangkap: kelas 1 menghadap papan utama, kelas 2 berkelompok menghadap papan kedua.

Jalankan: python config/content/kelas-rangkap/pictures/denah-kelas-rangkap.py
Menulis denah-kelas-rangkap.png di sebelah skrip ini.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle  # noqa: E402

plt.rcParams["font.family"] = "DejaVu Sans"

K1 = "#f4a261"  # kelas 1
K2 = "#2a9d8f"  # kelas 2
INK = "#222222"

fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
fig.patch.set_facecolor("white")
ax.set_xlim(0, 100)
ax.set_ylim(0, 62)
ax.set_aspect("equal")
ax.axis("off")

# Dinding ruang
ax.add_patch(Rectangle((2, 2), 96, 52, fill=False, lw=3, ec=INK))
ax.text(
    50,
    58.5,
    "Denah kelas rangkap: kelas 1 dan kelas 2",
    ha="center",
    va="center",
    fontsize=15,
    weight="bold",
    color=INK,
)

# Papan utama (dinding depan) dan papan kedua (dinding kanan)
ax.add_patch(Rectangle((10, 51), 34, 3, color="#444444"))
ax.text(27, 48.6, "Papan utama", ha="center", fontsize=11, color=INK)
ax.add_patch(Rectangle((95, 14), 3, 28, color="#444444"))
ax.text(93.6, 28, "Papan kedua\n(karton)", ha="right", va="center", fontsize=11, color=INK)

# Kelas 1: tiga baris menghadap papan utama
for _row, y in enumerate((42, 35, 28)):
    ax.add_patch(Rectangle((11, y - 1.6), 32, 3.2, fc="#eeeeee", ec="#999999"))
    for x in (14, 20, 26, 32, 38):
        ax.add_patch(Circle((x, y - 3.6), 1.7, color=K1))
ax.text(
    24,
    18.3,
    "Kelas 1 menghadap papan utama",
    ha="center",
    fontsize=11,
    color="#b35c1e",
    weight="bold",
)

# Kelas 2: tiga meja kelompok, menghadap papan kedua
for cx, cy in ((72, 43), (72, 28), (72, 13)):
    ax.add_patch(
        FancyBboxPatch(
            (cx - 6, cy - 3), 12, 6, boxstyle="round,pad=0.4", fc="#eeeeee", ec="#999999"
        )
    )
    for dx, dy in ((-4, 4.8), (0, 4.8), (4, 4.8), (-4, -4.8), (0, -4.8), (4, -4.8)):
        ax.add_patch(Circle((cx + dx, cy + dy), 1.6, color=K2))
ax.text(72, 50.6, "Kelas 2 berkelompok", ha="center", fontsize=11, color="#1d6d64", weight="bold")

# Guru: titik yang bisa melihat semua anak
ax.add_patch(Circle((53, 28), 2.6, color="#e63946"))
ax.text(53, 28, "G", ha="center", va="center", fontsize=13, color="white", weight="bold")
ax.text(
    51,
    24,
    "Guru: dari sini\nterlihat semua anak",
    ha="center",
    va="top",
    fontsize=10,
    color="#a4161a",
    zorder=5,
    bbox=dict(fc="white", ec="none", pad=1),
)
for tx, ty in ((42, 36), (65.5, 43), (65.5, 13)):
    ax.plot([53, tx], [28, ty], ls=":", lw=1.5, color="#e63946")

# Pojok kartu tugas dan buku
ax.add_patch(Rectangle((3, 3), 22, 9, fc="#fff3b0", ec="#b59b00", lw=1.5))
ax.text(14, 7.5, "Pojok kartu tugas\ndan buku", ha="center", va="center", fontsize=10.5, color=INK)

# Pintu dan jendela
ax.plot([40, 50], [2, 2], lw=6, color="white")
ax.text(45, 3.6, "Pintu", ha="center", fontsize=10, color=INK)
ax.plot([2, 2], [20, 40], lw=6, color="#a8dadc")
ax.text(3.2, 30, "Jendela", rotation=90, ha="left", va="center", fontsize=10, color="#457b9d")

out = Path(__file__).with_suffix(".png")
fig.savefig(out, dpi=100, facecolor="white")
print(out, out.stat().st_size)
