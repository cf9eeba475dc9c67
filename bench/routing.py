"""Routing benchmark: 10,000 rules, 100,000 cases — how long a routing decision and a preview take.

What it does, in order:

1. Prepares a PostgreSQL database seeded with `seed_demo --cases N` exactly as bench/intake.py
   does (the same code: create, migrate, seed, VACUUM ANALYZE; a database kept with `--keep`
   and seeded with the same N is reused), then adds `--rules` routing rules on top of the
   default ones: random combinations of category (a parent, a sub-category or none), place (a
   town, a village or the county), people, amount and risk conditions, with distinct
   priorities so the rule book stays decidable.
2. In this process, with Django set up against that database:
   - loads the rule book once (the cost every process pays after a rule edit);
   - decides `--decisions` random cases in memory (`RuleBook.decide`, what the case page and
     the dispatcher queue call per case) and reports p50/p95/p99 per decision;
   - calls `POST /api/v1/cases/{id}/route/preview` `--previews` times through Django's test
     client as the demo dispatcher with a bearer token (the whole request: auth, scope
     query, decision, names of the organisations, JSON), and reports p50/p95/p99.
3. Prints a table and a one-line summary, drops the database unless `--keep`.

    .venv/bin/python bench/routing.py [--cases 100000] [--rules 10000] [--decisions 10000]
        [--previews 500] [--database-url postgres://postgres@127.0.0.1:5432/concord_bench_routing]
        [--keep]

Targets (the routing issue): a decision's p95 ≤ 5 ms. Exit status 0 when every preview answered
200, 1 when some did not, 2 on a set-up failure.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import Database, SetupError, app_env, bench_url_problem, prepare  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/concord_bench_routing"


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return at(0.50), at(0.95), at(0.99)


def add_rules(count: int, rng: random.Random) -> int:
    """Random, distinct rules (bulk: the bench measures deciding, not saving)."""
    from concord.cases.choices import CaseType, RiskLevel
    from concord.cases.models import Category
    from concord.geo.models import Division
    from concord.orgs.models import Organisation
    from concord.routing.models import RoutingRule

    categories = list(Category.objects.values_list("pk", flat=True)) + [None] * 5
    places = list(Division.objects.exclude(level="county").values_list("code", flat=True))
    places += [None] * 40
    leads = list(Organisation.objects.filter(active=True).values_list("pk", flat=True))
    rules = []
    for i in range(count):
        rules.append(
            RoutingRule(
                name=f"bench-{i}",
                priority=1000 + i,  # distinct: never two equal rules
                case_type=rng.choice(["", "", "", *CaseType.values]),
                category_id=rng.choice(categories),
                division_id=rng.choice(places),
                min_people=rng.choice([None, None, None, 5, 10, 30]),
                min_amount=rng.choice([None, None, None, Decimal("10000"), Decimal("100000")]),
                risk_levels=rng.choice([[], [], [], [RiskLevel.RED], [RiskLevel.RED, "orange"]]),
                level=rng.choice(["village", "town", "county"]),
                lead_org_id=rng.choice(leads),
            )
        )
    RoutingRule.objects.bulk_create(rules, batch_size=2000)
    from concord.routing.services import rule_changed

    rule_changed()
    return RoutingRule.objects.count()


def measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.test import Client

    from concord.accounts.models import User
    from concord.api.auth import issue_token
    from concord.cases.models import Case
    from concord.routing.services import facts_of, rulebook

    rng = random.Random(11)
    total_rules = add_rules(args.rules, rng)

    started = time.perf_counter()
    book = rulebook()
    load_ms = (time.perf_counter() - started) * 1000

    ids = list(Case.objects.values_list("pk", flat=True))
    sample = rng.sample(ids, min(args.decisions, len(ids)))
    cases = Case.objects.filter(pk__in=sample).select_related("category")
    facts = [facts_of(c) for c in cases]
    decided, samples = 0, []
    for fact in facts:
        started = time.perf_counter()
        decision = book.decide(fact)
        samples.append((time.perf_counter() - started) * 1000)
        decided += decision is not None

    client = Client(HTTP_HOST="127.0.0.1")
    key, _token = issue_token(User.objects.get(username="dispatcher"))
    headers = {"Authorization": f"Bearer {key}"}
    preview_ids = rng.sample(ids, min(args.previews, len(ids)))
    previews, statuses = [], {}
    for case_id in preview_ids[:5]:  # warm-up, not counted
        client.post(f"/api/v1/cases/{case_id}/route/preview", headers=headers)
    for case_id in preview_ids:
        started = time.perf_counter()
        response = client.post(f"/api/v1/cases/{case_id}/route/preview", headers=headers)
        previews.append((time.perf_counter() - started) * 1000)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return {
        "rules": total_rules,
        "buckets": len(book.buckets),
        "load_ms": load_ms,
        "decisions": samples,
        "decided": decided,
        "previews": previews,
        "statuses": statuses,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--previews", type=int, default=500)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seed-timeout", type=float, default=1800)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if problem := bench_url_problem(args.database_url):
        parser.error(problem)
    db = Database(args.database_url)
    try:
        prepare(db, args.cases, args.seed_timeout)
    except SetupError as exc:
        print(f"set-up failed: {exc}", file=sys.stderr)
        return 2
    try:
        os.environ.update(app_env(db))
        result = measure(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            db.drop()
    d50, d95, d99 = percentiles(result["decisions"])
    p50, p95, p99 = percentiles(result["previews"])
    print()
    print(f"Concord routing benchmark — {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"  database     {db.name}: {args.cases:,} cases, {result['rules']:,} active rules")
    print(f"  rule book    loaded in {result['load_ms']:.0f} ms into {result['buckets']:,} buckets")
    print()
    print(f"  {'measure':34}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    print(
        f"  {'routing decision (in memory)':34}{len(result['decisions']):>8,}"
        f"{d50:>9.3f}{d95:>9.3f}{d99:>9.3f}"
    )
    print(
        f"  {'POST …/route/preview (in-process)':34}{len(result['previews']):>8,}"
        f"{p50:>9.2f}{p95:>9.2f}{p99:>9.2f}"
    )
    print(
        f"  decided {result['decided']:,} of {len(result['decisions']):,}; preview answers "
        f"{result['statuses']}; mean decision {statistics.mean(result['decisions']):.3f} ms"
    )
    print()
    print(f"routing decision p95={d95:.3f}ms (target ≤ 5 ms) | preview p95={p95:.2f}ms")
    return 0 if set(result["statuses"]) == {200} else 1


if __name__ == "__main__":
    sys.exit(main())
