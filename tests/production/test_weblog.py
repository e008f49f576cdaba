"""The access log line: method, path (tokens hidden), status, size, time; nothing else."""

from __future__ import annotations

import runpy
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from app.weblog import ACCESS_LOG_FORMAT, AccessLogger, safe_path
from config import BASE_DIR


def test_tokens_in_paths_are_hidden() -> None:
    assert safe_path("/password/reset/" + "a1B2_-" * 7) == "/password/reset/[token]"
    assert safe_path("/invitation/" + "x" * 43 + "/") == "/invitation/[token]/"
    assert safe_path("/cases/42/check-ins") == "/cases/42/check-ins"
    assert safe_path(None) == "-"


def test_the_line_has_no_query_string_address_referrer_or_agent() -> None:
    settings = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert settings["access_log_format"] == ACCESS_LOG_FORMAT
    assert "%(r)s" not in ACCESS_LOG_FORMAT and "%(q)s" not in ACCESS_LOG_FORMAT
    assert settings["logger_class"] == "app.weblog.AccessLogger"
    logger = AccessLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/login",
        "QUERY_STRING": "email=priya@example.org",
        "RAW_URI": "/login?email=priya@example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.5",
        "HTTP_REFERER": "https://corner.example.org/?name=Priya",
        "HTTP_USER_AGENT": "Phone",
    }
    request = SimpleNamespace(headers=[("COOKIE", "session=secret")])
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=15))
    line = ACCESS_LOG_FORMAT % atoms
    assert line.endswith('"GET /login" 200 1234 15ms'), line
    for secret in ("priya", "Priya", "203.0.113.5", "Phone", "session=secret"):
        assert all(secret not in str(value) for value in atoms.values()), secret
