"""Report integration: the top-level ``verdict`` and the ``gate`` section (docs/report-json.md).

The gate reads the JSON form of every other section of the same report (computed once, through
``ctx.memo``), so it sees exactly what ``qualitylab report --json`` prints. The gate file is
``ctx.options["gates_text"]`` (the file's contents, with ``gates_source`` naming it: how
``qualitylab.snapshots.report_options`` passes a gate file) or ``ctx.options["gates"]`` (a path)
when given, else the built-in defaults.
"""

from __future__ import annotations

from typing import Any

from ..results import to_jsonable
from .config import load_gates, parse_gates
from .engine import evaluate

SECTION = "gate"


def report_document(ctx) -> dict[str, Any]:
    """The JSON form of every section of the report except the gate (memoised per report)."""
    from ..report import SECTIONS

    def build() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, fn in SECTIONS:
            if name != SECTION:
                out.update(ctx.memo(f"section:{name}", lambda fn=fn: fn(ctx)))
        return to_jsonable(out)

    return ctx.memo("gates:document", build)


def gate_section(ctx) -> dict[str, Any]:
    text = ctx.options.get("gates_text")
    if text is not None:
        gates = parse_gates(text, source=ctx.options.get("gates_source") or "gate file")
    else:
        gates = load_gates(ctx.options.get("gates"))
    result = evaluate(gates, report_document(ctx))
    return {"verdict": result.verdict, "gate": result}


REPORT_SECTIONS = [(SECTION, gate_section)]
