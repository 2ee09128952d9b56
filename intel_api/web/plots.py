"""Small SVG charts drawn on the server (no JavaScript, readable without colour: every bar is labelled
by its axis and carries a <title> for screen readers and hover)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 200
PAD_L, PAD_R, PAD_T, PAD_B = 36, 10, 12, 34


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # axis label (may be blank to thin the axis)
    value: float
    title: str  # full text for this bar


def bar_chart(
    bars: list[Bar], title: str, unit: str, reference: float | None = None, reference_label: str = ""
) -> Markup:
    top = max([b.value for b in bars] + ([reference] if reference else []) + [1.0])
    inner_w, inner_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    step = inner_w / max(1, len(bars))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD_L}" y1="{PAD_T + inner_h}" x2="{WIDTH - PAD_R}" '
        f'y2="{PAD_T + inner_h}" class="axis"/>',
        f'<text x="{PAD_L - 4}" y="{PAD_T + 8}" class="tick" text-anchor="end">{_fmt(top)}</text>',
        f'<text x="{PAD_L - 4}" y="{PAD_T + inner_h}" class="tick" text-anchor="end">0</text>',
        f'<text x="{PAD_L - 30}" y="{PAD_T + inner_h / 2}" class="tick" '
        f'transform="rotate(-90 {PAD_L - 26} {PAD_T + inner_h / 2})">{escape(unit)}</text>',
    ]
    every = max(1, len(bars) // 14)
    for i, b in enumerate(bars):
        h = inner_h * (b.value / top)
        x = PAD_L + i * step + step * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{PAD_T + inner_h - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
            f'class="bar"><title>{escape(b.title)}</title></rect>'
        )
        if b.label and i % every == 0:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - PAD_B + 14}" class="tick" '
                f'text-anchor="middle">{escape(b.label)}</text>'
            )
    if reference is not None:
        y = PAD_T + inner_h * (1 - reference / top)
        parts.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{WIDTH - PAD_R}" y2="{y:.1f}" class="reference"/>')
        parts.append(
            f'<text x="{WIDTH - PAD_R}" y="{y - 4:.1f}" class="tick" '
            f'text-anchor="end">{escape(reference_label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _fmt(v: float) -> str:
    return f"{v:.0f}" if v >= 10 or v == int(v) else f"{v:.1f}"
