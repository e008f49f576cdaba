"""What one request of each page costs, in-process: CPU, wall, Jinja and SQL statements.

    .venv/bin/python -m bench.page_cost [--scale 10] [--runs 30] [--postgres URL]
    .venv/bin/python -m bench.page_cost --url sqlite:////tmp/demo10.sqlite3   # a built database
    .venv/bin/python -m bench.page_cost --build sqlite:////tmp/demo10.sqlite3 --scale 10

The steadier companion of ``bench.web``: on a shared machine the req/s of a loaded server
swing with other work, while the CPU time one request takes in the process hardly does. It
builds the demo service at ``--scale`` in a temporary database (removed afterwards), or uses
the database ``--url`` names (built earlier with ``--build URL``, which builds and stops),
logs each role in through the login form with Flask's test client and requests each page of
``bench.web``'s list ``--runs`` times after two warm-ups. It prints, per page, the median CPU
time of the process (``time.process_time``: on SQLite this includes the queries; on
PostgreSQL only the client's share), the median wall time, the median Jinja time
(``before_render_template`` to ``template_rendered``) and the number of SQL statements one
request runs, and the same for the bare ``/_bench/ok`` route as the floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from sqlalchemy import event

from bench.databases import temporary_postgres, temporary_sqlite
from bench.web import BARE, CSRF, build, emails, generic, page_ids, pages_by_role


def measure(url: str, ids: dict[str, Any], runs: int) -> list[tuple[str, str, dict[str, float]]]:
    from flask import before_render_template, template_rendered

    from app import create_app
    from app.demo.vocab import DEMO_PASSWORD
    from app.extensions import db

    os.environ["CORNER_BENCH_BARE"] = "1"
    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    jinja: list[float] = []
    statements = [0]

    def before(*_args: Any, **_kw: Any) -> None:
        jinja.append(-time.perf_counter())

    def after(*_args: Any, **_kw: Any) -> None:
        jinja[-1] += time.perf_counter()

    def count(*_args: Any, **_kw: Any) -> None:
        statements[0] += 1

    before_render_template.connect(before, app, weak=False)
    template_rendered.connect(after, app, weak=False)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    rows: list[tuple[str, str, dict[str, float]]] = []
    plan = [("bare", [BARE]), *pages_by_role(ids).items()]
    for role, pages in plan:
        client = app.test_client()
        if role != "bare":
            html = client.get("/login").get_data(as_text=True)
            token = CSRF.search(html).group(1)  # type: ignore[union-attr]
            answer = client.post(
                "/login",
                data={"email": emails()[role], "password": DEMO_PASSWORD, "csrf_token": token},
            )
            assert answer.status_code == 302, role
        for path in pages:
            cpu, wall, tmpl, stmts = [], [], [], []
            for i in range(runs + 2):
                jinja.clear()
                statements[0] = 0
                c0, w0 = time.process_time(), time.perf_counter()
                answer = client.get(path)
                c1, w1 = time.process_time(), time.perf_counter()
                assert answer.status_code == 200, (path, answer.status_code)
                if i >= 2:
                    cpu.append((c1 - c0) * 1000)
                    wall.append((w1 - w0) * 1000)
                    tmpl.append(sum(jinja) * 1000)
                    stmts.append(statements[0])
            figures = {
                "cpu": statistics.median(cpu),
                "wall": statistics.median(wall),
                "jinja": statistics.median(tmpl),
                "statements": statistics.median(stmts),
            }
            rows.append((role, path, figures))
            print(
                f"  {role:<11} {generic(path):<24} cpu {figures['cpu']:6.1f} ms"
                f"  wall {figures['wall']:6.1f} ms  jinja {figures['jinja']:5.1f} ms"
                f"  statements {figures['statements']:.0f}",
                flush=True,
            )
    with app.app_context():
        db.engine.dispose()
    return rows


def report(label: str, rows: list[tuple[str, str, dict[str, float]]]) -> None:
    floor = rows[0][2]["cpu"] or 0.001
    print(f"\n{label}; load average {os.getloadavg()[0]:.1f}")
    print("| page | role | CPU ms | x bare | wall ms | Jinja ms | statements |")
    print("|---|---|---|---|---|---|---|")
    for role, path, f in rows:
        print(
            f"| {generic(path)} | {role} | {f['cpu']:.1f} | {f['cpu'] / floor:.1f} |"
            f" {f['wall']:.1f} | {f['jinja']:.1f} | {f['statements']:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--url", help="a database built earlier (with --build)")
    parser.add_argument("--build", metavar="URL", help="build the demo at --scale there, and stop")
    parser.add_argument("--postgres", metavar="URL", help="on a temporary PostgreSQL database")
    args = parser.parse_args()
    if args.build:
        print(build(args.build, args.scale)["counts"])
        return
    if args.url:
        report(args.url.split(":")[0], measure(args.url, page_ids(args.url), args.runs))
        return
    maker = (lambda: temporary_postgres(args.postgres)) if args.postgres else temporary_sqlite
    with maker() as url:
        ids = build(url, args.scale)
        label = f"{'PostgreSQL' if args.postgres else 'SQLite'} x{args.scale}"
        report(label, measure(url, ids, args.runs))


if __name__ == "__main__":
    main()
