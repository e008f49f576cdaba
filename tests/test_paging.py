"""app.paging: the page shown for a requested number and a count, its links (pure)."""

from __future__ import annotations

from app.paging import Page


def test_a_page_is_kept_within_the_pages_there_are() -> None:
    assert Page.at(0, 120).number == 1
    assert Page.at(-5, 120).number == 1
    assert Page.at(99, 120).number == 3  # past the end: the last page
    assert Page.at(7, 0).number == 1 and Page.at(7, 0).pages == 1


def test_rows_and_offsets() -> None:
    page = Page.at(2, 2260)
    assert (page.offset, page.first, page.last, page.pages) == (50, 51, 100, 46)
    last = Page.at(46, 2260)
    assert (last.first, last.last, last.next, last.previous) == (2251, 2260, None, 45)
    assert Page.at(1, 0).first == 0 and Page.at(1, 0).last == 0


def test_summary_words() -> None:
    assert Page.at(2, 2260).summary() == "Showing 51\u2013100 of 2,260"
    assert Page.at(2, 51).summary() == "Showing 51 of 51"
    assert Page.at(1, 12).summary() == "Showing all 12"
    assert Page.at(1, 0).summary() == "Nothing to show"


def test_links_show_the_ends_and_the_pages_near_the_current_one() -> None:
    assert Page.at(6, 2260).links() == [1, None, 4, 5, 6, 7, 8, None, 46]
    assert Page.at(1, 2260).links() == [1, 2, 3, None, 46]
    assert Page.at(3, 200).links() == [1, 2, 3, 4]
    assert Page.at(4, 2260).links() == [1, 2, 3, 4, 5, 6, None, 46]
    assert Page.at(1, 10).links() == [1]
