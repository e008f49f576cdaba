"""`flask parents export REF FILE.zip`: the subject access package from the command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from app.audit import record
from app.cli_options import now_option
from app.extensions import db
from app.privacy import package
from app.privacy.access import SUBJECT_ACCESS, UnknownParent, parent_id_for_ref
from app.privacy.cli import parents


@parents.command("export")
@click.argument("ref")
@click.argument("path", metavar="FILE.zip", type=click.Path(dir_okay=False, path_type=Path))
@now_option
def export_command(ref: str, path: Path, now: datetime) -> None:
    """Write everything held about the parent with reference REF to FILE.zip (audited)."""
    try:
        parent_id = parent_id_for_ref(db.session, ref)
    except UnknownParent as error:
        raise click.ClickException(str(error)) from error
    record(
        db.session,
        now,
        SUBJECT_ACCESS,
        actor_id=None,
        object_type="parent",
        object_id=parent_id,
        detail="from the command line",
    )
    _name, content = package.build(db.session, parent_id, now)
    try:
        path.write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"Could not write {path}: {error.strerror}.") from error
    db.session.commit()  # the audit event, once the file is written
    click.echo(f"Wrote everything held about {ref} to {path}. Send it to them safely.")
