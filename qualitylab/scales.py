"""The scale a batch was collected on: the labels offered, and the range of strengths and ratings.

A chance-corrected coefficient's chance term depends on the categories a rater could choose from:
counting a "tie" that the protocol never offered as a third category inflates Gwet's AC1 (0.586
binary vs 0.720 on a real 4-annotator A/B set), and the span of a Likert scale sets AC2's and
weighted kappa's weights. So each batch carries its scale, per kind of data and target:

* pairwise ``preference``: the labels offered, ``A,B`` or ``A,B,tie``;
* pairwise ``strength``: the strength range used (a sub-range of the 0-3 vocabulary);
* rating, per aspect: the score range ``LOW-HIGH`` (e.g. 1-7).

It is *declared* at ingest (``--labels A,B``, ``--scale [ASPECT=]LOW-HIGH``, or by a public format's
adapter: chosen/rejected sets are binary, HelpSteer2 rates 0-4 per attribute, UltraFeedback 1-5 per
aspect) or else *inferred* from the batch's delivered rows (no tie
anywhere -> binary; the range = the smallest and largest value delivered), and stored in the
``scales`` table (schema v5) as declared or inferred. A declared scale binds every later file of the
batch (rows outside it are refused like any invalid row); another declaration is a conflict unless
``--replace``. :func:`batch_scale` is the one way to read it (the report's ``methods.scale``, the
agreement coefficients, the report fingerprint). Definitions: docs/agreement.md "The scale".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import ConflictError, RowProblem, UsageError

PREFERENCE = "preference"
STRENGTH = "strength"
LABEL_SETS = {frozenset({"a", "b"}): ("A", "B"), frozenset({"a", "b", "tie"}): ("A", "B", "tie")}
STRENGTH_VOCABULARY = (0, 3)  # the canonical strength column: 0-3 (Llama 2 scale)
MAX_GRID = 1000  # an integer range wider than this is a continuous scale: its values are the observed ones

_RANGE = re.compile(r"^\s*(?:(?P<target>[^=]+?)\s*=\s*)?(?P<low>-?\d+(?:\.\d+)?)\s*-\s*(?P<high>-?\d+(?:\.\d+)?)\s*$")


# ---------------------------------------------------------------------------------------------
# What a batch's scale is
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelScale:
    """The preference labels offered: ``("A", "B")`` or ``("A", "B", "tie")``."""

    labels: tuple[str, ...]
    declared: bool
    source: str

    @property
    def binary(self) -> bool:
        return "tie" not in self.labels

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "declared": self.declared, "source": self.source}


@dataclass(frozen=True)
class RangeScale:
    """A numeric range LOW-HIGH (strength, or an aspect's scores)."""

    low: float
    high: float
    declared: bool
    source: str

    def grid(self) -> tuple[float, ...]:
        """The integers LOW..HIGH when both are integers (a Likert scale), else () (continuous)."""
        if float(self.low).is_integer() and float(self.high).is_integer() and self.high - self.low <= MAX_GRID:
            return tuple(float(v) for v in range(int(self.low), int(self.high) + 1))
        return ()

    def values(self, observed: Iterable[float] = ()) -> tuple[float, ...]:
        """The category values: the integer grid of the range (or its two ends) plus any observed value."""
        base = self.grid() or (float(self.low), float(self.high))
        return tuple(sorted({*base, *(float(v) for v in observed)}))

    def signed_values(self) -> tuple[float, ...]:
        """The signed strength scale: -HIGH..-LOW (B better), 0 (tie / negligible), LOW..HIGH (A better)."""
        g = self.grid()
        return tuple(sorted({0.0, *g, *(-v for v in g)}))

    def text(self) -> str:
        return f"{_fmt(self.low)}-{_fmt(self.high)}"

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "declared": self.declared, "source": self.source}


@dataclass(frozen=True)
class BatchScale:
    """A batch's scale: ``preference`` (None without pairwise data), ``strength`` (None when no
    strength was delivered or declared) and ``ratings`` per aspect."""

    batch_id: str
    preference: LabelScale | None
    strength: RangeScale | None
    ratings: dict[str, RangeScale] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The report's ``methods.scale`` (and the snapshot fingerprint's "declared scale")."""
        return {
            "preference": self.preference.to_dict() if self.preference else None,
            "strength": self.strength.to_dict() if self.strength else None,
            "ratings": {a: r.to_dict() for a, r in sorted(self.ratings.items())},
        }


def batch_scale(store: Any, batch_id: str) -> BatchScale:
    """The batch's scale as stored in ``scales`` (declared, or inferred at ingest).

    A target with data but no stored row (rows written outside ``ingest``, e.g. a batch holding only
    ``qualitylab judge`` verdicts) is inferred from the data now, and says so in its ``source``.
    """
    rows = {(r["kind"], r["target"]): r for r in store.rows("scales/batch_scales", {"batch_id": batch_id})}
    inferred = {
        (r["kind"], r["target"]): r for r in store.rows("scales/infer", {"batch_id": batch_id, "delivered_only": False})
    }
    for key, r in inferred.items():
        if key not in rows:
            rows[key] = dict(r, declared=False, source=r["source"] + " (not stored: computed when read)")
    pref = rows.get(("pairwise", PREFERENCE))
    strength = rows.get(("pairwise", STRENGTH))
    return BatchScale(
        batch_id,
        LabelScale(tuple(pref["labels"]), bool(pref["declared"]), pref["source"]) if pref else None,
        _range(strength) if strength else None,
        {t: _range(r) for (k, t), r in sorted(rows.items()) if k == "rating"},
    )


def _range(r: dict[str, Any]) -> RangeScale:
    return RangeScale(float(r["low"]), float(r["high"]), bool(r["declared"]), r["source"])


# ---------------------------------------------------------------------------------------------
# Declaring it at ingest
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    """What a delivered file declares: ``labels`` and ``ranges`` {target or None (every aspect): (low, high)}."""

    labels: tuple[str, ...] | None = None
    labels_source: str = ""
    ranges: dict[str | None, tuple[float, float]] = field(default_factory=dict)
    #: set when the ranges are a public format's (``Adapter.scale``): the source every declared range
    #: records, and an aspect the file does not rate is then not an error (it is the format's, not a flag)
    ranges_source: str = ""

    @property
    def empty(self) -> bool:
        return self.labels is None and not self.ranges


def parse_labels(text: str) -> tuple[str, ...]:
    """``"A,B"`` -> ``("A", "B")``; ``"A,B,tie"`` -> ``("A", "B", "tie")`` (case-insensitive)."""
    parts = frozenset(p.strip().lower() for p in str(text).split(",") if p.strip())
    if parts not in LABEL_SETS:
        raise UsageError("Bad --labels", repr(text), "give the labels offered: A,B or A,B,tie")
    return LABEL_SETS[parts]


def parse_range(text: str) -> tuple[str | None, float, float]:
    """``"[TARGET=]LOW-HIGH"`` -> (target or None, low, high), e.g. ``helpfulness=1-7``, ``1-10``."""
    m = _RANGE.match(str(text))
    if not m:
        raise UsageError("Bad --scale", repr(text), "give [ASPECT=]LOW-HIGH, e.g. 1-7 or helpfulness=1-7")
    low, high = float(m["low"]), float(m["high"])
    if not low < high:
        raise UsageError("Bad --scale", repr(text), "LOW must be below HIGH, e.g. 1-7")
    return m["target"], low, high


def declaration(
    labels: str | Sequence[str] | None,
    scales: Sequence[str],
    *,
    adapter: str | None,
    adapter_labels: tuple[str, ...] | None,
    adapter_scale: Sequence[str] = (),
) -> Declaration:
    """The declaration of one file from ``--labels`` / ``--scale`` and its public format's adapter
    (whose labels and ranges apply where ``--labels`` / ``--scale`` give none)."""
    lab: tuple[str, ...] | None = None
    src = ""
    if labels is not None and labels != "":
        lab = parse_labels(labels if isinstance(labels, str) else ",".join(labels))
        src = f"--labels {','.join(lab)}"
    elif adapter_labels is not None:
        lab, src = tuple(adapter_labels), f"format {adapter} (offers {','.join(adapter_labels)})"
    ranges: dict[str | None, tuple[float, float]] = {}
    ranges_source = ""
    if not scales and adapter_scale:
        scales, ranges_source = adapter_scale, f"format {adapter}"
    for text in scales:
        target, low, high = parse_range(text)
        if target in ranges and ranges[target] != (low, high):
            raise UsageError("Bad --scale", f"{target or 'the default'} is given twice: {text!r}", "give each once")
        ranges[target] = (low, high)
    return Declaration(lab, src, ranges, ranges_source)


def check_for_kind(decl: Declaration, kind: str, aspects: Sequence[str]) -> None:
    """Refuse a declaration that does not fit the file's kind (exit 2, nothing stored)."""
    if kind == "ranking" and not decl.empty:
        raise UsageError("Nothing to declare", "rankings have no label set or score range", "drop --labels / --scale")
    if kind == "rating" and decl.labels is not None and decl.labels_source.startswith("--labels"):
        raise UsageError("Bad --labels", "--labels is for pairwise verdicts", "declare a rating scale with --scale")
    if kind == "pairwise":
        for target, (low, high) in decl.ranges.items():
            if target not in (None, STRENGTH):
                raise UsageError(
                    "Bad --scale",
                    f"{target}={_fmt(low)}-{_fmt(high)}: a pairwise file declares only its strength range",
                    "use --scale strength=LOW-HIGH (or --scale LOW-HIGH)",
                )
            lo, hi = STRENGTH_VOCABULARY
            if low < lo or high > hi or not (float(low).is_integer() and float(high).is_integer()):
                raise UsageError(
                    "Bad --scale",
                    f"strength {_fmt(low)}-{_fmt(high)} is not a range of whole numbers within 0-3",
                    "strength is the 0-3 Llama 2 scale; declare the sub-range offered, e.g. strength=0-2",
                )
    if kind == "rating":
        unknown = sorted(t for t in decl.ranges if t is not None and t not in aspects)
        if unknown and not decl.ranges_source:
            raise UsageError(
                "Bad --scale",
                f"aspect(s) {', '.join(map(repr, unknown))} are not rated in this file "
                f"(aspects: {', '.join(aspects) or 'none'})",
                "name an aspect the file rates, or give LOW-HIGH for every aspect",
            )


def targets(decl: Declaration, kind: str, aspects: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The declared scale per target of this file: {target: {labels | low, high, source}}."""
    out: dict[str, dict[str, Any]] = {}
    if kind == "pairwise":
        if decl.labels is not None:
            out[PREFERENCE] = {"labels": list(decl.labels), "low": None, "high": None, "source": decl.labels_source}
        rng = decl.ranges.get(STRENGTH, decl.ranges.get(None))
        if rng is not None:
            key = STRENGTH if STRENGTH in decl.ranges else None
            out[STRENGTH] = _range_target(rng, key, STRENGTH, decl.ranges_source)
    elif kind == "rating":
        for aspect in aspects:
            rng = decl.ranges.get(aspect, decl.ranges.get(None))
            if rng is not None:
                out[aspect] = _range_target(rng, aspect if aspect in decl.ranges else None, aspect, decl.ranges_source)
    return out


def _range_target(rng: tuple[float, float], key: str | None, target: str, source: str = "") -> dict[str, Any]:
    text = f"{_fmt(rng[0])}-{_fmt(rng[1])}"
    return {
        "labels": None,
        "low": rng[0],
        "high": rng[1],
        "source": f"{source} (offers {key or target}={text})"
        if source
        else (f"--scale {key}={text}" if key else f"--scale {text}"),
    }


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("labels") is not None or b.get("labels") is not None:
        return sorted(a.get("labels") or []) == sorted(b.get("labels") or [])
    return (float(a["low"]), float(a["high"])) == (float(b["low"]), float(b["high"]))


def describe(d: dict[str, Any]) -> str:
    return ",".join(d["labels"]) if d.get("labels") is not None else f"{_fmt(d['low'])}-{_fmt(d['high'])}"


def conflicts(
    batch_id: str,
    kind: str,
    declared: dict[str, dict[str, Any]],
    stored: dict[str, dict[str, Any]],
    existing_data: dict[str, dict[str, Any]],
) -> None:
    """Refuse (exit 4) a declaration that contradicts the batch's declared scale, or data it holds."""
    for target, new in declared.items():
        old = stored.get(target)
        what = "labels" if target == PREFERENCE else f"{target} range"
        if old is not None and old["declared"] and not same(old, new):
            raise ConflictError(
                "Scale differs",
                f"batch {batch_id!r} declared {kind} {what} {describe(old)} ({old['source']}); "
                f"this file declares {describe(new)}",
                "declare the batch's scale, or use --replace to replace the batch's rows of this kind and its scale",
            )
        data = existing_data.get(target)
        if data is None:
            continue
        if target == PREFERENCE and "tie" not in new["labels"] and data.get("has_tie"):
            raise ConflictError(
                "Scale differs",
                f"batch {batch_id!r} already holds 'tie' verdicts, which the declared labels "
                f"{describe(new)} do not offer",
                "declare --labels A,B,tie, or use --replace",
            )
        if target != PREFERENCE and (data["low"] < new["low"] or data["high"] > new["high"]):
            raise ConflictError(
                "Scale differs",
                f"batch {batch_id!r} already holds {what.replace(' range', '')} values {describe(data)}, "
                f"outside the declared range {describe(new)}",
                "declare a range that holds them, or use --replace",
            )


# ---------------------------------------------------------------------------------------------
# At ingest: before the insert (check, validate the staged rows), after it (store)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The scale of one ingest: the declared targets in force for this file's kind."""

    kind: str
    declared: dict[str, dict[str, Any]]  # target -> {labels | low, high, source, file_id?}
    new: frozenset[str]  # targets this file declares (the others come from the batch)


def prepare(store: Any, batch_id: str, kind: str, decl: Declaration, mode: str) -> tuple[Plan, list[RowProblem]]:
    """Check the file's declaration against the batch and validate the staged rows (``_src``).

    Raises UsageError (exit 2) for a declaration that does not fit the kind and ConflictError (exit 4)
    for one that contradicts the batch's declared scale or the rows it holds (unless ``mode`` is
    ``replace``: the batch's rows of the kind and their scale are then replaced). Returns the plan
    and the rows outside the declared scale (refused, or quarantined, like any invalid row).
    """
    aspects = [r["aspect"] for r in store.rows("scales/file_aspects")] if kind == "rating" else []
    check_for_kind(decl, kind, aspects)
    new = targets(decl, kind, aspects)
    stored: dict[str, dict[str, Any]] = {}
    data: dict[str, dict[str, Any]] = {}
    if mode != "replace":
        stored = {
            r["target"]: r for r in store.rows("scales/batch_scales", {"batch_id": batch_id}) if r["kind"] == kind
        }
        data = {
            r["target"]: r
            for r in store.rows("scales/infer", {"batch_id": batch_id, "delivered_only": True})
            if r["kind"] == kind
        }
    conflicts(batch_id, kind, new, stored, data)
    declared = {t: r for t, r in stored.items() if r["declared"]}
    declared.update(new)
    plan = Plan(kind, declared, frozenset(new))
    return plan, _validate(store, plan)


def _validate(store: Any, plan: Plan) -> list[RowProblem]:
    if plan.kind == "pairwise":
        pref, strength = plan.declared.get(PREFERENCE), plan.declared.get(STRENGTH)
        if pref is None and strength is None:
            return []
        rows = store.rows(
            "scales/validate_pairwise",
            {
                "tie_offered": None if pref is None else "tie" in pref["labels"],
                "labels_source": "" if pref is None else pref["source"],
                "strength_low": None if strength is None else strength["low"],
                "strength_high": None if strength is None else strength["high"],
                "strength_source": "" if strength is None else strength["source"],
            },
        )
    elif plan.kind == "rating" and plan.declared:
        items = sorted(plan.declared.items())
        rows = store.rows(
            "scales/validate_rating",
            {
                "aspects": [a for a, _ in items],
                "lows": [float(r["low"]) for _, r in items],
                "highs": [float(r["high"]) for _, r in items],
                "texts": [describe(r) for _, r in items],
                "sources": [r["source"] for _, r in items],
            },
        )
    else:
        return []
    return [RowProblem(r["source_line"], r["column_name"], r["reason"]) for r in rows]


def record(store: Any, batch_id: str, plan: Plan, file_id: int) -> None:
    """Store the batch's scale of ``plan.kind`` after the insert: every declared target as declared,
    every other target the data has as inferred from the batch's delivered rows (this file included)."""
    if plan.kind not in ("pairwise", "rating"):
        return
    inferred = {
        r["target"]: r
        for r in store.rows("scales/infer", {"batch_id": batch_id, "delivered_only": True})
        if r["kind"] == plan.kind
    }
    store.execute("scales/delete_kind", {"batch_id": batch_id, "kind": plan.kind})
    for target in sorted(set(inferred) | set(plan.declared)):
        d = plan.declared.get(target)
        r = d if d is not None else inferred[target]
        store.execute(
            "scales/insert",
            {
                "batch_id": batch_id,
                "kind": plan.kind,
                "target": target,
                "labels": r.get("labels"),
                "low": r.get("low"),
                "high": r.get("high"),
                "declared": d is not None,
                "source": r["source"],
                "file_id": file_id if (d is None or target in plan.new) else r.get("file_id"),
            },
        )


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
