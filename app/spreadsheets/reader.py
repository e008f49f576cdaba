"""One file's bytes as typed rows (pure): the header, every cell, every problem found."""

from __future__ import annotations

import csv
import difflib
import io
import re

from app.spreadsheets.cells import CellProblem, parse_cell, unguard
from app.spreadsheets.columns import FileSpec
from app.spreadsheets.parsed import MAX_ROWS, ParsedFile, Problems, Row, TooManyRows

BOM = b"\xef\xbb\xbf"
SURROGATE_RE = re.compile("[\udc80-\udcff\x00]")  # bytes that are not UTF-8, or NUL


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
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline="")):
            if len(records) > MAX_ROWS:  # the header and MAX_ROWS rows are in already
                raise TooManyRows(name)
            records.append(record)
    except csv.Error as error:
        problems.add(name, len(records) + 1, "row", f"cannot be read as CSV ({error})")
        return ParsedFile(spec, frozenset(), [])
    if not records or not any(cell.strip() for cell in records[0]):
        problems.add(name, 1, "header", "the first row must name the columns (it is empty)")
        return ParsedFile(spec, frozenset(), [])

    header = [cell.strip().lower() for cell in records[0]]
    if len(header) == 1 and ";" in header[0] and header[0].split(";")[0] in spec.column_names:
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
    columns = {column.name: column for column in spec.columns}
    rows: list[Row] = []
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank row
        row = Row(line, {})
        for index, cell in enumerate(record):
            if index not in known and cell.strip() and not (index < len(header) and header[index]):
                problems.add(
                    name, line, f"column {index + 1}", "has a value but no column name in row 1"
                )
        for column_name, index in positions.items():
            column = columns[column_name]
            raw = record[index] if index < len(record) else ""
            row.values[column_name] = None
            if SURROGATE_RE.search(raw):
                problems.add(name, line, column_name, _not_utf8(), row)
                continue
            raw = unguard(raw.strip())
            if not raw:
                if column.required:
                    problems.add(name, line, column_name, "is empty: every row needs one", row)
                continue
            try:
                row.values[column_name] = parse_cell(column, raw, tz)
            except CellProblem as problem:
                problems.add(name, line, column_name, str(problem), row)
        rows.append(row)
    return ParsedFile(spec, frozenset(positions), rows)


def _not_utf8() -> str:
    return 'is not UTF-8 text: save the file as "CSV UTF-8" and try again'


def _unknown_column(spec: FileSpec, heading: str) -> str:
    close = difflib.get_close_matches(heading, spec.column_names, n=1)
    hint = f'did you mean "{close[0]}"?' if close else "the columns are listed in the help"
    return f"unknown column: {hint}"
