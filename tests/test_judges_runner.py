"""The judge runner against a small OpenAI-compatible server started on 127.0.0.1 by the test.

The fake judges are asymmetric on purpose: one always prefers the longer response wherever it is
shown (so its verdicts in both orders agree only if the runner maps the swapped verdict back), one
always says [[A]] (the first slot: position consistency 0, p_first 1).
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import write_jsonl

from qualitylab.cli import main
from qualitylab.ingest import ingest
from qualitylab.judges.client import Endpoint
from qualitylab.judges.runner import JudgeError, RunOptions, run_judge
from qualitylab.judges.template import load_template
from qualitylab.store import open_store

KEY = "sk-test-DO-NOT-STORE-0123456789"
_RESP = re.compile(
    r"\[The Start of Assistant A's Response\]\n(.*?)\n\[The End of Assistant A's Response\].*?"
    r"\[The Start of Assistant B's Response\]\n(.*?)\n\[The End of Assistant B's Response\]",
    re.S,
)
_PROMETHEUS_RESP = re.compile(r"###Response A:\n(.*?)\n\n###Response B:\n(.*?)\n\n###", re.S)


class FakeJudge:
    """Behaviour of the fake endpoint; ``calls`` counts requests per (displayed A, displayed B)."""

    def __init__(self, behaviour: str):
        self.behaviour = behaviour
        self.calls: dict[tuple[str, str], int] = {}
        self.auth: list[str | None] = []
        self.prompts: list[list[dict]] = []  # every request's messages
        self.lock = threading.Lock()

    def answer(self, messages: list[dict], auth: str | None) -> tuple[int, dict | str, float]:
        user = messages[-1]["content"]
        m = _RESP.search(user) or _PROMETHEUS_RESP.search(user)
        with self.lock:
            self.auth.append(auth)
            self.prompts.append(messages)
            key = (m.group(1), m.group(2)) if m else (user, "")
            n = self.calls[key] = self.calls.get(key, 0) + 1
        first, second = key
        b = self.behaviour
        if b == "longer":
            text = "Longer is better. " + ("[[A]]" if len(first) > len(second) else "[[B]]")
        elif b == "first":
            text = "The first one. [[A]]"
        elif b == "five-way":
            text = "Verdict: [[A>>B]]" if len(first) > len(second) else "Verdict: [[B>A]]"
        elif b == "malformed":
            text = (
                "Both are fine, I cannot choose."
                if "short" in first + second
                else "[[A]] no wait [[B]]"
                if "medium" in first + second
                else "[[C]]"
            )
        elif b == "flaky":  # 500 then 429 then the answer, for every distinct prompt
            if n == 1:
                return 500, f"internal error (auth was {auth})", 0
            if n == 2:
                return 429, "slow down", 0
            text = "[[C]]"
        elif b == "slow-first":  # the first attempt for each prompt times out
            if n == 1:
                return 200, {"choices": [{"message": {"content": "[[C]]"}}]}, 1.0
            text = "[[C]]"
        elif b == "unauthorised":
            return 401, f"bad key {auth}", 0
        elif b == "single":
            text = f"Rating: [[{min(10, len(user) % 10 + 1)}]]"
        elif b == "never-a-verdict":
            text = "I would rather not say."
        elif b == "prometheus-relative":  # Prometheus 2's relative format, preferring the longer response
            text = "Feedback: Response A is ... [RESULT] " + ("A" if len(first) > len(second) else "B")
        elif b == "prometheus-absolute":
            text = f"Feedback: the response is fine. [RESULT] {len(user) % 5 + 1}"
        else:
            raise AssertionError(b)
        return (
            200,
            {
                "choices": [{"message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 10},
            },
            0,
        )


@pytest.fixture
def server():
    """Start a fake endpoint; yields a function behaviour -> (base_url, FakeJudge)."""
    servers = []

    def start(behaviour: str):
        judge = FakeJudge(behaviour)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                assert self.path == "/v1/chat/completions"
                status, payload, delay = judge.answer(body["messages"], self.headers.get("Authorization"))
                if delay:
                    threading.Event().wait(delay)
                data = (json.dumps(payload) if isinstance(payload, dict) else payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/v1", judge

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


# Four comparisons; in each the longer response is named in the id. Three humans per comparison.
TEXTS = {
    "c1": ("a short one", "a much much longer response with many words in it"),
    "c2": ("a medium response that is longer", "tiny"),
    "c3": ("x", "a long long long response"),
    "c4": ("the longest response of them all, by far", "mid"),
}


def _batch(tmp_path, db, name="b1"):
    rows = []
    for cid, (ra, rb) in TEXTS.items():
        longer = "A" if len(ra) > len(rb) else "B"
        for h in ("h1", "h2", "h3"):
            rows.append(
                {
                    "comparison_id": cid,
                    "annotator_id": h,
                    "preference": longer,
                    "prompt": f"question {cid}",
                    "response_a": ra,
                    "response_b": rb,
                    "shown_first": "A",
                }
            )
    ingest(write_jsonl(tmp_path / "b.jsonl", rows), name, db=db)
    return name


def _run(db, base, behaviour_opts=None, **kw):
    template = load_template(kw.pop("prompt", None), "single" if kw.get("mode") == "single" else "pairwise")
    ep = Endpoint(
        base,
        kw.pop("model", "fake-judge"),
        kw.pop("api_key", None),
        timeout=kw.pop("timeout", 5),
        max_retries=kw.pop("max_retries", 3),
        backoff=0.01,
    )
    with open_store(db) as store:
        return run_judge(store, "b1", ep, template, RunOptions(**kw))


def _verdicts(db, annotator="fake-judge"):
    with open_store(db, read_only=True) as s:
        return s.con.execute(
            "SELECT comparison_id, shown_first, preference, strength FROM verdicts "
            "WHERE annotator_id = ? ORDER BY 1, 2",
            [annotator],
        ).fetchall()


def _longer(cid):
    ra, rb = TEXTS[cid]
    return "A" if len(ra) > len(rb) else "B"


def test_swap_is_mapped_back_a_judge_preferring_the_longer_response_agrees_with_itself(tmp_path, db, server):
    _batch(tmp_path, db)
    base, judge = server("longer")
    res = _run(db, base, both_orders=True, concurrency=3)
    assert (res.n_tasks, res.n_parsed, res.n_unparsed, res.n_failed, res.n_stored) == (8, 8, 0, 0, 8)
    got = _verdicts(db)
    # in both orders the verdict names the longer response in the ORIGINAL labelling
    assert got == [(cid, o, _longer(cid), None) for cid in sorted(TEXTS) for o in ("A", "B")]
    # and the prompt really showed response_b first in the swapped order
    assert (TEXTS["c1"][1], TEXTS["c1"][0]) in judge.calls and (TEXTS["c1"][0], TEXTS["c1"][1]) in judge.calls


def test_first_slot_judge_is_inconsistent_in_every_comparison(tmp_path, db, server):
    _batch(tmp_path, db)
    base, _ = server("first")
    _run(db, base, both_orders=True)
    got = _verdicts(db)
    # says [[A]] every time: original A when A was shown first, original B when B was shown first
    assert got == [(cid, o, o, None) for cid in sorted(TEXTS) for o in ("A", "B")]


def test_five_way_verdicts_give_preference_and_strength(tmp_path, db, server):
    _batch(tmp_path, db)
    base, _ = server("five-way")
    res = _run(db, base, prompt="pairwise-5way", both_orders=True)
    assert res.annotator_id.startswith("fake-judge@")
    got = _verdicts(db, res.annotator_id)
    # the longer response shown first -> [[A>>B]] (strength 3); shown second -> [[B>A]] (strength 1)
    for cid, order, pref, strength in got:
        assert pref == _longer(cid)
        assert strength == (3 if order == _longer(cid) else 1)


def test_malformed_outputs_are_stored_unparsed_and_counted_never_guessed(tmp_path, db, server):
    _batch(tmp_path, db)
    base, _ = server("malformed")
    res = _run(db, base)
    # c1 has 'short' -> no token; c2 'medium' -> conflicting tokens; c3, c4 -> [[C]]
    assert (res.n_parsed, res.n_unparsed, res.n_stored) == (2, 2, 2)
    with open_store(db, read_only=True) as s:
        rows = s.con.execute(
            "SELECT item_id, parsed, parse_problem, preference, raw_output FROM judge_calls ORDER BY item_id"
        ).fetchall()
    assert rows[0][:2] == ("c1", False) and rows[0][2].startswith("no verdict token") and rows[0][3] is None
    assert rows[1][:2] == ("c2", False) and "conflicting" in rows[1][2] and rows[1][4] == "[[A]] no wait [[B]]"
    assert [r[3] for r in rows[2:]] == ["tie", "tie"]
    assert _verdicts(db) == [("c3", "A", "tie", None), ("c4", "A", "tie", None)]


def test_http_500_and_429_are_retried_with_backoff(tmp_path, db, server):
    _batch(tmp_path, db)
    base, judge = server("flaky")
    res = _run(db, base, max_retries=3)
    assert (res.n_parsed, res.n_failed) == (4, 0)
    assert set(judge.calls.values()) == {3}
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT DISTINCT attempts FROM judge_calls").fetchall() == [(3,)]


def test_retries_exhausted_fail_with_exit_7_and_a_rerun_fills_only_the_gaps(tmp_path, db, server):
    _batch(tmp_path, db)
    base, judge = server("flaky")
    with pytest.raises(JudgeError) as e:
        _run(db, base, max_retries=0)  # one attempt: every call gets the 500
    assert e.value.exit_code == 7
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT count(*) FROM judge_calls WHERE error LIKE '%HTTP 500%'").fetchall() == [(4,)]
    with pytest.raises(JudgeError):
        _run(db, base, max_retries=0)  # second attempt of each prompt: 429
    res = _run(db, base, max_retries=0)  # third: answered
    assert (res.n_tasks, res.n_parsed, res.n_failed, res.n_stored) == (4, 4, 0, 4)


def test_timeouts_are_retried(tmp_path, db, server):
    _batch(tmp_path, db)
    base, judge = server("slow-first")
    res = _run(db, base, timeout=0.3, max_retries=2)
    assert (res.n_parsed, res.n_failed) == (4, 0)
    assert min(judge.calls.values()) >= 2


def test_rerun_uses_the_cache_and_adding_the_second_order_calls_only_that(tmp_path, db, server):
    _batch(tmp_path, db)
    base, judge = server("longer")
    first = _run(db, base)
    assert first.n_tasks == 4 and sum(judge.calls.values()) == 4
    again = _run(db, base)
    assert again.n_tasks == 0 and sum(judge.calls.values()) == 4 and again.n_stored == 4
    both = _run(db, base, both_orders=True)
    assert both.n_tasks == 4 and sum(judge.calls.values()) == 8 and both.n_stored == 8
    with open_store(db, read_only=True) as s:
        files = s.con.execute(
            "SELECT kind, format, n_rows, n_stored, sha256 FROM files WHERE format = 'judge-run'"
        ).fetchall()
        assert files == [("pairwise", "judge-run", 8, 8, load_template(None, "pairwise").sha256)]
        assert s.con.execute("SELECT count(*) FROM verdicts WHERE annotator_kind = 'judge'").fetchall() == [(8,)]


def test_the_key_is_sent_but_never_stored_or_printed(tmp_path, db, server, monkeypatch, capsys):
    _batch(tmp_path, db)
    base, judge = server("flaky")  # its 500 body echoes the Authorization header
    monkeypatch.setenv("QUALITYLAB_API_KEY", KEY)
    argv = [
        "judge",
        "--batch",
        "b1",
        "--model",
        "fake-judge",
        "--base-url",
        base,
        "--max-retries",
        "0",
        "--backoff",
        "0",
        "--db",
        str(db),
    ]
    assert main(argv) == 7
    with open_store(db, read_only=True) as s:  # the stored errors carry the echo, redacted
        errors = [r[0] for r in s.con.execute("SELECT error FROM judge_calls").fetchall()]
    assert len(errors) == 4 and all("auth was Bearer ***" in e and KEY not in e for e in errors)
    assert main(argv) == 7
    assert main(argv) == 0
    assert judge.auth and all(a == f"Bearer {KEY}" for a in judge.auth)
    out = capsys.readouterr()
    assert KEY not in out.out + out.err
    for p in tmp_path.rglob("*"):
        if p.is_file():
            assert KEY.encode() not in p.read_bytes(), p


def test_unauthorised_stops_the_run_with_exit_7(tmp_path, db, server, monkeypatch, capsys):
    _batch(tmp_path, db)
    base, _ = server("unauthorised")
    monkeypatch.setenv("QUALITYLAB_API_KEY", KEY)
    assert main(["judge", "--batch", "b1", "--model", "m", "--base-url", base, "--db", str(db)]) == 7
    err = capsys.readouterr().err
    assert "HTTP 401" in err and KEY not in err


def test_single_answer_grading_stores_judge_ratings(tmp_path, db, server):
    _batch(tmp_path, db)
    base, _ = server("single")
    res = _run(db, base, mode="single", aspect="helpfulness")
    assert (res.n_tasks, res.n_parsed, res.n_stored) == (8, 8, 8)
    with open_store(db, read_only=True) as s:
        rows = s.con.execute(
            "SELECT item_id, annotator_kind, aspect, score, len_chars FROM ratings ORDER BY 1"
        ).fetchall()
    assert [r[0] for r in rows] == [f"{c}/{x}" for c in sorted(TEXTS) for x in "AB"]
    assert all(r[1] == "judge" and r[2] == "helpfulness" and 1 <= r[3] <= 10 for r in rows)
    assert rows[0][4] == len(TEXTS["c1"][0])


def test_cli_judge_end_to_end(tmp_path, db, server, capsys):
    _batch(tmp_path, db)
    base, _ = server("longer")
    assert (
        main(
            [
                "judge",
                "--batch",
                "b1",
                "--model",
                "fake-judge",
                "--base-url",
                base,
                "--both-orders",
                "--concurrency",
                "2",
                "--price",
                "0.5",
                "--db",
                str(db),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "8 parsed" in out and "estimated cost $0.4400" in out  # 8 x (100 x 0.5 + 10 x 0.5) / 1000


def _judge_report(db, annotator="fake-judge"):
    from qualitylab.report import build_report

    with open_store(db, read_only=True) as s:
        return build_report(s, "b1", sections=["judges"], n_boot=100)["judges"][annotator]


def test_report_on_the_runs_first_slot_judge_is_never_consistent(tmp_path, db, server):
    _batch(tmp_path, db)
    base, _ = server("first")
    _run(db, base, both_orders=True)
    j = _judge_report(db)
    assert j["position_consistency"]["value"] == 0 and j["position_consistency"]["n"] == 4
    assert j["p_biased_first"]["value"] == 1
    assert j["p_first"]["value"] == 1 and j["preferred_slot"] == "first"
    assert j["accuracy_vs_majority"]["value"] == 0.5  # right exactly when the longer one is shown first


def test_report_on_the_runs_longer_judge_is_consistent_and_agrees(tmp_path, db, server):
    _batch(tmp_path, db)
    base, _ = server("longer")
    _run(db, base, both_orders=True)
    j = _judge_report(db)
    assert j["position_consistency"]["value"] == 1 and j["p_first"]["value"] == 0.5
    assert j["accuracy_vs_majority"]["value"] == 1 and j["p_prefer_longer"]["value"] == 1
    assert j["unparsed"]["n_unparsed_runner"] == 0


def test_report_counts_the_runs_unparsed_outputs(tmp_path, db, server):
    _batch(tmp_path, db)
    base, _ = server("malformed")
    _run(db, base)
    u = _judge_report(db)["unparsed"]
    assert (u["n_unparsed_runner"], u["n_unparsed"], u["n_failed_calls"]) == (2, 2, 0)
    assert u["p_unparsed"]["value"] == 0.5


def test_single_grading_grades_the_batchs_rated_items_beside_the_human_ratings(tmp_path, db, server):
    from scipy.stats import spearmanr

    rows = [
        {
            "item_id": f"i{k}",
            "annotator_id": h,
            "score": 2 + (k * (2 + i)) % 5,
            "prompt": "q",
            "response": "r" * (3 * k + 1),
            "aspect": "helpfulness",
        }
        for k in range(8)
        for i, h in enumerate(("h1", "h2"))
    ]
    ingest(write_jsonl(tmp_path / "r.jsonl", rows), "b1", db=db, kind="rating")
    base, _ = server("single")
    res = _run(db, base, mode="single", aspect="helpfulness", scale=(1, 10))
    assert (res.n_tasks, res.n_stored) == (8, 8)
    with open_store(db, read_only=True) as s:
        got = s.con.execute(
            "SELECT annotator_kind, count(DISTINCT item_id), min(aspect) FROM ratings GROUP BY 1 ORDER BY 1"
        ).fetchall()
        pairs = s.con.execute(
            "SELECT avg(score) FILTER (WHERE annotator_kind = 'judge'), "
            "avg(score) FILTER (WHERE annotator_kind = 'human') FROM ratings "
            "GROUP BY item_id ORDER BY item_id"
        ).fetchall()
    assert got == [("human", 8, "helpfulness"), ("judge", 8, "helpfulness")]
    # the report compares them: a rating-only judge still gets its judges.<id> entry
    r = _judge_report(db)["ratings"]["helpfulness"]
    j, h = zip(*pairs, strict=True)
    assert r["n_items"] == 8
    assert r["spearman"]["value"] == pytest.approx(spearmanr(j, h).statistic)
    assert r["mean_difference"]["value"] == pytest.approx(sum(j) / 8 - sum(h) / 8)
    assert r["mean_difference"]["ci95_low"] < r["mean_difference"]["value"] < r["mean_difference"]["ci95_high"]


def test_progress_bar_draws_on_its_stream():
    import io

    from qualitylab.judges.runner import progress_bar

    out = io.StringIO()
    show = progress_bar(out)
    show(4, 4, {"unparsed": 1, "failed": 0})
    assert "[" + "#" * 30 + "] 4/4 calls  1 unparsed  0 failed" in out.getvalue()


def test_judge_command_has_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["judge", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for flag in (
        "--batch",
        "--model",
        "--base-url",
        "--prompt",
        "--both-orders",
        "--concurrency",
        "--price",
        "--single",
    ):
        assert flag in out


def test_five_way_verdicts_store_their_soft_preference(tmp_path, db, server):
    """Issue 14 item 12: the 5-way scale as P(B preferred) in the ORIGINAL labelling: A>>B 0, A>B 0.25,
    A=B 0.5, B>A 0.75, B>>A 1 (mapped back through the order shown, like the preference)."""
    _batch(tmp_path, db)
    base, _ = server("five-way")
    res = _run(db, base, prompt="pairwise-5way", both_orders=True)
    with open_store(db, read_only=True) as s:
        got = s.con.execute(
            "SELECT comparison_id, shown_first, preference, strength, preference_soft FROM verdicts "
            "WHERE annotator_id = ? ORDER BY 1, 2",
            [res.annotator_id],
        ).fetchall()
    assert len(got) == 8
    expected = {("A", 3): 0.0, ("A", 1): 0.25, ("B", 1): 0.75, ("B", 3): 1.0}
    for cid, order, pref, strength, soft in got:
        assert soft == expected[(pref, strength)], (cid, order)
