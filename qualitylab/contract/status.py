"""Deliveries and decisions against the plan: the week-by-week status and the payable.

Definitions (docs/contract.md, "Units and money"), per week and kind, over the batches linked to
the week:

* ``n_delivered`` — new items with a stored human row: comparisons (re-delivered ones excluded),
  rated items, ranked prompts. ``short_by`` = max(0, promised − delivered).
* a **unit** — a delivered item with at least the promised overlap of retained human annotators
  that is not defective (identical or empty responses, an empty rated response); ``n_units``
  before the decision's exclusions, ``n_accepted`` after them (0 for a rejected batch).
* ``n_payable`` = min(accepted, promised); ``payable`` = n_payable × price.
* ``n_pending`` — delivered items of undecided batches, up to what is still promised.
* ``n_withheld`` = min(delivered in decided batches, promised) − n_payable; ``withheld`` = × price.
* ``n_still_due`` = promised − n_payable − n_pending (a withheld unit is still owed).

Amounts are exact decimals, rounded half-up to the cent per week and kind; totals add those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..decisions import Decision, current_decision
from ..retained import Scope, scoped
from ..store import Store
from .plan import KINDS, UNIT_NAMES, Contract, Week
from .registry import read_contract

CENT = Decimal("0.01")
_QUERIES = {
    "pairwise": "contract/pairwise_delivered",
    "rating": "contract/rating_delivered",
    "ranking": "contract/ranking_delivered",
}


def money(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class KindStatus:
    kind: str
    unit: str
    price_per_unit: Decimal
    n_promised: int
    n_delivered: int = 0
    n_redelivered: int = 0
    n_defective: int = 0
    n_below_overlap: int = 0
    n_annotator_slots: int = 0
    n_units: int = 0
    n_accepted: int = 0
    n_payable: int = 0
    n_pending: int = 0
    n_withheld: int = 0
    n_still_due: int = 0

    @property
    def short_by(self) -> int:
        return max(0, self.n_promised - self.n_delivered)

    @property
    def mean_overlap(self) -> float | None:
        return None if not self.n_delivered else self.n_annotator_slots / self.n_delivered

    @property
    def payable(self) -> Decimal:
        return money(self.n_payable * self.price_per_unit)

    @property
    def withheld(self) -> Decimal:
        return money(self.n_withheld * self.price_per_unit)

    @property
    def pending(self) -> Decimal:
        return money(self.n_pending * self.price_per_unit)

    @property
    def still_due(self) -> Decimal:
        return money(self.n_still_due * self.price_per_unit)

    def to_dict(self) -> dict[str, Any]:
        mo = self.mean_overlap
        return {
            "kind": self.kind,
            "unit": self.unit,
            "price_per_unit": float(self.price_per_unit),
            "n_promised": self.n_promised,
            "n_delivered": self.n_delivered,
            "short_by": self.short_by,
            "n_redelivered": self.n_redelivered,
            "n_defective": self.n_defective,
            "mean_overlap": None if mo is None else round(mo, 6),
            "n_below_overlap": self.n_below_overlap,
            "n_units": self.n_units,
            "n_accepted": self.n_accepted,
            "n_payable": self.n_payable,
            "n_pending": self.n_pending,
            "n_withheld": self.n_withheld,
            "n_still_due": self.n_still_due,
            "payable": float(self.payable),
            "withheld": float(self.withheld),
            "pending": float(self.pending),
            "still_due": float(self.still_due),
        }


@dataclass(frozen=True)
class BatchStatus:
    batch_id: str
    delivered: dt.date | None
    verdict: str | None
    decision: Decision | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "delivered": None if self.delivered is None else self.delivered.isoformat(),
            "verdict": self.verdict,
            "decision": None if self.decision is None else self.decision.to_dict(),
        }


@dataclass(frozen=True)
class WeekStatus:
    plan: Week
    batches: tuple[BatchStatus, ...]
    kinds: dict[str, KindStatus]
    categories: list[dict[str, Any]]
    n_gold: int
    overlap: int
    gold_share: float | None
    as_of: dt.date

    @property
    def delivered(self) -> dt.date | None:
        dates = [b.delivered for b in self.batches if b.delivered is not None]
        return max(dates) if dates else None

    @property
    def days_late(self) -> int:
        d = self.delivered
        if d is None:  # nothing delivered (or no delivery date): days past due as of today
            return max(0, (self.as_of - self.plan.due).days) if not self.batches else 0
        return max(0, (d - self.plan.due).days)

    @property
    def delivery(self) -> str:
        """on time | late | not delivered (not yet due) | overdue (due, nothing delivered)."""
        if not self.batches:
            return "overdue" if self.as_of > self.plan.due else "not delivered"
        return "late" if self.days_late > 0 else "on time"

    @property
    def short(self) -> bool:
        return any(k.short_by for k in self.kinds.values()) or any(c["short_by"] for c in self.categories)

    @property
    def gold_share_delivered(self) -> float | None:
        p = self.kinds.get("pairwise")
        return None if p is None or not p.n_delivered else self.n_gold / p.n_delivered

    def total(self, what: str) -> Decimal:
        return sum((getattr(k, what) for k in self.kinds.values()), Decimal("0"))

    def to_dict(self) -> dict[str, Any]:
        w = self.plan
        gsd = self.gold_share_delivered
        return {
            "week": w.week,
            "calibration": w.calibration,
            "start": w.start.isoformat(),
            "end": w.end.isoformat(),
            "due": w.due.isoformat(),
            "gates": w.gates,
            "batches": [b.to_dict() for b in self.batches],
            "delivered": None if self.delivered is None else self.delivered.isoformat(),
            "delivery": self.delivery,
            "days_late": self.days_late,
            "short": self.short,
            "kinds": {k: s.to_dict() for k, s in self.kinds.items()},
            "categories": self.categories,
            "overlap": {
                "promised": self.overlap,
                "mean_delivered": None
                if "pairwise" not in self.kinds or self.kinds["pairwise"].mean_overlap is None
                else round(self.kinds["pairwise"].mean_overlap or 0, 6),
                "n_below": sum(k.n_below_overlap for k in self.kinds.values()),
            },
            "gold_share": {
                "promised": self.gold_share,
                "delivered": None if gsd is None else round(gsd, 6),
                "n_gold": self.n_gold,
                "short": None if self.gold_share is None or gsd is None else gsd < self.gold_share,
            },
            "payable": float(self.total("payable")),
            "withheld": float(self.total("withheld")),
            "pending": float(self.total("pending")),
            "still_due": float(self.total("still_due")),
        }


@dataclass(frozen=True)
class ContractStatus:
    contract: Contract
    as_of: dt.date
    weeks: tuple[WeekStatus, ...]
    unlinked_weeks: tuple[int, ...] = field(default=())

    def total(self, what: str) -> Decimal:
        return sum((w.total(what) for w in self.weeks), Decimal("0"))

    def totals(self) -> dict[str, Any]:
        by_kind: dict[str, dict[str, int]] = {}
        for w in self.weeks:
            for k, s in w.kinds.items():
                t = by_kind.setdefault(k, {"n_promised": 0, "n_delivered": 0, "n_accepted": 0, "n_payable": 0})
                t["n_promised"] += s.n_promised
                t["n_delivered"] += s.n_delivered
                t["n_accepted"] += s.n_accepted
                t["n_payable"] += s.n_payable
        return {
            "kinds": by_kind,
            "payable": float(self.total("payable")),
            "withheld": float(self.total("withheld")),
            "pending": float(self.total("pending")),
            "still_due": float(self.total("still_due")),
            "n_weeks_late": sum(1 for w in self.weeks if w.delivery in ("late", "overdue")),
            "n_weeks_short": sum(1 for w in self.weeks if w.short),
        }

    def to_dict(self) -> dict[str, Any]:
        c = self.contract
        return {
            "contract": {
                "name": c.name,
                "version": c.version,
                "sha256": c.sha256,
                "vendor": c.vendor,
                "currency": c.currency,
                "overlap": c.overlap,
                "gold_share": c.gold_share,
                "start": c.start.isoformat(),
            },
            "as_of": self.as_of.isoformat(),
            "weeks": [w.to_dict() for w in self.weeks],
            "totals": self.totals(),
        }


#: the verdict of an undecided batch: (store, batch_id) -> verdict (the CLI reads the current report)
VerdictOf = Callable[[Store, str], str | None]


def contract_status(
    store: Store, name: str, *, as_of: dt.date | None = None, verdict_of: VerdictOf | None = None
) -> ContractStatus:
    """The status of contract ``name`` (latest version) on ``store``, as of ``as_of`` (default today)."""
    contract = read_contract(store, name)
    as_of = as_of or dt.date.today()
    links = store.rows("contract/links", {"name": name})
    decisions = {r["batch_id"]: current_decision(store, r["batch_id"]) for r in links}
    in_force = {b: d for b, d in decisions.items() if d is not None and d.in_force}
    scope = Scope(
        tuple(r["batch_id"] for r in links),
        {b: tuple(d.excluded) for b, d in in_force.items()},
    )
    per_batch: dict[str, dict[str, dict[str, Any]]] = {}
    cats: dict[str, list[dict[str, Any]]] = {}
    with scoped(store, scope):
        for kind in KINDS:
            for row in store.rows(_QUERIES[kind], {"overlap": contract.overlap}):
                per_batch.setdefault(row["batch_id"], {})[kind] = row
        for row in store.rows("contract/pairwise_categories", {"overlap": contract.overlap}):
            cats.setdefault(row["batch_id"], []).append(row)
    weeks = []
    for w in contract.weeks:
        mine = [r for r in links if int(r["week"]) == w.week]
        batches = []
        for r in mine:
            d = decisions.get(r["batch_id"])
            verdict = d.gate_verdict if d is not None and d.in_force else None
            if verdict is None and verdict_of is not None:
                verdict = verdict_of(store, r["batch_id"])
            batches.append(BatchStatus(r["batch_id"], r["delivered"], verdict, d))
        kinds = {k: _kind_status(w, k, mine, per_batch, in_force) for k in w.volume}
        n_gold = sum(int(per_batch.get(r["batch_id"], {}).get("pairwise", {}).get("n_gold", 0)) for r in mine)
        weeks.append(
            WeekStatus(
                w,
                tuple(batches),
                kinds,
                _categories(w, mine, cats),
                n_gold,
                contract.overlap,
                contract.gold_share,
                as_of,
            )
        )
    return ContractStatus(contract, as_of, tuple(weeks))


def _kind_status(
    w: Week,
    kind: str,
    links: list[dict[str, Any]],
    per_batch: dict[str, dict[str, dict[str, Any]]],
    in_force: dict[str, Decision],
) -> KindStatus:
    promised = w.volume[kind]
    sums = {"n_delivered": 0, "n_redelivered": 0, "n_defective": 0, "n_below_overlap": 0, "n_annotator_slots": 0}
    n_units = accepted = delivered_decided = delivered_undecided = 0
    for r in links:
        row = per_batch.get(r["batch_id"], {}).get(kind)
        if row is None:
            continue
        for key in sums:
            sums[key] += int(row.get(key) or 0)
        n_units += int(row["n_units"])
        d = in_force.get(r["batch_id"])
        if d is None:
            delivered_undecided += int(row["n_delivered"])
        else:
            delivered_decided += int(row["n_delivered"])
            if d.accepts:
                accepted += int(row["n_units_retained"])
    payable = min(accepted, promised)
    pending = min(delivered_undecided, promised - payable)
    withheld = max(0, min(delivered_decided, promised) - payable)
    return KindStatus(
        kind,
        UNIT_NAMES[kind],
        w.price_per_unit[kind],
        promised,
        n_units=n_units,
        n_accepted=accepted,
        n_payable=payable,
        n_pending=pending,
        n_withheld=withheld,
        n_still_due=promised - payable - pending,
        **sums,
    )


def _categories(w: Week, links: list[dict[str, Any]], cats: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Delivered comparisons per category (every category seen), with the promise where there is one."""
    delivered: dict[str | None, dict[str, int]] = {}
    for r in links:
        for row in cats.get(r["batch_id"], []):
            t = delivered.setdefault(row["category"], {"n_delivered": 0, "n_units": 0})
            t["n_delivered"] += int(row["n_delivered"])
            t["n_units"] += int(row["n_units"])
    names = list(w.categories) + sorted((c for c in delivered if c not in w.categories), key=lambda c: (c is None, c))
    out = []
    for c in names:
        got = delivered.get(c, {"n_delivered": 0, "n_units": 0})
        promised = w.categories.get(c) if c is not None else None
        out.append(
            {
                "category": c,
                "n_promised": promised,
                "n_delivered": got["n_delivered"],
                "n_units": got["n_units"],
                "short_by": 0 if promised is None else max(0, promised - got["n_delivered"]),
            }
        )
    return out


def batch_units(store: Store, batch_id: str) -> dict[str, Any] | None:
    """What one linked batch's current decision accepts, per kind, and what it does not, with the reason
    (the evidence pack's "Units accepted and not" for the vendor); None for an unlinked batch.

    Per kind: ``n_delivered`` (new items), ``n_redelivered`` (sent before: not delivered again),
    ``n_defective`` (identical or empty responses, an empty rated response), ``n_below_overlap``
    (fewer distinct human annotators than the contract's overlap), ``n_units`` (neither),
    ``n_excluded_below_overlap`` (units that fall below the overlap without the decision's excluded
    annotators), ``n_rejected`` (the units of a rejected batch), ``n_accepted``. One item can be both
    defective and below the overlap; ``n_units`` counts it once as not a unit. The same counting as
    :func:`contract_status`.
    """
    link = store.one("contract/batch_link", {"batch_id": batch_id})
    if link is None:
        return None
    contract = read_contract(store, link["contract_name"])
    d = current_decision(store, batch_id)
    in_force = d if d is not None and d.in_force else None
    scope = Scope((batch_id,), {batch_id: tuple(in_force.excluded)} if in_force else {})
    week = contract.week(int(link["week"]))
    kinds = []
    with scoped(store, scope):
        for kind in KINDS:
            row = store.one(_QUERIES[kind], {"overlap": contract.overlap}) or {}
            promised = week.volume.get(kind) if week else None
            if not int(row.get("n_delivered") or 0) and not int(row.get("n_redelivered") or 0) and not promised:
                continue
            units, retained = int(row.get("n_units") or 0), int(row.get("n_units_retained") or 0)
            accepts = in_force is not None and in_force.accepts
            kinds.append(
                {
                    "kind": kind,
                    "unit": UNIT_NAMES[kind],
                    "n_promised": promised,
                    "n_delivered": int(row.get("n_delivered") or 0),
                    "n_redelivered": int(row.get("n_redelivered") or 0),
                    "n_defective": int(row.get("n_defective") or 0),
                    "n_below_overlap": int(row.get("n_below_overlap") or 0),
                    "n_units": units,
                    "n_excluded_below_overlap": units - retained if accepts else 0,
                    "n_rejected": units if in_force is not None and not accepts else 0,
                    "n_accepted": retained if accepts else 0,
                }
            )
    return {
        "contract": contract.name,
        "version": contract.version,
        "week": int(link["week"]),
        "overlap": contract.overlap,
        "decision": None if in_force is None else in_force.decision,
        "kinds": kinds,
    }
