"""Acceptance gates: a versioned TOML list of criteria evaluated against the JSON report.

``load_gates`` / ``default_gates`` read a gate file, ``evaluate`` turns a report document into a
verdict (ACCEPT, REVIEW, REJECT, INSUFFICIENT_EVIDENCE) with every criterion's outcome.

The names below are loaded on first use (PEP 562): ``qualitylab check`` on a stored snapshot imports
``qualitylab.gates.cli`` without the TOML parser and the engine (fast start, docs/scale.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import GATES_VERSION, Criterion, Gates, default_gates, load_gates, parse_gates
    from .engine import ACCEPT, INSUFFICIENT, REJECT, REVIEW, VERDICTS, GateResult, evaluate

_FROM = {
    **dict.fromkeys(("GATES_VERSION", "Criterion", "Gates", "default_gates", "load_gates", "parse_gates"), "config"),
    **dict.fromkeys(("ACCEPT", "INSUFFICIENT", "REJECT", "REVIEW", "VERDICTS", "GateResult", "evaluate"), "engine"),
}

__all__ = [
    "GATES_VERSION",
    "Criterion",
    "Gates",
    "default_gates",
    "load_gates",
    "parse_gates",
    "ACCEPT",
    "INSUFFICIENT",
    "REJECT",
    "REVIEW",
    "VERDICTS",
    "GateResult",
    "evaluate",
]


def __getattr__(name: str) -> Any:
    if name in _FROM:
        return getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
