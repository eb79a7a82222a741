"""The JSON report: every area's results for one batch, in one document (schema: docs/report-json.md).

Each area registers a section: a function of the :class:`ReportContext` returning a dict of
top-level keys to result objects. Later areas add sections; existing keys never change meaning.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import duckdb

from . import __version__
from .defaults import DEFAULT_N_BOOT, DEFAULT_SEED, check_report_options
from .overview import compute_overview
from .results import to_jsonable
from .schema import SCHEMA_VERSION
from .store import Store

#: the report-wide rule for per-annotator tables in the JSON document (issue 13 item 19): beyond this
#: many rows a table keeps its flagged rows and the rows with the most verdicts, up to this many, and
#: says what it left out in ``<key>_left_out``. Only ``report --json`` prints the bounded form
#: (bounded_document); the typed results, report_document, the snapshot, the gate, the evidence pack
#: and the app keep every row.
MAX_JSON_ROWS = 200
MAX_JSON_FLAGGED_ROWS = 1000  # flagged rows are kept first, up to this many (the most verdicts first)
#: the per-annotator tables the rule applies to (paths into the document; ``*`` = every key)
PER_ANNOTATOR_TABLES = (
    "annotators",
    "agreement.annotators",
    "distributions.by_annotator",
    "distributions.straight_lining",
    "distributions.strength.by_annotator",
    "distributions.likert.by_annotator",
    "position_bias.by_annotator",
    "position_bias.randomisation.by_annotator",
    "length_bias.by_annotator",
    "llm_assisted.by_annotator",
    "llm_assisted.pairs",
    "strength.per_annotator",
    "ratings_vs_preferences.within_task_per_annotator",
    "ratings_vs_preferences.across_tasks.*.per_annotator",
    "ratings_vs_preferences.transitivity.per_annotator",
    "annotator_competence.*.per_annotator",
)
#: section results printed in ``methods`` rather than as top-level keys
METHODS_KEYS = ("scale", "flag_rule")


class ReportStore:
    """The store as report sections see it: each distinct named query (name + params) runs once per
    report; later calls get the same result (sections of several areas ask for the same per-annotator
    counts). Results are immutable Arrow tables; ``rows``/``one``/``df`` build fresh Python objects
    from them. Everything else (``relation``, ``con``, ...) is the underlying :class:`Store`'s.
    """

    def __init__(self, store: Store):
        self._store = store
        self._results: dict[str, Any] = {}

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def arrow(self, name: str, params: dict[str, Any] | None = None):
        key = name + json.dumps(params or {}, sort_keys=True, default=str)
        if key not in self._results:
            self._results[key] = self._store.arrow(name, params)
        return self._results[key]

    def df(self, name: str, params: dict[str, Any] | None = None):
        return self.arrow(name, params).to_pandas()

    def rows(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.arrow(name, params).to_pylist()

    def one(self, name: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        rows = self.rows(name, params)
        return rows[0] if rows else None


@dataclass
class ReportContext:
    """What every section sees: the store (read-only), the batch, and the seeded options."""

    store: Store
    batch_id: str
    seed: int = DEFAULT_SEED
    n_boot: int = DEFAULT_N_BOOT
    options: dict[str, Any] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if not isinstance(self.store, ReportStore):
            self.store = ReportStore(self.store)

    def memo(self, key: str, fn: Callable[[], Any]) -> Any:
        """Compute once per report; sections that need the same intermediate result share it."""
        if key not in self._memo:
            self._memo[key] = fn()
        return self._memo[key]

    @property
    def overview(self):
        return self.memo("overview", lambda: compute_overview(self.store, self.batch_id))

    @property
    def scale(self):
        """The batch's scale (:func:`qualitylab.scales.batch_scale`): labels offered, score ranges."""
        from .scales import batch_scale

        return self.memo("scale", lambda: batch_scale(self.store, self.batch_id))


#: a section: the report context -> a dict of top-level keys to result objects
Section = Callable[[ReportContext], Any]


def _overview_section(ctx: ReportContext) -> dict[str, Any]:
    ov = ctx.overview
    return {
        "batch": ov.batch,
        "provenance": ov.provenance,
        "counts": ov.counts,
        "label_distribution": ov.label_distribution,
        "quarantine": ov.quarantine,
        "scale": ctx.scale,  # printed in methods.scale (report_document), not as a section
    }


#: (name, section) in report order. Areas append theirs here.
SECTIONS: list[tuple[str, Section]] = [
    ("overview", _overview_section),
]


def _register_area_sections() -> None:
    """Add every area's sections, in report order (imported here, lazily, to keep imports light)."""
    if len(SECTIONS) > 1:
        return
    from .agreement.section import REPORT_SECTIONS as agreement
    from .bias.section import REPORT_SECTIONS as bias
    from .gates.section import REPORT_SECTIONS as gates
    from .judges.section import REPORT_SECTIONS as judges
    from .signals.section import REPORT_SECTIONS as signals

    # the gate reads every other section, so it comes last
    SECTIONS.extend([*agreement, *bias, *judges, *signals, *gates])


def compute_sections(
    store: Store,
    batch_id: str,
    names: list[str] | None = None,
    *,
    seed: int = DEFAULT_SEED,
    n_boot: int = DEFAULT_N_BOOT,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The typed result objects of the named sections (all when None), keyed like the JSON."""
    check_report_options(seed, n_boot, min_n_boot=0)
    _register_area_sections()
    store.require_batch(batch_id)
    ctx = ReportContext(store, batch_id, seed, n_boot, options or {})
    out: dict[str, Any] = {}
    for name, fn in SECTIONS:
        if names is None or name in names:
            # through the memo, so a section that reads others (the gate) never recomputes them
            out.update(ctx.memo(f"section:{name}", partial(fn, ctx)))
    return out


def build_report(
    store: Store,
    batch_id: str,
    *,
    seed: int = DEFAULT_SEED,
    n_boot: int = DEFAULT_N_BOOT,
    sections: list[str] | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One JSON-ready document for ``batch_id``."""
    names = None if sections is None else ["overview", *sections]
    results = compute_sections(store, batch_id, names, seed=seed, n_boot=n_boot, options=options)
    return report_document(results, seed=seed, n_boot=n_boot)


def report_document(
    results: dict[str, Any], *, seed: int = DEFAULT_SEED, n_boot: int = DEFAULT_N_BOOT
) -> dict[str, Any]:
    """The JSON document of already computed sections (``compute_sections``), with its methods block.

    ``build_report`` = ``compute_sections`` + this; the app uses it on the results it has cached.
    """
    doc: dict[str, Any] = {
        "report_schema_version": 2,  # docs/report-json.md "Changed in 2"
        "methods": {
            "qualitylab_version": __version__,
            "duckdb_version": duckdb.__version__,
            "store_schema_version": SCHEMA_VERSION,
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seed": seed,
            "bootstrap_resamples": n_boot,
            "interval": "95%; Wilson for proportions unless a statistic says otherwise",
        },
    }
    for key in METHODS_KEYS:
        if key in results:
            doc["methods"][key] = results[key]
    doc.update({k: v for k, v in results.items() if k not in METHODS_KEYS})
    return to_jsonable(doc)


def bounded_document(doc: dict[str, Any], max_rows: int = MAX_JSON_ROWS) -> dict[str, Any]:
    """``doc`` with the per-annotator table rule applied (issue 13 item 19): what ``report --json`` prints.

    A new document (``doc`` is not changed): the gate, the stored snapshot, the evidence pack (HTML
    and CSVs) and the app read the full document, so every row stays there."""
    out = dict(doc)
    for path in PER_ANNOTATOR_TABLES:
        _bound_tables(out, path.split("."), max_rows)
    return out


def _row_flagged(row: Any) -> bool:
    return isinstance(row, dict) and bool(row.get("flagged") or row.get("flags"))


def _row_size(row: Any) -> float:
    if not isinstance(row, dict):
        return 0.0
    for key in ("n", "n_verdicts", "n_items", "n_linked", "n_with_strength", "n_prompts_3plus"):
        v = row.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    return 0.0


def _bound_tables(node: Any, parts: list[str], max_rows: int) -> None:
    """Apply the per-annotator table rule (MAX_JSON_ROWS) at ``parts`` under ``node``, in place."""
    if not isinstance(node, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    keys = list(node) if head == "*" else [head]
    for key in keys:
        child = node.get(key)
        if rest:
            if isinstance(child, dict):  # a copy along the path: the caller's document is not changed
                child = node[key] = dict(child)
                _bound_tables(child, rest, max_rows)
            continue
        if not isinstance(child, list) or len(child) <= max_rows:
            continue
        flagged_all = [i for i, r in enumerate(child) if _row_flagged(r)]
        flagged = sorted(flagged_all, key=lambda i: (-_row_size(child[i]), i))[:MAX_JSON_FLAGGED_ROWS]
        others = sorted(
            (i for i, r in enumerate(child) if not _row_flagged(r)), key=lambda i: (-_row_size(child[i]), i)
        )
        keep = set(flagged) | set(others[: max(0, max_rows - len(flagged))])
        node[key] = [r for i, r in enumerate(child) if i in keep]
        node[f"{key}_left_out"] = {
            "n_rows": len(child),
            "n_kept": len(keep),
            "n_left_out": len(child) - len(keep),
            "n_flagged": len(flagged_all),
            "kept": f"the flagged rows (up to {MAX_JSON_FLAGGED_ROWS:,}, most verdicts first; {len(flagged_all):,} "
            f"flagged) and then the rows with the most verdicts, up to {max_rows} in all",
            "reason": f"more than {max_rows} annotators: the JSON report stays bounded (under 10 MB at 5,000 "
            "annotators); every row is in the evidence pack's CSVs (report --evidence), the stored snapshot "
            "and the app's tables",
        }
