"""The report page's figures: the period's summary, one per month, and the areas to choose.

``build_report`` calls ``summary.summarise`` once for the period and ``monthly.by_month``
once for its months (``periods.months``): five statements whatever the months or the cases.
A period of more than ``MONTHLY_MAX`` months is reported without the bars by
month (the page says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from app.domain import Role
from app.extensions import SessionLike
from app.models import Area, User
from app.reports.monthly import by_month
from app.reports.params import ReportArgs
from app.reports.periods import Period, months
from app.reports.summary import summarise
from app.reports.tables import Section, sections

MONTHLY_MAX = 24


@dataclass(frozen=True)
class Report:
    args: ReportArgs
    summary: dict[str, Any]
    sections: list[Section]
    by_month: bool  # False: the period is too long to show month by month
    generated_at: datetime

    @property
    def period(self) -> Period:
        return self.args.period

    @property
    def area(self) -> str | None:
        name: str | None = self.summary["area"]
        return name


def report_areas(session: SessionLike, user: User) -> list[Area]:
    """The areas ``user`` may choose: a coordinator's own (if she has any), else every area."""
    if user.role == Role.COORDINATOR and user.areas:
        return sorted(user.areas, key=lambda area: area.name)
    return list(session.scalars(select(Area).order_by(Area.name)))


def build_report(
    session: SessionLike,
    args: ReportArgs,
    *,
    scope: ColumnElement[bool] | None,
    now: datetime,
) -> Report:
    """The figures for ``args``, limited to the cases ``scope`` lets through (None: all)."""
    figures = summarise(session, period=args.period, area_id=args.area_id, scope=scope, now=now)
    parts = months(args.period)
    monthly = None
    if len(parts) <= MONTHLY_MAX:
        monthly = by_month(session, parts, area_id=args.area_id, scope=scope)
    return Report(args, figures, sections(figures, monthly), monthly is not None, now)
