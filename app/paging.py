"""One page of a long list: which rows it holds and the links to the others (pure).

Every list page shows at most ``PAGE_SIZE`` rows. The count comes from SQL (``app.paging_sql``);
this module turns a requested page number and that count into the page to show: a number
past the last page shows the last page, anything below 1 the first. The template macro
``macros/pager.html`` draws the "Showing 51\u2013100 of 2,260" line and the page links.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 50
#: page links either side of the current one (the first and last are always linked)
NEAR = 2


@dataclass(frozen=True)
class Page:
    number: int
    total: int
    size: int = PAGE_SIZE

    @classmethod
    def at(cls, number: int, total: int, size: int = PAGE_SIZE) -> Page:
        """The page ``number`` of ``total`` rows, kept within the pages there are."""
        pages = max(1, -(-total // size))
        return cls(min(max(1, number), pages), total, size)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first row; 0 when there are none."""
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        """The position of the page's last row."""
        return min(self.offset + self.size, self.total)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    def links(self) -> list[int | None]:
        """The page numbers to link, in order, None for a gap: 1 … 4 5 6 7 8 … 46."""
        wanted = {1, self.pages, *range(self.number - NEAR, self.number + NEAR + 1)}
        shown = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in shown:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out

    def summary(self) -> str:
        """Showing 51\u2013100 of 2,260 (or "Showing all 12", "Nothing to show")."""
        if not self.total:
            return "Nothing to show"
        if self.pages == 1:
            return f"Showing all {self.total:,}"
        if self.first == self.last:
            return f"Showing {self.first:,} of {self.total:,}"
        return f"Showing {self.first:,}\N{EN DASH}{self.last:,} of {self.total:,}"
