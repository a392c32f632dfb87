"""`python -m bench.chart_memory`: how the process grows while it draws charts.

The soak draws the poll-result charts of 80 KKGs late in its run, so its memory figure
mixes the drawing library's warm-up (font and glyph caches) with anything that might leak. This
draws the same kind of chart many times in a fresh process and prints the RSS after
1, 10, 50, 100, ... charts: a plateau is a warm-up, steady growth would be a leak.
"""

from __future__ import annotations

import argparse
import gc
import random

from kkgbot.charts import bar_chart_png

MARKS = (1, 10, 50, 100, 200, 300, 400, 600, 800)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charts", type=int, default=800)
    charts = parser.parse_args().charts
    rng = random.Random(1)
    print("charts   rss_mb")
    print(f"{0:>6}   {rss_mb():.1f}")
    figures = {"rss_start_mb": round(rss_mb(), 1)}
    for i in range(1, charts + 1):
        n = rng.randint(2, 8)
        bar_chart_png(
            title=f"Hasil survei KKG Gugus {i}",
            labels=[f"Topik {rng.randint(1, 500)} literasi dan numerasi" for _ in range(n)],
            values=[rng.randint(0, 30) for _ in range(n)],
            subtitle=f"{rng.randint(1, 40)} dari 40 anggota menjawab",
            notes=[f"{rng.randint(0, 100)}%" for _ in range(n)],
        )
        if i in MARKS or i == charts:
            gc.collect()
            print(f"{i:>6}   {rss_mb():.1f}")
            figures[f"rss_after_{i}_mb"] = round(rss_mb(), 1)
    if charts > 200:  # the caches are warm by 200 charts (measured 2026-11-24)
        last = figures[f"rss_after_{charts}_mb"]
        figures["growth_after_200_mb"] = round(last - figures["rss_after_200_mb"], 1)
    for key, value in figures.items():
        print(f"bench.chart_memory.{key} = {value}")


if __name__ == "__main__":
    main()
