"""Precision and recall of the intake duplicate check on the text alone.

    .venv/bin/python bench/dedup_eval.py bench/data/dedup_sample.csv [--sweep]

FILE.csv has the columns id,group,description: rows sharing `group` tell the same matter
(through different channels); every other pair is a different matter. Each row is checked
against all the others as the server checks a new case against the index: candidates are
the rows sharing a MinHash band key (`duplicates.text.band_keys`), the CANDIDATES sharing
most keys are scored, and a candidate is flagged when `duplicates.services.text_score` says
so. The band table is a dictionary here instead of the database table: the keys, the
candidate cut and the decision are the server's own functions. The last line reads
`precision=0.xxx recall=0.xxx f1=0.xxx` over unordered pairs. `--sweep` also prints the
figures for other thresholds (the server uses TEXT_MIN).

`--lookup N` first times the lookup against an index of N cases (say 1000000) in a
PostgreSQL database of its own, `bench_dedup` (made, filled from texts recombined out of
FILE's clauses, spread over five years, and dropped afterwards): the server's band query
(the cases sharing most keys within the 90-day window) and the scoring of those candidates,
for 300 probes; it prints the p50 and p95 in milliseconds.
"""

import argparse
import csv
import datetime as dt
import os
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")

import django  # noqa: E402

django.setup()

from concord.duplicates import services  # noqa: E402
from concord.duplicates.text import band_keys, shingles, similarity  # noqa: E402


def read(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    missing = {"id", "group", "description"} - set(rows[0] if rows else {})
    if missing:
        sys.exit(f"{path}: missing columns {', '.join(sorted(missing))}")
    return rows


def candidate_scores(rows: list[dict]) -> dict[frozenset, float]:
    """Every pair the index proposes, with its text similarity."""
    grams = {r["id"]: shingles(r["description"]) for r in rows}
    postings: dict[int, list[str]] = defaultdict(list)
    keys = {}
    for row in rows:
        keys[row["id"]] = band_keys(grams[row["id"]])
        for key in set(keys[row["id"]]):
            postings[key].append(row["id"])
    scores = {}
    for row in rows:
        hits = Counter(other for key in set(keys[row["id"]]) for other in postings[key])
        hits.pop(row["id"], None)
        for other, _ in hits.most_common(services.CANDIDATES):
            pair = frozenset((row["id"], other))
            scores[pair] = similarity(grams[row["id"]], grams[other])
    return scores


def figures(truth: set, flagged: set) -> tuple[float, float, float]:
    hit = len(truth & flagged)
    precision = hit / len(flagged) if flagged else 0.0
    recall = hit / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


BENCH_DB = "bench_dedup"
SERVER = "postgres://postgres@127.0.0.1:5432/"
DDL = """
CREATE TABLE c (id integer PRIMARY KEY, description text, received_at timestamptz);
CREATE TABLE duplicates_textband (
    id bigserial PRIMARY KEY, case_id integer, key bigint, received_at timestamptz
);
"""
# The indexes of duplicates.models.TextBand; the lookup runs services.BAND_CANDIDATES_SQL.
INDEXES = """
CREATE INDEX textband_key_time ON duplicates_textband (key, received_at) INCLUDE (case_id);
CREATE INDEX textband_case ON duplicates_textband (case_id);
"""
START = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)


def _texts(rows: list[dict], n: int, seed: int):
    clauses = [c for r in rows for c in re.split(r"[，。；]", r["description"]) if c]
    rng = random.Random(seed)
    for _ in range(n):
        parts = rng.sample(clauses, rng.randint(3, 6))
        yield "，".join(parts) + f"，涉及金额{rng.randint(1, 500) * 100}元。"


def _keyed(text: str) -> list[int]:
    return band_keys(shingles(text))


def _build(db, rows: list[dict], n: int, times: list[dt.datetime]) -> None:
    db.execute(DDL)
    began = time.perf_counter()
    texts = list(_texts(rows, n, 1))
    with Pool() as pool:
        keys = pool.map(_keyed, texts, chunksize=2000)
    print(f"band keys for {n} cases: {time.perf_counter() - began:.0f} s")
    began = time.perf_counter()
    with db.cursor().copy("COPY c (id, description, received_at) FROM STDIN") as copy:
        for i, (text, at) in enumerate(zip(texts, times, strict=True), 1):
            copy.write_row((i, text, at))
    with db.cursor().copy(
        "COPY duplicates_textband (case_id, key, received_at) FROM STDIN"
    ) as copy:
        for i, (case_keys, at) in enumerate(zip(keys, times, strict=True), 1):
            for key in set(case_keys):
                copy.write_row((i, key, at))
    db.execute(INDEXES)
    db.execute("VACUUM ANALYZE")
    print(f"loaded and indexed: {time.perf_counter() - began:.0f} s")


def _indexed(n: int) -> bool:
    """True when a kept database already holds the index of exactly n cases."""
    import psycopg

    try:
        with psycopg.connect(SERVER + BENCH_DB, autocommit=True) as db:
            return db.execute("SELECT count(*) FROM c").fetchone()[0] == n
    except psycopg.Error:
        return False


def lookup(rows: list[dict], n: int, keep: bool) -> None:
    import psycopg

    span = 5 * 365 * 86400
    times = [START + dt.timedelta(seconds=span * i / n) for i in range(n)]
    reuse = keep and _indexed(n)
    if not reuse:
        with psycopg.connect(SERVER + "postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            admin.execute(f"CREATE DATABASE {BENCH_DB}")
    try:
        with psycopg.connect(SERVER + BENCH_DB, autocommit=True) as db:
            if reuse:
                print(f"reusing the kept index of {n} cases in {BENCH_DB}")
            else:
                _build(db, rows, n, times)
            span_window = services.window()
            rng = random.Random(2)
            probes = [
                (t, times[-1] - dt.timedelta(days=rng.randint(0, 900)))
                for t in _texts(rows, 300, 3)
            ]
            took, flagged = [], 0
            for text, at in probes:
                began = time.perf_counter()
                grams = shingles(text)
                params = {
                    "keys": band_keys(grams),
                    "start": at - span_window,
                    "end": at + span_window,
                    "exclude": 0,
                    "per_key": services.PER_KEY,
                    "limit": services.CANDIDATES,
                }
                ranked = db.execute(services.BAND_CANDIDATES_SQL, params).fetchall()
                found = db.execute(
                    "SELECT id, description FROM c WHERE id = ANY(%s)", ([r[0] for r in ranked],)
                ).fetchall()
                flagged += sum(1 for _, other in found if services.text_score(grams, other))
                took.append((time.perf_counter() - began) * 1000)
            took.sort()
            print(f"{flagged} similar cases flagged for {len(probes)} probes")
            p95 = took[int(len(took) * 0.95) - 1]
            print(
                f"lookup against {n} cases: p50={statistics.median(took):.1f} ms p95={p95:.1f} ms"
            )
    finally:
        if not keep:
            with psycopg.connect(SERVER + "postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--lookup", type=int, metavar="N", help="time the lookup over N cases")
    parser.add_argument(
        "--keep", action="store_true", help="keep the lookup database; reuse it for the same N"
    )
    args = parser.parse_args()
    rows = read(args.file)
    if args.lookup:
        lookup(rows, args.lookup, args.keep)
    truth = {
        frozenset((a["id"], b["id"])) for a, b in combinations(rows, 2) if a["group"] == b["group"]
    }
    scores = candidate_scores(rows)
    by_text = {
        frozenset((a["id"], b["id"]))
        for a, b in combinations(rows, 2)
        if services.text_score(shingles(a["description"]), b["description"])
    }
    flagged = {pair for pair in scores if pair in by_text}
    print(f"{len(rows)} rows, {len(truth)} same-matter pairs, {len(scores)} candidate pairs")
    proposed = len(truth & set(scores)) / max(1, len(truth))
    print(f"band recall (same-matter pairs the index proposes): {proposed:.3f}")
    if args.sweep:
        for threshold in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
            chosen = {p for p, s in scores.items() if s >= threshold}
            p, r, f = figures(truth, chosen)
            print(f"  threshold {threshold:.2f}: precision={p:.3f} recall={r:.3f} f1={f:.3f}")
    precision, recall, f1 = figures(truth, flagged)
    print(f"threshold TEXT_MIN={services.TEXT_MIN}")
    print(f"precision={precision:.3f} recall={recall:.3f} f1={f1:.3f}")


if __name__ == "__main__":
    main()
