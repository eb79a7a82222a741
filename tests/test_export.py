"""The accepted dataset: every row-drop reason counted once, the strict-majority label, TRL's
preference columns, datasets.load_dataset, byte-identical reruns, re-ingestable pairwise rows,
refusal of unaccepted batches, and the label-source hook later issues plug into."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import write_jsonl

from qualitylab.cli import main
from qualitylab.export import labels as label_sources
from qualitylab.export import write as export_write
from qualitylab.store import open_store

TEXT = {"model_a": "ma", "model_b": "mb"}


def v(c, a, pref, *, kind="human", strength=None, prompt=None, ra=None, rb=None, **kw):
    row = {
        "comparison_id": c,
        "annotator_id": a,
        "annotator_kind": kind,
        "preference": pref,
        "prompt": prompt if prompt is not None else f"prompt of {c}",
        "response_a": ra if ra is not None else f"answer A of {c}",
        "response_b": rb if rb is not None else f"answer B of {c}",
        **TEXT,
        **kw,
    }
    if strength is not None:
        row["strength"] = strength
    return row


def b1_rows() -> list[dict]:
    rows = [
        v("c1", "h1", "A", strength=2),
        v("c1", "h2", "A", strength=3),
        v("c1", "h3", "B", strength=1),
        v("c1", "j1", "A", kind="judge"),
        *[v("c2", h, "B") for h in ("h1", "h2", "h3")],
        v("c3", "h1", "tie"),
        v("c3", "h2", "tie"),
        v("c3", "h3", "A"),
        v("c4", "h1", "A"),
        v("c4", "h2", "B"),
        v("c4", "h3", "tie"),
        v("c5", "h1", "A"),
        v("c5", "h2", "A"),
        v("c5", "h3", "B"),
        v("c5", "h4", "tie"),
        v("c5", "h5", "tie"),
        *[v("c6", h, "A", ra="same text", rb="same text") for h in ("h1", "h2", "h3")],
        *[v("c7", h, "B", rb="   ") for h in ("h1", "h2", "h3")],
        *[v("c8", h, "A", prompt="old prompt", ra="old A", rb="old B") for h in ("h1", "h2", "h3")],
        v("c9", "h1", "A"),
        v("c9", "h2", "A"),
        v("c9", "h9", "B"),
    ]
    rows += [{k: x for k, x in v("c10", h, "A").items() if k != "prompt"} for h in ("h1", "h2", "h3")]
    rows.append(dict(rows[0]))  # an exact duplicate of c1/h1
    rows.append(v("c2", "h4", "maybe"))  # quarantined
    return rows


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:  # argparse's own usage errors
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def load_store(folder: Path, db: Path) -> Path:
    """b0 (week 1) and b1 (week 2: every drop reason) of vendor v, from files written to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    b0 = [v("c0", h, "A", prompt="old prompt", ra="old B", rb="old A") for h in ("h1", "h2", "h3")]  # swapped
    for name, rows, day in (("b0", b0, "2026-10-05"), ("b1", b1_rows(), "2026-10-12")):
        path = write_jsonl(folder / f"{name}.jsonl", rows)
        argv = ["ingest", str(path), "--batch", name, "--vendor", "v", "--delivered", day, "--quarantine"]
        assert main([*argv, "--db", str(db)]) == 0
    return db


@pytest.fixture
def store_db(tmp_path, db):
    return load_store(tmp_path, db)


def accept_b1(capsys, db):
    code, _, err = run(
        capsys, "decide", "--batch", "b1", "--accept-partial", "--exclude-annotator", "h9", "--by", "dana",
        "--note", "h9 out", "--override-reason", "h9 is a known spammer", "--db", db,
    )  # fmt: skip
    assert code == 0, err


def test_counts_in_and_out_per_reason_and_the_majority_label(store_db, tmp_path, capsys):
    db = store_db
    accept_b1(capsys, db)
    out = tmp_path / "b1.parquet"
    code, stdout, err = run(capsys, "export", "--batch", "b1", "--format", "dpo", "--out", out, "--db", db)
    assert code == 0, err
    m = json.loads((tmp_path / "b1.parquet.manifest.json").read_text())
    assert m["counts"]["verdicts"] == {
        "in": 35,
        "out": {
            "quarantined": 1,
            "duplicate_copy": 1,
            "judge": 1,
            "excluded_annotator": 1,
            "redelivered": 3,
            "identical_responses": 3,
            "empty_responses": 3,
        },
        "retained": 22,
    }
    assert m["counts"]["comparisons"] == {
        "in": 7,
        "out": {"tie": 2, "no_majority": 1, "missing_text": 1},
        "written": 3,
    }
    t = pq.read_table(out).to_pylist()
    assert [r["comparison_id"] for r in t] == ["c1", "c2", "c9"]
    c1, c2, c9 = t
    assert (c1["chosen"], c1["rejected"], c1["chosen_model"], c1["rejected_model"]) == (
        "answer A of c1",
        "answer B of c1",
        "ma",
        "mb",
    )
    assert c1["n_verdicts"] == 3 and c1["agreement"] == pytest.approx(2 / 3) and c1["margin"] == 2.5
    assert (c2["chosen"], c2["chosen_model"], c2["agreement"], c2["margin"]) == ("answer B of c2", "mb", 1.0, None)
    assert c9["n_verdicts"] == 2 and c9["agreement"] == 1.0  # h9 excluded
    assert {r["label_source"] for r in t} == {"majority"} and not any(r["is_tie"] for r in t)
    assert m["batches"][0]["decision"]["decision"] == "accept_partial"
    assert m["batches"][0]["excluded_annotators"] == [{"annotator_id": "h9", "reason": "--exclude-annotator"}]
    assert m["batches"][0]["report_sha256"] and m["file_sha256"] and m["n_rows"] == 3


def test_keep_ties_writes_them_with_is_tie(store_db, tmp_path, capsys):
    db = store_db
    accept_b1(capsys, db)
    out = tmp_path / "ties.jsonl"
    assert run(capsys, "export", "--batch", "b1", "--format", "dpo", "--keep-ties", "--out", out, "--db", db)[0] == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["comparison_id"], r["is_tie"]) for r in rows] == [
        ("c1", False),
        ("c2", False),
        ("c3", True),
        ("c4", True),
        ("c9", False),
    ]
    c4 = rows[3]
    assert (c4["chosen"], c4["rejected"], c4["agreement"]) == ("answer A of c4", "answer B of c4", pytest.approx(1 / 3))


def test_trl_columns_and_datasets_load_dataset(store_db, tmp_path, capsys, monkeypatch):
    import datasets  # the dev extra (never the runtime): a missing one fails the test, never skips it

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    db = store_db
    accept_b1(capsys, db)
    out = tmp_path / "train.parquet"
    assert run(capsys, "export", "--batch", "b1", "--format", "dpo", "--out", out, "--db", db)[0] == 0
    ds = datasets.load_dataset("parquet", data_files=str(out), split="train")
    # TRL 0.24.0 "Dataset formats and types": preference, standard format, explicit prompt
    assert ds.column_names[:3] == ["prompt", "chosen", "rejected"]
    for col in ("prompt", "chosen", "rejected"):
        assert ds.features[col] == datasets.Value("string")
    assert ds.features == datasets.Features(
        {
            **{c: datasets.Value("string") for c in ("prompt", "chosen", "rejected", "comparison_id", "batch_id")},
            "n_verdicts": datasets.Value("int32"),
            "agreement": datasets.Value("float64"),
            "margin": datasets.Value("float64"),
            **{c: datasets.Value("string") for c in ("chosen_model", "rejected_model", "label_source")},
            "is_tie": datasets.Value("bool"),
        }
    )
    assert list(ds.features) == [c["name"] for c in json.loads(out.with_suffix(".parquet.manifest.json")
                                                              .read_text())["columns"]]  # fmt: skip
    assert ds.num_rows == 3 and ds[0]["prompt"] == "prompt of c1"
    out_j = tmp_path / "train.jsonl"
    assert run(capsys, "export", "--batch", "b1", "--format", "dpo", "--out", out_j, "--db", db)[0] == 0
    ds_j = datasets.load_dataset("json", data_files=str(out_j), split="train")
    assert ds_j.column_names == ds.column_names and ds_j["chosen"] == ds["chosen"]
    m = json.loads((tmp_path / "train.parquet.manifest.json").read_text())
    assert m["trl"]["version"] == export_write.TRL_VERSION
    assert m["trl"]["columns"] == {"prompt": "string", "chosen": "string", "rejected": "string"}


@pytest.mark.parametrize("fmt, suffix", [("dpo", ".parquet"), ("pairwise", ".parquet"), ("dpo", ".jsonl"),
                                         ("pairwise", ".jsonl")])  # fmt: skip
def test_reruns_are_byte_identical(store_db, tmp_path, capsys, fmt, suffix, monkeypatch):
    db = store_db
    accept_b1(capsys, db)
    monkeypatch.setattr(export_write, "ROWS_PER_GROUP", 4)  # several row groups, re-chunked exactly
    out = tmp_path / f"x{suffix}"
    man = tmp_path / f"x{suffix}.manifest.json"
    assert run(capsys, "export", "--batch", "b1", "--format", fmt, "--out", out, "--db", db)[0] == 0
    first, first_m = out.read_bytes(), man.read_bytes()
    assert run(capsys, "export", "--batch", "b1", "--format", fmt, "--out", out, "--db", db)[0] == 0
    assert out.read_bytes() == first and man.read_bytes() == first_m
    if suffix == ".parquet":
        meta = pq.ParquetFile(out).metadata
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        assert all(s == 4 for s in sizes[:-1]) and 0 < sizes[-1] <= 4


@pytest.mark.parametrize("fmt", ["dpo", "pairwise"])
def test_the_same_file_from_another_store_and_after_unrelated_changes(store_db, tmp_path, capsys, fmt):
    """The data file depends only on the accepted rows and the decision's exclusions: a second store built
    from the same delivered files gives the same bytes, and so does a rerun after another batch arrives.
    (The manifests differ between stores where they should: the decision's time and the report's sha256, whose
    provenance holds each file's time of ingest.)"""
    accept_b1(capsys, store_db)
    out1 = tmp_path / f"one.{fmt}.parquet"
    assert run(capsys, "export", "--batch", "b1", "--format", fmt, "--out", out1, "--db", store_db)[0] == 0
    other = load_store(tmp_path / "again", tmp_path / "other.duckdb")
    accept_b1(capsys, other)
    out2 = tmp_path / f"two.{fmt}.parquet"
    assert run(capsys, "export", "--batch", "b1", "--format", fmt, "--out", out2, "--db", other)[0] == 0
    assert out1.read_bytes() == out2.read_bytes()
    m1, m2 = (json.loads(p.with_suffix(".parquet.manifest.json").read_text()) for p in (out1, out2))
    assert m1["file_sha256"] == m2["file_sha256"] and m1["counts"] == m2["counts"]
    later = write_jsonl(tmp_path / "b2.jsonl", [v("c20", h, "B") for h in ("h1", "h2", "h3")])
    argv = ["ingest", later, "--batch", "b2", "--vendor", "v", "--delivered", "2026-10-19", "--db", store_db]
    assert run(capsys, *argv)[0] == 0
    out3 = tmp_path / f"three.{fmt}.parquet"
    assert run(capsys, "export", "--batch", "b1", "--format", fmt, "--out", out3, "--db", store_db)[0] == 0
    assert out3.read_bytes() == out1.read_bytes()


def test_pairwise_rows_ingest_again_as_the_retained_verdicts(store_db, tmp_path, capsys):
    db = store_db
    accept_b1(capsys, db)
    out = tmp_path / "retained.jsonl"
    assert run(capsys, "export", "--batch", "b1", "--format", "pairwise", "--out", out, "--db", db)[0] == 0
    assert run(capsys, "ingest", out, "--batch", "again", "--db", db)[0] == 0
    with open_store(db, read_only=True) as s:
        got = s.con.execute(
            "SELECT comparison_id, annotator_id, preference, strength FROM verdicts WHERE batch_id = 'again' "
            "ORDER BY ALL"
        ).fetchall()
    assert len(got) == 22
    assert ("c1", "h1", "A", 2) in got and not any(a in ("h9", "j1") for _, a, _, _ in got)
    assert not any(c in ("c6", "c7", "c8") for c, *_ in got)


def test_unaccepted_batches_exit_4_and_nothing_is_written(store_db, tmp_path, capsys):
    db = store_db
    out = tmp_path / "none.parquet"
    code, _, err = run(capsys, "export", "--batch", "b1", "--format", "dpo", "--out", out, "--db", db)
    assert code == 4 and "no decision" in err
    run(capsys, "decide", "--batch", "b1", "--reject", "--by", "d", "--note", "n", "--override-reason", "x", "--db", db)
    code, _, err = run(capsys, "export", "--batch", "b1", "--format", "dpo", "--out", out, "--db", db)
    assert code == 4 and "current decision reject" in err
    assert not out.exists() and not (tmp_path / "none.parquet.manifest.json").exists()
    assert list(tmp_path.glob(".*.tmp")) == []


@pytest.mark.parametrize(
    "argv, code",
    [
        (["--batch", "b1", "--format", "dpo", "--out", "x.csv"], 2),
        (["--batch", "b1", "--format", "pairwise", "--keep-ties", "--out", "x.jsonl"], 2),
        (["--batch", "b1", "--contract", "c", "--format", "dpo", "--out", "x.jsonl"], 2),
        (["--batch", "nope", "--format", "dpo", "--out", "x.jsonl"], 5),
        (["--contract", "nope", "--format", "dpo", "--out", "x.jsonl"], 5),
        (["--batch", "b1", "--format", "dpo", "--out", "missing-dir/x.jsonl"], 2),
    ],
)
def test_bad_export_calls(store_db, tmp_path, capsys, monkeypatch, argv, code):
    monkeypatch.chdir(tmp_path)
    got, _, err = run(capsys, "export", *argv, "--db", store_db)
    assert got == code, err
    assert "Traceback" not in err


def test_an_override_label_source_takes_precedence(store_db, tmp_path, capsys, monkeypatch):
    """How issue 17's adjudications plug in: an override source labels c3 (a tie) as B."""
    import pyarrow as pa

    def adjudication(store):
        return pa.table({"batch_id": ["b1"], "comparison_id": ["c3"], "label": ["B"], "label_source": ["adjudication"]})

    monkeypatch.setattr(label_sources, "OVERRIDES", [("adjudication", adjudication)])
    db = store_db
    accept_b1(capsys, db)
    out = tmp_path / "adj.jsonl"
    assert run(capsys, "export", "--batch", "b1", "--format", "dpo", "--out", out, "--db", db)[0] == 0
    rows = {r["comparison_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(rows) == {"c1", "c2", "c3", "c9"}
    c3 = rows["c3"]
    assert (c3["label_source"], c3["chosen"], c3["agreement"]) == ("adjudication", "answer B of c3", 0.0)
    m = json.loads((tmp_path / "adj.jsonl.manifest.json").read_text())
    assert m["label"]["overrides"] == ["adjudication"]


def test_ratings_export(tmp_path, db, capsys):
    rows = [
        {"item_id": "i1", "annotator_id": h, "score": s, "response": "fine answer", "aspect": "overall"}
        for h, s in (("h1", 5), ("h2", 6), ("h3", 4))
    ]
    rows += [{"item_id": "i2", "annotator_id": "h1", "score": 3, "response": "  "}]
    rows += [{"item_id": "i1", "annotator_id": "j", "annotator_kind": "judge", "score": 7, "response": "fine answer"}]
    rows.append(dict(rows[0]))
    path = write_jsonl(tmp_path / "r.jsonl", rows)
    assert main(["ingest", str(path), "--batch", "r", "--db", str(db)]) == 0
    run(capsys, "decide", "--batch", "r", "--accept-partial", "--exclude-annotator", "h3", "--by", "d", "--note", "n",
        "--override-reason", "x", "--db", db)  # fmt: skip
    out = tmp_path / "r.jsonl.out.jsonl"
    assert run(capsys, "export", "--batch", "r", "--format", "ratings", "--out", out, "--db", db)[0] == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["item_id"], r["annotator_id"], r["score"]) for r in got] == [("i1", "h1", 5.0), ("i1", "h2", 6.0)]
    m = json.loads(Path(str(out) + ".manifest.json").read_text())
    assert m["counts"]["ratings"]["out"] == {
        "quarantined": 0,
        "duplicate_copy": 1,
        "judge": 1,
        "excluded_annotator": 1,
        "empty_response": 1,
    }


def test_dawid_skene_label_source_and_adjudication_precedence(store_db, tmp_path, capsys, monkeypatch):
    """--label dawid-skene: the posterior label of each comparison (label_source dawid_skene), fitted
    per batch on the retained human verdicts; an override source still wins (issue 18 item 7)."""
    import pyarrow as pa

    from qualitylab.agreement.competence import posterior_labels

    db = store_db
    accept_b1(capsys, db)
    out = tmp_path / "ds.jsonl"
    code, _, err = run(capsys, "export", "--batch", "b1", "--format", "dpo", "--label", "dawid-skene", "--out", out,
                       "--keep-ties", "--db", db)  # fmt: skip
    assert code == 0, err
    rows = {r["comparison_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert {r["label_source"] for r in rows.values()} == {"dawid_skene"}
    assert rows["c2"]["chosen"] == "answer B of c2"  # unanimous B
    # the same labels as the fit on the retained verdicts (h9 excluded, judge, duplicates and bad rows out)
    retained = [r for r in b1_rows()[:-2] if r["annotator_kind"] == "human" and r["annotator_id"] != "h9"]
    retained = [r for r in retained if r["comparison_id"] in rows]
    expected = posterior_labels({k: [r[k] for r in retained] for k in ("comparison_id", "annotator_id", "preference")})
    for c, r in rows.items():
        want = expected[c]
        assert r["is_tie"] if want == "tie" else r["chosen"] == f"answer {want} of {c}", c
    m = json.loads((tmp_path / "ds.jsonl.manifest.json").read_text())
    assert m["label"]["source"] == "dawid-skene"

    def adjudication(store):
        return pa.table({"batch_id": ["b1"], "comparison_id": ["c2"], "label": ["A"], "label_source": ["adjudication"]})

    monkeypatch.setattr(label_sources, "OVERRIDES", [("adjudication", adjudication)])
    out2 = tmp_path / "ds2.jsonl"
    assert run(capsys, "export", "--batch", "b1", "--format", "dpo", "--label", "dawid-skene", "--out", out2,
               "--db", db)[0] == 0  # fmt: skip
    rows2 = {r["comparison_id"]: r for r in map(json.loads, out2.read_text().splitlines())}
    assert (rows2["c2"]["label_source"], rows2["c2"]["chosen"]) == ("adjudication", "answer A of c2")
