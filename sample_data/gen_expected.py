"""The manifest's numbers, computed from the generated rows independently of qualitylab.

Used by generate.py only. Every count of stored rows (n_judgments, n_human_verdicts, the hygiene
checks, alpha over every row) is of the rows exactly as delivered; every statistic the report
computes (label counts, per-annotator rates, leaderboards, strength) is on the distinct rows: an
exact duplicate row counts once (the report's one duplicate rule, report schema 2; the manifest
changed with it only in acme-w3, the one batch with duplicates). Plain Python / numpy / scipy. The
generator refuses to write a manifest whose contract does not hold (see :func:`check_contract`).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from scipy import stats

LABELS = ("A", "B", "tie")
LENGTH_THRESHOLD_CHARS = 30
FLAG_Q = 0.05
#: the report's flag rule (issue 14 item 6, docs/bias.md): q < FLAG_Q AND the 95% Wilson interval wholly
#: outside 0.5 +/- MIN_EFFECT (the report option min_effect's default)
MIN_EFFECT = 0.05


# ------------------------------------------------------------------------------------------------
# definitions (each mirrors the one in docs/sample-data.md)
# ------------------------------------------------------------------------------------------------


def first_counts(rows: list[dict]) -> tuple[int, int]:
    """(k, n): n = non-tie verdicts with shown_first recorded, k = those preferring the first-shown."""
    sel = [r for r in rows if r["preference"] != "tie" and r["shown_first"] in ("A", "B")]
    return sum(r["preference"] == r["shown_first"] for r in sel), len(sel)


def longer_counts(rows: list[dict]) -> tuple[int, int]:
    """(k, n): n = non-tie verdicts with |len_a_chars - len_b_chars| > 30, k = those preferring the longer."""
    k = n = 0
    for r in rows:
        if r["preference"] == "tie":
            continue
        la, lb = len(r["response_a"] or ""), len(r["response_b"] or "")
        if abs(la - lb) > LENGTH_THRESHOLD_CHARS:
            n += 1
            k += r["preference"] == ("A" if la > lb else "B")
    return k, n


def binom_p(k: int, n: int) -> float | None:
    return None if n == 0 else float(stats.binomtest(k, n, 0.5).pvalue)


def bh(pvalues: list[float | None]) -> list[float | None]:
    """Benjamini-Hochberg q-values (step-up, monotone, capped at 1); None stays None."""
    idx = [i for i, p in enumerate(pvalues) if p is not None]
    out: list[float | None] = [None] * len(pvalues)
    if not idx:
        return out
    p = np.array([pvalues[i] for i in idx])
    order = np.argsort(p, kind="stable")
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    for j, i in enumerate(order):
        out[idx[i]] = float(q[j])
    return out


def alpha_nominal(rows: list[dict], *, every_row: bool = False) -> tuple[float, int]:
    """Krippendorff's alpha, nominal, over A/B/tie, units with >= 2 values. Returns (alpha, n
    pairable values). By default one value per (comparison, annotator) (exact duplicate rows count
    once); with ``every_row`` every verdict row is a value (repeats by the same annotator too).

    alpha = 1 - D_o / D_e; o_ck = sum_u sum_{i != j in u} [v_i = c][v_j = k] / (m_u - 1);
    D_o = sum_{c != k} o_ck / n; D_e = sum_{c != k} n_c n_k / (n (n - 1)) (Krippendorff 2011).
    """
    values: dict[str, dict] = defaultdict(dict)
    for i, r in enumerate(rows):
        key = i if every_row else r["annotator_id"]
        values[r["comparison_id"]].setdefault(key, r["preference"])
    o = np.zeros((3, 3))
    for unit in values.values():
        m = len(unit)
        if m < 2:
            continue
        counts = np.array([sum(v == lab for v in unit.values()) for lab in LABELS], dtype=float)
        o += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d_o = (o.sum() - np.trace(o)) / n
    d_e = (n * n - (n_c**2).sum()) / (n * (n - 1))
    return float(1 - d_o / d_e), int(n)


def alpha_reference(rows: list[dict]) -> float | None:
    """The same alpha from the ``krippendorff`` package (dev-only, GPL-3.0), when installed."""
    try:
        import krippendorff
    except ImportError:
        return None
    comps = sorted({r["comparison_id"] for r in rows})
    anns = sorted({r["annotator_id"] for r in rows})
    ci, ai = {c: i for i, c in enumerate(comps)}, {a: i for i, a in enumerate(anns)}
    mat = np.full((len(anns), len(comps)), np.nan)
    for r in rows:
        if np.isnan(mat[ai[r["annotator_id"]], ci[r["comparison_id"]]]):
            mat[ai[r["annotator_id"]], ci[r["comparison_id"]]] = LABELS.index(r["preference"])
    return float(krippendorff.alpha(reliability_data=mat, level_of_measurement="nominal"))


def median(xs: list[float]) -> float | None:
    return float(np.median(xs)) if xs else None


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of k / n (Wilson 1927), written out here independently of qualitylab."""
    z = float(stats.norm.ppf(0.975))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * float(np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)))
    return centre - half, centre + half


def effect_flag(k: int, n: int, q: float | None) -> bool:
    """flagged: q < FLAG_Q AND the Wilson interval wholly outside [0.5 - MIN_EFFECT, 0.5 + MIN_EFFECT]."""
    if q is None or n == 0 or not q < FLAG_Q:
        return False
    lo, hi = wilson(k, n)
    return lo > 0.5 + MIN_EFFECT or hi < 0.5 - MIN_EFFECT


def stat(k: int, n: int) -> dict:
    return {"k": k, "n": n, "value": (k / n if n else None), "p_value": binom_p(k, n)}


def rnd(x, nd=6):
    if isinstance(x, dict):
        return {k: rnd(v, nd) for k, v in x.items()}
    if isinstance(x, list):
        return [rnd(v, nd) for v in x]
    if isinstance(x, float):
        return float(f"{x:.{nd}g}")
    return x


# ------------------------------------------------------------------------------------------------
# tables
# ------------------------------------------------------------------------------------------------


def annotator_table(rows: list[dict]) -> dict:
    """Per annotator of a batch (humans and the judge): the screening numbers, with BH q-values
    across all annotators of the batch for p_first and p_prefer_longer; flagged when q < 0.05 AND the 95%
    Wilson interval lies wholly outside 0.5 +/- 0.05 (the report's absolute effect rule, docs/bias.md)."""
    by = defaultdict(list)
    for r in rows:
        by[r["annotator_id"]].append(r)
    names = sorted(by)
    table = {}
    for a in names:
        rs = by[a]
        gold = [r for r in rs if r["gold"] is not None]
        secs = [float(r["seconds"]) for r in rs if r["seconds"] is not None]
        table[a] = {
            "annotator_kind": rs[0]["annotator_kind"],
            "n": len(rs),
            "n_non_tie": sum(r["preference"] != "tie" for r in rs),
            "tie_rate": sum(r["preference"] == "tie" for r in rs) / len(rs),
            "p_first": stat(*first_counts(rs)),
            "p_prefer_longer": stat(*longer_counts(rs)),
            "gold": {
                "n": len(gold),
                "n_correct": sum(r["preference"] == r["gold"] for r in gold),
                "accuracy": (sum(r["preference"] == r["gold"] for r in gold) / len(gold)) if gold else None,
            },
            "median_seconds": median(secs),
        }
    for key in ("p_first", "p_prefer_longer"):
        qs = bh([table[a][key]["p_value"] for a in names])
        for a, q in zip(names, qs, strict=True):
            table[a][key]["q_value"] = q
            table[a][key]["flagged"] = effect_flag(table[a][key]["k"], table[a][key]["n"], q)
    return table


def rank_of(values: dict[str, float], model: str, higher_is_better: bool = True) -> int:
    order = sorted(values, key=lambda m: values[m], reverse=higher_is_better)
    return order.index(model) + 1


def bradley_terry(rows: list[dict], models: list[str], iters: int = 2000) -> dict[str, float]:
    """Bradley-Terry strengths (ties as half a win to each side), Zermelo/MM iteration, geometric mean 1."""
    idx = {m: i for i, m in enumerate(models)}
    w = np.zeros(len(models))
    n = np.zeros((len(models), len(models)))
    for r in rows:
        a, b = idx[r["model_a"]], idx[r["model_b"]]
        sa = {"A": 1.0, "B": 0.0, "tie": 0.5}[r["preference"]]
        w[a] += sa
        w[b] += 1 - sa
        n[a, b] += 1
        n[b, a] += 1
    p = np.ones(len(models))
    for _ in range(iters):
        denom = (n / (p[:, None] + p[None, :])).sum(axis=1)
        p = w / denom
        p /= np.exp(np.log(p).mean())
    return {m: float(p[idx[m]]) for m in models}


def leaderboards(
    pairwise: list[dict], ratings: list[dict], rankings: list[dict], models: list[str], focus: str
) -> dict:
    humans = [r for r in pairwise if r["annotator_kind"] == "human"]
    wins, apps = Counter(), Counter()
    for r in humans:
        sa = {"A": 1.0, "B": 0.0, "tie": 0.5}[r["preference"]]
        wins[r["model_a"]] += sa
        wins[r["model_b"]] += 1 - sa
        apps[r["model_a"]] += 1
        apps[r["model_b"]] += 1
    win_rate = {m: wins[m] / apps[m] for m in models}
    bt = bradley_terry(humans, models)

    def mean_by(rows, key, value, where=lambda r: True):
        acc = defaultdict(list)
        for r in rows:
            if where(r):
                acc[r[key]].append(float(r[value]))
        return {m: float(np.mean(acc[m])) for m in models}

    help_ = mean_by(ratings, "model", "score", lambda r: r["aspect"] == "helpfulness")
    all_ = mean_by(ratings, "model", "score")
    mrank = mean_by(rankings, "model", "rank")
    return {
        "win_rate": win_rate,
        "bradley_terry": bt,
        "mean_rating_helpfulness": help_,
        "mean_rating_all_aspects": all_,
        "mean_rank": mrank,
        f"{focus}_rank": {
            "pairwise_win_rate": rank_of(win_rate, focus),
            "pairwise_bradley_terry": rank_of(bt, focus),
            "mean_rating_helpfulness": rank_of(help_, focus),
            "mean_rating_all_aspects": rank_of(all_, focus),
            "mean_rank_in_rankings": rank_of(mrank, focus, higher_is_better=False),
        },
    }


def direction_agreement(rows: list[dict]) -> dict:
    """Among verdicts with rating_a and rating_b, non-tie preference and rating_a != rating_b: the
    share where the higher-rated response is the preferred one."""
    sel = [
        r
        for r in rows
        if r["rating_a"] is not None
        and r["rating_b"] is not None
        and r["preference"] != "tie"
        and r["rating_a"] != r["rating_b"]
    ]
    k = sum((r["rating_a"] > r["rating_b"]) == (r["preference"] == "A") for r in sel)
    return {"k": k, "n": len(sel), "value": k / len(sel) if sel else None}


def judge_consistency(rows: list[dict], judge: str) -> dict:
    """Share of comparisons judged in both orders whose two verdicts agree (A/B/tie)."""
    by = defaultdict(dict)
    for r in rows:
        if r["annotator_id"] == judge:
            by[r["comparison_id"]][r["shown_first"]] = r["preference"]
    both = [v for v in by.values() if len(v) == 2]
    k = sum(v["A"] == v["B"] for v in both)
    return {"k": k, "n": len(both), "value": k / len(both) if both else None}


def duplicate_groups(rows: list[dict]) -> tuple[int, int, int]:
    """(n groups of identical rows, n rows in them, n extra copies = rows - groups)."""
    c = Counter(tuple(sorted((k, v) for k, v in r.items())) for r in rows)
    groups = [n for n in c.values() if n > 1]
    return len(groups), sum(groups), sum(groups) - len(groups)


def distinct(rows: list[dict]) -> list[dict]:
    """The rows without exact duplicate copies (every delivered column equal), first copies kept."""
    seen: set = set()
    out = []
    for r in rows:
        key = tuple(sorted(r.items()))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def spearman_length(ratings: list[dict], aspect: str) -> dict:
    sel = [r for r in ratings if r["aspect"] == aspect]
    rho, p = stats.spearmanr([len(r["response"]) for r in sel], [r["score"] for r in sel])
    return {"rho": float(rho), "p_value": float(p), "n": len(sel)}


# ------------------------------------------------------------------------------------------------
# the manifest
# ------------------------------------------------------------------------------------------------


def real_data(root) -> dict:
    """Counts of the real public sets as the source files give them (read from ``root``, the
    committed copies): rows each adapter should store, and verdicts that could not be parsed
    upstream (PandaLM's "garbage", LLMBar's null winners), which land in quarantine."""
    import json

    out = {}
    pandalm = root / "pandalm" / "data"
    if pandalm.is_dir():
        test = json.loads((pandalm / "testset-v1.json").read_text(encoding="utf-8"))
        gpt = json.loads((pandalm / "gpt-3.5-turbo-testset-v1.json").read_text(encoding="utf-8"))
        p7b = json.loads((pandalm / "pandalm-7b-testset-v1.json").read_text(encoding="utf-8"))
        n_human = sum(str(o[a]) in ("0", "1", "2") for o in test for a in ("annotator1", "annotator2", "annotator3"))
        gpt_ok = sum(str(o["gpt_result"]).lower() in ("1", "2", "tie") for o in gpt)
        p7b_ok = sum(str(o["pandalm_result"]) in ("0", "1", "2") for o in p7b)
        out["pandalm"] = {
            "source": "WeOpenML/PandaLM data/ (Apache-2.0), commit in sample_data/pandalm/COMMIT",
            "files": {
                "pandalm/data/testset-v1.json": {
                    "n_rows": n_human + len(gpt) + len(p7b),
                    "n_stored": n_human + gpt_ok + p7b_ok,
                    "n_quarantined": (len(gpt) - gpt_ok) + (len(p7b) - p7b_ok),
                }
            },
            "n_comparisons": len(test),
            "n_human_verdicts": n_human,
            "judges": {
                "gpt-3.5-turbo": {"n_verdicts": gpt_ok, "n_unparsed": len(gpt) - gpt_ok},
                "pandalm-7b": {"n_verdicts": p7b_ok, "n_unparsed": len(p7b) - p7b_ok},
            },
            "shown_first_recorded": False,
        }
    llmbar = root / "llmbar-mtbench"
    if llmbar.is_dir():
        data = json.loads((llmbar / "dataset.json").read_text(encoding="utf-8"))
        files = {"llmbar-mtbench/dataset.json": {"n_rows": len(data), "n_stored": len(data), "n_quarantined": 0}}
        judges = {}
        for path in sorted((llmbar / "evaluators").glob("*/*/result.json")):
            res = json.loads(path.read_text(encoding="utf-8"))
            winners = [o["results"][-1][k]["winner"] for o in res for k in ("swap = False", "swap = True")]
            ok = sum(str(w) in ("1", "2") for w in winners if w is not None)
            rel = path.relative_to(root).as_posix()
            files[rel] = {"n_rows": len(winners), "n_stored": ok, "n_quarantined": len(winners) - ok}
            judges[f"{path.parent.parent.name}/{path.parent.name}"] = {
                "n_verdicts": ok,
                "n_unparsed": len(winners) - ok,
            }
        out["llmbar-mtbench"] = {
            "source": "princeton-nlp/LLMBar Dataset/Processed/MT-Bench (MIT), commit in "
            "sample_data/llmbar-mtbench/COMMIT",
            "files": files,
            "n_comparisons": len(data),
            "n_human_verdicts": len(data),
            "judges": judges,
            "shown_first_recorded": "judges only (both orders)",
        }
    return out


def manifest(*, seed: int, weeks, files: list[dict], sim, config: dict, real_data: dict) -> dict:
    import pyarrow
    from generate import H_FAST, H_FIRST, H_LONGER, HUMANS, JUDGE, MODELS, VENDOR, VERBOSE

    stored = {f["batch"]: f["rows"] for f in files if f["kind"] == "pairwise"}  # as delivered
    pairwise = {b: distinct(rows) for b, rows in stored.items()}  # what the report's statistics read
    ratings = {f["batch"]: f["rows"] for f in files if f["kind"] == "rating"}
    rankings = {f["batch"]: f["rows"] for f in files if f["kind"] == "ranking"}
    tables = {b: annotator_table(rows) for b, rows in pairwise.items()}
    models = list(MODELS)

    batches = {}
    for w in weeks:
        rows = stored[w.batch]
        humans = [r for r in rows if r["annotator_kind"] == "human"]
        distinct_humans = [r for r in pairwise[w.batch] if r["annotator_kind"] == "human"]
        alpha, n_pairable = alpha_nominal(humans)
        planted = {1: [H_FIRST, H_LONGER], 2: [H_FIRST, H_LONGER], 5: [H_FAST]}.get(w.number, [])
        batches[w.batch] = {
            "vendor": VENDOR,
            "delivered": w.received,
            "files": [f["file"] for f in files if f["batch"] == w.batch],
            "n_judgments": len(rows),
            "n_human_verdicts": len(humans),
            "n_judge_verdicts": len(rows) - len(humans),
            "n_comparisons": len({r["comparison_id"] for r in rows}),
            "n_annotators": len({r["annotator_id"] for r in rows}),
            "n_gold_comparisons": len({r["comparison_id"] for r in rows if r["gold"] is not None}),
            "n_ratings": len(ratings.get(w.batch, [])),
            "n_ranking_rows": len(rankings.get(w.batch, [])),
            "n_human_verdicts_distinct": len(distinct_humans),
            "label_counts_humans": {lab: sum(r["preference"] == lab for r in distinct_humans) for lab in LABELS},
            "human_noise": w.noise,
            "krippendorff_alpha_humans": alpha,
            "n_pairable_values": n_pairable,
            "krippendorff_alpha_humans_every_row": alpha_nominal(humans, every_row=True)[0],
            "krippendorff_alpha_humans_reference_package": alpha_reference(humans),
            "p_first_humans": stat(*first_counts(distinct_humans)),
            "p_prefer_longer_humans": stat(*longer_counts(distinct_humans)),
            "intended_verdict": w.verdict,
            "why": w.why,
            "annotators_with_planted_defect": planted,
            "annotators_without_planted_defect": [a for a in (*HUMANS, JUDGE) if a not in planted],
        }

    def per_batch(annotator: str, key: str) -> dict:
        return {b: tables[b][annotator][key] for b in tables}

    dups = sim.planted["duplicates"]
    w3 = stored["acme-w3"]
    n_groups, n_in_groups, n_extra = duplicate_groups(w3)
    w3c = sim.comparisons["acme-w3"]
    identical = sorted(c["comparison_id"] for c in w3c if c["defect"] == "identical_responses")
    empty = sorted(
        (
            c["comparison_id"],
            c["empty_side"],
            "empty" if c[f"response_{c['empty_side'].lower()}"] == "" else "whitespace-only",
        )
        for c in w3c
        if c["defect"] == "empty_response"
    )
    redelivered = sorted(
        (
            {
                "comparison_id": c["comparison_id"],
                "original_batch": c["original_batch"],
                "original_comparison_id": c["original_comparison_id"],
            }
            for c in sim.comparisons["acme-w4"]
            if c["defect"] == "redelivered"
        ),
        key=lambda d: d["comparison_id"],
    )
    h11 = tables["acme-w5"][H_FAST]
    others_w5 = [a for a in HUMANS if a != H_FAST]
    ratings_weeks = [w.batch for w in weeks if w.ratings]
    boards = {b: leaderboards(pairwise[b], ratings[b], rankings[b], models, VERBOSE) for b in ratings_weeks}
    pooled = leaderboards(
        [r for b in ratings_weeks for r in pairwise[b]],
        [r for b in ratings_weeks for r in ratings[b]],
        [r for b in ratings_weeks for r in rankings[b]],
        models,
        VERBOSE,
    )

    defects = {
        "h03_position_bias": {
            "what": "h03 prefers the response shown first with probability 0.8 (non-tie verdicts) in the two "
            "calibration weeks; honest in weeks 3-6",
            "annotator_id": H_FIRST,
            "batches": ["acme-w1", "acme-w2"],
            "check": "position_bias.by_annotator (issues 4, 14): flagged when BH q < 0.05 AND the 95% Wilson "
            "interval lies wholly outside 0.5 +/- min_effect (0.05), flag_basis 'absolute'; annotator screening",
            "definition": "p_first = among the annotator's non-tie verdicts with shown_first recorded, the share "
            "where preference == shown_first; two-sided exact binomial p against 0.5; BH q across "
            "all annotators of the batch (12 humans + judge-mini); flagged = q < 0.05 AND the 95% Wilson "
            "interval wholly outside [0.45, 0.55]",
            "expected": {b: per_batch(H_FIRST, "p_first")[b] for b in ("acme-w1", "acme-w2")},
            "control_weeks": {
                b: per_batch(H_FIRST, "p_first")[b] for b in ("acme-w3", "acme-w4", "acme-w5", "acme-w6")
            },
        },
        "h07_length_bias": {
            "what": "h07 prefers the longer response with probability 0.85 when the lengths differ by more than "
            "30 characters, in the two calibration weeks; honest in weeks 3-6",
            "annotator_id": H_LONGER,
            "batches": ["acme-w1", "acme-w2"],
            "check": "length_bias.by_annotator (issues 4, 14): flagged when BH q < 0.05 AND the 95% Wilson "
            "interval lies wholly outside 0.5 +/- min_effect (0.05); the report's flag_basis is 'relative' "
            "(also outside the leave-one-out peers' rate +/- min_effect on the same items, in the same "
            "direction), which requires this absolute rule; annotator screening",
            "definition": "p_prefer_longer = among the annotator's non-tie verdicts with |len_a_chars - len_b_chars| "
            "> 30, the share preferring the longer response; binomial p, BH q and flagged (q < 0.05 AND the "
            "Wilson interval wholly outside [0.45, 0.55]) as for p_first",
            "expected": {b: per_batch(H_LONGER, "p_prefer_longer")[b] for b in ("acme-w1", "acme-w2")},
            "control_weeks": {
                b: per_batch(H_LONGER, "p_prefer_longer")[b] for b in ("acme-w3", "acme-w4", "acme-w5", "acme-w6")
            },
        },
        "w5_agreement_drop": {
            "what": "in acme-w5 every human's perception noise is 4.0 (good weeks 0.25, calibration weeks 0.4): "
            "human agreement near chance. A batch-level defect: no annotator is biased, none is to be "
            "flagged for position or length",
            "batches": ["acme-w5"],
            "check": "agreement (issue 3) and the acceptance gate (issue 7): acme-w5 -> REJECT; trends show the drop",
            "definition": "Krippendorff's alpha, nominal over A/B/tie, humans only, comparisons with >= 2 values. "
            "krippendorff_alpha_humans: one value per (comparison_id, annotator_id) (the exact "
            "duplicate rows of acme-w3 count once); krippendorff_alpha_humans_every_row: every "
            "human verdict row is a value (they differ only in acme-w3)",
            "expected": {
                "krippendorff_alpha_humans": {b: batches[b]["krippendorff_alpha_humans"] for b in batches},
                "krippendorff_alpha_humans_every_row": {
                    b: batches[b]["krippendorff_alpha_humans_every_row"] for b in batches
                },
            },
        },
        "h11_too_fast": {
            "what": "in acme-w5 h11 answers in ~3 s with random labels (A, B, tie equally likely)",
            "annotator_id": H_FAST,
            "batches": ["acme-w5"],
            "check": "hygiene (verdicts faster than a threshold) and annotator screening (issue 4); gold accuracy",
            "definition": "median_seconds = median of h11's seconds in acme-w5 (mean of the two middle values); "
            "gold accuracy = among h11's verdicts on comparisons with gold, share with preference == gold",
            "expected": {
                "acme-w5": {
                    "n": h11["n"],
                    "median_seconds": h11["median_seconds"],
                    "gold": h11["gold"],
                    "n_below_5_seconds": sum(
                        1 for r in pairwise["acme-w5"] if r["annotator_id"] == H_FAST and r["seconds"] < 5
                    ),
                    "others_min_median_seconds": min(tables["acme-w5"][a]["median_seconds"] for a in others_w5),
                    "others_n_below_5_seconds": sum(
                        1
                        for r in pairwise["acme-w5"]
                        if r["annotator_kind"] == "human" and r["annotator_id"] != H_FAST and r["seconds"] < 5
                    ),
                }
            },
            "control_weeks": {
                b: {"median_seconds": tables[b][H_FAST]["median_seconds"], "gold": tables[b][H_FAST]["gold"]}
                for b in tables
                if b != "acme-w5"
            },
        },
        "w3_duplicate_rows": {
            "what": "10 human verdict rows re-sent verbatim as a block at the end of acme-w3-pairwise.jsonl",
            "batches": ["acme-w3"],
            "check": "hygiene: exact duplicate rows (issue 4)",
            "definition": "rows equal in every delivered column; n_extra_rows = rows - distinct rows",
            "expected": {
                "acme-w3": {
                    "n_groups": n_groups,
                    "n_rows_in_groups": n_in_groups,
                    "n_extra_rows": n_extra,
                    "lines": dups,
                }
            },
            "control_weeks": {
                b: dict(zip(("n_groups", "n_rows_in_groups", "n_extra_rows"), duplicate_groups(stored[b]), strict=True))
                for b in pairwise
                if b != "acme-w3"
            },
        },
        "w3_identical_responses": {
            "what": "comparisons whose response_b is a copy of response_a",
            "batches": ["acme-w3"],
            "check": "hygiene: response_a == response_b (issue 4)",
            "expected": {
                "acme-w3": {
                    "n_comparisons": len(identical),
                    "comparison_ids": identical,
                    "n_rows": sum(r["comparison_id"] in identical for r in w3),
                }
            },
        },
        "w3_empty_responses": {
            "what": "comparisons with one response empty ('') or whitespace-only (' \\n  ')",
            "batches": ["acme-w3"],
            "check": "hygiene: empty or whitespace-only responses (issue 4)",
            "expected": {
                "acme-w3": {
                    "n_comparisons": len(empty),
                    "comparisons": [{"comparison_id": c, "side": s, "content": k} for c, s, k in empty],
                    "n_rows": sum(r["comparison_id"] in {e[0] for e in empty} for r in w3),
                }
            },
        },
        "w4_redelivered": {
            "what": "12 comparisons of acme-w2 delivered again in acme-w4 under new comparison and prompt ids "
            "(same prompt, response_a, response_b, models; fresh verdicts)",
            "batches": ["acme-w4"],
            "check": "hygiene: items re-delivered from earlier batches of the vendor (issue 4)",
            "definition": "a comparison of the batch whose (prompt, response_a, response_b) equals a comparison's "
            "in an earlier batch of the same vendor",
            "expected": {
                "acme-w4": {
                    "n_comparisons": len(redelivered),
                    "comparisons": redelivered,
                    "n_rows": sum(
                        r["comparison_id"] in {d["comparison_id"] for d in redelivered} for r in pairwise["acme-w4"]
                    ),
                }
            },
        },
        "verbose_7b_leaderboards_disagree": {
            "what": "raters reward length (+1 helpfulness point per doubling of the response length), so "
            "verbose-7b, which pads its answers, tops the mean-rating leaderboard while pairwise "
            "verdicts and rankings (no length reward) put it third",
            "model": VERBOSE,
            "batches": ratings_weeks,
            "check": "leaderboard and ratings_vs_preferences (issue 6); length bias of ratings (Spearman of score "
            "with length, issue 4)",
            "definition": "win_rate = over all human verdicts of the batch, (wins + ties/2) / appearances; "
            "bradley_terry = BT strengths with ties as half a win; mean_rating_* = mean score by "
            "model (aspect helpfulness / all aspects); mean_rank = mean rank in rankings (1 = best); "
            "ranks: 1 = best",
            "expected": {**boards, "acme-w2+w4+w6": pooled},
            "ratings_length_spearman": {
                b: {a: spearman_length(ratings[b], a) for a in ("helpfulness", "harmlessness")} for b in ratings_weeks
            },
        },
    }

    reference = {
        "honeypots": {b: batches[b]["n_gold_comparisons"] for b in batches},
        "strength_share_human_verdicts": {
            b: sum(r["strength"] is not None for r in pairwise[b] if r["annotator_kind"] == "human")
            / batches[b]["n_human_verdicts_distinct"]
            for b in batches
        },
        "direction_agreement_humans": {
            b: direction_agreement([r for r in pairwise[b] if r["annotator_kind"] == "human"]) for b in batches
        },
        "judge_position_consistency": {b: judge_consistency(pairwise[b], JUDGE) for b in batches},
        "judge_p_first": {b: tables[b][JUDGE]["p_first"] for b in batches},
    }

    m = {
        "manifest_version": 1,
        "about": "The sample delivery: what each planted defect is, where it is, which check should find it and "
        "the numbers it must produce. Keys are stable; see docs/sample-data.md.",
        "generator": {
            "script": "sample_data/generate.py",
            "seed": seed,
            "numpy": np.__version__,
            "pyarrow": pyarrow.__version__,
        },
        "config": config,
        "vendor": VENDOR,
        "humans": list(HUMANS),
        "judges": [JUDGE],
        "models": models,
        "files": [
            {
                "file": f["file"],
                "batch": f["batch"],
                "kind": f["kind"],
                "format": f["file"].rsplit(".", 1)[1],
                "n_rows": len(f["rows"]),
                "sha256": f["sha256"],
            }
            for f in files
        ],
        "batches": batches,
        "defects": defects,
        "annotators": tables,
        "reference": reference,
        "real_data": real_data,
    }
    m = rnd(m)
    check_contract(m)
    return m


def check_contract(m: dict) -> None:
    """Refuse a manifest whose planted defects would not show, or whose honest annotators would be flagged."""
    problems = []
    defect_of = {
        "acme-w1": {"h03": "p_first", "h07": "p_prefer_longer"},
        "acme-w2": {"h03": "p_first", "h07": "p_prefer_longer"},
    }
    for b, table in m["annotators"].items():
        for a, row in table.items():
            for key in ("p_first", "p_prefer_longer"):
                planted = defect_of.get(b, {}).get(a) == key
                if row[key]["flagged"] != planted:
                    problems.append(f"{b} {a} {key}: flagged={row[key]['flagged']} (q={row[key]['q_value']})")
    alpha = {b: v["krippendorff_alpha_humans"] for b, v in m["batches"].items()}
    for b, v in m["batches"].items():
        ref = v["krippendorff_alpha_humans_reference_package"]
        if ref is not None and abs(ref - v["krippendorff_alpha_humans"]) > 1e-6:
            problems.append(f"{b}: alpha {v['krippendorff_alpha_humans']} != krippendorff package {ref}")
        if v["intended_verdict"] == "ACCEPT":
            for key in ("p_first_humans", "p_prefer_longer_humans"):
                if v[key]["p_value"] < 0.05:
                    problems.append(f"{b} batch-level {key} is significant: {v[key]}")
    if not alpha["acme-w5"] < 0.1:
        problems.append(f"acme-w5 alpha {alpha['acme-w5']} is not near chance")
    if not all(alpha[b] > 0.6 for b in ("acme-w3", "acme-w4", "acme-w6")):
        problems.append(f"good weeks' alpha too low: {alpha}")
    if not all(0.3 < alpha[b] < 0.55 for b in ("acme-w1", "acme-w2")):
        problems.append(f"calibration weeks' alpha not moderate: {alpha}")
    h11 = m["defects"]["h11_too_fast"]["expected"]["acme-w5"]
    if not (h11["median_seconds"] < 5 and h11["gold"]["accuracy"] <= 0.5 and h11["others_min_median_seconds"] > 10):
        problems.append(f"h11 not clearly too fast / poor on gold: {h11}")
    for b, board in m["defects"]["verbose_7b_leaderboards_disagree"]["expected"].items():
        r = board["verbose-7b_rank"]
        if not (
            r["mean_rating_helpfulness"] == 1
            and r["mean_rating_all_aspects"] == 1
            and r["pairwise_win_rate"] >= 3
            and r["pairwise_bradley_terry"] >= 3
            and r["mean_rank_in_rankings"] >= 3
        ):
            problems.append(f"{b}: verbose-7b ranks do not disagree as planned: {r}")
    if problems:
        raise SystemExit("the generated sample breaks its contract:\n  " + "\n  ".join(problems))
