"""Forward migrations from a store written by schema v4 (the first round's last version) through every
later version, one version at a time, with the data of every v4 table kept.

Each schema bump adds its check to ``CHECKS`` (version -> function of the connection after that
version's migration ran) and, where the new version backfills something from v4 rows, asserts it.
"""

from __future__ import annotations

import duckdb
import pytest

from qualitylab.schema import MIGRATIONS, SCHEMA_VERSION
from qualitylab.store import _schema_version, migrate, open_store

V4_TABLES = ("batches", "files", "verdicts", "ratings", "rankings", "quarantine", "judge_calls")


def make_v4_store(path) -> None:
    """A store as schema v4 left it: every v4 table with rows, written with v4's DDL only."""
    con = duckdb.connect(str(path))
    for ddl in MIGRATIONS[:4]:
        con.execute(ddl).fetchall()
    con.execute("INSERT INTO meta VALUES ('schema_version', '4')").fetchall()
    con.execute(
        "INSERT INTO batches VALUES ('w1', 'acme', DATE '2026-10-05', TIMESTAMP '2026-10-06 09:00:00'),"
        " ('w2', 'acme', DATE '2026-10-12', TIMESTAMP '2026-10-13 09:00:00')"
    ).fetchall()
    con.execute(
        "INSERT INTO files VALUES (1, 'w1', 'pairwise', 'jsonl', 'w1.jsonl', 100, 'aa', 4, 3, 1,"
        " TIMESTAMP '2026-10-06 09:00:00', '0.1.0', []),"
        " (2, 'w1', 'rating', 'csv', 'w1-ratings.csv', 50, 'bb', 2, 2, 0,"
        " TIMESTAMP '2026-10-06 09:01:00', '0.1.0', []),"
        " (3, 'w1', 'ranking', 'csv', 'w1-rankings.csv', 50, 'cc', 2, 2, 0,"
        " TIMESTAMP '2026-10-06 09:02:00', '0.1.0', []),"
        " (4, 'w2', 'pairwise', 'jsonl', 'w2.jsonl', 100, 'dd', 1, 1, 0,"
        " TIMESTAMP '2026-10-13 09:00:00', '0.1.0', [])"
    ).fetchall()
    cols = (
        "batch_id, file_id, source_line, comparison_id, annotator_id, annotator_kind, preference, shown_first,"
        " shown_first_recorded, prompt_id, model_a, model_b, prompt, response_a, response_b, len_a_chars,"
        " len_b_chars, content_hash, responses_identical, pair_hash"
    )
    con.execute(
        f"INSERT INTO verdicts ({cols}) VALUES"
        " ('w1', 1, 1, 'c1', 'h1', 'human', 'A', 'A', true, 'p1', 'm1', 'm2', 'q', 'x y', 'z', 3, 1, 11, false, 21),"
        " ('w1', 1, 2, 'c1', 'h2', 'human', 'B', 'B', true, 'p1', 'm1', 'm2', 'q', 'x y', 'z', 3, 1, 11, false, 21),"
        " ('w1', 1, 3, 'c2', 'h1', 'human', 'tie', 'A', true, 'p2', 'm1', 'm2', 'r', 'u', 'u', 1, 1, 12, true, 22),"
        " ('w2', 4, 1, 'c1', 'h1', 'human', 'A', 'A', true, 'p1', 'm1', 'm2', 'q', 'x y', 'z', 3, 1, 11, false, 21),"
        # an exact duplicate of w1 line 1 (v11 marks it a duplicate copy; w2 line 1 is another batch's)
        " ('w1', 1, 5, 'c1', 'h1', 'human', 'A', 'A', true, 'p1', 'm1', 'm2', 'q', 'x y', 'z', 3, 1, 11, false, 21)"
    ).fetchall()
    con.execute(
        "INSERT INTO ratings (batch_id, file_id, source_line, item_id, annotator_id, annotator_kind, aspect, score,"
        " prompt_id, model) VALUES ('w1', 2, 2, 'i1', 'h1', 'human', 'overall', 5, 'p1', 'm1'),"
        " ('w1', 2, 3, 'i1', 'h2', 'human', 'overall', 6, 'p1', 'm1')"
    ).fetchall()
    con.execute(
        "INSERT INTO rankings (batch_id, file_id, source_line, prompt_id, annotator_id, annotator_kind,"
        " response_id, rank, model) VALUES ('w1', 3, 2, 'p1', 'h1', 'human', 'r1', 1, 'm1'),"
        " ('w1', 3, 3, 'p1', 'h1', 'human', 'r2', 2, 'm2')"
    ).fetchall()
    # a reference answer delivered before v14 was an extra column (v14 copies it into its own column)
    con.execute("""UPDATE verdicts SET extra = '{"reference_answer": "Paris", "x": 1}' WHERE comparison_id = 'c2'""")
    con.execute("""UPDATE ratings SET extra = '{"reference_answer": "  "}' WHERE source_line = 3""")
    con.execute(
        "INSERT INTO quarantine VALUES ('w1', 1, 4, 'preference', '\"maybe\" is not one of A, B, tie', '{}')"
    ).fetchall()
    con.execute(
        "INSERT INTO judge_calls (batch_id, mode, item_id, shown_first, aspect, model, template_sha256,"
        " annotator_id, raw_output, parsed, preference, attempts, created_at) VALUES"
        " ('w1', 'pairwise', 'c1', 'A', '-', 'gpt-x', 'ff', 'gpt-x', '[[A]]', true, 'A', 1,"
        " TIMESTAMP '2026-10-07 10:00:00')"
    ).fetchall()
    con.close()


def _counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in V4_TABLES}


def check_v5_scales(con) -> None:
    """v5: every batch gets its inferred scale (w1 has a tie, w2 does not; w1 rates 'overall' 5-6)."""
    rows = con.execute("SELECT batch_id, kind, target, labels, low, high, declared FROM scales ORDER BY ALL").fetchall()
    assert rows == [
        ("w1", "pairwise", "preference", ["A", "B", "tie"], None, None, False),
        ("w1", "rating", "overall", None, 5.0, 6.0, False),
        ("w2", "pairwise", "preference", ["A", "B"], None, None, False),
    ]


def check_v6_judge_call_sha256(con) -> None:
    """v6: the judge cache keyed by what was sent; the v4 row is kept as it was, marked legacy."""
    cols = [r[0] for r in con.execute("DESCRIBE judge_calls").fetchall()]
    assert cols[-2:] == ["call_sha256", "legacy"]
    row = con.execute(
        "SELECT batch_id, item_id, model, template_sha256, raw_output, preference, call_sha256, legacy FROM judge_calls"
    ).fetchall()
    assert row == [("w1", "c1", "gpt-x", "ff", "[[A]]", "A", None, True)]  # not re-keyed
    # the v2 primary key by comparison id is gone: the same item may hold calls on other texts
    con.execute(
        "INSERT INTO judge_calls (batch_id, mode, item_id, shown_first, aspect, model, template_sha256,"
        " annotator_id, parsed, attempts, created_at, call_sha256) VALUES"
        " ('w1', 'pairwise', 'c1', 'A', '-', 'gpt-x', 'ff', 'gpt-x', false, 1, TIMESTAMP '2026-10-08 10:00:00', 'ab')"
    ).fetchall()
    with pytest.raises(duckdb.ConstraintException):  # a new row must say what was sent
        con.execute(
            "INSERT INTO judge_calls (batch_id, mode, item_id, shown_first, aspect, model, template_sha256,"
            " annotator_id, parsed, attempts, created_at) VALUES"
            " ('w1', 'pairwise', 'c1', 'A', '-', 'gpt-x', 'ff', 'gpt-x', false, 1, TIMESTAMP '2026-10-08 10:00:00')"
        ).fetchall()
    con.execute("DELETE FROM judge_calls WHERE NOT legacy").fetchall()


#: version -> check run right after the migration to that version (each schema bump adds one)
CHECKS: dict[int, object] = {5: check_v5_scales, 6: check_v6_judge_call_sha256}


def test_v4_store_steps_through_every_version_keeping_its_rows(tmp_path):
    p = tmp_path / "v4.duckdb"
    make_v4_store(p)
    con = duckdb.connect(str(p))
    before = _counts(con)
    assert _schema_version(con) == 4
    for version in range(5, SCHEMA_VERSION + 1):
        migrate(con, target=version)
        assert _schema_version(con) == version
        assert _counts(con) == before, f"rows changed by the migration to v{version}"
        check = CHECKS.get(version)
        if check is not None:
            check(con)  # type: ignore[operator]
    con.close()
    assert set(CHECKS) <= set(range(5, SCHEMA_VERSION + 1))


def test_v4_store_opens_and_migrates_in_one_step(tmp_path):
    p = tmp_path / "v4.duckdb"
    make_v4_store(p)
    with open_store(p) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert _counts(s.con)["verdicts"] == 5
    with open_store(p, read_only=True) as s:
        assert s.rows("store/batch_names")


def test_migrations_only_go_forward(tmp_path):
    p = tmp_path / "v4.duckdb"
    make_v4_store(p)
    con = duckdb.connect(str(p))
    with pytest.raises(ValueError, match="from version 4 to 3"):
        migrate(con, target=3)
    con.close()


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'"
                                      " ORDER BY ordinal_position").fetchall()]  # fmt: skip


def _check_contracts(con) -> None:
    """v7: contracts (one row per name and version), empty after the migration."""
    assert _columns(con, "contracts")[:3] == ["name", "version", "sha256"]
    assert "contract_text" in _columns(con, "contracts") and "plan" in _columns(con, "contracts")
    assert con.execute("SELECT count(*) FROM contracts").fetchall()[0][0] == 0


def _check_contract_gate_files(con) -> None:
    """v8: the gate-file contents stored with each contract version."""
    assert _columns(con, "contract_gate_files") == ["name", "version", "path", "sha256", "gates_text"]


def _check_contract_links(con) -> None:
    """v9: contract_links, one row per batch; the v4 batches are unlinked."""
    assert _columns(con, "contract_links") == ["batch_id", "contract_name", "week", "linked_at"]
    assert con.execute("SELECT count(*) FROM contract_links").fetchall()[0][0] == 0


def _check_decisions(con) -> None:
    """v10: decisions (append-only); the v4 batches are undecided, so none is protected."""
    cols = _columns(con, "decisions")
    assert cols[:4] == ["decision_id", "batch_id", "decision", "gate_verdict"]
    assert {"report_sha256", "gates_sha256", "contract_sha256", "excluded", "exclusion_reasons", "supersedes"} <= set(
        cols
    )
    assert con.execute("SELECT count(*) FROM decisions").fetchall()[0][0] == 0


CHECKS.update({7: _check_contracts, 8: _check_contract_gate_files, 9: _check_contract_links, 10: _check_decisions})


def _check_report_snapshots(con) -> None:
    """v11: report_snapshots, keyed by batch and request; a migrated store holds none (every batch's
    report is computed on the next look and stored where the store is writable)."""
    cols = _columns(con, "report_snapshots")
    assert cols[:4] == ["batch_id", "request_sha256", "fingerprint", "parts"]
    assert {"document", "report_sha256", "verdict", "computed_at", "compute_seconds"} <= set(cols)
    assert con.execute("SELECT count(*) FROM report_snapshots").fetchall()[0][0] == 0


CHECKS[11] = _check_report_snapshots


def _check_duplicate_copy(con) -> None:
    """v12: duplicate_copy on verdicts, ratings, rankings; the backfill marks exactly the copy beyond
    the first of its batch (w1 line 5; w2's equal row is another batch's), nothing else."""
    for t in ("verdicts", "ratings", "rankings"):
        assert _columns(con, t)[-1] == "duplicate_copy"
    marked = con.execute("SELECT batch_id, file_id, source_line FROM verdicts WHERE duplicate_copy").fetchall()
    assert marked == [("w1", 1, 5)]
    assert con.execute("SELECT count(*) FROM verdicts WHERE duplicate_copy IS NULL").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM ratings WHERE duplicate_copy").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM rankings WHERE duplicate_copy").fetchall()[0][0] == 0


CHECKS.update({12: _check_duplicate_copy})


def _check_adjudications(con) -> None:
    """v13: adjudications (append-only, with the texts' SHA-256); none after the migration."""
    cols = _columns(con, "adjudications")
    assert cols[:4] == ["adjudication_id", "batch_id", "comparison_id", "label"]
    assert {"note", "adjudicated_by", "adjudicated_at", "texts_sha256", "source"} <= set(cols)
    assert con.execute("SELECT count(*) FROM adjudications").fetchall()[0][0] == 0


CHECKS.update({13: _check_adjudications})


def _check_preference_soft(con) -> None:
    """v14: verdicts.preference_soft (P(B preferred)); delivered v4 rows stay NULL (not recorded: the
    soft win rate reads their hard preference). The backfill of stored judge runs is run again on a
    judge run's rows added here: [[A>>B]] (A, 3) 0, [[A>B]] (A, 1) 0.25, tie 0.5, [[B>A]] 0.75,
    [[B>>A]] 1, a 3-way [[B]] (no strength) 1; the rows are removed again afterwards."""
    cols = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'verdicts'"
        " ORDER BY ordinal_position"
    ).fetchall()
    assert cols[-1] == ("preference_soft", "DOUBLE")
    assert con.execute("SELECT count(*) FROM verdicts WHERE preference_soft IS NOT NULL").fetchall()[0][0] == 0
    con.execute(
        "INSERT INTO files VALUES (99, 'w1', 'pairwise', 'judge-run', 'judge-run pairwise j', 0, '', 6, 6, 0,"
        " TIMESTAMP '2026-10-07 10:00:00', '0.1.0', [])"
    ).fetchall()
    cols_j = "batch_id, file_id, source_line, comparison_id, annotator_id, annotator_kind, preference, shown_first,"
    con.execute(
        f"INSERT INTO verdicts ({cols_j} shown_first_recorded, strength) VALUES"
        " ('w1', 99, 1, 'c1', 'j', 'judge', 'A', 'A', true, 3),"
        " ('w1', 99, 2, 'c1', 'j', 'judge', 'A', 'B', true, 1),"
        " ('w1', 99, 3, 'c2', 'j', 'judge', 'tie', 'A', true, NULL),"
        " ('w1', 99, 4, 'c2', 'j', 'judge', 'B', 'B', true, 1),"
        " ('w1', 99, 5, 'c3', 'j', 'judge', 'B', 'A', true, 3),"
        " ('w1', 99, 6, 'c3', 'j', 'judge', 'B', 'B', true, NULL)"
    ).fetchall()
    con.execute(MIGRATIONS[13]).fetchall()  # the v14 migration again: ADD COLUMN IF NOT EXISTS, then the backfill
    got = con.execute("SELECT preference_soft FROM verdicts WHERE file_id = 99 ORDER BY source_line").fetchall()
    assert [g[0] for g in got] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    others = "SELECT count(*) FROM verdicts WHERE file_id <> 99 AND preference_soft IS NOT NULL"
    assert con.execute(others).fetchall()[0][0] == 0
    con.execute("DELETE FROM verdicts WHERE file_id = 99").fetchall()
    con.execute("DELETE FROM files WHERE file_id = 99").fetchall()


CHECKS.update({14: _check_preference_soft})


def _check_reference_answer_rubric(con) -> None:
    """v15: reference_answer on verdicts and ratings, copied from a delivered extra column (blank: none);
    judge_calls.rubric_sha256 / criteria_sha256, NULL on the calls made before."""
    assert "reference_answer" in _columns(con, "verdicts") and "reference_answer" in _columns(con, "ratings")
    got = con.execute("SELECT comparison_id, reference_answer FROM verdicts ORDER BY batch_id, source_line").fetchall()
    assert got == [("c1", None), ("c1", None), ("c2", "Paris"), ("c1", None), ("c1", None)]
    assert con.execute("SELECT count(*) FROM ratings WHERE reference_answer IS NOT NULL").fetchall() == [(0,)]
    assert {"rubric_sha256", "criteria_sha256"} <= set(_columns(con, "judge_calls"))
    assert con.execute(
        "SELECT count(*) FROM judge_calls WHERE rubric_sha256 IS NOT NULL OR criteria_sha256 IS NOT NULL"
    ).fetchall() == [(0,)]


CHECKS.update({15: _check_reference_answer_rubric})
