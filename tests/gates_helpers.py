"""Seeded synthetic batches for the gate, evidence and trend tests (small, so reports are quick)."""

from __future__ import annotations

import random
from pathlib import Path

from conftest import write_jsonl

from qualitylab.ingest import ingest


def batch_rows(
    prefix: str,
    *,
    n_comparisons: int = 80,
    annotators=("h1", "h2", "h3", "h4"),
    p_truth: float = 0.85,
    seed: int = 0,
    first_clicker: str | None = None,
    prompt: str | None = None,
    response_a: str | None = None,
    response_b: str | None = None,
) -> list[dict]:
    """Three of ``annotators`` judge each comparison. An honest annotator gives the true label with
    probability ``p_truth``, else a uniform label (p_truth = 0: chance agreement). ``first_clicker``
    always prefers the response shown first. Texts are given or made of random lengths (so nobody
    is length-biased); every verdict takes 20-60 s."""
    rng = random.Random(seed)
    rows = []
    for c in range(n_comparisons):
        truth = rng.choice("AB")
        pa = prompt or f"prompt {prefix} {c}"
        ra = response_a or " ".join(["word"] * rng.randint(5, 60))
        rb = response_b or " ".join(["text"] * rng.randint(5, 60))
        for a in rng.sample(list(annotators), 3):
            first = rng.choice("AB")
            if a == first_clicker:
                pref = first
            elif rng.random() < p_truth:
                pref = truth
            else:
                pref = rng.choice(["A", "B", "tie"])
            rows.append(
                {
                    "comparison_id": f"{prefix}-c{c}",
                    "annotator_id": a,
                    "preference": pref,
                    "shown_first": first,
                    "prompt": pa,
                    "response_a": ra,
                    "response_b": rb,
                    "seconds": round(rng.uniform(20, 60), 1),
                }
            )
    return rows


def ingest_batch(
    tmp_path: Path,
    db: Path,
    batch: str,
    rows: list[dict],
    *,
    vendor: str = "acme",
    delivered: str = "2026-10-05",
    file_name: str | None = None,
) -> str:
    path = write_jsonl(tmp_path / (file_name or f"{batch}.jsonl"), rows)
    ingest(path, batch, db=db, vendor=vendor, delivered=delivered)
    return batch
