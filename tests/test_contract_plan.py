"""Contract files: validated before delivery starts, stored with their gate files, versioned, and
batches linked to weeks (CLI exit codes as in README "Exit codes")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import write_jsonl
from gates_helpers import batch_rows

from qualitylab.cli import main
from qualitylab.contract.plan import load_contract_file
from qualitylab.contract.registry import read_contract
from qualitylab.store import open_store

REPO = Path(__file__).resolve().parents[1]
DEFAULTS = REPO / "qualitylab" / "gates" / "defaults.toml"

BASE = """
contract_version = 1
name = "c1"
vendor = "acme"
start = 2026-09-28
overlap = 3
gold_share = 0.1
gates = "prod.toml"
calibration_weeks = [1]
calibration_gates = "cal.toml"

[price_per_unit]
pairwise = 1.25
rating = 0.40

[[weeks]]
week = 1
volume = { pairwise = 80 }

[[weeks]]
week = 2
volume = { pairwise = 100, rating = 20 }
categories = { coding = 10 }
"""


def contract_dir(tmp_path: Path, text: str = BASE) -> Path:
    d = tmp_path / "plan"
    d.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEFAULTS, d / "prod.toml")
    shutil.copy(DEFAULTS, d / "cal.toml")
    (d / "contract.toml").write_text(text, encoding="utf-8")
    return d / "contract.toml"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_valid_plan_resolves_every_week(tmp_path):
    c = load_contract_file(contract_dir(tmp_path))
    assert c.name == "c1" and c.vendor == "acme" and c.overlap == 3 and c.gold_share == 0.1
    w1, w2 = c.weeks
    assert (str(w1.start), str(w1.end), str(w1.due)) == ("2026-09-28", "2026-10-04", "2026-10-05")
    assert (str(w2.start), str(w2.end), str(w2.due)) == ("2026-10-05", "2026-10-11", "2026-10-12")
    assert w1.calibration and w1.gates == "cal.toml" and not w2.calibration and w2.gates == "prod.toml"
    assert w2.volume == {"pairwise": 100, "rating": 20} and w2.categories == {"coding": 10}
    assert str(w2.price_per_unit["pairwise"]) == "1.25"
    assert set(c.gate_texts) == {"cal.toml", "prod.toml"}
    # criteria whose n counts annotators cannot be checked against a volume: said, not hidden
    assert any("position_bias_annotators" in x for x in c.checks)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.replace("[[weeks]]\nweek = 2", "[[weeks]\nweek = 2"), "not valid TOML"),
        (lambda t: t.replace("contract_version = 1", ""), "'contract_version' is missing"),
        (lambda t: t.replace('name = "c1"', ""), "'name' is required"),
        (lambda t: t + "\nbudget = 3\n", "unknown key(s) ['budget']"),
        (lambda t: t.replace("week = 2\n", "week = 2\nstart = 2026-10-01\n"), "weeks 1 and 2 overlap"),
        (lambda t: t.replace("week = 2\n", "week = 1\n"), "week numbers must be unique"),
        (lambda t: t.replace("calibration_weeks = [1]", "calibration_weeks = [1, 7]"), "week(s) [7]"),
        (lambda t: t.replace("rating = 0.40\n", ""), "no price_per_unit.rating"),
        (lambda t: t.replace("coding = 10", "coding = 101"), "more than the week's pairwise volume 100"),
        (lambda t: t.replace("pairwise = 80", "pairwise = 40"), "min_n = 50"),
        (lambda t: t.replace("overlap = 3", "overlap = 1"), "comparisons with two or more human verdicts"),
        (lambda t: t.replace("pairwise = 80", "pairwise = 0"), "promises nothing"),
        (lambda t: t.replace('gates = "prod.toml"', 'gates = "missing.toml"'), "does not exist"),
        (lambda t: t.replace("start = 2026-09-28", 'start = "next monday"'), "is not a date"),
    ],
)
def test_a_plan_that_cannot_be_evaluated_is_refused_with_exit_2(tmp_path, db, capsys, change, message):
    path = contract_dir(tmp_path, change(BASE))
    code, _, err = run(capsys, "contract", "add", path, "--db", db)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err
    with open_store(db) as s:  # the store is unchanged
        assert s.rows("contract/list") == []


def test_bad_toml_names_line_and_column(tmp_path, db, capsys):
    path = contract_dir(tmp_path, BASE.replace('vendor = "acme"', "vendor = acme"))
    code, _, err = run(capsys, "contract", "add", path, "--db", db)
    assert code == 2
    assert str(path) in err and "line 4" in err and "column" in err


def test_volume_below_min_n_names_week_criterion_and_numbers(tmp_path, db, capsys):
    path = contract_dir(tmp_path, BASE.replace("pairwise = 100, rating = 20", "pairwise = 30, rating = 20"))
    code, _, err = run(capsys, "contract", "add", path, "--db", db)
    assert code == 2
    assert "week 2" in err and "'human_agreement'" in err and "prod.toml" in err
    assert "at most 30" in err and "min_n = 50" in err


def test_a_gate_file_that_does_not_parse_is_named(tmp_path, db, capsys):
    path = contract_dir(tmp_path)
    (path.parent / "cal.toml").write_text("gates_version = 1\n[[criteria]]\nid = 'x'\n", encoding="utf-8")
    code, _, err = run(capsys, "contract", "add", path, "--db", db)
    assert code == 2
    assert "gate file 'cal.toml'" in err and "does not parse" in err and "'metric' is required" in err


def test_missing_contract_file_is_exit_5(tmp_path, db, capsys):
    code, _, err = run(capsys, "contract", "add", tmp_path / "nope.toml", "--db", db)
    assert code == 5 and "does not exist" in err


def test_add_stores_text_and_gate_contents_and_versions_on_revise(tmp_path, db, capsys):
    path = contract_dir(tmp_path)
    assert run(capsys, "contract", "add", path, "--db", db)[0] == 0
    code, out, _ = run(capsys, "contract", "add", path, "--db", db)
    assert code == 0 and "unchanged" in out
    # a changed gate file is a changed contract: refused without --revise (exit 4), stored with it
    gate = path.parent / "prod.toml"
    gate.write_text(gate.read_text().replace("threshold = 0.2", "threshold = 0.3"), encoding="utf-8")
    code, _, err = run(capsys, "contract", "add", path, "--db", db)
    assert code == 4 and "--revise" in err
    code, out, _ = run(capsys, "contract", "add", path, "--db", db, "--revise")
    assert code == 0 and "version 2" in out
    with open_store(db) as s:
        v1, v2 = read_contract(s, "c1", 1), read_contract(s, "c1")
        assert v2.version == 2 and v1.version == 1
        assert "threshold = 0.3" in v2.gate_texts["prod.toml"] and "threshold = 0.3" not in v1.gate_texts["prod.toml"]
        assert v1.sha256 != v2.sha256
    # --revise of a name that is not stored is exit 5
    other = contract_dir(tmp_path / "o", BASE.replace('name = "c1"', 'name = "c2"'))
    assert run(capsys, "contract", "add", other, "--db", db, "--revise")[0] == 5


def test_a_later_edit_on_disk_never_changes_what_a_week_is_judged_by(tmp_path, db, capsys):
    path = contract_dir(tmp_path)
    write_jsonl(tmp_path / "w2.jsonl", batch_rows("w2", n_comparisons=60, seed=3))
    assert run(capsys, "contract", "add", path, "--db", db)[0] == 0
    code, out, err = run(
        capsys, "ingest", tmp_path / "w2.jsonl", "--batch", "w2", "--vendor", "acme", "--contract", "c1",
        "--week", "2", "--db", db,
    )  # fmt: skip
    assert code == 0, err
    assert "delivers week 2 of contract 'c1'" in out
    original = (path.parent / "prod.toml").read_text()
    (path.parent / "prod.toml").write_text("this is not TOML = [", encoding="utf-8")
    code, out, err = run(capsys, "check", "--batch", "w2", "--json", "--n-boot", "50", "--db", db)
    doc = json.loads(out)
    import hashlib

    assert doc["gate"]["sha256"] == hashlib.sha256(original.encode()).hexdigest()
    assert "contract c1 v1 week 2: prod.toml" in doc["gate"]["source"]
    # an unlinked batch is judged by the built-in gates; an explicit --gates still wins
    assert code in (0, 10, 11, 12)


def test_link_refusals(tmp_path, db, capsys):
    path = contract_dir(tmp_path)
    assert run(capsys, "contract", "add", path, "--db", db)[0] == 0
    write_jsonl(tmp_path / "b.jsonl", batch_rows("b", n_comparisons=20, seed=1))
    assert run(capsys, "ingest", tmp_path / "b.jsonl", "--batch", "b", "--vendor", "zeta", "--db", db)[0] == 0
    code, _, err = run(capsys, "contract", "link", "--batch", "b", "--contract", "c1", "--week", "9", "--db", db)
    assert code == 2 and "plans weeks 1, 2, not 9" in err
    code, _, err = run(capsys, "contract", "link", "--batch", "b", "--contract", "c1", "--week", "1", "--db", db)
    assert code == 4 and "vendor 'zeta'" in err
    code, _, err = run(capsys, "contract", "link", "--batch", "b", "--contract", "nope", "--week", "1", "--db", db)
    assert code == 5 and "known contracts: c1" in err
    code, _, err = run(capsys, "contract", "link", "--batch", "zz", "--contract", "c1", "--week", "1", "--db", db)
    assert code == 5


def test_ingest_with_a_bad_link_stores_nothing(tmp_path, db, capsys):
    path = contract_dir(tmp_path)
    assert run(capsys, "contract", "add", path, "--db", db)[0] == 0
    write_jsonl(tmp_path / "b.jsonl", batch_rows("b", n_comparisons=20, seed=1))
    for extra, want in (
        (["--contract", "c1", "--week", "5"], 2),
        (["--contract", "c1"], 2),
        (["--contract", "c1", "--week", "1", "--vendor", "zeta"], 4),
    ):
        code, _, err = run(capsys, "ingest", tmp_path / "b.jsonl", "--batch", "b", *extra, "--db", db)
        assert code == want, err
        with open_store(db) as s:
            assert not s.batch_exists("b")
    # linking an already ingested file: the same command links it
    assert run(capsys, "ingest", tmp_path / "b.jsonl", "--batch", "b", "--vendor", "acme", "--db", db)[0] == 0
    code, out, _ = run(capsys, "ingest", tmp_path / "b.jsonl", "--batch", "b", "--contract", "c1", "--week", "1",
                       "--db", db)  # fmt: skip
    assert code == 0 and "nothing changed" in out and "delivers week 1" in out
    with open_store(db) as s:
        assert s.one("contract/batch_link", {"batch_id": "b"})["week"] == 1


def test_status_of_an_undelivered_week_is_overdue_or_not_yet_due(tmp_path, db, capsys):
    path = contract_dir(tmp_path)
    assert run(capsys, "contract", "add", path, "--db", db)[0] == 0
    code, out, _ = run(capsys, "contract", "status", "c1", "--json", "--as-of", "2026-10-08", "--db", db)
    assert code == 0
    weeks = json.loads(out)["weeks"]
    assert weeks[0]["delivery"] == "overdue" and weeks[0]["days_late"] == 3
    assert weeks[1]["delivery"] == "not delivered" and weeks[1]["days_late"] == 0
    assert weeks[1]["kinds"]["pairwise"]["n_still_due"] == 100
    assert json.loads(out)["totals"]["still_due"] == pytest.approx(80 * 1.25 + 100 * 1.25 + 20 * 0.4)
    assert run(capsys, "contract", "status", "c1", "--as-of", "08/10/2026", "--db", db)[0] == 2
