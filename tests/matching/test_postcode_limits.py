"""70,000 postcodes import on both databases (PostgreSQL allows 65,535 parameters a statement)."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.matching.postcodes import import_centroids
from app.models import PostcodeCentroid
from tests.factories import NOW

COUNT = 70_000


def many_postcodes(count: int) -> str:
    """``count`` distinct full postcodes (AB1 0AA, AB1 0AB, ...)."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    lines = ["postcode,latitude,longitude"]
    for i in range(count):
        district, rest = divmod(i, 10 * len(letters) ** 2)
        digit, pair = divmod(rest, len(letters) ** 2)
        first, second = divmod(pair, len(letters))
        lines.append(f"AB{district + 1} {digit}{letters[first]}{letters[second]},51.{i:05d},-2.5")
    return "\n".join(lines) + "\n"


def test_70000_postcodes_import_and_reimport(session: SessionLike) -> None:
    text = many_postcodes(COUNT)
    started = time.perf_counter()
    result = import_centroids(session, NOW, text, "big.csv")
    session.commit()
    first = time.perf_counter() - started
    assert result.postcodes == COUNT
    assert session.scalar(select(func.count()).select_from(PostcodeCentroid)) == COUNT
    # Importing the same file again replaces every centroid (delete + insert, chunked).
    again = import_centroids(session, NOW, text.replace(",-2.5", ",-2.25"), "big.csv")
    session.commit()
    assert again.postcodes == COUNT
    assert session.scalar(select(func.count()).select_from(PostcodeCentroid)) == COUNT
    assert session.scalar(select(func.min(PostcodeCentroid.longitude))) == -2.25
    assert first < 20, first


def test_cli_imports_70000_postcodes(app: Flask, session: SessionLike, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(many_postcodes(COUNT), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["matching", "import-postcodes", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Imported {COUNT} postcodes" in result.output
