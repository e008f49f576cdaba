"""Pure rules of the cases area, without a database."""

from __future__ import annotations

from datetime import timedelta

from app.cases.service import (
    CheckInData,
    checkin_problems,
    normalise_postcode,
    volunteer_may_edit,
)
from app.models import CheckIn
from app.search_keys import phone_digits
from tests.factories import NOW


def test_phone_normalisation_ignores_spacing_and_country_code() -> None:
    # the one phone key, for duplicates and search alike (app.search_keys)
    assert phone_digits("+44 7700 900-982") == "7700900982"
    assert phone_digits("(07700) 900 982") == "7700900982"
    assert phone_digits(None) is None


def test_postcode_normalisation() -> None:
    assert normalise_postcode("bs14dj") == "BS1 4DJ"
    assert normalise_postcode(" BS1  4DJ ") == "BS1 4DJ"


def test_wellbeing_is_required_only_for_a_submitted_successful_checkin() -> None:
    spoke = CheckInData(occurred_at=NOW, mode="phone", successful=True)
    tried = CheckInData(occurred_at=NOW, mode="phone", successful=False)
    assert "wellbeing" in checkin_problems(spoke, NOW, submitting=True)
    assert checkin_problems(spoke, NOW, submitting=False) == {}
    assert checkin_problems(tried, NOW, submitting=True) == {}


def test_times_in_the_future_are_refused_after_five_minutes_grace() -> None:
    ok = CheckInData(occurred_at=NOW + timedelta(minutes=5), mode="phone", wellbeing=3)
    late = CheckInData(occurred_at=NOW + timedelta(minutes=6), mode="phone", wellbeing=3)
    assert checkin_problems(ok, NOW, submitting=True) == {}
    assert "occurred_at" in checkin_problems(late, NOW, submitting=True)


def test_submitted_checkin_is_editable_by_the_volunteer_for_24_hours() -> None:
    draft = CheckIn(status="draft")
    submitted = CheckIn(status="submitted", submitted_at=NOW)
    deleted = CheckIn(status="deleted", submitted_at=NOW)
    assert volunteer_may_edit(draft, NOW + timedelta(days=30))
    assert volunteer_may_edit(submitted, NOW + timedelta(hours=23, minutes=59))
    assert not volunteer_may_edit(submitted, NOW + timedelta(hours=24))
    assert not volunteer_may_edit(deleted, NOW)
