"""Rating adapters for public sets (issue 18 item 9): HelpSteer2, HelpSteer2-Preference, UltraFeedback
fine-grained, each through the real ingest() into a real store.

Sources of the records:
- UltraFeedback: the two records of the "Dataset Format" section of OpenBMB/UltraFeedback's README
  (MIT, Copyright (c) 2023 THUNLP), vendored verbatim in tests/fixtures/public_formats/ultrafeedback_readme/
  from commits bf80fd46a8c6ceecc86e8babb1ae8771f26a3cbb (2023-12-29, aspects as objects) and
  5cd537deb2afee6f4a11cd456d6dd486267e2752 (2023-08-28, aspects as one-element lists). The README
  prints them as commented JSON with completions 2-4 elided; ``readme_record`` removes the comments
  and the elided completions (and the two missing commas) and nothing else. The dataset itself lives
  on HuggingFace (unreachable here): the other UltraFeedback records below are fixtures written from
  that schema (overall_score, critique, fine-grained_score, "N/A").
- HelpSteer2 and HelpSteer2-Preference: the three example records of the dataset card
  (huggingface.co/datasets/nvidia/HelpSteer2 README, CC-BY-4.0: a ratings record, the same response's
  disagreements record, a preference record), copied in tests/fixtures/public_formats/helpsteer2_card/,
  and fixtures from the card's schema; no HelpSteer2 data file could be fetched here (HuggingFace only;
  no GitHub repository found vendors its rows).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import duckdb
import pytest
from conftest import rows, write_csv, write_jsonl, write_parquet

from qualitylab.adapters import ADAPTERS
from qualitylab.adapters.helpsteer2 import ATTRIBUTES
from qualitylab.adapters.ultrafeedback import prompt_id as uf_prompt_id
from qualitylab.cli import main
from qualitylab.errors import ExitCode, InvalidInputError
from qualitylab.ingest import ingest
from qualitylab.scales import batch_scale
from qualitylab.store import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "public_formats"
UF_README = FIXTURES / "ultrafeedback_readme"


def store_state(db) -> list:
    """Everything a refused ingest must leave as it was."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("batches", "files", "verdicts", "ratings", "quarantine", "scales")
        ]
    finally:
        con.close()


def stored(db, table: str, batch: str) -> list[tuple]:
    """A batch's stored rows without what depends on the file's row order (source_line, file_id)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in ("source_line", "file_id")]
        sel = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in cols)
        return con.execute(f"SELECT {sel} FROM {table} WHERE batch_id = ? ORDER BY ALL", [batch]).fetchall()
    finally:
        con.close()


def test_registered_with_their_kind_and_declared_scale():
    names = ("helpsteer2", "helpsteer2-preference", "ultrafeedback")
    assert {n: (ADAPTERS[n].kind, ADAPTERS[n].unit) for n in names} == {
        "helpsteer2": ("rating", "record"),
        "helpsteer2-preference": ("pairwise", "record"),
        "ultrafeedback": ("rating", "record"),
    }
    assert ADAPTERS["helpsteer2"].scale == tuple(f"{a}=0-4" for a in ATTRIBUTES)
    assert ADAPTERS["helpsteer2-preference"].labels == ("A", "B", "tie")
    assert ADAPTERS["helpsteer2-preference"].scale == ("strength=0-3",)


# ---- HelpSteer2 ratings ----------------------------------------------------------------------------

HS2_CARD = FIXTURES / "helpsteer2_card"
#: the example record of HelpSteer2's dataset card (CC-BY-4.0), as printed there
CARD = json.loads((HS2_CARD / "ratings_example.json").read_text(encoding="utf-8"))
SECOND = {**CARD, "response": "C# is a language.", "helpfulness": 1, "correctness": 2, "coherence": 4,
          "complexity": 0, "verbosity": 0}  # fmt: skip
MULTI_TURN = {
    "prompt": "Name a prime.\n<extra_id_1>Assistant\n7\n<extra_id_1>User\nAnother one?",
    "response": "11",
    "helpfulness": 4,
    "correctness": 4,
    "coherence": 4,
    "complexity": 0,
    "verbosity": 0,
}


@pytest.mark.parametrize("form", ["jsonl", "csv", "parquet"])
def test_helpsteer2_five_aspects_per_response_on_the_declared_0_4_scale(tmp_path, db, form):
    recs = [CARD, SECOND, MULTI_TURN]
    path = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}[form](tmp_path / f"train.{form}", recs)
    res = ingest(path, "hs2", db=db, fmt="helpsteer2")
    assert (res.kind, res.n_stored, res.n_quarantined, res.extra_columns) == ("rating", 15, 0, ())
    got = rows(db, "SELECT * FROM ratings ORDER BY source_line, aspect")
    card = [r for r in got if r["source_line"] == 1]
    assert {r["aspect"]: r["score"] for r in card} == {a: float(CARD[a]) for a in ATTRIBUTES}
    assert {(r["item_id"], r["prompt_id"], r["annotator_id"], r["annotator_kind"]) for r in card} == {
        (card[0]["item_id"], card[0]["prompt_id"], "helpsteer2-annotators", "human")
    }
    assert re.fullmatch(r"helpsteer2-[0-9a-f]{16}", card[0]["item_id"])
    assert (card[0]["prompt"], card[0]["response"]) == (CARD["prompt"], CARD["response"])
    # the two responses to one prompt: two items, one prompt_id
    second = [r for r in got if r["source_line"] == 2]
    assert second[0]["item_id"] != card[0]["item_id"] and second[0]["prompt_id"] == card[0]["prompt_id"]
    assert [r["prompt"] for r in got if r["source_line"] == 3][0] == MULTI_TURN["prompt"]  # turn markers kept
    with open_store(db, read_only=True) as s:
        scale = batch_scale(s, "hs2")
    assert {a: (r.low, r.high, r.declared, r.source) for a, r in scale.ratings.items()} == {
        a: (0.0, 4.0, True, f"format helpsteer2 (offers {a}=0-4)") for a in ATTRIBUTES
    }


def test_helpsteer2_bad_records_are_refused_whole_naming_record_and_column(tmp_path, db):
    bad = [
        CARD,
        {**SECOND, "correctness": 5},  # record 2: outside 0-4
        {**SECOND, "response": "x", "verbosity": 2.5},  # record 3: not whole
        {k: v for k, v in MULTI_TURN.items() if k != "coherence"},  # record 4: an attribute missing
        {**MULTI_TURN, "complexity": "high"},  # record 5: not a number
        {"prompt": "p", "response_1": "a", "response_2": "b", "preference_strength": 1},  # record 6: wrong file
    ]
    path = write_jsonl(tmp_path / "train.jsonl", bad)
    ingest(write_jsonl(tmp_path / "other.jsonl", [MULTI_TURN]), "before", db=db, fmt="helpsteer2")
    before = store_state(db)
    with pytest.raises(InvalidInputError) as e:
        ingest(path, "hs2", db=db, fmt="helpsteer2")
    assert store_state(db) == before  # nothing stored, the other batch untouched
    probs = [(p.line, p.column) for p in e.value.problems]
    assert probs == [(2, "correctness"), (3, "verbosity"), (4, "coherence"), (5, "complexity"), (6, "response")]
    reasons = [p.reason for p in e.value.problems]
    assert reasons[0] == (
        "5 is not a whole number from 0 to 4 (HelpSteer2 rates each attribute 0-4; record 2 of train.jsonl)"
    )
    assert "2.5 is not a whole number" in reasons[1] and "missing" in reasons[2]
    assert "'high' is not a number" in reasons[3]
    assert "use --format helpsteer2-preference" in reasons[4]
    # --quarantine: the good record's five rows stored, each bad record quarantined once, none of its rows stored
    res = ingest(path, "hs2", db=db, fmt="helpsteer2", quarantine=True)
    assert (res.n_stored, res.n_quarantined) == (5, 5)
    assert {r["source_line"] for r in rows(db, "SELECT source_line FROM ratings WHERE batch_id = 'hs2'")} == {1}
    q = rows(db, "SELECT source_line, column_name, raw FROM quarantine ORDER BY source_line")
    assert [(r["source_line"], r["column_name"]) for r in q] == probs
    assert json.loads(q[0]["raw"]) == bad[1]


def test_cli_names_file_record_and_column_and_exits_3(tmp_path, db, capsys):
    path = write_jsonl(tmp_path / "validation.jsonl", [CARD, {**CARD, "helpfulness": -1}])
    assert main(["ingest", str(path), "--batch", "v", "--format", "helpsteer2"]) == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err
    assert "validation.jsonl: record 2: column 'helpfulness': -1 is not a whole number from 0 to 4" in err
    assert "Traceback" not in err


def test_helpsteer2_disagreements_one_row_per_annotator_and_the_cards_aggregate(tmp_path, db):
    """The card's disagreements example: 3 annotators x 5 attributes. The card says a released score is
    "the mean of the three annotators who agree with each other most, rounded to the nearest integer";
    with three annotators that is the mean of all three, and it gives the card's ratings example."""
    recs = [json.loads((HS2_CARD / f).read_text(encoding="utf-8")) for f in ("disagreements_example.json",)]
    res = ingest(write_jsonl(tmp_path / "disagreements.jsonl", recs), "dis", db=db, fmt="helpsteer2")
    ingest(write_jsonl(tmp_path / "train.jsonl", [CARD]), "released", db=db, fmt="helpsteer2")
    assert res.n_stored == 15
    got = rows(db, "SELECT * FROM ratings WHERE batch_id = 'dis' ORDER BY aspect, annotator_id")
    (item,) = {r["item_id"] for r in got}
    (released,) = {r["item_id"] for r in rows(db, "SELECT item_id FROM ratings WHERE batch_id = 'released'")}
    assert item == released  # the same response in both files
    assert {r["annotator_id"] for r in got} == {f"{item}-annotator-{k}" for k in (1, 2, 3)}
    by = {(r["aspect"], r["annotator_id"][-1]): r["score"] for r in got}
    assert [by[("verbosity", k)] for k in "123"] == [2.0, 1.0, 1.0]  # the card's [2, 1, 1]
    means = {a: round(sum(by[(a, k)] for k in "123") / 3) for a in ATTRIBUTES}
    assert means == {a: CARD[a] for a in ATTRIBUTES}  # 3.33->3, 3.67->4, 3.67->4, 2, 1.33->1
    with open_store(db, read_only=True) as s:
        assert {r.source for r in batch_scale(s, "dis").ratings.values()} == {
            f"format helpsteer2 (offers {a}=0-4)" for a in ATTRIBUTES
        }
    mixed = {**recs[0], "verbosity": 1}
    bad_label = {**recs[0], "coherence": [4, 5, 4]}
    with pytest.raises(InvalidInputError) as e:
        ingest(write_jsonl(tmp_path / "bad.jsonl", [mixed, bad_label]), "bad", db=db, fmt="helpsteer2")
    assert [(p.line, p.column) for p in e.value.problems] == [(1, "verbosity"), (2, "coherence[1]")]
    assert "not a list of labels while helpfulness is one" in e.value.problems[0].reason


def test_a_scale_given_on_the_command_line_replaces_the_formats(tmp_path, db):
    ingest(write_jsonl(tmp_path / "t.jsonl", [CARD]), "own", db=db, fmt="helpsteer2", scale=["0-10"])
    with open_store(db, read_only=True) as s:
        scale = batch_scale(s, "own")
    assert {(r.low, r.high, r.source) for r in scale.ratings.values()} == {(0.0, 10.0, "--scale 0-10")}


# ---- HelpSteer2-Preference -------------------------------------------------------------------------


def preference_record(strength, i: int = 0) -> dict:
    return {
        "split": "train",
        "prompt": f"prompt {i}",
        "response_1": f"first answer {i}",
        "response_2": f"second answer {i}",
        "preference_strength": strength,
        "preference_statement": "@Response 2 is better than @Response 1 because it is shorter.",
        "preference_elaboration": "Both are correct.",
        "three_most_similar_preferences": [{"statement": "s", "elaboration": "e", "strength": strength}],
        "all_preferences_unprocessed": [{"strength": strength, "justification": "j"}],
    }


def test_helpsteer2_preference_strength_to_preference_and_strength(tmp_path, db):
    recs = [preference_record(s, i) for i, s in enumerate((-3, -2, -1, 0, 1, 2, 3))]
    res = ingest(write_jsonl(tmp_path / "preference.jsonl", recs), "pref", db=db, fmt="helpsteer2-preference")
    assert (res.kind, res.n_stored) == ("pairwise", 7)
    got = rows(db, "SELECT * FROM verdicts ORDER BY source_line")
    assert [(r["preference"], r["strength"]) for r in got] == [
        ("A", 3), ("A", 2), ("A", 1), ("tie", 0), ("B", 1), ("B", 2), ("B", 3)
    ]  # fmt: skip
    first = got[0]
    assert (first["response_a"], first["response_b"], first["prompt"]) == (
        "first answer 0",
        "second answer 0",
        "prompt 0",
    )
    assert (first["annotator_id"], first["annotator_kind"], first["shown_first_recorded"]) == (
        "helpsteer2-preference-annotators",
        "human",
        False,
    )
    assert re.fullmatch(r"helpsteer2-pair-[0-9a-f]{16}", first["comparison_id"])
    extra = json.loads(first["extra"])
    assert extra["preference_strength"] == "-3" and extra["split"] == "train"
    assert json.loads(extra["all_preferences_unprocessed"]) == recs[0]["all_preferences_unprocessed"]
    with open_store(db, read_only=True) as s:
        scale = batch_scale(s, "pref")
    assert (scale.preference.labels, scale.preference.declared) == (("A", "B", "tie"), True)
    assert (scale.strength.low, scale.strength.high, scale.strength.source) == (
        0.0,
        3.0,
        "format helpsteer2-preference (offers strength=0-3)",
    )


def test_helpsteer2_preference_the_cards_example(tmp_path, db):
    rec = json.loads((HS2_CARD / "preference_example.json").read_text(encoding="utf-8"))
    ingest(write_jsonl(tmp_path / "preference.jsonl", [rec]), "pref", db=db, fmt="helpsteer2-preference")
    (v,) = rows(db, "SELECT * FROM verdicts")
    assert (v["preference"], v["strength"]) == ("B", 1)  # 1: "Response 2 is slightly better than Response 1"
    assert (v["response_a"], v["response_b"]) == (rec["response_1"], rec["response_2"])
    extra = json.loads(v["extra"])
    assert extra["preference_statement"] == rec["preference_statement"]
    assert [p["strength"] for p in json.loads(extra["three_most_similar_preferences"])] == [1, 1, 1]


def test_helpsteer2_preference_and_ratings_share_the_prompt_id(tmp_path, db):
    pair = {**preference_record(1), "prompt": CARD["prompt"], "response_1": CARD["response"], "response_2": "no"}
    ingest(write_jsonl(tmp_path / "preference.jsonl", [pair]), "both", db=db, fmt="helpsteer2-preference")
    ingest(write_jsonl(tmp_path / "train.jsonl", [CARD]), "both", db=db, fmt="helpsteer2")
    (v,) = rows(db, "SELECT prompt_id FROM verdicts")
    assert {r["prompt_id"] for r in rows(db, "SELECT prompt_id FROM ratings")} == {v["prompt_id"]}


def test_helpsteer2_preference_bad_strengths(tmp_path, db):
    recs = [preference_record(4), preference_record("much"), preference_record(1.5), preference_record(None), CARD]
    with pytest.raises(InvalidInputError) as e:
        ingest(write_jsonl(tmp_path / "preference.jsonl", recs), "p", db=db, fmt="helpsteer2-preference")
    assert [(p.line, p.column) for p in e.value.problems] == [
        (1, "preference_strength"),
        (2, "preference_strength"),
        (3, "preference_strength"),
        (4, "preference_strength"),
        (5, "response_1"),
    ]
    assert "4 is not a whole number from -3 to 3" in e.value.problems[0].reason
    assert "use --format helpsteer2" in e.value.problems[4].reason
    assert rows(db, "SELECT count(*) AS n FROM batches")[0]["n"] == 0


# ---- UltraFeedback fine-grained ------------------------------------------------------------------


def readme_record(path: Path) -> dict:
    """A record of the README's "Dataset Format" section: its // comments, the elided completions
    ``{ ... }`` and the commas the README leaves out (after ``["None"]``) are the only changes."""
    s = path.read_text(encoding="utf-8")
    s = re.sub(r'\s*//[^"\n]*$', "", s, flags=re.M)  # no comment in these blocks holds a quote
    s = re.sub(r",?\s*\{\s*\.\.\.\s*\}", "", s)
    s = re.sub(r'(\])(\s*\n\s*")', r"\1,\2", s)
    s = re.sub(r",(\s*[}\]])", r"\1", s)
    return json.loads(s.rstrip().rstrip(","))


def test_ultrafeedback_the_repositorys_own_records(tmp_path, db):
    new = readme_record(UF_README / "dataset-format-bf80fd4.jsonc")  # aspects as objects
    old = readme_record(UF_README / "dataset-format-5cd537d.jsonc")  # aspects as one-element lists
    assert isinstance(old["completions"][0]["annotations"]["honesty"], list)
    res = ingest(write_jsonl(tmp_path / "ultrafeedback.jsonl", [new, old]), "uf", db=db, fmt="ultrafeedback")
    assert (res.n_stored, res.n_quarantined) == (8, 0)
    got = rows(db, "SELECT * FROM ratings ORDER BY source_line, aspect")
    by = {(r["source_line"], r["aspect"]): r for r in got}
    # the README's ratings, as printed there
    assert {a: by[(1, a)]["score"] for a in ("instruction_following", "honesty", "truthfulness", "helpfulness")} == {
        "instruction_following": 2.0,
        "honesty": 3.0,
        "truthfulness": 3.0,
        "helpfulness": 3.0,
    }
    assert {a: by[(2, a)]["score"] for a in ("instruction_following", "honesty", "truthfulness", "helpfulness")} == {
        "instruction_following": 3.0,
        "honesty": 2.0,
        "truthfulness": 3.0,
        "helpfulness": 2.0,
    }
    cairo = by[(1, "truthfulness")]
    assert (cairo["model"], cairo["annotator_id"], cairo["annotator_kind"]) == (
        "falcon-40b-instruct",
        "ultrafeedback-gpt-4",
        "judge",
    )
    assert (cairo["prompt"], cairo["response"]) == (new["instruction"], new["completions"][0]["response"])
    pid = uf_prompt_id(new["instruction"])
    assert (cairo["prompt_id"], cairo["item_id"]) == (pid, f"ultrafeedback-{pid}-1")
    extra = json.loads(cairo["extra"])
    assert (extra["Type"], extra["Rationale For Rating"][:24], extra["source"], extra["principle"]) == (
        '["1", "2"]',
        "The text provides some t",
        "sharegpt",
        "helpfulness",
    )
    assert json.loads(by[(2, "honesty")]["extra"])["reference_answers"].startswith("all work and no play")


def completion(model: str, ratings: dict, overall=None, **more) -> dict:
    notes = {}
    for aspect, r in ratings.items():
        notes[aspect] = {"Rating": r, "Rationale": f"why {aspect} {r}"}
        if aspect in ("truthfulness", "helpfulness"):
            notes[aspect].update({"Type": ["1"], "Rationale For Rating": f"because {r}"})
    c = {"model": model, "principle": "helpfulness", "custom_system_prompt": "Be helpful.",
         "response": f"{model} says hi", "annotations": notes, "critique": f"critique of {model}"}  # fmt: skip
    if overall is not None:
        c["overall_score"] = overall
    numeric = [int(r) for r in ratings.values() if r != "N/A"]
    c["fine-grained_score"] = sum(numeric) / len(numeric) if numeric else None
    c.update(more)
    return c


ALL4 = ("instruction_following", "honesty", "truthfulness", "helpfulness")


def uf_record(instruction: str, completions: list[dict], source: str = "evol_instruct") -> dict:
    return {
        "source": source,
        "instruction": instruction,
        "models": [c.get("model") for c in completions],
        "completions": completions,
        "correct_answers": ["None"],
        "incorrect_answers": ["None"],
    }


def uf_fixture() -> list[dict]:
    return [
        uf_record(
            "how can i develop a habit of drawing daily",
            [
                completion("gpt-4", dict(zip(ALL4, "5455", strict=True)), 8.5),
                completion("alpaca-7b", dict(zip(ALL4, ["3", "N/A", "4", "3"], strict=True)), 6.0),
                completion("starchat", dict(zip(ALL4, "2232", strict=True)), 4),
                completion("wizardlm-7b", dict(zip(ALL4, ["N/A", "N/A", "1", "1"], strict=True)), 1),
            ],
        ),
        uf_record("Name a prime.", [completion("llama-2-7b-chat", dict(zip(ALL4, "4444", strict=True)))], "flan"),
    ]


def test_ultrafeedback_four_completions_with_overall_and_na(tmp_path, db):
    recs = uf_fixture()
    res = ingest(write_jsonl(tmp_path / "ultrafeedback.jsonl", recs), "uf", db=db, fmt="ultrafeedback")
    # record 1: 4 + 3 + 4 + 2 aspect rows (N/A not stored) + 4 overall; record 2: 4 aspects, no overall
    assert (res.n_stored, res.n_quarantined) == (17 + 4, 0)
    got = rows(db, "SELECT * FROM ratings WHERE source_line = 1 ORDER BY item_id, aspect")
    scores = {(r["model"], r["aspect"]): r["score"] for r in got}
    assert scores[("gpt-4", "overall")] == 8.5 and scores[("starchat", "truthfulness")] == 3.0
    assert ("alpaca-7b", "honesty") not in scores and ("wizardlm-7b", "instruction_following") not in scores
    alpaca = [r for r in got if r["model"] == "alpaca-7b"]
    assert {r["aspect"] for r in alpaca} == {"instruction_following", "truthfulness", "helpfulness", "overall"}
    assert {json.loads(r["extra"])["not_applicable"] for r in alpaca} == {'["honesty"]'}
    overall = next(r for r in alpaca if r["aspect"] == "overall")
    assert (json.loads(overall["extra"])["critique"], json.loads(overall["extra"])["fine-grained_score"]) == (
        "critique of alpaca-7b",
        "3.3333333333333335",
    )
    assert "models" not in json.loads(overall["extra"])  # = the completions' models: not stored again
    pid = uf_prompt_id(recs[0]["instruction"])
    assert {r["item_id"] for r in got} == {f"ultrafeedback-{pid}-{i}" for i in (1, 2, 3, 4)}
    with open_store(db, read_only=True) as s:
        scale = batch_scale(s, "uf")
    assert {a: (r.low, r.high, r.declared) for a, r in scale.ratings.items()} == {
        **{a: (1.0, 5.0, True) for a in ALL4},
        "overall": (1.0, 10.0, True),
    }


def test_ultrafeedback_ratings_share_the_binarized_pairs_prompt_id(tmp_path, db):
    """HuggingFaceH4's binarized prompt_id is sha256(prompt): the fixture's binarized record (its prompt_id
    copied from the set) and the fine-grained record of the same instruction land on one prompt_id."""
    ingest(FIXTURES / "ultrafeedback.jsonl", "uf", db=db, fmt="chosen-rejected")
    ingest(write_jsonl(tmp_path / "ultrafeedback_raw.jsonl", uf_fixture()[:1]), "uf", db=db, fmt="ultrafeedback")
    v = rows(db, "SELECT prompt_id FROM verdicts WHERE prompt = 'how can i develop a habit of drawing daily'")
    r = {x["prompt_id"] for x in rows(db, "SELECT prompt_id FROM ratings")}
    assert r == {v[0]["prompt_id"]} == {"086b3e24f29b8956a01059f79c56db35d118a06fb6b844b095737d042795cd43"}


def test_ultrafeedback_bad_records_are_refused_whole(tmp_path, db):
    good, short = uf_fixture()
    bad_rating = json.loads(json.dumps(good))
    bad_rating["completions"][2]["annotations"]["honesty"]["Rating"] = "6"
    bad_overall = json.loads(json.dumps(good))
    bad_overall["completions"][1]["overall_score"] = 11
    no_response = json.loads(json.dumps(short))
    del no_response["completions"][0]["response"]
    all_na = uf_record("Say nothing.", [completion("m", dict(zip(ALL4, ["N/A"] * 4, strict=True)))])
    binarized = json.loads((FIXTURES / "ultrafeedback.jsonl").read_text(encoding="utf-8").splitlines()[0])
    recs = [short, bad_rating, bad_overall, no_response, all_na, binarized]
    path = write_jsonl(tmp_path / "ultrafeedback.jsonl", recs)
    with pytest.raises(InvalidInputError) as e:
        ingest(path, "uf", db=db, fmt="ultrafeedback")
    assert [(p.line, p.column) for p in e.value.problems] == [
        (2, "completions[2].annotations.honesty.Rating"),
        (3, "completions[1].overall_score"),
        (4, "completions[0].response"),
        (5, "completions[0].annotations"),
        (6, "instruction"),
    ]
    r = [p.reason for p in e.value.problems]
    assert r[0] == (
        "6 is not a whole number from 1 to 5 (UltraFeedback rates 1-5 or N/A; record 2 of ultrafeedback.jsonl)"
    )
    assert "11 is outside UltraFeedback's overall scale 1-10" in r[1] and "every aspect N/A" in r[3]
    assert "--format chosen-rejected" in r[4]
    assert rows(db, "SELECT count(*) AS n FROM ratings")[0]["n"] == 0
    res = ingest(path, "uf", db=db, fmt="ultrafeedback", quarantine=True)
    assert (res.n_stored, res.n_quarantined) == (4, 5)  # the good short record; no completion of a bad one
    assert {r["source_line"] for r in rows(db, "SELECT source_line FROM ratings")} == {1}


# ---- invariance: the order of the records does not change what is stored ------------------------


@pytest.mark.parametrize(
    ("fmt", "table", "records"),
    [
        ("helpsteer2", "ratings", lambda: [CARD, SECOND, MULTI_TURN]),
        ("helpsteer2-preference", "verdicts", lambda: [preference_record(s, i) for i, s in enumerate((-3, 0, 2, 1))]),
        (
            "ultrafeedback",
            "ratings",
            lambda: [*uf_fixture(), readme_record(UF_README / "dataset-format-bf80fd4.jsonc")],
        ),
    ],
)
def test_record_order_does_not_change_the_stored_rows(tmp_path, fmt, table, records):
    recs = records()
    shuffled = recs[::-1]
    random.Random(18).shuffle(shuffled)
    assert shuffled != recs
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    ingest(write_jsonl(tmp_path / "in-order.jsonl", recs), "x", db=a, fmt=fmt)
    ingest(write_jsonl(tmp_path / "shuffled.jsonl", shuffled), "x", db=b, fmt=fmt)
    assert stored(a, table, "x") == stored(b, table, "x") and len(stored(a, table, "x")) > 0
    assert stored(a, "scales", "x") == stored(b, "scales", "x")
