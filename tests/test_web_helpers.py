"""``id_url``: a list's row links built once per page, the same as ``url_for`` for each row."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, url_for

from app.domain import DB_INT_MAX
from app.web import id_url

ENDPOINTS = [
    ("cases.case_detail", "case_id"),
    ("escalation.flag_detail", "flag_id"),
    ("matching.volunteer_edit", "user_id"),
    ("admin.safeguarding_lead", "user_id"),
    ("admin.reactivate_user", "user_id"),
]


@pytest.mark.parametrize(("endpoint", "key"), ENDPOINTS)
def test_id_url_agrees_with_url_for(app: Flask, endpoint: str, key: str) -> None:
    with app.test_request_context("/"):
        url = id_url(endpoint, key)
        for value in (1, 7, 42, 2147, 10**6, DB_INT_MAX - 1, DB_INT_MAX):
            values: dict[str, Any] = {key: value}
            assert url(value) == url_for(endpoint, **values)


def test_id_url_takes_whole_numbers_only(app: Flask) -> None:
    with app.test_request_context("/"):
        url = id_url("cases.case_detail", "case_id")
        assert url(True) == url_for("cases.case_detail", case_id=1)
        with pytest.raises(ValueError):
            url("1/../admin")  # type: ignore[arg-type]
