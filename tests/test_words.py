"""Plain words for criteria (qualitylab.gates.words) and the one number formatter (qualitylab.numbers)."""

from __future__ import annotations

import math

import pytest

from qualitylab.gates import default_gates, evaluate
from qualitylab.gates.words import METRIC_WORDS, criterion_sentence, criterion_words, failing, metric_words
from qualitylab.numbers import MISSING, fmt_interval, fmt_number, fmt_statistic
from qualitylab.results import Statistic


@pytest.mark.parametrize(
    "x, shown",
    [
        (-2.933252706482925e-05, "-0.0000293"),  # acme-w5's alpha: the sign is never lost
        (-0.05901861082933297, "-0.059"),
        (0.05594240354229237, "0.0559"),
        (0.7564, "0.756"),
        (73.0, "73"),  # never "73.000"
        (3.8, "3.8"),  # never "3.8000"
        (-0.0004, "-0.0004"),  # never "-0.000"
        (0.09996, "0.1"),  # rounding carries into the next power of ten
        (9.996, "10"),
        (12345.6, "12,346"),  # no digit of the integer part dropped
        (1204, "1,204"),  # an int is a count
        (0, "0"),
        (-0.0, "0"),
        (3.1e-9, "3.1e-09"),
        (None, MISSING),
        (math.nan, MISSING),
        (math.inf, MISSING),
        ("text", MISSING),
        (True, MISSING),
    ],
)
def test_fmt_number(x, shown):
    assert fmt_number(x) == shown


def test_fmt_number_integer_and_intervals():
    assert fmt_number(73.0, integer=True) == "73"
    assert fmt_number(1500.4, integer=True) == "1,500"
    assert fmt_interval(0.756, 0.667, 0.845) == "0.756 [0.667, 0.845]"
    assert fmt_interval(0.5, None, 0.6) == "0.5"
    assert fmt_interval(None, 0.1, 0.2) == MISSING
    assert fmt_statistic(Statistic(-2.9e-05, -0.059, 0.0559, 300)) == "-0.000029 [-0.059, 0.0559]"
    assert fmt_statistic({"value": 0.42, "ci95_low": 0.357, "ci95_high": 0.483}) == "0.42 [0.357, 0.483]"
    assert fmt_statistic(Statistic.not_computable("no verdicts")) == MISSING


W5_ALPHA = {
    "id": "human_agreement",
    "metric": "agreement.preference.krippendorff_alpha",
    "path": "agreement.preference.krippendorff_alpha",
    "comparison": ">=",
    "threshold": 0.2,
    "decide": "interval",
    "min_n": 50,
    "outcome": "REJECT",
    "value": -2.933252706482925e-05,
    "ci95_low": -0.05901861082933297,
    "ci95_high": 0.05594240354229237,
    "n": 300,
}


def test_the_deciding_sentence_of_acme_w5():
    # the numbers of `qualitylab report --batch acme-w5 --json` on the sample (seed 20240601, 1000 resamples)
    assert criterion_sentence(W5_ALPHA) == (
        "Krippendorff's alpha of the human annotators: -0.0000293 [-0.059, 0.0559], below 0.2"
    )


@pytest.mark.parametrize(
    "change, sentence",
    [
        ({"ci95_low": 0.25, "ci95_high": 0.5, "value": 0.4, "outcome": "PASS"}, "0.4 [0.25, 0.5], at least 0.2"),
        ({"ci95_low": 0.1, "ci95_high": 0.3, "value": 0.2, "outcome": "REVIEW"}, "0.2 [0.1, 0.3], straddles 0.2"),
        ({"decide": "value", "ci95_low": 0.1, "ci95_high": 0.3, "value": 0.15, "outcome": "REJECT"}, "below 0.2"),
        ({"n": 30, "outcome": "INSUFFICIENT_EVIDENCE"}, "n = 30, below the minimum of 50"),
        (
            {"value": None, "ci95_low": None, "ci95_high": None, "reason": "not computable: only one annotator"},
            "not computable (only one annotator)",
        ),
    ],
)
def test_sentences_say_where_the_numbers_fall(change, sentence):
    s = criterion_sentence({**W5_ALPHA, **change})
    assert s.startswith("Krippendorff's alpha of the human annotators: ") and s.endswith(sentence), s
    assert "not computable: not computable" not in s


def test_counts_shares_and_wildcards():
    rushed = {
        "metric": "annotators",
        "aggregate": "count_where",
        "where": "flag_names=fast",
        "comparison": "<=",
        "threshold": 0,
        "decide": "value",
        "outcome": "REVIEW",
        "value": 1.0,
        "n": 13,
    }
    assert criterion_sentence(rushed) == (
        "annotators who rush (median time per verdict below the fast threshold): 1 of 13, above 0"
    )
    dup = {
        "metric": "hygiene.checks.duplicate_rows.n_rows",
        "denominator": "counts.n_judgments",
        "comparison": "<=",
        "threshold": 0.05,
        "decide": "interval",
        "outcome": "PASS",
        "value": 10 / 1500,
        "ci95_low": 0.0036,
        "ci95_high": 0.0122,
        "n": 1500,
    }
    assert criterion_sentence(dup) == (
        "exact duplicate rows, as a share of the verdicts: 10 of 1,500 = 0.00667 [0.0036, 0.0122], at most 0.05"
    )
    judge = {
        "metric": "judges.*.accuracy_vs_majority",
        "path": "judges.judge-mini.accuracy_vs_majority",
        "comparison": ">=",
        "threshold": 0.6,
        "decide": "interval",
        "outcome": "WARN",
        "value": 0.606,
        "ci95_low": 0.554,
        "ci95_high": 0.655,
        "n": 566,
    }
    assert criterion_sentence(judge) == (
        "accuracy of the LLM judge judge-mini against the human majority: 0.606 [0.554, 0.655], straddles 0.6"
    )
    assert metric_words("judges.*.accuracy_vs_majority") == "accuracy of the LLM judge against the human majority"
    assert metric_words("hygiene.checks.fast_verdicts.n_rows") == "verdicts given faster than the fast threshold"
    assert metric_words("hygiene.checks.new_check.n_rows") == "rows found by the hygiene check new_check"
    assert metric_words("no.such.path") is None
    assert criterion_words({"metric": "no.such.path", "title": "Our own rule"}) == "Our own rule"
    assert criterion_words({"metric": "no.such.path"}) == "no.such.path"


def test_every_built_in_criterion_has_words_of_its_own():
    """The defaults are named by the map, not by their titles (one vocabulary for app and pack)."""
    for c in default_gates().criteria:
        assert metric_words(c.metric, c.where), c.id
    assert all(w and w == w.strip() for w in METRIC_WORDS.values())


def test_failing_lists_every_criterion_that_did_not_pass_worst_first():
    doc = {
        "agreement": {
            "preference": {"krippendorff_alpha": {"value": 0.0, "ci95_low": -0.05, "ci95_high": 0.05, "n": 300}}
        },
        "annotators": [{"annotator_id": "h11", "n": 40, "flag_names": ["fast"]}, {"annotator_id": "h01", "n": 40}],
    }
    result = evaluate(default_gates(), doc)
    bad = failing(result)
    assert bad[0]["id"] == "human_agreement" and bad[0]["outcome"] == "REJECT"
    assert "rushed_annotators" in [c["id"] for c in bad]
    assert not [c for c in bad if c["outcome"] in ("PASS", "SKIPPED")]
    assert failing(result.to_dict()) == bad
    # a CriterionResult renders as its dict does
    r = next(r for r in result.criteria if r.criterion.id == "human_agreement")
    assert criterion_sentence(r) == criterion_sentence(r.to_dict())
