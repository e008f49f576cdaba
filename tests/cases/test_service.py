"""Services on a real database: referrals, refs, duplicates, closing, check-ins."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.cases import duplicates, service
from app.cases.service import CaseError, CheckInData, ParentData
from app.extensions import SessionLike
from app.models import Assignment, CheckInStatus, EscalationFlag
from tests.factories import NOW, make_assignment, make_case, make_parent, make_volunteer


def referral(session: SessionLike, **kw: object) -> service.Case:
    data = ParentData(**{"first_name": "Jo", "last_name": "Bloggs", **kw})  # type: ignore[arg-type]
    return service.create_referral(session, NOW, data, area_id=None)


def test_referral_creates_waiting_case_with_generated_ref(session: SessionLike) -> None:
    case = referral(session, email="Jo@Example.org", postcode="bs1 4dj")
    assert case.status == "waiting"
    assert case.parent.ref == case.reference == f"C-{case.id:05d}"  # one Corner reference
    assert case.parent.email == "jo@example.org"
    assert case.parent.postcode == "BS1 4DJ"
    assert case.parent.referred_on == date(2026, 11, 2)
    second = referral(session)
    assert second.parent.ref != case.parent.ref


def test_generated_ref_never_clashes_with_an_imported_one(session: SessionLike) -> None:
    first = referral(session)
    make_parent(session, ref=f"C-{first.id + 1:05d}")  # an import took the next case's
    clash = referral(session)
    assert clash.id == first.id + 1
    assert clash.parent.ref.startswith(f"{clash.reference}-")


def test_self_referral_is_referred(session: SessionLike) -> None:
    data = ParentData(first_name="Sam")
    case = service.create_referral(session, NOW, data, area_id=None, self_referral=True)
    assert case.status == "referred"


def test_duplicates_by_email_phone_and_name_with_date(session: SessionLike) -> None:
    known = make_parent(
        session,
        first_name="Mia",
        last_name="Khan",
        email="mia@example.org",
        phone="07700 900982",
        due_date=date(2027, 3, 1),
    )
    unrelated = make_parent(session, first_name="Mia", last_name="Khan", due_date=date(2027, 5, 1))
    by_email = referral(session, first_name="M", email="MIA@example.org")
    by_phone = referral(session, first_name="M", phone="+44 7700 900-982")
    by_name = referral(session, first_name="mia", last_name="KHAN", due_date=date(2027, 3, 1))
    nobody = referral(session, first_name="Mia", last_name="Khan", due_date=date(2027, 4, 1))
    for case in (by_email, by_phone, by_name):
        assert known in duplicates.duplicates_of(session, case.parent)
    assert unrelated not in duplicates.duplicates_of(session, by_name.parent)
    assert duplicates.duplicates_of(session, nobody.parent) == []


def test_close_ends_the_open_assignment_and_reopen_returns_to_waiting(
    session: SessionLike,
) -> None:
    case = make_case(session)
    volunteer = make_volunteer(session)
    assignment = make_assignment(session, case, volunteer)
    service.close_case(session, NOW, case, "Support completed")
    assert case.status == "closed" and case.closed_at == NOW
    assert assignment.ended_at == NOW and assignment.end_reason == "case closed"
    with pytest.raises(CaseError):
        service.close_case(session, NOW, case, "again")
    service.reopen_case(session, NOW + timedelta(days=1), case)
    assert case.status == "waiting" and case.closed_at is None and case.close_reason is None
    open_ones = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.ended_at.is_(None))
    )
    assert open_ones == 0


def test_accept_only_from_referred(session: SessionLike) -> None:
    case = make_case(session, status="referred")
    service.accept_referral(session, NOW, case)
    assert case.status == "waiting"
    with pytest.raises(CaseError):
        service.accept_referral(session, NOW, case)


def test_checkin_draft_submit_delete_restore(session: SessionLike) -> None:
    case = make_case(session)
    volunteer = make_volunteer(session)
    make_assignment(session, case, volunteer)
    data = CheckInData(occurred_at=NOW, mode="phone", successful=True, wellbeing=2)
    checkin = service.create_checkin(session, NOW, case, volunteer, data, submit=False)
    assert checkin.status == "draft" and checkin.submitted_at is None
    service.update_checkin(session, NOW + timedelta(hours=1), checkin, data, submit=True)
    assert checkin.status == "submitted" and checkin.submitted_at == NOW + timedelta(hours=1)
    service.delete_checkin(session, NOW + timedelta(hours=2), checkin, volunteer)
    assert checkin.status == CheckInStatus.DELETED and checkin.deleted_by_id == volunteer.id
    service.restore_checkin(session, NOW + timedelta(hours=3), checkin)
    assert checkin.status == "submitted" and checkin.deleted_at is None


def test_an_attempt_records_no_scores(session: SessionLike) -> None:
    case = make_case(session)
    volunteer = make_volunteer(session)
    data = CheckInData(occurred_at=NOW, mode="phone", successful=False, wellbeing=4, bonding=3)
    checkin = service.create_checkin(session, NOW, case, volunteer, data, submit=True)
    assert checkin.wellbeing is None and checkin.bonding is None


def test_correction_reports_changed_fields(session: SessionLike) -> None:
    case = make_case(session)
    volunteer = make_volunteer(session)
    data = CheckInData(occurred_at=NOW, mode="phone", wellbeing=2, notes="first")
    checkin = service.create_checkin(session, NOW, case, volunteer, data, submit=True)
    data.wellbeing = 3
    data.notes = "second"
    assert service.correct_checkin(session, NOW, checkin, data) == ["wellbeing", "notes"]


def test_closing_a_case_resolves_its_open_flags_saying_so(session: SessionLike) -> None:
    case = make_case(session)
    other = make_case(session)
    flags = [
        EscalationFlag(case=case, rule=rule, severity="high", raised_at=NOW, status=status)
        for rule, status in [("WELLBEING_LOW", "open"), ("NO_CONTACT", "acknowledged")]
    ]
    untouched = EscalationFlag(
        case=other, rule="WELLBEING_LOW", severity="high", raised_at=NOW, status="open"
    )
    session.add_all([*flags, untouched])
    session.flush()

    service.close_case(session, NOW, case, "Support completed")

    for flag in flags:
        assert flag.status == "resolved" and flag.resolved_at == NOW
        assert flag.resolved_by_id is None
        assert "case was closed" in (flag.resolution_note or "")
    assert untouched.status == "open"
