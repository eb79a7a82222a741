"""Generate N pairwise judgments with realistic texts and 200+ annotators, as one Parquet file
(optionally with LLM-judge verdicts, and sibling files of Likert ratings and rankings).

    python benchmarks/generate.py 1000000 /tmp/pairs_1m.parquet [--annotators 240] [--seed 7]
        [--judges 2] [--ratings] [--rankings]

Generation runs inside DuckDB (no Python loop over rows) and streams each file with one
``COPY (SELECT ...)`` (memory stays bounded at 10M rows). It is deterministic: every "random" draw
is a hash of (row, seed) and rows are selected by an arithmetic row index, never by LIMIT, so the
same arguments give the same rows (the order of rows inside the file may differ between runs).

The rows:
- a pool of texts (prompts and responses), each a sequence of vocabulary words of a hashed length
  (5 to ~350 words, a few characters to ~2,000);
- prompt ids, one per ~5 comparisons (at least 20,000), so per-prompt structure stays the same at
  every N; their texts repeat from the pool;
- comparisons of two responses to a prompt from 8 models (``model-0`` .. ``model-7``) whose latent
  quality rises with the model number; each comparison gets 3 human verdicts (every 10th only 2),
  drawn from a logistic model of the latent difference, with ties where it is small; ``shown_first``
  is randomised; seconds, strength (0-3) and gold (every 50th comparison) are filled in; every 10th
  comparison's verdicts also carry rating_a / rating_b (1-7);
- ``--judges K``: every 5th comparison is also judged by K LLM judges (``judge-1`` ..,
  annotator_kind judge) in both orders. Judge rows count towards N;
- ``--ratings``: ``<out>_ratings.parquet``: every 40th comparison's two responses rated 1-7 by 3
  annotators on two aspects (helpfulness, harmlessness), about N/10 rows;
- ``--rankings``: ``<out>_rankings.parquet``: for every 40th comparison (offset 20) four responses
  to its prompt ranked 1-4 by 2 annotators, about N/15 rows.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

WORDS = (
    "the a model answer response question data because however therefore first second "
    "example code python function return value error result explain consider step "
    "reason clear concise detailed helpful harmless correct wrong user assistant write "
    "list table summary context prompt evidence source claim test case simple complex "
    "therefore overall finally note important also which would could should might"
).split()

N_MODELS = 8

# Comparisons: a prompt, two responses from the pool, a latent quality difference d in [-1, 1]
# (half the model gap, half noise). Shared by the three files.
_COMPARISONS = """
    SELECT range AS cid,
           hash(range, $seed, 'p') % $npid AS p_id,
           $np + hash(range, $seed, 'a') % $nr AS a_id,
           $np + hash(range, $seed, 'b') % $nr AS b_id,
           0.5 * (CAST(($np + hash(range, $seed, 'a') % $nr) % $nm AS BIGINT)
                  - CAST(($np + hash(range, $seed, 'b') % $nr) % $nm AS BIGINT)) / ($nm - 1)
             + 0.5 * ((hash(range, $seed, 'd') % 2000) / 1000.0 - 1.0) AS d
    FROM range($nc)
"""

# Row index of slot s of comparison c: comparisons before c hold 3 human rows (2 when c' % 10 = 0)
# plus 2K judge rows when c' % 5 = 0; humans come first, then judge j in order o at 3 + 2j + o.
_PAIRS = (
    """
WITH c AS ("""
    + _COMPARISONS
    + """),
slots AS (
    SELECT range AS slot FROM range(3 + 2 * $nj)
),
v AS (
    SELECT c.*, slot,
           slot >= 3 AS is_judge,
           3 * cid - (cid + 9) // 10 + 2 * $nj * ((cid + 4) // 5)
             + CASE WHEN slot < 3 THEN slot ELSE slot - CASE WHEN cid % 10 = 0 THEN 1 ELSE 0 END END AS row_index,
           hash(cid, slot, $seed, 'u') % 1000000 / 1000000.0 AS u,
           hash(cid, slot, $seed, 's') % 2 AS sf
    FROM c, slots
    WHERE (slot < 2 OR (slot = 2 AND cid % 10 <> 0) OR (slot >= 3 AND cid % 5 = 0))
)
SELECT 'c' || cid AS comparison_id,
       CASE WHEN is_judge THEN 'judge-' || ((slot - 3) // 2 + 1)
            ELSE 'ann' || lpad(CAST((cid * 7 + slot * 13 + hash(cid, $seed) % 5) % $na AS VARCHAR), 3, '0')
       END AS annotator_id,
       CASE WHEN is_judge THEN 'judge' ELSE 'human' END AS annotator_kind,
       CASE WHEN abs(d) < 0.08 AND u < 0.5 THEN 'tie'
            WHEN u < 1 / (1 + exp(-4 * d)) THEN 'A' ELSE 'B' END AS preference,
       CASE WHEN (CASE WHEN is_judge THEN (slot - 3) % 2 ELSE sf END) = 0 THEN 'A' ELSE 'B' END AS shown_first,
       CAST(least(3, floor(abs(d) * 4)) AS INTEGER) AS strength,
       CASE WHEN NOT is_judge AND cid % 10 = 1
            THEN CAST(least(7, greatest(1, round(4 + 3 * d + 2 * (u - 0.5)))) AS DOUBLE) END AS rating_a,
       CASE WHEN NOT is_judge AND cid % 10 = 1
            THEN CAST(least(7, greatest(1, round(4 - 3 * d + 2 * (0.5 - u)))) AS DOUBLE) END AS rating_b,
       CASE WHEN is_judge THEN NULL ELSE round(5 + 60 * u, 1) END AS seconds,
       'p' || p_id AS prompt_id,
       pp.text AS prompt, pa.text AS response_a, pb.text AS response_b,
       'model-' || (a_id % $nm) AS model_a, 'model-' || (b_id % $nm) AS model_b,
       CASE WHEN cid % 50 = 0 THEN (CASE WHEN d > 0 THEN 'A' ELSE 'B' END) END AS gold
FROM v
JOIN pool pp ON pp.id = v.p_id % $np
JOIN pool pa ON pa.id = v.a_id
JOIN pool pb ON pb.id = v.b_id
WHERE row_index < $n
"""
)

# Ratings: both responses of every 40th comparison, 3 raters, 2 aspects; score from the model's
# latent quality plus noise, on 1-7.
_RATINGS = (
    """
WITH c AS ("""
    + _COMPARISONS
    + """ WHERE range % 40 = 0),
items AS (
    SELECT cid, p_id, 'a' AS side, a_id AS r_id FROM c
    UNION ALL
    SELECT cid, p_id, 'b', b_id FROM c
),
r AS (
    SELECT items.*, k.range AS rater, asp.aspect,
           hash(cid, side, k.range, asp.aspect, $seed, 'score') % 1000 / 1000.0 AS u
    FROM items, range(3) k, (VALUES ('helpfulness'), ('harmlessness')) asp(aspect)
)
SELECT 'c' || cid || side AS item_id,
       'ann' || lpad(CAST((cid * 11 + rater * 17) % $na AS VARCHAR), 3, '0') AS annotator_id,
       least(7, greatest(1, round(2.5 + 3.0 * (r_id % $nm) / ($nm - 1) + 2.5 * u))) AS score,
       aspect, 'p' || p_id AS prompt_id, pp.text AS prompt, pr.text AS response,
       'model-' || (r_id % $nm) AS model,
       round(10 + 50 * u, 1) AS seconds
FROM r
JOIN pool pp ON pp.id = r.p_id % $np
JOIN pool pr ON pr.id = r.r_id
"""
)

# Rankings: for every 40th comparison (offset 20), its two responses and two more from the pool,
# ranked 1-4 by 2 annotators by latent quality plus noise.
_RANKINGS = (
    """
WITH c AS ("""
    + _COMPARISONS
    + """ WHERE range % 40 = 20),
resp AS (
    SELECT cid, p_id, k.range AS pos,
           CASE k.range WHEN 0 THEN a_id WHEN 1 THEN b_id
                ELSE $np + hash(cid, k.range, $seed, 'extra') % $nr END AS r_id
    FROM c, range(4) k
),
judged AS (
    SELECT resp.*, j.range AS rater,
           (r_id % $nm) / ($nm - 1) + hash(cid, pos, j.range, $seed, 'rank') % 1000 / 1000.0 AS merit
    FROM resp, range(2) j
)
SELECT 'p' || p_id || '-c' || cid AS prompt_id,
       'ann' || lpad(CAST((cid * 5 + rater * 19) % $na AS VARCHAR), 3, '0') AS annotator_id,
       'c' || cid || '-r' || pos AS response_id,
       CAST(row_number() OVER (PARTITION BY cid, rater ORDER BY merit DESC, pos) AS INTEGER) AS "rank",
       pr.text AS response,
       'model-' || (r_id % $nm) AS model
FROM judged
JOIN pool pr ON pr.id = judged.r_id
"""
)


def sibling(out: str, kind: str) -> str:
    p = Path(out)
    return str(p.with_name(f"{p.stem}_{kind}{p.suffix}"))


def _copy(con, query: str, params: dict, out: str) -> None:
    con.execute(
        f"COPY ({query}) TO '" + out.replace("'", "''") + "' (FORMAT parquet, ROW_GROUP_SIZE 122880)", params
    ).fetchall()


def generate(
    n_judgments: int,
    out: str,
    *,
    annotators: int = 240,
    seed: int = 7,
    judges: int = 0,
    ratings: bool = False,
    rankings: bool = False,
    n_prompts: int = 20_000,
    n_responses: int = 60_000,
    memory_limit: str = "2GB",
) -> dict:
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False})
    con.execute(
        "CREATE TABLE pool AS "
        "SELECT id, array_to_string(list_transform(range(n_words), "
        "  lambda k: list_extract($w, 1 + CAST(hash(id, k, $seed) % $nw AS BIGINT))), ' ') AS text "
        "FROM (SELECT range AS id, CAST(5 + hash(range, $seed, 'len') % 350 AS BIGINT) AS n_words "
        "      FROM range($n))",
        {"seed": seed, "n": n_prompts + n_responses, "nw": len(WORDS), "w": WORDS},
    ).fetchall()
    # rows per 10 comparisons: 29 human + 2 * 2K judge rows
    n_comp = n_judgments * 10 // (29 + 4 * judges) + 2
    # prompt ids grow with the data (one per ~5 comparisons, as in collections that grow by adding
    # prompts); their texts come from the pool of n_prompts texts
    common = {
        "seed": seed,
        "np": n_prompts,
        "npid": max(n_prompts, n_comp // 5),
        "nr": n_responses,
        "nm": N_MODELS,
        "nc": n_comp,
    }
    _copy(con, _PAIRS, {**common, "na": annotators, "nj": judges, "n": n_judgments}, out)
    info = dict(
        zip(
            ("n_judgments", "n_annotators", "n_comparisons"),
            con.execute(
                "SELECT count(*), count(DISTINCT annotator_id), count(DISTINCT comparison_id) FROM read_parquet($f)",
                {"f": out},
            ).fetchall()[0],
            strict=True,
        )
    )
    # comparisons actually used (the last one may be cut by N)
    common["nc"] = info["n_comparisons"]
    if ratings:
        path = sibling(out, "ratings")
        _copy(con, _RATINGS, {**common, "na": annotators}, path)
        info["ratings_file"] = path
        info["n_ratings"] = con.execute("SELECT count(*) FROM read_parquet($f)", {"f": path}).fetchall()[0][0]
    if rankings:
        path = sibling(out, "rankings")
        _copy(con, _RANKINGS, {**common, "na": annotators}, path)
        info["rankings_file"] = path
        info["n_ranking_rows"] = con.execute("SELECT count(*) FROM read_parquet($f)", {"f": path}).fetchall()[0][0]
    con.close()
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="pairwise judgments (rows), judge rows included")
    ap.add_argument("out", help="the pairwise Parquet file; ratings/rankings go beside it")
    ap.add_argument("--annotators", type=int, default=240)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--judges", type=int, default=0, help="LLM judges on every 5th comparison, both orders")
    ap.add_argument("--ratings", action="store_true", help="also write <out>_ratings.parquet")
    ap.add_argument("--rankings", action="store_true", help="also write <out>_rankings.parquet")
    ap.add_argument("--memory-limit", default="2GB", help="DuckDB memory limit of the generator")
    a = ap.parse_args()
    t = time.perf_counter()
    info = generate(
        a.n,
        a.out,
        annotators=a.annotators,
        seed=a.seed,
        judges=a.judges,
        ratings=a.ratings,
        rankings=a.rankings,
        memory_limit=a.memory_limit,
    )
    print(info, f"{time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
