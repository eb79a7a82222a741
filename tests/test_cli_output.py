"""The CLI's output on hostile names, and its usage errors (issue 13 items 10, first half, and 15).

Batch, vendor and file names with C0/C1 control characters, bidi overrides and newlines are printed
by ``batches``, ``check``, ``ingest`` and the error messages: every one is escaped on output
(qualitylab.escape.terminal_text), and JSON output is the same document with those characters
written as JSON escapes. Usage errors exit 2 with the reason, before anything is computed.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from conftest import write_jsonl
from gates_helpers import batch_rows

from qualitylab.cli import main

EVIL_BATCH = "w1\x1b]0;pwned\x07\x1b[2J\u202e\x9b"
EVIL_VENDOR = "acme\r\nforged: line\x85"
EVIL_FILE = "w1\x1b[31mred\x1b[0m.jsonl"
RAW_FORBIDDEN = {"\x1b", "\x07", "\x9b", "\x85", "\r", "\u202e"}


def no_raw_controls(text: str) -> None:
    for ch in text:
        if ch == "\n":
            continue
        assert unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"), (repr(ch), text[:400])


@pytest.fixture
def evil_store(tmp_path, db):
    rows = batch_rows("x", n_comparisons=40, seed=3)
    path = write_jsonl(tmp_path / EVIL_FILE, rows)
    assert main(["ingest", str(path), "--batch", EVIL_BATCH, "--vendor", EVIL_VENDOR, "--db", str(db)]) == 0
    return db


def test_batches_table_and_json_escape_control_characters(evil_store, capsys):
    capsys.readouterr()
    assert main(["batches", "--db", str(evil_store)]) == 0
    out = capsys.readouterr().out
    no_raw_controls(out)
    assert "w1\\x1b]0;pwned\\x07\\x1b[2J\\u202e\\x9b" in out and "acme\\x0d\\x0aforged: line\\x85" in out
    assert len(out.strip().split("\n")) == 2  # header + one batch: the vendor's CRLF forged no line
    assert main(["batches", "--json", "--db", str(evil_store)]) == 0
    out = capsys.readouterr().out
    no_raw_controls(out)
    (row,) = json.loads(out)
    assert row["batch_id"] == EVIL_BATCH and row["vendor"] == EVIL_VENDOR  # the same document


def test_ingest_summary_and_check_escape_names(evil_store, tmp_path, capsys):
    capsys.readouterr()
    assert main(["ingest", str(tmp_path / EVIL_FILE), "--batch", EVIL_BATCH, "--db", str(evil_store)]) == 0
    out = capsys.readouterr()  # "already in batch": names the file and the batch
    no_raw_controls(out.out + out.err)
    assert "w1\\x1b[31mred\\x1b[0m.jsonl is already in batch" in out.out
    assert main(["check", "--batch", EVIL_BATCH, "--db", str(evil_store), "--n-boot", "50"]) in (0, 10, 11, 12)
    out = capsys.readouterr()
    no_raw_controls(out.out + out.err)
    assert out.out.startswith("batch w1\\x1b]0;pwned")
    assert main(["check", "--batch", EVIL_BATCH, "--json", "--db", str(evil_store), "--n-boot", "50"]) in (
        0,
        10,
        11,
        12,
    )
    out = capsys.readouterr()
    no_raw_controls(out.out)
    assert json.loads(out.out)["batch"]["batch_id"] == EVIL_BATCH
    assert main(["report", "--batch", EVIL_BATCH, "--json", "--db", str(evil_store), "--n-boot", "50"]) == 0
    out = capsys.readouterr()
    no_raw_controls(out.out)
    doc = json.loads(out.out)
    assert doc["batch"]["vendor"] == EVIL_VENDOR and doc["provenance"][0]["file_name"] == EVIL_FILE


def test_error_messages_escape_names(evil_store, tmp_path, capsys):
    capsys.readouterr()
    # not found: the message quotes the name given and lists the known batches
    assert main(["report", "--batch", "nope\x1b[2J", "--json", "--db", str(evil_store)]) == 5
    err = capsys.readouterr().err
    no_raw_controls(err)
    assert "nope\\x1b[2J" in err and "w1\\x1b]0;pwned" in err
    # conflict: the message names the batch's file
    other = write_jsonl(tmp_path / "other\x1b[1m.jsonl", batch_rows("y", n_comparisons=5, seed=4))
    assert main(["ingest", str(other), "--batch", EVIL_BATCH, "--db", str(evil_store)]) == 4
    err = capsys.readouterr().err
    no_raw_controls(err)
    assert "w1\\x1b[31mred\\x1b[0m.jsonl" in err
    # refused rows: file:line: column lines quote the delivered file name and values
    bad = write_jsonl(
        tmp_path / "bad\x07.jsonl", [{"comparison_id": "c", "annotator_id": "a", "preference": "\x1b[2J"}]
    )
    assert main(["ingest", str(bad), "--batch", "b2", "--db", str(evil_store)]) == 3
    err = capsys.readouterr().err
    no_raw_controls(err)
    assert "bad\\x07.jsonl:1" in err


# -- item 15: usage errors exit 2 with the reason -------------------------------------------------


@pytest.fixture
def store(tmp_path, db):
    path = write_jsonl(tmp_path / "w1.jsonl", batch_rows("x", n_comparisons=30, seed=1))
    assert main(["ingest", str(path), "--batch", "w1", "--db", str(db)]) == 0
    return db


def _err(capsys):
    out = capsys.readouterr()
    return out.err


def test_report_without_an_output_is_a_usage_error(store, capsys):
    assert main(["report", "--batch", "w1", "--db", str(store)]) == 2
    assert "Nothing to write" in _err(capsys)


@pytest.mark.parametrize(
    ("flags", "reason"),
    [
        (["--n-boot", "0"], "Bad --n-boot"),
        (["--n-boot", "-5"], "Bad --n-boot"),
        (["--seed", "-1"], "Bad --seed"),
    ],
)
@pytest.mark.parametrize("command", ["report", "check"])
def test_bad_seed_and_n_boot_exit_2(store, capsys, command, flags, reason):
    extra = ["--json"] if command == "report" else []
    assert main([command, "--batch", "w1", "--db", str(store), *extra, *flags]) == 2
    err = _err(capsys)
    assert reason in err and "Traceback" not in err


def test_unwritable_outputs_exit_2_before_anything_is_computed(store, tmp_path, capsys, monkeypatch):
    import qualitylab.report as report

    computed = []
    monkeypatch.setattr(report, "_register_area_sections", lambda: computed.append(1))
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x")
    cases = [
        (["--html", str(a_file / "pack.html")], "is a file, not a directory"),
        (["--html", str(tmp_path)], "is a directory"),
        (["--html", "/proc/qualitylab-pack.html"], "Cannot write --html"),
        (["--evidence", str(a_file)], "is a file, not a directory"),
        (["--evidence", str(a_file / "sub")], "is a file, not a directory"),
        (["--evidence", "/proc/qualitylab-evidence"], "Cannot write --evidence"),
    ]
    for flags, reason in cases:
        assert main(["report", "--batch", "w1", "--db", str(store), *flags]) == 2, flags
        err = _err(capsys)
        assert reason in err, (flags, err)
    assert computed == []  # refused before any section ran
    assert a_file.read_text() == "x"


def test_the_html_pack_is_written_whole_or_not_at_all(store, tmp_path, monkeypatch, capsys):
    import qualitylab.evidence as evidence

    target = tmp_path / "pack.html"
    target.write_text("the previous pack")

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(evidence.os, "replace", broken)
    assert main(["report", "--batch", "w1", "--db", str(store), "--html", str(target), "--n-boot", "50"]) == 2
    assert "No space left on device" in _err(capsys)
    assert target.read_text() == "the previous pack"  # not truncated, not half-written
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".pack.html")] == []
