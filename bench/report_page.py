"""Benchmark: the Reports page's figures (``app.reports.page.build_report``: the period's
summary and the five figures by month, ``app.reports.monthly``) and its workbook, over
50,000 cases and 1,000,000 check-ins.

The data and the temporary databases are ``bench.reports``'s. For each database it prints
the median of 3 runs (after one warm-up) of:

* one ``summarise`` for the last quarter (1 July - 30 September 2026): what the page adds
  to it is the months;
* ``build_report`` for the last quarter and for the year to date
  (1 January - 2 November 2026), the whole service, and the statements
  each runs;
* the .xlsx workbook of the last quarter's report (openpyxl, no database).

Run (from the repository root):

    .venv/bin/python -m bench.report_page
    .venv/bin/python -m bench.report_page --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.reports.page import build_report
from app.reports.params import ReportArgs
from app.reports.periods import preset
from app.reports.summary import summarise
from app.reports.workbook import workbook_bytes
from bench.escalation import NOW, counted, generate, load, temporary_postgres
from bench.reports import Data, enrich
from bench.timing import load_average_line, median_of


def measure(url: str, data: Data) -> dict[str, Any]:
    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        engine = db.engine
        load(engine, data)
        quarter = ReportArgs("last_quarter", preset("last_quarter", NOW.date()))
        year = ReportArgs("year_to_date", preset("year_to_date", NOW.date()))

        def summary() -> Any:
            figures = summarise(db.session, period=quarter.period, now=NOW)
            db.session.rollback()
            return figures

        def page(args: ReportArgs) -> Callable[[], Any]:
            def run() -> Any:
                report = build_report(db.session, args, scope=None, now=NOW)
                db.session.rollback()
                return report

            return run

        summary_seconds, _, _ = median_of(3, summary)
        with counted(engine) as quarter_statements:
            page(quarter)()
        quarter_seconds, _, report = median_of(3, page(quarter))
        with counted(engine) as year_statements:
            page(year)()
        year_seconds, _, _ = median_of(3, page(year))

        def workbook() -> bytes:
            return workbook_bytes(
                report.sections, period=report.period, area=None, generated_at=NOW
            )

        workbook_seconds, _, book = median_of(3, workbook)
        db.session.remove()
        engine.dispose()
    return {
        "database": engine.dialect.name,
        "summary_quarter_seconds": round(summary_seconds, 3),
        "page_quarter_seconds": round(quarter_seconds, 3),
        "page_quarter_statements": len(quarter_statements),
        "page_year_to_date_seconds": round(year_seconds, 3),
        "page_year_to_date_statements": len(year_statements),
        "workbook_seconds": round(workbook_seconds, 3),
        "workbook_bytes": len(book),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (temp database)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    args = parser.parse_args(argv)
    data = enrich(generate(args.cases, args.checkins))
    results = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", data))
            print(json.dumps(results[-1]), flush=True)
    if args.postgres:
        with temporary_postgres(args.postgres) as url:
            results.append(measure(url, data))
            print(json.dumps(results[-1]), flush=True)
    for r in results:
        print(
            f"{r['database']:<10} summary (last quarter) {r['summary_quarter_seconds']:.3f} s | "
            f"page, last quarter {r['page_quarter_seconds']:.3f} s "
            f"({r['page_quarter_statements']} statements) | page, year to date "
            f"{r['page_year_to_date_seconds']:.3f} s ({r['page_year_to_date_statements']} "
            f"statements) | workbook {r['workbook_seconds']:.3f} s"
        )
    print(load_average_line())


if __name__ == "__main__":
    main()
