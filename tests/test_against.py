"""Re-delivered from public sets (issue 18 item 8): ``--against [FORMAT=]FILE`` and another vendor's
batches. The against-sets are the real public files in ../shared/realdata (LLMBar's MT-Bench subset,
princeton-nlp/LLMBar, MIT; PandaLM's test set, WeOpenML/PandaLM, Apache-2.0), read by their adapters."""

from __future__ import annotations

import json
import shutil

import pytest
from bias_helpers import swap_row
from conftest import REALDATA, write_jsonl

from qualitylab.against import read_against
from qualitylab.cli import main
from qualitylab.errors import ExitCode, InvalidInputError
from qualitylab.ingest import ingest
from qualitylab.items.filters import items
from qualitylab.report import compute_sections
from qualitylab.snapshots import report_snapshot
from qualitylab.store import open_store

LLMBAR = f"llmbar={REALDATA / 'llmbar-mtbench' / 'dataset.json'}"
PANDALM = f"pandalm={REALDATA / 'pandalm' / 'data' / 'testset-v1.json'}"
N_COPIED = 30


def _public_texts(tmp, spec_file, fmt, batch) -> list[dict]:
    """Distinct (prompt, response_a, response_b) of a real public file, as its adapter maps it."""
    db = tmp / f"{batch}.duckdb"
    ingest(spec_file, batch, db=db, fmt=fmt, quarantine=True)
    with open_store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT prompt, response_a, response_b, min(source_line) AS line FROM verdicts "
            "GROUP BY ALL ORDER BY line, prompt, response_a"
        ).fetchall()
    return [{"prompt": p, "response_a": a, "response_b": b} for p, a, b, _ in rows]


def _vendor_rows(public: list[dict], prefix: str, n_new: int = 20) -> list[dict]:
    """N_COPIED comparisons taken from the public set (every third with A and B swapped) and n_new
    new ones, each judged by two annotators."""
    rows = []
    for i, t in enumerate(public[:N_COPIED]):
        for a, pref in (("h1", "A"), ("h2", "B")):
            r = {"comparison_id": f"{prefix}-c{i:03d}", "annotator_id": a, "preference": pref, **t}
            rows.append(swap_row(r) if i % 3 == 0 else r)
    for i in range(n_new):
        for a in ("h1", "h2"):
            rows.append(
                {
                    "comparison_id": f"{prefix}-n{i:03d}",
                    "annotator_id": a,
                    "preference": "A",
                    "prompt": f"a new prompt {i}",
                    "response_a": f"new answer {i}",
                    "response_b": f"another new answer {i}",
                }
            )
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("against")
    public = _public_texts(tmp, REALDATA / "llmbar-mtbench" / "dataset.json", "llmbar", "pub")
    db = tmp / "store.duckdb"
    ingest(write_jsonl(tmp / "w1.jsonl", _vendor_rows(public, "w1")), "w1", db=db, vendor="acme")
    # another vendor delivers 10 of the same comparisons (A and B as in the public file)
    # (the unswapped ones: comparisons 1, 2, 4, 5, ..., 14 of the copied 30)
    other = [r for r in _vendor_rows(public, "z", n_new=0) if int(r["comparison_id"][3:]) % 3]
    ingest(write_jsonl(tmp / "z.jsonl", other[:20]), "z1", db=db, vendor="zeta")
    return db


def test_llmbar_file_finds_the_copied_comparisons_in_either_order(store):
    with open_store(store, read_only=True) as s:
        res = compute_sections(s, "w1", ["redelivered_against"], n_boot=0, options={"against": [LLMBAR, PANDALM]})
    r = res["redelivered_against"]
    assert r.status == "measured" and r.n_comparisons == N_COPIED + 20 and r.n_overlap == N_COPIED
    llmbar, pandalm = r.files
    assert (llmbar.format, llmbar.n_rows_read, llmbar.n_pairs) == ("llmbar", 200, 195)  # 5 pairs recur in it
    assert llmbar.n_overlap == N_COPIED and llmbar.n_swapped == N_COPIED // 3
    assert {x["comparison_id"] for x in llmbar.rows} == {f"w1-c{i:03d}" for i in range(N_COPIED)}
    assert all(x["against_line"] >= 1 for x in llmbar.rows)
    assert llmbar.share.value == pytest.approx(N_COPIED / 50)
    # PandaLM's real test set: 25 unparsed judge outputs skipped (file:row named), no overlap
    assert pandalm.n_overlap == 0 and pandalm.n_rows_skipped == 25 and "garbage" in pandalm.skipped[0]
    assert pandalm.sha256 == read_against(PANDALM).sha256


def test_without_against_nothing_is_claimed(store):
    with open_store(store, read_only=True) as s:
        r = compute_sections(s, "w1", ["redelivered_against"], n_boot=0)["redelivered_against"]
    assert r.status == "no --against file" and r.files == [] and "--against" in r.reason


def test_another_vendors_batch_is_a_hygiene_check_and_an_items_filter(store):
    with open_store(store, read_only=True) as s:
        hyg = compute_sections(s, "w1", ["hygiene"], n_boot=0)["hygiene"]
        check = hyg.checks["other_vendor_items"]
        assert not check.passed and check.n_rows == 10
        assert {r["other_vendor"] for r in check.rows} == {"zeta"}
        assert sum(r["swapped"] for r in check.rows) == 0  # w1 swapped every third copied one: none of these
        page = items(s, "w1", "other_vendor_items")
        assert page.n_rows is None or page.n_rows == 10
        assert [r["comparison_id"] for r in page.rows] == [r["comparison_id"] for r in check.rows]
        # and the other way round: zeta's batch overlaps acme's
        back = compute_sections(s, "z1", ["hygiene"], n_boot=0)["hygiene"].checks["other_vendor_items"]
        assert back.n_rows == 10 and {r["other_batch_id"] for r in back.rows} == {"w1"}


def test_the_against_files_content_joins_the_fingerprint(store, tmp_path):
    copy = tmp_path / "dataset.json"
    shutil.copy(REALDATA / "llmbar-mtbench" / "dataset.json", copy)
    opts = {"n_boot": 20, "against": (f"llmbar={copy}",)}
    first = report_snapshot(store, "w1", opts)
    assert first.document["redelivered_against"]["n_overlap"] == N_COPIED
    assert report_snapshot(store, "w1", opts).source == "stored"
    data = json.loads(copy.read_text(encoding="utf-8"))
    copy.write_text(json.dumps(data[N_COPIED:]), encoding="utf-8")  # the first N_COPIED pairs removed
    again = report_snapshot(store, "w1", opts)
    assert again.source == "computed" and again.why == "stale: against changed"
    assert again.document["redelivered_against"]["n_overlap"] < N_COPIED


def test_hostile_against_files_are_refused_naming_file_line_column(store, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "p", "response_a": \n', encoding="utf-8")
    with pytest.raises(InvalidInputError) as e:
        read_against(str(bad))
    assert e.value.lines()[0].startswith("bad.jsonl:1:")
    before = store.read_bytes()
    assert main(["check", "--batch", "w1", "--db", str(store), "--against", str(bad)]) == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err
    assert "bad.jsonl:1:" in err and "Traceback" not in err
    assert main(["report", "--batch", "w1", "--db", str(store), "--json", "--against", "nope.jsonl"]) == 5
    assert store.read_bytes() == before
    html = tmp_path / "x.jsonl"
    html.write_text('{"prompt": "<script>", "response_a": "\\u202e", "response_b": 3}\n', encoding="utf-8")
    a = read_against(str(html))
    assert a.n_pairs == 1 and a.n_rows_skipped == 0


def test_report_cli_prints_the_overlaps(store, capsys):
    assert main(["report", "--batch", "w1", "--db", str(store), "--json", "--n-boot", "20", "--against", LLMBAR]) == 0
    doc = json.loads(capsys.readouterr().out)
    (f,) = doc["redelivered_against"]["files"]
    assert f["n_overlap"] == N_COPIED and f["share"]["n"] == N_COPIED + 20 and len(f["rows"]) == N_COPIED
