"""Read the report page's tables and charts back from its HTML (the standard library's parser)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, str]] = {}
        self.charts: dict[str, str] = {}  # svg id -> its desc
        self.captions: dict[str, str] = {}  # table key -> its caption
        self._key = ""
        self._in_head = False
        self._cells: list[str] = []
        self._text: list[str] | None = None
        self._where = ""
        self._svg: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._key = (dict(attrs).get("id") or "").removeprefix("t-")
            self.tables[self._key] = {}
        elif tag in ("caption", "th", "td", "desc"):
            self._text = []
            self._where = tag
        elif tag == "tr":
            self._cells = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "svg":
            self._svg = dict(attrs).get("id") or ""
        elif tag == "span" and self._text is not None and dict(attrs).get("class") == "sub":
            self._text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("caption", "th", "td", "desc") and self._text is not None:
            text = " ".join("".join(self._text).split())
            if tag == "caption":
                self.captions[self._key] = text
            elif tag == "desc" and self._svg is not None:
                self.charts[self._svg] = text
            else:
                self._cells.append(text)
            self._text = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "tr" and self._key and len(self._cells) == 2 and not self._in_head:
            self.tables[self._key][self._cells[0]] = self._cells[1]
        elif tag == "table":
            self._key = ""
        elif tag == "svg":
            self._svg = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read(html: str) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """(table key -> {first cell: second cell}, chart id -> its description)."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables, parser.charts
