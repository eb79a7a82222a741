"""The scale a batch was collected on (qualitylab/scales.py): declared at ingest or inferred, stored
per batch and kind, refused when it changes, printed in methods.scale and used by the coefficients.

Reference for the coefficients on a declared category set: python irrCAC 0.4.4 with ``categories``
(R irrCAC's ``categ.labels``), tests/fixtures/reference/irrcac.json (benchmarks/reference_irrcac.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import write_jsonl

from qualitylab.cli import main
from qualitylab.ingest import ingest
from qualitylab.report import build_report
from qualitylab.scales import batch_scale, parse_range
from qualitylab.store import open_store

REF = json.loads((Path(__file__).parent / "fixtures" / "reference" / "irrcac.json").read_text(encoding="utf-8"))


def yes_no_rows() -> list[dict]:
    """The fixture's 4-annotator A/B set as delivered verdicts (codes 0 = B, 2 = A)."""
    data = np.array(REF["data"]["yes_no_4"])
    return [
        {"comparison_id": f"c{i}", "annotator_id": f"h{j}", "preference": "A" if v == 2 else "B"}
        for i, row in enumerate(data)
        for j, v in enumerate(row)
        if not np.isnan(v)
    ]


def _tables(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT * FROM scales ORDER BY ALL").fetchall() + [
            con.execute("SELECT count(*) FROM verdicts").fetchall()[0]
        ]
    finally:
        con.close()


def _agreement(db, batch="w1"):
    with open_store(db, read_only=True) as s:
        return build_report(s, batch, sections=["agreement"], n_boot=0)


# -- inferred and declared -----------------------------------------------------------------------


def test_no_tie_anywhere_is_inferred_binary_and_ac1_is_irrcacs_binary(tmp_path):
    db = tmp_path / "s.duckdb"
    ingest(write_jsonl(tmp_path / "v.jsonl", yes_no_rows()), "w1", db=db)
    doc = _agreement(db)
    assert doc["methods"]["scale"]["preference"] == {
        "labels": ["A", "B"],
        "declared": False,
        "source": "inferred: no tie in the delivered verdicts",
    }
    pref = doc["agreement"]["preference"]
    assert pref["categories"] == ["B", "A"] and set(pref["per_category_kappa"]) == {"B", "A"}
    ref = REF["irrcac"]["yes_no_4/binary"]["gwet"]  # irrCAC categories = [B, A]
    assert pref["gwet_ac1"]["value"] == pytest.approx(ref["value"], abs=1e-12)
    assert pref["gwet_ac1"]["se"] == pytest.approx(ref["se"], abs=1e-12)


def test_declared_tie_on_data_without_ties_counts_the_third_category(tmp_path):
    db = tmp_path / "s.duckdb"
    ingest(write_jsonl(tmp_path / "v.jsonl", yes_no_rows()), "w1", db=db, labels="A,B,tie")
    doc = _agreement(db)
    assert doc["methods"]["scale"]["preference"]["declared"] is True
    pref = doc["agreement"]["preference"]
    ref = REF["irrcac"]["yes_no_4/phantom_tie"]["gwet"]  # irrCAC categories = [B, tie, A]
    assert pref["gwet_ac1"]["value"] == pytest.approx(ref["value"], abs=1e-12)
    assert pref["label_distribution"]["tie"]["value"] == 0.0  # offered, unused: an empty category
    assert pref["per_category_kappa"]["tie"]["value"] is None
    # Fleiss' kappa and alpha do not depend on the category set
    binary = REF["irrcac"]["yes_no_4/binary"]
    assert pref["fleiss_kappa"]["value"] == pytest.approx(binary["fleiss"]["value"], abs=1e-12)
    assert pref["krippendorff_alpha"]["value"] == pytest.approx(binary["krippendorff"]["value"], abs=1e-12)


def test_declared_rating_range_is_used_by_ac2_and_shown_as_empty_categories(tmp_path):
    data = np.array(REF["data"]["ratings_1_7"])  # scores 2-6 on a 1-7 scale
    rows = [
        {"item_id": f"i{i}", "annotator_id": f"r{j}", "score": float(v), "aspect": "help"}
        for i, row in enumerate(data)
        for j, v in enumerate(row)
    ]
    db = tmp_path / "s.duckdb"
    ingest(write_jsonl(tmp_path / "r.jsonl", rows), "w1", db=db, scale=["help=1-7"])
    doc = _agreement(db)
    assert doc["methods"]["scale"]["ratings"]["help"] == {
        "low": 1.0,
        "high": 7.0,
        "declared": True,
        "source": "--scale help=1-7",
    }
    help_ = doc["agreement"]["ratings"]["help"]
    assert help_["categories"] == ["1", "2", "3", "4", "5", "6", "7"]
    assert help_["label_distribution"]["1"]["value"] == 0.0 and help_["label_distribution"]["7"]["value"] == 0.0
    ref = REF["irrcac"]["ratings_1_7/quadratic/declared_1_7"]["gwet"]
    assert help_["gwet_ac2"]["value"] == pytest.approx(ref["value"], abs=1e-12)
    ref1 = REF["irrcac"]["ratings_1_7/identity/declared_1_7"]["gwet"]
    assert help_["gwet_ac1"]["value"] == pytest.approx(ref1["value"], abs=1e-12)
    # the distributions list the unused scores of the scale too (issue 14 item 1: empty categories)
    with open_store(db, read_only=True) as st:
        dist = build_report(st, "w1", sections=["distributions"], n_boot=0)["distributions"]["likert"]
    counts = dist["by_aspect"][0]["counts"]
    assert list(counts) == ["1", "2", "3", "4", "5", "6", "7"] and counts["1"] == counts["7"] == 0
    assert all(list(a["counts"]) == list(counts) for a in dist["by_annotator"])
    # inferred instead: the range the data shows (2-6), as irrCAC without categ.labels
    db2 = tmp_path / "t.duckdb"
    ingest(write_jsonl(tmp_path / "r.jsonl", rows), "w1", db=db2)
    doc2 = _agreement(db2)
    assert doc2["methods"]["scale"]["ratings"]["help"]["declared"] is False
    assert doc2["methods"]["scale"]["ratings"]["help"]["low"] == 2.0
    obs = REF["irrcac"]["ratings_1_7/quadratic/observed"]["gwet"]
    assert doc2["agreement"]["ratings"]["help"]["gwet_ac2"]["value"] == pytest.approx(obs["value"], abs=1e-12)


def test_chosen_rejected_adapter_declares_binary(tmp_path):
    rows = [
        {"chosen": f"\n\nHuman: q{i}\n\nAssistant: good {i}", "rejected": f"\n\nHuman: q{i}\n\nAssistant: bad {i}"}
        for i in range(4)
    ]
    db = tmp_path / "s.duckdb"
    ingest(write_jsonl(tmp_path / "hh.jsonl", rows), "hh", db=db, fmt="chosen-rejected")
    with open_store(db, read_only=True) as s:
        sc = batch_scale(s, "hh")
    assert sc.preference.labels == ("A", "B") and sc.preference.declared
    assert sc.preference.source.startswith("format chosen-rejected")


def test_strength_range_declared_and_refused_outside(tmp_path):
    rows = [
        {"comparison_id": f"c{i}", "annotator_id": a, "preference": "A", "strength": i % 3}
        for i in range(6)
        for a in ("x", "y")
    ]
    db = tmp_path / "s.duckdb"
    ingest(write_jsonl(tmp_path / "v.jsonl", rows), "w1", db=db, scale=["strength=0-2"])
    doc = _agreement(db)
    assert doc["methods"]["scale"]["strength"]["high"] == 2.0
    with open_store(db, read_only=True) as st:
        strength = build_report(st, "w1", sections=["distributions"], n_boot=0)["distributions"]["strength"]
    assert list(strength["by_kind"]["human"]["shares"]) == ["0", "1", "2"]  # the declared 0-2, not 0-3
    assert doc["agreement"]["preference"]["strength_scale"]["categories"] == ["-2", "-1", "0", "+1", "+2"]
    bad = rows + [{"comparison_id": "c9", "annotator_id": "x", "preference": "B", "strength": 3}]
    with pytest.raises(Exception) as e:
        ingest(write_jsonl(tmp_path / "w.jsonl", bad), "w1", db=db, mode="append")
    assert "3 is outside the declared strength range 0-2 (--scale strength=0-2)" in "\n".join(e.value.lines())


# -- refused: exit codes, nothing stored -----------------------------------------------------------


def test_cli_labels_conflict_exit_4_and_out_of_scale_rows_exit_3(tmp_path, db, capsys):
    f = write_jsonl(tmp_path / "a.jsonl", yes_no_rows()[:40])
    assert main(["ingest", str(f), "--batch", "w1", "--labels", "A,B", "--db", str(db)]) == 0
    before = _tables(db)
    g = write_jsonl(tmp_path / "b.jsonl", yes_no_rows()[40:80])
    capsys.readouterr()
    assert main(["ingest", str(g), "--batch", "w1", "--append", "--labels", "A,B,tie", "--db", str(db)]) == 4
    err = capsys.readouterr().err
    assert "Scale differs" in err and "declared pairwise labels A,B (--labels A,B)" in err and "--replace" in err
    assert _tables(db) == before
    # a tie in a batch declared A,B: the row is refused like any invalid value (file:line: column)
    tie = write_jsonl(tmp_path / "c.jsonl", [{"comparison_id": "c1", "annotator_id": "zz", "preference": "tie"}])
    assert main(["ingest", str(tie), "--batch", "w1", "--append", "--db", str(db)]) == 3
    err = capsys.readouterr().err
    assert "c.jsonl:1: column 'preference': \"tie\" is not one of the declared labels A, B (--labels A,B)" in err
    assert _tables(db) == before
    # --replace replaces the rows of the kind and their scale
    assert main(["ingest", str(g), "--batch", "w1", "--replace", "--labels", "A,B,tie", "--db", str(db)]) == 0
    with open_store(db, read_only=True) as s:
        assert batch_scale(s, "w1").preference.labels == ("A", "B", "tie")


def test_declaring_a_scale_that_the_batch_data_already_breaks_is_a_conflict(tmp_path, db, capsys):
    rows = yes_no_rows()[:20] + [{"comparison_id": "c0", "annotator_id": "h9", "preference": "tie"}]
    assert main(["ingest", str(write_jsonl(tmp_path / "a.jsonl", rows)), "--batch", "w1", "--db", str(db)]) == 0
    capsys.readouterr()
    g = write_jsonl(tmp_path / "b.jsonl", yes_no_rows()[20:40])
    assert main(["ingest", str(g), "--batch", "w1", "--append", "--labels", "A,B", "--db", str(db)]) == 4
    assert "already holds 'tie' verdicts" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--labels", "A,C"], "Bad --labels"),
        (["--scale", "7-1"], "LOW must be below HIGH"),
        (["--scale", "x=one-seven"], "Bad --scale"),
        (["--scale", "help=1-5"], "a pairwise file declares only its strength range"),
        (["--scale", "strength=0-5"], "within 0-3"),
    ],
)
def test_bad_declarations_exit_2_and_store_nothing(tmp_path, db, capsys, args, message):
    f = write_jsonl(tmp_path / "a.jsonl", yes_no_rows()[:10])
    assert main(["ingest", str(f), "--batch", "w1", *args, "--db", str(db)]) == 2
    assert message in capsys.readouterr().err
    if db.exists():  # refused inside the ingest transaction (the kind is known only then): rolled back
        with open_store(db, read_only=True) as s:
            assert not s.batch_exists("w1") and not s.rows("scales/batch_scales", {"batch_id": "w1"})


def test_scale_naming_an_aspect_the_file_does_not_rate_is_refused(tmp_path, db, capsys):
    f = write_jsonl(tmp_path / "r.jsonl", [{"item_id": "i1", "annotator_id": "a", "score": 3, "aspect": "help"}])
    assert main(["ingest", str(f), "--batch", "w1", "--scale", "helpfulness=1-7", "--db", str(db)]) == 2
    assert "'helpfulness' are not rated in this file (aspects: help)" in capsys.readouterr().err


def test_labels_on_a_rating_file_is_a_usage_error(tmp_path, db, capsys):
    f = write_jsonl(tmp_path / "r.jsonl", [{"item_id": "i1", "annotator_id": "a", "score": 3}])
    assert main(["ingest", str(f), "--batch", "w1", "--labels", "A,B", "--db", str(db)]) == 2
    assert "--labels is for pairwise verdicts" in capsys.readouterr().err


def test_parse_range():
    assert parse_range("1-7") == (None, 1.0, 7.0)
    assert parse_range(" helpfulness = 0.5-9.5") == ("helpfulness", 0.5, 9.5)
    assert parse_range("x=-3-3") == ("x", -3.0, 3.0)


# -- invariance of the stored scale ---------------------------------------------------------------


def test_appending_a_file_with_a_tie_updates_an_inferred_scale(tmp_path):
    db = tmp_path / "s.duckdb"
    ingest(write_jsonl(tmp_path / "a.jsonl", yes_no_rows()[:30]), "w1", db=db)
    tie = [{"comparison_id": "c1", "annotator_id": "h9", "preference": "tie"}]
    ingest(write_jsonl(tmp_path / "b.jsonl", tie), "w1", db=db, mode="append")
    with open_store(db, read_only=True) as s:
        sc = batch_scale(s, "w1")
    assert sc.preference.labels == ("A", "B", "tie") and not sc.preference.declared
