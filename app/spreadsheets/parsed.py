"""What reading the files yields: typed rows, the parsed file, and the problems found.

A problem is reported as ``file:line: column: problem`` where line 1 is the header row and
line N is the N-th row a spreadsheet program shows (a cell with line breaks inside it is
still one row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.spreadsheets.columns import FILE_NAMES, SPECS, FileSpec

#: Problems kept to show; the rest are only counted ("…and N more problems").
MAX_PROBLEMS = 200
#: Data rows (after the header) one file may have; a longer file is refused unread.
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or the header), in the words the user sees."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.line and not self.column:  # about the whole file
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.column}: {self.message}"

    def sort_key(self) -> tuple[int, str, int, int, str, str]:
        rank = FILE_NAMES.index(self.file) if self.file in FILE_NAMES else len(FILE_NAMES)
        spec = SPECS.get(self.file)
        position = spec.position(self.column) if spec else 0
        return (rank, self.file, self.line, position, self.column, self.message)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """By file (in the order of ``columns.FILES``), then line, then column."""
    return sorted(set(problems), key=Problem.sort_key)


NO_COLUMNS: frozenset[str] = frozenset()


class Row:
    """One data row: the parsed value of every column in the file (None = empty or bad).

    Compact, as 100,000 of them are held through the checks: the values are a tuple in the
    order of ``index`` (column name -> position, one dict shared by every row of the file),
    and the set of bad columns exists only for a row that has one."""

    __slots__ = ("_bad", "index", "line", "values")

    def __init__(
        self, line: int, values: tuple[Any, ...], index: Mapping[str, int] | None = None
    ) -> None:
        self.line = line
        self.values = values
        self.index: Mapping[str, int] = index if index is not None else {}
        self._bad: set[str] | None = None

    def get(self, name: str) -> Any:
        position = self.index.get(name)
        return None if position is None else self.values[position]

    @property
    def bad(self) -> frozenset[str] | set[str]:
        """The columns of this row that have a problem."""
        return self._bad if self._bad is not None else NO_COLUMNS

    def mark_bad(self, column: str) -> None:
        if self._bad is None:
            self._bad = set()
        self._bad.add(column)


@dataclass
class ParsedFile:
    spec: FileSpec
    present: frozenset[str]  # the spec's columns that the header has
    rows: list[Row]


class TooManyRows(Exception):
    """A file has more than ``MAX_ROWS`` data rows: it is refused without reading on."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.problem = Problem(file, 0, "", f"more than {MAX_ROWS:,} rows; split the file")


class Problems:
    """Collects problems; ``add`` also marks the row's cell as bad.

    The first ``MAX_PROBLEMS`` distinct problems are kept; later ones are only counted
    (``more``), so a file that is wrong on every row costs no more memory than a few.
    """

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._kept: set[Problem] = set()
        self.more = 0

    def add(self, file: str, line: int, column: str, message: str, row: Row | None = None) -> None:
        problem = Problem(file, line, column, message)
        if problem not in self._kept:
            if len(self.items) < MAX_PROBLEMS:
                self.items.append(problem)
                self._kept.add(problem)
            else:
                self.more += 1
        if row is not None:
            row.mark_bad(column)

    def __bool__(self) -> bool:
        return bool(self.items)

    def merge_into(self, other: Problems) -> None:
        """Add every problem found here to ``other`` (the rows are marked already)."""
        for problem in self.items:
            other.add(problem.file, problem.line, problem.column, problem.message)
        other.more += self.more

    @property
    def total(self) -> int:
        return len(self.items) + self.more

    def sorted(self) -> list[Problem]:
        return sorted_problems(self.items)


def rows_of(files: Mapping[str, ParsedFile], name: str) -> list[Row]:
    """The rows of one file, none when it was not given."""
    parsed = files.get(name)
    return parsed.rows if parsed else []


def values_of(files: Mapping[str, ParsedFile], name: str, column: str) -> set[Any]:
    """The distinct non-empty values of one column of one file."""
    return {row.get(column) for row in rows_of(files, name)} - {None}
