"""`flask import DIR` and `flask export DIR`: the spreadsheet files, from the command line."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from app.audit import record
from app.db_statistics import refresh_after_load
from app.extensions import db
from app.spreadsheets.columns import FILE_NAMES
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import import_spreadsheets
from app.timeutil import utcnow


def files_in(directory: Path) -> dict[str, bytes]:
    """The spreadsheet files in ``directory``; other CSV files are passed on as problems."""
    found: dict[str, bytes] = {}
    for path in sorted(directory.iterdir()):
        if path.is_file() and (path.name in FILE_NAMES or path.suffix.lower() == ".csv"):
            found[path.name] = path.read_bytes()
    return found


@click.command("import")
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
def import_command(directory: Path) -> None:
    """Import volunteers.csv, parents.csv, assignments.csv and checkins.csv from DIRECTORY.

    All or nothing: if any cell is wrong, nothing is imported and every problem is
    printed as file:line: column: problem.
    """
    files = files_in(directory)
    if not files:
        raise click.ClickException(
            f"{directory} has none of the files to import: {', '.join(FILE_NAMES)}."
        )
    try:
        result = import_spreadsheets(db.session, utcnow(), files)
        if result.ok:
            db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = (str(getattr(error, "orig", None) or error).splitlines() or ["unknown"])[0]
        raise click.ClickException(
            f"The database refused the import, so nothing was imported: {reason}"
        ) from error
    if not result.ok:
        db.session.rollback()
        for problem in result.problems:
            click.echo(str(problem), err=True)
        if result.more:
            click.echo(
                f"…and {result.more:,} more problem{'s' if result.more != 1 else ''}", err=True
            )
        count = result.total
        raise click.ClickException(
            f"Nothing was imported: {count:,} problem{'s' if count != 1 else ''} to fix first."
        )
    refresh_after_load(db.session)  # the planner's counts (app.db_statistics)
    click.echo(f"Imported {result.counts.summary()}.")


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, dir_okay=True, path_type=Path))
def export_command(directory: Path) -> None:
    """Write volunteers.csv, parents.csv, assignments.csv and checkins.csv into DIRECTORY.

    The directory is created if needed; files of these names in it are replaced.
    """
    result = export_spreadsheets(db.session)
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in result.files.items():
        _write_atomically(directory / name, data)
    record(
        db.session,
        utcnow(),
        "spreadsheets.exported",
        actor_id=None,
        object_type="export",
        detail=result.summary(),
    )
    db.session.commit()
    click.echo(f"Wrote {result.summary()} to {directory}.")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename, so a reader never sees half a file."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temp, 0o600)  # personal data: readable by the owner only
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
