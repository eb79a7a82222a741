"""Gate files: a versioned TOML list of acceptance criteria (format documented in docs/gates.md).

A criterion names a metric by its path in the JSON report, a comparison with a threshold, which
bound of the metric's 95% interval decides, the minimum n below which the evidence is insufficient,
and a severity. :func:`load_gates` reads and validates a file; :func:`default_gates` the built-in one.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import UsageError

#: the gate-file format this qualitylab reads
GATES_VERSION = 1
COMPARISONS = (">=", "<=")
#: which number decides: both interval bounds (a straddling interval -> REVIEW), one bound, or the estimate
DECIDE = ("interval", "ci95_low", "ci95_high", "value")
SEVERITIES = ("reject", "review", "warn")
IF_MISSING = ("insufficient", "skip")
AGGREGATES = ("count_where", "share_where")

_CRITERION_KEYS = {
    "id",
    "title",
    "metric",
    "comparison",
    "threshold",
    "decide",
    "min_n",
    "severity",
    "why",
    "if_missing",
    "aggregate",
    "where",
    "n_metric",
    "denominator",
    "min_effect",
}


@dataclass(frozen=True)
class Criterion:
    """One acceptance criterion (see docs/gates.md for every field)."""

    id: str
    metric: str
    comparison: str
    threshold: float
    severity: str
    decide: str = "interval"
    min_n: int = 0
    title: str = ""
    why: str = ""
    if_missing: str = "insufficient"
    aggregate: str | None = None  # count_where | share_where: over a list of rows
    where: str | None = None  # "field" (true) or "field=value" (equal, or in the list)
    n_metric: str | None = None  # path of n when the metric is a plain number
    denominator: str | None = None  # path of a count: the metric (a count) becomes a proportion
    min_effect: float | None = None  # where = "flagged" on rate rows: re-flag them with this min_effect

    def describe(self) -> str:
        """``agreement.preference.krippendorff_alpha >= 0.2 (interval decides)``."""
        what = self.metric
        if self.denominator:
            what = f"{self.metric} / {self.denominator}"
        if self.aggregate:
            what = f"{self.aggregate}({self.metric}, {self.where})"
        return f"{what} {self.comparison} {self.threshold:g} ({self.decide} decides)"


@dataclass(frozen=True)
class Gates:
    """A validated gate file."""

    gates_version: int
    name: str
    criteria: tuple[Criterion, ...]
    description: str = ""
    source: str = "built-in defaults"
    sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gates_version": self.gates_version,
            "name": self.name,
            "source": self.source,
            "sha256": self.sha256,
            "description": self.description,
        }


def _fail(where: str, msg: str, hint: str = "") -> UsageError:
    return UsageError(
        "Invalid gate file",
        f"{where}: {msg}",
        hint or "see docs/gates.md for the format, or start from the built-in qualitylab/gates/defaults.toml",
    )


def _criterion(raw: dict[str, Any], i: int, where: str) -> Criterion:
    at = f"{where}: criteria[{i}]" + (f" ({raw.get('id')})" if raw.get("id") else "")
    unknown = set(raw) - _CRITERION_KEYS
    if unknown:
        raise _fail(at, f"unknown key(s) {sorted(unknown)}; known: {sorted(_CRITERION_KEYS)}")
    for key in ("id", "metric", "comparison", "threshold", "severity"):
        if key not in raw:
            raise _fail(at, f"'{key}' is required")
    if not isinstance(raw["id"], str) or not raw["id"].strip():
        raise _fail(at, "'id' must be a non-empty string")
    if not isinstance(raw["metric"], str) or not raw["metric"].strip():
        raise _fail(
            at, "'metric' must be a path into the JSON report, e.g. \"agreement.preference.krippendorff_alpha\""
        )
    choices = {"comparison": COMPARISONS, "decide": DECIDE, "severity": SEVERITIES, "if_missing": IF_MISSING}
    for key, allowed in choices.items():
        if key in raw and raw[key] not in allowed:
            raise _fail(at, f"'{key}' is {raw[key]!r}; use one of {', '.join(allowed)}")
    thr = raw["threshold"]
    if isinstance(thr, bool) or not isinstance(thr, (int, float)):
        raise _fail(at, f"'threshold' must be a number, got {thr!r}")
    min_n = raw.get("min_n", 0)
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 0:
        raise _fail(at, f"'min_n' must be a whole number >= 0, got {min_n!r}")
    agg = raw.get("aggregate")
    if agg is not None and agg not in AGGREGATES:
        raise _fail(at, f"'aggregate' is {agg!r}; use one of {', '.join(AGGREGATES)}")
    if (agg is None) != (raw.get("where") is None):
        raise _fail(
            at,
            "'aggregate' and 'where' go together: aggregate = \"count_where\", "
            "where = \"flagged\" counts the rows whose 'flagged' is true",
        )
    if agg is not None and raw.get("denominator") is not None:
        raise _fail(at, "'denominator' divides a count from the report; it does not go with 'aggregate'")
    me = raw.get("min_effect")
    if me is not None:
        if isinstance(me, bool) or not isinstance(me, (int, float)) or not 0 <= me < 0.5:
            raise _fail(at, f"'min_effect' must be a number in [0, 0.5), got {me!r}")
        if raw.get("where") != "flagged":
            raise _fail(
                at,
                "'min_effect' re-flags per-annotator rate rows: it goes with aggregate and where = \"flagged\"",
            )
    for key in ("n_metric", "denominator"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise _fail(at, f"'{key}' must be a path into the JSON report, e.g. \"counts.n_judgments\"")
    return Criterion(
        id=raw["id"],
        metric=raw["metric"],
        comparison=raw["comparison"],
        threshold=float(thr),
        severity=raw["severity"],
        decide=raw.get("decide", "interval"),
        min_n=min_n,
        title=raw.get("title", ""),
        why=" ".join(str(raw.get("why", "")).split()),
        if_missing=raw.get("if_missing", "insufficient"),
        aggregate=agg,
        where=raw.get("where"),
        n_metric=raw.get("n_metric"),
        denominator=raw.get("denominator"),
        min_effect=None if me is None else float(me),
    )


def parse_gates(text: str, *, source: str) -> Gates:
    """Validate the TOML text of a gate file; every mistake raises a UsageError naming the fix."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _fail(source, f"not valid TOML: {e}") from e
    version = raw.get("gates_version")
    if version is None:
        raise _fail(source, "'gates_version' is missing", f"add `gates_version = {GATES_VERSION}` at the top")
    if version != GATES_VERSION:
        raise _fail(
            source,
            f"gates_version {version!r} is not supported (this qualitylab reads {GATES_VERSION})",
            "upgrade qualitylab or convert the file (docs/gates.md)",
        )
    crits = raw.get("criteria")
    if not isinstance(crits, list) or not crits:
        raise _fail(source, "no [[criteria]]: a gate file lists at least one criterion")
    criteria = tuple(_criterion(c, i, source) for i, c in enumerate(crits))
    ids = [c.id for c in criteria]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise _fail(source, f"criterion ids must be unique; repeated: {dup}")
    extra = {k: v for k, v in raw.items() if k not in {"gates_version", "name", "description", "criteria"}}
    return Gates(
        gates_version=version,
        name=str(raw.get("name", Path(source).stem)),
        criteria=criteria,
        description=" ".join(str(raw.get("description", "")).split()),
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        extra=extra,
    )


def load_gates(path: str | Path | None = None) -> Gates:
    """The gate file at ``path``, or the built-in defaults when None."""
    if path is None:
        return default_gates()
    p = Path(path)
    if not p.is_file():
        from ..errors import NotFoundError

        raise NotFoundError(
            "No gate file",
            f"{p} does not exist",
            "give --gates a TOML file (format in docs/gates.md), or omit it for the defaults",
        )
    return parse_gates(p.read_text(encoding="utf-8"), source=str(p))


def default_gates() -> Gates:
    text = resources.files("qualitylab.gates").joinpath("defaults.toml").read_text(encoding="utf-8")
    return parse_gates(text, source="built-in defaults (qualitylab/gates/defaults.toml)")
