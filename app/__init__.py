"""Corner: create_app() wires config → extensions → blueprints → CLI → error pages."""

from __future__ import annotations

import logging
import os
from functools import partial
from typing import Any

from flask import Flask, Response, request
from flask_login import user_logged_in
from werkzeug.middleware.proxy_fix import ProxyFix

from app import smtp, timeutil
from app.audit_labels import AUDIT_LABEL_FILTERS
from app.background import JOB_LABEL_FILTERS
from app.delivery import banner_context
from app.domain import LABEL_FILTERS
from app.errors import register_errors
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.forms import error_list, reject_unreadable_query
from app.languages import language_name
from app.navigation import nav_items
from app.production import check_config
from app.web import BoundedIntConverter, id_url
from config import BASE_DIR, Config, config_for

#: one year, subdomains included (production; ``HSTS`` in config.py)
HSTS_VALUE = "max-age=31536000; includeSubDomains"


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    if isinstance(config, dict):
        app.config.from_object(config_for(config.get("CORNER_ENV", "testing")))
        app.config.update(config)
    else:
        app.config.from_object(config or config_for(None))
    check_config(app)  # production: refuse a half configuration, naming every problem

    timeutil.set_service_zone(app.config["CORNER_TIMEZONE"])
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    register_errors(app)
    _register_templating(app)
    _quiet_logs(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, take the client address and scheme from
    their X-Forwarded-For and X-Forwarded-Proto (ProxyFix trusts exactly that many hops, so
    a visitor cannot forge an address); with 0 those headers are ignored."""
    count = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0
        )


def _init_extensions(app: Flask) -> None:
    from app.auth.access import enforce_access
    from app.auth.session_limits import end_stale_session, stamp_login
    from app.auth.views import load_user

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.session_protection = "basic"
    app.before_request(reject_unreadable_query)
    app.before_request(end_stale_session)  # before the gate: a stale session is anonymous
    app.before_request(enforce_access)
    user_logged_in.connect(stamp_login, app)

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config.get("HSTS"):
            response.headers.setdefault("Strict-Transport-Security", HSTS_VALUE)
        return response


def _register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.cases import bp as cases_bp
    from app.escalation import bp as escalation_bp
    from app.health import bp as health_bp
    from app.main import bp as main_bp
    from app.matching import bp as matching_bp
    from app.privacy.access_views import bp as rights_bp
    from app.privacy.erasure_views import bp as erasure_bp
    from app.reports.views import bp as reports_bp
    from app.spreadsheets.views import bp as spreadsheets_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(cases_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(escalation_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(spreadsheets_bp)
    app.register_blueprint(rights_bp)
    app.register_blueprint(erasure_bp)
    app.register_blueprint(reports_bp)
    if os.environ.get(BENCH_ENV) == "1":
        _register_bench_endpoint(app)


#: set to 1 by bench/web.py only: adds the bare ``/_bench/ok`` route its figures compare with
BENCH_ENV = "CORNER_BENCH_BARE"


def _register_bench_endpoint(app: Flask) -> None:
    """``/_bench/ok``: "ok" and nothing else, through the same hooks as every page (the
    ceiling bench/web.py measures the pages against). Never registered in a normal run."""
    from app.auth.access import public

    @public
    def bench_ok() -> Response:
        return Response("ok", mimetype="text/plain")

    app.add_url_rule("/_bench/ok", "bench_ok", bench_ok)


def _register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)


def _register_templating(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.context_processor(banner_context)  # undelivered_urgent(): the red banner in base.html
    app.jinja_env.globals["form_errors"] = error_list
    app.jinja_env.globals["id_url"] = id_url  # {% set case_url = id_url(endpoint, "case_id") %}
    app.jinja_env.globals["service_zone"] = timeutil.service_zone
    app.jinja_env.filters["short_date"] = timeutil.short_date
    app.jinja_env.filters["short_date_year"] = timeutil.short_date_year
    app.jinja_env.filters["date_time"] = timeutil.date_time
    app.jinja_env.filters["ago"] = timeutil.ago
    app.jinja_env.filters["language_name"] = language_name  # {{ codes|map("language_name") }}
    app.jinja_env.filters["email_problem"] = smtp.problem_words
    filters = {**LABEL_FILTERS, **AUDIT_LABEL_FILTERS, **JOB_LABEL_FILTERS}
    for name, labels in filters.items():
        app.jinja_env.filters[name] = partial(_label, labels)


def _label(labels: dict[str, str], code: str | None) -> str:
    """The words for a code; an unknown code shows as itself rather than failing the page."""
    if code is None:
        return ""
    return labels.get(code, code)


def _quiet_logs(app: Flask) -> None:
    """Request logs carry paths only; nothing here logs form bodies or personal data."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING if app.testing else logging.INFO)
