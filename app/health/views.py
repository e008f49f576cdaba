"""``GET /healthz``: 200 with ``"status": "ok"``, else 503. Public, sets no cookie."""

from __future__ import annotations

from flask import current_app, jsonify
from werkzeug.wrappers import Response

from app.auth.access import public
from app.extensions import db
from app.health import bp
from app.health.checks import health_report
from app.web import now


@bp.route("/healthz")
@public
def healthz() -> tuple[Response, int]:
    report = health_report(
        db.session,
        now(),
        float(current_app.config["HEALTH_HEARTBEAT_MAX_SECONDS"]),
        float(current_app.config["HEALTH_OUTBOX_MAX_AGE_SECONDS"]),
    )
    return jsonify(report), 200 if report["status"] == "ok" else 503
