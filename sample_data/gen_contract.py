"""The manifest's contract numbers: what `qualitylab contract status` and `qualitylab export` must
produce on the sample, computed from the generated rows independently of qualitylab.

Used by generate.py only. Reads the contract file with tomllib and sample_data/contract/sample.json
(links and decisions), and applies the definitions of docs/contract.md in plain Python: retained
human rows (no exact-duplicate copy, no excluded annotator, no re-delivered, identical or empty
comparison), units (>= overlap distinct human annotators), the strict-majority label, and the money
(min(accepted, promised) x price, rounded half-up to the cent).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

KIND_OF_FILE = {"pairwise": "pairwise", "rating": "rating", "ranking": "ranking"}
CENT = Decimal("0.01")


def _money(x: Decimal) -> float:
    return float(x.quantize(CENT, rounding=ROUND_HALF_UP))


def _blank(text) -> bool:
    return text is not None and text.strip() == ""


def _copies(rows: list[dict]) -> set[int]:
    """Indexes of exact-duplicate rows beyond the first (every delivered column equal)."""
    seen: set[tuple] = set()
    out = set()
    for i, r in enumerate(rows):
        key = tuple(sorted((k, v) for k, v in r.items()))
        if key in seen:
            out.add(i)
        seen.add(key)
    return out


def _pair_key(r: dict) -> tuple:
    a, b = r["response_a"] or "", r["response_b"] or ""
    return (r["prompt"] or "", min(a, b), max(a, b))


def _item_flags(batch: str, rows: list[dict], earlier: list[list[dict]]) -> dict[str, str]:
    """comparison_id -> redelivered | identical_responses | empty_responses (first that applies)."""
    seen = {_pair_key(r) for rows_e in earlier for r in rows_e if r["gold"] is None}
    flags: dict[str, str] = {}
    for r in rows:
        c = r["comparison_id"]
        reasons = []
        if r["gold"] is None and _pair_key(r) in seen:
            reasons.append("redelivered")
        if r["response_a"] is not None and r["response_a"] == r["response_b"]:
            reasons.append("identical_responses")
        if _blank(r["response_a"]) or _blank(r["response_b"]):
            reasons.append("empty_responses")
        order = ("redelivered", "identical_responses", "empty_responses")
        for reason in order:
            if reason in reasons and (c not in flags or order.index(reason) < order.index(flags[c])):
                flags[c] = reason
    return flags


def _flagged(manifest_annotators: dict) -> list[str]:
    """Annotators flagged for position or length bias (the calibration gates' review criteria)."""
    return sorted(
        a for a, t in manifest_annotators.items() if t["p_first"]["flagged"] or t["p_prefer_longer"]["flagged"]
    )


def _majority(prefs: list[str]) -> str | None:
    n = len(prefs)
    c = Counter(prefs)
    for lab in ("A", "B", "tie"):
        if 2 * c[lab] > n:
            return lab
    return "tie" if c["A"] == c["B"] else None


def expected(*, here: Path, weeks, files: list[dict], manifest: dict) -> dict:
    """The 'contract' key of manifest.json."""
    plan = json.loads((here / "contract" / "sample.json").read_text(encoding="utf-8"))
    contract = tomllib.loads((here / "contract" / plan["contract"]).read_text(encoding="utf-8"))
    overlap = contract["overlap"]
    prices = {k: Decimal(str(v)) for k, v in contract["price_per_unit"].items()}
    start = contract["start"]
    received = {w.batch: w.received for w in weeks}
    rows_of: dict[tuple[str, str], list[dict]] = {}
    for f in files:
        rows_of[(f["batch"], f["kind"])] = f["rows"]

    # the decisions in force: the last one per batch; exclusions resolved like --exclude-flagged
    decisions: dict[str, dict] = {}
    history: dict[str, list[str]] = defaultdict(list)
    for d in plan["decisions"]:
        excluded = _flagged(manifest["annotators"][d["batch"]]) if d.get("exclude_flagged") else []
        excluded = sorted(set(excluded) | set(d.get("exclude", [])))
        decisions[d["batch"]] = {**d, "excluded": excluded}
        history[d["batch"]].append(d["decision"])

    out_weeks = []
    exports = {}
    order = [w.batch for w in weeks]
    for wk in contract["weeks"]:
        n = wk["week"]
        batch = next(b for b, k in plan["links"].items() if k == n)
        d = decisions.get(batch)
        excl = set(d["excluded"]) if d else set()
        accepts = d is not None and d["decision"] in ("accept", "accept_partial")
        w_start = start + dt.timedelta(days=7 * (n - 1))
        due = w_start + dt.timedelta(days=7)
        delivered = dt.date.fromisoformat(received[batch])
        kinds = {}
        pw_rows = rows_of[(batch, "pairwise")]
        earlier = [rows_of[(b, "pairwise")] for b in order[: order.index(batch)]]
        flags = _item_flags(batch, pw_rows, earlier)
        copies = _copies(pw_rows)
        humans = [(i, r) for i, r in enumerate(pw_rows) if i not in copies and r["annotator_kind"] == "human"]
        by_c: dict[str, set] = defaultdict(set)
        by_c_kept: dict[str, set] = defaultdict(set)
        gold_c = set()
        cat_of = {}
        for _i, r in humans:
            by_c[r["comparison_id"]].add(r["annotator_id"])
            if r["annotator_id"] not in excl:
                by_c_kept[r["comparison_id"]].add(r["annotator_id"])
            if r["gold"] is not None:
                gold_c.add(r["comparison_id"])
            cat_of.setdefault(r["comparison_id"], r["category"])
        delivered_c = [c for c in by_c if flags.get(c) != "redelivered"]
        units = [c for c in delivered_c if c not in flags and len(by_c[c]) >= overlap]
        kept_units = [c for c in delivered_c if c not in flags and len(by_c_kept[c]) >= overlap]
        counts = {
            "pairwise": {
                "n_delivered": len(delivered_c),
                "n_redelivered": sum(1 for c in by_c if flags.get(c) == "redelivered"),
                "n_defective": sum(1 for c in delivered_c if c in flags),
                "n_units": len(units),
                "n_accepted": len(kept_units) if accepts else 0,
                "n_gold": sum(1 for c in delivered_c if c in gold_c),
                "n_below_overlap": sum(1 for c in delivered_c if len(by_c[c]) < overlap),
            }
        }
        for kind, key in (("rating", "item_id"), ("ranking", "prompt_id")):
            rows = rows_of.get((batch, kind))
            if rows is None:
                continue
            cp = _copies(rows)
            items: dict[str, set] = defaultdict(set)
            kept: dict[str, set] = defaultdict(set)
            blank = set()
            for i, r in enumerate(rows):
                if i in cp:
                    continue
                items[r[key]].add(r["annotator_id"])
                if r["annotator_id"] not in excl:
                    kept[r[key]].add(r["annotator_id"])
                if kind == "rating" and _blank(r.get("response")):
                    blank.add(r[key])
            counts[kind] = {
                "n_delivered": len(items),
                "n_redelivered": 0,
                "n_defective": len(blank),
                "n_units": sum(1 for i in items if i not in blank and len(items[i]) >= overlap),
                "n_accepted": sum(1 for i in items if i not in blank and len(kept[i]) >= overlap) if accepts else 0,
                "n_below_overlap": sum(1 for i in items if len(items[i]) < overlap),
            }
        week_money = {"payable": Decimal(0), "withheld": Decimal(0), "still_due": Decimal(0)}
        for kind, promised in wk["volume"].items():
            c = counts[kind]
            payable = min(c["n_accepted"], promised)
            withheld = min(c["n_delivered"], promised) - payable
            still_due = promised - payable
            kinds[kind] = {
                "n_promised": promised,
                **{k: v for k, v in c.items() if k != "n_gold"},
                "short_by": max(0, promised - c["n_delivered"]),
                "n_payable": payable,
                "n_withheld": withheld,
                "n_still_due": still_due,
                "payable": _money(payable * prices[kind]),
                "withheld": _money(withheld * prices[kind]),
                "still_due": _money(still_due * prices[kind]),
            }
            for k in week_money:
                week_money[k] += Decimal(str(kinds[kind][k]))
        cats = Counter(cat_of[c] for c in delivered_c)
        out_weeks.append(
            {
                "week": n,
                "batch": batch,
                "calibration": n in contract.get("calibration_weeks", []),
                "due": due.isoformat(),
                "delivered": delivered.isoformat(),
                "delivery": "late" if delivered > due else "on time",
                "days_late": max(0, (delivered - due).days),
                "short": any(k["short_by"] for k in kinds.values()),
                "decision": d["decision"] if d else None,
                "decisions": history.get(batch, []),
                "excluded": d["excluded"] if d else [],
                "kinds": kinds,
                "categories_promised": {
                    cat: {"n_promised": p, "n_delivered": cats.get(cat, 0)}
                    for cat, p in wk.get("categories", {}).items()
                },
                "gold_share_delivered": round(counts["pairwise"]["n_gold"] / len(delivered_c), 6),
                "n_gold": counts["pairwise"]["n_gold"],
                **{k: float(v) for k, v in week_money.items()},
            }
        )
        if accepts:
            exports[batch] = _export(pw_rows, copies, flags, excl, rows_of.get((batch, "rating")))
    totals = {
        k: float(sum((Decimal(str(w[k])) for w in out_weeks), Decimal(0))) for k in ("payable", "withheld", "still_due")
    }
    totals["n_weeks_late"] = sum(1 for w in out_weeks if w["delivery"] == "late")
    totals["n_weeks_short"] = sum(1 for w in out_weeks if w["short"])
    return {
        "about": "What `qualitylab contract status` and `qualitylab export` must produce on the sample "
        "(docs/contract.md); computed by sample_data/gen_contract.py from the generated rows.",
        "name": contract["name"],
        "file": f"contract/{plan['contract']}",
        "intended_verdicts": {
            "acme-w1": "REVIEW",
            "acme-w2": "REVIEW",
            "acme-w3": "ACCEPT",
            "acme-w4": "ACCEPT",
            "acme-w5": "REJECT",
            "acme-w6": "ACCEPT",
        },
        "weeks": out_weeks,
        "totals": totals,
        "export": exports,
        "export_contract_dpo": {
            "n_rows": sum(e["dpo"]["n_rows"] for e in exports.values()),
            "batches": sorted(exports),
            "batches_not_exported": sorted(b for b, d in decisions.items() if b not in exports),
        },
    }


def _export(rows: list[dict], copies: set[int], flags: dict[str, str], excl: set, ratings) -> dict:
    """The dpo, pairwise and ratings exports of one accepted batch: rows out per reason, rows written."""
    out = Counter()
    retained: list[dict] = []
    for i, r in enumerate(rows):
        if i in copies:
            out["duplicate_copy"] += 1
        elif r["annotator_kind"] != "human":
            out["judge"] += 1
        elif r["annotator_id"] in excl:
            out["excluded_annotator"] += 1
        elif r["comparison_id"] in flags:
            out[flags[r["comparison_id"]]] += 1
        else:
            retained.append(r)
    by_c: dict[str, list[dict]] = defaultdict(list)
    for r in retained:
        by_c[r["comparison_id"]].append(r)
    comp = Counter()
    agreement_sum = 0.0
    n_margin = 0
    chosen_models = Counter()
    for _c, rs in sorted(by_c.items()):
        lab = _majority([r["preference"] for r in rs])
        if lab is None:
            comp["no_majority"] += 1
            continue
        if lab == "tie":
            comp["tie"] += 1
            continue
        comp["written"] += 1
        agreement_sum += sum(r["preference"] == lab for r in rs) / len(rs)
        strengths = [r["strength"] for r in rs if r["preference"] == lab and r["strength"] is not None]
        n_margin += bool(strengths)
        chosen_models[rs[0]["model_a"] if lab == "A" else rs[0]["model_b"]] += 1
    res = {
        "verdicts": {
            "in": len(rows),
            "out": {
                k: out.get(k, 0)
                for k in (
                    "quarantined",
                    "duplicate_copy",
                    "judge",
                    "excluded_annotator",
                    "redelivered",
                    "identical_responses",
                    "empty_responses",
                )
            },
            "retained": len(retained),
        },
        "dpo": {
            "comparisons_in": len(by_c),
            "out": {"tie": comp["tie"], "no_majority": comp["no_majority"], "missing_text": 0},
            "n_rows": comp["written"],
            "sum_agreement": round(agreement_sum, 6),
            "n_with_margin": n_margin,
            "chosen_models": dict(sorted(chosen_models.items())),
        },
        "pairwise": {"n_rows": len(retained)},
    }
    if ratings is not None:
        cp = _copies(ratings)
        kept = [r for i, r in enumerate(ratings) if i not in cp and r["annotator_id"] not in excl]
        res["ratings"] = {
            "in": len(ratings),
            "out": {
                "duplicate_copy": len(cp),
                "excluded_annotator": sum(
                    1 for i, r in enumerate(ratings) if i not in cp and r["annotator_id"] in excl
                ),
            },
            "n_rows": len([r for r in kept if not _blank(r.get("response"))]),
        }
    return res
