"""Small stores for the bias-area tests (distributions, position/length bias, hygiene, screening)."""

from __future__ import annotations

import random
from pathlib import Path

from conftest import write_jsonl

from qualitylab.ingest import ingest
from qualitylab.report import ReportContext
from qualitylab.store import open_store

SWAP = {"A": "B", "B": "A", "tie": "tie", None: None}


def swap_row(r: dict) -> dict:
    """The same verdict with A and B exchanged consistently (preference, shown_first, gold, texts,
    models and per-response ratings)."""
    s = dict(r)
    for a, b in (("response_a", "response_b"), ("model_a", "model_b"), ("rating_a", "rating_b")):
        if a in r or b in r:
            s[a], s[b] = r.get(b), r.get(a)
    for k in ("preference", "shown_first", "gold"):
        if k in r:
            s[k] = SWAP[r[k]]
    return s


def biased_rows(n_comparisons: int = 120, seed: int = 7) -> list[dict]:
    """Three humans on the same comparisons: `pos` picks the first-shown response 85% of the time,
    `long` the longer one 85% of the time, `fair` answers at random (with ties)."""
    rng = random.Random(seed)
    rows = []
    t = 0
    for c in range(n_comparisons):
        la, lb = rng.randint(20, 600), rng.randint(20, 600)
        ma, mb = rng.sample(["m1", "m2", "m3"], 2)
        for a in ("pos", "long", "fair"):
            sf = rng.choice("AB")
            other = {"A": "B", "B": "A"}
            longer = "A" if la > lb else "B"
            if a == "pos":
                pref = sf if rng.random() < 0.85 else other[sf]
            elif a == "long":
                pref = longer if rng.random() < 0.85 else other[longer]
            else:
                pref = rng.choice(["A", "B", "A", "B", "tie"])
            t += 1
            rows.append(
                {
                    "comparison_id": f"c{c}",
                    "annotator_id": a,
                    "preference": pref,
                    "shown_first": sf,
                    "prompt_id": f"p{c // 3}",
                    "prompt": f"prompt {c // 3}",
                    "response_a": "a " * (la // 2),
                    "response_b": "b " * (lb // 2),
                    "model_a": ma,
                    "model_b": mb,
                    "strength": rng.randint(0, 3),
                    "seconds": rng.uniform(20, 90),
                    "created_at": f"2026-10-01 {8 + t // 3600:02d}:{(t // 60) % 60:02d}:{t % 60:02d}",
                }
            )
    return rows


def load(
    tmp_path: Path,
    db: Path,
    batches: list[tuple[str, list[dict], str]],
    *,
    vendor: str = "acme",
    kind: str | None = None,
) -> Path:
    """Ingest (batch_id, rows, delivered) in order."""
    for i, (batch, rows, delivered) in enumerate(batches):
        f = write_jsonl(tmp_path / f"{batch}-{i}.jsonl", rows)
        ingest(f, batch, db=db, vendor=vendor, delivered=delivered, kind=kind, mode="append")
    return db


def context(db: Path, batch_id: str, **options) -> ReportContext:
    store = open_store(db, read_only=True)
    return ReportContext(store, batch_id, options=options)
