"""The sample's adjudication file and what it must do to h11's accuracy (manifest key 'adjudication').

Used by generate.py only, computed from the generated rows independently of qualitylab. The file
``acme-w5-adjudications.csv`` adjudicates the first ADJUDICATED comparisons of acme-w5 (by
comparison_id) that h11 judged and on which every other human annotator (at least two, each by
their first verdict in file order) gave the same label, with that label: the items a reviewer
settles first on a chance-level week. ``qualitylab sample`` records it by ``BY`` before the sample's
decisions. Expected effect: h11's accuracy against adjudication (counted like gold accuracy: every
verdict of h11 on an adjudicated comparison, exact duplicate rows once) with its Wilson 95%
interval, and whether the screening flags h11 ``low_adjudication_accuracy`` (the whole interval
below 0.5).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

BATCH = "acme-w5"
ANNOTATOR = "h11"
ADJUDICATED = 12
BY = "sample.adjudicator"
FILE = "acme-w5-adjudications.csv"
Z = 1.959963984540054  # the 97.5% normal quantile


def _wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def write(out: Path, files: list[dict]) -> dict:
    """Write the adjudication file into ``out``; return the manifest's 'adjudication' key."""
    rows = next(f["rows"] for f in files if f["batch"] == BATCH and f["kind"] == "pairwise")
    humans = [r for r in rows if r["annotator_kind"] == "human"]
    first: dict[tuple[str, str], str] = {}
    for r in humans:
        first.setdefault((r["comparison_id"], r["annotator_id"]), r["preference"])
    by_comparison: dict[str, dict[str, str]] = {}
    for (c, a), p in first.items():
        by_comparison.setdefault(c, {})[a] = p
    picked: list[tuple[str, str]] = []
    for c in sorted(by_comparison):
        votes = by_comparison[c]
        others = [p for a, p in votes.items() if a != ANNOTATOR]
        if ANNOTATOR in votes and len(others) >= 2 and len(set(others)) == 1:
            picked.append((c, others[0]))
        if len(picked) == ADJUDICATED:
            break
    with open(out / FILE, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["comparison_id", "label", "note"])
        for c, label in picked:
            w.writerow([c, label, "the other annotators agree; checked against both responses"])
    labels = dict(picked)
    seen = set()
    n = k = 0
    for r in humans:
        key = tuple(sorted((kk, str(v)) for kk, v in r.items()))
        if r["annotator_id"] != ANNOTATOR or r["comparison_id"] not in labels or key in seen:
            continue
        seen.add(key)
        n += 1
        k += r["preference"] == labels[r["comparison_id"]]
    lo, hi = _wilson(k, n)
    return {
        "file": FILE,
        "batch": BATCH,
        "by": BY,
        "n_adjudicated": len(picked),
        "what": f"{len(picked)} comparisons of {BATCH} that {ANNOTATOR} judged and the other humans agree on, "
        "adjudicated with that label",
        ANNOTATOR: {
            "n_adjudicated": n,
            "n_adjudicated_correct": k,
            "adjudication_accuracy": k / n,
            "ci95_low": lo,
            "ci95_high": hi,
            "flagged_low_adjudication_accuracy": hi < 0.5,
        },
    }
