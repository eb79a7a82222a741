"""Adapters for public formats (--format NAME): real PandaLM and LLMBar files, and small fixtures
written from the documented schemas of MT-Bench human judgments, Chatbot Arena and chosen/rejected
pair sets, each through the real ingest() into a real store."""

from __future__ import annotations

import collections
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import REALDATA, rows

from qualitylab.adapters import ADAPTERS
from qualitylab.adapters._common import text, with_extras
from qualitylab.adapters.chosen_rejected import chosen_slot, split_hh
from qualitylab.cli import main
from qualitylab.errors import ExitCode, InvalidInputError, UsageError
from qualitylab.ingest import ingest

PANDALM = REALDATA / "pandalm" / "data"
LLMBAR = REALDATA / "llmbar-mtbench"
FIXTURES = Path(__file__).parent / "fixtures" / "public_formats"


def verdict(db, comparison_id: str, annotator_id: str, shown_first: str | None = None) -> dict:
    sql = "SELECT * FROM verdicts WHERE comparison_id = ? AND annotator_id = ?"
    params = [comparison_id, annotator_id]
    if shown_first:
        sql += " AND shown_first = ?"
        params.append(shown_first)
    (r,) = rows(db, sql, params)
    return r


def load(name: str) -> list:
    return json.loads((PANDALM / name).read_text(encoding="utf-8"))


# ---- registry -----------------------------------------------------------------------------------


def test_every_format_is_registered_with_a_doc_and_a_unit():
    assert set(ADAPTERS) == {
        "pandalm",
        "llmbar",
        "mtbench-human",
        "arena",
        "chosen-rejected",
        "helpsteer2",
        "helpsteer2-preference",
        "ultrafeedback",
        "alpaca-eval",
    }
    ratings = {"helpsteer2", "ultrafeedback"}  # tests/test_adapters_ratings.py
    for a in ADAPTERS.values():
        kind = "rating" if a.name in ratings else "pairwise"
        assert (a.kind, a.unit in ("row", "record"), len(a.doc) > 40) == (kind, True, True), a.name


# ---- PandaLM (real files) -----------------------------------------------------------------------


def test_pandalm_three_humans_and_two_judges_with_garbage_quarantined(db):
    test_set, gpt, panda = (
        load("testset-v1.json"),
        load("gpt-3.5-turbo-testset-v1.json"),
        load("pandalm-7b-testset-v1.json"),
    )
    n_garbage = sum(o["gpt_result"] == "garbage" for o in gpt)
    assert (len(test_set), n_garbage) == (999, 25)  # README of realdata: 999 objects; "garbage" counted here
    res = ingest(PANDALM / "testset-v1.json", "pandalm", db=db, fmt="pandalm", quarantine=True)
    assert (res.n_rows, res.n_stored, res.n_quarantined) == (999 * 5, 999 * 5 - n_garbage, n_garbage)
    per = {
        r["annotator_id"]: r
        for r in rows(
            db,
            "SELECT annotator_id, any_value(annotator_kind) AS kind, count(*) AS n, "
            "count(DISTINCT comparison_id) AS n_cmp, "
            "sum(CAST(shown_first_recorded AS INT)) AS n_order "
            "FROM verdicts GROUP BY 1",
        )
    }
    assert {a: (r["kind"], r["n"], r["n_cmp"], r["n_order"]) for a, r in per.items()} == {
        "annotator1": ("human", 999, 999, 0),
        "annotator2": ("human", 999, 999, 0),
        "annotator3": ("human", 999, 999, 0),
        "pandalm-7b": ("judge", 999, 999, 0),
        "gpt-3.5-turbo": ("judge", 999 - n_garbage, 999 - n_garbage, 0),
    }
    # label distributions carried over exactly (1 -> A, 2 -> B, 0 / "Tie" -> tie)
    dist = collections.Counter(
        (r["annotator_id"], r["preference"]) for r in rows(db, "SELECT annotator_id, preference FROM verdicts")
    )
    to = {1: "A", 2: "B", 0: "tie", "1": "A", "2": "B", "Tie": "tie"}
    for ann in ("annotator1", "annotator2", "annotator3"):
        assert {p: dist[(ann, p)] for p in "A B tie".split()} == dict(collections.Counter(to[o[ann]] for o in test_set))
    assert dist[("pandalm-7b", "tie")] == sum(o["pandalm_result"] == 0 for o in panda)
    assert dist[("gpt-3.5-turbo", "tie")] == sum(o["gpt_result"] == "Tie" for o in gpt)

    # exact rows: idx 0 (bloom-7b_llama-7b, annotators 2/2/2, gpt "1", pandalm 2)
    src = test_set[0]
    h = verdict(db, "pandalm-0", "annotator1")
    assert (h["preference"], h["model_a"], h["model_b"], h["category"], h["response_a"], h["response_b"]) == (
        "B",
        "bloom-7b",
        "llama-7b",
        "Grammarly",
        src["response1"],
        src["response2"],
    )
    assert h["prompt"] == src["instruction"] + "\n\n" + src["input"]
    assert (h["shown_first"], h["shown_first_recorded"]) == ("A", False)  # order never recorded
    assert json.loads(h["extra"])["input"] == src["input"]
    assert verdict(db, "pandalm-0", "gpt-3.5-turbo")["preference"] == "A"
    assert verdict(db, "pandalm-0", "pandalm-7b")["preference"] == "B"
    no_input = next(o for o in test_set if not o["input"])
    assert verdict(db, f"pandalm-{no_input['idx']}", "annotator2")["prompt"] == no_input["instruction"]

    # every garbage verdict is in quarantine, named, with its source object; none stored
    q = rows(db, "SELECT source_line, column_name, reason, raw FROM quarantine ORDER BY source_line")
    garbage_idx = sorted(o["idx"] for o in gpt if o["gpt_result"] == "garbage")
    assert len(q) == n_garbage and len({r["source_line"] for r in q}) == n_garbage
    assert sorted(json.loads(r["raw"])["idx"] for r in q) == garbage_idx
    assert all(
        r["column_name"] == "preference" and "'garbage'" in r["reason"] and "not guessed" in r["reason"] for r in q
    )
    assert (
        rows(
            db,
            "SELECT count(*) AS n FROM verdicts WHERE annotator_id = 'gpt-3.5-turbo' AND comparison_id IN "
            f"({', '.join('?' * n_garbage)})",
            [f"pandalm-{i}" for i in garbage_idx],
        )[0]["n"]
        == 0
    )
    # the humans on a comparison whose gpt verdict is garbage are all stored
    assert len(rows(db, "SELECT 1 FROM verdicts WHERE comparison_id = ?", [f"pandalm-{garbage_idx[0]}"])) == 4


def test_pandalm_without_quarantine_is_refused_whole(db):
    with pytest.raises(InvalidInputError) as e:
        ingest(PANDALM / "testset-v1.json", "pandalm", db=db, fmt="pandalm")
    assert len(e.value.problems) == 25 and e.value.unit == "row"
    assert not db.exists() or rows(db, "SELECT count(*) AS n FROM verdicts")[0]["n"] == 0


def test_pandalm_test_set_alone_gives_the_humans_only(tmp_path, db):
    shutil.copy(PANDALM / "testset-v1.json", tmp_path / "testset-v1.json")
    res = ingest(tmp_path / "testset-v1.json", "p", db=db, fmt="pandalm")
    assert (res.n_stored, res.n_quarantined) == (999 * 3, 0)
    with pytest.raises(UsageError):  # a judge file is not the entry point
        ingest(PANDALM / "pandalm-7b-testset-v1.json", "p2", db=db, fmt="pandalm")


def test_cli_pandalm_exit_codes(db, capsys):
    args = ["ingest", str(PANDALM / "testset-v1.json"), "--batch", "pandalm", "--format", "pandalm", "--db", str(db)]
    assert main(args) == ExitCode.INVALID_INPUT  # 25 garbage verdicts refuse the file
    err = capsys.readouterr().err
    assert err.count("'garbage'") == 25 and "testset-v1.json: row " in err
    assert main(args + ["--quarantine"]) == ExitCode.OK
    out = capsys.readouterr()
    assert "stored 4970 pairwise row(s)" in out.out and "25 row(s) quarantined" in out.out


# ---- LLMBar (real files) ------------------------------------------------------------------------


def test_llmbar_dataset_and_two_evaluators_in_one_batch(db):
    dataset = json.loads((LLMBAR / "dataset.json").read_text(encoding="utf-8"))
    palm_file = LLMBAR / "evaluators" / "PaLM2" / "Metrics_Reference" / "result.json"
    palm = json.loads(palm_file.read_text(encoding="utf-8"))
    n_null = sum(o["results"][-1][k]["winner"] is None for o in palm for k in ("swap = False", "swap = True"))
    assert n_null == 18  # counted in the real file

    r0 = ingest(LLMBAR / "dataset.json", "llmbar-mtbench", db=db, fmt="llmbar")
    r1 = ingest(
        LLMBAR / "evaluators" / "GPT-4" / "Vanilla_NoRules" / "result.json",
        "llmbar-mtbench",
        db=db,
        fmt="llmbar",
        mode="append",
    )
    with pytest.raises(InvalidInputError):  # null winners refuse the file ...
        ingest(palm_file, "llmbar-mtbench", db=db, fmt="llmbar", mode="append")
    r2 = ingest(
        palm_file, "llmbar-mtbench", db=db, fmt="llmbar", mode="append", quarantine=True
    )  # ... or are kept aside
    assert [(r.n_rows, r.n_stored, r.n_quarantined) for r in (r0, r1, r2)] == [
        (200, 200, 0),
        (400, 400, 0),
        (400, 400 - n_null, n_null),
    ]

    per = {
        (r["annotator_id"], r["shown_first"], r["shown_first_recorded"]): r["n"]
        for r in rows(
            db, "SELECT annotator_id, shown_first, shown_first_recorded, count(*) AS n FROM verdicts GROUP BY ALL"
        )
    }
    palm_a = sum(o["results"][-1]["swap = False"]["winner"] is not None for o in palm)
    assert per == {
        ("mtbench-expert-majority", "A", False): 200,
        ("GPT-4/Vanilla_NoRules", "A", True): 200,
        ("GPT-4/Vanilla_NoRules", "B", True): 200,
        ("PaLM2/Metrics_Reference", "A", True): palm_a,
        ("PaLM2/Metrics_Reference", "B", True): 400 - n_null - palm_a,
    }
    # every file lists the same pairs in the same order: one comparison, one content, per index
    assert rows(
        db,
        "SELECT count(DISTINCT comparison_id) AS c, count(DISTINCT (comparison_id, content_hash)) AS h FROM verdicts",
    ) == [{"c": 200, "h": 200}]

    # exact rows: index 0 (label 1; GPT-4 Vanilla: "1" with output_1 first, "1" with output_2 first)
    h = verdict(db, "llmbar-mtbench-0", "mtbench-expert-majority")
    assert (h["preference"], h["annotator_kind"], h["prompt"], h["response_a"], h["response_b"]) == (
        "A",
        "human",
        dataset[0]["input"],
        dataset[0]["output_1"],
        dataset[0]["output_2"],
    )
    fwd = verdict(db, "llmbar-mtbench-0", "GPT-4/Vanilla_NoRules", "A")
    rev = verdict(db, "llmbar-mtbench-0", "GPT-4/Vanilla_NoRules", "B")
    assert (fwd["preference"], rev["preference"], fwd["annotator_kind"]) == ("A", "A", "judge")
    assert json.loads(fwd["extra"]) == {"label": "1", "completion": '["Output (a)", "stop"]'}
    # a pair whose judge flipped with the order keeps both verdicts
    gpt4 = json.loads((LLMBAR / "evaluators" / "GPT-4" / "Vanilla_NoRules" / "result.json").read_text(encoding="utf-8"))
    i = next(
        i
        for i, o in enumerate(gpt4)
        if o["results"][-1]["swap = False"]["winner"] != o["results"][-1]["swap = True"]["winner"]
    )
    got = {verdict(db, f"llmbar-mtbench-{i}", "GPT-4/Vanilla_NoRules", s)["preference"] for s in "AB"}
    assert got == {"A", "B"}

    # the null winners: named by index and order, raw = the source object
    q = rows(db, "SELECT reason, raw FROM quarantine ORDER BY source_line")
    first = next(i for i, o in enumerate(palm) if o["results"][-1]["swap = False"]["winner"] is None)
    assert len(q) == n_null and f"at index {first} of result.json" in q[0]["reason"]
    assert json.loads(q[0]["raw"])["input"] == palm[first]["input"]


# ---- MT-Bench human judgments (fixture from the documented schema) ---------------------------------


def mtbench_records() -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / "mtbench_human.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("form", ["jsonl", "json", "parquet"])
def test_mtbench_human_in_each_form(tmp_path, db, form):
    recs = mtbench_records()
    if form == "jsonl":
        path = FIXTURES / "mtbench_human.jsonl"
    elif form == "json":
        path = tmp_path / "human.json"
        path.write_text(json.dumps(recs), encoding="utf-8")
    else:
        path = tmp_path / "human.parquet"
        pq.write_table(pa.Table.from_pylist(recs), path)
    with pytest.raises(InvalidInputError) as e:
        ingest(path, "mt", db=db, fmt="mtbench-human")
    assert [(p.line, p.column) for p in e.value.problems] == [(6, "preference")]  # winner "model_c"
    res = ingest(path, "mt", db=db, fmt="mtbench-human", quarantine=True)
    assert (res.n_rows, res.n_stored, res.n_quarantined) == (6, 5, 1)

    q81 = recs[0]["conversation_a"]
    t1 = verdict(db, "mtbench-q81-gpt-4-vs-alpaca-13b-t1", "expert_0")
    assert (t1["preference"], t1["annotator_kind"], t1["prompt_id"], t1["model_a"], t1["model_b"]) == (
        "A",
        "human",
        "mtbench-q81-t1",
        "gpt-4",
        "alpaca-13b",
    )
    assert (t1["prompt"], t1["response_a"], t1["shown_first_recorded"]) == (q81[0]["content"], q81[1]["content"], False)
    t2 = verdict(db, "mtbench-q81-gpt-4-vs-alpaca-13b-t2", "expert_0")
    assert t2["prompt"] == q81[0]["content"] + "\n\n" + q81[2]["content"]
    assert (t2["response_a"], t2["response_b"]) == (q81[3]["content"], recs[0]["conversation_b"][3]["content"])
    extra = json.loads(t2["extra"])
    assert (t2["preference"], extra["winner"]) == ("tie", "tie (bothbad)")
    assert json.loads(extra["conversation_b"]) == recs[0]["conversation_b"]  # earlier turns kept
    assert verdict(db, "mtbench-q81-gpt-4-vs-alpaca-13b-t1", "gpt4_pair")["annotator_kind"] == "judge"
    # three verdicts share the turn-1 comparison (expert_0, author_2, gpt4_pair)
    assert rows(
        db, "SELECT count(*) AS n FROM verdicts WHERE comparison_id = 'mtbench-q81-gpt-4-vs-alpaca-13b-t1'"
    ) == [{"n": 3}]


# ---- Chatbot Arena (fixtures from both documented schemas) ----------------------------------------


def test_arena_conversations_schema(db):
    res = ingest(FIXTURES / "arena_conversations.jsonl", "arena", db=db, fmt="arena", quarantine=True)
    assert (res.n_rows, res.n_stored, res.n_quarantined) == (3, 2, 1)
    r = verdict(db, "arena-58210e39b3fd4441a2bd4a518bb44c2d", "arena_user_973")
    assert (r["preference"], r["model_a"], r["model_b"], r["prompt"]) == (
        "B",
        "chatglm-6b",
        "koala-13b",
        "What is the difference between OpenCL and CUDA?",
    )
    assert str(r["created_at"]) == "2023-04-24 15:53:11.132200"  # tstamp 1682351591.1322, UTC
    extra = json.loads(r["extra"])
    assert (extra["language"], extra["anony"], extra["turn"]) == ("English", "true", "1")
    assert json.loads(extra["openai_moderation"])["flagged"] is False
    two = verdict(db, "arena-2564acd09e3942fd97657d05282d4389", "arena_user_973")
    assert (two["preference"], two["response_b"]) == ("tie", "I don't know.\n\nThat must hurt.")
    assert two["prompt"] == "Why did my parent not invite me to their wedding?\n\nThey invited my cousin."
    (q,) = rows(db, "SELECT source_line, reason FROM quarantine")
    assert q["source_line"] == 3 and "winner = ''" in q["reason"]


def test_arena_55k_schema(db):
    res = ingest(FIXTURES / "arena_55k.csv", "arena55k", db=db, fmt="arena", quarantine=True)
    assert (res.n_rows, res.n_stored, res.n_quarantined) == (4, 3, 1)
    got = {r["comparison_id"]: r for r in rows(db, "SELECT * FROM verdicts")}
    assert {k: v["preference"] for k, v in got.items()} == {
        "arena55k-30192": "A",
        "arena55k-53567": "B",
        "arena55k-65089": "tie",
    }
    assert {v["annotator_id"] for v in got.values()} == {"arena-anonymous-voters"}
    multi = got["arena55k-53567"]
    assert multi["prompt"].count("\n\n") == 2 and multi["response_a"].endswith("county clerk.\n\n")  # a null turn -> ""
    assert json.loads(json.loads(multi["extra"])["response_a_turns"])[2] == ""
    assert got["arena55k-65089"]["response_b"].endswith("code. \ufffd")  # lone surrogate replaced
    (q,) = rows(db, "SELECT source_line, reason FROM quarantine")
    assert q["source_line"] == 4 and "not exactly one 1" in q["reason"]  # 4th data row


# ---- chosen / rejected -------------------------------------------------------------------------------


def test_hh_rlhf_transcripts(db):
    res = ingest(FIXTURES / "hh_rlhf.jsonl", "hh", db=db, fmt="chosen-rejected", quarantine=True)
    assert (res.n_rows, res.n_stored, res.n_quarantined) == (3, 2, 1)
    stored = rows(db, "SELECT * FROM verdicts ORDER BY source_line")
    first = stored[0]
    chosen_text = "Because I try to avoid language that could hurt someone."
    assert first["prompt"] == (
        "Human: What are some cuss words in english?\n\nAssistant: I'd rather not list those.\n\nHuman: Why not?"
    )
    slot = chosen_slot(first["comparison_id"])
    assert first["preference"] == slot and first[f"response_{slot.lower()}"] == chosen_text
    assert (first["annotator_id"], first["annotator_kind"], first["shown_first_recorded"]) == (
        "hh-rlhf-crowdworkers",
        "human",
        False,
    )
    (q,) = rows(db, "SELECT source_line, reason FROM quarantine")
    assert q["source_line"] == 3 and "do not share the conversation" in q["reason"]


@pytest.mark.parametrize("form", ["jsonl", "parquet"])
def test_ultrafeedback_binarized(tmp_path, db, form):
    path = FIXTURES / "ultrafeedback.jsonl"
    recs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    if form == "parquet":
        path = tmp_path / "train_prefs.parquet"
        pq.write_table(pa.Table.from_pylist(recs), path)
    res = ingest(path, "uf", db=db, fmt="chosen-rejected")
    assert (res.n_stored, res.extra_columns) == (2, ())  # messages == chosen: not stored twice
    for rec in recs:
        r = verdict(db, f"ultrafeedback-{rec['prompt_id']}", "ultrafeedback-gpt-4")
        slot = r["preference"]
        other = "b" if slot == "A" else "a"
        assert slot == chosen_slot(r["comparison_id"]) and r["annotator_kind"] == "judge"
        assert (r[f"response_{slot.lower()}"], r[f"response_{other}"]) == (
            rec["chosen"][-1]["content"],
            rec["rejected"][-1]["content"],
        )
        assert (r[f"rating_{slot.lower()}"], r[f"rating_{other}"]) == (rec["score_chosen"], rec["score_rejected"])
        assert (r["prompt"], r["prompt_id"]) == (rec["prompt"], rec["prompt_id"])
    # the two fixture ids land on different sides: the placement is not "chosen = A"
    assert {r["preference"] for r in rows(db, "SELECT preference FROM verdicts")} == {"A", "B"}


def test_plain_prompt_chosen_rejected_and_differing_conversations(tmp_path, db):
    path = tmp_path / "pairs.jsonl"
    path.write_text(
        json.dumps({"id": 7, "prompt": "2+2?", "chosen": "4", "rejected": "5", "source": "math"}) + "\n",
        encoding="utf-8",
    )
    ingest(path, "plain", db=db, fmt="chosen-rejected")
    r = verdict(db, "7", "chosen-rejected-source")
    slot = chosen_slot("7")
    assert (r["preference"], r[f"response_{slot.lower()}"], json.loads(r["extra"])) == (slot, "4", {"source": "math"})
    first, second = map(
        json.loads, (FIXTURES / "arena_conversations.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    )
    second["conversation_b"][0]["content"] = "another question"
    path = tmp_path / "battle.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as e:
        ingest(path, "b", db=db, fmt="arena")
    assert [(p.line, p.column) for p in e.value.problems] == [(2, "prompt")]
    assert "differ in the user's messages" in e.value.problems[0].reason


def test_chosen_placement_is_balanced_and_deterministic():
    slots = [chosen_slot(f"hh-{i:06d}") for i in range(4000)]
    n_a = slots.count("A")
    assert 1800 < n_a < 2200  # 4000 fair coins: 2000 +- 3.2 sd (sd = 31.6)
    assert slots == [chosen_slot(f"hh-{i:06d}") for i in range(4000)]


def test_hh_split_needs_a_shared_prefix():
    assert split_hh("\n\nHuman: hi\n\nAssistant: hello", "\n\nHuman: hi\n\nAssistant: go away") == (
        "Human: hi",
        "hello",
        "go away",
    )
    assert "do not share" in split_hh("\n\nHuman: a\n\nAssistant: x", "\n\nHuman: b\n\nAssistant: y")


# ---- helpers -----------------------------------------------------------------------------------------


def test_extra_columns_never_shadow_canonical_ones():
    out = with_extras({"comparison_id": "c"}, {"seconds": 3, "note": {"k": 1}, "gone": None, "comparison_id": "x"})
    assert out == {"comparison_id": "c", "upstream_seconds": "3", "note": '{"k": 1}', "upstream_comparison_id": "x"}
    assert (text(True), text(1.5), text("a\ud83d")) == ("true", "1.5", "a\ufffd")


def test_unknown_suffix_is_a_usage_error(tmp_path, db):
    path = tmp_path / "battles.txt"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError):
        ingest(path, "x", db=db, fmt="arena")


def test_mtbench_human_kind_from_the_datasets_own_fields_never_a_name_prefix(tmp_path, db):
    """Issue 14 item 3: a name prefix stored Gemini, Llama and Mistral judges as humans. The kind comes
    from annotator_kind (override), the dataset's split, or its rater names (expert_N / author_N
    human, gpt4_pair judge); anything else is refused, naming the judge ids."""
    base = mtbench_records()[0]
    recs = [
        {**base, "judge": "gemini-pro"},
        {**base, "judge": "llama-3-70b-instruct"},
        {**base, "judge": "gpt4_pair"},
        {**base, "judge": "expert_7"},
    ]
    path = tmp_path / "judges.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    with pytest.raises(InvalidInputError) as e:
        ingest(path, "mt", db=db, fmt="mtbench-human")
    probs = e.value.problems
    assert [(p.line, p.column) for p in probs] == [(1, "annotator_kind"), (2, "annotator_kind")]
    assert "'gemini-pro'" in probs[0].reason and "'llama-3-70b-instruct'" in probs[1].reason
    assert "not guessed" in probs[0].reason and "add an annotator_kind column" in probs[0].reason
    # the dataset's annotator_kind column decides (an LLM called "gpt..." may also be declared human)
    recs2 = [
        {**base, "judge": "gemini-pro", "annotator_kind": "judge"},
        {**base, "judge": "mistral-large", "split": "gpt4_pair"},
        {**base, "judge": "gpt4_pair", "annotator_kind": "human"},
        {**base, "judge": "author_3"},
        {**base, "judge": ["gpt-4", "pair-v2"]},  # FastChat's own judge field
    ]
    path2 = tmp_path / "declared.jsonl"
    path2.write_text("".join(json.dumps(r) + "\n" for r in recs2), encoding="utf-8")
    ingest(path2, "mt2", db=db, fmt="mtbench-human")
    kinds = {r["annotator_id"]: r["annotator_kind"] for r in rows(db, "SELECT * FROM verdicts WHERE batch_id = 'mt2'")}
    assert kinds == {
        "gemini-pro": "judge",
        "mistral-large": "judge",
        "gpt4_pair": "human",
        "author_3": "human",
        "gpt-4/pair-v2": "judge",
    }
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**base, "annotator_kind": "robot"}) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as e:
        ingest(bad, "mt3", db=db, fmt="mtbench-human")
    assert "annotator_kind = 'robot' is not human or judge" in e.value.problems[0].reason
