"""Charts drawn on the server as inline SVG: no script, no CDN, nothing the page's CSP must allow."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#2f6fb5", "#e0882b", "#3c9a4b", "#c4413b", "#7d5ba6")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 220, 44, 24, 12


def line_chart(labels: list[str], series: dict[str, list[int]], *, title: str) -> SafeString:
    """One line per series over ``labels`` (x), a y axis from 0 to the largest value, a legend; every text
    escaped. ``title`` is the chart's accessible name."""
    top = max([1, *(value for values in series.values() for value in values)])
    span = max(1, len(labels) - 1)

    def x(index: int) -> float:
        return LEFT + (WIDTH - LEFT - 8) * index / span

    def y(value: int) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)

    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT + 22}" '
        f'width="100%" style="max-width:{WIDTH}px" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{y(0)}" x2="{WIDTH - 8}" y2="{y(0)}" stroke="#999"/>',
        f'<line x1="{LEFT}" y1="{y(top)}" x2="{WIDTH - 8}" y2="{y(top)}" stroke="#ddd"/>',
        f'<text x="{LEFT - 6}" y="{y(top) + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{LEFT - 6}" y="{y(0) + 4}" text-anchor="end" font-size="11">0</text>',
    ]
    anchors = {0: "start", span // 2: "middle", span: "end"}
    parts.extend(
        f'<text x="{x(index)}" y="{HEIGHT - 6}" text-anchor="{anchor}" font-size="11">{escape(labels[index])}</text>'
        for index, anchor in sorted(anchors.items())
        if index < len(labels)
    )
    for number, (name, values) in enumerate(series.items()):
        colour = COLOURS[number % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(value):.1f}" for i, value in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        legend_x = LEFT + number * 130
        parts.append(f'<rect x="{legend_x}" y="{HEIGHT + 8}" width="10" height="10" fill="{colour}"/>')
        parts.append(
            f'<text x="{legend_x + 14}" y="{HEIGHT + 17}" font-size="12">{escape(name)} ({sum(values)})</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def progress_bar(done: int, total: int) -> SafeString:
    """A labelled <progress> element: ``done`` of ``total``."""
    percent = 100.0 * done / total if total else 0.0
    return mark_safe(
        f'<progress value="{done}" max="{max(total, 1)}" style="width:16em"></progress> '
        f"{done:,} of {total:,} ({percent:.1f} %)"
    )
