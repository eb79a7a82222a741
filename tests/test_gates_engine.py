"""Gate engine: each rule on hand-made report documents (no store), and gate-file validation."""

from __future__ import annotations

import pytest

from qualitylab.errors import ExitCode, UsageError
from qualitylab.gates import default_gates, evaluate, parse_gates
from qualitylab.gates.engine import resolve

HEAD = "gates_version = 1\nname = 't'\n"


def gates(*criteria: str):
    return parse_gates(HEAD + "".join(f"[[criteria]]\n{c}\n" for c in criteria), source="test.toml")


ALPHA = (
    'id = "alpha"\nmetric = "agreement.preference.krippendorff_alpha"\ncomparison = ">="\n'
    'threshold = 0.2\nmin_n = 50\nseverity = "reject"'
)


def doc_alpha(value, lo, hi, n=300):
    return {
        "agreement": {"preference": {"krippendorff_alpha": {"value": value, "ci95_low": lo, "ci95_high": hi, "n": n}}}
    }


@pytest.mark.parametrize(
    "lo, hi, outcome, verdict",
    [
        (0.30, 0.50, "PASS", "ACCEPT"),  # whole interval above the threshold
        (0.20, 0.50, "PASS", "ACCEPT"),  # the bound on the threshold passes (>=)
        (0.15, 0.35, "REVIEW", "REVIEW"),  # straddles: not decided either way
        (-0.05, 0.10, "REJECT", "REJECT"),  # whole interval below
        (0.05, 0.1999, "REJECT", "REJECT"),
    ],
)
def test_interval_decides(lo, hi, outcome, verdict):
    r = evaluate(gates(ALPHA), doc_alpha((lo + hi) / 2, lo, hi))
    assert r.criteria[0].outcome == outcome
    assert r.verdict == verdict


def test_straddle_reason_names_the_interval_and_threshold():
    r = evaluate(gates(ALPHA), doc_alpha(0.25, 0.15, 0.35)).criteria[0]
    assert "straddles 0.2" in r.reason and "[0.1500, 0.3500]" in r.reason


def test_less_or_equal_mirrors():
    crit = 'id = "p_first"\nmetric = "position_bias.p_first"\ncomparison = "<="\nthreshold = 0.6\nseverity = "review"'
    g = gates(crit)
    stat = lambda lo, hi: {
        "position_bias": {"p_first": {"value": (lo + hi) / 2, "ci95_low": lo, "ci95_high": hi, "n": 400}}
    }
    assert evaluate(g, stat(0.45, 0.55)).criteria[0].outcome == "PASS"
    assert evaluate(g, stat(0.55, 0.65)).criteria[0].outcome == "REVIEW"  # straddles
    assert evaluate(g, stat(0.62, 0.70)).criteria[0].outcome == "REVIEW"  # fails, severity review
    assert evaluate(g, stat(0.62, 0.70)).criteria[0].reason.endswith("the whole interval is above 0.6")


@pytest.mark.parametrize("decide, expected", [("ci95_low", "REJECT"), ("ci95_high", "PASS"), ("value", "PASS")])
def test_one_bound_decides(decide, expected):
    g = gates(ALPHA + f'\ndecide = "{decide}"')
    assert evaluate(g, doc_alpha(0.25, 0.15, 0.35)).criteria[0].outcome == expected


def test_below_min_n_is_insufficient_evidence():
    r = evaluate(gates(ALPHA), doc_alpha(0.6, 0.5, 0.7, n=49))
    assert r.criteria[0].outcome == "INSUFFICIENT_EVIDENCE"
    assert r.criteria[0].reason == "n = 49 is below min_n = 50"
    assert r.verdict == "INSUFFICIENT_EVIDENCE" and r.exit_code == ExitCode.INSUFFICIENT_EVIDENCE
    assert evaluate(gates(ALPHA), doc_alpha(0.6, 0.5, 0.7, n=50)).verdict == "ACCEPT"


def test_missing_area_is_insufficient_with_reason():
    r = evaluate(gates(ALPHA), {"counts": {"n_judgments": 10}})
    c = r.criteria[0]
    assert c.outcome == "INSUFFICIENT_EVIDENCE" and c.measurement is None
    assert "no 'agreement' section" in c.reason
    assert r.verdict == "INSUFFICIENT_EVIDENCE"


def test_missing_key_lists_what_is_there():
    r = evaluate(gates(ALPHA), {"agreement": {"preference": {"fleiss_kappa": {"value": 0.4}}}})
    assert "no 'krippendorff_alpha' under 'agreement.preference' (it has: fleiss_kappa)" in r.criteria[0].reason


def test_not_computable_carries_the_metric_reason():
    doc = {
        "agreement": {
            "preference": {
                "krippendorff_alpha": {
                    "value": None,
                    "ci95_low": None,
                    "ci95_high": None,
                    "n": 0,
                    "reason": "a single annotator",
                }
            }
        }
    }
    c = evaluate(gates(ALPHA), doc).criteria[0]
    assert (c.outcome, c.reason) == ("INSUFFICIENT_EVIDENCE", "not computable: a single annotator")


def test_if_missing_skip_does_not_decide():
    judge = (
        'id = "judge"\nmetric = "judges.*.accuracy_vs_majority"\ncomparison = ">="\nthreshold = 0.6\n'
        'severity = "review"\nif_missing = "skip"'
    )
    r = evaluate(gates(ALPHA, judge), doc_alpha(0.5, 0.4, 0.6))
    assert [c.outcome for c in r.criteria] == ["PASS", "SKIPPED"]
    assert r.verdict == "ACCEPT"
    # every criterion skipped: nothing could decide
    assert evaluate(gates(judge), {}).verdict == "INSUFFICIENT_EVIDENCE"


def test_wildcard_takes_the_worst_match():
    judge = (
        'id = "judge"\nmetric = "judges.*.accuracy_vs_majority"\ncomparison = ">="\nthreshold = 0.6\n'
        'severity = "review"'
    )
    st = lambda lo, hi: {"value": (lo + hi) / 2, "ci95_low": lo, "ci95_high": hi, "n": 200}
    doc = {"judges": {"good": {"accuracy_vs_majority": st(0.7, 0.8)}, "bad": {"accuracy_vs_majority": st(0.4, 0.5)}}}
    c = evaluate(gates(judge), doc).criteria[0]
    assert c.outcome == "REVIEW" and c.measurement.path == "judges.bad.accuracy_vs_majority"
    assert [m.outcome for m in c.matches] == ["PASS", "REVIEW"]
    assert c.reason.endswith("(the worst of 2 matches)")


def test_count_where_over_rows():
    crit = (
        'id = "pos"\nmetric = "position_bias.by_annotator"\naggregate = "count_where"\nwhere = "flagged"\n'
        'comparison = "<="\nthreshold = 0\ndecide = "value"\nmin_n = 1\nseverity = "review"'
    )
    rows = [{"annotator_id": "h01", "flagged": False}, {"annotator_id": "h03", "flagged": True}]
    c = evaluate(gates(crit), {"position_bias": {"by_annotator": rows}}).criteria[0]
    assert (c.outcome, c.measurement.value, c.measurement.n) == ("REVIEW", 1.0, 2)
    assert c.reason == "1 of 2 rows have 'flagged' (> 0)"
    assert evaluate(gates(crit), {"position_bias": {"by_annotator": rows[:1]}}).verdict == "ACCEPT"
    # no rows at all (e.g. the order was never recorded): nothing was tested
    empty = evaluate(gates(crit), {"position_bias": {"by_annotator": []}})
    assert (
        empty.verdict == "INSUFFICIENT_EVIDENCE"
        and "no row of 'position_bias.by_annotator' was tested" in empty.criteria[0].reason
    )


def test_share_where_has_a_wilson_interval():
    crit = (
        'id = "share"\nmetric = "annotators.rows"\naggregate = "share_where"\nwhere = "flagged"\n'
        'comparison = "<="\nthreshold = 0.5\nseverity = "review"'
    )
    rows = [{"flagged": i < 2} for i in range(10)]
    c = evaluate(gates(crit), {"annotators": {"rows": rows}}).criteria[0]
    # Wilson 95% interval for 2/10: [0.0567, 0.5098] (Newcombe 1998, Table I method 3 gives 0.057-0.510)
    assert c.measurement.value == pytest.approx(0.2)
    assert c.measurement.ci95_low == pytest.approx(0.0567, abs=1e-4)
    assert c.measurement.ci95_high == pytest.approx(0.5098, abs=1e-4)
    assert c.outcome == "REVIEW"  # straddles 0.5


def test_plain_number_with_n_metric():
    crit = (
        'id = "dups"\nmetric = "hygiene.n_duplicates"\nn_metric = "counts.n_judgments"\n'
        'comparison = "<="\nthreshold = 5\nmin_n = 10\nseverity = "warn"'
    )
    doc = {"hygiene": {"n_duplicates": 7}, "counts": {"n_judgments": 100}}
    r = evaluate(gates(ALPHA, crit), {**doc, **doc_alpha(0.5, 0.4, 0.6)})
    assert [c.outcome for c in r.criteria] == ["PASS", "WARN"]
    assert r.criteria[1].measurement.n == 100
    assert r.verdict == "ACCEPT"  # warnings never change the verdict


def test_verdict_order_reject_over_insufficient_over_review():
    review = ALPHA.replace('id = "alpha"', 'id = "a2"').replace("0.2", "0.45")
    insufficient = 'id = "missing"\nmetric = "nope.x"\ncomparison = ">="\nthreshold = 0\nseverity = "review"'
    g = gates(ALPHA, review, insufficient)
    r = evaluate(g, doc_alpha(0.5, 0.4, 0.6))
    assert [c.outcome for c in r.criteria] == ["PASS", "REVIEW", "INSUFFICIENT_EVIDENCE"]
    assert r.verdict == "INSUFFICIENT_EVIDENCE" and r.deciding == ("missing",)
    r = evaluate(g, doc_alpha(0.1, 0.05, 0.15))
    assert r.verdict == "REJECT" and r.deciding == ("alpha", "a2")
    assert r.exit_code == ExitCode.REJECT


def test_resolve_paths():
    doc = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    assert resolve(doc, "a.b.1.c")[0] == [("a.b.1.c", 2)]
    assert [p for p, _ in resolve(doc, "a.b.*.c")[0]] == ["a.b.0.c", "a.b.1.c"]
    assert resolve(doc, "a.x")[1] == "the report has no 'x' under 'a' (it has: b)"


@pytest.mark.parametrize(
    "text, message",
    [
        ("name = 'x'\n", "'gates_version' is missing"),
        ("gates_version = 2\n", "gates_version 2 is not supported"),
        ("gates_version = 1\n", "no [[criteria]]"),
        ("gates_version = 1\n[[criteria]]\nid = 'a'\n", "'metric' is required"),
        (HEAD + "[[criteria]]\n" + ALPHA.replace('">="', '">"'), "'comparison' is '>'; use one of >=, <="),
        (HEAD + "[[criteria]]\n" + ALPHA.replace('"reject"', '"fatal"'), "use one of reject, review, warn"),
        (HEAD + "[[criteria]]\n" + ALPHA + "\nthreshhold = 1", "unknown key(s) ['threshhold']"),
        (HEAD + "[[criteria]]\n" + ALPHA.replace("min_n = 50", "min_n = -1"), "'min_n' must be a whole number"),
        (HEAD + "[[criteria]]\n" + ALPHA + "\n[[criteria]]\n" + ALPHA, "ids must be unique"),
        (HEAD + "[[criteria]]\n" + ALPHA + '\naggregate = "count_where"', "'aggregate' and 'where' go together"),
        ("gates_version = [", "not valid TOML"),
    ],
)
def test_invalid_gate_files_name_the_fix(text, message):
    with pytest.raises(UsageError) as e:
        parse_gates(text, source="g.toml")
    assert message in e.value.message
    assert "docs/gates.md" in e.value.hint or "gates_version" in e.value.hint


def test_defaults_parse_and_every_criterion_is_explained():
    g = default_gates()
    assert g.gates_version == 1 and len(g.sha256) == 64
    assert all(c.title and c.why for c in g.criteria)
    assert any(c.severity == "reject" and c.metric.startswith("agreement.") for c in g.criteria)


def test_where_field_equals_value_or_is_in_the_list():
    crit = (
        'id = "fast"\nmetric = "annotators"\naggregate = "count_where"\nwhere = "flag_names=fast"\n'
        'comparison = "<="\nthreshold = 0\ndecide = "value"\nmin_n = 1\nseverity = "review"'
    )
    rows = [
        {"annotator_id": "h01", "n": 90, "flag_names": ["few_items"]},
        {"annotator_id": "h11", "n": 74, "flag_names": ["fast", "low_agreement"]},
        {"annotator_id": "r1", "n": 0, "flag_names": ["fast"]},
    ]  # n = 0: not tested, not counted
    c = evaluate(gates(crit), {"annotators": rows}).criteria[0]
    assert (c.outcome, c.measurement.value, c.measurement.n) == ("REVIEW", 1.0, 2)
    assert c.reason == "1 of 2 rows have 'flag_names=fast' (> 0)"


def test_denominator_makes_a_wilson_proportion():
    crit = (
        'id = "dup"\nmetric = "hygiene.checks.duplicate_rows.n_rows"\ndenominator = "counts.n_judgments"\n'
        'comparison = "<="\nthreshold = 0.05\nmin_n = 1\nseverity = "review"'
    )
    doc = {"hygiene": {"checks": {"duplicate_rows": {"n_rows": 10}}}, "counts": {"n_judgments": 1510}}
    c = evaluate(gates(crit), doc).criteria[0]
    # 10 / 1510 with Wilson 95% [0.0036, 0.0122] (statsmodels proportion_confint(10, 1510, method="wilson"))
    assert c.measurement.value == pytest.approx(10 / 1510)
    assert c.measurement.ci95_low == pytest.approx(0.003601, abs=1e-6)
    assert c.measurement.ci95_high == pytest.approx(0.012148, abs=1e-6)
    assert c.outcome == "PASS" and c.reason.startswith("10 of 1,510 = 0.0066, 95% CI [0.0036, 0.0121]")
    doc["hygiene"]["checks"]["duplicate_rows"]["n_rows"] = 151  # 10%: whole interval above 5%
    assert evaluate(gates(crit), doc).criteria[0].outcome == "REVIEW"
    doc["counts"]["n_judgments"] = 0
    c = evaluate(gates(crit), doc).criteria[0]
    assert c.outcome == "INSUFFICIENT_EVIDENCE" and "not a proportion" in c.reason
