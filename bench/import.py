"""Import benchmark: `manage.py import_cases` with 100,000 canonical rows into PostgreSQL,
beside a raw `COPY` of the same rows in the same run.

What it does, in order:

1. Prepares the database `concord_bench_import` with `intake.py`'s own code: create, migrate,
   `manage.py seed_demo --cases N` (default 2,000: the county, its reference data and the
   demo's year, as `make run` has it), `VACUUM (ANALYZE)`. With `--keep` a later run with the
   same N reuses it; each run imports under a source of its own, so earlier runs' rows never
   count as "already imported".
2. Writes `--rows` (100,000) varied, valid rows in the canonical format (SPEC §11) to a
   temporary CSV (UTF-8; with `--format xlsx`, an XLSX written by openpyxl): towns and
   villages from the database named in addresses and division columns, every category by code,
   name or path, 1-2 parties with mobile phones and valid resident ID numbers, and a center's
   past: 70% closed history (resolved, rated, archived, with results, times and ratings) and
   30% still open.
3. The floor: `COPY` of the same CSV into a plain table of text columns (no indexes, no
   checks), inside the same database, then drops the table. Rows per second of moving the
   bytes into PostgreSQL, nothing more.
4. The import as an operator runs it: `manage.py import_cases FILE --source bench-…` in a
   fresh process with production settings (DEBUG off), timed from the outside (wall clock,
   Python start and Django set-up included) and as the command reports it (reading, checking,
   writing). Its peak memory is read from the kernel (`ru_maxrss` of the child).
5. The same file again: every row must come back "already imported" and nothing be written.
6. Counts what is in the database under the run's source (cases, parties, timeline events,
   deadlines of the open cases), prints a table and a last line to compare runs
   ("import 100000 rows: ..s (.. rows/s; target ≤ 60 s: within) | again: ..s, 0 created |
   raw COPY: ..s (.. rows/s) | import/COPY ..×").

7. Drops the database unless `--keep`.

    .venv/bin/python bench/import.py [--rows 100000] [--cases 2000] [--format csv|xlsx]
        [--database-url postgres://postgres@127.0.0.1:5432/concord_bench_import] [--keep]

Exit status: 0 when the import created every row and the second run none; 1 otherwise; 2 on
a set-up failure. A missed time target is printed, not an exit status.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

# The intake benchmark's database handling, manage.py runner and test-data vocabulary (bench/
# is on sys.path when this script runs).
from intake import (
    CHANNELS,
    ENDINGS,
    MIDDLES,
    OPENINGS,
    TYPES,
    Database,
    Reference,
    SetupError,
    app_env,
    bench_url_problem,
    id_number,
    load_average,
    person,
    prepare,
    weighted,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/concord_bench_import"
TARGET_SECONDS = 60.0
IMPORT_TIMEOUT = 1800
HEADER = [
    "source_id",
    "received_at",
    "type",
    "channel",
    "category",
    "title",
    "description",
    "division",
    "address",
    "applicant_name",
    "applicant_phone",
    "applicant_id_number",
    "respondent_name",
    "status",
    "result",
    "resolved_at",
    "satisfaction",
]
# A center bringing its past: mostly closed history, some still open.
STATUSES = {"": 30, "resolved": 20, "rated": 25, "archived": 25}
RESULTS = {"mediated": 45, "solved": 20, "answered": 15, "mediation_failed": 8, "litigation": 5,
           "withdrawn": 4, "other": 3}  # fmt: skip
SATISFACTION = {"satisfied": 70, "basically_satisfied": 22, "dissatisfied": 8}
SUMMARY = re.compile(
    r"(?P<created>\d+) created, (?P<existing>\d+) already imported, (?P<bad>\d+) bad rows, "
    r"\d+ categories created; (?P<rows>\d+) rows in (?P<seconds>[\d.]+) s"
)


# --------------------------------------------------------------------------------------------
# The file


def rows(ref: Reference, count: int, seed: int, now: dt.datetime):
    """`count` valid canonical rows, the same for the same seed."""
    rng = random.Random(seed)
    for n in range(1, count + 1):
        village = rng.choice(ref.villages)
        town = next((t for t in ref.towns if village.code.startswith(t.code[:9])), None)
        code, name = rng.choice(ref.categories)
        category = rng.choice((code, name, name, code))
        received = now - dt.timedelta(seconds=rng.randrange(2 * 365 * 86400))
        status = weighted(rng, STATUSES)
        applicant = person(rng)
        words = {
            "who": "申请人",
            "a": applicant,
            "b": person(rng),
            "topic": name,
            "place": village.name,
            "since": f"{rng.randint(2019, 2025)}年{rng.randint(1, 12)}月",
            "months": rng.randint(2, 30),
            "amount": f"{rng.randint(1, 90) * 1000:,}",
            "n": rng.randint(2, 30),
        }
        text = rng.choice(OPENINGS) + "".join(rng.sample(MIDDLES, rng.randint(1, 3)))
        where = rng.random()
        division, address = "", f"{village.name}{rng.randint(1, 300)}号"
        if where < 0.3 and town:
            division = town.name  # the town named, the village found in the address
        elif where < 0.4:
            division, address = village.code, ""
        row = {
            "source_id": f"OLD-{n:07d}",
            "received_at": received.strftime("%Y-%m-%d %H:%M"),
            "type": weighted(rng, TYPES),
            "channel": weighted(rng, CHANNELS),
            "category": category,
            "description": (text + rng.choice(ENDINGS)).format(**words),
            "division": division,
            "address": address,
            "applicant_name": applicant,
            "applicant_phone": rng.choice(("13", "15", "18")) + f"{rng.randrange(10**9):09d}",
            "applicant_id_number": id_number(rng) if rng.random() < 0.4 else "",
            "respondent_name": person(rng) if rng.random() < 0.6 else "",
            "status": status,
        }
        if status:
            resolved = min(now, received + dt.timedelta(seconds=rng.randrange(60 * 86400)))
            row["result"] = weighted(rng, RESULTS)
            row["resolved_at"] = resolved.strftime("%Y-%m-%d %H:%M")
            if status == "rated" or (status == "archived" and rng.random() < 0.8):
                row["satisfaction"] = weighted(rng, SATISFACTION)
        yield [row.get(h, "") for h in HEADER]


def write_file(ref: Reference, count: int, folder: Path, kind: str) -> tuple[Path, Path]:
    """The CSV (always: the raw COPY reads it) and the file to import."""
    now = dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1)
    path = folder / "cases.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows(ref, count, 0, now))
    if kind == "csv":
        return path, path
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    with path.open(encoding="utf-8", newline="") as source:
        for row in csv.reader(source):
            sheet.append(row)
    xlsx = folder / "cases.xlsx"
    book.save(xlsx)
    return path, xlsx


# --------------------------------------------------------------------------------------------
# The measurements


def raw_copy(db: Database, path: Path) -> tuple[float, int]:
    """Seconds to COPY the CSV into a bare table of text columns (then dropped), and rows."""
    columns = ", ".join(f"{name} text" for name in HEADER)
    with psycopg.connect(db.url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_import")
        conn.execute(f"CREATE TABLE bench_raw_import ({columns})")
        try:
            started = time.perf_counter()
            with conn.cursor() as cursor:
                sql = "COPY bench_raw_import FROM STDIN WITH (FORMAT csv, HEADER true)"
                with cursor.copy(sql) as copy, path.open("rb") as source:
                    while block := source.read(1 << 20):
                        copy.write(block)
            seconds = time.perf_counter() - started
            loaded = conn.execute("SELECT count(*) FROM bench_raw_import").fetchone()[0]
        finally:
            conn.execute("DROP TABLE IF EXISTS bench_raw_import")
    return seconds, loaded


def run_import(db: Database, path: Path, source: str) -> dict:
    """`manage.py import_cases` in a fresh process: its summary, wall time and peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "manage.py", "import_cases", str(path), "--source", source],
            cwd=ROOT,
            env=app_env(db),
            capture_output=True,
            text=True,
            timeout=IMPORT_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise SetupError(f"import_cases took more than {IMPORT_TIMEOUT} s") from None
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SetupError(f"import_cases failed:\n{done.stdout}{done.stderr}")
    found = SUMMARY.search(done.stdout)
    if found is None:
        raise SetupError(f"import_cases printed no summary:\n{done.stdout}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "wall": wall,
        "seconds": float(found["seconds"]),
        "created": int(found["created"]),
        "existing": int(found["existing"]),
        "bad": int(found["bad"]),
        "rows": int(found["rows"]),
        # The largest child so far: a later, smaller child leaves it unchanged.
        "peak_mb": max(peak, before) / 1024,
        "output": done.stdout.strip().splitlines()[-1],
    }


def written(db: Database, source: str) -> dict:
    (counts,) = db.query(
        "SELECT count(*), "
        "(SELECT count(*) FROM cases_party p JOIN cases_case c ON c.id = p.case_id "
        f"  WHERE c.source = '{source}'), "
        "(SELECT count(*) FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id "
        f"  WHERE c.source = '{source}'), "
        "(SELECT count(*) FROM deadlines_deadline d JOIN cases_case c ON c.id = d.case_id "
        f"  WHERE c.source = '{source}'), "
        "count(*) FILTER (WHERE status = 'registered') "
        f"FROM cases_case WHERE source = '{source}'"
    )
    return dict(zip(("cases", "parties", "events", "deadlines", "open"), counts, strict=True))


# --------------------------------------------------------------------------------------------


def report(args, measured: dict, load_before: str, load_after: str) -> bool:
    first, again, copy_s, loaded = (
        measured["first"],
        measured["again"],
        measured["copy"],
        measured["loaded"],
    )
    counts = measured["counts"]
    rate = args.rows / first["seconds"]
    copy_rate = loaded / copy_s if copy_s else 0
    ok = (
        first["created"] == args.rows
        and first["bad"] == 0
        and again["created"] == 0
        and again["existing"] == args.rows
        and counts["cases"] == args.rows
        and loaded == args.rows
    )
    within = "within" if first["seconds"] <= TARGET_SECONDS else "OVER"
    print()
    print(f"Concord import benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(
        f"  file         {args.rows:,} canonical rows, {args.format.upper()} "
        f"{measured['size_mb']:.1f} MB ({measured['csv_mb']:.1f} MB as CSV), written in "
        f"{measured['write_s']:.1f} s"
    )
    print(
        f"  database     {measured['db']}: {args.cases:,} demo cases before; after the import "
        f"{counts['cases']:,} imported cases ({counts['open']:,} open), {counts['parties']:,} "
        f"parties, {counts['events']:,} timeline events, {counts['deadlines']:,} deadlines"
    )
    print(
        f"  machine      load average {load_before} before, {load_after} after; "
        f"{os.cpu_count()} CPUs"
    )
    print()
    print(f"  {'phase':<34} {'seconds':>8} {'rows/s':>9} {'created':>8} {'skipped':>8}")
    phases = [
        ("import_cases (command's own time)", first),
        ("  wall, process included", None),
        ("import_cases again (same file)", again),
    ]
    for label, result in phases:
        if result is None:
            print(f"  {label:<34} {first['wall']:>8.1f} {args.rows / first['wall']:>9,.0f}")
            continue
        print(
            f"  {label:<34} {result['seconds']:>8.1f} {args.rows / result['seconds']:>9,.0f} "
            f"{result['created']:>8,} {result['existing']:>8,}"
        )
    print(f"  {'raw COPY of the same CSV':<34} {copy_s:>8.2f} {copy_rate:>9,.0f} {loaded:>8,}")
    print(f"  (peak memory of the import process: {first['peak_mb']:.0f} MB)")
    print(f"  command said: {first['output']}")
    print()
    print(
        f"import {args.rows} rows: {first['seconds']:.1f}s ({rate:,.0f} rows/s; target ≤ "
        f"{TARGET_SECONDS:g} s: {within}) | again: {again['seconds']:.1f}s, "
        f"{again['created']} created | raw COPY: {copy_s:.2f}s ({copy_rate:,.0f} rows/s) | "
        f"import/COPY {first['seconds'] / copy_s:.0f}×"
    )
    if not ok:
        print("  UNEXPECTED COUNTS: see the table above")
    return ok


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows to import [100000]")
    parser.add_argument("--cases", type=int, default=2000, help="demo cases seeded first [2000]")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="[csv]")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"bench database; its name must contain 'bench' [{DEFAULT_DATABASE_URL}]",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--seed-timeout", type=float, default=1800, help="time limit of seeding, seconds [1800]"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.rows <= 200_000:
        parser.error("--rows must be between 1 and 200,000 (the import's row limit)")
    if not 1 <= args.cases <= 1_000_000:
        parser.error("--cases must be between 1 and 1,000,000")
    if problem := bench_url_problem(args.database_url):
        parser.error(problem)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db = Database(args.database_url)
    source = f"bench-{dt.datetime.now():%Y%m%d%H%M%S}"
    try:
        prepare(db, args.cases, args.seed_timeout)
        with tempfile.TemporaryDirectory(prefix="concord-bench-import-") as folder:
            started = time.perf_counter()
            csv_path, path = write_file(Reference.load(db), args.rows, Path(folder), args.format)
            measured = {
                "db": db.name,
                "write_s": time.perf_counter() - started,
                "size_mb": path.stat().st_size / 1e6,
                "csv_mb": csv_path.stat().st_size / 1e6,
            }
            print(f"· wrote {args.rows:,} rows to {path.name} in {measured['write_s']:.1f} s")
            load_before = load_average()
            measured["copy"], measured["loaded"] = raw_copy(db, csv_path)
            print(f"· raw COPY in {measured['copy']:.2f} s", flush=True)
            measured["first"] = run_import(db, path, source)
            print(f"· imported in {measured['first']['wall']:.1f} s (wall)", flush=True)
            measured["again"] = run_import(db, path, source)
            print(f"· imported again in {measured['again']['wall']:.1f} s (wall)", flush=True)
            load_after = load_average()
        measured["counts"] = written(db, source)
        ok = report(args, measured, load_before, load_after)
    except SetupError as exc:
        print(f"set-up failed: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"· kept database {db.name} (--keep)")
        else:
            db.drop()
            print(f"· dropped database {db.name}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
