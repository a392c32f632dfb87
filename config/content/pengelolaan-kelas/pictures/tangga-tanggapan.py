"""Tangga tanggapan saat kelas terganggu: mulai dari langkah paling ringan.

Jalankan: python config/content/pengelolaan-kelas/pictures/tangga-tanggapan.py
Menulis tangga-tanggapan.png di sebelah skrip ini.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

plt.rcParams["font.family"] = "DejaVu Sans"

fig = plt.figure(figsize=(8, 5), dpi=100, facecolor="white")
ax = fig.add_axes((0, 0, 1, 1))
ax.set_xlim(0, 100)
ax.set_ylim(0, 62.5)
ax.axis("off")

ax.text(
    50,
    58.5,
    "Saat kelas terganggu: naik satu anak tangga hanya jika perlu",
    ha="center",
    va="center",
    fontsize=14.5,
    fontweight="bold",
)

STEPS = [
    ("1", "Tatap, lalu berdiri di\ndekatnya sambil mengajar", "#c6f6d5"),
    ("2", "Sebut namanya pelan dan\napa yang harus dilakukan", "#fefcbf"),
    ("3", "Beri dua pilihan yang\nsama-sama baik", "#feebc8"),
    ("4", "Bicara berdua\nsetelah pelajaran", "#fed7d7"),
]
W, H = 37, 9.5
for i, (num, label, color) in enumerate(STEPS):
    x, y = 3 + i * 19.5, 8 + i * 11.5
    ax.add_patch(
        FancyBboxPatch(
            (x, y),
            W,
            H,
            boxstyle="round,pad=0.3,rounding_size=1.2",
            facecolor=color,
            edgecolor="#4a5568",
            lw=1.5,
        )
    )
    ax.text(
        x + 2.6,
        y + H / 2,
        num,
        ha="center",
        va="center",
        fontsize=20,
        fontweight="bold",
        color="#2d3748",
    )
    ax.text(x + 5.2, y + H / 2, label, ha="left", va="center", fontsize=12, color="#1a202c")

ax.text(
    3,
    44,
    "Sering kali gangguan sudah\nberhenti di langkah 1 atau 2.",
    fontsize=12.5,
    va="center",
    color="#2f855a",
)
ax.add_patch(
    FancyBboxPatch(
        (3, 0.8),
        94,
        4.6,
        boxstyle="round,pad=0.3,rounding_size=1",
        facecolor="#edf2f7",
        edgecolor="none",
    )
)
ax.text(
    50,
    3.1,
    "Selalu: tetap tenang, suara pelan. Tanpa memukul, tanpa mempermalukan.",
    ha="center",
    va="center",
    fontsize=12,
    color="#1a202c",
)

fig.savefig(Path(__file__).with_suffix(".png"), dpi=100, facecolor="white")
