"""Contract files: a versioned TOML plan of weekly deliveries (format in docs/contract.md).

A contract names the vendor, the weeks (dates, promised volume per kind and optionally per
category, due date), the price per accepted unit of each kind, the overlap (human annotators per
comparison, rated item or ranked prompt) and the gold share promised, the calibration weeks, and
the gate file each week is judged by. :func:`parse_contract` validates a file *before delivery
starts*: a gate file that does not parse, weeks that overlap, a volume too small for a gate
criterion's ``min_n`` — each is refused with the week, the criterion and the numbers.

The gate files are read through a callable, so the same validation runs on a file on disk
(``contract add``) and on the texts the store keeps (a later edit on disk changes nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..gates.config import Criterion, Gates, default_gates, parse_gates

#: the contract-file format this qualitylab reads
CONTRACT_VERSION = 1
KINDS = ("pairwise", "rating", "ranking")
#: what one unit of each kind is (docs/contract.md, "Units")
UNIT_NAMES = {"pairwise": "comparison", "rating": "rated item", "ranking": "ranked prompt"}
#: the gate file of a week that names none: the built-in defaults
BUILT_IN = "built-in"

_TOP_KEYS = {
    "contract_version",
    "name",
    "vendor",
    "description",
    "start",
    "currency",
    "overlap",
    "gold_share",
    "gates",
    "calibration_weeks",
    "calibration_gates",
    "price_per_unit",
    "weeks",
}
_WEEK_KEYS = {"week", "start", "end", "due", "volume", "categories", "gates", "price_per_unit", "note"}


class ContractFileError(UsageError):
    """A contract file that cannot be evaluated (exit 2, README "Exit codes")."""


def _fail(where: str, msg: str, hint: str = "") -> ContractFileError:
    return ContractFileError(
        "Invalid contract file", f"{where}: {msg}", hint or "see docs/contract.md for the format and an example"
    )


@dataclass(frozen=True)
class Week:
    """One week of the plan, dates resolved."""

    week: int
    start: dt.date
    end: dt.date
    due: dt.date
    volume: dict[str, int]  # kind -> promised units (only kinds promised this week)
    categories: dict[str, int]  # pairwise comparisons promised per category (may be empty)
    price_per_unit: dict[str, Decimal]  # kind -> price of one accepted unit
    gates: str  # the gate file as the contract names it (relative path), or "built-in"
    calibration: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "due": self.due.isoformat(),
            "volume": dict(self.volume),
            "categories": dict(self.categories),
            "price_per_unit": {k: str(v) for k, v in self.price_per_unit.items()},
            "gates": self.gates,
            "calibration": self.calibration,
            "note": self.note,
        }


@dataclass(frozen=True)
class Contract:
    """A validated contract file. ``gate_texts`` maps each gate file it names to its contents."""

    name: str
    vendor: str | None
    start: dt.date
    currency: str
    overlap: int
    gold_share: float | None
    weeks: tuple[Week, ...]
    gate_texts: dict[str, str]
    source: str
    sha256: str  # contract_sha256: the TOML text and its gate files' contents
    text: str
    description: str = ""
    version: int | None = None  # set when read from the store
    checks: tuple[str, ...] = field(default=())  # what the min_n check could not verify, in words

    def week(self, n: int) -> Week | None:
        return next((w for w in self.weeks if w.week == n), None)

    def gates_of(self, week: Week) -> Gates:
        """The week's gate file, parsed from the contents stored with the contract."""
        if week.gates == BUILT_IN:
            return default_gates()
        return parse_gates(self.gate_texts[week.gates], source=f"contract {self.name!r}: {week.gates}")

    def gates_sha256(self, week: Week) -> str:
        return (
            default_gates().sha256
            if week.gates == BUILT_IN
            else hashlib.sha256(self.gate_texts[week.gates].encode("utf-8")).hexdigest()
        )

    def plan(self) -> dict[str, Any]:
        """The validated plan as JSON (stored beside the text; ``contract status --json`` shows it)."""
        return {
            "name": self.name,
            "vendor": self.vendor,
            "description": self.description,
            "start": self.start.isoformat(),
            "currency": self.currency,
            "overlap": self.overlap,
            "gold_share": self.gold_share,
            "weeks": [w.to_dict() for w in self.weeks],
        }


# -- reading ------------------------------------------------------------------------------------


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _fail(where, f"{value!r} is a date-time; give a date, e.g. 2026-10-05")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(where, f"{value!r} is not a date (YYYY-MM-DD)")


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(where, f"{value!r} is not a whole number >= 0")
    return value


def _price(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _fail(where, f"{value!r} is not a price (a number >= 0)")
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise _fail(where, f"{value!r} is not a price (a number >= 0)") from None
    if not d.is_finite() or d < 0:
        raise _fail(where, f"{value!r} is not a price (a number >= 0)")
    return d


def _kinds_table(raw: Any, where: str, conv: Callable[[Any, str], Any]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(where, f"must be a table of kinds ({', '.join(KINDS)}), e.g. {{ pairwise = 300 }}")
    out = {}
    for k, v in raw.items():
        if k not in KINDS:
            raise _fail(where, f"unknown kind {k!r}; use {', '.join(KINDS)}")
        out[k] = conv(v, f"{where}.{k}")
    return out


def _no_unknown(raw: dict[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _fail(where, f"unknown key(s) {unknown}; known: {sorted(known)}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "must be a non-empty string")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in value):
        raise _fail(where, "must not hold control characters")
    return value


def read_gate_file(base: Path) -> Callable[[str], str]:
    """A gate-file reader for a contract file on disk: paths relative to the contract's folder."""

    def read(path: str) -> str:
        p = Path(path)
        p = p if p.is_absolute() else base / p
        if not p.is_file():
            raise _fail(f"gate file {path!r}", f"{p} does not exist", "gate paths are relative to the contract file")
        try:
            return p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise _fail(f"gate file {path!r}", f"cannot read {p}: {e}") from e

    return read


def parse_contract(text: str, *, source: str, read_gate: Callable[[str], str]) -> Contract:
    """Validate the TOML text of a contract file; every mistake raises :class:`ContractFileError`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _fail(source, f"not valid TOML: {e}") from e
    version = raw.get("contract_version")
    if version is None:
        raise _fail(source, "'contract_version' is missing", f"add `contract_version = {CONTRACT_VERSION}` at the top")
    if version != CONTRACT_VERSION:
        raise _fail(
            source,
            f"contract_version {version!r} is not supported (this qualitylab reads {CONTRACT_VERSION})",
            "upgrade qualitylab or convert the file (docs/contract.md)",
        )
    _no_unknown(raw, _TOP_KEYS, source)
    if "name" not in raw:
        raise _fail(source, "'name' is required: the contract's name, e.g. name = \"acme-q4\"")
    name = _text(raw["name"], f"{source}: name")
    vendor = _text(raw["vendor"], f"{source}: vendor") if "vendor" in raw else None
    if "start" not in raw:
        raise _fail(source, "'start' is required: the first day of week 1, e.g. start = 2026-09-28")
    start = _date(raw["start"], f"{source}: start")
    currency = _text(raw.get("currency", "USD"), f"{source}: currency")
    overlap = raw.get("overlap", 1)
    if isinstance(overlap, bool) or not isinstance(overlap, int) or overlap < 1:
        raise _fail(f"{source}: overlap", f"{overlap!r} is not a whole number >= 1 (human annotators per unit)")
    gold_share = raw.get("gold_share")
    if gold_share is not None and (
        isinstance(gold_share, bool) or not isinstance(gold_share, (int, float)) or not 0 <= gold_share <= 1
    ):
        raise _fail(f"{source}: gold_share", f"{gold_share!r} is not a share between 0 and 1")
    prices = _kinds_table(raw.get("price_per_unit", {}), f"{source}: price_per_unit", _price)
    default_gate_path = _gate_path(raw.get("gates"), f"{source}: gates")
    calib_gate_path = _gate_path(raw.get("calibration_gates"), f"{source}: calibration_gates")
    calib = raw.get("calibration_weeks", [])
    if not isinstance(calib, list) or any(isinstance(w, bool) or not isinstance(w, int) for w in calib):
        raise _fail(f"{source}: calibration_weeks", "must be a list of week numbers, e.g. [1, 2]")

    raw_weeks = raw.get("weeks")
    if not isinstance(raw_weeks, list) or not raw_weeks:
        raise _fail(source, "no [[weeks]]: a contract plans at least one week")
    weeks: list[Week] = []
    for i, rw in enumerate(raw_weeks):
        where = f"{source}: weeks[{i}]"
        if not isinstance(rw, dict):
            raise _fail(where, "must be a table ([[weeks]])")
        _no_unknown(rw, _WEEK_KEYS, where)
        n = rw.get("week")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise _fail(where, f"'week' must be a week number >= 1, got {n!r}")
        where = f"{source}: week {n}"
        w_start = _date(rw["start"], f"{where}: start") if "start" in rw else start + dt.timedelta(days=7 * (n - 1))
        w_end = _date(rw["end"], f"{where}: end") if "end" in rw else w_start + dt.timedelta(days=6)
        w_due = _date(rw["due"], f"{where}: due") if "due" in rw else w_end + dt.timedelta(days=1)
        if w_end < w_start:
            raise _fail(where, f"ends ({w_end}) before it starts ({w_start})")
        if w_due < w_start:
            raise _fail(where, f"is due ({w_due}) before it starts ({w_start})")
        if "volume" not in rw:
            raise _fail(where, "'volume' is required: units promised per kind, e.g. volume = { pairwise = 300 }")
        volume = {k: v for k, v in _kinds_table(rw["volume"], f"{where}: volume", _count).items() if v > 0}
        if not volume:
            raise _fail(f"{where}: volume", "promises nothing (every kind is 0)")
        cats_raw = rw.get("categories", {})
        if not isinstance(cats_raw, dict):
            raise _fail(f"{where}: categories", "must be a table of category = comparisons, e.g. { coding = 40 }")
        categories = {str(k): _count(v, f"{where}: categories.{k}") for k, v in cats_raw.items()}
        if categories and "pairwise" not in volume:
            raise _fail(f"{where}: categories", "promises comparisons per category but no pairwise volume")
        if sum(categories.values()) > volume.get("pairwise", 0):
            raise _fail(
                f"{where}: categories",
                f"promise {sum(categories.values())} comparisons in all, more than the week's pairwise volume "
                f"{volume.get('pairwise', 0)}",
            )
        week_prices = dict(prices)
        week_prices.update(_kinds_table(rw.get("price_per_unit", {}), f"{where}: price_per_unit", _price))
        for k in volume:
            if k not in week_prices:
                raise _fail(where, f"promises {k} units but the contract has no price_per_unit.{k}")
        is_calib = n in calib
        gate_path = _gate_path(rw.get("gates"), f"{where}: gates") or (
            calib_gate_path if is_calib and calib_gate_path else default_gate_path
        )
        note = rw.get("note", "")
        if not isinstance(note, str):
            raise _fail(f"{where}: note", "must be a string")
        weeks.append(
            Week(
                n,
                w_start,
                w_end,
                w_due,
                volume,
                categories,
                {k: week_prices[k] for k in volume},
                gate_path or BUILT_IN,
                is_calib,
                " ".join(note.split()),
            )
        )
    numbers = [w.week for w in weeks]
    dup = sorted({x for x in numbers if numbers.count(x) > 1})
    if dup:
        raise _fail(source, f"week numbers must be unique; repeated: {dup}")
    missing_calib = sorted(set(calib) - set(numbers))
    if missing_calib:
        raise _fail(f"{source}: calibration_weeks", f"names week(s) {missing_calib} that the plan does not have")
    if calib_gate_path and not calib:
        raise _fail(f"{source}: calibration_gates", "is given but calibration_weeks names no week")
    weeks.sort(key=lambda w: (w.start, w.week))
    for a, b in zip(weeks, weeks[1:], strict=False):
        if b.start <= a.end:
            raise _fail(
                source,
                f"weeks {a.week} and {b.week} overlap: week {a.week} runs {a.start} to {a.end}, "
                f"week {b.week} starts {b.start}",
                "give each week its own dates (start/end), or leave them out: week n then starts on "
                "start + 7(n-1) days",
            )
    weeks.sort(key=lambda w: w.week)

    gate_texts: dict[str, str] = {}
    for path in sorted({w.gates for w in weeks} - {BUILT_IN}):
        gtext = read_gate(path)
        try:
            parse_gates(gtext, source=path)
        except UsageError as e:
            raise _fail(
                f"{source}: gate file {path!r}", f"does not parse: {e.message}", e.hint or "see docs/gates.md"
            ) from e
        gate_texts[path] = gtext
    contract = Contract(
        name=name,
        vendor=vendor,
        start=start,
        currency=currency,
        overlap=overlap,
        gold_share=None if gold_share is None else float(gold_share),
        weeks=tuple(weeks),
        gate_texts=gate_texts,
        source=source,
        sha256=contract_sha256(text, gate_texts),
        text=text,
        description=" ".join(str(raw.get("description", "")).split()),
    )
    return replace(contract, checks=tuple(check_min_n(contract)))


def contract_sha256(text: str, gate_texts: dict[str, str]) -> str:
    """The contract's identity: sha256 of the canonical JSON of its TOML text and the contents of each
    gate file it names (so a changed gate file is a changed contract)."""
    import json

    body = json.dumps({"contract": text, "gates": gate_texts}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _gate_path(value: Any, where: str) -> str | None:
    if value is None:
        return None
    path = _text(value, where)
    return BUILT_IN if path == BUILT_IN else path


# -- can the week's volume meet the gates? ------------------------------------------------------


@dataclass(frozen=True)
class NRule:
    """What a criterion's n counts, for report paths starting with ``prefix``, and its largest
    value under a week's plan (None: the plan does not bound it)."""

    prefix: str
    counts: str
    bound: Callable[[Week, Contract], float | None]


def _pairs(w: Week, c: Contract) -> float:
    return w.volume.get("pairwise", 0) if c.overlap >= 2 else 0


def _rated(w: Week, c: Contract) -> float:
    return w.volume.get("rating", 0) if c.overlap >= 2 else 0


def _verdicts(w: Week, c: Contract) -> float:
    return w.volume.get("pairwise", 0) * c.overlap


def _gold(w: Week, c: Contract) -> float | None:
    return None if c.gold_share is None else w.volume.get("pairwise", 0) * c.gold_share * c.overlap


#: the report paths whose n a plan bounds (first match wins); other criteria are not checked
N_RULES: tuple[NRule, ...] = (
    NRule("counts.n_comparisons", "comparisons", lambda w, c: w.volume.get("pairwise", 0)),
    NRule("counts.n_judgments", "human verdicts (comparisons x overlap)", lambda w, c: _verdicts(w, c)),
    NRule("counts.n_human_judgments", "human verdicts (comparisons x overlap)", lambda w, c: _verdicts(w, c)),
    NRule("counts.n_rated_items", "rated items", lambda w, c: w.volume.get("rating", 0)),
    NRule("counts.n_ranked_prompts", "ranked prompts", lambda w, c: w.volume.get("ranking", 0)),
    NRule("agreement.preference", "comparisons with two or more human verdicts", _pairs),
    NRule("agreement.ratings", "rated items with two or more human ratings", _rated),
    NRule("agreement.gold", "human verdicts on gold comparisons", _gold),
    NRule("label_distribution", "verdicts", lambda w, c: _verdicts(w, c)),
    NRule("position_bias.p_first", "human non-tie verdicts", lambda w, c: _verdicts(w, c)),
    NRule("length_bias.p_prefer_longer", "human non-tie verdicts", lambda w, c: _verdicts(w, c)),
)


def _n_path(crit: Criterion) -> str | None:
    """The report path whose size is the criterion's n (None: n counts rows of a list)."""
    if crit.aggregate:
        return None
    return crit.denominator or crit.n_metric or crit.metric


def check_min_n(contract: Contract) -> list[str]:
    """Refuse a week whose promised volume cannot reach a gate criterion's ``min_n``; return, in
    words, the criteria whose n the plan does not bound (not checked)."""
    unchecked: set[str] = set()
    for w in contract.weeks:
        gates = contract.gates_of(w)
        for crit in gates.criteria:
            if not crit.min_n or crit.if_missing == "skip":
                continue
            path = _n_path(crit)
            rule = next((r for r in N_RULES if path and path.startswith(r.prefix)), None)
            if rule is None:
                what = "rows of the list" if path is None else path
                unchecked.add(f"{crit.id} (n counts {what})")
                continue
            bound = rule.bound(w, contract)
            if bound is None:
                unchecked.add(f"{crit.id} (gold_share not promised)")
                continue
            if bound < crit.min_n:
                raise _fail(
                    f"{contract.source}: week {w.week}",
                    f"the promised volume cannot meet criterion {crit.id!r} of gate file {w.gates!r}: its n counts "
                    f"{rule.counts}, at most {bound:g} under this plan "
                    f"({_volume_words(w)}, overlap {contract.overlap}), below its min_n = {crit.min_n}",
                    "promise more units that week, raise the overlap, or use a gate file whose min_n fits",
                )
    return sorted(unchecked)


def _volume_words(w: Week) -> str:
    return ", ".join(f"{n} {UNIT_NAMES[k]}s" for k, n in w.volume.items())


def load_contract_file(path: str | Path) -> Contract:
    """A contract file on disk, validated (gate files relative to its folder)."""
    p = Path(path)
    if not p.is_file():
        from ..errors import NotFoundError

        raise NotFoundError("No contract file", f"{p} does not exist", "give a TOML contract file (docs/contract.md)")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise _fail(str(p), f"not UTF-8 text ({e})") from e
    return parse_contract(text, source=str(p), read_gate=read_gate_file(p.parent))
