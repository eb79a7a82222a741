"""Prometheus 2 grading (issue 18 item 1): the shipped prompts prometheus-absolute / -relative,
their outputs parsed, --rubric / --criteria, a reference_answer column, named template fields.

The expected prompt texts are prometheus-eval's own (tests/fixtures/prometheus_eval/prompts.json:
libs/prometheus-eval/prometheus_eval/prompts.py at commit dcfb44272d5d0414832f5dbb8c2a05ebc2614234,
Apache-2.0), filled in with str.format exactly as prometheus_eval.judge does. The endpoint is a
stand-in on 127.0.0.1 (test_judges_runner's fake server).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_csv, write_jsonl
from test_judges_runner import TEXTS, _batch, _longer, server  # noqa: F401 (server is a fixture)

from qualitylab.cli import main
from qualitylab.errors import UsageError
from qualitylab.ingest import ingest
from qualitylab.judges.client import Endpoint
from qualitylab.judges.parse import parse_pairwise, parse_score
from qualitylab.judges.runner import RunOptions, run_judge
from qualitylab.judges.template import load_template
from qualitylab.store import open_store

UPSTREAM = json.loads((Path(__file__).parent / "fixtures/prometheus_eval/prompts.json").read_text("utf-8"))
RUBRIC = UPSTREAM["HELPFULNESS_RUBRIC"]  # prometheus-eval's own helpfulness rubric
CRITERIA = RUBRIC.split("\n")[0]  # what prometheus_eval.prompts.load_rubric(..., "relative") returns


# ---- the prompts are prometheus-eval's ---------------------------------------------------------


@pytest.mark.parametrize("reference", ["The capital of France is Paris.", None])
def test_absolute_prompt_renders_as_prometheus_evals(reference):
    t = load_template("prometheus-absolute", "single").with_fields(rubric=RUBRIC)
    msgs = t.messages(
        question="What is the capital of France?",
        answer="Paris.",
        aspect="overall",
        scale_low="1",
        scale_high="5",
        reference_answer=reference,
    )
    upstream = UPSTREAM["ABSOLUTE_PROMPT" if reference else "ABSOLUTE_PROMPT_WO_REF"].format(
        instruction="What is the capital of France?", response="Paris.", rubric=RUBRIC, reference_answer=reference
    )
    assert msgs == [
        {"role": "system", "content": UPSTREAM["ABS_SYSTEM_PROMPT"]},
        {"role": "user", "content": upstream.rstrip()},  # only the space after "###Feedback:" differs
    ]


@pytest.mark.parametrize("reference", ["Paris.", None])
def test_relative_prompt_renders_as_prometheus_evals_with_the_rubrics_first_line_as_criteria(reference):
    t = load_template("prometheus-relative", "pairwise").with_fields(rubric=RUBRIC)
    assert t.criteria == CRITERIA and t.rubric is None  # the template names only ${criteria}
    msgs = t.messages(question="Q?", answer_a="first", answer_b="second", reference_answer=reference)
    upstream = UPSTREAM["RELATIVE_PROMPT" if reference else "RELATIVE_PROMPT_WO_REF"].format(
        instruction="Q?", response_A="first", response_B="second", rubric=CRITERIA, reference_answer=reference
    )
    assert msgs == [
        {"role": "system", "content": UPSTREAM["REL_SYSTEM_PROMPT"]},
        {"role": "user", "content": upstream.rstrip()},
    ]
    # --criteria TEXT instead
    t2 = load_template("prometheus-relative", "pairwise").with_fields(criteria="Is it accurate?")
    assert (
        "###Score Rubric:\nIs it accurate?\n\n###Feedback:"
        in t2.messages(question="Q", answer_a="a", answer_b="b")[1]["content"]
    )


def test_field_values_are_never_reinterpreted():
    t = load_template("prometheus-relative", "pairwise").with_fields(criteria="${question} $$ [if x]")
    user = t.messages(question="${answer_a}", answer_a="[end]", answer_b="$x", reference_answer="${rubric}")[1]
    for text in ("###Instruction:\n${answer_a}", "###Response A:\n[end]", "${rubric}", "${question} $$ [if x]"):
        assert text in user["content"]


# ---- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, pref",
    [
        ("Feedback: Response A is more accurate and concise. [RESULT] A", "A"),
        ("Feedback: Both are polite, but B answers it. [RESULT] B", "B"),
        ("Feedback: ... [RESULT] (B)", "B"),
        ('Feedback: ... [RESULT]: "A"', "A"),
        ("Feedback: ...\n[RESULT] A\n", "A"),
        ("Feedback: Response A says [[A]] ... [RESULT] A", "A"),  # agreeing tokens are one verdict
    ],
)
def test_relative_outputs_parse(text, pref):
    p = parse_pairwise(text)
    assert p.ok and p.preference == pref and p.strength is None


@pytest.mark.parametrize(
    "text, problem",
    [
        ("Feedback: A is better.", "no verdict token"),
        ("Feedback: ... [RESULT] Both", "no verdict token"),
        ("Feedback: ... [RESULT] C", "no verdict token"),
        ("[RESULT] A ... on reflection [RESULT] B", "conflicting verdict tokens: [RESULT] A, [RESULT] B"),
        ("[[B]] [RESULT] A", "conflicting verdict tokens"),
    ],
)
def test_relative_outputs_refused(text, problem):
    p = parse_pairwise(text)
    assert not p.ok and p.problem.startswith(problem)


@pytest.mark.parametrize("text, score", [("Feedback: fine. [RESULT] 4", 4.0), ("Feedback: x [RESULT] (1)", 1.0)])
def test_absolute_outputs_parse_on_the_1_to_5_scale(text, score):
    assert parse_score(text, 1, 5).score == score
    assert not parse_score("Feedback: x [RESULT] 6", 1, 5).ok


# ---- runs ----------------------------------------------------------------------------------------


def _big_batch(tmp_path, db, n=300):
    rows = [
        {
            "comparison_id": f"c{i:03d}",
            "annotator_id": h,
            "preference": "A" if i % 2 else "B",
            "prompt": f"question {i}",
            "response_a": "a" * (10 + (i % 2) * 20),
            "response_b": "b" * 20,
        }
        for i in range(n)
        for h in ("h1", "h2")
    ]
    ingest(write_jsonl(tmp_path / "big.jsonl", rows), "b1", db=db)


def _ep(base):
    return Endpoint(base, "prometheus-7b", None, timeout=10, max_retries=2, backoff=0.01)


def test_600_relative_outputs_are_600_verdicts(tmp_path, db, server):  # noqa: F811
    """The issue's 600 of 600 outputs stored unparsed: 300 comparisons in both orders now parse."""
    _big_batch(tmp_path, db)
    base, judge = server("prometheus-relative")
    template = load_template("prometheus-relative", "pairwise").with_fields(rubric=RUBRIC)
    with open_store(db) as store:
        res = run_judge(store, "b1", _ep(base), template, RunOptions(both_orders=True, concurrency=8))
    assert (res.n_tasks, res.n_parsed, res.n_unparsed, res.n_failed, res.n_stored) == (600, 600, 0, 0, 600)
    assert all(m[0]["content"] == UPSTREAM["REL_SYSTEM_PROMPT"] for m in judge.prompts)
    with open_store(db, read_only=True) as s:
        wrong = s.con.execute(  # the fake prefers the longer response: A on odd comparisons
            "SELECT count(*) FROM verdicts WHERE annotator_kind = 'judge'"
            " AND preference <> CASE WHEN CAST(substr(comparison_id, 2) AS INT) % 2 = 1 THEN 'A' ELSE 'B' END"
        ).fetchall()
    assert wrong == [(0,)]


def test_cli_relative_with_rubric_file_and_absolute_with_reference(tmp_path, db, server, capsys):  # noqa: F811
    rows = []
    for cid, (ra, rb) in TEXTS.items():
        for h in ("h1", "h2", "h3"):
            rows.append(
                {
                    "comparison_id": cid,
                    "annotator_id": h,
                    "preference": _longer(cid),
                    "prompt": f"question {cid}",
                    "response_a": ra,
                    "response_b": rb,
                    "reference_answer": f"the reference for {cid}" if cid != "c4" else "",
                }
            )
    ingest(write_csv(tmp_path / "b.csv", rows), "b1", db=db)
    rubric = tmp_path / "helpfulness.txt"
    rubric.write_text(RUBRIC + "\n", encoding="utf-8")
    base, judge = server("prometheus-relative")
    common = ["--batch", "b1", "--model", "prometheus-7b", "--base-url", base, "--db", str(db), "--no-report"]
    argv = ["judge", *common, "--prompt", "prometheus-relative", "--rubric", str(rubric), "--both-orders"]
    assert main(argv) == 0
    assert "8 parsed, 0 unparsed" in capsys.readouterr().out
    users = {m[1]["content"] for m in judge.prompts}
    assert sum("###Reference Answer:\nthe reference for c1\n" in u for u in users) == 2  # both orders
    assert sum("###Reference Answer:" in u for u in users) == 6  # c4's empty reference is none
    assert all(f"###Score Rubric:\n{CRITERIA}\n" in u for u in users)
    with open_store(db, read_only=True) as s:
        got = s.con.execute(
            "SELECT comparison_id, shown_first, preference, reference_answer FROM verdicts"
            " WHERE annotator_kind = 'judge' ORDER BY 1, 2"
        ).fetchall()
        refs = s.con.execute(
            "SELECT DISTINCT comparison_id, reference_answer FROM verdicts WHERE annotator_kind = 'human' ORDER BY 1"
        ).fetchall()
    assert [(c, p) for c, _, p, _ in got] == [(c, _longer(c)) for c in sorted(TEXTS) for _ in "AB"]
    assert refs == [(c, None if c == "c4" else f"the reference for {c}") for c in sorted(TEXTS)]
    assert got[0][3] == "the reference for c1"  # judge rows carry the comparison's reference

    base2, judge2 = server("prometheus-absolute")
    argv = ["judge", *common[:5], base2, *common[6:], "--single", "--prompt", "prometheus-absolute"]
    argv += ["--rubric", str(rubric)]
    assert main(argv) == 0
    assert "8 parsed, 0 unparsed" in capsys.readouterr().out
    users = [m[1]["content"] for m in judge2.prompts]
    assert all(f"###Score Rubrics:\n{RUBRIC}\n" in u and "between 1 and 5" in u for u in users)
    assert sum("###Reference Answer (Score 5):\nthe reference for c2\n" in u for u in users) == 2  # c2/A, c2/B
    with open_store(db, read_only=True) as s:
        scores = s.con.execute("SELECT min(score), max(score), count(*) FROM ratings").fetchall()
    assert scores[0][2] == 8 and 1 <= scores[0][0] <= scores[0][1] <= 5


def test_cli_refusals_name_the_problem(tmp_path, db, server, capsys):  # noqa: F811
    _batch(tmp_path, db)
    base, judge = server("prometheus-relative")
    common = ["judge", "--batch", "b1", "--model", "m", "--base-url", base, "--db", str(db), "--no-report"]
    bad = tmp_path / "bad.txt"
    bad.write_text("Compare ${answer_a} and ${answer_b} for ${question}, costing $price and ${colour}.")
    cases = [
        (["--prompt", str(bad)], "${price}, ${colour}"),  # unknown fields, named
        (["--prompt", "prometheus-absolute"], "is for single grading"),
        (["--single", "--prompt", "prometheus-absolute"], "needs a rubric"),
        (["--prompt", "prometheus-relative"], "needs criteria"),
        (["--criteria", "Is it kind?"], "--criteria is not used by the prompt"),
        (["--rubric", str(bad)], "--rubric is not used by the prompt"),
        (["--single", "--prompt", "prometheus-absolute", "--rubric", str(bad), "--scale", "1-10"], "grades on 1-5"),
        (["--prompt", "prometheus-relative", "--rubric", str(tmp_path / "nope.txt")], "No such rubric file"),
    ]
    for extra, message in cases:
        code = main([*common, *extra])
        err = capsys.readouterr().err
        assert code != 0 and message in err, (extra, err)
        assert "Traceback" not in err
    assert judge.prompts == []  # nothing was asked
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT count(*) FROM judge_calls").fetchall() == [(0,)]


@pytest.mark.parametrize(
    "text, message",
    [
        ("${question} ${answer_a} ${answer_b}\n[if reference_answer]\n${reference_answer}\n", "[if] not closed"),
        ("${question} ${answer_a} ${answer_b}\n[end]\n", "[end] without [if]"),
        ("${question} ${answer_a} ${answer_b}\n[if rubric]\n[if criteria]\n[end]\n[end]\n", "nested [if]"),
        ("${question} ${answer_a} ${answer_b} ${answer}", "${answer}"),  # a single-mode field in pairwise
    ],
)
def test_template_structure_errors(tmp_path, text, message):
    p = tmp_path / "t.txt"
    p.write_text(text)
    with pytest.raises(UsageError) as e:
        load_template(str(p), "pairwise")
    assert message in str(e.value)


def test_a_prompt_needing_a_reference_everywhere_is_refused_before_any_call(tmp_path, db, server):  # noqa: F811
    _batch(tmp_path, db)  # no reference answers
    base, judge = server("longer")
    p = tmp_path / "t.txt"
    p.write_text("${question}\n${answer_a}\n${answer_b}\nReference: ${reference_answer}\n[[A]] or [[B]]")
    with open_store(db) as store, pytest.raises(UsageError, match="4 item"):
        run_judge(store, "b1", _ep(base), load_template(str(p), "pairwise"), RunOptions())
    assert judge.prompts == []


def test_rubric_and_criteria_identify_the_run_and_the_snapshot(tmp_path, db, server):  # noqa: F811
    from qualitylab.snapshots import ReportOptions, fingerprint

    _batch(tmp_path, db)
    base, _ = server("prometheus-relative")
    t = load_template("prometheus-relative", "pairwise")
    prints = []
    with open_store(db) as store:
        prints.append(fingerprint(store, "b1", ReportOptions()))
        first = run_judge(store, "b1", _ep(base), t.with_fields(criteria="Is it helpful?"), RunOptions())
        prints.append(fingerprint(store, "b1", ReportOptions()))
        second = run_judge(store, "b1", _ep(base), t.with_fields(criteria="Is it harmless?"), RunOptions())
        prints.append(fingerprint(store, "b1", ReportOptions()))
        third = run_judge(store, "b1", _ep(base), t.with_fields(rubric=RUBRIC), RunOptions())
        runs = store.rows("judges/runs", {"batch_id": "b1"})
        names = [n for (n,) in store.con.execute("SELECT file_name FROM files WHERE format = 'judge-run'").fetchall()]
    ids = {first.annotator_id, second.annotator_id, third.annotator_id}
    assert len(ids) == 3 and all(i.startswith("prometheus-7b@") for i in ids)
    assert len(runs) == 3 and len({r["criteria_sha256"] for r in runs}) == 3
    assert {r["template_sha256"] for r in runs} == {t.sha256}
    assert all(r["rubric_sha256"] is None for r in runs)  # the relative prompt sends only the criteria
    assert all("criteria=" in n for n in names) and len(set(names)) == 3
    assert prints[1].changed(prints[0].parts) == ["files", "judge_runs"]
    assert prints[2].changed(prints[1].parts) == ["files", "judge_runs"]
    # the same run again: nothing asked, the same identity and fingerprint
    with open_store(db) as store:
        again = run_judge(store, "b1", _ep(base), t.with_fields(criteria="Is it harmless?"), RunOptions())
    assert again.n_tasks == 0 and again.annotator_id == second.annotator_id


def test_reference_answer_ingest_validation(tmp_path, db):
    rows = [
        {"comparison_id": "c1", "annotator_id": "h1", "preference": "A", "reference_answer": "Paris"},
        {"comparison_id": "c1", "annotator_id": "h2", "preference": "B", "reference_answer": "Paris"},
        {"comparison_id": "c1", "annotator_id": "h3", "preference": "B", "reference_answer": "Lyon"},
        {"comparison_id": "c1", "annotator_id": "h4", "preference": "B"},  # leaving it out is fine
        {"comparison_id": "c2", "annotator_id": "h1", "preference": "A", "reference_answer": "   "},
    ]
    res = ingest(write_jsonl(tmp_path / "r.jsonl", rows), "b1", db=db, quarantine=True)
    assert (res.n_stored, res.n_quarantined) == (4, 1)
    with open_store(db, read_only=True) as s:
        q = s.con.execute("SELECT source_line, column_name, reason FROM quarantine").fetchall()
        stored = s.con.execute("SELECT annotator_id, reference_answer FROM verdicts ORDER BY source_line").fetchall()
    assert q == [
        (
            3,
            "reference_answer",
            'differs from the reference_answer of line 1 for comparison_id "c1" (one reference answer per comparison)',
        )
    ]
    assert stored == [("h1", "Paris"), ("h2", "Paris"), ("h4", None), ("h1", None)]
    ratings = [
        {"item_id": "i1", "annotator_id": "h1", "score": 4, "reference_answer": "42"},
        {"item_id": "i1", "annotator_id": "h2", "score": 5, "reference_answer": "41"},
    ]
    res = ingest(write_csv(tmp_path / "r.csv", ratings), "b2", db=db, quarantine=True)
    assert (res.n_stored, res.n_quarantined) == (1, 1)
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT reference_answer FROM ratings").fetchall() == [("42",)]


def test_judge_runs_latency_quantiles_equal_numpy_on_the_stored_calls(tmp_path, db, server):  # noqa: F811
    """Item 6's p50 / p95 (quantile_cont) are numpy's default (linear) percentiles of the calls that returned."""
    import numpy as np

    _batch(tmp_path, db)
    base, _ = server("prometheus-relative")
    with open_store(db) as store:
        run_judge(
            store,
            "b1",
            _ep(base),
            load_template("prometheus-relative", "pairwise").with_fields(criteria="x"),
            RunOptions(both_orders=True),
        )
        (run,) = store.rows("judges/runs", {"batch_id": "b1"})
        lat = [x for (x,) in store.con.execute("SELECT latency_ms FROM judge_calls WHERE error IS NULL").fetchall()]
    assert len(lat) == 8 and run["n_calls"] == 8
    assert run["latency_ms_p50"] == pytest.approx(np.percentile(lat, 50))
    assert run["latency_ms_p95"] == pytest.approx(np.percentile(lat, 95))
