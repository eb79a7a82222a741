"""Acceptance gates: a versioned TOML list of criteria evaluated against the JSON report.

``load_gates`` / ``default_gates`` read a gate file, ``evaluate`` turns a report document into a
verdict (ACCEPT, REVIEW, REJECT, INSUFFICIENT_EVIDENCE) with every criterion's outcome.
"""

from .config import GATES_VERSION, Criterion, Gates, default_gates, load_gates, parse_gates
from .engine import ACCEPT, INSUFFICIENT, REJECT, REVIEW, VERDICTS, GateResult, evaluate

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
