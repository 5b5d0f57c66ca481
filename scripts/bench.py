#!/usr/bin/env python3
"""Benchmarks of Datakesos on PostgreSQL, as a list of measured figures.

    .venv/bin/python scripts/bench.py --households 100000 [--database-url URL] [--output bench.json]
        [--markdown table.md] [--compare earlier.json] [--only figure,figure]

Without --database-url a throwaway database (and role) is created on the local server, as
scripts/test_postgres.sh does, and dropped at the end (--keep keeps it and prints its URL). With
--database-url that database is used and data are only added when missing (through COPY,
app/demo/bulk.py), so a second run reuses them; build N1M once with
`flask datakesos demo --households 1000000`.

Each figure has a value, a baseline measured in the same run and their ratio (value / baseline),
and the goal it is held to (met? in the table). Baselines: the raw SQL of the same work on a
plain DBAPI connection (list page, NIK lookup, household page, form save, period close), a
default Flask-AppBuilder ModelView built here (list page, add/edit forms), or the same feature
switched off (count estimate, dashboard reuse). Pages are requested through the Flask test
client as a signed-in user; HTTP throughput through gunicorn with 2 sync workers and keep-alive
clients on loopback. --compare FILE adds the list page's time against an earlier run at another
size; --only runs some figures and merges them into an existing --output.

Add a figure by writing a function that takes the Bench and returns a list of Figure, in the
bench_* module of its subject (shared pieces: scripts/bench_common.py), and naming it in
FIGURES; figures run in that order.

The period close (`period_close…`) is measured at --households N beside the bare SQL statements
it needs (app.periods.statements: the same statements, run one after the other on a plain
connection without the lock, checks, progress and audit entries, then rolled back).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench_close import period_close
from bench_common import Bench, Figure, register_naive_views
from bench_data import create_database, drop_database, prepare
from bench_duplicates import duplicate_scan
from bench_forms import household_form
from bench_http import http_list_page
from bench_import import import_throughput
from bench_maps import map_page
from bench_pages import (
    dashboard,
    household_page,
    list_page,
    list_page_national,
    nik_lookup,
    nik_lookup_api,
)
from bench_ranking import ranking
from bench_reports import certificate, certificates_village_batch

#: Every figure, in the order they run (period_close before the printed documents, which need
#: its closed period); --only names them.
FIGURES: list[Callable[[Bench], list[Figure]]] = [
    list_page,
    nik_lookup,
    list_page_national,
    dashboard,
    nik_lookup_api,
    household_page,
    household_form,
    ranking,
    period_close,
    certificate,
    certificates_village_batch,
    map_page,
    http_list_page,
    import_throughput,
    duplicate_scan,
]


# -- output -------------------------------------------------------------------------------------
def _cells(f: dict, unmet: str) -> tuple[str, ...]:
    """A figure (Figure.as_dict()) as the cells of a table row."""
    unit = f["unit"]
    return (
        f["name"],
        f"{f['value']:.3f} {unit}",
        "–" if f["baseline"] is None else f"{f['baseline']:.3f} {unit}",
        "–" if f["ratio"] is None else f"{f['ratio']:.2f}×",
        f["goal"] or "–",
        {True: "yes", False: unmet, None: "–"}[f["met"]],
    )


def print_table(figures: list[Figure]) -> None:
    header = ("figure", "value", "baseline", "ratio", "goal", "met?")
    rows = [_cells(f.as_dict(), unmet="NO") for f in figures]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for index, row in enumerate([header, *rows]):
        print(
            "  ".join(
                cell.ljust(width) if column in (0, 4) else cell.rjust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))


def markdown_table(report: dict) -> str:
    lines = [
        f"{report['households']:,} households, {report['database']}, {report['cpus']} CPUs, "
        f"{report['generated_at']}",
        "",
        "| figure | value | baseline | ratio | goal | met? |",
        "|---|---:|---:|---:|---|---|",
    ]
    for f in report["figures"]:
        lines.append("| " + " | ".join(_cells(f, unmet="**no**")) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL database to use (default: a throwaway one)"
    )
    parser.add_argument("--output", default="bench.json", help="JSON file to write")
    parser.add_argument("--markdown", default=None, help="also write the table as Markdown")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument(
        "--compare",
        default=None,
        help="JSON of an earlier run (another size) to compare the list page with",
    )
    parser.add_argument(
        "--only", default=None, help="comma-separated figure functions to run (default: all)"
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    known = [measure.__name__ for measure in FIGURES]
    if only and only - set(known):
        parser.error(
            f"--only: no figure {', '.join(sorted(only - set(known)))}; "
            f"the figures are {', '.join(known)}"
        )

    throwaway = None
    url = args.database_url
    if url is None:
        throwaway, url = create_database()
        print(f"throwaway database {throwaway}", flush=True)
    os.environ.setdefault("DATAKESOS_INSTANCE", tempfile.mkdtemp(prefix="datakesos-bench-"))
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(16))
    try:
        import sqlalchemy as sa

        from app import create_app
        from app.extensions import db
        from config import database_url

        os.environ["DATABASE_URL"] = url
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url)})
        register_naive_views(app)
        previous, previous_households = {}, None
        if args.compare:
            earlier = json.loads(Path(args.compare).read_text())
            previous = {f["name"]: f for f in earlier["figures"]}
            previous_households = earlier["households"]
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                print(
                    "scripts/bench.py measures PostgreSQL; give a postgresql:// URL",
                    file=sys.stderr,
                )
                return 2
            version = db.session.execute(sa.text("SHOW server_version")).scalar()
            bench = Bench(
                app=app,
                households=args.households,
                seed=args.seed,
                database=f"PostgreSQL {version}",
                previous=previous,
                previous_households=previous_households,
            )
            prepare(bench)
            figures = []
            for measure in FIGURES:
                if only and measure.__name__ not in only:
                    continue
                print(f"measuring {measure.__name__} …", flush=True)
                figures += measure(bench)
                db.session.remove()
        print()
        print_table(figures)
        if args.only and Path(args.output).exists():
            # A partial run replaces its figures in the earlier report and keeps the others.
            earlier = json.loads(Path(args.output).read_text())["figures"]
            names = {f.name for f in figures}
            kept = [
                Figure(**{k: v for k, v in f.items() if k not in ("ratio", "goal", "met")})
                for f in earlier
                if f["name"] not in names
            ]
            order = {f["name"]: i for i, f in enumerate(earlier)}
            figures = sorted(kept + figures, key=lambda f: order.get(f.name, len(order)))
            print()
            print_table(figures)
        report = {
            "generated_at": datetime.datetime.now().isoformat(timespec="seconds"),
            "database": bench.database,
            "households": args.households,
            "cpus": os.cpu_count(),
            "figures": [f.as_dict() for f in figures],
        }
        Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"\nwritten to {args.output}")
        if args.markdown:
            Path(args.markdown).write_text(markdown_table(report) + "\n")
        return 0
    finally:
        if throwaway:
            if args.keep:
                print(f"kept database: {url}")
            else:
                from app.extensions import db

                try:
                    db.engine.dispose()
                except Exception:  # noqa: BLE001 — no app was created
                    pass
                drop_database(throwaway)
                print(f"dropped throwaway database {throwaway}")


if __name__ == "__main__":
    sys.exit(main())
