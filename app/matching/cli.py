"""`flask matching …`: suggestions, the plan and the postcode-centroid import."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.cli_options import now_option
from app.extensions import db
from app.matching.planning import propose
from app.matching.postcodes import ImportProblems, import_centroids
from app.matching.suggestions import suggest
from app.models import Parent

matching = AppGroup("matching", help="Suggest volunteers, plan the waiting list, import postcodes.")


@matching.command("suggest")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@now_option
def suggest_command(ref: str, as_json: bool, limit: int, now: datetime) -> None:
    """Ranked volunteers for the parent with reference REF."""
    parent = db.session.scalar(select(Parent).where(Parent.ref == ref))
    if parent is None:
        raise click.ClickException(f"No parent has the reference {ref!r}.")
    result = suggest(db.session, now, parent, limit=limit)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "parent_ref": parent.ref,
                    "suggestions": [
                        {
                            "volunteer_email": s.email,
                            "score": round(s.score, 2),
                            "parts": {p.name: round(p.points, 2) for p in s.parts},
                        }
                        for s in result.items
                    ],
                    "excluded": result.excluded,
                }
            )
        )
        return
    click.echo(
        f"{parent.ref}: stage {result.stage.label}; {result.considered} volunteers looked at"
    )
    for n, s in enumerate(result.items, start=1):
        click.echo(f"{n:>2}. {s.score:5.1f}  {s.name} <{s.email}>")
        for p in s.parts:
            click.echo(f"      {p.label}: {p.points:.1f}/{p.max_points:.0f} - {p.words}")
    for label, count in result.excluded_in_words():
        click.echo(f"Not offered: {count} {label}")


@matching.command("plan")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@now_option
def plan_command(as_json: bool, now: datetime) -> None:
    """The optimal proposal for everyone waiting (nothing is assigned)."""
    proposal = propose(db.session, now)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "pairs": [
                        {
                            "parent_ref": p.parent_ref,
                            "volunteer_email": p.volunteer_email,
                            "score": round(p.score, 2),
                        }
                        for p in proposal.pairs
                    ],
                    "total": round(proposal.total, 2),
                    "unplaced": [
                        {"parent_ref": u.parent_ref, "reason": u.reason, "gate": u.gate}
                        for u in proposal.unplaced
                    ],
                }
            )
        )
        return
    for p in proposal.pairs:
        click.echo(f"{p.score:5.1f}  {p.parent_ref} ({p.case_ref}) → {p.volunteer_email}")
    click.echo(
        f"{len(proposal.pairs)} of {proposal.waiting} waiting matched; total {proposal.total:.1f} "
        f"(greedy would reach {proposal.greedy_total:.1f} for {proposal.greedy_count})"
    )
    for u in proposal.unplaced:
        click.echo(f"Not placed: {u.parent_ref} ({u.case_ref}): {u.reason}")


@matching.command("import-postcodes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_postcodes_command(path: Path) -> None:
    """Import postcode centroids (postcode, latitude, longitude); all or nothing."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}:1: file: not UTF-8 text") from error
    try:
        result = import_centroids(db.session, datetime.now(UTC), text, str(path))
    except ImportProblems as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"Nothing imported: {len(error.problems)} problem(s).") from None
    db.session.commit()
    click.echo(
        f"Imported {result.postcodes} postcodes; filled coordinates of "
        f"{result.parents_filled} parents and {result.volunteers_filled} volunteers."
    )
