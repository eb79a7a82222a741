"""The sample delivery (sample_data/): reproducible, loadable, and every manifest number holds.

The manifest's numbers are computed by the generator from the rows it writes; here each one is
recomputed by plain SQL on a real store loaded with ``qualitylab sample`` (not with qualitylab's
own queries), so the two computations are independent.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest

from qualitylab.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
MANIFEST = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
PLAN = json.loads((SAMPLE / "load.json").read_text(encoding="utf-8"))
ACME = sorted(MANIFEST["batches"])
RATINGS_WEEKS = MANIFEST["defects"]["verbose_7b_leaderboards_disagree"]["batches"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    """A store file loaded with the whole sample by the CLI."""
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    assert main(["sample", "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def store(store_path):
    """A read-only connection to the loaded store."""
    con = duckdb.connect(str(store_path), read_only=True)
    yield con
    con.close()


def q(con, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def approx(x):
    """Manifest values carry 6 significant digits."""
    return pytest.approx(x, rel=1e-5, abs=1e-9)


# ------------------------------------------------------------------------------------------------
# reproducible
# ------------------------------------------------------------------------------------------------


def test_regenerating_with_the_same_seed_gives_identical_files(tmp_path):
    import pyarrow

    gen = MANIFEST["generator"]
    if np.__version__ != gen["numpy"]:
        pytest.skip(
            f"sample generated with numpy {gen['numpy']}, running {np.__version__}: numpy does not "
            "promise the same random stream across versions (NEP 19); regenerate to compare"
        )
    out = tmp_path / "regen"
    r = subprocess.run(
        [sys.executable, str(SAMPLE / "generate.py"), "--out", str(out), "--seed", str(gen["seed"])],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    same_pyarrow = pyarrow.__version__ == gen["pyarrow"]
    for f in MANIFEST["files"]:
        new = out / f["file"]
        if f["format"] == "parquet" and not same_pyarrow:
            import pyarrow.parquet as pq

            assert pq.read_table(new).equals(pq.read_table(SAMPLE / f["file"])), f["file"]
            continue
        assert sha256(new) == sha256(SAMPLE / f["file"]) == f["sha256"], f["file"]
    assert (out / "load.json").read_bytes() == (SAMPLE / "load.json").read_bytes()
    if same_pyarrow:
        assert (out / "manifest.json").read_bytes() == (SAMPLE / "manifest.json").read_bytes()
    else:
        new = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        strip = lambda m: {**m, "generator": None, "files": [{**f, "sha256": None} for f in m["files"]]}  # noqa: E731
        assert strip(new) == strip(MANIFEST)


def test_the_committed_files_are_the_ones_in_the_manifest():
    for f in MANIFEST["files"]:
        assert sha256(SAMPLE / f["file"]) == f["sha256"], f"{f['file']} changed: rerun sample_data/generate.py"


# ------------------------------------------------------------------------------------------------
# the load plan and the real data
# ------------------------------------------------------------------------------------------------


def test_load_plan_lists_every_file_with_acme_first_and_real_data_quarantined():
    for e in PLAN:
        assert {"file", "batch", "vendor", "delivered"} <= set(e), e
        assert (SAMPLE / e["file"]).is_file(), e["file"]
    acme = [e for e in PLAN if e["vendor"] == MANIFEST["vendor"]]
    assert [e["file"] for e in acme] == [f["file"] for f in MANIFEST["files"]]
    assert PLAN[: len(acme)] == acme
    real = PLAN[len(acme) :]
    assert [e["batch"] for e in real] == ["pandalm"] + ["llmbar-mtbench"] * 9
    assert all(e["quarantine"] is True for e in real)
    assert {e["format"] for e in real} == {"pandalm", "llmbar"}
    assert real[1]["file"] == "llmbar-mtbench/dataset.json"  # the human labels first, then each judge


def test_real_data_keeps_its_licences_and_provenance():
    assert "Apache License" in (SAMPLE / "pandalm" / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in (SAMPLE / "llmbar-mtbench" / "LICENSE").read_text(encoding="utf-8")
    for folder in ("pandalm", "llmbar-mtbench"):
        assert len((SAMPLE / folder / "COMMIT").read_text().strip()) == 40
    assert (SAMPLE / "pandalm" / "README.md").is_file()
    for name in ("testset-v1.json", "gpt-3.5-turbo-testset-v1.json", "pandalm-7b-testset-v1.json"):
        assert (SAMPLE / "pandalm" / "data" / name).is_file()


# ------------------------------------------------------------------------------------------------
# loading
# ------------------------------------------------------------------------------------------------


def test_sample_loads_every_batch_with_the_manifest_counts(store):
    batches = {b for (b,) in q(store, "SELECT batch_id FROM batches")}
    assert batches == {e["batch"] for e in PLAN}
    for b, info in MANIFEST["batches"].items():
        n, n_c, n_a, n_h = q(
            store,
            "SELECT count(*), count(DISTINCT comparison_id), count(DISTINCT annotator_id), "
            "count(*) FILTER (annotator_kind = 'human') FROM verdicts WHERE batch_id = $b",
            {"b": b},
        )[0]
        assert (n, n_c, n_a, n_h) == (
            info["n_judgments"],
            info["n_comparisons"],
            info["n_annotators"],
            info["n_human_verdicts"],
        ), b
        assert q(store, "SELECT count(*) FROM ratings WHERE batch_id = $b", {"b": b})[0][0] == info["n_ratings"]
        assert q(store, "SELECT count(*) FROM rankings WHERE batch_id = $b", {"b": b})[0][0] == info["n_ranking_rows"]
        vendor, delivered = q(
            store, "SELECT vendor, CAST(delivered AS VARCHAR) FROM batches WHERE batch_id = $b", {"b": b}
        )[0]
        assert (vendor, delivered) == (MANIFEST["vendor"], info["delivered"])
        labels = dict(
            q(
                store,
                "SELECT preference, count(*) FROM verdicts WHERE batch_id = $b "
                "AND annotator_kind = 'human' AND NOT duplicate_copy GROUP BY ALL",
                {"b": b},
            )
        )
        assert labels == {k: v for k, v in info["label_counts_humans"].items() if v}


def test_rows_per_file_match_the_manifest(store):
    stored = {
        (b, f): (n, s, qn)
        for b, f, n, s, qn in q(store, "SELECT batch_id, file_name, n_rows, n_stored, n_quarantined FROM files")
    }
    for f in MANIFEST["files"]:
        assert stored[(f["batch"], Path(f["file"]).name)] == (f["n_rows"], f["n_rows"], 0), f["file"]


@pytest.mark.parametrize("batch", ["pandalm", "llmbar-mtbench"])
def test_real_data_rows_and_quarantine_match_the_source_files(store, batch):
    expected = MANIFEST["real_data"][batch]
    got = q(
        store, "SELECT n_rows, n_stored, n_quarantined FROM files WHERE batch_id = $b ORDER BY file_id", {"b": batch}
    )
    plan = [e["file"] for e in PLAN if e["batch"] == batch]
    assert got == [tuple(expected["files"][p][k] for k in ("n_rows", "n_stored", "n_quarantined")) for p in plan]
    n_c, n_h = q(
        store,
        "SELECT count(DISTINCT comparison_id), count(*) FILTER (annotator_kind = 'human') "
        "FROM verdicts WHERE batch_id = $b",
        {"b": batch},
    )[0]
    assert (n_c, n_h) == (expected["n_comparisons"], expected["n_human_verdicts"])
    n_q = q(store, "SELECT count(DISTINCT (file_id, source_line)) FROM quarantine WHERE batch_id = $b", {"b": batch})[
        0
    ][0]
    assert n_q == sum(j["n_unparsed"] for j in expected["judges"].values())


def test_loading_twice_changes_nothing(store, store_path, tmp_path, capsys):
    import shutil

    db = tmp_path / "again.duckdb"
    shutil.copyfile(store_path, db)
    before = q(store, "SELECT batch_id, count(*) FROM verdicts GROUP BY ALL ORDER BY ALL")
    assert main(["sample", "--db", str(db)]) == 0
    assert "already in the store" in capsys.readouterr().err
    with duckdb.connect(str(db), read_only=True) as con:
        assert q(con, "SELECT batch_id, count(*) FROM verdicts GROUP BY ALL ORDER BY ALL") == before


# ------------------------------------------------------------------------------------------------
# every manifest number, recomputed by plain SQL on the store
# ------------------------------------------------------------------------------------------------

P_FIRST_SQL = """
SELECT annotator_id, count(*) FILTER (preference = shown_first), count(*)
FROM verdicts WHERE batch_id = $b AND NOT duplicate_copy AND preference <> 'tie' AND shown_first_recorded
GROUP BY ALL"""
P_LONGER_SQL = """
SELECT annotator_id,
       count(*) FILTER (preference = CASE WHEN len_a_chars > len_b_chars THEN 'A' ELSE 'B' END), count(*)
FROM verdicts WHERE batch_id = $b AND NOT duplicate_copy AND preference <> 'tie'
  AND abs(len_a_chars - len_b_chars) > 30 GROUP BY ALL"""


@pytest.mark.parametrize(
    "defect, key, annotator", [("h03_position_bias", "p_first", "h03"), ("h07_length_bias", "p_prefer_longer", "h07")]
)
def test_planted_bias_numbers(store, defect, key, annotator):
    d = MANIFEST["defects"][defect]
    sql = P_FIRST_SQL if key == "p_first" else P_LONGER_SQL
    for b, exp in {**d["expected"], **d["control_weeks"]}.items():
        k, n = {a: (k, n) for a, k, n in q(store, sql, {"b": b})}[annotator]
        assert (k, n) == (exp["k"], exp["n"]), b
        assert k / n == approx(exp["value"])
    for _b, exp in d["expected"].items():
        assert exp["value"] > 0.75 and exp["flagged"] is True


def test_every_annotators_screening_numbers(store):
    """The manifest's per-annotator table (p_first, p_prefer_longer, gold, median seconds) for every batch."""
    for b, table in MANIFEST["annotators"].items():
        first = {a: (k, n) for a, k, n in q(store, P_FIRST_SQL, {"b": b})}
        longer = {a: (k, n) for a, k, n in q(store, P_LONGER_SQL, {"b": b})}
        other = {
            r[0]: r[1:]
            for r in q(
                store,
                """
            SELECT annotator_id, count(*), count(*) FILTER (gold IS NOT NULL),
                   count(*) FILTER (preference = gold), median(seconds), avg((preference = 'tie')::INT)
            FROM verdicts WHERE batch_id = $b AND NOT duplicate_copy GROUP BY ALL""",
                {"b": b},
            )
        }
        assert set(other) == set(table)
        for a, row in table.items():
            assert first[a] == (row["p_first"]["k"], row["p_first"]["n"]), (b, a)
            assert longer[a] == (row["p_prefer_longer"]["k"], row["p_prefer_longer"]["n"]), (b, a)
            n, n_gold, n_correct, med, tie_rate = other[a]
            assert (n, n_gold, n_correct) == (row["n"], row["gold"]["n"], row["gold"]["n_correct"]), (b, a)
            assert tie_rate == approx(row["tie_rate"])
            assert (med is None and row["median_seconds"] is None) or med == approx(row["median_seconds"])


def test_annotators_without_planted_defect_are_not_flagged_in_the_manifest():
    for b, info in MANIFEST["batches"].items():
        for a in info["annotators_without_planted_defect"]:
            row = MANIFEST["annotators"][b][a]
            assert not row["p_first"]["flagged"] and not row["p_prefer_longer"]["flagged"], (b, a)
            assert row["p_first"]["q_value"] >= 0.05 and row["p_prefer_longer"]["q_value"] >= 0.05


def test_h11_is_too_fast_and_fails_the_honeypots_in_week_5(store):
    exp = MANIFEST["defects"]["h11_too_fast"]["expected"]["acme-w5"]
    med, n_gold, n_correct, n_fast = q(
        store,
        """
        SELECT median(seconds), count(*) FILTER (gold IS NOT NULL), count(*) FILTER (preference = gold),
               count(*) FILTER (seconds < 5)
        FROM verdicts WHERE batch_id = 'acme-w5' AND annotator_id = 'h11'""",
    )[0]
    assert med == approx(exp["median_seconds"]) and med < 5
    assert (n_gold, n_correct) == (exp["gold"]["n"], exp["gold"]["n_correct"])
    assert n_correct / n_gold == approx(exp["gold"]["accuracy"]) and exp["gold"]["accuracy"] <= 0.5
    assert n_fast == exp["n_below_5_seconds"]
    others = q(
        store,
        """SELECT min(m) FROM (SELECT median(seconds) AS m FROM verdicts WHERE batch_id = 'acme-w5'
                         AND annotator_kind = 'human' AND annotator_id <> 'h11' GROUP BY annotator_id)""",
    )[0][0]
    assert others == approx(exp["others_min_median_seconds"])


def _alpha_from_store(con, batch: str, every_row: bool = False) -> float:
    """Krippendorff's alpha (nominal) from per-comparison label counts aggregated in SQL: one value
    per (comparison, annotator), or every verdict row a value."""
    source = (
        "SELECT comparison_id, preference" if every_row else "SELECT DISTINCT comparison_id, annotator_id, preference"
    )
    rows = q(
        con,
        f"""
        WITH v AS ({source} FROM verdicts WHERE batch_id = $b AND annotator_kind = 'human')
        SELECT comparison_id, count(*) FILTER (preference = 'A'), count(*) FILTER (preference = 'B'),
               count(*) FILTER (preference = 'tie')
        FROM v GROUP BY comparison_id HAVING count(*) >= 2""",
        {"b": batch},
    )
    o = np.zeros((3, 3))
    for _, *counts in rows:
        c = np.array(counts, dtype=float)
        o += (np.outer(c, c) - np.diag(c)) / (c.sum() - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    return 1 - ((o.sum() - np.trace(o)) / n) / ((n * n - (n_c**2).sum()) / (n * (n - 1)))


def test_weekly_human_agreement_and_the_week_5_drop(store):
    exp = MANIFEST["defects"]["w5_agreement_drop"]["expected"]["krippendorff_alpha_humans"]
    got = {b: _alpha_from_store(store, b) for b in ACME}
    for b in ACME:
        assert got[b] == approx(exp[b]), b
    every = MANIFEST["defects"]["w5_agreement_drop"]["expected"]["krippendorff_alpha_humans_every_row"]
    for b in ACME:
        assert _alpha_from_store(store, b, every_row=True) == approx(every[b]), b
    assert every["acme-w3"] > exp["acme-w3"]  # the 10 duplicate rows agree with themselves
    assert (
        got["acme-w5"]
        < 0.1
        < 0.3
        < min(got["acme-w1"], got["acme-w2"])
        < 0.55
        < 0.6
        < min(got["acme-w3"], got["acme-w4"], got["acme-w6"])
    )
    kd = pytest.importorskip("krippendorff", reason="the dev extra's reference implementation")
    rows = q(
        store,
        "SELECT DISTINCT comparison_id, annotator_id, preference FROM verdicts "
        "WHERE batch_id = 'acme-w3' AND annotator_kind = 'human'",
    )
    comps = {c: i for i, c in enumerate(sorted({r[0] for r in rows}))}
    anns = {a: i for i, a in enumerate(sorted({r[1] for r in rows}))}
    mat = np.full((len(anns), len(comps)), np.nan)
    for c, a, p in rows:
        mat[anns[a], comps[c]] = ("A", "B", "tie").index(p)
    assert kd.alpha(reliability_data=mat, level_of_measurement="nominal") == approx(exp["acme-w3"])


def test_week_3_duplicate_rows(store):
    exp = MANIFEST["defects"]["w3_duplicate_rows"]["expected"]["acme-w3"]
    cols = (
        "comparison_id, annotator_id, annotator_kind, preference, shown_first, shown_first_recorded, strength, "
        "rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a, model_b, prompt, "
        "response_a, response_b, CAST(extra AS VARCHAR)"
    )
    groups = q(
        store,
        f"SELECT count(*), list(source_line ORDER BY source_line) FROM verdicts "
        f"WHERE batch_id = $b GROUP BY {cols} HAVING count(*) > 1",
        {"b": "acme-w3"},
    )
    assert len(groups) == exp["n_groups"]
    assert sum(n for n, _ in groups) == exp["n_rows_in_groups"]
    assert sum(n - 1 for n, _ in groups) == exp["n_extra_rows"] == 10
    assert sorted(lines for _, lines in groups) == sorted([d["line"], d["duplicate_line"]] for d in exp["lines"])
    for b, ctl in MANIFEST["defects"]["w3_duplicate_rows"]["control_weeks"].items():
        n = q(
            store,
            f"SELECT count(*) FROM (SELECT 1 FROM verdicts WHERE batch_id = $b GROUP BY {cols} HAVING count(*) > 1)",
            {"b": b},
        )[0][0]
        assert n == ctl["n_groups"] == 0, b


def test_week_3_identical_and_empty_responses(store):
    ident = MANIFEST["defects"]["w3_identical_responses"]["expected"]["acme-w3"]
    got = q(
        store,
        "SELECT comparison_id, count(*) FROM verdicts WHERE batch_id = 'acme-w3' "
        "AND response_a = response_b GROUP BY ALL ORDER BY 1",
    )
    assert [c for c, _ in got] == ident["comparison_ids"]
    assert sum(n for _, n in got) == ident["n_rows"]
    empty = MANIFEST["defects"]["w3_empty_responses"]["expected"]["acme-w3"]
    got = q(
        store,
        r"""SELECT comparison_id, CASE WHEN regexp_matches(response_a, '^\s*$') THEN 'A' ELSE 'B' END,
                              CASE WHEN len_a_chars = 0 OR len_b_chars = 0 THEN 'empty' ELSE 'whitespace-only' END,
                              count(*)
                       FROM verdicts WHERE batch_id = 'acme-w3'
                         AND (regexp_matches(response_a, '^\s*$') OR regexp_matches(response_b, '^\s*$'))
                       GROUP BY ALL ORDER BY 1""",
    )
    assert [{"comparison_id": c, "side": s, "content": k} for c, s, k, _ in got] == empty["comparisons"]
    assert sum(n for *_, n in got) == empty["n_rows"]
    for b in ACME:
        if b != "acme-w3":
            assert (
                q(
                    store,
                    r"SELECT count(*) FROM verdicts WHERE batch_id = $b AND (response_a = response_b "
                    r"OR regexp_matches(response_a, '^\s*$') OR regexp_matches(response_b, '^\s*$'))",
                    {"b": b},
                )[0][0]
                == 0
            ), b


def test_week_4_redelivered_comparisons(store):
    exp = MANIFEST["defects"]["w4_redelivered"]["expected"]["acme-w4"]
    got = q(
        store,
        """
        WITH cur AS (SELECT DISTINCT comparison_id, prompt, response_a, response_b FROM verdicts
                     WHERE batch_id = 'acme-w4'),
             old AS (SELECT DISTINCT v.batch_id, v.comparison_id, prompt, response_a, response_b
                     FROM verdicts v JOIN batches b USING (batch_id)
                     WHERE b.vendor = 'acme-labels' AND b.delivered < DATE '2026-10-26')
        SELECT cur.comparison_id, old.batch_id, old.comparison_id
        FROM cur JOIN old USING (prompt, response_a, response_b) ORDER BY 1""",
    )
    assert [{"comparison_id": c, "original_batch": b, "original_comparison_id": o} for c, b, o in got] == exp[
        "comparisons"
    ]
    assert len(got) == exp["n_comparisons"] == 12
    n_rows = q(
        store,
        "SELECT count(*) FROM verdicts WHERE batch_id = 'acme-w4' AND comparison_id IN (SELECT unnest($ids))",
        {"ids": [c for c, _, _ in got]},
    )[0][0]
    assert n_rows == exp["n_rows"]
    # nothing else repeats across weeks
    dup = q(
        store,
        """SELECT count(*) FROM (SELECT prompt, response_a, response_b FROM verdicts
                      WHERE batch_id LIKE 'acme-%' GROUP BY ALL HAVING count(DISTINCT batch_id) > 1)""",
    )[0][0]
    assert dup == 12


def test_verbose_7b_leaderboards_disagree(store):
    d = MANIFEST["defects"]["verbose_7b_leaderboards_disagree"]
    for b in RATINGS_WEEKS:
        exp = d["expected"][b]
        win = dict(
            q(
                store,
                """
            SELECT model, avg(score) FROM (
                SELECT model_a AS model, CASE preference WHEN 'A' THEN 1 WHEN 'tie' THEN 0.5 ELSE 0 END AS score
                FROM verdicts WHERE batch_id = $b AND annotator_kind = 'human'
                UNION ALL
                SELECT model_b, CASE preference WHEN 'B' THEN 1 WHEN 'tie' THEN 0.5 ELSE 0 END
                FROM verdicts WHERE batch_id = $b AND annotator_kind = 'human') GROUP BY model""",
                {"b": b},
            )
        )
        helpful = dict(
            q(
                store,
                "SELECT model, avg(score) FROM ratings WHERE batch_id = $b AND aspect = 'helpfulness' GROUP BY model",
                {"b": b},
            )
        )
        every = dict(q(store, "SELECT model, avg(score) FROM ratings WHERE batch_id = $b GROUP BY model", {"b": b}))
        mrank = dict(q(store, "SELECT model, avg(rank) FROM rankings WHERE batch_id = $b GROUP BY model", {"b": b}))
        for got, key in (
            (win, "win_rate"),
            (helpful, "mean_rating_helpfulness"),
            (every, "mean_rating_all_aspects"),
            (mrank, "mean_rank"),
        ):
            assert got == {m: approx(v) for m, v in exp[key].items()}, (b, key)

        def rank(values, high=True):
            return sorted(values, key=values.get, reverse=high).index("verbose-7b") + 1

        ranks = exp["verbose-7b_rank"]
        assert (
            (rank(win), rank(helpful), rank(every), rank(mrank, high=False))
            == (
                ranks["pairwise_win_rate"],
                ranks["mean_rating_helpfulness"],
                ranks["mean_rating_all_aspects"],
                ranks["mean_rank_in_rankings"],
            )
            == (3, 1, 1, 3)
        ), b


def test_ratings_share_prompts_and_texts_with_the_pairwise_comparisons(store):
    """Issue 6 links the signals by prompt_id and model: every rated response is a response of a
    pairwise comparison of the same prompt, with the same text."""
    for b in RATINGS_WEEKS:
        unmatched = q(
            store,
            """
            SELECT count(*) FROM (SELECT DISTINCT prompt_id, model, response FROM ratings WHERE batch_id = $b) r
            WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.batch_id = $b AND v.prompt_id = r.prompt_id
                              AND ((v.model_a = r.model AND v.response_a = r.response)
                                OR (v.model_b = r.model AND v.response_b = r.response)))""",
            {"b": b},
        )[0][0]
        assert unmatched == 0, b
        n_prompts, per = q(
            store,
            "SELECT count(DISTINCT prompt_id), count(*) / count(DISTINCT prompt_id) FROM rankings WHERE batch_id = $b",
            {"b": b},
        )[0]
        assert (n_prompts, per) == (MANIFEST["config"]["n_multi_prompts_per_ratings_week"], 12)  # 4 responses x 3


def test_reference_numbers(store):
    ref = MANIFEST["reference"]
    for b in ACME:
        k, n = q(
            store,
            """SELECT count(*) FILTER (a.preference = b.preference), count(*)
                           FROM verdicts a JOIN verdicts b USING (batch_id, comparison_id, annotator_id)
                           WHERE batch_id = $b AND a.annotator_id = 'judge-mini'
                             AND a.shown_first = 'A' AND b.shown_first = 'B'""",
            {"b": b},
        )[0]
        assert (k, n) == (ref["judge_position_consistency"][b]["k"], ref["judge_position_consistency"][b]["n"])
        k, n = q(
            store,
            """SELECT count(*) FILTER ((rating_a > rating_b) = (preference = 'A')), count(*)
                           FROM verdicts WHERE batch_id = $b AND annotator_kind = 'human' AND preference <> 'tie'
                             AND NOT duplicate_copy AND rating_a IS NOT NULL AND rating_b IS NOT NULL
                             AND rating_a <> rating_b""",
            {"b": b},
        )[0]
        assert (k, n) == (ref["direction_agreement_humans"][b]["k"], ref["direction_agreement_humans"][b]["n"])
        n_gold = q(
            store,
            "SELECT count(DISTINCT comparison_id) FROM verdicts WHERE batch_id = $b AND gold IS NOT NULL",
            {"b": b},
        )[0][0]
        assert n_gold == ref["honeypots"][b] == MANIFEST["batches"][b]["n_gold_comparisons"]


def test_manifest_keys_are_stable():
    """Other areas' tests read these keys: renaming one is a breaking change."""
    assert MANIFEST["manifest_version"] == 1
    assert {
        "generator",
        "config",
        "vendor",
        "humans",
        "judges",
        "models",
        "files",
        "batches",
        "defects",
        "annotators",
        "reference",
        "real_data",
    } <= set(MANIFEST)
    assert set(MANIFEST["defects"]) == {
        "h03_position_bias",
        "h07_length_bias",
        "w5_agreement_drop",
        "h11_too_fast",
        "w3_duplicate_rows",
        "w3_identical_responses",
        "w3_empty_responses",
        "w4_redelivered",
        "verbose_7b_leaderboards_disagree",
    }
    for d in MANIFEST["defects"].values():
        assert {"what", "batches", "check", "expected"} <= set(d)
    verdicts = {b: v["intended_verdict"] for b, v in MANIFEST["batches"].items()}
    assert verdicts == {
        "acme-w1": "REVIEW",
        "acme-w2": "REVIEW",
        "acme-w3": "ACCEPT",
        "acme-w4": "ACCEPT",
        "acme-w5": "REJECT",
        "acme-w6": "ACCEPT",
    }
    assert MANIFEST["batches"]["acme-w5"]["annotators_with_planted_defect"] == ["h11"]
    assert sorted(MANIFEST["batches"]["acme-w1"]["annotators_with_planted_defect"]) == ["h03", "h07"]
    assert MANIFEST["batches"]["acme-w6"]["annotators_with_planted_defect"] == []
