"""Flag -> item rows: one function per filter of the items view (issue 17), each ONE named query.

Every flag, criterion and hygiene row of the report maps to one filter, named once for the CLI
(``qualitylab items --filter NAME[=VALUE]``), the app's Items page (``?filter=NAME&value=V``) and
the evidence pack:

| filter | value | rows |
|---|---|---|
| ``contested`` | | comparisons with no strict majority among their human verdicts |
| ``queue`` | | the items that most need an adjudication (contested, judge vs a narrow majority, gold failure) |
| ``split`` | | comparisons whose human verdicts are not unanimous |
| ``disagrees_with_majority`` | annotator | comparisons where the annotator differs from the others' majority |
| ``judge_disagrees`` | judge | the judge's verdicts that differ from the human majority |
| ``gold_failed`` | annotator, optional | human verdicts on honeypots that miss the gold label |
| ``adjudication_failed`` | annotator, optional | human verdicts that differ from the buyer's adjudication |
| ``fast`` | annotator, optional | human verdicts faster than ``fast_seconds`` |
| ``position_flag`` | annotator | the verdicts behind the annotator's p_first |
| ``length_flag`` | annotator | the verdicts behind the annotator's p_prefer_longer |
| ``annotator`` | annotator | every verdict of the annotator in delivery order (straight-lining) |
| ``rating_contradicts`` | annotator, optional | verdicts their own same-task ratings contradict (Rankings vs ratings) |
| ``quarantined`` | | the batch's quarantined rows |
| each hygiene check (``duplicate_rows``, ``identical_responses``, ...) | | the check's offending rows |

A page of rows is ``limit`` rows from ``offset`` in the query's fixed order (every query orders by
comparison id, then file and line), so the same call always returns the same page. Values are
bound parameters; a filter name comes from :data:`FILTERS` (an allow-list), never from SQL text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..bias import hygiene as hyg
from ..bias.length import MIN_DIFF_CHARS
from ..errors import UsageError
from ..store import Store

DEFAULT_LIMIT = 50
MAX_LIMIT = 100_000


@dataclass(frozen=True)
class FilterSpec:
    """One filter: its name, what its value is (``None``: takes none), whether the value is
    required, what it lists in words, and its query."""

    name: str
    value: str | None  # "annotator" | "judge" | None
    required: bool
    words: str
    query: str


@dataclass(frozen=True)
class ItemPage:
    """One page of a filter's rows. ``rows`` carry ``comparison_id`` when the filter lists
    comparisons or verdicts (``file_name`` and ``source_line`` for verdicts: their provenance)."""

    batch_id: str
    filter: str
    value: str | None
    words: str
    query: str
    params: dict[str, Any]
    offset: int
    limit: int
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    n_rows: int | None = None  # all rows of the filter (None: not counted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "filter": self.filter,
            "value": self.value,
            "words": self.words,
            "query": self.query,
            "offset": self.offset,
            "limit": self.limit,
            "n_rows": self.n_rows,
            "columns": self.columns,
            "rows": self.rows,
        }


_HYGIENE_WORDS = {s.name: f"{s.title.lower()}: {s.description}" for s in hyg.CHECKS}

FILTERS: dict[str, FilterSpec] = {
    s.name: s
    for s in (
        FilterSpec(
            "contested", None, False, "comparisons with no strict majority among the human verdicts", "items/contested"
        ),
        FilterSpec(
            "queue",
            None,
            False,
            "the items that most need an adjudication: contested, a judge against a narrow human majority, "
            "a gold failure (adjudicated items left out)",
            "items/queue",
        ),
        FilterSpec("split", None, False, "comparisons whose human verdicts are not unanimous", "items/split"),
        FilterSpec(
            "disagrees_with_majority",
            "annotator",
            True,
            "comparisons where the annotator disagrees with the other humans' majority",
            "items/disagrees_with_majority",
        ),
        FilterSpec(
            "judge_disagrees",
            "judge",
            True,
            "the judge's verdicts that differ from the human majority",
            "items/judge_disagrees",
        ),
        FilterSpec(
            "gold_failed",
            "annotator",
            False,
            "human verdicts on honeypot items that miss the gold label",
            "items/gold_failed",
        ),
        FilterSpec(
            "adjudication_failed",
            "annotator",
            False,
            "human verdicts on adjudicated items that differ from the adjudicated label",
            "items/adjudication_failed",
        ),
        FilterSpec("fast", "annotator", False, "human verdicts faster than fast_seconds", "items/fast"),
        FilterSpec(
            "position_flag",
            "annotator",
            True,
            "the verdicts behind the annotator's p_first (non-tie, order recorded), first-shown choices first",
            "items/position_flag",
        ),
        FilterSpec(
            "length_flag",
            "annotator",
            True,
            "the verdicts behind the annotator's p_prefer_longer (non-tie, lengths differ), longer choices first",
            "items/length_flag",
        ),
        FilterSpec(
            "annotator",
            "annotator",
            True,
            "every verdict of the annotator in delivery order (the rows behind straight-lining)",
            "items/annotator",
        ),
        FilterSpec(
            "rating_contradicts",
            "annotator",
            False,
            "verdicts whose own ratings (rating_a, rating_b) contradict them: for the lower-rated response, "
            "a strong preference between equal ratings, or no preference despite a large rating gap",
            "items/rating_contradicts",
        ),
        FilterSpec("quarantined", None, False, "rows refused at ingest and kept in quarantine", "items/quarantined"),
        *(FilterSpec(s.name, None, False, _HYGIENE_WORDS[s.name], s.query) for s in hyg.CHECKS),
    )
}

HYGIENE_FILTERS = tuple(s.name for s in hyg.CHECKS)


def parse_filter(text: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAME=VALUE`` -> (name, value); an unknown name or a missing/extra value is a
    :class:`UsageError` naming the filters."""
    name, sep, value = text.partition("=")
    name = name.strip()
    return check_filter(name, value if sep else None)


def check_filter(name: str, value: str | None) -> tuple[str, str | None]:
    spec = FILTERS.get(name)
    if spec is None:
        raise UsageError(
            "Unknown filter",
            f"{name!r} is not an items filter",
            "one of: " + ", ".join(_usage(s) for s in FILTERS.values()),
        )
    if value == "":
        value = None
    if spec.value is None and value is not None:
        raise UsageError("Filter takes no value", f"{name} takes no value (got {value!r})", f"use --filter {name}")
    if spec.required and value is None:
        raise UsageError(
            "Filter needs a value", f"{name} needs the {spec.value}", f"use --filter {name}={str(spec.value).upper()}"
        )
    return name, value


def _usage(spec: FilterSpec) -> str:
    if spec.value is None:
        return spec.name
    v = spec.value.upper()
    return f"{spec.name}={v}" if spec.required else f"{spec.name}[={v}]"


def _check_page(offset: int, limit: int) -> None:
    if not 0 < limit <= MAX_LIMIT:
        raise UsageError("Bad limit", f"limit must be 1..{MAX_LIMIT}, got {limit}", "give --limit N with N >= 1")
    if offset < 0:
        raise UsageError("Bad offset", f"offset must be >= 0, got {offset}", "give an offset >= 0")


def _page(
    store: Store,
    batch_id: str,
    name: str,
    value: str | None,
    params: dict[str, Any],
    *,
    offset: int,
    limit: int,
    count: bool,
) -> ItemPage:
    """Run filter ``name``'s query for one page (items queries page themselves; hygiene queries are
    paged on their relation), with file names for the rows' file ids."""
    _check_page(offset, limit)
    store.require_batch(batch_id)
    spec = FILTERS[name]
    if spec.query.startswith("items/"):
        rel = store.relation(spec.query, {**params, "limit": limit, "offset": offset})
        columns = list(rel.columns)
        rows = store.arrow(spec.query, {**params, "limit": limit, "offset": offset}).to_pylist()
        n = None
        if count:
            whole = store.relation(spec.query, {**params, "limit": None, "offset": 0})
            n = int(whole.aggregate("count(*) AS n").fetchall()[0][0])
    else:
        rel = store.relation(spec.query, params)
        columns = list(rel.columns)
        rows = rel.limit(limit, offset).to_arrow_table().to_pylist()
        n = int(rel.aggregate("count(*) AS n").fetchall()[0][0]) if count else None
    if "file_id" in columns:
        names = {r["file_id"]: r["file_name"] for r in store.rows("items/files", {"batch_id": batch_id})}
        if "file_name" not in columns:
            columns.insert(columns.index("file_id"), "file_name")
            for r in rows:
                r["file_name"] = names.get(r["file_id"])
        columns.remove("file_id")
        for r in rows:
            r.pop("file_id", None)
    return ItemPage(batch_id, name, value, spec.words, spec.query, params, offset, limit, columns, rows, n)


# -- one function per filter ---------------------------------------------------------------------------
def contested(store: Store, batch_id: str, *, offset: int = 0, limit: int = DEFAULT_LIMIT, count: bool = False):
    """Comparisons with no strict majority among their human verdicts."""
    return _page(store, batch_id, "contested", None, {"batch_id": batch_id}, offset=offset, limit=limit, count=count)


def queue(store: Store, batch_id: str, *, offset: int = 0, limit: int = DEFAULT_LIMIT, count: bool = False):
    """The adjudication queue: contested items first, then a judge against a narrow majority, then gold
    failures; comparisons with a current adjudication are left out."""
    from ..adjudicated import current

    params = {"batch_id": batch_id, "adjudicated": sorted(current(store, batch_id))}
    return _page(store, batch_id, "queue", None, params, offset=offset, limit=limit, count=count)


def split(store: Store, batch_id: str, *, offset: int = 0, limit: int = DEFAULT_LIMIT, count: bool = False):
    """Comparisons whose human verdicts are not unanimous."""
    return _page(store, batch_id, "split", None, {"batch_id": batch_id}, offset=offset, limit=limit, count=count)


def disagrees_with_majority(
    store: Store, batch_id: str, annotator_id: str, *, offset: int = 0, limit: int = DEFAULT_LIMIT, count=False
):
    """Comparisons where ``annotator_id`` differs from the other humans' strict majority (the items
    behind their agreement_with_majority)."""
    params = {"batch_id": batch_id, "annotator_id": annotator_id}
    return _page(
        store, batch_id, "disagrees_with_majority", annotator_id, params, offset=offset, limit=limit, count=count
    )


def judge_disagrees(
    store: Store, batch_id: str, judge_id: str, *, offset: int = 0, limit: int = DEFAULT_LIMIT, count=False
):
    """The judge's verdicts (both orders) that differ from the strict human majority."""
    params = {"batch_id": batch_id, "annotator_id": judge_id}
    return _page(store, batch_id, "judge_disagrees", judge_id, params, offset=offset, limit=limit, count=count)


def gold_failed(
    store: Store, batch_id: str, annotator_id: str | None = None, *, offset=0, limit=DEFAULT_LIMIT, count=False
):
    """Human verdicts on honeypots that miss the gold label (of one annotator, or all)."""
    params = {"batch_id": batch_id, "annotator_id": annotator_id}
    return _page(store, batch_id, "gold_failed", annotator_id, params, offset=offset, limit=limit, count=count)


def adjudication_failed(
    store: Store, batch_id: str, annotator_id: str | None = None, *, offset=0, limit=DEFAULT_LIMIT, count=False
):
    """Human verdicts on adjudicated comparisons that differ from the adjudicated label."""
    from ..adjudicated import current

    adj = current(store, batch_id)
    ids = sorted(adj)
    params = {
        "batch_id": batch_id,
        "annotator_id": annotator_id,
        "comparison_ids": ids,
        "labels": [adj[c] for c in ids],
    }
    return _page(store, batch_id, "adjudication_failed", annotator_id, params, offset=offset, limit=limit, count=count)


def fast(
    store: Store,
    batch_id: str,
    annotator_id: str | None = None,
    *,
    fast_seconds: float = hyg.FAST_SECONDS,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    count: bool = False,
):
    """Human verdicts faster than ``fast_seconds`` (of one annotator, or all)."""
    params = {"batch_id": batch_id, "annotator_id": annotator_id, "min_seconds": float(fast_seconds)}
    return _page(store, batch_id, "fast", annotator_id, params, offset=offset, limit=limit, count=count)


def position_flag(
    store: Store, batch_id: str, annotator_id: str, *, offset: int = 0, limit: int = DEFAULT_LIMIT, count=False
):
    """The verdicts behind ``annotator_id``'s p_first, those that chose the first-shown response first."""
    params = {"batch_id": batch_id, "annotator_id": annotator_id}
    return _page(store, batch_id, "position_flag", annotator_id, params, offset=offset, limit=limit, count=count)


def length_flag(
    store: Store,
    batch_id: str,
    annotator_id: str,
    *,
    min_diff_chars: int = MIN_DIFF_CHARS,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    count: bool = False,
):
    """The verdicts behind ``annotator_id``'s p_prefer_longer, those that chose the longer response first."""
    params = {"batch_id": batch_id, "annotator_id": annotator_id, "min_diff_chars": int(min_diff_chars)}
    return _page(store, batch_id, "length_flag", annotator_id, params, offset=offset, limit=limit, count=count)


def annotator(store: Store, batch_id: str, annotator_id: str, *, offset=0, limit=DEFAULT_LIMIT, count=False):
    """Every verdict of ``annotator_id`` in delivery order (file, line)."""
    params = {"batch_id": batch_id, "annotator_id": annotator_id}
    return _page(store, batch_id, "annotator", annotator_id, params, offset=offset, limit=limit, count=count)


def rating_contradicts(
    store: Store, batch_id: str, annotator_id: str | None = None, *, offset=0, limit=DEFAULT_LIMIT, count=False
):
    """The verdicts their own same-task ratings contradict (of one annotator, or every human): the rows
    behind direction_agreement, rating_tie_strong_preference and preference_tie_rating_gap."""
    from ..signals.consistency import LARGE_GAP, STRONG_STRENGTH

    params = {
        "batch_id": batch_id,
        "annotator_id": annotator_id,
        "strong_strength": STRONG_STRENGTH,
        "large_gap": LARGE_GAP,
    }
    return _page(store, batch_id, "rating_contradicts", annotator_id, params, offset=offset, limit=limit, count=count)


def quarantined(store: Store, batch_id: str, *, offset: int = 0, limit: int = DEFAULT_LIMIT, count: bool = False):
    """The batch's quarantined rows with file, line, column, reason and the raw row."""
    return _page(store, batch_id, "quarantined", None, {"batch_id": batch_id}, offset=offset, limit=limit, count=count)


def hygiene_check(
    store: Store,
    batch_id: str,
    check: str,
    *,
    fast_seconds: float = hyg.FAST_SECONDS,
    min_items: int = hyg.MIN_ITEMS,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    count: bool = False,
) -> ItemPage:
    """The offending rows of hygiene check ``check`` (its report key), exactly as the report's check
    query returns them."""
    spec = {s.name: s for s in hyg.CHECKS}.get(check)
    if spec is None:
        raise UsageError("Unknown hygiene check", repr(check), "one of: " + ", ".join(HYGIENE_FILTERS))
    params = hyg.check_params(spec, batch_id, fast_seconds=fast_seconds, min_items=min_items)
    return _page(store, batch_id, check, None, params, offset=offset, limit=limit, count=count)


def _hygiene(check: str) -> Callable[..., ItemPage]:
    def run(store: Store, batch_id: str, **kw: Any) -> ItemPage:
        return hygiene_check(store, batch_id, check, **kw)

    run.__name__ = check
    run.__doc__ = f"The offending rows of the hygiene check {check!r}."
    return run


duplicate_rows = _hygiene("duplicate_rows")
identical_responses = _hygiene("identical_responses")
empty_responses = _hygiene("empty_responses")
redelivered_items = _hygiene("redelivered_items")
other_vendor_items = _hygiene("other_vendor_items")
fast_verdicts = _hygiene("fast_verdicts")
few_items = _hygiene("few_items")


def items(
    store: Store,
    batch_id: str,
    name: str,
    value: str | None = None,
    *,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    count: bool = False,
    fast_seconds: float = hyg.FAST_SECONDS,
    min_items: int = hyg.MIN_ITEMS,
    min_diff_chars: int = MIN_DIFF_CHARS,
) -> ItemPage:
    """One page of filter ``name`` (with ``value``) — the dispatcher the CLI and the app call."""
    name, value = check_filter(name, value)
    page: dict[str, Any] = {"offset": offset, "limit": limit, "count": count}
    if name in HYGIENE_FILTERS:
        return hygiene_check(store, batch_id, name, fast_seconds=fast_seconds, min_items=min_items, **page)
    if name == "fast":
        return fast(store, batch_id, value, fast_seconds=fast_seconds, **page)
    if name == "length_flag":
        return length_flag(store, batch_id, str(value), min_diff_chars=min_diff_chars, **page)
    fns: dict[str, Callable[..., ItemPage]] = {
        "contested": contested,
        "queue": queue,
        "split": split,
        "disagrees_with_majority": disagrees_with_majority,
        "judge_disagrees": judge_disagrees,
        "gold_failed": gold_failed,
        "adjudication_failed": adjudication_failed,
        "position_flag": position_flag,
        "annotator": annotator,
        "rating_contradicts": rating_contradicts,
        "quarantined": quarantined,
    }
    fn = fns[name]
    return fn(store, batch_id, value, **page) if FILTERS[name].value else fn(store, batch_id, **page)
