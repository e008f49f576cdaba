"""Which dates are plausible, as pure functions of today: shared by every form and the import.

One implausible date (a birth date of 9999-12-31 typed by mistake) once stopped the daily
scan for everyone, so every date field takes only dates that can be true:

* due date: from a year before today to 10 months after it (a pregnancy lasts about 9
  months; a due date long past with no birth recorded is the BIRTH_OVERDUE flag's business);
  once a birth date is recorded the due date is history, so from 4 years before today
  (the birth date's earliest, 3 years, and a year more) to 10 months after it;
* birth date: not in the future, and not more than 3 years before today: the 1001 days end
  on the baby's second birthday, plus a year of margin for a case still open past them (the
  PAST_1001_DAYS flag) or entered late;
* referral and consent dates, check-in days: not in the future, and not more than 5 years
  before today;
* volunteer dates (training, DBS check): not in the future, not before 1 January 1900;
  a DBS expiry: from 1 January 1900 to 10 years after today;
* any other date (a filter): from 1 January 1900 to 31 December 2200.

Every bound is inside 1900-2200, so no computation on an accepted date can overflow. Pure:
no Flask, no database (``app.forms.PlausibleDate`` applies it to a form field with the
request's today; the spreadsheet import to each cell).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


class DateKind(StrEnum):
    DUE = "due"
    #: a due date beside a recorded birth date (history by then)
    DUE_BORN = "due_born"
    BIRTH = "birth"
    REFERRAL = "referral"
    CONSENT = "consent"
    CHECKIN = "checkin"
    VOLUNTEER_PAST = "volunteer_past"
    DBS_EXPIRY = "dbs_expiry"
    ANY = "any"


#: what each kind is called in a message ("Enter a due date between …")
NOUNS: dict[str, str] = {
    DateKind.DUE: "a due date",
    DateKind.DUE_BORN: "a due date",
    DateKind.BIRTH: "a date of birth",
    DateKind.REFERRAL: "a referral date",
    DateKind.CONSENT: "the date consent was given",
    DateKind.CHECKIN: "a date",
    DateKind.VOLUNTEER_PAST: "a date",
    DateKind.DBS_EXPIRY: "an expiry date",
    DateKind.ANY: "a date",
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), on the month's last day when it is shorter;
    clamped to ``EARLIEST`` … ``LATEST``."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if year < EARLIEST.year:
        return EARLIEST
    if year > LATEST.year:
        return LATEST
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _clamp(day: date) -> date:
    return min(max(day, EARLIEST), LATEST)


def date_bounds(kind: str, today: date) -> tuple[date, date]:
    """The earliest and latest plausible date of this kind, given today."""
    today = _clamp(today)
    if kind == DateKind.DUE:
        return add_months(today, -12), add_months(today, 10)
    if kind == DateKind.DUE_BORN:
        return add_months(today, -48), add_months(today, 10)
    if kind == DateKind.BIRTH:
        return add_months(today, -36), today
    if kind in (DateKind.REFERRAL, DateKind.CONSENT, DateKind.CHECKIN):
        return add_months(today, -60), today
    if kind == DateKind.VOLUNTEER_PAST:
        return EARLIEST, today
    if kind == DateKind.DBS_EXPIRY:
        return EARLIEST, add_months(today, 120)
    return EARLIEST, LATEST


def due_kind(birth_date: date | None) -> str:
    """The kind of a due date: history once a birth date is recorded."""
    return DateKind.DUE if birth_date is None else DateKind.DUE_BORN


def long_date(day: date) -> str:
    """'2 November 2026'."""
    return f"{day.day} {day:%B} {day.year}"


def date_problem(kind: str, value: date, today: date, *, history: bool = False) -> str | None:
    """None when ``value`` is plausible for ``kind``; else a message saying what to enter.

    ``history``: the date belongs to a closed case, old by nature, so only the latest bound
    holds (and the calendar's ``EARLIEST`` … ``LATEST``); the import and the data check use it.
    """
    earliest, latest = date_bounds(kind, today)
    noun = NOUNS.get(kind, "a date")
    last = "today" if latest == _clamp(today) else long_date(latest)
    if history:
        if EARLIEST <= value <= latest:
            return None
        return f"Enter {noun} between {long_date(EARLIEST)} and {last}."
    if earliest <= value <= latest:
        return None
    return f"Enter {noun} between {long_date(earliest)} and {last}."
