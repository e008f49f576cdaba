"""Server-drawn SVG bar charts for the reports page (pure: no Flask, no SQLAlchemy).

Two kinds: ``column_chart`` (vertical bars, one per month across the period) and
``bar_chart`` (horizontal bars, one per category, the label above its bar). Each chart is
an ``<svg role="img">`` labelled by its ``<title>`` and described by a ``<desc>`` that
reads the figures out, so a screen reader hears the numbers; the table beside the chart is
still the source of truth. Every value is printed on its bar. The drawing is sized in
``viewBox`` units for a phone (340 wide) and scales with the page (``width="100%"``), so
labels sized here stay readable at 390 px; long labels wrap onto more lines. Colours: dark
teal bars and near-black text on white (both well over 4.5:1). All text is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 340  # viewBox units; about a phone's width in CSS pixels, so 1 unit ≈ 1 px there
FONT = 15  # category labels and values
SMALL = 13  # month labels and values under/over columns
CHAR = 0.6  # the average width of a character, in ems (system sans-serif, a little generous)
BAR_FILL = "#1f5f5b"  # the brand teal: 7.4:1 against white
INK = "#1d1f24"
LINE = "#6b665e"  # the baseline: 5.6:1 against white
MONTHS_AS_COLUMNS = 12  # more months than this are drawn as horizontal bars instead

_ID = re.compile(r"[a-z][a-z0-9-]{0,60}")


@dataclass(frozen=True)
class Bar:
    """One bar: what it stands for, its value, and how the value is written."""

    label: str  # in full: "October 2026", "Midwife"
    value: float
    shown: str = ""  # the value as printed ("1,234", "3.5"); default: the value with commas
    short: str = ""  # a column's label under the axis ("Oct"); default: the label
    note: str = ""  # a second line under a column (the year, under January and the first)

    @property
    def text(self) -> str:
        return self.shown or number(self.value)


def number(value: float) -> str:
    """A count with thousands separators; a fraction with one decimal."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width of ``text`` at ``size`` units."""
    return len(text) * size * CHAR


def wrap(text: str, width: float, size: float = FONT) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a long word alone)."""
    limit = max(1, int(width / (size * CHAR)))
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > limit:  # a word longer than a line is cut (rare: long names)
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:limit])
            word = word[limit:]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= limit:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    return lines


def describe(title: str, bars: Sequence[Bar], *, left_out: str = "") -> str:
    """The ``<desc>``: the title, then every bar's label and value, in order."""
    if not bars:
        return f"{title}: none in this period."
    figures = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    described = f"{title}. {figures}."
    return f"{described} {left_out}" if left_out else described


def _fmt(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(chart_id: str, height: float, title: str, desc: str) -> list[str]:
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"{chart_id!r} is not a chart id (lower-case letters, digits, -)")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="100%" viewBox="0 0 {WIDTH} {_fmt(height)}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _svg(head: list[str], parts: list[str]) -> Markup:
    """The finished chart, marked safe for templates: every text in it went through escape."""
    return Markup("".join([*head, *parts, "</svg>"]))  # noqa: S704 (escaped piece by piece)


def _text(x: float, y: float, content: str, *, size: float, anchor: str = "start") -> str:
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{_fmt(size)}" fill="{INK}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, left_out: str = "") -> Markup:
    """Horizontal bars, one per category: the label above, the value after the bar's end.

    ``left_out`` is a sentence added to the description (categories not drawn, say).
    """
    bar_height, gap, line_height, top = 20.0, 14.0, FONT * 1.25, 4.0
    widest_value = max((text_width(bar.text, FONT) for bar in bars), default=0.0)
    room = WIDTH - widest_value - 8  # the longest bar leaves room for its value
    top_value = max((bar.value for bar in bars), default=0.0)
    parts: list[str] = []
    y = top
    for bar in bars:
        for line in wrap(bar.label, WIDTH):
            y += line_height
            parts.append(_text(0, y - 3, line, size=FONT))
        length = room * bar.value / top_value if top_value > 0 else 0.0
        if bar.value > 0:
            length = max(length, 2.0)  # a small count still shows a sliver
            parts.append(
                f'<rect x="0" y="{_fmt(y + 2)}" width="{_fmt(length)}" '
                f'height="{_fmt(bar_height)}" fill="{BAR_FILL}"/>'
            )
        baseline = y + 2 + bar_height / 2 + FONT * 0.35
        parts.append(_text(length + 5, baseline, bar.text, size=FONT))
        y += 2 + bar_height + gap
    height = max(y, 30.0)
    desc = describe(title, bars, left_out=left_out)
    return _svg(_open(chart_id, height, title, desc), parts)


def column_chart(chart_id: str, title: str, bars: Sequence[Bar]) -> Markup:
    """Vertical bars, one per month, left to right; more than 12 months become ``bar_chart``.

    Values sit on top of their bars, written upwards when a value is wider than its column.
    """
    if len(bars) > MONTHS_AS_COLUMNS or not bars:
        return bar_chart(chart_id, title, bars)
    slot = WIDTH / len(bars)
    column = min(slot * 0.7, 48.0)
    rotate = any(text_width(bar.text, SMALL) > slot - 2 for bar in bars)
    value_room = max(text_width(bar.text, SMALL) for bar in bars) + 6 if rotate else SMALL + 6
    plot_top, plot_height = value_room, 120.0
    axis = plot_top + plot_height
    label_lines = 2 if any(bar.note for bar in bars) else 1
    height = axis + 6 + label_lines * (SMALL * 1.3)
    top_value = max(bar.value for bar in bars)
    parts: list[str] = []
    for index, bar in enumerate(bars):
        centre = slot * index + slot / 2
        length = plot_height * bar.value / top_value if top_value > 0 else 0.0
        if bar.value > 0:
            length = max(length, 2.0)
            parts.append(
                f'<rect x="{_fmt(centre - column / 2)}" y="{_fmt(axis - length)}" '
                f'width="{_fmt(column)}" height="{_fmt(length)}" fill="{BAR_FILL}"/>'
            )
        if rotate:
            x, y = centre + SMALL * 0.35, axis - length - 4
            parts.append(
                f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{SMALL}" fill="{INK}" '
                f'transform="rotate(-90 {_fmt(x)} {_fmt(y)})">{escape(bar.text)}</text>'
            )
        else:
            parts.append(_text(centre, axis - length - 4, bar.text, size=SMALL, anchor="middle"))
        label_y = axis + 6 + SMALL
        parts.append(_text(centre, label_y, bar.short or bar.label, size=SMALL, anchor="middle"))
        if bar.note:
            parts.append(
                _text(centre, label_y + SMALL * 1.3, bar.note, size=SMALL, anchor="middle")
            )
    parts.append(
        f'<line x1="0" y1="{_fmt(axis)}" x2="{WIDTH}" y2="{_fmt(axis)}" '
        f'stroke="{LINE}" stroke-width="1"/>'
    )
    desc = describe(title, bars)
    return _svg(_open(chart_id, height, title, desc), parts)
