-- name: agreement/annotators
-- One row per human annotator of the batch's pairwise verdicts: items judged, agreement with the
-- leave-one-out strict majority of the other human annotators, and accuracy on honeypot items.
-- params: $batch_id
-- Caveats:
--   * each annotator's FIRST verdict on a comparison (lowest file_id, source_line) stands for it in
--     the majority vote and in the agreement (a repeat by the same person is not a second vote);
--   * the "others" of (comparison, annotator) are the other human annotators' first verdicts; their
--     strict majority is the label held by more than half of them. No strict majority (a tie among
--     the others, e.g. 1 A vs 1 B) or no other annotator: the item is not scored (n_majority_items);
--   * gold accuracy counts every human verdict where gold is not null (repeats included; exact
--     duplicate rows, identical in every delivered column, once).
WITH human AS (
    SELECT comparison_id, annotator_id, preference, gold, file_id, source_line
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human'
),
firsts AS (
    SELECT comparison_id, annotator_id, preference
    FROM human
    QUALIFY row_number() OVER (PARTITION BY comparison_id, annotator_id
                               ORDER BY file_id, source_line) = 1
),
per_item AS (
    SELECT comparison_id,
           count(*) AS m,
           count(*) FILTER (WHERE preference = 'A') AS n_a,
           count(*) FILTER (WHERE preference = 'B') AS n_b,
           count(*) FILTER (WHERE preference = 'tie') AS n_tie
    FROM firsts GROUP BY comparison_id
),
scored AS (
    SELECT f.annotator_id,
           p.m - 1 AS n_others,
           CASE f.preference WHEN 'A' THEN p.n_a - 1 WHEN 'B' THEN p.n_b - 1 ELSE p.n_tie - 1 END AS n_own,
           greatest(p.n_a - (f.preference = 'A')::INT,
                    p.n_b - (f.preference = 'B')::INT,
                    p.n_tie - (f.preference = 'tie')::INT) AS n_top
    FROM firsts f JOIN per_item p USING (comparison_id)
),
majority AS (
    SELECT annotator_id,
           count(*) AS n_items,
           count(*) FILTER (WHERE 2 * n_top > n_others) AS n_majority_items,
           count(*) FILTER (WHERE 2 * n_own > n_others) AS n_agree_majority
    FROM scored GROUP BY annotator_id
),
hashed AS (
    -- exact duplicate rows (identical in every delivered column, as hygiene/duplicate_rows
    -- defines them) count once: a delivery defect, not a second opinion. Found like
    -- hygiene/duplicate_rows: candidates by one 64-bit hash of the columns (an integer-keyed
    -- aggregation; a DISTINCT over all 17 columns spills at 10M rows), then the exact grouping by
    -- every column over the candidates only (a hash collision never merges two rows)
    SELECT annotator_id, preference, gold,
           hash(comparison_id, annotator_id, preference, shown_first, shown_first_recorded,
                strength, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
                model_b, content_hash, CAST(extra AS VARCHAR)) AS row_hash
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human'
),
candidates AS (
    SELECT row_hash FROM hashed GROUP BY row_hash HAVING count(*) > 1
),
copies AS (
    -- each group of exact duplicates: its copies beyond the first
    SELECT annotator_id, preference, gold, count(*) - 1 AS n_extra
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human'
      AND hash(comparison_id, annotator_id, preference, shown_first, shown_first_recorded,
                strength, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
                model_b, content_hash, CAST(extra AS VARCHAR)) IN (SELECT row_hash FROM candidates)
    GROUP BY comparison_id, annotator_id, preference, shown_first, shown_first_recorded,
             strength, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
             model_b, content_hash, CAST(extra AS VARCHAR)
    HAVING count(*) > 1
),
gold AS (
    SELECT annotator_id,
           CAST(sum(n) AS BIGINT) AS n_verdicts,
           CAST(sum(n_gold) AS BIGINT) AS n_gold,
           CAST(sum(n_gold_correct) AS BIGINT) AS n_gold_correct
    FROM (
        SELECT annotator_id, count(*) AS n,
               count(*) FILTER (WHERE gold IS NOT NULL) AS n_gold,
               count(*) FILTER (WHERE gold IS NOT NULL AND preference = gold) AS n_gold_correct
        FROM hashed GROUP BY annotator_id
        UNION ALL
        SELECT annotator_id, -sum(n_extra),
               -coalesce(sum(n_extra) FILTER (WHERE gold IS NOT NULL), 0),
               -coalesce(sum(n_extra) FILTER (WHERE gold IS NOT NULL AND preference = gold), 0)
        FROM copies GROUP BY annotator_id
    )
    GROUP BY annotator_id
)
SELECT m.annotator_id, m.n_items, g.n_verdicts, m.n_majority_items, m.n_agree_majority,
       g.n_gold, g.n_gold_correct
FROM majority m JOIN gold g USING (annotator_id)
ORDER BY m.annotator_id
