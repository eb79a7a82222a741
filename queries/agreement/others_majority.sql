-- name: agreement/others_majority
-- Each human annotator's vote on a comparison against the other human annotators' votes: the one
-- leave-one-out definition agreement/annotators and bias/llm_assisted share (they include it:
-- `-- include: agreement/others_majority`, expanded by qualitylab/store.py). One row per (comparison,
-- human annotator): its vote (preference), n_others (the other human annotators with a vote), n_own
-- (how many of them voted as it did) and n_top (the largest count of one label among them). The
-- others have a strict majority when 2 * n_top > n_others, and the annotator agrees with it when
-- 2 * n_own > n_others.
-- params: $batch_id
-- Caveats:
--   * an annotator's vote is its FIRST verdict on the comparison (lowest file_id, source_line): a
--     repeat by the same person is not a second vote; tie is a label;
--   * exact duplicate copies (verdicts.duplicate_copy) are skipped, as every report count skips them.
WITH firsts AS (
    SELECT comparison_id, annotator_id, preference
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
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
)
SELECT f.comparison_id, f.annotator_id, f.preference,
       p.m - 1 AS n_others,
       CASE f.preference WHEN 'A' THEN p.n_a - 1 WHEN 'B' THEN p.n_b - 1 ELSE p.n_tie - 1 END AS n_own,
       greatest(p.n_a - (f.preference = 'A')::INT,
                p.n_b - (f.preference = 'B')::INT,
                p.n_tie - (f.preference = 'tie')::INT) AS n_top
FROM firsts f JOIN per_item p USING (comparison_id)
