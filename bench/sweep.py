"""Deadline sweep benchmark: one `sweep(now)` over 100,000 open deadlines, 1% of them due.

What it does, in order:

1. Creates a fresh PostgreSQL database (default `concord_bench_sweep`), migrates it and seeds
   it with `manage.py seed_demo --cases N` (default 20,000). Seeding gives every case the
   deadlines its timeline started, and marks those already past their warning or due time as
   fired, so a sweep right after seeding has nothing to do.
2. Tops the open deadlines up to `--open` (100,000). A year of demo cases leaves about one
   open deadline for every 17 cases (most nodes were met long ago, and seeding marks the
   overdue ones breached): 100,000 would take some 1.7 million seeded cases, for rows the
   sweep never reads. So the rest are inserted directly (`concord.demo.bulk.Table`, COPY) on
   the seeded open cases that have an organisation to answer for them: `--due` (1,000, 1%)
   of them with their warning and due times before the sweep's moment and nothing fired, the
   others due in the next hour to 60 days. "Open" is what the `deadline_to_breach` partial
   index holds: not met, not paused, not breached. Seeded nodes that fell due between seeding
   and now are marked fired the way seeding marks them, so exactly `--due` nodes are due.
3. Runs `VACUUM (ANALYZE)`: a bulk load leaves the planner without statistics until
   autovacuum gets there.
4. In one Django process (this script again, run with the bench database's settings):
   records the two claim queries the sweep itself sends (during a sweep at a moment ten years
   back, when nothing is due: it changes nothing), prints their `EXPLAIN` for the real moment
   and whether they use `deadline_to_warn` / `deadline_to_breach`, then times `sweep(now)`
   and a second `sweep(now)` at the same moment, which must fire nothing.
5. Prints a table and a one-line summary, and drops the database unless `--keep`.

The sweep runs at a fixed moment (`now`, taken when the deadlines are prepared) so that no
node falls due while the benchmark runs. The run is bounded: every subprocess has a time limit.

    .venv/bin/python bench/sweep.py [--cases 20000] [--open 100000] [--due 1000]
        [--database-url postgres://postgres@127.0.0.1:5432/concord_bench_sweep] [--keep]

Exit status: 0 when the first sweep fired exactly the due nodes, the second nothing, and both
claim queries use their partial index; 1 otherwise; 2 on a set-up failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

# The intake benchmark's database handling and manage.py runner (bench/ is on sys.path when
# this script runs).
from intake import Database, SetupError, app_env, bench_url_problem, load_average, manage

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/concord_bench_sweep"
TARGET_SECONDS = 2.0
INDEXES = {"warn": "deadline_to_warn", "breach": "deadline_to_breach"}
STEP_TIMEOUT = 900  # seconds for each step run inside Django


# --------------------------------------------------------------------------------------------
# Steps run inside Django (this script, started with `--step` and the bench database's settings)


def step_prepare(now: dt.datetime, target: int, due: int) -> dict:
    """Top the open deadlines up to `target`, exactly `due` of them due at `now`."""
    from django.db import transaction
    from django.db.models import F, Q

    from concord.cases.choices import CaseStatus
    from concord.cases.models import Case
    from concord.deadlines.models import Deadline, PolicyNode
    from concord.demo.bulk import Table

    running = Deadline.objects.filter(met_at=None, paused_at=None)
    with transaction.atomic():
        # What fell due since seeding, marked as seeding marks it: fired on time, no events.
        warned = running.filter(warned_at=None, breached_at=None, warn_at__lte=now).update(
            warned_at=F("warn_at")
        )
        breached = running.filter(breached_at=None, due_at__lte=now).update(breached_at=F("due_at"))
        seeded_open = running.filter(breached_at=None).count()
        extra = target - seeded_open
        if extra < due:
            raise SetupError(
                f"the seeded cases already hold {seeded_open:,} open deadlines, leaving room "
                f"for {max(extra, 0):,} new ones of which {due:,} should be due: seed fewer cases"
            )
        open_statuses = [
            CaseStatus.REGISTERED,
            CaseStatus.ACCEPTED,
            CaseStatus.ASSIGNED,
            CaseStatus.IN_PROGRESS,
        ]
        # The sweep escalates a breach to the organisation answering for the case.
        cases = list(
            Case.objects.filter(status__in=open_statuses)
            .filter(Q(lead_org__isnull=False) | Q(registered_org__isnull=False))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not cases:
            raise SetupError("no open case with an organisation to attach deadlines to")
        # The case-wide nodes of the general policy (hand down, resolve, follow up).
        nodes = list(
            PolicyNode.objects.filter(
                per_task=False, policy__case_type="", policy__category=None, policy__level=""
            ).order_by("pk")
        )
        rng = random.Random(0)
        rows = []
        for i in range(extra):
            node = nodes[i % len(nodes)]
            if i < due:
                due_at = now - dt.timedelta(seconds=rng.uniform(60, 6 * 3600))
                warn_at = due_at - dt.timedelta(seconds=rng.uniform(0, 3 * 3600))
            else:
                due_at = now + dt.timedelta(seconds=rng.uniform(3600, 60 * 86400))
                warn_at = max(now + dt.timedelta(seconds=60), due_at - dt.timedelta(days=3))
            started_at = min(warn_at, now) - dt.timedelta(seconds=rng.uniform(3600, 20 * 86400))
            rows.append(
                {
                    "case_id": cases[i % len(cases)],
                    "node_id": node.pk,
                    "code": node.code,
                    "label": node.label,
                    "unit": node.unit,
                    "amount": node.amount,
                    "art85": node.art85,
                    "started_at": started_at,
                    "pauses": [],
                    "due_at": due_at,
                    "warn_at": warn_at,
                }
            )
        Table(Deadline).insert(rows)
    return {
        "marked_warned": warned,
        "marked_breached": breached,
        "seeded_open": seeded_open,
        "inserted": extra,
        "cases": min(len(cases), extra),
        "open": running.filter(breached_at=None).count(),
        "due_warn": running.filter(warned_at=None, breached_at=None, warn_at__lte=now).count(),
        "due_breach": running.filter(breached_at=None, due_at__lte=now).count(),
    }


def step_measure(now: dt.datetime) -> dict:
    """EXPLAIN the claim queries, then time two sweeps at `now`."""
    from django.db import connection

    from concord.cases.models import CaseEvent
    from concord.deadlines.models import Supervision
    from concord.deadlines.sweep import sweep
    from concord.notifications.models import Notification

    claims: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        if "SKIP LOCKED" in sql:
            claims.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    # The SQL the sweep sends, from a sweep that finds nothing: ten years back nothing is due.
    with connection.execute_wrapper(record):
        dry = sweep(now - dt.timedelta(days=3650))
    if dry != {"warned": 0, "breached": 0} or len(claims) != 2:
        raise SetupError(f"the dry sweep fired {dry} and sent {len(claims)} claim queries")
    plans = {}
    with connection.cursor() as cursor:
        for kind, (sql, params) in zip(INDEXES, claims, strict=True):
            at_now = tuple(now if isinstance(p, dt.datetime) else p for p in params)
            cursor.execute("EXPLAIN " + sql, at_now)
            plan = [row[0] for row in cursor.fetchall()]
            plans[kind] = {"sql": cursor.mogrify(sql, at_now), "plan": plan}

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    before = {
        "events": CaseEvent.objects.count(),
        "supervisions": Supervision.objects.count(),
        "notifications": Notification.objects.count(),
    }
    sweeps = []
    for _ in range(2):
        queries[0] = 0
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            fired = sweep(now)
            seconds = time.perf_counter() - started
        sweeps.append({"seconds": seconds, "queries": queries[0], **fired})
    written = {
        "events": CaseEvent.objects.count() - before["events"],
        "supervisions": Supervision.objects.count() - before["supervisions"],
        "notifications": Notification.objects.count() - before["notifications"],
    }
    return {"plans": plans, "sweeps": sweeps, "written": written}


def run_step(argv: list[str]) -> int:
    """`--step prepare|measure ...`: set Django up and print the step's answer as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", choices=["prepare", "measure"], required=True)
    parser.add_argument("--now", type=dt.datetime.fromisoformat, required=True)
    parser.add_argument("--open", type=int, default=0)
    parser.add_argument("--due", type=int, default=0)
    args = parser.parse_args(argv)
    import django

    django.setup()
    try:
        if args.step == "prepare":
            answer = step_prepare(args.now, args.open, args.due)
        else:
            answer = step_measure(args.now)
    except SetupError as exc:
        print(json.dumps({"error": str(exc)}))
        return 2
    print(json.dumps(answer, ensure_ascii=False))
    return 0


def inside(db: Database, *args: str) -> dict:
    """Run one step in a Django process against the bench database; its JSON answer."""
    command = [sys.executable, __file__, "--step", *args]
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=app_env(db),
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise SetupError(f"step {args[0]} took more than {STEP_TIMEOUT} s") from None
    lines = done.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        answer = {}
    if done.returncode != 0 or "error" in answer or not answer:
        why = answer.get("error") or f"{done.stdout}{done.stderr}"
        raise SetupError(f"step {args[0]} failed: {why}")
    return answer


# --------------------------------------------------------------------------------------------
# Set-up


def prepare(db: Database, args: argparse.Namespace, now: dt.datetime) -> dict:
    db.clear()
    print(f"· creating database {db.name}")
    db.create()
    started = time.monotonic()
    manage(db, "migrate", "--noinput", "-v", "0", timeout=600)
    print(f"· migrated in {time.monotonic() - started:.1f} s")
    print(f"· seeding {args.cases:,} cases (seed_demo) ...", flush=True)
    started = time.monotonic()
    output = manage(db, "seed_demo", "--cases", str(args.cases), timeout=args.seed_timeout)
    seed_seconds = time.monotonic() - started
    db.mark(args.cases)
    print(f"· seeded in {seed_seconds:.1f} s — seed_demo says: {output.splitlines()[-1]}")
    started = time.monotonic()
    prepared = inside(
        db, "prepare", "--now", now.isoformat(), "--open", str(args.open), "--due", str(args.due)
    )
    print(
        f"· {prepared['seeded_open']:,} open deadlines from seeding, "
        f"{prepared['inserted']:,} inserted in {time.monotonic() - started:.1f} s"
    )
    started = time.monotonic()
    db.vacuum_analyze()
    print(
        f"· VACUUM (ANALYZE) in {time.monotonic() - started:.1f} s "
        f"(autovacuum is {db.autovacuum()} on this server)"
    )
    return {**prepared, "seed_seconds": seed_seconds}


# --------------------------------------------------------------------------------------------
# Report


def uses_index(kind: str, plan: list[str]) -> bool:
    return any(INDEXES[kind] in line for line in plan)


def report(
    args: argparse.Namespace,
    db: Database,
    prepared: dict,
    measured: dict,
    load_before: str,
    load_after: str,
) -> bool:
    """Print the figures; True when everything came out as it must."""
    first, second = measured["sweeps"]
    plans = measured["plans"]
    indexed = {kind: uses_index(kind, plans[kind]["plan"]) for kind in INDEXES}
    fired_right = first["warned"] == first["breached"] == args.due
    idle = second["warned"] == second["breached"] == 0
    written = measured["written"]
    print()
    print(f"Concord deadline sweep benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(
        f"  database     {db.name}: {args.cases:,} cases seeded in "
        f"{prepared['seed_seconds']:.1f} s, holding {prepared['seeded_open']:,} open deadlines"
    )
    print(
        f"               + {prepared['inserted']:,} inserted on {prepared['cases']:,} open cases"
        f" = {prepared['open']:,} open; due at the sweep's moment: {prepared['due_warn']:,} "
        f"warnings, {prepared['due_breach']:,} breaches"
    )
    if prepared["marked_warned"] or prepared["marked_breached"]:
        print(
            f"               ({prepared['marked_warned']:,} warnings and "
            f"{prepared['marked_breached']:,} breaches fell due after seeding: marked fired)"
        )
    print(
        f"  machine      load average {load_before} before the sweeps, {load_after} after; "
        f"{os.cpu_count()} CPUs"
    )
    print()
    print(f"  {'sweep':<30} {'seconds':>8} {'warned':>8} {'breached':>9} {'queries':>8}")
    for label, result in (
        (f"first ({args.due:,} of {prepared['open']:,} due)", first),
        ("second (same moment)", second),
    ):
        print(
            f"  {label:<30} {result['seconds']:>8.3f} {result['warned']:>8,} "
            f"{result['breached']:>9,} {result['queries']:>8,}"
        )
    print(
        f"  (the first sweep wrote {written['events']:,} timeline events, "
        f"{written['supervisions']:,} 督办 and {written['notifications']:,} notifications)"
    )
    for kind, name in INDEXES.items():
        print()
        print(f"  claim query to {kind}: uses {name}: {'yes' if indexed[kind] else 'NO'}")
        print(f"    {plans[kind]['sql']}")
        for line in plans[kind]["plan"]:
            print(f"      {line}")
    within = "within" if first["seconds"] <= TARGET_SECONDS else "OVER"
    print()
    print(
        f"sweep {args.due}/{prepared['open']} due: {first['seconds']:.2f}s "
        f"warned={first['warned']} breached={first['breached']} "
        f"({within} the {TARGET_SECONDS:g} s target) | again: {second['seconds']:.3f}s "
        f"{second['warned']}/{second['breached']} | partial indexes: "
        + " ".join(f"{kind}={'yes' if indexed[kind] else 'no'}" for kind in INDEXES)
    )
    return fired_right and idle and all(indexed.values())


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20_000, help="cases to seed [20000]")
    parser.add_argument("--open", type=int, default=100_000, help="open deadlines in all [100000]")
    parser.add_argument(
        "--due", type=int, default=None, help="of which due at the sweep (default 1%% of --open)"
    )
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
    if args.due is None:
        args.due = args.open // 100
    if not 1 <= args.cases <= 1_000_000:
        parser.error("--cases must be between 1 and 1,000,000")
    if not 1 <= args.due <= args.open <= 10_000_000:
        parser.error("--due and --open must satisfy 1 ≤ due ≤ open ≤ 10,000,000")
    if problem := bench_url_problem(args.database_url):
        parser.error(problem)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db = Database(args.database_url)
    try:
        # Whole seconds: the moment travels to the steps as text.
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        prepared = prepare(db, args, now)
        load_before = load_average()
        print(f"· sweeping at {now:%Y-%m-%d %H:%M:%S} UTC", flush=True)
        measured = inside(db, "measure", "--now", now.isoformat())
        ok = report(args, db, prepared, measured, load_before, load_average())
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
    if "--step" in sys.argv[1:]:
        sys.exit(run_step(sys.argv[1:]))
    sys.exit(main())
