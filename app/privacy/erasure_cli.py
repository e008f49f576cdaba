"""`flask parents erase REF --yes` and `flask parents retention [--now ISO] [--dry-run]`.

Added to the ``parents`` group (``app.privacy.cli``) by being imported from ``app/cli.py``.
Both print references and dates, never names.
"""

from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import select

from app.cli_options import now_option
from app.extensions import db
from app.models import Parent
from app.privacy.anonymise import ERASURE_REASON_LABELS
from app.privacy.cli import parents
from app.privacy.erasure import ErasureRefused, checkpoint, erase_parent
from app.privacy.retention import run_retention


@parents.command("erase")
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Confirm: the erasure cannot be undone.")
@click.option(
    "--reason",
    type=click.Choice(sorted(ERASURE_REASON_LABELS)),
    default="parent_asked",
    show_default=True,
    help="Why (a code kept in the audit log).",
)
@now_option
def erase_command(ref: str, yes: bool, reason: str, now: datetime) -> None:
    """Erase (anonymise for good) the parent with reference REF. Needs --yes."""
    parent_id = db.session.scalar(select(Parent.id).where(Parent.ref == ref))
    if parent_id is None:
        raise click.ClickException(f"No parent has the reference {ref!r}.")
    if not yes:
        raise click.ClickException(
            f"Erasing {ref} cannot be undone: run again with --yes to erase her details."
        )
    try:
        erase_parent(db.session, parent_id, actor_id=None, reason=reason, now=now)
    except ErasureRefused as refusal:
        db.session.rollback()
        raise click.ClickException(f"{ref} was not erased: {refusal}") from None
    db.session.commit()
    checkpoint(db.engine)
    click.echo(f"Erased {ref}: she now shows as “Erased parent”.")


@parents.command("retention")
@click.option("--dry-run", is_flag=True, help="Only list who is due; change nothing.")
@now_option
def retention_command(dry_run: bool, now: datetime) -> None:
    """Anonymise every parent past the retention period (the admin's privacy setting)."""
    result = run_retention(db.session, now, dry_run=dry_run)
    for due in result.due:
        note = " (kept: unresolved safeguarding flag)" if due.refused else ""
        click.echo(f"{due.ref}\tlast case closed {due.last_closed_on}\tdue {due.due_on}{note}")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        if result.erased:
            checkpoint(db.engine)
    click.echo(result.summary())
