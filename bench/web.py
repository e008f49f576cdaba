"""Web benchmark: every page of each role under load, against a bare endpoint on the same server.

    .venv/bin/python -m bench.web [--postgres URL] [--no-sqlite] [--seconds 15] [--scales 10,50]

For each database (a temporary SQLite file; with ``--postgres URL`` also a private database
on that server, dropped at the end even after an error) and each scale, it builds the demo
service at that scale (``build_demo(..., scale=N)``: x10 is 2,260 parents and 391
volunteers) and runs the escalation scan over it (the flags the inbox lists), starts
gunicorn as ``make run`` does (2 sync workers, ``--preload``) with
``CORNER_BENCH_BARE=1`` so the bare ``/_bench/ok`` exists, logs in as each role and loads
each page for ``--seconds`` with ``--connections`` closed-loop clients (wrk when it is
installed, else one Python process per connection, each with a keep-alive
``http.client`` connection; gunicorn's sync workers close it after every answer, so it
reconnects). It prints req/s, the share of the bare endpoint's req/s, p50 and p99 per page,
the x50/x10 ratio of p50, and the load average; then the Jinja time of the list pages and
the case page (``before_render_template`` to ``template_rendered``, in-process, median of 20
renders), which includes the queries a template's lazy loads run.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bench.databases import temporary_postgres, temporary_sqlite

HOST = "127.0.0.1"
BARE = "/_bench/ok"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TEMPLATE_PAGES = ("/cases", "/waiting", "/flags", "/volunteers", "CASE")


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


# --------------------------------------------------------------------------- the data


def build(url: str, scale: int) -> dict[str, Any]:
    """Migrate, build the demo xscale, and find the ids the pages need."""
    from flask_migrate import upgrade

    from app import create_app
    from app.db_statistics import refresh_after_load
    from app.demo.build import build_demo
    from app.escalation.scan import run_scan
    from app.extensions import db

    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        moment = datetime.now(UTC)
        counts = build_demo(db.session, moment, scale=scale)
        db.session.commit()
        counts["flags"] = run_scan(db.session, moment).raised  # the inbox as a service has it
        db.session.commit()
        refresh_after_load(db.session)  # as `flask seed demo` and `make run` do
        print(
            f"  demo x{scale} built in {time.perf_counter() - started:.0f} s: {counts}", flush=True
        )
        db.session.remove()
        db.engine.dispose()
    return {**page_ids(url), "counts": counts}


def page_ids(url: str) -> dict[str, Any]:
    """The ids of the pages each role loads, found in a built demo database."""
    from app import create_app
    from app.demo import vocab
    from app.extensions import db
    from app.models import Assignment, Case, User

    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == vocab.COORDINATOR_EMAIL))
        volunteer = db.session.scalar(select(User).where(User.email == vocab.VOLUNTEER_EMAIL))
        assert coordinator is not None and volunteer is not None
        area_ids = [a.id for a in coordinator.areas]
        busiest = db.session.scalar(  # the coordinator's active case with the most history
            select(Case.id)
            .join(Assignment, Assignment.case_id == Case.id)
            .where(Case.area_id.in_(area_ids), Case.status == "active")
            .group_by(Case.id)
            .order_by(func.count().desc(), Case.id)
            .limit(1)
        )
        waiting = db.session.scalar(
            select(Case.id).where(Case.area_id.in_(area_ids), Case.status == "waiting").limit(1)
        )
        own = db.session.scalar(
            select(Assignment.case_id)
            .where(Assignment.volunteer_id == volunteer.id, Assignment.ended_at.is_(None))
            .limit(1)
        )
        db.session.remove()
        db.engine.dispose()
    return {"case": busiest, "waiting": waiting, "own": own}


def pages_by_role(ids: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "coordinator": [
            "/",
            "/cases",
            f"/cases/{ids['case']}",
            "/waiting",
            "/flags",
            "/volunteers",
            f"/cases/{ids['waiting']}/suggestions",
        ],
        "volunteer": ["/", "/my/parents", f"/cases/{ids['own']}"],
        "admin": ["/", "/admin/users", "/admin/emails", "/admin/audit"],
    }


def emails() -> dict[str, str]:
    from app.demo import vocab

    return {
        "coordinator": vocab.COORDINATOR_EMAIL,
        "volunteer": vocab.VOLUNTEER_EMAIL,
        "admin": vocab.ADMIN_EMAIL,
    }


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(url: str) -> Iterator[int]:
    """gunicorn as ``make run`` starts it, with the bare endpoint; stopped on the way out."""
    from app.launch import GUNICORN_CONF

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CORNER_ENV": "development",
        "SECRET_KEY": os.urandom(16).hex(),
        "CORNER_BENCH_BARE": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]
    command += [
        "--bind",
        f"{HOST}:{port}",
        "--graceful-timeout",
        "5",
        "--access-logfile",
        "/dev/null",
    ]
    server = subprocess.Popen(command, env=env)  # noqa: S603  (the workers of make run)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(port, BARE)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(
    port: int, path: str, cookie: str = "", body: str | None = None
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request("POST" if body is not None else "GET", path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    got = {k.lower(): v for k, v in response.getheaders() if k.lower() != "set-cookie"}
    cookies = [v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
    got["set-cookie"] = "; ".join(cookies)
    conn.close()
    return response.status, got, text


def log_in(port: int, email: str) -> str:
    """The session cookie of this demo account, logged in through the real form."""
    from urllib.parse import urlencode

    from app.demo.vocab import DEMO_PASSWORD

    _status, headers, html = fetch(port, "/login")
    match = CSRF.search(html)
    assert match, "no CSRF token on the login page"
    cookie = headers["set-cookie"]
    body = urlencode({"email": email, "password": DEMO_PASSWORD, "csrf_token": match.group(1)})
    status, headers, _ = fetch(port, "/login", cookie, body)
    assert status == 302, f"login as {email}: {status}"
    return headers["set-cookie"] or cookie


# --------------------------------------------------------------------------- the load


def _client(args: tuple[int, str, str, float]) -> tuple[int, int, list[float]]:
    """One closed-loop client: request after request for ``seconds``; (ok, errors, ms)."""
    port, path, cookie, seconds = args
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    ok = errors = 0
    latencies: list[float] = []
    end = time.perf_counter() + seconds
    while (start := time.perf_counter()) < end:
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                errors += 1
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
        latencies.append((time.perf_counter() - start) * 1000)
    conn.close()
    return ok, errors, latencies


def load(port: int, path: str, cookie: str, seconds: float, connections: int) -> Result:
    if shutil.which("wrk"):
        return _wrk(port, path, cookie, seconds, connections)
    with multiprocessing.get_context("fork").Pool(connections) as pool:
        started = time.perf_counter()
        parts = pool.map(_client, [(port, path, cookie, seconds)] * connections)
        took = time.perf_counter() - started
    latencies = [ms for _, _, part in parts for ms in part]
    return Result(sum(p[0] for p in parts), sum(p[1] for p in parts), took, latencies)


def _wrk(port: int, path: str, cookie: str, seconds: float, connections: int) -> Result:
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections)]
    command += ["-d", f"{int(seconds)}s", "--latency", "-H", f"Cookie: {cookie}"]
    out = subprocess.run(  # noqa: S603
        [*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    # wrk gives percentiles, not samples: two stand-ins that give the same p50 and p99
    return Result(
        done, int(bad.group(1)) if bad else 0, seconds, [ms("50%")] * 98 + [ms("99%")] * 2
    )


# --------------------------------------------------------------------------- template time


def template_times(url: str, ids: dict[str, Any], renders: int = 20) -> dict[str, float]:
    """Median Jinja time (ms) of the list pages and the case page, as the coordinator."""
    from flask import before_render_template, template_rendered

    from app import create_app
    from app.extensions import db

    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    started: list[float] = []
    took: list[float] = []

    def before(*_args: Any, **_kw: Any) -> None:
        started.append(time.perf_counter())

    def after(*_args: Any, **_kw: Any) -> None:
        took.append(time.perf_counter() - started[-1])

    before_render_template.connect(before, app, weak=False)
    template_rendered.connect(after, app, weak=False)
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = CSRF.search(html).group(1)  # type: ignore[union-attr]
    from app.demo.vocab import DEMO_PASSWORD

    client.post(
        "/login",
        data={"email": emails()["coordinator"], "password": DEMO_PASSWORD, "csrf_token": token},
    )
    out: dict[str, float] = {}
    for page in TEMPLATE_PAGES:
        path = f"/cases/{ids['case']}" if page == "CASE" else page
        times = []
        for _ in range(renders):
            took.clear()
            assert client.get(path).status_code == 200, path
            times.append(sum(took) * 1000)
        out[path if page != "CASE" else "/cases/<id>"] = statistics.median(times)
    with app.app_context():
        db.engine.dispose()
    return out


# --------------------------------------------------------------------------- the run


def run_database(label: str, url_cm: Any, scale: int, args: argparse.Namespace) -> dict[str, Any]:
    with url_cm as url:
        print(f"{label} x{scale}:", flush=True)
        ids = build(url, scale)
        jinja = template_times(url, ids)
        results: dict[tuple[str, str], Result] = {}
        load_before = os.getloadavg()
        with gunicorn(url) as port:
            results[("bare", BARE)] = load(port, BARE, "", args.seconds, args.connections)
            for role, pages in pages_by_role(ids).items():
                cookie = log_in(port, emails()[role])
                for path in pages:
                    results[(role, path)] = load(port, path, cookie, args.seconds, args.connections)
                    r = results[(role, path)]
                    print(
                        f"  {role:<11} {path:<28} {r.rate:7.1f} req/s  p50 {r.percentile(50):6.1f}"
                        f"  p99 {r.percentile(99):6.1f} ms  errors {r.errors}",
                        flush=True,
                    )
        return {
            "results": results,
            "jinja": jinja,
            "load": (load_before, os.getloadavg()),
            "counts": ids["counts"],
        }


def generic(path: str) -> str:
    return re.sub(r"/\d+", "/<id>", path)


def report(label: str, runs: dict[int, dict[str, Any]]) -> None:
    scales = sorted(runs)
    print(f"\n{label}")
    for scale in scales:
        before, after = runs[scale]["load"]
        print(
            f"  x{scale}: {runs[scale]['counts']}; load average {before[0]:.1f} -> {after[0]:.1f}"
        )
    head = "| page | role |" + "".join(
        f" x{s} req/s | % of bare | p50 ms | p99 ms |" for s in scales
    )
    if len(scales) > 1:
        head += f" p50 x{scales[-1]} / x{scales[0]} |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    keys = list(runs[scales[0]]["results"])
    for role, path in keys:
        cells = [f"| {generic(path)} | {role} |"]
        p50s = []
        for scale in scales:
            results = runs[scale]["results"]
            match = next(
                (
                    r
                    for (ro, pa), r in results.items()
                    if ro == role and generic(pa) == generic(path)
                ),
                None,
            )
            if match is None:
                cells.append(" - | - | - | - |")
                continue
            bare = results[("bare", BARE)].rate
            share = 100 * match.rate / bare if bare else 0
            p50s.append(match.percentile(50))
            errors = f" ({match.errors} errors)" if match.errors else ""
            cells.append(
                f" {match.rate:.0f}{errors} | {share:.0f}% | {match.percentile(50):.1f} |"
                f" {match.percentile(99):.1f} |"
            )
        if len(scales) > 1 and len(p50s) == len(scales):
            cells.append(f" {p50s[-1] / p50s[0]:.2f} |")
        print("".join(cells))
    print("\nJinja time per render (median of 20, coordinator), ms:")
    for page in runs[scales[0]]["jinja"]:
        print(f"  {page:<14}" + "".join(f"  x{s}: {runs[s]['jinja'][page]:6.1f}" for s in scales))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", metavar="URL", help="also on PostgreSQL (temp database)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--seconds", type=float, default=15.0, help="load per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--scales", default="10,50", help="demo scales, comma-separated")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    print(f"load generator: {'wrk' if shutil.which('wrk') else 'Python, one process a connection'}")
    print(f"{os.cpu_count()} CPUs; load average at start {os.getloadavg()}", flush=True)
    databases: list[tuple[str, Any]] = []
    if not args.no_sqlite:
        databases.append(("SQLite", temporary_sqlite))
    if args.postgres:
        databases.append(("PostgreSQL", lambda: temporary_postgres(args.postgres)))
    for label, make in databases:
        runs = {scale: run_database(label, make(), scale, args) for scale in scales}
        report(label, runs)


if __name__ == "__main__":
    main()
