"""The decision of record: append-only rows on a report hash and a gate verdict, the override rule,
--exclude-flagged resolved to ids, and protected batches (ingest and judge refused until reopened)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_jsonl
from gates_helpers import batch_rows

from qualitylab.cli import main
from qualitylab.decisions import flagged_annotators, history
from qualitylab.snapshots import report_sha256
from qualitylab.store import QUERIES_DIR, open_store

REPO = Path(__file__).resolve().parents[1]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def batches(tmp_path, db):
    """good (ACCEPT), bad (REJECT: chance agreement) and biased (REVIEW: h4 clicks the first shown)."""
    for name, kw in (
        ("good", dict(p_truth=0.92, seed=11)),
        ("bad", dict(p_truth=0.0, seed=12)),
        ("biased", dict(p_truth=0.92, seed=13, first_clicker="h4")),
    ):
        path = write_jsonl(tmp_path / f"{name}.jsonl", batch_rows(name, n_comparisons=80, **kw))
        assert main(["ingest", str(path), "--batch", name, "--vendor", "acme", "--db", str(db)]) == 0
    return db


def verdict(capsys, db, batch) -> dict:
    code, out, _ = run(capsys, "check", "--batch", batch, "--json", "--db", db)
    return json.loads(out)


def test_the_sample_verdicts_of_the_fixture(batches, capsys):
    assert verdict(capsys, batches, "good")["verdict"] == "ACCEPT"
    assert verdict(capsys, batches, "bad")["verdict"] == "REJECT"
    assert verdict(capsys, batches, "biased")["verdict"] == "REVIEW"


def test_decisions_that_agree_need_no_reason_others_do(batches, capsys):
    db = batches
    base = ["--by", "dana", "--note", "looked at it", "--db", db]
    assert run(capsys, "decide", "--batch", "good", "--accept", *base)[0] == 0
    assert run(capsys, "decide", "--batch", "bad", "--reject", *base)[0] == 0
    for batch, flag in (("good", "--reject"), ("bad", "--accept"), ("biased", "--accept"), ("biased", "--reject")):
        code, _, err = run(capsys, "decide", "--batch", batch, flag, *base)
        assert code == 2, (batch, flag)
        assert "--override-reason" in err and "differs" in err
    code, out, _ = run(
        capsys, "decide", "--batch", "bad", "--accept", *base, "--override-reason", "paid as a pilot", "--json"
    )
    assert code == 0
    d = json.loads(out)
    assert d["decision"] == "accept" and d["gate_verdict"] == "REJECT" and d["override_reason"] == "paid as a pilot"


def test_bad_decide_calls_exit_2_and_store_nothing(batches, capsys):
    db = batches
    base = ["--by", "dana", "--note", "n", "--db", db]
    cases = [
        (["--batch", "good", "--accept-partial", *base], "excludes no annotator"),
        (["--batch", "good", "--accept", "--exclude-annotator", "h1", *base], "go with --accept-partial"),
        (["--batch", "good", "--accept-partial", "--exclude-annotator", "nobody", *base], "'nobody'"),
        (["--batch", "good", "--accept", "--by", " ", "--note", "n", "--db", db], "--by"),
        (["--batch", "good", "--reopen", *base], "no decision in force"),
        (["--batch", "good", "--accept-partial", "--exclude-flagged", *base], "found no review- or reject"),
    ]
    for argv, message in cases:
        code, _, err = run(capsys, "decide", *argv)
        assert code == 2, argv
        assert message in err, (argv, err)
    code, _, err = run(capsys, "decide", "--batch", "nope", "--accept", *base)
    assert code == 5
    with open_store(db, read_only=True) as s:
        assert history(s, "good") == []


def test_a_report_that_is_not_current_exits_4_the_current_one_is_recorded(batches, capsys):
    db = batches
    base = ["--by", "dana", "--note", "n", "--db", db]
    code, _, err = run(capsys, "decide", "--batch", "good", "--accept", "--report", "0" * 64, *base)
    assert code == 4 and "not batch 'good''s current report" in err
    code, out, _ = run(capsys, "report", "--batch", "good", "--json", "--db", db)
    sha = report_sha256(json.loads(out))
    code, out, _ = run(capsys, "decide", "--batch", "good", "--accept", "--report", sha.upper(), *base, "--json")
    assert code == 0
    d = json.loads(out)
    assert d["report_sha256"] == sha and d["gate_verdict"] == "ACCEPT"
    assert d["gates_sha256"] and d["gates_source"].startswith("built-in")
    assert d["contract"] is None


def test_exclude_flagged_resolves_to_ids_with_reasons(batches, capsys):
    db = batches
    code, out, err = run(
        capsys, "decide", "--batch", "biased", "--accept-partial", "--exclude-flagged", "--by", "dana",
        "--note", "h4 out", "--override-reason", "h4 clicks the first response", "--json", "--db", db,
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert d["excluded"] == ["h4"] and d["exclude_flagged"] is True
    assert "position_bias_annotators" in d["exclusion_reasons"][0]["reason"]
    doc = verdict(capsys, db, "biased")
    assert [f["annotator_id"] for f in flagged_annotators(json.loads(run(capsys, "report", "--batch", "biased",
            "--json", "--db", db)[1]))] == ["h4"]  # fmt: skip
    assert doc["decision"]["excluded"] == ["h4"]


def test_append_only_supersede_and_check_json_carries_the_decision(batches, capsys):
    db = batches
    assert verdict(capsys, db, "good")["decision"] is None
    base = ["--by", "dana", "--note", "n", "--db", db]
    assert run(capsys, "decide", "--batch", "good", "--accept", *base)[0] == 0
    assert run(capsys, "decide", "--batch", "good", "--reject", *base, "--override-reason", "client cancelled")[0] == 0
    with open_store(db, read_only=True) as s:
        h = history(s, "good")
    assert [d.decision for d in h] == ["accept", "reject"]
    assert h[1].supersedes == h[0].decision_id
    cur = verdict(capsys, db, "good")["decision"]
    assert cur["decision_id"] == h[1].decision_id and cur["decision"] == "reject" and cur["in_force"]
    code, out, _ = run(capsys, "check", "--batch", "good", "--db", db)
    assert "decision of record: reject by dana" in out


def test_no_query_edits_or_deletes_a_decision():
    for p in QUERIES_DIR.rglob("*.sql"):
        text = p.read_text().upper()
        assert not ("DECISIONS" in text and ("UPDATE " in text or "DELETE " in text)), p


def test_a_decided_batch_is_protected_until_reopened(batches, tmp_path, capsys):
    db = batches
    extra = write_jsonl(tmp_path / "more.jsonl", batch_rows("more", n_comparisons=5, seed=99))
    assert run(capsys, "decide", "--batch", "good", "--accept", "--by", "dana", "--note", "n", "--db", db)[0] == 0
    with open_store(db, read_only=True) as s:
        before = s.first("overview/counts_pairwise", {"batch_id": "good"})
    for mode in ("--append", "--replace"):
        code, _, err = run(capsys, "ingest", extra, "--batch", "good", mode, "--db", db)
        assert code == 4 and "has a decision in force" in err and "--reopen" in err
    code, _, err = run(capsys, "judge", "--batch", "good", "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
                       "--db", db)  # fmt: skip
    assert code == 4 and "a judge run would change" in err
    with open_store(db, read_only=True) as s:
        assert s.first("overview/counts_pairwise", {"batch_id": "good"}) == before
    # the same file again is not a change
    assert run(capsys, "ingest", tmp_path / "good.jsonl", "--batch", "good", "--db", db)[0] == 0
    assert (
        run(capsys, "decide", "--batch", "good", "--reopen", "--by", "dana", "--note", "more data", "--db", db)[0] == 0
    )
    assert run(capsys, "ingest", extra, "--batch", "good", "--append", "--db", db)[0] == 0


def test_the_evidence_pack_names_the_decision_and_the_excluded_annotators(batches, tmp_path, capsys):
    db = batches
    run(capsys, "decide", "--batch", "biased", "--accept-partial", "--exclude-flagged", "--by", "dana",
        "--note", "h4 <b>out</b>", "--override-reason", "h4 clicks first", "--db", db)  # fmt: skip
    html = tmp_path / "pack.html"
    ev = tmp_path / "ev"
    assert run(capsys, "report", "--batch", "biased", "--html", html, "--evidence", ev, "--db", db)[0] == 0
    text = html.read_text()
    assert 'id="decision"' in text and "Decision of record" in text
    assert "<b>accept_partial</b> by dana" in text and "h4 &lt;b&gt;out&lt;/b&gt;" in text
    assert "position_bias_annotators" in text
    rows = (ev / "decision_exclusions.csv").read_text().splitlines()
    assert rows[0].startswith("annotator_id,reason,n_verdicts") and rows[1].startswith("h4,")


def test_check_says_whether_the_decision_was_taken_on_the_report_it_judges(batches, tmp_path, capsys):
    db = batches
    assert run(capsys, "decide", "--batch", "good", "--accept", "--by", "dana", "--note", "n", "--db", db)[0] == 0
    d = verdict(capsys, db, "good")["decision"]
    assert d["report_is_current"] is True
    code, out, _ = run(capsys, "check", "--batch", "good", "--db", db)
    assert "decision of record: accept by dana" in out and "taken on this report" in out
    # another gate file is another report: the decision was not taken on it, and check says so
    gates = tmp_path / "strict.toml"
    text = (REPO / "qualitylab" / "gates" / "defaults.toml").read_text().replace("threshold = 0.2", "threshold = 0.25")
    gates.write_text(text)
    code, out, _ = run(capsys, "check", "--batch", "good", "--json", "--gates", gates, "--db", db)
    assert json.loads(out)["decision"]["report_is_current"] is False
    code, out, _ = run(capsys, "check", "--batch", "good", "--gates", gates, "--db", db)
    assert "not on this one" in out and d["report_sha256"] in out


def test_an_earlier_delivery_cannot_change_a_decided_later_batch(tmp_path, db, capsys):
    """A decided batch's report reads its vendor's earlier batches (re-delivered items, week-over-week tests):
    a backdated delivery or a change to an earlier batch is refused (exit 4, nothing stored) until it is
    reopened; a later delivery, or another vendor's, is not."""
    files = {n: write_jsonl(tmp_path / f"{n}.jsonl", batch_rows(n, n_comparisons=20, seed=i)) for i, n in
             enumerate(("w1", "w2", "x", "y"))}  # fmt: skip
    for name, day in (("w1", "2026-10-05"), ("w2", "2026-10-12")):
        assert run(capsys, "ingest", files[name], "--batch", name, "--vendor", "acme", "--delivered", day,
                   "--db", db)[0] == 0  # fmt: skip
    base = ["--by", "dana", "--note", "n", "--override-reason", "small batch", "--db", db]
    assert run(capsys, "decide", "--batch", "w2", "--accept", *base)[0] == 0
    code, _, err = run(capsys, "ingest", files["x"], "--batch", "back", "--vendor", "acme", "--delivered",
                       "2026-10-01", "--db", db)  # fmt: skip
    assert code == 4 and "batch 'w2' (delivered 2026-10-12)" in err and "as an earlier delivery" in err, err
    with open_store(db, read_only=True) as s:
        assert not s.batch_exists("back")
    code, _, err = run(capsys, "ingest", files["x"], "--batch", "w1", "--append", "--db", db)
    assert code == 4 and "A later batch is decided" in err
    assert run(capsys, "ingest", files["x"], "--batch", "other", "--vendor", "zeta", "--delivered", "2026-10-01",
               "--db", db)[0] == 0  # fmt: skip
    assert run(capsys, "ingest", files["y"], "--batch", "w3", "--vendor", "acme", "--delivered", "2026-10-19",
               "--db", db)[0] == 0  # fmt: skip
    assert run(capsys, "decide", "--batch", "w2", "--reopen", "--by", "dana", "--note", "w1 grows", "--db", db)[0] == 0
    assert run(capsys, "ingest", files["x"], "--batch", "w1", "--append", "--db", db)[0] == 0
