"""Jadwal bergantian untuk dua kelas dalam satu ruang (2 jam pelajaran = 70 menit).

Jalankan: python config/content/kelas-rangkap/pictures/jadwal-dua-kelas.py
Menulis jadwal-dua-kelas.png di sebelah skrip ini.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

plt.rcParams["font.family"] = "DejaVu Sans"

GURU = "#e63946"  # bersama guru
MANDIRI = "#a8dadc"  # mandiri
BERSAMA = "#f4a261"  # seluruh kelas
PASANGAN = "#e9c46a"  # berpasangan
INK = "#222222"

fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
fig.patch.set_facecolor("white")
fig.subplots_adjust(left=0.13, right=0.98, top=0.86, bottom=0.24)
ax.set_xlim(0, 70)
ax.set_ylim(0.6, 3.3)

ROW = {"Kelas 1": 2.0, "Kelas 2": 0.8}
H = 0.9


def block(x0, x1, y, color, label, h=H, size=11, text_color=INK):
    ax.add_patch(Rectangle((x0, y), x1 - x0, h, fc=color, ec="white", lw=2))
    ax.text(
        (x0 + x1) / 2,
        y + h / 2,
        label,
        ha="center",
        va="center",
        fontsize=size,
        color=text_color,
        weight="bold",
    )


# Kegiatan seluruh kelas: satu blok yang menutup kedua baris
both_y, both_h = ROW["Kelas 2"], ROW["Kelas 1"] + H - ROW["Kelas 2"]
block(0, 10, both_y, BERSAMA, "Pem-\nbukaan\nbersama", h=both_h)
block(60, 70, both_y, BERSAMA, "Penutup\nbersama", h=both_h)

block(10, 30, ROW["Kelas 1"], GURU, "Bersama guru", text_color="white")
block(10, 30, ROW["Kelas 2"], MANDIRI, "Mandiri:\nkartu tugas")
block(30, 50, ROW["Kelas 1"], MANDIRI, "Mandiri:\nlatihan")
block(30, 50, ROW["Kelas 2"], GURU, "Bersama guru", text_color="white")
block(50, 60, ROW["Kelas 1"], PASANGAN, "Ber-\npasangan", size=10)
block(50, 60, ROW["Kelas 2"], PASANGAN, "Ber-\npasangan", size=10)

ax.text(-0.8, 3.08, "Guru di:", ha="right", va="center", fontsize=11, color=GURU, weight="bold")
for x, where in ((5, "semua"), (20, "kelas 1"), (40, "kelas 2"), (55, "keliling"), (65, "semua")):
    ax.text(x, 3.08, where, ha="center", va="center", fontsize=11, color=GURU)

ax.set_yticks([ROW["Kelas 1"] + H / 2, ROW["Kelas 2"] + H / 2])
ax.set_yticklabels(["Kelas 1", "Kelas 2"], fontsize=13, weight="bold")
ax.set_xticks([0, 10, 30, 50, 60, 70])
ax.set_xticklabels(["0", "10", "30", "50", "60", "70"], fontsize=11)
ax.set_xlabel("menit", fontsize=12)
ax.tick_params(length=0)
for side in ("top", "right", "left"):
    ax.spines[side].set_visible(False)

fig.suptitle(
    "Satu pelajaran, dua kelas: bergantian bersama guru", fontsize=15, weight="bold", color=INK
)
fig.legend(
    handles=[
        Patch(color=GURU, label="Bersama guru"),
        Patch(color=MANDIRI, label="Mandiri"),
        Patch(color=PASANGAN, label="Berpasangan"),
        Patch(color=BERSAMA, label="Seluruh kelas"),
    ],
    loc="lower center",
    ncol=4,
    fontsize=11,
    frameon=False,
    bbox_to_anchor=(0.55, 0.01),
)

out = Path(__file__).with_suffix(".png")
fig.savefig(out, dpi=100, facecolor="white")
print(out, out.stat().st_size)
