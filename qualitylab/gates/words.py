"""Plain words for the report paths that criteria read, and a criterion's result as one sentence.

One map (:data:`METRIC_WORDS`) names what a gate criterion measures in words a reviewer or a
vendor reads without the docs ("Krippendorff's alpha of the human annotators"); the Overview banner,
the Evidence page and the evidence pack all take their words from it, so the app and the pack never
name the same number differently. :func:`criterion_sentence` writes a criterion's result (the
``gate.criteria[]`` objects of the JSON report, or a :class:`~qualitylab.gates.engine.CriterionResult`)
as one sentence with the numbers in 3 significant digits (:mod:`qualitylab.numbers`):

>>> criterion_sentence({"metric": "agreement.preference.krippendorff_alpha", "comparison": ">=",
...     "threshold": 0.2, "decide": "interval", "outcome": "REJECT", "value": -3.123e-05,
...     "ci95_low": -0.05931, "ci95_high": 0.05612, "n": 300})
"Krippendorff's alpha of the human annotators: -0.0000312 [-0.0593, 0.0561], below 0.2"

Keys of the map are report paths as a gate file writes them (``*`` for "each key at this level",
the matched key is put where the words say ``{}``); a criterion that counts rows (``aggregate``) is
keyed ``path[where]``. A path that is not in the map is named by the criterion's title, else by
the path itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..numbers import MISSING, fmt_number

#: report path (``*`` = any key; ``path[where]`` for a row count) -> what it measures, in words
METRIC_WORDS: dict[str, str] = {
    # agreement
    "agreement.preference.krippendorff_alpha": "Krippendorff's alpha of the human annotators",
    "agreement.preference.fleiss_kappa": "Fleiss' kappa of the human annotators",
    "agreement.preference.gwet_ac1": "Gwet's AC1 of the human annotators",
    "agreement.preference.percent_agreement": "percent agreement of the human annotators",
    "agreement.preference.strength_scale.krippendorff_alpha.ordinal": (
        "Krippendorff's alpha (ordinal) of the human annotators on the preference strength"
    ),
    "agreement.gold.accuracy": "share of the humans' verdicts on the gold items that are right (pooled)",
    "agreement.ratings.*.krippendorff_alpha.interval": "Krippendorff's alpha (interval) of the human ratings of {}",
    "agreement.ratings.*.krippendorff_alpha.ordinal": "Krippendorff's alpha (ordinal) of the human ratings of {}",
    # bias
    "position_bias.p_first": "share of the humans' verdicts for the response shown first",
    "length_bias.p_prefer_longer": "share of the humans' verdicts for the longer response",
    "position_bias.randomisation.p_shown_a": "share of comparisons that showed response A first",
    "position_bias.by_annotator[flagged]": "annotators who favour the response shown first",
    "length_bias.by_annotator[flagged]": "annotators who favour the longer response",
    "annotators[flag_names=fast]": "annotators who rush (median time per verdict below the fast threshold)",
    "annotators[flag_names=low_gold_accuracy]": "annotators who are confidently wrong on the gold items",
    "annotators[flag_names=low_adjudication_accuracy]": (
        "annotators who are confidently wrong on the items the buyer adjudicated"
    ),
    "annotators[flag_names=llm_assisted]": (
        "annotators who agree with an LLM judge more than with the other humans (possibly pasting its verdicts)"
    ),
    "llm_assisted.pairs[flagged]": "annotators who agree with an LLM judge more than with the other humans",
    "annotators[flag_names=low_competence]": (
        "annotators whose Dawid-Skene competence is confidently below the threshold"
    ),
    "annotator_competence.dawid_skene.per_annotator[low_competence]": (
        "annotators whose Dawid-Skene competence is confidently below the threshold"
    ),
    "annotators[flagged]": "flagged annotators",
    "distributions.tie_rate.human": "share of tie verdicts among the humans",
    # hygiene
    "hygiene.checks.duplicate_rows.n_rows": "exact duplicate rows",
    "hygiene.checks.identical_responses.n_rows": "comparisons whose two responses are identical",
    "hygiene.checks.empty_responses.n_rows": "comparisons with an empty response",
    "hygiene.checks.redelivered_items.n_rows": "comparisons re-delivered from an earlier batch",
    "hygiene.checks.other_vendor_items.n_rows": "comparisons another vendor delivered too",
    "redelivered_against.n_overlap": "comparisons found in the public sets named with --against",
    "hygiene.checks.fast_verdicts.n_rows": "verdicts given faster than the fast threshold",
    "hygiene.checks.few_items.n_rows": "annotators with too few items",
    "hygiene.checks.*.n_rows": "rows found by the hygiene check {}",
    # judges
    "judges.*.accuracy_vs_majority": "accuracy of the LLM judge {} against the human majority",
    "judges.*.cohen_kappa_vs_majority": "Cohen's kappa of the LLM judge {} against the human majority",
    "judges.*.position_consistency": "position consistency of the LLM judge {}",
    # counts
    "counts.n_judgments": "verdicts",
    "counts.n_comparisons": "comparisons",
}

#: the denominators of share criteria, in words ("as a share of the verdicts")
_DENOMINATOR_WORDS = {"counts.n_judgments": "verdicts", "counts.n_comparisons": "comparisons"}


def _match(pattern: str, path: str) -> list[str] | None:
    """The keys ``*`` matched when ``path`` fits ``pattern``, else None."""
    p, q = pattern.split("."), path.split(".")
    if len(p) != len(q):
        return None
    got = []
    for a, b in zip(p, q, strict=True):
        if a == "*":
            got.append(b)
        elif a != b:
            return None
    return got


def metric_words(path: str, where: str | None = None, *, concrete: str | None = None) -> str | None:
    """Words for report path ``path`` (as a gate file writes it; ``where`` for a row count).

    ``concrete`` is the path actually read (``judges.gpt4.accuracy_vs_majority`` for
    ``judges.*.accuracy_vs_majority``): its matched keys fill the words' ``{}``. None when the map
    does not name the path.
    """
    if where:
        return METRIC_WORDS.get(f"{path}[{where}]")
    for target in [p for p in (concrete, path) if p]:
        if target in METRIC_WORDS:
            return METRIC_WORDS[target].replace(" {}", "")
        # the most specific pattern first (fewest '*')
        for pattern in sorted(METRIC_WORDS, key=lambda k: k.count("*")):
            keys = None if "[" in pattern else _match(pattern, target)
            if keys is not None:
                words = METRIC_WORDS[pattern]
                for k in keys:
                    words = words.replace("{}", k, 1)
                return words
    return None


def criterion_words(c: Mapping[str, Any]) -> str:
    """What a criterion measures, in words: the map's, else its title, else its metric path."""
    concrete = c.get("path") if c.get("path") and c.get("path") != c.get("metric") else None
    return (
        metric_words(str(c.get("metric") or ""), c.get("where"), concrete=concrete)
        or c.get("title")
        or str(c.get("metric") or c.get("id") or "criterion")
    )


def _as_dict(result: Any) -> Mapping[str, Any]:
    if isinstance(result, Mapping):
        return result
    if hasattr(result, "to_dict"):
        return result.to_dict()
    raise TypeError(f"a criterion result is a mapping or a CriterionResult, not {type(result).__name__}")


def _relation(c: Mapping[str, Any]) -> str:
    """ "below 0.2", "at least 0.2", "straddles 0.2", ... from the numbers that decided."""
    t = c.get("threshold")
    ts = fmt_number(t)
    ge = c.get("comparison", ">=") == ">="
    v, lo, hi = c.get("value"), c.get("ci95_low"), c.get("ci95_high")
    decide = c.get("decide") or "interval"
    if decide == "interval" and (lo is None or hi is None):
        decide = "value"
    if t is None:
        return ""
    if decide == "interval":
        inner, outer = (lo, hi) if ge else (hi, lo)
        ok_inner = inner >= t if ge else inner <= t
        ok_outer = outer >= t if ge else outer <= t
        if ok_inner:
            return f"{'at least' if ge else 'at most'} {ts}"
        if not ok_outer:
            return f"{'below' if ge else 'above'} {ts}"
        return f"straddles {ts}"
    x = {"ci95_low": lo, "ci95_high": hi}.get(decide, v)
    if x is None:
        x = v
    ok = x >= t if ge else x <= t
    if ok:
        return f"{'at least' if ge else 'at most'} {ts}"
    return f"{'below' if ge else 'above'} {ts}"


def _shown(c: Mapping[str, Any]) -> str:
    v, lo, hi, n = c.get("value"), c.get("ci95_low"), c.get("ci95_high"), c.get("n")
    if c.get("aggregate") == "count_where":
        return f"{fmt_number(v, integer=True)} of {fmt_number(n, integer=True)}"
    interval = f" [{fmt_number(lo)}, {fmt_number(hi)}]" if lo is not None and hi is not None else ""
    if c.get("aggregate") == "share_where" or c.get("denominator"):
        k = None if v is None or n is None else round(v * n)
        head = f"{fmt_number(k, integer=True)} of {fmt_number(n, integer=True)} = " if k is not None else ""
        return f"{head}{fmt_number(v)}{interval}"
    return f"{fmt_number(v)}{interval}"


def criterion_sentence(result: Any) -> str:
    """One criterion's result as a sentence: what it measures, the numbers, and where they fall.

    ``"Krippendorff's alpha of the human annotators: -0.0000312 [-0.0593, 0.0561], below 0.2"``;
    a count: ``"annotators who rush (...): 1 of 12, above 0"``; a metric that could not be read:
    ``"...: not computable (the reason)"``; n under the criterion's minimum: ``"...: n = 30, below the
    minimum of 50"``.
    """
    c = _as_dict(result)
    words = criterion_words(c)
    denominator = c.get("denominator")
    if denominator and not c.get("aggregate"):
        words += f", as a share of the {_DENOMINATOR_WORDS.get(denominator, denominator)}"
    if c.get("value") is None:
        reason = str(c.get("reason") or "no reason given")
        for prefix in ("not computable: ", "missing: "):
            if reason.startswith(prefix):
                reason = reason[len(prefix) :]
        return f"{words}: not computable ({reason})"
    min_n, n = c.get("min_n") or 0, c.get("n")
    if min_n and (n is None or n < min_n) and c.get("outcome") == "INSUFFICIENT_EVIDENCE":
        got = MISSING if n is None else fmt_number(n, integer=True)
        return f"{words}: n = {got}, below the minimum of {fmt_number(min_n, integer=True)}"
    relation = _relation(c)
    return f"{words}: {_shown(c)}" + (f", {relation}" if relation else "")


def failing(results: Any) -> list[Mapping[str, Any]]:
    """The criteria of a gate (its JSON form, or a GateResult) that did not pass, worst first:
    REJECT, INSUFFICIENT_EVIDENCE, REVIEW, WARN (SKIPPED and PASS left out), in gate-file order within."""
    if hasattr(results, "to_dict"):
        results = results.to_dict()
    crits = results.get("criteria", []) if isinstance(results, Mapping) else list(results)
    crits = [_as_dict(c) for c in crits]
    order = {"REJECT": 0, "INSUFFICIENT_EVIDENCE": 1, "REVIEW": 2, "WARN": 3}
    bad = [c for c in crits if c.get("outcome") in order]
    return sorted(bad, key=lambda c: order[c["outcome"]])
