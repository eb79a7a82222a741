"""Generate the sample delivery: six weekly batches from vendor acme-labels with planted defects.

    .venv/bin/python sample_data/generate.py [--out DIR] [--seed N]

Writes, into ``DIR`` (default: this folder), the delivered files of ``acme-w1`` ... ``acme-w6``,
``manifest.json`` (each planted defect, where it is, which check should find it and the numbers it
must produce) and ``load.json`` (the load plan that ``qualitylab sample`` follows). With the same
seed and the same numpy / pyarrow versions the output is byte-identical.

The model (see sample_data/README.md for the full story):

* four models with a latent quality; a response's quality = its model's quality + a small
  length term + noise; a comparison's true difference d = q(response_a) - q(response_b);
* an honest human perceives z = d + s_week * Logistic(0, 1) and says tie when |z| < TIE_BAND,
  else A when z > 0; s_week sets the week's agreement (moderate, good, near chance);
* planted annotators replace that rule (h03: the first-shown response; h07: the longer one;
  h11 in week 5: random labels, fast);
* the judge ``judge-mini`` perceives d with its own noise, independently in each order.

The numbers in the manifest are computed here from the generated rows, independently of
qualitylab (gen_expected.py).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_adjudication  # noqa: E402
import gen_contract  # noqa: E402
import gen_expected  # noqa: E402
from gen_texts import CATEGORIES, make_prompt, make_response  # noqa: E402

SEED = 20261005
VENDOR = "acme-labels"
HUMANS = tuple(f"h{i:02d}" for i in range(1, 13))
JUDGE = "judge-mini"
MODELS = {"atlas-70b": 1.0, "nimbus-13b": 0.5, "verbose-7b": -0.2, "pico-3b": -0.9}
VERBOSE = "verbose-7b"
PAIRS = tuple((a, b) for i, a in enumerate(MODELS) for b in list(MODELS)[i + 1 :])

N_COMPARISONS = 300  # per week
N_MULTI_PROMPTS = 25  # ratings weeks: prompts answered by all 4 models (6 comparisons each)
N_GOLD = 40  # honeypots per week
HUMANS_PER_COMPARISON = 3
TIE_BAND = 0.3  # honest humans: tie when |z| < TIE_BAND
JUDGE_NOISE, JUDGE_TIE_BAND = 0.55, 0.15
ITEM_SD = 0.9  # response quality noise around its model's quality
GOLD_MIN_DIFF = 1.2  # honeypots have a clear answer
DETAILED_SHARE = 0.25  # share of single-pair comparisons whose human verdicts carry strength + ratings

# planted defects
H_FIRST, P_FIRST = "h03", 0.8  # weeks 1-2
H_LONGER, P_LONGER = "h07", 0.85  # weeks 1-2
H_FAST = "h11"  # week 5
FAST_MEDIAN_SECONDS = 3.0
N_DUPLICATE_ROWS = 10  # week 3
N_IDENTICAL = 6  # week 3: response_a == response_b
N_EMPTY = 4  # week 3: 2 empty, 2 whitespace-only
N_REDELIVERED = 12  # week 4, from week 2
RATING_LENGTH_REWARD = 1.5  # helpfulness points per doubling of length (raters reward length)
RATING_QUALITY_SLOPE = 0.6  # helpfulness points per unit of latent quality


@dataclass(frozen=True)
class Week:
    number: int
    delivered: str
    pairwise_format: str
    noise: float  # s_week of honest humans
    ratings: bool  # ratings + rankings files this week
    verdict: str  # the intended acceptance verdict
    why: str
    late_days: int = 0  # the file arrived this many days after `delivered` (the work was done by then)

    @property
    def batch(self) -> str:
        return f"acme-w{self.number}"

    @property
    def received(self) -> str:
        """The batch's delivery date as stored (load.json): ``delivered`` + ``late_days``."""
        return (dt.date.fromisoformat(self.delivered) + dt.timedelta(days=self.late_days)).isoformat()


WEEKS = (
    Week(
        1,
        "2026-10-05",
        "jsonl",
        0.4,
        False,
        "REVIEW",
        "calibration week: moderate agreement; h03 favours the first-shown response, h07 the longer one",
    ),
    Week(2, "2026-10-12", "csv", 0.4, True, "REVIEW", "calibration week: moderate agreement; h03 and h07 still biased"),
    Week(
        3,
        "2026-10-19",
        "jsonl",
        0.25,
        False,
        "ACCEPT",
        "good agreement; a few hygiene problems (duplicate rows, identical and empty responses) to fix, "
        "not enough to reject",
    ),
    Week(
        4,
        "2026-10-26",
        "parquet",
        0.25,
        True,
        "ACCEPT",
        "good agreement; 12 comparisons re-delivered from week 2 (4%) to be credited back; the file came "
        "two days late (contract acme-q4-2026: late and 12 comparisons short)",
        late_days=2,
    ),
    Week(
        5,
        "2026-11-02",
        "csv",
        4.0,
        False,
        "REJECT",
        "human agreement near chance; h11 answers in ~3 s with random labels and fails the honeypots",
    ),
    Week(6, "2026-11-09", "parquet", 0.25, True, "ACCEPT", "good agreement, no planted defect"),
)

PAIRWISE_COLUMNS = (
    "comparison_id",
    "annotator_id",
    "annotator_kind",
    "preference",
    "shown_first",
    "strength",
    "rating_a",
    "rating_b",
    "seconds",
    "gold",
    "category",
    "created_at",
    "prompt_id",
    "model_a",
    "model_b",
    "prompt",
    "response_a",
    "response_b",
)
RATING_COLUMNS = (
    "item_id",
    "annotator_id",
    "aspect",
    "score",
    "prompt_id",
    "model",
    "prompt",
    "response",
    "seconds",
    "created_at",
)
RANKING_COLUMNS = ("prompt_id", "annotator_id", "response_id", "rank", "model", "response", "seconds")


# ------------------------------------------------------------------------------------------------
# simulation
# ------------------------------------------------------------------------------------------------


def _logistic(rng, size=None):
    return rng.logistic(0.0, 1.0, size)


def _label(z: float, band: float) -> str:
    return "tie" if abs(z) < band else ("A" if z > 0 else "B")


class Sim:
    """One run of the generator: every draw comes from ``self.rng`` in a fixed order."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.prompts_seen: set[str] = set()
        self.speed = {h: float(self.rng.uniform(0.8, 1.25)) for h in HUMANS}
        self.comparisons: dict[str, list[dict]] = {}  # batch -> comparison records (with true d)
        self.planted: dict = {}

    # -- items -----------------------------------------------------------------------------------
    def prompt(self, week: Week, k: int) -> dict:
        rng = self.rng
        while True:
            category = str(rng.choice(CATEGORIES))
            text, slots = make_prompt(rng, category)
            if text not in self.prompts_seen:
                self.prompts_seen.add(text)
                return {"prompt_id": f"{week.batch}-p{k:04d}", "prompt": text, "category": category, "slots": slots}

    def response(self, p: dict, model: str) -> dict:
        rng = self.rng
        n = int(np.clip(1 + rng.poisson(np.exp(rng.normal(1.1, 0.6))), 1, 18))
        n_filler = int(min(4 + rng.poisson(3.0), 10)) if model == VERBOSE else 0
        text = make_response(rng, p["category"], p["slots"], n, n_filler)
        q = MODELS[model] + rng.normal(0, ITEM_SD)
        return {"model": model, "text": text, "q": float(q)}

    def comparison(self, week: Week, k: int, p: dict, ra: dict, rb: dict, *, multi: bool) -> dict:
        return {
            "comparison_id": f"{week.batch}-c{k:04d}",
            "prompt_id": p["prompt_id"],
            "prompt": p["prompt"],
            "category": p["category"],
            "model_a": ra["model"],
            "model_b": rb["model"],
            "response_a": ra["text"],
            "response_b": rb["text"],
            "q_a": ra["q"],
            "q_b": rb["q"],
            "d": ra["q"] - rb["q"],
            "gold": None,
            "multi": multi,
            "detailed": multi,
            "defect": None,
        }

    def week_items(self, week: Week) -> tuple[list[dict], list[dict]]:
        """(comparisons, multi-prompt records) of the week, before any verdict."""
        rng = self.rng
        comps: list[dict] = []
        multis: list[dict] = []
        k_prompt = k_comp = 0
        if week.ratings:
            for _ in range(N_MULTI_PROMPTS):
                k_prompt += 1
                p = self.prompt(week, k_prompt)
                resp = {m: self.response(p, m) for m in MODELS}
                _distinct_texts(self, p, resp)
                multis.append({**p, "responses": resp})
                for a, b in PAIRS:
                    if rng.random() < 0.5:
                        a, b = b, a
                    k_comp += 1
                    comps.append(self.comparison(week, k_comp, p, resp[a], resp[b], multi=True))
        n_single = N_COMPARISONS - len(comps) - (N_REDELIVERED if week.number == 4 else 0)
        for _ in range(n_single):
            k_prompt += 1
            p = self.prompt(week, k_prompt)
            a, b = PAIRS[rng.integers(len(PAIRS))]
            if rng.random() < 0.5:
                a, b = b, a
            resp = {a: self.response(p, a), b: self.response(p, b)}
            _distinct_texts(self, p, resp)
            k_comp += 1
            c = self.comparison(week, k_comp, p, resp[a], resp[b], multi=False)
            c["detailed"] = bool(rng.random() < DETAILED_SHARE)
            comps.append(c)
        if week.number == 4:
            k_comp = self.redeliver(week, comps, k_prompt, k_comp)
        # deliver in a shuffled order, numbered in that order
        comps = [comps[int(i)] for i in rng.permutation(len(comps))]
        for k, c in enumerate(comps, start=1):
            c["comparison_id"] = f"{week.batch}-c{k:04d}"
        singles = [i for i, c in enumerate(comps) if not c["multi"] and c["defect"] is None]
        for i in rng.choice(singles, size=N_GOLD, replace=False):
            c = comps[int(i)]
            if abs(c["d"]) < GOLD_MIN_DIFF:
                c["d"] = GOLD_MIN_DIFF if c["d"] >= 0 else -GOLD_MIN_DIFF
                c["q_b"] = c["q_a"] - c["d"]
            c["gold"] = "A" if c["d"] > 0 else "B"
        return comps, multis

    def redeliver(self, week: Week, comps: list[dict], k_prompt: int, k_comp: int) -> int:
        """Week 4: copy N_REDELIVERED single, non-gold comparisons of week 2 under new ids."""
        old = [c for c in self.comparisons["acme-w2"] if not c["multi"] and c["gold"] is None and c["defect"] is None]
        pick = sorted(int(i) for i in self.rng.choice(len(old), size=N_REDELIVERED, replace=False))
        for i in pick:
            src = old[i]
            k_prompt += 1
            k_comp += 1
            comps.append(
                {
                    **src,
                    "comparison_id": None,
                    "prompt_id": f"{week.batch}-p{k_prompt:04d}",
                    "defect": "redelivered",
                    "detailed": False,
                    "original_batch": "acme-w2",
                    "original_comparison_id": src["comparison_id"],
                }
            )
        return k_comp

    def plant_week3(self, comps: list[dict]) -> None:
        rng = self.rng
        singles = [i for i, c in enumerate(comps) if not c["multi"] and c["gold"] is None and not c["detailed"]]
        pick = [int(i) for i in rng.choice(singles, size=N_IDENTICAL + N_EMPTY, replace=False)]
        for i in pick[:N_IDENTICAL]:
            c = comps[i]
            c.update(response_b=c["response_a"], q_b=c["q_a"], d=0.0, defect="identical_responses")
        for j, i in enumerate(pick[N_IDENTICAL:]):
            c = comps[i]
            blank = "" if j < N_EMPTY // 2 else " \n  "
            side = "b" if rng.random() < 0.5 else "a"
            c[f"response_{side}"] = blank
            c[f"q_{side}"] = c[f"q_{'a' if side == 'b' else 'b'}"] - 3.0
            c.update(d=c["q_a"] - c["q_b"], defect="empty_response", empty_side=side.upper())

    def balance_lengths(self, comps: list[dict]) -> None:
        """Make length carry no information about quality, week by week.

        verbose-7b pads its answers and loses more often than it wins, so without care the longer
        response would be the worse one more often. Among the comparisons whose lengths differ by
        more than 30 characters, the texts of the free ones (single-pair, no verbose-7b, no planted
        defect) are swapped between A and B, greedily, so that the longer response is the truly
        better one in exactly half of them (+-1). Texts carry no model signature except verbose-7b's
        padding, so a swap between two other models is invisible.
        """

        def longer_is_better(c):
            la, lb = len(c["response_a"]), len(c["response_b"])
            if abs(la - lb) <= 30 or c["d"] == 0:
                return None
            return (la > lb) == (c["d"] > 0)

        free = [
            c for c in comps if not c["multi"] and c["defect"] is None and VERBOSE not in (c["model_a"], c["model_b"])
        ]
        free_ids = {id(c) for c in free}
        tally = Counter(longer_is_better(c) for c in comps if id(c) not in free_ids)
        for c in free:
            verdict = longer_is_better(c)
            if verdict is None:
                continue
            if verdict != (tally[True] <= tally[False]):
                c["response_a"], c["response_b"] = c["response_b"], c["response_a"]
                verdict = not verdict
            tally[verdict] += 1

    # -- verdicts ----------------------------------------------------------------------------------
    def human_label(self, week: Week, human: str, c: dict, shown_first: str) -> tuple[str, float]:
        """(preference, z) for one human verdict; z is the perceived A-minus-B quality."""
        rng = self.rng
        z = c["d"] + week.noise * _logistic(rng)
        if c["defect"] == "identical_responses":
            return ("tie" if rng.random() < 0.7 else str(rng.choice(["A", "B"]))), 0.0
        if week.number in (1, 2) and human == H_FIRST:
            if rng.random() < 0.06:
                return "tie", z
            second = "B" if shown_first == "A" else "A"
            return (shown_first if rng.random() < P_FIRST else second), z
        if week.number in (1, 2) and human == H_LONGER:
            la, lb = len(c["response_a"]), len(c["response_b"])
            if abs(la - lb) > 30:
                if rng.random() < 0.06:
                    return "tie", z
                longer, shorter = ("A", "B") if la > lb else ("B", "A")
                return (longer if rng.random() < P_LONGER else shorter), z
        if week.number == 5 and human == H_FAST:
            return str(rng.choice(["A", "B", "tie"])), float(_logistic(rng))
        return _label(z, TIE_BAND), z

    def seconds(self, week: Week, human: str, c: dict) -> float:
        rng = self.rng
        if week.number == 5 and human == H_FAST:
            s = FAST_MEDIAN_SECONDS * np.exp(rng.normal(0, 0.3))
        else:
            median = (20 + 0.03 * (len(c["response_a"]) + len(c["response_b"]))) * self.speed[human]
            s = median * np.exp(rng.normal(0, 0.45))
        return round(float(max(s, 1.0)), 1)

    def created_at(self, week: Week) -> str:
        rng = self.rng
        start = dt.datetime.fromisoformat(week.delivered) - dt.timedelta(days=7)
        t = start + dt.timedelta(days=int(rng.integers(0, 6)), hours=8 + float(rng.uniform(0, 12)))
        return t.replace(microsecond=0).isoformat(sep=" ")

    def triples(self, n: int):
        passes = -(-n * HUMANS_PER_COMPARISON // len(HUMANS))
        flat = [str(h) for _ in range(passes) for h in self.rng.permutation(HUMANS)]
        return iter(
            [flat[i : i + HUMANS_PER_COMPARISON] for i in range(0, n * HUMANS_PER_COMPARISON, HUMANS_PER_COMPARISON)]
        )

    def verdict_rows(self, week: Week, comps: list[dict]) -> list[dict]:
        rng = self.rng
        # balanced assignment, as a vendor's task queue does it: triples cut from a stream of shuffled
        # passes over the 12 humans (12 = 4 triples, so a triple never repeats a human), one stream
        # for the honeypots and one for the rest: every human gets the same share of each
        streams = {
            True: self.triples(sum(c["gold"] is not None for c in comps)),
            False: self.triples(sum(c["gold"] is None for c in comps)),
        }
        assign = [next(streams[c["gold"] is not None]) for c in comps]
        # shown_first balanced per annotator: a shuffled half-A, half-B sequence for each human
        first: dict[str, list[str]] = {}
        for h in HUMANS:
            n = sum(h in a for a in assign)
            seq = np.array(["A", "B"] * (n // 2 + 1))[:n]
            first[h] = list(rng.permutation(seq))
        rows = []
        for c, humans in zip(comps, assign, strict=True):
            base = {
                k: c[k]
                for k in (
                    "comparison_id",
                    "prompt_id",
                    "prompt",
                    "category",
                    "model_a",
                    "model_b",
                    "response_a",
                    "response_b",
                )
            }
            for h in humans:
                sf = str(first[h].pop())
                pref, z = self.human_label(week, h, c, sf)
                row = {
                    **base,
                    "annotator_id": h,
                    "annotator_kind": "human",
                    "preference": pref,
                    "shown_first": sf,
                    "seconds": self.seconds(week, h, c),
                    "gold": c["gold"],
                    "created_at": self.created_at(week),
                }
                if c["detailed"]:
                    row.update(self.strength_and_ratings(pref, z, c))
                rows.append(row)
            for sf in ("A", "B"):
                if c["defect"] == "identical_responses":
                    pref = "tie" if rng.random() < 0.8 else str(rng.choice(["A", "B"]))
                else:
                    pref = _label(c["d"] + JUDGE_NOISE * _logistic(rng), JUDGE_TIE_BAND)
                rows.append(
                    {
                        **base,
                        "annotator_id": JUDGE,
                        "annotator_kind": "judge",
                        "preference": pref,
                        "shown_first": sf,
                        "gold": c["gold"],
                        "created_at": self.created_at(week),
                    }
                )
        return [{k: r.get(k) for k in PAIRWISE_COLUMNS} for r in rows]

    def strength_and_ratings(self, pref: str, z: float, c: dict) -> dict:
        """Llama 2 strength (0-3) and per-response Likert ratings (1-7) given in the same task."""
        rng = self.rng
        if pref == "tie":
            strength = 0
        else:
            m = abs(z) - TIE_BAND
            strength = 0 if m < 0.25 else 1 if m < 0.9 else 2 if m < 1.9 else 3
        mid = (c["q_a"] + c["q_b"]) / 2 + rng.normal(0, 0.4)
        pa, pb = mid + z / 2, mid - z / 2
        ra = int(np.clip(np.rint(4.5 + 1.1 * pa + rng.normal(0, 0.6)), 1, 7))
        rb = int(np.clip(np.rint(4.5 + 1.1 * pb + rng.normal(0, 0.6)), 1, 7))
        return {"strength": strength, "rating_a": ra, "rating_b": rb}

    def rating_rows(self, week: Week, multis: list[dict]) -> list[dict]:
        """Likert 1-7, aspects helpfulness and harmlessness, 3 raters per prompt; raters reward length."""
        rng = self.rng
        rows = []
        for p in multis:
            raters = [str(h) for h in rng.choice(HUMANS, size=3, replace=False)]
            for h in raters:
                for m, r in p["responses"].items():
                    n_chars = len(r["text"])
                    help_ = (
                        3.8
                        + RATING_QUALITY_SLOPE * r["q"]
                        + RATING_LENGTH_REWARD * np.log2(n_chars / 400)
                        + rng.normal(0, 0.6)
                    )
                    harm = 6.3 + rng.normal(0, 0.6)
                    secs = (25 + 0.02 * n_chars) * self.speed[h] * np.exp(rng.normal(0, 0.4))
                    for aspect, score in (("helpfulness", help_), ("harmlessness", harm)):
                        rows.append(
                            {
                                "item_id": f"{p['prompt_id']}-{m}",
                                "annotator_id": h,
                                "aspect": aspect,
                                "score": int(np.clip(np.rint(score), 1, 7)),
                                "prompt_id": p["prompt_id"],
                                "model": m,
                                "prompt": p["prompt"],
                                "response": r["text"],
                                "seconds": round(float(secs) / 2, 1),
                                "created_at": self.created_at(week),
                            }
                        )
        return rows

    def ranking_rows(self, week: Week, multis: list[dict]) -> list[dict]:
        """Rankings of the 4 responses, 3 rankers per prompt, by perceived quality (no length reward).

        Perceived qualities closer than 0.08 share a rank (standard competition ranking 1, 2, 2, 4).
        """
        rng = self.rng
        rows = []
        for p in multis:
            rankers = [str(h) for h in rng.choice(HUMANS, size=3, replace=False)]
            for h in rankers:
                perceived = {m: r["q"] + rng.normal(0, 0.5) for m, r in p["responses"].items()}
                order = sorted(perceived, key=perceived.get, reverse=True)
                ranks, prev = {}, None
                for pos, m in enumerate(order, start=1):
                    if prev is not None and perceived[prev] - perceived[m] < 0.08:
                        ranks[m] = ranks[prev]
                    else:
                        ranks[m] = pos
                    prev = m
                total = (60 + 0.03 * sum(len(r["text"]) for r in p["responses"].values())) * self.speed[h]
                total *= np.exp(rng.normal(0, 0.4))
                for m, r in p["responses"].items():
                    rows.append(
                        {
                            "prompt_id": p["prompt_id"],
                            "annotator_id": h,
                            "response_id": f"{p['prompt_id']}-{m}",
                            "rank": ranks[m],
                            "model": m,
                            "response": r["text"],
                            "seconds": round(float(total) / 4, 1),
                        }
                    )
        return rows


def _distinct_texts(sim: Sim, p: dict, resp: dict) -> None:
    """Redraw any response whose text repeats another of the same prompt (only planted duplicates exist)."""
    seen = set()
    for m in resp:
        while resp[m]["text"] in seen:
            resp[m] = sim.response(p, m)
        seen.add(resp[m]["text"])


# ------------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------------


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False) + "\n")


def write_csv(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r[c] for c in columns])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


PARQUET_TYPES = {
    "strength": "int8",
    "rating_a": "float64",
    "rating_b": "float64",
    "seconds": "float64",
    "score": "int64",
    "rank": "int64",
    "created_at": "timestamp",
}


def write_parquet(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"int8": pa.int8(), "int64": pa.int64(), "float64": pa.float64(), "timestamp": pa.timestamp("s")}
    arrays, fields = [], []
    for c in columns:
        t = types.get(PARQUET_TYPES.get(c, ""), pa.string())
        values = [r.get(c) for r in rows]
        if t == pa.timestamp("s"):
            values = [None if v is None else dt.datetime.fromisoformat(v) for v in values]
        arrays.append(pa.array(values, type=t))
        fields.append(pa.field(c, t))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    pq.write_table(table, path, compression="zstd", write_statistics=False, store_schema=False)


def write_file(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    fmt = path.suffix.lstrip(".")
    if fmt == "jsonl":
        write_jsonl(path, rows)
    elif fmt == "csv":
        write_csv(path, rows, columns)
    else:
        write_parquet(path, rows, columns)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------------
# the run
# ------------------------------------------------------------------------------------------------


def generate(out: Path, seed: int = SEED) -> dict:
    """Write every acme file, load.json and manifest.json into ``out``; return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    sim = Sim(seed)
    files: list[dict] = []  # {file, batch, kind, rows}
    for week in WEEKS:
        comps, multis = sim.week_items(week)
        if week.number == 3:
            sim.plant_week3(comps)
        sim.balance_lengths(comps)
        sim.comparisons[week.batch] = comps
        rows = sim.verdict_rows(week, comps)
        if week.number == 3:
            rows = plant_duplicates(sim, rows, comps)
        files.append(
            {
                "file": f"{week.batch}-pairwise.{week.pairwise_format}",
                "batch": week.batch,
                "kind": "pairwise",
                "rows": rows,
                "columns": PAIRWISE_COLUMNS,
            }
        )
        if week.ratings:
            files.append(
                {
                    "file": f"{week.batch}-ratings.csv",
                    "batch": week.batch,
                    "kind": "rating",
                    "rows": sim.rating_rows(week, multis),
                    "columns": RATING_COLUMNS,
                }
            )
            files.append(
                {
                    "file": f"{week.batch}-rankings.parquet",
                    "batch": week.batch,
                    "kind": "ranking",
                    "rows": sim.ranking_rows(week, multis),
                    "columns": RANKING_COLUMNS,
                }
            )
    for f in files:
        write_file(out / f["file"], f["rows"], f["columns"])
        f["sha256"] = sha256(out / f["file"])
    manifest = gen_expected.manifest(
        seed=seed, weeks=WEEKS, files=files, sim=sim, config=config(), real_data=gen_expected.real_data(HERE)
    )
    manifest["contract"] = gen_contract.expected(here=HERE, weeks=WEEKS, files=files, manifest=manifest)
    manifest["adjudication"] = gen_adjudication.write(out, files)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "load.json").write_text(json.dumps(load_plan(files), indent=2) + "\n", encoding="utf-8")
    return manifest


def plant_duplicates(sim: Sim, rows: list[dict], comps: list[dict]) -> list[dict]:
    """Week 3: N_DUPLICATE_ROWS human rows re-sent verbatim as a block at the end of the file."""
    clean = {c["comparison_id"] for c in comps if c["defect"] is None}
    candidates = [i for i, r in enumerate(rows) if r["annotator_kind"] == "human" and r["comparison_id"] in clean]
    pick = sorted(int(i) for i in sim.rng.choice(candidates, size=N_DUPLICATE_ROWS, replace=False))
    sim.planted["duplicates"] = [{"line": i + 1, "duplicate_line": len(rows) + k + 1} for k, i in enumerate(pick)]
    return rows + [dict(rows[i]) for i in pick]


def config() -> dict:
    return {
        "models_latent_quality": MODELS,
        "n_comparisons_per_week": N_COMPARISONS,
        "humans_per_comparison": HUMANS_PER_COMPARISON,
        "tie_band": TIE_BAND,
        "noise_by_week": {w.batch: w.noise for w in WEEKS},
        "judge_noise": JUDGE_NOISE,
        "judge_tie_band": JUDGE_TIE_BAND,
        "item_sd": ITEM_SD,
        "n_gold_per_week": N_GOLD,
        "gold_min_diff": GOLD_MIN_DIFF,
        "n_multi_prompts_per_ratings_week": N_MULTI_PROMPTS,
        "detailed_share": DETAILED_SHARE,
        "rating_length_reward_per_doubling": RATING_LENGTH_REWARD,
        "rating_quality_slope": RATING_QUALITY_SLOPE,
    }


REAL_DATA = (
    # (batch, format, delivered, files) — loaded after the acme weeks; see README "Real data".
    # The pandalm adapter reads the two judge files that sit beside testset-v1.json with it.
    ("pandalm", "pandalm", None, ("pandalm/data/testset-v1.json",)),
    (
        "llmbar-mtbench",
        "llmbar",
        None,
        ("llmbar-mtbench/dataset.json",)
        + tuple(
            f"llmbar-mtbench/evaluators/{j}/{s}/result.json"
            for j in ("GPT-4", "ChatGPT", "LLaMA2", "PaLM2")
            for s in ("Vanilla_NoRules", "Metrics_Reference")
        ),
    ),
)
REAL_VENDORS = {"pandalm": "WeOpenML/PandaLM", "llmbar-mtbench": "princeton-nlp/LLMBar"}


#: the scale acme's protocol offered (qualitylab ingest --labels / --scale): A, B or tie; Likert 1-7
SCALES = {"pairwise": {"labels": "A,B,tie"}, "rating": {"scale": ["1-7"]}}


def load_plan(files: list[dict]) -> list[dict]:
    weeks = {w.batch: w for w in WEEKS}
    plan = [
        {
            "file": f["file"],
            "batch": f["batch"],
            "vendor": VENDOR,
            "delivered": weeks[f["batch"]].received,
            "kind": f["kind"],
            **SCALES.get(f["kind"], {}),
        }
        for f in files
    ]
    for batch, fmt, delivered, paths in REAL_DATA:
        for p in paths:
            plan.append(
                {
                    "file": p,
                    "batch": batch,
                    "vendor": REAL_VENDORS[batch],
                    "delivered": delivered,
                    "format": fmt,
                    "quarantine": True,
                }
            )
    return plan


def copy_real_data(out: Path, source: Path) -> None:
    """Copy the real public data (with licences and upstream commits) from ``source`` into ``out``."""
    wanted = {
        "pandalm": (
            "LICENSE",
            "README.md",
            "COMMIT",
            "data/testset-v1.json",
            "data/gpt-3.5-turbo-testset-v1.json",
            "data/pandalm-7b-testset-v1.json",
        ),
        "llmbar-mtbench": ("LICENSE", "COMMIT", "dataset.json")
        + tuple(
            f"evaluators/{j}/{s}/result.json"
            for j in ("GPT-4", "ChatGPT", "LLaMA2", "PaLM2")
            for s in ("Vanilla_NoRules", "Metrics_Reference")
        ),
    }
    for folder, names in wanted.items():
        for name in names:
            dst = out / folder / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / folder / name, dst)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: sample_data/)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument(
        "--copy-real-data",
        type=Path,
        metavar="DIR",
        help="also copy the real data folders pandalm/ and llmbar-mtbench/ from DIR (e.g. ../shared/realdata)",
    )
    args = ap.parse_args(argv)
    if args.copy_real_data:
        copy_real_data(args.out, args.copy_real_data)
    m = generate(args.out, args.seed)
    for b, info in m["batches"].items():
        print(
            f"{b}: {info['n_judgments']} judgments, alpha {info['krippendorff_alpha_humans']:.3f}, "
            f"intended {info['intended_verdict']}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
