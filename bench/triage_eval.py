"""Category suggestion accuracy by stratified k-fold, with the server's own code.

    .venv/bin/python bench/triage_eval.py bench/data/triage_sample.csv [--folds 5]
    .venv/bin/python bench/triage_eval.py bench/data/triage_sample.csv --speed 100000

Reads the canonical import CSV (source_id, category, description; other columns ignored),
trains `concord.triage.classifier.train` on k-1 folds and ranks the rest with
`concord.triage.classifier.rank` (what POST /api/v1/triage/suggest runs, keyword rules
included). No database and no server: those functions are pure. Last line:
`top1=0.xxx top3=0.xxx macro_f1=0.xxx`.

--speed N first trains one model on N texts (the file's rows, repeated with their clauses
shuffled when the file is shorter) and prints the training time and the p50/p95 of one
suggestion over 1,000 texts.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from concord.triage import classifier  # noqa: E402

REQUIRED = ("source_id", "category", "description")


def read_rows(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"{path}: missing columns {', '.join(missing)}")
        rows = [(r["description"].strip(), r["category"].strip()) for r in reader]
    rows = [(text, code) for text, code in rows if code and classifier.has_words(text)]
    return [t for t, _ in rows], [c for _, c in rows]


def cross_validate(texts: list[str], codes: list[str], folds: int) -> dict[str, float]:
    known = sorted(set(codes))
    truth, first, hits3 = [], [], 0
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for fold, (train_idx, test_idx) in enumerate(splitter.split(texts, codes), start=1):
        model = classifier.train([texts[i] for i in train_idx], [codes[i] for i in train_idx])
        for i in test_idx:
            ranked = [code for code, _ in classifier.rank(texts[i], model, known, limit=3)]
            truth.append(codes[i])
            first.append(ranked[0])
            hits3 += codes[i] in ranked
        print(f"fold {fold}/{folds}: {len(train_idx)} trained, {len(test_idx)} ranked")
    top1 = sum(t == p for t, p in zip(truth, first, strict=True)) / len(truth)
    macro = f1_score(truth, first, average="macro", labels=known, zero_division=0)
    return {"top1": top1, "top3": hits3 / len(truth), "macro_f1": float(macro)}


def _variant(text: str, rng: random.Random) -> str:
    parts = text.split("，")
    rng.shuffle(parts)
    return "，".join(parts)


def speed(texts: list[str], codes: list[str], size: int) -> None:
    rng = random.Random(1)
    picks = [rng.randrange(len(texts)) for _ in range(size)]
    train_texts = [
        texts[i] if n < len(texts) else _variant(texts[i], rng) for n, i in enumerate(picks)
    ]
    started = time.perf_counter()
    model = classifier.train(train_texts, [codes[i] for i in picks])
    trained = time.perf_counter() - started
    size_mb = len(model.dumps()) / 1e6
    known = sorted(set(codes))
    queries = [_variant(texts[rng.randrange(len(texts))], rng) for _ in range(1000)]
    classifier.rank(queries[0], model, known)  # warm-up
    timings = []
    for text in queries:
        started = time.perf_counter()
        classifier.rank(text, model, known)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"speed: trained on {size} texts, {len(known)} categories in {trained:.1f} s "
        f"(model {size_mb:.1f} MB); suggest p50={statistics.median(timings):.2f}ms p95={p95:.2f}ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--speed", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if args.folds < 2:
        sys.exit("--folds must be at least 2")
    texts, codes = read_rows(args.file)
    print(f"{args.file}: {len(texts)} rows, {len(set(codes))} categories")
    if args.speed:
        speed(texts, codes, args.speed)
    scores = cross_validate(texts, codes, args.folds)
    print(" ".join(f"{name}={value:.3f}" for name, value in scores.items()))


if __name__ == "__main__":
    main()
