"""The judge runner against hostile or broken endpoints, and its cache across --replace (issue 13
items 3, 6, 7, 14). Every endpoint is a small HTTP server on 127.0.0.1 started by the test; each test
gives it a handler that writes whatever reply (or non-reply) the case needs.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import write_jsonl

from qualitylab.cli import main
from qualitylab.errors import UsageError
from qualitylab.ingest import ingest
from qualitylab.judges.client import Endpoint, Redactor, check_api_key
from qualitylab.judges.runner import JudgeError, RunOptions, run_judge
from qualitylab.judges.template import load_template
from qualitylab.store import open_store

KEY = "sk-test-hostile-0123456789abcdefghijklmnopqrstuvwxyz"
_RESP = re.compile(
    r"\[The Start of Assistant A's Response\]\n(.*?)\n\[The End of Assistant A's Response\].*?"
    r"\[The Start of Assistant B's Response\]\n(.*?)\n\[The End of Assistant B's Response\]",
    re.S,
)


def completion(text: str, usage=None) -> bytes:
    body = {"choices": [{"message": {"role": "assistant", "content": text}}]}
    body["usage"] = {"prompt_tokens": 100, "completion_tokens": 10} if usage is None else usage
    return json.dumps(body).encode()


def longer_verdict(messages) -> str:
    """[[A]] when the response shown first is the longer one, else [[B]]."""
    m = _RESP.search(messages[-1]["content"])
    return "[[A]]" if len(m.group(1)) > len(m.group(2)) else "[[B]]"


class Server:
    """A local endpoint; ``handle(req, body)`` writes the reply. Records every request it sees."""

    def __init__(self, handle):
        self.handle = handle
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                body = json.loads(raw) if raw else None
                with server.lock:
                    server.requests.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "auth": self.headers.get("Authorization"),
                            "body": body,
                        }
                    )
                try:
                    server.handle(self, body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_GET = _any

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(req, status=200, body=b"", headers=()):
    req.send_response(status)
    req.send_header("Content-Type", "application/json")
    req.send_header("Content-Length", str(len(body)))
    for k, v in headers:
        req.send_header(k, v)
    req.end_headers()
    req.wfile.write(body)


@pytest.fixture
def serve():
    started = []

    def start(handle):
        s = Server(handle)
        started.append(s)
        return s

    yield start
    for s in started:
        s.close()


TEXTS = {
    "c1": ("a short one", "a much much longer response with many words in it"),
    "c2": ("a medium response that is longer", "tiny"),
    "c3": ("x", "a long long long response"),
    "c4": ("the longest response of them all, by far", "mid"),
}


def write_batch(path, texts=TEXTS):
    rows = []
    for cid, (ra, rb) in texts.items():
        for h in ("h1", "h2", "h3"):
            rows.append(
                {
                    "comparison_id": cid,
                    "annotator_id": h,
                    "preference": "A" if len(ra) > len(rb) else "B",
                    "prompt": f"question {cid}",
                    "response_a": ra,
                    "response_b": rb,
                    "shown_first": "A",
                }
            )
    return write_jsonl(path, rows)


def run(db, base, *, api_key=None, timeout=5.0, max_retries=0, both_orders=False, **ep):
    endpoint = Endpoint(base, "fake-judge", api_key, timeout=timeout, max_retries=max_retries, backoff=0.01, **ep)
    with open_store(db) as store:
        return run_judge(store, "b1", endpoint, load_template(None, "pairwise"), RunOptions(both_orders=both_orders))


def judge_rows(db):
    with open_store(db, read_only=True) as s:
        return s.con.execute(
            "SELECT comparison_id, shown_first, preference, response_a FROM verdicts "
            "WHERE annotator_kind = 'judge' ORDER BY 1, 2"
        ).fetchall()


def everything_stored(db) -> str:
    with open_store(db, read_only=True) as s:
        rows = s.con.execute("SELECT * FROM judge_calls").fetchall()
        files = s.con.execute("SELECT * FROM files").fetchall()
    return repr(rows) + repr(files)


# -- item 3: the cache is keyed by what was sent --------------------------------------------------


def longer_judge(req, body):
    reply(req, body=completion(longer_verdict(body["messages"])))


def test_replace_then_rerun_judges_the_new_texts_and_reuses_only_unchanged_calls(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    s = serve(longer_judge)
    first = run(db, s.base + "/v1")
    assert first.n_tasks == 4 and len(s.requests) == 4
    # the vendor redelivers: c1's two responses are now the other way round in length
    new = dict(TEXTS, c1=("now the first response is clearly the longer of the two", "short"))
    res = ingest(write_batch(tmp_path / "v2.jsonl", new), "b1", db=db, mode="replace")
    # --replace removes the judge run computed on the replaced texts (and says so); the cache stays
    assert res.removed_judge_runs and "removed 1 judge run(s)" in res.summary()
    assert judge_rows(db) == []
    with open_store(db, read_only=True) as st:
        assert st.con.execute("SELECT count(*), count(file_id) FROM judge_calls").fetchall() == [(4, 0)]
        assert st.con.execute("SELECT count(*) FROM files WHERE format = 'judge-run'").fetchall() == [(0,)]
    again = run(db, s.base + "/v1")
    # only c1 was asked again (its messages changed); c2..c4 came from the cache
    assert again.n_tasks == 1 and len(s.requests) == 5 and again.n_stored == 4
    assert "now the first response" in s.requests[-1]["body"]["messages"][-1]["content"]
    got = {cid: (pref, ra) for cid, _, pref, ra in judge_rows(db)}
    assert got["c1"] == ("A", new["c1"][0])  # the verdict on the NEW texts, beside the new texts
    assert got["c3"] == ("B", TEXTS["c3"][0])
    with open_store(db, read_only=True) as st:  # the old c1 call is kept but backs nothing
        assert st.con.execute(
            "SELECT count(*) FILTER (WHERE file_id IS NULL), count(*) FROM judge_calls WHERE item_id = 'c1'"
        ).fetchall() == [(1, 2)]
    assert (again.n_calls, again.n_parsed) == (4, 4)


def test_what_is_sent_is_the_key_url_form_and_api_key_are_not(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    s = serve(longer_judge)
    assert run(db, s.base + "/v1", api_key="key-one-aaaaaaaaaaaa").n_tasks == 4
    # the same endpoint written without /v1, another key: the same requests, all cached
    assert run(db, s.base, api_key="key-two-bbbbbbbbbbbb").n_tasks == 0
    # another sampling parameter is another request
    assert run(db, s.base, max_tokens=100).n_tasks == 4
    assert run(db, s.base, temperature=0.5).n_tasks == 4
    assert len(s.requests) == 12
    # another endpoint is another request, even with the same model name
    s2 = serve(longer_judge)
    assert run(db, s2.base).n_tasks == 4
    ep = Endpoint(s.base, "m")
    msgs = [{"role": "user", "content": "q"}]
    assert ep.call_sha256(msgs) == Endpoint(s.base + "/v1/", "m", "other-key-cccccccccc").call_sha256(msgs)
    assert ep.call_sha256(msgs) != Endpoint(s.base, "m2").call_sha256(msgs)
    assert re.fullmatch(r"[0-9a-f]{64}", ep.call_sha256(msgs))


def test_replace_of_ratings_keeps_a_pairwise_judge_run(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    ratings = [{"item_id": "i1", "annotator_id": "h1", "score": 3, "response": "r"}]
    ingest(write_jsonl(tmp_path / "r1.jsonl", ratings), "b1", db=db, kind="rating")
    s = serve(longer_judge)
    run(db, s.base)
    res = ingest(write_jsonl(tmp_path / "r2.jsonl", [dict(ratings[0], score=4)]), "b1", db=db, mode="replace")
    assert res.removed_judge_runs == () and len(judge_rows(db)) == 4


def test_replace_of_the_comparisons_removes_a_single_answer_run_that_graded_them(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    s = serve(lambda req, body: reply(req, body=completion("Rating: [[7]]")))
    endpoint = Endpoint(s.base, "fake-judge", timeout=5, max_retries=0)
    with open_store(db) as store:
        first = run_judge(store, "b1", endpoint, load_template(None, "single"), RunOptions(mode="single"))
    assert first.n_stored == 8  # each response of each comparison
    new = dict(TEXTS, c2=("a changed response", "tiny"))
    res = ingest(write_batch(tmp_path / "v2.jsonl", new), "b1", db=db, mode="replace")
    assert len(res.removed_judge_runs) == 1 and res.removed_judge_runs[0].startswith("judge-run single")
    with open_store(db, read_only=True) as st:
        assert st.con.execute("SELECT count(*) FROM ratings WHERE annotator_kind = 'judge'").fetchall() == [(0,)]
    with open_store(db) as store:
        again = run_judge(store, "b1", endpoint, load_template(None, "single"), RunOptions(mode="single"))
    assert again.n_tasks == 1 and again.n_stored == 8  # only c2's response A was graded again


# -- item 6: redirects ----------------------------------------------------------------------------


def test_a_redirect_to_another_origin_is_refused_and_the_key_never_leaves(tmp_path, db, serve, monkeypatch, capsys):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    evil = serve(lambda req, body: reply(req, body=completion("[[A]]")))  # would answer anything
    s = serve(lambda req, body: reply(req, 302, b"", [("Location", evil.base + "/v1/chat/completions")]))
    monkeypatch.setenv("QUALITYLAB_API_KEY", KEY)
    rc = main(["judge", "--batch", "b1", "--model", "m", "--base-url", s.base, "--db", str(db), "--max-retries", "0"])
    err = capsys.readouterr().err
    assert rc == 7 and "redirect to another origin" in err and "not followed" in err
    assert evil.requests == []  # nothing, and no key, reached the other host
    assert s.requests and all(r["auth"] == f"Bearer {KEY}" for r in s.requests)
    assert judge_rows(db) == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_that_cannot_keep_the_request_are_refused(tmp_path, db, serve, status):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    other = serve(longer_judge)
    s = serve(lambda req, body: reply(req, status, b"", [("Location", other.base + "/v1/chat/completions")]))
    with pytest.raises(JudgeError, match="not followed"):
        run(db, s.base)
    assert other.requests == []


def test_a_same_origin_307_keeps_the_post_and_is_followed(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)

    def handle(req, body):
        if req.path == "/v1/chat/completions":
            reply(req, 307, b"", [("Location", "/v2/chat/completions")])
        else:
            longer_judge(req, body)

    s = serve(handle)
    res = run(db, s.base, api_key=KEY)
    assert res.n_parsed == 4
    moved = [r for r in s.requests if r["path"] == "/v2/chat/completions"]
    assert len(moved) == 4 and all(r["method"] == "POST" and r["body"]["messages"] for r in moved)


def test_a_same_origin_302_is_refused_it_would_drop_the_messages(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    s = serve(lambda req, body: reply(req, 302, b"", [("Location", "/elsewhere")]))
    with pytest.raises(JudgeError, match="POST into a GET"):
        run(db, s.base)
    assert all(r["method"] == "POST" for r in s.requests)


# -- item 7: the key is never stored or printed, in any form ------------------------------------


def _forms(key):
    return {
        "raw": key,
        "repr": repr(key)[1:-1],
        "json": json.dumps(key)[1:-1],
        "url": urllib.parse.quote(key, safe=""),
        "half": key[: len(key) // 2],
        "tail": key[len(key) // 2 :],
    }


def test_error_bodies_are_redacted_before_they_are_cut(tmp_path, db, serve, monkeypatch, capsys):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)

    # the key starts at character 280 of the error body: a cut at 300 before redaction kept 20 of it
    def handle(req, body):
        echo = (
            "x" * 280
            + req.headers["Authorization"].removeprefix("Bearer ")
            + " "
            + json.dumps({"k": req.headers["Authorization"]})
            + " "
            + urllib.parse.quote(req.headers["Authorization"])
        )
        reply(req, 400, echo.encode())

    serve_ = serve(handle)
    monkeypatch.setenv("QUALITYLAB_API_KEY", KEY)
    argv = ["judge", "--batch", "b1", "--model", "m", "--base-url", serve_.base, "--db", str(db), "--max-retries", "0"]
    assert main(argv) == 7
    out = capsys.readouterr()
    stored = everything_stored(db)
    for name, form in _forms(KEY).items():
        assert form not in stored, name
        assert form not in out.err + out.out, name
    with open_store(db, read_only=True) as s:
        errors = [r[0] for r in s.con.execute("SELECT error FROM judge_calls").fetchall()]
    assert len(errors) == 4 and all(e.startswith("HTTP 400: " + "x" * 280 + "***") for e in errors)


def test_a_key_with_a_trailing_newline_is_stripped_and_never_stored(tmp_path, db, serve, monkeypatch, capsys):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    s = serve(longer_judge)
    monkeypatch.setenv("QUALITYLAB_API_KEY", KEY + "\n")
    assert main(["judge", "--batch", "b1", "--model", "m", "--base-url", s.base, "--db", str(db)]) == 0
    assert {r["auth"] for r in s.requests} == {f"Bearer {KEY}"}  # sent without the newline
    stored = everything_stored(db)
    assert KEY not in stored and repr(KEY + "\n")[1:-1] not in stored


@pytest.mark.parametrize("bad", [KEY[:10] + " " + KEY[10:], KEY + "\x1b", "sk-ünïcode-key-123456", KEY[:5] + "\nX"])
def test_a_key_that_cannot_be_a_header_is_refused_without_showing_it(tmp_path, db, serve, monkeypatch, capsys, bad):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    s = serve(longer_judge)
    monkeypatch.setenv("QUALITYLAB_API_KEY", bad)
    assert main(["judge", "--batch", "b1", "--model", "m", "--base-url", s.base, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "Unusable API key" in err and "position" in err
    assert bad.strip()[:8] not in err and s.requests == []


def test_a_key_is_checked_wherever_it_comes_from():
    with pytest.raises(UsageError, match="position 4 of 8"):
        Endpoint("http://127.0.0.1:9", "m", "abc\x00defg")
    assert Endpoint("http://127.0.0.1:9", "m", f"  {KEY}\r\n").api_key == KEY
    assert check_api_key(KEY) == KEY


def test_a_key_echoed_in_a_200_reply_is_not_stored(tmp_path, db, serve, monkeypatch, capsys):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)

    def handle(req, body):
        auth = req.headers["Authorization"]
        text = f"I saw {auth} and {json.dumps(auth)} and {auth[7:30]}… " + longer_verdict(body["messages"])
        reply(req, body=completion(text))

    s = serve(handle)
    monkeypatch.setenv("QUALITYLAB_API_KEY", KEY)
    assert main(["judge", "--batch", "b1", "--model", "m", "--base-url", s.base, "--db", str(db)]) == 0
    stored = everything_stored(db)
    for name, form in _forms(KEY).items():
        assert form not in stored, name
    assert len(judge_rows(db)) == 4  # the verdicts themselves were parsed from the real reply
    with open_store(db, read_only=True) as st:
        raw = st.con.execute("SELECT raw_output FROM judge_calls LIMIT 1").fetchall()[0][0]
    assert raw.startswith("I saw Bearer *** and ") and "***" in raw


def test_redactor_forms():
    r = Redactor(KEY)
    text = f"{KEY} {repr(KEY)} {json.dumps(KEY)} {urllib.parse.quote(KEY)} {KEY[3:20]} ordinary text"
    out = r(text)
    assert KEY[3:20] not in out and KEY not in out
    assert out == "*** '***' \"***\" *** *** ordinary text"
    assert Redactor("EMPTY")("[[A]] EMPTY") == "[[A]] ***"  # a short key: only whole
    assert Redactor(None)("x") == "x"


# -- item 14: malformed replies are that call's failure; a wall-clock deadline; a size cap ---------


MALFORMED = {
    "no choices": b'{"choices": []}',
    "string message": b'{"choices": [{"message": "[[A]]"}]}',
    "string usage": completion("[[A]]", {"prompt_tokens": "100", "completion_tokens": 10}),
    "float usage": completion("[[A]]", {"prompt_tokens": 1.5, "completion_tokens": 10}),
    "huge usage": completion("[[A]]", {"prompt_tokens": 10**30, "completion_tokens": 10}),
    "null content": b'{"choices": [{"message": {"content": null}}]}',
    "list": b"[1, 2]",
    "not json": b"<html>hello</html>",
    "choices object": b'{"choices": {"0": {}}}',
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_200_is_that_calls_recorded_failure(tmp_path, db, serve, case):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    body = MALFORMED[case]

    def handle(req, b):
        if "question c2" in b["messages"][-1]["content"]:
            reply(req, body=body)
        else:
            longer_judge(req, b)

    s = serve(handle)
    with pytest.raises(JudgeError, match="1 call\\(s\\) failed"):
        run(db, s.base)
    with open_store(db, read_only=True) as st:
        calls = st.con.execute("SELECT item_id, error FROM judge_calls ORDER BY item_id").fetchall()
        files = st.con.execute("SELECT n_rows, n_stored FROM files WHERE format = 'judge-run'").fetchall()
    assert [c for c, e in calls if e] == ["c2"] and calls[1][1].startswith("malformed response: ")
    assert files == [(4, 3)]  # the run's provenance row is complete, not an orphan
    assert len(judge_rows(db)) == 3


def test_a_connection_closed_mid_body_is_retried_then_recorded(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)

    def handle(req, body):
        full = completion(longer_verdict(body["messages"]))
        req.send_response(200)
        req.send_header("Content-Length", str(len(full)))
        req.end_headers()
        req.wfile.write(full[: len(full) // 2])
        req.wfile.flush()
        req.connection.shutdown(socket.SHUT_RDWR)
        req.close_connection = True

    s = serve(handle)
    with pytest.raises(JudgeError, match="4 call\\(s\\) failed"):
        run(db, s.base, max_retries=1)
    assert len(s.requests) == 8  # each call tried twice
    with open_store(db, read_only=True) as st:
        errors = [r[0] for r in st.con.execute("SELECT error FROM judge_calls").fetchall()]
        assert st.con.execute("SELECT n_rows FROM files WHERE format = 'judge-run'").fetchall() == [(4,)]
    assert all("connection closed mid-reply" in e for e in errors)


def test_a_reply_trickling_in_is_cut_at_the_wall_clock_deadline(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    stop = threading.Event()

    def handle(req, body):  # 1 byte per 0.25 s, forever: each read succeeds well within any socket timeout
        req.send_response(200)
        req.send_header("Content-Length", "100000")
        req.end_headers()
        req.wfile.flush()
        while not stop.is_set():
            req.wfile.write(b" ")
            req.wfile.flush()
            time.sleep(0.25)

    s = serve(handle)
    t0 = time.monotonic()
    try:
        with pytest.raises(JudgeError):
            with open_store(db) as store:
                ep = Endpoint(s.base, "m", timeout=1.0, max_retries=0)
                run_judge(store, "b1", ep, load_template(None, "pairwise"), RunOptions(concurrency=4))
    finally:
        stop.set()
    elapsed = time.monotonic() - t0
    # 4 calls in parallel, 1 s deadline each: about 1 s, never the minutes the trickle would take
    assert elapsed < 8, elapsed
    with open_store(db, read_only=True) as st:
        errors = [r[0] for r in st.con.execute("SELECT error FROM judge_calls").fetchall()]
    assert len(errors) == 4 and all("timeout after 1 s (wall clock" in e for e in errors)


def test_slow_headers_are_cut_at_the_deadline_too(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    stop = threading.Event()

    def handle(req, body):
        for ch in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
            if stop.is_set():
                return
            req.wfile.write(bytes([ch]))
            req.wfile.flush()
            time.sleep(0.1)

    s = serve(handle)
    t0 = time.monotonic()
    try:
        with pytest.raises(JudgeError):
            run(db, s.base, timeout=1.0)
    finally:
        stop.set()
    assert time.monotonic() - t0 < 8


def test_an_oversized_reply_is_a_failure_not_read_whole(tmp_path, db, serve):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    big = completion("[[A]]" + " " * (2 << 20))
    s = serve(lambda req, body: reply(req, body=big))
    with pytest.raises(JudgeError, match="4 call\\(s\\) failed"):
        run(db, s.base, max_reply_bytes=1 << 20)
    with open_store(db, read_only=True) as st:
        errors = [r[0] for r in st.con.execute("SELECT error FROM judge_calls").fetchall()]
    assert all("reply larger than 1,048,576 bytes" in e for e in errors)


def test_an_interrupted_run_leaves_its_rows_equal_to_its_calls(tmp_path, db, serve, monkeypatch):
    ingest(write_batch(tmp_path / "v1.jsonl"), "b1", db=db)
    s = serve(longer_judge)
    calls = []

    def progress(done, total, counts):
        calls.append(done)
        if done == 2:
            raise KeyboardInterrupt

    endpoint = Endpoint(s.base, "fake-judge", timeout=5, max_retries=0)
    with open_store(db) as store:
        with pytest.raises(KeyboardInterrupt):
            run_judge(store, "b1", endpoint, load_template(None, "pairwise"), RunOptions(concurrency=1), progress)
    with open_store(db, read_only=True) as st:
        n_calls = st.con.execute("SELECT count(*) FROM judge_calls WHERE file_id IS NOT NULL").fetchall()[0][0]
        files = st.con.execute("SELECT n_rows, n_stored FROM files WHERE format = 'judge-run'").fetchall()
    assert n_calls >= 2 and files == [(n_calls, n_calls)] and len(judge_rows(db)) == n_calls
