"""Charts drawn on the server as SVG: no script, no CDN, a few hundred bytes each."""

from __future__ import annotations

from markupsafe import Markup


def sparkline(
    values: list[float | None], *, width: int = 96, height: int = 24, top: float | None = None
) -> Markup:
    """A 12-week trend line; gaps (no data that week) break the line."""
    points = [v for v in values if v is not None]
    if len(points) < 2:
        return Markup("")
    high = top if top is not None else max(points)
    low = min(0.0, min(points))
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    segments: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
            continue
        y = height - 2 - (v - low) / span * (height - 4)
        segments[-1].append(f"{i * step:.1f},{y:.1f}")
    lines = "".join(f'<polyline points="{" ".join(s)}"/>' for s in segments if len(s) > 1)
    last = values[-1]
    dot = ""
    if last is not None:
        y = height - 2 - (last - low) / span * (height - 4)
        dot = f'<circle cx="{(len(values) - 1) * step:.1f}" cy="{y:.1f}" r="2"/>'
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-hidden="true">{lines}{dot}</svg>'
    )
