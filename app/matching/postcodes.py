"""Postcode-centroid import (postcode, latitude, longitude) and filling missing coordinates.

All-or-nothing: every problem is reported as ``file:line: column: problem`` and nothing
is written unless the whole file is good. Writing is set-based in chunks of ``CHUNK``
postcodes (one delete, one executemany insert a chunk), so a file of any size fits
PostgreSQL's limit of 65,535 parameters a statement.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from app.extensions import SessionLike
from app.matching.distance import normalise_postcode
from app.matching.profiles import fill_coordinates
from app.models import Parent, PostcodeCentroid

COLUMNS = ("postcode", "latitude", "longitude")
#: Rows a statement: the delete binds one parameter a postcode and PostgreSQL takes at most
#: 65,535 parameters a statement, so any file size is two statements a chunk.
CHUNK = 5000
#: A full UK postcode or an outward code alone (a district centroid).
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?( [0-9][A-Z]{2})?$")


class ImportProblems(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    postcodes: int
    parents_filled: int
    volunteers_filled: int


def _number(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if math.isnan(value) or not low <= value <= high:
        return None
    return value


def parse(text: str, filename: str) -> dict[str, tuple[float, float]]:
    """{postcode: (lat, lon)} or ImportProblems listing every bad cell."""
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise ImportProblems([f"{filename}:1: file: the file is empty"])
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ImportProblems(
            [
                f"{filename}:1: {c}: column missing (needed: postcode, latitude, longitude)"
                for c in missing
            ]
        )
    index = {c: names.index(c) for c in COLUMNS}
    out: dict[str, tuple[float, float]] = {}
    first_line: dict[str, int] = {}
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        postcode = normalise_postcode(cells["postcode"])
        ok = True
        if postcode is None or not POSTCODE_RE.match(postcode):
            problems.append(
                f"{filename}:{line_no}: postcode: '{cells['postcode']}' is not a postcode"
            )
            ok = False
        lat = _number(cells["latitude"], -90, 90)
        if lat is None:
            problems.append(
                f"{filename}:{line_no}: latitude: "
                f"'{cells['latitude']}' is not a number from -90 to 90"
            )
            ok = False
        lon = _number(cells["longitude"], -180, 180)
        if lon is None:
            problems.append(
                f"{filename}:{line_no}: longitude: "
                f"'{cells['longitude']}' is not a number from -180 to 180"
            )
            ok = False
        if ok and postcode is not None and lat is not None and lon is not None:
            if postcode in first_line:
                problems.append(
                    f"{filename}:{line_no}: postcode: {postcode} "
                    f"is already on line {first_line[postcode]}"
                )
                continue
            first_line[postcode] = line_no
            out[postcode] = (lat, lon)
    if problems:
        raise ImportProblems(problems)
    return out


def import_centroids(session: SessionLike, now: datetime, text: str, filename: str) -> ImportResult:
    """Replace known centroids with the file's and fill coordinates that are missing."""
    centroids = parse(text, filename)
    postcodes = list(centroids)
    for start in range(0, len(postcodes), CHUNK):
        chunk = postcodes[start : start + CHUNK]
        session.execute(
            delete(PostcodeCentroid)
            .where(PostcodeCentroid.postcode.in_(chunk))
            .execution_options(synchronize_session=False)
        )
        session.execute(
            insert(PostcodeCentroid),
            [
                {"postcode": pc, "latitude": centroids[pc][0], "longitude": centroids[pc][1]}
                for pc in chunk
            ],
        )
    session.flush()
    parents = _fill_parents(session, centroids)
    volunteers = fill_coordinates(session, now, centroids)
    return ImportResult(len(centroids), parents, volunteers)


def _fill_parents(session: SessionLike, centroids: dict[str, tuple[float, float]]) -> int:
    """Set parents' coordinates from the centroids where they are missing (one read, one
    write per filled parent); volunteers' are filled by ``profiles.fill_coordinates``."""
    rows = session.execute(
        select(Parent.id, Parent.postcode).where(
            Parent.postcode.is_not(None), Parent.latitude.is_(None) | Parent.longitude.is_(None)
        )
    ).all()
    filled = 0
    for row_id, postcode in rows:
        found = centroids.get(normalise_postcode(postcode) or "")
        if found is None:
            continue
        session.execute(
            update(Parent)
            .where(Parent.id == row_id)
            .values(latitude=found[0], longitude=found[1])
            .execution_options(synchronize_session=False)
        )
        filled += 1
    return filled
