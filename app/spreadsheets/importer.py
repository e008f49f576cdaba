"""The import service: check every file against each other and the database, then write.

All-or-nothing: every problem is collected before anything is written; if there is one,
nothing is added to the session. Otherwise the rows are written with set-based bulk
inserts in the caller's transaction (flush, never commit). Importing raises no flags and
sends no email: the escalation scan sees imported data like any other.

Re-import rules (the key of each file):

* volunteers.csv: ``email``. A new email creates a volunteer account (no password: an
  admin sends the invitation later) and profile; an email that is already a volunteer
  updates their name and profile from the columns the file has (a column left out keeps
  that detail; one that is there but empty empties it); an email of a coordinator or
  admin account is a problem. Only the required columns must be in a file
  (``columns.Column.required``); any other left out is not known for every row.
* parents.csv: ``ref``. Parents are only ever added: a ref already in Corner is a problem
  (change existing parents in Corner, where every change is audited).
* assignments.csv: ``parent_ref`` + ``volunteer_email`` + ``started_on``; a row equal to
  an assignment already in Corner is a problem, so a file cannot be imported twice.
* checkins.csv: ``parent_ref`` + ``volunteer_email`` + ``occurred_at`` + ``status``
  (deleted check-ins excepted); likewise a repeat of one already in Corner is a problem.

Rows for a parent already in Corner attach to that parent's latest case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.audit import record
from app.extensions import SessionLike
from app.spreadsheets.columns import FILE_NAMES, SPECS
from app.spreadsheets.lookup import look_up
from app.spreadsheets.parsed import ParsedFile, Problem, Problems, TooManyRows
from app.spreadsheets.reader import read_file
from app.spreadsheets.reference_checks import check_against
from app.spreadsheets.row_checks import check_rows
from app.spreadsheets.writer import ImportCounts, write_rows
from app.timeutil import local_date


@dataclass
class ImportResult:
    problems: list[Problem]
    counts: ImportCounts = field(default_factory=ImportCounts)
    more: int = 0  # problems found beyond the ``MAX_PROBLEMS`` listed

    @property
    def total(self) -> int:
        return len(self.problems) + self.more

    @property
    def ok(self) -> bool:
        return not self.problems


class FilesOnDisk(Mapping[str, bytes]):
    """Files in a directory by name (an import job's uploads), each read when the import
    asks for it: no file's bytes (8.9 MB for 100,000 check-ins) stay held once parsed."""

    def __init__(self, directory: Path, names: list[str]) -> None:
        self.directory, self.names = directory, list(names)

    def __getitem__(self, name: str) -> bytes:
        if name not in self.names:
            raise KeyError(name)
        return (self.directory / name).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def import_spreadsheets(
    session: SessionLike,
    now: datetime,
    files: Mapping[str, bytes],
    *,
    actor_id: int | None = None,
    ip: str | None = None,
    tz: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check ``files`` (file name -> bytes) and, if nothing is wrong, write them all.

    ``progress(phase, rows_checked, rows_written)`` is called between phases: after each
    file is read ("reading"), when every check is done ("checked") and when every row is
    written, before the caller commits ("written")."""
    report = progress or _no_progress
    problems = Problems()
    parsed: dict[str, ParsedFile] = {}
    for name in files:  # each file's bytes only while it is read (``files`` may read lazily)
        if name not in FILE_NAMES:
            problems.add(name, 1, "file", f"unknown file name: use {', '.join(FILE_NAMES)}")
            continue
        try:
            parsed[name] = read_file(SPECS[name], files[name], problems, tz)
        except TooManyRows as refused:
            return ImportResult([refused.problem])
        report("reading", _rows(parsed), 0)
    if not parsed and not problems:
        problems.add("(none)", 0, "file", f"no files to import: give {', '.join(FILE_NAMES)}")
    check_rows(parsed, problems, local_date(now, tz))
    lookup = look_up(session, parsed, tz)
    check_against(parsed, lookup, problems)
    report("checked", _rows(parsed), 0)
    if problems:
        return ImportResult(problems.sorted(), more=problems.more)

    counts = write_rows(session, now, parsed, lookup, tz)
    record(
        session,
        now,
        "spreadsheets.imported",
        actor_id=actor_id,
        object_type="import",
        ip=ip,
        detail=counts.summary(),
    )
    session.flush()
    report("written", _rows(parsed), _rows(parsed))
    return ImportResult([], counts)


#: ``progress(phase, rows_checked, rows_written)``
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, rows_checked: int, rows_written: int) -> None:
    """No one is watching (``flask import``, tests)."""


def _rows(parsed: Mapping[str, ParsedFile]) -> int:
    return sum(len(file.rows) for file in parsed.values())
