"""Parsing a judge's output into a verdict, strictly: a verdict in the agreed format, or nothing.

Pairwise verdicts (the letters name the *displayed* slots: A = the response shown first):

==============  ==========  ========  =========================================
token           preference  strength  reading
==============  ==========  ========  =========================================
``[[A]]``       A           None      MT-Bench: Assistant A is better
``[[B]]``       B           None      MT-Bench: Assistant B is better
``[[C]]``       tie         None      MT-Bench: a tie
``[[A>>B]]``    A           3         A is significantly better (Llama 2 scale 3)
``[[A>B]]``     A           1         A is slightly better (Llama 2 scale 1)
``[[A=B]]``     tie         None      a tie
``[[B>A]]``     B           1         B is slightly better
``[[B>>A]]``    B           3         B is significantly better
``[RESULT] A``  A           None      Prometheus 2 relative: Response A is better
``[RESULT] B``  B           None      Prometheus 2 relative: Response B is better
==============  ==========  ========  =========================================

``[RESULT]`` may be followed by a colon, and the letter may stand in parentheses, brackets or
quotes (``[RESULT] (A)``, ``[RESULT]: "B"``); a letter that runs on into a word (``[RESULT] Both``)
is not a verdict.

An output with no verdict token, or with tokens that disagree, is *unparsed*: stored with the
reason and counted, never guessed. The same token repeated (e.g. in the explanation and at the end)
is one verdict.

Single-answer grading: ``[[7]]`` or ``Rating: [[7]]`` (MT-Bench single) or ``[RESULT] 4``
(Prometheus), a number within the scale; anything else is unparsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAIR_TOKENS: dict[str, tuple[str, int | None]] = {
    "A": ("A", None),
    "B": ("B", None),
    "C": ("tie", None),
    "A>>B": ("A", 3),
    "A>B": ("A", 1),
    "A=B": ("tie", None),
    "B>A": ("B", 1),
    "B>>A": ("B", 3),
}
_PAIR_RE = re.compile(r"\[\[\s*(A\s*>>\s*B|A\s*>\s*B|A\s*=\s*B|B\s*>\s*A|B\s*>>\s*A|A|B|C)\s*\]\]")
_RESULT_RE = re.compile(r"""\[RESULT\]\s*:?\s*[(\["']?\s*(A|B)\s*[)\]"']?(?![A-Za-z0-9])""")
_SCORE_RE = re.compile(r"\[\[\s*(-?\d+(?:\.\d+)?)\s*\]\]|\[RESULT\]\s*\(?\s*(-?\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Parsed:
    """A parsed output: ``ok`` with a preference (pairwise) or score (single), else ``problem``."""

    ok: bool
    preference: str | None = None  # A | B | tie, in the *displayed* slots
    strength: int | None = None  # 0-3 (Llama 2 scale) when the 5-way form gave one
    score: float | None = None
    problem: str | None = None


def parse_pairwise(text: str | None) -> Parsed:
    """The verdict of a pairwise output, in the displayed slots (see the module table)."""
    if not text or not text.strip():
        return Parsed(False, problem="empty output")
    tokens = (re.sub(r"\s+", "", m.group(1)) for m in _PAIR_RE.finditer(text))
    found = {f"[[{t}]]": _PAIR_TOKENS[t] for t in tokens}
    found.update({f"[RESULT] {m.group(1)}": (m.group(1), None) for m in _RESULT_RE.finditer(text)})
    if not found:
        return Parsed(False, problem="no verdict token ([[A]], [[B]], [[C]], [[A>>B]] ... [[B>>A]] or [RESULT] A / B)")
    if len(set(found.values())) > 1:
        return Parsed(False, problem="conflicting verdict tokens: " + ", ".join(sorted(found)))
    pref, strength = next(iter(found.values()))
    return Parsed(True, preference=pref, strength=strength)


def parse_score(text: str | None, low: float, high: float) -> Parsed:
    """The score of a single-answer grading output, which must lie in ``[low, high]``."""
    if not text or not text.strip():
        return Parsed(False, problem="empty output")
    found = {float(a or b) for a, b in _SCORE_RE.findall(text)}
    if not found:
        return Parsed(False, problem="no score token ([[n]] or [RESULT] n)")
    if len(found) > 1:
        return Parsed(False, problem="conflicting scores: " + ", ".join(f"{x:g}" for x in sorted(found)))
    score = found.pop()
    if not low <= score <= high:
        return Parsed(False, problem=f"score {score:g} outside the scale {low:g}-{high:g}")
    return Parsed(True, score=score)


def to_original(preference: str, shown_first: str) -> str:
    """Map a verdict in displayed slots back to the original A/B labels.

    With ``shown_first = 'B'`` the prompt showed response_b as Assistant A, so displayed A is the
    original B and vice versa; a tie stays a tie.
    """
    if shown_first not in ("A", "B"):
        raise ValueError(f"shown_first must be 'A' or 'B', got {shown_first!r}")
    if shown_first == "A" or preference == "tie":
        return preference
    return {"A": "B", "B": "A"}[preference]
