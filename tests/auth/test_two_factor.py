"""Two-factor sign-in (TOTP) for admins and coordinators: codes computed here at a pinned
time, no code twice, recovery codes once, the required setting, an admin's reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.auth import two_factor
from app.auth.two_factor_service import SETTINGS_KEY, enrol
from app.extensions import SessionLike
from app.models import AuditEvent, RecoveryCode, User
from app.settings import save_settings
from tests.auth.helpers import is_logged_in, logout
from tests.factories import NOW, make_user
from tests.helpers import csrf_token, login

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STEP = 30


def _code(at: object = NOW) -> str:
    return pyotp.TOTP(SECRET).at(at)  # type: ignore[arg-type]


def _enrolled(session: SessionLike, role: str = "coordinator") -> tuple[User, list[str]]:
    user = make_user(session, role)
    session.flush()
    codes = enrol(session, user, SECRET, pyotp.TOTP(SECRET).timecode(NOW - timedelta(hours=1)), NOW)
    session.commit()
    return user, codes


def _send_code(client: FlaskClient, code: str) -> tuple[int, str]:
    page = client.get("/login/code")
    assert page.status_code == 200
    response = client.post("/login/code", data={"code": code, "csrf_token": csrf_token(page.text)})
    return response.status_code, response.headers.get("Location", response.get_data(as_text=True))


def _require(session: SessionLike, on: bool = True) -> None:
    save_settings(session, NOW, SETTINGS_KEY, {"require_two_factor": on}, None)
    session.commit()


def test_code_rules_accept_one_step_either_side_and_never_a_step_twice() -> None:
    totp = pyotp.TOTP(SECRET)
    step = totp.timecode(NOW)
    for offset in (-1, 0, 1):
        typed = totp.at(NOW + timedelta(seconds=STEP * offset))
        assert two_factor.matching_step(SECRET, typed, NOW, None) == step + offset
    assert two_factor.matching_step(SECRET, totp.at(NOW - timedelta(minutes=2)), NOW, None) is None
    assert two_factor.matching_step(SECRET, _code(), NOW, step) is None  # used already
    assert two_factor.matching_step(SECRET, f" {_code()[:3]} {_code()[3:]} ", NOW, None) == step
    assert two_factor.matching_step(SECRET, "12345", NOW, None) is None
    codes = two_factor.new_recovery_codes()
    assert len(set(codes)) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)


def test_a_totp_login_works_with_the_right_code_and_not_a_wrong_or_reused_one(
    app: Flask, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    user, _codes = _enrolled(session)
    client = app.test_client()
    response = login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    # the half-signed-in state opens nothing else
    assert not is_logged_in(client)
    assert client.get("/account/two-factor").status_code == 302
    wrong = "000000" if _code() != "000000" else "111111"
    status, html = _send_code(client, wrong)
    assert status == 200 and "That code is not right" in html
    assert not is_logged_in(client)
    assert _send_code(client, _code()) == (302, "/")
    assert is_logged_in(client)
    logout(client)
    # the same code again (same 30 seconds, or replayed): refused
    other = app.test_client()
    assert login(other, user.email).status_code == 302
    status, html = _send_code(other, _code())
    assert status == 200 and "used already" in html and not is_logged_in(other)
    # the next step's code works
    app.config["CORNER_NOW"] = NOW + timedelta(seconds=STEP)
    assert _send_code(other, _code(NOW + timedelta(seconds=STEP))) == (302, "/")
    failed = session.scalar(select(func.count()).where(AuditEvent.action == "login.code_failed"))
    assert failed == 2


def test_a_recovery_code_works_once(app: Flask, session: SessionLike) -> None:
    app.config["CORNER_NOW"] = NOW
    user, codes = _enrolled(session, "admin")
    client = app.test_client()
    login(client, user.email)
    status, location = _send_code(client, codes[3].upper().replace("-", " "))
    assert (status, location) == (302, "/")
    assert "9 left" in client.get("/").get_data(as_text=True)
    logout(client)
    login(client, user.email)
    status, html = _send_code(client, codes[3])
    assert status == 200 and "That code is not right" in html
    stored = session.scalars(select(RecoveryCode.code_hash)).all()
    assert codes[0] not in " ".join(stored)  # only hashes are kept


def test_the_half_signed_in_state_expires(app: Flask, session: SessionLike) -> None:
    app.config["CORNER_NOW"] = NOW
    user, _codes = _enrolled(session)
    client = app.test_client()
    login(client, user.email)
    app.config["CORNER_NOW"] = NOW + timedelta(minutes=6)
    page = client.get("/login/code")
    assert page.status_code == 200 and "Log in again" in page.text
    assert client.post("/login/code", data={"code": _code()}).status_code in {200, 400}
    assert not is_logged_in(client)


def test_wrong_codes_are_limited_like_passwords(app: Flask, session: SessionLike) -> None:
    app.config["CORNER_NOW"] = NOW
    user, _codes = _enrolled(session)
    client = app.test_client()
    login(client, user.email)
    wrong = "000000" if _code() != "000000" else "111111"
    statuses = [_send_code(client, wrong)[0] for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def _secret_on_page(html: str) -> str:
    match = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html)
    assert match, html
    return match.group(1).replace(" ", "")


def test_required_setting_sends_staff_to_set_it_up_and_nothing_else(
    app: Flask, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    user = make_user(session, "coordinator")
    session.commit()
    _require(session)
    client = app.test_client()
    response = login(client, user.email)
    assert response.headers["Location"] == "/account/two-factor"
    for path in ("/", "/cases", "/account/password"):
        assert client.get(path).headers.get("Location") == "/account/two-factor", path
    page = client.get("/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and "required" in html
    secret = _secret_on_page(html)
    assert client.get("/account/two-factor").get_data(as_text=True).count(secret[:4]) >= 1
    wrong = client.post(
        "/account/two-factor", data={"code": "12345x", "csrf_token": csrf_token(html)}
    )
    assert wrong.status_code == 200 and "not right" in wrong.text
    done = client.post(
        "/account/two-factor",
        data={"code": pyotp.TOTP(secret).at(NOW), "csrf_token": csrf_token(html)},
    )
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10
    assert client.get("/").status_code == 200  # free to go on
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None and stored.totp_secret == secret
    assert secret not in client.get("/account/two-factor").get_data(as_text=True)  # never again
    # and it cannot be turned off while required
    status_page = client.get("/account/two-factor").get_data(as_text=True)
    assert "cannot be turned off" in status_page
    off = client.post(
        "/account/two-factor/off",
        data={
            "code": pyotp.TOTP(secret).at(NOW + timedelta(seconds=STEP)),
            "csrf_token": csrf_token(status_page),
        },
    )
    assert off.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).totp_secret == secret  # type: ignore[union-attr]


def test_staff_may_turn_it_off_with_a_code_when_not_required(
    app: Flask, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    user, _codes = _enrolled(session)
    client = app.test_client()
    login(client, user.email)
    _send_code(client, _code())
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "10 unused recovery codes" in page
    later = NOW + timedelta(seconds=STEP)
    app.config["CORNER_NOW"] = later
    off = client.post(
        "/account/two-factor/off", data={"code": _code(later), "csrf_token": csrf_token(page)}
    )
    assert off.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).totp_secret is None  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_volunteers_are_never_asked(app: Flask, session: SessionLike) -> None:
    app.config["CORNER_NOW"] = NOW
    volunteer = make_user(session, "volunteer")
    session.commit()
    _require(session)
    client = app.test_client()
    assert login(client, volunteer.email).headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/account/two-factor").status_code == 403


def test_an_admin_resets_a_lost_phone(app: Flask, session: SessionLike) -> None:
    app.config["CORNER_NOW"] = NOW
    user, _codes = _enrolled(session)
    admin = make_user(session, "admin")
    session.commit()
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Reset two-factor sign-in" in page
    path = f"/admin/users/{user.id}/two-factor/reset"
    assert client.post(path).status_code == 400  # no CSRF token, no reset
    response = client.post(path, data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).totp_secret is None  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor.reset"))
    assert event is not None and event.actor_id == admin.id and event.object_id == str(user.id)
    # they now sign in with their password alone
    assert login(app.test_client(), user.email).headers["Location"] == "/"
