"""One file's bytes as typed rows (pure): the header, every cell, every problem found."""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any

from app.spreadsheets.cells import CellProblem, cell_parser, unguard
from app.spreadsheets.columns import Column, FileSpec, Kind
from app.spreadsheets.parsed import MAX_ROWS, ParsedFile, Problems, Row, TooManyRows

BOM = b"\xef\xbb\xbf"
SURROGATE_RE = re.compile("[\udc80-\udcff\x00]")  # bytes that are not UTF-8, or NUL
LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # a line and its ending


def read_file(spec: FileSpec, data: bytes, problems: Problems, tz: str | None = None) -> ParsedFile:
    """Parse one file's bytes into rows; every bad cell becomes a problem.

    Raises ``TooManyRows`` as soon as the file shows more than ``MAX_ROWS`` data rows."""
    name = spec.name
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        problems.add(name, 1, "header", _not_utf8() + " (this looks like UTF-16)")
        return ParsedFile(spec, frozenset(), [])
    text = data.decode("utf-8", errors="surrogateescape")
    # Streamed: no list of every record. What is found goes to ``found`` and reaches
    # ``problems`` only if the whole file reads as CSV (otherwise that is the one problem).
    found = Problems()
    read = [0]  # records read so far
    records = _counted(name, csv.reader(_lines(text)), read)
    try:
        if text.count("\n") > MAX_ROWS:  # maybe too long: count first, refuse unparsed
            for _record in _counted(name, csv.reader(_lines(text)), read):
                pass
            read[0] = 0
        parsed = _parse(spec, records, found, tz)
    except csv.Error as error:
        problems.add(name, read[0] + 1, "row", f"cannot be read as CSV ({error})")
        return ParsedFile(spec, frozenset(), [])
    found.merge_into(problems)
    return parsed


def _counted(name: str, records: Iterator[list[str]], read: list[int]) -> Iterator[list[str]]:
    """The records, counted in ``read``; ``TooManyRows`` past the header and ``MAX_ROWS``."""
    for record in records:
        if read[0] > MAX_ROWS:  # the header and MAX_ROWS rows are in already
            raise TooManyRows(name)
        read[0] += 1
        yield record


def _parse(
    spec: FileSpec, records: Iterator[list[str]], problems: Problems, tz: str | None
) -> ParsedFile:
    name = spec.name
    first = next(records, None)
    if first is None or not any(cell.strip() for cell in first):
        for _record in records:  # the rest must still read as CSV
            pass
        problems.add(name, 1, "header", "the first row must name the columns (it is empty)")
        return ParsedFile(spec, frozenset(), [])

    header = [cell.strip().lower() for cell in first]
    if len(header) == 1 and ";" in header[0] and header[0].split(";")[0] in spec.column_names:
        for _record in records:
            pass
        problems.add(
            name,
            1,
            "header",
            "the columns are separated by ; not by commas: save the file as "
            '"CSV UTF-8 (comma delimited)"',
        )
        return ParsedFile(spec, frozenset(), [])
    positions: dict[str, int] = {}
    for index, heading in enumerate(header):
        if SURROGATE_RE.search(heading):
            problems.add(name, 1, f"column {index + 1}", _not_utf8())
        elif not heading:
            continue
        elif heading in positions:
            problems.add(name, 1, heading, "appears twice in the header")
        elif heading not in spec.column_names:
            problems.add(name, 1, heading, _unknown_column(spec, heading))
        else:
            positions[heading] = index
    for column in spec.columns:
        if column.name not in positions and not column.optional:
            problems.add(name, 1, column.name, "missing column")

    known = set(positions.values())
    named = {index for index, heading in enumerate(header) if heading}
    width = len(header)
    # once per column, not per cell: where it is, how to read it, whether it may be empty
    columns = {column.name: column for column in spec.columns}
    cells = [
        (heading, index, _remembered(columns[heading], cell_parser(columns[heading], tz)),
         columns[heading].required)
        for heading, index in positions.items()
    ]  # fmt: skip
    order = {heading: position for position, (heading, *_rest) in enumerate(cells)}
    search = SURROGATE_RE.search
    rows: list[Row] = []
    for line, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank row
        row = Row(line, (), order)
        values: list[Any] = []
        if len(record) > width or len(known) < width:
            for index, cell in enumerate(record):
                if index not in known and index not in named and cell.strip():
                    problems.add(
                        name, line, f"column {index + 1}", "has a value but no column name in row 1"
                    )
        for column_name, index, parse, required in cells:
            raw = record[index] if index < len(record) else ""
            if search(raw):
                values.append(None)
                problems.add(name, line, column_name, _not_utf8(), row)
                continue
            raw = raw.strip()
            if raw[:1] == "'":
                raw = unguard(raw)
            if not raw:
                values.append(None)
                if required:
                    problems.add(name, line, column_name, "is empty: every row needs one", row)
                continue
            try:
                values.append(parse(raw))
            except CellProblem as problem:
                values.append(None)
                problems.add(name, line, column_name, str(problem), row)
        row.values = tuple(values)
        rows.append(row)
    return ParsedFile(spec, frozenset(positions), rows)


#: Distinct cells remembered per column: a value that repeats (a parent's ref, an email, a
#: date) is parsed once and held once, however many rows give it; bounded, so a column of
#: distinct values (the notes) costs no more than this.
REMEMBERED = 20_000
#: Kinds whose parsed values cannot change (lists can: each cell gets its own), and that
#: need parsing (a choice or yes/no is one shared value already).
IMMUTABLE = frozenset(
    {Kind.TEXT, Kind.EMAIL, Kind.POSTCODE, Kind.DATE, Kind.INSTANT, Kind.INT, Kind.FLOAT,
     Kind.EQUALITY}
)  # fmt: skip


def _remembered(column: Column, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """``parse``, remembering the values of up to ``REMEMBERED`` distinct cells (a cell that
    is a problem is not remembered: it raises every time)."""
    if column.kind not in IMMUTABLE or (column.kind == Kind.TEXT and not column.max_len):
        return parse  # free text is taken as it is
    memo: dict[str, Any] = {}

    def remembered(raw: str) -> Any:
        found = memo.get(raw, memo)
        if found is not memo:
            return found
        value = parse(raw)
        if len(memo) < REMEMBERED:
            memo[raw] = value
        return value

    return remembered


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings (\n, \r\n or \r), as a file opened with
    ``newline=""`` gives them: one at a time, without the four bytes per character of a
    ``StringIO`` copy of the whole file."""
    for match in LINE_RE.finditer(text):
        yield match.group()


def _not_utf8() -> str:
    return 'is not UTF-8 text: save the file as "CSV UTF-8" and try again'


def _unknown_column(spec: FileSpec, heading: str) -> str:
    close = difflib.get_close_matches(heading, spec.column_names, n=1)
    hint = f'did you mean "{close[0]}"?' if close else "the columns are listed in the help"
    return f"unknown column: {hint}"
