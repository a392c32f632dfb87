"""Jadwal bergambar untuk satu hari sekolah, dengan penjepit “sekarang” dan centang “selesai”.

Jalankan: python config/content/pendidikan-inklusif/pictures/jadwal-bergambar.py
Menulis jadwal-bergambar.png di sebelah skrip ini.
"""

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch, Polygon, Rectangle  # noqa: E402

plt.rcParams["font.family"] = "DejaVu Sans"

INK = "#222222"
CARD = "#fdf6e3"

fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
fig.patch.set_facecolor("white")
fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
ax.set_xlim(0, 100)
ax.set_ylim(0, 62)
ax.set_aspect("equal")
ax.axis("off")

ax.text(
    50,
    57,
    "Jadwal bergambar hari ini",
    ha="center",
    va="center",
    fontsize=17,
    weight="bold",
    color=INK,
)
ax.text(
    50,
    51.5,
    "Tempel setinggi mata anak. Pindahkan penjepit setiap kegiatan berganti.",
    ha="center",
    va="center",
    fontsize=10.5,
    color="#555555",
)


def salam(cx, cy):  # matahari pagi: salam dan doa di awal hari
    for k in range(8):
        a = k * math.pi / 4
        ax.plot(
            [cx + 4.6 * math.cos(a), cx + 6.8 * math.cos(a)],
            [cy + 4.6 * math.sin(a), cy + 6.8 * math.sin(a)],
            color="#e9a23b",
            lw=2.5,
        )
    ax.add_patch(Circle((cx, cy), 3.8, fc="#f6c85f", ec="#e9a23b", lw=2))


def buku(cx, cy):  # buku terbuka
    ax.add_patch(
        Polygon(
            [(cx - 6, cy - 4), (cx, cy - 5), (cx, cy + 4), (cx - 6, cy + 5)],
            fc="white",
            ec="#264653",
            lw=2,
        )
    )
    ax.add_patch(
        Polygon(
            [(cx + 6, cy - 4), (cx, cy - 5), (cx, cy + 4), (cx + 6, cy + 5)],
            fc="white",
            ec="#264653",
            lw=2,
        )
    )
    for dy in (2, 0, -2):
        ax.plot([cx - 5, cx - 1], [cy + dy, cy + dy - 0.4], color="#264653", lw=1)
        ax.plot([cx + 1, cx + 5], [cy + dy - 0.4, cy + dy], color="#264653", lw=1)


def hitung(cx, cy):  # 2 + 3 dengan titik
    ax.text(
        cx, cy + 2.2, "2 + 3", ha="center", va="center", fontsize=15, weight="bold", color="#e76f51"
    )
    for i in range(5):
        ax.add_patch(Circle((cx - 5 + i * 2.5, cy - 3.5), 0.9, color="#e76f51"))


def bola(cx, cy):  # bola untuk istirahat
    ax.add_patch(Circle((cx, cy), 5, fc="#2a9d8f", ec=INK, lw=1.5))
    ax.plot([cx - 5, cx + 5], [cy, cy], color="white", lw=2)
    ax.plot([cx, cx], [cy - 5, cy + 5], color="white", lw=2)


def gambar(cx, cy):  # pensil untuk menggambar
    ax.add_patch(Rectangle((cx - 6, cy - 1.5), 9, 3, fc="#f4a261", ec=INK, lw=1.5))
    ax.add_patch(
        Polygon(
            [(cx + 3, cy - 1.5), (cx + 6, cy), (cx + 3, cy + 1.5)], fc="#fde2c0", ec=INK, lw=1.5
        )
    )
    ax.add_patch(Rectangle((cx - 7.5, cy - 1.5), 1.5, 3, fc="#e76f51", ec=INK, lw=1.5))


def rumah(cx, cy):  # rumah untuk pulang
    ax.add_patch(Rectangle((cx - 4.5, cy - 5), 9, 6, fc="#e9c46a", ec=INK, lw=1.5))
    ax.add_patch(
        Polygon([(cx - 6, cy + 1), (cx, cy + 6), (cx + 6, cy + 1)], fc="#e76f51", ec=INK, lw=1.5)
    )
    ax.add_patch(Rectangle((cx - 1.2, cy - 5), 2.4, 3.5, fc="#8d5524"))


kegiatan = [
    (salam, "Salam\ndan doa"),
    (buku, "Membaca"),
    (hitung, "Berhitung"),
    (bola, "Istirahat"),
    (gambar, "Menggambar"),
    (rumah, "Pulang"),
]
W, GAP, X0, Y0, H = 14.5, 1.6, 4.0, 14, 30
SEKARANG = 2  # kegiatan yang sedang berjalan

for i, (ikon, nama) in enumerate(kegiatan):
    x = X0 + i * (W + GAP)
    selesai = i < SEKARANG
    ax.add_patch(
        FancyBboxPatch(
            (x, Y0),
            W,
            H,
            boxstyle="round,pad=0.3",
            fc="#eeeeee" if selesai else CARD,
            ec="#e63946" if i == SEKARANG else "#999999",
            lw=3.5 if i == SEKARANG else 1.5,
        )
    )
    ikon(x + W / 2, Y0 + 18)
    ax.text(
        x + W / 2, Y0 + 5.5, nama, ha="center", va="center", fontsize=10, weight="bold", color=INK
    )
    ax.text(
        x + W / 2, Y0 + H + 2.2, str(i + 1), ha="center", va="center", fontsize=11, color="#555555"
    )
    if selesai:
        ax.text(
            x + W - 2.2,
            Y0 + H - 3,
            "✓",
            ha="center",
            va="center",
            fontsize=22,
            color="#2a9d8f",
            weight="bold",
        )

# Penjepit jemuran sebagai penanda “sekarang”
px = X0 + SEKARANG * (W + GAP) + W / 2
ax.add_patch(Rectangle((px - 1.3, Y0 - 7.5), 2.6, 8.5, fc="#8d5524", ec=INK, lw=1.2))
ax.text(
    px, Y0 - 10.5, "Sekarang", ha="center", va="center", fontsize=12, weight="bold", color="#e63946"
)
ax.text(
    X0 + 0.5 * (W + GAP) + W / 2,
    Y0 - 5,
    "✓ = sudah selesai",
    ha="center",
    va="center",
    fontsize=11,
    color="#2a9d8f",
)

out = Path(__file__).with_suffix(".png")
fig.savefig(out, dpi=100, facecolor="white")
print(out, out.stat().st_size)
