"""The subject access package: one zip, in memory, with ``report.html`` and ``data.json``.

``report.html`` is a standalone page (inline CSS, no links it needs to load, printable) in
plain words; ``data.json`` holds the same data with ISO dates. Both come from
``app.privacy.access.gather``. The zip's file name holds the charity's reference only.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from typing import Any

from flask import render_template

from app.extensions import SessionLike
from app.privacy.access import gather
from app.privacy.access_words import RECORD_TITLES, SECTIONS, SKIP_WHEN_EMPTY, field_words
from app.timeutil import short_date_year, zone
from app.urls import absolute_url

REPORT_NAME = "report.html"
DATA_NAME = "data.json"
NOT_RECORDED = "Not recorded"


def filename(ref: str) -> str:
    """``subject-access-<ref>.zip``: the reference only, with anything but letters, digits,
    dashes and underscores replaced (it goes in a header and on someone's disk)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", ref).strip("-") or "parent"
    return f"subject-access-{safe}.zip"


def display(value: Any) -> str:
    """A value as the report shows it: dates in words, yes or no, lists joined."""
    if value is None or value == "" or value == []:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{short_date_year(value)}, {value.astimezone(zone()):%H:%M}"
    if isinstance(value, date):
        return short_date_year(value)
    if isinstance(value, list):
        return ", ".join(display(item) for item in value)
    return str(value)


def _iso(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def data_json(data: dict[str, Any]) -> str:
    return json.dumps(data, default=_iso, ensure_ascii=False, indent=2)


def report_html(data: dict[str, Any]) -> str:
    return render_template(
        "privacy/report.html",
        data=data,
        sections=SECTIONS,
        field_words=field_words,
        skip_when_empty=SKIP_WHEN_EMPTY,
        titles=RECORD_TITLES,
        display=display,
        notice_url=absolute_url("rights.notice"),
    )


def build(session: SessionLike, parent_id: int, now: datetime) -> tuple[str, bytes]:
    """The package for one parent: (file name, zip bytes)."""
    data = gather(session, parent_id, now)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(REPORT_NAME, report_html(data))
        archive.writestr(DATA_NAME, data_json(data))
    return filename(data["reference"]), buffer.getvalue()
