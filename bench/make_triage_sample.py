"""Write bench/data/triage_sample.csv: demo templates filled at random plus the hand-written
clerk texts of concord.triage.samples (nothing downloaded).

    .venv/bin/python bench/make_triage_sample.py [--per-template 20] [--seed 0]
"""

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from concord.triage.samples import labelled_rows  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "triage_sample.csv"

parser = argparse.ArgumentParser()
parser.add_argument("--per-template", type=int, default=20)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
OUT.parent.mkdir(exist_ok=True)
with OUT.open("w", encoding="utf-8", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["source_id", "category", "description"])
    writer.writerows(labelled_rows(args.per_template, seed=args.seed))
print(OUT)
