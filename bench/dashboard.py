"""Dashboard benchmark: the KPI API and the map data over 1,000,000 cases, under gunicorn.

What it does, in order:

1. Prepares a PostgreSQL database (default `concord_bench_dashboard`) exactly as bench/intake.py
   does, with the same code: create, migrate, `manage.py seed_demo --cases N` (default
   1,000,000: a year of a busy county), `VACUUM (ANALYZE)`; a database kept with `--keep` and
   seeded with the same N is reused, seeding skipped. `--setup-only` stops here.
2. Starts Concord under gunicorn as intake.py does (`-w 2 --threads 4`, gthread, DEBUG off,
   persistent connections), takes a bearer token for the demo leader (county leadership) and
   runs one phase per endpoint from `--concurrency` keep-alive client connections:
   `GET /healthz` (the baseline), the KPIs of the whole county and of one town for the year
   ending today, and the map data of the county's open cases, all and red only. Every answer
   must be 200; anything else is counted as an error.
3. In this process, with Django set up against the same database: calls each endpoint once
   through Django's test client as the leader, records the SQL it sends
   (`CaptureQueriesContext`), and prints `EXPLAIN (ANALYZE, BUFFERS)` of every query that took
   `--explain-ms` or more: where the time goes and which index would help.
4. Prints a table (requests, p50/p95/p99, errors, CPU per request in the app and the database),
   whether the targets are met (p95 ≤ 200 ms for the county's KPIs and its map), and a last
   line to compare runs. Drops the database unless `--keep`.

    .venv/bin/python bench/dashboard.py [--seconds 30] [--cases 1000000] [--concurrency 2]
        [--database-url postgres://postgres@127.0.0.1:5432/concord_bench_dashboard] [--keep]
        [--setup-only] [--skip-load] [--skip-explain] [--explain-ms 20]

Exit status: 0 when every request answered 200, 1 when some did not, 2 on a set-up failure.
Missing the latency targets is reported, not an exit status: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import (  # noqa: E402 - bench/ is put on the path just above
    HOST,
    REQUEST_TIMEOUT,
    WARMUP_REQUESTS,
    CpuMeter,
    Database,
    Endpoint,
    PhaseResult,
    Prepared,
    Server,
    SetupError,
    app_env,
    bench_url_problem,
    free_port,
    gunicorn_version,
    load_average,
    prepare,
    run_phase,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/concord_bench_dashboard"
USERNAME, PASSWORD = "leader", "Concord-demo1"  # the demo county leadership
COUNTY, TOWN = "330604000000", "330604001000"  # 上虞区, 百官街道
TARGET_MS = 200.0  # p95 of the county's KPIs and of its map (the dashboard issue)
FIRST_CALL_TIMEOUT = 120.0  # gunicorn (intake.Server) kills a worker after 60 s anyway
BARE = "GET /healthz"
KPIS, KPIS_TOWN = "kpis county 1 year", "kpis town 1 year"
MAP, MAP_RED = "map county open", "map county red"
CURSOR = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(OUT)? HOLD FOR ', re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    label: str
    path: str


def targets(today: dt.date) -> list[Target]:
    """The measured requests: a year ending today (365 days, both ends included)."""
    first = (today - dt.timedelta(days=364)).isoformat()
    year = f"from={first}&to={today.isoformat()}"
    return [
        Target(BARE, "/healthz"),
        Target(KPIS, f"/api/v1/stats/kpis?division={COUNTY}&{year}"),
        Target(KPIS_TOWN, f"/api/v1/stats/kpis?division={TOWN}&{year}"),
        Target(MAP, f"/api/v1/stats/map?division={COUNTY}"),
        Target(MAP_RED, f"/api/v1/stats/map?division={COUNTY}&risk=red"),
    ]


def local_today() -> dt.date:
    """Today in the county (settings.TIME_ZONE), which the KPI periods are counted in."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


# --------------------------------------------------------------------------------------------
# Load (through gunicorn)


def token_for(port: int, username: str) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    body = json.dumps({"username": username, "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    answer = response.read()
    conn.close()
    if response.status != 200:
        raise SetupError(f"token for {username}: {response.status} {answer[:300]!r}")
    return json.loads(answer)["token"]


def first_calls(port: int, headers: dict[str, str], today: dt.date) -> None:
    """One call per target before the phases, timed: the first KPI call after seeding builds
    the KPI rollup of every case (kept databases have it already). Not counted in the phases;
    an answer other than 200 is a set-up failure."""
    for target in targets(today)[1:]:
        conn = http.client.HTTPConnection(HOST, port, timeout=FIRST_CALL_TIMEOUT)
        started = time.perf_counter()
        try:
            conn.request("GET", target.path, headers=headers)
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise SetupError(f"first call of {target.label}: {type(exc).__name__} {exc}") from None
        finally:
            conn.close()
        took = time.perf_counter() - started
        if response.status != 200:
            raise SetupError(f"first call of {target.label}: {response.status} {answer[:300]!r}")
        print(f"· first call of {target.label}: {took * 1000:,.0f} ms, {len(answer):,} bytes")


def load(args: argparse.Namespace, db: Database, today: dt.date) -> tuple[dict, Server, str]:
    """One phase per target under gunicorn; the results, the (stopped) server, load before."""
    server = Server(db, free_port(), args.workers, args.threads)
    phases: dict[str, PhaseResult] = {}
    try:
        ready = server.wait_ready()
        print(f"· gunicorn up on {HOST}:{server.port} in {ready:.1f} s")
        headers = {"Authorization": f"Bearer {token_for(server.port, USERNAME)}"}
        first_calls(server.port, headers, today)
        meter = CpuMeter(server.process.pid, db)
        load_before = load_average()
        for number, target in enumerate(targets(today), start=1):
            endpoint = Endpoint(target.label, "GET", target.path, 200, headers)
            print(f"· phase {number}: {target.label} for {args.seconds:.0f} s", flush=True)
            makers = [None] * args.concurrency
            phases[target.label] = run_phase(server.port, endpoint, makers, args.seconds, meter)
        if server.process.poll() is not None:
            print(f"! gunicorn died during the run:\n{server.log_tail()}")
    finally:
        server.stop()
        failed = server.process.returncode not in (0, None)
        if failed or any(phase.errors for phase in phases.values()):
            print(f"· gunicorn exited with {server.process.returncode}; log: {server.log.name}")
        else:
            os.unlink(server.log.name)
    return phases, server, load_before


# --------------------------------------------------------------------------------------------
# The SQL behind each endpoint (in this process, Django's test client)


def explain(today: dt.date, slow_ms: float) -> list[dict]:
    """Per target: one call's status, time, size and queries; EXPLAIN ANALYZE of the slow ones."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from concord.accounts.models import User
    from concord.api.auth import issue_token

    client = Client(HTTP_HOST="127.0.0.1")
    key, _token = issue_token(User.objects.get(username=USERNAME))
    headers = {"Authorization": f"Bearer {key}"}
    out = []
    for target in targets(today)[1:]:
        client.get(target.path, headers=headers)  # warm-up: imports, caches, connection
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(target.path, headers=headers)
            took = (time.perf_counter() - started) * 1000
        queries = []
        for query in captured.captured_queries:
            ms = float(query["time"]) * 1000
            # `.iterator()` reads through a server-side cursor: explain the SELECT inside.
            sql = CURSOR.sub("", query["sql"].lstrip(), count=1)
            entry = {"ms": ms, "sql": sql, "plan": [], "cursor": sql != query["sql"].lstrip()}
            if (ms >= slow_ms or entry["cursor"]) and sql.upper().startswith(("SELECT", "WITH")):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    entry["plan"] = [row[0] for row in cursor.fetchall()]
            queries.append(entry)
        out.append(
            {
                "label": target.label,
                "path": target.path,
                "status": response.status_code,
                "ms": took,
                "bytes": len(response.content),
                "summary": summary(target.label, response),
                "queries": queries,
            }
        )
    connection.close()
    return out


def summary(label: str, response) -> str:
    """What the answer held, in a few words (points and totals of the map, the volume)."""
    if response.status_code != 200:
        return response.content[:300].decode(errors="replace")
    data = response.json()
    if label.startswith("map"):
        return f"{data.get('located')} points of {data.get('total')} open cases"
    return f"volume {data.get('volume', {}).get('good')} cases, {len(data)} KPIs"


# --------------------------------------------------------------------------------------------
# Report


def report_load(
    args: argparse.Namespace,
    db: Database,
    prepared: Prepared,
    server: Server,
    phases: dict[str, PhaseResult],
    load_before: str,
    load_after: str,
) -> None:
    seeding = (
        f"seeded in {prepared.seed_seconds:.1f} s"
        if prepared.seed_seconds is not None
        else "kept from an earlier run, seeding skipped"
    )
    print()
    print(f"Concord dashboard benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"  database     {db.name}: {prepared.cases_before:,} cases, {seeding}")
    print(
        f"  server       gunicorn {gunicorn_version()}, {server.workers} workers × "
        f"{server.threads} threads (gthread), DEBUG off, CONN_MAX_AGE=60, {os.cpu_count()} CPUs"
    )
    print(f"  machine      load average {load_before} before the phases, {load_after} after")
    print(
        f"  clients      {args.concurrency} thread{'s' * (args.concurrency != 1)} as "
        f"'{USERNAME}', one keep-alive connection each, {args.seconds:.0f} s per phase after "
        f"{WARMUP_REQUESTS} warm-up requests per client"
    )
    print()
    header = f"  {'endpoint':<20} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    print(header + f" {'p99 ms':>8} {'errors':>7}   {'CPU ms/request: app':>19} {'db':>7}")
    for phase in phases.values():
        print(
            f"  {phase.endpoint:<20} {phase.requests:>9,} {phase.rps:>8.1f} "
            f"{phase.percentile(50):>8.1f} {phase.percentile(95):>8.1f} "
            f"{phase.percentile(99):>8.1f} {sum(phase.errors.values()):>7,}   "
            f"{phase.cpu_per_request('app'):>19.2f} {phase.cpu_per_request('db'):>7.2f}"
        )
    for phase in phases.values():
        if phase.errors:
            by_status = ", ".join(f"{k}: {v:,}" for k, v in phase.errors.most_common())
            print(f"  errors of {phase.endpoint}: {by_status}")
            for sample in phase.samples:
                print(f"    e.g. {sample}")
    print()
    for label in (KPIS, MAP):
        p95 = phases[label].percentile(95)
        verdict = "met" if p95 <= TARGET_MS else "NOT met"
        print(f"  target p95 ≤ {TARGET_MS:.0f} ms for {label}: {verdict} ({p95:.1f} ms)")


def report_explain(explained: list[dict], slow_ms: float) -> None:
    print()
    print(f"  The SQL of one call each (test client, in-process); plans of those ≥ {slow_ms:g} ms")
    for item in explained:
        total_sql = sum(q["ms"] for q in item["queries"])
        print()
        print(
            f"  {item['label']}: {item['status']} in {item['ms']:.0f} ms, {item['bytes']:,} bytes, "
            f"{len(item['queries'])} queries taking {total_sql:.0f} ms, "
            f"{item['ms'] - total_sql:.0f} ms outside them — {item['summary']}"
        )
        print(f"    GET {item['path']}")
        for query in sorted(item["queries"], key=lambda q: -q["ms"]):
            if not query["plan"]:
                continue
            how = " to open a server-side cursor (reading it is not counted)" * query["cursor"]
            print(f"    · {query['ms']:.1f} ms{how}: {shorten(query['sql'], 600)}")
            for line in query["plan"]:
                print(f"        {line}")
        fast = [q for q in item["queries"] if not q["plan"]]
        if fast:
            rest = sum(q["ms"] for q in fast)
            print(f"    · {len(fast)} more under {slow_ms:g} ms: {rest:.1f} ms in all")


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase [30]")
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to seed [1000000]")
    parser.add_argument("--concurrency", type=int, default=2, help="client connections [2]")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"bench database; its name must contain 'bench' [{DEFAULT_DATABASE_URL}]",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (a later run reuses it)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers [2]")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker [4]")
    parser.add_argument(
        "--seed-timeout", type=float, default=7200, help="time limit of seeding, seconds [7200]"
    )
    parser.add_argument(
        "--setup-only", action="store_true", help="prepare the database, measure nothing"
    )
    parser.add_argument("--skip-load", action="store_true", help="no gunicorn phases")
    parser.add_argument("--skip-explain", action="store_true", help="no EXPLAIN of the SQL")
    parser.add_argument(
        "--explain-ms", type=float, default=20, help="EXPLAIN queries taking this long [20]"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 64:
        parser.error("--concurrency must be between 1 and 64")
    if not 1 <= args.seconds <= 3600:
        parser.error("--seconds must be between 1 and 3600")
    if problem := bench_url_problem(args.database_url):
        parser.error(problem)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db = Database(args.database_url)
    phases: dict[str, PhaseResult] = {}
    try:
        prepared = prepare(db, args.cases, args.seed_timeout)
        if args.setup_only:
            return 0
        today = local_today()
        if not args.skip_load:
            phases, server, load_before = load(args, db, today)
            report_load(args, db, prepared, server, phases, load_before, load_average())
        if not args.skip_explain:
            os.environ.update(app_env(db))
            report_explain(explain(today, args.explain_ms), args.explain_ms)
        if phases:
            kpis, town, whole, red = (phases[k] for k in (KPIS, KPIS_TOWN, MAP, MAP_RED))
            print()
            print(
                f"dashboard kpis p50={kpis.percentile(50):.1f}ms p95={kpis.percentile(95):.1f}ms"
                f" | map p50={whole.percentile(50):.1f}ms p95={whole.percentile(95):.1f}ms"
                f" | town kpis p95={town.percentile(95):.1f}ms"
                f" | red map p95={red.percentile(95):.1f}ms (target p95 ≤ {TARGET_MS:.0f}ms)"
            )
    except SetupError as exc:
        print(f"set-up failed: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"· kept database {db.name} (--keep)")
        else:
            db.drop()  # WITH (FORCE): a connection the explain step left open does not hold it
            print(f"· dropped database {db.name}")
    return 1 if any(phase.errors for phase in phases.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
