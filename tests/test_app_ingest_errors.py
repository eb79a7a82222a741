"""The app's Ingest page when things go wrong (issue 13: items 1 and 17), through Streamlit's AppTest.

Every failure is an error box with the message and a hint, never a traceback, and nothing on the
page names the server's temporary upload folder; two uploads at once both land.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path

import pytest
from conftest import write_jsonl
from test_app_pages import GOOD, _batches, _upload, new_app, open_page, rendered_text

from qualitylab.ingest import ingest


def page_text(at) -> str:
    return rendered_text(at) + "\n" + "\n".join(str(c.value) for c in at.code)


def assert_error_box(at, *fragments: str) -> str:
    assert not at.exception, [e.value for e in at.exception]  # no traceback
    text = page_text(at)
    assert at.error, text
    for fragment in fragments:
        assert fragment in text, text
    assert "qualitylab-upload-" not in text and "Traceback" not in text  # no server paths
    return text


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


@pytest.fixture
def first(tmp_path, db) -> Path:
    ingest(write_jsonl(tmp_path / "first.jsonl", GOOD), "w1", db=db)
    return db


def test_an_unclosed_quote_is_refused_on_the_ingest_page(first):
    content = b'comparison_id,annotator_id,preference,prompt\nc1,h1,A,x\nc2,h1,B,"oops\nc3,h1,A,y\nc4,h2,B,z\n'
    at = _upload(open_page(new_app(), "ingest"), "week2.csv", content, "w2")
    assert_error_box(at, "Refused", "week2.csv:3: unclosed quote")
    assert _batches(first) == ["w1"]


def test_a_file_that_cannot_be_read_at_all_says_quarantine_cannot_help(first):
    data = gzip.compress(jsonl(GOOD * 200))[:-40]
    at = _upload(open_page(new_app(), "ingest"), "week2.jsonl.gz", data, "w2")
    assert_error_box(at, "damaged gzip data", "--quarantine cannot help")
    assert _batches(first) == ["w1"]


def test_a_store_error_is_an_error_box_with_the_real_message(first):
    wal = Path(str(first) + ".wal")
    wal.symlink_to("/dev/full")  # the disk is full
    try:
        at = _upload(open_page(new_app(), "ingest"), "week2.jsonl", jsonl(GOOD), "w2")
    finally:
        wal.unlink()
    assert_error_box(at, "No space to write the store", "No space left on device", "free disk space")
    assert _batches(first) == ["w1"]


def test_an_internal_error_is_an_error_box_without_the_servers_paths(first, monkeypatch):
    import qualitylab.ingest

    def broken(store, source, *args):
        raise RuntimeError(f"boom while reading {source.path} in {source.path.parent}/")

    monkeypatch.setattr(qualitylab.ingest, "_ingest", broken)
    at = _upload(open_page(new_app(), "ingest"), "week2.jsonl", jsonl(GOOD), "w2")
    assert_error_box(at, "Internal error", "RuntimeError: boom while reading week2.jsonl", "please report")
    assert not any("/tmp/" in e.value for e in at.error)
    assert _batches(first) == ["w1"]


@pytest.mark.parametrize("same_batch", [False, True])
def test_two_uploads_at_once(tmp_path, first, same_batch):
    """Another session's upload is writing (in this process, as Streamlit serves every session)
    while this one is submitted: this one waits for it, then lands or is refused with a message."""
    from qualitylab.ui.pages import upload

    other = write_jsonl(tmp_path / "other.jsonl", [dict(r, comparison_id=r["comparison_id"] + "x") for r in GOOD])
    writing = threading.Event()
    result: dict = {}

    def say(msg: str) -> None:
        if msg.startswith("validating"):
            writing.set()
            time.sleep(2.0)  # the other upload holds its transaction

    def other_upload() -> None:
        try:
            result["other"] = upload.run_ingest(other, "w2", say).summary()
        except Exception as e:  # noqa: BLE001 - recorded and asserted below
            result["other"] = f"{type(e).__name__}: {e}"

    at = open_page(new_app(), "ingest")
    thread = threading.Thread(target=other_upload)
    thread.start()
    assert writing.wait(30)
    at = _upload(at, "mine.jsonl", jsonl(GOOD), "w2" if same_batch else "w3")
    thread.join(60)
    assert result["other"].startswith("batch 'w2': stored 8 pairwise row(s)"), result["other"]
    if same_batch:  # the batch now holds the other file: refused with the CLI's hint
        assert_error_box(at, "Batch exists", "--replace")
        assert _batches(first) == ["w1", "w2"]
    else:
        assert not at.exception and not at.error, page_text(at)
        assert any("stored 8 pairwise row(s) from mine.jsonl" in s.value for s in at.success)
        assert _batches(first) == ["w1", "w2", "w3"]


def test_a_file_whose_kind_cannot_be_detected_says_so(first, capsys):
    """Issue 19 item 8: not "1 invalid row(s)" with a --quarantine hint that cannot help."""
    odd = jsonl([{"foo": 1, "bar": 2}, {"foo": 3, "bar": 4}])
    at = _upload(open_page(new_app(), "ingest"), "week2.jsonl", odd, "w2")
    text = assert_error_box(at, "the kind of rows cannot be detected from its columns", "Kind of rows")
    assert "invalid row(s)" not in text and "or ingest with --quarantine" not in text
    assert _batches(first) == ["w1"]
    # the CLI says the same
    from qualitylab.cli import main

    path = first.parent / "odd.jsonl"
    path.write_bytes(odd)
    assert main(["ingest", str(path), "--batch", "w2", "--db", str(first)]) == 3
    err = capsys.readouterr().err
    assert "the kind of rows cannot be detected from its columns bar, foo; nothing was stored" in err
    assert "--kind" in err and "invalid row(s)" not in err
