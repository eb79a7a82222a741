"""The sample's contract story end to end: `qualitylab sample` adds acme-q4-2026, links the six acme
weeks and records the decisions; `contract status`, `check` and `export` then produce every number
manifest.json states under 'contract' (computed independently by sample_data/gen_contract.py), and
the app opens on it (Overview and Contract page)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from qualitylab.cli import main

REPO = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((REPO / "sample_data" / "manifest.json").read_text(encoding="utf-8"))
EXPECTED = MANIFEST["contract"]
NAME = EXPECTED["name"]
KIND_KEYS = (
    "n_promised",
    "n_delivered",
    "short_by",
    "n_redelivered",
    "n_defective",
    "n_below_overlap",
    "n_units",
    "n_accepted",
    "n_payable",
    "n_withheld",
    "n_still_due",
    "payable",
    "withheld",
    "still_due",
)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("contract-sample") / "sample.duckdb"
    assert main(["sample", "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def status(sample_db) -> dict:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["contract", "status", NAME, "--json", "--as-of", "2026-12-01", "--db", str(sample_db)]) == 0
    return json.loads(buf.getvalue())


def test_the_manifest_tells_the_story():
    weeks = {w["week"]: w for w in EXPECTED["weeks"]}
    assert [w["calibration"] for w in EXPECTED["weeks"]] == [True, True, False, False, False, False]
    late = [n for n, w in weeks.items() if w["delivery"] == "late"]
    short = [n for n, w in weeks.items() if w["short"]]
    assert late == short == [4]  # one week delivered late and short
    assert weeks[4]["days_late"] == 2 and weeks[4]["kinds"]["pairwise"]["short_by"] == 12
    assert weeks[5]["decision"] == "reject" and weeks[2]["decisions"] == ["accept", "accept_partial"]
    assert weeks[1]["excluded"] == weeks[2]["excluded"] == ["h03", "h07"]


def test_status_week_by_week_matches_the_manifest(status):
    assert status["contract"]["name"] == NAME and status["contract"]["version"] == 1
    for got, want in zip(status["weeks"], EXPECTED["weeks"], strict=True):
        where = f"week {want['week']}"
        assert got["week"] == want["week"] and [b["batch_id"] for b in got["batches"]] == [want["batch"]], where
        assert got["calibration"] == want["calibration"]
        assert (got["due"], got["delivered"], got["delivery"], got["days_late"], got["short"]) == (
            want["due"],
            want["delivered"],
            want["delivery"],
            want["days_late"],
            want["short"],
        ), where
        assert set(got["kinds"]) == set(want["kinds"]), where
        for kind, w in want["kinds"].items():
            g = got["kinds"][kind]
            assert {k: g[k] for k in KIND_KEYS} == {k: w[k] for k in KIND_KEYS}, (where, kind)
            assert g["n_pending"] == 0
        dec = got["batches"][0]["decision"]
        assert dec["decision"] == want["decision"] and dec["excluded"] == want["excluded"], where
        assert got["gold_share"]["delivered"] == pytest.approx(want["gold_share_delivered"])
        assert got["gold_share"]["n_gold"] == want["n_gold"] and got["gold_share"]["short"] is False
        for cat, c in want["categories_promised"].items():
            row = next(x for x in got["categories"] if x["category"] == cat)
            assert (row["n_promised"], row["n_delivered"]) == (c["n_promised"], c["n_delivered"])
        for k in ("payable", "withheld", "still_due"):
            assert Decimal(str(got[k])) == Decimal(str(want[k])), (where, k)
    t, w = status["totals"], EXPECTED["totals"]
    assert (t["payable"], t["withheld"], t["still_due"], t["pending"]) == (
        w["payable"],
        w["withheld"],
        w["still_due"],
        0.0,
    )
    assert (t["n_weeks_late"], t["n_weeks_short"]) == (w["n_weeks_late"], w["n_weeks_short"])


def test_the_worked_example_of_docs_contract_md(status):
    """docs/contract.md works week 4 and week 2 through by hand; the same numbers here."""
    w4 = status["weeks"][3]
    p = w4["kinds"]["pairwise"]
    assert (p["n_delivered"], p["n_redelivered"], p["n_units"], p["n_payable"]) == (288, 12, 288, 288)
    assert p["payable"] == 345.60 and p["n_still_due"] == 12 and p["still_due"] == 14.40
    assert w4["payable"] == 408.10  # 345.60 + 100 x 0.40 + 25 x 0.90
    w2 = status["weeks"][1]["kinds"]["pairwise"]
    assert (w2["n_units"], w2["n_accepted"], w2["payable"], w2["withheld"]) == (300, 160, 192.0, 168.0)


def test_linked_batches_are_judged_by_their_weeks_gate_file(sample_db, capsys):
    for batch, verdict in EXPECTED["intended_verdicts"].items():
        code, out, _ = run(capsys, "check", "--batch", batch, "--json", "--db", sample_db)
        doc = json.loads(out)
        assert doc["verdict"] == verdict, batch
        week = int(batch[-1])
        gates = "gates-calibration.toml" if week <= 2 else "gates-production.toml"
        assert doc["gate"]["source"] == f"contract {NAME} v1 week {week}: {gates}", batch
        assert doc["decision"]["batch_id"] == batch and doc["decision"]["contract"]["week"] == week
    # an explicit --gates still wins
    code, out, _ = run(
        capsys, "check", "--batch", "acme-w3", "--json", "--gates", REPO / "qualitylab/gates/defaults.toml",
        "--db", sample_db,
    )  # fmt: skip
    assert json.loads(out)["gate"]["source"].endswith("defaults.toml")


@pytest.mark.parametrize("batch", ["acme-w4", "acme-w6"])
def test_the_report_a_decision_was_taken_on_is_the_current_report(sample_db, capsys, batch):
    """`qualitylab sample` decided on each batch's report; `report --json` computes it again and gets the same
    sha256 (every float sum in a fixed order), so `decide --report SHA` from a report a reviewer read works."""
    from qualitylab.snapshots import report_sha256

    code, out, _ = run(capsys, "report", "--batch", batch, "--json", "--db", sample_db)
    assert code == 0
    code, check, _ = run(capsys, "check", "--batch", batch, "--json", "--db", sample_db)
    assert report_sha256(json.loads(out)) == json.loads(check)["decision"]["report_sha256"]


@pytest.mark.parametrize("batch", sorted(EXPECTED["export"]))
def test_each_accepted_batch_exports_the_manifest_numbers(sample_db, tmp_path, capsys, batch):
    want = EXPECTED["export"][batch]
    out = tmp_path / f"{batch}.parquet"
    assert run(capsys, "export", "--batch", batch, "--format", "dpo", "--out", out, "--db", sample_db)[0] == 0
    m = json.loads((tmp_path / f"{batch}.parquet.manifest.json").read_text())
    assert m["counts"]["verdicts"] == want["verdicts"]
    c = m["counts"]["comparisons"]
    assert (c["in"], c["out"], c["written"]) == (
        want["dpo"]["comparisons_in"],
        want["dpo"]["out"],
        want["dpo"]["n_rows"],
    )
    rows = pq.read_table(out).to_pylist()
    assert len(rows) == want["dpo"]["n_rows"]
    assert sum(r["agreement"] for r in rows) == pytest.approx(want["dpo"]["sum_agreement"], abs=1e-5)
    assert sum(r["margin"] is not None for r in rows) == want["dpo"]["n_with_margin"]
    models: dict[str, int] = {}
    for r in rows:
        models[r["chosen_model"]] = models.get(r["chosen_model"], 0) + 1
    assert dict(sorted(models.items())) == want["dpo"]["chosen_models"]
    out_p = tmp_path / f"{batch}-pairwise.jsonl"
    assert run(capsys, "export", "--batch", batch, "--format", "pairwise", "--out", out_p, "--db", sample_db)[0] == 0
    assert len(out_p.read_text().splitlines()) == want["pairwise"]["n_rows"]
    if "ratings" in want:
        out_r = tmp_path / f"{batch}-ratings.jsonl"
        assert run(capsys, "export", "--batch", batch, "--format", "ratings", "--out", out_r, "--db", sample_db)[0] == 0
        assert len(out_r.read_text().splitlines()) == want["ratings"]["n_rows"]


def test_the_contract_export_skips_the_rejected_week(sample_db, tmp_path, capsys):
    out = tmp_path / "contract.parquet"
    code, stdout, err = run(capsys, "export", "--contract", NAME, "--format", "dpo", "--out", out, "--db", sample_db)
    assert code == 0, err
    m = json.loads((tmp_path / "contract.parquet.manifest.json").read_text())
    want = EXPECTED["export_contract_dpo"]
    assert m["n_rows"] == want["n_rows"] == pq.read_metadata(out).num_rows
    assert sorted(b["batch_id"] for b in m["batches"]) == want["batches"]
    assert [b["batch_id"] for b in m["batches_not_exported"]] == want["batches_not_exported"] == ["acme-w5"]
    assert m["scope"]["contract"]["name"] == NAME
    assert run(capsys, "export", "--batch", "acme-w5", "--format", "dpo", "--out", tmp_path / "w5.parquet",
               "--db", sample_db)[0] == 4  # fmt: skip


def test_contract_status_text_and_the_sample_loads_once(sample_db, capsys):
    code, out, _ = run(capsys, "contract", "status", "--as-of", "2026-12-01", "--db", sample_db)
    assert code == 0
    assert "week 4: 2026-10-19 to 2026-10-25, due 2026-10-26" in out
    assert "delivered 2026-10-28 (late, 2 days late)" in out and "(short by 12)" in out
    assert f"total: payable {Decimal(str(EXPECTED['totals']['payable'])):.2f}" in out
    code, _, err = run(capsys, "sample", "--db", sample_db)  # twice: nothing new
    assert code == 0 and "accept" not in err.split("already in the store")[-1]


def _app(db: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("QUALITYLAB_DB", str(db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=240)
    at.session_state["n_boot"] = 200
    at.session_state["batch_id"] = "acme-w4"
    return at


def _open(at: AppTest, title: str) -> AppTest:
    at.run()
    at._page_hash = next(h for h, info in at._registered_pages.items() if info.get("page_name") == title)
    return at.run()


def test_the_app_opens_on_the_contract(sample_db, monkeypatch):
    at = _open(_app(sample_db, monkeypatch), "Overview")
    assert not at.exception
    text = "\n".join(str(e.value) for kind in ("markdown", "success", "info") for e in getattr(at, kind))
    text = text.replace("\\", "")  # Markdown escapes of delivered strings
    assert "Decision of record" in text and "accept by dana" in text
    assert "Contract **acme-q4-2026** week 4" in text and "late" in text
    at = _open(_app(sample_db, monkeypatch), "Contract")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Payable"] == f"{Decimal(str(EXPECTED['totals']['payable'])):,.2f}"
    assert metrics["Weeks late"] == "1" and metrics["Weeks short"] == "1"
    assert len(at.get("plotly_chart")) >= 2  # promised vs delivered; the gate metric per week
    assert [b.label for b in at.get("download_button") if "manifest" not in b.label and ".parquet" in b.label]
    weeks = at.dataframe[0].value
    assert list(weeks["decision"])[4].startswith("reject by dana.reviewer")
    assert list(weeks["delivery"]) == ["on time", "on time", "on time", "late", "on time", "on time"]


def test_the_contract_pages_download_is_the_cli_export(sample_db, monkeypatch, tmp_path, capsys):
    """The Contract page's download and its manifest are the bytes `qualitylab export` writes under that name."""
    import streamlit

    got: dict[str, bytes] = {}
    original = streamlit.download_button

    def recording(label, data, file_name=None, **kw):
        got[file_name] = data
        return original(label, data, file_name=file_name, **kw)

    monkeypatch.setattr(streamlit, "download_button", recording)
    at = _open(_app(sample_db, monkeypatch), "Contract")
    assert not at.exception
    name = f"{NAME}-dpo.parquet"
    assert {name, f"{name}.manifest.json"} <= set(got)  # beside the tables' CSV downloads
    out = tmp_path / name
    assert run(capsys, "export", "--contract", NAME, "--format", "dpo", "--out", out, "--db", sample_db)[0] == 0
    assert got[name] == out.read_bytes()
    assert got[f"{name}.manifest.json"] == (tmp_path / f"{name}.manifest.json").read_bytes()
    assert f"qualitylab export --contract {NAME} --format dpo --out {name}" in [c.value for c in at.code]


def test_download_names_from_hostile_batch_names():
    from qualitylab.ui.data import export_file_name

    assert export_file_name("../../etc/passwd-dpo", ".parquet") == "etc_passwd-dpo.parquet"
    assert export_file_name("w\u202e1 x\n-dpo", ".jsonl") == "w_1_x_-dpo.jsonl"
    assert export_file_name("///", ".jsonl") == "accepted.jsonl"


def test_the_evidence_pack_of_a_linked_batch(sample_db, tmp_path, capsys):
    """A batch linked to a contract week writes its pack (its trend judges each week by that week's gate file,
    never the gate source's description read as a path): the decision, the exclusions and the units."""
    html, ev = tmp_path / "w2.html", tmp_path / "ev"
    ev.mkdir()
    code, _, err = run(capsys, "report", "--batch", "acme-w2", "--html", html, "--evidence", ev, "--db", sample_db)
    assert code == 0, err
    text = html.read_text()
    assert "<b>accept_partial</b> by dana.reviewer" in text
    assert f"Units accepted and not (contract {NAME} v1 week 2, overlap 3)" in text
    units = {r.split(",")[0]: r.split(",") for r in (ev / "decision_units.csv").read_text().splitlines()[1:]}
    w2 = next(w for w in EXPECTED["weeks"] if w["week"] == 2)["kinds"]
    for kind in ("pairwise", "rating", "ranking"):
        assert int(units[kind][-1]) == w2[kind]["n_accepted"], kind  # n_accepted, the last column
    assert [r.split(",")[0] for r in (ev / "decision_exclusions.csv").read_text().splitlines()[1:]] == ["h03", "h07"]
    import csv

    with open(ev / "trends.csv", newline="", encoding="utf-8") as f:
        trend = {(r["batch_id"], r["verdict"]) for r in csv.DictReader(f)}
    assert trend == {(b, EXPECTED["intended_verdicts"][b]) for b in ("acme-w1", "acme-w2")}
