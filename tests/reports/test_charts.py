"""The reports' SVG charts (pure): accessible, escaped, scaled from 0 to large counts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from app.reports.charts import (
    BAR_FILL,
    FONT,
    INK,
    WIDTH,
    Bar,
    bar_chart,
    column_chart,
    describe,
    number,
    text_width,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (our own output)


def _rects(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(f"{SVG}rect")


def _texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.findall(f"{SVG}text")]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_a_bar_chart_is_an_image_labelled_by_its_title_and_described_by_its_figures() -> None:
    bars = [Bar("Midwife", 8), Bar("Health visitor", 3), Bar("Self-referral", 0)]
    svg = _parse(bar_chart("referrals-by-source", "Referrals by source", bars))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "referrals-by-source-title referrals-by-source-desc"
    assert svg.find(f"{SVG}title").get("id") == "referrals-by-source-title"  # type: ignore[union-attr]
    assert svg.findtext(f"{SVG}title") == "Referrals by source"
    assert svg.findtext(f"{SVG}desc") == (
        "Referrals by source. Midwife: 8; Health visitor: 3; Self-referral: 0."
    )
    assert svg.get("width") == "100%"
    assert svg.get("viewBox", "").startswith(f"0 0 {WIDTH} ")
    # every value printed; a zero draws no bar
    assert {"Midwife", "Health visitor", "Self-referral", "8", "3", "0"} <= set(_texts(svg))
    assert len(_rects(svg)) == 2


def test_bars_are_in_proportion_and_the_longest_leaves_room_for_its_value() -> None:
    bars = [Bar("a", 100), Bar("b", 50), Bar("c", 1)]
    widths = [float(r.get("width", "0")) for r in _rects(_parse(bar_chart("x", "X", bars)))]
    assert widths[0] == pytest.approx(2 * widths[1], rel=0.01)
    assert widths[0] + text_width("100", FONT) < WIDTH
    assert widths[2] >= 2  # a count of 1 among hundreds still shows


@pytest.mark.parametrize("top", [0, 1, 7, 1_000_000, 10**12])
def test_scales_work_from_nothing_to_huge_counts(top: int) -> None:
    for chart in (bar_chart, column_chart):
        svg = _parse(chart("c", "Counts", [Bar("one", top), Bar("two", top // 2)]))
        for rect in _rects(svg):
            x, width = float(rect.get("x", "0")), float(rect.get("width", "0"))
            assert x >= 0 and x + width <= WIDTH
            assert float(rect.get("height", "0")) > 0
        assert number(top) in _texts(svg)
        if top == 0:
            assert not _rects(svg)


def test_columns_by_month_label_months_and_years_and_rotate_wide_values() -> None:
    months = [
        Bar("November 2026", 4, short="Nov", note="2026"),
        Bar("December 2026", 6, short="Dec"),
        Bar("January 2027", 2, short="Jan", note="2027"),
    ]
    svg = _parse(column_chart("by-month", "Referrals by month", months))
    texts = _texts(svg)
    assert [t for t in texts if not t.isdigit() or len(t) == 4] == [
        "Nov", "2026", "Dec", "Jan", "2027"
    ]  # fmt: skip
    heights = [float(r.get("height", "0")) for r in _rects(svg)]
    assert heights[1] > heights[0] > heights[2]
    assert not any(t.get("transform") for t in svg.findall(f"{SVG}text"))
    twelve = [Bar(f"Month {i}", 123_456 + i, short=f"M{i}") for i in range(12)]
    wide = _parse(column_chart("wide", "Big", twelve))
    rotated = [t for t in wide.findall(f"{SVG}text") if t.get("transform")]
    assert len(rotated) == 12 and rotated[0].text == "123,456"


def test_more_than_twelve_months_are_drawn_as_rows() -> None:
    months = [Bar(f"Month {i}", i) for i in range(13)]
    svg = _parse(column_chart("long", "Long", months))
    assert "Month 12" in _texts(svg)
    widths = [float(r.get("width", "0")) for r in _rects(svg)]
    assert widths == sorted(widths)  # horizontal: the length grows with the value


def test_all_text_is_escaped() -> None:
    nasty = '<script>alert("x")</script> & Co'
    markup = str(bar_chart("e", nasty, [Bar(nasty, 1)]))
    assert "<script>" not in markup
    svg = _parse(markup)  # still well-formed XML
    assert svg.findtext(f"{SVG}title") == nasty
    assert nasty in _texts(svg)
    assert "&lt;script&gt;" in markup


def test_an_id_that_is_not_a_plain_token_is_refused() -> None:
    with pytest.raises(ValueError, match="chart id"):
        bar_chart('x" onload="alert(1)', "X", [Bar("a", 1)])


def test_long_labels_wrap_to_fit_a_phone() -> None:
    label = "Any other Black, Black British or Caribbean background"
    lines = wrap(label, WIDTH)
    assert len(lines) >= 1 and all(text_width(line, FONT) <= WIDTH for line in lines)
    assert " ".join(lines) == label
    narrow = wrap(label, 100)
    assert len(narrow) > 2 and " ".join(narrow) == label
    assert wrap("x" * 50, 60, size=13) == ["x" * 7] * 7 + ["x"]
    assert wrap("", 100) == [""]
    svg = _parse(bar_chart("w", "Wrapped", [Bar(label, 2)]))
    assert " ".join(t for t in _texts(svg) if t != "2") == " ".join(wrap(label, WIDTH))


def test_colours_have_enough_contrast_on_white() -> None:
    assert _contrast(BAR_FILL, "#ffffff") >= 4.5  # bars: non-text needs 3:1
    assert _contrast(INK, "#ffffff") >= 7


def test_the_description_lists_every_figure_or_says_there_are_none() -> None:
    assert describe("Flags by kind", []) == "Flags by kind: none in this period."
    bars = [Bar("Hours", 12.5), Bar("Contacts", 1234)]
    assert describe("Contacts", bars, left_out="Kinds with none are left out.") == (
        "Contacts. Hours: 12.5; Contacts: 1,234. Kinds with none are left out."
    )
    assert number(3.0) == "3" and number(2.25) == "2.2" and number(10**6) == "1,000,000"
    assert re.fullmatch(r"[\d,]+", number(10**12))
