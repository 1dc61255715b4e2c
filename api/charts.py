"""Charts drawn on the server as inline SVG: no script, no CDN, nothing the page's CSP must allow.

Both kinds share one frame: a y axis from 0 to a round value above the largest one, with 4 labelled grid
lines, at most ``X_LABELS`` dates along the x axis, and a legend below that wraps. Every text is escaped; a
point or bar carries a ``<title>`` (the browser shows its value on hover, without script)."""

import math
from collections.abc import Callable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#2f6fb5", "#e0882b", "#3c9a4b", "#c4413b", "#7d5ba6", "#17a2b8", "#8c6d31")
WIDTH, HEIGHT, LEFT, RIGHT, BOTTOM, TOP = 720, 220, 52, 12, 24, 12
X_LABELS = 8  # dates written under the x axis, at most
MARKERS_UNDER = 40  # points are drawn as dots when a series has fewer
BARS_UP_TO = 16  # labels: ``chart`` draws bars up to this many, lines beyond
WIDE = 960  # px: a chart that has the page's width (the analytics pages)
LEGEND_ROW, CHAR_WIDTH = 18, 7  # px: a legend line, the width of a character of it (about)


def _tick_step(largest: float, *, whole: bool) -> float:
    """The step between the 4 grid lines above 0: 1, 2, 2.5 or 5 × 10ⁿ, so that 4 steps reach ``largest``;
    ``whole`` (counts): a whole number, at least 1."""
    wanted = largest / 4
    if wanted <= 0:
        return 1 if whole else 0.25
    power = 10 ** math.floor(math.log10(wanted))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= wanted and (not whole or float(step).is_integer()):
            return max(step, 1) if whole else step
    return 10 * power  # pragma: no cover (the loop always returns)


def _number(value: float, unit: str) -> str:
    text = f"{value:,.1f}".removesuffix(".0") if isinstance(value, float) else f"{value:,}"
    return f"{text}{unit}"


class _Frame:
    def __init__(self, labels: list[str], series: dict[str, list], *, title: str, unit: str, bars: bool, width: int):
        self.labels, self.series, self.unit, self.bars, self.width = labels, series, unit, bars, width
        largest = max([0, *(value for values in series.values() for value in values)])
        self.top = 4 * _tick_step(largest, whole=not unit)
        self.slots = max(1, len(labels) - (0 if bars else 1))
        self.legend = self._legend_rows()
        height = HEIGHT + 12 + LEGEND_ROW * len(self.legend)
        self.parts = [
            f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
            f'width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
            f"<title>{escape(title)}</title>",
        ]

    def x(self, index: float) -> float:
        return LEFT + (self.width - LEFT - RIGHT) * index / self.slots

    def y(self, value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / self.top)

    def axes(self) -> None:
        for tick in range(5):
            value = self.top * tick / 4
            colour = "#999" if tick == 0 else "#e4e4e4"
            self.parts.append(
                f'<line x1="{LEFT}" y1="{self.y(value):.1f}" x2="{self.width - RIGHT}" y2="{self.y(value):.1f}" '
                f'stroke="{colour}"/>'
                f'<text x="{LEFT - 6}" y="{self.y(value) + 4:.1f}" text-anchor="end" font-size="11" fill="#444">'
                f"{escape(_number(value if self.unit else int(value), self.unit))}</text>"
            )
        count = len(self.labels)
        # As many labels as fit side by side (the longest sets the room each needs), X_LABELS at most.
        room = CHAR_WIDTH * max([1, *map(len, self.labels)]) + 24
        fit = max(2, min(X_LABELS, int((self.width - LEFT - RIGHT) // room)))
        every = max(1, math.ceil(count / fit))
        shift = 0.5 if self.bars else 0
        for index in range(0, count, every):
            anchor = "middle"
            if not self.bars and index == 0:
                anchor = "start"
            elif not self.bars and index == count - 1:
                anchor = "end"
            self.parts.append(
                f'<line x1="{self.x(index + shift):.1f}" y1="{HEIGHT - BOTTOM}" x2="{self.x(index + shift):.1f}" '
                f'y2="{HEIGHT - BOTTOM + 4}" stroke="#999"/>'
                f'<text x="{self.x(index + shift):.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}" font-size="11" '
                f'fill="#444">{escape(self.labels[index])}</text>'
            )

    def _legend_rows(self) -> list[list[tuple[int, str]]]:
        rows, width = [[]], LEFT
        for number, name in enumerate(self.series):
            text = self.legend_text(name)
            needed = 24 + CHAR_WIDTH * len(text)
            if rows[-1] and width + needed > self.width:
                rows.append([])
                width = LEFT
            rows[-1].append((number, text))
            width += needed
        return rows

    def legend_text(self, name: str) -> str:
        if self.unit:  # a rate: its values do not add up
            return name
        return f"{name} ({_number(sum(self.series[name]), '')})"

    def draw_legend(self) -> None:
        for row, entries in enumerate(self.legend):
            x, top = LEFT, HEIGHT + 10 + LEGEND_ROW * row
            for number, text in entries:
                colour = COLOURS[number % len(COLOURS)]
                self.parts.append(
                    f'<rect x="{x}" y="{top}" width="12" height="12" rx="2" fill="{colour}"/>'
                    f'<text x="{x + 16}" y="{top + 10}" font-size="12" fill="#222">{escape(text)}</text>'
                )
                x += 24 + CHAR_WIDTH * len(text)

    def point_title(self, name: str, index: int, value) -> str:
        return f"<title>{escape(self.labels[index])} · {escape(name)}: {escape(_number(value, self.unit))}</title>"

    def svg(self) -> SafeString:
        self.draw_legend()
        return mark_safe("".join([*self.parts, "</svg>"]))


def line_chart(
    labels: list[str], series: dict[str, list], *, title: str, unit: str = "", width: int = WIDTH
) -> SafeString:
    """One line per series over ``labels`` (x); ``title`` is the chart's accessible name. ``unit`` (such as " %")
    follows each value; series with a unit are rates, their legend shows no total."""
    frame = _Frame(labels, series, title=title, unit=unit, bars=False, width=width)
    frame.axes()
    for number, (name, values) in enumerate(series.items()):
        colour = COLOURS[number % len(COLOURS)]
        points = " ".join(f"{frame.x(i):.1f},{frame.y(value):.1f}" for i, value in enumerate(values))
        frame.parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        if len(values) < MARKERS_UNDER:
            frame.parts.extend(
                f'<circle cx="{frame.x(i):.1f}" cy="{frame.y(value):.1f}" r="3" fill="{colour}">'
                f"{frame.point_title(name, i, value)}</circle>"
                for i, value in enumerate(values)
            )
    return frame.svg()


def bar_chart(
    labels: list[str], series: dict[str, list], *, title: str, unit: str = "", width: int = WIDTH
) -> SafeString:
    """Bars side by side per label, one colour per series (few labels: days of a week, months of a year)."""
    frame = _Frame(labels, series, title=title, unit=unit, bars=True, width=width)
    frame.axes()
    slot = frame.x(1) - frame.x(0)
    width = slot * 0.8 / max(1, len(series))
    for number, (name, values) in enumerate(series.items()):
        colour = COLOURS[number % len(COLOURS)]
        for index, value in enumerate(values):
            left = frame.x(index) + slot * 0.1 + width * number
            frame.parts.append(
                f'<rect x="{left:.1f}" y="{frame.y(value):.1f}" width="{max(width - 1, 1):.1f}" '
                f'height="{frame.y(0) - frame.y(value):.1f}" fill="{colour}">'
                f"{frame.point_title(name, index, value)}</rect>"
            )
    return frame.svg()


def chart(labels: list[str], series: dict[str, list], *, title: str, unit: str = "", width: int = WIDTH) -> SafeString:
    """Bars for a few labels, lines for many."""
    draw: Callable[..., SafeString] = bar_chart if len(labels) <= BARS_UP_TO else line_chart
    return draw(labels, series, title=title, unit=unit, width=width)


def progress_bar(done: int, total: int) -> SafeString:
    """A labelled <progress> element: ``done`` of ``total``."""
    percent = 100.0 * done / total if total else 0.0
    return mark_safe(
        f'<progress value="{done}" max="{max(total, 1)}" style="width:16em"></progress> '
        f"{done:,} of {total:,} ({percent:.1f} %)"
    )
