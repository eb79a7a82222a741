"""Issue 18 item 7's remainder: Dawid-Skene competence in the screening table (per annotator, with
its interval, flag low_competence), a gate criterion on it from a gate file, and the app showing
competence (Annotators) and the length-controlled win rates (Judge vs human) through the existing
widgets. The numbers are the annotator_competence / lc_win_rate sections' own (read, never
recomputed): each is checked equal to that section's value on the same store.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import write_jsonl
from streamlit.testing.v1 import AppTest
from test_bias_app import open_page
from test_lc_win_rate import _batch_rows

from qualitylab.cli import main
from qualitylab.errors import ExitCode
from qualitylab.ingest import ingest
from qualitylab.report import compute_sections
from qualitylab.results import to_jsonable
from qualitylab.store import open_store

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _small_batch(n: int = 150):
    """n comparisons, 4 humans: h4 answers at random (A, B, tie), h1-h3 agree with the truth 85% of the time."""
    rng = np.random.default_rng(11)
    rows = []
    for c in range(n):
        truth = "A" if rng.random() < 0.5 else "B"
        for a in ("h1", "h2", "h3", "h4"):
            if a == "h4":
                p = str(rng.choice(["A", "B", "tie"]))
            else:
                p = truth if rng.random() < 0.85 else ("B" if truth == "A" else "A")
            rows.append({"comparison_id": f"c{c}", "annotator_id": a, "preference": p})
    return rows


def _rows_with_a_judge():
    rows = _small_batch()
    rows += [
        {"comparison_id": r["comparison_id"], "annotator_id": "j1", "annotator_kind": "judge", "preference": "A"}
        for r in rows
        if r["annotator_id"] == "h1"
    ]
    return rows


def _sections(db, batch, names, **kw):
    with open_store(db, read_only=True) as st:
        return compute_sections(st, batch, names, **kw)


def test_screening_rows_carry_the_fits_competence_and_flag_the_random_annotator(db, tmp_path):
    ingest(write_jsonl(tmp_path / "a.jsonl", _rows_with_a_judge()), "a", db=db)
    sec = _sections(db, "a", ["annotators", "annotator_competence"], n_boot=50, seed=2)
    fit = {r["annotator_id"]: r for r in sec["annotator_competence"]["dawid_skene"]["per_annotator"]}
    rows = {r.annotator_id: r for r in sec["annotators"]}
    for a in ("h1", "h2", "h3", "h4"):
        assert rows[a].competence == fit[a]["competence"]  # the same statistic, interval included
        assert ("low_competence" in [f.flag for f in rows[a].flags]) == fit[a]["low_competence"]
    c = rows["h4"].competence
    assert c.ci95_high < 0.5 and c.ci95_low <= c.value <= c.ci95_high
    (reason,) = [f.reason for f in rows["h4"].flags if f.flag == "low_competence"]
    assert reason.startswith(f"Dawid-Skene competence {c.value:.2f} with 95% interval") and "below 0.5" in reason
    assert not any("low_competence" in [f.flag for f in rows[a].flags] for a in ("h1", "h2", "h3"))
    assert rows["j1"].competence.value is None and "human annotators only" in rows["j1"].competence.reason
    # the report option min_competence moves the flag with the fit's own rule
    strict = _sections(db, "a", ["annotators"], n_boot=50, seed=2, options={"min_competence": 0.99})["annotators"]
    assert {r.annotator_id for r in strict if "low_competence" in [f.flag for f in r.flags]} == {"h1", "h2", "h3", "h4"}
    doc = to_jsonable({"annotators": sec["annotators"]})
    row = next(r for r in doc["annotators"] if r["annotator_id"] == "h4")
    assert row["competence"]["ci95_high"] == c.ci95_high and "low_competence" in row["flag_names"]


GATE = """gates_version = 1
name = "competence gates"

[[criteria]]
id = "incompetent_annotators"
title = "No annotator whose Dawid-Skene competence is confidently below 0.5"
metric = "annotators"
aggregate = "count_where"
where = "flag_names=low_competence"
comparison = "<="
threshold = 0
severity = "reject"
why = "An annotator whose whole competence interval is below 0.5 answers worse than a coin on A vs B."
"""


def test_a_gate_file_rejects_a_batch_with_an_incompetent_annotator(db, tmp_path, capsys):
    good = [r for r in _small_batch() if r["annotator_id"] != "h4"]
    ingest(write_jsonl(tmp_path / "a.jsonl", _small_batch()), "a", db=db)
    ingest(write_jsonl(tmp_path / "g.jsonl", good), "g", db=db)
    gates = tmp_path / "competence.toml"
    gates.write_text(GATE, encoding="utf-8")
    rc = main(["check", "--batch", "a", "--gates", str(gates), "--n-boot", "50", "--db", str(db)])
    out = capsys.readouterr().out
    assert rc == ExitCode.REJECT and "incompetent_annotators" in out, out
    rc = main(["check", "--batch", "g", "--gates", str(gates), "--n-boot", "50", "--db", str(db)])
    out = capsys.readouterr().out
    assert rc == ExitCode.OK, out


def test_annotators_page_shows_competence_with_its_interval(db, tmp_path):
    ingest(write_jsonl(tmp_path / "a.jsonl", _rows_with_a_judge()), "a", db=db)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.sidebar.selectbox(key="batch_id").set_value("a").run()
    at = open_page(at, "annotators")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "competence" in df.value.columns)  # the screening table
    assert "competence_ci" in table.columns
    flags = dict(zip(table["annotator_id"], table["flags"], strict=True))
    assert "low_competence" in flags["h4"] and "low_competence" not in flags["h1"]
    shown = dict(zip(table["annotator_id"], table["competence_ci"], strict=True))
    assert shown["h4"].count("[") == 1  # value with its interval
    assert any("Dawid-Skene" in c.value for c in at.caption)
    assert any("low_competence" in m.value for m in at.markdown)  # the flag's reason in the Flags list


def _open_judges(at: AppTest) -> AppTest:
    at.run()
    at._page_hash = next(h for h, i in at._registered_pages.items() if i.get("url_pathname") == "judges")
    return at.run()


def test_judge_page_shows_the_length_controlled_win_rates_and_takes_a_baseline(db, tmp_path):
    ingest(write_jsonl(tmp_path / "lc.jsonl", _batch_rows()), "lc", db=db)
    want = to_jsonable(_sections(db, "lc", ["lc_win_rate"], n_boot=0)["lc_win_rate"])
    at = _open_judges(AppTest.from_file(APP, default_timeout=180))
    assert not at.exception
    assert any(s.value == "Length-controlled win rates" for s in at.subheader)
    lc = next(df.value for df in at.dataframe if "lc_win_rate" in df.columns)
    got = {(g, m): v for g, m, v in zip(lc["annotators"], lc["model"], lc["lc_win_rate"], strict=True)}
    assert set(got) == {(g["annotators"], m["model"]) for g in want["groups"] for m in g["models"]}
    for g in want["groups"]:
        for m in g["models"]:
            assert got[(g["annotators"], m["model"])] == f"{m['lc_win_rate']['value']:.3g}"
    assert at.selectbox(key="lc_baseline").value == want["baseline"] == "base"
    at.selectbox(key="lc_baseline").set_value("long").run()
    assert not at.exception
    lc = next(df.value for df in at.dataframe if "lc_win_rate" in df.columns)
    assert set(lc["model"]) == {"base"}  # against 'long', only 'base' shares comparisons with it
