"""The one column vocabulary: the three kinds of annotation rows and the store's tables.

The same names are used in delivered files, SQL, Python, CLI flags and app pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SCHEMA_VERSION = 15

PREFERENCES = ("A", "B", "tie")
SLOTS = ("A", "B")
ANNOTATOR_KINDS = ("human", "judge")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | label | number | integer | timestamp | date
    required: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Kind:
    name: str  # pairwise | rating | ranking
    table: str  # store table
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


PAIRWISE = Kind(
    "pairwise",
    "verdicts",
    (
        Column("comparison_id", "text", True, "all verdicts on the same prompt + pair of responses share it"),
        Column("annotator_id", "text", True, "who gave the verdict (a person or an LLM judge)"),
        Column("preference", "label", True, "A, B or tie (case-insensitive)"),
        Column("prompt", "text", doc="the prompt / instruction"),
        Column("response_a", "text", doc="the response labelled A"),
        Column("response_b", "text", doc="the response labelled B"),
        Column("prompt_id", "text"),
        Column("model_a", "text", doc="the model behind response A"),
        Column("model_b", "text"),
        Column("annotator_kind", "label", doc="human (default) or judge"),
        Column("shown_first", "label", doc="A or B: which response the annotator saw first / on the left"),
        Column(
            "strength",
            "integer",
            doc="0-3 (Llama 2 scale): negligibly better or unsure, slightly better, better, significantly better",
        ),
        Column(
            "preference_soft",
            "number",
            doc="P(B preferred) in 0-1 (AlpacaEval's preference - 1); on the side of 0.5 the preference names",
        ),
        Column("rating_a", "number", doc="Likert score of response A given in the same task"),
        Column("rating_b", "number"),
        Column("seconds", "number", doc="time spent on the verdict"),
        Column("gold", "label", doc="the expected answer on a honeypot item (A, B or tie)"),
        Column("category", "text"),
        Column("created_at", "timestamp"),
        Column(
            "reference_answer",
            "text",
            doc="a reference answer to the prompt, shown to a judge whose prompt names ${reference_answer}",
        ),
    ),
)

RATING = Kind(
    "rating",
    "ratings",
    (
        Column("item_id", "text", True, "the rated response"),
        Column("annotator_id", "text", True),
        Column("score", "number", True, "numeric score (e.g. Likert 1-7)"),
        Column("aspect", "text", doc="what was rated; default 'overall'"),
        Column("prompt_id", "text"),
        Column("prompt", "text"),
        Column("response", "text"),
        Column("model", "text"),
        Column("annotator_kind", "label", doc="human (default) or judge"),
        Column("seconds", "number"),
        Column("created_at", "timestamp"),
        Column(
            "reference_answer",
            "text",
            doc="a reference answer to the prompt, shown to a judge whose prompt names ${reference_answer}",
        ),
    ),
)

RANKING = Kind(
    "ranking",
    "rankings",
    (
        Column("prompt_id", "text", True),
        Column("annotator_id", "text", True),
        Column("response_id", "text", True),
        Column("rank", "integer", True, "1 = best; equal ranks are a tie"),
        Column("response", "text"),
        Column("model", "text"),
        Column("annotator_kind", "label", doc="human (default) or judge"),
        Column("seconds", "number"),
    ),
)

KINDS: dict[str, Kind] = {k.name: k for k in (PAIRWISE, RATING, RANKING)}


def detect_kind(columns: Iterable[str]) -> str | None:
    """The kind whose required columns are all present, or None."""
    cols = {c.lower() for c in columns}
    hits = [k.name for k in KINDS.values() if set(k.required) <= cols]
    return hits[0] if len(hits) == 1 else None


def quote_ident(name: str) -> str:
    """The one quoting helper for identifiers that must be dynamic (column names of a delivered file)."""
    return '"' + str(name).replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------
# Store DDL. Version 1. Each later version appends a migration to MIGRATIONS (never edits one).
# ---------------------------------------------------------------------------------------------

_V1 = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS batches (
    batch_id   VARCHAR PRIMARY KEY,
    vendor     VARCHAR,
    delivered  DATE,
    created_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;
CREATE TABLE IF NOT EXISTS files (
    file_id       INTEGER PRIMARY KEY,
    batch_id      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    format        VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        VARCHAR NOT NULL,
    n_rows        BIGINT NOT NULL,
    n_stored      BIGINT NOT NULL,
    n_quarantined BIGINT NOT NULL,
    ingested_at   TIMESTAMP NOT NULL,
    qualitylab_version VARCHAR NOT NULL,
    extra_columns VARCHAR[]
);

CREATE TABLE IF NOT EXISTS verdicts (
    batch_id       VARCHAR NOT NULL,
    file_id        INTEGER NOT NULL,
    source_line    BIGINT NOT NULL,
    comparison_id  VARCHAR NOT NULL,
    annotator_id   VARCHAR NOT NULL,
    annotator_kind VARCHAR NOT NULL,
    preference     VARCHAR NOT NULL,
    shown_first    VARCHAR NOT NULL,
    shown_first_recorded BOOLEAN NOT NULL,
    strength       TINYINT,
    rating_a       DOUBLE,
    rating_b       DOUBLE,
    seconds        DOUBLE,
    gold           VARCHAR,
    category       VARCHAR,
    created_at     TIMESTAMP,
    prompt_id      VARCHAR,
    model_a        VARCHAR,
    model_b        VARCHAR,
    prompt         VARCHAR,
    response_a     VARCHAR,
    response_b     VARCHAR,
    len_a_chars    INTEGER,
    len_b_chars    INTEGER,
    len_a_tokens   INTEGER,
    len_b_tokens   INTEGER,
    content_hash   UBIGINT,
    extra          JSON
);

CREATE TABLE IF NOT EXISTS ratings (
    batch_id       VARCHAR NOT NULL,
    file_id        INTEGER NOT NULL,
    source_line    BIGINT NOT NULL,
    item_id        VARCHAR NOT NULL,
    annotator_id   VARCHAR NOT NULL,
    annotator_kind VARCHAR NOT NULL,
    aspect         VARCHAR NOT NULL,
    score          DOUBLE NOT NULL,
    prompt_id      VARCHAR,
    model          VARCHAR,
    prompt         VARCHAR,
    response       VARCHAR,
    seconds        DOUBLE,
    created_at     TIMESTAMP,
    len_chars      INTEGER,
    len_tokens     INTEGER,
    extra          JSON
);

CREATE TABLE IF NOT EXISTS rankings (
    batch_id       VARCHAR NOT NULL,
    file_id        INTEGER NOT NULL,
    source_line    BIGINT NOT NULL,
    prompt_id      VARCHAR NOT NULL,
    annotator_id   VARCHAR NOT NULL,
    annotator_kind VARCHAR NOT NULL,
    response_id    VARCHAR NOT NULL,
    rank           INTEGER NOT NULL,
    model          VARCHAR,
    response       VARCHAR,
    seconds        DOUBLE,
    len_chars      INTEGER,
    len_tokens     INTEGER,
    extra          JSON
);

CREATE TABLE IF NOT EXISTS quarantine (
    batch_id    VARCHAR NOT NULL,
    file_id     INTEGER NOT NULL,
    source_line BIGINT,
    column_name VARCHAR,
    reason      VARCHAR NOT NULL,
    raw         VARCHAR
);
"""

_V2_JUDGE_CALLS = """
-- The LLM judge runner's cache (qualitylab judge): one row per call, keyed like the cache.
-- mode 'pairwise': item_id = comparison_id, shown_first = which response was shown first ('A'|'B').
-- mode 'single':   item_id = the graded item, shown_first = '-', aspect = what was graded.
-- parsed = false: the output held no verdict in the strict format (stored, counted, never guessed);
-- error: the call failed beyond retries (no output; a rerun tries it again). No API key is stored.
CREATE TABLE IF NOT EXISTS judge_calls (
    batch_id          VARCHAR NOT NULL,
    mode              VARCHAR NOT NULL,
    item_id           VARCHAR NOT NULL,
    shown_first       VARCHAR NOT NULL,
    aspect            VARCHAR NOT NULL,
    model             VARCHAR NOT NULL,
    template_sha256   VARCHAR NOT NULL,
    annotator_id      VARCHAR NOT NULL,
    file_id           INTEGER,
    raw_output        VARCHAR,
    parsed            BOOLEAN NOT NULL,
    parse_problem     VARCHAR,
    preference        VARCHAR,
    strength          TINYINT,
    score             DOUBLE,
    prompt_tokens     BIGINT,
    completion_tokens BIGINT,
    latency_ms        DOUBLE,
    cost_usd          DOUBLE,
    attempts          INTEGER NOT NULL,
    error             VARCHAR,
    created_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (batch_id, mode, item_id, shown_first, aspect, model, template_sha256)
);
"""

_V3_RESPONSES_IDENTICAL = """
-- Whether response_a equals response_b (NULL when either is missing), computed once at ingest so
-- the hygiene check reads one narrow column instead of rescanning both texts (10M verdicts: 9 s).
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS responses_identical BOOLEAN;
UPDATE verdicts SET responses_identical = (response_a = response_b);
"""

_V4_PAIR_HASH = """
-- An order-insensitive content hash: hash(prompt, the smaller response, the larger response).
-- Equal for a comparison and the same comparison with A and B swapped, so a re-delivery that
-- swaps the two responses is still found (content_hash is order-sensitive). Computed at ingest.
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS pair_hash UBIGINT;
UPDATE verdicts SET pair_hash = hash(coalesce(prompt, ''),
                                     least(coalesce(response_a, ''), coalesce(response_b, '')),
                                     greatest(coalesce(response_a, ''), coalesce(response_b, '')));
"""

_V5_SCALES = """
-- The scale each batch was collected on (qualitylab/scales.py), per kind and target: the labels
-- offered (pairwise 'preference': A,B or A,B,tie) or the range LOW-HIGH (pairwise 'strength'; a
-- rating aspect). declared = from --labels / --scale / a public format's adapter at ingest; else
-- inferred from the batch's delivered rows. Existing batches get their inferred scale here.
CREATE TABLE IF NOT EXISTS scales (
    batch_id VARCHAR NOT NULL,
    kind     VARCHAR NOT NULL,
    target   VARCHAR NOT NULL,
    labels   VARCHAR[],
    low      DOUBLE,
    high     DOUBLE,
    declared BOOLEAN NOT NULL,
    source   VARCHAR NOT NULL,
    file_id  INTEGER,
    PRIMARY KEY (batch_id, kind, target)
);
INSERT INTO scales
SELECT batch_id, 'pairwise', 'preference',
       CASE WHEN bool_or(preference = 'tie' OR coalesce(gold = 'tie', false))
            THEN ['A', 'B', 'tie'] ELSE ['A', 'B'] END,
       NULL, NULL, false,
       CASE WHEN bool_or(preference = 'tie' OR coalesce(gold = 'tie', false))
            THEN 'inferred: the delivered verdicts include tie' ELSE 'inferred: no tie in the delivered verdicts' END,
       NULL
FROM verdicts WHERE file_id IN (SELECT file_id FROM files WHERE format <> 'judge-run')
GROUP BY batch_id;
INSERT INTO scales
SELECT batch_id, 'pairwise', 'strength', NULL, min(strength), max(strength), false,
       'inferred: the strengths delivered', NULL
FROM verdicts WHERE strength IS NOT NULL AND file_id IN (SELECT file_id FROM files WHERE format <> 'judge-run')
GROUP BY batch_id;
INSERT INTO scales
SELECT batch_id, 'rating', aspect, NULL, min(score), max(score), false, 'inferred: the scores delivered', NULL
FROM ratings WHERE file_id IN (SELECT file_id FROM files WHERE format <> 'judge-run')
GROUP BY batch_id, aspect;
"""

_V6_JUDGE_CALL_SHA256 = """
-- The judge cache keyed by what was sent (issue 13): call_sha256 = SHA-256 of the request URL and
-- the exact request body (rendered messages, model, sampling parameters); never the API key. A
-- cached call is reused only for the same batch, mode, aspect, item, order AND call_sha256, so a
-- comparison whose texts changed is asked again. file_id = the judge run whose stored rows this
-- call backs now (NULL: none — its texts changed, the run was replaced, or it was superseded).
-- Rows written before v6 are kept as they are with legacy = true and call_sha256 NULL: what was
-- sent is not known, so they are never a cache hit (not re-keyed). The table is rebuilt: the v2
-- primary key (by comparison id) is dropped, as DuckDB cannot drop a constraint in place.
CREATE TABLE judge_calls_v6 (
    batch_id          VARCHAR NOT NULL,
    mode              VARCHAR NOT NULL,
    item_id           VARCHAR NOT NULL,
    shown_first       VARCHAR NOT NULL,
    aspect            VARCHAR NOT NULL,
    model             VARCHAR NOT NULL,
    template_sha256   VARCHAR NOT NULL,
    annotator_id      VARCHAR NOT NULL,
    file_id           INTEGER,
    raw_output        VARCHAR,
    parsed            BOOLEAN NOT NULL,
    parse_problem     VARCHAR,
    preference        VARCHAR,
    strength          TINYINT,
    score             DOUBLE,
    prompt_tokens     BIGINT,
    completion_tokens BIGINT,
    latency_ms        DOUBLE,
    cost_usd          DOUBLE,
    attempts          INTEGER NOT NULL,
    error             VARCHAR,
    created_at        TIMESTAMP NOT NULL,
    call_sha256       VARCHAR,
    legacy            BOOLEAN NOT NULL DEFAULT false,
    CHECK (legacy OR call_sha256 IS NOT NULL)
);
INSERT INTO judge_calls_v6 SELECT *, NULL, true FROM judge_calls;
DROP TABLE judge_calls;
ALTER TABLE judge_calls_v6 RENAME TO judge_calls;
"""

_V7_CONTRACTS = """
-- Contract plans (qualitylab contract add; docs/contract.md): one row per contract name and version.
-- contract_text is the TOML file as added, plan its validated form (weeks resolved to dates) as JSON.
-- A revision (contract add --revise) is version k + 1; no row is ever changed or deleted.
CREATE TABLE IF NOT EXISTS contracts (
    name               VARCHAR NOT NULL,
    version            INTEGER NOT NULL,
    sha256             VARCHAR NOT NULL,
    file_name          VARCHAR NOT NULL,
    contract_text      VARCHAR NOT NULL,
    plan               JSON NOT NULL,
    vendor             VARCHAR,
    added_at           TIMESTAMP NOT NULL,
    qualitylab_version VARCHAR NOT NULL,
    PRIMARY KEY (name, version)
);
"""

_V8_CONTRACT_GATE_FILES = """
-- The contents of the gate files a contract version names, stored with it: a later edit of a file
-- on disk never changes what a week is judged (or was decided) by. path = as written in the contract.
CREATE TABLE IF NOT EXISTS contract_gate_files (
    name       VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    path       VARCHAR NOT NULL,
    sha256     VARCHAR NOT NULL,
    gates_text VARCHAR NOT NULL,
    PRIMARY KEY (name, version, path)
);
"""

_V9_CONTRACT_LINKS = """
-- Which contract week a batch delivers (ingest --contract NAME --week N, contract link): one row per
-- batch. The batch is judged by that week's gate file of the contract's latest version.
CREATE TABLE IF NOT EXISTS contract_links (
    batch_id      VARCHAR PRIMARY KEY,
    contract_name VARCHAR NOT NULL,
    week          INTEGER NOT NULL,
    linked_at     TIMESTAMP NOT NULL
);
"""

_V10_DECISIONS = """
-- The decision of record (qualitylab decide; docs/contract.md): append-only, one row per decision.
-- A batch's current decision is its row with the highest decision_id; a later row supersedes an
-- earlier one (supersedes = its id), nothing is edited or deleted. decision: accept | reject |
-- accept_partial | reopen. gate_verdict = the verdict of the report decided on (report_sha256: its
-- canonical JSON without methods.generated_at); excluded = annotator ids whose verdicts are not
-- accepted, with exclusion_reasons [{annotator_id, reason}].
CREATE TABLE IF NOT EXISTS decisions (
    decision_id        INTEGER PRIMARY KEY,
    batch_id           VARCHAR NOT NULL,
    decision           VARCHAR NOT NULL,
    gate_verdict       VARCHAR,
    override_reason    VARCHAR,
    decided_by         VARCHAR NOT NULL,
    note               VARCHAR NOT NULL,
    decided_at         TIMESTAMP NOT NULL,
    report_sha256      VARCHAR,
    gates_sha256       VARCHAR,
    gates_source       VARCHAR,
    contract_name      VARCHAR,
    contract_version   INTEGER,
    contract_sha256    VARCHAR,
    contract_week      INTEGER,
    excluded           VARCHAR[] NOT NULL,
    exclusion_reasons  JSON NOT NULL,
    exclude_flagged    BOOLEAN NOT NULL,
    supersedes         INTEGER,
    qualitylab_version VARCHAR NOT NULL
);
"""

_V11_REPORT_SNAPSHOTS = """
-- Stored reports (qualitylab/snapshots.py; docs/scale.md "Report snapshots"): one row per batch and
-- request (request_sha256: seed, n_boot, the gate file asked for or the batch's own, section options).
-- fingerprint = SHA-256 of every input the report read (the named parts: batch row, files of this and
-- the earlier batches it reads, judge runs, scales, options, contract week, code); parts = {name:
-- SHA-256 of that part}, so a stale snapshot says which part changed. document = the report JSON as
-- `qualitylab report --json` prints it; report_sha256 its hash without methods.generated_at. A row is
-- valid while its fingerprint equals the one computed now; a newer computation replaces it.
CREATE TABLE IF NOT EXISTS report_snapshots (
    batch_id           VARCHAR NOT NULL,
    request_sha256     VARCHAR NOT NULL,
    fingerprint        VARCHAR NOT NULL,
    parts              JSON NOT NULL,
    document           JSON NOT NULL,
    report_sha256      VARCHAR NOT NULL,
    verdict            VARCHAR,
    computed_at        TIMESTAMP NOT NULL,
    compute_seconds    DOUBLE NOT NULL,
    qualitylab_version VARCHAR NOT NULL,
    PRIMARY KEY (batch_id, request_sha256)
);"""

_V12_DUPLICATE_COPY = """
-- The report's one rule for exact duplicate rows (docs/report-json.md "Duplicate rows"): a row
-- identical to an earlier row of its batch in every delivered column (texts through content_hash /
-- the response text, NULLs equal; the earlier = lower file_id, source_line) is a duplicate copy. It
-- stays stored (hygiene/duplicate_rows lists it, provenance counts it) and every statistic skips it.
-- Kept current by ingest and judge runs (queries/ingest/mark_duplicates_*); backfilled here.
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS duplicate_copy BOOLEAN DEFAULT false;
ALTER TABLE ratings ADD COLUMN IF NOT EXISTS duplicate_copy BOOLEAN DEFAULT false;
ALTER TABLE rankings ADD COLUMN IF NOT EXISTS duplicate_copy BOOLEAN DEFAULT false;
UPDATE verdicts SET duplicate_copy = d.copy
FROM (SELECT file_id, source_line,
             row_number() OVER (
                 PARTITION BY batch_id, comparison_id, annotator_id, annotator_kind, preference, shown_first,
                              shown_first_recorded, strength, rating_a, rating_b, seconds, gold, category,
                              created_at, prompt_id, model_a, model_b, content_hash, CAST(extra AS VARCHAR)
                 ORDER BY file_id, source_line) > 1 AS copy
      FROM verdicts) d
WHERE verdicts.file_id = d.file_id AND verdicts.source_line = d.source_line;
UPDATE ratings SET duplicate_copy = d.copy
FROM (SELECT file_id, source_line,
             row_number() OVER (
                 PARTITION BY batch_id, item_id, annotator_id, annotator_kind, aspect, score, prompt_id, model,
                              prompt, response, seconds, created_at, CAST(extra AS VARCHAR)
                 ORDER BY file_id, source_line) > 1 AS copy
      FROM ratings) d
WHERE ratings.file_id = d.file_id AND ratings.source_line = d.source_line;
UPDATE rankings SET duplicate_copy = d.copy
FROM (SELECT file_id, source_line,
             row_number() OVER (
                 PARTITION BY batch_id, prompt_id, annotator_id, annotator_kind, response_id, "rank", model,
                              response, seconds, CAST(extra AS VARCHAR)
                 ORDER BY file_id, source_line) > 1 AS copy
      FROM rankings) d
WHERE rankings.file_id = d.file_id AND rankings.source_line = d.source_line;
"""

_V13_ADJUDICATIONS = """
-- The buyer's own judgment on a comparison (qualitylab adjudicate, the app's Items page; issue 17):
-- append-only, one row per adjudication; a comparison's current adjudication is its row with the
-- highest adjudication_id whose texts_sha256 still equals the comparison's texts (an adjudication of
-- texts that were since replaced no longer applies). label: A | B | tie. texts_sha256 = SHA-256 of
-- the JSON array [prompt, response_a, response_b] of the comparison's first stored verdict (queries/
-- items/texts_sha256.sql). source: the adjudication file's name, or 'app'; source_line its line.
CREATE TABLE IF NOT EXISTS adjudications (
    adjudication_id    INTEGER PRIMARY KEY,
    batch_id           VARCHAR NOT NULL,
    comparison_id      VARCHAR NOT NULL,
    label              VARCHAR NOT NULL,
    note               VARCHAR NOT NULL,
    adjudicated_by     VARCHAR NOT NULL,
    adjudicated_at     TIMESTAMP NOT NULL,
    texts_sha256       VARCHAR NOT NULL,
    source             VARCHAR NOT NULL,
    source_line        BIGINT,
    qualitylab_version VARCHAR NOT NULL
);
"""

_V14_PREFERENCE_SOFT = """
-- Soft preferences (issue 14 item 12): preference_soft = P(B preferred) in [0, 1], AlpacaEval's
-- preference - 1, delivered (a pairwise column, validated at ingest against preference: A < 0.5,
-- tie = 0.5, B > 0.5) or given by an LLM judge's verdict (the 5-way scale A>>B 0, A>B 0.25, A=B 0.5,
-- B>A 0.75, B>>A 1; [[A]] / [[C]] / [[B]] 0 / 0.5 / 1). NULL = not recorded: the soft win rate then
-- reads the hard preference (A 0, tie 0.5, B 1). The judge runs already stored get their value here,
-- by the rule queries/judges/insert_run_verdicts.sql applies to new runs (preference and strength of
-- the parsed call: strength 1 = slightly, 3 = significantly better); delivered rows stay NULL.
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS preference_soft DOUBLE;
UPDATE verdicts SET preference_soft =
    CASE WHEN preference = 'tie' THEN 0.5
         WHEN strength = 1 THEN CASE preference WHEN 'A' THEN 0.25 ELSE 0.75 END
         ELSE CASE preference WHEN 'A' THEN 0.0 ELSE 1.0 END END
WHERE file_id IN (SELECT file_id FROM files WHERE format = 'judge-run' AND kind = 'pairwise');
"""

_V15_REFERENCE_ANSWER_RUBRIC = """
-- Issue 18: an optional reference answer on pairwise and rating rows (delivered column
-- reference_answer; a judge prompt's ${reference_answer}), and what else identifies a judge run
-- beside its template: the SHA-256 of the --rubric text and of the criteria sent (NULL: none).
-- A reference_answer delivered before v15 was kept among a row's extra columns: it is copied here
-- (the extra column stays as delivered).
ALTER TABLE verdicts ADD COLUMN IF NOT EXISTS reference_answer VARCHAR;
ALTER TABLE ratings ADD COLUMN IF NOT EXISTS reference_answer VARCHAR;
UPDATE verdicts SET reference_answer = nullif(trim(json_extract_string(extra, '$.reference_answer')), '')
WHERE extra IS NOT NULL AND json_extract_string(extra, '$.reference_answer') IS NOT NULL;
UPDATE ratings SET reference_answer = nullif(trim(json_extract_string(extra, '$.reference_answer')), '')
WHERE extra IS NOT NULL AND json_extract_string(extra, '$.reference_answer') IS NOT NULL;
ALTER TABLE judge_calls ADD COLUMN IF NOT EXISTS rubric_sha256 VARCHAR;
ALTER TABLE judge_calls ADD COLUMN IF NOT EXISTS criteria_sha256 VARCHAR;
"""

#: MIGRATIONS[i] brings a store from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (
    _V1,
    _V2_JUDGE_CALLS,
    _V3_RESPONSES_IDENTICAL,
    _V4_PAIR_HASH,
    _V5_SCALES,
    _V6_JUDGE_CALL_SHA256,
    _V7_CONTRACTS,
    _V8_CONTRACT_GATE_FILES,
    _V9_CONTRACT_LINKS,
    _V10_DECISIONS,
    _V11_REPORT_SNAPSHOTS,
    _V12_DUPLICATE_COPY,
    _V13_ADJUDICATIONS,
    _V14_PREFERENCE_SOFT,
    _V15_REFERENCE_ANSWER_RUBRIC,
)
