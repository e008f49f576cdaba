"""The privacy notice's plain text read into blocks (no database)."""

from __future__ import annotations

from app.privacy.notice_text import (
    DEFAULT_NOTICE,
    RETENTION_PLACEHOLDER,
    Block,
    blocks,
    with_retention,
)


def test_blank_lines_make_paragraphs_and_marks_make_headings_and_lists() -> None:
    text = (
        "First line\ncarried on.\n\n# Heading\n- one\n  still one\n- two\n"
        "After the list.\r\n \r\nLast"
    )
    assert blocks(text) == [
        Block("paragraph", ("First line carried on.",)),
        Block("heading", ("Heading",)),
        Block("list", ("one still one", "two")),
        Block("paragraph", ("After the list.",)),
        Block("paragraph", ("Last",)),
    ]


def test_markup_stays_words() -> None:
    assert blocks("<script>alert(1)</script>") == [
        Block("paragraph", ("<script>alert(1)</script>",))
    ]


def test_the_default_says_what_the_brief_asks_and_takes_the_retention_period() -> None:
    assert RETENTION_PLACEHOLDER in DEFAULT_NOTICE
    text = with_retention(DEFAULT_NOTICE, 72)
    assert "72 months after your support ends" in text
    headings = [b.lines[0] for b in blocks(text) if b.kind == "heading"]
    assert headings == [
        "What we keep",
        "Why we keep it",
        "Who sees it",
        "How long we keep it",
        "Your rights",
        "How to ask",
    ]
    for words in ("consent", "legitimate interests", "safeguarding", "see everything", "delete"):
        assert words in text
